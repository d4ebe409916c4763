"""``mgi-report watch``: rebuild one PDF on every save of anything it is made of
(the country's files, the layouts, the language's catalog and hyphenation
list, the fonts), in this process, which stays warm: WeasyPrint imported, the
hyphenation patterns and drawn wheels kept, so a rebuild pays no start-up.
Saves are gathered (watchfiles, debounced) and each batch costs one build; it
prints the time or the located errors, and Ctrl-C ends it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from .errors import ContentError, MgiError
from .resources import FONTS, LAYOUTS, LOCALE


def sources(content: Path, slug: str, lang: str, layouts: tuple[Path, ...] = ()) -> list[Path]:
    """What the PDF depends on, as folders and files to watch."""
    paths = [content / slug, LAYOUTS, FONTS, LOCALE / lang, *layouts]
    return [p for p in paths if p.exists()]


def _once(build: Callable[[], Path], out=sys.stderr) -> bool:
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


def watch(build: Callable[[], Path], paths: list[Path], output: Path, stop_event=None,
          debounce_ms: int = 300) -> int:
    """Build now, then after every batch of saves under ``paths``, until Ctrl-C
    (or ``stop_event``). The PDF itself (and its temporary file) is no save."""
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
        for _changes in watchfiles.watch(*paths, watch_filter=Saves(), debounce=debounce_ms,
                                         step=50, stop_event=stop_event,
                                         raise_interrupt=True):
            _once(build)
    except KeyboardInterrupt:
        pass
    print("mgi-report: stopped watching", file=sys.stderr)
    return 0
