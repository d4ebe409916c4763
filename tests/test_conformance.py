"""Conformance that independent programs confirm (issue 19).

Every profile the suite builds — the shipped content (every language, and
French and Spanish with ``--fallback``), the example (every language) and the
test profile (``tests/mgitree.py``, both languages) — is written in all three
editions from one layout, then judged by programs no one here wrote:

- ``page-validation`` (PyPI; the Rust validator ``page``): the screen edition
  under PDF/UA-1, the archive under PDF/A-3a, PDF/A-3u and PDF/UA-1, with zero
  failed rules. Each failed rule is printed with its object.
- ``qpdf --check`` and MuPDF (``mutool draw``): no error, no warning, for every
  edition (print included; no PDF/X validator can be installed here).

The structure the validator cannot judge for meaning is read back with pikepdf:
one element per HTML element however many pages it spans, notes with unique
IDs after their calls, list items of ``Lbl`` and ``LBody`` only, header cells
with a scope, alt text in the document's language, page furniture as artifacts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import page
import pikepdf
import pytest

from mgi_report import pipeline as builder
from mgi_report.compose import profile as compose
from mgi_report.resources import DEFAULT_CONTENT, ROOT
from mgitree import make_tree
from test_editions import marked_text, struct_elements, xmp

EXAMPLES = ROOT / "examples"
#: (content, country, language, fallback): every profile the suite builds.
PROFILES = [
    *((DEFAULT_CONTENT, "kazakhstan", lang, False) for lang in ("en", "de", "ru", "ar")),
    *((DEFAULT_CONTENT, "kazakhstan", lang, True) for lang in ("fr", "es")),
    *((EXAMPLES, "ruritania", lang, False) for lang in ("en", "ar")),
    *((None, "testland", lang, False) for lang in ("en", "de")),
    # a follow-up, with its updates chapter (issue 22)
    *((EXAMPLES, "ruritania-2", lang, False) for lang in ("en", "ar")),
]
EDITIONS = ("screen", "archive", "print")
#: Profiles of page-validation each edition must pass with no failed rule.
VALIDATED = {"screen": ("ua1",), "archive": ("3a", "3u", "ua1"), "print": ()}
#: The one rule of a profile that an edition cannot pass by design: the archive
#: is PDF/A-3a (level A: tagged and Unicode), identified as such in XMP; the
#: 3u profile's identification rule asks for the letter U. Every other rule of
#: 3u, which level A includes, must pass.
BY_DESIGN = {("archive", "3u"): {"PDFA3U-ID-CONFORMANCE-001"}}


def _id(profile) -> str:
    content, country, lang, fallback = profile
    return f"{country}-{lang}" + ("-fallback" if fallback else "")


@pytest.fixture(scope="module")
def editions(tmp_path_factory, built):
    """(profile) -> {edition: path}, each profile laid out once and its three editions
    written from that layout, built on demand: the shipped content's and the
    example's are the suite's own builds (conftest ``built``), read by other files too."""
    tree = make_tree(tmp_path_factory.mktemp("conformance") / "testland")

    def get(profile) -> dict[str, Path]:
        content, country, lang, fallback = profile
        written = built.editions(country, lang, content=content or tree, fallback=fallback)
        assert set(written) == set(EDITIONS)
        return written

    return get


def failures(path: Path, profile: str, allowed: set[str] = frozenset()) -> list[str]:
    report = page.validate_pdf(path, profile=profile)
    return [f"{f.rule_id} (object {f.object_id.object_number if f.object_id else '-'}): "
            f"{f.message}" for f in report.failures if f.rule_id not in allowed]


@pytest.mark.parametrize("profile", PROFILES, ids=_id)
def test_every_edition_passes_the_validator_qpdf_and_mupdf(editions, profile):
    problems = []
    for edition, path in editions(profile).items():
        for validator_profile in VALIDATED[edition]:
            allowed = BY_DESIGN.get((edition, validator_profile), set())
            problems += [f"{edition} {validator_profile}: {f}"
                         for f in failures(path, validator_profile, allowed)]
        problems += [f"{edition} qpdf: {line}" for line in _qpdf(path)]
        problems += [f"{edition} mutool: {line}" for line in _mutool(path)]
    assert not problems, "\n".join(problems)


def _qpdf(path: Path) -> list[str]:
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    said = (run.stdout + run.stderr).splitlines()
    bad = [line for line in said if re.search(r"error|warning", line, re.I)
           and not line.startswith(("No syntax or stream encoding errors", "errors that qpdf"))]
    return bad + ([f"exit {run.returncode}"] if run.returncode else [])


#: What this MuPDF build says of itself, not of the file (Debian's mupdf-tools
#: is built without LittleCMS).
MUPDF_ABOUT_ITSELF = "warning: ICC support is not available"


def _mutool(path: Path) -> list[str]:
    run = subprocess.run(["mutool", "draw", "-q", "-o", "/dev/null", str(path)],
                         capture_output=True, text=True)
    said = [line for line in (run.stdout + run.stderr).splitlines()
            if line.strip() and line.strip() != MUPDF_ABOUT_ITSELF]
    return said + ([f"exit {run.returncode}"] if run.returncode else [])


def test_the_judges_can_fail(tmp_path, editions):
    """The validator, qpdf and MuPDF do see what is wrong: a screen edition with a
    note's ID removed, its XMP compressed and a stream's length one byte short."""
    screen = editions(PROFILES[1])["screen"]
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(screen) as pdf:
        note = next(e for e in struct_elements(pdf) if e.S == "/Note")
        del note["/ID"]
        pdf.save(broken)
    assert any("NOTE-ID" in f for f in failures(broken, "ua1"))
    data = screen.read_bytes()
    length = re.search(rb"/Length (\d+)", data)
    cut = data[:length.start(1)] + str(int(length[1]) - 1).encode() + data[length.end(1):]
    (tmp_path / "cut.pdf").write_bytes(cut)
    assert _qpdf(tmp_path / "cut.pdf") or _mutool(tmp_path / "cut.pdf")


# ------------------------------------------------------------------ identification


def test_archive_identifies_as_pdf_a3a_and_pdf_ua1_with_plain_xmp(editions):
    for edition, expected in (("archive", {"pdfaid:part": "3", "pdfaid:conformance": "A",
                                           "pdfuaid:part": "1"}),
                              ("screen", {"pdfuaid:part": "1"})):
        with pikepdf.open(editions(PROFILES[1])[edition]) as pdf:
            meta = xmp(pdf)
            assert {k: meta.get(k) for k in expected} == expected
            stream = pdf.Root.Metadata
            assert "/Filter" not in stream  # readable without parsing PDF
            assert b"<x:xmpmeta" in stream.read_raw_bytes()
            if edition == "archive":  # PDF/A wants PDF/UA's schema described
                assert b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in \
                    stream.read_raw_bytes()


def test_no_stream_ends_in_cr_before_its_end_of_line(editions):
    """The Arabic archive had a compressed stream whose data ended in CR: read
    with CR LF as the end-of-line, its /Length was one byte too long."""
    for profile in (PROFILES[3], PROFILES[7]):  # kazakhstan-ar, ruritania-ar
        for path in editions(profile).values():
            data = path.read_bytes()
            for m in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream(\r\n|\n)", data):
                end = m.end() + int(m[1])
                assert data[end:end + 10] in (b"\nendstream", b"\r\nendstrea"), path
                if data[end - 1:end] == b"\r":
                    assert data[end:end + 2] == b"\r\n", path


# ------------------------------------------------------------------ structure


def _html_counts(profile) -> dict[str, int]:
    content, country, lang, fallback = profile
    job = builder.read(builder.Request(country, lang, content, fallback=fallback))
    html = compose.compose(job)
    tags = {"P": "p", "L": "(?:ul|ol|dl)", "Sect": "section", "H1": "h1", "H2": "h2",
            "H3": "h3", "Figure": "img", "Note": "mgi-note"}
    return {s: len(re.findall(rf"<{t}[\s>]", html)) for s, t in tags.items()}


@pytest.mark.parametrize("profile", [PROFILES[1], PROFILES[2], PROFILES[3], PROFILES[6]],
                         ids=_id)
def test_one_element_per_html_element_across_page_breaks(editions, profile):
    """WeasyPrint made a section, list or paragraph crossing a page break two
    elements; the tree now has exactly one per HTML element, and some of them
    do span pages."""
    with pikepdf.open(editions(profile)["screen"]) as pdf:
        elements = list(struct_elements(pdf))
        counts = {s: sum(1 for e in elements if e.S == f"/{s}") for s in _html_counts(profile)}
        assert counts == _html_counts(profile)
        spanning = [e for e in elements if e.S in ("/Sect", "/L", "/P")
                    and len(_pages_of(e)) > 1]
        assert spanning


def _pages_of(element, seen=None) -> set:
    pages = {element.Pg.objgen} if "/Pg" in element else set()
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            if kid.get("/Type") == "/MCR":
                pages.add(kid.Pg.objgen)
            elif "/S" in kid:
                pages |= _pages_of(kid)
    return pages


@pytest.mark.parametrize("profile", [PROFILES[1], PROFILES[3], PROFILES[6]], ids=_id)
def test_notes_have_unique_ids_and_follow_their_calls(editions, profile):
    with pikepdf.open(editions(profile)["screen"]) as pdf:
        notes = [e for e in struct_elements(pdf) if e.S == "/Note"]
        ids = [str(n.ID) for n in notes]
        assert notes and len(set(ids)) == len(ids) and all(ids)
        for note in notes:
            kids = list(note.P.K)
            at = next(i for i, k in enumerate(kids) if k.objgen == note.objgen)
            assert at > 0 and kids[at - 1].S == "/Reference", ids[notes.index(note)]


@pytest.mark.parametrize("profile", [PROFILES[1], PROFILES[3], PROFILES[6], PROFILES[7]],
                         ids=_id)
def test_list_items_hold_only_labels_and_bodies(editions, profile):
    with pikepdf.open(editions(profile)["archive"]) as pdf:
        items = [e for e in struct_elements(pdf) if e.S == "/LI"]
        assert items
        for item in items:
            kids = item.K if isinstance(item.K, pikepdf.Array) else [item.K]
            kinds = [str(k.get("/S")) if isinstance(k, pikepdf.Dictionary) else "MCID"
                     for k in kids]
            assert set(kinds) <= {"/Lbl", "/LBody"} and kinds.count("/LBody") == 1, kinds


def test_table_header_cells_have_a_scope(editions):
    with pikepdf.open(editions(PROFILES[6])["screen"]) as pdf:  # the example's key data
        headers = [e for e in struct_elements(pdf) if e.S == "/TH"]
        assert headers
        scopes = {str(h.A.Scope) for h in headers}
        assert scopes == {"/Column", "/Row"}


def test_figures_have_alt_text_in_the_documents_language(editions):
    alts = {}
    for profile in (PROFILES[0], PROFILES[1], PROFILES[3]):
        with pikepdf.open(editions(profile)["screen"]) as pdf:
            figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
            assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
            alts[profile[2]] = {str(f.Alt) for f in figures}
    assert not alts["en"] & alts["de"] and not alts["en"] & alts["ar"]
    assert any(re.search("[\u0600-\u06ff]", a) for a in alts["ar"])


@pytest.mark.parametrize("profile", [PROFILES[1], PROFILES[3]], ids=_id)
def test_page_furniture_is_artifact_and_all_else_in_the_tree(editions, profile):
    """The running head and folio are drawn as artifacts on the text pages;
    every marked content is held by an element reachable from the root."""
    with pikepdf.open(editions(profile)["screen"]) as pdf:
        tree_pages = {}
        for element in struct_elements(pdf):
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, int):
                    tree_pages.setdefault(element.Pg.objgen, set()).add(int(kid))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    tree_pages.setdefault(kid.Pg.objgen, set()).add(int(kid.MCID))
        artifact_text_pages = 0
        for page_obj in pdf.pages:
            in_artifact, texts, mcids = 0, 0, set()
            for operands, op in pikepdf.parse_content_stream(page_obj):
                op = str(op)
                if op == "BMC" and str(operands[0]) == "/Artifact":
                    in_artifact += 1
                elif op == "BDC":
                    if isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                        mcids.add(int(operands[1].MCID))
                    in_artifact += in_artifact > 0
                elif op == "EMC" and in_artifact:
                    in_artifact -= 1
                elif op in ("Tj", "TJ") and in_artifact:
                    texts += 1
            assert mcids <= tree_pages.get(page_obj.obj.objgen, set())
            artifact_text_pages += texts > 0
        assert artifact_text_pages >= len(pdf.pages) - 4  # all but covers and imprint
        assert marked_text(pdf)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_tags_change_no_page_image(editions, tmp_path):
    """The mended tree and metadata change how the file is read, not what it shows:
    the screen and archive editions draw the same pages."""
    paths = editions(PROFILES[3])
    images = {}
    for edition in ("screen", "archive"):
        prefix = tmp_path / edition
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(paths[edition]), str(prefix)],
                       check=True)
        images[edition] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{edition}-*.png"))]
    assert images["screen"] == images["archive"]
