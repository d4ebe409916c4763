"""The three witnesses of the hostile suites (see test_hostile.py, test_sandbox.py).

* a sentinel file outside every allowed folder, with unique bytes that must not
  appear in any PDF written, not even in a decompressed stream;
* a loopback listener on 127.0.0.1 that must see no connection (it answers any
  with a redirect to the sentinel, and closes itself after a while);
* a Python audit hook that records, while a build runs, every ``open`` of the
  sentinel's folder or of anything outside the allowed roots (the project, the
  interpreter, the temporary folder), every ``socket.connect`` and
  ``urllib.Request``, and every subprocess or ``exec``.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import weasyprint  # noqa: F401  (its import finds libraries with ldconfig: not a build's doing)

import pdfread  # noqa: F401
from mgi_report.resources import ROOT
from mgitree import all_pdf_bytes

mimetypes.init()  # reads /etc/mime.types once, at import, as any process would

_AUDIT: dict = {"on": False, "watch": "", "events": []}
#: Where a build may open files: the project (with its .venv and .cache), the
#: interpreter's own folders, and the temporary folder (the test's trees, fonts
#: WeasyPrint copies for @font-face). The sentinel's folder is watched besides.
ALLOWED_ROOTS = tuple(str(p) for p in {ROOT.resolve(), Path(sys.prefix), Path(sys.base_prefix),
                                       Path(tempfile.gettempdir()).resolve()})
_PROCESS_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                   "pty.spawn")


def _audit(event: str, args: tuple) -> None:
    if not _AUDIT["on"]:
        return
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if (_AUDIT["watch"] and path.startswith(_AUDIT["watch"])) or \
                not path.startswith(ALLOWED_ROOTS) and not path.startswith(("/dev/", "/proc/")):
            _AUDIT["events"].append((event, path))
    elif event in _PROCESS_EVENTS:
        _AUDIT["events"].append((event, repr(args)[:200]))
    elif event == "socket.connect":
        _AUDIT["events"].append((event, repr(args[1])))
    elif event == "urllib.Request" and not str(args[0]).startswith(("file:", "data:")):
        _AUDIT["events"].append((event, str(args[0])))


if not getattr(sys, "_mgi_audit_installed", False):  # audit hooks cannot be removed
    sys.addaudithook(_audit)
    sys._mgi_audit_installed = True  # type: ignore[attr-defined]


class Listener:
    """A TCP listener on 127.0.0.1 that records connections and closes itself."""

    def __init__(self, redirect_to: str, lifetime: float = 300.0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list = []
        self._redirect = (f"HTTP/1.1 302 Found\r\nLocation: {redirect_to}\r\n"
                          "Content-Length: 0\r\n\r\n").encode()
        self._stop = threading.Event()
        self._deadline = time.monotonic() + lifetime
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    conn, addr = self.sock.accept()
                except OSError:
                    continue
                self.connections.append(addr)
                with conn:
                    conn.settimeout(1)
                    try:
                        conn.recv(4096)
                        conn.sendall(self._redirect)
                    except OSError:
                        pass
        finally:
            self.sock.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outside")


@pytest.fixture(scope="module")
def sentinel(outside) -> tuple[Path, bytes]:
    """An SVG (so that it would be usable as an image) holding a unique token."""
    token = ("SENTINEL-" + secrets.token_hex(12)).encode()
    path = outside / "sentinel.svg"
    path.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
                     b"<!-- " + token + b" --><desc>" + token + b"</desc>"
                     b'<rect width="20" height="20" fill="red"/></svg>')
    return path, token


@pytest.fixture(scope="module")
def listener(sentinel):
    server = Listener(redirect_to=sentinel[0].as_uri())
    yield server
    server.close()
    assert not server.connections, server.connections


@pytest.fixture
def witnessed(outside, listener):
    """Audit the test's builds; afterwards nothing outside may have been read or dialled."""
    before = len(listener.connections)
    _AUDIT.update(on=True, watch=str(outside), events=[])
    try:
        yield
    finally:
        _AUDIT["on"] = False
    time.sleep(0.05)  # let a late connection show up
    assert _AUDIT["events"] == [], _AUDIT["events"]
    assert len(listener.connections) == before


@contextlib.contextmanager
def unwatched():
    """The test's own reading back (pdftotext) is not a build's doing."""
    was = _AUDIT["on"]
    _AUDIT["on"] = False
    try:
        yield
    finally:
        _AUDIT["on"] = was


def assert_sentinel_absent(pdf: Path, token: bytes) -> None:
    assert token not in all_pdf_bytes(pdf)


