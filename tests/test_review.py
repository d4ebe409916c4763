"""Translation review (issue 13, first part): `check` and a translation's build
say where a translation is incomplete, untranslated or in another language."""

from __future__ import annotations

import re

import yaml

from mgi_report.cli import main
from mgi_report.review import other_language

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
