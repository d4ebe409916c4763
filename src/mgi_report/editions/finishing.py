"""Last touches to WeasyPrint's PDF (pydyf objects) before it is written.

WeasyPrint calls :func:`finish` (its ``finisher`` option) with the document
and the ``pydyf.PDF`` it is about to write. What is done here, and why:

- every edition: XMP document/instance IDs derived from the file ID (WeasyPrint
  writes a random one for PDF/X-4); the ISBN and the language in XMP (Dublin
  Core); ``/Direction /R2L`` for right-to-left languages; font subsets named by
  a hash of their glyphs (equal names, equal subsets, across files); each
  associated file listed once in /AF;
- ``cmyk`` (print): the output intent named as the registered FOGRA39
  condition; every colour made CMYK; RGB raster images tagged with an sRGB
  profile; ``crop_marks`` (print): crop marks drawn on top of each page;
  without ``links`` (print): no link annotations;
- tagged editions: the structure tree mended for PDF/UA-1 (``structure.py``);
  the archive identified as PDF/UA-1 as well as PDF/A-3a;
- every edition: XMP metadata uncompressed, and a CR LF end-of-line before
  ``endstream`` where a stream's data ends in CR (so no reader can dispute its
  ``/Length``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..engine import structure
from ..errors import RenderError
from ..text.i18n import direction
from . import colour as cmyk

if TYPE_CHECKING:
    from .specs import Edition

#: How the output intent names the printing condition (ICC characterization registry).
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing according to ISO 12647-2:2004/Amd 1, "
                       "paper type 1 or 2 (coated art), FOGRA39",
}


def finish(spec: Edition, identifier: bytes, document, pdf, isbn: str | None = None,
           links: dict[str, str] | None = None) -> None:
    """WeasyPrint's finisher: see the module's docstring. ``links``: section id
    -> title, what a link to that section is called."""
    _pin_xmp_ids(pdf, identifier)
    lang = getattr(document.metadata, "lang", None)
    _xmp_description(pdf, isbn, lang)
    if spec.pdf_ua:
        _xmp_pdf_ua(pdf)
    if lang and direction(lang) == "rtl":
        _right_to_left(pdf)
    _subset_tags(pdf)
    if "AF" in pdf.catalog:  # WeasyPrint lists each associated file twice
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))
    if spec.cmyk:
        _name_output_condition(pdf)
        _cmyk_only(pdf)
    if spec.crop_marks:
        for page in _pages(pdf):
            _draw_crop_marks(pdf, page, _obj(pdf, page["Contents"]))
    if not spec.links:
        for page in _pages(pdf):
            page.pop("Annots", None)
    elif links:
        _describe_links(pdf, links)
    if spec.tags:
        structure.conform(pdf)
    _plain_metadata(pdf)
    _unambiguous_stream_ends(pdf)


def _obj(pdf, reference: bytes):
    return pdf.objects[int(reference.split()[0])]


def _pages(pdf) -> list:
    return [_obj(pdf, r) for r in pdf.page_references]


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_XMP_ID_RE = re.compile(rf"(xmp\.did:|xmp\.iid:|uuid:)({_UUID})".encode())


def _stream_bytes(stream) -> bytes:
    """A pydyf stream's data as written (before compression)."""
    return b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)


def _edit_xmp(pdf, edit) -> None:
    """The XMP metadata packet, if there is one, replaced by ``edit(packet)``."""
    if "Metadata" in pdf.catalog:
        stream = _obj(pdf, pdf.catalog["Metadata"])
        stream.stream = [edit(_stream_bytes(stream))]


def _pin_xmp_ids(pdf, identifier: bytes) -> None:
    """XMP document and instance IDs derived from the file ID, not random."""
    def derived(m: re.Match) -> bytes:
        digest = hashlib.sha256(m[1] + identifier).hexdigest()[:32]
        return m[1] + str(uuid.UUID(digest)).encode()

    _edit_xmp(pdf, lambda data: _XMP_ID_RE.sub(derived, data))


def _xmp_description(pdf, isbn: str | None, lang: str | None) -> None:
    """XMP: the ISBN as Dublin Core's identifier (``urn:isbn:…``, digits only) and
    the document's language as ``dc:language``. Dublin Core is predefined in
    PDF/A and PDF/X, so no extension schema is needed."""
    if not (isbn or lang):
        return

    def described(data: bytes) -> bytes:
        parts = b""
        if isbn:
            digits = re.sub(r"[^0-9X]", "", isbn).encode()
            parts += b"<dc:identifier>urn:isbn:" + digits + b"</dc:identifier>"
        if lang and b"<dc:language>" not in data:
            parts += (b"<dc:language><rdf:Bag><rdf:li>" + escape(lang).encode() +
                      b"</rdf:li></rdf:Bag></dc:language>")
        description = (b'<rdf:Description rdf:about="" '
                       b'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                       + parts + b"</rdf:Description>")
        return data.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)

    _edit_xmp(pdf, described)


#: PDF/UA's identification schema, described for PDF/A (which knows only the
#: schemas of XMP 2005 and its own, and wants every other one described).
PDF_UA_ID = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description>"
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b"<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
    b"<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"
    b"<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">"
    b"<pdfaProperty:name>part</pdfaProperty:name>"
    b"<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    b"<pdfaProperty:category>internal</pdfaProperty:category>"
    b"<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed"
    b"</pdfaProperty:description>"
    b"</rdf:li></rdf:Seq></pdfaSchema:property>"
    b"</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>")


def _xmp_pdf_ua(pdf) -> None:
    """The archive identifies as PDF/UA-1 as well as PDF/A-3a: it is tagged like
    the screen edition, and an archive that receives it can tell."""
    _edit_xmp(pdf, lambda data: data if b"pdfuaid:part" in data else
              data.replace(b"</rdf:RDF>", PDF_UA_ID + b"</rdf:RDF>", 1))


def _plain_metadata(pdf) -> None:
    """XMP metadata is not compressed (the XMP specification advises it, PDF/A-2
    and -3 require it): tools that do not parse PDF can find and read it."""
    if "Metadata" in pdf.catalog:
        _obj(pdf, pdf.catalog["Metadata"]).compress = False


def _unambiguous_stream_ends(pdf) -> None:
    """No stream whose ``/Length`` a strict reader could dispute.

    pydyf ends a stream's data with LF before ``endstream``; data (often
    compressed data) that itself ends in CR then reads as ending in a CR LF
    end-of-line, one byte short of its ``/Length``. Such a stream is written
    with CR LF before ``endstream``, so that the end-of-line is the CR LF and
    every byte before it is data."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream):
            obj.__class__ = _eol_class(type(obj))


@functools.lru_cache(maxsize=None)
def _eol_class(cls):
    """``cls`` (pydyf's Stream, or WeasyPrint's) writing CR LF before
    ``endstream`` where its data ends in CR."""
    if getattr(cls, "mgi_eol", False):
        return cls
    end = b"\nendstream"

    def data(self):
        written = super(eol, self).data
        return written[:-len(end)] + b"\r" + end if written[:-len(end)].endswith(b"\r") \
            else written

    eol = type(cls.__name__, (cls,), {"data": property(data), "mgi_eol": True})
    return eol


def _describe_links(pdf, titles: dict[str, str]) -> None:
    """A link's description (``/Contents``, read out by screen readers) is the
    title of the section it leads to, in the document's language; WeasyPrint
    writes the target's id (``domain-1``)."""
    import pydyf

    for page in _pages(pdf):
        for ref in page.get("Annots", []):
            annot = _obj(pdf, ref if isinstance(ref, bytes) else str(ref).encode())
            dest = annot.get("Dest")
            target = getattr(dest, "string", dest)
            if isinstance(target, bytes):
                target = target.decode("utf-8", "replace")
            if isinstance(target, str) and target in titles and "Contents" in annot:
                annot["Contents"] = pydyf.String(titles[target])


def _right_to_left(pdf) -> None:
    """A right-to-left publication binds on the right: ``/Direction /R2L`` tells
    viewers (two-page spreads) and imposition software."""
    import pydyf

    prefs = pdf.catalog.get("ViewerPreferences") or pydyf.Dictionary()
    prefs["Direction"] = "/R2L"
    pdf.catalog["ViewerPreferences"] = prefs


def _subset_tags(pdf) -> None:
    """Name each font subset by its glyphs: the six-letter tag before ``+`` is
    derived from the embedded font program, so equal tags mean equal subsets in
    every file (WeasyPrint derives it from the font's description alone, so one
    tag named different glyph sets in different files, and a print shop
    imposing several files in one job could substitute the wrong subset)."""
    renames: dict = {}
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("Type") != "/FontDescriptor":
            continue
        name = obj.get("FontName")
        program = next((obj[k] for k in ("FontFile2", "FontFile3", "FontFile") if k in obj),
                       None)
        if program is None or not isinstance(name, (bytes, str)):
            continue
        raw = name.encode() if isinstance(name, str) else name
        if b"+" not in raw:
            continue
        stream = _obj(pdf, program if isinstance(program, bytes) else str(program).encode())
        digest = int.from_bytes(hashlib.sha256(_stream_bytes(stream)).digest()[:8], "big")
        tag = "".join(chr(65 + (digest // 26 ** i) % 26) for i in range(6)).encode()
        renames[raw] = b"/" + tag + b"+" + raw.split(b"+", 1)[1]
    if not renames:
        return
    for obj in pdf.objects:
        if isinstance(obj, dict):
            for key in ("BaseFont", "FontName"):
                value = obj.get(key)
                raw = value.encode() if isinstance(value, str) else value
                if raw in renames:
                    obj[key] = renames[raw] if isinstance(value, bytes) else \
                        renames[raw].decode()


def _name_output_condition(pdf) -> None:
    import pydyf

    for intent in pdf.catalog.get("OutputIntents", []):
        info = intent.get("Info")
        for key, value in OUTPUT_CONDITION.items():
            intent[key] = pydyf.String(value)
        intent["Info"] = info or pydyf.String(OUTPUT_CONDITION["OutputCondition"])


#: Crop marks, outside the bleed: from MARK_OFFSET past the BleedBox, MARK_LENGTH
#: long, in registration colour (Separation /All: every plate), MARK_WIDTH wide.
MM = 72 / 25.4
MARK_OFFSET, MARK_LENGTH, MARK_WIDTH = 2 * MM, 5 * MM, 0.25
#: The colour space of the marks, in each page's resources.
MARK_SPACE = "MGIRegistration"


def _draw_crop_marks(pdf, page, stream) -> None:
    """Crop marks on each trim line, outside the BleedBox, so that they never
    print over bleeding artwork; the MediaBox grows to hold them. Drawn in
    registration colour (``/Separation /All``), last, in a page state of their own.
    """
    import pydyf

    bx0, by0, bx1, by1 = (float(v) for v in page.get("BleedBox", page["MediaBox"]))
    tx0, ty0, tx1, ty1 = (float(v) for v in page["TrimBox"])
    near, far = MARK_OFFSET, MARK_OFFSET + MARK_LENGTH
    page["BleedBox"] = pydyf.Array([bx0, by0, bx1, by1])
    page["MediaBox"] = pydyf.Array([bx0 - far, by0 - far, bx1 + far, by1 + far])
    lines = []
    for x in (tx0, tx1):  # vertical marks below and above the page
        lines += [f"{x:.3f} {by0 - near:.3f} m {x:.3f} {by0 - far:.3f} l",
                  f"{x:.3f} {by1 + near:.3f} m {x:.3f} {by1 + far:.3f} l"]
    for y in (ty0, ty1):  # horizontal marks left and right of the page
        lines += [f"{bx0 - near:.3f} {y:.3f} m {bx0 - far:.3f} {y:.3f} l",
                  f"{bx1 + near:.3f} {y:.3f} m {bx1 + far:.3f} {y:.3f} l"]
    resources = page["Resources"]
    if isinstance(resources, (bytes, str)):
        resources = _obj(pdf, resources if isinstance(resources, bytes) else resources.encode())
    spaces = resources.get("ColorSpace")
    if spaces is None:
        spaces = resources["ColorSpace"] = pydyf.Dictionary()
    elif isinstance(spaces, (bytes, str)):
        spaces = _obj(pdf, spaces if isinstance(spaces, bytes) else spaces.encode())
    spaces[MARK_SPACE] = pydyf.Array([
        "/Separation", "/All", "/DeviceCMYK",
        pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]),
                          "C0": pydyf.Array([0, 0, 0, 0]), "C1": pydyf.Array([1, 1, 1, 1]),
                          "N": 1})])
    stream.stream.insert(0, b"q")
    stream.stream.append(b"Q")
    stream.stream.append(f"q 0 J /{MARK_SPACE} CS 1 SCN {MARK_WIDTH:g} w "
                         f"{' '.join(lines)} S Q".encode())


_NUMBER = rb"([-+]?(?:\d+\.?\d*|\.\d+))"
_RGB_OP_RE = re.compile(rb"%s %s %s (rg|RG)" % (_NUMBER, _NUMBER, _NUMBER))


def _cmyk_only(pdf) -> None:
    """Print: every colour set in RGB becomes CMYK (cmyk.to_cmyk).

    The layout is the same for every edition, in screen colours: WeasyPrint
    draws the text, boxes, SVG wheels and logo of the print edition in RGB, one
    colour operator per chunk of a content stream, and each becomes its CMYK
    here. Raster images stay RGB but get an ICC profile (sRGB), as PDF/X-4
    allows.
    """
    import pydyf

    srgb = None
    for obj in list(pdf.objects):
        is_stream = isinstance(obj, pydyf.Stream)
        for candidate in (obj, obj.extra.get("Shading") if is_stream else None):
            if isinstance(candidate, dict) and "ShadingType" in candidate and \
                    candidate.get("ColorSpace") not in ("/DeviceCMYK", "/DeviceGray"):
                raise RenderError(NOT_CMYK + "the layout draws a gradient, which it does "
                                  "not convert: use plain colours")
        if not is_stream:
            continue
        for i, chunk in enumerate(obj.stream):
            if not isinstance(chunk, bytes) or len(chunk) >= 80:
                continue
            if m := _RGB_OP_RE.fullmatch(chunk):
                rgb = tuple(float(v) for v in m.groups()[:3])
                op = b"K" if m[4] == b"RG" else b"k"
                obj.stream[i] = b" ".join(f"{v:g}".encode() for v in cmyk.to_cmyk(*rgb)) + b" " + op
            elif _LAB_SPACE_RE.fullmatch(chunk):
                raise RenderError(NOT_CMYK + "a colour of the layout or the logo is given in "
                                  "lab(), lch(), oklab(), oklch() or color(xyz ...), which it "
                                  "does not convert: give it as #rrggbb or rgb()")
        if obj.extra.get("Subtype") == "/Image" and obj.extra.get("ColorSpace") == "/DeviceRGB":
            if srgb is None:
                srgb = _srgb_profile(pdf)
            obj.extra["ColorSpace"] = pydyf.Array(("/ICCBased", srgb.reference))


NOT_CMYK = "the print edition is CMYK only, and "
#: Colour spaces WeasyPrint draws Lab-based CSS colours in (lab(), lch(), oklab(),
#: oklch(), color(xyz ...)): not converted (cmyk.to_cmyk takes sRGB). A colour that
#: could not be made CMYK fails the build rather than reaching the print shop.
_LAB_SPACE_RE = re.compile(rb"/lab-d(50|65) (cs|CS)")


def _srgb_profile(pdf):
    from importlib.resources import files

    import pydyf

    data = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    stream = pydyf.Stream([data], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(stream)
    return stream

