"""The batch benchmark (``make bench``): one run, one table, bench/RESULTS.md.

    .venv/bin/python bench/run.py [--sizes 48,96] [--naive 8] [--repeat 5] [--edits 9] [--quick]

Generates synthetic profiles from content/kazakhstan (bench/synth.py) in a
temporary folder and measures, in this one run: a single PDF through `make`
(caches cold, then warm; then with `mgi-report serve` running), a naive loop of
`mgi-report build` per PDF (without, then with the server), the
batch with one and two workers, a no-op `make all` and `build --all`, the
rebuild after one content edit, the workers' peak memory, an edit on the page
with `mgi-report watch` running (bench/watch_edit.py: save to new PDF on disk,
a finding and profile.yaml, the real German Kazakhstan profile and a synthetic
one), where a warm worker's time and a watch rebuild's go (bench/phases.py),
and the same profiles through Typst (bench/typst_build.py; `pip install typst`
into the venv from the package index, bench only; a row that says why where it
cannot run).
The generated part of RESULTS.md sits between two markers; the rest of the
file (the analysis) is kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
MGI = BIN / "mgi-report"
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
sys.path.insert(0, str(HERE))

TARGETS = {"per_pdf_j2": 0.15, "ratio": 10.0, "make_warm": 0.8, "noop_make": 0.3,
           "rss_mb": 200.0,  # issue 26
           "release_per_pdf": 0.20, "release_ratio": 1.2,  # issue 26: release, --jobs 2
           "watch_finding": 0.5, "watch_profile": 1.0}  # issue 26: save -> PDF on disk


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def timed(cmd: list, env: dict | None = None, cwd: Path | None = None,
          ) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t, proc


def median(xs) -> float:
    xs = list(xs)
    return statistics.median(xs) if xs else float("nan")


# ------------------------------------------------------------------ the machine


def environment() -> dict:
    from importlib.metadata import version

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    loop = time.perf_counter() - t
    dpkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libharfbuzz-subset0"],
                          capture_output=True, text=True)
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu, "cores": os.cpu_count(), "load": os.getloadavg(),
        "python": platform.python_version(), "platform": platform.platform(),
        "weasyprint": version("weasyprint"), "pydyf": version("pydyf"),
        "mgi_report": version("mgi-report"),
        "libharfbuzz_subset0": dpkg.stdout.strip() if dpkg.returncode == 0 else "not installed",
        "loop_10M": loop,
    }


def typst_installed() -> bool:
    """Whether the venv has the typst package. Asked of the venv's Python in the
    project's folder, not here: this script's folder is on sys.path and holds a
    folder named typst (the template), which ``import typst`` takes for an empty
    namespace package where the package is missing (so typst was never
    installed, and typst_build.py found no ``Compiler``)."""
    proc = subprocess.run([str(BIN / "python"), "-c",
                           "import sys, typst; sys.exit(0 if getattr(typst, '__file__', None) "
                           "else 1)"], cwd=ROOT, capture_output=True)
    return proc.returncode == 0


def ensure_typst() -> str | None:
    """None when typst is installed (installing it if need be), else why not."""
    if typst_installed():
        return None
    log("installing typst into the venv (benchmark only)")
    proc = subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", "typst"],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not typst_installed():
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")]
        return "pip install typst failed" + (f": {errors[-1][:160]}" if errors else "")
    return None


# ----------------------------------------------------------------- make's tree


def make_tree(work: Path) -> Path:
    """A folder where `make` writes its PDFs: the project's Makefile and venv by
    link, layouts and fonts copied (make's `find` does not descend links)."""
    work.mkdir()
    for name in ("Makefile", ".venv", "src", "pyproject.toml", "locale", "scripts", "icc"):
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, work / name)
    return work


def stamp_is_fresh() -> bool:
    stamp, pyproject = ROOT / ".venv" / ".installed", ROOT / "pyproject.toml"
    return stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime


def built_by_make(proc: subprocess.CompletedProcess) -> int:
    return sum(1 for line in proc.stdout.splitlines() if "mgi-report build" in line)


# ------------------------------------------------------------------ the runs


def start_server(env: dict) -> subprocess.Popen:
    log_file = tempfile.NamedTemporaryFile("w+", prefix="mgi-serve-", suffix=".log",
                                           delete=False)
    proc = subprocess.Popen([str(MGI), "serve", "--idle", "900"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log_file)
    proc.log_path = Path(log_file.name)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while "ready" not in server_log(proc):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("mgi-report serve did not start: " + server_log(proc))
        time.sleep(0.05)
    return proc


def server_log(proc: subprocess.Popen) -> str:
    return proc.log_path.read_text()  # type: ignore[attr-defined]


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=60)
    proc.log_path.unlink(missing_ok=True)  # type: ignore[attr-defined]


def run_batch(content: Path, out: Path, jobs: int, cache: Path, force: bool = True,
              editions: tuple[str, ...] = ("screen",), shared: bool = True) -> dict:
    from mgi_report.batch import run as batch

    opts = batch.Options(content, out, editions, jobs=jobs, cache=cache, force=force,
                         shared_layout=shared)
    t = time.perf_counter()
    summary = batch.run(opts)
    wall = time.perf_counter() - t
    rss: dict[int, int] = {}
    for o in summary.built:
        pid = o.worker["pid"]
        rss[pid] = max(rss.get(pid, 0), o.worker["maxrss_kb"])
    first: dict[int, float] = {}
    for o in summary.built:
        first.setdefault(o.worker["pid"], o.seconds)
    return {
        "n": len(summary.outcomes), "built": len(summary.built),
        "skipped": len(summary.skipped), "failed": len(summary.failed),
        "failures": [(o.target.name, o.errors[:3]) for o in summary.failed][:5],
        "wall": wall, "per_pdf": wall / max(1, len(summary.built)),
        "worker_median": median(o.seconds for o in summary.built),
        "worker_cpu_median": median(o.worker["cpu"] for o in summary.built),
        "worker_first": median(first.values()),
        "rss_mb": [v / 1024 for v in rss.values()],
        "matplotlib_in_workers": any(o.worker["matplotlib"] for o in summary.built),
        "built_names": sorted(o.target.name for o in summary.built),
        # CPU of a profile's outputs: a shared layout's task reports its CPU
        # with each of its `editions` outputs
        "profile_cpu_median": median(_profile_cpu(summary.built).values()),
        "rss_max_mb": max((v / 1024 for v in rss.values()), default=float("nan")),
    }


def _profile_cpu(built) -> dict:
    cpu: dict = {}
    for o in built:
        key = (o.target.country, o.target.lang)
        cpu[key] = cpu.get(key, 0.0) + o.worker["cpu"] / o.worker.get("editions", 1)
    return cpu


def edit_finding(path: Path) -> None:
    """Change the first finding's wording (a real edit, not a touch)."""
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    findings = next(f for f in doc["domains"].values() if f.get("well_developed"))
    findings["well_developed"][0] = "Edited for the benchmark. " + findings["well_developed"][0]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=88),
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="48,96")
    ap.add_argument("--naive", type=int, default=8, help="PDFs in the naive loop")
    ap.add_argument("--repeat", type=int, default=5, help="runs of the quick measurements")
    ap.add_argument("--edits", type=int, default=9,
                    help="saves per `watch` row (the row is their median)")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke test: 12 profiles, 3 saves per watch row")
    ap.add_argument("--no-typst", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.naive, args.repeat, args.edits = "12", 3, 2, 3
    sizes = sorted(int(s) for s in args.sizes.split(","))
    big = sizes[-1]

    import synth

    env_info = environment()
    log(f"{env_info['cpu']}, {env_info['cores']} cores, load {env_info['load']}")
    typst_missing = None if args.no_typst else ensure_typst()
    tmp = Path(tempfile.mkdtemp(prefix="mgi-bench-"))
    from mgi_report.batch import run as _batch

    R: dict = {"env": env_info, "sizes": sizes, "langs": synth.languages(),
               "tasks_per_worker": _batch.Options(ROOT).tasks_per_worker}
    try:
        trees = {}
        for n in sizes:
            trees[n] = tmp / f"content-{n}"
            synth.generate(trees[n], n)
        warm_cache, cold_cache = tmp / "cache-warm", tmp / "cache-cold"
        # Without the resident renderer, except where a row says otherwise.
        env_warm = {**os.environ, "MGI_REPORT_CACHE": str(warm_cache), "MGI_REPORT_SERVER": "off"}
        env_cold = {**os.environ, "MGI_REPORT_CACHE": str(cold_cache), "MGI_REPORT_SERVER": "off"}
        # Others may edit the program while this runs: judge freshness against the
        # program as it was when the benchmark started.
        from mgi_report.batch import digests
        from mgi_report.batch import run as batch

        real_digest = digests.program_digest
        pinned = real_digest()
        digests.program_digest = lambda layouts=(): pinned
        targets = batch.plan(batch.Options(trees[big], tmp, ("screen",)))
        one = next(t for t in targets if t.lang == "de") if any(
            t.lang == "de" for t in targets) else targets[0]

        # 1. A single PDF through make: caches cold, then warm.
        work = make_tree(tmp / "work")
        if stamp_is_fresh():
            log(f"make {one.name}: caches cold, then warm x{args.repeat}")
            mk = ["make", "--no-print-directory", "-C", str(work), f"CONTENT={trees[big]}"]
            cold, proc = timed(mk + [one.name], env_cold)
            ok = proc.returncode == 0
            warm = []
            for _ in range(args.repeat):
                (work / one.name).unlink(missing_ok=True)
                w, proc = timed(mk + [one.name], env_cold)
                ok = ok and proc.returncode == 0
                warm.append(w)
            R["make_single"] = {"cold": cold, "warm": median(warm), "ok": ok,
                                "warm_all": warm}
            (work / one.name).unlink(missing_ok=True)
        else:
            R["make_single"] = None
            log("skipped make: .venv/.installed is older than pyproject.toml")

        # Fill the warm cache (wheels, hyphenation) the way a first batch would.
        batch.predraw_wheels(targets, batch.Options(trees[big], tmp, cache=warm_cache))
        from mgi_report.engine import warm as warmth

        warmth.hyphenation(R["langs"], warm_cache)

        # 2. The naive loop: one `mgi-report build` process per PDF.
        log(f"naive loop over {args.naive} PDFs")
        naive = []
        step = max(1, len(targets) // args.naive)
        for t in targets[::step][:args.naive]:
            w, proc = timed([str(MGI), "build", t.country, "--lang", t.lang, "--content",
                             str(trees[big]), "--edition", "screen", "-o",
                             str(tmp / "naive" / t.name)], env_warm)
            if proc.returncode == 0:
                naive.append(w)
        R["naive"] = {"per_pdf": median(naive), "mean": statistics.fmean(naive),
                      "n": len(naive)}

        # 2b. The same through the resident renderer (`mgi-report serve`).
        if R["make_single"] is not None:
            env_server = {**env_warm, "MGI_REPORT_SERVER": ""}
            server = start_server(env_server)
            try:
                log(f"with mgi-report serve: make {one.name} x{args.repeat}, naive loop")
                mk = ["make", "--no-print-directory", "-C", str(work), f"CONTENT={trees[big]}"]
                served, ok = [], True
                for _ in range(args.repeat):
                    (work / one.name).unlink(missing_ok=True)
                    w, proc = timed(mk + [one.name], env_server)
                    ok = ok and proc.returncode == 0
                    served.append(w)
                (work / one.name).unlink(missing_ok=True)
                loop = []
                for t in targets[::step][:args.naive]:
                    w, proc = timed([str(MGI), "build", t.country, "--lang", t.lang,
                                     "--content", str(trees[big]), "--edition", "screen", "-o",
                                     str(tmp / "served" / t.name)], env_server)
                    ok = ok and proc.returncode == 0
                    loop.append(w)
                R["served"] = {"make": median(served), "make_all": served, "ok": ok,
                               "loop": median(loop), "n": len(loop),
                               "handled": server_log(server).count("mgi-report: build ")}
            finally:
                stop_server(server)

        # 3. The batch, one and two workers, each size.
        R["batch"] = {}
        for n in sizes:
            for jobs in (1, 2):
                out = work if (n == big and jobs == 2) else tmp / f"out-{n}-j{jobs}"
                if out == work:  # the no-op run below compares with the program as it is now
                    pinned = real_digest()
                log(f"batch: {n} profiles, --jobs {jobs}")
                R["batch"][f"{n}-{jobs}"] = run_batch(trees[n], out, jobs, warm_cache)

        # 3b. A release: every edition of the small tree, with one layout per
        # profile, and with one layout per edition (the path before), side by side.
        small = sizes[0]
        every = ("screen", "print", "archive")
        for shared in (True, False, True):  # shared twice: before and after the other
            log(f"release: {small} profiles, all three editions, --jobs 2, "
                f"{'one layout per profile' if shared else 'one layout per edition'}")
            key = "release" if shared else "release_per_edition"
            r = run_batch(trees[small], tmp / f"out-release-{shared}", 2, warm_cache,
                          editions=every, shared=shared)
            if shared and key in R:  # keep the faster of the two shared runs' walls
                r = min(R[key], r, key=lambda x: x["wall"])
            R[key] = r

        # 4. Nothing changed: `build --all` and `make all` over the big tree.
        log("no-op build --all and make all")
        noop_cli = []
        primed_pdfs = 0
        if real_digest() == pinned:  # else the command would rightly rebuild everything
            cli_all = [str(MGI), "build", "--all", "--content", str(trees[big]),
                       "--out", str(work), "--edition", "screen"]
            # `build --all` also writes each profile's data (<name>.json), which the
            # batches above (the library, Options.data off) did not: write it once,
            # untimed; a PDF built here would be a finding (counted, shown)
            _, proc = timed(cli_all, env_warm)
            primed_pdfs = sum(1 for line in proc.stderr.splitlines()
                              if "] built " in line and ".pdf" in line)
            for _ in range(args.repeat):
                w, proc = timed(cli_all, env_warm)
                noop_cli.append((w, " 0 built," in proc.stderr))
        R["noop_cli"] = {"wall": median(w for w, _ in noop_cli),
                         "all_skipped": all(ok for _, ok in noop_cli) and not primed_pdfs,
                         "primed_pdfs": primed_pdfs, "program_changed": not noop_cli}

        # 5. One content edit: only its outputs are rebuilt.
        countries = sorted({t.country for t in targets})
        lang_edit = trees[big] / countries[1] / f"{R['langs'][-1]}.yaml"
        edit_finding(lang_edit)
        log(f"edit {lang_edit.relative_to(tmp)}: batch")
        R["edit_batch"] = run_batch(trees[big], work, 2, warm_cache, force=False)
        R["edit_batch"]["file"] = str(lang_edit.relative_to(trees[big]))
        profile_edit = trees[big] / countries[2] / "profile.yaml"
        profile_edit.write_text(profile_edit.read_text(encoding="utf-8") + "# edited\n",
                                encoding="utf-8")
        R["edit_profile"] = run_batch(trees[big], work, 2, warm_cache, force=False)
        R["edit_profile"]["file"] = str(profile_edit.relative_to(trees[big]))
        if R["make_single"] is not None:  # make's no-op, then make after an edit
            mk = ["make", "--no-print-directory", "-C", str(work), f"CONTENT={trees[big]}"]
            q = subprocess.run(mk + ["-q", "all"], capture_output=True)
            touched = q.returncode != 0
            if touched:  # the program changed under us: make the outputs current
                for p in work.glob("*.pdf"):
                    p.touch()
            runs = [timed(mk + ["all"], env_warm) for _ in range(args.repeat)]
            R["noop_make"] = {"wall": median(w for w, _ in runs),
                              "built": max(built_by_make(p) for _, p in runs),
                              "touched": touched}
            make_edit = trees[big] / countries[3] / f"{R['langs'][0]}.yaml"
            edit_finding(make_edit)
            log(f"edit {make_edit.relative_to(tmp)}: make all")
            w, proc = timed(mk + ["all"], env_warm)
            R["edit_make"] = {"wall": w, "built": built_by_make(proc) if proc.returncode == 0
                              else f"failed: {proc.stderr[-300:]}",
                              "file": str(make_edit.relative_to(trees[big]))}

        # 5b. The web edition: content/ and examples/ as sites (bench/site.py).
        log("the web edition: mgi-report site, cold, warm, no-op, one edit")
        proc = subprocess.run([str(BIN / "python"), str(HERE / "site.py"), str(warm_cache)],
                              capture_output=True, text=True)
        R["site"] = json.loads(proc.stdout.strip().splitlines()[-1]) \
            if proc.returncode == 0 else {"error": proc.stderr[-2000:]}

        # 5c. An edit on the page: `mgi-report watch` running, one save, the new
        # PDF on disk (bench/watch_edit.py; each profile in a copy of its folder).
        import watch_edit

        R["watch"] = []
        watched = [("kazakhstan", "de", ROOT / "content", "real")]
        watched = [w for w in watched if (w[2] / w[0] / f"{w[1]}.yaml").exists()]
        watched.append((one.country, one.lang, trees[big], f"synthetic, {big}-tree"))
        for country, lang, tree, kind in watched:
            log(f"watch {country}-{lang}: {args.edits} finding edits, "
                f"{args.edits} profile.yaml edits")
            try:
                r = watch_edit.measure(tree, country, lang, warm_cache,
                                       tmp / f"watch-{country}-{lang}", args.edits, env_warm)
            except Exception as exc:  # noqa: BLE001 - the row says why
                r = {"profile_name": f"{country}-{lang}", "error": f"{type(exc).__name__}: {exc}"}
            R["watch"].append({**r, "kind": kind})

        # 6. Where a warm worker's time goes.
        log("phases of a warm worker")
        proc = subprocess.run([str(BIN / "python"), str(HERE / "phases.py"), str(trees[big]),
                               str(warm_cache), "9"], capture_output=True, text=True)
        R["phases"] = json.loads(proc.stdout.strip().splitlines()[-1]) \
            if proc.returncode == 0 else {"error": proc.stderr[-2000:]}
        # 6b. Where a watch rebuild's time goes: the first watched profile,
        # rebuilt in one process after each of its finding edits.
        country, lang, tree, _ = watched[0]
        log(f"phases of a watch rebuild ({country}-{lang})")
        proc = subprocess.run([str(BIN / "python"), str(HERE / "phases.py"), str(tree),
                               str(warm_cache), str(args.edits), country, lang],
                              env=env_warm, capture_output=True, text=True)
        R["watch_phases"] = json.loads(proc.stdout.strip().splitlines()[-1]) \
            if proc.returncode == 0 else {"error": proc.stderr[-2000:]}

        # 7. Typst, for scale; where it cannot run, the row says why in one line.
        if typst_missing:
            R["typst"] = {"unavailable": typst_missing}
        elif not args.no_typst:
            log(f"typst: {big} profiles")
            proc = subprocess.run([str(BIN / "python"), str(HERE / "typst_build.py"),
                                   str(trees[big]), str(warm_cache), str(tmp / "typst")],
                                  capture_output=True, text=True)
            R["typst"] = _typst_result(proc)
        R["env"]["load_after"] = os.getloadavg()
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    text = render(R)
    print(text)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "results.json").write_text(json.dumps(R, indent=1, default=str))
    if not args.no_write:
        write_results(text)
    return 0


def _typst_result(proc: subprocess.CompletedProcess) -> dict:
    """typst_build.py's JSON line, or why there is none, in one line."""
    lines = proc.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
        if isinstance(result, dict):
            return result
    except (IndexError, ValueError):
        pass
    err = [ln.strip() for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return {"unavailable": f"typst_build.py exited with {proc.returncode}"
            + (f": {err[-1][:200]}" if err else "")}


# ------------------------------------------------------------------ the table


def _s(x: float) -> str:
    return f"{x:.2f} s" if x == x else "–"


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def render(R: dict) -> str:
    e, big = R["env"], R["sizes"][-1]
    lines = [
        f"Measured {e['date']} on {e['cpu']} ({e['cores']} cores, shared; load average "
        f"{e['load'][0]:.2f} before, {e.get('load_after', (float('nan'),))[0]:.2f} after), "
        f"{e['platform']}.",
        f"Python {e['python']}, WeasyPrint {e['weasyprint']}, pydyf {e['pydyf']}, "
        f"mgi-report {e['mgi_report']}; libharfbuzz-subset0 {e['libharfbuzz_subset0']}.",
        f"CPU calibration (to compare machines): a Python loop of 10 million additions "
        f"takes {e['loop_10M']:.2f} s here.",
        f"Synthetic profiles from content/kazakhstan in {', '.join(R['langs'])}; "
        f"sizes {', '.join(map(str, R['sizes']))}. Times are wall-clock medians unless "
        "noted.", "",
    ]
    ph = R.get("phases", {})
    if "subsetter" in ph:
        lines.append(f"Font subsetter that ran: **{ph['subsetter']}** (HarfBuzz "
                     f"{ph['harfbuzz']}, libharfbuzz-subset loaded: "
                     f"{'yes' if ph['hb_subset_library'] else 'no'}); Pango {ph['pango']}.")
        lines.append("")
    b = R["batch"]
    j1, j2 = b[f"{big}-1"], b[f"{big}-2"]
    naive = R["naive"]["per_pdf"]
    rss = max(mb for r in [*b.values(), *(R[k] for k in ("release", "release_per_edition")
                                          if k in R)] for mb in r["rss_mb"]) if b else float("nan")
    ms = R.get("make_single")
    rows = [("measure", "value", "target", "met")]
    if ms:
        rows.append(("single PDF via `make X.pdf`, caches cold (wheels, hyphenation)",
                     _s(ms["cold"]), "", "–"))
        rows.append((f"single PDF via `make X.pdf`, caches warm (median of "
                     f"{len(ms['warm_all'])})", _s(ms["warm"]), "≤ 0.8 s",
                     _met(ms["warm"] <= TARGETS["make_warm"])))
    sv = R.get("served")
    if sv:
        rows.append((f"single PDF via `make X.pdf` with `mgi-report serve` running, caches "
                     f"warm (median of {len(sv['make_all'])})",
                     _s(sv["make"]) + ("" if sv["ok"] else " (failed!)"), "≤ 0.8 s",
                     _met(sv["ok"] and sv["make"] <= TARGETS["make_warm"])))
        rows.append((f"`mgi-report build` per PDF with `mgi-report serve` running (median of "
                     f"{sv['n']}; {sv['handled']} builds handled by the server)",
                     _s(sv["loop"]), "", "–"))
    rows.append((f"warm per PDF in one worker, wall (median of {j1['built']}; first PDF of "
                 "a worker)", f"{_s(j1['worker_median'])} ({_s(j1['worker_first'])})", "", "–"))
    rows.append(("warm per PDF in one worker, CPU (jobs 1; jobs 2)",
                 f"{_s(j1['worker_cpu_median'])}; {_s(j2['worker_cpu_median'])}", "", "–"))
    rows.append((f"naive loop, one process per PDF (median of {R['naive']['n']})",
                 _s(naive), "", "–"))
    rows.append((f"batch --jobs 2, {big} profiles: effective per PDF", _s(j2["per_pdf"]),
                 "≤ 0.15 s", _met(j2["per_pdf"] <= TARGETS["per_pdf_j2"])))
    rows.append((f"batch --jobs 2 vs naive, {big} profiles", f"{naive / j2['per_pdf']:.1f}×",
                 "≥ 10×", _met(naive / j2["per_pdf"] >= TARGETS["ratio"])))
    if "noop_make" in R:
        nm = R["noop_make"]
        rows.append((f"no-op `make all` over {big}" + (" (outputs touched first)"
                                                       if nm["touched"] else ""),
                     _s(nm["wall"]) + ("" if nm["built"] == 0 else f", built {nm['built']}!"),
                     "≤ 0.3 s", _met(nm["wall"] <= TARGETS["noop_make"] and
                                     nm["built"] == 0)))
    nc = R["noop_cli"]
    rows.append((f"no-op `mgi-report build --all` over {big} (after one untimed run that "
                 "writes the profiles' data)",
                 "not measured: the program changed during the run" if nc["program_changed"]
                 else _s(nc["wall"]) + ("" if nc["all_skipped"] else " (not all skipped!)")
                 + (f" ({nc['primed_pdfs']} PDFs built by the first, untimed run!)"
                    if nc.get("primed_pdfs") else ""),
                 "", "–"))
    eb = R["edit_batch"]
    rows.append((f"one finding edited ({eb['file']}) → `build --all`",
                 f"{_s(eb['wall'])}: {eb['built']} built, {eb['skipped']} skipped",
                 "only its PDFs", _met(eb["built"] == 1)))
    ep = R["edit_profile"]
    rows.append((f"profile.yaml edited ({ep['file']}) → `build --all`",
                 f"{_s(ep['wall'])}: {ep['built']} built, {ep['skipped']} skipped",
                 "only its PDFs", _met(ep["built"] == len(R["langs"]))))
    if "edit_make" in R:
        em = R["edit_make"]
        rows.append((f"one finding edited ({em['file']}) → `make all`",
                     f"{_s(em['wall'])}: {em['built']} built", "only its PDFs",
                     _met(em["built"] == 1)))
    rows.append((f"peak RSS per worker (max over all runs; a worker is replaced after "
                 f"{R.get('tasks_per_worker', '?')} PDFs)", f"{rss:.0f} MB",
                 f"≤ {TARGETS['rss_mb']:.0f} MB", _met(rss <= TARGETS["rss_mb"])))
    rows.append(("matplotlib imported in a worker", "yes" if any(
        r["matplotlib_in_workers"] for r in b.values()) else "no", "no", _met(not any(
            r["matplotlib_in_workers"] for r in b.values()))))
    rows += _watch_rows(R.get("watch", []))
    ty = R.get("typst")
    if ty and "median" in ty:
        rows.append((f"Typst {ty['version']}, same profiles, per PDF (one warm compiler, "
                     f"{ty['docs']} PDFs)", _s(ty["median"]), "floor", "–"))
    elif ty:
        reason = " ".join(str(ty.get("unavailable") or ty.get("error") or "?").split())
        rows.append(("Typst, same profiles, per PDF", f"typst: unavailable ({reason[:300]})",
                     "floor", "–"))
    rel, per = R.get("release"), R.get("release_per_edition")
    if rel and per:
        small = R["sizes"][0]
        one = b[f"{small}-2"]["profile_cpu_median"]  # one edition: the screen-only batch
        fail = (f" ({rel['failed'] + per['failed']} failed!)"
                if rel["failed"] or per["failed"] else "")
        rows.append((f"release, {small} profiles × 3 editions, one layout per profile: CPU "
                     f"per profile (all three; one edition {_s(one)})",
                     f"{_s(rel['profile_cpu_median'])} = "
                     f"{rel['profile_cpu_median'] / one:.2f}× one edition" + fail,
                     f"≤ {TARGETS['release_ratio']:.1f}×",
                     _met(rel["profile_cpu_median"] / one <= TARGETS["release_ratio"])))
        rows.append((f"release, {small} profiles × 3 editions, one layout per edition (the "
                     "previous path, `--layout-per-edition`): CPU per profile",
                     f"{_s(per['profile_cpu_median'])} = "
                     f"{per['profile_cpu_median'] / one:.2f}× one edition", "", "–"))
        rows.append((f"release --jobs 2, {small} profiles × 3 editions: effective per PDF "
                     f"(one layout per edition: {_s(per['per_pdf'])}; screen only: "
                     f"{_s(b[f'{small}-2']['per_pdf'])})", _s(rel["per_pdf"]),
                     f"≤ {TARGETS['release_per_pdf']:.2f} s",
                     _met(rel["per_pdf"] <= TARGETS["release_per_pdf"])))
        rows.append(("release: peak RSS per worker (one layout per profile; per edition)",
                     f"{rel['rss_max_mb']:.0f} MB; {per['rss_max_mb']:.0f} MB",
                     f"≤ {TARGETS['rss_mb']:.0f} MB",
                     _met(rel["rss_max_mb"] <= TARGETS["rss_mb"])))
    site = R.get("site", {})
    if "noop" in site:
        rows.append(("web edition, content/ + examples/, all languages, drawing caches cold "
                     f"({site['cold']['written']} files)", _s(site["cold"]["wall"]), "", "–"))
        rows.append(("web edition, the same into new folders, drawing caches warm (the PDFs')",
                     _s(site["warm"]["wall"]), "≤ 5 s", _met(site["warm"]["wall"] <= 5.0)))
        rows.append(("web edition, no-op rebuild of both (two commands)",
                     _s(site["noop"]["wall"]) + (f", wrote {site['noop']['written']}!"
                                                 if site["noop"]["written"] else ""),
                     "≤ 0.5 s each", _met(site["noop"]["wall"] <= 1.0
                                          and not site["noop"]["written"])))
        rows.append(("web edition, one finding of the example edited → `mgi-report site`",
                     f"{_s(site['edit']['wall'])}: {site['edit']['written']} page(s) written",
                     "only its pages", _met(0 < site["edit"]["written"] <= 2)))
    lines += _table(rows)
    lines += ["", "Throughput, side by side (effective seconds per PDF = wall / PDFs; "
              "naive extrapolated from its per-PDF median):", ""]
    rows = [("profiles", "naive loop", "batch --jobs 1", "batch --jobs 2", "jobs 1 vs naive",
             "jobs 2 vs naive", "jobs 2 wall")]
    for n in R["sizes"]:
        a, c = b[f"{n}-1"], b[f"{n}-2"]
        rows.append((str(n), f"{_s(naive)} ({naive * n:.0f} s)", _s(a["per_pdf"]),
                     _s(c["per_pdf"]), f"{naive / a['per_pdf']:.1f}×",
                     f"{naive / c['per_pdf']:.1f}×", f"{c['wall']:.1f} s"))
    lines += _table(rows)
    failures = [f for r in (*b.values(), R["edit_batch"], R["edit_profile"])
                for f in r["failures"]]
    if failures:
        lines += ["", f"Failures: {failures}"]
    for key in ("phases", "watch_phases"):
        if "error" in R.get(key, {}):
            lines += ["", f"{key} failed: {R[key]['error'][-500:]}"]
    if "phases" in ph:
        lines += ["", f"Where a warm worker's time goes (CPU seconds per PDF, median of "
                  f"{ph['docs']} {big}-tree profiles; total {ph['cpu_per_pdf']:.2f} s CPU, "
                  f"{ph['wall_per_pdf']:.2f} s wall):", ""]
        lines += _phases_table(ph, "CPU s / PDF")
    wp = R.get("watch_phases", {})
    if "phases" in wp:
        seen = next((w for w in R.get("watch", []) if w.get("profile_name") == wp["profile"]
                     and "finding" in w), None)
        on_disk = (f"; with `mgi-report watch` running, save → new PDF on disk "
                   f"{_s(seen['finding']['median'])}, the watch's own build time "
                   f"{_s(seen['finding']['self_median'])}" if seen else "")
        lines += ["", f"Where a `watch` rebuild's time goes ({wp['profile']}, rebuilt in one "
                  f"warm process after each of {wp['docs']} finding edits, as the watch "
                  f"does; CPU seconds per rebuild, medians; total {wp['cpu_per_pdf']:.2f} s "
                  f"CPU, {wp['wall_per_pdf']:.2f} s wall{on_disk}):", ""]
        lines += _phases_table(wp, "CPU s / rebuild")
    return "\n".join(lines)


PHASES = ["read and validate content", "compose HTML (Jinja, catalogs, wheels from cache)",
          "parse HTML", "CSS: parse <style>, @font-face, cascade", "box tree",
          "lay out pages (text, line breaking, hyphenation)",
          "draw pages (text, boxes, wheels)", "  of which: draw the wheels (SVG)",
          "write PDF (other than drawing)", "  of which: subset fonts (HarfBuzz)",
          "  of which: subset fonts (fontTools)", "other (editions, file, Python)"]


def _phases_table(ph: dict, unit: str) -> list[str]:
    total = ph["cpu_per_pdf"]
    rows = [("stage", unit, "share")]
    for k in PHASES:
        if k in ph["phases"]:
            v = ph["phases"][k]
            name = k.strip()
            name = ("↳ " + name.removeprefix("of which: ")) if k.startswith("  ") else name
            rows.append((name, f"{v:.3f}", f"{v / total * 100:.0f} %"))
    return _table(rows)


def _watch_rows(watched: list[dict]) -> list[tuple]:
    """Per watched profile: a finding edited, profile.yaml edited; each from the
    save to the new PDF complete on disk, with `mgi-report watch` running."""
    rows = []
    what = (("finding", "one finding edited", "watch_finding"),
            ("profile", "profile.yaml edited (`published`)", "watch_profile"))
    for w in watched:
        name = f"{w.get('profile_name', '?')}, {w.get('kind', '')}"
        for key, label, target in what:
            r = w.get(key)
            goal = f"≤ {TARGETS[target]:.1f} s"
            if not r:
                reason = " ".join(str(w.get("error", "not measured")).split())
                rows.append((f"`watch` ({name}): {label} → new PDF on disk",
                             f"failed: {reason[:300]}", goal, _met(False)))
                continue
            extra = f"; {r['extra_builds']} extra build(s)!" if r["extra_builds"] else ""
            rows.append((f"`watch` ({name}): {label} → new PDF on disk, wall (median of "
                         f"{r['n']} saves, min {_s(r['min'])}, max {_s(r['max'])}; the "
                         f"watch's own build time {_s(r['self_median'])}, its CPU "
                         f"{_s(r['cpu_median'])}{extra})", _s(r["median"]), goal,
                         _met(r["median"] <= TARGETS[target])))
    return rows


def _table(rows) -> list[str]:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


def write_results(text: str) -> None:
    block = f"{BEGIN}\n{text}\n{END}"
    try:
        old = RESULTS.read_text(encoding="utf-8")
    except OSError:
        old = ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = "# Batch benchmark results\n\n" + block + "\n" + old
    RESULTS.write_text(new, encoding="utf-8")
    log(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
