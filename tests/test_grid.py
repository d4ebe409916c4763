"""The grid read back from the PDFs (issue 21, rules 1-4): the measure of
running text, the word spaces of justified lines, where words are hyphenated,
and how full each page is. Each measure has a control that fails it."""

from __future__ import annotations

import subprocess
from statistics import mean

import pytest

from mgi_report.resources import DEFAULT_CONTENT, ROOT
from mgi_report.text import hyphenate, lines
from typeset import AUTO_HYPHEN, justified, pages, paragraphs

EXAMPLES = ROOT / "examples"
LATIN = [("kazakhstan", "en"), ("kazakhstan", "de"), ("kazakhstan", "ru"),
         ("kazakhstan", "fr"), ("ruritania", "en")]
ALL = [*LATIN, ("kazakhstan", "ar"), ("ruritania", "ar")]


@pytest.fixture(scope="module")
def pdf(built):
    def get(country: str, lang: str, edition: str = "screen"):
        kw = {"fallback": True} if lang in ("fr", "es") else {}
        if country == "ruritania":
            kw["content"] = EXAMPLES
        return built(country, lang, edition, **kw)
    return get


@pytest.fixture(scope="module")
def control(tmp_path_factory, cache_dir):
    """Kazakhstan in German as it was set before the grid: one 170 mm column
    (the text column's offset at 0), first-fit lines (no line set again), no
    joints, every chapter on a new page with no room asked for."""
    from mgi_report import Request, build

    folder = tmp_path_factory.mktemp("control-layouts")
    css = (ROOT / "layouts" / "profile.css").read_text()
    css = css.replace('{% set text_at = "58mm" %}', '{% set text_at = "0mm" %}')
    css = css.replace('{% set needspace = "84mm" %}', '{% set needspace = "0mm" %}')
    css = css.replace(".chapter { break-before: auto; }", ".chapter { break-before: page; }")
    css = css.replace(".domain + .domain { break-before: auto; }",
                      ".domain + .domain { break-before: page; }")
    (folder / "profile.css").write_text(css)
    mp = pytest.MonkeyPatch()
    mp.setattr(lines, "TARGET", 99.0)
    mp.setattr(hyphenate, "PART", {})
    try:
        return build(Request("kazakhstan", "de", DEFAULT_CONTENT,
                             tmp_path_factory.mktemp("control") / "de.pdf",
                             cache=cache_dir, layouts=(folder,)))
    finally:
        mp.undo()


# ---------------------------------------------------------------- 1. measure

def measure(pdf) -> float:
    """Characters a full line of running text (9-10 pt, justified) holds, on average."""
    full = [len(line.text) for line in justified(pdf) if 9 < line.size < 10.2]
    assert len(full) > 30
    return mean(full)


@pytest.mark.parametrize("country, lang", LATIN)
def test_running_text_is_set_55_to_75_characters_a_line(pdf, country, lang):
    assert 55 <= measure(pdf(country, lang)) <= 75


def test_the_measure_sees_the_long_column(control):
    assert measure(control) > 90


# ------------------------------------------------------------ 2. even colour

def colour(pdf) -> tuple[float, float]:
    spacing = [line.spacing() for line in justified(pdf)]
    assert len(spacing) > 30
    return max(spacing), mean(spacing)


@pytest.mark.parametrize("country, lang", LATIN)
def test_justified_lines_are_set_again_where_loose(pdf, control, country, lang):
    """What holds today: the worst word space under 3.8 normal spaces, the
    mean under 1.8 (Russian is the worst: long words, names never broken,
    three letters each side of a break)."""
    worst, average = colour(pdf(country, lang))
    assert worst <= 3.8 and average <= 1.8


@pytest.mark.xfail(strict=True, reason="issue 21 rule 2 not met yet: German's worst line "
                   "is 2.9 spaces, Russian's 3.7; the mean 1.3-1.6")
@pytest.mark.parametrize("country, lang", [("kazakhstan", "de"), ("kazakhstan", "ru")])
def test_no_word_space_over_two_and_the_mean_under_1_35(pdf, country, lang):
    worst, average = colour(pdf(country, lang))
    assert worst <= 2.0 and average <= 1.35


def test_setting_lines_again_makes_them_tighter(pdf, tmp_path, cache_dir, monkeypatch):
    """The same profile with the lines set first-fit (the narrow column kept)
    is looser: the hook does something the measure sees."""
    from mgi_report import Request, build

    monkeypatch.setattr(lines, "TARGET", 99.0)
    first_fit = build(Request("kazakhstan", "en", DEFAULT_CONTENT, tmp_path / "en.pdf",
                              cache=cache_dir))
    worst, average = colour(first_fit)
    now_worst, now_average = colour(pdf("kazakhstan", "en"))
    assert now_average < average and now_worst < worst


# ------------------------------------------------------------- 3. hyphenation

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
    full = {(line.page, round(line.y0, 1)) for line in justified(pdf)}
    for para in paragraphs(pdf):
        right = max(line.x1 for line in para)
        for line, nxt in zip(para, para[1:]):
            if line.hyphenated and (abs(nxt.x1 - right) > 0.5 and nxt is para[-1]
                                    and nxt.text.endswith((".", ":", ";"))):
                found.append((line.page, "last: " + line.text + " / " + nxt.text))
        for line in para:
            if line.hyphenated and (line.page, round(line.y0, 1)) not in full:
                found.append((line.page, "ragged: " + line.text))
    for page in every[1:-1]:
        body = [line for line in page.lines if 9 < line.size < 10.2]
        if body and body[-1].hyphenated:
            found.append((page.number, "page end: " + body[-1].text))
    return found


@pytest.mark.xfail(reason="issue 21 rule 3 not met yet: the findings' lists are set ragged "
                   "and hyphenated (justified, their word spaces grow past 3.5)")
@pytest.mark.parametrize("country, lang", [*LATIN, ("kazakhstan", "es")])
def test_no_hyphen_where_a_typesetter_allows_none(pdf, country, lang):
    assert _hyphenated_where_forbidden(pdf(country, lang)) == []


def test_the_hyphen_measure_sees_forbidden_hyphens(control):
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


@pytest.mark.parametrize("country, lang", [c for c in ALL if c != ("kazakhstan", "ru")])
def test_no_page_is_more_than_two_thirds_empty(pdf, country, lang):
    assert _short_pages(pdf(country, lang)) == []


@pytest.mark.xfail(strict=True, reason="issue 21 rule 4: the Russian acronyms (long "
                   "expansions) do not fit under the sources and fill a third of a page")
def test_russian_pages_are_filled(pdf):
    assert _short_pages(pdf("kazakhstan", "ru")) == []


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_print_pages_are_filled_but_for_the_blank_ones(pdf, lang):
    printed = pdf("kazakhstan", lang, "print")
    assert _short_pages(printed, blank_ok=True) == []
    assert len(fills(printed, pad=10)) % 4 == 0


def test_the_fill_measure_sees_a_chapters_tail_alone(control):
    assert _short_pages(control)
