"""The ``mgi-report`` command: hand a build to the resident renderer when one runs.

A fresh Python process spends about half a second importing WeasyPrint and
setting up fonts before it renders anything. ``mgi-report serve`` keeps one
process with all of that done; while it runs, ``mgi-report build COUNTRY``
(and so ``make X.pdf``) sends its arguments, working folder, environment,
umask and terminal to it over a Unix socket, and a forked copy of the warm
process runs exactly the build this process would have run, writing to this
process's stdout and stderr and returning its exit status. Without a server,
with one that does not answer, or with one started from other code, other
resources or another environment, the build runs here.

This module is imported before anything else, so it imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

from .resident.protocol import ANSWER_TIMEOUT, code_key, private_folder, socket_path


def _delegable(argv: list[str]) -> bool:
    """Only single builds go to the server (``--all`` has its own warm workers);
    ``-v`` may come before the command, as after it."""
    command = list(argv)
    while command and command[0] in ("-v", "--verbose"):
        command.pop(0)
    return (bool(command) and command[0] == "build" and "--all" not in command
            and not any(a in ("-h", "--help") for a in command))


def _read_line(conn: socket.socket) -> dict | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    try:
        answer = json.loads(data)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


class _Stop(Exception):
    """SIGTERM or SIGHUP while the server builds for us."""


def delegate(argv: list[str]) -> int | None:
    """Run ``argv`` in the resident renderer; None when there is none to use.

    The server answers twice: once when a child has taken the request (or
    that it is for other code), once with the build's exit status. If the
    first answer does not come within ANSWER_TIMEOUT, the build runs here
    (the server skips a request whose client has gone). Interrupted, this
    process tells the child to stop, waits for its status and returns it.
    """
    path = socket_path()
    if path is None or not path.exists() or not private_folder(path.parent):
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(ANSWER_TIMEOUT)
    umask = os.umask(0)
    os.umask(umask)
    try:
        conn.connect(str(path))
        request = {"argv": argv, "cwd": os.getcwd(), "key": code_key(), "umask": umask,
                   "env": dict(os.environ)}
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [1, 2])
        first = _read_line(conn)
    except OSError:
        conn.close()
        return None  # none listening (a leftover socket file), not answering, or gone
    if first is None or "started" not in first:
        conn.close()
        return None  # other code or folders, or a server that went away: build here

    def stop(signum, frame):
        raise _Stop

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    conn.settimeout(None)
    try:
        try:
            answer = _read_line(conn)
        except (KeyboardInterrupt, _Stop):
            conn.shutdown(socket.SHUT_WR)  # the child stops, reports, and exits
            conn.settimeout(ANSWER_TIMEOUT)
            try:
                answer = _read_line(conn)
            except (OSError, KeyboardInterrupt, _Stop):
                answer = None
            if answer is None:
                print("mgi-report: interrupted; nothing was written", file=sys.stderr)
                return 130
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        conn.close()
    if answer is None or "exit" not in answer:
        print("mgi-report: the resident renderer stopped during the build; building here",
              file=sys.stderr)
        return None
    if "-v" in argv or "--verbose" in argv:
        print("mgi-report: built by the resident renderer (mgi-report serve)", file=sys.stderr)
    return int(answer["exit"])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _delegable(argv) and os.environ.get("MGI_REPORT_SERVER", "") != "off":
        code = delegate(argv)
        if code is not None:
            return code
    from .web import quick  # a site with nothing changed: done before the big imports

    if quick.noop(argv):
        return 0
    from .cli import main as cli_main

    return cli_main(argv)
