"""The findings and the Global Compact for Migration (issue 23), read back from
the PDFs: the markers beside tagged findings, their links to the annex (screen
and archive; none in print), the annex with its contents entry, bookmark,
matrix of counts and each objective's heading and findings; no annex and no
marker in an untagged profile (Kazakhstan).

The tagged example (examples/ruritania, en and ar) is the suite's own build
(conftest ``built``, shared with test_conformance, which validates its three
editions, and test_complete_profile).
"""

from __future__ import annotations

import re
from collections import Counter

import pikepdf
import pytest

from mgi_report import pipeline as builder
from mgi_report.compose import gcm
from mgi_report.content import walk
from mgi_report.content.domains import DOMAINS
from mgi_report.resources import ROOT
from mgi_report.text.i18n import translations
from mgitree import squash
from pdfread import outline, page_texts
from test_editions import marked_text, named_destinations, struct_elements

EXAMPLES = ROOT / "examples"
LANGS = ("en", "ar")


@pytest.fixture(scope="module")
def example(built):
    """lang -> {edition: path}: the example's three editions, one layout each."""
    return {lang: built.editions("ruritania", lang, content=EXAMPLES) for lang in LANGS}


def findings(lang: str) -> list[walk.Finding]:
    job = builder.read(builder.Request("ruritania", lang, EXAMPLES))
    return list(walk.findings(job.doc))


def element_text(element, texts: dict[tuple[int, int], str], pages: dict,
                 sep: str = "") -> str:
    """The text of a structure element's marked content, in tree order (each
    marked content's joined by ``sep``)."""
    out = []
    page = pages.get(element.Pg.objgen) if "/Pg" in element else None
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            out.append(texts.get((page, int(kid)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            out.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(element_text(kid, texts, pages, sep))
    return sep.join(out)


# ------------------------------------------------------------------ the annex


@pytest.mark.parametrize("lang", LANGS)
def test_the_annex_has_its_contents_entry_and_bookmark_in_every_edition(example, lang):
    title = translations(lang).gettext(gcm.ANNEX_TITLE)
    assert title != gcm.ANNEX_TITLE or lang == "en"
    for edition, path in example[lang].items():
        assert (1, title) in [(level, " ".join(t.split())) for level, t in outline(path)], \
            edition  # (titles tie their last words with a no-break space)
        pages = page_texts(path)
        contents = next(i for i, t in enumerate(pages[:6])
                        if squash(translations(lang).gettext("Key findings")) in squash(t))
        assert squash(title) in squash(pages[contents]), edition
        # after the key sources, before the list of acronyms
        assert sum(squash(title) in squash(t) for t in pages) >= 3  # contents, opening, heads


@pytest.mark.parametrize("lang", LANGS)
def test_the_matrix_counts_the_findings_by_domain_and_objective(example, lang):
    tagged = [f for f in findings(lang) if f.gcm]
    expected = Counter((f.domain, n) for f in tagged for n in f.gcm)
    keys = [d.key for d in DOMAINS]
    for edition in ("screen", "archive"):
        with pikepdf.open(example[lang][edition]) as pdf:
            texts = marked_text(pdf)
            pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
            tables = [e for e in struct_elements(pdf) if e.S == "/Table"
                      and any(k.get("/S") == "/Caption" for k in e.K
                              if isinstance(k, pikepdf.Dictionary))]
            rows = [e for e in struct_elements(pdf) if e.S == "/TR"]
            matrix = [r for r in rows if len([k for k in r.K]) == 24]
            assert tables and len(matrix) == 8, (edition, len(matrix))  # head, 6, total
            cells = [[element_text(c, texts, pages).strip() for c in r.K] for r in matrix]
            header = [c.S for c in matrix[0].K]
            assert set(header) == {"/TH"} and all(str(c.A.Scope) == "/Column"
                                                  for c in matrix[0].K)
            assert cells[0][1:] == [str(n) for n in range(1, 24)]
            for key, row, cell_row in zip(keys, matrix[1:7], cells[1:7]):
                assert row.K[0].S == "/TH" and str(row.K[0].A.Scope) == "/Row"
                assert [int(c) for c in cell_row[1:]] == \
                    [expected[key, n] for n in range(1, 24)], (edition, key)
            assert [int(c) for c in cells[7][1:]] == \
                [sum(expected[k, n] for k in keys) for n in range(1, 24)]


@pytest.mark.parametrize("lang", LANGS)
def test_each_objective_with_findings_has_its_heading_with_its_official_title(example, lang):
    """Each objective with findings, in number order, on the page its section's
    anchor (the markers' links) names; none for an objective without findings."""
    tr = translations(lang)
    numbers = sorted({n for f in findings(lang) for n in f.gcm})
    titles = [tr.gettext(gcm.OBJECTIVES[n - 1].title) for n in numbers]
    assert all(t != gcm.OBJECTIVES[n - 1].title for n, t in zip(numbers, titles)) or lang == "en"
    assert all(t in gcm.heading(n, tr) for n, t in zip(numbers, titles))
    with pikepdf.open(example[lang]["screen"]) as pdf:
        dests = named_destinations(pdf)
    at = [dests[gcm.anchor(n)] for n in numbers]
    assert at == sorted(at) and at[0] >= dests[gcm.ANNEX_ID]
    assert not {gcm.anchor(n) for n in set(range(1, 24)) - set(numbers)} & set(dests)
    for edition, path in example[lang].items():  # the same pages in every edition
        raw = page_texts(path)
        text = [squash(t) for t in raw]
        for n, title, page in zip(numbers, titles, at):
            if lang == "ar":  # pypdf orders Arabic lines its own way: the title's words
                assert set(title.split()) <= set(" ".join(raw[page:page + 2]).split()), n
            else:
                assert squash(title) in text[page] + text[page + 1], (edition, n)
            if lang == "en":
                assert squash(gcm.heading(n, tr)) in text[page] + text[page + 1]


@pytest.mark.parametrize("lang", LANGS)
def test_every_objective_lists_its_findings_by_identifier(example, lang):
    """Under each objective's heading, each of its findings, with its identifier."""
    tr = translations(lang)
    tagged = [f for f in findings(lang) if f.gcm]
    numbers = sorted({n for f in tagged for n in f.gcm})
    headings = {squash(gcm.heading(n, tr)): n for n in numbers}
    known = {f.id for f in tagged}
    listed: dict[int, Counter] = {}
    with pikepdf.open(example[lang]["screen"]) as pdf:
        texts = marked_text(pdf)
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        for section in (e for e in struct_elements(pdf) if e.S == "/Sect"):
            kids = [k for k in (section.K if isinstance(section.K, pikepdf.Array)
                                else [section.K]) if isinstance(k, pikepdf.Dictionary)]
            if not kids or kids[0].get("/S") != "/H2":
                continue
            items = [set(element_text(e, texts, pages, " ").replace("·", " ").split()) & known
                     for e in _descendants(section) if e.S == "/LI"]
            if not items or not all(items):
                continue
            n = numbers[len(listed)]  # the objectives' sections, in number order
            if lang == "en":
                assert headings.get(squash(element_text(kids[0], texts, pages))) == n
            assert all(len(ids) == 1 for ids in items)
            listed[n] = Counter(ident for ids in items for ident in ids)
    assert sorted(listed) == numbers
    for n in numbers:
        assert listed[n] == Counter(f.id for f in tagged if n in f.gcm), n


def _descendants(element):
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _descendants(kid)


# ------------------------------------------------------------------ the markers


def _marker_links(path) -> list[tuple[int, str]]:
    """(page index, destination) of every link to an objective's section."""
    with pikepdf.open(path) as pdf:
        return [(i, str(a.Dest)) for i, page in enumerate(pdf.pages)
                for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"
                and str(a.get("/Dest", "")).startswith("gcm-objective-")]


@pytest.mark.parametrize("lang", LANGS)
def test_markers_beside_tagged_findings_link_to_their_objectives(example, lang):
    tagged = [f for f in findings(lang) if f.gcm]
    expected = Counter(gcm.anchor(n) for f in tagged for n in f.gcm)
    label = translations(lang).gettext("GCM")
    assert (label == "GCM") == (lang == "en")
    for edition in ("screen", "archive"):
        path = example[lang][edition]
        with pikepdf.open(path) as pdf:
            dests = named_destinations(pdf)
            annex = dests[gcm.ANNEX_ID]
            for page in pdf.pages:
                for a in page.get("/Annots", []):
                    if str(a.get("/Dest", "")).startswith("gcm-objective-"):
                        assert "/StructParent" in a and str(a.Contents).strip()
        links = _marker_links(path)
        # the findings chapter's markers, and the matrix's column heads
        assert Counter(d for i, d in links if i < annex) == expected, edition
        assert {d for i, d in links if i >= annex} == set(expected)
        for _, dest in links:
            assert dests[dest] >= annex
        # the marker's text beside the findings: label and numbers
        pages = page_texts(path)
        chapter = " ".join(" ".join(pages[dests["key-findings"]:dests["sources"] + 1]).split())
        in_texts = sum(f.text.count(label) for f in findings(lang))  # a finding may name it
        assert squash(chapter).count(squash(label)) == len(tagged) + in_texts
        if lang == "en":  # (pypdf gives Arabic lines in another order)
            for marker, count in Counter(
                    "GCM " + " · ".join(map(str, sorted(f.gcm))) for f in tagged).items():
                assert len(re.findall(re.escape(marker) + r"(?!\d| ·)", chapter)) == count


@pytest.mark.parametrize("lang", LANGS)
def test_the_print_edition_has_the_markers_and_no_links(example, lang):
    path = example[lang]["print"]
    with pikepdf.open(path) as pdf:
        assert not any("/Annots" in page for page in pdf.pages)
    screen = page_texts(example[lang]["screen"])
    printed = page_texts(path)
    label = squash(translations(lang).gettext("GCM"))
    assert sum(squash(t).count(label) for t in printed) == \
        sum(squash(t).count(label) for t in screen) > 0


def test_an_untagged_profile_has_no_annex_and_no_marker(built):
    path = built("kazakhstan", "en")
    assert all(gcm.ANNEX_TITLE not in title for _, title in outline(path))
    assert not re.search(r"\bGCM\b", " ".join(page_texts(path)))
    with pikepdf.open(path) as pdf:
        assert not [n for n in named_destinations(pdf) if n.startswith("gcm")]


# ------------------------------------------------------------------ the pieces


def test_an_excerpt_is_the_first_sentence_without_citations():
    text = ("Ruritania ratified Convention (No. 97) in 2004,[^ilo] e.g. in law. "
            "Both are reflected in **national** law.")
    assert str(gcm.excerpt(text, "en")) == "Ruritania ratified Convention (No. 97) in 2004, " \
        "e.g. in law."
    long = " ".join(["word"] * 60) + "."
    assert str(gcm.excerpt(long, "en")) == " ".join(["word"] * gcm.EXCERPT_WORDS) + "\u2026"
    assert 'dir="ltr"' in str(gcm.excerpt("القانون رقم 477-IV. وبعد ذلك.", "ar"))
