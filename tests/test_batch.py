"""The batch build: warm workers, byte-identical outputs, skipping what is unchanged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from mgi_report import batch
from mgi_report.build import Request, build
from mgi_report.cli import main
from mgi_report.resources import DEFAULT_CONTENT

GOOD = {"altland-en.pdf", "kazakhstan-de.pdf", "kazakhstan-en.pdf"}
LOCATED = re.compile(r"^\S+:\d+:\d+: ")


def _country(src: Path, dest: Path, langs: tuple[str, ...], rename: str | None = None) -> None:
    dest.mkdir(parents=True)
    shutil.copy(src / "profile.yaml", dest / "profile.yaml")
    for lang in langs:
        text = (src / f"{lang}.yaml").read_text(encoding="utf-8")
        if rename:
            text = text.replace("Kazakhstan", rename)
        (dest / f"{lang}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """kazakhstan (en, de), altland (en), brokenland (en with an unknown key)."""
    root = tmp_path_factory.mktemp("batch") / "content"
    src = DEFAULT_CONTENT / "kazakhstan"
    _country(src, root / "kazakhstan", ("en", "de"))
    _country(src, root / "altland", ("en",), rename="Altland")
    _country(src, root / "brokenland", ("en",), rename="Brokenland")
    bad = root / "brokenland" / "en.yaml"
    bad.write_text(bad.read_text(encoding="utf-8") + "populaton: 3\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def fixed_program():
    """Other work may edit the program while these tests run: pin its hash."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "program_digest", lambda layouts=(): "pinned")
        yield


@pytest.fixture(scope="module")
def first(tree, cache_dir, fixed_program, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch-out")
    # One PDF per worker: the batch also goes through retiring and replacing workers.
    opts = batch.Options(tree, out, ("screen",), jobs=2, cache=cache_dir, tasks_per_worker=1)
    return opts, batch.run(opts)


def _names(outcomes) -> set[str]:
    return {o.target.name for o in outcomes}


def test_builds_the_good_and_reports_the_bad(first):
    _, summary = first
    assert _names(summary.built) == GOOD
    assert _names(summary.failed) == {"brokenland-en.pdf"}
    assert summary.exit_code == 1
    (failure,) = summary.failed
    assert failure.errors and all(LOCATED.match(e) for e in failure.errors)
    assert any("populaton" in e and "brokenland" in e for e in failure.errors)
    assert summary.jobs == 2


def test_outputs_are_the_single_builds_byte_for_byte(first, tree, cache_dir, tmp_path):
    opts, summary = first
    for o in summary.built:
        made = o.target.output.read_bytes()
        assert made.startswith(b"%PDF-") and len(PdfReader(o.target.output).pages) > 4
        single = build(Request(o.target.country, o.target.lang, tree,
                               tmp_path / o.target.name, "screen", cache=cache_dir))
        assert single.read_bytes() == made, o.target.name


def test_an_output_is_the_fresh_command_line_build(first, tree, cache_dir, tmp_path):
    """A worker has built other PDFs before; a fresh process has not: same bytes."""
    opts, summary = first
    target = next(o.target for o in summary.built if o.target.name == "kazakhstan-de.pdf")
    out = tmp_path / "fresh.pdf"
    env = {**os.environ, "MGI_REPORT_CACHE": str(cache_dir)}
    subprocess.run([sys.executable, "-m", "mgi_report.cli", "build", "kazakhstan", "--lang",
                    "de", "--content", str(tree), "-o", str(out)], env=env, check=True,
                   capture_output=True)
    assert out.read_bytes() == target.output.read_bytes()


def test_workers_read_wheels_from_the_cache(first):
    _, summary = first
    facts = [o.worker for o in summary.built]
    assert facts and all(f["matplotlib"] is False for f in facts)
    assert all(f["maxrss_kb"] > 0 for f in facts)
    assert len({f["pid"] for f in facts}) == len(facts)  # each retired after its PDF


def test_second_run_skips_then_an_edit_rebuilds_only_its_outputs(first, tree, capsys):
    opts, _ = first
    before = {p.name: p.stat().st_mtime_ns for p in opts.out.glob("*.pdf")}
    code = main(["build", "--all", "--content", str(tree), "--out", str(opts.out),
                 "--edition", "screen", "--jobs", "2"])
    assert code == 1  # brokenland still fails (and is tried again)
    err = capsys.readouterr().err
    assert "0 built, 3 skipped, 1 failed" in err
    assert re.search(r"^\S+brokenland/en\.yaml:\d+:\d+: ", err, re.M)
    assert {p.name: p.stat().st_mtime_ns for p in opts.out.glob("*.pdf")} == before

    de = tree / "kazakhstan" / "de.yaml"
    text = de.read_text(encoding="utf-8")
    assert "\ncountry: Republik Kasachstan\n" in text
    de.write_text(text.replace("\ncountry: Republik Kasachstan\n",
                               "\ncountry: Republik Neukasachstan\n"), encoding="utf-8")
    summary = batch.run(opts)
    assert _names(summary.built) == {"kazakhstan-de.pdf"}
    assert _names(summary.skipped) == GOOD - {"kazakhstan-de.pdf"}
    cover = PdfReader(opts.out / "kazakhstan-de.pdf").pages[0].extract_text()
    assert "Neukasachstan" in cover


def test_what_an_output_depends_on(tree, fixed_program, tmp_path):
    opts = batch.Options(tree, tmp_path)
    targets = {t.name: t for t in batch.plan(opts)}
    before = {n: batch.Digests(opts).of(t) for n, t in targets.items()}
    (tree / "brokenland" / "en.yaml").touch()  # a touch alone changes nothing
    assert {n: batch.Digests(opts).of(t) for n, t in targets.items()} == before
    profile = tree / "altland" / "profile.yaml"
    original = profile.read_text(encoding="utf-8")
    try:
        profile.write_text(original + "# edited\n", encoding="utf-8")
        after = {n: batch.Digests(opts).of(t) for n, t in targets.items()}
    finally:
        profile.write_text(original, encoding="utf-8")
    assert {n for n in targets if after[n] != before[n]} == {"altland-en.pdf"}


def test_a_failing_build_becomes_a_located_outcome(tree, cache_dir, tmp_path):
    target = batch.Target("brokenland", "en", "screen", tmp_path / "b.pdf")
    outcome = batch._build_one(target, batch.Options(tree, tmp_path, cache=cache_dir))
    assert outcome.status == "failed" and outcome.exit_code == 1
    assert all(LOCATED.match(e) for e in outcome.errors)
    assert not target.output.exists()


@pytest.mark.parametrize("argv", [
    ["build", "--all", "kazakhstan"],
    ["build", "--all", "-o", "x.pdf"],
    ["build", "--all", "--jobs", "0"],
    ["build", "kazakhstan"],
    ["build"],
])
def test_usage_errors(argv, capsys):
    assert main(argv) == 2


def test_workers_leave_no_temporary_folders(tmp_path, cache_dir):
    """WeasyPrint removes its font folders when its objects are collected; a
    worker that ends with os._exit must collect them first."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), MGI_REPORT_CACHE=str(cache_dir))
    out = subprocess.run([sys.executable, "-m", "mgi_report.cli", "build", "--all", "--lang",
                          "en", "--edition", "screen", "--jobs", "2", "--out",
                          str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert list((tmp_path / "out").glob("*.pdf"))
    assert not list(temp.iterdir())


def test_print_editions_wait_for_their_screen_page_count(tree, cache_dir, fixed_program,
                                                         tmp_path):
    """With the screen edition's page count, a print edition is drawn once (not
    twice to add blank pages), and is still the single build byte for byte."""
    opts = batch.Options(tree, tmp_path, ("print", "screen"), langs=("de",), jobs=2,
                         cache=cache_dir)
    summary = batch.run(opts)
    assert not summary.failed
    outcome = next(o for o in summary.built if o.target.edition == "print")
    screen = next(o for o in summary.built if o.target.edition == "screen")
    assert outcome.worker["pages"] % 4 == 0 and screen.worker["pages"] % 4
    assert outcome.worker["pages_hint"] == screen.worker["pages"]
    assert outcome.worker["drawings"] == 1
    # the reference takes the count-then-add path (no page count: 0)
    single = build(Request("kazakhstan", "de", tree, tmp_path / "single.pdf", "print",
                           cache=cache_dir, pages_hint=0))
    assert outcome.target.output.read_bytes() == single.read_bytes()


def test_every_target_has_an_outcome_when_the_workers_cannot_start(tmp_path):
    """Print editions wait for their screen edition; if no worker can start,
    they are still reported (as failed), not lost."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    T = batch.Target
    targets = [T(c, "en", e, tmp_path / f"{c}-{e}.pdf") for c in ("a", "b")
               for e in ("screen", "print")]
    workers = batch._Workers(batch.Options(tmp_path, jobs=1), 1, ("en",))
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=os._exit, initargs=(1,))
    workers.pools.append(pool)
    with pytest.raises(Exception):
        pool.submit(os.getpid).result()  # the pool is broken before the batch begins
    try:
        results = list(workers.build(targets))
    finally:
        workers.close()
    assert sorted(t.name for t, _ in results) == sorted(t.name for t in targets)
    assert all(o.status == "failed" and o.exit_code == 3 for _, o in results)


def test_a_worker_is_retired_after_its_quota(tree, cache_dir, fixed_program, tmp_path):
    """WeasyPrint keeps memory per document: a worker renders at most
    tasks_per_worker PDFs, then a fresh one takes over."""
    from collections import Counter

    opts = batch.Options(tree, tmp_path, ("screen", "archive"), jobs=1, cache=cache_dir,
                         tasks_per_worker=3)
    summary = batch.run(opts)
    per_worker = Counter(o.worker["pid"] for o in summary.built)
    assert sum(per_worker.values()) == 6
    assert max(per_worker.values()) <= 3 and len(per_worker) >= 2
