"""Hostile content, round three (issue 29): `check` and `build` agree, and both
stay bounded.

Whatever `check` accepts, every edition prints: key-data years are four plain
digits (any other spelling, and one year given twice in any spelling, is a
located error), every figure the limits allow prints in the language's format,
the key-data chapter's cost is bounded by a limit on its figures, anchors are
unique, and no line of the cover or the imprint is lost to a long text (too
long is a located error, measured with the shipped fonts). `check` itself costs
about linear time on files within every limit (many errors, many unknown
citations). A country folder's name that would not print as it is is refused
by `new`, reported by `check`, skipped with an escaped warning by `list` and
`build`. Issue 21's two content keys, a source's `short` text and a language
file's `key_data_sources`, likewise: each way to get them wrong is located by
`check` and refused by `build`; what `check` accepts, at the limits, prints.

Every build and check of hostile content runs under the three witnesses of
``witness.py``.
"""

from __future__ import annotations

import difflib
import re
import time

import matplotlib
import pytest

from mgi_report.cli import main
from mgi_report.compose import chapters
from mgi_report.content import facts, values
from mgi_report.text.i18n import translations
from mgitree import (DE, LANG, PROFILE, assert_only_located, build, located_lines, make_tree, run,
                     squash)
from witness import listener, outside, sentinel, unwatched, witnessed  # noqa: F401

LANGS = ("en", "fr", "es", "de", "ru", "ar")

# matplotlib draws the key-data charts; its start-up reads its own caches in the
# user's home (a library's doing, like weasyprint's in witness.py): done here.
matplotlib.use("svg", force=True)
import matplotlib.backends.backend_svg  # noqa: E402,F401
import matplotlib.figure  # noqa: E402,F401


def refused(capsys, tmp_path, files: dict, *located: str, lang: str = "en") -> str:
    """`check` locates every fragment, exit 1; `build` (of ``lang``) says the same
    and writes no PDF."""
    content = make_tree(tmp_path, files)
    code, err = run(capsys, "check", "--content", content)
    assert code == 1, err
    for fragment in located:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "internal error" not in err and "Traceback" not in err
    code, build_err, out = build(capsys, tmp_path, files, lang)
    assert code == 1, build_err
    assert_only_located(build_err)
    for fragment in located:
        assert fragment in build_err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
    return err


def key_data(values_text: str, indicator: str = "immigrants") -> str:
    return PROFILE + (f"key_data:\n  - indicator: {indicator}\n    source: UN DESA\n"
                      f"    values: {values_text}\n")


# ------------------------------------------------------------------ years


@pytest.mark.parametrize("year, col", [
    ("0x7D0", 14), ("33:20", 14),  # YAML 1.1 hexadecimal and base 60: internal errors before
    ("02000", 14), ("2_000", 14), ("+2000", 14),  # silently dropped the chapter before
    ('"2000"', 14), ("2000.0", 14), ("0b11111010000", 14), ("0o3720", 14), ("2e3", 14),
    ("20000", 14), ("-2000", 14), ("200", 14),
])
def test_a_year_written_otherwise_than_as_four_digits_is_located(year, col, tmp_path, capsys,
                                                                 witnessed):
    err = refused(capsys, tmp_path, {"profile.yaml": key_data(f"{{{year}: 5, 2010: 6}}")},
                  f"profile.yaml:7:{col}: ")
    assert len(located_lines(err)) == 1, err
    assert "is not a year written plainly: write a year as four digits" in err or \
        "is not a year from 1900 to 2100" in err


def test_one_year_given_twice_in_any_spelling_is_located(tmp_path, capsys, witnessed):
    err = refused(capsys, tmp_path,
                  {"profile.yaml": key_data("{2000: 5, 02000: 6, 2_000: 7, +2000: 8, "
                                            "0x7D0: 9, 33:20: 10, 2010: 11}")},
                  "profile.yaml:7:23: `02000` is the year 2000 again (first given on line 7 "
                  "as `2000`): give each year once",
                  "profile.yaml:7:33: `2_000` is the year 2000 again",
                  "profile.yaml:7:43: `+2000` is the year 2000 again",
                  "profile.yaml:7:53: `0x7D0` is the year 2000 again",
                  "profile.yaml:7:63: `33:20` is the year 2000 again")
    assert len(located_lines(err)) == 5
    # written otherwise first, then plainly: both are located
    err = refused(capsys, tmp_path, {"profile.yaml": key_data("{02000: 5, 2000: 6}")},
                  "profile.yaml:7:14: `02000` is not a year written plainly",
                  "profile.yaml:7:24: `2000` is the year 2000 again (first given on line 7 as "
                  "`02000`)")


# ------------------------------------------------------------------ figures


@pytest.mark.parametrize("indicator, value, message", [
    ("immigrants", "1.0e+40", "the value for 2000, `1.0e+40`, is more than 10,000,000,000, "
     "the largest figure a profile prints (a count of persons)"),
    ("immigrants", "10000000001", "the value for 2000, `10000000001`, is more than "
     "10,000,000,000"),
    ("net_migration", "-1.0e+11", "the value for 2000, `-1.0e+11`, is more than "
     "10,000,000,000"),
    ("remittances_received", "10000000.5", "the value for 2000, `10000000.5`, is more than "
     "10,000,000, the largest figure a profile prints (US dollars in millions)"),
    ("immigrants_share", "100.0000001", "the value for 2000 is a percentage: from 0 to 100, "
     "and `100.0000001` is more than 100"),
    ("immigrants_share", "-1.0e-320", "the value for 2000 is a percentage: from 0 to 100, "
     "and `-1.0e-320` is less than 0"),
    ("immigrants", "0x10", "the value for 2000 must be a number written plainly, like `1200` "
     "or `3.5`, not `0x10`"),
    ("immigrants", "1:30", "the value for 2000 must be a number written plainly, like "
     "`1200` or `3.5`, not `1:30`"),
    ("immigrants", ".inf", "the value for 2000 must be a number written plainly, like "
     "`1200` or `3.5`, not `.inf`"),
])
def test_a_figure_past_what_prints_is_located(indicator, value, message, tmp_path, capsys,
                                              witnessed):
    err = refused(capsys, tmp_path, {"profile.yaml": key_data(f"{{2000: {value}}}", indicator)},
                  f"profile.yaml:7:20: {message}")
    assert "not 100\n" not in err  # the old message: "from 0 to 100, not 100"


#: Figures at the limits, and the smallest a float holds: each prints.
LIMITS = """key_data:
  - indicator: immigrants
    source: UN DESA, International Migrant Stock
    values: {2000: 10000000000, 2005: 0, 2010: 1.0e-320, 2015: 5.0e-324, 2020: 999999.95}
  - indicator: immigrants
    source: National statistics office
    values: {2000: 1.5, 2024: 9999999999.9}
  - indicator: immigrants_share
    source: UN DESA
    values: {2000: 100, 2005: 0, 2010: 1.0e-320, 2015: 99.95, 2020: 0.05}
  - indicator: remittances_received
    source: World Bank
    values: {2000: 10000000, 2010: 0.05}
  - indicator: net_migration
    source: UN DESA
    values: {2000: -10000000000, 2005: 10000000000, 2010: -5.0e-324}
"""

#: The widest characters the fonts have, one pattern per language: the longest
#: text of each that `check` still lets onto the cover and into the imprint.
WIDEST = {"en": "W" * 8, "fr": "m" * 30, "es": "W", "de": "\u2e3b", "ru": "Ж" * 6,
          "ar": "\ufdfd"}


def longest(unit: str, box: values.Box) -> str:
    n = 1
    while values.lines_needed(" ".join([unit] * (n + 1)), box.line_em, exact=True) <= box.lines:
        n += 1
    return " ".join([unit] * n)


def _language_file(lang: str, country: str) -> str:
    text = LANG.replace("country: Republic of Testland", f'country: "{country}"')
    if lang != "en":
        text = text.replace("short_name: Testland", "short_name: Testland\ntranslation_of: en")
    return text


def _destinations(pdf) -> list[str]:
    import pikepdf

    out = []
    with pikepdf.open(pdf) as p:
        todo = [p.Root.Names.Dests] if "/Names" in p.Root and "/Dests" in p.Root.Names else []
        while todo:
            node = todo.pop()
            todo += list(node.get("/Kids", []))
            out += [str(n) for n in list(node.get("/Names", []))[::2]]
    return out


def _longest_facts(unit: str, fact: str) -> str:
    """The publication's facts as long as `check` lets them be (content.publication):
    the publisher's block with its most address lines, a partner with a disclaimer of
    its own, funders, the methodology and a photo's credit."""
    from mgi_report.content import publication as pub

    line = longest(unit, pub.BLOCK_LINE)
    names = longest(unit, pub.NAMES_BOX).split(" ")[:-1]  # and the partner's, one unit
    return (f'publisher:\n  name: "{fact}"\n  address:\n'
            + "".join(f'    - "{line}"\n' for _ in range(pub.MAX_ADDRESS_LINES))
            + "  telephone: +41 22 717 9111\n  email: hq@iom.int\n  website: www.iom.int\n"
            f'research_partner:\n  name: "{unit}"\n'
            f'  disclaimer: "{longest(unit, pub.DISCLAIMER_BOX)}"\n'
            f'funders: ["{" ".join(names)}"]\n'
            "methodology: {version: 2.0.0-rc.1, indicators: 1000}\n"
            f'cover_photo: {{file: photo.png, credit: "{fact}"}}\n')


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), (90, 120, 90)).save(out, "PNG")
    return out.getvalue()


_PNG = _png()


@pytest.mark.parametrize("lang", LANGS)
def test_what_check_accepts_at_every_limit_prints_in_every_language(lang, tmp_path, capsys,
                                                                    witnessed):
    """Figures at their limits in the language's format; the country's name, the
    publisher and the reference as long as `check` allows, in the widest
    characters the fonts have: the cover keeps the whole name and its date, the
    imprint every line down to the licence; each indicator has its own anchor."""
    import typeset
    from pdfread import page_texts

    unit = WIDEST[lang]
    country = longest(unit, values.COVER_NAME)
    fact = longest(unit, values.IMPRINT_FACT)
    files = {"profile.yaml": PROFILE + _longest_facts(unit, fact) + 'publication:\n'
             f'  isbn: 978-3-16-148410-0\n  reference: "{fact}"\n'
             "  licence: cc-by-nc-nd-3.0-igo\n" + LIMITS, "photo.png": _PNG}
    files.update({f"{code}.yaml": _language_file(code, country) for code in LANGS})
    code, err = run(capsys, "check", "--content", make_tree(tmp_path, files))
    assert code == 0, err
    # one unit more of either is too long: these are the longest `check` lets through
    for text, box in ((country, values.COVER_NAME), (fact, values.IMPRINT_FACT)):
        assert values.lines_needed(f"{text} {unit}", box.line_em, exact=True) > box.lines
    code, err, out = build(capsys, tmp_path, files, lang)
    assert code == 0, err
    with unwatched():
        texts = [squash(t) for t in page_texts(out)]
        pages = typeset.pages(out)
    cover, imprint = pages[:2]
    for page in pages:  # nothing off a page: running heads included
        assert all(0 <= line.y0 and line.y1 <= page.height for line in page.lines), page.number
    tr = translations(lang)
    # the cover: the whole name, the date under it, inside the page
    assert squash(country) in texts[0]
    words = [w for line in cover.lines for w in line.words]
    assert all(0 <= w.y0 and w.y1 <= cover.height for w in words)
    name_bottom = max(w.y1 for w in words if unit[0] in w.text)
    assert any(w.y0 > name_bottom and re.search(r"2018", w.text) for w in words)
    # the imprint: down to the last word of the licence, above the folio, inside the page
    licence = tr.gettext(facts.LICENCE_TEXTS["cc-by-nc-nd-3.0-igo"])
    assert "©" in texts[1] and squash("CC BY-NC-ND 3.0 IGO") in texts[1].replace(")", "") \
        .replace("(", "")
    assert squash(licence.split()[-1]).strip(".»") in texts[1]
    # publisher and reference, the citation (the publisher twice), the © line; Arabic
    # text is read back in pieces around the Latin, so fewer whole runs are found
    assert texts[1].count(squash(fact)) >= (2 if lang == "ar" else 5)
    folio = max(imprint.lines, key=lambda line: line.y1)
    assert folio.text.strip() == "2"
    assert all(0 <= line.y0 and line.y1 < folio.y0 for line in imprint.lines if line is not folio)
    # the figures, in the language's format, in the tables
    body = "".join(texts[2:])
    for v, millions, share in ((10_000_000_000, False, False), (9_999_999_999.9, False, False),
                               (999_999.95, False, False), (1e-320, False, False),
                               (100, False, True), (99.95, False, True), (0.05, False, True),
                               (10_000_000, True, False), (-10_000_000_000, False, False)):
        shown = squash(chapters.number(v, lang, millions, share))
        assert shown in body or shown[::-1] in body, (v, shown)
    anchors = [d for d in _destinations(out) if d.startswith("indicator-")]
    assert sorted(anchors) == ["indicator-immigrants", "indicator-immigrants-2",
                               "indicator-immigrants_share", "indicator-net_migration",
                               "indicator-remittances_received"]


def test_text_one_step_past_its_box_is_located(tmp_path, capsys, witnessed):
    country = longest("W" * 8, values.COVER_NAME) + " WWWWWWWW"
    fact = longest("\u2e3b", values.IMPRINT_FACT) + " \u2e3b"
    reference = " ".join(["PUB2018/012/EL"] * 266)  # the attack: 3,989 characters
    profile = PROFILE + f'publisher: "{fact}"\npublication:\n  reference: "{reference}"\n'
    err = refused(capsys, tmp_path,
                  {"profile.yaml": profile,
                   "en.yaml": LANG.replace("Republic of Testland", country)},
                  "profile.yaml:4:12: `publisher` is too long for the imprint: it would take "
                  "3 lines there, and the imprint has room for 2",
                  "profile.yaml:6:14: `reference` is too long for the imprint",
                  "en.yaml:1:10: `country` is too long for the cover: it would take 5 lines "
                  "there, and the cover has room for 4")
    assert len(located_lines(err)) == 3


def test_the_width_bounds_hold_for_the_shipped_fonts():
    """values measures most texts without opening a font, by ranges of code
    points: each range's bound is at least its widest character."""
    widths = values._widths()
    start = 0
    for end, bound in values._WIDTH_BOUNDS:
        inside = [w for point, w in widths.items() if start <= point < end]
        if bound:
            assert max(inside, default=0) <= bound, (hex(start), hex(end))
        start = end
    assert max(widths.values()) > 7  # U+FDFD: why the rest is read from the fonts


# ------------------------------------------------------------------ the key-data chapter


def _many_years(entries: int, years: int) -> str:
    keys = list(facts.INDICATORS)
    out = ["key_data:"]
    for i in range(entries):
        figures = ", ".join(f"{1900 + y}: {(y % 97) * 0.5}" for y in range(years))
        out += [f"  - indicator: {keys[i % len(keys)]}", f"    source: Source {i}",
                f"    values: {{{figures}}}"]
    return "\n".join(out) + "\n"


def test_more_figures_than_the_chapter_lays_out_cheaply_are_located(tmp_path, capsys,
                                                                     witnessed):
    """Eight indicators of 201 years each (within every other limit) took 66 s to
    build: the figures of key_data are limited, located where they pass it."""
    err = refused(capsys, tmp_path, {"profile.yaml": PROFILE + _many_years(8, 201)},
                  "profile.yaml:7:13: `key_data` has more than 200 figures in all (this entry "
                  "brings them to 201)")
    assert len(located_lines(err)) == 8  # every entry past it


def test_the_key_data_chapter_at_its_limit_builds_with_labels_that_never_overlap(
        tmp_path, capsys, witnessed):
    """At the limit (eight indicators of 25 years): a build in well under the
    minute the old chapter took for fewer; a chart staggers its figures on up to three rows
    and leaves out those that still find no room (the newest always kept), so its labels (two
    positioned boxes each, most of a chart's cost) never overlap each other or a bar."""
    profile = PROFILE + _many_years(8, 25)
    start = time.monotonic()
    code, err, out = build(capsys, tmp_path, {"profile.yaml": profile})
    assert code == 0, err
    assert time.monotonic() - start < 60  # generous: about 5 s of CPU here
    tr = translations("de")
    items = [facts.KeyData(ind, "s", {2000 + y: v for y, v in enumerate(vals)})
             for ind, vals in ((facts.INDICATORS["immigrants"], [9_999_999_999.0] * 25),
                               (facts.INDICATORS["immigrants_share"], [55.5] * 25),
                               (facts.INDICATORS["immigrants"], [5.0] * 3))]
    for k in chapters.key_data(items, "de", tr, "#336699", tmp_path / "cache"):
        labelled = [b for b in k["chart"]["bars"] if b["label"]]
        assert labelled[-1] is k["chart"]["bars"][-1]  # the newest figure is always shown
        chart_mm = k["chart"]["size"][0]
        for bar in labelled:  # each label's box holds its text, inside the image
            assert bar["label_width"] / 100 * chart_mm >= chapters.label_mm(bar["text"])
            assert 0 <= bar["label_left"] and bar["label_left"] + bar["label_width"] <= 100
        h = chapters.VALUE_H_MM / k["chart"]["size"][1] * 100
        boxes = [(b["label_left"], b["label_left"] + b["label_width"], b["value_top"],
                  b["value_top"] + h) for b in labelled]
        assert all(0 <= top and bottom <= 100 for _l, _r, top, bottom in boxes)
        for i, a in enumerate(boxes):  # no two figures' boxes meet, nor a figure and a bar
            for b in boxes[i + 1:]:
                assert a[1] <= b[0] + 0.01 or b[1] <= a[0] + 0.01 or a[3] <= b[2] or \
                    b[3] <= a[2], (a, b)
            for bar in k["chart"]["bars"]:
                assert a[1] <= bar["left"] or bar["left"] + bar["width"] <= a[0] or \
                    a[3] <= bar["top"] or bar["top"] + bar["height"] <= a[2], (a, bar)
        rows = k["chart"]["rows"]
        assert rows <= chapters.MAX_VALUE_ROWS
        assert len(labelled) <= rows * (chart_mm / chapters.label_mm("2000") + 1)
    assert len(labelled) == 3  # three bars, room for all of their labels


# ------------------------------------------ short texts, translated key-data sources

#: A source with a short text (issue 21), cited twice: en.yaml's lines 24-27,
#: the short text at 27:12.
SHORT = "sources:\n  - id: law\n    text: The Law on Migration, 2011.\n    short: {}\n"
CITED = LANG.replace("Migrants have access to primary education.",
                     "Migrants have access to primary education.[^law] Again.[^law]")
#: One key-data source, UN DESA, and de.yaml's `key_data_sources` from line 25
#: (its first entry on line 26, column 3; a translation at column 12).
UN_DESA = PROFILE + ("key_data:\n  - indicator: immigrants\n    source: UN DESA\n"
                     "    values: {2000: 5, 2010: 6}\n")


def _kd_sources(entries: str) -> dict[str, str]:
    return {"profile.yaml": UN_DESA, "de.yaml": DE + "key_data_sources:\n" + entries}


_WHAT = "the short text of entry 1 of `sources`"


@pytest.mark.parametrize("short, message", [
    ("[Law, 2011]", f"27:12: {_WHAT} must be text, not a list"),
    ("2011", f"27:12: {_WHAT} must be text, not a number (YAML reads `2011` so)"),
    ("{Law: 2011}", f"27:12: {_WHAT} must be text, not a mapping"),
    ("Law: 2011", "27:15: YAML syntax error: a colon followed by a space inside a text"),
    ('""', f"27:12: {_WHAT} is empty"),
    ("", f"27:11: {_WHAT} must be text, not nothing (null)"),
    ('"' + "L" * 4001 + '"', f"27:12: {_WHAT} is 4,001 characters long; the limit is 4,000"),
    ('"Law \\u202e2011"', f"27:12: {_WHAT}: the invisible bidi control (U+202E RIGHT-TO-LEFT "
     "OVERRIDE)"),
    ('"Law \\u2067 2011"', f"27:12: {_WHAT}: the invisible bidi control (U+2067"),
    ('"Law \\a 2011"', f"27:12: {_WHAT} contains the character U+0007, which cannot be "
     "printed"),
    ("See [^law].", f"27:12: {_WHAT} cites a source"),
    ("The Law on Migration, 2011.", f"27:12: {_WHAT} is its full text: a later citation "
     "would print it in full again"),
    ("Law, 2011.\n    short: Law 2011.", "28:5: duplicate key `short` (first given on line 27)"),
])
def test_a_short_text_that_cannot_print_is_located(short, message, tmp_path, capsys,
                                                    witnessed):
    """A source's `short` text (what a later citation prints): each wrong type,
    nothing, past the texts' limit, bidi and control characters, a citation, a
    copy of the full text, given twice: located by `check`, refused by `build`."""
    err = refused(capsys, tmp_path, {"en.yaml": CITED + SHORT.format(short)},
                  f"en.yaml:{message}")
    assert len(located_lines(err)) == 1, err


def test_two_sources_with_one_short_text_are_located(tmp_path, capsys, witnessed):
    """A later citation of either would print the same words: the reader could
    not tell which source it names."""
    en = CITED + SHORT.format("Law, 2011.") + ("  - id: decree\n    text: Decree No. 5, "
                                              "2011.\n    short: Law, 2011.\n")
    err = refused(capsys, tmp_path, {"en.yaml": en},
                  "en.yaml:30:12: the short text of entry 2 of `sources` is that of entry 1 "
                  "too: a later citation of either would print the same")
    assert len(located_lines(err)) == 1, err


_LONG_KEY = "S" * 1100


@pytest.mark.parametrize("entries, message", [
    ("  [UN DESA, UNO]\n", "26:3: `key_data_sources` must be a mapping of keys to values, "
     "not a list"),
    ("  2011\n", "26:3: `key_data_sources` must be a mapping of keys to values, not a number"),
    ("  UN DESA: [UNO, DESA]\n", "26:12: the translation of `UN DESA` must be text, not a list"),
    ("  UN DESA: 5\n", "26:12: the translation of `UN DESA` must be text, not a number"),
    ("  UN DESA: {UNO: DESA}\n", "26:12: the translation of `UN DESA` must be text, not a "
     "mapping"),
    ('  UN DESA: ""\n', "26:12: the translation of `UN DESA` is empty"),
    ("  UN DESA:\n", "26:11: the translation of `UN DESA` must be text, not nothing (null)"),
    ('  "": UNO\n', "26:3: a key-data source is empty"),
    ("  UN DESA: " + "U" * 4001 + "\n", "26:12: the translation of `UN DESA` is 4,001 "
     "characters long; the limit is 4,000"),
    ("  ? " + "S" * 4001 + "\n  : UNO\n", "26:5: a key-data source is 4,001 characters long; "
     "the limit is 4,000"),
    (f'  "{_LONG_KEY}": UNO\n', "26:1105: YAML syntax error: a key longer than 1,024 "
     "characters: YAML reads a key that long only written after `? `"),
    ('  UN DESA: "UNO \\u202eDESA"\n', "26:12: the translation of `UN DESA`: the invisible "
     "bidi control (U+202E"),
    ('  "UN \\u2066DESA": UNO\n', "26:3: a key-data source: the invisible bidi control (U+2066"),
    ('  UN DESA: "UNO\\x1b[2J"\n', "26:12: the translation of `UN DESA` contains the "
     "character U+001B"),
    ("  0: UNO\n", "26:3: a key-data source must be text, not a number (YAML reads `0` so)"),
    ("  [UN DESA]: UNO\n", "26:3: a key must be a plain word"),
    ("  UN DESA: UNO\n  UN DESA: ONU\n", "27:3: duplicate key `UN DESA` (first given on "
     "line 26)"),
    ('  UN DESA: UNO\n  "UN DESA ": ONU\n', "27:3: `UN DESA ` is the key-data source "
     "`UN DESA` again (first given on line 26): translate each once"),
    ("".join(f"  Source {i}: Quelle {i}\n" for i in range(41)),
     "26:3: `key_data_sources` has 41 entries; the limit is 40"),
])
def test_a_translated_key_data_source_that_cannot_print_is_located(entries, message, tmp_path,
                                                                   capsys, witnessed):
    """`key_data_sources` (issue 21): a mapping of profile.yaml's key-data
    sources to texts; wrong types, nothing, past the limits, bidi and control
    characters, a number for an index, a source given twice (also in another
    spelling of the same text): located by `check`, refused by `build`."""
    err = refused(capsys, tmp_path, _kd_sources(entries), f"de.yaml:{message}", lang="de")
    assert len(located_lines(err)) == 1, err


def test_what_check_accepts_of_them_prints(tmp_path, capsys, witnessed):
    """A short text and its source's text at the texts' limit both print (a
    citation again prints the short one); a translated key-data source prints
    in place of profile.yaml's; an entry that names no key-data source is
    warned about, located, in a translation and in the source language's file,
    and changes nothing."""
    from pdfread import page_texts

    words = " ".join(f"w{i:04d}" for i in range(800))
    full, short = words[:3999].rsplit(" ", 1)[0], "Short " + words[:3990].rsplit(" ", 1)[0]
    en = CITED + (f'sources:\n  - id: law\n    text: "{full}"\n    short: "{short}"\n'
                  "key_data_sources:\n  World Bank: Weltbank\n")
    files = {"profile.yaml": UN_DESA, "en.yaml": en,
             "de.yaml": DE + "key_data_sources:\n  UN DESA: UN-Hauptabteilung Wirtschaft\n"
                             "  UN DES: UN-Tippfehler\n"}
    code, err = run(capsys, "check", "--content", make_tree(tmp_path, files))
    assert code == 0, err
    warned = [line for line in located_lines(err) if "key_data_sources" in line]
    assert len(warned) == 2, err
    assert "de.yaml:27:3: `key_data_sources`: 'UN DES' is no key-data source" in err
    assert "en.yaml:29:3: `key_data_sources`: 'World Bank' is no key-data source" in err
    assert len(full) > 3990 and len(short) > 3990
    code, err, out = build(capsys, tmp_path, files, "en")
    assert code == 0, err
    with unwatched():
        text = squash("".join(page_texts(out)))
    assert squash(full) in text and squash(short) in text
    assert "Weltbank" not in text and "SourceUNDESA" in text.replace(":", "")
    code, err, out = build(capsys, tmp_path, files, "de")
    assert code == 0, err
    with unwatched():
        text = squash("".join(page_texts(out)))
    assert squash("UN-Hauptabteilung Wirtschaft") in text
    assert "UNDESA" not in text and "Tippfehler" not in text


# ------------------------------------------------------------------ check stays bounded


def test_thirty_thousand_errors_cost_linear_time(tmp_path, capsys, witnessed):
    """A file of 30,000 errors (distinct characters no font covers) ran past 120 s:
    each problem was compared with all before it, and its line counted from the
    start of the file."""
    from mgi_report.text.printable import covered

    fonts = covered()
    points = [p for p in (*range(0x4E00, 0xA000), *range(0xAC00, 0xD7A4)) if p not in fonts]
    findings = ["".join(map(chr, points[i:i + 3750])) for i in range(0, 30_000, 3750)]
    en = LANG.replace("      - Migrants have access to primary education.\n",
                      "".join(f'      - "{f}"\n' for f in findings))
    content = make_tree(tmp_path, {"en.yaml": en})
    start = time.monotonic()
    code, err = run(capsys, "check", "--content", content)
    elapsed = time.monotonic() - start
    assert code == 1
    assert len(located_lines(err)) == 30_000
    assert elapsed < 60, elapsed  # about 3 s of CPU here; over 200 s before


def _citations(n: int, length: int = 199) -> str:
    import random

    rng = random.Random(29)

    def word() -> str:
        return "".join(rng.choice("abcdefghij") for _ in range(length))

    sources = "".join(f"  - id: {word()}\n    text: Source {i}.\n" for i in range(200))
    cites = [f"[^{word()}]" for _ in range(n)]
    findings = "".join(f'      - "Cited {" ".join(cites[i:i + 10])}."\n'
                       for i in range(0, n, 10))
    en = LANG.replace("      - Migrants have access to primary education.\n", findings)
    return en + "sources:\n" + sources


def test_a_thousand_unknown_citations_cost_linear_time(tmp_path, capsys, witnessed,
                                                       monkeypatch):
    """1,000 unknown citations of 199 characters against 200 ids of 199 (a 299 KB
    file): the did-you-mean compared each with each in full (about 3 s a citation).
    Now each is compared by its first 40 characters with the 5 ids that share most
    pairs of letters with it, for the first 100 unknown ids of a file."""
    en = _citations(1000)
    assert 250_000 < len(en.encode()) < 400_000
    calls = []
    ratio = difflib.SequenceMatcher.ratio
    monkeypatch.setattr(difflib.SequenceMatcher, "ratio",
                        lambda self: calls.append(1) or ratio(self))
    content = make_tree(tmp_path, {"en.yaml": en})
    start = time.monotonic()
    code, err = run(capsys, "check", "--content", content)
    elapsed = time.monotonic() - start
    assert code == 1
    assert len([line for line in located_lines(err) if "names no source" in line]) == 1000
    # per reading of the file (check reads it three times), at most 100 names x 5
    assert len(calls) <= 3 * values.MAX_SUGGESTED * values.MAX_CANDIDATES
    assert elapsed < 60, elapsed  # about 2 s of CPU here; past 120 s before


def test_the_did_you_mean_still_finds_a_typo(tmp_path, capsys, witnessed):
    long_id = "law-on-the-legal-status-of-foreign-citizens-and-stateless-persons-2011"
    en = LANG.replace("primary education.", "primary education[^law-on-the-legal-status-of-"
                      "foreign-citizens-and-stateless-person-2011].")
    en += f"sources:\n  - id: {long_id}\n    text: Law.\n  - id: law-2012\n    text: Law.\n"
    refused(capsys, tmp_path, {"en.yaml": en},
            f"names no source; did you mean `{long_id}`?")


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("name, shown", [
    ("x\n", "x\\n"), ("x\r", "x\\r"), (".x", ".x"), ("a/b", "a/b"), ("a\u202eb", "a\\u202eb"),
    ("x\u2028", "x\\u2028"), ("\u200bx", "\\u200bx"), ("x\x1b[2J", "x\\x1b[2J"),
])
def test_new_refuses_a_name_that_is_no_folder_name(name, shown, tmp_path, capsys):
    content = tmp_path / "content"
    code, err = run(capsys, "new", name, "--iso3", "KAZ", "--lang", "en", "--content", content)
    assert code == 2
    assert err.count("\n") == 1  # one line: the name is escaped
    assert f"`{shown}` cannot name a country folder" in err
    assert not content.exists()


def _odd_tree(tmp_path):
    content = make_tree(tmp_path)
    for name in ("y\n", ".hidden", "a\u202eb"):
        folder = content / name
        folder.mkdir()
        (folder / "profile.yaml").write_text(PROFILE)
        (folder / "en.yaml").write_text(LANG)
    (content / "testland" / "fr\n.yaml").write_text(LANG)  # no language either
    return content


def test_check_reports_country_folders_whose_names_do_not_print(tmp_path, capsys, witnessed):
    content = _odd_tree(tmp_path)
    code, err = run(capsys, "check", "--content", content)
    assert code == 1, err
    lines = [line for line in located_lines(err) if not line.endswith("(warning)")]
    assert len(lines) == 3, err
    for shown in ("y\\n", ".hidden", "a\\u202eb"):
        assert any(line.startswith(f"{content / shown / 'profile.yaml'}:1:1: not a country "
                                   "folder") for line in lines), (shown, err)
    assert "\u202e" not in err and "y\n/" not in err and "fr\n" not in err


def test_list_and_build_skip_them_with_an_escaped_warning(tmp_path, capsys, caplog,
                                                         witnessed):
    content = _odd_tree(tmp_path)
    caplog.set_level("WARNING", logger="mgi_report")
    assert main(["list", "--content", str(content)]) == 0
    assert capsys.readouterr().out == "testland\tde en\n"
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 3, warned  # once each, however often the tree is read
    for shown in ("y\\n", ".hidden", "a\\u202eb"):
        assert any(m.startswith(f"skipped {content / shown}: ") for m in warned), warned
    assert not any("\u202e" in m or "\n" in m for m in warned)
    code, err = run(capsys, "build", "y\n", "--lang", "en", "--content", content,
                    "-o", tmp_path / "y.pdf")
    assert code == 2 and "no country `y\\n`" in err and "y\n" not in err
    assert not (tmp_path / "y.pdf").exists()


def test_build_all_skips_them_with_an_escaped_warning(tmp_path, capsys, caplog):
    """(Not witnessed: the batch's workers talk over a local socket of their own.)"""
    content = _odd_tree(tmp_path)
    caplog.set_level("WARNING", logger="mgi_report")
    code, err = run(capsys, "build", "--all", "--content", content, "--out", tmp_path / "out",
                    "--lang", "en", "--edition", "screen", "--jobs", "1")
    assert code == 0, err
    assert "\u202e" not in err and "y\n" not in err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["testland-en.pdf"]
    warned = [r.getMessage() for r in caplog.records if r.getMessage().startswith("skipped")]
    assert len(warned) == 3 and not any("\u202e" in m or "\n" in m for m in warned)
