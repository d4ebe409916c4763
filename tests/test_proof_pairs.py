"""``proof A.pdf --pair B.pdf`` sets the two editions chapter by chapter
(issue 30, point 3): aligned by their outlines, each chapter and each domain of
A starts beside the same one of B, blank slots where one runs longer, the
chapters' titles over their rows; outlines of another shape (another profile)
are refused, exit 2, nothing written.

The sheet is read back from the layout its PNG records (``mgi-proof-layout``),
checked against the PDFs' outlines as pypdf reads them, and against its pixels.
"""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from mgi_report.resources import ROOT
from mgi_report.workbench import proof
from mgitree import run
from witness import listener, outside, sentinel, witnessed  # noqa: F401


def _starts(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of the chapters and of the six domains (the
    sections numbered "1." to "6."), as pypdf reads the outline."""
    reader = PdfReader(path)
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth == 0 or item.title[:2] in {f"{n}." for n in range(1, 7)}:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def _slot(layout: dict, doc: int, page: int) -> dict:
    [slot] = [s for s in layout["slots"] if s["doc"] == doc and s["page"] == page]
    return slot


def test_pair_sets_each_chapter_and_domain_beside_its_translation(built, tmp_path, capsys):
    de, en = built("kazakhstan", "de"), built("kazakhstan", "en")
    sheet = tmp_path / "pair.png"
    code, err = run(capsys, "proof", de, "--pair", en, "-o", sheet)
    assert code == 0, err
    with Image.open(sheet) as im:
        recorded = json.loads(im.text["mgi-proof-layout"])
        pixels = im.convert("RGB")
    planned = proof.layout(de, en)
    assert recorded == {"size": planned["size"], "slots": planned["slots"]}
    assert list(pixels.size) == recorded["size"]

    # every page of each edition is set once
    for doc, path in enumerate((de, en)):
        pages = [s["page"] for s in recorded["slots"] if s["doc"] == doc and s["page"] is not None]
        assert pages == list(range(len(PdfReader(path).pages)))

    # each chapter's first page, and each domain's, beside the other edition's
    # where it starts a group; a chapter that runs on in a page of the one
    # before (issue 21) joins that one's group in both editions
    starts_de, starts_en = _starts(de), _starts(en)
    assert [d for d, _, _ in starts_de] == [d for d, _, _ in starts_en]
    assert sum(d == 0 for d, _, _ in starts_de) == 7 and len(starts_de) == 13
    titles = [tuple(h["titles"]) for h in planned["headings"]]
    grouped = 0
    for (_, title_de, page_de), (_, title_en, page_en) in zip(starts_de, starts_en):
        if (title_de, title_en) not in titles:
            continue
        grouped += 1
        left, right = _slot(recorded, 0, page_de), _slot(recorded, 1, page_en)
        assert left["y"] == right["y"], (title_de, title_en)
        assert right["x"] == left["x"] + proof.PAGE_WIDTH, (title_de, title_en)
        assert left["group"] == right["group"]
    assert grouped >= 8, titles
    assert ("Wichtigste Ergebnisse", "Key findings") in titles or \
        any(t[0].startswith("1.") for t in titles)

    # a blank slot is the background inside a white outline; a page is drawn
    blanks = [s for s in recorded["slots"] if s["page"] is None]
    for g in {s["group"] for s in recorded["slots"]}:  # a group's shorter edition's blanks
        shown = [[s for s in recorded["slots"] if s["group"] == g and s["doc"] == d
                  and s["page"] is not None] for d in (0, 1)]
        empty = [s for s in blanks if s["group"] == g]
        assert len(empty) == abs(len(shown[0]) - len(shown[1]))
        assert all(len(shown[s["doc"]]) < len(shown[1 - s["doc"]]) for s in empty)
    assert blanks  # German runs a page longer than English
    for slot in recorded["slots"]:
        x, y, w, h = slot["x"], slot["y"], slot["width"], slot["height"]
        inside = pixels.crop((x + 2, y + 2, x + w - 2, y + h - 2))
        colours = {c for _, c in inside.getcolors(maxcolors=w * h)}
        if slot["page"] is None:
            assert colours == {proof.BACKGROUND}
            row = [pixels.getpixel((x + i, y)) for i in range(w)]
            assert set(row) == {(255, 255, 255)}  # its outline
        else:
            assert colours != {proof.BACKGROUND}
            assert (255, 255, 255) in colours or slot["page"] in (0, len(PdfReader(
                (de, en)[slot["doc"]]).pages) - 1)  # covers are navy
    # a heading's band holds white text on the background
    first = planned["headings"][0]
    band = pixels.crop((first["x"], first["y"], recorded["size"][0] // 2, first["y"] + proof.TITLE))
    assert (255, 255, 255) in {c for _, c in band.getcolors(maxcolors=10**6)}


def test_pair_of_two_profiles_is_refused(built, tmp_path, capsys):
    de = built("kazakhstan", "de")
    other = built("ruritania", "en", content=ROOT / "examples")
    sheet = tmp_path / "pair.png"
    code, err = run(capsys, "proof", de, "--pair", other, "-o", sheet)
    assert code == 2, err
    assert "their outlines differ (7 against 10 chapters)" in err
    assert "not two editions of one profile" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert not sheet.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(proof.UsageError):
        proof.layout(de, other)


# ------------------------------------------------------------ made-up outlines

A4 = (595, 842)


def _pdf(path: Path, pages: int, outline: list) -> Path:
    """``pages`` blank pages; outline: [(title, page index, [children])]."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=A4)
    with pdf.open_outline() as tree:
        for title, page, kids in outline:
            item = pikepdf.OutlineItem(title, page)
            item.children.extend(pikepdf.OutlineItem(t, p) for t, p in kids)
            tree.root.append(item)
    pdf.save(path)
    return path


def test_sections_of_another_shape_align_by_chapter(tmp_path, capsys, witnessed):
    """The chapters match, the sections do not: aligned by chapter alone."""
    a = _pdf(tmp_path / "a.pdf", 6, [("Eins", 1, [("x", 2)]), ("Zwei", 4, [])])
    b = _pdf(tmp_path / "b.pdf", 4, [("One", 1, []), ("Two", 2, [("y", 3)])])
    plan = proof.layout(a, b)
    assert [tuple(h["titles"]) for h in plan["headings"]] == [("Eins", "One"), ("Zwei", "Two")]
    assert _slot(plan, 0, 1)["y"] == _slot(plan, 1, 1)["y"]
    assert _slot(plan, 0, 4)["y"] == _slot(plan, 1, 2)["y"]
    blanks = [(s["group"], s["doc"]) for s in plan["slots"] if s["page"] is None]
    assert blanks == [(1, 1), (1, 1)]  # Eins runs 3 pages against 1; Zwei 2 against 2
    assert run(capsys, "proof", a, "--pair", b, "-o", tmp_path / "s.png")[0] == 0


def test_hostile_outlines_neither_crash_nor_mislead(tmp_path, capsys, witnessed):
    """Bookmarks pointing backwards, nowhere or to one page, titles with
    controls and bidi overrides: the pages are each set once, in order."""
    evil = "\u202e\x1b[31mredrum\u2028" + "A" * 5000
    a = _pdf(tmp_path / "a.pdf", 5, [("one", 3, []), ("two", 1, []), (evil, 3, []), ("z", 4, [])])
    b = _pdf(tmp_path / "b.pdf", 3, [("1", 1, []), ("2", 2, []), ("3", 2, []), ("4", 0, [])])
    plan = proof.layout(a, b)
    for doc, count in ((0, 5), (1, 3)):
        assert [s["page"] for s in plan["slots"] if s["doc"] == doc and s["page"] is not None] \
            == list(range(count))
    assert all(len(t) <= proof.MAX_TITLE for h in plan["headings"] for t in h["titles"])
    sheet = tmp_path / "s.png"
    code, err = run(capsys, "proof", a, "--pair", b, "-o", sheet)
    assert code == 0, err
    assert sheet.is_file()
    assert "redrum" not in capsys.readouterr().out


def test_an_outline_past_the_bound_is_refused(tmp_path, capsys, witnessed):
    many = [(f"c{n}", 0, []) for n in range(proof.MAX_BOOKMARKS + 1)]
    a = _pdf(tmp_path / "a.pdf", 1, many)
    b = _pdf(tmp_path / "b.pdf", 1, many)
    sheet = tmp_path / "s.png"
    code, err = run(capsys, "proof", a, "--pair", b, "-o", sheet)
    assert code == 2, err
    assert f"more than {proof.MAX_BOOKMARKS:,} bookmarks" in err and not sheet.exists()


def test_pdfs_without_outlines_pair_page_by_page(tmp_path, capsys, witnessed):
    a, b = _pdf(tmp_path / "a.pdf", 2, []), _pdf(tmp_path / "b.pdf", 3, [])
    plan = proof.layout(a, b)
    assert plan["headings"] == []
    assert [(s["doc"], s["page"]) for s in plan["slots"]] == \
        [(0, 0), (1, 0), (0, 1), (1, 1), (0, None), (1, 2)]
    one = _pdf(tmp_path / "one.pdf", 2, [("only", 1, [])])
    code, err = run(capsys, "proof", one, "--pair", a, "-o", tmp_path / "s.png")
    assert code == 2 and "(1 against 0 chapters)" in err
