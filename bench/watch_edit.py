"""An edit on the page: `mgi-report watch` running, one save, the new PDF on disk.

    python bench/watch_edit.py CONTENT COUNTRY LANG CACHE WORK [EDITS]

Copies the profile's folder (and the tree's publisher.yaml) into WORK, so that
the tree it comes from is never edited; starts ``mgi-report watch COUNTRY
--lang LANG -o WORK/out/COUNTRY-LANG.pdf`` there and waits for its first
build; then saves EDITS edits of one finding in the language file, then EDITS
edits of profile.yaml, one at a time. Each is timed from just before the save
to the new PDF complete on disk: the PDF is written to a temporary file and
renamed into place, so a new inode (or mtime) at the output's name is the new
PDF, whole. After each, the watch's own line ("built ... in X s") is awaited
and the watch left idle for a moment before the next save.

Every save is a real change that the watch has never seen: the finding edits
alternate between two findings in two different chapters (the first finding
of the first domain, the first "potential" finding of the last domain) and
each carries its own number; the profile.yaml edits set ``published`` to a
new month each time (what `mgi-report check` accepts). So a cache of earlier
states of a chapter cannot turn an edit into a hit.

Prints one JSON line; the bench (bench/run.py) calls ``measure`` directly.
"""

from __future__ import annotations

import copy
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MGI = ROOT / ".venv" / "bin" / "mgi-report"
BUILT = re.compile(r"mgi-report: built .* in ([0-9.]+) s")
FAILED = re.compile(r"problem\(s\); the last PDF is kept|error: .*the last PDF is kept")
PUBLISHED = re.compile(r"^published: *\S+.*$", re.M)


# ------------------------------------------------------------------ the edits


def _dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=88)


def _sites(doc) -> list[tuple[str, str]]:
    """Two findings in two chapters: (domain, key) of the first well-developed
    finding of the first domain that has one, and of the first "potential"
    finding of the last domain that has one (another domain if it can)."""
    domains = doc["domains"]
    first = next((d, "well_developed") for d, f in domains.items() if f.get("well_developed"))
    later = [(d, "potential") for d, f in domains.items() if f.get("potential")]
    other = [s for s in later if s[0] != first[0]] or later or [first]
    return [first, other[-1]]


class FindingEdits:
    """The language file's texts, edit by edit; the file is first rewritten as
    YAML unchanged in meaning (``normalize``), so that each save afterwards
    differs from the one before in one finding only."""

    def __init__(self, path: Path):
        self.path = path
        self.doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.sites = _sites(self.doc)

    def normalize(self) -> None:
        self.path.write_text(_dump(self.doc), encoding="utf-8")

    def text(self, k: int) -> str:
        doc = copy.deepcopy(self.doc)
        domain, key = self.sites[k % len(self.sites)]
        items = doc["domains"][domain][key]
        items[0] = f"Edited for the benchmark, edit {k + 1}. " + str(items[0])
        return _dump(doc)

    def describe(self) -> str:
        return " and ".join(f"{d}.{key}[0]" for d, key in self.sites)


class ProfileEdits:
    """profile.yaml with ``published`` set to a new month each edit (a text
    edit of that one line: comments and the rest stay as they are)."""

    def __init__(self, path: Path):
        self.path = path
        self.original = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(self.original)
        value = str(doc["published"])
        self.year, self.month = int(value[:4]), int(value[5:7])
        if not PUBLISHED.search(self.original):
            raise ValueError(f"{path}: no `published:` line to edit")

    def normalize(self) -> None:
        pass

    def text(self, k: int) -> str:
        months = self.year * 12 + self.month - 1 + k + 1
        y, m = divmod(months, 12)
        if y > 2099:  # parse.MAX_YEAR
            y -= 20
        return PUBLISHED.sub(f"published: {y}-{m + 1:02d}", self.original, count=1)

    def describe(self) -> str:
        return "published: a new month each edit"


def save(path: Path, text: str) -> None:
    """Save as an editor does: the file rewritten in place."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


# ------------------------------------------------------------------ the watch


class Watch:
    """`mgi-report watch` in a child process; its stderr lines, time-stamped."""

    def __init__(self, content: Path, country: str, lang: str, output: Path, env: dict):
        self.output = output
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            [str(MGI), "watch", country, "--lang", lang, "--content", str(content),
             "-o", str(output)], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.put((time.perf_counter(), line.rstrip("\n")))
        self.lines.put((time.perf_counter(), None))

    def next_line(self, timeout: float) -> tuple[float, str | None]:
        """The next line (None at the end of the output); raises queue.Empty."""
        t, line = self.lines.get(timeout=timeout)
        if line is not None:
            self.log.append(line)
        return t, line

    def until(self, pattern: re.Pattern | str, timeout: float) -> tuple[float, str]:
        """Read lines until one matches (a build that failed raises)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no line matching {pattern!r} within {timeout:.0f} s")
            try:
                t, line = self.next_line(left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("mgi-report watch ended: " + " | ".join(self.log[-5:]))
            if re.search(pattern, line):
                return t, line
            if FAILED.search(line):
                raise RuntimeError("the watch's build failed: " + " | ".join(self.log[-5:]))

    def quiet(self, seconds: float) -> list[str]:
        """The lines that come within ``seconds`` (none, when the watch is idle)."""
        out, end = [], time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                _, line = self.next_line(left)
            except queue.Empty:
                break
            if line is None:
                break
            out.append(line)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # the watch's Ctrl-C
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)


def _identity(path: Path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _cpu(pid: int) -> float:
    """The CPU seconds (user and system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_edit(watch: Watch, path: Path, text: str, timeout: float = 120.0) -> dict:
    """Save ``text`` into ``path``; the seconds until the new PDF is in place,
    the watch's own time for the build and the CPU the watch used for it."""
    before = _identity(watch.output)
    cpu = _cpu(watch.proc.pid)
    t0 = time.perf_counter()
    save(path, text)
    saved = time.perf_counter()
    deadline = time.monotonic() + timeout
    while _identity(watch.output) == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no new PDF {timeout:.0f} s after saving {path.name}")
        if watch.proc.poll() is not None:
            raise RuntimeError("mgi-report watch ended: " + " | ".join(watch.log[-5:]))
        time.sleep(0.002)
    on_disk = time.perf_counter()
    t_line, line = watch.until(BUILT, timeout)
    cpu = _cpu(watch.proc.pid) - cpu
    extra = watch.quiet(0.6)  # idle again before the next save; a second build is a finding
    return {"wall": on_disk - t0, "save": saved - t0, "line": t_line - t0, "cpu": cpu,
            "self": float(BUILT.search(line).group(1)),
            "extra_builds": sum(1 for x in extra if BUILT.search(x))}


def _summary(runs: list[dict]) -> dict:
    walls = [r["wall"] for r in runs]
    return {"median": statistics.median(walls), "walls": walls, "min": min(walls),
            "max": max(walls), "self_median": statistics.median(r["self"] for r in runs),
            "line_median": statistics.median(r["line"] for r in runs),
            "cpu_median": statistics.median(r["cpu"] for r in runs),
            "extra_builds": sum(r["extra_builds"] for r in runs), "n": len(runs)}


def measure(content: Path, country: str, lang: str, cache: Path, work: Path,
            edits: int = 9, env: dict | None = None) -> dict:
    """Both rows for one profile: finding edits, then profile.yaml edits, in one
    running watch. Returns {"finding": ..., "profile": ..., ...} or {"error": ...}."""
    tree = work / "content"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(content / country, tree / country)
    if (content / "publisher.yaml").exists():
        shutil.copy2(content / "publisher.yaml", tree / "publisher.yaml")
    output = work / "out" / f"{country}-{lang}.pdf"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    env = {**(env or os.environ), "MGI_REPORT_CACHE": str(cache),
           "MGI_REPORT_SERVER": "off", "PYTHONUNBUFFERED": "1"}
    findings = FindingEdits(tree / country / f"{lang}.yaml")
    facts = ProfileEdits(tree / country / "profile.yaml")
    findings.normalize()
    result: dict = {"profile_name": f"{country}-{lang}", "edits": edits,
                    "finding_sites": findings.describe(), "profile_edit": facts.describe()}
    t = time.perf_counter()
    watch = Watch(tree, country, lang, output, env)
    try:
        _, line = watch.until(BUILT, 300)
        result["first_build"] = time.perf_counter() - t
        result["first_build_self"] = float(BUILT.search(line).group(1))
        watch.until("watching", 60)
        watch.quiet(1.0)  # the watcher set up
        for key, edit in (("finding", findings), ("profile", facts)):
            runs = [one_edit(watch, edit.path, edit.text(k)) for k in range(edits)]
            result[key] = _summary(runs)
    except Exception as exc:  # noqa: BLE001 - the bench reports it in one line
        result["error"] = f"{type(exc).__name__}: {exc}"[:600]
    finally:
        watch.stop()
    return result


if __name__ == "__main__":
    a = sys.argv[1:]
    print(json.dumps(measure(Path(a[0]), a[1], a[2], Path(a[3]), Path(a[4]),
                             int(a[5]) if len(a) > 5 else 9)))
