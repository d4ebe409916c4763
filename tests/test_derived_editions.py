"""One drawing, three editions (issue 26): WeasyPrint draws the screen edition
once; the archive and print editions are made from that PDF (editions.derive).

A derived edition must show what WeasyPrint would have drawn for it on its own:
the same glyphs at the same places in the same fonts, the same paths, the same
boxes; the archive's pages are the screen edition's own bytes. These tests draw
each edition with WeasyPrint directly (its variant, its tags, its bleed), as the
builds did before, and compare page by page.
"""

from __future__ import annotations

import functools
import io
import subprocess
from pathlib import Path

import pikepdf
import pytest

from mgi_report import pipeline as builder
from mgi_report.editions import colour, derive, finishing
from mgi_report.editions import document as editions
from mgi_report.editions.specs import SPECS
from mgi_report.engine.render import edition_document
from mgi_report.resources import DEFAULT_CONTENT, LAYOUTS, PRINT_PROFILE, ROOT

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def profiles(tmp_path_factory, cache_dir):
    """(country, lang) -> (laid out document, derived editions {edition: Path},
    WeasyPrint's own drawing of each edition {edition: bytes})."""
    made = {}

    def get(content: Path, country: str, lang: str):
        if (country, lang) in made:
            return made[country, lang]
        out = tmp_path_factory.mktemp(f"{country}-{lang}")
        req = builder.Request(country, lang, content, cache=cache_dir)
        job = builder.read(req)
        outputs = {e: out / f"{e}.pdf" for e in builder.EDITIONS}
        written = builder.build_editions(req, builder.EDITIONS, outputs, job=job)
        assert all(w.error is None for w in written), [w.error for w in written]
        laid_out, _html = builder.lay_out(req, job)
        direct = {e: _drawn_by_weasyprint(laid_out, e) for e in ("archive", "print")}
        made[country, lang] = (laid_out, outputs, direct)
        return made[country, lang]

    return get


def _drawn_by_weasyprint(laid_out, edition: str) -> bytes:
    """The edition as WeasyPrint draws it on its own: its PDF variant and tags,
    its pages with or without the layout's bleed, our finisher (which mends the
    structure tree, page furniture included) for its spec; no derivation."""
    spec = SPECS[edition]
    pages = [editions._with_bleed(page, spec.bleed) for page in laid_out.pages]
    profiles = {"device-cmyk": _print_profile()} if spec.cmyk else {}
    document = edition_document(laid_out, pages, profiles,
                                editions.output_intent(spec.variant))
    out = io.BytesIO()
    document.write_pdf(out, pdf_variant=spec.variant, pdf_tags=spec.tags,
                       finisher=functools.partial(finishing.finish, spec, b"0" * 32))
    return out.getvalue()


def _print_profile():
    """The print edition's output profile as WeasyPrint takes one (the print
    edition was drawn with it before it was derived)."""
    from weasyprint.css import ColorProfile

    data = PRINT_PROFILE.read_bytes()
    return ColorProfile(io.BytesIO(data), PRINT_PROFILE.resolve().as_uri(),
                        "relative-colorimetric", ("cyan", "magenta", "yellow", "black"))


#: Operators that mark content for the structure tree, or group text objects:
#: a tagged drawing opens and closes them around each tagged run.
_STRUCTURE_OPS = {"BT", "ET", "BDC", "BMC", "EMC"}


def _drawing(ops, colours=False) -> list[tuple]:
    """What a page's operators draw: every operator but marked content and text
    object brackets, a font set again to the font already set left out (a tagged
    drawing repeats it in each text object); RGB colours as the print edition's
    CMYK when ``colours``."""
    font, saved, out = None, [], []
    for operands, op in ops:
        op = str(op)
        if op in _STRUCTURE_OPS:
            continue
        values = tuple(round(float(v), 4) if isinstance(v, (int, float)) or
                       type(v).__name__ == "Decimal" else str(v) for v in operands)
        if op == "q":
            saved.append(font)
        elif op == "Q":
            font = saved.pop() if saved else None
        elif op == "Tf":
            if values == font:
                continue
            font = values
        elif colours and op in ("rg", "RG"):
            op = "k" if op == "rg" else "K"
            values = tuple(round(v, 4) for v in colour.to_cmyk(*values))
        out.append((op, values))
    return out


def _page_ops(page) -> list:
    return list(pikepdf.parse_content_stream(page))


def _without_marks(ops: list) -> list:
    """A derived print page's operators without what derive adds around the
    drawing: the outer q … Q and the crop marks after it."""
    assert str(ops[0][1]) == "q"
    marks = max(i for i, (_, op) in enumerate(ops) if str(op) == "q")
    assert str(ops[marks + 1][1]) == "J" and str(ops[marks - 1][1]) == "Q"
    return ops[1:marks - 1]


def _group_spaces(pdf) -> list[str]:
    """Each transparency group's blending space: its name, or the ICC profile's
    channels and whether it is the print edition's output profile."""
    spaces = []
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) and "/Group" in obj \
                and "/CS" in obj.Group:
            space = obj.Group.CS
            spaces.append(str(space) if isinstance(space, pikepdf.Name) else
                          f"{space[0]} N={int(space[1].N)} "
                          f"fogra39={space[1].read_bytes() == PRINT_PROFILE.read_bytes()}")
    return sorted(spaces)


def _boxes(page) -> dict:
    return {key: [round(float(v), 3) for v in page.obj[key]]
            for key in ("/TrimBox", "/BleedBox")}


CASES = [(DEFAULT_CONTENT, "kazakhstan", "de"), (EXAMPLES, "ruritania", "en"),
         (EXAMPLES, "ruritania", "ar")]


@pytest.mark.parametrize("content,country,lang", CASES, ids=lambda v: getattr(v, "name", v))
def test_the_derived_print_edition_draws_what_weasyprint_draws_for_print(
        profiles, content, country, lang):
    """Page by page: the same drawing (glyphs, positions, fonts, paths, images),
    in the print edition's CMYK; the same trim and bleed boxes; the crop marks
    outside the bleed; blank pages before the back cover up to a multiple of 4."""
    laid_out, outputs, direct = profiles(content, country, lang)
    with pikepdf.open(io.BytesIO(direct["print"])) as alone, \
            pikepdf.open(outputs["print"]) as derived:
        n = len(alone.pages)
        blank = -n % 4
        assert len(derived.pages) == n + blank
        at = editions.back_cover_at(laid_out.pages)
        at = n if at is None else at
        pages = list(derived.pages)
        blanks, drawn = pages[at:at + blank], pages[:at] + pages[at + blank:]
        for number, (mine, theirs) in enumerate(zip(drawn, alone.pages, strict=True), 1):
            assert _drawing(_without_marks(_page_ops(mine))) == \
                _drawing(_page_ops(theirs), colours=True), f"page {number}"
            assert _boxes(mine) == _boxes(theirs), f"page {number}"
            media, bleed = (float(v) for v in mine.obj.MediaBox), mine.obj.BleedBox
            assert [round(a - b, 3) for a, b in zip(media, (float(v) for v in bleed))] == \
                [round(-(derive.MARK_OFFSET + derive.MARK_LENGTH), 3)] * 2 + \
                [round(derive.MARK_OFFSET + derive.MARK_LENGTH, 3)] * 2
        for page in blanks:
            ops = _without_marks(_page_ops(page))
            assert ops == [], "a blank page draws nothing but its crop marks"
            assert _boxes(page) == _boxes(drawn[-1])
        groups = _group_spaces(derived)
        assert groups and groups == _group_spaces(alone), \
            "every transparency group blends in the output profile's CMYK, as drawn for print"
        assert "/StructTreeRoot" not in derived.Root and "/MarkInfo" not in derived.Root
        assert not any("/Annots" in page.obj or "/StructParents" in page.obj
                       for page in derived.pages)


@pytest.mark.parametrize("content,country,lang", CASES[:2], ids=lambda v: getattr(v, "name", v))
def test_the_derived_archive_has_the_pages_weasyprint_draws_for_pdf_a(
        profiles, content, country, lang):
    """The archive's pages are the drawing of a PDF/A-3a write, byte for byte
    (WeasyPrint draws the same pages for PDF/UA-1 and PDF/A-3a), with the same
    links (printable, as PDF/A asks), bookmarks and named destinations."""
    _laid_out, outputs, direct = profiles(content, country, lang)
    with pikepdf.open(io.BytesIO(direct["archive"])) as alone, \
            pikepdf.open(outputs["archive"]) as derived, \
            pikepdf.open(outputs["screen"]) as screen:
        assert len(derived.pages) == len(alone.pages) == len(screen.pages)
        for number, (mine, theirs, drawn) in enumerate(
                zip(derived.pages, alone.pages, screen.pages), 1):
            assert mine.Contents.read_bytes() == theirs.Contents.read_bytes() == \
                drawn.Contents.read_bytes(), f"page {number}"
            links = mine.obj.get("/Annots", [])
            assert len(links) == len(theirs.obj.get("/Annots", []))
            assert all(int(link.F) == 4 for link in links)
        with derived.open_outline() as ours, alone.open_outline() as theirs:
            assert [i.title for i in ours.root] == [i.title for i in theirs.root]
        names = derived.Root.Names.Dests.Names
        assert list(names[0::2]) == list(alone.Root.Names.Dests.Names[0::2])


def test_one_drawing_for_three_editions(tmp_path, cache_dir, monkeypatch):
    """WeasyPrint draws each page once, however many editions are written."""
    from weasyprint.document import Page

    painted = []
    real = Page.paint
    monkeypatch.setattr(Page, "paint", lambda self, *a, **k: painted.append(1) or
                        real(self, *a, **k))
    req = builder.Request("kazakhstan", "de", DEFAULT_CONTENT, cache=cache_dir)
    outputs = {e: tmp_path / f"{e}.pdf" for e in builder.EDITIONS}
    written = builder.build_editions(req, builder.EDITIONS, outputs)
    assert all(w.error is None for w in written)
    screen_pages = next(w.pages for w in written if w.edition == "screen")
    assert len(painted) == screen_pages


def test_a_derived_edition_is_the_same_bytes_alone_and_with_the_others(
        profiles, tmp_path, cache_dir):
    """`build --edition print` alone, twice, and in a release with the other two:
    the same file."""
    _laid_out, outputs, _direct = profiles(DEFAULT_CONTENT, "kazakhstan", "de")
    for edition in ("print", "archive"):
        alone = builder.build(builder.Request("kazakhstan", "de", DEFAULT_CONTENT,
                                              tmp_path / f"{edition}.pdf", edition,
                                              cache=cache_dir))
        assert alone.read_bytes() == outputs[edition].read_bytes(), edition


def test_no_derived_stream_ends_in_cr_whatever_its_data(tmp_path):
    """A stream whose compressed data ends in CR (a Flate stream ends in its
    data's checksum: one in 256) is compressed as a PNG predictor row, which
    ends otherwise: qpdf writes LF before `endstream`, and CR LF would shorten
    its data. Every reader decodes it to the same bytes."""
    import zlib

    pdf = pikepdf.new()
    pdf.Root.Metadata = pikepdf.Stream(pdf, b"<x/>")
    # a Flate stream's last byte is (1 + the sum of its data's bytes) mod 256
    found = next(data for n in range(5000)
                 if zlib.compress(data := f"q 1 0 0 1 {n} {n} cm Q".encode()).endswith(b"\r"))
    plain = pikepdf.Stream(pdf, found)
    packed = pikepdf.Stream(pdf, zlib.compress(found))
    packed.Filter = pikepdf.Name.FlateDecode
    pdf.Root.Plain, pdf.Root.Packed = plain, packed
    derive._compressed(pdf)
    for stream in (plain, packed):
        assert stream.read_bytes() == found
        assert not stream.read_raw_bytes().endswith(b"\r")
        assert int(stream.DecodeParms.Predictor) in (10, 12)
    saved = derive._saved(pdf, "")
    assert b"\r\nendstream" not in saved
    with pikepdf.open(io.BytesIO(saved)) as again:
        assert again.Root.Plain.read_bytes() == again.Root.Packed.read_bytes() == found
    # a second reader: MuPDF decodes the stream to the same bytes
    path = tmp_path / "cr.pdf"
    path.write_bytes(saved)
    shown = subprocess.run(["mutool", "show", "-b", str(path), "Root/Packed"],
                           capture_output=True, check=True).stdout
    assert shown == found


def test_the_archive_interpolates_no_image_even_when_a_layout_asks(tmp_path, cache_dir):
    """PDF/A forbids image interpolation; a layout of one's own that leaves the
    cover photo's `image-rendering` at `auto` (WeasyPrint then interpolates it)
    still gives an archive the validator passes."""
    import page as validator

    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "profile.css").write_text(
        (LAYOUTS / "profile.css").read_text() +
        "\n.cover-photo, .cover-logo { image-rendering: auto; }\n")
    req = builder.Request("ruritania", "en", EXAMPLES, layouts=(layouts,), cache=cache_dir)
    outputs = {e: tmp_path / f"{e}.pdf" for e in ("screen", "archive")}
    written = builder.build_editions(req, tuple(outputs), outputs)
    assert all(w.error is None for w in written), [w.error for w in written]

    def interpolated(path):
        with pikepdf.open(path) as pdf:
            return [o.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/Subtype") == "/Image" and bool(o.get("/Interpolate", False))]

    assert interpolated(outputs["screen"]), "the layout did ask for interpolation"
    assert not interpolated(outputs["archive"])
    report = validator.validate_pdf(outputs["archive"], profile="3a")
    assert not [f.rule_id for f in report.failures]


def test_the_print_edition_refuses_a_gradient_it_cannot_make_cmyk(tmp_path, cache_dir):
    """A layout of one's own that draws a gradient: the screen edition is written,
    the print edition refused with the reason (a gradient's colours are not
    converted), and no print file is left."""
    from mgi_report.errors import RenderError

    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "profile.css").write_text(
        (LAYOUTS / "profile.css").read_text() +
        "\n.cover { background: linear-gradient(#0d2f4f, #3a7bd5); }\n")
    req = builder.Request("kazakhstan", "de", DEFAULT_CONTENT, layouts=(layouts,),
                          cache=cache_dir)
    outputs = {e: tmp_path / f"{e}.pdf" for e in ("screen", "print")}
    screen, printed = builder.build_editions(req, ("screen", "print"), outputs)
    assert screen.error is None and outputs["screen"].exists()
    assert isinstance(printed.error, RenderError)
    assert "CMYK only" in str(printed.error) and "gradient" in str(printed.error)
    assert not outputs["print"].exists()
