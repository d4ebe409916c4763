"""Nothing lost: a killed, failed or concurrent build never leaves a bad PDF behind.

The builds here are real processes (``mgi-report build``) killed with SIGKILL
at several moments, among them the moment its temporary file appears.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pytest

from mgi_report.errors import RenderError
from mgi_report.files.writes import write_atomic
from mgi_report.resources import ROOT
from mgitree import make_tree

MGI = ROOT / ".venv" / "bin" / "mgi-report"


def command(content: Path, out: Path) -> list[str]:
    exe = [str(MGI)] if MGI.exists() else [sys.executable, "-m", "mgi_report.cli"]
    return [*exe, "build", "testland", "--lang", "en", "--content", str(content), "-o", str(out)]


def temps(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.tmp"))


def pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as doc:  # raises on a truncated or corrupt file
        return len(doc.pages)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("cache")
    return {**os.environ, "MGI_REPORT_CACHE": str(cache)}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return make_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def previous(tmp_path_factory, tree, env) -> tuple[bytes, int]:
    """A complete PDF of testland, built once: (bytes, page count)."""
    out = tmp_path_factory.mktemp("previous") / "testland-en.pdf"
    subprocess.run(command(tree, out), env=env, check=True, capture_output=True, timeout=120)
    return out.read_bytes(), pages(out)


def start(tree: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command(tree, out), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def kill(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    return proc.returncode


@pytest.mark.parametrize("delay", [0.05, 0.4, 0.9, 1.4])
def test_a_build_killed_at_any_moment_leaves_the_previous_pdf(delay, tmp_path, tree, env,
                                                               previous):
    out = tmp_path / "testland-en.pdf"
    out.write_bytes(previous[0])
    proc = start(tree, out, env)
    time.sleep(delay)
    code = kill(proc) if proc.poll() is None else proc.returncode
    if code == -signal.SIGKILL:
        assert out.read_bytes() == previous[0]
    else:  # it finished first: then the new PDF is complete
        assert code == 0 and pages(out) == previous[1]


#: A real build whose write stops, the PDF whole in its locked temporary file and not yet
#: renamed, until it is killed: it says "paused" on stdout. (Watching for the temporary
#: file from outside raced the write, which takes a few milliseconds.)
PAUSED_BUILD = """
import contextlib, sys, time
from pathlib import Path
from mgi_report.files import writes
out = Path(sys.argv[sys.argv.index("-o") + 1])
@contextlib.contextmanager
def pause():
    if list(out.parent.glob(f".{out.name}.*.tmp")):  # the PDF's rename, not a cache file's
        print("paused", flush=True)
        time.sleep(120)
    yield
writes.rename_guard = pause
from mgi_report.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_build_killed_while_writing_leaves_the_previous_pdf_and_the_next_cleans_up(
        tmp_path, tree, env, previous):
    out = tmp_path / "testland-en.pdf"
    out.write_bytes(previous[0])
    argv = command(tree, out)[command(tree, out).index("build"):]
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = proc.stdout.readline()
    finally:
        if proc.poll() is not None:
            pytest.fail(f"the build ended before its write: {proc.stderr.read()}")
    assert said == "paused\n"
    assert temps(out), "the build writes a temporary file beside the target"
    assert kill(proc) == -signal.SIGKILL
    assert out.read_bytes() == previous[0]
    left = temps(out)
    assert left, "a kill during the write leaves its temporary file"
    # The next build of the same target removes the leftover and writes a whole PDF.
    done = subprocess.run(command(tree, out), env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert pages(out) == previous[1]
    assert temps(out) == []


def test_concurrent_builds_of_one_target_give_a_whole_pdf(tmp_path, tree, env, previous):
    out = tmp_path / "testland-en.pdf"
    procs = [start(tree, out, env) for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert pages(out) == previous[1]
    assert temps(out) == []


# --------------------------------------------------------------- write_atomic


def test_concurrent_writers_never_mix_their_bytes(tmp_path):
    target = tmp_path / "t.pdf"
    payloads = [bytes([65 + i]) * 300_000 for i in range(12)]

    def writer(data: bytes) -> None:
        def write(fh):
            for k in range(0, len(data), 10_000):
                fh.write(data[k:k + 10_000])
                time.sleep(0.0005)
        write_atomic(target, write)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_bytes() in payloads
    assert temps(target) == []


def test_a_stale_temporary_file_is_removed_and_a_live_one_is_not(tmp_path):
    target = tmp_path / "t.pdf"
    stale = tmp_path / ".t.pdf.dead1234.tmp"
    stale.write_bytes(b"%PDF-half")
    live = tmp_path / ".t.pdf.live5678.tmp"
    live.write_bytes(b"%PDF-being-written")
    unrelated = tmp_path / ".other.pdf.x.tmp"
    unrelated.write_bytes(b"")
    with open(live, "rb") as held:  # another build holds it, as write_atomic does
        fcntl.flock(held, fcntl.LOCK_EX)
        write_atomic(target, lambda fh: fh.write(b"%PDF-new"))
        assert live.exists()
    assert not stale.exists()
    assert unrelated.exists()
    assert target.read_bytes() == b"%PDF-new"


def test_a_failed_write_keeps_the_target_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "t.pdf"
    target.write_bytes(b"%PDF-previous")

    def broken(fh):
        fh.write(b"%PDF-half")
        raise ValueError("renderer crashed")

    with pytest.raises(ValueError):
        write_atomic(target, broken)
    assert target.read_bytes() == b"%PDF-previous"
    assert temps(target) == []


def test_an_unwritable_target_is_a_render_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RenderError, match="cannot write"):
        write_atomic(blocker / "t.pdf", lambda fh: fh.write(b"x"))
    folder = tmp_path / "dir.pdf"
    folder.mkdir()
    with pytest.raises(RenderError, match="cannot write"):
        write_atomic(folder, lambda fh: fh.write(b"x"))
    assert temps(folder) == []


def test_the_command_line_reports_an_unwritable_output_with_exit_3(tmp_path, capsys):
    from mgitree import run

    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content",
                    make_tree(tmp_path), "-o", blocker / "out.pdf")
    assert code == 3
    assert err.strip().startswith(f"mgi-report: error: cannot write {blocker / 'out.pdf'}")
    assert "Traceback" not in err


# ----------------------------------------------------------------------- make


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_never_takes_a_temporary_file_for_a_target_and_clean_removes_them(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy2(ROOT / "Makefile", repo / "Makefile")
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    for name in ["src", "layouts", "fonts", "locale", "scripts", "content", ".venv"]:
        (repo / name).symlink_to(ROOT / name)
    stale = repo / ".kazakhstan-de.pdf.k1ll3d.tmp"
    stale.write_bytes(b"%PDF-half")
    plan = subprocess.run(["make", "-n", "-C", str(repo), "all"], capture_output=True, text=True)
    assert plan.returncode == 0, plan.stderr
    assert ".tmp" not in plan.stdout
    subprocess.run(["make", "-s", "-C", str(repo), "clean"], capture_output=True, check=True)
    assert not stale.exists()
