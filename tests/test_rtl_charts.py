"""Right to left and the key-data charts, read back from the PDFs (issue 21,
rules 6 and 7): numbers, signs and Latin runs in Arabic as written, mirrored
lists, contents and figures inside the text block, Arabic at the Latin
editions' optical size; a true minus, years spaced by time, the time axis in
the reading direction, translated key-data sources.

``pdftotext -bbox`` gives each word's glyphs in the order they stand on the
page, left to right: "IV-477" is what a reader of the page sees when the law
number 477-IV is misordered. Each measure has a control: the same text without
the isolation, or a build with the style sheet's right-to-left rules taken out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from markupsafe import escape

from mgi_report.cli import main
from mgi_report.compose import chapters, figures, wheel
from mgi_report.resources import FONTS, LAYOUTS, ROOT
from mgi_report.text import bidi, i18n, markup
from typeset import MM, pages

EXAMPLES = ROOT / "examples"
MINUS = "\u2212"


@pytest.fixture(scope="module")
def pdf(built):
    """(country, lang) -> its screen PDF; Ruritania is the example."""
    def get(country: str, lang: str, **kw) -> Path:
        content = {"content": EXAMPLES} if country == "ruritania" else {}
        return built(country, lang, **content, **kw)
    return get


#: The style sheet's right-to-left rules and Arabic sizes, and what they replace:
#: taken out, the control build lays Arabic out as it was before them.
CONTROL_CUTS = (
    (".diagram, .chart { direction: ltr; }", ""),
    ("font-size: 13.5pt;\n  line-height: 1.6;", "font-size: 10pt;\n  line-height: 1.65;"),
    ('html[lang="ar"] .footnote { font-size: 10pt; }', ""),
    # the GCM annex's findings and labels (issue 23), Latin sizes in the control too
    ('html[lang="ar"] .gcm-matrix caption, html[lang="ar"] .gcm-findings { font-size: 12pt; }',
     ""),
    ('html[lang="ar"] .gcm-where, html[lang="ar"] .gcm-findings .gcm-chip { font-size: 10pt; }',
     ""),
)
_RTL_BLOCK = re.compile(r'\{% if dir == "rtl" %\}\n/\* (Right to left, the page numbers|'
                        r'WeasyPrint places grid columns).*?\{% endif %\}\n', re.DOTALL)


@pytest.fixture(scope="module")
def control(pdf, tmp_path_factory):
    """Ruritania in Arabic with the right-to-left rules of profile.css taken out."""
    folder = tmp_path_factory.mktemp("control-layouts")
    css = (LAYOUTS / "profile.css").read_text(encoding="utf-8")
    for old, new in CONTROL_CUTS:
        assert old in css, old
        css = css.replace(old, new)
    css, cut = _RTL_BLOCK.subn("", css)
    assert cut == 2
    (folder / "profile.css").write_text(css, encoding="utf-8")
    return pdf("ruritania", "ar", layouts=(folder,))


def words(path: Path, first: int = 1, last: int = 0) -> list[str]:
    """Every word of the pages, its glyphs in the order they are drawn, left to right."""
    cmd = ["pdftotext", "-bbox", "-f", str(first)] + (["-l", str(last)] if last else [])
    xml = subprocess.run([*cmd, str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.findall(r"<word [^>]*>([^<]*)</word>", xml)


def page_with(path: Path, text: str):
    """The first page holding a word that is ``text``."""
    return next(p for p in pages(path) if any(w.text == text for ln in p.lines
                                              for w in ln.words))


def rows(page) -> list[list]:
    """The page's words in rows: those whose vertical centres lie within 3 pt
    (poppler puts absolutely placed words, and columns, on lines of their own)."""
    out: list[list] = []
    for w in sorted((w for ln in page.lines for w in ln.words), key=lambda w: w.y0 + w.y1):
        if out and abs((w.y0 + w.y1) - (out[-1][-1].y0 + out[-1][-1].y1)) < 6:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(r, key=lambda w: w.x0) for r in out]


def _render(html_body: str, tmp: Path) -> Path:
    """A page of Arabic in the shipped fonts, as the profile sets its body."""
    import weasyprint

    faces = "".join(f'@font-face {{ font-family: "{fam}"; src: url("{(FONTS / f).as_uri()}"); }}'
                    for fam, f in (("Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf"),
                                   ("Noto Sans", "NotoSans-Regular.ttf")))
    out = tmp / "page.pdf"
    weasyprint.HTML(string=f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>'
                    f'{faces} body {{ font-family: "Noto Naskh Arabic", "Noto Sans"; }}'
                    f"</style></head><body>{html_body}</body></html>").write_pdf(out)
    return out


# -------------------------------------------------------- 6. right to left

LAW = "قانون جمهورية كازاخستان رقم 477-IV المؤرخ 22 تموز/يوليه 2011"
PLAN = "الاستراتيجية الوطنية للهجرة 2022–2030 وخطة العمل 2022–2025"


def test_law_numbers_and_ranges_print_as_written_in_arabic(pdf, tmp_path):
    """477-IV and 2022–2030 as an editor wrote them, in the shipped content,
    the example and a page of the same text: without the isolation (the
    control) the page shows IV-477 and 2030–2022."""
    kz, ru = words(pdf("kazakhstan", "ar")), words(pdf("ruritania", "ar"))
    assert "477-IV" in kz and "IV-477" not in kz
    assert "2022–2030" in ru and "2030–2022" not in ru
    isolated = words(_render(f"<p>{markup.inline(LAW, 'ar')}</p><p>{markup.inline(PLAN, 'ar')}"
                             "</p>", tmp_path))
    assert {"477-IV", "2022–2030", "2022–2025"} <= set(isolated)
    bare = words(_render(f"<p>{escape(LAW)}</p><p>{escape(PLAN)}</p>", tmp_path))
    assert {"IV-477", "2030–2022", "2025–2022"} <= set(bare)  # the control


def test_the_isolation_is_markup_and_only_where_it_is_needed():
    """No bidi control enters the page (content may hold none either); a lone
    word or number is left alone; other languages are not touched."""
    html = str(markup.inline(f"{LAW} (IOM) 2011 −21,000 5.6%", "ar"))
    assert not re.search("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]", html)
    assert html.count('<span dir="ltr">') == 3  # 477-IV, −21,000, 5.6%
    assert '<span dir="ltr">' not in str(markup.inline("No. 477-IV of 2011", "en"))


@pytest.mark.parametrize("lang, text", [
    ("fa", "قانون شماره 477-IV مورخ 2011"),
    ("he", "חוק מס' 477-IV משנת 2011"),
    ("ur", "قانون نمبر 477-IV"),
])
def test_every_right_to_left_language_is_isolated_not_only_arabic(lang, text):
    """Which languages are right to left is Babel's (i18n.direction), not a list
    of bidi.py's own: Persian, Hebrew and Urdu are isolated like Arabic (the old
    list, {"ar"}, left them bare: the control is the same text in English)."""
    assert i18n.direction(lang) == "rtl"
    assert bidi.rtl(lang)
    html = str(markup.inline(text, lang))
    assert '<span dir="ltr">477-IV</span>' in html
    assert html.count('<span dir="ltr">') == 1  # the lone number 2011 is left alone
    assert '<span dir="ltr">' not in str(markup.inline(text, "en"))


@pytest.mark.parametrize("code", ["xx", "qqq", "ar-EG", "zz-QQ", "", "en_", "12", "a@b",
                                  "x" * 300])
def test_an_unknown_or_malformed_language_code_is_left_to_right_and_left_alone(code):
    """Babel refuses these (UnknownLocaleError, ValueError): the direction is
    "ltr", and text in them is escaped only, never raised on."""
    assert i18n.direction(code) == "ltr"
    assert not bidi.rtl(code)
    assert str(bidi.isolate("477-IV <b>", code)) == "477-IV &lt;b&gt;"
    assert str(bidi.isolate("477-IV <b>", "ar_EG")) == '<span dir="ltr">477-IV</span> &lt;b&gt;'


def test_negatives_in_the_arabic_table_and_chart_agree(pdf, control):
    """The example's net migration: −21,000 in the chart and in the table
    beside it (it was "21,000-" in the table)."""
    found = words(pdf("ruritania", "ar"))
    assert found.count(f"{MINUS}21,000") == 2
    assert not [w for w in found if re.fullmatch(r"[\d,.]+[-\u2212]", w)]


def test_the_acronym_list_mirrors_in_arabic(pdf, control):
    """Each acronym stands at the right margin, its expansion right beside it
    (4 mm between the columns, less the expansion's rag); in the control the
    acronym stands left of its expansion, as in Latin script."""
    def gaps(path):
        # the list of acronyms: the last page naming UNHCR (findings name it too)
        page = [p for p in pages(path) if any(w.text == "UNHCR" for ln in p.lines
                                              for w in ln.words)][-1]
        out = []
        for row in rows(page):
            latin = [w for w in row if re.fullmatch(r"[A-Za-z]{2,6}", w.text)]
            rest = [w for w in row if w not in latin]
            if len(latin) == 1 and rest:
                out.append((latin[0], max(w.x1 for w in rest)))
        return page, out

    page, found = gaps(pdf("ruritania", "ar"))
    assert len(found) >= 10
    right = page.width - 20 * MM
    for acronym, expansion_end in found:
        assert acronym.x1 == pytest.approx(right, abs=1.0)
        assert 0 < acronym.x0 - expansion_end < 32 * MM  # beside it, in its 28 mm column
    def left_of_expansion(path):
        """Acronyms with Arabic words just to their right (not mirrored)."""
        page = [p for p in pages(path) if any(w.text == "UNHCR" for ln in p.lines
                                              for w in ln.words)][-1]
        n = 0
        for row in rows(page):
            latin = [w for w in row if re.fullmatch(r"[A-Za-z]{2,6}", w.text)]
            rest = [w for w in row if w not in latin]
            n += sum(any(0 < w.x0 - a.x1 < 30 * MM for w in rest) for a in latin)
        return n

    assert left_of_expansion(pdf("ruritania", "ar")) == 0
    assert left_of_expansion(control) >= 5  # the control: the acronym left of its expansion


def _numbers_centre(path) -> float:
    """The centre of the "1" in the process chevrons: a row of the digits 1 to 5."""
    for page in pages(path):
        for row in rows(page):
            digits = {w.text: w for w in row if re.fullmatch("[1-5]", w.text)}
            if len(digits) == 5 == len(row):
                return (digits["1"].x0 + digits["1"].x1) / 2
    raise AssertionError("no process figure")


def test_figures_stay_inside_the_text_block_in_arabic(pdf, control):
    """The chevrons mirror the English ones about the page's centre line: the
    figure is centred in the text block, as in English; in the control it sat
    10 mm to the right, its tip 5 mm into the margin."""
    width = 595.28
    en, ar = _numbers_centre(pdf("ruritania", "en")), _numbers_centre(pdf("ruritania", "ar"))
    assert ar == pytest.approx(width - en, abs=0.5)
    assert _numbers_centre(control) - (width - en) == pytest.approx(10 * MM, abs=1.0)


def test_contents_page_numbers_align_on_their_units(pdf, control):
    """Arabic contents: the page numbers, at the lines' left end, end at one x
    (4 above the 0 of 10); in the control they began at one x."""
    def numbers(path):
        for page in pages(path)[2:4]:  # after the imprint and the acknowledgements
            found = [w for ln in page.lines for w in ln.words  # not the folio, at the foot
                     if w.text.isdigit() and w.x1 < 40 * MM and w.y1 < page.height - 25 * MM]
            if found:
                return found
        return []

    found = numbers(pdf("ruritania", "ar"))
    assert len(found) >= 12 and {len(w.text) for w in found} == {1, 2}
    assert max(w.x1 for w in found) - min(w.x1 for w in found) < 0.5
    before = numbers(control)
    assert max(w.x1 for w in before) - min(w.x1 for w in before) > 5  # the control


def _sizes(path: Path, family: str) -> Counter:
    """Glyphs set in ``family`` by size (points), over the pages between the
    contents and the back cover, read from the content streams."""
    out: Counter = Counter()
    with pikepdf.open(path) as doc:
        for page in list(doc.pages)[3:-1]:
            fonts = {str(k): str(v.get("/BaseFont")) for k, v in page.Resources.Font.items()}
            size = None
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tf":
                    name = fonts.get(str(operands[0]), "")
                    size = float(operands[1]) * 0.75 if name.split("+")[-1] == family else None
                elif str(op) == "TJ" and size:
                    out[round(size, 1)] += sum(len(bytes(x)) // 2 for x in operands[0]
                                               if isinstance(x, pikepdf.String))
    return out


def _body_x_height(path: Path, family: str, fontname: str) -> float:
    """The x-height, in points, of the size most of the text is set in."""
    size = _sizes(path, fontname).most_common(1)[0][0]
    return size * wheel.x_height(family)


def test_arabic_body_matches_the_latin_optical_size(pdf, control):
    """The body's x-height in Arabic (Naskh, its bowls' height) within 10 % of
    the Latin editions' (Noto Sans); the control's 10 pt Naskh had two thirds."""
    latin = _body_x_height(pdf("kazakhstan", "de"), "Noto Sans", "Noto-Sans")
    for path in (pdf("kazakhstan", "ar"), pdf("ruritania", "ar")):
        arabic = _body_x_height(path, "Noto Naskh Arabic", "Noto-Naskh-Arabic")
        assert arabic == pytest.approx(latin, rel=0.10)
    before = _body_x_height(control, "Noto Naskh Arabic", "Noto-Naskh-Arabic")
    assert before < 0.7 * latin


def test_arabic_notes_are_set_where_naskh_keeps_its_dots(pdf, control):
    """No running Arabic text under 9.5 pt (Naskh's dots and marks run together
    at 7 pt): the sizes that carry 3 % of the Naskh glyphs or more; in the
    control the 7 pt notes did."""
    def small(path):
        sizes = _sizes(path, "Noto-Naskh-Arabic")
        total = sum(sizes.values())
        return [s for s, n in sizes.items() if n >= 0.03 * total and s < 9.5]

    assert small(pdf("ruritania", "ar")) == []
    assert small(pdf("kazakhstan", "ar")) == []
    assert 7.0 in small(control)


def test_the_wheel_names_are_not_larger_than_the_body(pdf):
    """The full wheel's names (Noto Sans Arabic) have an x-height no larger than
    the body's (Naskh)."""
    path = pdf("kazakhstan", "ar")
    body = _body_x_height(path, "Noto Naskh Arabic", "Noto-Naskh-Arabic")
    names = _sizes(path, "Noto-Sans-Arabic")
    assert names, "no wheel names found"
    largest = max(s for s, n in names.items() if n >= 20) * wheel.x_height("Noto Sans Arabic")
    assert largest <= body * 1.02


# ------------------------------------------------------ 7. charts tell the truth

@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "ru", "ar"])
def test_negatives_have_a_true_minus(lang):
    """Every language: U+2212 (Babel's symbol is the hyphen-minus, CLDR's
    Arabic one with a bidi mark before it: the control), and a shipped font
    draws it."""
    from babel.numbers import format_decimal

    text = chapters.number(-21000, lang)
    assert text.startswith(MINUS) and "-" not in text
    assert chapters.number(-2.5, lang, share=True).startswith(MINUS)
    assert format_decimal(-21000, locale=lang).startswith("-")  # what Babel gives
    from fontTools.ttLib import TTFont
    assert 0x2212 in TTFont(FONTS / "NotoSans-Regular.ttf").getBestCmap()


def test_the_printed_negatives_have_a_true_minus(pdf):
    found = words(pdf("ruritania", "en"))
    assert found.count(f"{MINUS}21,000") == 2  # the chart's and the table's
    assert not [w for w in found if re.fullmatch(r"-[\d,.]+", w)]


def _axes(path: Path) -> list[list[tuple[int, float]]]:
    """Each chart's year axis: a line of four-digit years, at most 7 pt, as
    (year, centre x) in the order drawn."""
    out = []
    for page in pages(path):
        for row in rows(page):
            years = [w for w in row if re.fullmatch(r"(19|20)\d\d", w.text)]
            small = min((w.y1 - w.y0 for w in years), default=0)
            years = [w for w in years if w.y1 - w.y0 < small + 0.5]  # the chart's, not the table's
            if len(years) >= 3:
                out.append([(int(w.text), (w.x0 + w.x1) / 2) for w in years])
    return out


def _proportional(axis: list[tuple[int, float]]) -> bool:
    """The years' x positions lie on one line of x against the year."""
    (y0, x0), (y1, x1) = axis[0], axis[-1]
    per_year = (x1 - x0) / (y1 - y0)
    return all(abs(x0 + (y - y0) * per_year - x) < 0.6 for y, x in axis)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_chart_years_are_spaced_by_time(pdf, lang):
    """2015, 2018, 2020, 2022, 2024 at their gaps; the control is the same
    years spaced evenly, as the charts drew them."""
    axes = _axes(pdf("ruritania", lang))
    assert len(axes) >= 6
    assert all(_proportional(a) for a in axes)
    uneven = next(a for a in axes if {y for y, _ in a} >= {2015, 2018, 2020, 2022, 2024})
    xs = sorted(x for _, x in uneven)
    evenly = [(y, xs[0] + i * (xs[-1] - xs[0]) / (len(xs) - 1))
              for i, (y, _) in enumerate(sorted(uneven))]
    assert not _proportional(evenly)  # the control


def test_the_time_axis_runs_in_the_reading_direction(pdf):
    """Oldest on the left in English, on the right in Arabic, like the table
    beside the chart; the drawn bars (the SVG's rectangles) follow."""
    for lang, older_left in (("en", True), ("ar", False)):
        for axis in _axes(pdf("ruritania", lang)):
            years = [y for y, _ in sorted(axis, key=lambda a: a[1])]
            assert years == sorted(years, reverse=not older_left), (lang, years)
    ltr = figures.chart([2015, 2018, 2024], [1, 2, 3], "#1f5fa8")
    rtl = figures.chart([2015, 2018, 2024], [1, 2, 3], "#1f5fa8", rtl=True)
    for a, b in zip(ltr["bars"], rtl["bars"]):
        assert a["centre"] == pytest.approx(100 - b["centre"], abs=0.02)
    assert [b["centre"] for b in rtl["bars"]] == sorted((b["centre"] for b in rtl["bars"]),
                                                        reverse=True)


def test_chart_bars_are_drawn_where_their_years_lie():
    """In the drawn SVG: the bars' x positions in proportion to the years."""
    fig = figures.chart([2015, 2018, 2020, 2022, 2024], [5, 6, 7, 8, 9], "#1f5fa8")
    import base64
    svg = base64.b64decode(fig["src"].split(",", 1)[1]).decode()
    bars = [d for d in re.findall(r'<path d="([^"]*)"', svg) if d.rstrip().endswith("z")]
    xs = sorted(float(d.split()[1]) for d in bars)  # each bar's left edge
    assert len(xs) == 5, svg[:400]
    per_year = (xs[-1] - xs[0]) / 9
    for x, year in zip(xs, (2015, 2018, 2020, 2022, 2024)):
        assert x == pytest.approx(xs[0] + (year - 2015) * per_year, abs=0.05)


def _chart_words(path: Path) -> list:
    """The figures printed over the bars of each chart: the numbers above each
    chart's axis of years (a row of at least three small years), as wide as it
    and a little more (a figure reaches past its year), as high as the chart
    (32 mm); the table beside it, 11 mm or more from the image, is left out."""
    found = []
    for page in pages(path):
        numbers = [w for ln in page.lines for w in ln.words
                   if re.fullmatch(r"[\u2212\-]?[\d.,]+", w.text)]
        for row in rows(page):
            years = [w for w in row if re.fullmatch(r"(19|20)\d\d", w.text)]
            small = min((w.y1 - w.y0 for w in years), default=0)
            years = [w for w in years if w.y1 - w.y0 < small + 0.5]
            if len(years) < 3:
                continue
            left, right = min(w.x0 for w in years) - 20, max(w.x1 for w in years) + 20
            top = min(w.y0 for w in years)
            found.append([w for w in numbers if left <= w.x0 and w.x1 <= right
                          and top - 32 * MM <= w.y0 and w.y1 <= top + 0.5])
    return found


def _chart_figures(path: Path) -> Counter:
    return Counter(w.text for chart in _chart_words(path) for w in chart)


def _every_figure(lang: str, country: str = "ruritania") -> Counter:
    from mgi_report.content.tree import load_country

    profile = load_country(EXAMPLES if country == "ruritania" else ROOT / "content", country,
                           (lang,)).profile
    return Counter(chapters.number(v, lang, k.indicator.millions, k.indicator.share)
                   for k in profile.key_data for v in k.values.values())


def _on_one_row(tmp_path_factory, cache_dir, rows: str) -> Path:
    """Ruritania in English with ``chapters.<rows>`` (figures' or years' rows) 1."""
    from mgi_report import Request, build

    out = tmp_path_factory.mktemp(rows) / "ruritania-en.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chapters, rows, 1)
        return build(Request("ruritania", "en", EXAMPLES, out, "screen", cache=cache_dir))


@pytest.fixture(scope="module")
def one_row(tmp_path_factory, cache_dir):
    """The control: Ruritania in English with its charts' figures on one row, as
    they were set (a figure touching its neighbour's was left out)."""
    return _on_one_row(tmp_path_factory, cache_dir, "MAX_VALUE_ROWS")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_key_data_figure_prints_over_its_bar(pdf, lang):
    """Every figure of the example's eight charts (47) prints in its chart
    (187,000 and 760,000 of 2020 were left out where they touched 2024's):
    neighbours' figures are staggered on two or three rows, and no two
    figures' lines meet (a line: 6.5 pt centred on the word's box, which
    poppler gives from the font's ascent to its descent, taller in Naskh than
    in Noto Sans; the digits' ink lies inside it). Kazakhstan's profile has no
    key data."""
    expected = _every_figure(lang)
    assert sum(expected.values()) == 47
    found = _chart_figures(pdf("ruritania", lang))
    assert not expected - found, expected - found
    for chart in _chart_words(pdf("ruritania", lang)):  # no two figures' lines meet
        lines = [(w.x0, w.x1, (w.y0 + w.y1) / 2 - 3.25, (w.y0 + w.y1) / 2 + 3.25) for w in chart]
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2], (a, b)


def test_the_control_figures_on_one_row_lose_some(one_row):
    """The control: on one row, figures touching a neighbour's are left out."""
    missing = _every_figure("en") - _chart_figures(one_row)
    assert set(missing) == {"760,000", "2,050", "5.8"}, missing


def _chart_years(path: Path) -> Counter:
    """The years printed under the charts' axes: the small years (the table's
    are set larger) of each axis row found by ``_axes`` and of the rows up to
    6 mm under it, within its span."""
    found: Counter = Counter()
    for page in pages(path):
        years = [w for ln in page.lines for w in ln.words
                 if re.fullmatch(r"(19|20)\d\d", w.text)]
        least = min((w.y1 - w.y0 for w in years), default=0)
        small = [w for w in years if w.y1 - w.y0 < least + 0.5]
        seen: set[int] = set()
        for row in rows(page):
            axis = [w for w in row if any(w is s for s in small)]
            if len(axis) < 3 or id(axis[0]) in seen:
                continue
            left, right = min(w.x0 for w in axis) - 8 * MM, max(w.x1 for w in axis) + 8 * MM
            top = min(w.y0 for w in axis)
            under = [w for w in small if left <= w.x0 and w.x1 <= right
                     and top - 0.5 <= w.y0 <= top + 6 * MM]
            seen.update(id(w) for w in under)
            found.update(w.text for w in under)
    return found


def _every_year(lang: str) -> Counter:
    from mgi_report.content.tree import load_country

    profile = load_country(EXAMPLES, "ruritania", (lang,)).profile
    return Counter(str(y) for k in profile.key_data for y in k.values)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_chart_year_prints_under_its_bar(pdf, lang):
    """Every year of the example's charts (47) prints under its chart: where
    two are too close for one row (2023 beside 2024 in the remittances
    charts), the older takes a second row, staggered, rather than being left
    out; no two years on a row touch."""
    expected = _every_year(lang)
    assert sum(expected.values()) == 47
    assert _chart_years(pdf("ruritania", lang)) == expected
    for axis in _axes(pdf("ruritania", lang)):
        xs = sorted(x for _, x in axis)
        assert all(b - a > 4 * MM for a, b in zip(xs, xs[1:])), axis


@pytest.fixture(scope="module")
def one_year_row(tmp_path_factory, cache_dir):
    """The control: Ruritania in English with its charts' years on one row, as
    they were set (a year touching its neighbour's was left out)."""
    return _on_one_row(tmp_path_factory, cache_dir, "YEAR_ROWS")


def test_the_control_years_on_one_row_lose_some(one_year_row):
    missing = _every_year("en") - _chart_years(one_year_row)
    assert missing == Counter({"2023": 2}), missing


def test_a_translated_key_data_source_prints_translated(pdf):
    def text(path):
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout

    ar, en = text(pdf("ruritania", "ar")), text(pdf("ruritania", "en"))
    assert "Invented" not in ar and "مختلقة" in ar
    assert "Invented" in en  # the control: the source language prints profile.yaml's


def _check(content: Path, capsys) -> str:
    main(["check", "--content", str(content)])
    return capsys.readouterr().err


def test_check_warns_where_a_translation_leaves_a_source_untranslated(tmp_path, capsys):
    content = tmp_path / "examples"
    shutil.copytree(EXAMPLES, content)
    ar = content / "ruritania" / "ar.yaml"
    assert "does not translate" not in _check(content, capsys)  # translated: no warning
    text = ar.read_text(encoding="utf-8")
    start = text.index("key_data_sources:")
    end = text.index("\n\n", start)
    ar.write_text(text[:start] + "key_data_sources: {}" + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    err = _check(content, capsys)
    assert re.search(rf"ar\.yaml:{line}:1: `key_data_sources` does not translate the "
                     r"key-data source 'Invented figures", err), err
    ar.write_text(text[:start] + 'key_data_sources:\n  "Invented figures": x' + text[end:],
                  encoding="utf-8")
    err = _check(content, capsys)
    assert re.search(rf"ar\.yaml:{line + 1}:3: `key_data_sources`: 'Invented figures' is "
                     "no key-data source", err), err
    ar.write_text(text[:start] + "key_data_sources: [a]" + text[end:], encoding="utf-8")
    assert main(["check", "--content", str(content)]) == 1
    assert re.search(rf"ar\.yaml:{line}:\d+: `key_data_sources` must be", capsys.readouterr().err)
