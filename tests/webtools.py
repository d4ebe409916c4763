"""The browser tests' tools: one headless Chromium, axe-core, html-validate, a loopback server.

Everything comes from Debian and from the npm lock in tests/web, installed by
``scripts/setup-system.sh --test`` (``make test``): the browser is Debian's
``/usr/bin/chromium`` driven through Debian's ``/usr/bin/chromedriver`` (both
paths given to Selenium, so Selenium Manager never runs and nothing downloads a
browser or a driver of its own); axe-core and html-validate are read from
``tests/web/node_modules``. When something is missing the tests are skipped with
the reason only on a machine that could not have installed it (not root, no
apt-get); under CI (``CI=true``), or where the set-up could have installed it,
they fail and say what is missing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
WEB = HERE / "web"
NODE_MODULES = WEB / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
HTML_VALIDATE = NODE_MODULES / ".bin" / "html-validate"
HTML_VALIDATE_CONFIG = WEB / ".htmlvalidate.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Where the screenshots go (gitignored): looked at, not compared.
SCREENS = HERE / "out" / "screens"

#: axe-core's tags for the success criteria of WCAG 2.0, 2.1 and 2.2, levels A and AA
#: (axe has no rule for a level-A criterion new in 2.2, so no tag "wcag22a").
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to get it."""
    out = []
    if not CHROMIUM.is_file():
        out.append(f"{CHROMIUM} (Debian package chromium)")
    if not CHROMEDRIVER.is_file():
        out.append(f"{CHROMEDRIVER} (Debian package chromium-driver)")
    if not (AXE.is_file() and HTML_VALIDATE.is_file()):
        out.append(f"axe-core and html-validate in {NODE_MODULES} (npm ci in tests/web)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        out.append("the Python package selenium (pip install -e '.[test]')")
    return out


def could_install() -> bool:
    """The set-up installs the Debian packages as root with apt-get (and npm ci then works)."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def require() -> None:
    """Skip (saying why) where the tools could not have been installed; fail where they
    could, and always under CI: a browser test that silently does not run tests nothing."""
    lacking = missing()
    if not lacking:
        return
    what = "; ".join(lacking)
    if in_ci() or could_install():
        pytest.fail(f"the browser tests need {what}: run `make test` (or "
                    f"`sh scripts/setup-system.sh --test` as root)", pytrace=False)
    pytest.skip(f"not installed here (and not root, so the set-up could not install it): "
                f"{what}; `sudo apt-get install -y chromium chromium-driver npm` and "
                f"`make test` install everything")


def new_browser():
    """A headless Debian Chromium through Debian's chromedriver, never Selenium Manager."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import selenium_manager

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, were it ever asked: no network

    def refuse(*_args, **_kw):
        raise AssertionError("Selenium Manager must not run: the driver's path is given")

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--lang=en-GB",
                "--window-size=1280,900",
                # Any host but the loopback one is unreachable: a page that needs
                # another host's font, script or style shows it here.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(arg)
    service = Service(executable_path=str(CHROMEDRIVER))
    saved = selenium_manager.SeleniumManager.binary_paths
    selenium_manager.SeleniumManager.binary_paths = refuse
    try:
        driver = webdriver.Chrome(service=service, options=options)
    finally:
        selenium_manager.SeleniumManager.binary_paths = saved
    driver.set_script_timeout(60)
    driver.set_page_load_timeout(30)
    return driver


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


#: Where ``serve`` offers axe-core besides the folder: a page loads it from there in
#: a few milliseconds (cached), where passing its 500 kB to every page costs more.
AXE_URL_PATH = "/.webtools/axe.min.js"

LOAD_AXE = """
const done = arguments[arguments.length - 1];
if (window.axe) return done(true);
if (location.protocol !== 'http:') return done(false);
const s = document.createElement('script');
s.src = '%s';
s.onload = () => { s.remove(); done(true); };
s.onerror = () => { s.remove(); done(false); };
document.head.appendChild(s);
""" % AXE_URL_PATH

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                   resultTypes: ['violations'], iframes: false})
   .then(r => done({violations: r.violations, version: axe.version}),
         e => done({error: String(e)}));
"""


def axe_violations(driver, url: str | None = None) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on ``url`` (or the page open now):
    [{id, impact, help, helpUrl, nodes: [{target, html, failureSummary}]}]."""
    if url is not None:
        driver.get(url)
    if not driver.execute_async_script(LOAD_AXE):  # not from ``serve``: pass the source
        driver.execute_script(_axe_source())
    result = driver.execute_async_script(AXE_RUN, list(WCAG_TAGS))
    if "error" in result:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {result['error']}")
    return result["violations"]


def describe(violations: list[dict], limit: int = 3) -> str:
    """The violations, one line each with the first few elements they concern."""
    lines = []
    for v in violations:
        where = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:limit])
        more = f" (+{len(v['nodes']) - limit} more)" if len(v["nodes"]) > limit else ""
        lines.append(f"{v['id']} [{v.get('impact')}]: {v['help']} -- {where}{more}")
    return "\n".join(lines)


class HtmlValidate:
    """html-validate (tests/web/.htmlvalidate.json) over ``paths`` in one run, started
    at once in the background (it runs beside the browser); ``errors()`` waits for
    it: each error as ``path:line:column: rule: message``."""

    def __init__(self, paths: list[Path]):
        import tempfile

        self.folder = tempfile.TemporaryDirectory()
        self.report = Path(self.folder.name) / "report.json"  # not stdout: node cuts it
        self.run = subprocess.Popen(
            [str(HTML_VALIDATE), "--config", str(HTML_VALIDATE_CONFIG),
             "--formatter", f"json={self.report}", *map(str, paths)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=WEB)

    def errors(self) -> list[str]:
        try:
            _, stderr = self.run.communicate(timeout=180)
            said = self.report.read_text(encoding="utf-8") if self.report.is_file() else ""
        finally:
            self.folder.cleanup()
        if self.run.returncode not in (0, 1) or not said.strip():
            raise RuntimeError(f"html-validate failed ({self.run.returncode}): {stderr[-2000:]}")
        errors = []
        for result in json.loads(said):
            for m in result["messages"]:
                if m["severity"] >= 2:
                    errors.append(f"{result['filePath']}:{m.get('line')}:{m.get('column')}: "
                                  f"{m['ruleId']}: {m['message']}")
        return errors


def html_validate(paths: list[Path]) -> list[str]:
    """html-validate's errors over ``paths`` (see HtmlValidate)."""
    return HtmlValidate(paths).errors() if paths else []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves a folder (and axe-core at AXE_URL_PATH); remembers every answer (path,
    status) instead of logging it."""

    answers: list[tuple[str, int]]

    def translate_path(self, path: str) -> str:
        if path.partition("?")[0] == AXE_URL_PATH:
            return str(AXE)
        return super().translate_path(path)

    def log_message(self, *args) -> None:
        pass

    def log_request(self, code="-", size="-") -> None:
        self.answers.append((self.path, int(code) if str(code).isdigit() else 0))


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """``folder`` on http://127.0.0.1:PORT (loopback only): (base URL, its answers)."""
    answers: list[tuple[str, int]] = []
    handler = type("Handler", (_Quiet,), {"answers": answers})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", answers
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def full_screenshot(driver, path: Path) -> Path:
    """The whole page (not only the window) as a PNG at the window's width."""
    import base64

    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                 "scale": 1}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


#: What the page refers to, resolved by the browser: links (a, area, svg a and
#: link rel=alternate/canonical/...) apart from what it loads (stylesheets, icons, src).
REFERENCES = """
const links = [], loads = [];
const resolve = h => new URL(h, document.baseURI).href;
for (const el of document.querySelectorAll('a, area')) {
  const h = el.getAttribute('href') ||
            el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
  if (h !== null) links.push(resolve(h));
}
for (const el of document.querySelectorAll('link[href]')) {
  const rel = (el.getAttribute('rel') || '').toLowerCase().split(/\\s+/);
  (rel.some(r => ['stylesheet', 'icon', 'preload', 'modulepreload', 'manifest'].includes(r))
     ? loads : links).push(resolve(el.getAttribute('href')));
}
for (const el of document.querySelectorAll('[src], [srcset], object[data]')) {
  for (const a of ['src', 'data']) if (el.getAttribute(a)) loads.push(resolve(el.getAttribute(a)));
}
return {links: [...new Set(links)], loads: [...new Set(loads)],
        ids: [...document.querySelectorAll('[id]')].map(e => e.id),
        names: [...document.querySelectorAll('a[name]')].map(e => e.getAttribute('name'))};
"""


def references(driver) -> dict:
    """The open page's {links, loads, ids}: see REFERENCES."""
    found = driver.execute_script(REFERENCES)
    found["ids"] = set(found["ids"]) | set(found.pop("names"))
    return found


def broken_references(found: dict[str, dict], base: str, root: Path,
                      answers: list[tuple[str, int]]) -> list[str]:
    """Every reference of the pages in ``found`` ({page URL: references(...)}), loaded
    from ``root`` served at ``base``, that does not resolve: a target missing, a
    folder (which opens as a listing from disk, not as its index.html), a fragment
    with no such id on its page, a page or file the server could not give, or
    anything loaded from another host. ``answers`` are the server's (path, status)."""
    import urllib.error
    import urllib.parse
    import urllib.request

    bad: list[str] = []
    checked: dict[str, str | None] = {}

    def target_problem(url: str) -> str | None:
        if url in checked:
            return checked[url]
        rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        path = root / rel
        problem = None
        if not rel or rel.endswith("/") or path.is_dir():
            problem = "a folder, not a file (from disk it opens as a listing)"
        elif not path.is_file():
            problem = "no such file"
        elif url not in found:  # not one of the pages loaded in the browser: ask the server
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    if answer.status != 200:
                        problem = f"HTTP {answer.status}"
            except urllib.error.HTTPError as err:
                problem = f"HTTP {err.code}"
        checked[url] = problem
        return problem

    for page, refs in sorted(found.items()):
        short = page.removeprefix(base)
        for url in refs["links"]:
            if not url.startswith(base):
                continue  # another site, mail: a link out, not the site's own
            target, _, fragment = url.partition("#")
            problem = target_problem(target)
            if problem is None and fragment:
                ids = found[target]["ids"] if target in found else None
                if ids is not None and urllib.parse.unquote(fragment) not in ids:
                    problem = f"no id {fragment!r} on that page"
            if problem:
                bad.append(f"{short}: link to {url.removeprefix(base)}: {problem}")
        for url in refs["loads"]:
            if url.startswith("data:"):
                continue
            if not url.startswith(base):
                bad.append(f"{short}: loads {url} from another host")
            elif problem := target_problem(url.partition("#")[0]):
                bad.append(f"{short}: loads {url.removeprefix(base)}: {problem}")
    for path, status in answers:
        if status >= 400 and path != "/favicon.ico":  # asked by the browser, not a page
            bad.append(f"the server answered {status} for {path}")
    return sorted(set(bad))


def focused_link(driver) -> dict | None:
    """The element with the keyboard focus: {href, in_svg, name} or None."""
    return driver.execute_script("""
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const h = el.getAttribute('href') ||
                  el.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
        return {href: h, in_svg: !!el.closest('svg'), tag: el.tagName};
    """)
