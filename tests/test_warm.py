"""Hyphenation patterns read back from the disk cache are the ones pyphen parses."""

from __future__ import annotations

import pyphen
import pytest

from mgi_report.engine import warm

WORDS = {
    "de": ["Migrationssteuerung", "Staatsangehörigkeit", "Zuwanderinnen", "Aufenthaltsrecht"],
    "en": ["governance", "comprehensiveness", "international", "implementation"],
    "ru": ["миграционной", "государственного", "законодательство", "гражданства"],
}


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_cached_patterns_hyphenate_like_parsed_ones(lang, tmp_path, monkeypatch):
    path = warm._dictionary_path(lang)
    parsed = pyphen.HyphDict(path)
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation([lang], tmp_path)  # parses, stores
    assert list((tmp_path / "hyphenation").glob("*.marshal"))
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation([lang], tmp_path)  # reads the stored patterns
    loaded = pyphen.hdcache[path]
    assert loaded is not parsed and loaded.patterns == parsed.patterns
    assert loaded.maxlen == parsed.maxlen
    for word in WORDS[lang]:
        assert loaded.positions(word) == parsed.positions(word)
        assert [p.data for p in loaded.positions(word)] == \
            [p.data for p in parsed.positions(word)]


def test_nonstandard_hyphenation_survives_the_cache(tmp_path, monkeypatch):
    """Patterns like ``c1k/k=k`` carry data (DataInt); the cache keeps it."""
    dic = tmp_path / "hyph_xx.dic"
    dic.write_text("UTF-8\nc1k/k=k,1,1\n1ba\n", encoding="utf-8")
    monkeypatch.setitem(pyphen.LANGUAGES, "xx", dic)
    monkeypatch.setitem(pyphen.LANGUAGES_LOWERCASE, "xx", "xx")
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation(["xx"], tmp_path)
    parsed = pyphen.hdcache[dic]
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation(["xx"], tmp_path)
    loaded = pyphen.hdcache[dic]
    assert loaded is not parsed
    for word in ("backen", "ckba"):
        assert loaded.positions(word) == parsed.positions(word)
        assert [p.data for p in loaded.positions(word)] == \
            [p.data for p in parsed.positions(word)]
    assert any(p.data for p in loaded.positions("backen"))


def test_a_damaged_cache_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation(["en"], tmp_path)
    (stored,) = (tmp_path / "hyphenation").glob("*.marshal")
    stored.write_bytes(b"\x00garbage")
    monkeypatch.setattr(pyphen, "hdcache", {})
    warm.hyphenation(["en"], tmp_path)
    assert pyphen.hdcache[warm._dictionary_path("en")].positions("governance")
