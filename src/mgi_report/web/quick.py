"""A rebuild with nothing changed, answered before the program is imported.

Hashing the inputs is quick, but importing what reads and validates content
is not (YAML, Markdown, Babel: most of a second). So the site's manifest also
records the size and time of every file its last build was made from
(``snapshot``, taken before that build hashed them: a file saved during a
build is seen as changed next time): the content tree, the layouts, the fonts,
the catalogs, the colour profiles, the program's source, the PDFs' manifest,
and the folder of installed libraries (an upgrade changes it). ``unchanged``
compares them, and the site's files, with what is on disk now; when all agree,
``mgi-report site`` is done (launch.py asks before importing the command
line). Anything else, and the build runs as ever: hashes decide what is stale,
bytes what is written. Imports nothing of the program but ``resources``.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
from pathlib import Path

from ..resources import FONTS, ICC, LAYOUTS, LOCALE, PACKAGE

MANIFEST = ".manifest.json"  # ledger.MANIFEST (not imported: ledger imports more)
MAX_BYTES = 16 << 20


def roots(content: Path, layouts: tuple[Path, ...] = (), pdfs: Path | None = None
          ) -> list[Path]:
    """Everything a site is made from, as files and folders."""
    extra = [pdfs / ".mgi-report-manifest.json"] if pdfs else []
    return [Path(content), *map(Path, layouts), LAYOUTS, FONTS, ICC, LOCALE, PACKAGE, *extra]


def snapshot(paths: list[Path]) -> dict[str, list[int]]:
    """path -> [size, mtime_ns] of every file under ``paths`` (links not
    followed; no ``__pycache__``), and of the folder of installed libraries."""
    out: dict[str, list[int]] = {}
    stack = [str(p) for p in paths]
    while stack:
        path = stack.pop()
        try:
            st = os.lstat(path)
        except OSError:
            out[path] = [-1, 0]
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                names = []
            stack += [os.path.join(path, n) for n in names if n != "__pycache__"
                      and not n.endswith(".pyc") and not n.endswith(".tmp")]
        else:
            out[path] = [st.st_size, st.st_mtime_ns]
    libs = sysconfig.get_paths()["purelib"]
    try:
        out[libs] = [0, os.stat(libs).st_mtime_ns]
    except OSError:
        pass
    out["python"] = [sys.hexversion, 0]
    return out


def unchanged(out: Path, paths: list[Path], base_url: str | None) -> bool:
    """Whether the site in ``out`` was built from exactly these files (see the
    module's docstring) with this ``base_url``, and holds every file it
    recorded, as recorded."""
    try:
        st = os.lstat(out / MANIFEST)
        if st.st_mode & 61440 != 32768 or st.st_size > MAX_BYTES:
            return False
        with open(out / MANIFEST, "rb") as fh:
            obj = json.loads(fh.read(MAX_BYTES + 1).decode("utf-8"))
        if not isinstance(obj, dict) or obj.get("base_url") != base_url or \
                obj.get("inputs") != snapshot(paths):
            return False
        files = [e for c in obj["countries"].values() for e in c["pages"].items()]
        files += list(obj["shared"].items())
        for rel, entry in files:
            st = os.lstat(out / rel)
            if st.st_size != entry["size"] or (st.st_mode & 0o170000) != 0o100000:
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return False
    return True


def noop(argv: list[str]) -> bool:
    """``mgi-report site …`` (plain options only: no --serve, --force, -v, help)
    whose site is unchanged: says so and returns True. Anything else: False,
    and the command line runs."""
    if not argv or argv[0] != "site":
        return False
    opts: dict[str, list[str]] = {"--content": [], "--out": [], "--layouts": [], "--pdfs": [],
                                  "--base-url": []}
    args = argv[1:]
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name not in opts:
            return False
        if not eq:
            i += 1
            if i >= len(args):
                return False
            value = args[i]
        opts[name].append(value)
        i += 1
    if any(len(v) > 1 for k, v in opts.items() if k != "--layouts"):
        return False
    from ..resources import DEFAULT_CONTENT

    content = Path(opts["--content"][0]) if opts["--content"] else DEFAULT_CONTENT
    out = Path(opts["--out"][0]) if opts["--out"] else Path("site")
    pdfs = Path(opts["--pdfs"][0]) if opts["--pdfs"] else None
    base_url = opts["--base-url"][0] if opts["--base-url"] else None
    if not unchanged(out, roots(content, tuple(map(Path, opts["--layouts"])), pdfs), base_url):
        return False
    print(f"mgi-report: {out}: 0 file(s) written (nothing changed)", file=sys.stderr)
    return True
