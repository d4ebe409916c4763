"""Follow-up profiles (issue 22, item 2): `round: 2` with a `baseline`, and the
chapter "Updates since {year}" the compiler writes from the changes.

Read back from the PDFs of examples/ruritania-2 (the follow-up of
examples/ruritania), en and ar, every edition built once (conftest ``built``):
the chapter's place (contents, bookmarks), its entries (new, changed, no longer
applies), the words marked in a changed finding (new words bold in the
domain's colour, old ones grey) against the word diff of the YAML, the counts
table, and the cover and imprint citing the first profile. Each kind of
baseline (another profile, a git revision, the baseline's archive PDF) gives
the same chapter (composed HTML, no PDF). Every bad value is a located error,
all in one run of `check`, and of `build`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from mgi_report import Request
from mgi_report import pipeline as builder
from mgi_report.compose import profile as composer
from mgi_report.content import changes
from mgi_report.content import tree as contents
from mgi_report.content.domains import DOMAINS
from mgi_report.resources import ROOT
from mgi_report.text.i18n import translations
from mgitree import assert_only_located, located_lines, run
from pdfread import flat, outline, page_texts

EXAMPLES = ROOT / "examples"
FOLLOWUP, FIRST = "ruritania-2", "ruritania"
LANGS = ("en", "ar")
OLD_GREY = (0.541, 0.588, 0.639)  # #8a96a3: the words that no longer apply


def _(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def _rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


def _words(text: str) -> Counter:
    """A text's words as a reader counts them (letters and digits; punctuation,
    which bidi runs in Arabic may set apart, left out)."""
    return Counter(re.findall(r"[^\W\d_]+|\d+", text))


@pytest.fixture(scope="module")
def pdfs(built) -> dict[str, dict[str, Path]]:
    """{lang: {edition: path}}: every edition of the follow-up, laid out once."""
    return {lang: built.editions(FOLLOWUP, lang, content=EXAMPLES) for lang in LANGS}


@pytest.fixture(scope="module")
def expected() -> dict[str, list[changes.Change]]:
    """{lang: the domains' changes}, from the two YAML files (content.changes)."""
    keys = {d.key for d in DOMAINS}
    out = {}
    for lang in LANGS:
        old = contents.load_country(EXAMPLES, FIRST, (lang,)).files[lang]
        new = contents.load_country(EXAMPLES, FOLLOWUP, (lang,)).files[lang]
        out[lang] = [c for c in changes.compare(old, new) if c.where.split(".")[0] in keys]
    return out


def _outline_pages(pdf: Path) -> dict[str, int]:
    """The top-level bookmarks' titles (white space folded) -> their 0-based page."""
    reader = PdfReader(pdf)
    return {" ".join(item.title.split()): reader.get_destination_page_number(item)
            for item in reader.outline if not isinstance(item, list)}


def _chapter_pages(pdf: Path, lang: str) -> list[int]:
    """The 0-based pages of the updates chapter: from its bookmark to the key
    findings' (the page they begin on included)."""
    marks = _outline_pages(pdf)
    start = marks[_(lang, "Updates since %(year)s") % {"year": 2026}]
    return list(range(start, marks[_(lang, "Key findings")] + 1))


def _runs(pdf: Path, pages: list[int]) -> list[tuple[str, tuple, str]]:
    """(font, fill colour, text) of every piece of text shown on ``pages``."""
    reader = PdfReader(pdf)
    out: list[tuple[str, tuple, str]] = []
    for n in pages:
        fill: list[tuple] = [()]

        def before(op, args, cm, tm):
            if op in (b"rg", b"sc", b"scn", b"g"):
                fill[0] = tuple(round(float(a), 3) for a in args)

        def shown(text, cm, tm, font, size):
            if text.strip():
                out.append((str(font.get("/BaseFont", "")) if font else "", fill[0], text))

        reader.pages[n].extract_text(visitor_operand_before=before, visitor_text=shown)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_chapter_is_in_the_contents_and_the_bookmarks_of_every_edition(pdfs, lang):
    title = _(lang, "Updates since %(year)s") % {"year": 2026}
    for edition, pdf in pdfs[lang].items():
        marks = [t for level, t in outline(pdf) if level == 1]
        titles = [" ".join(t.split()) for t in marks]
        assert title in titles, (edition, titles)
        # after the key data, before the key findings (and the example's own
        # chapter, placed `after: updates`, between them)
        assert titles.index(_(lang, "Key migration data")) + 1 == titles.index(title) \
            < titles.index(_(lang, "Key findings")), edition
        assert titles.index(title) + 2 == titles.index(_(lang, "Key findings")), edition
        reader = PdfReader(pdf)  # (the pages wanted only: three editions of two profiles)
        contents_page = next(text for text in (reader.pages[i].extract_text()
                                               for i in range(2, 6))
                             if _(lang, "Contents") in text)
        assert _words(title) <= _words(contents_page), edition
        first = reader.pages[_chapter_pages(pdf, lang)[0]].extract_text()
        assert _words(title) <= _words(first), edition


@pytest.mark.parametrize("lang", LANGS)
def test_the_cover_imprint_and_introduction_cite_the_first_profile(pdfs, lang):
    texts = page_texts(pdfs[lang]["screen"])
    first_title = _(lang, "%(label)s: %(value)s") % {
        "label": _(lang, "Migration Governance Profile"),
        "value": contents.load_country(EXAMPLES, FIRST, (lang,)).files[lang].country}
    assert _words(_(lang, "Second profile")) <= _words(texts[0])
    imprint = _words(texts[1])
    assert _words(_(lang, "Second profile")) + _words(_(lang, "Follows up")) <= imprint
    assert _words(first_title) + _words("2026") <= imprint
    marks = _outline_pages(pdfs[lang]["screen"])
    intro = "\n".join(texts[marks[_(lang, "Introduction")]:
                            marks[_(lang, "Conceptual framework")] + 1])
    cites = _(lang, "This profile follows up the profile “%(title)s” of %(year)s and "
                    "reports what has changed since.") % {"title": first_title, "year": 2026}
    assert _words(cites) <= _words(intro)


@pytest.mark.parametrize("lang", LANGS)
def test_the_chapter_lists_new_changed_and_removed_findings_by_domain(pdfs, expected, lang):
    pdf = pdfs[lang]["screen"]
    text = flat("\n".join(page_texts(pdf)[i] for i in _chapter_pages(pdf, lang)))
    found = expected[lang]
    assert {c.kind for c in found} == {"added", "changed", "removed"}
    assert len({c.where.split(".")[0] for c in found}) >= 4  # several domains
    for heading in (_(lang, "New since %(year)s") % {"year": 2026}, _(lang, "Changed"),
                    _(lang, "No longer applies")):
        assert _words(heading) <= _words(text), heading
    for change in found:
        body = change.new if change.kind != "removed" else change.old
        start = " ".join(re.sub(r"\*\*|\[\^[^\]]*\]", "", body).split()[:6])
        assert _words(start) <= _words(text), (change.kind, start)
    # the editors' text of each domain (`updates:`)
    doc = contents.load_country(EXAMPLES, FOLLOWUP, (lang,)).files[lang]
    assert set(doc.updates) >= {"migrants_rights", "whole_of_government"}
    for key, editors in doc.updates.items():
        assert _words(" ".join(editors.split()[:8])) <= _words(text), key
    # a domain without any change says so
    assert _words(_(lang, "No finding of this domain has changed.")) <= _words(text)


@pytest.mark.parametrize("lang", LANGS)
def test_the_counts_table_sums_up_each_domain(pdfs, expected, lang):
    pdf = pdfs[lang]["screen"]
    text = flat("\n".join(page_texts(pdf)[i] for i in _chapter_pages(pdf, lang)))
    total = Counter()
    for spec in DOMAINS:
        mine = Counter(c.kind for c in expected[lang] if c.where.startswith(spec.key + "."))
        total += mine
        name = re.escape(flat(_(lang, spec.short_name)))
        # (single digits: the example's counts; Arabic sets them without spaces)
        row = re.search(rf"{spec.number}\s*{name}\s*(\d)\s*(\d)\s*(\d)", text)
        assert row, (spec.key, text[:800])
        assert [int(n) for n in row.groups()] == \
            [mine["added"], mine["changed"], mine["removed"]], spec.key
    row = re.search(rf"{re.escape(_(lang, 'Total'))}\s*(\d)\s*(\d)\s*(\d)", text)
    assert [int(n) for n in row.groups()] == [total["added"], total["changed"],
                                             total["removed"]]


@pytest.mark.parametrize("lang", LANGS)
def test_the_changed_words_are_marked_for_a_reader(pdfs, expected, lang):
    """New words bold in their domain's colour, old words grey: exactly the
    words the YAML's word diff inserted and deleted (citations left out)."""
    pdf = pdfs[lang]["screen"]
    runs = _runs(pdf, _chapter_pages(pdf, lang))
    deep = {_rgb(spec.deep_rgb) for spec in DOMAINS}
    new = Counter()
    for font, fill, text in runs:
        if fill in deep and "Bold" in font:
            new += _words(text)
    old = sum((_words(text) for _f, fill, text in runs if fill == OLD_GREY), Counter())
    want_new, want_old = Counter(), Counter()
    for change in expected[lang]:
        if change.kind != "changed":
            continue
        for op, words in change.words:
            words = re.sub(r"\[\^[^\]]*\]|\*\*", "", words)
            if op == "+":
                want_new += _words(words)
            elif op == "-":
                want_old += _words(words)
    # the key findings' first page (included: the updates may end on it) shows
    # the first findings' GCM markers, bold in the domain's colour too ("GCM 15"):
    # their label and objective numbers are no changed words
    for word in _words(_(lang, "GCM")) + Counter(str(n) for n in range(1, 24)):
        new[word] = min(new[word], want_new[word])
    new = +new
    # the domain numbers in the counts table's chips are white, not marked
    assert want_new and new == want_new
    assert want_old and old == want_old
    # the unchanged words of a changed finding are not marked
    assert not new & _words("Family reunification is open only to sponsors")


# ------------------------------------------------------------------ the baseline's kinds


def _updates_html(content: Path, cache: Path) -> str:
    job = builder.read(Request(FOLLOWUP, "en", content, cache=cache))
    html = composer.compose(job)
    start = html.index('<section class="updates chapter"')
    return html[start:html.index('<section class="key-findings"')]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


def _set_baseline(folder: Path, baseline: str) -> None:
    profile = folder / "profile.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("baseline: {profile: ruritania}", f"baseline: {baseline}"),
                       encoding="utf-8")


def test_every_kind_of_baseline_gives_the_same_chapter(built, tmp_path, cache_dir):
    by_profile = _updates_html(EXAMPLES, cache_dir)
    assert "up-new" in by_profile and "up-old" in by_profile
    # a git revision of the profile's own folder: the first profile's files committed
    repo = tmp_path / "repo"
    folder = repo / "content" / FOLLOWUP
    shutil.copytree(EXAMPLES / FIRST, folder)
    shutil.copy(EXAMPLES / "publisher.yaml", repo / "content")  # the series' facts
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "the first profile")
    _git(repo, "tag", "first")
    for name in ("profile.yaml", "en.yaml", "ar.yaml", ".stamp-ar.yaml"):
        shutil.copy(EXAMPLES / FOLLOWUP / name, folder / name)
    _set_baseline(folder, "{revision: first}")
    assert _updates_html(repo / "content", cache_dir) == by_profile
    # the first profile's archive PDF, its sources embedded
    tree = tmp_path / "pdf"
    shutil.copytree(EXAMPLES / FOLLOWUP, tree / FOLLOWUP)
    shutil.copy(EXAMPLES / "publisher.yaml", tree)  # the follow-up's (the PDF has its own)
    shutil.copy(built(FIRST, "en", "archive", content=EXAMPLES), tree / FOLLOWUP / "first.pdf")
    _set_baseline(tree / FOLLOWUP, "{pdf: first.pdf}")
    assert _updates_html(tree, cache_dir) == by_profile


# ------------------------------------------------------------------ located errors


def _variant(tree: Path, name: str, profile: tuple[str, str] | None = None,
             en: tuple[str, str] | None = None) -> None:
    shutil.copytree(EXAMPLES / FOLLOWUP, tree / name)
    for file, change in (("profile.yaml", profile), ("en.yaml", en)):
        if change:
            path = tree / name / file
            text = path.read_text(encoding="utf-8")
            assert change[0] in text, change
            path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")


BASE = "baseline: {profile: ruritania}"
BAD = {  # folder: (profile.yaml change, en.yaml change, what the error says)
    "zero": (("round: 2", "round: 0"), None, "`round` must be a whole number"),
    "word": (("round: 2", "round: two"), None, "`round` must be a whole number"),
    "half": (("round: 2", "round: 2.5"), None, "`round` must be a whole number"),
    "nobase": ((BASE, ""), None, "`round: 2` needs a `baseline`"),
    "first": (("round: 2", "round: 1"), None, "`baseline` is given but `round` is 1"),
    "kind": ((BASE, "baseline: {archive: x.pdf}"), None, "must name one of `profile`"),
    "two": ((BASE, "baseline: {profile: ruritania, pdf: x.pdf}"), None,
            "must name one of `profile`"),
    "slug": ((BASE, "baseline: {profile: ruritanai}"), None, "did you mean `ruritania`?"),
    "self": ((BASE, "baseline: {profile: self}"), None, "is this profile itself"),
    "rev": ((BASE, "baseline: {revision: no-such-tag}"), None, "is not a git revision"),
    "nopdf": ((BASE, "baseline: {pdf: missing.pdf}"), None, "no such file"),
    "notpdf": ((BASE, "baseline: {pdf: en.yaml}"), None, "is not an archive PDF"),
    "outside": ((BASE, "baseline: {pdf: ../../outside.pdf}"), None, "outside the content tree"),
    "screen": ((BASE, "baseline: {pdf: screen.pdf}"), None, "is not an archive PDF"),
    "later": (("published: 2029-03", "published: 2025-01"), None,
              "not before this profile"),
    "domain": (None, ("  wellbeing: |\n    The cost", "  well_being: |\n    The cost"),
               "`updates` names an unknown domain `well_being`; did you mean `wellbeing`?"),
}


def test_every_bad_value_is_located_in_one_run_of_check_and_of_build(built, tmp_path, capsys):
    tree = tmp_path / "content"
    shutil.copytree(EXAMPLES / FIRST, tree / FIRST)
    shutil.copy(EXAMPLES / "publisher.yaml", tree)  # the series' facts
    for name, (profile, en, _message) in BAD.items():
        _variant(tree, name, profile, en)
    shutil.copy(built(FIRST, "en", content=EXAMPLES), tree / "screen" / "screen.pdf")
    _git(tree, "init", "-q")  # for `revision`
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "tree")
    code, err = run(capsys, "check", "--content", tree)
    assert code == 1
    assert_only_located(err)
    lines = located_lines(err)
    for name, (_p, _e, message) in BAD.items():
        mine = [line for line in lines if line.startswith(f"{tree.name}/{name}/")
                or f"/{name}/" in line.split(":")[0]]
        assert any(message in line for line in mine), (name, mine)
        file = "en.yaml" if name == "domain" else "profile.yaml"
        assert all(re.search(rf"{file}:\d+:\d+: ", line) for line in mine), mine
    # build: a bad `updates` key and a baseline not found, both at once
    _variant(tree, "both", (BASE, "baseline: {profile: nowhere}"),
             ("  wellbeing: |\n    The cost", "  well_being: |\n    The cost"))
    code, err = run(capsys, "build", "both", "--lang", "en", "--content", tree,
                    "-o", tmp_path / "both.pdf")
    assert code == 1 and not (tmp_path / "both.pdf").exists()
    assert_only_located(err)
    said = "\n".join(located_lines(err))
    assert "unknown domain `well_being`" in said and "profile `nowhere`" in said


def test_stats_show_the_round():
    from mgi_report.workbench import stats

    rows = stats.rows(EXAMPLES)
    assert {(r["country"], r["round"]) for r in rows} == \
        {(FIRST, 1), (FOLLOWUP, 2), ("strelsau", 1)}
    assert "(round 2)" in stats.table(rows)


# ------------------------------------------------ a follow-up rebuilt with its baseline


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_all_and_make_see_a_change_to_the_baseline(tmp_path):
    """`build --all` (the inputs' hash a manifest records) and make (a PDF's
    prerequisites) rebuild the follow-up when its baseline's files change: its
    updates chapter is made from them. A change to another profile does not."""
    from types import SimpleNamespace

    from mgi_report.batch.digests import Digests

    tree = tmp_path / "content"
    for name in (FIRST, FOLLOWUP, "strelsau"):
        shutil.copytree(EXAMPLES / name, tree / name)
    out = SimpleNamespace(country=FOLLOWUP, lang="ar", edition="screen", name="x.pdf")

    def digest() -> str:
        return Digests(SimpleNamespace(content=tree, layouts=())).of(out)

    before = digest()
    _edit(tree / "strelsau" / "en.yaml", "Strelsau", "Strelsau city")  # the control
    assert digest() == before
    _edit(tree / FIRST / "en.yaml", "Regular migrants have", "Regular migrants now have")  # its source
    assert digest() != before
    # make: the follow-up's PDF is out of date when a file of its baseline is newer
    work = tmp_path / "make"
    (work / ".venv").mkdir(parents=True)
    for age, name in ((300, "pyproject.toml"), (200, ".venv/.installed"),
                      (0, f"{FOLLOWUP}-en.pdf")):  # set up, then built, in that order
        (work / name).touch()
        os.utime(work / name, (time.time() - age,) * 2)

    def up_to_date(newer: Path) -> bool:
        done = subprocess.run(["make", "-s", "-q", "-f", str(ROOT / "Makefile"), "-C", str(work),
                               f"CONTENT={EXAMPLES}", "-W", str(newer), f"{FOLLOWUP}-en.pdf"],
                              capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return done.returncode == 0

    assert up_to_date(EXAMPLES / "strelsau" / "en.yaml")  # the control
    assert not up_to_date(EXAMPLES / FIRST / "ar.yaml")
    assert not up_to_date(EXAMPLES / "publisher.yaml")  # the series' facts


def test_a_translation_is_out_of_date_when_its_updates_or_acknowledgements_change(
        tmp_path, capsys):
    """The editors' updates text and the acknowledgements are texts a translation
    is stamped with: changed in the source, `check` says the translation is out
    of date and names each, located."""
    tree = tmp_path / "content"
    for name in (FIRST, FOLLOWUP):
        shutil.copytree(EXAMPLES / name, tree / name)
    shutil.copy(EXAMPLES / "publisher.yaml", tree / "publisher.yaml")
    code, err = run(capsys, "check", "--content", tree)
    assert code == 0 and "out of date" not in err, err
    _edit(tree / FOLLOWUP / "en.yaml", "The cost of sending", "The cost of sending money as")
    _edit(tree / FIRST / "en.yaml", "acknowledgements: |\n", "acknowledgements: |\n  Thanks.\n")
    code, err = run(capsys, "check", "--content", tree)
    assert code == 0, err
    said = [line for line in err.splitlines() if "changed:" in line]
    assert any(f"{FOLLOWUP}/ar.yaml" in line and "updates.wellbeing" in line for line in said), err
    assert any(f"{FIRST}/ar.yaml" in line and "acknowledgements" in line for line in said), err
    assert all(re.match(r"\S+:\d+:\d+: ", line) for line in said), said


# ----------------------------------------------------- new --follow-up BASELINE


@pytest.fixture
def series(tmp_path):
    """A copy of the examples (first, second and local profile) to start from."""
    content = tmp_path / "content"
    shutil.copytree(EXAMPLES, content, ignore=shutil.ignore_patterns("pdf", "site"))
    return content


def test_new_follow_up_starts_the_next_round_as_a_valid_draft(series, tmp_path, capsys):
    """`new ruritania-3 --follow-up ruritania-2`: round 3 of the series, from a copy
    of the second profile: check has nothing to say (the Arabic translation, in date
    with its source before, is still), and the PDF is the third profile with its
    updates chapter since 2029, nothing changed yet."""
    code, err = run(capsys, "new", "ruritania-3", "--follow-up", "ruritania-2",
                    "--content", series, "--published", "2031-04")
    assert code == 0, err
    assert "make ruritania-3-en.pdf" in err
    folder = series / "ruritania-3"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".stamp-ar.yaml", "ar.yaml", "en.yaml", "profile.yaml"]
    code, err = run(capsys, "check", "--content", series)
    assert code == 0 and err == "", err
    loaded = contents.load_country(series, "ruritania-3")
    profile, base = loaded.profile, contents.load_country(series, "ruritania-2").profile
    assert (profile.round, profile.published.isoformat()[:7]) == (3, "2031-04")
    assert profile.baseline is not None and "ruritania-2" in str(profile.baseline)
    assert profile.publication.isbn is None and base.publication.isbn  # each its own
    assert profile.key_data == base.key_data and profile.iso3 == base.iso3
    for lang in ("en", "ar"):
        doc = loaded.files[lang]
        assert doc.draft and not doc.updates
        found = changes.compare(contents.load_country(series, "ruritania-2").files[lang], doc)
        assert {c.where.split(".")[0] for c in found} == {"updates"}  # only these went:
        # the findings start as the baseline's
    pdf = tmp_path / "ruritania-3-en.pdf"
    code, err = run(capsys, "build", "ruritania-3", "--lang", "en", "--content", series,
                    "-o", pdf)
    assert code == 0, err
    pages = page_texts(pdf)
    assert "Third profile" in flat(pages[0]) and "April 2031" in flat(pages[0])
    assert any("Updates since 2029" in title for _, title in outline(pdf))


def test_new_follow_up_of_a_first_profile_is_round_two(series, capsys):
    code, err = run(capsys, "new", "ruritania-2b", "--follow-up", "ruritania",
                    "--content", series, "--published", "2030-01")
    assert code == 0, err
    text = (series / "ruritania-2b" / "profile.yaml").read_text()
    assert "round: 2\nbaseline: {profile: ruritania}\n" in text
    assert (series / "ruritania-2b" / "cover.jpg").read_bytes() == \
        (series / "ruritania" / "cover.jpg").read_bytes()  # what profile.yaml names
    code, err = run(capsys, "check", "--content", series)
    assert code == 0 and err == "", err


@pytest.mark.parametrize("argv,message", [
    (["--follow-up", "rurtania"], "did you mean `ruritania`?"),
    (["--follow-up", "ruritania-2", "--published", "2029-03"],
     "--published 2029-03 is not after the baseline's 2029-03"),
    (["--follow-up", "ruritania-2"], "this month ("),  # the default, named as such
    (["--follow-up", "ruritania-2", "--published", "2031-4"], "must be a year and month"),
    (["--follow-up", "ruritania-2", "--lang", "en", "--iso3", "XRU"],
     "--iso3 and --lang: a follow-up takes them from its baseline `ruritania-2`"),
    (["--lang", "en"], "--iso3 is needed to start a profile (or --follow-up BASELINE)"),
])
def test_new_follow_up_refuses_what_it_cannot_start_and_writes_nothing(
        series, capsys, argv, message):
    code, err = run(capsys, "new", "ruritania-3", "--content", series, *argv)
    assert code == 2 and message in err, err
    assert "Traceback" not in err and not (series / "ruritania-3").exists()


def test_new_follow_up_of_a_baseline_with_problems_says_where_and_writes_nothing(
        series, capsys):
    broken = series / "ruritania-2" / "en.yaml"
    broken.write_text(broken.read_text().replace("short_name:", "short_nam:", 1))
    code, err = run(capsys, "new", "ruritania-3", "--follow-up", "ruritania-2",
                    "--content", series, "--published", "2031-04")
    assert code == 1
    assert_only_located(err)
    assert any("ruritania-2/en.yaml" in line for line in located_lines(err))
    assert not (series / "ruritania-3").exists()
    code, err = run(capsys, "new", "ruritania-2", "--follow-up", "ruritania",
                    "--content", series, "--published", "2030-01")
    assert code == 2 and "exists already" in err


def test_new_follow_up_of_a_local_profile_cites_the_place(series, tmp_path, capsys):
    """The follow-up of Strelsau follows up "City of Strelsau", not the country."""
    code, err = run(capsys, "new", "strelsau-2", "--follow-up", "strelsau",
                    "--content", series, "--published", "2030-01")
    assert code == 0, err
    pdf = tmp_path / "strelsau-2-en.pdf"
    code, err = run(capsys, "build", "strelsau-2", "--lang", "en", "--content", series,
                    "-o", pdf)
    assert code == 0, err
    text = flat(" ".join(page_texts(pdf)))
    assert "follows up the profile “Migration Governance Profile: City of Strelsau (a " \
        "fictional example)” of" in text
    assert "Republic of Ruritania" not in text.split("Follows up")[1][:200]


def test_new_follow_up_refuses_a_baseline_it_cannot_copy_or_edit_whole(series, capsys):
    """What the profile is made of is copied whole or not at all: a language file
    that is a link, a root written as a flow mapping; and a dangling link where the
    new folder would go is a name taken."""
    flow = series / "ruritania" / "profile.yaml"
    data = yaml.safe_load(flow.read_text())
    flow.write_text(yaml.safe_dump(data, default_flow_style=True, allow_unicode=True))
    code, err = run(capsys, "new", "next", "--follow-up", "ruritania", "--content", series,
                    "--published", "2030-01")
    assert code == 2 and "cannot edit profile.yaml of ruritania as written" in err, err
    (series / "ruritania-2" / "ar.yaml").rename(series / "ar-elsewhere.yaml")
    (series / "ruritania-2" / "ar.yaml").symlink_to(series / "ar-elsewhere.yaml")
    code, err = run(capsys, "new", "next", "--follow-up", "ruritania-2", "--content", series,
                    "--published", "2031-01")
    assert code == 2 and "cannot copy ar.yaml of ruritania-2: a link" in err, err
    (series / "next").symlink_to(series / "nowhere")
    code, err = run(capsys, "new", "next", "--follow-up", "strelsau", "--content", series,
                    "--published", "2031-01")
    assert code == 2 and "exists already" in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in series.iterdir() if p.name.startswith(".")) == []


def test_an_out_of_date_translation_stays_out_of_date_finding_by_finding(series, capsys):
    """A translation that was out of date in the baseline is not stamped in the
    follow-up, and check still names what changed, finding by finding."""
    source = series / "ruritania-2" / "en.yaml"
    text = source.read_text()
    edited = "Regular migrants have the same access as Ruritanian citizens to public health"
    assert edited in text
    source.write_text(text.replace(edited, edited.replace("Regular", "Documented"), 1))
    code, before = run(capsys, "check", "--content", series)
    assert "ruritania-2/ar.yaml" in before and "Documented" in before, before
    code, err = run(capsys, "new", "ruritania-3", "--follow-up", "ruritania-2",
                    "--content", series, "--published", "2031-04")
    assert code == 0, err
    code, err = run(capsys, "check", "--content", series)
    assert "ruritania-3/ar.yaml" in err and "Documented" in err, err


def test_new_on_a_full_disk_says_so_and_leaves_nothing(series, capsys, monkeypatch):
    """The folder that cannot be made is named with the system's reason, exit 3, no
    traceback, and no folder (hidden or not) is left."""
    import errno
    import tempfile

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(series / ".next.x.new"))
    monkeypatch.setattr(tempfile, "mkdtemp", full)
    code, err = run(capsys, "new", "next", "--follow-up", "ruritania", "--content", series,
                    "--published", "2030-01")
    assert code == 3 and "cannot write" in err and "No space left on device" in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert not [p for p in series.iterdir() if "next" in p.name]
