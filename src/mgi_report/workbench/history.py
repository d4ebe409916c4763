"""Earlier versions of the content, from git: what a language file was at a
revision, and what changed since (``mgi-report diff --since REV``, the review
PDF). Git is asked through its command line, read-only.

An earlier version that cannot be read is an error naming the revision, the
file and the problem (exit 1): a file that was a link or a folder then, one
over the size limit (its size is asked before a byte is read), one that does
not parse or breaks a rule. It is never taken as empty, which would report
every finding as added. A translation's earlier version is read as what it
was, a translation."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..compose.job import Tracked
from ..content import changes
from ..content import tree as contents
from ..content.model import LanguageFile
from ..content.revisions import Unreadable, file_at
from ..content.revisions import git as _git
from ..errors import ContentError, Problem, UsageError

if TYPE_CHECKING:
    from ..pipeline import Request


def repository(content: Path) -> Path:
    """The root of the git repository the content tree is in (exit 2 if none)."""
    done = _git(content, "rev-parse", "--show-toplevel")
    if done.returncode:
        raise UsageError(f"{contents.shown_path(content)} is not inside a git repository: "
                         "--since compares with a git revision")
    return Path(done.stdout.decode().strip())


def resolve(root: Path, rev: str) -> str:
    """The commit a revision names (exit 2 for an unknown one)."""
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if done.returncode or rev.startswith("-"):
        raise UsageError(f"unknown git revision `{rev}` (a commit, tag or branch, "
                         "e.g. HEAD~1 or v1.0)")
    return done.stdout.decode().strip()


def _shown_rev(rev: str, commit: str) -> str:
    return rev if rev.isprintable() and len(rev) <= 60 else commit[:12]


def language_at(root: Path, commit: str, lf: LanguageFile, rev: str = "",
                problems: list[Problem] | None = None) -> LanguageFile | None:
    """The language file as it was at a commit; None if it did not exist then.
    If it existed but cannot be read, None, and why goes to ``problems`` (each
    located in ``<file> at <rev>``)."""
    shown = f"{contents.shown_path(lf.path)} at {_shown_rev(rev or commit, commit)}"
    found: list[Problem] = []
    try:
        data = file_at(root, commit, lf.path)
    except Unreadable as exc:
        found.append(Problem(shown, 1, 1, f"cannot read the earlier version: {exc}"))
        data = None
    old = None
    if data is not None:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / lf.path.name
            copy.write_bytes(data)
            old = contents.read_language(copy, lf.lang, shown, found)
        if old is None and not found:  # pragma: no cover - read_language says why
            found.append(Problem(shown, 1, 1, "the earlier version does not parse"))
    if problems is not None:
        problems += found
    return old


def since(content: Path, slug: str, lang: str, rev: str) -> tuple[LanguageFile,
                                                                 list[changes.Change]]:
    """The language file now, and its changes since ``rev``. An earlier version
    that cannot be read is a ContentError naming the revision and the file."""
    root, commit = _revision(content, slug, lang, rev)
    lf = contents.load_country(content, slug, (lang,)).files[lang]
    return lf, _changes(root, commit, lf, rev)


def _revision(content: Path, slug: str, lang: str, rev: str) -> tuple[Path, str]:
    """(the repository, the commit of ``rev``) for a language file's history; a
    usage error for a language the country does not have."""
    root = repository(content)
    commit = resolve(root, rev)
    country = contents.countries(content).get(slug)
    if country is not None and lang not in country.languages:
        raise UsageError(f"no {lang}.yaml for {slug} (languages: "
                         f"{', '.join(country.languages) or 'none'})")
    return root, commit


def _changes(root: Path, commit: str, lf: LanguageFile, rev: str) -> list[changes.Change]:
    """The changes to ``lf`` (the file now) since ``commit``."""
    problems: list[Problem] = []
    old = language_at(root, commit, lf, rev, problems)
    if problems:
        raise ContentError(problems)
    if old is None:  # the file is new since rev
        empty = LanguageFile(lf.lang, lf.path, lf.country, lf.short_name,
                             {k: type(f)(k, [], [], []) for k, f in lf.domains.items()})
        return changes.compare(empty, lf)
    return changes.compare(old, lf)


def diff_text(content: Path, slugs: list[str], lang: str | None, rev: str) -> str:
    """``mgi-report diff``: every change since ``rev``, per file, as text. Every
    earlier version that cannot be read is reported, all at once."""
    lines = []
    problems: list[Problem] = []
    tree = contents.countries(content)
    if lang and not any(lang in tree[slug].languages for slug in slugs if slug in tree):
        names = ", ".join(slugs) if len(slugs) == 1 else "any country"
        raise UsageError(f"no {lang}.yaml for {names}")
    for slug in slugs:
        country = tree[slug]
        for code in [lang] if lang else country.languages:
            if code not in country.languages:
                continue
            try:
                lf, found = since(content, slug, code, rev)
            except ContentError as exc:
                problems += exc.problems
                continue
            shown = contents.shown_path(lf.path)
            if not found:
                lines.append(f"{shown}: no change since {rev}")
                continue
            lines.append(f"{shown}: {len(found)} change(s) since {rev}")
            lines += [f"  {change.describe(context=6)}" for change in found]
    if problems:
        raise ContentError(problems)
    return "\n".join(lines)


def review_pdf(req: Request, rev: str) -> Path:
    """``mgi-report review``: the profile with every change to its findings
    since the git revision ``rev`` marked (compose/tracked.py), and a summary
    page of them; returns its path."""
    from .. import pipeline  # WeasyPrint: only when a PDF is built

    root, commit = _revision(req.content, req.country, req.lang, rev)
    job = pipeline.read(req)  # the content, read once: for the changes and the PDF
    found = _changes(root, commit, job.doc, rev)
    return pipeline.build_counted(req, Tracked(rev, found), job=job)[0]
