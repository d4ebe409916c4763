"""The resident renderer (`mgi-report serve`): single builds handed to a warm process.

Each test runs the real console script against a server of its own (its own
cache folder, so its own socket), and compares with builds run without it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from mgi_report import launch

MGI = str(Path(sys.executable).with_name("mgi-report"))


@pytest.fixture
def env(tmp_path):
    """Environment of a client and a server that share a fresh cache folder, a
    socket folder of their own (short: socket paths are) and a temporary folder."""
    runtime = Path(tempfile.mkdtemp(prefix="mgi-t-"))
    (tmp_path / "tmp").mkdir()
    e = dict(os.environ, MGI_REPORT_CACHE=str(tmp_path / "cache"), XDG_RUNTIME_DIR=str(runtime),
             TMPDIR=str(tmp_path / "tmp"))
    e.pop("MGI_REPORT_SERVER", None)
    yield e
    shutil.rmtree(runtime, ignore_errors=True)


class Server:
    """`mgi-report serve` started by a test; killed at the end whatever happened."""

    def __init__(self, env: dict, log: Path, *args: str, cmd: list[str] | None = None):
        self.log = log
        self.proc = subprocess.Popen((cmd or [MGI]) + ["serve", *args], env=env,
                                     stdout=subprocess.DEVNULL, stderr=log.open("w"))
        STARTED.append(self)
        deadline = time.monotonic() + 60
        while "ready" not in self.text():
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def text(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=30)


STARTED: list[Server] = []


@pytest.fixture(autouse=True)
def no_server_left():
    yield
    while STARTED:
        proc = STARTED.pop().proc
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(env, tmp_path):
    s = Server(env, tmp_path / "server.log", "--idle", "120")
    yield s
    s.stop()


def run(env: dict, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MGI, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def socket_of(env: dict) -> Path:
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return launch.socket_path()
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_a_build_through_the_server_is_the_build_without_it(server, env, tmp_path):
    out = run(env, "build", "kazakhstan", "--lang", "de", "-o", "via-server.pdf", "-v",
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "via-server.pdf"  # the child wrote to our stdout
    assert "built by the resident renderer" in out.stderr
    assert "build kazakhstan --lang de -o via-server.pdf" in server.text()
    alone = run(dict(env, MGI_REPORT_SERVER="off"), "build", "kazakhstan", "--lang", "de",
                "-o", "alone.pdf", cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
    assert server.text().count("build kazakhstan") == 1  # `off`: built here
    assert (tmp_path / "via-server.pdf").read_bytes() == (tmp_path / "alone.pdf").read_bytes()


def test_errors_come_back_located_with_the_exit_status(server, env, tmp_path, content_copy):
    de = content_copy / "kazakhstan" / "de.yaml"
    de.write_text(de.read_text().replace("country:", "countyr:", 1))
    out = run(env, "build", "kazakhstan", "--lang", "de", "--content", str(content_copy),
              "-o", "bad.pdf", cwd=tmp_path)
    assert out.returncode == 1
    # located as without the server: relative to the client's working folder
    assert "content/kazakhstan/de.yaml:2:1: unknown key `countyr`" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "bad.pdf").exists()
    assert "build kazakhstan" in server.text()  # it was the server's child that refused
    usage = run(env, "build", "kazakhstan", "--lang", "xx", cwd=tmp_path)
    assert usage.returncode == 2 and "no `xx` findings" in usage.stderr


def test_a_request_for_other_code_is_built_here_and_the_server_stays(server, env, tmp_path):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(socket_of(env)))
    request = {"argv": ["build", "kazakhstan", "--lang", "de"], "cwd": str(tmp_path),
               "key": "0" * 32}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [1, 2])
    assert json.loads(conn.recv(100)) == {"other": True}
    conn.close()
    assert not list(tmp_path.glob("*.pdf"))
    out = run(env, "build", "kazakhstan", "--lang", "en", "-o", "en.pdf", cwd=tmp_path)
    assert out.returncode == 0 and (tmp_path / "en.pdf").exists()
    assert "build kazakhstan --lang en" in server.text()


def test_only_single_builds_are_handed_over(server, env, tmp_path):
    out = run(env, "list")
    assert out.returncode == 0 and "kazakhstan" in out.stdout
    assert "mgi-report: list" not in server.text()


def test_one_server_per_cache_and_it_stops_when_asked(server, env, tmp_path):
    second = run(env, "serve")
    assert second.returncode == 2 and "already runs" in second.stderr
    stop = run(env, "serve", "--stop")
    assert stop.returncode == 0
    assert server.proc.wait(timeout=30) == 0
    assert "stopped: asked to stop" in server.text()
    assert not socket_of(env).exists()
    again = run(env, "serve", "--stop")
    assert again.returncode == 2 and "no resident renderer" in again.stderr
    # without a server the build runs here, as before
    out = run(env, "build", "kazakhstan", "--lang", "de", "-o", "here.pdf", cwd=tmp_path)
    assert out.returncode == 0 and (tmp_path / "here.pdf").exists()


def test_it_stops_by_itself_when_idle(env, tmp_path):
    s = Server(env, tmp_path / "idle.log", "--idle", "1")
    assert s.proc.wait(timeout=30) == 0
    assert "stopped: no build for 1 s" in s.text()
    assert not socket_of(env).exists()


def test_a_leftover_socket_file_does_not_stop_builds(env, tmp_path):
    path = socket_of(env)
    assert launch.private_folder(path.parent)
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(str(path))
    leftover.close()  # a file nobody listens on, as after a crash
    try:
        out = run(env, "build", "kazakhstan", "--lang", "de", "-o", "x.pdf", cwd=tmp_path)
        assert out.returncode == 0 and (tmp_path / "x.pdf").exists()
        s = Server(env, tmp_path / "s.log", "--idle", "60")  # and a server replaces it
        s.stop()
    finally:
        path.unlink(missing_ok=True)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_makefile_has_a_serve_target(root):
    out = subprocess.run(["make", "-n", "serve"], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0 and "mgi-report serve" in out.stdout


def test_the_server_stops_when_its_code_changes(env, tmp_path, root):
    """A server started from a copy of the package stops once that copy is edited, also
    a module inside one of its stage folders."""
    pkg = tmp_path / "src" / "mgi_report"
    shutil.copytree(Path(launch.__file__).parent, pkg,
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(env, PYTHONPATH=str(pkg.parent), MGI_REPORT_HOME=str(root))
    s = Server(env, tmp_path / "copy.log", "--idle", "60", cmd=[
        sys.executable, "-c", "import sys, mgi_report.launch as l; "
        "assert l.__file__.startswith(sys.argv[1]); sys.exit(l.main(sys.argv[2:]))", str(pkg)])
    module = pkg / "engine" / "render.py"  # a module inside a stage's folder
    module.write_text(module.read_text() + "\n# edited\n")
    assert s.proc.wait(timeout=30) == 0
    assert "stopped: mgi-report or a library it uses changed" in s.text()


def test_help_and_odd_requests_are_answered_as_without_the_server(server, env, tmp_path):
    out = run(env, "build", "-vh")  # -h inside a flag group: handed over, answered there
    assert out.returncode == 0 and "usage: mgi-report build" in out.stdout
    assert "build -vh" in server.text()
    abbreviated = run(env, "build", "--al", cwd=tmp_path)  # not --all: no abbreviations
    assert abbreviated.returncode == 2 and "unrecognized arguments: --al" in abbreviated.stderr
    assert not launch._delegable(["build", "--all"]) and launch._delegable(["build", "x"])
    for junk in (b"[1]\n", b'{"argv": 1, "key": 2}\n', b"\xff\n"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(socket_of(env)))
        conn.sendall(junk)
        conn.recv(100)
        conn.close()
    assert server.proc.poll() is None  # still serving
    out = run(env, "build", "kazakhstan", "--lang", "en", "-o", "after.pdf", cwd=tmp_path)
    assert out.returncode == 0 and "-o after.pdf" in server.text()


def test_an_interrupted_client_stops_its_build(server, env, tmp_path):
    client = subprocess.Popen([MGI, "build", "kazakhstan", "--lang", "de", "-o", "stopped.pdf"],
                              env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while "-o stopped.pdf" not in server.text():  # the server's child has the build
        assert time.monotonic() < deadline and client.poll() is None
        time.sleep(0.02)
    time.sleep(0.2)
    client.send_signal(signal.SIGINT)
    out, err = client.communicate(timeout=30)
    assert client.returncode == 130, err
    assert "interrupted; nothing was written" in err and "Traceback" not in err
    time.sleep(3)  # a child that went on would have written by now
    assert not (tmp_path / "stopped.pdf").exists()
    assert not list(tmp_path.glob(".stopped.pdf*"))


def test_builds_leave_no_temporary_folders(server, env, tmp_path):
    for lang in ("de", "en"):
        out = run(env, "build", "kazakhstan", "--lang", lang, "-o", f"{lang}.pdf", cwd=tmp_path)
        assert out.returncode == 0
        assert out.stderr == ""  # nothing after the answer either (the child's clean-up)
    deadline = time.monotonic() + 10
    while list((tmp_path / "tmp").iterdir()):  # WeasyPrint's font folders, the builds' own
        assert time.monotonic() < deadline, list((tmp_path / "tmp").iterdir())
        time.sleep(0.1)
