"""Hostile text, round three (issue 29): what prints is what was written, for
citations and the review PDF; history says when it cannot read; `stamp` edits
only its own key; change lists stay about linear.

Every command here runs under the three witnesses of ``witness.py``. The
history commands run git, by design (read-only: ``git ls-tree`` and ``git
cat-file`` in the content's repository); those subprocesses, and the test's own
git commits, are taken off the audit's list (``git_only``), nothing else is.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
import yaml

from mgi_report.content import changes
from mgi_report.content.yamlsource import MAX_FILE_BYTES
from mgitree import DE, LANG, lang_yaml, make_tree, run, squash
from pdfread import page_texts
from witness import _AUDIT, assert_sentinel_absent, listener, outside, sentinel, witnessed  # noqa: F401

# ------------------------------------------------------------------ helpers


def notes_in(pdf: Path) -> int:
    """How many ``Note`` elements the PDF's structure tree holds."""
    count = 0
    with pikepdf.open(pdf) as doc:
        todo = [doc.Root.StructTreeRoot]
        while todo:
            node = todo.pop()
            if isinstance(node, pikepdf.Dictionary):
                count += node.get("/S") == "/Note"
                kids = node.get("/K")
                todo += list(kids) if isinstance(kids, pikepdf.Array) else \
                    [kids] if kids is not None else []
    return count


def calls_in(pdf: Path) -> list[list[int]]:
    """Per page, the footnote calls as drawn (superscript numbers of 6.2 pt)."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(pdf).pages:
        calls: list[int] = []

        def visit(text, cm, tm, font, size, calls=calls):
            pt = size * abs(tm[0] or 1) * abs(cm[0] or 1)
            if text.strip().isdigit() and 6.1 < pt < 6.3:
                calls.append(int(text))

        page.extract_text(visitor_text=visit)
        out.append(calls)
    return out


def links_in(pdf: Path) -> tuple[list[str], list[str]]:
    """The link annotations' URIs and named destinations, over all pages."""
    uris, dests = [], []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                if "/A" in annot and "/URI" in annot.A:
                    uris.append(str(annot.A.URI))
                elif "/Dest" in annot:
                    dests.append(str(annot.Dest))
    return uris, dests


def run_out(capsys, *argv) -> tuple[int, str, str]:
    """Call the command line: (exit code, stdout, stderr)."""
    from mgi_report.cli import main

    code = main([str(a) for a in argv])
    done = capsys.readouterr()
    return code, done.out, done.err


def build(capsys, content: Path, out: Path, lang: str = "en") -> tuple[int, str]:
    return run(capsys, "build", "testland", "--lang", lang, "--content", content, "-o", out)


# ----------------------------------------------------- 1. citations in text only

SOURCES = [{"id": "law", "text": "Law on Migration, 2011."},
           {"id": "other", "text": "Other Source, 2020."}]


def test_citations_are_found_in_text_only(tmp_path, capsys, sentinel, witnessed):
    """`[^id]` in a link's title or URL, in code or escaped is text as written;
    the link around such a title stays one link (it printed `">` and broke);
    only the citations in the text are notes, one per source."""
    findings = [
        'See [the law](https://example.org/law "About [^law] and more") today.',
        "The code `x[^law]y` stays code.",
        "Escaped \\[^law] stays text.",
        "A link to [the page](https://example.org/p[^other]) stays a link.",
        "Cited here[^law].",
        "And another[^other].",
        "Cited again[^law].",
    ]
    en = lang_yaml(findings={"migrants_rights": (findings, [])}, sources=SOURCES)
    content = make_tree(tmp_path, {"en.yaml": en})
    out = tmp_path / "out.pdf"
    code, err = build(capsys, content, out)
    assert code == 0, err
    pages = page_texts(out)
    flat = squash(" ".join(pages))
    assert '">' not in flat and "and more" not in " ".join(pages)  # the title is no text
    assert squash("See the law today.") in flat
    assert squash("The code x[^law]y stays code.") in flat
    assert squash("Escaped [^law] stays text.") in flat
    assert squash("A link to the page stays a link.") in flat
    uris, dests = links_in(out)
    assert "https://example.org/law" in uris
    assert any(u.startswith("https://example.org/p") for u in uris)
    # two sources cited three times: three notes, numbered in order; the law's
    # second citation is a note of its own that refers back to the first
    assert notes_in(out) == 3
    page = next(t for t in pages if "Cited here" in t)
    assert "here1." in page and "another2." in page and "again3." in page
    assert re.search(r"(?m)^1\.\s*Law on Migration, 2011\.", page)
    assert re.search(r"(?m)^2\.\s*Other Source, 2020\.", page)
    assert re.search(r"(?m)^3\.\s*See note 1\.", page)
    assert len(re.findall(r"Law on Migration, 2011\.", " ".join(pages))) == 2  # note, list
    assert not [d for d in dests if d.startswith("cite-")]
    assert sorted(n for calls in calls_in(out) for n in calls) == [1, 2, 3]
    assert_sentinel_absent(out, sentinel[1])


@pytest.mark.parametrize("finding", [
    "In code `[^nope]` only.",
    "Escaped \\[^nope] only.",
    'In a title [x](https://example.org "see [^nope]") only.',
    "In a URL [x](https://example.org/[^nope]) only.",
])
def test_what_is_no_citation_is_not_checked_as_one(finding, tmp_path, capsys, witnessed):
    """`check` and the build find citations where the PDF has them: `[^nope]`
    where it prints as written names no source, and is no error; nor is a
    source that has one in code (a source cannot cite)."""
    sources = [{"id": "law", "text": "The code `[^x]` of the law."}]
    en = lang_yaml(findings={"migrants_rights": ([finding], [])}, sources=sources)
    content = make_tree(tmp_path, {"en.yaml": en})
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    assert "names no source" not in err and "cites a source" not in err


def test_a_citation_in_text_beside_one_in_code_is_still_located(tmp_path, capsys, witnessed):
    en = LANG.replace("      - Migrants have access to primary education.\n",
                      "      - Code `[^nope]` is not cited, but this is[^nope].\n", 1)
    content = make_tree(tmp_path, {"en.yaml": en})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    located = [line for line in err.splitlines() if "names no source" in line]
    assert len(located) == 1 and "en.yaml:6:49: the citation `[^nope]`" in located[0], err


# --------------------------------------------- 2. a source cited again refers back

def test_a_long_source_cited_100_times_is_one_note(tmp_path, capsys, sentinel, witnessed):
    """One source of 3,990 characters cited 100 times in a finding: its text set
    once (with the list of sources: twice in the PDF, not 101 times); the 99
    later citations are notes of their own saying "See note 1." (issue 21), each
    on the page of its call. (Before issue 29: 93 s and 10 extra pages.)"""
    marker = "Unique-Source-Marker"
    source = (marker + " " + "a very long source title, " * 160)[:3989].strip() + "."
    finding = " ".join(f"Claim {i} holds[^s]." for i in range(100))
    en = lang_yaml(findings={"migrants_rights": ([finding], [])},
                   sources=[{"id": "s", "text": source}])
    content = make_tree(tmp_path, {"en.yaml": en})
    out = tmp_path / "out.pdf"
    code, err = build(capsys, content, out)
    assert code == 0, err
    pages = page_texts(out)
    assert sum(t.count(marker) for t in pages) == 2  # the note and the list of sources
    assert notes_in(out) == 100
    calls = calls_in(out)
    assert [n for page in calls for n in page] == list(range(1, 101))
    noted = [i for i, t in enumerate(pages) if re.search(rf"(?m)^1\.\s*{marker}", t)]
    assert noted == [next(i for i, page in enumerate(calls) if page)]  # beside its first call
    for i, page in enumerate(calls):
        for n in page[1:] if i == noted[0] else page:
            if n > 1:
                assert re.search(rf"(?m)^{n}\.\s*See note 1\.", pages[i]), (i, n)
    assert len(pages) <= 24  # 22: the long source twice, not 101 times (it was 32)
    assert_sentinel_absent(out, sentinel[1])


# ------------------------------------------ 3. the change list stays about linear

def _long_findings(seed: int, n: int = 100) -> list[str]:
    """Findings of nearly 4,000 characters (the limit), some 500 words from a
    vocabulary with a natural spread (a few words very often)."""
    rng = random.Random(seed)
    vocab = [f"{w}{i}" for i, w in enumerate(["policy", "migrant", "law", "the", "of", "and",
                                              "rights", "labour", "work", "state"] * 40)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    out = []
    for _ in range(n):
        words = rng.choices(vocab, weights, k=600)
        text = " ".join(words)[:3_950]
        out.append(text.rsplit(" ", 1)[0] + ".")
    return out


class _Counting:
    """difflib.SequenceMatcher, counting what it is given: how many times it is
    made, and the steps of each first pass (for each word of one sequence, the
    equal words of the other it looks at)."""

    made = 0
    steps: list[int] = []

    def __init__(self, real):
        self.real = real

    def __call__(self, isjunk=None, a="", b="", autojunk=True):
        _Counting.made += 1
        counts = Counter(b)
        _Counting.steps.append(sum(counts[x] for x in a))
        return self.real(isjunk, a, b, autojunk)


@pytest.mark.parametrize("edit", ["one word each", "all rewritten"])
def test_the_change_list_after_a_stamp_stays_about_linear(edit, tmp_path, capsys,
                                                          monkeypatch, witnessed):
    """100 findings of ~4,000 characters against 100 old ones (past 120 s
    before): `check` names every change, and difflib is asked a few times per
    finding, each time within a bounded number of steps, not once per pair of
    findings (10,000 comparisons of whole findings before)."""
    old = _long_findings(1)
    new = [f.replace(" ", " changed ", 1) for f in old] if edit == "one word each" else \
        _long_findings(2)
    en_old = lang_yaml(findings={"migrants_rights": ([], old)})
    de = lang_yaml(country="Republik Testland", findings={"migrants_rights": ([], [])},
                   translation_of="en")
    content = make_tree(tmp_path, {"en.yaml": en_old, "de.yaml": de})
    code, err = run(capsys, "stamp", "testland", "--lang", "de", "--content", content)
    assert code == 0, err
    (content / "testland" / "en.yaml").write_text(
        lang_yaml(findings={"migrants_rights": ([], new)}))
    import difflib

    monkeypatch.setattr(difflib, "SequenceMatcher", _Counting(difflib.SequenceMatcher))
    _Counting.made, _Counting.steps = 0, []
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    if edit == "one word each":
        assert "out of date: 100 change(s) in en.yaml" in err
        assert err.count(", changed: ") == 100 and err.count("{+changed+}") == 100
    else:
        assert "out of date: 200 change(s) in en.yaml" in err
        assert err.count(", removed: ") == 100 and err.count(", added: ") == 100
    assert _Counting.made <= 5 * 100 + 20, _Counting.made  # a few per finding, not 10,000
    assert max(_Counting.steps) <= changes.DIFF_BUDGET
    assert sum(_Counting.steps) <= 100 * (changes.PAIR_TRIES * changes.PAIR_BUDGET
                                          + changes.DIFF_BUDGET)


def test_word_diffs_of_repeated_words_stay_bounded():
    """Text made of a few words repeated (the worst case for difflib) is
    compared within the budget: its differing middle is marked replaced whole."""
    old, new = "a b " * 300 + "end", "start" + " b a" * 300
    words = changes.word_diff(old, new)
    assert words == [("-", old), ("+", new)]
    assert changes.word_diff("x " + "a " * 500 + "y", "x " + "a " * 500 + "z") == \
        [("=", "x " + " ".join(["a"] * 500)), ("-", "y"), ("+", "z")]


# ------------------------------ 4. the review PDF marks words, never raw markup

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=Editor",
                    "-c", "user.email=editor@example.org", *args], check=True,
                   capture_output=True)


def git_only() -> None:
    """Take git's subprocesses (history's own and the test's commits) off the
    audit's list; anything else stays there for the witness to see."""
    _AUDIT["events"][:] = [e for e in _AUDIT["events"]
                           if not (e[0] == "subprocess.Popen" and e[1].startswith("('git'"))]


def repository(tmp_path: Path, files: dict | None = None) -> Path:
    content = make_tree(tmp_path, files)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "as validated")
    return content


def test_the_review_pdf_marks_link_texts_titles_and_code_as_words(tmp_path, capsys, sentinel,
                                                                  witnessed):
    from test_tracked import DEL, INS, _marked_words

    before = ('See [the old law](https://example.org/law "Old title") and `old_code here` '
              "today.")
    after = ('See [the new law](https://example.org/law "New title") and `new_code here` '
             "today.")
    content = repository(tmp_path, {"en.yaml": lang_yaml(
        findings={"migrants_rights": ([before, "Unchanged finding."], [])})})
    (content / "testland" / "en.yaml").write_text(lang_yaml(
        findings={"migrants_rights": ([after, "Unchanged finding."], [])}))
    _git(tmp_path, "commit", "-qam", "revised")
    out = tmp_path / "review.pdf"
    code, err = run(capsys, "review", "testland", "--lang", "en", "--since", "HEAD~1",
                    "--content", content, "-o", out)
    git_only()
    assert code == 0, err
    pages = page_texts(out)
    text = " ".join(pages)
    for raw in ("](", "`", "https://example.org/law", '"Old', '"New', "“Old", "“New"):
        assert raw not in text, raw
    summary = " ".join(pages[1].split())
    assert summary.startswith("Changes since HEAD~1")
    assert "See the old new law Old title New title and old_code new_code here today." \
        in summary
    marked = _marked_words(out)
    inserted, deleted = " ".join(marked.get(INS, [])), " ".join(marked.get(DEL, []))
    for word in ("new", "New title", "new_code"):
        assert word in inserted, (word, inserted)
    for word in ("old", "Old title", "old_code"):
        assert word in deleted, (word, deleted)
    assert "today" not in inserted + deleted and "here" not in inserted + deleted
    assert "Unchanged" not in inserted + deleted
    assert_sentinel_absent(out, sentinel[1])


# -------------------------------------------- 5. history says when it cannot read

def laughs() -> str:
    lines = ["country: Republic of Testland", "short_name: Testland",
             'l0: &l0 "' + "ha" * 50 + '"']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n" + LANG.split("\n", 2)[2]


def _broken(kind: str, en: Path, sentinel_path: Path) -> str:
    """Make en.yaml what it must not be read as; return what the error must say."""
    if kind == "syntax":
        en.write_text(LANG + 'introduction: "never closed\n')
        return ":24:15: YAML syntax error: the quote"
    if kind == "bomb":
        en.write_text(laughs())
        return "as expanded, exceeds 1,000,000 characters"
    if kind == "huge":
        en.write_text(LANG + "introduction: " + "x" * MAX_FILE_BYTES + "\n")
        return f"the file was {len(LANG) + 15 + MAX_FILE_BYTES:,} bytes; the limit is 1,000,000"
    if kind == "rule":
        en.write_text(LANG.replace("primary education.", "primary education[^nope]."))
        return "the citation `[^nope]` names no source"
    en.unlink()
    if kind == "link":
        en.symlink_to(sentinel_path)
        return "it was a symbolic link, which is never followed"
    en.mkdir()
    (en / "x").write_text(LANG)
    return "it was a folder, not a file"


@pytest.mark.parametrize("kind", ["syntax", "bomb", "huge", "rule", "link", "folder"])
def test_an_earlier_version_that_cannot_be_read_is_an_error(kind, tmp_path, capsys, sentinel,
                                                            witnessed):
    """`diff` and `review --since REV` where the file at REV was broken: exit 1,
    naming the file, the revision and the problem; never every finding
    reported as added; no review PDF."""
    content = repository(tmp_path)
    en = content / "testland" / "en.yaml"
    expected = _broken(kind, en, sentinel[0])
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "broken")
    if en.is_symlink():
        en.unlink()
    elif en.is_dir():
        shutil.rmtree(en)
    en.write_text(LANG)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "mended")
    code, out, err = run_out(capsys, "diff", "testland", "--lang", "en", "--since", "HEAD~1",
                             "--content", content)
    assert code == 1, err
    assert "Traceback" not in err and "added" not in out + err
    problem = next(line for line in err.splitlines() if "en.yaml at HEAD~1:" in line)
    assert expected in problem, problem
    assert sentinel[1].decode() not in err + out
    pdf = tmp_path / "review.pdf"
    code, err = run(capsys, "review", "testland", "--lang", "en", "--since", "HEAD~1",
                    "--content", content, "-o", pdf)
    git_only()
    assert code == 1 and expected in err, err
    assert not pdf.exists() and not list(tmp_path.glob(".*.tmp"))


def test_a_translation_untouched_since_rev_has_no_change(tmp_path, capsys, witnessed):
    """Its earlier version is read as the translation it was (issue 25): after
    an edit of en.yaml alone, de.yaml has no change; before, every German
    finding was reported as added."""
    content = repository(tmp_path)
    en = content / "testland" / "en.yaml"
    en.write_text(LANG.replace("primary education", "secondary education"))
    code, out, err = run_out(capsys, "diff", "testland", "--lang", "de", "--since", "HEAD",
                             "--content", content)
    assert code == 0, err
    assert out.strip().endswith("de.yaml: no change since HEAD"), out
    code, out, err = run_out(capsys, "diff", "--since", "HEAD", "--content", content)
    git_only()
    assert code == 0, err
    assert "de.yaml: no change since HEAD" in out
    assert "en.yaml: 1 change(s) since HEAD" in out and "{+secondary+}" in out


def test_diff_for_a_language_the_country_lacks_is_a_usage_error(tmp_path, capsys, witnessed):
    content = repository(tmp_path)
    code, err = run(capsys, "diff", "testland", "--lang", "fr", "--since", "HEAD",
                    "--content", content)
    git_only()
    assert code == 2, err
    assert "no fr.yaml for testland" in err and "content error" not in err


# --------------------------------------------------- 6. stamp edits its own key

def _decoys() -> dict[str, tuple[str, str]]:
    """A translation written so that lines other than its own `source_hash` look
    like one, or its key is where a line-based edit does not look: (the file,
    the file as stamped, with ``{v}`` for the value recorded)."""
    header = "country: Republic of Testland\nshort_name: Testland\ntranslation_of: en\n"
    body = DE.split("translation_of: en\n", 1)[1]
    quoted = header.replace("country: Republic of Testland",
                            'country: "Republic of\nsource_hash: Testland"')
    old = "f" * 16  # an old hash (a text: YAML would read sixteen 0 as a number)
    flow = yaml.safe_dump(yaml.safe_load(DE), default_flow_style=True, allow_unicode=True,
                          width=10_000)
    return {
        # a quoted text whose continuation line starts with `source_hash:`
        "quoted continuation": (quoted + body, quoted + "source_hash: {v}\n" + body),
        "quoted continuation, stamped": (quoted + f"source_hash: {old}\n" + body,
                                         quoted + "source_hash: {v}\n" + body),
        # the key itself quoted: a line-based edit added a second one
        "quoted key": (header + f'"source_hash": {old}\n' + body,
                       header + '"source_hash": {v}\n' + body),
        # the value on the next line: a line-based edit kept the old value's rest
        "value on the next line": (header + f"source_hash:\n  {old}\n" + body,
                                   header + "source_hash:\n  {v}\n" + body),
        "block value": (header + f"source_hash: |\n  {old}\n" + body,
                        header + "source_hash: {v}\n" + body),
        "comment after": (header + f"source_hash: '{old}'  # kept\n" + body,
                          header + "source_hash: {v}  # kept\n" + body),
        # no line starts with the key: a line-based edit could not record it
        "flow mapping": (flow, flow.replace("translation_of: en", "translation_of: en, "
                                            "source_hash: {v}")),
    }


@pytest.mark.parametrize("case", list(_decoys()))
def test_stamp_edits_only_its_own_key(case, tmp_path, capsys, witnessed):
    """The key's value is found by the YAML parser and only that span is
    replaced (or the key added after `translation_of`): the file reads back as
    it was, plus the key, and `check` finds it up to date."""
    text, stamped = _decoys()[case]
    before = yaml.safe_load(text)
    content = make_tree(tmp_path, {"de.yaml": text})
    de = content / "testland" / "de.yaml"
    code, out, err = run_out(capsys, "stamp", "testland", "--lang", "de", "--content", content)
    assert code == 0, err
    value = out.split()[-1]
    after = de.read_text()
    assert yaml.safe_load(after) == {**before, "source_hash": value}
    assert after in (stamped.replace("{v}", value), stamped.replace("{v}", f'"{value}"'))
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    assert "de.yaml" not in err  # it parses, and it is up to date
