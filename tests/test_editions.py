"""The three editions, read back with pikepdf for what their standards require.

screen = PDF/UA-1 (tagged), print = PDF/X-4 (CMYK, bleed, FOGRA39 output intent),
archive = PDF/A-3u (sources embedded as associated files). No veraPDF here: the
README lists what these tests check and what they cannot.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

import typeset
from mgi_report import Request, build, prepare
from mgi_report.cli import main
from mgi_report.compose.profile import compose
from mgi_report.content.domains import BRAND_CMYK, DOMAINS
from mgi_report.editions import colour as cmyk
from mgi_report.editions import attachments
from mgi_report.editions import derive
from mgi_report.errors import ContentError, RenderError
from mgi_report.resources import DEFAULT_CONTENT, LAYOUTS, PRINT_PROFILE
from pdfread import flat, fonts, outline, page_texts

A4 = (595.276, 841.89)
BLEED = 3 / 25.4 * 72  # 3 mm in points
KAZ = DEFAULT_CONTENT / "kazakhstan"


@pytest.fixture(scope="module")
def pdfs(built):
    """The German profile in every edition, written from one layout (conftest
    ``built``); building it logged no warning."""
    out = built.editions("kazakhstan", "de")
    assert not built.warnings("kazakhstan", "de")
    return out


XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc", "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM", "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://www.aiim.org/pdfa/ns/id/": "pdfaid", "http://www.aiim.org/pdfua/ns/id/": "pdfuaid",
    "http://www.npes.org/pdfx/ns/id/": "pdfxid", "http://ns.adobe.com/pdfx/1.3/": "pdfx",
}


def xmp(pdf: pikepdf.Pdf) -> dict[str, str]:
    """The XMP metadata as prefix:name -> value (lists joined by '; ')."""
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    out = {}
    for key, value in meta.items():
        ns, _, name = key[1:].partition("}")
        text = "; ".join(map(str, value)) if isinstance(value, (list, set)) else str(value)
        out[f"{XMP_PREFIXES.get(ns, ns)}:{name}"] = text
    return out


def content_ops(pdf: pikepdf.Pdf):
    """(page index, resources, operands, operator) for every page and nested form."""
    seen: set = set()

    def walk(index, obj, resources):
        for operands, op in pikepdf.parse_content_stream(obj):
            yield index, resources, operands, str(op)
        for kind in ("/XObject", "/Pattern"):
            for x in (resources.get(kind) or {}).values() if resources is not None else ():
                if x.objgen in seen or not isinstance(x, pikepdf.Stream):
                    continue
                seen.add(x.objgen)
                if x.get("/Subtype") == "/Form" or x.get("/PatternType") == 1:
                    yield from walk(index, x, x.get("/Resources"))

    for index, page in enumerate(pdf.pages):
        yield from walk(index, page, page.obj.get("/Resources"))


def to_unicode(font) -> dict[int, str]:
    """A font's ToUnicode CMap: character code -> text."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            first = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    return out


def shown_codes(operands, font) -> list[int]:
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    strings = [o for a in operands for o in (a if isinstance(a, pikepdf.Array) else [a])
               if isinstance(o, pikepdf.String)]
    codes = []
    for s in strings:
        raw = bytes(s)
        codes += [int.from_bytes(raw[i:i + width], "big") for i in range(0, len(raw), width)]
    return codes


def marked_text(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text shown inside that marked content (page streams)."""
    out: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdf.pages):
        stack: list[int | None] = []
        font = None
        maps: dict = {}
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "BDC":
                props = operands[1]
                stack.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary)
                             and "/MCID" in props else None)
            elif op == "BMC":
                stack.append(None)
            elif op == "EMC":
                stack.pop()
            elif op == "Tf":
                font = page.Resources.Font[str(operands[0])]
                if font.objgen not in maps:
                    maps[font.objgen] = to_unicode(font)
            elif op in ("Tj", "TJ") and stack and stack[-1] is not None:
                text = "".join(maps[font.objgen].get(c, "\ufffd")
                               for c in shown_codes(operands, font))
                key = (index, stack[-1])
                out[key] = out.get(key, "") + text
    return out


def struct_elements(pdf: pikepdf.Pdf):
    """Every structure element reachable from the root, in reading (tree) order."""
    seen = set()

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                yield from walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and node.objgen not in seen:
            seen.add(node.objgen)
            if node.get("/Type") in (None, "/StructElem") and "/S" in node:
                yield node
            kids = node.get("/K")
            if kids is not None:
                yield from walk(kids)

    yield from walk(pdf.Root.StructTreeRoot.K)


def mcids_of(element) -> list[int]:
    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    out = []
    for kid in kids:
        if isinstance(kid, int):
            out.append(int(kid))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR":
            out += mcids_of(kid)
    return out


def named_destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> 0-based page index."""
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    names = pdf.Root.Names.Dests.Names
    return {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}


# ------------------------------------------------------------------ print: PDF/X-4


def test_print_is_pdf_x4_with_a_fogra39_output_intent(pdfs):
    with pikepdf.open(pdfs["print"]) as pdf:
        assert pdf.pdf_version == "1.6" and not pdf.is_encrypted
        meta = xmp(pdf)
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False" and pdf.docinfo["/Trapped"] == "/False"
        assert meta["xmpMM:DocumentID"].startswith("xmp.did:")
        assert meta["xmpMM:VersionID"] == "1" and meta["xmpMM:RenditionClass"] == "proof:pdf"
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"] != ""
        assert len(pdf.trailer.ID) == 2
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        profile = intent.DestOutputProfile
        assert profile.N == 4
        icc = profile.read_bytes()
        assert icc == PRINT_PROFILE.read_bytes()
        assert icc[36:40] == b"acsp" and icc[12:16] == b"prtr" and icc[16:20] == b"CMYK"
        assert icc[8] in (2, 4)  # ICC major version


def test_print_pages_are_a4_trimmed_with_3mm_bleed(pdfs):
    with pikepdf.open(pdfs["print"]) as pdf:
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            assert trim == pytest.approx([0, 0, *A4], abs=0.01)
            grown = [-BLEED, -BLEED, A4[0] + BLEED, A4[1] + BLEED]
            assert [float(v) for v in page.BleedBox] == pytest.approx(grown, abs=0.01)
            # the media holds the crop marks outside the bleed
            marks = derive.MARK_OFFSET + derive.MARK_LENGTH
            media = [-BLEED - marks, -BLEED - marks, A4[0] + BLEED + marks,
                     A4[1] + BLEED + marks]
            assert [float(v) for v in page.MediaBox] == pytest.approx(media, abs=0.01)


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_print_pages_are_a_multiple_of_4_padded_before_the_back_cover(pdfs, built, lang):
    """German fills 16 pages, a multiple of 4 already; Russian's 17 take 3
    blank pages before the back cover."""
    editions = pdfs if lang == "de" else {e: built("kazakhstan", lang, e)
                                          for e in ("screen", "print")}
    printed = [flat(t) for t in page_texts(editions["print"])]
    screen = [flat(t) for t in page_texts(editions["screen"])]
    assert len(printed) % 4 == 0 and 0 <= len(printed) - len(screen) < 4
    assert lang == "de" or len(printed) > len(screen)  # the measure sees padding
    blank = [i for i, t in enumerate(printed) if not t]
    n = len(printed)
    assert blank == list(range(n - 1 - len(blank), n - 1))  # together, just before the back
    assert len(screen) + len(blank) == n
    page_of = re.compile(r"(?m)^\d+$")  # the folio, a number on a line of its own
    kept = [t for t in printed if t]
    assert [page_of.sub("", t) for t in kept] == [page_of.sub("", t) for t in screen]
    assert re.search(r"(?m)^3$", page_texts(editions["print"])[2])  # the contents' folio


def test_print_is_the_one_layout_with_bleed_and_blank_pages(pdfs, tmp_path, cache_dir,
                                                             monkeypatch):
    """The print edition is not laid out on its own: it is the profile's one
    layout, written with the bleed and blank pages added after layout. So a
    print build lays out once, and its pages sit exactly where the screen
    edition's do (the same words at the same places, within the trim)."""
    from mgi_report import pipeline as builder

    layouts = []
    real = builder.render
    monkeypatch.setattr(builder, "render", lambda *a, **k: layouts.append(1) or real(*a, **k))
    out = build(Request("kazakhstan", "de", DEFAULT_CONTENT, tmp_path / "p.pdf", "print",
                        cache=cache_dir))
    assert len(layouts) == 1
    assert out.read_bytes() == pdfs["print"].read_bytes()

    def words(page, shift=0.0):
        return [(w.x0 - shift, w.y0 - shift, w.text) for line in page.lines for w in line.words]

    # pdftotext measures from the MediaBox: the print page's starts 3 mm + 7 mm out
    shift = 10 * typeset.MM
    screen_pages, print_pages = typeset.pages(pdfs["screen"]), typeset.pages(pdfs["print"])
    for page in (1, 4, 9):
        screen = words(screen_pages[page - 1])
        printed = words(print_pages[page - 1], shift)
        assert screen and len(screen) == len(printed), page
        for (sx, sy, sw), (px, py, pw) in zip(screen, printed):
            assert sw == pw and abs(sx - px) <= 0.2 and abs(sy - py) <= 0.2, (page, sw, pw)


def _fill_colours(pdf) -> tuple[set[str], list[tuple[int, str]]]:
    """CMYK values set anywhere, and every colour operator that is not CMYK."""
    cmyk, other = set(), []
    space = {}  # "fill"/"stroke" -> the last colour space set (all are DeviceCMYK here)
    for page, resources, operands, op in content_ops(pdf):
        side = "fill" if op.islower() else "stroke"
        if op in ("cs", "CS"):
            space[side] = str(operands[0])
        elif op in ("rg", "RG", "sc", "SC"):
            other.append((page, op))
        elif op in ("scn", "SCN"):
            if space.get(side) == f"/{derive.MARK_SPACE}":  # crop marks: registration
                sep = resources.ColorSpace[space[side]]
                if not (sep[0] == "/Separation" and sep[1] == "/All"):
                    other.append((page, f"{space.get(side)} {op}"))
                continue
            if space.get(side) != "/DeviceCMYK":
                other.append((page, f"{space.get(side)} {op}"))
            cmyk.add(" ".join(f"{float(v):g}" for v in operands))
        elif op in ("k", "K"):
            cmyk.add(" ".join(f"{float(v):g}" for v in operands))
    return cmyk, other


def test_print_colours_are_all_cmyk_including_the_wheels(pdfs):
    with pikepdf.open(pdfs["print"]) as pdf:
        cmyk_values, other = _fill_colours(pdf)
        assert not other, other[:5]
        expected = {" ".join(f"{v:g}" for v in c) for c in [BRAND_CMYK, *(d.cmyk for d in DOMAINS)]}
        assert expected <= cmyk_values
        assert "0 0 0 1" in cmyk_values  # body text in black ink only
        wheel_grey = cmyk.to_cmyk(0xd9 / 255, 0xdd / 255, 0xe2 / 255)  # only in the SVG wheels
        assert " ".join(f"{v:g}" for v in wheel_grey) in cmyk_values
        for page in pdf.pages:
            for space in (page.Resources.get("/ColorSpace") or {}).values():
                assert not (isinstance(space, pikepdf.Name) and space == "/DeviceRGB")
            for x in (page.Resources.get("/XObject") or {}).values():
                assert x.get("/ColorSpace") != "/DeviceRGB"
        # the cover: brand colour and all six domain colours (the stripe, the wheel)
        first = {" ".join(f"{float(v):g}" for v in o)
                 for o, op in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(op) in ("scn", "k")}
        assert expected <= first


def test_colours_not_in_the_palette_go_through_the_output_profile():
    red = cmyk.to_cmyk(1, 0, 0)  # not in the palette: through the FOGRA39 profile
    assert red[0] < 0.1 and red[1] > 0.8 and red[2] > 0.8 and red[3] < 0.1
    assert cmyk.to_cmyk(0x5b / 255, 0x66 / 255, 0x70 / 255) == (0, 0, 0, 0.7)  # a house grey
    assert cmyk.to_cmyk(0x80 / 255, 0x82 / 255, 0x84 / 255)[:3] == (0, 0, 0)  # any grey: K


def test_print_leaves_no_rgb_when_a_layout_adds_colours_and_marks(tmp_path, cache_dir):
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    own = (LAYOUTS / "profile.css").read_text()
    (layouts / "profile.css").write_text(
        own + "@page { marks: crop }\n.cover-title { color: #ff0000 }\n")
    out = build(Request("kazakhstan", "de", DEFAULT_CONTENT, tmp_path / "p.pdf", "print",
                        layouts=(layouts,), cache=cache_dir))
    with pikepdf.open(out) as pdf:
        cmyk_values, other = _fill_colours(pdf)
        assert not other, other[:5]
        assert " ".join(f"{v:g}" for v in cmyk.to_cmyk(1, 0, 0)) in cmyk_values
        assert len(pdf.pages) % 4 == 0


def test_print_has_crop_marks_on_top_and_no_links(pdfs):
    with pikepdf.open(pdfs["print"]) as pdf:
        for page in pdf.pages:
            assert "/Annots" not in page
            ops = list(pikepdf.parse_content_stream(page))
            tail = [(o, str(op)) for o, op in ops[-40:]]
            assert tail[-1][1] == "Q"
            # the marks' colour: registration, a Separation named All (every plate)
            space = [o[0] for o, op in tail if op == "CS"][-1]
            sep = page.Resources.ColorSpace[space]
            assert (sep[0], sep[1]) == ("/Separation", "/All")
            assert [float(v) for o, op in tail if op == "SCN" for v in o] == [1]
            points = [(float(o[0]), float(o[1])) for o, op in tail if op in ("m", "l")]
            media = [float(v) for v in page.MediaBox]
            assert len(points) == 16
            for x, y in points:  # on the media, outside the bleed (never over artwork)
                assert media[0] - 0.01 <= x <= media[2] + 0.01
                assert media[1] - 0.01 <= y <= media[3] + 0.01
                assert not (-BLEED < x < A4[0] + BLEED and -BLEED < y < A4[1] + BLEED)


def test_print_fonts_embedded_and_no_images_below_300_dpi(pdfs):
    used = fonts(pdfs["print"])
    assert used and all(used.values()), used
    with pikepdf.open(pdfs["print"]) as pdf:
        images = [x for p in pdf.pages for x in (p.Resources.get("/XObject") or {}).values()
                  if x.get("/Subtype") == "/Image"]
        assert not images  # the wheels are vector drawings


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(buf, format="PNG")
    return buf.getvalue()


def _with_logo(content: Path, data: bytes) -> None:
    (content / "kazakhstan" / "logo.png").write_bytes(data)
    profile = content / "kazakhstan" / "profile.yaml"
    profile.write_text(profile.read_text() + "logo: logo.png\n")


def test_print_refuses_a_low_resolution_logo(content_copy, tmp_path, cache_dir):
    _with_logo(content_copy, _png(120, 36))  # 60 mm wide: about 50 dpi
    out = tmp_path / "p.pdf"
    with pytest.raises(RenderError, match="300 dpi"):
        build(Request("kazakhstan", "de", content_copy, out, "print", cache=cache_dir))
    assert not out.exists()


def test_print_places_a_sharp_raster_logo_with_an_icc_profile(content_copy, tmp_path, cache_dir):
    _with_logo(content_copy, _png(1200, 360))  # 60 x 18 mm: 508 dpi
    pdf_path = build(Request("kazakhstan", "de", content_copy, tmp_path / "p.pdf", "print",
                             cache=cache_dir))
    with pikepdf.open(pdf_path) as pdf:
        [logo] = [x for x in (pdf.pages[0].Resources.get("/XObject") or {}).values()
                  if x.get("/Subtype") == "/Image" and x.Width == 1200]
        space = logo.ColorSpace
        assert space[0] == "/ICCBased" and space[1].N == 3


def test_print_refuses_a_draft_at_its_draft_key(content_copy, tmp_path, capsys):
    de = content_copy / "kazakhstan" / "de.yaml"
    lines = de.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("translation_of:")) + 1
    lines.insert(at, "draft: true\n")
    de.write_text("".join(lines))
    out = tmp_path / "draft.pdf"
    with pytest.raises(ContentError) as err:
        build(Request("kazakhstan", "de", content_copy, out, "print"))
    [problem] = err.value.problems
    assert problem.path.endswith("de.yaml") and (problem.line, problem.col) == (at + 1, 1)
    assert "draft" in problem.message
    code = main(["build", "kazakhstan", "--lang", "de", "--edition", "print",
                 "--content", str(content_copy), "-o", str(out)])
    assert code == 1 and not out.exists()
    assert f"de.yaml:{at + 1}:1:" in capsys.readouterr().err


# ------------------------------------------------------------------ archive: PDF/A-3a + PDF/UA-1


def test_archive_is_pdf_a3a_with_matching_info_and_xmp(pdfs):
    with pikepdf.open(pdfs["archive"]) as pdf:
        assert pdf.pdf_version == "1.7" and not pdf.is_encrypted
        meta, info = xmp(pdf), pdf.docinfo
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
        assert meta["pdfuaid:part"] == "1"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        assert str(info["/Title"]) == meta["dc:title"]
        assert str(info["/Author"]) in meta["dc:creator"]
        assert str(info["/Subject"]) == meta["dc:description"]
        assert str(info["/Keywords"]) == meta["pdf:Keywords"]
        assert str(info["/Creator"]) == meta["xmp:CreatorTool"]
        assert str(info["/Producer"]) == meta["pdf:Producer"]
        assert str(info["/CreationDate"]) == "D:20180501000000Z"
        assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"] == "2018-05-01T00:00:00Z"
        assert pdf.Root.MarkInfo.Marked is True


@pytest.mark.parametrize("edition", ["archive", "screen"])
def test_every_glyph_is_embedded_and_maps_to_unicode(pdfs, edition):
    used = fonts(pdfs[edition])
    assert used and all(used.values()), used
    with pikepdf.open(pdfs[edition]) as pdf:
        font = None
        missing = set()
        for _, resources, operands, op in content_ops(pdf):
            if op == "Tf":
                font = resources.Font[str(operands[0])]
                cmap = to_unicode(font)
            elif op in ("Tj", "TJ", "'", '"'):
                missing |= {(str(font.BaseFont), c) for c in shown_codes(operands, font)
                            if c not in cmap}
        assert not missing


def test_archive_carries_its_sources_as_associated_files(pdfs):
    with pikepdf.open(pdfs["archive"]) as pdf:
        af = list(pdf.Root.AF)
        assert len({f.objgen for f in af}) == len(af) == 3  # and the series' publisher.yaml
        names = {}
        for spec in af:
            assert spec.Type == "/Filespec" and spec.AFRelationship == "/Source"
            assert str(spec.F) == str(spec.UF) and str(spec.Desc).startswith(
                "Source: publisher.yaml" if str(spec.F) == "publisher.yaml" else
                "Source: kazakhstan/")
            stream = spec.EF.F
            data = stream.read_bytes()
            assert stream.Subtype == "/application/yaml"
            assert bytes(stream.Params.CheckSum) == hashlib.md5(data).digest()
            assert int(stream.Params.Size) == len(data)
            assert str(stream.Params.ModDate) == "D:20180501000000Z"
            names[str(spec.UF)] = data
        assert names == {"profile.yaml": (KAZ / "profile.yaml").read_bytes(),
                         "de.yaml": (KAZ / "de.yaml").read_bytes(),
                         "publisher.yaml": (KAZ.parent / "publisher.yaml").read_bytes()}
        assert set(pdf.attachments) == set(names)


def test_extract_gives_back_the_sources_byte_for_byte(pdfs, tmp_path, capsys):
    assert main(["extract", str(pdfs["archive"]), str(tmp_path / "out")]) == 0
    written = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in written) == ["de.yaml", "profile.yaml",
                                                     "publisher.yaml"]
    for name in ("profile.yaml", "de.yaml"):
        assert (tmp_path / "out" / name).read_bytes() == (KAZ / name).read_bytes()
    assert (tmp_path / "out" / "publisher.yaml").read_bytes() == \
        (KAZ.parent / "publisher.yaml").read_bytes()  # the content root's
    assert main(["extract", str(pdfs["screen"]), str(tmp_path / "none")]) == 2
    assert "no embedded files" in capsys.readouterr().err


def test_extract_keeps_names_inside_the_folder():
    for good in ("profile.yaml", "de.yaml", "logo.svg", "Logo 2.PNG"):
        assert attachments._checked_name("x.pdf", good) == good
    for bad in ("..", "", "/", ".hidden", "../../etc/passwd", "C:\\x\\de.yaml", "Makefile"):
        with pytest.raises(attachments.DamagedAttachment):
            attachments._checked_name("x.pdf", bad)


# ------------------------------------------------------------------ screen: PDF/UA-1


def test_screen_is_tagged_pdf_ua1(pdfs):
    with pikepdf.open(pdfs["screen"]) as pdf:
        meta = xmp(pdf)
        assert meta["pdfuaid:part"] == "1" and meta["dc:title"]
        assert str(pdf.Root.Lang) == "de"
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert "/StructTreeRoot" in pdf.Root and not pdf.is_encrypted
        assert all(page.Tabs == "/S" for page in pdf.pages)


def test_screen_headings_lists_and_figures_are_tagged_in_reading_order(pdfs):
    html = compose(prepare(Request("kazakhstan", "de", DEFAULT_CONTENT)))
    headings = [(f"/H{level}", " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", body)).split()))
                for level, body in re.findall(r"<h([1-3])\b[^>]*>(.*?)</h\1>", html, re.S)]
    with pikepdf.open(pdfs["screen"]) as pdf:
        texts = marked_text(pdf)
        page_index = {p.objgen: i for i, p in enumerate(pdf.pages)}
        elements = list(struct_elements(pdf))
        found = []
        pages = []
        for e in elements:
            if "/Pg" in e:
                pages.append(page_index[e.Pg.objgen])
            if str(e.S) in ("/H1", "/H2", "/H3"):
                page = page_index[e.Pg.objgen]
                text = " ".join(texts.get((page, m), "") for m in mcids_of(e))
                found.append((str(e.S), " ".join(text.split())))
        assert found == headings
        assert pages == sorted(pages)  # the tree follows the pages
        kinds = [str(e.S) for e in elements]
        lists = len(re.findall(r"<(?:ul|ol|dl)\b", html))
        assert kinds.count("/L") >= lists and kinds.count("/LI") >= 6
        figures = [e for e in elements if e.S == "/Figure"]
        assert len(figures) >= 8  # cover wheel, full wheel, six domain wheels
        alts = [str(f.get("/Alt", "")) for f in figures]
        assert all(alts), alts
        assert any(all(s in alt for s in ("Die Rechte", "Partnerschaften")) for alt in alts)


def test_screen_content_is_either_tagged_or_an_artifact(pdfs):
    with pikepdf.open(pdfs["screen"]) as pdf:
        reachable = {e.objgen for e in struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for index, page in enumerate(pdf.pages):
            depth, used = 0, []
            for operands, op in pikepdf.parse_content_stream(page):
                op = str(op)
                if op in ("BDC", "BMC"):
                    depth += 1
                    if op == "BDC" and "/MCID" in operands[1]:
                        used.append(int(operands[1].MCID))
                elif op == "EMC":
                    depth -= 1
                elif op in ("Tj", "TJ", "'", '"', "Do", "f", "f*", "S", "B", "sh"):
                    assert depth > 0, (index, op)
            array = parents[int(page.StructParents)]
            for mcid in used:
                assert array[mcid].objgen in reachable, (index, mcid)


def test_screen_contents_and_wheel_link_to_their_sections(pdfs):
    marks = outline(pdfs["screen"])
    titles = [t for _, t in marks]
    for title in ["Einleitung", "Über die Indikatoren der Migrationspolitik",
                  "Wichtigste Ergebnisse"]:
        assert title in titles
    assert [t[0] for t in titles if re.match(r"^\d\. ", t)] == list("123456")
    with pikepdf.open(pdfs["screen"]) as pdf:
        dests = named_destinations(pdf)
        texts = [flat(t) for t in page_texts(pdfs["screen"])]
        for n in range(1, 7):
            assert re.search(rf"\bDIMENSION {n}\b", texts[dests[f'domain-{n}']])
        annotated = {}
        wheel = next(i for i in range(3, len(pdf.pages))  # the introduction's full wheel
                     if any(a.Subtype == "/Link" for a in pdf.pages[i].get("/Annots", [])))
        for index in (2, wheel):  # the contents page, the full wheel
            links = [a for a in pdf.pages[index].get("/Annots", []) if a.Subtype == "/Link"]
            annotated[index] = list(dict.fromkeys(str(a.Dest) for a in links))
            for a in links:
                assert str(a.Contents) and "/StructParent" in a
        assert annotated[2] == ["objectives", "introduction", "framework", "process",
                                "key-findings"] + [f"domain-{n}" for n in range(1, 7)] + [
            "sources", "acronyms"]
        assert dests["introduction"] <= wheel
        assert sorted(annotated[wheel]) == [f"domain-{n}" for n in range(1, 7)]
        links = [e for e in struct_elements(pdf) if e.S == "/Link"]
        objrs = [k for e in links for k in (e.K if isinstance(e.K, pikepdf.Array) else [e.K])
                 if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
        assert len(objrs) >= 14


# ------------------------------------------------------------------ every edition


def test_another_process_builds_the_same_bytes(pdfs, tmp_path, cache_dir):
    """A fresh process, with another hash seed, writes each edition byte for byte
    (one command for the three: `build --edition` lays out once, and each of its
    files is that edition's single build, test_batch)."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "random", "MGI_REPORT_CACHE": str(cache_dir)}
    subprocess.run([sys.executable, "-m", "mgi_report.cli", "build", "kazakhstan",
                    "--lang", "de", "--edition", "screen,print,archive", "--out", str(out)],
                   check=True, env=env, capture_output=True, timeout=180)
    for edition in ("screen", "print", "archive"):
        again = out / Request("kazakhstan", "de", DEFAULT_CONTENT,
                              edition=edition).default_output()
        assert again.read_bytes() == pdfs[edition].read_bytes(), edition
        with pikepdf.open(again) as pdf:
            ident = bytes(pdf.trailer.ID[0])
            assert len(ident) == 32 and not pdf.is_encrypted


def test_extract_into_a_file_is_a_clear_error(pdfs, tmp_path, capsys):
    from mgi_report.cli import main

    target = tmp_path / "afile"
    target.write_text("x")
    assert main(["extract", str(pdfs["archive"]), str(target)]) == 3
    err = capsys.readouterr().err
    assert "cannot write into" in err and "internal error" not in err


def test_print_refuses_a_colour_it_cannot_make_cmyk(tmp_path, cache_dir):
    """Colours are made CMYK in the drawn PDF from sRGB; a Lab-based colour of a
    layout is refused, located in words, and no print PDF is written; the screen
    edition of the same layout is written."""
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    own = (LAYOUTS / "profile.css").read_text()
    (layouts / "profile.css").write_text(own + ".cover-title { color: lab(50 20 -30) }\n")
    out = tmp_path / "out"
    code = main(["build", "kazakhstan", "--lang", "de", "--layouts", str(layouts),
                 "--edition", "screen,print", "--out", str(out)])
    assert code == 3
    assert (out / "kazakhstan-de.pdf").exists()
    assert not (out / "kazakhstan-de-print.pdf").exists()
    assert not list(out.glob(".*.tmp"))
