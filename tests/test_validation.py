"""Bad content never yields a PDF: every problem is located, all at once, exit 1.

Each case is run through the command line (``mgi_report.cli.main``) as a
build of the small ``testland`` tree (tests/mgitree.py), whose line numbers
are known. Nothing here renders: validation fails before anything is drawn.
"""

from __future__ import annotations

import os
import random

import pytest

from mgi_report.content import parse
from mgi_report.content.yamlsource import MAX_DEPTH, MAX_FILE_BYTES
from mgitree import LANG, LOCATED, PROFILE, assert_only_located, located_lines, make_tree, run

L = LANG.splitlines(keepends=True)


def line(n: int, new: str) -> str:
    """LANG with line n (1-based) replaced."""
    lines = L[:]
    lines[n - 1] = new
    return "".join(lines)


DE_WITH = LANG.replace("short_name: Testland", "short_name: Testland\ntranslation_of: {}", 1)

#: name -> (files to write, expected `file:line:col: message` fragments)
CASES = {
    "yaml syntax error": (
        {"en.yaml": line(6, "      - [unclosed\n")},
        ["en.yaml:6:9: YAML syntax error: a bracket opened here (`[` … `]`) is not closed, or "
         "its items lack commas; if the bracket belongs to the text, put the whole text in "
         "double quotes"]),
    "unclosed quote": (
        {"en.yaml": LANG.replace("short_name: Testland", 'short_name: "Testland')},
        ['en.yaml:2:13: YAML syntax error: the quote `"` opened here is never closed: end the '
         "text with the same quote, or remove it"]),
    "text after its closing quote": (
        {"en.yaml": line(6, '      - "Migrants" have access to primary education.\n')},
        ["en.yaml:6:20: YAML syntax error: the text goes on after its closing quote: a text "
         "that starts with a quote must be quoted whole"]),
    "indentation": (
        {"en.yaml": LANG.replace("  whole_of_government:", "   whole_of_government:")},
        ["en.yaml:9:4: YAML syntax error: this line's indentation does not match the lines "
         "above"]),
    "duplicate key": (
        {"en.yaml": LANG + "country: Again\n"},
        ["en.yaml:24:1: duplicate key `country` (first given on line 1)"]),
    "duplicate finding list": (
        {"en.yaml": line(7, "    well_developed:\n")},
        ["en.yaml:7:5: duplicate key `well_developed` (first given on line 5)"]),
    "tab": (
        {"en.yaml": line(11, "\tpotential: []\n")},
        ["en.yaml:11:1: YAML syntax error: a tab indents this line: YAML is indented with "
         "spaces only"]),
    "number for a finding": (
        {"en.yaml": line(6, "      - 42\n")},
        ["en.yaml:6:9: entry 1 of `migrants_rights.well_developed` must be text, not a number",
         'to print it as text, put it in double quotes: "42"']),
    "colon in a finding": (
        {"en.yaml": line(6, "      - Note: the law applies.\n")},
        ["en.yaml:6:9: entry 1 of `migrants_rights.well_developed` must be text, not a mapping; "
         "a text with a colon and a space (`Note: …`) reads as a key and its value: put the "
         "whole text in double quotes"]),
    "mapping for a list": (
        {"en.yaml": line(10, "    well_developed: {a: b}\n")},
        ["en.yaml:10:21: `whole_of_government.well_developed` must be a list, not a mapping"]),
    "list for a text": (
        {"en.yaml": line(1, "country: [Testland]\n")},
        ["en.yaml:1:10: `country` must be text, not a list"]),
    "bool for a finding": (
        {"en.yaml": line(8, "      - yes\n")},
        ["en.yaml:8:9: entry 1 of `migrants_rights.potential` must be text, not true/false",
         'put it in double quotes: "yes"']),
    "date for a finding": (
        {"en.yaml": line(8, "      - 2018-05-01\n")},
        ["en.yaml:8:9: entry 1 of `migrants_rights.potential` must be text, not a date"]),
    "custom tag": (
        {"en.yaml": line(2, "short_name: !!python/object:os.system x\n")},
        ["en.yaml:2:13: the YAML tag `!!python/object:os.system` is not allowed"]),
    "unknown key with suggestion": (
        {"en.yaml": line(5, "    well_developd:\n")},
        ["en.yaml:5:5: unknown key `well_developd` in domain `migrants_rights`; "
         "did you mean `well_developed`?",
         "en.yaml:5:5: missing key `well_developed` in domain `migrants_rights`"]),
    "unknown top-level key": (
        {"en.yaml": LANG + "sorces: []\n"},
        ["en.yaml:24:1: unknown key `sorces` in en.yaml; did you mean `sources`?"]),
    "truncated domain key": (
        {"en.yaml": line(21, "  safe_orderly:\n")},
        ["en.yaml:21:3: unknown key `safe_orderly` in `domains`; "
         "did you mean `safe_orderly_regular_migration`?"]),
    "missing domain": (
        {"en.yaml": "".join(L[:20])},
        ["en.yaml:4:3: missing key `safe_orderly_regular_migration` in `domains`"]),
    "extra domain": (
        {"en.yaml": LANG + "  health:\n    well_developed: []\n    potential: []\n"},
        ["en.yaml:24:3: unknown key `health` in `domains`; expected one of: migrants_rights"]),
    "domain is null": (
        {"en.yaml": "".join(L[:8]) + "  whole_of_government:\n" + "".join(L[11:])},
        ["en.yaml:9:23: domain `whole_of_government` must be a mapping of keys to values, "
         "not nothing (null)"]),
    "missing required keys": (
        {"en.yaml": "".join(L[2:])},
        ["en.yaml:1:1: missing key `country` in en.yaml",
         "en.yaml:1:1: missing key `short_name` in en.yaml"]),
    "top level is a list": (
        {"en.yaml": "- country\n- short_name\n"},
        ["en.yaml:1:1: en.yaml must be a mapping of keys to values, not a list"]),
    "empty file": (
        {"en.yaml": ""},
        ["en.yaml:1:1: the file is empty"]),
    "only comments": (
        {"en.yaml": "# nothing yet\n\n"},
        ["en.yaml:1:1: the file is empty"]),
    "not UTF-8": (
        {"en.yaml": b"country: Caf\xe9\n" + LANG.encode()[30:]},
        ["en.yaml:1:13: not UTF-8 text (byte 0xe9); save the file as UTF-8"]),
    "UTF-16": (
        {"en.yaml": LANG.encode("utf-16")},
        ["en.yaml:1:1: not UTF-8 text (byte 0xff)"]),
    "binary garbage": (
        {"en.yaml": random.Random(1).randbytes(3000)},
        ["en.yaml:1:1: not UTF-8 text (byte 0xf5); save the file as UTF-8"]),
    "NUL byte": (
        {"en.yaml": line(2, "short_name: Test\0land\n")},
        ["en.yaml:2:17: control character U+0000: this is not a text file"]),
    "C1 control character": (
        {"en.yaml": line(2, "short_name: Test\x80land\n")},
        ["en.yaml:2:17: character U+0080 is not allowed in YAML: this is not a text file"]),
    "control character by escape": (
        {"en.yaml": line(2, 'short_name: "Test\\aland"\n')},
        ["en.yaml:2:13: `short_name` contains the character U+0007, which cannot be printed"]),
    "lone surrogate by escape": (
        {"en.yaml": line(6, '      - "broken \\ud800 text"\n')},
        ["en.yaml:6:9: entry 1 of `migrants_rights.well_developed` contains the character "
         "U+D800, which cannot be printed"]),
    "deep nesting": (
        {"en.yaml": "country: " + "[" * 50_000 + "]" * 50_000 + "\n"},
        [f"en.yaml:1:29: YAML syntax error: nested more than {MAX_DEPTH} levels deep"]),
    "bad published month": (
        {"profile.yaml": PROFILE.replace("2018-05", "2018-13")},
        ["profile.yaml:2:12: `published` must be a year (1900-2100) and month like `2018-05`, "
         "not `2018-13`"]),
    "published as a full date": (
        {"profile.yaml": PROFILE.replace("2018-05", "2018-05-01")},
        ["profile.yaml:2:12: `published` must be a year (1900-2100) and month like `2018-05`, "
         "not `2018-05-01`"]),
    "published year 0": (
        {"profile.yaml": PROFILE.replace("2018-05", "0000-05")},
        ["profile.yaml:2:12: `published` must be a year (1900-2100) and month"]),
    "published missing": (
        {"profile.yaml": PROFILE.replace("published: 2018-05\n", "")},
        ["profile.yaml:1:1: missing key `published` in profile.yaml"]),
    "unknown translation_of": (
        {"de.yaml": DE_WITH.format("fr")},
        ["de.yaml:3:17: `translation_of` is `fr` but there is no fr.yaml "
         "(languages here: de, en)"]),
    "translation_of itself": (
        {"de.yaml": DE_WITH.format("de")},
        ["de.yaml:3:17: `translation_of` names this file's own language `de`"]),
    "translation_of in the source language's file": (
        {"en.yaml": DE_WITH.format("de")},
        ["en.yaml:3:17: `translation_of` in the source language's file (profile.yaml: "
         "`source_language: en`); the original is no translation"]),
    "translation_of not a code": (
        {"de.yaml": DE_WITH.format("English")},
        ["de.yaml:3:17: `translation_of` must be a two-letter ISO 639-1 code like `en`, "
         "not `English`"]),
    "empty country": (
        {"de.yaml": DE_WITH.format("en").replace("Republic of Testland", '""')},
        ["de.yaml:1:10: `country` is empty"]),
    "blank country": (
        {"de.yaml": DE_WITH.format("en").replace("Republic of Testland", "'   '")},
        ["de.yaml:1:10: `country` is empty"]),
    "null country": (
        {"de.yaml": DE_WITH.format("en").replace(" Republic of Testland", "")},
        ["de.yaml:1:9: `country` must be text, not nothing (null)"]),
    "draft not a bool": (
        {"en.yaml": LANG + "draft: maybe\n"},
        ["en.yaml:24:8: `draft` must be true or false, not text"]),
    "finding of 1 MB": (
        {"en.yaml": line(6, "      - " + "x" * 1_000_000 + "\n")},
        [f"en.yaml:1:1: the file is {len(line(6, '      - ' + 'x' * 1_000_000 + chr(10))):,} bytes; "
         "the limit is 1,000,000"]),
    "finding over the text limit": (
        {"en.yaml": line(6, "      - " + "x" * (parse.MAX_TEXT_CHARS + 1) + "\n")},
        ["en.yaml:6:9: entry 1 of `migrants_rights.well_developed` is 4,001 characters long; "
         "the limit is 4,000"]),
    "introduction over its limit": (
        {"en.yaml": LANG + "introduction: " + "y" * (4 * parse.MAX_TEXT_CHARS + 1) + "\n"},
        ["en.yaml:24:15: `introduction` is 16,001 characters long; the limit is 16,000"]),
    "10,000 findings": (
        {"en.yaml": line(6, "      - x\n" * 10_000)},
        ["en.yaml:6:7: `migrants_rights.well_developed` has 10,000 entries; the limit is 100"]),
    "101 findings": (
        {"en.yaml": line(6, "      - x\n" * (parse.MAX_FINDINGS + 1))},
        ["en.yaml:6:7: `migrants_rights.well_developed` has 101 entries; the limit is 100"]),
    "201 sources": (
        {"en.yaml": LANG + "sources:\n" + "  - s\n" * (parse.MAX_SOURCES + 1)},
        ["en.yaml:25:3: `sources` has 201 entries; the limit is 200"]),
    "logo outside the folder": (
        {"profile.yaml": PROFILE + "logo: ../../../etc/hostname\n"},
        ["profile.yaml:4:7: `logo` must name a file inside testland/, and "
         "`../../../etc/hostname` is not one"]),
    "logo that is not an image": (
        {"profile.yaml": PROFILE + "logo: logo.png\n", "logo.png": b"GIF89a not a png"},
        ["profile.yaml:4:7: `logo` logo.png: not a PNG image"]),
    "logo that refers outside": (
        {"profile.yaml": PROFILE + "logo: logo.svg\n",
         "logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"'
                     ' width="9" height="9"/></svg>'},
        ["profile.yaml:4:7: `logo` logo.svg: refers to `file:///etc/passwd`; a logo must not "
         "refer to other files or URLs"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_content_is_located_exit_1_and_writes_nothing(case, tmp_path, capsys):
    files, expected = CASES[case]
    content = make_tree(tmp_path, files)
    out = tmp_path / "out.pdf"
    # A build reads the files its PDF is made from: profile.yaml and its language's file.
    lang = "de" if "de.yaml" in files else "en"
    code, err = run(capsys, "build", "testland", "--lang", lang, "--content", content, "-o", out)
    assert code == 1, err
    assert_only_located(err)
    for fragment in expected:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    for jargon in ("scalar", "block collection", "mapping values", "<block end>", "token"):
        assert jargon not in err  # an editor's words, not PyYAML's
    assert not out.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_limits_themselves_are_accepted(tmp_path, capsys):
    """Exactly at every limit is valid (``check`` validates without rendering)."""
    longest = "x" * parse.MAX_TEXT_CHARS
    en = (line(6, f"      - {longest}\n" * parse.MAX_FINDINGS) + "sources:\n" +
          "  - s\n" * parse.MAX_SOURCES + "introduction: " + "y" * 4 * parse.MAX_TEXT_CHARS)
    assert len(en.encode()) <= MAX_FILE_BYTES
    content = make_tree(tmp_path, {"en.yaml": en})
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err


def test_every_problem_in_every_file_at_once_sorted_by_path_and_line(tmp_path, capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE.replace("2018-05", "May 2018").replace("XTS", "Testland"),
        "en.yaml": line(6, "      - 42\n") + "country: Again\n",
        "de.yaml": DE_WITH.format("fr").replace("  wellbeing:", "  wellbeeing:"),
    })
    # `check` reads every file of the tree (a build reads only its own language's).
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    got = located_lines(err)
    tails = [g.split("testland/", 1)[1] for g in got]
    assert tails[:2] == ["de.yaml:3:17: `translation_of` is `fr` but there is no fr.yaml "
                         "(languages here: de, en)",
                         "de.yaml:5:3: missing key `wellbeing` in `domains`"]
    assert tails[2].startswith("de.yaml:16:3: unknown key `wellbeeing` in `domains`; "
                               "did you mean `wellbeing`?")
    assert tails[3:] == [
        "en.yaml:6:9: entry 1 of `migrants_rights.well_developed` must be text, not a number "
        '(YAML reads `42` so); to print it as text, put it in double quotes: "42"',
        "en.yaml:24:1: duplicate key `country` (first given on line 1)",
        "profile.yaml:1:7: `iso3` must be three capital letters like `KAZ`, not `Testland`",
        "profile.yaml:2:12: `published` must be a year (1900-2100) and month like `2018-05`, "
        "not `May 2018`"]
    keys = [(m["path"], int(m["line"])) for m in map(LOCATED.match, got)]
    assert keys == sorted(keys)
    assert err.strip().endswith("7 problems in the content")  # check writes nothing anyway
    # a build of de reports the problems of the files it reads, all at once
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "de", "--content", content, "-o", out)
    assert code == 1 and not out.exists()
    assert err.strip().endswith("problems in the content; nothing was written")
    assert [g.split("testland/", 1)[1] for g in located_lines(err)] == [
        t for t in tails if not t.startswith("en.yaml")]


def test_check_reports_every_country(tmp_path, capsys):
    content = make_tree(tmp_path, {"en.yaml": ""})
    other = content / "otherland"
    other.mkdir()
    (other / "profile.yaml").write_text("iso3: XOT\npublished: 2019-13\nsource_language: en\n")
    (other / "en.yaml").write_text(LANG)
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    assert "otherland/profile.yaml:2:12: `published`" in err
    assert "testland/en.yaml:1:1: the file is empty" in err


def test_a_link_that_leaves_the_content_tree_is_refused(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "en.yaml").write_text(LANG)  # valid, but not ours to read
    content = make_tree(tmp_path / "tree")
    (content / "testland" / "en.yaml").unlink()
    (content / "testland" / "en.yaml").symlink_to(outside / "en.yaml")
    (content / "elsewhere").symlink_to(outside, target_is_directory=True)
    (outside / "profile.yaml").write_text(PROFILE)
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    assert (f"testland/en.yaml:1:1: the file is a link to {outside / 'en.yaml'}, outside the "
            "content tree") in err
    assert f"elsewhere/profile.yaml:1:1: the file is a link to {outside / 'profile.yaml'}" in err
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content, "-o", out)
    assert code == 1 and "outside the content tree" in err and not out.exists()


def test_a_link_inside_the_tree_is_fine(tmp_path, capsys):
    content = make_tree(tmp_path)
    (content / "testland" / "de.yaml").unlink()
    (content / "testland" / "de.yaml").symlink_to("en.yaml")
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err


def test_a_fifo_is_not_read(tmp_path, capsys):
    """A named pipe would block the build forever; it is reported instead."""
    content = make_tree(tmp_path)
    (content / "testland" / "en.yaml").unlink()
    os.mkfifo(content / "testland" / "en.yaml")
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert "testland/en.yaml:1:1: not a regular file" in err


# ----------------------------------------------------------------- exit codes


@pytest.mark.parametrize("argv, message", [
    (["build", "testland"], "--lang"),
    (["build", "testland", "--lang", "de", "--edition", "poster"], "unknown edition `poster`"),
    (["build", "atlantis", "--lang", "de"], "no country `atlantis`"),
    (["build", "testland", "--lang", "fr"], "no `fr` findings for testland"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors_exit_2(argv, message, tmp_path, capsys):
    content = make_tree(tmp_path)
    extra = ["--content", str(content)] if argv[0] == "build" and len(argv) > 2 else []
    code, err = run(capsys, *argv, *extra)
    assert code == 2
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("verbose", [False, True])
def test_an_internal_error_is_one_line_and_exit_3(verbose, tmp_path, capsys, monkeypatch):
    from mgi_report import pipeline as builder

    def broken(*args, **kwargs):
        raise ZeroDivisionError("something nobody foresaw\nsecond line")

    monkeypatch.setattr(builder, "build_editions", broken)
    content = make_tree(tmp_path)
    argv = ["build", "testland", "--lang", "de", "--content", content]
    code, err = run(capsys, *(argv + ["-v"] if verbose else argv))
    assert code == 3
    last = err.strip().splitlines()[-1]
    assert last.startswith("mgi-report: internal error: ZeroDivisionError: "
                           "something nobody foresaw")
    if verbose:
        assert "Traceback (most recent call last)" in err
    else:
        assert err.strip() == last and "-v" in last
