"""The complete profile (issue 11, in progress): new content keys, citations as
footnotes on the page of their mark, areas, acronyms, the imprint's identifiers,
and the standard chapters, read back from the PDF."""

from __future__ import annotations

import re

import pytest

from mgitree import LANG, PROFILE, assert_only_located, make_tree, run, squash
from pdfread import page_texts


def line(n: int, text: str) -> str:
    lines = LANG.splitlines(keepends=True)
    lines[n - 1] = text
    return "".join(lines)


SOURCES = """sources:
  - id: law-2011
    text: Law on Migration, 2011.
  - A plain source.
acronyms:
  ZZT: Zed Zed Test
  ABC: Alpha Beta Charlie
"""

PUBLICATION = """publication:
  isbn: 978-3-16-148410-0
  reference: PUB2018/012/EL
  licence: cc-by-nc-nd-3.0-igo
key_data:
  - indicator: immigrants
    source: Invented for a test
    values: {2000: 120000, 2010: 150000, 2020: 3700000}
"""


def destinations(pdf) -> dict[str, int]:
    """Named destination -> the 0-based index of the page it is on."""
    import pikepdf

    out = {}
    with pikepdf.open(pdf) as p:
        numbers = {page.objgen: n for n, page in enumerate(p.pages)}
        todo = [p.Root.Names.Dests] if "/Names" in p.Root and "/Dests" in p.Root.Names else []
        while todo:
            node = todo.pop()
            todo += list(node.get("/Kids", []))
            arr = node.get("/Names", [])
            for i in range(0, len(arr), 2):
                out[str(arr[i])] = numbers[arr[i + 1][0].objgen]
    return out


def build(capsys, tmp_path, files, lang="en"):
    content = make_tree(tmp_path, files)
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", lang, "--content", content, "-o", out)
    return code, err, out


@pytest.mark.parametrize("files, located", [
    ({"en.yaml": line(6, "      - Under the law[^law-2012].\n") + SOURCES},
     "en.yaml:6:22: the citation `[^law-2012]` names no source; did you mean `law-2011`?"),
    ({"en.yaml": LANG + "sources:\n  - id: a\n    text: Cites[^a].\n"},
     "en.yaml:25:5: entry 1 of `sources` cites a source"),
    ({"en.yaml": LANG + "sources:\n  - id: Bad Id\n    text: x\n"},
     "en.yaml:25:9: the id `Bad Id` must be lowercase"),
    ({"profile.yaml": PROFILE + "publication:\n  isbn: 978-3-16-148410-1\n"},
     "profile.yaml:5:9: `isbn` 978-3-16-148410-1: the check digit is 1, but for these digits "
     "it must be 0"),
    ({"profile.yaml": PROFILE + "publication:\n  isbn: 978-3-16-14841\n"},
     "profile.yaml:5:9: `isbn` has 11 digits; an ISBN-13 has 13"),
    ({"profile.yaml": PROFILE + "publication:\n  licence: cc-by\n"},
     "profile.yaml:5:12: `licence` `cc-by` is not known"),
    ({"profile.yaml": PROFILE + "key_data:\n  - indicator: imigrants\n    source: s\n"
                                "    values: {2000: 1}\n"},
     "profile.yaml:5:16: unknown indicator `imigrants`; did you mean `immigrants`?"),
    ({"profile.yaml": PROFILE + "key_data:\n  - indicator: immigrants_share\n    source: s\n"
                                "    values: {1850: 1, 2000: 140, 2010: x}\n"},
     "profile.yaml:7:14: `1850` is not a year from 1900 to 2100"),
    ({"profile.yaml": PROFILE + "key_data:\n  - indicator: emigrants\n    source: s\n"
                                "    values: {2000: -5}\n"},
     "profile.yaml:7:20: the value for 2000 counts something: it cannot be negative"),
    ({"profile.yaml": PROFILE + "key_data:\n  - indicator: emigrants\n    values: {}\n"},
     "profile.yaml:5:5: missing key `source` in entry 1 of `key_data`"),
    ({"en.yaml": line(4, "  migrants_rights:\n    areas:\n      - title: T\n"
                         "        findngs: []\n")},
     "en.yaml:7:9: unknown key `findngs` in area 1 of `migrants_rights`; did you mean "
     "`findings`?"),
])
def test_bad_new_keys_are_located(files, located, tmp_path, capsys):
    code, err, out = build(capsys, tmp_path, files)
    assert code == 1, err
    assert_only_located(err)
    assert located in err, err
    assert not out.exists()


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    """A testland profile using every new key, built once."""
    from mgi_report.cli import main

    tmp = tmp_path_factory.mktemp("complete")
    filler = " ".join(["The government keeps this policy under review."] * 6)
    findings = "".join(f"      - Finding {i} under the law[^law-2011]. {filler}\n"
                       for i in range(12))
    en = LANG.replace("    well_developed:\n      - Migrants have access to primary education.\n",
                      "    well_developed:\n" + findings, 1)
    en = en.replace("  whole_of_government:\n    well_developed: [A council exists.]\n"
                    "    potential: []\n",
                    "  whole_of_government:\n    areas:\n      - title: Migration strategy\n"
                    "        findings:\n          - A strategy was adopted[^law-2011].\n"
                    "      - title: Migration data\n        findings:\n"
                    "          - Data are published yearly.\n")
    en += "context: |\n  Testland is a country of transit[^law-2011].\n" + SOURCES
    content = make_tree(tmp, {"en.yaml": en, "profile.yaml": PROFILE + PUBLICATION})
    out = tmp / "complete.pdf"
    assert main(["build", "testland", "--lang", "en", "--content", str(content),
                 "-o", str(out)]) == 0
    return out


def test_every_footnote_is_on_the_page_of_its_mark(complete):
    """One source cited 14 times: 14 notes, each on the page of its mark; the
    first gives the source, every later one says "See note 1." (issue 21)."""
    pages = page_texts(complete)
    marks = []
    noted = []
    for number, text in enumerate(pages):
        # a finding's mark: "law" followed by the note number; the note: "N. Law on Migration"
        notes = [int(n) for n in re.findall(r"(?m)^(\d+)\.\s*Law on Migration, 2011\.", text)]
        called = [int(n) for n in re.findall(r"(?:law|adopted|transit)(\d+)\.", text)]
        noted += [number] * len(notes)
        marks += [(number, n) for n in called]
    # 12 findings, an area, the context
    # (in page order; within a page, pypdf gives the text in drawing order)
    assert [n for _, n in sorted(marks)] == list(range(1, 15)), marks
    assert noted == [marks[0][0]]  # the source once, on the page of the first mark
    for page, n in marks[1:]:
        assert re.search(rf"(?m)^{n}\.\s*See note 1\.", pages[page]), (page, n)


def test_the_complete_profile_has_its_chapters_in_order(complete):
    pages = page_texts(complete)
    flat = squash(" ".join(pages))
    order = ["Objectives", "Introduction", "Conceptualframework",
             "HowtheMGIassessmentisconducted", "Context", "Keymigrationdata", "Keyfindings",
             "Keysources", "Listofacronyms"]
    contents = squash(pages[2])
    positions = [contents.index(squash(h)) for h in order]
    assert positions == sorted(positions)
    # the areas are numbered from their order: 2.1, 2.2
    assert "2.1Migrationstrategy" in flat and "2.2Migrationdata" in flat
    # key data: the figures in the language's format, "million" for large ones
    assert "120,000" in flat and "3.7million" in flat and "Source:Inventedforatest" in flat
    # acronyms sorted, the programme's own among them
    acr = squash(pages[-2])  # the page before the back cover
    assert acr.index("ABCAlphaBetaCharlie") < acr.index("IOM") < acr.index("MGI") < \
        acr.index("ZZTZedZedTest")
    # the imprint: identifiers, the required citation, the licence
    imprint = squash(pages[1])
    assert "978-3-16-148410-0" in imprint and "PUB2018/012/EL" in imprint
    assert squash("Required citation: International Organization for Migration (IOM) (2018). "
                  "Migration Governance Profile: Republic of Testland.") in imprint
    assert "CCBY-NC-ND3.0IGO" in imprint


def test_kazakhstan_cites_its_sources(built):
    pdf = built("kazakhstan", "en")
    text = squash(" ".join(page_texts(pdf)))
    assert "LawoftheRepublicofKazakhstanNo.477-IVof22July2011" in text
    assert "GAFMAguaranteedamountoffreemedicalassistance" in text


def test_the_isbn_is_in_the_xmp_metadata(complete):
    import pikepdf

    with pikepdf.open(complete) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("dc:identifier") == "urn:isbn:9783161484100"


@pytest.fixture(scope="module")
def example(built):
    """The fictional complete example (examples/ruritania), en and ar (conftest ``built``)."""
    from mgi_report.resources import ROOT

    return {lang: built("ruritania", lang, content=ROOT / "examples") for lang in ("en", "ar")}


def test_the_example_is_a_complete_profile_of_about_30_pages(example):
    from pdfread import outline

    for lang, pdf in example.items():
        pages = page_texts(pdf)
        # Arabic is set at the Latin editions' optical size (13.5 pt Naskh): longer;
        # and a page of acknowledgements after the imprint; the GCM annex lists 157
        # findings under their objectives (issue 23): 9 pages, 13 in Arabic
        assert 28 <= len(pages) <= (56 if lang == "ar" else 43), (lang, len(pages))
        ids = {"objectives", "introduction", "framework", "process", "context", "key-data",
               "key-findings", "sources", "acronyms"}
        names = set(destinations(pdf))
        assert ids <= names, (lang, ids - names)
        assert len([t for level, t in outline(pdf) if level == 1]) >= 9
    en = squash(" ".join(page_texts(example["en"])))
    assert "RepublicofRuritania(afictionalexample)" in squash(page_texts(example["en"])[0])
    assert "Principle1" in en and "Inter-ministerialconsultation" in en  # diagrams' words


def test_the_examples_footnotes_are_numbered_through_the_document(example):
    """The notes at the pages' feet (their numbers set at 7 pt; the
    framework's and process's numbered lists are body text), in page order."""
    from pypdf import PdfReader

    notes: list[int] = []
    for page in PdfReader(example["en"]).pages:
        def visit(text, cm, tm, font, size):
            pt = size * abs(tm[0] or 1) * abs(cm[0] or 1)
            if (m := re.match(r"(\d{1,3})\.(\s|$)", text)) and 6.9 < pt < 7.1:
                notes.append(int(m[1]))
        page.extract_text(visitor_text=visit)
    # the example's 30 citations of 20 sources, in order: a source cited again
    # is a note of its own, in its short form (issue 21)
    assert notes == list(range(1, 31))


@pytest.mark.parametrize("lang", ["en", "de", "ru", "ar"])
def test_no_page_is_left_nearly_empty(built, lang):
    """A domain that runs over by a line (its footnotes take room at the foot)
    would leave a page holding one finding: between the covers, every page
    carries a real page's worth of text. (An opening page, the list of
    acronyms', has no running head since issue 21: some 8 words fewer.)"""
    pages = page_texts(built("kazakhstan", lang))
    # pypdf runs an Arabic acronym list's acronym into the expansion beside it
    # ("IOMالمنظمة"): two words
    pages = [re.sub(r"(?<=[A-Za-z])(?=[\u0600-\u06ff])", " ", t) for t in pages]
    words = [len(t.split()) for t in pages[1:-1]]
    assert min(words) >= 45, list(enumerate(words, 2))


def test_footnotes_are_tagged_as_notes_in_the_screen_edition(complete):
    import pikepdf

    notes = []
    with pikepdf.open(complete) as pdf:
        todo = [pdf.Root.StructTreeRoot]
        while todo:
            node = todo.pop()
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Note":
                    notes.append(node)
                kids = node.get("/K")
                todo += list(kids) if isinstance(kids, pikepdf.Array) else \
                    [kids] if kids is not None else []
    assert len(notes) == 14  # one per citation (one source cited 14 times)


def test_the_examples_print_edition_is_cmyk_only_charts_and_diagrams_included(built):
    import pikepdf

    from mgi_report.resources import ROOT
    from test_editions import _fill_colours

    out = built("ruritania", "ar", "print", content=ROOT / "examples")
    with pikepdf.open(out) as pdf:
        cmyk_values, other = _fill_colours(pdf)
        assert not other, other[:5]
        assert len(pdf.pages) % 4 == 0


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_contents_give_the_new_chapters_right_page_numbers(built, lang):
    """Each chapter's entry points at the page its heading opens."""
    from babel.messages.pofile import read_po

    from mgi_report.text.i18n import catalog_path

    with catalog_path(lang).open("rb") as fh:
        tr = {m.id: m.string for m in read_po(fh, locale=lang) if m.id}
    pdf = built("kazakhstan", lang)
    pages = page_texts(pdf)
    targets = destinations(pdf)
    for dest, msgid in [("objectives", "Objectives"), ("framework", "Conceptual framework"),
                        ("process", "How the MGI assessment is conducted"),
                        ("sources", "Key sources"), ("acronyms", "List of acronyms")]:
        # (chapters run on: a heading may open a page or stand lower on it)
        assert squash(tr[msgid]) in squash(pages[targets[dest]]), (dest, targets[dest])
        # the number printed in the contents is that page's number
        assert re.search(re.escape(tr[msgid]) + r"[ .\u200f]*" + str(targets[dest] + 1),
                         " ".join(pages[2].split())) or lang == "ar"


def test_a_citing_source_is_located_at_its_own_entry(tmp_path, capsys):
    """Also when an entry before it is dropped for another problem."""
    en = LANG + "sources:\n  - id: Bad Id\n    text: x\n  - id: b\n    text: Cites[^b].\n"
    code, err, out = build(capsys, tmp_path, {"en.yaml": en})
    assert code == 1
    assert "en.yaml:27:5: entry 2 of `sources` cites a source" in err, err
