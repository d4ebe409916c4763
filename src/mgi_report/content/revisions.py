"""A file of the content as it was at a git revision: what ``diff``, the review
PDF and a follow-up's ``baseline: {revision: …}`` read. Git is asked through
its command line, read-only; a file's size is asked before a byte is read."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import UsageError
from .yamlsource import MAX_FILE_BYTES


def git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "--literal-pathspecs", "-C", str(folder), *args],
                              capture_output=True, timeout=60)
    except FileNotFoundError:
        raise UsageError("git is not installed (--since and a `baseline: {revision: …}` read the content's history with it)") from None


class Unreadable(Exception):
    """A file's earlier version that cannot be read as a file (the message says why)."""


def file_at(root: Path, commit: str, path: Path) -> bytes | None:
    """A file's bytes at a commit; None if it did not exist then. Raises
    Unreadable for what was not a regular file then, or was over the size limit
    (told by git's listing, before the blob is read)."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    listed = git(root, "ls-tree", "-z", "-l", commit, "--", rel)
    entry = listed.stdout.split(b"\0", 1)[0].decode("utf-8", "replace")
    if listed.returncode or "\t" not in entry:
        return None
    mode, kind, oid, size = entry.split("\t", 1)[0].split()
    if kind != "blob":
        raise Unreadable("it was a folder, not a file" if kind == "tree" else
                         "it was a submodule, not a file")
    if mode == "120000":
        raise Unreadable("it was a symbolic link, which is never followed")
    if int(size) > MAX_FILE_BYTES:
        raise Unreadable(f"the file was {int(size):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    done = git(root, "cat-file", "blob", oid)
    if done.returncode:
        raise Unreadable("git could not read it")
    return done.stdout[:MAX_FILE_BYTES + 1]
