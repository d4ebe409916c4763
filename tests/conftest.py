"""Shared fixtures: PDFs are built once per test run and read back by many tests."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from mgi_report import Request
from mgi_report import pipeline as builder
from mgi_report.resources import DEFAULT_CONTENT, ROOT

#: The editions a profile in the built-in layout is written in, from one layout,
#: in the order `test_batch` shows each to be its single build byte for byte.
EDITIONS = ("screen", "archive", "print")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pdfs")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


class Builds:
    """``built(country, lang, edition='screen', content=, fallback=, layouts=)`` -> Path.

    A profile (country, language, content, fallback, layouts) is laid out once per
    test run. In the built-in layout all three editions are written from that one
    layout (``pipeline.build_editions``, as ``build --edition screen,archive,print``
    does), since the suite reads every edition of the shipped profiles; with a
    layout of a test's own, only the edition asked for. ``editions(...)`` gives
    every edition at once; ``warnings(...)`` what was logged while they were built.

    Under pytest-xdist (``make test``) the workers share the files through a
    folder of the run, with one lock per profile: the first worker to ask builds,
    the others wait for it and read its files.
    """

    def __init__(self, folder: Path, cache: Path):
        self.folder, self.cache = folder, cache
        self.done: dict[tuple, dict] = {}  # key -> {"paths", "errors", "warnings"}

    @staticmethod
    def _key(country, lang, content=DEFAULT_CONTENT, fallback=False, layouts=()):
        return (country, lang, str(Path(content).resolve()), bool(fallback),
                tuple(str(Path(p).resolve()) for p in layouts))

    def __call__(self, country: str = "kazakhstan", lang: str = "de",
                 edition: str = "screen", **kw) -> Path:
        key = self._key(country, lang, **kw)
        wanted = EDITIONS if not key[4] else (edition,)
        entry = self._get(key, wanted)
        if edition in entry["errors"]:
            raise entry["errors"][edition]
        return entry["paths"][edition]

    def editions(self, country: str = "kazakhstan", lang: str = "de", **kw) -> dict[str, Path]:
        """Every edition of the profile, from one layout: {edition: path}."""
        entry = self._get(self._key(country, lang, **kw), EDITIONS)
        for error in entry["errors"].values():
            raise error
        return dict(entry["paths"])

    def warnings(self, country: str = "kazakhstan", lang: str = "de", **kw) -> list[str]:
        """What was logged at WARNING or above while every edition of the profile
        was laid out and written."""
        return list(self._get(self._key(country, lang, **kw), EDITIONS)["warnings"])

    def _get(self, key: tuple, wanted: tuple) -> dict:
        full = key + (wanted,)
        if full in self.done:
            return self.done[full]
        name = hashlib.sha256(repr(full).encode()).hexdigest()[:20]
        with open(self.folder / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker building it: wait for it
            record = self.folder / f"{name}.json"
            if record.exists():  # built by another worker of this run
                said = json.loads(record.read_text())
                entry = {"paths": {e: Path(p) for e, p in said["paths"].items()},
                         "errors": {}, "warnings": said["warnings"]}
                if set(entry["paths"]) == set(wanted):
                    self.done[full] = entry
                    return entry
            entry = self._build(key, wanted, name)
            if not entry["errors"]:
                record.write_text(json.dumps({
                    "paths": {e: str(p) for e, p in entry["paths"].items()},
                    "warnings": entry["warnings"]}))
        self.done[full] = entry
        return entry

    def _build(self, key: tuple, wanted: tuple, name: str) -> dict:
        country, lang, content, fallback, layouts = key
        req = Request(country, lang, Path(content), fallback=fallback,
                      layouts=tuple(Path(p) for p in layouts), cache=self.cache)
        targets = {e: self.folder / f"{country}-{lang}-{name}-{e}.pdf" for e in wanted}
        records: list[logging.LogRecord] = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append  # type: ignore[method-assign]
        logging.getLogger().addHandler(handler)
        try:
            written = builder.build_editions(req, wanted, targets)
        finally:
            logging.getLogger().removeHandler(handler)
        return {"paths": {w.edition: w.path for w in written if w.error is None},
                "errors": {w.edition: w.error for w in written if w.error is not None},
                "warnings": [r.getMessage() for r in records]}


@pytest.fixture(scope="session")
def built(request, tmp_path_factory, cache_dir):
    """build(country, lang, edition='screen', **kw) -> Path, memoised per run (Builds)."""
    if not hasattr(request.config, "workerinput"):  # one process: this session's folder
        return Builds(tmp_path_factory.mktemp("built"), cache_dir)
    folder = tmp_path_factory.getbasetemp().parent / "built"  # the run's, every worker's
    folder.mkdir(exist_ok=True)
    return Builds(folder, cache_dir)


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
            done[lang] = builder.build(Request("kazakhstan", lang, DEFAULT_CONTENT,
                                       out_dir / f"{lang}.pdf", cache=cache_dir,
                                       layouts=(folder,), **kw))
        return done[lang]

    return get
