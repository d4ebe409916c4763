#!/bin/sh
# Make sure the system libraries WeasyPrint needs at full speed are present.
# libharfbuzz-subset0 lets WeasyPrint subset fonts with HarfBuzz (fast); without
# it, WeasyPrint falls back to fontTools (about twice as slow per document).
# poppler-utils (pdftoppm, pdftotext) is used by tests that look at pages;
# qpdf and mupdf-tools (mutool) are the tests' second opinions on every PDF.
# The browser tests (tests/test_site_browser.py) drive Debian's chromium through
# chromium-driver (/usr/bin/chromedriver) and run axe-core and html-validate,
# pinned in tests/web/package-lock.json and installed there with `npm ci`.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
missing=""
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' || missing="$missing libharfbuzz-subset0"
if [ "${1:-}" = "--test" ]; then
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    command -v qpdf >/dev/null 2>&1 || missing="$missing qpdf"
    command -v mutool >/dev/null 2>&1 || missing="$missing mupdf-tools"
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    [ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing$missing with apt-get" >&2
        if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null 2>&1 ||
           { apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 &&
             DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null 2>&1; }; then
            :
        else
            echo "setup: apt-get could not install$missing; continuing without it" >&2
        fi
    else
        echo "setup: missing system packages:$missing" >&2
        echo "setup: install them with:  sudo apt-get install -y$missing" >&2
        echo "setup: continuing (fonts are subset with the slower fontTools path;" \
             "tests that need a missing tool are skipped)" >&2
    fi
fi
# The browser tests' npm tools: installed when node_modules is missing or older
# than the lock (the stamp is written only after a successful `npm ci`).
if [ "${1:-}" = "--test" ]; then
    web="$root/tests/web"
    stamp="$web/node_modules/.installed"
    if [ ! -f "$stamp" ] || [ "$web/package-lock.json" -nt "$stamp" ] ||
       [ "$web/package.json" -nt "$stamp" ]; then
        if command -v npm >/dev/null 2>&1; then
            echo "setup: installing the browser tests' npm tools (npm ci in tests/web)" >&2
            if (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
                touch "$stamp"
            else
                echo "setup: npm ci failed in tests/web; the browser tests cannot run" >&2
            fi
        else
            echo "setup: npm is missing; install it with:  sudo apt-get install -y npm" >&2
        fi
    fi
fi
exit 0
