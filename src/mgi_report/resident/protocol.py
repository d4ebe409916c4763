"""What the resident renderer and its clients agree on: where the socket is,
who may use it, and which code and environment a server's answers depend on.

Shared by ``launch`` (the client, imported before anything else) and
``server``, so that neither imports the other; it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import stat
import sys
from pathlib import Path

from ..resources import PACKAGE, cache_folder, home

#: Libraries whose files, if replaced, make a running server stale.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "pyphen",
             "fontTools", "jinja2", "babel", "markdown_it", "yaml", "pikepdf", "matplotlib")
#: Environment variables that change what a build reads or how it renders
#: (folders, and what fontconfig and matplotlib read at start-up): a server
#: answers only clients that agree with it on all of them.
ENVIRONMENT = ("MGI_REPORT_HOME", "MGI_REPORT_CACHE", "HOME", "XDG_CONFIG_HOME",
               "XDG_DATA_HOME", "XDG_CACHE_HOME", "FONTCONFIG_FILE", "FONTCONFIG_PATH",
               "MPLCONFIGDIR", "LANG", "LC_ALL")
#: Seconds a client waits for the server to take its request.
ANSWER_TIMEOUT = 10.0
MAX_SOCKET_PATH = 107  # bytes, sun_path on Linux less its terminating NUL


def environment() -> dict[str, str | None]:
    """The variables of ENVIRONMENT as they are now. A server keeps them as it
    started: what its own start-up sets (``FONTCONFIG_FILE``, by
    fonts.isolate_fonts) is not a change."""
    return {k: os.environ.get(k) for k in ENVIRONMENT}


def code_key(env: dict[str, str | None] | None = None) -> str:
    """What a server's answers depend on besides the files a build reads:
    mgi-report's own source, the libraries', the interpreter, the folders and
    the environment variables in ENVIRONMENT (``env``: as they were then;
    default: as they are now)."""
    env = environment() if env is None else env
    h = hashlib.sha256()
    h.update(repr((sys.executable, sys.version, str(home().resolve()),
                   str(cache_folder().resolve()),
                   [env.get(k) for k in ENVIRONMENT])).encode())
    for path in sorted(PACKAGE.rglob("*.py")):  # every stage's modules
        h.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            st = os.stat(origin)
            h.update(repr((name, origin, st.st_mtime_ns, st.st_size)).encode())
        except OSError:
            h.update(repr((name, None)).encode())
    return h.hexdigest()[:32]


def socket_path() -> Path | None:
    """The server's socket: per user and per cache folder, in a private folder.

    Unix socket paths are short (107 bytes), so the socket does not live in
    the cache folder itself but is named after it; under ``$XDG_RUNTIME_DIR``
    when that is short enough, else under /tmp. None if neither fits.
    """
    name = hashlib.sha256(str(cache_folder().resolve()).encode()).hexdigest()[:20] + ".sock"
    for base in (os.environ.get("XDG_RUNTIME_DIR"), "/tmp"):
        if base:
            path = Path(base) / f"mgi-report-{os.getuid()}" / name
            if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
                return path
    return None


def private_folder(folder: Path) -> bool:
    """True when ``folder`` is ours and nobody else may enter it (made if missing)."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and stat.S_IMODE(st.st_mode) & 0o077 == 0)
