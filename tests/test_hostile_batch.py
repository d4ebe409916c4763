"""Hostile input and faults, round three, for releases: links out of shard
folders and manifests, a release that records what it printed, a stopped batch
that stops, names from outside printed escaped (issue 29).

Hostile inputs run under the three witnesses of ``witness.py``; what runs in
another process (a stopped batch, a manifest that would flood memory) runs as
a subprocess with a memory limit and a timeout, and is judged by its exit,
its messages and the files it left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from mgi_report import pipeline as build
from mgi_report.batch import manifest, progress, workers
from mgi_report.batch import run as batch
from mgi_report.batch.digests import Digests
from mgi_report.batch.manifest import MANIFEST, Manifest
from mgi_report.batch.reading import Contents
from mgitree import PROFILE, lang_yaml, run
from pdfread import text
from witness import assert_sentinel_absent, listener, outside, sentinel, unwatched, witnessed  # noqa: F401

CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u2028", "\u2029")

# The audit hook of witness.py sees the path a file is opened by; a link planted
# inside an allowed folder hides where it leads. This one sees where it leads.
_THROUGH: dict = {"watch": "", "events": []}


def _through_links(event: str, args: tuple) -> None:
    if _THROUGH["watch"] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if flags & os.O_NOFOLLOW and os.path.islink(path):
            return  # refused by the kernel (ELOOP): nothing is read through it
        real = os.path.realpath(path)
        if real.startswith(_THROUGH["watch"]):
            _THROUGH["events"].append(real)


if not getattr(sys, "_mgi_through_links_installed", False):  # hooks cannot be removed
    sys.addaudithook(_through_links)
    sys._mgi_through_links_installed = True  # type: ignore[attr-defined]


@pytest.fixture
def no_link_followed(outside, witnessed):
    """Besides the three witnesses: nothing opened through a link into the
    sentinel's folder."""
    _THROUGH.update(watch=os.path.realpath(outside), events=[])
    try:
        yield
    finally:
        _THROUGH["watch"] = ""
    assert _THROUGH["events"] == []


@contextlib.contextmanager
def _own_doing():
    """The test's own reading of the sentinel is not the build's doing."""
    watch, _THROUGH["watch"] = _THROUGH["watch"], ""
    try:
        with unwatched():
            yield
    finally:
        _THROUGH["watch"] = watch


def _tree(root: Path, names: tuple[str, ...], broken: tuple[str, ...] = ()) -> Path:
    """A content tree of tiny one-language countries (``broken``: with a key
    that does not exist, so that they fail validation and nothing is built)."""
    content = root / "content"
    for name in names:
        folder = content / name.lower()
        folder.mkdir(parents=True)
        (folder / "profile.yaml").write_text(PROFILE, encoding="utf-8")
        en = lang_yaml(country=f"Republic of {name}", short_name=name, findings={
            "migrants_rights": ([f"{name} teaches every child."], [])})
        if name in broken:
            en += "populaton: 3\n"
        (folder / "en.yaml").write_text(en, encoding="utf-8")
    return content


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shard(folder: Path, files: dict[str, bytes], claims: dict[str, bytes] | None = None
           ) -> Path:
    """A shard's --out folder: its files and a manifest vouching for each
    (``claims``: outputs the manifest vouches for by these bytes' size and hash,
    whatever the folder holds under that name)."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {}
    for name, data in {**files, **(claims or {})}.items():
        if name in files:
            (folder / name).write_bytes(data)
        outputs[name] = {"inputs": "x" * 64, "profile": "p/en", "size": len(data),
                         "mtime_ns": 1, "sha256": _sha(data)}
    (folder / MANIFEST).write_text(json.dumps({"format": 2, "outputs": outputs}))
    return folder


def _recorded(folder: Path) -> dict:
    """The outputs a folder's manifest records (none if it has none)."""
    path = folder / MANIFEST
    return json.loads(path.read_text())["outputs"] if path.exists() else {}


def _merge(capsys, out: Path, *shards: Path) -> tuple[int, str]:
    return run(capsys, "build", "--all", "--out", out, "--merge-manifests", *shards)


def _no_controls(err: str) -> None:
    assert not [c for c in CONTROLS if c in err], ascii(err)


# ------------------------------------------------------------ links out


def test_a_merge_copies_only_regular_files_of_the_shard_folder(tmp_path, capsys, sentinel,
                                                                no_link_followed):
    path, token = sentinel
    with _own_doing():
        secret = path.read_bytes()
    shard = _shard(tmp_path / "shard", {"good-en.pdf": b"%PDF-1.7 good\n",
                                        "private-en.pdf": b"%PDF-1.7 private\n"},
                   claims={"link-en.pdf": secret, "hard-en.pdf": secret, "fifo-en.pdf": b""})
    (shard / "private-en.pdf").chmod(0o600)
    (shard / "link-en.pdf").symlink_to(path)
    os.link(path, shard / "hard-en.pdf")
    os.mkfifo(shard / "fifo-en.pdf")
    release = tmp_path / "release"

    code, err = _merge(capsys, release, shard)
    assert code == 0, err
    assert sorted(p.name for p in release.glob("*.pdf")) == ["good-en.pdf", "private-en.pdf"]
    for name, why in (("link-en.pdf", "symbolic link"), ("hard-en.pdf", "hard link"),
                      ("fifo-en.pdf", "FIFO")):
        assert f"{shard / name} is set aside: " in err and why in err, err
        assert f"{name}: no shard holds it" in err
    assert "2 outputs known (2 copied in), 3 left to build" in err
    # Never more readable than the shard's own file; the manifest vouches for the two.
    assert stat.S_IMODE((release / "private-en.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((release / "good-en.pdf").stat().st_mode) == 0o644
    assert sorted(json.loads((release / MANIFEST).read_text())["outputs"]) == \
        ["good-en.pdf", "private-en.pdf"]
    for p in release.iterdir():
        assert token not in p.read_bytes()


def test_an_output_in_out_that_is_a_link_is_never_vouched_for(tmp_path, capsys, sentinel,
                                                              no_link_followed):
    """The release folder itself: a link planted under an output's name, with a
    shard manifest claiming what it points at, is not recorded."""
    path, token = sentinel
    release = tmp_path / "release"
    release.mkdir()
    (release / "planted-en.pdf").symlink_to(path)
    with _own_doing():
        claim = path.read_bytes()
    shard = _shard(tmp_path / "shard", {}, claims={"planted-en.pdf": claim})
    code, err = _merge(capsys, release, shard)
    assert code == 0, err
    assert "planted-en.pdf: no shard holds it" in err
    assert "planted-en.pdf" not in _recorded(release)


_FLOOD = r"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))
from mgi_report.cli import main
out, shard, bad = sys.argv[1:4]
print("shard", main(["build", "--all", "--out", out + "-2", "--merge-manifests", bad]),
      flush=True)
print("out", main(["build", "--all", "--out", out, "--merge-manifests", shard]), flush=True)
"""


@pytest.mark.parametrize("kind", ["link to /dev/zero", "FIFO", "over the size cap"])
def test_a_manifest_that_is_no_plain_file_is_never_read(kind, tmp_path, sentinel):
    """In --out it is set aside with a warning (the merge goes on and replaces
    it); given as a shard's, a clear error naming it. Never read until memory
    runs out, never waited on."""
    release = tmp_path / "release"
    release.mkdir()
    bad = release / MANIFEST
    if kind == "FIFO":
        os.mkfifo(bad)
    elif kind == "over the size cap":
        with open(bad, "wb") as fh:  # sparse: costs no disk
            fh.truncate(manifest.MAX_MANIFEST_BYTES + 1)
    else:
        bad.symlink_to("/dev/zero")
    shard = _shard(tmp_path / "shard", {"good-en.pdf": b"%PDF-1.7 good\n"})
    done = subprocess.run([sys.executable, "-c", _FLOOD, str(release), str(shard), str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["shard", "2", "out", "0"], done.stdout + done.stderr
    err = done.stderr
    assert "Traceback" not in err and "internal error" not in err
    why = {"FIFO": "a FIFO", "over the size cap": "the limit is",
           "link to /dev/zero": "symbolic link"}[kind]
    assert f"warning: {bad} is set aside: " in err and why in err, err
    assert f"error: {bad} is not read as a shard's manifest: " in err, err
    assert stat.S_ISREG(bad.lstat().st_mode)  # replaced by the merged manifest
    assert list(json.loads(bad.read_text())["outputs"]) == ["good-en.pdf"]


def test_a_nested_or_broken_manifest_is_named_and_blocks_nothing(tmp_path, capsys, witnessed):
    content = _tree(tmp_path, ("Brokenland",), broken=("Brokenland",))
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("[" * 200_000 + "]" * 200_000)
    argv = ("build", "--all", "--content", content, "--out", out)
    code, err = run(capsys, *argv)
    assert code == 1, err  # brokenland's content error, and nothing else
    assert "internal error" not in err and "RecursionError" not in err
    assert f"warning: {out / MANIFEST} is set aside: it is not JSON: nested too deeply" in err
    assert "brokenland-en.pdf failed" in err
    code, err = run(capsys, *argv)  # the next release is not blocked
    assert code == 1 and "set aside" not in err and "warning" not in err, err

    shards = {"nested": ("[" * 200_000, "nested too deeply"),
              "garbage": ("{not json", "it is not JSON (line 1, column 2)"),
              "other": ('{"format": 2}', "not an mgi-report manifest"),
              "empty": ("", "it is not JSON")}
    for name, (data, why) in shards.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / MANIFEST).write_text(data)
        code, err = _merge(capsys, tmp_path / "release", folder)
        assert code == 2, err
        assert f"error: {folder / MANIFEST} is not read as a shard's manifest: " in err, err
        assert why in err and "internal error" not in err


# ------------------------------------------------------------ names from outside


def test_names_from_outside_reach_the_terminal_escaped(tmp_path, capsys, caplog, witnessed):
    hostile = ["title\x1b]0;pwned\x07-en.pdf", "clear\x1b[2J\x1b[31m-en.pdf",
               "csi\x9b31m-en.pdf", "fdp.\u202eexe-en.pdf", "line\u2028break-en.pdf"]
    shard = _shard(tmp_path / "shard", {"good-en.pdf": b"%PDF-1.7 good\n"},
                   claims={name: b"%PDF" for name in hostile})
    code, err = _merge(capsys, tmp_path / "release", shard)
    assert code == 0, err
    _no_controls(err)
    assert "title\\x1b]0;pwned\\x07-en.pdf: no shard holds it" in err
    assert "fdp.\\u202eexe-en.pdf: no shard holds it" in err
    assert "line\\u2028break-en.pdf" in err
    assert [p.name for p in (tmp_path / "release").glob("*.pdf")] == ["good-en.pdf"]

    # A country folder's name is a name from outside too (its outputs would be named
    # after it): such a folder is skipped, named escaped, and nothing is built from it.
    content = _tree(tmp_path, ("Evil\x1b]0;pwned\x07",), broken=("Evil\x1b]0;pwned\x07",))
    code, err = run(capsys, "build", "--all", "--content", content, "--out", tmp_path / "out")
    assert code != 0
    _no_controls(err)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    _no_controls(logged)
    assert "evil\\x1b]0;pwned\\x07" in logged
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_no_link_out_of_a_country_folder_is_followed_for_its_hash(tmp_path, capsys, sentinel,
                                                                   no_link_followed):
    """The input hash of ``build --all`` covers the other files of a country
    folder; one that is a link out of the content tree is not opened."""
    path, token = sentinel
    content = _tree(tmp_path, ("Linkland",), broken=("Linkland",))
    (content / "linkland" / "notes.svg").symlink_to(path)
    (content / "linkland" / "deep").mkdir()
    (content / "linkland" / "deep" / "deeper.svg").symlink_to(path)
    code, err = run(capsys, "build", "--all", "--content", content, "--out", tmp_path / "out")
    assert code == 1 and "linkland-en.pdf failed" in err, err


# ------------------------------------------------------------ a release never lies


def _attachments(pdf: Path) -> dict[str, bytes]:
    with pikepdf.open(pdf) as doc:
        return {name: spec.get_file().read_bytes() for name, spec in doc.attachments.items()}


def test_a_file_saved_during_the_run_is_built_again_by_the_next(tmp_path, cache_dir,
                                                                monkeypatch):
    """The editor saves while ``build --all`` runs (once the batch has read the
    file, before the worker lays it out): the output is made from the bytes
    the batch read and recorded under their hash, so the next run builds it
    again from the saved file, and again once the edit is undone."""
    content = _tree(tmp_path, ("Editland",))
    en = content / "editland" / "en.yaml"
    original = en.read_bytes()
    opts = batch.Options(content, tmp_path / "out", ("screen",), jobs=1, cache=cache_dir)
    (target,) = batch.plan(opts)
    as_read = Digests(opts).of(target)
    predraw = batch.predraw_wheels

    def save_meanwhile(*args):
        en.write_bytes(original.replace(b"Republic of Editland", b"Republic of Savedland"))
        predraw(*args)

    monkeypatch.setattr(batch, "predraw_wheels", save_meanwhile)
    pdf = opts.out / "editland-en.pdf"
    assert [o.target.name for o in batch.run(opts).built] == [pdf.name]
    assert "Editland" in text(pdf) and "Savedland" not in text(pdf)  # made as read...
    entry = json.loads((opts.out / MANIFEST).read_text())["outputs"][pdf.name]
    assert entry["inputs"] == as_read  # ...and recorded as such

    monkeypatch.setattr(batch, "predraw_wheels", predraw)
    assert [o.target.name for o in batch.run(opts).built] == [pdf.name]
    assert "Savedland" in text(pdf)  # the next run: the saved file
    en.write_bytes(original)  # the undo
    assert [o.target.name for o in batch.run(opts).built] == [pdf.name]
    assert "Savedland" not in text(pdf) and "Editland" in text(pdf)
    assert not batch.run(opts).built  # and now it is fresh


def test_one_build_reads_each_content_file_once(tmp_path, cache_dir, monkeypatch):
    """A file saved while a profile is laid out: the archive embeds the bytes
    the batch read and validated, and the worker reports the hash of those
    bytes."""
    content = _tree(tmp_path, ("Onceland",))
    en = content / "onceland" / "en.yaml"
    original = en.read_bytes()
    lay_out = build.lay_out

    def save_meanwhile(req, job):
        en.write_bytes(original.replace(b"Onceland teaches", b"Twiceland teaches"))
        return lay_out(req, job)

    monkeypatch.setattr(build, "lay_out", save_meanwhile)
    opts = batch.Options(content, tmp_path / "out", ("archive",), cache=cache_dir)
    (target,) = batch.plan(opts)
    read = Contents(opts, Digests(opts))
    read.digest(target)
    assert list(read.validate([target])) == [(target, None)]
    (task,) = read.tasks([target])
    (outcome,) = workers.build_profile(task, opts)
    assert outcome.status == "built", outcome.errors
    assert _attachments(target.output)["en.yaml"] == original
    assert "Twiceland" not in text(target.output)
    en.write_bytes(original)
    assert outcome.inputs == Digests(opts).of(target)


# ------------------------------------------------------------ a stopped batch stops


def _ours(pgid: int, mark: bytes) -> list[int]:
    """Live processes of the batch: in its process group, or with its mark in
    their environment (a process that left the group). A zombie is dead."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if fields[0] == b"Z":
                continue
            if int(fields[2]) == pgid:
                found.append(int(entry))
                continue
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if mark in fh.read().split(b"\0"):
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found


def _listing(folder: Path) -> dict[str, tuple]:
    out = {}
    for p in folder.iterdir():
        try:
            st = p.lstat()
        except FileNotFoundError:
            continue
        out[p.name] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return out


COUNTRIES = ("Aland", "Bland", "Cland")
JUNK = b"%PDF-1.7 not what the content says\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_batch_stops(sig, tmp_path, cache_dir):
    """``build --all`` stopped once its first PDF is written: within seconds no
    process of it is left, nothing is put into --out once it is gone, what it
    recorded is right, and the next run builds exactly the rest."""
    content = _tree(tmp_path, COUNTRIES)
    out = tmp_path / "out"
    out.mkdir()
    (out / "cland-en.pdf").write_bytes(JUNK)  # wrong: must be built again
    mark = f"MGI_TEST_BATCH={secrets.token_hex(8)}"
    env = {**os.environ, "MGI_REPORT_CACHE": str(cache_dir), mark.split("=")[0]:
           mark.split("=")[1]}
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mgi_report.cli", "build", "--all", "--content", str(content),
             "--out", str(out), "--edition", "screen", "--jobs", "2"],
            env=env, stderr=stderr, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        # A few seconds in: once its first PDF is written and recorded (or, had
        # it no journal, a moment later). The profiles' data come first.
        deadline, first = time.monotonic() + 240, None
        journal = out / manifest.JOURNAL
        while first is None or (time.monotonic() - first < 3 and not (
                journal.exists() and b'.pdf", "entry"' in journal.read_bytes()
                and journal.read_bytes().endswith(b"\n"))):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            if first is None and any(p.read_bytes() != JUNK for p in out.glob("*.pdf")):
                first = time.monotonic()
            time.sleep(0.02)
        os.kill(proc.pid, sig)
        stopped = time.monotonic()
        proc.wait(timeout=60)
        at_exit = _listing(out)
        while left := _ours(proc.pid, mark.encode()):
            assert time.monotonic() - stopped < 10, f"still running: {left}"
            time.sleep(0.05)
        assert _listing(out) == at_exit  # nothing put in place once the batch was gone
    finally:
        for pid in _ours(proc.pid, mark.encode()):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    err = log.read_text()
    assert "Traceback" not in err, err

    opts = batch.Options(content, out, ("screen",), jobs=1, cache=cache_dir, data=True)
    targets = {t.name: t for t in batch.plan(opts)}
    recorded = Manifest(out, journal=True)
    digests = Digests(opts)
    vouched = {n for n, t in targets.items() if recorded.fresh(t.output, digests.of(t))}
    assert vouched, err
    for name in vouched:  # what the manifest vouches for is right
        country = name.split("-")[0].capitalize()
        written = (out / name).read_text() if name.endswith(".json") else text(out / name)
        assert f"Republic of {country}" in " ".join(written.split())
    present = {n for n in targets if (out / n).exists()}
    junk = {n for n in present if (out / n).read_bytes() == JUNK}
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        last = err.strip().splitlines()[-1]
        n = len(vouched)
        assert last.startswith(f"mgi-report: stopped by SIGTERM: {n} output{'s' * (n != 1)} "
                               "written and recorded in the manifest"), last
        assert "nothing was written" not in err
        assert not list(out.glob(".*.tmp"))  # what the workers were writing, removed

    summary = batch.run(opts)  # the next run: exactly what is missing or wrong
    rebuilt = {o.target.name for o in summary.built}
    assert {o.target.name for o in summary.skipped} == vouched
    assert rebuilt == set(targets) - vouched
    assert (set(targets) - present) | junk <= rebuilt
    # beyond those, only what a worker had written but not yet reported (at most one each)
    assert len(rebuilt - (set(targets) - present) - junk) <= 2
    assert not summary.failed
    assert not batch.run(opts).built
    assert JUNK not in (out / "cland-en.pdf").read_bytes()


def test_after_ctrl_c_the_last_message_says_what_was_written(tmp_path, cache_dir, capsys,
                                                           monkeypatch):
    """Ctrl-C after the first PDF of three: one written (and recorded), the
    others not, and the three profiles' data, written first; never 'nothing was
    written'."""
    content = _tree(tmp_path, COUNTRIES)
    out = tmp_path / "out"
    call = progress.Progress.__call__

    def interrupted(self, outcome, n, total):
        call(self, outcome, n, total)
        if outcome.status == "built" and not outcome.target.data:
            raise KeyboardInterrupt

    monkeypatch.setattr(progress.Progress, "__call__", interrupted)
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    code, err = run(capsys, "build", "--all", "--content", content, "--out", out,
                    "--edition", "screen", "--jobs", "1")
    assert code == 130, err
    assert "nothing was written" not in err
    assert err.strip().splitlines()[-1] == (
        "mgi-report: stopped by SIGINT: 4 outputs written and recorded in the manifest; "
        "2 not built"), err
    (written,) = [p.name for p in out.glob("*.pdf")]
    assert list(json.loads((out / MANIFEST).read_text())["outputs"]) == sorted(
        [written, "aland-en.json", "bland-en.json", "cland-en.json"])
