"""A quoted text left open is reported where its quote opens (issue 30, point 4).

An open quote runs on over the lines below it until the next quote of its kind
(the next quoted finding, or an apostrophe), and YAML gives up there, lines
further down. The error names the opening quote's line and column, and the line
where YAML gave up as a second hint. Legitimate YAML (a quoted text over several
lines, quotes inside plain text, block texts and comments) stays valid.
Everything runs through the command line on the small testland tree
(tests/mgitree.py), whose line numbers are known; nothing renders.
"""

from __future__ import annotations

import shutil

import pytest

from mgi_report.resources import ROOT
from mgitree import LANG, assert_only_located, located_lines, make_tree, run

L = LANG.splitlines(keepends=True)


def line(n: int, new: str, text: str = LANG) -> str:
    """text with line n (1-based) replaced."""
    lines = text.splitlines(keepends=True)
    lines[n - 1] = new
    return "".join(lines)


#: LANG as editors often write it: every finding of the first domain quoted.
QUOTED = LANG.replace("      - Migrants have access to primary education.",
                      '      - "Migrants have access to primary education."') \
    .replace("      - There is no *national* strategy yet.",
             '      - "There is no *national* strategy yet."')

NEVER_CLOSED = "YAML syntax error: the quote `{q}` opened here is never closed: end the text " \
               "with the same quote, or remove it (YAML read on and gave up {where})"

#: name -> (en.yaml, the located message expected: line, column, quote, where YAML gave up)
OPEN = {
    # the example: the closing quote of a finding removed; the next finding's
    # opening quote "closes" it two lines further down
    "a finding, the next one quoted": (
        line(6, '      - "Migrants have access to primary education.\n', QUOTED),
        (6, 9, '"', "on line 8")),
    "a finding, nothing quoted after it": (
        line(6, '      - "Migrants have access to primary education.\n'),
        (6, 9, '"', "at the end of the file")),
    "single quote, an apostrophe further on": (
        line(6, "      - 'Migrants have access to primary education.\n")
        .replace("There is no", "There's no"),
        (6, 9, "'", "on line 8")),
    "single quote, a possessive further on": (
        line(6, "      - 'Migrants have access to primary education.\n")
        .replace("There is no", "Migrants' right: there is no"),
        (6, 9, "'", "on line 8")),
    "single quote, nothing after it": (
        line(6, "      - 'Migrants have access to primary education.\n"),
        (6, 9, "'", "at the end of the file")),
    "a flow list, the next list quoted": (
        line(10, '    well_developed: [ "A council exists. ]\n')
        .replace("[Treaties are signed.]", '["Treaties are signed."]'),
        (10, 23, '"', "on line 13")),
    "a flow list, nothing quoted after it": (
        line(10, '    well_developed: [ "A council exists. ]\n'),
        (10, 23, '"', "at the end of the file")),
    "a flow mapping": (
        line(10, '    well_developed: {a: "A council exists.}\n'),
        (10, 25, '"', "at the end of the file")),
    "the last finding of the file": (
        line(23, '    potential:\n      - "Visas are issued in a week.\n'),
        (24, 9, '"', "at the end of the file")),
    "the last finding, a comment with an apostrophe after it": (
        line(23, "    potential:\n      - 'Visas are issued in a week.\n# don't forget\n"),
        (24, 9, "'", "on line 25")),
    "a document separator swallowed": (
        line(6, '      - "Migrants have access to primary education.\n') + "---\n",
        (6, 9, '"', "on line 24")),
}


@pytest.mark.parametrize("case", list(OPEN))
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_open_quote_is_located_where_it_opens(case, command, tmp_path, capsys):
    text, (ln, col, quote, where) = OPEN[case]
    content = make_tree(tmp_path, {"en.yaml": text})
    out = tmp_path / "out.pdf"
    argv = ["--content", content] if command == "check" else \
        ["testland", "--lang", "en", "--content", content, "-o", out]
    code, err = run(capsys, command, *argv)
    assert code == 1, err
    assert_only_located(err)
    expected = f"testland/en.yaml:{ln}:{col}: " + NEVER_CLOSED.format(q=quote, where=where)
    found = located_lines(err)
    assert len(found) == 1 and found[0].endswith("/" + expected), err
    assert "scalar" not in err and "stream" not in err
    assert not out.exists()


def test_a_swallowed_backslash_is_located_at_the_quote(tmp_path, capsys):
    """An open double quote that runs into a backslash further on: YAML gives up at
    the backslash; the error names the quote, and the backslash as the second hint."""
    text = line(6, '      - "Migrants have access to primary education.\n') \
        .replace("There is no", "There is no C:\\data")
    content = make_tree(tmp_path, {"en.yaml": text})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1, err
    assert_only_located(err)
    assert "testland/en.yaml:6:9: YAML syntax error: the quote `\"` opened here is not " \
           "closed before line 8, where YAML gave up (unknown escape character 'd', " \
           "column 24)" in err, err


def test_a_quoted_text_that_goes_on_is_still_located_at_its_end(tmp_path, capsys):
    """A quoted text over two lines, closed, with text after the quote: the mistake
    is after the quote, and it is reported there (as before)."""
    text = line(6, '      - "Migrants have access\n        to primary" education.\n')
    content = make_tree(tmp_path, {"en.yaml": text})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert "testland/en.yaml:7:21: YAML syntax error: the text goes on after its closing " \
           "quote" in err, err
    assert "never closed" not in err


#: Legitimate YAML with quotes that never close anything: all valid.
VALID = {
    "quoted over two lines": line(6, '      - "Migrants have access\n'
                                     '        to primary education."\n'),
    "single-quoted over two lines": line(6, "      - 'Migrants have access\n"
                                            "        to primary education.'\n"),
    "single quotes doubled inside": line(6, "      - 'Migrants''\n        access'\n"),
    "quoted findings": QUOTED,
    "apostrophes in plain text": line(6, "      - It's fine, isn't it? Migrants' rights.\n"),
    "a double quote in plain text": line(6, '      - A "council" exists.\n'),
    "a block text": line(6, "      - |\n        It's \"open\n        and 'open\n"),
    "a folded text": line(6, "      - >\n        It's \"open\n"),
    "a comment": line(6, "      - Migrants have access. # it's \"odd\n"),
    "a quoted flow list": line(10, '    well_developed: ["A council, or two, exists."]\n'),
}


@pytest.mark.parametrize("case", list(VALID))
def test_legitimate_quotes_stay_valid(case, tmp_path, capsys):
    content = make_tree(tmp_path, {"en.yaml": VALID[case]})
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    assert "YAML" not in err


def test_the_kazakhstan_profile_with_an_open_quote(tmp_path, capsys):
    """The shipped profile, a finding's opening quote added without its closing one:
    YAML gives up 16 lines further down (at a quote inside a later finding); the
    error names the finding's own line."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "kazakhstan", content / "kazakhstan")
    en = content / "kazakhstan" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    for quote, gave_up in (('"', 32), ("'", 35)):
        start = text.index("      - Immigrants are guaranteed") + len("      - ")
        opened = text.count("\n", 0, start) + 1
        en.write_text(text[:start] + quote + text[start:], encoding="utf-8")
        code, err = run(capsys, "check", "--content", content)
        assert code == 1, err
        assert_only_located(err)
        found = located_lines(err)
        assert len(found) == 1 and found[0].endswith(
            f"/kazakhstan/en.yaml:{opened}:9: "
            + NEVER_CLOSED.format(q=quote, where=f"on line {gave_up}")), err
        assert gave_up - opened >= 14
