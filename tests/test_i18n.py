"""Languages: catalogs, stale translations, fallback findings, per-language PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po

from mgi_report import Request, prepare
from mgi_report.cli import main
from mgi_report.compose.profile import compose
from mgi_report.content.domains import DOMAINS
from mgi_report.text.i18n import catalog_path, month_year
from pdfread import flat, fonts, text

LANGS = ["en", "de", "fr", "es", "ru", "ar"]


def catalog(lang: str) -> dict[str, str]:
    with open(catalog_path(lang), "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete(lang):
    with open(catalog_path(lang), "rb") as fh:
        cat = read_po(fh)
    assert [m.id for m in cat if m.id and (not m.string or m.fuzzy)] == []
    pot = {m.id for m in read_po(open(catalog_path("en").parents[2] / "messages.pot", "rb"))
           if m.id}
    assert pot <= {m.id for m in cat if m.id}, "catalog lacks strings: run `make po`"


def test_dates_are_formatted_per_locale():
    from datetime import date

    d = date(2018, 5, 1)
    assert month_year(d, "de") == "Mai 2018"
    assert month_year(d, "en") == "May 2018"
    assert month_year(d, "fr") == "mai 2018"
    assert month_year(d, "ru").lower().startswith("май")


def test_changed_source_makes_translations_stale(content_copy, capsys):
    assert main(["check", "--strict", "--content", str(content_copy)]) == 0
    en = content_copy / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text().replace("long-term residency", "permanent residency"))
    assert main(["check", "--content", str(content_copy)]) == 0  # a warning only
    err = capsys.readouterr().err
    assert re.search(r"de\.yaml:\d+:1: out of date: 1 change\(s\) in en\.yaml", err)
    assert "[-long-term-] {+permanent+} residency" in err  # the change, named
    assert main(["check", "--strict", "--content", str(content_copy)]) == 1
    assert main(["stamp", "kazakhstan", "--lang", "de", "--content", str(content_copy)]) == 0
    capsys.readouterr()
    main(["check", "--content", str(content_copy)])
    assert "de.yaml" not in capsys.readouterr().err


def test_missing_language_without_fallback_is_an_error(capsys):
    assert main(["build", "kazakhstan", "--lang", "fr", "-o", "/nonexistent/x.pdf"]) == 2
    assert "languages: ar, de, en, ru" in capsys.readouterr().err


def test_fallback_prints_source_findings_marked_with_their_language(cache_dir):
    html = compose(prepare(Request("kazakhstan", "fr", fallback=True, cache=cache_dir,
                                   content=__import__("mgi_report.resources").resources
                                   .DEFAULT_CONTENT)))
    assert '<html lang="fr"' in html
    assert re.search(r'<li lang="en"><span class="mark"[^>]*></span>Immigrants are guaranteed',
                     html)
    assert catalog("fr")["Findings not yet translated."] in html


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_builds_in_its_own_words_and_fonts(built, lang):
    pdf = built("kazakhstan", lang, fallback=lang in ("fr", "es"))
    t = flat(text(pdf))
    own = catalog(lang)
    for msgid in ["Contents", "Key findings", "Well-developed areas"]:
        assert own[msgid] in t, (lang, msgid)
    for d in DOMAINS:
        assert own[d.short_name] in t or own[d.long_name] in t, (lang, d.key)
    mine = " ".join(own.values())
    for other in LANGS:
        if other == lang:
            continue
        for msgid in ["Key findings", "Well-developed areas",
                      "Areas with potential for further development", "Contents"]:
            s = catalog(other)[msgid]
            if s not in mine:
                assert s not in t, (lang, other, s)
    for name, embedded in fonts(pdf).items():
        assert name.lstrip("/").split("+", 1)[-1].startswith("Noto") and embedded, name
    with pikepdf.open(pdf) as p:
        assert str(p.Root.Lang) == lang


def _word_boxes(pdf, page_number: int) -> list[tuple[float, float, str]]:
    """(left x, top y, word) on one page, as poppler lays them out (points)."""
    import html
    import subprocess

    out = subprocess.run(["pdftotext", "-f", str(page_number), "-l", str(page_number),
                          "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [(float(x), float(y), html.unescape(w)) for x, y, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)]


def _words(pdf, page_number: int) -> list[tuple[float, str]]:
    return [(x, w) for x, _, w in _word_boxes(pdf, page_number)]


def _bookmark_page(pdf, prefix: str) -> int:
    """The page (1-based) a bookmark whose title starts with prefix leads to."""
    with pikepdf.open(pdf) as p:
        numbers = {page.objgen: n for n, page in enumerate(p.pages, 1)}
        with p.open_outline() as ol:
            todo = list(ol.root)
            while todo:
                item = todo.pop(0)
                if item.title.startswith(prefix):
                    return numbers[item.destination[0].objgen]
                todo += list(item.children)
    raise AssertionError(f"no bookmark {prefix!r}")


def _first_page_with(pdf, *words: str) -> int:
    """The number of the first page on which poppler reads one of these words."""
    from pypdf import PdfReader

    for number in range(1, len(PdfReader(pdf).pages) + 1):
        if any(w in words for _, _, w in _word_boxes(pdf, number)):
            return number
    raise AssertionError(f"no page with {words}")


def test_arabic_reads_in_logical_order_and_pages_are_mirrored(built):
    ar = built("kazakhstan", "ar")
    t = flat(text(ar))
    # logical order: words as typed, Latin acronyms and numbers inside them
    assert "جمهورية كازاخستان" in t
    assert "GFMD" in t and "2011" in t
    width = 595.28
    en = built("kazakhstan", "en")
    for page in (4, 5):  # folios on the outer edge: right on odd pages in English,
        en_folio = [x for x, y, w in _word_boxes(en, page) if w == str(page) and y > 780]
        ar_folio = [x for x, y, w in _word_boxes(ar, page) if w == str(page) and y > 780]
        assert en_folio and (en_folio[0] > width / 2) == (page % 2 == 1)
        assert ar_folio and (ar_folio[0] < width / 2) == (page % 2 == 1)  # mirrored
    # the findings' first words start at the right margin in Arabic, the left in English
    word = ("المتطورة", "المتطورة"[::-1])
    ar_heading = [x for x, w in _words(ar, _bookmark_page(ar, "1. ")) if w in word]
    en = built("kazakhstan", "en")
    en_heading = [x for x, w in _words(en, _bookmark_page(en, "1. ")) if w == "Well-developed"]
    assert ar_heading and ar_heading[0] > width / 2
    assert en_heading and en_heading[0] < width / 2


def _marker_pixels(pdf, page_number: int, below_word: tuple[str, ...]) -> tuple[int, int]:
    """Domain-1-blue pixels in the 6 mm gutter at the left of the 116 mm text
    column and in the same band at its right, in the 100 pt below a word.

    The page is rendered at 72 dpi (one pixel per point) and the list markers
    of domain 1 are the only blue there below the heading.
    """
    import subprocess

    from PIL import Image

    y0 = max(y for _, y, w in _word_boxes(pdf, page_number) if w in below_word)
    out = Path(pdf).with_suffix(f".p{page_number}")
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", "-f", str(page_number),
                    "-l", str(page_number), str(pdf), str(out)], check=True)
    img = Image.open(f"{out}.png").convert("RGB")
    blue = (0x1F, 0x5F, 0xA8)

    def count(x0: int, x1: int) -> int:
        return sum(1 for x in range(x0, x1) for y in range(int(y0), int(y0) + 100)
                   if all(abs(a - b) < 40 for a, b in zip(img.getpixel((x, y)), blue)))

    # the block is 57-539 pt; the text column 210-539 (LTR) or 57-386 (RTL)
    return count(193, 209), count(387, 403)


def test_list_markers_sit_at_the_start_side(built):
    word = ("المتطورة", "المتطورة"[::-1])
    ar, en = built("kazakhstan", "ar"), built("kazakhstan", "en")
    left, right = _marker_pixels(ar, _bookmark_page(ar, "1. "), word)
    assert right > 20 and left == 0  # Arabic: markers at the text's right
    left, right = _marker_pixels(en, _bookmark_page(en, "1. "), ("Well-developed",))
    assert left > 20 and right == 0  # English: at its left


def test_check_refuses_a_language_without_a_catalog(content_copy, capsys):
    en = content_copy / "kazakhstan" / "en.yaml"
    (content_copy / "kazakhstan" / "it.yaml").write_text(en.read_text())
    assert main(["check", "--content", str(content_copy)]) == 1
    assert "it.yaml:1:1: no message catalog for `it`" in capsys.readouterr().err


def test_stamp_records_beside_a_key_however_it_is_written(content_copy, capsys):
    """stamp reads the file as YAML (issue 29): a quoted `translation_of` key
    gets `source_hash` on the line after it, and nothing else changes."""
    de = content_copy / "kazakhstan" / "de.yaml"
    text = de.read_text()
    text = re.sub(r"(?m)^source_hash:.*\n", "", text).replace("translation_of: en",
                                                              '"translation_of": en')
    de.write_text(text)
    assert main(["stamp", "kazakhstan", "--lang", "de", "--content", str(content_copy)]) == 0
    value = capsys.readouterr().out.split()[-1]
    assert de.read_text() == text.replace('"translation_of": en\n',
                                          f'"translation_of": en\nsource_hash: {value}\n')


def test_wheel_names_are_page_text_set_around_the_ring(built):
    """The wheel's names are page text (searchable, kerned), beside their segments."""
    pdf = built("kazakhstan", "de")
    from pypdf import PdfReader

    def wheel_words(number: int) -> dict:
        """The names around a full wheel on that page: the words near the line
        of segment 5's name, which faces segment 2's across the ring."""
        boxes = _word_boxes(pdf, number)
        for _, ring, w in boxes:
            if w == "Mobilitätsdimensionen":
                near = {w: (x, y) for x, y, w in boxes if abs(y - ring) < 120}
                if "Gesamtstaatlicher" in near and "Partnerschaften" in near:
                    return near
        return {}

    words = next(found for n in range(_bookmark_page(pdf, "Einleitung"),
                                      len(PdfReader(pdf).pages) + 1)
                 if (found := wheel_words(n)))  # the introduction's full wheel
    centre_x = 595.28 / 2
    right, lower_right = words["Gesamtstaatlicher"], words["Partnerschaften"]
    left = words["Mobilitätsdimensionen"]
    assert right[0] > centre_x and lower_right[0] > centre_x and left[0] < centre_x
    assert lower_right[1] > right[1]  # segment 3 below segment 2
    assert abs(left[1] - right[1]) < 5  # segments 5 and 2 face each other
    assert "Ansatz" in words and "Wohlergehen" in words
