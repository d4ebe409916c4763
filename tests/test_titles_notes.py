"""Footnotes, titles and the domains' colours read back from the PDFs (issue 21,
rules 5, 8 and 9), as a typesetter and an editor check them: the calls' size,
raise and space, the notes' hanging indent, a source cited again, the contents
against the headings, running heads, run-in heads, title line ends, the cover's
balance, the diagrams' labels and one colour per domain page. Every glyph is
read with its size, baseline, box and colour (MuPDF's structured text)."""

from __future__ import annotations

import functools
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from mgi_report import Request, build
from mgi_report.compose import titles, wheel
from mgi_report.content import domains
from mgi_report.content.domains import DOMAINS
from mgi_report.resources import DEFAULT_CONTENT
from mgi_report.text.i18n import translations
from mgitree import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROFILES = [("kazakhstan", "en"), ("kazakhstan", "de"), ("kazakhstan", "ru"),
            ("kazakhstan", "ar"), ("ruritania", "en"), ("ruritania", "ar")]
MM = 72 / 25.4


@dataclass
class Char:
    c: str
    x0: float
    x1: float
    y: float  # baseline, from the top
    size: float
    font: str
    color: str


@dataclass
class Line:
    chars: list[Char]

    @property
    def text(self) -> str:
        return "".join(ch.c for ch in self.chars)

    @property
    def size(self) -> float:
        return max(ch.size for ch in self.chars)


def glyphs(pdf: Path) -> list[list[list[Line]]]:
    """Per page, its blocks, each a list of lines of glyphs (mutool stext); read
    once per file as it is (the module's PDFs are read by many tests)."""
    st = Path(pdf).stat()
    return _glyphs(str(pdf), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=16)
def _glyphs(pdf: str, mtime_ns: int, size: int) -> list[list[list[Line]]]:
    xml = subprocess.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", pdf],
                         check=True, capture_output=True).stdout
    out = []
    for page in ET.fromstring(xml).iter("page"):
        blocks = []
        for block in page.iter("block"):
            lines = []
            for line in block.iter("line"):
                chars = []
                for font in line.iter("font"):
                    size = float(font.get("size"))
                    for ch in font.iter("char"):
                        q = [float(v) for v in ch.get("quad").split()]
                        chars.append(Char(ch.get("c"), min(q[0::2]), max(q[0::2]),
                                          float(ch.get("y")), size, font.get("name"),
                                          ch.get("color")))
                if chars:
                    lines.append(Line(chars))
            if lines:
                blocks.append(lines)
        out.append(blocks)
    return out


@pytest.fixture(scope="module")
def pdf(built):
    def get(country: str, lang: str, edition: str = "screen"):
        kw = {"content": EXAMPLES} if country == "ruritania" else {}
        return built(country, lang, edition, **kw)
    return get


@pytest.fixture(scope="module")
def control(tmp_path_factory, cache_dir):
    """Kazakhstan de with the layout as it was before (a --layouts folder whose
    profile.css adds the old rules): calls 0.7 em of the note's 7 pt, raised
    by super (half their size), no space before them, notes without a hanging
    indent, contents with the short names, the running head on every page."""
    layouts = tmp_path_factory.mktemp("old-layout")
    css = (ROOT / "layouts" / "profile.css").read_text()
    css += """
.footnote::footnote-call { font-size: 4.9pt; vertical-align: super; padding: 0; }
.footnote { padding: 0; text-indent: 0; }
.footnote::footnote-marker { display: inline; min-width: 0; }
@page { @top-left { content: string(doctitle); } @top-right { content: string(section, last); } }
"""
    (layouts / "profile.css").write_text(css)
    (layouts / "parts").mkdir()
    toc = (ROOT / "layouts" / "parts" / "contents.html").read_text()
    (layouts / "parts" / "contents.html").write_text(toc.replace("d.long_name", "d.short_name"))
    out = tmp_path_factory.mktemp("control") / "old.pdf"
    return build(Request("kazakhstan", "de", DEFAULT_CONTENT, out, cache=cache_dir,
                         layouts=(layouts,)))


# ------------------------------------------------------------------ footnotes

def _calls(pages) -> list[tuple[int, Char, Char, float, float]]:
    """Each footnote call in running text: (page, its first glyph, the glyph
    before it, the body's size and baseline on its line). A call is a run of
    digits set smaller than its line's text, in the notes' colour."""
    out = []
    for n, blocks in enumerate(pages, 1):
        for block in blocks:
            for line in block:
                body = [ch for ch in line.chars if ch.size >= 9]
                if not body:
                    continue
                size, base = max(ch.size for ch in body), max(ch.y for ch in body)
                for i, ch in enumerate(line.chars):
                    if (ch.c.isdigit() and ch.size < 0.8 * size and ch.color == "#3a4652"
                            and i and not line.chars[i - 1].c.isdigit()):
                        out.append((n, ch, line.chars[i - 1], size, base))
    return out


def _assert_legible_calls(pages, where):
    calls = _calls(pages)
    assert calls, where
    for n, ch, before, size, base in calls:
        assert ch.size >= 0.6 * size, (where, n, ch.size, size)
        assert base - ch.y >= 0.25 * size, (where, n, base - ch.y)  # raised
        if before.c.isdigit() or before.c == ")":
            assert ch.x0 - before.x1 >= 0.5, (where, n, before.c, ch.x0 - before.x1)
    return calls


@pytest.mark.parametrize("country, lang", PROFILES)
def test_calls_are_legible_raised_and_apart(pdf, country, lang):
    """Every call at 60 % of the body size at least, its baseline raised a
    quarter of the body size, and after a digit or ")" a visible space."""
    _assert_legible_calls(glyphs(pdf(country, lang)), (country, lang))


def test_old_calls_fail_the_measure(control):
    """The calls as they were (4.9 pt, raised 2.45 pt, touching "(Nr. 143)")."""
    with pytest.raises(AssertionError):
        _assert_legible_calls(glyphs(control), "control")


def _notes(pages) -> list[tuple[float, list[float]]]:
    """Each note at a page's foot (7 pt text in its lower third, its glyphs
    gathered by baseline): where its text starts after its number, and where
    each of its turnover lines starts."""
    out = []
    for blocks in pages:
        rows: dict[float, list[Char]] = {}
        for block in blocks:
            for line in block:
                for ch in line.chars:
                    if ch.y > 200 * MM:
                        rows.setdefault(round(ch.y, 1), []).append(ch)
        text = "".join(ch.c for block in blocks for line in block for ch in line.chars)
        if "GlobalCompactforMigration" in text.replace(" ", ""):  # the GCM annex's
            continue  # small print (a finding's place) is no note
        for _, chars in sorted(rows.items()):
            if not all(6.5 < ch.size < 7.5 for ch in chars) or \
                    re.match(r"GCM\s*\d", "".join(ch.c for ch in chars)):
                continue  # a finding's 7 pt GCM marker, ending its line or on its own
            chars.sort(key=lambda ch: ch.x0)
            text = "".join(ch.c for ch in chars)
            m = re.match(r"(\d+\.)\s*", text)
            if m and m.end() < len(chars):
                out.append((chars[m.end()].x0, []))
            elif out and text.strip():
                out[-1][1].append(chars[0].x0)
    return out


@pytest.mark.parametrize("country, lang", [p for p in PROFILES if p[1] != "ar"])
def test_notes_turn_over_under_their_text(pdf, country, lang):
    """A note's turnover lines start where its text starts, not under its
    number (a hanging indent). (Arabic notes' numbers are drawn apart from
    their lines: not read.)"""
    notes = _notes(glyphs(pdf(country, lang)))
    turned = [(start, lines) for start, lines in notes if lines]
    assert turned, (country, lang)
    for start, lines in turned:
        for x in lines:
            assert abs(x - start) < 0.6, (country, lang, start, x)


def test_notes_without_the_indent_fail_the_measure(control):
    turned = [(s, lines) for s, lines in _notes(glyphs(control)) if lines]
    assert turned and any(abs(x - s) >= 0.6 for s, lines in turned for x in lines)


def _page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [" ".join(p.split()) for p in out.split("\f")]


@pytest.mark.parametrize("lang", ["en", "de", "ru"])
def test_a_source_cited_again_says_see_note(pdf, lang):
    """Kazakhstan cites its migration law twice: the second note says "See
    note N." (the catalog's words), on the page of its call; the law's full
    text prints twice, its first note and the list of sources, not three times."""
    pages = _page_texts(pdf("kazakhstan", lang))
    see = translations(lang).gettext("See note %(n)s.")
    pattern = re.escape(see).replace(re.escape("%(n)s"), r"(\d+)")
    found = [(n, m) for n, t in enumerate(pages) for m in re.finditer(pattern, t)]
    assert len(found) == 1, (lang, found)
    if lang == "en":
        law = "Law of the Republic of Kazakhstan No. 477-IV"
        assert sum(t.count(law) for t in pages) == 2


def _short_tree(tmp_path: Path, short: str | None) -> Path:
    import shutil

    dest = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, dest)
    en = dest / "kazakhstan" / "en.yaml"
    text = en.read_text()
    anchor = "  - id: law-migration-2011\n"
    assert anchor in text
    if short is not None:
        text = text.replace('"On\n      Population Migration".\n',
                            f'"On\n      Population Migration".\n    short: {short}\n', 1)
    en.write_text(text)
    return dest


def test_a_short_form_prints_for_a_source_cited_again(tmp_path, cache_dir):
    content = _short_tree(tmp_path, "Law No. 477-IV (2011).")
    assert "short: Law No. 477-IV (2011)." in (content / "kazakhstan" / "en.yaml").read_text()
    out = build(Request("kazakhstan", "en", content, tmp_path / "short.pdf", cache=cache_dir))
    text = " ".join(_page_texts(out))
    assert "Law No. 477-IV (2011)." in text and "See note" not in text
    assert text.count("Law of the Republic of Kazakhstan No. 477-IV") == 2


@pytest.mark.parametrize("entry, message", [
    ("    short: Cites [^constitution] again.\n", "the short text of entry 2 of `sources` cites"),
    ("    shrt: Law.\n", "unknown key `shrt` in entry 2 of `sources`; did you mean `short`?"),
    ("    short: [1, 2]\n", "the short text of entry 2 of `sources`"),
])
def test_a_bad_short_form_is_located(tmp_path, capsys, entry, message):
    content = _short_tree(tmp_path, None)
    en = content / "kazakhstan" / "en.yaml"
    lines = en.read_text().splitlines(keepends=True)
    at = next(i for i, t in enumerate(lines) if t.startswith("  - id: law-migration-2011"))
    lines.insert(at + 3, entry)
    en.write_text("".join(lines))
    code, err = run(capsys, "check", "--content", content)
    assert code == 1
    assert re.search(rf"en\.yaml:{at + 4}:\d+: .*{re.escape(message)}", err), err


# --------------------------------------------------------------------- titles

def _domain_headings(pages) -> list[str]:
    """The domains' headings as printed (the 15 pt white titles in their bands)."""
    out = []
    for blocks in pages:
        for block in blocks:
            lines = [ln for ln in block if 14.5 < ln.size < 15.5 and ln.chars[0].color == "#ffffff"
                     and sum(c.isalpha() for c in ln.text) > 3]
            if lines:
                out.append(" ".join(ln.text.strip() for ln in lines))
    return out


def _contents_text(pages) -> str:
    """The contents' 10 pt entries (the domains) as one text, leader dots and
    page numbers taken out."""
    for page in pages[2:4]:  # after the imprint (and a page of acknowledgements)
        text = "".join(ch.c for block in page for ln in block for ch in ln.chars + [
            Char(" ", 0, 0, 0, 10, "", "")] if 9.5 < ch.size < 10.5 and ch.color != "#ffffff")
        if text.strip():
            break
    return _squash(re.sub(r"(\s*\.){2,}[\s.]*\d*", " ", text))


def _squash(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split())


@pytest.mark.parametrize("country, lang", [p for p in PROFILES if p[1] != "ar"])
def test_contents_entries_say_what_the_headings_say(pdf, country, lang):
    pages = glyphs(pdf(country, lang))
    heads = [_squash(h) for h in _domain_headings(pages)]
    assert len(heads) == 6, heads
    toc = _contents_text(pages)
    for head in heads:
        assert head in toc, (country, lang, head, toc)


def test_contents_with_short_names_fail_the_measure(control):
    pages = glyphs(control)
    toc = _contents_text(pages)
    heads = [_squash(h) for h in _domain_headings(pages)]
    assert any(head not in toc for head in heads)


def _running_heads(pages) -> list[tuple[bool, bool]]:
    """Per page: whether it opens a chapter or a domain (a 22 pt heading or a
    15 pt band title, at its top or lower: chapters run on), and whether it has a running head
    (7.5 pt text above the text block; 10 pt in Arabic)."""
    out = []
    for blocks in pages:
        lines = [ln for b in blocks for ln in b]
        opening = any(21 < ln.size < 23 or (14.5 < ln.size < 15.5 and ln.chars[0].color
                                            == "#ffffff" and sum(map(str.isalpha, ln.text)) > 3)
                      for ln in lines)
        head = any(7.3 < ln.size < 10.2 and ln.chars[0].y < 25 * MM for ln in lines)  # ar: 10 pt
        out.append((opening, head))
    return out


@pytest.mark.parametrize("country, lang", PROFILES)
def test_no_running_head_on_an_opening_page(pdf, country, lang):
    pages = _running_heads(glyphs(pdf(country, lang)))
    openings = [n for n, (opening, _) in enumerate(pages, 1) if opening]
    assert len(openings) >= 8, openings  # chapters and the six domains, some sharing pages
    assert not [n for n, (opening, head) in enumerate(pages, 1) if opening and head]
    assert any(head for opening, head in pages if not opening)  # the measure sees heads


def test_running_heads_on_openings_fail_the_measure(control):
    pages = _running_heads(glyphs(control))
    assert [n for n, (opening, head) in enumerate(pages, 1) if opening and head]


PROCESS = ("Launch", "Data collection", "Inter-ministerial consultation", "Validation",
           "Publication")


@pytest.mark.parametrize("country, lang", PROFILES)
def test_run_in_heads_end_with_the_languages_separator(pdf, country, lang):
    """The process steps' bold heads, as drawn (body size: 9.5 pt, Arabic 13.5 pt), are the catalog's "%(head)s:"
    of each step (German "Auftakt:", Russian "Запуск.", French "Lancement :"),
    and the text after them starts after a space."""
    _ = translations(lang).gettext
    wanted = [_squash(_("%(head)s:") % {"head": _(name)}) for name in PROCESS]
    bold_runs = []
    for blocks in glyphs(pdf(country, lang)):
        for block in blocks:
            for ln in block:
                bold = "".join(ch.c for ch in ln.chars if "Bold" in ch.font and 9 < ch.size < 14.5)
                if bold and len(bold) < len(ln.text) - 5:
                    bold_runs += [_squash(bold), _squash(bold[::-1])]  # Arabic: drawn order
    for head in wanted:
        assert head in bold_runs, (country, lang, head, bold_runs)
    assert _("%(head)s:") != "%(head)s" and wanted[0] != _squash(_(PROCESS[0]))


def _title_line_ends(pages) -> list[str]:
    """The last word of every title line that is not its title's last line:
    headings (15 pt and over, or bold 10.5 pt and over: Arabic body text is
    13.5 pt), the cover's, and the contents' entries (a line without its
    leader dots)."""
    ends = []
    for n, blocks in enumerate(pages):
        for block in blocks:
            lines = [ln for ln in block if ln.size >= 15 or (ln.size >= 10.4 and all(
                "Bold" in ch.font for ch in ln.chars if ch.c.strip())) or (
                n == 2 and 9.5 < ln.size < 10.5 and ". ." not in ln.text)]
            for ln in lines[:-1]:
                words = ln.text.replace("\u00a0", " ").split()
                if words and any(c.isalpha() for c in ln.text):
                    ends.append(words[-1])
    return ends


def _bad_end(word: str) -> bool:
    return sum(c.isalnum() for c in word) <= 2 or word.endswith("(")


@pytest.mark.parametrize("country, lang", PROFILES)
def test_no_title_line_ends_on_a_short_word(pdf, country, lang):
    ends = _title_line_ends(glyphs(pdf(country, lang)))
    assert ends or lang == "ar", (country, lang)  # (Arabic titles here fit their lines)
    assert not [w for w in ends if _bad_end(w)], (country, lang, ends)


def test_the_cover_title_is_balanced():
    """The example's country, at 34 pt bold in 165 mm: balanced, its lines
    "Republic of Ruritania" / "(a fictional example)"; a greedy breaker (the
    control) leaves "(a" at the end of the first."""
    text = "Republic of Ruritania (a fictional example)"
    set_ = titles.balance(text, "NotoSans-Bold.ttf", 34, 165)
    lines = [ln.replace("\u00a0", " ") for ln in set_.split(" ")]
    assert lines == ["Republic of Ruritania", "(a fictional example)"]
    greedy, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if titles.width_mm(trial, "NotoSans-Bold.ttf", 34) > 165 * titles.SLACK:
            greedy.append(line)
            trial = word
        line = trial
    assert _bad_end(greedy[0].split()[-1])


@pytest.mark.parametrize("country, lang", [("ruritania", "en"), ("kazakhstan", "ru")])
def test_the_printed_cover_lines_are_even(pdf, country, lang):
    """The cover's title lines as printed: none ends on a short word, and the
    widest is no wider than the widest of any other breaking into as many lines."""
    cover = glyphs(pdf(country, lang))[0]
    found = 0
    for block in cover:
        lines = [ln.text.replace("\u00a0", " ").strip() for ln in block if ln.size > 29]
        if len(lines) < 2:
            continue
        found += 1
        font = "NotoSans-Bold.ttf" if block[0].size > 33 else "NotoSans-Regular.ttf"
        size = 34 if block[0].size > 33 else 30
        words = " ".join(lines).split(" ")
        widest = max(titles.width_mm(ln, font, size) for ln in lines)
        for cut in range(1, len(words)):
            if len(lines) == 2:
                other = [" ".join(words[:cut]), " ".join(words[cut:])]
                assert widest <= max(titles.width_mm(o, font, size) for o in other) + 0.5, \
                    (country, lang, lines, other)
    assert found, (country, lang)


@pytest.mark.parametrize("country, lang", PROFILES)
def test_diagram_labels_break_as_the_wheel_does(pdf, country, lang):
    """The MiGOF diagram's white labels and the process's step names: no line
    ends in a hyphen ("well-/being") or on a word that clings to the next."""
    clinging = set(wheel.CLINGING.get(lang, "").split())
    pages = glyphs(pdf(country, lang))
    seen = 0
    for blocks in pages:
        for block in blocks:
            labels = [ln for ln in block if 7.3 < ln.size < 8.2 and ln.chars[0].color in (
                "#ffffff", "#1c2631", "#1d2731")]
            for ln in labels:  # (a label's last line too: none ends on these)
                words = ln.text.split()
                if words:
                    seen += 1
                    assert not words[-1].endswith(("-", "\u2010")), (country, lang, ln.text)
                    assert words[-1].lower() not in clinging, (country, lang, ln.text)
    assert seen


# ------------------------------------------------------------- domain colours

def _fills(doc: pikepdf.Pdf, page) -> set[tuple[float, ...]]:
    """Every fill colour a page paints, in its forms too (the wheels)."""
    found: set[tuple[float, ...]] = set()

    def walk(obj, seen):
        for operands, op in pikepdf.parse_content_stream(obj):
            if str(op) in ("rg", "k", "sc", "scn") and len(operands) in (3, 4):
                try:
                    found.add(tuple(round(float(x), 3) for x in operands))
                except (TypeError, ValueError):
                    pass
        xobjects = obj.get("/Resources", {}).get("/XObject", {})
        for name in xobjects.keys():
            x = xobjects[name]
            if x.get("/Subtype") == "/Form" and x.objgen not in seen:
                seen.add(x.objgen)
                walk(x, seen)
    walk(page, set())
    return found


def _rgb(hex_colour: str) -> tuple[float, ...]:
    return tuple(round(int(hex_colour[i:i + 2], 16) / 255, 3) for i in (1, 3, 5))


#: every shade a domain was shown in: its colour, its old bright colour, the deep one
OLD = {2: "#d9731f", 3: "#2f8f5b", 6: "#138a9e"}


def _domain_pages(path: Path, cmyk: bool) -> list[tuple[int, set[int]]]:
    """Per domain page (a page painting a domain's colour): the domains whose
    shades it paints."""
    shades = {d.number: {d.rgb, d.deep_rgb, OLD.get(d.number, d.rgb)} for d in DOMAINS}
    out = []
    with pikepdf.open(path) as doc:
        for n, page in enumerate(doc.pages, 1):
            fills = _fills(doc, page)
            if cmyk:
                painted = {d.number for d in DOMAINS
                           if {tuple(round(v, 3) for v in d.cmyk),
                               tuple(round(v, 3) for v in d.deep_cmyk)} & fills}
                kinds = {(d.number, c) for d in DOMAINS for c in (d.cmyk, d.deep_cmyk)
                         if tuple(round(v, 3) for v in c) in fills}
            else:
                kinds = {(num, s) for num, ss in shades.items() for s in ss
                         if _rgb(s) in fills}
                painted = {num for num, _ in kinds}
            out.append((n, painted, kinds))
    return out


@pytest.mark.parametrize("country, lang, edition", [
    ("kazakhstan", "de", "screen"), ("kazakhstan", "ar", "screen"),
    ("kazakhstan", "de", "print"), ("ruritania", "en", "screen")])
def test_one_colour_per_domain_on_a_page(pdf, country, lang, edition):
    """On each domain's pages (its band, wheel, bullets and markers), the
    domain is painted in one colour, not a deep band beside a brighter wheel."""
    pages = _domain_pages(pdf(country, lang, edition), edition == "print")
    assert set().union(*(painted for _, painted, _ in pages)) == {1, 2, 3, 4, 5, 6}
    for n, painted, kinds in pages:  # two domains may share a page: each in one shade
        for d in painted:
            assert len({k for k in kinds if k[0] == d}) == 1, (country, lang, edition, n, kinds)


def test_every_domain_colour_carries_small_white_text():
    """One colour per domain, so it must carry the band's white text: 4.5:1."""
    for d in DOMAINS:
        assert domains.contrast(d.rgb, "#ffffff") >= 4.5, d.number
        assert d.deep_rgb == d.rgb and d.deep_cmyk == d.cmyk
    assert any(domains.contrast(c, "#ffffff") < 4.5 for c in OLD.values())  # the control


def test_two_shades_of_a_domain_fail_the_measure(tmp_path, cache_dir):
    """The control: the old band (a darker shade than the wheel and bullets)."""
    layouts = tmp_path / "layouts"
    (layouts / "parts").mkdir(parents=True)
    part = (ROOT / "layouts" / "parts" / "findings.html").read_text()
    assert "background: {{ d.deep }}" in part
    part = part.replace("background: {{ d.deep }}", "background: {{ d.deep }}; border-bottom: "
                        "3pt solid {% if d.number == 2 %}#d9731f{% else %}{{ d.deep }}{% endif %}")
    (layouts / "parts" / "findings.html").write_text(part)
    out = build(Request("kazakhstan", "en", DEFAULT_CONTENT, tmp_path / "two.pdf",
                        cache=cache_dir, layouts=(layouts,)))
    pages = _domain_pages(out, False)
    assert any(len({k for k in kinds if k[0] == 2}) > 1 for _, painted, kinds in pages)


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "ru", "ar"])
def test_diagram_labels_are_broken_in_compose(lang):
    """Every label of both diagrams, in every language, as composed: its lines
    end neither in a hyphen nor on a clinging word, and never split a word.
    The control: a greedy break at the same width, hyphens allowed, leaves
    "Socioeconomic well-" on a line."""
    from mgi_report.compose import chapters

    tr = translations(lang)
    clinging = set(wheel.CLINGING.get(lang, "").split())
    fw = chapters.framework_figure(tr, lang == "ar", [d.rgb for d in DOMAINS], None, lang)
    pr = chapters.process_figure(tr, lang == "ar", "#0b2e59", None, lang)
    for label in fw["labels"][:3] + fw["labels"][4:] + pr["labels"]:
        lines = label["text"].split("\n")
        words = " ".join(lines).split()
        assert sum(len(ln.split()) for ln in lines) == len(words)
        for ln in lines[:-1]:
            assert not ln.endswith(("-", "\u2010")), (lang, lines)
            assert ln.split()[-1].lower() not in clinging, (lang, lines)
    greedy = re.findall(r".{1,19}(?:-|\s|$)", "Socioeconomic well-being")
    assert greedy[0].strip() == "Socioeconomic well-"
