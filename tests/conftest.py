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
