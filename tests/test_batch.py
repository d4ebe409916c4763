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

from mgi_report import Request, build
from mgi_report.batch import digests, manifest, plan, reading, workers
from mgi_report.batch import run as batch
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
        mp.setattr(digests, "program_digest", lambda layouts=(): "pinned")
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
    # the command also writes each profile's data (the first run, of the API, did not)
    assert "3 built, 3 skipped, 2 failed" in err
    assert {p.name for p in opts.out.glob("[!.]*.json")} == {
        "altland-en.json", "kazakhstan-de.json", "kazakhstan-en.json"}
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
    before = {n: digests.Digests(opts).of(t) for n, t in targets.items()}
    (tree / "brokenland" / "en.yaml").touch()  # a touch alone changes nothing
    assert {n: digests.Digests(opts).of(t) for n, t in targets.items()} == before
    profile = tree / "altland" / "profile.yaml"
    original = profile.read_text(encoding="utf-8")
    try:
        profile.write_text(original + "# edited\n", encoding="utf-8")
        after = {n: digests.Digests(opts).of(t) for n, t in targets.items()}
    finally:
        profile.write_text(original, encoding="utf-8")
    assert {n for n in targets if after[n] != before[n]} == {"altland-en.pdf"}


def test_a_failing_build_becomes_a_located_outcome(tree, cache_dir, tmp_path):
    target = batch.Target("brokenland", "en", "screen", tmp_path / "b.pdf")
    opts = batch.Options(tree, tmp_path, cache=cache_dir)
    [(_, outcome)] = reading.Contents(opts, digests.Digests(opts)).validate([target])
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


def test_a_release_lays_each_profile_out_once_and_equals_the_single_builds(
        tree, cache_dir, fixed_program, tmp_path):
    """All three editions of a profile come from one layout in one worker task,
    and each is byte for byte its single build, and the batch with one layout
    per edition (the path `--layout-per-edition` keeps, for the benchmark)."""
    every = ("screen", "print", "archive")
    shared = batch.run(batch.Options(tree, tmp_path / "shared", every, langs=("de",),
                                     jobs=2, cache=cache_dir))
    apart = batch.run(batch.Options(tree, tmp_path / "apart", every, langs=("de",), jobs=2,
                                    cache=cache_dir, shared_layout=False))
    assert not shared.failed and not apart.failed
    assert sorted(o.target.edition for o in shared.built) == sorted(every)
    facts = [o.worker for o in shared.built]
    assert {f["editions"] for f in facts} == {3}
    assert len({(f["pid"], f["cpu"]) for f in facts}) == 1  # one task, one layout
    assert {o.worker["editions"] for o in apart.built} == {1}
    pages = {o.target.edition: o.worker["pages"] for o in shared.built}
    assert pages["print"] % 4 == 0 and pages["print"] >= pages["screen"] == pages["archive"]
    for o in shared.built:
        name = o.target.output.name
        single = build(Request("kazakhstan", "de", tree, tmp_path / f"single-{name}",
                               o.target.edition, cache=cache_dir))
        made = o.target.output.read_bytes()
        assert made == single.read_bytes(), name
        assert made == (tmp_path / "apart" / name).read_bytes(), name


def test_a_single_build_of_several_editions_is_each_single_build(tree, cache_dir, tmp_path,
                                                                 capsys, monkeypatch):
    """`build COUNTRY --edition screen,archive,print --out DIR`: laid out once,
    each file the single build of its edition."""
    from mgi_report import pipeline as builder

    layouts = []
    real = builder.render
    monkeypatch.setattr(builder, "render", lambda *a, **k: layouts.append(1) or real(*a, **k))
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    assert main(["build", "kazakhstan", "--lang", "de", "--content", str(tree), "--edition",
                 "screen,archive,print", "--out", str(tmp_path / "all")]) == 0
    assert len(layouts) == 1
    written = capsys.readouterr().out.split()
    assert [Path(w).name for w in written] == ["kazakhstan-de.pdf", "kazakhstan-de-archive.pdf",
                                               "kazakhstan-de-print.pdf"]
    for edition in ("screen", "archive", "print"):
        layouts.clear()
        one = build(Request("kazakhstan", "de", tree, tmp_path / f"{edition}.pdf", edition,
                            cache=cache_dir))
        assert len(layouts) == 1
        name = Request("kazakhstan", "de", tree, edition=edition).default_output()
        assert one.read_bytes() == (tmp_path / "all" / name).read_bytes(), edition
    # -o names one file: with several editions it is a usage error, nothing written
    assert main(["build", "kazakhstan", "--lang", "de", "--content", str(tree), "--edition",
                 "screen,print", "-o", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()


def test_a_draft_refused_by_print_leaves_the_other_editions_written(tree, cache_dir, tmp_path,
                                                                    capsys, monkeypatch):
    draft = tmp_path / "content"
    shutil.copytree(tree / "kazakhstan", draft / "kazakhstan")
    de = draft / "kazakhstan" / "de.yaml"
    de.write_text("draft: true\n" + de.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    code = main(["build", "kazakhstan", "--lang", "de", "--content", str(draft), "--edition",
                 "screen,print", "--out", str(tmp_path / "out")])
    assert code == 1
    err = capsys.readouterr().err
    assert "the print edition was not written" in err
    assert re.search(r"de\.yaml:1:\d+: a draft cannot go to the print shop", err)
    assert (tmp_path / "out" / "kazakhstan-de.pdf").exists()
    assert not (tmp_path / "out" / "kazakhstan-de-print.pdf").exists()


def test_every_target_has_an_outcome_when_the_workers_cannot_start(tmp_path):
    """If no worker can start, every output is still reported (as failed), not lost."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    T = batch.Target
    targets = [T(c, "en", e, tmp_path / f"{c}-{e}.pdf") for c in ("a", "b", "c")
               for e in ("screen", "print")]
    tasks = [reading.Task(tuple(targets[i:i + 2]), None, {}, {})  # never sent: no Job
             for i in range(0, len(targets), 2)]
    team = workers.Workers(batch.Options(tmp_path, jobs=1), 1, ("en",))
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=os._exit, initargs=(1,))
    team.pools.append(pool)
    with pytest.raises(Exception):
        pool.submit(os.getpid).result()  # the pool is broken before the batch begins
    try:
        results = list(team.build(tasks))
    finally:
        team.close()
    assert sorted(t.name for t, _ in results) == sorted(t.name for t in targets)
    assert all(o.status == "failed" and o.exit_code == 3 for _, o in results)


def test_a_worker_is_retired_after_its_quota(tree, cache_dir, fixed_program, tmp_path):
    """WeasyPrint keeps memory per document it lays out: a worker lays out at
    most tasks_per_worker profiles (each once, for all its editions), then a
    fresh one takes over."""
    from collections import Counter

    opts = batch.Options(tree, tmp_path, ("screen", "archive"), jobs=1, cache=cache_dir,
                         tasks_per_worker=1)
    summary = batch.run(opts)
    per_worker = Counter(o.worker["pid"] for o in summary.built)
    assert sum(per_worker.values()) == 6
    assert sorted(per_worker.values()) == [2, 2, 2]  # a profile's two editions, one worker


# ------------------------------------------------------------------ shards


def test_shards_partition_the_release_by_profile(tree, tmp_path):
    """The N shards' outputs are the whole release, each output in exactly one,
    all editions of a profile in the same one (they share its layout); a
    profile's shard follows from its name alone, so adding a profile moves
    no other."""
    every = ("screen", "print", "archive")
    whole = {t.output.name: t for t in batch.plan(batch.Options(tree, tmp_path, every))}
    for n in (1, 2, 3, 4):
        parts = [{t.output.name for t in batch.plan(
            batch.Options(tree, tmp_path, every, shard=plan.Shard(k, n)))}
            for k in range(1, n + 1)]
        assert sum(len(p) for p in parts) == len(whole)  # each output once
        assert set().union(*parts) == set(whole)
        for part in parts:
            profiles = {(whole[name].country, whole[name].lang) for name in part}
            assert len(part) == 3 * len(profiles)  # a profile's editions together
    names = [f"country-{i}/{lang}" for i in range(400) for lang in ("en", "fr")]
    before = {name: plan.shard_of(name, 4) for name in names}
    counts = [list(before.values()).count(k) for k in (1, 2, 3, 4)]
    assert min(counts) > 0.15 * len(names) and max(counts) < 0.35 * len(names), counts
    more = ["new-country/en", *names, "another/ar"]
    assert {name: plan.shard_of(name, 4) for name in more if name in before} == before


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0"])
def test_a_bad_shard_is_a_usage_error(text, tree, tmp_path, capsys):
    assert main(["build", "--all", "--content", str(tree), "--out", str(tmp_path),
                 "--shard", text]) == 2
    assert "--shard" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def _copy_release(src: Path, dest: Path) -> None:
    """As a CI artifact or cache would: the files, with new times."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        if p.is_file():
            shutil.copyfile(p, dest / p.name)


def test_shard_manifests_merge_into_an_incremental_release(tree, cache_dir, fixed_program,
                                                           tmp_path, capsys):
    """Two CI jobs build a shard each; a third merges their manifests and outputs;
    the next release run skips everything unchanged, even in folders whose
    files were copied (new times), and rebuilds only what an edit touched."""
    def shard_run(k: int, out: Path):
        return batch.run(batch.Options(tree, out, ("screen",), jobs=1, cache=cache_dir,
                                       shard=plan.Shard(k, 2)))

    runs = {k: shard_run(k, tmp_path / f"shard-{k}") for k in (1, 2)}
    built = [o.target.name for r in runs.values() for o in r.built]
    assert sorted(built) == sorted(GOOD)  # the union is the release, each output once
    for k, r in runs.items():
        data = (tmp_path / f"shard-{k}" / manifest.MANIFEST).read_text()
        assert f'"shard": "{k}/2"' in data
    release = tmp_path / "release"
    assert main(["build", "--all", "--content", str(tree), "--out", str(release),
                 "--merge-manifests", str(tmp_path / "shard-1"), str(tmp_path / "shard-2")]) == 0
    assert "3 outputs known (3 copied in)" in capsys.readouterr().err
    assert {p.name for p in release.glob("*.pdf")} == GOOD
    summary = batch.run(batch.Options(tree, release, ("screen",), jobs=1, cache=cache_dir))
    assert _names(summary.skipped) == GOOD and not summary.built

    # The next release: each shard job starts from the last release (copied in:
    # new file times); one finding edited; only its output is built again.
    for k in (1, 2):
        shutil.rmtree(tmp_path / f"shard-{k}")
        _copy_release(release, tmp_path / f"shard-{k}")
    en = tree / "altland" / "en.yaml"
    original = en.read_text(encoding="utf-8")
    try:
        assert "\ncountry: Republic of Altland\n" in original
        en.write_text(original.replace("\ncountry: Republic of Altland\n",
                                       "\ncountry: Republic of Altlandia\n"), encoding="utf-8")
        runs = {k: shard_run(k, tmp_path / f"shard-{k}") for k in (1, 2)}
        assert [o.target.name for r in runs.values() for o in r.built] == ["altland-en.pdf"]
        assert sum(len(r.skipped) for r in runs.values()) == 2
        assert main(["build", "--all", "--content", str(tree), "--out", str(release),
                     "--merge-manifests", str(tmp_path / "shard-1" / manifest.MANIFEST),
                     str(tmp_path / "shard-2")]) == 0
        assert "3 outputs known (1 copied in)" in capsys.readouterr().err
        summary = batch.run(batch.Options(tree, release, ("screen",), jobs=1, cache=cache_dir))
        assert not summary.built and _names(summary.skipped) == GOOD
        assert "Altlandia" in PdfReader(release / "altland-en.pdf").pages[0].extract_text()
    finally:
        en.write_text(original, encoding="utf-8")


def test_merging_drops_what_no_shard_vouches_for(tree, cache_dir, fixed_program, tmp_path,
                                                 capsys):
    out = tmp_path / "shard"
    batch.run(batch.Options(tree, out, ("screen",), langs=("de",), jobs=1, cache=cache_dir))
    pdf = out / "kazakhstan-de.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% changed by hand\n")  # no longer what was built
    release = tmp_path / "release"
    assert main(["build", "--all", "--content", str(tree), "--out", str(release),
                 "--merge-manifests", str(out)]) == 0
    err = capsys.readouterr().err
    assert "kazakhstan-de.pdf: no shard holds it" in err
    assert not (release / "kazakhstan-de.pdf").exists()
    assert main(["build", "--all", "--content", str(tree), "--out", str(release),
                 "--merge-manifests", str(tmp_path / "nowhere")]) == 2
