"""Where a warm worker's time goes, per PDF: run as a script, prints JSON.

    python bench/phases.py CONTENT_DIR CACHE_DIR N
    python bench/phases.py CONTENT_DIR CACHE_DIR N COUNTRY LANG

Renders N profiles of CONTENT_DIR in this one process (after one warm-up
build), the way a batch worker does, with timers around WeasyPrint's stages.
With COUNTRY and LANG, a `watch` rebuild instead: that one profile (a copy of
its folder in a temporary folder) built once, then N times, each after one
finding of its language file was edited (bench/watch_edit.py's edits), the way
`mgi-report watch` calls the build after a save (the same function, in one
warm process; without the watching and the debounce).
Times are CPU seconds of this process (robust when other work shares the
machine) and wall seconds; medians per PDF. Also reports which font subsetter
ran (HarfBuzz's hb-subset or fontTools).
"""

from __future__ import annotations

import collections
import functools
import json
import statistics
import sys
import time
from pathlib import Path


def _version(library: str, function: str) -> str:
    import ctypes

    try:
        f = getattr(ctypes.CDLL(library), function)
        f.restype = ctypes.c_char_p
        return f().decode()
    except (OSError, AttributeError):
        return "?"


def main(content: Path, cache: Path, n: int, watch: tuple[str, str] | None = None) -> dict:
    import tinyhtml5
    import weasyprint.document as document
    import weasyprint.pdf.fonts as pdf_fonts
    import weasyprint.svg as svg
    from weasyprint.text import ffi

    from mgi_report import pipeline as build
    from mgi_report.batch import run as batch
    from mgi_report.compose import profile as compose
    from mgi_report.editions import document as editions
    from mgi_report.engine import warm

    cpu: dict[str, float] = collections.defaultdict(float)
    calls: dict[str, int] = collections.defaultdict(int)

    def timed(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            t = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                cpu[label] += time.process_time() - t
                calls[label] += 1

        setattr(owner, name, wrapper)

    timed(build, "read", "read and validate content")
    timed(compose, "compose", "compose HTML (Jinja, catalogs, wheels from cache)")
    timed(tinyhtml5, "parse", "parse HTML")
    timed(document, "get_all_computed_styles", "CSS: parse <style>, @font-face, cascade")
    timed(document, "build_formatting_structure", "box tree")
    timed(document.Document, "_render", "_render")
    timed(document.Page, "paint", "draw pages (text, boxes, wheels)")
    timed(svg.SVG, "draw", "  of which: draw the wheels (SVG)")
    timed(document.Document, "write_pdf", "_write")
    timed(pdf_fonts.Font, "_harfbuzz_subset", "  of which: subset fonts (HarfBuzz)")
    timed(pdf_fonts.Font, "_fonttools_subset", "  of which: subset fonts (fontTools)")

    per_doc: list[dict[str, float]] = []
    walls, cpus = [], []

    def measured(req) -> None:
        cpu.clear()
        w, c = time.perf_counter(), time.process_time()
        build.build(req)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        per_doc.append(dict(cpu))

    extra: dict = {}
    if watch is None:
        opts = batch.Options(content, Path("/nonexistent"), ("screen",))
        targets = batch.plan(opts)
        step = max(1, len(targets) // n)
        chosen = targets[::step][:n]
        warm.warm_worker(tuple(sorted({t.lang for t in chosen})), cache)
        out = Path(cache) / "phases.pdf"
        first = chosen[0]
        t0 = time.perf_counter()
        build.build(build.Request(first.country, first.lang, content, out, "screen",
                                  cache=cache))
        first_wall = time.perf_counter() - t0
        for t in chosen:
            measured(build.Request(t.country, t.lang, content, out, "screen", cache=cache))
    else:  # as cli.cmd_watch: one Request, built again after each save
        import shutil
        import tempfile

        from watch_edit import FindingEdits

        country, lang = watch
        tmp = Path(tempfile.mkdtemp(prefix="mgi-phases-"))
        try:
            shutil.copytree(content / country, tmp / country)
            if (content / "publisher.yaml").exists():
                shutil.copy2(content / "publisher.yaml", tmp / "publisher.yaml")
            edits = FindingEdits(tmp / country / f"{lang}.yaml")
            edits.normalize()
            req = build.Request(country, lang, tmp, tmp / "out" / f"{country}-{lang}.pdf",
                                "screen", cache=cache)
            t0 = time.perf_counter()
            build.build(req)
            first_wall = time.perf_counter() - t0
            for k in range(n):
                edits.path.write_text(edits.text(k), encoding="utf-8")
                measured(req)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        chosen = [None] * n
        extra = {"mode": "watch", "profile": f"{country}-{lang}"}
    rows_per_doc = []
    for d, total in zip(per_doc, cpus):
        rows = {k: v for k, v in d.items() if not k.startswith("_")}
        styles = d.get("CSS: parse <style>, @font-face, cascade", 0.0)
        rows["lay out pages (text, line breaking, hyphenation)"] = \
            d.get("_render", 0.0) - styles - d.get("box tree", 0.0)
        rows["write PDF (other than drawing)"] = \
            d.get("_write", 0.0) - d.get("draw pages (text, boxes, wheels)", 0.0)
        accounted = sum(v for k, v in rows.items() if not k.startswith("  "))
        rows["other (editions, file, Python)"] = total - accounted
        rows_per_doc.append(rows)
    labels = list(dict.fromkeys(k for r in rows_per_doc for k in r))
    rows = {k: statistics.median(r.get(k, 0.0) for r in rows_per_doc) for k in labels}
    total = statistics.median(cpus)
    subsetter = ("HarfBuzz hb-subset" if calls["  of which: subset fonts (HarfBuzz)"]
                 else "fontTools" if calls["  of which: subset fonts (fontTools)"] else "none")
    hb_version = _version("libharfbuzz.so.0", "hb_version_string")
    return {
        "docs": len(chosen), "cpu_per_pdf": total, "wall_per_pdf": statistics.median(walls),
        "first_pdf_wall": first_wall, "phases": rows, "subsetter": subsetter,
        "harfbuzz": hb_version, "hb_subset_library": ffi.harfbuzz_subset is not None,
        "pango": _version("libpango-1.0.so.0", "pango_version_string"), **extra,
    }


if __name__ == "__main__":
    a = sys.argv[1:]
    print(json.dumps(main(Path(a[0]), Path(a[1]), int(a[2]),
                          (a[3], a[4]) if len(a) > 4 else None)))
