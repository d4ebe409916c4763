"""The review PDF and `diff` (issue 13): the changes since a git revision, for a
validation round, on a real two-commit history, read back from the PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from mgi_report.cli import main
from mgi_report.resources import DEFAULT_CONTENT
from mgitree import run

INS, DEL = (0.043, 0.31, 0.541), (0.541, 0.11, 0.11)  # the marks' colours (profile.css)


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Editor",
                    "-c", "user.email=editor@example.org", *args], check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A content repository: the shipped Kazakhstan profile, then a revision of
    its English findings (one removed, one added, two changed)."""
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(DEFAULT_CONTENT, repo / "content")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "as validated")
    en = repo / "content" / "kazakhstan" / "en.yaml"
    text = en.read_text()
    for old, new in [
            ("Migrant workers are not covered by the law",
             "Migrant workers are still not covered by the law"),
            ("      - There is a favourable framework for achieving long-term residency.\n", ""),
            ("    potential:\n      - Irregular and undocumented",
             "    potential:\n      - A national action plan on migrant health is being "
             "drafted.\n      - Irregular and undocumented"),
            ("Policy coherence between different government entities could be\n"
             "        strengthened.",
             "Policy coherence between the ministries could be strengthened\n"
             "        through a national coordination council.")]:
        assert old in text
        text = text.replace(old, new, 1)
    en.write_text(text)
    _git(repo, "commit", "-qam", "revised")
    return repo / "content"


def test_diff_prints_each_change_word_by_word(history, capsys):
    assert main(["diff", "kazakhstan", "--lang", "en", "--since", "HEAD~1",
                 "--content", str(history)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("en.yaml: 4 change(s) since HEAD~1")
    assert out[1].strip().startswith("migrants_rights.well_developed, entry 3 before, removed: "
                                     "There is a favourable framework")
    assert "migrants_rights.potential, entry 1, added: A national action plan" in out[2]
    assert "Migrant workers are {+still+} not covered" in out[3]
    assert "Policy coherence between [-different government entities-] {+the ministries+}" \
        in out[4]
    assert main(["diff", "--since", "HEAD", "--content", str(history)]) == 0
    assert "no change since HEAD" in capsys.readouterr().out


def _marked_words(pdf) -> dict[tuple, list[str]]:
    """Text drawn per fill colour (RGB rounded), read from the content streams."""
    from pypdf import PdfReader

    found: dict[tuple, list[str]] = {}
    for page in PdfReader(pdf).pages:
        fill = [None]

        def before(op, args, cm, tm):
            if op in (b"rg", b"sc", b"scn") and len(args) == 3:
                fill[0] = tuple(round(float(a), 3) for a in args)

        def text(t, cm, tm, font, size):
            if t.strip():
                found.setdefault(fill[0], []).append(t)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def test_the_review_pdf_marks_every_change(history, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "review.pdf"
    assert main(["review", "kazakhstan", "--lang", "en", "--since", "HEAD~1",
                 "--content", str(history), "-o", str(out)]) == 0
    pages = [p.extract_text() for p in PdfReader(out).pages]
    summary = " ".join(pages[1].split())
    assert summary.startswith("Changes since HEAD~1")
    assert "Well-developed areas, finding 3 (as it was): There is a favourable" in summary
    assert "Areas with potential for further development, finding 1: A national action plan" \
        in summary
    assert "Partnerships No change." in summary
    marked = _marked_words(out)
    inserted = " ".join(marked.get(INS, []))
    deleted = " ".join(marked.get(DEL, []))
    assert "still" in inserted and "the ministries" in inserted
    assert "A national action plan" in inserted
    assert "different government entities" in deleted
    assert "There is a favourable framework" in deleted
    assert "Irregular and undocumented" not in inserted + deleted  # unchanged: unmarked
    # the signs stand in the side column, beside their findings
    text = " ".join(" ".join(p.split()) for p in pages[2:])
    for sign in ("+", "±", "–"):
        assert sign in text
    # one sign per change, in the side column: one removed, one added, two changed
    assert sorted(_signs_in_margin(out)) == sorted(["–", "+", "±", "±"])


def _signs_in_margin(pdf) -> list[str]:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from typeset import MM, pages

    # the side column: inside the text block (20 mm), left of the findings'
    # marks hung in the gutter before the text column (74 mm)
    return [w.text for page in pages(pdf) for line in page.lines for w in line.words
            if w.text in ("+", "±", "–") and 20 * MM < w.x0 and w.x1 < 68 * MM]


def test_review_outside_git_or_for_an_unknown_revision_is_a_usage_error(history, tmp_path,
                                                                         capsys):
    code, err = run(capsys, "review", "kazakhstan", "--lang", "en", "--since", "nope",
                    "--content", history, "-o", tmp_path / "r.pdf")
    assert code == 2 and "unknown git revision `nope`" in err
    assert not (tmp_path / "r.pdf").exists()
    plain = tmp_path / "plain"
    shutil.copytree(history, plain)
    code, err = run(capsys, "diff", "--since", "HEAD", "--content", plain)
    assert code == 2 and "is not inside a git repository" in err
