"""``mgi-report serve``: the resident renderer behind fast single builds.

The server imports WeasyPrint and mgi-report, loads the hyphenation
patterns of every shipped language and renders a small warm-up document
(fontconfig, Pango, HarfBuzz and cffi set up), then waits on a Unix socket
(see ``launch``). Each build request is run by a child forked from this warm
process, so every build starts from the same state, runs the same
``cli.main`` as a build without the server, and returns its memory when it
ends. The server holds nothing a user edits: content, layouts, catalogs and
fonts are read by each build, as without it. It stops when its own or its
libraries' code changes, after ``idle`` seconds without a request, on
``mgi-report serve --stop``, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import _thread
import fcntl
import gc
import json
import logging
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Callable

from ..errors import UsageError
from . import protocol as resident

LOG = logging.getLogger("mgi_report")
CHECK_EVERY = 2.0  # seconds between checks of the code and the idle time

WARM_UP = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><style>
@font-face { font-family: "Noto Sans"; src: url("NotoSans-Regular.ttf"); }
@font-face { font-family: "Noto Sans"; src: url("NotoSans-Bold.ttf"); font-weight: 700; }
@font-face { font-family: "Noto Sans"; src: url("NotoSans-Italic.ttf"); font-style: italic; }
@font-face { font-family: "Noto Sans Arabic"; src: url("NotoSansArabic-Regular.ttf"); }
@font-face { font-family: "Noto Naskh Arabic"; src: url("NotoNaskhArabic-Regular.ttf"); }
@page { size: A4; @top-left { content: "Profil"; } @bottom-right { content: counter(page); } }
html { font-family: "Noto Sans"; hyphens: auto; } p { text-align: justify; }
</style></head><body><h1>Migrationssteuerung</h1>
<p>Die Indikatoren der Migrationspolitik bewerten die Vollständigkeit der Strukturen.</p>
<p><b>Bold</b> <i>kursiv</i> <a href="#x" id="x">Verweis</a></p>
<p lang="ru">Показатели миграционного управления</p>
<p lang="ar" dir="rtl" style="font-family: 'Noto Naskh Arabic'">مؤشرات حوكمة الهجرة</p>
<img alt="" style="width: 20mm" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'
 viewBox='0 0 10 10'%3E%3Cpath d='M0 0L10 10' stroke='red'/%3E%3Ctext x='1' y='5'
 font-family='Noto Sans'%3E1%3C/text%3E%3C/svg%3E">
</body></html>"""


def warm_up(cache: Path | None = None) -> None:
    """Do once what every build would do first: imports, patterns, font set-up."""
    import io

    import weasyprint  # noqa: F401

    from .. import pipeline as build
    from ..compose import profile as compose
    from ..editions import document as editions
    from ..editions import finishing
    from ..engine import render, warm  # noqa: F401
    from ..resources import FONTS
    from ..text import i18n

    languages = i18n.available_languages()
    warm.hyphenation(languages, cache)
    for lang in languages:  # Babel's locale data (CLDR, from the installed package)
        i18n.direction(lang)
        i18n.month_year(date(2000, 1, 1), lang)
    document = render.render(WARM_UP, FONTS.resolve().as_uri() + "/", [FONTS])
    document.write_pdf(io.BytesIO())


class Server:
    def __init__(self, idle: float, run: Callable[[list[str]], int]):
        self.idle = idle
        self.run_build = run  # the command line's main (cli passes it: no import circle)
        path = resident.socket_path()
        if path is None:
            raise UsageError("no folder for the resident renderer's socket is short enough "
                             "(set XDG_RUNTIME_DIR to a short folder)")
        self.path = path
        self.env = resident.environment()  # as started: warm_up sets FONTCONFIG_FILE
        self.key = resident.code_key(self.env)
        self.last = time.monotonic()
        self.children: dict[int, str] = {}  # pid -> its temporary folder
        self.sock: socket.socket | None = None
        self.inode: int | None = None
        self.lock: int | None = None

    # ----------------------------------------------------------- life cycle
    def claim(self) -> None:
        """Hold this cache's lock file for the server's lifetime: one server each."""
        if not resident.private_folder(self.path.parent):
            raise UsageError(f"{self.path.parent} is not a private folder of this user; "
                             "the resident renderer needs one for its socket")
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UsageError(f"a resident renderer already runs for this cache ({self.path}); "
                             "stop it with `mgi-report serve --stop`") from None
        self.lock = fd

    def open(self) -> None:
        """Listen (after warming up, so that no client waits for it)."""
        self.path.unlink(missing_ok=True)  # a crashed server's socket: the lock is ours
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        sock.listen(16)
        sock.settimeout(CHECK_EVERY)
        self.sock, self.inode = sock, self.path.stat().st_ino

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            try:
                if self.path.stat().st_ino == self.inode:
                    self.path.unlink()
            except OSError:
                pass
        for pid in list(self.children):  # let running builds finish
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            shutil.rmtree(self.children.pop(pid), ignore_errors=True)
        if self.lock is not None:
            os.close(self.lock)

    def reap(self) -> None:
        for pid in list(self.children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                shutil.rmtree(self.children.pop(pid), ignore_errors=True)

    def why_stop(self) -> str | None:
        if self.idle and not self.children and time.monotonic() - self.last > self.idle:
            return f"no build for {self.idle:g} s"
        if resident.code_key(self.env) != self.key:
            return "mgi-report or a library it uses changed"
        return None

    def run(self) -> str:
        assert self.sock is not None
        next_check = time.monotonic() + CHECK_EVERY
        while True:
            self.reap()
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + CHECK_EVERY
                reason = self.why_stop()
                if reason:
                    return reason
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    if self.handle(conn) == "stop":
                        return "asked to stop"
                except Exception as exc:  # noqa: BLE001 (one bad request must not stop us)
                    LOG.warning("a request failed: %s: %s", type(exc).__name__, exc)

    # ------------------------------------------------------------- requests
    def handle(self, conn: socket.socket) -> str | None:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _, uid, _ = struct.unpack("3i", creds)
        fds: list[int] = []
        try:
            if uid != os.getuid():
                return None
            request, fds = _read_request(conn)
            if request is None:
                return None
            if request.get("stop") is True:
                conn.sendall(b'{"stopping": true}\n')
                return "stop"
            if request.get("key") != self.key or len(fds) != 2 or not _valid(request):
                conn.sendall(b'{"other": true}\n')
                return None
            if _hung_up(conn):
                return None  # the client gave up waiting: it builds on its own
            self.last = time.monotonic()
            print(f"mgi-report: {' '.join(request['argv'])}  (in {request['cwd']})",
                  file=sys.stderr, flush=True)
            tmp = tempfile.mkdtemp(prefix="mgi-report-build-")
            # Taken: said before the child exists, so it comes before its status.
            conn.sendall(b'{"started": true}\n')
            pid = os.fork()
            if pid == 0:  # pragma: no cover (runs in the child; tested end to end)
                self._child(conn, request, fds, tmp)
            self.children[pid] = tmp
            return None
        finally:
            for fd in fds:
                os.close(fd)

    def _child(self, conn: socket.socket, request: dict, fds: list[int], tmp: str) -> None:
        """Run the build; report its exit status; never return."""
        code = 3
        try:
            os.setpgid(0, 0)  # Ctrl-C in the server's terminal does not stop our build
            assert self.sock is not None
            self.sock.close()
            if self.lock is not None:
                os.close(self.lock)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(fds[0], 1)
            os.dup2(fds[1], 2)
            os.environ.clear()
            os.environ.update(request["env"])
            os.environ["TMPDIR"] = tempfile.tempdir = tmp  # removed by the server
            os.umask(request["umask"])
            os.chdir(request["cwd"])
            conn.settimeout(None)
            building = threading.Event()
            building.set()
            _stop_when_client_goes(conn, building)
            code = self.run_build(request["argv"])
            building.clear()
        except SystemExit as exc:  # argparse's --help (errors are UsageErrors)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except BaseException as exc:  # noqa: BLE001 (reported to the client as exit 3)
            print(f"mgi-report: internal error in the resident renderer: {exc}",
                  file=sys.stderr)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
                conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
                # After the answer, so the client need not wait, and silently:
                # WeasyPrint removes its font folders when its objects are
                # collected (the server also removes this child's temporary
                # folder when it ends).
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                os.dup2(null, 2)
                gc.collect()
            finally:
                os._exit(0)


def _read_request(conn: socket.socket, deadline: float = 2.0) -> tuple[dict | None, list[int]]:
    """One JSON line and the client's two file descriptors, within ``deadline`` s."""
    end = time.monotonic() + deadline
    conn.settimeout(deadline)
    data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
    while not data.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0 or len(data) > 1 << 22:
            return None, list(fds)
        conn.settimeout(left)
        chunk = conn.recv(1 << 20)
        if not chunk:
            return None, list(fds)
        data += chunk
    try:
        request = json.loads(data)
    except ValueError:
        return None, list(fds)
    return (request if isinstance(request, dict) else None), list(fds)


def _valid(request: dict) -> bool:
    argv, env = request.get("argv"), request.get("env")
    return (isinstance(argv, list) and all(isinstance(a, str) for a in argv)
            and isinstance(request.get("cwd"), str) and isinstance(request.get("umask"), int)
            and isinstance(env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()))


def _hung_up(conn: socket.socket) -> bool:
    """True when the client has closed its end (it stopped waiting for us)."""
    poller = select.poll()
    poller.register(conn, select.POLLRDHUP)
    return any(ev & (select.POLLRDHUP | select.POLLHUP) for _, ev in poller.poll(0))


def _stop_when_client_goes(conn: socket.socket, building: threading.Event) -> None:
    """Interrupt this build (as Ctrl-C would) when the client hangs up or is
    interrupted while ``building`` is set."""
    def watch() -> None:
        try:
            conn.recv(1)  # the client sends nothing more: this returns when it is gone
        except OSError:
            pass
        if building.is_set():
            _thread.interrupt_main()

    threading.Thread(target=watch, daemon=True).start()


def stop() -> bool:
    """Ask the server of this cache to stop; False when none runs."""
    path = resident.socket_path()
    if path is None:
        return False
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(resident.ANSWER_TIMEOUT)
    try:
        conn.connect(str(path))
        conn.sendall(b'{"stop": true}\n')
        return b"stopping" in conn.recv(100)
    except OSError:
        return False
    finally:
        conn.close()


def serve(idle: float, run: Callable[[list[str]], int]) -> int:
    """Serve builds until idle, interrupted or stale; ``run(argv)`` runs one
    (the command line's ``main``, as a build without the server would)."""
    server = Server(idle, run)
    server.claim()

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    started = time.monotonic()
    try:
        warm_up()
        gc.collect()
        gc.freeze()  # the warm objects: children do not copy them by collecting
        server.open()
        print(f"mgi-report: resident renderer ready in {time.monotonic() - started:.1f} s "
              f"(pid {os.getpid()}); `mgi-report build` and `make X.pdf` now use it; "
              "Ctrl-C or `mgi-report serve --stop` stops it", file=sys.stderr, flush=True)
        reason = server.run()
    except KeyboardInterrupt:
        reason = "interrupted"
    finally:
        server.close()
    print(f"mgi-report: resident renderer stopped: {reason}", file=sys.stderr, flush=True)
    return 0
