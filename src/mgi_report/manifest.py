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
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import __version__
from . import content as contents
from .errors import RenderError, UsageError
from .render import write_atomic
from .resources import FONTS, LAYOUTS, LOCALE

MANIFEST = ".mgi-report-manifest.json"
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

    from . import editions

    h = hashlib.sha256(f"mgi-report {__version__}\0{sys.version_info[:2]}".encode())
    for lib in RENDERING_LIBRARIES:
        try:
            h.update(f"\0{lib} {version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{lib} -".encode())
    icc = getattr(editions, "ICC", None)
    for root in (Path(__file__).parent, LAYOUTS, FONTS, icc, *layouts):
        if root is not None and Path(root).exists():
            h.update(f"\0{root}".encode())
            _hash_tree(h, root)
    return h.hexdigest()


class Digests:
    """Hash of everything an output is made from; equal hash, equal PDF.

    The program (``program_digest``), the language's message catalog, and
    the country's files: profile.yaml, the language's own file, and any other
    file of the folder (a logo), but not the other languages' files.
    """

    def __init__(self, opts: Options):
        self.opts = opts
        self.program = program_digest(tuple(opts.layouts))
        self._catalogs: dict[str, str] = {}
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
            for p in sorted(folder.rglob("*")):
                rel = p.relative_to(folder)
                if (not p.is_file() or any(part.startswith(".") for part in rel.parts)
                        or (len(rel.parts) == 1 and contents.LANG_RE.match(p.stem)
                            and p.suffix == ".yaml")):
                    continue
                h.update(f"\0{rel}\0".encode())
                h.update(_file_bytes(p))
            self._countries[slug] = h.hexdigest()
        return self._countries[slug]

    def of(self, t: Output) -> str:
        lang_file = self.opts.content / t.country / f"{t.lang}.yaml"
        h = hashlib.sha256("\0".join((self.program, self.catalog(t.lang),
                                      self.country(t.country), t.edition, t.name)).encode())
        h.update(b"\0")
        h.update(_file_bytes(lang_file))
        return h.hexdigest()


def _file_bytes(path: Path) -> bytes:
    """A content file's bytes for hashing; never blocks on a pipe or reads a huge file.

    What is not a regular file within the size limit hashes as a marker;
    validation then reports it, located.
    """
    try:
        st = path.stat()
    except OSError as exc:
        return f"\0unreadable {exc.errno}".encode()
    if not stat.S_ISREG(st.st_mode) or st.st_size > contents.MAX_FILE_BYTES:
        return f"\0not a content file {st.st_mode} {st.st_size}".encode()
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"\0unreadable {exc.errno}".encode()


def file_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


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


class Manifest:
    """``out/.mgi-report-manifest.json``: output name -> inputs hash, profile,
    size, time and SHA-256 of the file written."""

    def __init__(self, folder: Path, path: Path | None = None):
        self.folder = Path(folder)
        self.path = path or self.folder / MANIFEST
        self.entries: dict[str, dict] = {}
        self.shard: Shard | None = None
        self.found = False  # the file was a manifest (of any format)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.found = isinstance(data, dict) and "outputs" in data
            if data.get("format") in (1, MANIFEST_FORMAT):
                self.entries = {str(k): dict(v) for k, v in data["outputs"].items()}
            if data.get("shard"):
                self.shard = Shard.parse(str(data["shard"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UsageError):
            pass
        self.dirty = False

    def matches(self, output: Path, entry: dict, by_bytes: bool = False) -> bool:
        """``output`` is the file ``entry`` recorded: same size, and same time or
        (copied since: another time) same SHA-256; ``by_bytes``: same SHA-256."""
        try:
            st = output.stat()
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
        mtime = output.stat().st_mtime_ns
        if entry.get("mtime_ns") != mtime:  # a copy: known by its bytes, now by its time
            entry["mtime_ns"] = mtime
            self.dirty = True
        return True

    def record(self, output: Path, digest: str, profile: str) -> None:
        st = output.stat()
        self.entries[output.name] = {"inputs": digest, "profile": profile,
                                     "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                     "sha256": file_sha256(output)}
        self.dirty = True

    def forget(self, output: Path) -> None:
        if self.entries.pop(output.name, None) is not None:
            self.dirty = True

    def save(self, shard: Shard | None = None) -> None:
        """Write the manifest if it changed; ``shard``: the run's (None: the whole
        release), recorded with it."""
        if shard != self.shard:
            self.shard, self.dirty = shard, True
        if not self.dirty:
            return
        data = {"format": MANIFEST_FORMAT, "generator": f"mgi-report {__version__}",
                **({"shard": str(self.shard)} if self.shard else {}),
                "outputs": dict(sorted(self.entries.items()))}
        text = json.dumps(data, indent=1)
        write_atomic(self.path, lambda fh: fh.write(text.encode()))
        self.dirty = False


# ------------------------------------------------------------------ merging


@dataclass
class Merged:
    """What ``merge`` did: outputs known (copied in or already there) and dropped."""

    known: list[str]
    copied: list[str]
    dropped: list[str]


def _manifest_at(path: Path) -> Manifest:
    path = Path(path)
    if path.is_dir():
        if not (path / MANIFEST).is_file():
            raise UsageError(f"{path} holds no {MANIFEST} (is it a shard's --out folder?)")
        return Manifest(path)
    if not path.is_file():
        raise UsageError(f"no such manifest or folder: {path}")
    manifest = Manifest(path.parent, path)
    if not manifest.found:
        raise UsageError(f"{path} is not an mgi-report manifest")
    return manifest


def merge(out: Path, sources: list[Path]) -> Merged:
    """Merge the manifests of shard runs (``sources``: their --out folders or
    manifest files) into ``out``'s manifest, so that the next ``build --all
    --out OUT`` skips every output that is unchanged.

    For each output, the entry of the shard that owns its profile alone counts
    when that shard's manifest is given (else any entry); and only if its file
    is there as recorded (size and SHA-256): in ``out`` already, or in the
    entry's own folder, from which it is copied into ``out``. An output no entry
    vouches for is left out of the manifest (the next build makes it).
    """
    out = Path(out)
    target = Manifest(out)
    manifests = [_manifest_at(p) for p in sources]
    names = sorted({name for m in manifests for name in m.entries})

    def owned(m: Manifest, entry: dict) -> bool:
        profile = entry.get("profile")
        return bool(m.shard is not None and profile and m.shard.owns(profile))

    result = Merged([], [], [])
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
            if m.folder.resolve() != out.resolve() and \
                    m.matches(m.folder / name, entry, by_bytes=True):
                chosen = (m, entry, True)
                break
        if chosen is None:
            target.forget(out / name)
            result.dropped.append(name)
            continue
        m, entry, copy = chosen
        if copy:
            _copy_into(m.folder / name, out / name)
            result.copied.append(name)
        st = (out / name).stat()
        target.entries[name] = {**entry, "mtime_ns": st.st_mtime_ns, "size": st.st_size}
        target.dirty = True
        result.known.append(name)
    target.save(None)  # the merged manifest is the whole release's
    return result


def _plain_pdf_name(name: str) -> bool:
    """A manifest's output name is a PDF's plain file name: nothing else is
    read or written by a merge (manifests come from other machines)."""
    return (name == Path(name).name and not name.startswith(".") and name.endswith(".pdf")
            and "\\" not in name and "\0" not in name)


def _copy_into(source: Path, dest: Path) -> None:
    try:
        with open(source, "rb") as src:
            write_atomic(dest, lambda fh: shutil.copyfileobj(src, fh))
    except OSError as exc:
        raise RenderError(f"cannot copy {source} into {dest.parent}: "
                          f"{exc.strerror or exc}") from exc
