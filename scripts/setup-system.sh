#!/bin/sh
# Make sure the system libraries WeasyPrint needs at full speed are present.
# libharfbuzz-subset0 lets WeasyPrint subset fonts with HarfBuzz (fast); without
# it, WeasyPrint falls back to fontTools (about twice as slow per document).
# poppler-utils (pdftoppm, pdftotext) is used by tests that look at pages;
# qpdf and mupdf-tools (mutool) are the tests' second opinions on every PDF.
set -u
missing=""
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0' || missing="$missing libharfbuzz-subset0"
if [ "${1:-}" = "--test" ]; then
    command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
    command -v qpdf >/dev/null 2>&1 || missing="$missing qpdf"
    command -v mutool >/dev/null 2>&1 || missing="$missing mupdf-tools"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing$missing with apt-get" >&2
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 ||
       { apt-get update -qq >/dev/null 2>&1 &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1; }; then
        exit 0
    fi
    echo "setup: apt-get could not install$missing; continuing without it" >&2
else
    echo "setup: missing system packages:$missing" >&2
    echo "setup: install them with:  sudo apt-get install -y$missing" >&2
    echo "setup: continuing (fonts are subset with the slower fontTools path)" >&2
fi
exit 0
