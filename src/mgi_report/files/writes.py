"""Every file the program writes is written whole or not at all.

``write_atomic`` writes a hidden, locked temporary file beside the target and
renames it into place; ``cache_unwritable`` is the one warning for a cache
folder that cannot be written (a cache only saves time).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import os
import sys
import tempfile
from pathlib import Path

from ..errors import RenderError
from .names import shorten

LOG = logging.getLogger("mgi_report")


#: Cache folders already warned about, in this process and those it starts.
CACHE_WARNED = "MGI_REPORT_CACHE_WARNED"


def cache_unwritable(root: Path, exc: BaseException) -> None:
    """Warn, once per cache folder, that it cannot be written (a cache only saves
    time: the build goes on). Remembered in the environment, so that workers
    started later (a batch's) do not warn again."""
    warned = os.environ.get(CACHE_WARNED, "").split(os.pathsep)
    if str(root) in warned:
        return
    os.environ[CACHE_WARNED] = os.pathsep.join([*filter(None, warned), str(root)])
    cause = exc.__cause__ if isinstance(exc, RenderError) and exc.__cause__ else exc
    reason = (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(cause)
    print(f"mgi-report: warning: cannot write the cache folder {shorten(str(root))} "
          f"({shorten(reason, 120)}); going on without it", file=sys.stderr, flush=True)


#: Entered around each rename of a finished file into place; a batch worker's
#: (batch.workers._worker_init) raises when the batch it works for is gone, so that a
#: stopped batch puts nothing in place.
rename_guard = contextlib.nullcontext


def write_atomic(target: Path, write, mode: int = 0o644) -> None:
    """Call ``write(fileobj)`` into a temporary file beside target, then rename.

    The temporary file is a hidden ``.NAME.*.tmp``, locked (flock) while it is
    written. A failure or a kill leaves the previous target as it was; a failure
    removes the temporary file, and a kill's leftover (no longer locked) is
    removed by the next write of the same target. Concurrent writes of one
    target each rename a complete file: the last one wins. ``mode``: the
    file's permissions.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(target)
        fd, tmp = _locked_temp(target)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:  # closing it releases the lock, after the rename
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            with rename_guard():
                os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and (exc.filename in (tmp, str(target)) or
                                         exc.errno in _DISK_ERRORS):
            raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _temp_pattern(target: Path) -> str:
    return glob.escape(str(target.parent / f".{target.name}.")) + "*.tmp"


def _locked_temp(target: Path) -> tuple[int, str]:
    """A new temporary file beside target, created and locked by this process."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits only if a cleaner caught it unlocked
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)  # a cleaner removed it between mkstemp and flock: take another


def _remove_stale_temps(target: Path) -> None:
    """Remove temporary files of target that no live process holds locked."""
    for name in glob.glob(_temp_pattern(target)):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(name)
            LOG.info("removed %s, left by an interrupted build", name)
        except OSError:
            pass  # locked: another build is writing it
        finally:
            os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
