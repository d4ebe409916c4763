"""The grid read back from the PDFs (issue 21, rules 1-4): the measure of
running text, its word spaces and rag, where words are hyphenated, and how
full each page is. Each measure has a control that fails it.

The shipped layout sets running text ragged and unhyphenated in a 116 mm
column (README, Typesetting); a layout that justifies and hyphenates
(conftest.justifying_layouts) is where the hyphenation policy is tested."""

from __future__ import annotations

import re
import subprocess
from statistics import mean

import pytest

from conftest import justifying_layouts
from mgi_report.resources import DEFAULT_CONTENT, ROOT
from mgi_report.text import hyphenate, lines
from mgi_report.text.i18n import translations
from mgi_report.text.joins import NBSP, NNBSP, join
from typeset import SPACE_EM, pages, paragraphs, running

EXAMPLES = ROOT / "examples"
LATIN = [("kazakhstan", "en"), ("kazakhstan", "de"), ("kazakhstan", "ru"),
         ("kazakhstan", "fr"), ("kazakhstan", "es"), ("ruritania", "en")]
ALL = [*LATIN, ("kazakhstan", "ar"), ("ruritania", "ar")]
#: The example's local profile and follow-up (with chapters of their own)
SERIES = [(c, lang) for c in ("strelsau", "ruritania-2") for lang in ("en", "ar")]


@pytest.fixture(scope="module")
def pdf(built):
    def get(country: str, lang: str, edition: str = "screen"):
        kw = {"fallback": True} if lang in ("fr", "es") else {}
        if country in ("ruritania", *(c for c, _ in SERIES)):
            kw["content"] = EXAMPLES
        return built(country, lang, edition, **kw)
    return get


def _control_build(tmp_path_factory, cache_dir, name, *changes):
    from mgi_report import Request, build

    folder = justifying_layouts(tmp_path_factory.mktemp(name), *changes)
    mp = pytest.MonkeyPatch()
    mp.setattr(lines, "TARGET", 99.0)
    mp.setattr(hyphenate, "PART", {})
    try:
        return build(Request("kazakhstan", "de", DEFAULT_CONTENT,
                             tmp_path_factory.mktemp(name + "-out") / "de.pdf",
                             cache=cache_dir, layouts=(folder,)))
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def control(tmp_path_factory, cache_dir):
    """Kazakhstan in German as it was set before the grid: one 170 mm column
    (the text column's offset at 0), paragraphs justified, lists ragged, all hyphenated, first-fit lines
    (no line set again), no joints, every chapter on a new page with no room
    asked for."""
    return _control_build(
        tmp_path_factory, cache_dir, "control",
        ("\nli { text-align: justify; }", ""),  # the findings ragged, hyphenated
        ('{% set text_at = "54mm" %}', '{% set text_at = "0mm" %}'),
        ('{% set needspace = "73mm" %}', '{% set needspace = "0mm" %}'),
        (".chapter { break-before: auto; }", ".chapter { break-before: page; }"),
        (".domain + .domain { break-before: auto; }", ".domain + .domain { break-before: page; }"))


# ---------------------------------------------------------------- 1. measure

def measure(pdf) -> float:
    """Characters a line of running text holds, on average: every line of a
    paragraph but its last."""
    inner = [len(line.text) for para in running(pdf) for line in para[:-1]]
    assert len(inner) > 50
    return mean(inner)


@pytest.mark.parametrize("country, lang", LATIN)
def test_running_text_is_set_55_to_75_characters_a_line(pdf, country, lang):
    assert 55 <= measure(pdf(country, lang)) <= 75


def test_the_measure_sees_the_long_column(control):
    assert measure(control) > 90


# ------------------------------------------------------------ 2. even colour

def colour(pdf) -> tuple[float, float]:
    """The widest word space of a line of running text, in normal spaces: the
    worst line's and the mean."""
    spacing = [line.spacing() for para in running(pdf) for line in para[:-1]
               if len(line.words) > 2]
    assert len(spacing) > 50
    return max(spacing), mean(spacing)


@pytest.mark.parametrize("country, lang", LATIN)
def test_no_word_space_over_two_and_the_mean_under_1_35(pdf, country, lang):
    worst, average = colour(pdf(country, lang))
    assert worst <= 2.0 and average <= 1.35


def test_the_colour_measure_sees_loose_justified_lines(control):
    """Justified first-fit on one long column, as before: German lines up to
    three spaces wide."""
    worst, average = colour(control)
    assert worst > 2.0


#: A tagged finding's GCM marker, one atomic box (layouts/parts/gcm-mark.html)
#: that may start a line: "GCM 6 · 10".
_MARKER = {lang: re.compile(rf"{re.escape(translations(lang).gettext('GCM'))}"
                            r"\s+\d+(?:\s*·\s*\d+)*") for lang in ("en", "de", "fr", "es", "ru")}


def early_breaks(pdf, lang: str) -> list[tuple[int, str]]:
    """Lines of running text that end before they must: the next line's
    first word (with what a non-breaking space ties to it, text/joins.py)
    would have fitted in the room left. A ragged line's rag is then only ever
    a word that did not fit: the rag is limited by the words, not the layout."""
    paras = running(pdf)
    width = max(line.x1 - line.x0 for para in paras for line in para)
    found = []
    for para in paras:
        for line, nxt in zip(para, para[1:]):
            unit = join(nxt.text, lang).split(" ")[0]
            n = min(unit.count(NBSP) + unit.count(NNBSP) + 1, len(nxt.words))
            if marked := _MARKER[lang].match(nxt.text):  # a marker starts the line
                n = min(max(n, len(marked.group(0).split())), len(nxt.words))
            need = nxt.words[n - 1].x1 - nxt.words[0].x0 + SPACE_EM * line.size
            if need < width - (line.x1 - line.x0) - 1:
                found.append((line.page, line.text[-30:] + " | " + nxt.text[:30]))
    return found


def fill(pdf) -> float:
    """How much of the measure the lines of running text (a paragraph's last
    line left out) fill, on average."""
    paras = running(pdf)
    width = max(line.x1 - line.x0 for para in paras for line in para)
    return mean((line.x1 - line.x0) / width for para in paras for line in para[:-1])


@pytest.mark.parametrize("country, lang", LATIN)
def test_the_rag_is_limited(pdf, country, lang):
    """Ragged, every line takes what fits, and the lines fill 88 % of the
    measure on average (German, with its long words: 92 %)."""
    built = pdf(country, lang)
    assert early_breaks(built, lang) == []
    assert fill(built) >= 0.88


def test_the_rag_measure_sees_lines_ended_early(tmp_path_factory, cache_dir):
    """A layout that keeps the findings' lines 30 mm short of the measure."""
    from mgi_report import Request, build

    folder = tmp_path_factory.mktemp("short-findings")
    css = (ROOT / "layouts" / "profile.css").read_text(encoding="utf-8")
    (folder / "profile.css").write_text(
        css + "\n.findings li { padding-{{ end }}: 30mm; }\n", encoding="utf-8")
    out = build(Request("kazakhstan", "en", DEFAULT_CONTENT,
                        tmp_path_factory.mktemp("short-out") / "en.pdf",
                        cache=cache_dir, layouts=(folder,)))
    assert len(early_breaks(out, "en")) > 20 and fill(out) < 0.88


# ------------------------------------------------------------- 3. hyphenation

@pytest.mark.parametrize("country, lang", ALL)
def test_the_shipped_layout_hyphenates_nothing(pdf, country, lang):
    """Running text is ragged, and ragged text, headings, display text,
    captions and the covers are never hyphenated: no line of any page ends
    with the hyphen the layout adds."""
    found = [(page.number, line.text[-40:]) for page in pages(pdf(country, lang))
             for line in page.lines if line.hyphenated]
    assert found == []


def test_the_hyphen_measure_sees_hyphens(control):
    assert sum(line.hyphenated for page in pages(control) for line in page.lines) > 10


COMPOUNDS = {  # word: its joint (letters before it)
    "de": {"Mobilitätsdimensionen": 10, "Arbeitsmigrantinnen": 7, "Studentenmigration": 9,
           "Internationale": 5, "Migrationsstrategien": 10, "Sozialversicherung": 6,
           "Entwicklungspotenzial": 12, "Zivilgesellschaft": 5, "Staatsangehörigen": 6},
    "ru": {"общегосударственный": 4, "посткризисных": 4},
}


@pytest.mark.parametrize("lang", sorted(COMPOUNDS))
def test_compounds_break_at_their_joints(lang):
    """Over the profile's own words (they tell the parts), each compound of
    the list breaks at its joint and nowhere else; the plain dictionary
    (the control) breaks inside a part."""
    from mgi_report import Request, prepare
    from mgi_report.compose.profile import compose

    html = compose(prepare(Request("kazakhstan", lang, DEFAULT_CONTENT)))
    policy = hyphenate.policy_for(lang, [], text=html)
    hyphenate.install()
    from weasyprint.text import line_break
    d = line_break.pyphen.Pyphen(lang=lang, left=3, right=3)
    inside = 0
    for word, joint in COMPOUNDS[lang].items():
        plain = [int(p) for p in d.positions(word)]
        inside += any(p != joint for p in plain)
        with hyphenate.applied(policy):
            assert [int(p) for p in d.positions(word)] == [joint], word
    assert inside == len(COMPOUNDS[lang])
    with hyphenate.applied(policy):  # not a compound: the dictionary's breaks
        assert len(d.positions("Migrantinnen" if lang == "de" else "миграционной")) >= 2


def _hyphenated_where_forbidden(pdf) -> list[tuple[int, str]]:
    """Hyphens (the layout's) on a paragraph's last full line, a page's last
    line, in a line not set justified (ragged, headings, captions) or on a
    cover."""
    found = []
    every = pages(pdf)
    for page in (every[0], every[-1]):
        found += [(page.number, line.text) for line in page.lines if line.hyphenated]
    for para in paragraphs(pdf):
        right = max(line.x1 for line in para)
        for line, nxt in zip(para, para[1:]):
            if line.hyphenated and (abs(nxt.x1 - right) > 0.5 and nxt is para[-1]
                                    and nxt.text.endswith((".", ":", ";"))):
                found.append((line.page, "last: " + line.text + " / " + nxt.text))
        for line in para:  # a hyphenated line short of the paragraph's edge: ragged
            if line.hyphenated and (len(para) < 2 or abs(line.x1 - right) > 0.5):
                found.append((line.page, "ragged: " + line.text))
    for page in every[1:-1]:
        body = [line for line in page.lines if 9 < line.size < 10.2]
        if body and body[-1].hyphenated:
            found.append((page.number, "page end: " + body[-1].text))
    return found


@pytest.mark.parametrize("lang", ["de", "ru", "en"])
def test_a_justifying_layout_hyphenates_only_where_a_typesetter_allows(justified_build, lang):
    """A layout that justifies and hyphenates running text: never on a
    paragraph's last line nor a page's, never in ragged text, headings or
    the covers (text/lines.py sets such lines again)."""
    built = justified_build(lang)
    assert sum(line.hyphenated for page in pages(built) for line in page.lines) > 10
    assert _hyphenated_where_forbidden(built) == []


def test_the_hyphen_places_measure_sees_forbidden_hyphens(control):
    assert _hyphenated_where_forbidden(control)


# --------------------------------------------------------------- 4. page fill

def fills(pdf, dpi: int = 20, pad: float = 0) -> list[float]:
    """Per page, how much of the text block (25 mm from the top, 22 mm from
    the foot of the trimmed page, which the print edition's pages have ``pad``
    mm around them) is not the longest stretch of blank rows: anything inked
    counts as filled (text, figures, rules, notes)."""
    raw = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf)],
                         capture_output=True, check=True).stdout
    out, at = [], 0
    while at < len(raw):
        fields = []
        while len(fields) < 4:  # P5 width height maxval
            while raw[at:at + 1].isspace():
                at += 1
            start = at
            while not raw[at:at + 1].isspace():
                at += 1
            fields.append(raw[start:at])
        at += 1
        w, h = int(fields[1]), int(fields[2])
        data, at = raw[at:at + w * h], at + w * h
        mm = h / (297 + 2 * pad)
        top, bottom = round((pad + 25) * mm), round((pad + 275) * mm)
        run = longest = 0
        for y in range(top, bottom):
            run = 0 if min(data[y * w:(y + 1) * w]) < 200 else run + 1
            longest = max(longest, run)
        out.append(1 - longest / (bottom - top))
    return out


def _short_pages(pdf, blank_ok: bool = False) -> list[tuple[int, float]]:
    """Pages after the contents (page 3) and before the back cover that are
    more than two-thirds empty; with ``blank_ok`` (the print edition) the
    wholly blank pages just before the back cover, which make the page count
    a multiple of 4, are passed over."""
    fill = fills(pdf, pad=10 if blank_ok else 0)
    inner = list(enumerate(fill, 1))[3:-1]
    if blank_ok:
        while inner and inner[-1][1] == 0:
            inner.pop()
    return [(n, round(f, 2)) for n, f in inner if f < 1 / 3]


@pytest.mark.parametrize("country, lang", ALL + SERIES)
def test_no_page_is_more_than_two_thirds_empty(pdf, country, lang):
    assert _short_pages(pdf(country, lang)) == []


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_print_pages_are_filled_but_for_the_blank_ones(pdf, lang):
    printed = pdf("kazakhstan", lang, "print")
    assert _short_pages(printed, blank_ok=True) == []
    assert len(fills(printed, pad=10)) % 4 == 0


def test_the_fill_measure_sees_a_chapters_tail_alone(control):
    assert _short_pages(control)
