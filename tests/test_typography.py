"""Typesetting and prepress read back from the PDFs, as a publication designer
and a prepress operator review them (issue 12): every line of every page in
all six languages and all three editions; hyphenation, non-breaking spaces,
headings, the wheel's names, folios, text near the trim, reversed text,
contrast and the links' structure."""

from __future__ import annotations

import re
from statistics import mean

import pikepdf
import pytest

from conftest import justifying_layouts
from mgi_report.compose import wheel
from mgi_report.content import domains
from mgi_report.content.domains import DOMAINS
from mgi_report.resources import DEFAULT_CONTENT
from mgi_report.text import hyphenate, joins, lines
from mgi_report.text.i18n import translations
from typeset import MM, breaks, hyphen_runs, justified, pages, paragraphs

LANGS = ("en", "de", "fr", "es", "ru", "ar")
EDITIONS = ("screen", "print", "archive")
NAMES = {"en": ("Kazakhstan",), "de": ("Kasachstan",), "ru": ("Казахстан",),
         "fr": ("Kazakhstan",), "es": ("Kazakhstan",), "ar": ()}


@pytest.fixture(scope="module")
def profile(built):
    """The Kazakhstan profile in ``lang`` and ``edition`` (French and Spanish:
    the layout's language with the English findings, as --fallback prints it)."""
    def get(lang: str, edition: str = "screen"):
        fallback = {"fallback": True} if lang in ("fr", "es") else {}
        return built("kazakhstan", lang, edition, **fallback)
    return get


def _letters(s: str) -> str:
    return "".join(c for c in s if c.isalpha())


# ------------------------------------------------------------------ hyphenation
# The shipped layout sets running text ragged and never hyphenates
# (tests/test_grid.py); a layout that justifies hyphenates under the policy
# below (conftest.justified_build: Kazakhstan with running text justified).

@pytest.mark.parametrize("lang", ["en", "de", "ru", "fr"])
def test_hyphenation_as_a_publisher_sets_it(justified_build, lang):
    pdf = justified_build(lang)
    runs = hyphen_runs(pdf)
    assert max((len(r) for r in runs), default=0) <= hyphenate.MAX_RUN, \
        [[line.text[-30:] for line in r] for r in runs if len(r) > hyphenate.MAX_RUN]
    found = breaks(pdf)
    assert len(found) > 10  # the measure sees hyphenation where there is some
    for before, after, line in found:
        head, tail = _letters(before.split("-")[-1]), _letters(after.split("-")[0])
        assert len(head) >= 3 and len(tail) >= 3, (line.page, before, after)
        word = (before + after).lower()
        for name in NAMES[lang]:
            assert name.lower() not in word, (line.page, before, after)


def test_a_justifying_layouts_lines_are_set_again_where_loose(justified_build, tmp_path,
                                                              cache_dir, monkeypatch):
    """The gaps of justified lines (every line of a paragraph but its last),
    in normal spaces, where a layout justifies German: text/lines.py sets
    loose lines again, so the mean and the worst line are tighter than
    WeasyPrint's first-fit lines (the control, the hook's target lifted).
    Neither reaches the issue's 2.0 and 1.35 on this measure (worst 4.0, mean
    1.6 against 1.7): the shipped layout is ragged (tests/test_grid.py)."""
    from mgi_report import Request, build

    set_again = [line.spacing() for line in justified(justified_build("de"))]
    monkeypatch.setattr(lines, "TARGET", 99.0)
    first_fit = [line.spacing() for line in justified(build(Request(
        "kazakhstan", "de", DEFAULT_CONTENT, tmp_path / "de.pdf", cache=cache_dir,
        layouts=(justifying_layouts(tmp_path / "layouts"),))))]
    assert len(set_again) > 30 and len(first_fit) > 30
    assert mean(set_again) < mean(first_fit) and max(set_again) <= max(first_fit)
    assert mean(set_again) < 1.8


def test_without_the_limit_the_measure_sees_longer_runs(tmp_path, cache_dir, monkeypatch):
    """The same German profile with the limit lifted has runs of three and more:
    the test above measures something the hook changes."""
    from mgi_report import Request, build

    monkeypatch.setattr(lines, "MAX_RUN", 99)
    out = build(Request("kazakhstan", "de", DEFAULT_CONTENT, tmp_path / "de.pdf",
                        cache=cache_dir, layouts=(justifying_layouts(tmp_path / "layouts"),)))
    assert max(len(r) for r in hyphen_runs(out)) > 2


def test_the_exceptions_list_and_the_contents_names_are_obeyed(content_copy, tmp_path,
                                                                 cache_dir):
    """A word the content declares in ``names`` is never broken; a word listed in
    locale/<lang>/hyphenation.txt breaks only where the list says."""
    from mgi_report import Request, build

    de = content_copy / "kazakhstan" / "de.yaml"
    de.write_text(de.read_text() + "names:\n  - Migrantinnen\n  - Migrationspolitik\n")
    out = build(Request("kazakhstan", "de", content_copy, tmp_path / "de.pdf", cache=cache_dir,
                        layouts=(justifying_layouts(tmp_path / "layouts"),)))
    plain = breaks(out)
    assert plain
    for before, after, line in plain:
        word = (before + after).lower()
        assert not word.startswith(("migrantinnen", "migrationspolitik")), (before, after)
    listed = hyphenate.policy_for("de", [])
    assert listed.exceptions["zusammenzuarbeiten"] == (2, 5, 8, 10, 12, 15)
    for before, after, _ in plain:
        word = _letters(before + after).lower()
        if word in listed.exceptions:
            assert len(_letters(before)) in listed.exceptions[word]


def test_the_dictionary_keeps_names_whole_and_follows_the_list(tmp_path):
    import pyphen

    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "hyphenation.txt").write_text(
        "# comment\nzu-sam-men-zu-ar-bei-ten\nKasachstan  # never\n")
    policy = hyphenate.policy_for("de", ["Republik Tadschikistan"], locale=tmp_path)
    hyphenate.install()
    from weasyprint.text import line_break
    Dictionary = line_break.pyphen.Pyphen
    assert issubclass(Dictionary, pyphen.Pyphen)
    d = Dictionary(lang="de", left=3, right=3)
    assert d.positions("Tadschikistans")  # no policy: the dictionary's breaks
    with hyphenate.applied(policy):
        assert d.positions("Tadschikistans") == []  # inflected forms too
        assert d.positions("Kasachstan") == []
        assert [int(p) for p in d.positions("zusammenzuarbeiten")] == [5, 8, 10, 12, 15]
        assert d.positions("Migrationspolitik")  # anything else as before


# ----------------------------------------------------------- non-breaking spaces

@pytest.mark.parametrize("lang, text, expected", [
    ("de", "z. B. die Nr. 143, Art. 5 und § 3", "z.\u202fB. die Nr.\u00a0143, Art.\u00a05 und §\u00a03"),
    ("de", "Bürgerinnen und -bürger – gut", "Bürgerinnen und\u00a0-bürger\u00a0– gut"),
    ("ru", "в Законе № 97 от 2011 г. и о нем", "в\u00a0Законе №\u00a097 от 2011\u00a0г. и\u00a0о\u00a0нем"),
    ("fr", "oui ; non: « texte » ? art. 5", "oui\u202f; non\u00a0: «\u202ftexte\u202f»\u202f? art.\u00a05"),
    ("es", "art. 5, p. ej. núm. 3", "art.\u00a05, p.\u202fej. núm.\u00a03"),
    ("en", "No. 143 and Art. 5 by 10 %", "No.\u00a0143 and Art.\u00a05 by 10\u00a0%"),
])
def test_joins_per_language(lang, text, expected):
    assert joins.join(text, lang) == expected


def test_what_belongs_together_stays_on_one_line(profile):
    """No line ends on a German "Nr."/"z." or a Russian one-letter word, and no
    line begins with a dash or a German word-part ("-bürger")."""
    ends = {"de": re.compile(r"(?:^|\s)(?:Nr\.|Art\.|§|z\.|d\.)$"),
            "ru": re.compile(r"(?:^|\s)[вВкКсСоОуУиИаАяЯ]$|№$"),
            "en": re.compile(r"(?:^|\s)(?:No\.|Art\.)$")}
    seen = 0
    for lang, pattern in ends.items():
        for para in paragraphs(profile(lang)):
            for line in para:
                seen += 1
                assert not pattern.search(line.text), (lang, line.page, line.text)
                assert not re.match(r"[\u2013\u2014]\s|-\w", line.text), (lang, line.text)
    assert seen > 1000


# -------------------------------------------------------------- domain headings

@pytest.mark.parametrize("lang", LANGS)
def test_domain_headings_print_the_full_official_title(profile, lang):
    """Read from the PDF; Arabic, whose words text extraction gives in visual
    order, from the headings as composed."""
    from pypdf import PdfReader

    tr = translations(lang).gettext
    if lang == "ar":
        from mgi_report import Request, prepare
        from mgi_report.compose.profile import compose

        html = compose(prepare(Request("kazakhstan", lang, DEFAULT_CONTENT)))
        flat = " ".join(re.findall(r'<h2 class="domain-title"[^>]*>([^<]*)</h2>', html))
    else:
        text = " ".join(" ".join((p.extract_text() or "").split())
                        for p in PdfReader(profile(lang)).pages)
        flat = re.sub(r"[\u2010\u00ad] ", "", text)
    for d in DOMAINS:
        if d.long_name != d.short_name:
            assert tr(d.long_name) != tr(d.short_name), (lang, d.number)
        first_words = " ".join(tr(d.long_name).split()[:2])
        flat = " ".join(flat.split())
        assert first_words in flat, (lang, d.number, first_words)


def test_one_german_term_for_the_whole_of_government_approach(profile):
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(profile("de")).pages)
    assert "Regierungsansatz" not in text
    tr = translations("de").gettext
    assert "Gesamtstaatlich" in tr(DOMAINS[1].short_name)
    assert "Gesamtstaatlich" in tr(DOMAINS[1].long_name)
    assert text.count("Gesamtstaatlicher") >= 3  # contents and heading (long name), wheels


# -------------------------------------------------------------------- the wheel

@pytest.mark.parametrize("lang", LANGS)
def test_wheel_names_never_strand_a_word_nor_end_on_a_preposition(lang):
    clinging = set(wheel.CLINGING[lang].split())
    tr = translations(lang).gettext
    for d in DOMAINS:
        for width in (15, 18):
            lines = wheel.label_lines(tr(d.short_name), lang, width)
            lines = [line.replace("\u00a0", " ") for line in lines]
            assert " ".join(lines) == tr(d.short_name).replace("\u00a0", " ")
            for line in lines[:-1]:
                assert line.split()[-1].lower() not in clinging, (lang, lines)
            for line in lines:
                words = line.split()
                assert not (len(words) == 1 and len(words[0]) <= 3), (lang, lines)


def test_wheel_names_of_the_profiles_read_back(profile):
    """The German names as printed: "der" never alone, Russian lines never end on "в"."""
    for lang, bad in (("de", re.compile(r"^(der|die|und)$")),
                      ("ru", re.compile(r"(?:^|\s)(в|и|с|о)$"))):
        for page in pages(profile(lang)):
            for line in page.lines:
                if line.size < 8:  # the wheel's names are the small text besides footnotes
                    assert not bad.search(line.text), (lang, page.number, line.text)


def _labels(lang: str) -> list[dict]:
    from mgi_report import Request, prepare
    from mgi_report.compose.profile import context

    return context(prepare(Request("kazakhstan", lang, DEFAULT_CONTENT)))["wheel_full_labels"]


def test_arabic_wheel_names_match_the_latin_ones_optical_size():
    """Set 1.43 times larger (the x-heights' ratio), less what fitting the
    wider Arabic drawing into the same frame takes back: within 15 %, where
    the same point size gave half the x-height."""
    latin = _labels("de")[0]["font_mm"] * wheel.x_height("Noto Sans")
    arabic = _labels("ar")[0]["font_mm"] * wheel.x_height("Noto Sans Arabic")
    assert arabic == pytest.approx(latin, rel=0.15)
    assert wheel.optical_scale(wheel.ARABIC_FAMILY) > 1.3  # larger on the body


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_full_wheel_is_centred_on_the_text_block(profile, lang):
    """The ring's centre (its "MGI") sits on the page's centre line."""
    centre_word = translations(lang).gettext("MGI")
    found = [(w.y1 - w.y0, w, page) for page in pages(profile(lang))[3:8]
             for line in page.lines for w in line.words if w.text == centre_word]
    assert found, "no full wheel found"
    _, w, page = max(found, key=lambda f: f[0])  # the ring's label: the largest
    assert (w.x0 + w.x1) / 2 == pytest.approx(page.width / 2, abs=2 * MM)



@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_text_within_5mm_of_the_trim(profile, lang, edition):
    """Except the cover wheel's numbers, which bleed off the page with it."""
    pdf = profile(lang, edition)
    with pikepdf.open(pdf) as doc:
        boxes = [([float(v) for v in p.obj.get("/TrimBox", p.mediabox)],
                  [float(v) for v in p.mediabox]) for p in doc.pages]
    for page in pages(pdf):
        (tx0, ty0, tx1, ty1), (mx0, _, _, my1) = boxes[page.number - 1]
        for line in page.lines:
            for w in line.words:
                x0, x1 = w.x0 + mx0, w.x1 + mx0
                top, bottom = my1 - w.y0, my1 - w.y1
                inside = x0 >= tx0 and x1 <= tx1 and top <= ty1 and bottom >= ty0
                if page.number == 1 and (w.text.isdigit() or not inside):
                    continue  # the cover's artwork
                margin = min(x0 - tx0, tx1 - x1, ty1 - top, bottom - ty0)
                assert margin >= 5 * MM, (lang, edition, page.number, w.text, margin / MM)


# ------------------------------------------------------------------- footnotes

def _calls_and_notes(pdf) -> list[tuple[list[int], set[int]]]:
    """Per page: the footnote calls (superscript numbers of 6.2 pt, 7.2 pt in a
    lede), in the order drawn, and the notes at its foot ("N." at 7 pt), read
    from the text as drawn."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(pdf).pages:
        calls: list[int] = []
        notes: set[int] = set()

        def visit(text, cm, tm, font, size):
            pt = size * abs(tm[0] or 1) * abs(cm[0] or 1)
            if text.strip().isdigit() and (6.1 < pt < 6.3 or 7.1 < pt < 7.3):
                calls.append(int(text))
            elif (m := re.match(r"(\d{1,3})\.(\s|$)", text)) and 6.9 < pt < 7.1:  # not "2003."
                notes.add(int(m[1]))

        page.extract_text(visitor_text=visit)
        out.append((calls, notes))
    return out


@pytest.mark.parametrize("lang, edition", [("en", "screen"), ("de", "screen"), ("de", "print"),
                                           ("ru", "screen"), ("ru", "archive")])
def test_every_note_is_on_the_page_of_its_call(profile, lang, edition):
    """A note that does not fit below its call takes the call's line along to
    the next page (footnote-policy: line); it is never printed a page later,
    under the next domain. Every citation is a note of its own, a source cited
    again too (its short form, or "See note N.": issue 21). (Arabic notes'
    numbers come out of the text drawn in pieces that cannot be told from the
    notes' own numbers: not read.)"""
    pages = _calls_and_notes(profile(lang, edition))
    # the profile's 14 citations of 13 sources: one is cited twice
    assert sum(len(calls) for calls, _ in pages) == 14
    assert sum(len(notes) for _, notes in pages) == 14
    for number, (calls, notes) in enumerate(pages, 1):
        assert set(calls) == notes, (lang, edition, number, calls, notes)
    assert set().union(*(notes for _, notes in pages)) == set(range(1, 15))


# ---------------------------------------------------------------------- folios

@pytest.mark.parametrize("lang, edition", [("de", "screen"), ("de", "print"),
                                           ("ar", "screen"), ("ar", "print")])
def test_folios_on_the_outer_edge_without_a_page_count(profile, lang, edition):
    """A right-hand page has its number at the right, a left-hand one at the
    left; an Arabic booklet opens on the other side, so the sides swap."""
    found = 0
    for page in pages(profile(lang, edition)):
        folio = [line for line in page.lines
                 if line.text == str(page.number) and line.y0 > page.height - 30 * MM]
        if not folio:
            continue
        found += 1
        x = (folio[0].x0 + folio[0].x1) / 2
        right_hand = (page.number % 2 == 1) != (lang == "ar")
        assert (x > page.width / 2) == right_hand, (lang, edition, page.number)
        bottom = " ".join(line.text for line in page.lines if line.y0 > page.height - 30 * MM)
        assert not re.search(r"\d+\s*(of|von|из|من)\s*\d+", bottom)
    assert found > 10


# ----------------------------------------------------------- reversed text, ink

def _texts(pdf) -> list[tuple[int, tuple, float, str]]:
    """(page, fill colour, size in pt, font name) of every piece of page text."""
    out = []
    with pikepdf.open(pdf) as doc:
        for n, page in enumerate(doc.pages, 1):
            fonts = {str(k): str(v.get("/BaseFont", "")) for k, v in
                     (page.Resources.get("/Font") or {}).items()}
            fill, size, font, scale, stack = None, 0.0, "", 1.0, []
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op == "q":
                    stack.append(fill)
                elif op == "Q" and stack:
                    fill = stack.pop()
                elif op in ("k", "sc", "scn", "rg", "g"):
                    fill = tuple(round(float(x), 3) for x in operands
                                 if not isinstance(x, pikepdf.Name))
                elif op == "Tf":
                    font, size = fonts.get(str(operands[0]), ""), float(operands[1])
                elif op == "Tm":
                    scale = abs(float(operands[0])) or abs(float(operands[1]))
                elif op in ("Tj", "TJ"):
                    out.append((n, fill, round(size * scale * 0.75, 2), font))
    return out


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_print_reversed_text_is_paper_white_and_large_enough(profile, lang):
    """Light text knocked out of a coloured area: under 12 pt it is paper (no
    ink of its own to register), and at least 8 pt bold or 10 pt regular."""
    reversed_ = [(n, fill, size, font) for n, fill, size, font in _texts(profile(lang, "print"))
                 if fill and len(fill) == 4 and sum(fill) < 0.6]
    assert len(reversed_) > 20  # covers, domain heads, contents numbers, diagram
    for n, fill, size, font in reversed_:
        if size < 12:
            assert fill == (0, 0, 0, 0), (n, fill, size, font)
            bold = "Bold" in font
            assert size >= (8 if bold else 10), (n, fill, size, font)


def test_screen_text_on_colour_reads_at_4_5_to_1():
    """White small text sits on the domain's deep colour; large text (the
    wheel's numbers, 22 pt bold) on the domain colour at 3:1 at least."""
    from mgi_report import Request, prepare
    from mgi_report.compose.profile import compose

    html = compose(prepare(Request("kazakhstan", "en", DEFAULT_CONTENT)))
    heads = re.findall(r'class="domain-head" style="background: (#[0-9a-f]{6})"', html)
    numbers = re.findall(r'class="toc-num" style="background: (#[0-9a-f]{6})"', html)
    assert len(heads) == 6 and len(numbers) == 6
    for colour in heads + numbers:
        assert domains.contrast(colour, "#ffffff") >= 4.5, colour
    for d in DOMAINS:
        assert domains.contrast(d.rgb, "#ffffff") >= 3.0
    assert domains.contrast("#d9731f", "#ffffff") < 4.5  # the measure sees the old orange


def test_screen_pdf_paints_the_deep_colours(profile):
    """The colours read back from the PDF: the domain heads are painted in the
    deep colours, and the unreadable orange is not used under white text."""
    def rgb(hex_colour):
        return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))

    with pikepdf.open(profile("en")) as doc:
        fills = set()
        for page in doc.pages:
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) in ("rg", "sc", "scn") and len(operands) == 3:
                    fills.add(tuple(round(float(x), 3) for x in operands))
    for d in DOMAINS:
        assert rgb(d.deep_rgb) in fills, d.number


# ------------------------------------------------------------------------ links

@pytest.mark.parametrize("lang", ["de", "ar"])
def test_one_link_annotation_per_contents_entry_in_one_link_element(profile, lang):
    with pikepdf.open(profile(lang)) as pdf:
        contents = next(p for p in pdf.pages
                        if len([a for a in p.get("/Annots", []) if "/Dest" in a]) >= 8)
        dests = [str(a.Dest) for a in contents.Annots if "/Dest" in a]
        assert len(dests) == len(set(dests))  # one annotation per entry
        links, nested = [], []

        def walk(elem, parent):
            if not isinstance(elem, pikepdf.Dictionary):
                return
            tag = str(elem.get("/S", ""))
            kids = elem.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            if tag == "/Link":
                links.append(sum(1 for k in kids if isinstance(k, pikepdf.Dictionary)
                                 and k.get("/Type") == "/OBJR"))
                if parent == "/Link":
                    nested.append(elem)
            for kid in kids:
                walk(kid, tag)

        walk(pdf.Root.StructTreeRoot, None)
    assert links and all(n == 1 for n in links), links
    assert not nested
