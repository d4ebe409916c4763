"""Local profiles (issue 22, item 1): `kind: local`, its `level` and, per
language, its `place`.

The example `examples/strelsau` (a fictional city of fictional Ruritania) is
built once per run in English and Arabic, all three editions from one layout
(conftest ``built``), and read back: the title (PDF metadata, XMP), the cover,
the running heads, the imprint's title and citation, the local texts of the
catalogs (objectives, introduction, domain descriptions); the editions are
judged as test_conformance judges the others. Every bad value of the new keys
is a located error, all in one run, in `check` and `build`; `new --local`
starts a valid local profile and `stats` names the kind.
"""

from __future__ import annotations

import json

import pikepdf
import pytest
from pypdf import PdfReader

from mgi_report.cli import main
from mgi_report.compose import local
from mgi_report.resources import ROOT
from mgi_report.text.i18n import translations
from mgitree import LANG, PROFILE, assert_only_located, located_lines, make_tree, run
from pdfread import flat, page_texts
from test_conformance import BY_DESIGN, VALIDATED, _mutool, _qpdf, failures

EXAMPLES = ROOT / "examples"
EDITIONS = ("screen", "archive", "print")
PLACE = {"en": "Strelsau (a fictional example)", "ar": "ستريلساو (مثال خيالي)"}
COUNTRY = {"en": "Republic of Ruritania (a fictional example)",
           "ar": "جمهورية روريتانيا (مثال خيالي)"}


def title(lang: str) -> str:
    """What the title of the Strelsau profile must say, from the catalogs."""
    _ = translations(lang).gettext
    return _("%(label)s: %(value)s") % {
        "label": _("Migration Governance Profile"),
        "value": _("City of %(place)s") % {"place": PLACE[lang]}}


@pytest.fixture(scope="module")
def strelsau(built):
    """lang -> {edition: path}: the example built once per run."""
    return lambda lang: built.editions("strelsau", lang, content=EXAMPLES)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_title_and_metadata_name_the_city_in_every_edition(strelsau, lang):
    for edition, path in strelsau(lang).items():
        reader = PdfReader(path)
        assert reader.metadata.title == title(lang), edition
        assert reader.metadata.subject.startswith(title(lang)), edition
        assert PLACE[lang] in reader.metadata["/Keywords"], edition
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            if "dc:title" in meta:
                assert title(lang) in str(meta["dc:title"]), edition


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_cover_imprint_running_heads_and_back_say_what_the_place_is(strelsau, lang):
    _ = translations(lang).gettext
    city = _("City of %(place)s") % {"place": PLACE[lang]}
    for edition, path in strelsau(lang).items():
        pages = [flat(t) for t in page_texts(path)]
        words = city.replace("(", " ").replace(")", " ").split()
        assert all(w in pages[0] for w in words), (edition, pages[0])  # the cover
        assert all(w in pages[0] for w in COUNTRY[lang].replace("(", " ")
                   .replace(")", " ").split()), edition  # and its country, under it
        # (pypdf gives Arabic's parentheses mirrored: compare up to them)
        named = title(lang).split(" (")[0]  # "…: City of Strelsau"
        assert named in pages[1], edition  # the imprint: title, citation
        inner = [n for n, page in enumerate(pages[2:-1], 3) if named in page]
        assert inner, f"{edition}: no running head names the city"
        assert named in pages[-1], edition  # the back cover
        by_country = _("%(label)s: %(value)s") % {
            "label": _("Migration Governance Profile"), "value": COUNTRY[lang]}
        assert not any(by_country in page for page in pages), edition


def _cover_arabic_sizes(path) -> set[float]:
    """The sizes (points) of the cover's text set in an Arabic face."""
    sizes = set()
    with pikepdf.open(path) as doc:
        page = doc.pages[0]
        fonts = {str(k): str(v.get("/BaseFont")) for k, v in page.Resources.Font.items()}
        size = None
        for operands, op in pikepdf.parse_content_stream(page):
            if str(op) == "Tf":
                arabic = "Arabic" in fonts.get(str(operands[0]), "")
                size = round(float(operands[1]) * 0.75, 1) if arabic else None
            elif str(op) == "TJ" and size:
                sizes.add(size)
    return sizes


def test_the_arabic_cover_sets_its_small_lines_up(strelsau):
    """Without capitals and tracking, small Arabic reads a size smaller than its
    Latin: the programme's name (10 pt in Latin), the country under the place
    (14 pt) and the date (13 pt) are set larger, none under 12 pt."""
    sizes = _cover_arabic_sizes(strelsau("ar")["screen"])
    assert {12.0, 17.0, 15.0} <= sizes, sizes
    assert min(sizes) >= 12.0, sizes


def test_local_texts_of_the_catalogs_are_printed(strelsau):
    text = flat(" ".join(page_texts(strelsau("en")["screen"])))
    for sentence in ("New Urban Agenda", "SDG) 11",
                     "The MGI are not a ranking of local governments.",
                     "with the national government as well as other cities",
                     ("This profile presents the results of the assessment for "
                      "Strelsau (a fictional example).")):
        assert sentence in text, sentence
    assert "not a ranking of countries" not in text
    assert "help countries assess" not in text
    assert "about 90" not in text and "about 87 indicators" in text


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "ru", "ar"])
def test_every_catalog_translates_every_level_and_local_text(lang):
    tr = translations(lang)
    for msgid in (*local.LEVEL_TITLES.values(), *local.DESCRIPTIONS.values()):
        said = tr.gettext(msgid)
        assert said and (lang == "en" or said != msgid), (lang, msgid)
    for level in local.LEVEL_TITLES.values():
        assert "%(place)s" in tr.gettext(level)


def test_the_editions_pass_the_validator_qpdf_and_mupdf(strelsau):
    problems = []
    for lang in ("en", "ar"):
        for edition, path in strelsau(lang).items():
            for profile in VALIDATED[edition]:
                allowed = BY_DESIGN.get((edition, profile), set())
                problems += [f"{lang} {edition} {profile}: {f}"
                             for f in failures(path, profile, allowed)]
            problems += [f"{lang} {edition} qpdf: {line}" for line in _qpdf(path)]
            problems += [f"{lang} {edition} mutool: {line}" for line in _mutool(path)]
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------- located errors

LOCAL = "kind: local\nlevel: city\n" + PROFILE
PLACED = LANG.replace("short_name: Testland\n", "short_name: Testland\nplace: Testville\n")


def test_every_bad_value_of_kind_level_and_place_is_located_in_one_run(tmp_path, capsys):
    content = make_tree(tmp_path, {
        "profile.yaml": "kind: locale\nlevel: town\n" + PROFILE,  # lines 1, 2
        "en.yaml": PLACED.replace("place: Testville", "place: [a, list]"),  # line 3
    })
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    lines = located_lines(err)
    assert any(line.startswith(f"{content}/testland/profile.yaml:1:7: `kind` cannot be "
                               "`locale`; did you mean `local`?") for line in lines), err
    assert any(line.startswith(f"{content}/testland/profile.yaml:2:8: `level` cannot be "
                               "`town`") and "city, municipality" in line for line in lines), err
    assert any(line.startswith(f"{content}/testland/en.yaml:3:8: `place` must be text")
               for line in lines), err


def test_a_local_profile_needs_a_level_and_a_place_a_national_one_has_neither(tmp_path,
                                                                               capsys):
    content = make_tree(tmp_path, {"profile.yaml": "kind: local\n" + PROFILE,
                                   "de.yaml": PLACED})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1 and "profile.yaml:1:7: a local profile needs `level:`" in err
    content = make_tree(tmp_path / "b", {"profile.yaml": LOCAL})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert_only_located(err)
    assert "en.yaml:1:1: missing key `place` in en.yaml: a local profile" in err
    assert "de.yaml:1:1: missing key `place` in de.yaml" in err
    content = make_tree(tmp_path / "c", {"profile.yaml": "level: city\n" + PROFILE,
                                         "en.yaml": PLACED})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert "profile.yaml:1:1: `level` is for a local profile only" in err
    assert "en.yaml:3:1: `place` is for a local profile" in err  # in the same run
    content = make_tree(tmp_path / "d", {"en.yaml": PLACED, "de.yaml": PLACED})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert "en.yaml:3:1: `place` is for a local profile" in err
    assert "de.yaml:3:1: `place` is for a local profile" in err
    # build reports the same, located, and writes nothing
    code, err = run(capsys, "build", "testland", "--lang", "en", "--content", content,
                    "-o", tmp_path / "out.pdf")
    assert code == 1 and not (tmp_path / "out.pdf").exists()
    assert "en.yaml:3:1: `place` is for a local profile" in err


def test_a_place_too_long_for_the_cover_is_located(tmp_path, capsys):
    content = make_tree(tmp_path, {"profile.yaml": LOCAL, "de.yaml": PLACED,
                                   "en.yaml": PLACED.replace("Testville", "Testville " * 40)})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1 and "en.yaml:3:8: `place`" in err and "cover" in err


# ----------------------------------------------------------- new and stats

def test_new_local_starts_a_valid_local_profile_and_stats_names_its_kind(tmp_path, capsys):
    content = tmp_path / "content"
    code, err = run(capsys, "new", "zenda", "--iso3", "XRU", "--lang", "en", "--local",
                    "--level", "municipality", "--content", content,
                    "--published", "2026-01")
    assert code == 0, err
    profile = (content / "zenda" / "profile.yaml").read_text()
    assert "kind: local" in profile and "level: municipality" in profile
    assert 'place: "Zenda"' in (content / "zenda" / "en.yaml").read_text()
    code, err = run(capsys, "check", "--content", content)
    assert code == 0, err
    assert main(["stats", "--json", "--content", str(content)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["level"]) for r in rows] == [("local", "municipality")]
    assert main(["stats", "--content", str(EXAMPLES)]) == 0
    table = capsys.readouterr().out.splitlines()
    kind = table[0].index("kind")  # the column, by where its head starts
    assert {r.split()[0]: r[kind:].split()[0] for r in table[1:]} == {
        "ruritania": "national", "ruritania-2": "national", "strelsau": "local/city"}
    code, err = run(capsys, "new", "zenda2", "--iso3", "XRU", "--lang", "en",
                    "--level", "city", "--content", content)
    assert code == 2 and "--local" in err
    code, err = run(capsys, "new", "zenda3", "--iso3", "XRU", "--lang", "en", "--local",
                    "--level", "town", "--content", content)
    assert code == 2 and "city, municipality" in err


# ------------------------------------------------------------ French elision

def test_a_french_level_title_elides_de_before_a_vowel(tmp_path, capsys):
    """"Ville d’Anvers", not "Ville de Anvers": in the PDF's title, cover and
    imprint, as `new --local` starts the profile and `build` prints it."""
    content = tmp_path / "content"
    code, err = run(capsys, "new", "anvers", "--iso3", "BEL", "--lang", "fr", "--local",
                    "--level", "city", "--content", content, "--published", "2026-01")
    assert code == 0, err
    pdf = tmp_path / "anvers-fr.pdf"
    code, err = run(capsys, "build", "anvers", "--lang", "fr", "--content", content,
                    "-o", pdf)
    assert code == 0, err
    _ = translations("fr").gettext
    title = _("%(label)s: %(value)s") % {"label": _("Migration Governance Profile"),
                                         "value": "Ville d’Anvers"}
    assert PdfReader(pdf).metadata.title == title
    text = flat(" ".join(page_texts(pdf)))
    assert "Ville d’Anvers" in text and "Ville de Anvers" not in text


@pytest.mark.parametrize("lang,level,place,expected", [
    ("fr", "province", "Ontario", "Province d’Ontario"),
    ("fr", "region", "Île-de-France", "Région d’Île-de-France"),
    ("fr", "city", "Yverdon", "Ville d’Yverdon"),
    ("fr", "city", "Yaoundé", "Ville de Yaoundé"),  # a y before a vowel is a consonant
    ("fr", "city", "Ávila", "Ville d’Ávila"),  # a vowel whatever its accent
    ("fr", "region", "Østfold", "Région d’Østfold"),
    ("fr", "city", "Hambourg", "Ville de Hambourg"),  # h: mute or not, the letters do not say
    ("fr", "city", "Zenda", "Ville de Zenda"),
    ("es", "city", "Amberes", "Ciudad de Amberes"),  # Spanish does not elide
    ("en", "city", "Antwerp", "City of Antwerp"),
])
def test_level_titles_elide_as_the_language_does(lang, level, place, expected):
    class Profile:
        kind = "local"

    class Doc:
        country = "Royaume de Belgique"

    Profile.level, Doc.place = level, place
    assert local.title_name(Profile, Doc, translations(lang).gettext, lang) == expected
