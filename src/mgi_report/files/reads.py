"""One read of each content file per build: what is hashed is what was printed.

A build reads a content file more than once: ``profile.yaml`` and the
language's file are parsed, then embedded in the archive edition; a logo is
checked, drawn and embedded. An editor who saves a file in between would get
a PDF made from two versions of it. Within ``once()``, the first read of each
file is kept and every later read of it returns those same bytes; a batch
hashes them (``batch.digests.Digests.of``), validates them and hands them to
the worker that builds from them (``batch.reading``), so the manifest records
the hash of the bytes the output was made from, whatever happened to the file
during the build.

A file that must be a regular file is read one way, whoever reads it:
``open_regular()`` (never waiting on a FIFO, never through a link unless
asked, only a regular file) and ``blocks()`` (never past a cap): ``read()``
for content, ``read_regular()`` for what may be missing or wrong (a cache
entry, a hint), ``file_sha256()``, and the manifests (``batch.manifest``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

_TAKEN: ContextVar[dict[str, bytes] | None] = ContextVar("mgi_report_reads", default=None)


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, a device, a folder); ``kind``:
    what it is, in words (``kind_of``), and ``st``: its status, when known."""

    kind = "not a regular file"
    st: os.stat_result | None = None


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``st_mode``)."""
    return ("a folder" if stat.S_ISDIR(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a FIFO" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")


def open_regular(path: Path | str, follow: bool = False) -> tuple[int, os.stat_result]:
    """An open descriptor of ``path`` and its status, if it is a regular file:
    never waiting on a FIFO, never through a symbolic link (unless ``follow``).
    The caller closes it. Raises OSError (NotRegular: a FIFO, a device, a
    folder; ELOOP: a link not followed)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        exc = NotRegular(f"{path} is not a regular file")
        exc.kind, exc.st = kind_of(st.st_mode), st
        raise exc
    return fd, st


def blocks(fd: int, cap: int | None = None) -> Iterator[bytes]:
    """What is left of the open file ``fd``, in blocks of at most 1 MiB; with
    ``cap``, at most ``cap + 1`` bytes in all (more than ``cap`` tells a file
    past its limit)."""
    size = 0
    while cap is None or size <= cap:
        block = os.read(fd, 1 << 20 if cap is None else min(1 << 20, cap + 1 - size))
        if not block:
            return
        size += len(block)
        yield block


def sha256_of(fd: int) -> str:
    """The SHA-256 of what is left of the open file ``fd`` (raises OSError)."""
    h = hashlib.sha256()
    for block in blocks(fd):
        h.update(block)
    return h.hexdigest()


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (not a link, a FIFO or a device), or None."""
    try:
        fd, _ = open_regular(path)
    except OSError:
        return None
    try:
        return sha256_of(fd)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read(path: Path, cap: int) -> bytes:
    fd, _ = open_regular(path, follow=True)
    try:
        return b"".join(blocks(fd, cap))
    finally:
        os.close(fd)


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
def once(taken: dict[str, bytes] | None = None) -> Iterator[dict[str, bytes]]:
    """Within it, each file is read once (``read``); yields what was read, by
    real path. ``taken``: what an earlier ``once()`` read (a batch's parent
    hands its worker the bytes it validated), kept, and added to."""
    taken = {} if taken is None else taken
    token = _TAKEN.set(taken)
    try:
        yield taken
    finally:
        _TAKEN.reset(token)


def read_regular(path: Path, cap: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link to one) of at most
    ``cap`` bytes; else None. Never blocks on a FIFO, never reads past ``cap``."""
    try:
        fd, st = open_regular(path)
    except OSError:
        return None
    try:
        if st.st_size > cap:
            return None
        data = b"".join(blocks(fd, cap))
        return data if len(data) <= cap else None  # else it grew past the cap while read
    except OSError:
        return None
    finally:
        os.close(fd)
