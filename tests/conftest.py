"""Shared fixtures: PDFs are built once per session and read back by many tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mgi_report import Request, build
from mgi_report.resources import DEFAULT_CONTENT, ROOT


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def built(pdf_dir, cache_dir):
    """build(country, lang, edition='screen', **kw) -> Path, memoised per session."""
    done: dict[tuple, Path] = {}

    def get(country: str = "kazakhstan", lang: str = "de", edition: str = "screen", **kw):
        key = (country, lang, edition, tuple(sorted(kw.items())))
        if key not in done:
            out = pdf_dir / f"{country}-{lang}-{edition}-{len(done)}.pdf"
            done[key] = build(Request(country, lang, kw.pop("content", DEFAULT_CONTENT), out,
                                      edition, cache=cache_dir, **kw))
        return done[key]

    return get


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the shipped content tree."""
    dest = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, dest)
    return dest


JUSTIFIED_CSS = (  # (the shipped rule, the rule of a layout that justifies)
    ("hyphens: manual;  /* ragged text is never hyphenated; a layout that justifies sets auto */",
     "hyphens: auto;"),
    ("p { margin: 0 0 0.7em; orphans: 2; widows: 2; text-align: {{ start }}; }",
     "p { margin: 0 0 0.7em; orphans: 2; widows: 2; text-align: justify; }\n"
     "li { text-align: justify; }"),
)


def justifying_layouts(folder: Path, *changes: tuple[str, str]) -> Path:
    """A layouts folder (for Request.layouts) whose profile.css sets running
    text justified and hyphenated, as a layout owner may: the shipped layout
    sets it ragged and unhyphenated (issue 21), so the hyphenation policy is
    tested here. ``changes`` are further (old, new) replacements."""
    css = (ROOT / "layouts" / "profile.css").read_text(encoding="utf-8")
    for old, new in (*JUSTIFIED_CSS, *changes):
        assert old in css, f"profile.css no longer holds {old!r}"
        css = css.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profile.css").write_text(css, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def justified_build(tmp_path_factory, cache_dir):
    """justified_build(lang) -> the Kazakhstan profile set by a layout that
    justifies and hyphenates running text; memoised per session."""
    folder = justifying_layouts(tmp_path_factory.mktemp("justifying"))
    out_dir = tmp_path_factory.mktemp("justified")
    done: dict[str, Path] = {}

    def get(lang: str = "de") -> Path:
        if lang not in done:
            kw = {"fallback": True} if lang in ("fr", "es") else {}
            done[lang] = build(Request("kazakhstan", lang, DEFAULT_CONTENT,
                                       out_dir / f"{lang}.pdf", cache=cache_dir,
                                       layouts=(folder,), **kw))
        return done[lang]

    return get
