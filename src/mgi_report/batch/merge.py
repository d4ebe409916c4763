"""The shards' manifests (and outputs) merged into one release folder.

A release built in shards (``build --all --shard K/N``, one per CI job) is
merged by ``build --all --merge-manifests``: each output whose file is there as
its shard's manifest records it is known in the release's manifest, copied in
from the shard's folder if need be, so that the next ``build --all --out OUT``
skips every output that is unchanged.

Shard folders come from other machines and other jobs: an output is copied
only if it is a regular file of the shard folder itself (not a link, not a
second name of another file), hashed as it is copied, and never more readable
than it was. A shard's manifest that cannot be read is an error, named with
why (``manifest``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError, UsageError
from ..files import reads
from ..files.names import printable_name
from ..files.writes import write_atomic
from .manifest import MANIFEST, Manifest, why_unreadable


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
        if not _plain_output_name(name):
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


def _plain_output_name(name: str) -> bool:
    """A manifest's output name is a PDF's or a profile's data's plain file name
    (``.pdf``, ``.json``): nothing else is read or written by a merge (manifests
    come from other machines); and one a terminal shows as it is (no control,
    format or bidi character)."""
    return (name == Path(name).name and not name.startswith(".")
            and name.endswith((".pdf", ".json"))
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
        fd, st = reads.open_regular(source)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return why_unreadable(exc)
    try:
        if st.st_nlink != 1:
            return "it has other names (a hard link): not copied"
        if st.st_size != entry.get("size") or entry.get("sha256") is None:
            return ""

        def copy(fh) -> None:
            h = hashlib.sha256()
            for block in reads.blocks(fd):
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
