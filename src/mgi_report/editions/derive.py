"""The archive and print editions, derived from the screen edition's PDF.

WeasyPrint draws a profile once: the screen edition (PDF/UA-1, tagged). The
other two editions draw the same pages, so they are made from that PDF with
pikepdf rather than drawn and written again:

- **archive** (PDF/A-3a, PDF/UA-1 as well): the screen edition's pages, tags,
  links and bookmarks, plus its identification (XMP), the sRGB output intent,
  the content files as associated files (relationship Source) and printable
  link annotations. Nothing on a page changes.
- **print** (PDF/X-4): the same drawing with the layout's bleed as BleedBox
  (WeasyPrint already draws the covers' colour 3 mm past the trim; the screen
  edition's MediaBox cuts it off), crop marks outside it, blank pages before the
  back cover up to a multiple of four, every colour CMYK (``colour.to_cmyk``),
  RGB images tagged sRGB, the FOGRA39 output intent, no links, no tags.

Each derived page's content is the screen page's, changed only as listed: the
tests compare them with what WeasyPrint draws for each edition on its own
(``tests/test_derived_editions.py``). The file's bytes are written by qpdf
(through pikepdf), with unchanged streams copied as they are; the file ID's
first half derives from the HTML as the screen edition's does, the second from
the file's content, so a derived edition is reproducible.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from typing import TYPE_CHECKING

from ..errors import RenderError
from ..resources import PRINT_PROFILE
from . import colour as cmyk
from . import xmp
from .document import back_cover_at
from .specs import SPECS

if TYPE_CHECKING:
    from ..compose.job import Job

#: How the print edition's output intent names its printing condition (ICC
#: characterization registry); ``Info`` is the profile's own description.
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing according to ISO 12647-2:2004/Amd 1, "
                       "paper type 1 or 2 (coated art), FOGRA39",
    "Info": "FOGRA39L",
}
#: The archive's output intent: the sRGB profile WeasyPrint ships, as it names it.
SRGB_NAME = "IEC 61966-2-1 Default RGB Colour Space - sRGB"

#: Crop marks, outside the bleed: from MARK_OFFSET past the BleedBox, MARK_LENGTH
#: long, in registration colour (Separation /All: every plate), MARK_WIDTH wide.
MM = 72 / 25.4
MARK_OFFSET, MARK_LENGTH, MARK_WIDTH = 2 * MM, 5 * MM, 0.25
#: The colour space of the marks, in the pages' resources.
MARK_SPACE = "MGIRegistration"

NOT_CMYK = "the print edition is CMYK only, and "


def derive(screen: bytes, job: Job, laid_out, identifier: bytes) -> bytes:
    """``job.edition`` (archive or print) made from ``screen``, the screen
    edition's PDF of the layout ``laid_out``. ``identifier``: the edition's file
    ID (``pipeline.file_identifier``)."""
    import pikepdf

    spec = SPECS[job.edition]
    pdf = pikepdf.open(io.BytesIO(screen))
    metadata = laid_out.metadata
    lang = getattr(metadata, "lang", None)
    isbn = job.profile.publication.isbn
    if spec.cmyk:
        _printed(pdf, laid_out, spec.page_multiple)
        packet = xmp.packet(metadata, "x", 4, "PDF/X-4")
        pdf.docinfo["/Trapped"] = pikepdf.Name("/False")
        version = "1.6"  # PDF/X-4 is PDF 1.6
    else:
        _archived(pdf, job)
        packet = xmp.packet(metadata, "a", 3, "A")
        version = ""
    packet = xmp.described(xmp.pinned_ids(packet, identifier), isbn, lang)
    if spec.pdf_ua:
        packet = xmp.with_pdf_ua(packet)
    pdf.Root.Metadata = pikepdf.Stream(pdf, packet, Type=pikepdf.Name.Metadata,
                                       Subtype=pikepdf.Name.XML)
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier),
                                    pikepdf.String(identifier)])
    _compressed(pdf)
    return _saved(pdf, version)


def _saved(pdf, version: str) -> bytes:
    """The file as qpdf writes it: PDF/A-minded (an end-of-line before each
    ``endstream``), the XMP packet plain, the streams as ``_compressed`` left
    them, the ID's second half from the content (not the clock).

    qpdf compresses the object and cross-reference streams it makes itself, and
    a Flate stream's last byte is its data's checksum's: one in 256 ends in CR.
    Then the objects are grouped as qpdf chooses instead of as WeasyPrint did
    (other streams, other checksums), and failing that written without object
    streams (a larger file, never ambiguous)."""
    import pikepdf

    modes = (pikepdf.ObjectStreamMode.preserve, pikepdf.ObjectStreamMode.generate,
             pikepdf.ObjectStreamMode.disable)
    for mode in modes:
        out = io.BytesIO()
        pdf.save(out, force_version=version, deterministic_id=True, compress_streams=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,  # each stream as it is
                 object_stream_mode=mode, fix_metadata_version=False, preserve_pdfa=True)
        data = out.getvalue()
        if b"\r\nendstream" not in data:
            return data
    raise RenderError("internal error: a stream of the PDF ends in CR")  # not reached


def _compressed(pdf) -> None:
    """Every stream compressed but the XMP packet (plain, as PDF/A asks), and
    none whose data ends in CR: qpdf writes LF before ``endstream``, and data
    ending in CR would then read as ending in a CR LF end-of-line, one byte short
    of its ``/Length`` (validators say so). A Flate stream ends in its data's
    checksum, so one in 256 does: that one is compressed again as one PNG
    predictor row (a type byte, then the same data; ``_packed``)."""
    import pikepdf

    metadata = pdf.Root.Metadata.objgen
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.objgen == metadata:
            continue
        if obj.get("/Filter") is not None and not obj.read_raw_bytes().endswith(b"\r"):
            continue
        packed, parms = _packed(obj.read_bytes())
        if "/DecodeParms" in obj:
            del obj["/DecodeParms"]
        obj.write(packed, filter=pikepdf.Name.FlateDecode, decode_parms=parms)


def _packed(data: bytes):
    """(Flate data that does not end in CR, its DecodeParms or None). The data
    as it is, else as one PNG predictor row of type None (0) or Up (2, over the
    zero row before the first: the same bytes): each a different checksum."""
    import zlib

    import pikepdf

    packed = zlib.compress(data)
    if not packed.endswith(b"\r"):
        return packed, None
    for kind in (0, 2):
        packed = zlib.compress(bytes([kind]) + data)
        if not packed.endswith(b"\r"):
            return packed, pikepdf.Dictionary(Predictor=10 + kind, Colors=1,
                                              BitsPerComponent=8, Columns=len(data))
    raise RenderError("internal error: no compression of a stream avoids a CR at its end")


# ------------------------------------------------------------------ archive


def _archived(pdf, job: Job) -> None:
    """The archive: the sRGB output intent, the content files as associated
    files (Source), every link annotation printable (PDF/A)."""
    import pikepdf

    from .attachments import source_payloads

    profile = pikepdf.Stream(pdf, _srgb_bytes(), N=3)
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(SRGB_NAME), Info=pikepdf.String(SRGB_NAME),
        DestOutputProfile=profile)])
    specs = []
    for name, mime, data, description, when in source_payloads(job):
        stamp = pikepdf.String(when.strftime("D:%Y%m%d%H%M%SZ"))
        stream = pikepdf.Stream(pdf, data, Type=pikepdf.Name.EmbeddedFile,
                                Subtype=pikepdf.Name("/" + mime),
                                Params=pikepdf.Dictionary(
                                    CheckSum=pikepdf.String(hashlib.md5(
                                        data, usedforsecurity=False).digest()),
                                    Size=len(data), CreationDate=stamp, ModDate=stamp))
        filespec = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name),
            EF=pikepdf.Dictionary(F=stream), Desc=pikepdf.String(description),
            AFRelationship=pikepdf.Name.Source))
        specs.append((name, filespec))
    if specs:
        names = pikepdf.Array()
        for name, filespec in sorted(specs, key=lambda s: s[0].encode("utf-8")):
            names.extend([pikepdf.String(name), filespec])  # a name tree is sorted
        if "/Names" not in pdf.Root:
            pdf.Root.Names = pikepdf.Dictionary()
        pdf.Root.Names.EmbeddedFiles = pdf.make_indirect(pikepdf.Dictionary(Names=names))
        pdf.Root.AF = pikepdf.Array([filespec for _, filespec in specs])
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            annot.F = 4  # print
    for obj in pdf.objects:  # PDF/A: no image interpolation (a layout's raster image)
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" \
                and bool(obj.get("/Interpolate", False)):
            obj.Interpolate = False


@functools.lru_cache(maxsize=1)
def _srgb_bytes() -> bytes:
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


# ------------------------------------------------------------------ print


def _printed(pdf, laid_out, multiple: int) -> None:
    """The print edition from the screen edition's pages: see the module's docstring."""
    import pikepdf

    for key in ("/StructTreeRoot", "/MarkInfo"):
        if key in pdf.Root:
            del pdf.Root[key]
    prefs = pdf.Root.get("/ViewerPreferences")
    if prefs is not None and "/DisplayDocTitle" in prefs:
        del prefs["/DisplayDocTitle"]
        if not prefs.keys():
            del pdf.Root["/ViewerPreferences"]
    _no_shadings(pdf)
    forms = _form_streams(pdf)
    for stream in forms:
        stream.write(_cmyk_content(_untagged(stream.read_bytes())))
    srgb = None
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" and \
                obj.get("/ColorSpace") == "/DeviceRGB":
            if srgb is None:
                srgb = pikepdf.Stream(pdf, _srgb_bytes(), N=3)
            obj.ColorSpace = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
    profile = pikepdf.Stream(pdf, PRINT_PROFILE.read_bytes(), N=4)
    _groups_blend_in(pdf, pikepdf.Array([pikepdf.Name.ICCBased, profile]))
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX, DestOutputProfile=profile,
        **{k: pikepdf.String(v) for k, v in OUTPUT_CONDITION.items()})])
    registration = pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1],
                           N=1)])
    for page, laid_out_page in zip(pdf.pages, laid_out.pages, strict=True):
        obj = page.obj
        for key in ("/StructParents", "/Tabs", "/Annots"):
            if key in obj:
                del obj[key]
        content = _cmyk_content(_untagged(_page_content(page)))
        _with_boxes(obj, laid_out_page)
        page.Contents = pdf.make_stream(b"q\n" + content + b"\nQ\n" + _marks(obj))
        _add_mark_space(pdf, obj, registration)
    missing = -len(pdf.pages) % multiple
    if missing:
        at = back_cover_at(laid_out.pages)  # only when blank pages are wanted
        at = len(pdf.pages) if at is None else at
        model = pdf.pages[max(at - 1, 0)].obj
        for _ in range(missing):
            blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=model.MediaBox,
                                       BleedBox=model.BleedBox, TrimBox=model.TrimBox,
                                       Resources=model.Resources)
            blank.Contents = pdf.make_stream(b"q\nQ\n" + _marks(blank))
            pdf.pages.insert(at, pikepdf.Page(blank))


def _groups_blend_in(pdf, space) -> None:
    """Every transparency group (opacity, soft masks: forms and pages) blends in
    the output profile's CMYK, as WeasyPrint sets it when it draws for a CMYK
    output intent, not in the screen edition's DeviceRGB: a PDF/X-4 preflight
    flags an RGB blending space, and a RIP blending there would mix the house
    greys and hand-picked colours into four inks."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        group = obj.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency" \
                and group.get("/CS") in ("/DeviceRGB", "/DeviceGray"):
            group.CS = space


def _page_content(page) -> bytes:
    contents = page.obj.Contents
    if hasattr(contents, "read_bytes"):
        return contents.read_bytes()
    return b"\n".join(part.read_bytes() for part in contents)


def _form_streams(pdf) -> list:
    """The content streams besides the pages': form XObjects (groups, SVG
    drawings) and tiling patterns."""
    import pikepdf

    out = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (
                obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1):
            out.append(obj)
    return out


def _no_shadings(pdf) -> None:
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) and "/ShadingType" in obj \
                and obj.get("/ColorSpace") not in ("/DeviceCMYK", "/DeviceGray"):
            raise RenderError(NOT_CMYK + "the layout draws a gradient (a CSS gradient, or "
                              "a blurred box-shadow), which it does not convert: use plain "
                              "colours")


_BOX = ("/MediaBox", "/BleedBox", "/TrimBox")


def _with_boxes(page, laid_out_page) -> None:
    """The layout's bleed around the trim as the BleedBox, and the MediaBox grown
    to hold it and the crop marks: the boxes WeasyPrint writes for a page with
    its bleed (``weasyprint.pdf.generate_pdf``), computed the same way."""
    import pikepdf

    scale = 0.75  # CSS px -> PDF points
    bleed = {key: value * scale for key, value in laid_out_page.bleed.items()}
    left, top = -bleed["left"], -bleed["top"]
    right = left + scale * laid_out_page.width + bleed["left"] + bleed["right"]
    bottom = top + scale * laid_out_page.height + bleed["top"] + bleed["bottom"]
    trim = (left + bleed["left"], top + bleed["top"],
            right - bleed["right"], bottom - bleed["bottom"])
    bx0, by0 = trim[0] - min(10, bleed["left"]), trim[1] - min(10, bleed["top"])
    bx1, by1 = trim[2] + min(10, bleed["right"]), trim[3] + min(10, bleed["bottom"])
    far = MARK_OFFSET + MARK_LENGTH
    page.TrimBox = pikepdf.Array(trim)
    page.BleedBox = pikepdf.Array([bx0, by0, bx1, by1])
    page.MediaBox = pikepdf.Array([bx0 - far, by0 - far, bx1 + far, by1 + far])


def _marks(page) -> bytes:
    """Crop marks on each trim line, outside the BleedBox, so that they never
    print over bleeding artwork, in registration colour, in a state of their own."""
    bx0, by0, bx1, by1 = (float(v) for v in page.BleedBox)
    tx0, ty0, tx1, ty1 = (float(v) for v in page.TrimBox)
    near, far = MARK_OFFSET, MARK_OFFSET + MARK_LENGTH
    lines = []
    for x in (tx0, tx1):  # vertical marks below and above the page
        lines += [f"{x:.3f} {by0 - near:.3f} m {x:.3f} {by0 - far:.3f} l",
                  f"{x:.3f} {by1 + near:.3f} m {x:.3f} {by1 + far:.3f} l"]
    for y in (ty0, ty1):  # horizontal marks left and right of the page
        lines += [f"{bx0 - near:.3f} {y:.3f} m {bx0 - far:.3f} {y:.3f} l",
                  f"{bx1 + near:.3f} {y:.3f} m {bx1 + far:.3f} {y:.3f} l"]
    return (f"q 0 J /{MARK_SPACE} CS 1 SCN {MARK_WIDTH:g} w "
            f"{' '.join(lines)} S Q").encode()


def _add_mark_space(pdf, page, registration) -> None:
    import pikepdf

    resources = page.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace["/" + MARK_SPACE] = registration


#: Marked content as WeasyPrint writes it, one token a line: ``/Span``,
#: ``<</MCID 3>>``, ``BDC`` … ``EMC``; ``/Artifact``, ``BMC`` … ``EMC``.
_MARKED_RE = re.compile(rb"^/[^\s/<>\[\]()]+\n(?:<<[^\n]*>>\n)?(?:BDC|BMC)\n|^EMC(?:\n|\Z)",
                        re.M)


def _untagged(content: bytes) -> bytes:
    """The content without its marked-content operators (an untagged PDF's)."""
    return _MARKED_RE.sub(b"", content).rstrip(b"\n")


_NUMBER = rb"([-+]?(?:\d+\.?\d*|\.\d+))"
_RGB_RE = re.compile(rb"^%s %s %s (rg|RG)$" % (_NUMBER, _NUMBER, _NUMBER), re.M)
#: Colour spaces WeasyPrint draws Lab-based CSS colours in (lab(), lch(), oklab(),
#: oklch(), color(xyz ...)): not converted (cmyk.to_cmyk takes sRGB). A colour that
#: could not be made CMYK fails the build rather than reaching the print shop.
_LAB_RE = re.compile(rb"^/lab-d(50|65) (cs|CS)$", re.M)


def _cmyk_content(content: bytes) -> bytes:
    """Every colour set in RGB made CMYK: one operator a line, as WeasyPrint
    writes them (text is hex strings, so no line of text can look like one)."""
    if _LAB_RE.search(content):
        raise RenderError(NOT_CMYK + "a colour of the layout or the logo is given in "
                          "lab(), lch(), oklab(), oklch() or color(xyz ...), which it "
                          "does not convert: give it as #rrggbb or rgb()")

    def converted(m: re.Match) -> bytes:
        values = cmyk.to_cmyk(float(m[1]), float(m[2]), float(m[3]))
        return b" ".join(f"{v:g}".encode() for v in values) + \
            (b" K" if m[4] == b"RG" else b" k")

    return _RGB_RE.sub(converted, content)
