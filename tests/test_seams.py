"""Typed seams (issue 20, point 3): a build carries typed values, not a dict
merged over the layout's context, and an edition does what its spec's fields
say, never what its name is compared with."""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from pathlib import Path

import pytest

from mgi_report import SPECS, Job, Request, build, prepare
from mgi_report.cli import main
from mgi_report.errors import ContentError
from mgitree import LANG, edited_since_a_commit, make_tree

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mgi_report"


def test_a_job_carries_no_untyped_dict():
    hints = typing.get_type_hints(Job)
    assert "extra" not in hints and "tracked" in hints
    assert not [name for name, hint in hints.items() if "dict" in str(hint)]


def test_an_edition_refuses_a_draft_because_its_spec_says_so(tmp_path, monkeypatch):
    draft = LANG.replace("short_name: Testland\n", "short_name: Testland\ndraft: true\n", 1)
    req = Request("testland", "en", make_tree(tmp_path, {"en.yaml": draft}))
    prepare(req)  # the screen edition takes a draft
    monkeypatch.setitem(SPECS, "screen", dataclasses.replace(SPECS["screen"], drafts=False))
    with pytest.raises(ContentError) as err:
        prepare(req)
    [problem] = err.value.problems
    assert "the screen edition refuses `draft: true`" in problem.message


def test_the_review_pdf_marks_changes_but_is_not_the_profiles_page_count(tmp_path, capsys):
    """`stats` shows the page count of the profile's last build; the review PDF
    (its marks, its summary page) is another document and leaves it alone."""
    from pypdf import PdfReader

    content = edited_since_a_commit(tmp_path)
    profile = build(Request("testland", "en", content, tmp_path / "en.pdf"))
    pages = len(PdfReader(profile).pages)
    review = tmp_path / "review.pdf"
    assert main(["review", "testland", "--lang", "en", "--since", "HEAD",
                 "--content", str(content), "-o", str(review)]) == 0
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(review).pages)
    assert "Changes since HEAD" in text and "monthly" in text
    assert len(PdfReader(review).pages) > pages
    capsys.readouterr()
    assert main(["stats", "testland", "--json", "--content", str(content)]) == 0
    [row] = [r for r in json.loads(capsys.readouterr().out) if r["lang"] == "en"]
    assert row["pages"] == pages


#: A comparison with an edition's name ("print" == x, x in ("print", ...), ...).
NAME_COMPARED = re.compile(r"""(==|!=|\bin)\s*[(\[{]?\s*["'](screen|print|archive)["']"""
                           r"""|["'](screen|print|archive)["']\s*(==|!=)""")


def test_no_module_asks_an_editions_name():
    """Except the default output name, which is the edition's name."""
    asked = [f"{path.relative_to(PACKAGE)}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for line in path.read_text(encoding="utf-8").splitlines()
             if NAME_COMPARED.search(line)]
    assert asked == ['pipeline.py: suffix = "" if edition == "screen" else f"-{edition}"']
