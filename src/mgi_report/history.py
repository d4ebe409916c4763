"""Earlier versions of the content, from git: what a language file was at a
revision, and what changed since (``mgi-report diff --since REV``, the review
PDF). Git is asked through its command line, read-only."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from . import changes
from . import content as contents
from .errors import UsageError
from .model import LanguageFile


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              timeout=60)
    except FileNotFoundError:
        raise UsageError("--since needs git, which is not installed") from None


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


def file_at(root: Path, commit: str, path: Path) -> bytes | None:
    """A file's bytes at a commit; None if it did not exist then."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    done = _git(root, "show", f"{commit}:{rel}")
    return done.stdout if done.returncode == 0 else None


def language_at(root: Path, commit: str, lf: LanguageFile) -> LanguageFile | None:
    """The language file as it was at a commit (None: it did not exist, or did not
    parse then)."""
    data = file_at(root, commit, lf.path)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / lf.path.name
        old.write_bytes(data)
        return contents.read_language(old, lf.lang)


def since(content: Path, slug: str, lang: str, rev: str) -> tuple[LanguageFile,
                                                                 list[changes.Change]]:
    """The language file now, and its changes since ``rev``."""
    root = repository(content)
    commit = resolve(root, rev)
    lf = contents.load_country(content, slug, (lang,)).files[lang]
    old = language_at(root, commit, lf)
    if old is None:
        empty = LanguageFile(lang, lf.path, lf.country, lf.short_name,
                             {k: type(f)(k, [], [], []) for k, f in lf.domains.items()})
        return lf, changes.compare(empty, lf)
    return lf, changes.compare(old, lf)


def diff_text(content: Path, slugs: list[str], lang: str | None, rev: str) -> str:
    """``mgi-report diff``: every change since ``rev``, per file, as text."""
    lines = []
    for slug in slugs:
        country = contents.countries(content)[slug]
        for code in [lang] if lang else country.languages:
            lf, found = since(content, slug, code, rev)
            shown = contents.shown_path(lf.path)
            if not found:
                lines.append(f"{shown}: no change since {rev}")
                continue
            lines.append(f"{shown}: {len(found)} change(s) since {rev}")
            lines += [f"  {change.describe(context=6)}" for change in found]
    return "\n".join(lines)
