"""Open data (issue 23, item 4): `mgi-report export`, its JSON Schema and CSV
tables, the data `build --all` writes beside the PDFs, and `export --all --gcm`.

A small tagged tree (testland, with citations, an area, key data and a
follow-up) gives exact expectations; every shipped profile and example is
exported, validated against the schema, and its CSV tables read back equal to
its JSON. Cheap: no PDF is built but by the `build --all` test, of a small tree.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from mgi_report.cli import main
from mgi_report.content import yamlsource
from mgi_report.content.tree import countries
from mgi_report.opendata import gcm, profile, tables
from mgi_report.resources import DEFAULT_CONTENT, ROOT
from mgi_report.text.i18n import translations
from mgitree import DE, LANG, PROFILE, assert_only_located, located_lines, make_tree, run

SCHEMAS = ROOT / "schema"
EXAMPLES = ROOT / "examples"

#: testland's en.yaml, tagged, citing its sources, with an area in wellbeing.
EN = LANG.replace(
    "      - Migrants have access to primary education.\n",
    "      - text: Migrants have access to primary education.[^law-2011]\n"
    "        gcm: [15, 16]\n"
    "        id: primary-education\n").replace(
    "      - There is no *national* strategy yet.\n",
    "      - text: There is no *national* strategy yet, see [the plan](https://example.org/p)."
    "[^plan-2020][^law-2011]\n"
    "        gcm: 23\n").replace(
    "    well_developed: [A council exists.]\n",
    "    well_developed: ['A council exists (\"the Council\").']\n").replace(
    "  wellbeing:\n    well_developed: [Diplomas are recognised.]\n    potential: []\n",
    "  wellbeing:\n    well_developed: [Diplomas are recognised.]\n    potential: []\n"
    "    areas:\n      - title: Labour\n        findings:\n          - A\n"
    "          - text: Workers' permits take `30` days.\n            gcm: [5, 6]\n") + """\
sources:
  - id: law-2011
    text: Law "On Migration", 2011.
    short: Law of 2011.
  - id: plan-2020
    text: National *Plan*, 2020.
  - A source not cited.
key_data_sources:
  "UN DESA, 2020": UN DESA (2020), Testland
"""
DE_TAGGED = DE.replace("translation_of: en", "translation_of: en\ndraft: true").replace(
    "      - Migranten haben Zugang zur Grundschulbildung.\n",
    "      - text: Migranten haben Zugang zur Grundschulbildung.\n"
    "        gcm: [15, 16]\n"
    "        id: primary-education\n")
KEY_DATA = PROFILE + """\
key_data:
  - indicator: immigrants
    source: UN DESA, 2020
    values: {2000: 120000, 2010: 150000}
  - indicator: immigrants_share
    source: Office of Statistics
    values: {2010: 3.5}
"""
#: testland-2: testland's follow-up (2021), one finding changed, one added, one
#: removed, one retagged only (no change of policy: not listed).
FOLLOWUP_PROFILE = PROFILE.replace("2018-05", "2021-03") + \
    "round: 2\nbaseline: {profile: testland}\n"
FOLLOWUP_EN = EN.replace("Treaties are signed.", "Treaties are signed and ratified.").replace(
    "    well_developed: [A plan exists.]\n    potential: []\n",
    "    well_developed: [A plan exists.]\n    potential: [Shelters are few.]\n").replace(
    "    well_developed: [Visas are issued.]\n", "    well_developed: []\n").replace(
    "        gcm: 23\n", "        gcm: [22, 23]\n") + "updates:\n  partnerships: |\n" \
    "    Treaties were ratified.[^law-2011]\n\n    A second paragraph.\n"


def _tree(root: Path, followup: bool = False) -> Path:
    content = make_tree(root, {"en.yaml": EN, "de.yaml": DE_TAGGED, "profile.yaml": KEY_DATA})
    if followup:
        folder = content / "testland-2"
        folder.mkdir()
        (folder / "profile.yaml").write_text(FOLLOWUP_PROFILE, encoding="utf-8")
        (folder / "en.yaml").write_text(FOLLOWUP_EN, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "profile-data.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == profile.SCHEMA_ID
    return jsonschema.Draft202012Validator(schema)


def _export(capsys, *argv) -> dict:
    """`mgi-report export …` to standard output, read as JSON."""
    code = main(["export", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _findings(data: dict) -> dict[str, dict]:
    return {f["id"]: f for d in data["domains"] for f in d["findings"]}


def test_a_profiles_data_in_json(tmp_path, capsys, validator):
    content = _tree(tmp_path)
    data = _export(capsys, "testland", "--content", content)
    validator.validate(data)
    assert list(data) == ["$schema", "profile", "domains", "key_data", "sources", "changes"]
    assert data["profile"] == {
        "slug": "testland", "iso3": "XTS", "country": "Republic of Testland",
        "short_name": "Testland", "title": "Migration Governance Profile: Republic of Testland",
        "kind": "national", "level": None, "place": None, "round": 1, "baseline": None,
        "published": "2018-05", "language": "en", "languages": ["de", "en"],
        "source_language": "en", "translation_of": None, "draft": False}
    assert [(d["number"], d["key"], d["name"]) for d in data["domains"]][:2] == [
        (1, "migrants_rights", "Migrants’ rights"),
        (2, "whole_of_government", "Whole-of-government approach")]
    law = {"id": "law-2011", "text": "Law “On Migration”, 2011."}
    found = _findings(data)
    assert found["primary-education"] == {
        "id": "primary-education", "part": "well_developed", "area": None, "area_title": None,
        "number": 1, "text": "Migrants have access to primary education.",
        "html": "Migrants have access to primary education.", "citations": [law],
        "gcm": [15, 16]}
    assert found["d1-pa-1"]["text"] == "There is no national strategy yet, see the plan."
    assert found["d1-pa-1"]["html"] == ('There is no <em>national</em> strategy yet, see '
                                        '<a href="https://example.org/p">the plan</a>.')
    assert found["d1-pa-1"]["citations"] == [
        {"id": "plan-2020", "text": "National Plan, 2020."}, law]  # as first cited
    assert found["d1-pa-1"]["gcm"] == [23]
    assert found["d2-wd-1"]["text"] == "A council exists (“the Council”)."  # as it prints
    assert found["d4-a1-2"] == {
        "id": "d4-a1-2", "part": "area", "area": 1, "area_title": "Labour", "number": 2,
        "text": "Workers’ permits take 30 days.",
        "html": "Workers’ permits take <code>30</code> days.", "citations": [], "gcm": [5, 6]}
    assert found["d6-wd-1"]["gcm"] == [] and found["d6-wd-1"]["citations"] == []
    assert data["key_data"] == [
        {"indicator": "immigrants", "name": "International migrants (immigrants)",
         "unit": "persons", "source": "UN DESA (2020), Testland",
         "source_as_written": "UN DESA, 2020",
         "values": [{"year": 2000, "value": 120000}, {"year": 2010, "value": 150000}]},
        {"indicator": "immigrants_share", "name": "Immigrants as a share of the population",
         "unit": "% of population", "source": "Office of Statistics",
         "source_as_written": "Office of Statistics", "values": [{"year": 2010, "value": 3.5}]}]
    assert data["sources"] == [
        {"id": "law-2011", **{k: v for k, v in law.items() if k != "id"},
         "html": "Law “On Migration”, 2011.", "short": "Law of 2011."},
        {"id": "plan-2020", "text": "National Plan, 2020.",
         "html": "National <em>Plan</em>, 2020.", "short": None},
        {"id": None, "text": "A source not cited.", "html": "A source not cited.",
         "short": None}]
    assert data["changes"] is None


def test_a_translation_in_its_language(tmp_path, capsys, validator):
    content = _tree(tmp_path)
    data = _export(capsys, "testland", "--lang", "German", "--content", content)
    validator.validate(data)
    facts = data["profile"]
    assert (facts["language"], facts["translation_of"], facts["draft"]) == ("de", "en", True)
    _ = translations("de").gettext
    assert facts["title"] == _("%(label)s: %(value)s") % {
        "label": _("Migration Governance Profile"), "value": "Republic of Testland"}
    assert data["domains"][0]["name"] == _("Migrants' rights") != "Migrants’ rights"
    found = _findings(data)
    assert found["primary-education"]["gcm"] == [15, 16]  # a translation keeps the tags
    assert found["d1-pa-1"]["html"] == "Es gibt noch keine <em>nationale</em> Strategie."
    # no key_data_sources in de.yaml: the source as profile.yaml writes it
    assert data["key_data"][0]["source"] == "UN DESA, 2020"


def test_a_follow_up_says_what_changed_since_its_baseline(tmp_path, capsys, validator):
    content = _tree(tmp_path, followup=True)
    data = _export(capsys, "testland-2", "--content", content)
    validator.validate(data)
    assert data["profile"]["round"] == 2
    assert data["profile"]["baseline"] == {"kind": "profile", "value": "testland",
                                           "country": "Republic of Testland",
                                           "published": "2018-05", "language": "en"}
    assert data["domains"][2]["updates"] == "Treaties were ratified.\n\nA second paragraph."
    assert data["domains"][0]["updates"] is None
    assert [(c["kind"], c["id"], c["domain"], c["text"], c["before"])
            for c in data["changes"]] == [
        ("changed", "d3-wd-1", 3, "Treaties are signed and ratified.", "Treaties are signed."),
        ("added", "d5-pa-1", 5, "Shelters are few.", None),
        ("removed", "d6-wd-1", 6, None, "Visas are issued.")]  # not d1-pa-1: retagged only
    assert data["changes"][0]["html"] == "Treaties are signed and ratified."
    assert data["changes"][2]["before_html"] == "Visas are issued."


@pytest.mark.parametrize("table", list(tables.TABLES))
def test_csv_read_back_equals_the_json(tmp_path, capsys, table):
    content = _tree(tmp_path, followup=True)
    data = _export(capsys, "testland-2", "--content", content)
    out = tmp_path / f"{table}.csv"
    assert run(capsys, "export", "testland-2", "--content", content, "--format", "csv",
               "--table", table, "-o", out)[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # opens as UTF-8 in a spreadsheet
    assert_csv_equals_json(raw, data, table)


def _rows(data: dict, table: str) -> list[dict]:
    """What each CSV row holds, from the JSON (the tables' documented columns)."""
    columns, rows = tables.TABLES[table]
    return [{c: row[c] for c in columns} for row in rows(data)]


def _typed(column: str, text: str, like):
    """A cell read back as the JSON's value (``like``: that value), as the
    tables' columns are documented."""
    if column == "gcm":
        return [int(v) for v in text.split(";")] if text else []
    if column == "citations":
        return text.split(";") if text else []
    if like is None:
        return None if text == "" else text
    if isinstance(like, bool):
        return {"true": True, "false": False}[text]
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    return text


def assert_csv_equals_json(raw: bytes, data: dict, table: str) -> None:
    read = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    columns = tables.TABLES[table][0]
    assert tuple(read[0]) == columns
    expected = _rows(data, table)
    assert len(read) - 1 == len(expected)
    for line, want in zip(read[1:], expected):
        got = {c: _typed(c, cell, want[c]) for c, cell in zip(columns, line)}
        assert got == want


def _every_export() -> list[tuple[Path, str, str]]:
    out = []
    for content in (DEFAULT_CONTENT, EXAMPLES):
        for slug, country in countries(content).items():
            out += [(content, slug, lang) for lang in country.languages]
    return out


EXPORTS = _every_export()


def test_every_shipped_profile_and_example_is_exported():
    names = {(c.name, slug, lang) for c, slug, lang in EXPORTS}
    assert {("content", "kazakhstan", lang) for lang in ("ar", "de", "en", "ru")} <= names
    assert {("examples", slug, lang) for slug in ("ruritania", "ruritania-2", "strelsau")
            for lang in ("en", "ar")} <= names


@pytest.mark.parametrize("content,slug,lang", EXPORTS,
                         ids=[f"{slug}-{lang}" for _, slug, lang in EXPORTS])
def test_every_export_validates_and_its_csv_equals_its_json(content, slug, lang, tmp_path,
                                                            capsys, validator):
    out = tmp_path / "data.json"
    assert run(capsys, "export", slug, "--lang", lang, "--content", content, "-o", out)[0] == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    validator.validate(data)
    assert data["profile"]["slug"] == slug and data["profile"]["language"] == lang
    assert (data["changes"] is not None) == (slug == "ruritania-2")
    if slug == "strelsau":
        assert (data["profile"]["kind"], data["profile"]["level"]) == ("local", "city")
        assert data["profile"]["place"]
    for table in tables.TABLES:
        assert run(capsys, "export", slug, "--lang", lang, "--content", content,
                   "--format", "csv", "--table", table, "-o", tmp_path / "t.csv")[0] == 0
        assert_csv_equals_json((tmp_path / "t.csv").read_bytes(), data, table)


def test_without_output_or_language_the_source_language_goes_to_standard_output(
        tmp_path, capsysbinary):
    content = _tree(tmp_path)
    assert main(["export", "testland", "--content", str(content)]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.endswith(b"}\n") and "Migrants’".encode() in raw  # UTF-8, not escaped
    assert json.loads(raw)["profile"]["language"] == "en"
    assert raw.startswith(b'{\n  "$schema"')  # indented by 2
    assert main(["export", "testland", "--content", str(content), "--format", "csv"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"\xef\xbb\xbfprofile,language,domain,")


def test_the_gcm_table_counts_each_profiles_tagged_findings(tmp_path, capsys):
    content = _tree(tmp_path, followup=True)
    data = _export(capsys, "--all", "--gcm", "--content", content)
    schema = json.loads((SCHEMAS / "gcm-table.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == gcm.SCHEMA_ID
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["profiles"] == [
        {"name": "testland-en", "slug": "testland", "language": "en", "findings": 9,
         "tagged": 3},
        {"name": "testland-2-en", "slug": "testland-2", "language": "en", "findings": 9,
         "tagged": 3}]
    counts = {row["objective"]: row["counts"] for row in data["objectives"]}
    assert [row["objective"] for row in data["objectives"]] == list(range(1, 24))
    assert counts[15] == counts[16] == counts[5] == counts[6] == {"testland-en": 1,
                                                                 "testland-2-en": 1}
    assert counts[22] == {"testland-en": 0, "testland-2-en": 1}
    assert counts[1] == {"testland-en": 0, "testland-2-en": 0}
    assert data["objectives"][22]["total"] == 2
    assert data["language"] == "en"
    assert data["objectives"][14]["title"] == "Provide access to basic services for migrants"
    # one language: German, where a profile has it
    de = _export(capsys, "--all", "--gcm", "--content", content, "--lang", "de")
    assert [p["name"] for p in de["profiles"]] == ["testland-de"]
    assert de["objectives"][14]["counts"] == {"testland-de": 1}
    assert de["objectives"][14]["title"] == translations("de").gettext(
        "Provide access to basic services for migrants") != data["objectives"][14]["title"]
    # CSV: a row per objective, a column per profile, read back equal
    out = tmp_path / "gcm.csv"
    assert run(capsys, "export", "--all", "--gcm", "--content", content, "--format", "csv",
               "-o", out)[0] == 0
    read = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert read[0] == ["objective", "title", "testland-en", "testland-2-en", "total"]
    assert [[int(row[0]), row[1], *map(int, row[2:])] for row in read[1:]] == [
        [row["objective"], row["title"], row["counts"]["testland-en"],
         row["counts"]["testland-2-en"], row["total"]] for row in data["objectives"]]


def test_the_examples_gcm_table_is_valid(capsys):
    data = _export(capsys, "--all", "--gcm", "--content", EXAMPLES)
    schema = json.loads((SCHEMAS / "gcm-table.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert [p["name"] for p in data["profiles"]] == ["ruritania-en", "ruritania-2-en",
                                                     "strelsau-en"]
    for row in data["objectives"]:
        assert row["total"] == sum(row["counts"].values())
    # the example is tagged throughout (its follow-up keeps its tags); Strelsau is not
    assert {p["name"]: p["tagged"] > 0 for p in data["profiles"]} == {
        "ruritania-en": True, "ruritania-2-en": True, "strelsau-en": False}


def test_bad_content_is_located_all_at_once_and_nothing_is_written(tmp_path, capsys):
    bad = EN.replace("        gcm: [15, 16]\n", "        gcm: [0, 24]\n").replace(
        "short_name: Testland", "short_name: Testland\npopulaton: 3")
    content = make_tree(tmp_path, {"en.yaml": bad})
    out = tmp_path / "data.json"
    code, err = run(capsys, "export", "testland", "--content", content, "-o", out)
    assert code == 1 and not out.exists()
    assert_only_located(err)
    assert len(located_lines(err)) >= 3  # the unknown key and both objectives
    assert "populaton" in err and "nothing was written" in err
    code, err = run(capsys, "export", "--all", "--gcm", "--content", content, "-o", out)
    assert code == 1 and not out.exists()
    assert_only_located(err)


def test_a_follow_ups_unreadable_baseline_is_located_with_its_own_problems(tmp_path, capsys):
    content = _tree(tmp_path, followup=True)
    folder = content / "testland-2"
    (folder / "profile.yaml").write_text(FOLLOWUP_PROFILE.replace("{profile: testland}",
                                                                  "{profile: testlnd}"))
    (folder / "en.yaml").write_text(FOLLOWUP_EN + "populaton: 3\n")
    code, err = run(capsys, "export", "testland-2", "--content", content)
    assert code == 1
    assert_only_located(err)
    assert "did you mean `testland`?" in err and "populaton" in err


@pytest.mark.parametrize("argv,says", [
    (["export", "testlnd"], "did you mean `testland`?"),
    (["export", "testland", "--lang", "fr"], "no `fr` findings for testland"),
    (["export", "testland", "--lang", "xx"], "no `xx` findings for testland"),
    (["export"], "needs a COUNTRY"),
    (["export", "testland", "--table", "sources"], "--table goes with --format csv"),
    (["export", "testland", "--format", "xml"], "invalid choice"),
    (["export", "--all"], "--all and --gcm go together"),
    (["export", "--gcm", "testland"], "--all and --gcm go together"),
    (["export", "--all", "--gcm", "testland"], "no COUNTRY"),
    (["export", "--all", "--gcm", "--lang", "fr"], "no profile in"),
])
def test_usage_errors(argv, says, tmp_path, capsys):
    content = _tree(tmp_path)
    code, err = run(capsys, *argv, "--content", content)
    assert code == 2, err
    assert says in err and "Traceback" not in err


def test_an_output_is_never_an_input_nor_inside_the_content(tmp_path, capsys):
    content = _tree(tmp_path)
    en = content / "testland" / "en.yaml"
    before = en.read_bytes()
    for target in (en, content / "testland" / "data.json", content / "publisher.yaml",
                   tmp_path):
        code, err = run(capsys, "export", "testland", "--content", content, "-o", target)
        assert code == 2 and "will not write" in err, (target, err)
    assert en.read_bytes() == before and not (content / "testland" / "data.json").exists()
    assert not (content / "publisher.yaml").exists()


def test_an_export_reads_each_file_once(tmp_path, capsys, monkeypatch):
    counts: Counter = Counter()
    original = yamlsource.read_yaml

    def counting(path, *args, **kwargs):
        counts[f"{Path(path).parent.name}/{Path(path).name}"] += 1
        return original(path, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("mgi_report") and getattr(module, "read_yaml", None) is original:
            monkeypatch.setattr(module, "read_yaml", counting)
    content = _tree(tmp_path, followup=True)
    _export(capsys, "testland", "--content", content, "--lang", "de")
    assert counts == {"testland/profile.yaml": 1, "testland/de.yaml": 1}
    counts.clear()
    _export(capsys, "testland-2", "--content", content)  # and the baseline, as a build reads it
    exported = dict(counts)
    counts.clear()
    from mgi_report.content import baseline, tree
    from mgi_report.editions.attachments import embedded

    loaded = tree.load_country(content, "testland-2", ("en",))
    assert baseline.load(loaded.profile, "en", content, embedded) is not None
    assert exported == {**counts, "testland-2/en.yaml": 1}
    assert exported["testland-2/profile.yaml"] == exported["testland/en.yaml"] == 1
    counts.clear()
    _export(capsys, "--all", "--gcm", "--content", content)
    assert set(counts.values()) == {1} and len(counts) == 5


def test_build_all_writes_the_data_beside_the_pdfs_incrementally(tmp_path, capsys,
                                                                 cache_dir, monkeypatch):
    """A second run writes nothing; an edited finding rewrites that language's
    data (and PDF) only."""
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    content = _tree(tmp_path)
    out = tmp_path / "out"
    argv = ("build", "--all", "--content", content, "--out", out, "--edition", "screen",
            "--jobs", "1")
    code, err = run(capsys, *argv)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "testland-de.json", "testland-de.pdf", "testland-en.json", "testland-en.pdf"]
    recorded = json.loads((out / ".mgi-report-manifest.json").read_text())["outputs"]
    assert recorded["testland-de.json"]["profile"] == "testland/de"
    data = json.loads((out / "testland-de.json").read_bytes())
    assert _export(capsys, "testland", "--lang", "de", "--content", content) == data
    times = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    code, err = run(capsys, *argv)
    assert code == 0 and "0 built, 4 skipped" in err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == times

    de = content / "testland" / "de.yaml"
    de.write_text(de.read_text().replace("Ein Rat besteht.", "Ein Rat tagt."))
    code, err = run(capsys, *argv)
    assert code == 0 and "2 built, 2 skipped" in err, err
    now = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    changed = {name for name in now if now[name] != times.get(name)}
    assert changed - {".mgi-report-manifest.json"} == {"testland-de.json", "testland-de.pdf"}
    assert _findings(json.loads((out / "testland-de.json").read_bytes()))["d2-wd-1"]["text"] \
        == "Ein Rat tagt."

    (out / "testland-en.json").unlink()  # removed by hand: written again, alone
    code, err = run(capsys, *argv)
    assert code == 0 and "1 built, 3 skipped" in err and "per built PDF" not in err
    assert (out / "testland-en.json").exists()


def test_build_all_data_of_a_bad_profile_fails_with_its_pdf(tmp_path, capsys, monkeypatch,
                                                           cache_dir):
    monkeypatch.setenv("MGI_REPORT_CACHE", str(cache_dir))
    content = make_tree(tmp_path, {"de.yaml": "country: [broken\n"})
    out = tmp_path / "out"
    code, err = run(capsys, "build", "--all", "--content", content, "--out", out,
                    "--edition", "screen", "--jobs", "1", "--lang", "de")
    assert code == 1
    assert "testland-de.json failed" in err and "testland-de.pdf failed" in err
    assert not list(out.glob("testland-de.*"))
