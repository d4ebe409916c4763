"""What a release is made of, and what of it is built: input hashes, the
manifest, shards.

- ``Digests``: the hash of everything an output is made from (equal hash,
  equal PDF), so that ``build --all`` rebuilds only what changed.
- ``Manifest``: ``OUT/.mgi-report-manifest.json``, output name -> the hash of
  its inputs and of its bytes. An output is fresh when its inputs are unchanged
  and the file is the one written (same size, and same time or, after a copy
  that changed the time, same SHA-256): so a release copied between CI jobs is
  still known.
- ``shard_of``: which of N shards builds a profile (country x language), from
  its name alone: stable when profiles are added, all editions of a profile in
  one shard (they share one layout).
- ``merge``: the shards' manifests (and outputs) into one release folder.

Manifests and shard folders come from other machines and other jobs: a
manifest is read only if it is a regular file (never through a link, never a
FIFO or device) within MAX_MANIFEST_BYTES, and an output is copied only if it
is a regular file of the shard folder itself (not a link, not a second name of
another file), hashed as it is copied, and never more readable than it was.
A manifest that cannot be read is named, with why: an error for a shard given
to ``--merge-manifests``, a warning for the one in ``--out`` (set aside: the
run starts without it and writes a new one).

Outputs are recorded as the batch goes, in a journal beside the manifest
(one line per output, appended), so that a batch stopped even by SIGKILL leaves
every output it recorded known to the next run; saving the manifest folds the
journal in.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..content import tree as contents
from ..content.yamlsource import MAX_FILE_BYTES
from ..errors import RenderError, UsageError
from ..files.names import printable_name
from ..files.reads import NotRegular, kind_of
from ..files.writes import write_atomic
from ..resources import FONTS, LAYOUTS, LOCALE, PACKAGE, VERSION

MANIFEST = ".mgi-report-manifest.json"
#: Where a run records each output as it is written, until the manifest is saved.
JOURNAL = ".mgi-report-manifest.journal"
#: A manifest (or journal) larger than this is not read: about 100,000 outputs.
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
#: 2 adds each output's SHA-256 and profile, and the shard that wrote it; a
#: format-1 manifest is still read (its outputs are known by size and time).
MANIFEST_FORMAT = 2
#: Libraries whose version changes what a PDF looks like (part of every input hash).
RENDERING_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5",
                       "pyphen", "fonttools", "jinja2", "babel", "markdown-it-py")


class Options(Protocol):
    """What the input hashes need of a run's options (batch.Options)."""

    content: Path
    layouts: tuple[Path, ...]


class Output(Protocol):
    """What the input hashes need of an output (batch.Target)."""

    country: str
    lang: str
    edition: str

    @property
    def name(self) -> str: ...


def _hash_tree(h, root: Path) -> None:
    root = Path(root)
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        and not p.name.startswith(".") and p.suffix != ".pyc")
    for p in files:
        h.update(f"\0{p.relative_to(root) if p != root else p.name}\0".encode())
        h.update(p.read_bytes())


def program_digest(layouts: tuple[Path, ...] = ()) -> str:
    """The program: its version and source, layouts, fonts, colour profiles, and
    the versions of the libraries that draw the PDF."""
    from importlib.metadata import PackageNotFoundError, version

    from ..editions import document as editions

    h = hashlib.sha256(f"mgi-report {VERSION}\0{sys.version_info[:2]}".encode())
    for lib in RENDERING_LIBRARIES:
        try:
            h.update(f"\0{lib} {version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{lib} -".encode())
    icc = getattr(editions, "ICC", None)
    for root in (PACKAGE, LAYOUTS, FONTS, icc, *layouts):
        if root is not None and Path(root).exists():
            h.update(f"\0{root}".encode())
            _hash_tree(h, root)
    return h.hexdigest()


class Digests:
    """Hash of everything an output is made from; equal hash, equal PDF.

    The program (``program_digest``), the language's message catalog, and
    the country's files: profile.yaml, the language's own file, and any other
    file of the folder (a logo), but not the other languages' files.

    ``taken``: the bytes a build actually read (reads.once(), by real path),
    hashed instead of the files as they are now; ``program``, ``catalogs``:
    those of another Digests (a worker gets the parent's, not computed again).
    """

    def __init__(self, opts: Options, taken: Mapping[str, bytes] | None = None,
                 program: str | None = None, catalogs: Mapping[str, str] | None = None):
        self.opts = opts
        self.taken = taken or {}
        self.program = program or program_digest(tuple(opts.layouts))
        self._catalogs: dict[str, str] = dict(catalogs or {})
        self._countries: dict[str, str] = {}

    def catalog(self, lang: str) -> str:
        if lang not in self._catalogs:
            h = hashlib.sha256()
            path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
            if path.exists():
                _hash_tree(h, path)
            self._catalogs[lang] = h.hexdigest()
        return self._catalogs[lang]

    def country(self, slug: str) -> str:
        """The country's files that every language depends on."""
        if slug not in self._countries:
            h = hashlib.sha256()
            folder = self.opts.content / slug
            for rel in _country_files(folder):
                h.update(f"\0{rel}\0".encode())
                h.update(self._bytes(folder / rel))
            self._countries[slug] = h.hexdigest()
        return self._countries[slug]

    def of(self, t: Output) -> str:
        lang_file = self.opts.content / t.country / f"{t.lang}.yaml"
        h = hashlib.sha256("\0".join((self.program, self.catalog(t.lang),
                                      self.country(t.country), t.edition, t.name)).encode())
        h.update(b"\0")
        h.update(self._bytes(lang_file))
        return h.hexdigest()

    def _bytes(self, path: Path) -> bytes:
        """A content file's bytes for hashing: as the build read them, if it did;
        never through a link out of the content tree, never blocking on a pipe
        or reading past the size limit.

        What is not a regular file within the size limit hashes as a marker;
        validation then reports it, located.
        """
        real = os.path.realpath(path)
        if real in self.taken:
            return self.taken[real]
        root = os.path.realpath(self.opts.content)
        if os.path.commonpath((root, real)) != root:
            return b"\0a link out of the content tree"
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            return f"\0unreadable {exc.errno}".encode()
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                return f"\0not a content file {st.st_mode} {st.st_size}".encode()
            try:
                return fh.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                return f"\0unreadable {exc.errno}".encode()


def _country_files(folder: Path) -> list[str]:
    """The files of a country folder that every language depends on, as relative
    paths, sorted: no hidden file or folder, no language file, no folder reached
    through a link; a walk without recursion, however deep the folders."""
    found: list[str] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(folder / rel if rel else folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            sub = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(sub)
                    continue
                if not entry.is_file():
                    continue
            except OSError:
                continue
            if not rel and contents.LANG_RE.match(Path(sub).stem) and sub.endswith(".yaml"):
                continue
            found.append(sub)
    return sorted(found)


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor of ``path`` and its status, if it is a regular file
    itself: never through a symbolic link, never waiting on a FIFO. Raises
    OSError (NotRegular: a FIFO, a device, a folder)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegular(kind_of(st.st_mode))
    return fd, st


def _why(exc: OSError) -> str:
    """Why a file could not be opened as a regular file, in words."""
    if isinstance(exc, NotRegular):
        return f"it is {exc.args[0]}, not a regular file"
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link (not followed)"
    return f"cannot read it: {exc.strerror or exc}"


def _hash_fd(fd: int) -> str:
    h = hashlib.sha256()
    while block := os.read(fd, 1 << 20):
        h.update(block)
    return h.hexdigest()


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (not a link, a FIFO or a device), or None."""
    try:
        fd, _ = _open_regular(path)
    except OSError:
        return None
    try:
        return _hash_fd(fd)
    except OSError:
        return None
    finally:
        os.close(fd)


# ------------------------------------------------------------------ shards


@dataclass(frozen=True)
class Shard:
    """The K-th of N shards of a release (1 <= K <= N)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            k, n = (int(part) for part in text.split("/"))
        except ValueError:
            raise UsageError(f"--shard takes K/N, e.g. 2/4 (got `{text}`)") from None
        if not 1 <= k <= n:
            raise UsageError(f"--shard {text}: K must be between 1 and N")
        return cls(k, n)

    def owns(self, profile: str) -> bool:
        return shard_of(profile, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def profile_name(country: str, lang: str) -> str:
    """A profile's name: what its shard is computed from."""
    return f"{country}/{lang}"


def shard_of(profile: str, count: int) -> int:
    """Which of ``count`` shards (1-based) builds the profile: a hash of its
    name alone, so that adding a profile moves no other."""
    digest = hashlib.sha256(profile.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


# ------------------------------------------------------------------ the manifest


class Unreadable(Exception):
    """A manifest or journal that is not read, and why (in words)."""


def _read_capped(path: Path) -> bytes | None:
    """The bytes of a manifest or journal, or None when there is none; raises
    Unreadable for a link, a FIFO, a device, a folder, or a file past the cap."""
    try:
        fd, st = _open_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
    try:
        if st.st_size > MAX_MANIFEST_BYTES:
            raise Unreadable(f"it is {st.st_size:,} bytes; the limit is {MAX_MANIFEST_BYTES:,}")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise Unreadable(_why(exc)) from None
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
        return entry.get("sha256") is not None and file_sha256(output) == entry["sha256"]

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
            fd, st = _open_regular(output)
        except OSError:
            self.forget(output)  # not in place as written: the next run makes it again
            return
        try:
            sha = _hash_fd(fd)
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


# ------------------------------------------------------------------ merging


@dataclass
class Merged:
    """What ``merge`` did: outputs known (copied in or already there) and dropped;
    ``set_aside``: (file, why) for each output of a shard folder not copied
    because it is not a plain file of its own (a link, a FIFO, a second name)."""

    known: list[str]
    copied: list[str]
    dropped: list[str]
    set_aside: list[tuple[str, str]]
    out_problem: str | None = None  # why out's own manifest was set aside


def _manifest_at(path: Path) -> Manifest:
    """A shard's manifest, read as the module's docstring says; UsageError naming
    it if there is none or it cannot be read."""
    path = Path(path)
    if path.is_dir():
        manifest = Manifest(path)
        if manifest.problem is None and not manifest.found:
            raise UsageError(f"{printable_name(str(path))} holds no {MANIFEST} "
                             "(is it a shard's --out folder?)")
    elif not os.path.lexists(path):
        raise UsageError(f"no such manifest or folder: {printable_name(str(path))}")
    else:
        manifest = Manifest(path.parent, path)
        if manifest.problem is None and not manifest.found:
            manifest.problem = "it is empty"
    if manifest.problem is not None:
        raise UsageError(f"{printable_name(str(manifest.path))} is not read as a shard's "
                         f"manifest: {manifest.problem}")
    return manifest


def merge(out: Path, sources: list[Path]) -> Merged:
    """Merge the manifests of shard runs (``sources``: their --out folders or
    manifest files) into ``out``'s manifest, so that the next ``build --all
    --out OUT`` skips every output that is unchanged.

    For each output, the entry of the shard that owns its profile alone counts
    when that shard's manifest is given (else any entry); and only if its file
    is there as recorded (size and SHA-256): in ``out`` already, or in the
    entry's own folder, from which it is copied into ``out`` (a regular file of
    that folder only: see the module's docstring). An output no entry vouches
    for is left out of the manifest (the next build makes it).
    """
    out = Path(out)
    target = Manifest(out, journal=True)
    problem = target.problem
    manifests = [_manifest_at(p) for p in sources]
    names = sorted({name for m in manifests for name in m.entries})

    def owned(m: Manifest, entry: dict) -> bool:
        profile = entry.get("profile")
        return bool(m.shard is not None and profile and m.shard.owns(profile))

    result = Merged([], [], [], [], problem)
    for name in names:
        if not _plain_pdf_name(name):
            result.dropped.append(name)
            continue
        candidates = [m for m in manifests if name in m.entries]
        # The shard that owns the output's profile is the one that built it last:
        # when its manifest is given, it alone vouches for the output.
        owners = [m for m in candidates if owned(m, m.entries[name])]
        chosen = None
        for m in owners or candidates:
            entry = m.entries[name]
            if target.matches(out / name, entry, by_bytes=True):
                chosen = (m, entry, False)
                break
            if m.folder.resolve() != out.resolve():
                why = _copy_into(m.folder / name, out / name, entry)
                if why is None:
                    chosen = (m, entry, True)
                    break
                if why:
                    result.set_aside.append((str(m.folder / name), why))
        if chosen is None:
            target.forget(out / name)
            result.dropped.append(name)
            continue
        m, entry, copied = chosen
        if copied:
            result.copied.append(name)
        st = (out / name).lstat()
        target.entries[name] = {**entry, "mtime_ns": st.st_mtime_ns, "size": st.st_size}
        target.dirty = True
        result.known.append(name)
    target.save(None)  # the merged manifest is the whole release's
    return result


def _plain_pdf_name(name: str) -> bool:
    """A manifest's output name is a PDF's plain file name: nothing else is
    read or written by a merge (manifests come from other machines); and one
    a terminal shows as it is (no control, format or bidi character)."""
    return (name == Path(name).name and not name.startswith(".") and name.endswith(".pdf")
            and "\\" not in name and "\0" not in name and printable_name(name) == name)


class _NotAsRecorded(Exception):
    pass


def _copy_into(source: Path, dest: Path, entry: dict) -> str | None:
    """Copy ``source`` into ``dest`` if it is the file ``entry`` records (size and
    SHA-256, hashed as it is copied: what is checked is what is copied). Returns
    None when copied; "" when the file is missing or not as recorded; else why
    it was set aside: not a regular file of its folder (a symbolic link, a FIFO,
    a device, a hard link to a file elsewhere). The copy is never more
    readable than the source."""
    try:
        fd, st = _open_regular(source)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return _why(exc)
    try:
        if st.st_nlink != 1:
            return "it has other names (a hard link): not copied"
        if st.st_size != entry.get("size") or entry.get("sha256") is None:
            return ""

        def copy(fh) -> None:
            h = hashlib.sha256()
            while block := os.read(fd, 1 << 20):
                h.update(block)
                fh.write(block)
            if h.hexdigest() != entry["sha256"]:
                raise _NotAsRecorded

        try:
            write_atomic(dest, copy, mode=0o644 & st.st_mode)
        except _NotAsRecorded:
            return ""
        except OSError as exc:
            raise RenderError(f"cannot copy {printable_name(str(source))} into "
                              f"{printable_name(str(dest.parent))}: "
                              f"{exc.strerror or exc}") from exc
        return None
    finally:
        os.close(fd)
