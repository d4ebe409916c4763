"""``mgi-report watch``: rebuild one PDF on every save of anything it is made of
(the country's files, the layouts, the language's catalog and hyphenation
list, the fonts), in this process, which stays warm: WeasyPrint imported, the
hyphenation patterns and drawn wheels kept, so a rebuild pays no start-up.
Saves are gathered (watchfiles, debounced) and each batch costs one build; it
prints the time or the located errors, and Ctrl-C ends it.

A watched folder that is deleted (and made again, as an editor's "save all"
or a ``git checkout`` may) is followed: every half second the watched paths
are compared with what is being watched (each one's device and inode), and
on any difference the watching starts again on the paths as they are now, and
the PDF is built once more."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import ContentError, MgiError
from ..resources import FONTS, LAYOUTS, LOCALE


def sources(content: Path, slug: str, lang: str, layouts: tuple[Path, ...] = ()) -> list[Path]:
    """What the PDF depends on, as folders and files to watch."""
    paths = [content / slug, content / "publisher.yaml",  # the series' facts
             LAYOUTS, FONTS, LOCALE / lang, *layouts]
    return [p for p in paths if p.exists()]


def _once(build: Callable[[], Path], out=None) -> bool:
    out = out or sys.stderr  # as it is now (a test's capture), not at import
    start = time.perf_counter()
    try:
        path = build()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=out)
        print(f"mgi-report: {len(exc.problems)} problem(s); the last PDF is kept", file=out)
        return False
    except MgiError as exc:
        print(f"mgi-report: error: {exc}; the last PDF is kept", file=out)
        return False
    print(f"mgi-report: built {path} in {time.perf_counter() - start:.2f} s", file=out)
    return True


#: Milliseconds between checks that the watched paths are still the ones watched.
RECHECK_MS = 500


def _identity(paths: list[Path]) -> list[tuple[int, int] | None]:
    """Each path's (device, inode), or None where it is missing."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((st.st_dev, st.st_ino))
        except OSError:
            out.append(None)
    return out


def watch(build: Callable[[], Path], paths: list[Path], output: Path, stop_event=None,
          debounce_ms: int = 300) -> int:
    """Build now, then after every batch of saves under ``paths``, until Ctrl-C
    (or ``stop_event``). The PDF itself (and its temporary file) is no save.
    A path deleted and made again is watched again (see the module's docstring)."""
    import watchfiles

    own = output.resolve()

    class Saves(watchfiles.DefaultFilter):
        def __call__(self, change, path: str) -> bool:
            p = Path(path)
            if p.parent == own.parent and (p.name == own.name or
                                           p.name.startswith(f".{own.name}.")):
                return False
            return super().__call__(change, path)

    _once(build)
    print("mgi-report: watching " + ", ".join(str(p) for p in paths) + " (Ctrl-C to stop)",
          file=sys.stderr)
    try:
        again = False
        while stop_event is None or not stop_event.is_set():
            watched = _identity(paths)
            present = [p for p, ident in zip(paths, watched) if ident is not None]
            if not present:  # nothing to watch yet: look again shortly
                time.sleep(RECHECK_MS / 1000)
                again = again or _identity(paths) != watched
                continue
            try:
                for changes in watchfiles.watch(*present, watch_filter=Saves(),
                                                debounce=debounce_ms, step=50,
                                                stop_event=stop_event, raise_interrupt=True,
                                                rust_timeout=RECHECK_MS, yield_on_timeout=True):
                    if _identity(paths) != watched:
                        again = True  # built once the new watch runs: no save is lost
                        break
                    if changes or again:
                        again = False
                        _once(build)
                else:
                    break  # stop_event
            except FileNotFoundError:  # deleted as the watch started: look again
                again = True
    except KeyboardInterrupt:
        pass
    print("mgi-report: stopped watching", file=sys.stderr)
    return 0
