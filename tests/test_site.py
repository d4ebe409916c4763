"""The web edition (``mgi-report site``, mgi_report.web): pages for every profile
and language, links that resolve, nothing from another host, right to left in
Arabic, the wheel's six links, key data as charts and tables, located errors
with nothing written, incremental rebuilds, layouts overridden in the sandbox.

Read with html.parser, no browser (tests/test_site_browser.py drives one).
"""

from __future__ import annotations

import html
import html.parser
import os
import re
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

from mgi_report.cli import main
from mgi_report.content import tree as contents
from mgi_report.errors import ContentError
from mgi_report.resources import ROOT
from mgi_report.web import build_site
from mgi_report.web.ledger import MANIFEST

TREES = {"content": ROOT / "content", "examples": ROOT / "examples"}
DOMAIN_KEYS = ("migrants_rights", "whole_of_government", "partnerships", "wellbeing",
               "mobility_crises", "safe_orderly_regular_migration")


class Page(html.parser.HTMLParser):
    """What a test reads of a page: ids, links, the root's lang and dir, the
    alternates, headings, the wheel's links, tables."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.root: dict = {}
        self.alternates: dict[str, str] = {}
        self.headings: list[int] = []
        self.wheel_links: list[dict] = []
        self.tables = 0
        self.landmarks: set[str] = set()
        self._svg: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.root = a
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if attr in a:
                self.links.append((attr, a[attr]))
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a["hreflang"]] = a["href"]
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "svg":
            self._svg.append(a.get("class", ""))
        if tag == "a" and self._svg and self._svg[-1] == "wheel":
            self.wheel_links.append(a)
        if tag == "table":
            self.tables += 1
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg:
            self._svg.pop()


@pytest.fixture(scope="module")
def sites(tmp_path_factory, cache_dir) -> dict[str, Path]:
    """The site of the shipped content and of the examples, each built once."""
    out = {}
    for name, content in TREES.items():
        out[name] = tmp_path_factory.mktemp(f"site-{name}")
        build_site(content, out[name], cache=cache_dir)
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("tree", TREES)
def test_every_profile_and_language_has_its_pages(sites, tree):
    site = sites[tree]
    for slug, country in contents.countries(TREES[tree]).items():
        for lang in country.languages:
            folder = site / slug / lang
            for name in ("index.html", "acronyms.html", *(f"{k}.html" for k in DOMAIN_KEYS)):
                assert (folder / name).is_file(), folder / name
    assert (site / "index.html").is_file() and (site / "sitemap.xml").is_file()
    assert (site / "assets" / "site.css").is_file()


@pytest.mark.parametrize("tree", TREES)
def test_every_internal_link_resolves(sites, tree):
    """Every href and src is relative and leads to a file of the site, and its
    fragment to an id of that page."""
    site = sites[tree]
    parsed: dict[Path, Page] = {}

    def page(path: Path) -> Page:
        if path not in parsed:
            parsed[path] = Page(path)
        return parsed[path]

    for path in pages(site):
        for attr, value in page(path).links:
            url = urllib.parse.urlsplit(value)
            assert not url.scheme and not url.netloc, (path, value)
            target = (path.parent / urllib.parse.unquote(url.path)).resolve() if url.path \
                else path
            assert target.is_relative_to(site.resolve()), (path, value)
            assert target.is_file(), (path, value)
            if url.fragment and target.suffix == ".html":
                assert url.fragment in page(target).ids, (path, value)


@pytest.mark.parametrize("tree", TREES)
def test_nothing_comes_from_another_host(sites, tree):
    """No script at all; no style, font or image but the site's own (the style
    sheet's url()s are its shipped fonts)."""
    site = sites[tree]
    for path in pages(site):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text, path
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text), path
        assert "@import" not in text, path
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(u.strip("\"'").startswith("fonts/") for u in urls), urls
    for u in urls:
        assert (site / "assets" / u.strip("\"'")).is_file(), u
    fonts = {p.name for p in (site / "assets" / "fonts").iterdir()}
    assert fonts <= {p.name for p in (ROOT / "fonts").iterdir()}, fonts
    assert "OFL.txt" in fonts


def test_arabic_is_right_to_left_and_every_page_says_its_language(sites):
    for site in sites.values():
        for path in pages(site):
            p = Page(path)
            lang = path.parent.name if path.parent.parent != site and \
                path.parent != site else None
            if lang:
                assert p.root.get("lang") == lang, path
            assert p.root.get("dir") == ("rtl" if p.root.get("lang") == "ar" else "ltr"), path
    ar = Page(sites["examples"] / "ruritania" / "ar" / "index.html")
    assert ar.root == {"lang": "ar", "dir": "rtl"}
    css = (sites["examples"] / "assets" / "site.css").read_text(encoding="utf-8")
    assert "margin-left" not in css and "padding-left" not in css  # logical properties


def test_language_versions_are_alternates_and_visible_links(sites):
    folder = sites["content"] / "kazakhstan"
    langs = sorted(p.name for p in folder.iterdir())
    for lang in langs:
        p = Page(folder / lang / "partnerships.html")
        assert p.alternates == {other: f"../{other}/partnerships.html" for other in langs}
        hrefs = {v for a, v in p.links if a == "href"}
        assert {f"../{other}/partnerships.html" for other in langs} <= hrefs
    index = Page(sites["examples"] / "index.html")
    assert set(index.alternates) == {"en", "ar"}


def test_pages_have_landmarks_one_h1_and_headings_in_order(sites):
    for site in sites.values():
        for path in pages(site):
            p = Page(path)
            assert {"header", "main", "footer"} <= p.landmarks, path
            assert p.headings.count(1) == 1 and p.headings[0] == 1, path
            for a, b in zip(p.headings, p.headings[1:]):
                assert b <= a + 1, (path, p.headings)
            assert "main" in p.ids


def test_the_wheel_has_six_named_links_to_the_domain_pages(sites):
    for lang in ("en", "ar"):
        p = Page(sites["examples"] / "ruritania" / lang / "index.html")
        assert [a["href"] for a in p.wheel_links] == [f"{k}.html" for k in DOMAIN_KEYS]
        assert all(a.get("aria-label") for a in p.wheel_links)
    names = [a["aria-label"] for a in Page(sites["content"] / "kazakhstan" / "en" /
                                           "index.html").wheel_links]
    assert names[0] == "Domain 1: Migrants’ rights" and names[5].startswith("Domain 6")


def test_key_data_are_charts_and_tables(sites):
    text = (sites["examples"] / "ruritania" / "en" / "key-data.html").read_text()
    charts = re.findall(r'<svg[^>]*class="chart"[^>]*>', text)
    tables = re.findall(r"<table class=\"figures\">", text)
    assert charts and len(charts) == len(tables)
    assert all('role="img"' in c and "aria-label=" in c for c in charts)
    assert "236,000" in text and "<th scope=\"row\">2024</th>" in text


def test_notes_are_linked_and_gcm_objectives_marked(sites):
    p = sites["examples"] / "ruritania" / "en" / "migrants_rights.html"
    text = p.read_text()
    calls = re.findall(r'href="#note-(\d+)"', text)
    assert calls and all(f'id="note-{n}"' in text for n in calls)
    assert 'href="#gcm-15"' in text and 'id="gcm-15"' in text
    assert '<abbr title="International Labour Organization">ILO</abbr>' in text


def test_a_bad_content_file_gives_located_errors_and_writes_nothing(tmp_path, cache_dir):
    content = tmp_path / "content"
    shutil.copytree(TREES["content"], content)
    en = content / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text().replace("country:", "countree:", 1))
    out = tmp_path / "site"
    with pytest.raises(ContentError) as caught:
        build_site(content, out, cache=cache_dir)
    assert any("en.yaml:" in str(p) for p in caught.value.problems)
    assert not out.exists() or not any(out.iterdir())


def test_a_second_build_writes_nothing_and_an_edit_only_its_pages(tmp_path, cache_dir):
    content = tmp_path / "content"
    shutil.copytree(TREES["content"], content)
    out = tmp_path / "site"
    first = build_site(content, out, cache=cache_dir)
    assert len(first) > 40
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    start = time.perf_counter()
    assert build_site(content, out, cache=cache_dir) == []
    assert time.perf_counter() - start < 5  # measured in `make bench`; here a bound
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == times
    de = content / "kazakhstan" / "de.yaml"
    text = de.read_text(encoding="utf-8")
    assert "Migrantinnen" in text
    de.write_text(text.replace("Migrantinnen", "Migranten", 1), encoding="utf-8")
    written = build_site(content, out, cache=cache_dir)
    rel = sorted(str(p.relative_to(out)) for p in written)
    assert rel and all(r.startswith("kazakhstan/de/") for r in rel), rel
    assert len(rel) < 5, rel
    assert (out / MANIFEST).is_file()


def test_a_page_removed_by_hand_is_written_again(tmp_path, cache_dir):
    content = tmp_path / "content"
    shutil.copytree(TREES["content"], content)
    out = tmp_path / "site"
    build_site(content, out, cache=cache_dir)
    (out / "kazakhstan" / "ru" / "wellbeing.html").unlink()
    written = build_site(content, out, cache=cache_dir)
    assert [p.relative_to(out) for p in written] == [Path("kazakhstan/ru/wellbeing.html")]


def test_a_layout_folder_overrides_a_site_template(tmp_path, cache_dir):
    layouts = tmp_path / "layouts"
    (layouts / "site").mkdir(parents=True)
    base = (ROOT / "layouts" / "site" / "acronyms.html").read_text()
    (layouts / "site" / "acronyms.html").write_text(
        base.replace("<h1>{{ heading }}</h1>", "<h1>{{ heading }} (ours)</h1>"))
    out = tmp_path / "site"
    build_site(TREES["content"], out, layouts=[layouts], cache=cache_dir)
    assert "(ours)</h1>" in (out / "kazakhstan" / "en" / "acronyms.html").read_text()
    assert "(ours)" not in (out / "kazakhstan" / "en" / "sources.html").read_text()


def test_a_layout_cannot_leave_the_sandbox(tmp_path, capsys):
    layouts = tmp_path / "layouts"
    (layouts / "site").mkdir(parents=True)
    (layouts / "site" / "acronyms.html").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    secret = tmp_path / "secret.html"
    secret.write_text("secret")
    (layouts / "site" / "sources.html").symlink_to(secret)
    out = tmp_path / "site"
    code = main(["site", "--content", str(TREES["content"]), "--out", str(out),
                 "--layouts", str(layouts)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "sandbox" in err or "outside the layout" in err, err
    assert not out.exists() or not any(out.iterdir())


def test_the_command_refuses_to_write_into_its_inputs(tmp_path, capsys):
    code = main(["site", "--content", str(TREES["content"]),
                 "--out", str(TREES["content"] / "kazakhstan" / "site")])
    assert code == 2
    assert "folder of inputs" in capsys.readouterr().err


def test_the_site_offers_the_pdfs_of_a_batch(tmp_path, cache_dir):
    """--pdfs: each edition the batch's manifest records, copied beside its pages,
    with its size and SHA-256."""
    import hashlib
    import json

    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    data = b"%PDF-1.7 not really\n"
    (pdfs / "kazakhstan-en.pdf").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    (pdfs / ".mgi-report-manifest.json").write_text(json.dumps({
        "format": 2, "outputs": {"kazakhstan-en.pdf": {
            "inputs": "x", "size": len(data), "sha256": digest,
            "mtime_ns": os.stat(pdfs / "kazakhstan-en.pdf").st_mtime_ns}}}))
    out = tmp_path / "site"
    build_site(TREES["content"], out, pdfs=pdfs, cache=cache_dir,
               base_url="https://portal.example/mgi")
    assert (out / "kazakhstan" / "en" / "kazakhstan-en.pdf").read_bytes() == data
    sitemap = (out / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://portal.example/mgi/kazakhstan/de/wellbeing.html" in locs
    assert all(loc.startswith("https://portal.example/mgi/") for loc in locs)
    assert not any("portal.example" in p.read_text() for p in pages(out))
    page = (out / "kazakhstan" / "en" / "index.html").read_text()
    assert 'href="kazakhstan-en.pdf"' in page and digest in page
    assert "kazakhstan-en.pdf" not in (out / "kazakhstan" / "de" / "index.html").read_text()


def test_a_no_op_rebuild_is_answered_before_the_program_is_imported(tmp_path, cache_dir,
                                                                     monkeypatch):
    """launch.py asks web.quick: the files the site was made from, by size and
    time, are as they were; any change (even a touch) sends it to the build."""
    from mgi_report.web import quick

    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    content = tmp_path / "content"
    shutil.copytree(TREES["content"], content)
    out = tmp_path / "site"
    argv = ["site", "--content", str(content), "--out", str(out)]
    assert not quick.noop(argv)  # no site yet
    build_site(content, out, cache=cache_dir)
    assert quick.noop(argv)
    assert not quick.noop([*argv, "--force"]) and not quick.noop([*argv, "--serve"])
    assert not quick.noop([*argv, "--base-url", "https://example.org/mgi/"])
    en = content / "kazakhstan" / "en.yaml"
    os.utime(en, ns=(en.stat().st_atime_ns, en.stat().st_mtime_ns + 10**9))
    assert not quick.noop(argv)
    assert build_site(content, out, cache=cache_dir) == []  # a touch changes no page
    assert quick.noop(argv)
    (out / "kazakhstan" / "en" / "index.html").unlink()
    assert not quick.noop(argv)


def test_serve_binds_to_loopback_only_and_serves_the_site(sites):
    """--serve: http.server on 127.0.0.1, the site's folder; the build runs first."""
    import threading
    import urllib.request

    from mgi_report.resident import watch
    from mgi_report.web import serve

    httpd = serve.server(sites["examples"], 0)
    host, port = httpd.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ruritania/ar/index.html") as r:
            assert r.status == 200 and b'dir="rtl"' in r.read()
    finally:
        httpd.shutdown()
        httpd.server_close()
    built = []
    stop = threading.Event()
    stop.set()  # build once, then stop watching at once
    assert serve.serve(lambda: built.append(1) or sites["examples"], sites["examples"],
                       [TREES["examples"]], 0, watch.watch, stop) == 0
    assert built == [1]


def test_a_finding_prints_as_written(tmp_path, cache_dir):
    """Raw HTML in a finding is text on the page, a javascript: link no link."""
    content = tmp_path / "content"
    shutil.copytree(TREES["content"], content)
    en = content / "kazakhstan" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    first = re.search(r"^(\s+well_developed:\n\s+- )", text, re.MULTILINE)
    assert first
    hostile = '"<script>alert(1)</script> [x](javascript:alert(1)) <img src=x> "'
    text = text[:first.end()] + hostile + "\n" + first[1].split("\n")[-1] + text[first.end():]
    en.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    build_site(content, out, cache=cache_dir)
    page = (out / "kazakhstan" / "en" / "migrants_rights.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert "[x](javascript:alert(1))" in page and 'href="javascript' not in page
    assert "<img" not in page


def test_the_site_writes_through_no_link(tmp_path, cache_dir, capsys):
    out = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "kazakhstan").symlink_to(elsewhere, target_is_directory=True)
    code = main(["site", "--content", str(TREES["content"]), "--out", str(out)])
    assert code == 3, capsys.readouterr().err
    assert not any(elsewhere.iterdir())


def test_build_site_goes_with_all_and_a_whole_release(capsys):
    assert main(["build", "kazakhstan", "--lang", "en", "--site", "x"]) == 2
    assert main(["build", "--all", "--shard", "1/2", "--site", "x"]) == 2
    assert "--site" in capsys.readouterr().err


def test_each_link_of_the_wheel_is_named_with_the_words_it_shows(sites):
    """Label in name (WCAG 2.5.3): "1 Migrants' rights" inside "Domain 1:
    Migrants' rights", in every language; the lines of a name apart."""
    for path in sorted(sites["examples"].glob("*/*/index.html")) + \
            sorted(sites["content"].glob("*/*/index.html")):
        text = path.read_text(encoding="utf-8")
        links = re.findall(r'<a href="[^"]+" class="wedge d\d" aria-label="([^"]+)">(.*?)</a>',
                           text, re.DOTALL)
        assert len(links) == 6, path
        for name, inner in links:
            shown = re.sub(r"<[^>]+>", "", inner)
            words = re.findall(r"\w+", shown.casefold())
            named = re.findall(r"\w+", html.unescape(name).casefold())
            assert any(named[i:i + len(words)] == words for i in range(len(named))), \
                (path, name, shown)


def test_the_web_edition_rebuilds_no_pdf(monkeypatch, tmp_path):
    """Its templates and its stage are not what a PDF is made from: the PDFs'
    program hash (build --all) leaves them out, the site's takes them in."""
    from mgi_report.batch import digests

    layouts = tmp_path / "layouts"
    shutil.copytree(digests.LAYOUTS, layouts)
    monkeypatch.setattr(digests, "LAYOUTS", layouts)
    before = digests.program_digest(), digests.program_digest(web=True)
    css = layouts / "site" / "site.css"
    css.write_text(css.read_text() + "\n/* edited */\n")
    after = digests.program_digest(), digests.program_digest(web=True)
    assert before[0] == after[0] and before[1] != after[1]
    part = layouts / "parts" / "cover.html"
    part.write_text(part.read_text() + "\n")
    assert digests.program_digest() != after[0]
