"""The complete profile's cost (issue 11), measured warm in one process.

Rows, each the median of several builds' CPU time (time.process_time), after
one warm-up build of the same PDF:

* Kazakhstan (en), the real profile; per page;
* the fictional complete example (examples/ruritania, en); per page;
* the example with every list and area three times as long ("3x findings"),
  against the example: footnotes and page references must not make layout
  superlinear (target: at most 3.3 times the cost).

Run by ``make bench`` after run.py; prints a Markdown table and appends it to
bench/RESULTS.md. ``--runs N`` sets the builds per row (default 5).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mgi_report import Request, build_counted  # noqa: E402


def tripled(src: Path, dest: Path) -> Path:
    """A copy of the example whose lists, areas and area findings are each three
    times as long (the same texts again, so the words per finding stay)."""
    shutil.copytree(src, dest)
    series = src.parent / "publisher.yaml"  # the series' facts (the methodology's version)
    if series.exists():
        shutil.copy(series, dest.parent / "publisher.yaml")
    en = dest / "en.yaml"
    doc = yaml.safe_load(en.read_text(encoding="utf-8"))
    for domain in doc["domains"].values():
        for key in ("well_developed", "potential"):
            if domain.get(key):
                domain[key] = _three_times(domain[key])
        for area in domain.get("areas", []):
            area["findings"] = _three_times(area["findings"])
    en.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest.parent


def _three_times(findings: list) -> list:
    """The findings three times; the copies without a finding's own `id` (an id
    is unique in a profile; the copies take ids from their places)."""
    copies = [{k: v for k, v in f.items() if k != "id"} if isinstance(f, dict) else f
              for f in findings]
    return findings + copies + copies


def measure(content: Path, country: str, runs: int, cache: Path,
            out: Path) -> tuple[float, int, int]:
    """(median CPU seconds, pages, words printed) of a warm screen build."""
    req = Request(country, "en", content, out, "screen", cache=cache)
    _, pages = build_counted(req)  # warm-up: imports, patterns, drawings, fonts
    cpu = []
    for _ in range(runs):
        t0 = time.process_time()
        build_counted(req)
        cpu.append(time.process_time() - t0)
    from pypdf import PdfReader

    words = sum(len((page.extract_text() or "").split()) for page in PdfReader(out).pages)
    return statistics.median(cpu), pages, words


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-write", action="store_true", help="print only")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = work / "cache"
        big = tripled(ROOT / "examples" / "ruritania", work / "big" / "ruritania")
        rows = []
        for label, content, country in (
                ("Kazakhstan (en)", ROOT / "content", "kazakhstan"),
                ("complete example (en)", ROOT / "examples", "ruritania"),
                ("complete example, 3x findings (en)", big, "ruritania")):
            cpu, pages, words = measure(content, country, args.runs, cache,
                                        work / f"{country}.pdf")
            rows.append((label, cpu, pages, words))
            print(f"{label}: {cpu:.2f} s CPU, {pages} pages, {words} words", file=sys.stderr)
    kz, ex, ex3 = rows
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "", f"## The complete profile (bench/complete.py, {when})",
        "", f"Warm CPU per build, median of {args.runs} after a warm-up build, one process.", "",
        "| profile | CPU per PDF | pages | CPU per page | words | CPU per 1,000 words |",
        "| --- | --- | --- | --- | --- | --- |",
        *[f"| {label} | {cpu:.2f} s | {pages} | {cpu / pages * 1000:.0f} ms | {words:,} | "
          f"{cpu / words * 1000:.2f} s |" for label, cpu, pages, words in rows],
        "",
        f"- Per page, the example costs {ex[1] / ex[2] / (kz[1] / kz[2]):.2f}x Kazakhstan's, "
        f"per word printed {ex[1] / ex[3] / (kz[1] / kz[3]):.2f}x (its pages carry "
        f"{ex[3] / ex[2] / (kz[3] / kz[2]):.2f}x the words).",
        f"- Three times the findings cost {ex3[1] / ex[1]:.2f}x the example "
        "(target: at most 3.3x).", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
