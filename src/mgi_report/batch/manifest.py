"""What of a release is built: ``OUT/.mgi-report-manifest.json``, output name
-> the hash of its inputs (``digests``) and of its bytes, so that ``build --all``
rebuilds only what changed.

An output is fresh when its inputs are unchanged and the file is the one
written (same size, and same time or, after a copy that changed the time, same
SHA-256): so a release copied between CI jobs is still known.

Manifests come from other machines and other jobs (a shard's, see ``merge``):
a manifest is read only if it is a regular file (never through a link, never a
FIFO or device) within MAX_MANIFEST_BYTES (``reads.open_regular``). A manifest
that cannot be read is named, with why: an error for a shard given to
``--merge-manifests``, a warning for the one in ``--out`` (set aside: the run
starts without it and writes a new one).

Outputs are recorded as the batch goes, in a journal beside the manifest
(one line per output, appended), so that a batch stopped even by SIGKILL leaves
every output it recorded known to the next run; saving the manifest folds the
journal in.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

from ..errors import UsageError
from ..files import reads
from ..files.names import printable_name
from ..files.reads import NotRegular
from ..files.writes import write_atomic
from ..resources import VERSION
from .plan import Shard

MANIFEST = ".mgi-report-manifest.json"
#: Where a run records each output as it is written, until the manifest is saved.
JOURNAL = ".mgi-report-manifest.journal"
#: A manifest (or journal) larger than this is not read: about 100,000 outputs.
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
#: 2 adds each output's SHA-256 and profile, and the shard that wrote it; a
#: format-1 manifest is still read (its outputs are known by size and time).
MANIFEST_FORMAT = 2


class Unreadable(Exception):
    """A manifest or journal that is not read, and why (in words)."""


def why_unreadable(exc: OSError) -> str:
    """Why a file could not be opened as a regular file, in words."""
    if isinstance(exc, NotRegular):
        return f"it is {exc.kind}, not a regular file"
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link (not followed)"
    return f"cannot read it: {exc.strerror or exc}"


def _read_capped(path: Path) -> bytes | None:
    """The bytes of a manifest or journal, or None when there is none; raises
    Unreadable for a link, a FIFO, a device, a folder, or a file past the cap."""
    try:
        fd, st = reads.open_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unreadable(why_unreadable(exc)) from None
    try:
        if st.st_size > MAX_MANIFEST_BYTES:
            raise Unreadable(f"it is {st.st_size:,} bytes; the limit is {MAX_MANIFEST_BYTES:,}")
        data = b"".join(reads.blocks(fd, MAX_MANIFEST_BYTES))
    except OSError as exc:
        raise Unreadable(why_unreadable(exc)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_MANIFEST_BYTES:
        raise Unreadable(f"it is more than {MAX_MANIFEST_BYTES:,} bytes (the limit)")
    return data


def _json(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable("it is not UTF-8 text") from None
    except RecursionError:
        raise Unreadable("it is not JSON: nested too deeply") from None
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise Unreadable(f"it is not JSON{where}") from None


def _entry(value) -> dict | None:
    """A manifest entry with the fields of their types, or None (not one)."""
    if not isinstance(value, dict):
        return None

    def integer(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    inputs, size = value.get("inputs"), value.get("size")
    if not isinstance(inputs, str) or not integer(size):
        return None
    entry = {"inputs": inputs, "size": size}
    if integer(value.get("mtime_ns")):
        entry["mtime_ns"] = value["mtime_ns"]
    sha = value.get("sha256")
    if isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha):
        entry["sha256"] = sha
    if isinstance(value.get("profile"), str):
        entry["profile"] = value["profile"]
    return entry


class Manifest:
    """``out/.mgi-report-manifest.json``: output name -> inputs hash, profile,
    size, time and SHA-256 of the file written.

    ``problem``: why a manifest file that is there was not read (see the
    module's docstring); it is then replaced on ``save``. ``journal``: record
    outputs as they come (``record``) in the journal beside it, and read a
    journal left by a stopped run.
    """

    def __init__(self, folder: Path, path: Path | None = None, journal: bool = False):
        self.folder = Path(folder)
        self.path = path or self.folder / MANIFEST
        self.entries: dict[str, dict] = {}
        self.shard: Shard | None = None
        self.found = False  # the file was a manifest (of any format)
        self.problem: str | None = None
        self.dirty = False
        self._journal = self._journal_path = self.folder / JOURNAL if journal else None
        self._journal_fd: int | None = None
        try:
            self._load()
        except Unreadable as exc:
            self.entries, self.shard, self.found = {}, None, False
            self.problem, self.dirty = str(exc), True
        if self._journal is not None:
            self._replay()

    def _load(self) -> None:
        data = _read_capped(self.path)
        if data is None:
            return
        obj = _json(data)
        if not isinstance(obj, dict) or not isinstance(obj.get("outputs"), dict):
            raise Unreadable("it is not an mgi-report manifest (no \"outputs\")")
        if obj.get("format") not in (1, MANIFEST_FORMAT):
            raise Unreadable(f"it is a manifest of another format "
                             f"({printable_name(str(obj.get('format')))[:20]})")
        self.found = True
        self.entries = {name: e for name, value in obj["outputs"].items()
                        if (e := _entry(value)) is not None}
        if obj.get("shard"):
            try:
                self.shard = Shard.parse(str(obj["shard"]))
            except UsageError:
                raise Unreadable("its `shard` is not K/N") from None

    def _replay(self) -> None:
        """Apply the journal of a run stopped before it saved the manifest."""
        try:
            data = _read_capped(self._journal)
        except Unreadable:
            data = b""  # not one: removed when the manifest is saved
        if data is not None:
            self.dirty = True  # saving folds it in (and removes it)
        for line in (data or b"").splitlines():
            try:
                item = _json(line)
            except Unreadable:
                continue  # e.g. the last line, cut short by a kill
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            name = item["name"]
            if item.get("forget") is True:
                if self.entries.pop(name, None) is not None:
                    self.dirty = True
            elif (entry := _entry(item.get("entry"))) is not None:
                self.entries[name] = entry
                self.dirty = True

    def _append(self, item: dict) -> None:
        """One line of the journal (written at once, not synced: it is a hint)."""
        if self._journal is None:
            return
        try:
            if self._journal_fd is None:
                fd = os.open(self._journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT
                             | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    os.close(fd)
                    raise NotRegular("not a regular file")
                self._journal_fd = fd
            os.write(self._journal_fd, (json.dumps(item) + "\n").encode())
        except OSError:
            self._journal = None  # the manifest, saved at the end, still says it all

    def matches(self, output: Path, entry: dict, by_bytes: bool = False) -> bool:
        """``output`` is the file ``entry`` recorded: same size, and same time or
        (copied since: another time) same SHA-256; ``by_bytes``: same SHA-256.
        A symbolic link is never the file recorded."""
        try:
            st = output.lstat()
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != entry.get("size"):
            return False
        if st.st_mtime_ns == entry.get("mtime_ns") and not by_bytes:
            return True
        return entry.get("sha256") is not None and reads.file_sha256(output) == entry["sha256"]

    def fresh(self, output: Path, digest: str) -> bool:
        """The output exists, was written by us from exactly these inputs, untouched since."""
        entry = self.entries.get(output.name)
        if not entry or entry.get("inputs") != digest or not self.matches(output, entry):
            return False
        mtime = output.lstat().st_mtime_ns
        if entry.get("mtime_ns") != mtime:  # a copy: known by its bytes, now by its time
            entry["mtime_ns"] = mtime
            self.dirty = True
        return True

    def record(self, output: Path, digest: str, profile: str) -> None:
        """``output`` was written from inputs of hash ``digest``."""
        try:
            fd, st = reads.open_regular(output)
        except OSError:
            self.forget(output)  # not in place as written: the next run makes it again
            return
        try:
            sha = reads.sha256_of(fd)
        except OSError:
            sha = None
        finally:
            os.close(fd)
        entry = {"inputs": digest, "profile": profile, "size": st.st_size,
                 "mtime_ns": st.st_mtime_ns, **({"sha256": sha} if sha else {})}
        self.entries[output.name] = entry
        self.dirty = True
        self._append({"name": output.name, "entry": entry})

    def forget(self, output: Path) -> None:
        if self.entries.pop(output.name, None) is not None:
            self.dirty = True
            self._append({"name": output.name, "forget": True})

    def save(self, shard: Shard | None = None) -> None:
        """Write the manifest if it changed; ``shard``: the run's (None: the whole
        release), recorded with it."""
        if shard != self.shard:
            self.shard, self.dirty = shard, True
        if not self.dirty:
            return
        data = {"format": MANIFEST_FORMAT, "generator": f"mgi-report {VERSION}",
                **({"shard": str(self.shard)} if self.shard else {}),
                "outputs": dict(sorted(self.entries.items()))}
        text = json.dumps(data, indent=1)
        write_atomic(self.path, lambda fh: fh.write(text.encode()))
        self.dirty = False
        self.problem = None
        self.close_journal(remove=True)

    def close_journal(self, remove: bool = False) -> None:
        """Stop journaling; ``remove``: the manifest now says it all."""
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if remove and self._journal_path is not None:
            try:
                if not stat.S_ISDIR(self._journal_path.lstat().st_mode):
                    self._journal_path.unlink()
            except OSError:
                pass
