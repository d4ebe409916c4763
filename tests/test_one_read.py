"""One read per build, per batch and per check (issue 20): each content file is
read and parsed once, and what is said of it later (the translation review,
stale translations, a batch's input hash) works on what was read then."""

from __future__ import annotations

import os
import pickle
import sys
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import pytest

from mgi_report.batch import workers
from mgi_report.cli import main
from mgi_report.content import yamlsource
from mgi_report.files import reads
from mgitree import edited_since_a_commit, make_tree


@pytest.fixture
def parsed(monkeypatch) -> Counter:
    """How often each file is parsed: every module's ``read_yaml`` counts."""
    counts: Counter = Counter()
    original = yamlsource.read_yaml

    def counting(path, *args, **kwargs):
        counts[Path(path).name] += 1
        return original(path, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("mgi_report") and getattr(module, "read_yaml", None) is original:
            monkeypatch.setattr(module, "read_yaml", counting)
    return counts


def test_a_build_of_a_translation_parses_each_file_once(tmp_path, parsed, capsys):
    content = make_tree(tmp_path, {"de.yaml": open_de_with_a_list_missing()})
    out = tmp_path / "de.pdf"
    assert main(["build", "testland", "--lang", "de", "--content", str(content),
                 "-o", str(out)]) == 0
    assert out.exists()
    # the review warning says the build read the source too, located in de.yaml
    assert "testland/de.yaml:11:5: `whole_of_government.well_developed` has 0 entries" \
        in capsys.readouterr().err
    assert parsed == {"profile.yaml": 1, "de.yaml": 1, "en.yaml": 1}


def test_check_parses_each_file_once(tmp_path, parsed, capsys):
    content = make_tree(tmp_path, {"de.yaml": open_de_with_a_list_missing()})
    assert main(["check", "--content", str(content)]) == 0
    err = capsys.readouterr().err
    assert "`whole_of_government.well_developed` has 0 entries" in err
    assert "records no `source_hash`" in err
    assert parsed == {"profile.yaml": 1, "de.yaml": 1, "en.yaml": 1}


def test_a_batch_validates_each_file_once(tmp_path, parsed):
    from mgi_report.batch import run as batch
    from mgi_report.batch.reading import Contents

    content = make_tree(tmp_path, {"de.yaml": "country: [broken\n"})
    opts = batch.Options(content=content, out=tmp_path / "out", editions=("screen",))
    outcomes = dict(Contents(opts, batch.Digests(opts)).validate(batch.plan(opts)))
    assert {t.lang: o is None for t, o in outcomes.items()} == {"de": False, "en": True}
    assert parsed == {"profile.yaml": 1, "de.yaml": 1, "en.yaml": 1}


@pytest.fixture
def opened(monkeypatch) -> Counter:
    """How often each file is read from disk (every read goes through
    ``reads.open_regular``)."""
    counts: Counter = Counter()
    original = reads.open_regular

    def counting(path, *args, **kwargs):
        counts[os.path.basename(path)] += 1
        return original(path, *args, **kwargs)

    monkeypatch.setattr(reads, "open_regular", counting)
    return counts


class InProcessPool:
    """A worker pool that runs each task here, its arguments pickled and
    unpickled as for a worker process (so the test counts the workers' reads)."""

    def submit(self, fn, *args):
        future: Future = Future()
        future.set_result(fn(*pickle.loads(pickle.dumps(args))))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_whole_batch_reads_and_parses_each_file_once(tmp_path, parsed, opened, monkeypatch,
                                                       cache_dir, capsys):
    """``build --all``: hashing what is fresh, validating, drawing the wheels and
    the workers' layouts (both languages, two editions each, the archive
    embedding the files) share one read and one parse of each content file."""
    content = make_tree(tmp_path)
    monkeypatch.setattr(workers, "_pool", lambda *args: InProcessPool())
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    out = tmp_path / "out"
    assert main(["build", "--all", "--content", str(content), "--out", str(out),
                 "--edition", "screen,archive", "--jobs", "1"]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "testland-de-archive.pdf", "testland-de.pdf", "testland-en-archive.pdf",
        "testland-en.pdf"]
    assert sorted(p.name for p in out.glob("[!.]*.json")) == ["testland-de.json",
                                                              "testland-en.json"]
    files = {"profile.yaml": 1, "de.yaml": 1, "en.yaml": 1}
    assert {name: opened[name] for name in opened if name.endswith(".yaml")} == files
    assert parsed == files
    # and the next run reads each file once to find everything fresh
    opened.clear()
    assert main(["build", "--all", "--content", str(content), "--out", str(out),
                 "--edition", "screen,archive", "--jobs", "1"]) == 0
    assert "0 built, 6 skipped" in capsys.readouterr().err  # 4 PDFs and 2 profiles' data
    assert {name: opened[name] for name in opened if name.endswith(".yaml")} == files
    assert parsed == files  # nothing parsed: nothing to build


def open_de_with_a_list_missing() -> str:
    """testland's de.yaml with one list emptied (a review warning on line 11)."""
    from mgitree import DE

    return DE.replace("well_developed: [Ein Rat besteht.]", "well_developed: []", 1)


def test_the_review_pdf_reads_the_file_once_and_its_earlier_version_once(tmp_path, parsed):
    """`mgi-report review`: the language file as it is now is parsed once, for the
    changes and for the PDF alike; the version at the revision, once more."""
    content = edited_since_a_commit(tmp_path)
    review = tmp_path / "review.pdf"
    assert main(["review", "testland", "--lang", "en", "--since", "HEAD",
                 "--content", str(content), "-o", str(review)]) == 0
    assert review.exists()
    assert parsed == {"profile.yaml": 1, "en.yaml": 2}
