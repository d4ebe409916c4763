"""Publication facts from the content (content/publication.py, compose/imprint.py):
funders, the research partner and its disclaimer, the methodology, the cover
photo and its credit, the publisher's block, acknowledgements; series-wide in
the content root's publisher.yaml, overridden by profile.yaml; read back from
the PDFs of every edition, and every bad value located, all in one run."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from PIL import Image

from mgi_report import Request, prepare
from mgi_report.compose.profile import compose
from mgi_report.resources import ROOT
from mgitree import LANG, PROFILE, located_lines, make_tree, run
from pdfread import flat, page_texts

EXAMPLES = ROOT / "examples"
PHOTO = (2700, 1450)  # examples/ruritania/cover.jpg's size


def imprint(pdf) -> str:
    """The imprint page's text (the page with the required citation), flattened."""
    texts = page_texts(pdf)
    return flat(next(t for t in texts[:4] if "ISBN" in t or "KAZ" in t or "XRU" in t))


def cover_images(pdf) -> list[tuple[int, int]]:
    with pikepdf.open(pdf) as doc:
        return [(int(im.Width), int(im.Height))
                for im in doc.pages[0].get_images().values()] if hasattr(
            doc.pages[0], "get_images") else [(int(im.Width), int(im.Height))
                                              for im in doc.pages[0].images.values()]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_kazakhstan_states_only_what_its_content_gives(built, lang):
    """The seed's facts (the EIU's support, Sweden's funding) and IOM's block from
    content/publisher.yaml; no disclaimer, methodology, photo or credit invented."""
    for edition, pdf in built.editions("kazakhstan", lang).items():
        text = imprint(pdf)
        if lang == "en":
            assert ("implemented with the support of the Economist Intelligence Unit. "
                    "Funding is provided by the Government of Sweden.") in text, edition
            assert "does not accept any responsibility" not in text
            assert "methodology" not in text and "Cover photo" not in text
            assert "IOM is committed to the principle that humane and orderly" in text
        else:
            assert "حكومة السويد" in text and "الإيكونوميست" in text, edition
            assert "مسؤولية أو تبعة" not in text and "صورة الغلاف" not in text
        place = ("1211 Geneva 19", "Switzerland") if lang == "en" else ("جنيف", "سويسرا")
        for fact in ("17 route des Morillons", *place, "+41 22 717 9111", "hq@iom.int",
                     "www.iom.int"):
            assert fact in text, (edition, fact)
        assert PHOTO not in cover_images(pdf)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_ruritania_prints_every_fact(built, lang):
    """The example: the series' facts (examples/publisher.yaml) with the profile's
    own funders and number of indicators, the photo on the cover, the credit and
    the acknowledgements; in Arabic as the language file's `fact_names` gives them."""
    for edition, pdf in built.editions("ruritania", lang, content=EXAMPLES).items():
        text = imprint(pdf)
        if lang == "en":
            assert ("implemented with the support of the Ruritanian Bureau of Policy "
                    "Research (fictional). Funding is provided by the Ruritanian Fund for "
                    "Migration Research (fictional) and the Government of Graustark "
                    "(fictional).") in text, edition
            assert "version 2.1 of the MGI methodology (number of indicators: 92)." in text
            assert ("The Ruritanian Bureau of Policy Research (fictional) does not accept "
                    "any responsibility") in text
            assert "Drawing: an invented Ruritanian landscape, made for this example (fictional)" in text
            assert "Strelsau Institute for Migration Studies (fictional)" in text
            thanks = "Acknowledgements This example profile thanks people"
        else:
            for words in ("لبحوث السياسات", "غراوستارك", "عدد المؤشرات", "مسؤولية أو تبعة",
                          "صورة الغلاف", "معهد ستريلساو", "متخيَّل"):
                assert words in text, (edition, words)
            thanks = "شكر وتقدير"
        for fact in ("12 Königstrasse", "1001 Strelsau", "+999 1 234 5678",
                     "publications@example.org", "www.example.org"):
            assert fact in text, (edition, fact)
        assert thanks in flat(page_texts(pdf)[2])
        assert PHOTO in cover_images(pdf), edition


SERIES = """\
publisher:
  name: Series Publisher
  address: [1 Series Street, 1000 Series Town]
  email: series@example.org
funders: [the Series Funder]
methodology: {version: "3.0", indicators: 87}
research_partner: {name: the Series Partner, disclaimer: true}
"""


def composed(tmp_path, cache_dir, profile: str, series: str | None = None,
             lang_file: str = LANG) -> str:
    content = make_tree(tmp_path, {"profile.yaml": profile, "en.yaml": lang_file})
    if series is not None:
        (content / "publisher.yaml").write_text(series, encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", compose(prepare(
        Request("testland", "en", content, cache=cache_dir)))).split())


def test_a_profile_without_facts_prints_no_funder_sentence(tmp_path, cache_dir):
    html = composed(tmp_path, cache_dir, PROFILE)
    assert "Funding is provided" not in html and "implemented with the support" not in html
    assert "does not accept any responsibility" not in html and "methodology" not in html
    assert ("policy-benchmarking programme led by the International Organization for "
            "Migration (IOM).") in html
    assert "Geneva" in html  # IOM's citation, as before


def test_profile_yaml_overrides_publisher_yaml_key_by_key(tmp_path, cache_dir):
    html = composed(tmp_path, cache_dir, PROFILE + (
        "funders: [the Own Funder, the Second Funder]\n"
        "publisher: {name: Own Publisher}\n"
        "methodology: {indicators: 90}\n"
        "research_partner: null\n"), SERIES)
    assert "Funding is provided by the Own Funder and the Second Funder." in html
    assert "Series Funder" not in html and "Series Partner" not in html
    assert "Own Publisher 1 Series Street 1000 Series Town Email: series@example.org" in html
    assert "version 3.0 of the MGI methodology (number of indicators: 90)." in html
    series_only = composed(tmp_path / "b", cache_dir, PROFILE, SERIES)
    assert "implemented with the support of the Series Partner. Funding is provided by " \
        "the Series Funder. This profile applies version 3.0" in series_only
    assert "The Series Partner does not accept any responsibility" in series_only


def test_every_bad_fact_is_located_in_one_run(tmp_path, capsys):
    bad_png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bad_png, "PNG")
    series = ("publisher:\n  name: A Publisher\n  email: not-an-address\n"
              "  telephone: call us\n  website: ftp:/nowhere\n  fax: 1\n"
              "funders: {a: b}\nmethodology: {version: [1], indicators: many}\n"
              "cover_photo: {file: a.jpg, credit: x}\n")
    profile = PROFILE + ("research_partner: {disclaimer: true}\n"
                         "cover_photo: {file: missing.jpg}\n"
                         "methodology: {version: \"2.0\", indicators: 0}\n"
                         "funders: [the Funder, 3]\n"
                         "publisher: {address: [a street]}\n")
    lang = LANG + "acknowledgements: [a list]\nfact_names: [a list]\n"
    content = make_tree(tmp_path, {"profile.yaml": profile, "en.yaml": lang,
                                   "photo.gif": bad_png.getvalue()})
    (content / "publisher.yaml").write_text(series, encoding="utf-8")
    expected = [
        "publisher.yaml:3:10: `publisher.email` must be an e-mail address",
        "publisher.yaml:4:14: `publisher.telephone` must be a telephone number",
        "publisher.yaml:5:12: `publisher.website` must be a web address",
        "publisher.yaml:6:3: unknown key `fax` in `publisher`",
        "publisher.yaml:7:10: `funders` must be text, not a mapping",
        "publisher.yaml:8:24: `methodology.version` must be a version",
        "publisher.yaml:8:41: `methodology.indicators` must be a whole number",
        "publisher.yaml:9:1: unknown key `cover_photo` in publisher.yaml",
        "profile.yaml:4:19: missing key `name` in `research_partner`",
        "profile.yaml:5:14: missing key `credit` in `cover_photo`",
        "profile.yaml:5:21: `cover_photo.file` must name a file inside testland/",
        "profile.yaml:6:43: `methodology.indicators` must be a whole number from 1 to 1000",
        "profile.yaml:7:23: entry 2 of `funders` must be text, not a number",
        "en.yaml:",
        "`acknowledgements` must be text, not a list",
        "`fact_names` must be a mapping",
    ]
    for argv in (("check", "--content", content),
                 ("build", "testland", "--lang", "en", "--content", content,
                  "-o", tmp_path / "out.pdf")):
        code, err = run(capsys, *argv)
        assert code == 1, err
        for fragment in expected:
            assert fragment in err, f"{fragment!r} not in:\n{err}"
        assert "Traceback" not in err and not (tmp_path / "out.pdf").exists()
        assert len(located_lines(err)) == len(expected) - 1  # the last two: one file
        assert "missing key `indicators`" not in err  # given, if badly: not missing


def test_a_photo_that_is_no_image_is_located(tmp_path, capsys):
    """A photo named .jpg that is a PNG, and one of a type not accepted."""
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    profile = PROFILE + "cover_photo: {file: photo.jpg, credit: Someone}\n"
    content = make_tree(tmp_path, {"profile.yaml": profile, "photo.jpg": png.getvalue()})
    code, err = run(capsys, "check", "--content", content)
    assert code == 1 and "profile.yaml:4:21: `cover_photo.file` photo.jpg: not a JPEG image" \
        in err, err


def test_facts_too_long_for_the_imprint_are_located(tmp_path, capsys):
    """The imprint is a page of fixed size: each fact fits its room there."""
    long_name = " ".join(["Wwwwwwww"] * 30)
    profile = PROFILE + (f'research_partner: {{name: "{long_name}", disclaimer: true}}\n'
                         f'publisher: {{name: IOM, address: ["{"W" * 80}"]}}\n')
    content = make_tree(tmp_path, {"profile.yaml": profile})
    (content / "publisher.yaml").write_text(
        "publisher:\n  address: |\n    1\n    2\n    3\n    4\n    5\n"
        f'research_partner: {{name: X, disclaimer: "{" ".join(["Wwwwwwww"] * 80)}"}}\n',
        encoding="utf-8")
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    for fragment in ("publisher.yaml:2:12: `publisher.address` has 5 lines; the limit is 4",
                     "publisher.yaml:8:41: `research_partner.disclaimer` is too long for the "
                     "imprint",
                     "profile.yaml:5:33: a line of `publisher.address` is too long for the "
                     "publisher's block",
                     "profile.yaml:4:1: the funders and the research partner are too long for "
                     "the imprint's first paragraph"):
        assert fragment in err, f"{fragment!r} not in:\n{err}"
