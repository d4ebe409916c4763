"""The editor's commands (issue 13): starting a country, and messages an editor
understands. Run through the command line as a user runs them."""

from __future__ import annotations

import pytest
import yaml

from mgi_report.cli import main
from mgitree import PROFILE, make_tree, run


def test_new_starts_a_valid_country_that_checks_and_builds(tmp_path, capsys):
    content = tmp_path / "content"
    code = main(["new", "sri-lanka", "--iso3", "LKA", "--lang", "fr", "--published", "2026-11",
                 "--content", str(content)])
    assert code == 0
    out, err = capsys.readouterr()
    folder = content / "sri-lanka"
    assert out.split() == [str(folder / "profile.yaml"), str(folder / "fr.yaml")]
    assert "make sri-lanka-fr.pdf" in err
    profile = yaml.safe_load((folder / "profile.yaml").read_text())
    assert profile == {"iso3": "LKA", "published": "2026-11", "source_language": "fr"}
    fr_text = (folder / "fr.yaml").read_text()
    fr = yaml.safe_load(fr_text)
    assert fr["country"] == "Sri Lanka" and fr["draft"] is True  # CLDR's name in French
    assert all(d == {"well_developed": [], "potential": []} for d in fr["domains"].values())
    assert len(fr["domains"]) == 6
    assert fr_text.count("#") >= 10  # a comment on each key
    assert main(["check", "--content", str(content)]) == 0
    pdf = tmp_path / "sl.pdf"
    assert main(["build", "sri-lanka", "--lang", "fr", "--content", str(content),
                 "-o", str(pdf)]) == 0
    assert pdf.stat().st_size > 10_000


@pytest.mark.parametrize("lang, name", [("de", "Kasachstan"), ("ru", "Казахстан"),
                                        ("ar", "كازاخستان")])
def test_new_names_the_country_in_its_language(tmp_path, capsys, lang, name):
    content = tmp_path / "content"
    assert main(["new", "kz", "--iso3", "kaz", "--lang", lang, "--content", str(content)]) == 0
    assert yaml.safe_load((content / "kz" / f"{lang}.yaml").read_text())["country"] == name


def test_new_refuses_what_it_cannot_start_and_overwrites_nothing(tmp_path, capsys):
    content = tmp_path / "content"
    code, err = run(capsys, "new", "Sri Lanka", "--iso3", "KZA", "--lang", "xx",
                    "--published", "2026-13", "--content", content)
    assert code == 2 and not content.exists()
    assert "`Sri Lanka` cannot name a country folder" in err
    assert "did you mean `KAZ` (Kazakhstan)?" in err
    assert "--lang `xx`" in err and "2026-13" in err
    assert main(["new", "atlantis", "--iso3", "XAT", "--lang", "en",
                 "--content", str(content)]) == 0  # a code left to users
    before = (content / "atlantis" / "en.yaml").read_bytes()
    code, err = run(capsys, "new", "atlantis", "--iso3", "XAT", "--lang", "en",
                    "--content", content)
    assert code == 2 and "never overwrites" in err
    assert (content / "atlantis" / "en.yaml").read_bytes() == before


def test_check_locates_an_unknown_iso_code_with_a_suggestion(tmp_path, capsys):
    content = make_tree(tmp_path, {"profile.yaml": PROFILE.replace("XTS", "KZA")})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert "testland/profile.yaml:1:7: `KZA` is not an ISO 3166 country code; did you mean " \
        "`KAZ` (Kazakhstan)?" in err


@pytest.mark.parametrize("written", ["DE", "german", "Deutsch"])
def test_a_language_as_a_user_writes_it(written, tmp_path, capsys):
    out = tmp_path / "de.pdf"
    assert main(["build", "kazakhstan", "--lang", written, "-o", str(out)]) == 0
    assert out.exists()


def test_an_unknown_country_gets_a_did_you_mean(capsys):
    code, err = run(capsys, "build", "kazakstan", "--lang", "de", "-o", "/tmp/never.pdf")
    assert code == 2 and "did you mean `kazakhstan`?" in err


def test_stamp_on_the_source_language_says_what_stamp_is_for(tmp_path, capsys):
    content = make_tree(tmp_path)
    code, err = run(capsys, "stamp", "testland", "--lang", "en", "--content", content)
    assert code == 2
    assert "`en` is the source language of testland" in err
    assert "only translations are stamped" in err


def test_check_does_not_say_nothing_was_written(tmp_path, capsys):
    content = make_tree(tmp_path, {"profile.yaml": PROFILE.replace("2018-05", "May")})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1 and "1 problem in the content" in err
    assert "nothing was written" not in err


# ----------------------------------------------------------------------- stats

def test_stats_counts_findings_words_state_and_pages(tmp_path, capsys):
    import json

    from mgi_report import Request, build

    content = make_tree(tmp_path)
    out = tmp_path / "en.pdf"
    build(Request("testland", "en", content, out))
    assert main(["stats", "--content", str(content)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["country", "lang", "state", "findings"]
    de, en = table[1].split(), table[2].split()
    assert de[:4] == ["testland", "de", "not", "stamped"]
    assert en[:4] == ["testland", "en", "source", "7"] and en[4:6] == ["1+1", "1+0"]
    from pypdf import PdfReader
    assert en[-1] == str(len(PdfReader(out).pages))  # the last build's page count
    assert main(["stats", "testland", "--json", "--content", str(content)]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["lang"] == "en")
    assert row["domains"]["migrants_rights"] == {"well_developed": 1, "potential": 1,
                                                  "areas": 0, "area_findings": 0}
    assert row["words"] == len("Migrants have access to primary education.".split()) + \
        len("There is no *national* strategy yet.".split()) + 3 + 3 + 3 + 3 + 3  # one a domain
    # a translation stamped, then its source changed: out of date; a language
    # another country has: missing
    assert main(["stamp", "testland", "--lang", "de", "--content", str(content)]) == 0
    en_file = content / "testland" / "en.yaml"
    en_file.write_text(en_file.read_text().replace("primary education", "schools"))
    other = content / "otherland"
    other.mkdir()
    (other / "profile.yaml").write_text(PROFILE.replace("XTS", "XOT"))
    (other / "en.yaml").write_text(en_file.read_text())
    capsys.readouterr()
    assert main(["stats", "--json", "--content", str(content)]) == 0
    states = {(r["country"], r["lang"]): r["state"] for r in json.loads(capsys.readouterr().out)}
    assert states == {("otherland", "de"): "missing", ("otherland", "en"): "source",
                      ("testland", "de"): "out of date", ("testland", "en"): "source"}


# ----------------------------------------------------------------------- proof

def test_proof_sets_every_page_on_one_sheet_and_pairs_editions(built, tmp_path, capsys):
    from PIL import Image
    from pypdf import PdfReader

    de, ru = built("kazakhstan", "de"), built("kazakhstan", "ru")
    sheet = tmp_path / "sheet.png"
    assert main(["proof", str(de), "-o", str(sheet)]) == 0
    pages = len(PdfReader(de).pages)
    with Image.open(sheet) as im:
        width, height = im.size
        # the cover's navy top-left, a white page beside it
        assert im.getpixel((14, 14))[2] > im.getpixel((14, 14))[0]
    from mgi_report.workbench import proof
    rows = (pages + proof.COLUMNS - 1) // proof.COLUMNS
    assert width == proof.GAP + proof.COLUMNS * (proof.PAGE_WIDTH + proof.GAP)
    assert height > rows * proof.PAGE_WIDTH  # every page, portrait
    paired = tmp_path / "pair.png"
    assert main(["proof", str(de), "--pair", str(ru), "-o", str(paired)]) == 0
    with Image.open(paired) as im:
        assert im.size[1] > height * 1.8  # twice the pages
    code, err = run(capsys, "proof", tmp_path / "missing.pdf")
    assert code == 2 and "no such PDF file" in err


# ----------------------------------------------------------------------- watch

def test_watch_rebuilds_on_save_reports_errors_and_stops(tmp_path, capsys):
    """The first build, a save that breaks the content (located errors, the
    last PDF kept), a save that mends it (rebuilt), then stop."""
    import threading
    import time

    from mgi_report import Request, build
    from mgi_report.resident import watch

    content = make_tree(tmp_path)
    out = tmp_path / "watched.pdf"
    req = Request("testland", "en", content, out)
    stop = threading.Event()
    builds = []

    def counted():
        try:
            return build(req)
        finally:
            builds.append(time.monotonic())  # done (built, or failed)

    paths = watch.sources(content, "testland", "en")
    assert content / "testland" in paths
    thread = threading.Thread(target=watch.watch, args=(counted, paths, out, stop, 100))
    thread.start()

    def wait_for(n):
        deadline = time.monotonic() + 60
        while len(builds) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(builds) >= n

    try:
        wait_for(1)
        first = out.stat().st_mtime_ns
        en = content / "testland" / "en.yaml"
        good = en.read_text()
        time.sleep(0.3)
        en.write_text(good.replace("short_name: Testland", "short_name: [Testland]"))
        wait_for(2)
        assert out.stat().st_mtime_ns == first  # a broken save keeps the last PDF
        en.write_text(good.replace("Testland", "Testlandia"))
        wait_for(3)
        assert out.stat().st_mtime_ns != first
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    err = capsys.readouterr().err
    assert "en.yaml:2:13: `short_name` must be text, not a list" in err
    assert "the last PDF is kept" in err and err.count("built ") >= 2
    assert "stopped watching" in err
    assert len(builds) <= 4  # one build per batch of saves, none for the PDF itself


def test_watch_refuses_an_unknown_country_before_watching(capsys):
    code, err = run(capsys, "watch", "kazakstan", "--lang", "de")
    assert code == 2 and "did you mean `kazakhstan`?" in err
