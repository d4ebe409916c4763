"""Hostile content shows as text; a hostile layout fails; neither reads nor dials anything.

Three witnesses, for every case:

* a sentinel file outside every allowed folder, with unique bytes that must not
  appear in any PDF written, not even in a decompressed stream;
* a loopback listener on 127.0.0.1 that must see no connection (it answers any
  with a redirect to the sentinel, and closes itself after a while);
* a Python audit hook that records every ``open`` of the sentinel's folder and
  every ``socket.connect`` / ``urllib.Request`` while a build runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest

from mgi_report.engine.render import RefusedURL, _fetcher_class, render
from mgi_report.resources import LAYOUTS
from mgitree import lang_yaml, make_tree, run, squash
from pdfread import text
from witness import assert_sentinel_absent, listener, outside, sentinel, witnessed  # noqa: F401

# -------------------------------------------------------------------- content


def hostile_findings(sentinel_path: Path, url: str) -> list[str]:
    """Markup that must print as itself. No double quotes: they become „…“ (documented)."""
    s = sentinel_path.as_uri()
    rel = os.path.relpath(sentinel_path, LAYOUTS)
    return [
        f"<img src={s}>",
        f"<link rel=attachment href={s}>",
        f"<a rel=attachment href={s}>attachment</a>",
        f"<object data={s} type=image/svg+xml></object>",
        f"<embed src={s}>",
        f"<iframe src={url}/frame></iframe>",
        f"<svg><image href={s} width=9 height=9 /></svg>",
        f"<p style=background:url({url}/bg.png)>styled</p>",
        f"<span style=background-image:url({s})>x</span>",
        f"<style>@import url({url}/i.css);</style>",
        f"![image]({s})",
        f"![image]({url}/image.png)",
        f"![image]({rel})",
        f"[link]({s})",
        f"[link]({rel})",
        f"<{url}/autolink>",
        "&lt;img src=x&gt; stays &amp;lt;escaped&amp;gt;",
    ]


def test_hostile_findings_print_as_text_and_fetch_nothing(tmp_path, capsys, sentinel, listener,
                                                          witnessed):
    path, token = sentinel
    findings = hostile_findings(path, listener.url)
    redirect = f"{listener.url}/redirect"
    # (the sentinel's long URI goes in the short name: a country's name must fit the cover)
    country = f"</style><img src=x> }} @import url({listener.url}/c.css); {{"
    short = f"<svg><image href={path.as_uri()} /></svg><img src={path.as_uri()}>"
    en = lang_yaml(country=country, short_name=short,
                   findings={"migrants_rights": (findings, [f"[a redirect]({redirect})"])},
                   sources=[f"<img src={path.as_uri()}>",
                            f"<script>fetch('{listener.url}')</script>"])
    content = make_tree(tmp_path, {"en.yaml": en})
    out = tmp_path / "hostile.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content, "-o", out)
    assert code == 0, err
    assert "refused" not in err and "Traceback" not in err
    printed = squash(text(out))
    for finding in findings[:-1]:
        assert squash(finding) in printed, finding
    assert squash("<img src=x> stays &lt;escaped&gt;") in printed
    assert squash(f"<img src={path.as_uri()}>") in printed  # the source
    assert squash(country) in printed  # cover, running header
    assert squash(short) in printed  # introduction
    assert squash(f"<script>fetch(\u2018{listener.url}\u2019)</script>") in printed
    assert "aredirect" in printed  # an http link is a link: clickable, never fetched
    with pikepdf.open(out) as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                if "/A" in a and "/URI" in a.A]
        names = pdf.Root.get("/Names")
        assert names is None or "/EmbeddedFiles" not in names
    assert redirect in uris
    assert not any(u.startswith("file:") for u in uris)
    assert_sentinel_absent(out, token)


# -------------------------------------------------------------------- layouts


def cover(body: str) -> dict[str, str]:
    return {"parts/cover.html": f'<section class="cover" id="cover">{body}<p>cover</p>'
                                "</section>\n"}


def layout_cases(s: str, url: str, rel: str) -> dict[str, tuple[dict[str, str], str]]:
    """name -> (override files, the URL the refusal must name)."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           ' width="40" height="40">{}</svg>')
    data_svg = ("data:image/svg+xml," + svg.format(f'<image xlink:href="{s}" width="9" '
                                                   'height="9"/>').replace('"', "%22")
                .replace("<", "%3C").replace(">", "%3E").replace(" ", "%20"))
    return {
        "img file": (cover(f'<img src="{s}" alt="">'), s),
        "img http": (cover(f'<img src="{url}/a.png" alt="">'), f"{url}/a.png"),
        "img redirect": (cover(f'<img src="{url}/redirect" alt="">'), f"{url}/redirect"),
        "img relative ..": (cover(f'<img src="{rel}" alt="">'), s),
        "base href": (cover(f'<base href="{s.rsplit("/", 1)[0]}/"><img src="sentinel.svg" '
                            'alt="">'), s),
        "link attachment": (cover(f'<link rel="attachment" href="{s}">'), s),
        "a attachment": (cover(f'<a rel="attachment" href="{s}">file</a>'), s),
        "object": (cover(f'<object data="{s}" type="image/svg+xml"></object>'), s),
        "embed": (cover(f'<embed src="{s}" type="image/svg+xml">'), s),
        "inline svg image": (cover(svg.format(f'<image href="{s}" width="9" height="9"/>')), s),
        "inline svg image http": (cover(svg.format(
            f'<defs><pattern id="p" width="9" height="9"><image xlink:href="{url}/p.png" '
            'width="9" height="9"/></pattern></defs><rect width="40" height="40" '
            'fill="url(#p)"/>')), f"{url}/p.png"),
        "inline svg font-face": (cover(svg.format(
            f"<style>@font-face {{ font-family: Q; src: url({s}) }} text {{ font-family: Q }}"
            '</style><text y="20">q</text>')), s),
        "image in a data: svg": (cover(f'<img src="{data_svg}" alt="">'), s),
        "style attribute url()": (cover(f'<p style="background: url({url}/bg.png)">x</p>'),
                                  f"{url}/bg.png"),
        "style attribute file url()": (
            cover(f'<ul style="list-style-image: url({s})"><li>x</li></ul>'), s),
        "style element @import": (cover(f"<style>@import url({url}/i.css);</style>"),
                                  f"{url}/i.css"),
        "stylesheet link": (cover(f'<link rel="stylesheet" href="{url}/s.css">'), f"{url}/s.css"),
        "profile.css @import": ({"profile.css": f'@import url("{url}/x.css");\n'}, f"{url}/x.css"),
        "profile.css url()": ({"profile.css": f".cover {{ background: url({s}); }}\n"}, s),
        "profile.css content url()": ({"profile.css": f'.cover::after {{ content: url("{s}") }}'},
                                      s),
        "profile.css @font-face": ({"profile.css": f'@font-face {{ font-family: X; src: url("{s}")'
                                                   ' } body { font-family: X }'}, s),
    }


#: Elements WeasyPrint ignores: nothing may be read, and the build may succeed.
def ignored_cases(s: str, url: str) -> dict[str, dict[str, str]]:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">{}</svg>'
    return {
        "iframe": cover(f'<iframe src="{url}/frame"></iframe><iframe src="{s}"></iframe>'),
        "inline svg use": cover(svg.format(f'<use href="{s}#x"/>')),
        "inline svg @import": cover(svg.format(f"<style>@import url({url}/i.css);</style>")),
        "a plain link": cover(f'<a href="{url}/page">web</a><a href="{s}">file</a>'),
    }


def write_layout(root: Path, files: dict[str, str]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(data)
    return root


CASE_NAMES = list(layout_cases("file:///s", "http://h", "r"))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_a_hostile_layout_fails_naming_the_url_and_reads_nothing(case, tmp_path, capsys,
                                                                 sentinel, listener, witnessed):
    path, _token = sentinel  # no PDF is written: nothing to search for the token
    files, named = layout_cases(path.as_uri(), listener.url,
                                os.path.relpath(path, LAYOUTS))[case]
    layouts = write_layout(tmp_path / "layouts", files)
    content = make_tree(tmp_path)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", out)
    assert code == 3, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("mgi-report: error: refused to read ") and named in last, err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("case", list(ignored_cases("file:///s", "http://h")))
def test_what_weasyprint_ignores_reads_nothing_either(case, tmp_path, capsys, sentinel, listener,
                                                      witnessed):
    path, token = sentinel
    layouts = write_layout(tmp_path / "layouts", ignored_cases(path.as_uri(), listener.url)[case])
    content = make_tree(tmp_path)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", out)
    assert code in (0, 3) and "Traceback" not in err, err
    if code == 0:
        assert_sentinel_absent(out, token)


def test_layouts_may_use_their_own_folder(tmp_path, capsys, witnessed):
    """The fetcher is not simply closed: an override's own image is read."""
    layouts = tmp_path / "layouts"
    (layouts / "parts").mkdir(parents=True)
    (layouts / "badge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9" '
        'height="9" fill="#123456"/></svg>')
    (layouts / "parts" / "cover.html").write_text(
        f'<section class="cover" id="cover"><img src="{(layouts / "badge.svg").as_uri()}" '
        'alt="badge"></section>\n')
    content = make_tree(tmp_path)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", out)
    assert code == 0, err
    with pikepdf.open(out) as pdf:
        assert any("/XObject" in (page.Resources or {}) for page in pdf.pages)


# ------------------------------------------------------------- the fetcher


@pytest.fixture
def fetcher(tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("secret")
    (allowed / "link.txt").symlink_to(tmp_path / "secret.txt")
    SafeFetcher, Refused = _fetcher_class()
    return SafeFetcher([allowed]), Refused, allowed


def test_the_fetcher_reads_allowed_files_and_data(fetcher):
    f, _refused, allowed = fetcher
    assert f.fetch((allowed / "ok.css").as_uri()).read() == b"p {}"
    assert f.fetch("data:text/plain,hello").read() == b"hello"
    assert f.refused == []


@pytest.mark.parametrize("url", [
    "{root}/../secret.txt", "{root}/%2e%2e/secret.txt", "{root}/link.txt",
    "file://localhost{root_path}/../secret.txt", "file://example.org{root_path}/ok.css",
    "FILE:///etc/passwd", "http://127.0.0.1:9/", "https://example.org/x.css",
    "ftp://example.org/x", "javascript:alert(1)", "relative/path.css", "//example.org/x",
])
def test_the_fetcher_refuses_everything_else(fetcher, url):
    f, Refused, allowed = fetcher
    url = url.format(root=allowed.as_uri(), root_path=allowed)
    with pytest.raises(Refused):
        f.fetch(url)
    assert f.refused == [url]


def test_render_names_every_refused_url(tmp_path):
    html = ('<img src="file:///etc/hostname"><p style="background: url(http://127.0.0.1:9/x)">'
            "x</p>")
    with pytest.raises(RefusedURL, match="refused to read file:///etc/hostname"):
        render(html, LAYOUTS.as_uri() + "/", [LAYOUTS])


def test_a_missing_allowed_file_is_a_render_error_not_a_traceback(tmp_path, capsys):
    layouts = write_layout(tmp_path / "layouts", cover('<img src="no-such.png" alt="">'))
    content = make_tree(tmp_path)
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "--layouts", layouts, "-o", tmp_path / "out.pdf")
    assert code == 3
    assert "Traceback" not in err
    assert "no-such.png" in err.strip().splitlines()[-1]

