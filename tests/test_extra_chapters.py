"""Extra chapters (issue 22, item 3): profile.yaml's `chapters` places a
profile's own chapters before or after a standard chapter, or at the end; each
language file gives their titles and texts (`chapters: {id: {title, text}}`).

Read back from the example `examples/strelsau` (a Summary before the
objectives, an Annex at the end), in English and Arabic and in every edition:
the contents entries and the bookmarks in their places, the chapters' text
and their citations as footnotes, numbered through the document. Every wrong
declaration or text is a located error, all in one run, in `check` and
`build`; the translation review and the stamps see the chapters' texts.
"""

from __future__ import annotations

import pytest

from mgi_report.cli import main
from mgi_report.compose import extra
from mgi_report.resources import ROOT
from mgi_report.text.i18n import translations
from mgitree import DE, LANG, PROFILE, assert_only_located, located_lines, make_tree, run
from pdfread import flat, outline, page_texts

EXAMPLES = ROOT / "examples"
TITLES = {"en": ("Summary", "Annex: the local MGI and the city\u2019s competences"),
          "ar": ("ملخص", "مرفق: مؤشرات حوكمة الهجرة المحلية واختصاصات المدينة")}


@pytest.fixture(scope="module")
def strelsau(built):
    return lambda lang: built.editions("strelsau", lang, content=EXAMPLES)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_bookmarks_put_the_summary_first_and_the_annex_last(strelsau, lang):
    _ = translations(lang).gettext
    summary, annex = TITLES[lang]
    for edition, path in strelsau(lang).items():
        chapters = [t.replace("\xa0", " ") for level, t in outline(path) if level == 1]
        assert chapters[:2] == [summary, _("Objectives")], edition
        assert chapters[-2:] == [_("List of acronyms"), annex], edition


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_contents_list_them_in_their_places_with_page_numbers(strelsau, lang):
    _ = translations(lang).gettext
    summary, annex = TITLES[lang]
    for edition, path in strelsau(lang).items():
        pages = [flat(t) for t in page_texts(path)]
        contents = next(p for p in pages if _("Contents") in p and _("Objectives") in p)
        # (pypdf gives Arabic lines in their own order; the words, not the line, are compared)
        first = contents.index(summary.split(":")[0])
        assert first < contents.index(_("Objectives")), edition
        assert contents.index(_("List of acronyms")) < contents.index(annex.split(":")[0]), \
            edition
        summary_page = next(n for n, p in enumerate(pages) if p.startswith(summary) or
                            f" {summary} " in p and n > pages.index(contents))
        assert summary_page == pages.index(contents) + 1, edition  # the page after contents


def test_the_chapters_print_their_text_and_cite_as_the_others_do(strelsau):
    pages = [flat(t) for t in page_texts(strelsau("en")["screen"])]
    summary = next(p for p in pages if p.startswith("Summary"))
    assert "This summary is part of a fictional example." in summary
    # its first citation: the note at the foot of the page, the source in full, note 1
    assert "1. City of Strelsau, Strelsau Integration Strategy 2023\u20132027, 2023 " \
        "(fictional)." in summary
    annex = pages[[n for n, p in enumerate(pages) if "Annex: the local MGI" in p][-1]]
    assert "The local Migration Governance Indicators cover only what a city can decide." \
        in annex
    # cited before (the introduction): the short text, with the next number
    assert 'Law \u201cOn Local Self-Government\u201d, 2009.' in annex


def test_slots_follow_the_declared_places():
    assert extra.slot("before", "objectives") == "objectives"
    assert extra.slot("after", "introduction") == "framework"
    assert extra.slot("after", "acronyms") == "end"
    assert extra.slot("at", "end") == "end"


# ------------------------------------------------------------- located errors

SUMMARY = "chapters:\n  summary:\n    title: Summary\n    text: A summary.[^x]\n"
WITH_SOURCE = "sources:\n  - id: x\n    text: A source.\n"


def test_every_bad_declaration_or_text_is_located_in_one_run(tmp_path, capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE + (
            "chapters:\n"                       # line 4
            "  - id: summary\n"                 # 5
            "    before: objectivs\n"           # 6: unknown place
            "  - id: summary\n"                 # 7: twice
            "    at: end\n"
            "  - id: annex\n"                   # 9
            "    at: start\n"                   # 10: `at` takes only end
            "  - id: Bad Id\n"                  # 11
            "    after: findings\n"
            "  - id: notes\n"                   # 13: no place
        ),
        "en.yaml": LANG + SUMMARY.replace("summary:", "summery:").replace("[^x]", ""),
    })
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    shown = f"{content}/testland/profile.yaml"
    lines = located_lines(err)
    expected = [
        (6, 13, "`before` names no standard chapter: `objectivs`; did you mean `objectives`?"),
        (7, 9, "the chapter `summary` is declared twice (first in entry 1 of `chapters`)"),
        (10, 9, "`at` takes only `end`: `start`"),
        (11, 9, "the chapter id `Bad Id` must be lowercase letters"),
        (13, 5, "entry 5 of `chapters` needs exactly one of `after: <chapter>`"),
    ]
    for line, col, message in expected:
        assert any(x.startswith(f"{shown}:{line}:{col}: {message}") for x in lines), \
            (line, message, err)
    # and, in the same run, what the language files say of the chapters
    n = len(LANG.splitlines())
    assert f"{content}/testland/en.yaml:{n + 2}:3: the chapter `summery` is not declared " \
        "in profile.yaml's `chapters` (declared: annex, notes, summary)" in err
    assert f"{content}/testland/de.yaml:1:1: no text for the chapter `summary`" in err


def test_a_missing_text_and_an_undeclared_one_are_located_in_check_and_build(tmp_path,
                                                                          capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE + "chapters:\n  - id: summary\n    after: introduction\n",
        "en.yaml": LANG + WITH_SOURCE + SUMMARY.replace("summary:", "summery:"),
        "de.yaml": DE,
    })
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    en = f"{content}/testland/en.yaml"
    n = len((LANG + WITH_SOURCE).splitlines())
    assert f"{en}:{n + 1}:1: no text for the chapter `summary` (profile.yaml declares it)" \
        in err
    assert f"{en}:{n + 2}:3: the chapter `summery` is not declared in profile.yaml's " \
        "`chapters` (declared: summary)" in err
    assert f"{content}/testland/de.yaml:1:1: no text for the chapter `summary`" in err
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", tmp_path / "out.pdf")
    assert code == 1 and not (tmp_path / "out.pdf").exists()
    assert f"{en}:{n + 2}:3: the chapter `summery` is not declared" in err
    assert f"{en}:{n + 1}:1: no text for the chapter `summary`" in err


def test_a_chapter_text_cites_by_known_ids_and_needs_title_and_text(tmp_path, capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE + "chapters:\n  - id: summary\n    at: end\n",
        "en.yaml": LANG + SUMMARY.replace("[^x]", "[^nope]").replace(
            "    title: Summary\n", ""),
        "de.yaml": DE + SUMMARY.replace("[^x]", ""),
    })
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    n = len(LANG.splitlines())
    assert f"en.yaml:{n + 3}:5: missing key `title` in chapter `summary`" in err
    assert f"en.yaml:{n + 3}:21: the citation `[^nope]` names no source" in err


def test_a_chapter_prints_builds_and_is_reviewed_as_a_text(tmp_path, capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE + "chapters:\n  - id: summary\n    after: introduction\n",
        "en.yaml": LANG + WITH_SOURCE + SUMMARY.replace(
            "A summary.", "The summary of this profile, in English."),
        # the translation left the chapter's text in English: the review says so
        "de.yaml": DE + WITH_SOURCE.replace("A source.", "Eine Quelle.") + SUMMARY.replace(
            "A summary.", "The summary of this profile, in English.").replace(
            "title: Summary", "title: Zusammenfassung"),
    })
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    n = len((DE + WITH_SOURCE).splitlines())
    assert f"de.yaml:{n + 4}:11: `chapters.summary.text` is the source's text as it is " \
        in err, err
    out = tmp_path / "out.pdf"
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", out)
    assert code == 0, err
    pages = [flat(t) for t in page_texts(out)]
    titles = [t.replace("\xa0", " ") for level, t in outline(out) if level == 1]
    assert titles.index("Summary") == titles.index("Introduction") + 1
    assert any("The summary of this profile, in English." in p and "A source." in p
               for p in pages)
    # a changed chapter text makes the stamped translation out of date
    assert run(capsys, "stamp", "testland", "--lang", "de", "--content", content)[0] == 0
    en = content / "testland" / "en.yaml"
    en.write_text(en.read_text().replace("in English", "in plain English"))
    code, err = run(capsys, "check", "--content", content)
    assert "out of date" in err, err
    assert "chapters.summary.text, changed: " in err and "{+plain+}" in err, err


def test_diff_and_the_review_pdf_name_a_changed_chapter(tmp_path, capsys):
    import subprocess

    content = make_tree(tmp_path, {
        "profile.yaml": PROFILE + "chapters:\n  - id: summary\n    at: end\n",
        "en.yaml": LANG + WITH_SOURCE + SUMMARY, "de.yaml": DE + WITH_SOURCE + SUMMARY})
    git = ["git", "-C", str(tmp_path), "-c", "user.name=Editor",
           "-c", "user.email=editor@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "validated"], check=True)
    en = content / "testland" / "en.yaml"
    en.write_text(en.read_text().replace("A summary.", "A short summary."))
    assert main(["diff", "testland", "--lang", "en", "--since", "HEAD",
                 "--content", str(content)]) == 0
    assert "chapters.summary.text, changed: A {+short+} summary." in capsys.readouterr().out
    out = tmp_path / "review.pdf"
    code, err = run(capsys, "review", "testland", "--lang", "en", "--since", "HEAD",
                    "--content", content, "-o", out)
    assert code == 0, err
    assert "Summary: A short summary." in flat(page_texts(out)[1])
