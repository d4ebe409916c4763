"""The ``mgi-report`` command: hand a build to the resident renderer when one runs.

A fresh Python process spends about half a second importing WeasyPrint and
setting up fonts before it renders anything. ``mgi-report serve`` keeps one
process with all of that done; while it runs, ``mgi-report build COUNTRY``
(and so ``make X.pdf``) sends its arguments, working folder and terminal to
it over a Unix socket, and a forked copy of the warm process runs exactly
the build this process would have run, writing to this process's stdout and
stderr and returning its exit status. Without a server, or with one started
from other code, other resources or another cache, the build runs here.

This module is imported before anything else, so it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
import stat
import sys
from pathlib import Path

#: Libraries whose files, if replaced, make a running server stale.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "pyphen",
             "fontTools", "jinja2", "babel", "markdown_it", "yaml", "pikepdf")
#: Environment variables that change what a build reads or writes.
ENVIRONMENT = ("MGI_REPORT_HOME", "MGI_REPORT_CACHE")


def _root_and_cache() -> tuple[Path, Path]:
    root = Path(os.environ.get("MGI_REPORT_HOME", Path(__file__).resolve().parents[2]))
    return root, Path(os.environ.get("MGI_REPORT_CACHE", root / ".cache"))


def code_key() -> str:
    """What a server's answers depend on besides the files a build reads:
    mgi-report's own source, the libraries', the interpreter and the folders."""
    h = hashlib.sha256()
    root, cache = _root_and_cache()
    h.update(repr((sys.executable, sys.version, str(root.resolve()),
                   str(cache.resolve()))).encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            st = os.stat(origin)
            h.update(repr((name, origin, st.st_mtime_ns, st.st_size)).encode())
        except OSError:
            h.update(repr((name, None)).encode())
    return h.hexdigest()[:32]


def socket_path() -> Path:
    """The server's socket: per user and per cache folder, in a private folder.

    Unix socket paths are short (108 bytes), so the socket does not live in
    the cache folder itself but is named after it.
    """
    _, cache = _root_and_cache()
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"mgi-report-{os.getuid()}"
    name = hashlib.sha256(str(cache.resolve()).encode()).hexdigest()[:20]
    return base / f"{name}.sock"


def private_folder(folder: Path) -> bool:
    """True when ``folder`` is ours and nobody else may enter it (made if missing)."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and stat.S_IMODE(st.st_mode) & 0o077 == 0)


def _delegable(argv: list[str]) -> bool:
    """Only single builds go to the server (``--all`` has its own warm workers)."""
    return (bool(argv) and argv[0] == "build" and "--all" not in argv
            and not any(a in ("-h", "--help") for a in argv))


def delegate(argv: list[str]) -> int | None:
    """Run ``argv`` in the resident renderer; None when there is none to use."""
    path = socket_path()
    if not path.exists() or not private_folder(path.parent):
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        request = {"argv": argv, "cwd": os.getcwd(), "key": code_key(),
                   "env": {k: os.environ[k] for k in ENVIRONMENT if k in os.environ}}
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [1, 2])
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError:
        return None  # no server listening (a stale socket file), or it went away
    finally:
        conn.close()
    try:
        answer = json.loads(reply)
    except ValueError:
        answer = {}
    if "exit" in answer:
        if "-v" in argv or "--verbose" in argv:
            print("mgi-report: built by the resident renderer (mgi-report serve)",
                  file=sys.stderr)
        return int(answer["exit"])
    if answer.get("other"):
        return None  # not this code or these folders: build here
    print("mgi-report: the resident renderer stopped during the build; building here",
          file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _delegable(argv) and os.environ.get("MGI_REPORT_SERVER", "") != "off":
        code = delegate(argv)
        if code is not None:
            return code
    from .cli import main as cli_main

    return cli_main(argv)


def run() -> None:  # the console script
    sys.exit(main())

