"""Render composed HTML to PDF with WeasyPrint; write it atomically.

WeasyPrint may read only the project's own folders (layouts, fonts, the
content tree, extra layout folders) and ``data:`` URIs. Any other URL,
file or network, is refused, and the build fails naming it.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import RenderError

LOG = logging.getLogger("mgi_report")


class RefusedURL(RenderError):
    pass


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        pass

    class SafeFetcher(URLFetcher):
        """Reads ``data:`` and files under the allowed folders; nothing else."""

        def __init__(self, allowed: Iterable[Path]):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False,
                             fail_on_errors=True)
            self.allowed = [Path(p).resolve() for p in allowed]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc in ("", "localhost"):
                    path = Path(unquote(parts.path)).resolve()
                    if any(path.is_relative_to(root) for root in self.allowed):
                        return super().fetch(url, headers)
            self.refused.append(url)
            raise Refused(f"refused to fetch {url}")

    return SafeFetcher, Refused


def render(html: str, base_url: str, allowed: Iterable[Path], **options):
    """HTML -> weasyprint.Document; refuses any resource outside ``allowed``.

    Some resources are fetched only when the PDF is written (attachments, images
    inside SVG), and WeasyPrint swallows some refusals while drawing; so the
    returned document's ``write_pdf`` checks the fetcher again afterwards.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    SafeFetcher, _ = _fetcher_class()
    fetcher = SafeFetcher(allowed)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
    except FatalURLFetchingError as exc:
        _fail(fetcher, exc)
    _fail(fetcher)
    write_pdf = document.write_pdf

    def checked_write_pdf(*args, **kwargs):
        try:
            result = write_pdf(*args, **kwargs)
        except FatalURLFetchingError as exc:
            _fail(fetcher, exc)
        _fail(fetcher)
        return result

    document.write_pdf = checked_write_pdf  # this instance only
    return document


def _fail(fetcher, exc: BaseException | None = None) -> None:
    """Raise RefusedURL if anything was refused, RenderError for ``exc``, else return."""
    if fetcher.refused:
        raise RefusedURL("refused to read " + ", ".join(dict.fromkeys(fetcher.refused)) +
                         " (layouts may use only their own folders, fonts/ and data: URIs)")
    if exc is not None:  # an allowed file that could not be read
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise RenderError(f"{exc}{cause}") from exc


def write_atomic(target: Path, write) -> None:
    """Call ``write(fileobj)`` into a temporary file beside target, then rename.

    The temporary file is a hidden ``.NAME.*.tmp``, locked (flock) while it is
    written. A failure or a kill leaves the previous target as it was; a failure
    removes the temporary file, and a kill's leftover (no longer locked) is
    removed by the next write of the same target. Concurrent writes of one
    target each rename a complete file: the last one wins.
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
            os.chmod(tmp, 0o644)
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
