"""One read of each content file per build: what is hashed is what was printed.

A build reads a content file more than once: ``profile.yaml`` and the
language's file are parsed, then embedded in the archive edition; a logo is
checked, drawn and embedded. An editor who saves a file in between would get
a PDF made from two versions of it. Within ``once()``, the first read of each
file is kept and every later read of it returns those same bytes; the batch's
worker hashes them afterwards (``manifest.Digests.of``), so the manifest
records the hash of the bytes the output was made from, whatever happened to
the file during the build.

``read()`` never blocks on a FIFO or reads more than its cap: it opens without
waiting (O_NONBLOCK) and reads only a regular file.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

_TAKEN: ContextVar[dict[str, bytes] | None] = ContextVar("mgi_report_reads", default=None)


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, a device, a folder)."""


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``st_mode``)."""
    return ("a folder" if stat.S_ISDIR(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a FIFO" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")


def _read(path: Path, cap: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(f"{path} is not a regular file")
        return fh.read(cap + 1)


def read(path: Path, cap: int) -> bytes:
    """At most ``cap + 1`` bytes of the regular file ``path`` (so that more than
    ``cap`` tells a file past its limit); within ``once()``, the bytes of its
    first read. Raises OSError (NotRegular for what is not a regular file)."""
    taken = _TAKEN.get()
    if taken is None:
        return _read(path, cap)
    key = os.path.realpath(path)
    if key not in taken:
        taken[key] = _read(path, cap)
    return taken[key][:cap + 1]


@contextlib.contextmanager
def once() -> Iterator[dict[str, bytes]]:
    """Within it, each file is read once (``read``); yields what was read, by
    real path."""
    taken: dict[str, bytes] = {}
    token = _TAKEN.set(taken)
    try:
        yield taken
    finally:
        _TAKEN.reset(token)


def read_regular(path: Path, cap: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link to one) of at most
    ``cap`` bytes; else None. Never blocks on a FIFO, never reads past ``cap``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > cap:
            return None
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        return None  # grew past the cap while read
    except OSError:
        return None
    finally:
        os.close(fd)
