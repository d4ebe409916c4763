"""A finding's GCM objectives and identifier (issue 23): the mapping form beside
the plain text, every bad value a located error in `check` and in `build`, the
identifiers by place, the translation review and the changes between versions.
"""

from __future__ import annotations

import pytest

from mgi_report.content import changes, walk
from mgi_report.content.tree import load_country
from mgitree import DE, LANG, assert_only_located, build, located_lines, make_tree, run

#: LANG with its first two findings tagged (the same line numbers below line 7).
TAGGED = LANG.replace(
    "      - Migrants have access to primary education.\n",
    "      - text: Migrants have access to primary education.\n"
    "        gcm: [15, 16]\n"
    "        id: primary-education\n").replace(
    "      - There is no *national* strategy yet.\n",
    "      - text: There is no *national* strategy yet.\n"
    "        gcm: 23\n")
DE_TAGGED = DE.replace(
    "      - Migranten haben Zugang zur Grundschulbildung.\n",
    "      - text: Migranten haben Zugang zur Grundschulbildung.\n"
    "        gcm: [15, 16]\n"
    "        id: primary-education\n").replace(
    "      - Es gibt noch keine *nationale* Strategie.\n",
    "      - text: Es gibt noch keine *nationale* Strategie.\n"
    "        gcm: 23\n")


def test_a_tagged_finding_reads_with_its_objectives_and_identifiers(tmp_path):
    content = make_tree(tmp_path, {"en.yaml": TAGGED, "de.yaml": DE_TAGGED})
    loaded = load_country(content, "testland")
    en = {f.id: f for f in walk.findings(loaded.files["en"])}
    assert en["primary-education"].gcm == (15, 16)
    assert en["primary-education"].text == "Migrants have access to primary education."
    assert en["d1-pa-1"].gcm == (23,)  # one number is a list of one
    assert en["d2-wd-1"].gcm == () and en["d2-wd-1"].text == "A council exists."
    # the same identifiers in the translation, place by place
    de = [f.id for f in walk.findings(loaded.files["de"])]
    assert de == list(en)
    assert walk.tagged(loaded.files["en"])
    plain = load_country(make_tree(tmp_path / "plain"), "testland")
    assert not walk.tagged(plain.files["en"])


def test_identifiers_by_place_in_areas_and_lists(tmp_path):
    text = LANG.replace(
        "  wellbeing:\n    well_developed: [Diplomas are recognised.]\n    potential: []\n",
        "  wellbeing:\n    areas:\n      - title: Labour\n        findings: [A, B]\n"
        "      - title: Students\n        findings:\n          - C\n          - text: D\n"
        "            gcm: [18]\n")
    loaded = load_country(make_tree(tmp_path, {"en.yaml": text,
                                               "de.yaml": text.replace(
                                                   "short_name: Testland",
                                                   "short_name: Testland\ntranslation_of: en")}),
                          "testland")
    ids = {f.id: (f.text, f.gcm, f.area_title) for f in walk.findings(loaded.files["en"])}
    assert ids["d4-a1-2"] == ("B", (), "Labour")
    assert ids["d4-a2-2"] == ("D", (18,), "Students")
    assert ids["d1-wd-1"][0] == "Migrants have access to primary education."


BAD = [
    ("        gcm: [0]\n", "`0` is no GCM objective"),
    ("        gcm: [24]\n", "`24` is no GCM objective"),
    ("        gcm: [five]\n", "`five` is no GCM objective"),
    ("        gcm: five\n", "`five` is no GCM objective"),
    ("        gcm: [\"5\"]\n", "`5` is no GCM objective"),
    ("        gcm: [05]\n", "`05` is no GCM objective"),
    ("        gcm: [5, 5]\n", "objective 5 is named twice"),
    ("        gcm: []\n", "is an empty list"),
    ("        gcm: {a: 1}\n", "must be a list"),
    ("        id: Labour_Permits\n", "an identifier is lower-case letters"),
    ("        id: d3-wd-1\n", "the form of an identifier by place"),
    ("        colour: red\n", "unknown key `colour`"),
]


@pytest.mark.parametrize("line, message", BAD, ids=[m for _, m in BAD])
def test_every_bad_tag_is_located_in_check_and_in_build(line, message, tmp_path, capsys):
    text = LANG.replace("      - Migrants have access to primary education.\n",
                        "      - text: Migrants have access to primary education.\n" + line)
    content = make_tree(tmp_path, {"en.yaml": text})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    located = located_lines(err)
    assert any(l.startswith("content/testland/en.yaml:7:") or ":7:" in l for l in located), err
    assert message in err
    code, err, out = build(capsys, tmp_path, {"en.yaml": text})
    assert code == 1 and message in err and not out.exists()
    assert_only_located(err)


def test_a_finding_mapping_without_text_and_a_duplicate_id_are_located(tmp_path, capsys):
    text = LANG.replace(
        "      - Migrants have access to primary education.\n",
        "      - text: Migrants have access to primary education.\n"
        "        id: same\n").replace(
        "    well_developed: [A council exists.]\n",
        "    well_developed:\n      - text: A council exists.\n        id: same\n"
        "      - gcm: [3]\n")
    content = make_tree(tmp_path, {"en.yaml": text})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    lines = located_lines(err)
    assert any(":13:13:" in l and "`same` is used twice (first on line 7)" in l for l in lines), err
    assert any(":14:9:" in l and "missing key `text`" in l for l in lines), err


def test_a_translation_that_changes_its_sources_tags_is_warned_at_the_entry(tmp_path, capsys):
    de = DE_TAGGED.replace("        gcm: [15, 16]\n        id: primary-education\n",
                           "        gcm: [15]\n        id: grundschule\n")
    content = make_tree(tmp_path, {"en.yaml": TAGGED, "de.yaml": de})
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    warned = [l for l in err.splitlines() if "de.yaml:" in l]
    assert any("de.yaml:7:" in l and "names GCM objectives 15" in l
               and "en.yaml:6) names GCM objectives 15, 16" in l for l in warned), err
    assert any("de.yaml:7:" in l and "has the id `grundschule`" in l
               and "`primary-education`" in l for l in warned), err
    # a translation that leaves the tags out is warned too (it prints no marker)
    content = make_tree(tmp_path / "b", {"en.yaml": TAGGED})
    code, err = run(capsys, "check", "--content", content)
    assert "names no GCM objective; the source (en.yaml:6) names GCM objectives 15, 16" in err
    # and the same tags are no warning
    content = make_tree(tmp_path / "c", {"en.yaml": TAGGED, "de.yaml": DE_TAGGED})
    code, err = run(capsys, "check", "--content", content)
    assert "GCM" not in err and "keeps its source" not in err


def test_a_changed_tag_is_a_change_and_restales_a_stamp(tmp_path):
    before = load_country(make_tree(tmp_path / "a", {"en.yaml": TAGGED}), "testland")
    after_text = TAGGED.replace("        gcm: [15, 16]\n", "        gcm: [15, 16, 17]\n")
    after = load_country(make_tree(tmp_path / "b", {"en.yaml": after_text}), "testland")
    found = changes.compare(before.files["en"], after.files["en"])
    assert len(found) == 1
    change = found[0]
    assert (change.where, change.entry, change.kind) == ("migrants_rights.well_developed", 1,
                                                         "changed")
    assert change.retagged_only
    assert change.describe() == ("migrants_rights.well_developed, entry 1, tags changed: "
                                 "GCM 15, 16; id primary-education -> GCM 15, 16, 17; "
                                 "id primary-education")
    assert walk.findings_hash(before.files["en"]) != walk.findings_hash(after.files["en"])
    # a file without tags hashes as it always did: the plain form of the same texts
    plain = load_country(make_tree(tmp_path / "c"), "testland")
    untagged = TAGGED.replace("        gcm: [15, 16]\n        id: primary-education\n", "") \
        .replace("        gcm: 23\n", "")
    mapped = load_country(make_tree(tmp_path / "d", {"en.yaml": untagged}), "testland")
    assert walk.findings_hash(plain.files["en"]) == walk.findings_hash(mapped.files["en"])
    assert changes.compare(plain.files["en"], mapped.files["en"]) == []
