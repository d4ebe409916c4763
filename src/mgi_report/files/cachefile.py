"""Entries of the cache folder: a hint, never a source of truth.

Every entry (a drawn wheel or figure, parsed hyphenation patterns, compiled
templates, a page count) is one file, ``<cache>/<kind>/<name>``, filed under a
key: a digest of what it was made from. It is written as a header line,
``mgi-cache 1 KEY SHA256``, and then its bytes, SHA256 being theirs. Read
back, it is used only if it is a regular file in the cache's own folder (no
link is followed, no FIFO or device opened), no larger than its kind's cap,
and its header names the key it was looked up by and the digest of the bytes
that follow. Anything else (cut short, garbage, another entry's file, a link,
a FIFO) is dropped and made again by the caller. Nothing read from an entry
is ever printed.

A cache that cannot be written (read-only, a full disk) costs only time: the
build goes on without it, with one warning naming the folder (once per
process and its children: writes.cache_unwritable).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..errors import MgiError
from .reads import read_regular
from .writes import cache_unwritable as unwritable
from .writes import write_atomic

MAGIC = b"mgi-cache 1 "


def _drop(path: Path) -> None:
    """Remove a failed entry (a file, a link, a FIFO; never what a link points at)."""
    try:
        os.unlink(path)
    except IsADirectoryError:
        try:
            os.rmdir(path)
        except OSError:
            pass
    except OSError:
        pass


def _own_folder(root: Path, kind: str) -> Path | None:
    """``root/kind`` when it is a real folder (not a link to one), else None."""
    folder = root / kind
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    return folder if stat.S_ISDIR(st.st_mode) else None


def read(root: Path, kind: str, name: str, key: str, cap: int) -> bytes | None:
    """The bytes of entry ``name`` of ``kind`` when it passes every check (see the
    module's docstring) for ``key``; else None, and a failed entry is dropped."""
    folder = _own_folder(root, kind)
    if folder is None:
        return None
    path = folder / name
    data = read_regular(path, cap + 200)
    if data is None:
        if os.path.lexists(path):
            _drop(path)
        return None
    head, sep, body = data.partition(b"\n")
    expected = MAGIC + key.encode("ascii") + b" " + hashlib.sha256(body).hexdigest().encode()
    if not sep or head != expected or len(body) > cap:
        _drop(path)
        return None
    return body


def write(root: Path, kind: str, name: str, key: str, data: bytes) -> bool:
    """Keep ``data`` as entry ``name`` of ``kind``, filed under ``key``. False (after
    the one warning) when the cache cannot be written."""
    folder = root / kind
    try:
        if os.path.lexists(folder) and _own_folder(root, kind) is None:
            _drop(folder)  # a link or a file where the folder belongs: never written through
        header = MAGIC + key.encode("ascii") + b" " + hashlib.sha256(data).hexdigest().encode()
        write_atomic(folder / name, lambda fh: fh.write(header + b"\n" + data))
        return True
    except (MgiError, OSError) as exc:
        unwritable(root, exc)
        return False
