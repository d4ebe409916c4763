"""What of a site is built: ``OUT/.manifest.json``, and the writes that keep it.

The manifest records, per profile folder of the content tree, the digest of
everything its pages are made from (``digest``: the program, the catalogs, the
profile's files, its PDFs' entries), what the index says of it (``rows``) and
each page written (``pages``: path -> size and SHA-256); and the site's shared
files (``shared``: the indexes, the sitemap, the style sheet, the fonts, the
downloads). A profile whose digest is unchanged and whose pages are all there
is not read again; a page whose bytes are those recorded is not written again.
Only files the manifest lists are ever removed (a profile or language gone),
and nothing is written or removed outside the site's folder or through a link.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from ..errors import RenderError
from ..files import reads
from ..resources import VERSION

LOG = logging.getLogger("mgi_report")
MANIFEST = ".manifest.json"
FORMAT = 1
MAX_BYTES = 16 << 20


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    """The site's manifest (see the module's docstring), read at the start of a
    build and saved at its end; one that cannot be read starts the build anew
    (every page written again), with a warning."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out / MANIFEST
        self.countries: dict[str, dict] = {}
        self.shared: dict[str, dict] = {}
        self.key: str | None = None  # what the shared files were made from
        self.inputs: dict = {}  # quick.snapshot of the files the site was made from
        self.base_url: str | None = None
        data = None
        try:
            data = reads.read_regular(self.path, MAX_BYTES)
        except OSError as exc:
            LOG.warning("the site's manifest %s is not read (%s); every page is written "
                        "again", self.path, exc.strerror or exc)
        if data is None:
            return
        try:
            obj = json.loads(data.decode("utf-8"))
            if obj.get("format") != FORMAT:
                raise ValueError("another format")
            self.countries = {k: v for k, v in obj["countries"].items()
                              if isinstance(v, dict) and isinstance(v.get("pages"), dict)}
            self.shared = {k: v for k, v in obj["shared"].items() if _entry(v)}
            self.key = obj.get("key") if isinstance(obj.get("key"), str) else None
            self.inputs = obj.get("inputs") if isinstance(obj.get("inputs"), dict) else {}
            self.base_url = obj.get("base_url")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            LOG.warning("the site's manifest %s is not one of this program's; every page "
                        "is written again", self.path)
            self.countries, self.shared = {}, {}

    def fresh(self, slug: str, digest: str) -> bool:
        """Whether a profile folder's pages are as its recorded digest made them,
        every page there with its recorded size."""
        known = self.countries.get(slug)
        return known is not None and known.get("digest") == digest and all(
            _entry(e) and self.present(path, e) for path, e in known["pages"].items())

    def present(self, path: str, entry: dict) -> bool:
        """Whether a file of the site is there as recorded (a regular file of its size)."""
        try:
            st = os.lstat(self.out / path)
        except OSError:
            return False
        return st.st_size == entry.get("size") and (st.st_mode & 0o170000) == 0o100000

    def same(self, path: str, data: bytes, recorded: dict | None) -> bool:
        """Whether ``data`` is what the site already holds at ``path``."""
        return bool(recorded) and recorded.get("sha256") == sha256(data) and \
            self.present(path, recorded)

    def save(self) -> None:
        obj = {"format": FORMAT, "generator": f"mgi-report {VERSION}",
               "key": self.key, "base_url": self.base_url, "inputs": self.inputs,
               "countries": dict(sorted(self.countries.items())),
               "shared": dict(sorted(self.shared.items()))}
        write(self.out, MANIFEST, (json.dumps(obj, indent=1, ensure_ascii=False)
                                   + "\n").encode())


def _entry(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("size"), int) and \
        isinstance(value.get("sha256"), str)


def inside(out: Path, rel: str) -> Path:
    """``out/rel``, refused (RenderError) when ``rel`` leaves the folder or a
    folder on the way is a link."""
    target = out / rel
    parts = Path(rel).parts
    if not parts or ".." in parts or Path(rel).is_absolute():
        raise RenderError(f"not a path inside the site: {rel}")
    here = out
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink():
            raise RenderError(f"{here} is a link; the site writes no file through one")
    return target


def write(out: Path, rel: str, data: bytes) -> Path:
    """Write ``data`` to ``out/rel`` whole (a temporary file renamed into place),
    never through a link; returns the path."""
    target = inside(out, rel)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise RenderError(f"{target} is not a regular file; the site does not replace it")
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def remove(out: Path, rel: str) -> None:
    """Remove a file the manifest lists that the site no longer has (never a
    folder, never through a link); its folder too once empty."""
    try:
        target = inside(out, rel)
    except RenderError:
        return
    try:
        if target.is_file() and not target.is_symlink():
            target.unlink()
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    except OSError:
        pass


__all__ = ["MANIFEST", "Ledger", "remove", "sha256", "write"]
