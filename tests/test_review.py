"""Translation review (issue 13, first part): `check` and a translation's build
say where a translation is incomplete, untranslated or in another language."""

from __future__ import annotations

import re

import yaml

from mgi_report.cli import main
from mgi_report.workbench.translation import other_language

FRENCH = {
    "migrants_rights": {
        "well_developed": [
            "Les immigrants ont un accès garanti à l'enseignement préscolaire, primaire et "
            "secondaire dans les établissements publics.",
            "Il existe un cadre favorable à l'obtention d'une résidence de longue durée.",
        ],
        "potential": [],  # one list emptied
    },
}


def _half_copied_french(content) -> str:
    """fr.yaml made from en.yaml as a hurried translator makes it: two domains
    translated in part (a list emptied, findings missing), the rest copied."""
    folder = content / "kazakhstan"
    en = yaml.safe_load((folder / "en.yaml").read_text())
    fr = dict(en, country="République du Kazakhstan", short_name="Kazakhstan",
              translation_of="en")
    fr["domains"] = dict(en["domains"], **FRENCH)
    # an English finding reworded but not translated: no longer identical
    wog = dict(en["domains"]["whole_of_government"])
    wog["potential"] = ["Policy coherence between the different government entities "
                        "could be strengthened considerably in the coming years."] + \
        wog["potential"][1:]
    fr["domains"]["whole_of_government"] = wog
    text = yaml.safe_dump(fr, allow_unicode=True, sort_keys=False, width=1000)
    (folder / "fr.yaml").write_text(text)
    return text


def test_the_shipped_translations_give_no_review_warning(capsys):
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert "not in `" not in err and "not translated" not in err and "entries;" not in err


def test_a_half_copied_translation_is_caught_by_check(content_copy, capsys):
    text = _half_copied_french(content_copy)
    assert main(["check", "--content", str(content_copy)]) == 0  # warnings only
    err = capsys.readouterr().err
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if fragment in line)

    fr = "kazakhstan/fr.yaml"
    # the lists: located, both counts named
    assert re.search(rf"{fr}:{line_of('well_developed:')}:\d+: `migrants_rights.well_developed` "
                     r"has 2 entries; the source \(en.yaml\) has 5", err)
    assert re.search(rf"{fr}:{line_of('potential: []')}:\d+: `migrants_rights.potential` "
                     r"has 0 entries; the source \(en.yaml\) has 3", err)
    # copied findings: located at the entry, the source's line named
    copied = line_of("Kazakhstan has a set of government structures")
    assert re.search(rf"{fr}:{copied}:\d+: entry 1 of `whole_of_government.well_developed` "
                     r"is the source's text as it is \(en.yaml:\d+\)", err)
    # the reworded English finding: identified as English
    reworded = line_of("Policy coherence between the different")
    assert re.search(rf"{fr}:{reworded}:\d+: entry 1 of `whole_of_government.potential` is "
                     r"not in `fr`: reads as `en`", err)
    # a text that stands alone, copied
    assert re.search(rf"{fr}:3:\d+: `introduction` is the source's text as it is", err)
    # the French findings pass
    assert f"{fr}:{line_of('Les immigrants')}:" not in err
    # --strict: the same, as failures
    assert main(["check", "--strict", "--content", str(content_copy)]) == 1
    assert "fr.yaml" in capsys.readouterr().err


def test_building_a_translation_warns_of_what_it_can_see_cheaply(content_copy, tmp_path,
                                                                   capsys):
    _half_copied_french(content_copy)
    out = tmp_path / "fr.pdf"
    assert main(["build", "kazakhstan", "--lang", "fr", "--content", str(content_copy),
                 "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert out.exists()
    assert "`migrants_rights.potential` has 0 entries" in err and "(warning)" in err
    assert "is the source's text as it is" in err
    assert "reads as" not in err  # language identification is check's


def test_another_script_is_caught_in_russian_and_arabic():
    english = "Kazakhstan participates in the Global Forum on Migration and Development."
    assert "mostly Latin letters" in other_language(english, "ru", identify=False)
    assert "mostly Latin letters" in other_language(english, "ar", identify=False)
    assert other_language("Казахстан участвует в Глобальном форуме по миграции и "
                          "развитию (GFMD).", "ru", identify=False) is None
    # acronyms, citations and links do not count
    assert other_language("Закон о миграции[^law-2011] (GAFMA, IOM) см. "
                          "[сайт](https://example.org/en/about)", "ru", identify=False) is None


def test_languages_of_one_script_are_told_apart():
    assert other_language("Les migrants ont accès à l'éducation primaire dans tout le pays.",
                          "de", identify=True).startswith("reads as `fr`")
    assert other_language("Migrantinnen und Migranten haben Zugang zur Grundschulbildung "
                          "im ganzen Land.", "de", identify=True) is None
    assert other_language("Short text.", "de", identify=True) is None  # too short to tell


# ------------------------------------------------------ what changed since the stamp

def test_check_names_the_source_findings_changed_since_the_stamp(content_copy, capsys):
    """stamp keeps the source as it was (.stamp-de.yaml); after the source
    changes, check names each finding added, removed or changed, word by word,
    in the document's order, under one warning that says what to do."""
    folder = content_copy / "kazakhstan"
    assert (folder / ".stamp-de.yaml").read_bytes() == (folder / "en.yaml").read_bytes()
    en = folder / "en.yaml"
    text = en.read_text()
    text = text.replace("Migrant workers are not covered by the law",
                        "Migrant workers are still not covered by the law", 1)
    text = text.replace("      - There is a favourable framework for achieving long-term "
                        "residency.\n", "", 1)
    text = text.replace("    potential:\n      - Irregular and undocumented",
                        "    potential:\n      - A national action plan on migrant health "
                        "is being drafted.\n      - Irregular and undocumented", 1)
    en.write_text(text)
    assert main(["check", "--content", str(content_copy)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines()
           if "kazakhstan/de.yaml:5:" in line]
    assert "out of date: 3 change(s) in en.yaml since this translation was stamped" in err[0]
    assert "migrants_rights.well_developed, entry 3 before, removed: There is a favourable " \
        "framework" in err[1]
    assert "migrants_rights.potential, entry 1, added: A national action plan" in err[2]
    assert "migrants_rights.potential, entry 3, changed: Migrant workers are {+still+} not " \
        "covered" in err[3]
    assert len(err) == 4  # the other findings are not named
    # stamped again: up to date, and the copy follows
    assert main(["stamp", "kazakhstan", "--lang", "de", "--content", str(content_copy)]) == 0
    assert (folder / ".stamp-de.yaml").read_text() == text
    capsys.readouterr()
    main(["check", "--content", str(content_copy)])
    assert "de.yaml:5:1: out of date" not in capsys.readouterr().err


def test_word_diff_and_matching_of_findings():
    from mgi_report.content.changes import _pair, word_diff

    assert word_diff("to receive social allowances", "to get social allowances") == [
        ("=", "to"), ("-", "receive"), ("+", "get"), ("=", "social allowances")]
    old = ["Alpha beta gamma delta.", "One two three four five.", "Zeta eta theta."]
    new = ["Alpha beta gamma delta.", "A new finding entirely.", "One two three four six.",
           "Zeta eta theta."]
    found = _pair("x.potential", old, new)
    assert [(c.kind, c.entry) for c in found] == [("added", 2), ("changed", 3)]
    changed = next(c for c in found if c.kind == "changed")
    assert changed.words[-2:] == [("-", "five."), ("+", "six.")]


def test_check_names_a_changed_name_or_acronym_of_the_source(content_copy, capsys):
    """The names and acronyms are in what a translation is stamped with, but not in
    the findings' comparison: check names them rather than "0 change(s)"."""
    en = content_copy / "kazakhstan" / "en.yaml"
    text = en.read_text()
    assert "\nshort_name: Kazakhstan\n" in text and "GAFMA: " in text
    text = text.replace("\nshort_name: Kazakhstan\n", "\nshort_name: Qazaqstan\n", 1)
    en.write_text(re.sub(r"GAFMA: .*", "GAFMA: guaranteed free medical assistance", text,
                         count=1))
    assert main(["check", "--content", str(content_copy)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines()
           if "kazakhstan/de.yaml:5:" in line]
    assert "out of date: 2 change(s) in en.yaml since this translation was stamped" in err[0]
    assert "en.yaml changed: short_name, changed: [-Kazakhstan-] {+Qazaqstan+}" in err[1]
    assert "en.yaml changed: acronyms.GAFMA, changed: guaranteed [-amount of-] free " \
        "medical assistance" in err[2]
    assert len(err) == 3
