"""The web edition's benchmark (``make bench`` runs it from bench/run.py; alone:
``.venv/bin/python bench/site.py CACHE``): prints one line of JSON.

The site of the shipped content and of the examples, in every language, each
into a fresh folder (``mgi-report site``, one process each, wall clock):
with the drawing caches cold (an empty cache folder: every wheel and chart
drawn), then warm (the caches the PDFs fill; a new site folder); then a no-op
rebuild (nothing changed: nothing written) and the rebuild after one finding
of the example is edited (only that language's changed pages written).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MGI = ROOT / ".venv" / "bin" / "mgi-report"
TREES = ("content", "examples")


def site(content: Path, out: Path, env: dict) -> tuple[float, int]:
    """One `mgi-report site`: (seconds, files written)."""
    start = time.perf_counter()
    proc = subprocess.run([str(MGI), "site", "--content", str(content), "--out", str(out)],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"mgi-report site failed: {proc.stderr[-2000:]}")
    written = int(proc.stderr.rsplit(": ", 1)[1].split()[0])
    return wall, written


def main(argv: list[str]) -> int:
    warm_cache = Path(argv[0]) if argv else None
    tmp = Path(tempfile.mkdtemp(prefix="mgi-bench-site-"))
    try:
        base = {**os.environ, "MGI_REPORT_SERVER": "off"}
        cold_env = {**base, "MGI_REPORT_CACHE": str(tmp / "cache-cold")}
        warm_env = {**base, "MGI_REPORT_CACHE": str(warm_cache or tmp / "cache-cold")}
        result: dict = {}
        for label, env in (("cold", cold_env), ("warm", warm_env)):
            total, files = 0.0, 0
            for tree in TREES:
                wall, written = site(ROOT / tree, tmp / f"site-{label}-{tree}", env)
                total, files = total + wall, files + written
            result[label] = {"wall": total, "written": files}
        noop, written = 0.0, 0
        for tree in TREES:
            wall, n = site(ROOT / tree, tmp / f"site-warm-{tree}", warm_env)
            noop, written = noop + wall, written + n
        result["noop"] = {"wall": noop, "written": written}
        examples = tmp / "examples"
        shutil.copytree(ROOT / "examples", examples)
        out = tmp / "site-edit"
        site(examples, out, warm_env)
        en = examples / "ruritania" / "en.yaml"
        text = en.read_text(encoding="utf-8")
        edited = text.replace("Regular migrants have the same access",
                              "Regular migrants enjoy the same access", 1)
        if edited == text:
            raise SystemExit("bench/site.py: the finding to edit is not in the example")
        en.write_text(edited, encoding="utf-8")
        wall, n = site(examples, out, warm_env)
        result["edit"] = {"wall": wall, "written": n}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
