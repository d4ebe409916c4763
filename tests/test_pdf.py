"""The German and English profiles, read back from the PDF as a reader sees them."""

from __future__ import annotations

import re

import pikepdf
import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from mgi_report.content.domains import DOMAINS
from mgi_report.text.i18n import catalog_path
from pdfread import flat, fonts, outline, page_texts, text

A4 = (595.28, 841.89)  # 210 x 297 mm in points, to 0.01 pt


def catalog(lang: str) -> dict[str, str]:
    with open(catalog_path(lang), "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


@pytest.fixture(scope="module")
def de(built):
    return built("kazakhstan", "de")


@pytest.fixture(scope="module")
def en(built):
    return built("kazakhstan", "en")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_is_a4_and_every_chapter_is_printed(built, lang):
    reader = PdfReader(built("kazakhstan", lang))
    # cover, imprint, contents, the chapters (which run on where a third of a
    # page is left: issue 21), back cover
    assert 14 <= len(reader.pages) <= 22
    texts = [flat(p) for p in page_texts(built("kazakhstan", lang))]  # each page's extract_text
    tr = catalog(lang)
    assert texts[3].startswith(tr.get("Objectives") or "Objectives")  # after the contents
    for msgid in ["Conceptual framework", "How the MGI assessment is conducted",
                  "Key sources", "List of acronyms"]:
        assert [t for t in texts[4:] if (tr.get(msgid) or msgid) in t], msgid
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4


def test_german_text_has_german_headings_and_domain_names(de):
    t = flat(text(de))
    tr = catalog("de")
    for msgid in ["Contents", "Introduction", "Key findings", "Well-developed areas",
                  "Areas with potential for further development",
                  "Migration Governance Profile"]:
        assert tr[msgid] in t, msgid
    for d in DOMAINS:
        assert tr[d.short_name] in t, d.short_name
        assert tr[d.description][:60] in t
    assert "Republik Kasachstan" in t
    assert "Mai 2018" in t
    assert "von" not in re.findall(r"Seite \d+ (\w+)", t)  # folios are numbers alone
    assert "nichtamtliche Übersetzung" in t


def test_german_pdf_contains_no_english_layout_text(de):
    t = flat(text(de))
    german = " ".join(catalog("de").values())
    leaks = [s for s in catalog("en").values()
             if len(s) >= 6 and s not in german and s in t]
    assert not leaks


def test_seed_errors_are_corrected(de, en):
    t = flat(text(en))
    assert "do not have access" in t and "do now have" not in t
    assert "rotational basis" in t and "rotational bases" not in t
    assert "ethnic Kazakhs" in t and "Kazaks" not in t
    assert "participant in the Global Forum" in t
    assert "Commonwealth of Independent States" in t
    assert "Migration for Employment Convention (Revised), 1949 (No. 97)" in t
    assert "Migrant Workers (Supplementary Provisions) Convention, 1975 (No. 143)" in t
    g = flat(text(de))
    assert "main." not in g and "nichstaatlichen" not in g
    assert "sowohl vor, während als auch nach Katastrophen" in g
    assert "wie für Bürgerinnen und Bürger" in g
    assert "Staatsbürgerinnen und -bürger" in g
    assert "2018 Mai" not in g


@pytest.mark.parametrize("lang,word", [("de", "Dimension"), ("en", "Domain")])
def test_domains_numbered_one_to_six_in_order(built, lang, word):
    pages = [flat(p) for p in page_texts(built("kazakhstan", lang))]
    tr = catalog(lang)
    # The domain's band prints "DOMAIN N" in capitals above its long name.
    bands = [re.findall(rf"\b{word.upper()} (\d)\b", p) for p in pages]
    assert [int(n) for b in bands for n in b] == [1, 2, 3, 4, 5, 6]
    for n, d in enumerate(DOMAINS, 1):
        page = next(p for p, b in zip(pages, bands) if str(n) in b)
        assert tr[d.long_name] in page
        assert tr[d.description][:50] in page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_only_shipped_fonts_all_embedded(built, lang):
    used = fonts(built("kazakhstan", lang))
    assert used
    for name, embedded in used.items():
        base = name.lstrip("/").split("+", 1)[-1]
        assert base.startswith("Noto"), name
        assert embedded, name


def test_metadata(de):
    with pikepdf.open(de) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Profil der Migrationspolitik: Republik Kasachstan"
        assert "Internationale Organisation für Migration" in str(info["/Author"])
        assert "Mai 2018" in str(info["/Subject"])
        assert "Kasachstan" in str(info["/Keywords"])
        assert str(info["/CreationDate"]).startswith("D:20180501")
        assert str(info["/ModDate"]).startswith("D:20180501")
        assert str(pdf.Root.Lang) == "de"


def test_bookmarks_follow_the_sections(de):
    marks = outline(de)
    titles = [t for _, t in marks]
    tr = catalog("de")
    chapters = [tr[m] for m in ("Objectives", "Introduction", "Conceptual framework",
                                "How the MGI assessment is conducted", "Key findings",
                                "Key sources", "List of acronyms")]
    assert [t for level, t in marks if level == 1 and t in chapters] == chapters
    domain_titles = [t for t in titles if re.match(r"^\d\. ", t)]
    assert [t[0] for t in domain_titles] == list("123456")
    assert domain_titles[0] == "1. Die Rechte der Migrantinnen und Migranten"


def test_contents_page_numbers_point_at_the_sections(de):
    pages = page_texts(de)
    contents = flat(pages[2])
    assert contents.startswith("Inhalt")
    for d, name in zip(DOMAINS, [catalog("de")[d.long_name] for d in DOMAINS]):  # as headed
        m = re.search(re.escape(name) + r"[ .]*?(\d+)", contents)
        assert m, name
        target = int(m[1]) - 1
        assert catalog("de")[d.long_name] in flat(pages[target])


def test_running_header_names_the_current_domain(de):
    """On the domain's pages after its opening page (which has no running
    head: issue 21), the header names the domain and the profile."""
    pages = [flat(p) for p in page_texts(de)]
    opening = next(n for n, p in enumerate(pages) if catalog("de")[DOMAINS[2].description][:60] in p)
    assert "Dimension 3: Partnerschaften" not in pages[opening]
    assert "Profil der Migrationspolitik: Republik Kasachstan" not in pages[opening]
    assert "Dimension 3: Partnerschaften" in pages[opening + 1]
    assert "Profil der Migrationspolitik: Republik Kasachstan" in pages[opening + 1]


def test_same_input_gives_identical_bytes(built, pdf_dir, cache_dir):
    from mgi_report import Request, build
    from mgi_report.resources import DEFAULT_CONTENT

    again = build(Request("kazakhstan", "de", DEFAULT_CONTENT, pdf_dir / "again.pdf",
                          cache=cache_dir))
    assert again.read_bytes() == built("kazakhstan", "de").read_bytes()


def test_draft_puts_a_translated_watermark_on_every_page(content_copy, tmp_path, cache_dir):
    from mgi_report import Request, build

    de_yaml = content_copy / "kazakhstan" / "de.yaml"
    de_yaml.write_text(de_yaml.read_text().replace("translation_of: en",
                                                   "translation_of: en\ndraft: true"))
    pdf = build(Request("kazakhstan", "de", content_copy, tmp_path / "d.pdf", cache=cache_dir))
    for page in page_texts(pdf):
        assert "ENTWURF" in page
