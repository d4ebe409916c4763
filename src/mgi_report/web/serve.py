"""``mgi-report site --serve``: the site previewed on 127.0.0.1, rebuilt on save.

Python's ``http.server`` serves the site's folder, bound to the loopback
address only (nothing outside this machine can reach it), in a thread; the
build is run again on every save of what the site is made of (the content
tree, the layouts, the catalogs, the fonts), as ``watch`` does for one PDF
(resident.watch: saves gathered, errors reported while the last good site
stays in place). Ctrl-C stops both.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError

HOST = "127.0.0.1"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the folder; logs nothing per request (the build's lines stay readable)."""

    def log_message(self, format: str, *args) -> None:
        pass


def server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server of ``folder`` on 127.0.0.1:``port`` (0: any free port)."""
    handler = functools.partial(_Quiet, directory=str(folder))
    try:
        return http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot serve on {HOST}:{port}: {exc.strerror or exc}") from None


def serve(build: Callable[[], Path], folder: Path, paths: list[Path], port: int,
          watch: Callable[..., int], stop_event: threading.Event | None = None) -> int:
    """Build, serve ``folder`` on 127.0.0.1:``port`` and rebuild on every save
    under ``paths`` until Ctrl-C (or ``stop_event``). ``watch``: the loop that
    builds on every save (``resident.watch.watch``, a later stage's)."""
    folder.mkdir(parents=True, exist_ok=True)
    httpd = server(folder, port)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, bound = httpd.server_address[:2]
    print(f"mgi-report: serving {folder} at http://{host}:{bound}/ (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    try:
        return watch(build, paths, folder / ".manifest.json", stop_event)
    finally:
        httpd.shutdown()
        httpd.server_close()


def command(args, watch: Callable) -> int:
    """``mgi-report site``: build the site (only what changed), or with
    ``--serve`` build, serve on 127.0.0.1 and rebuild on every save (``watch``:
    resident/watch.py's)."""
    from . import site

    def build() -> Path:
        written = site.build_site(args.content, args.out, tuple(args.layouts), args.pdfs,
                                  base_url=args.base_url, force=args.force)
        print(f"mgi-report: {args.out}: {len(written)} file(s) written"
              + ("" if written else " (nothing changed)"), file=sys.stderr)
        return args.out

    if not args.serve:
        build()
        return 0
    from ..resources import FONTS, LAYOUTS, LOCALE

    paths = [p for p in (args.content, LAYOUTS, FONTS, LOCALE, *args.layouts) if p.exists()]
    return serve(build, args.out, paths, args.port, watch)
