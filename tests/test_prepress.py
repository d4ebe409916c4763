"""Prepress details a print shop and a reader's software rely on (issue 12, first
part): binding direction, the document's language in XMP, font subsets named
by their glyphs so that equal names mean equal subsets across files."""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pikepdf
import pytest


@pytest.mark.parametrize("lang, edition, rtl", [
    ("ar", "screen", True), ("ar", "print", True), ("ar", "archive", True),
    ("en", "screen", False), ("de", "print", False)])
def test_right_to_left_editions_bind_on_the_right(built, lang, edition, rtl):
    with pikepdf.open(built("kazakhstan", lang, edition)) as pdf:
        prefs = pdf.Root.get("/ViewerPreferences") or {}
        assert (prefs.get("/Direction") == "/R2L") is rtl


@pytest.mark.parametrize("lang", ["en", "de", "ru", "ar"])
def test_xmp_names_the_documents_language(built, lang):
    with pikepdf.open(built("kazakhstan", lang)) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("dc:language") == {lang}
        assert str(pdf.Root.Lang) == lang


def _subsets(path) -> dict[str, str]:
    """Base font name (tag+name) -> a hash of its embedded font program."""
    out = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                program = obj.get("/FontFile2") or obj.get("/FontFile3") or obj.get("/FontFile")
                out[str(obj.FontName)] = hashlib.sha256(program.read_bytes()).hexdigest()
    return out


def test_equal_subset_tags_mean_equal_subsets_across_files(built):
    by_name: dict[str, set[str]] = defaultdict(set)
    by_program: dict[tuple[str, str], set[str]] = defaultdict(set)
    for lang in ("en", "de", "ru", "ar"):
        for edition in ("screen", "print"):
            for name, program in _subsets(built("kazakhstan", lang, edition)).items():
                by_name[name].add(program)
                by_program[(name.split("+", 1)[1], program)].add(name)
    assert by_name and all(len(programs) == 1 for programs in by_name.values()), by_name
    assert all(len(names) == 1 for names in by_program.values())
    # the same font with other glyphs gets another tag (German vs Russian body text)
    sans = {n for n in by_name if n.endswith("+Noto-Sans")}
    assert len(sans) > 1


@pytest.mark.parametrize("lang, expected", [
    ("de", {"domain-1": "Dimension 1: Die Rechte der Migrantinnen und Migranten",
            "introduction": "Einleitung"}),
    ("ar", {"introduction": "مقدمة"}),
])
def test_links_are_described_by_their_sections_title_in_the_documents_language(built, lang,
                                                                                 expected):
    with pikepdf.open(built("kazakhstan", lang)) as pdf:
        described = {}
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if "/Dest" in annot:
                    described.setdefault(str(annot.Dest), set()).add(str(annot.Contents))
    assert described
    for dest, contents in described.items():
        assert dest not in contents, (dest, contents)  # never the bare id
    for dest, title in expected.items():
        assert described[dest] == {title}


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (the program's own, checked against known values)."""
    from mgi_report.content.domains import contrast as wcag

    return wcag(a, b)


def test_the_contrast_measure_gives_wcags_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_the_wheels_names_are_legible_on_white():
    """The names of the segments not highlighted are small text (about 6 pt): WCAG
    AA asks 4.5:1. Read from the style sheet as it is composed."""
    import re as _re

    from mgi_report import Request, prepare
    from mgi_report.compose.profile import compose
    from mgi_report.resources import DEFAULT_CONTENT

    html = compose(prepare(Request("kazakhstan", "en", DEFAULT_CONTENT)))
    muted = _re.search(r"\.wheel-label\.muted \{ color: (#[0-9a-f]{6}); \}", html)[1]
    body = _re.search(r"html \{[^}]*?color: (#[0-9a-f]{6});", html)[1]
    assert contrast(muted, "#ffffff") >= 4.5
    assert contrast(body, "#ffffff") >= 7
    assert contrast("#777777", "#ffffff") < 4.5  # the measure itself
