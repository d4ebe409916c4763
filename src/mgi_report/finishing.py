"""Last touches to WeasyPrint's PDF (pydyf objects) before it is written.

WeasyPrint calls :func:`finish` (its ``finisher`` option) with the document
and the ``pydyf.PDF`` it is about to write. What is done here, and why:

- every edition: XMP document/instance IDs derived from the file ID (WeasyPrint
  writes a random one for PDF/X-4); the ISBN and the language in XMP (Dublin
  Core); ``/Direction /R2L`` for right-to-left languages; font subsets named by
  a hash of their glyphs (equal names, equal subsets, across files); each
  associated file listed once in /AF;
- print: the output intent named as the registered FOGRA39 condition; every
  colour made CMYK; RGB raster images tagged with
  an sRGB profile; crop marks drawn on top of each page; no link annotations;
- tagged editions: empty structure elements dropped, an element nested in one of
  its own type merged into it, and the running header and footer (which
  WeasyPrint marks but leaves out of the tree) made artifacts.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from . import cmyk
from .errors import RenderError
from .i18n import direction

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
    if lang and direction(lang) == "rtl":
        _right_to_left(pdf)
    _subset_tags(pdf)
    if "AF" in pdf.catalog:  # WeasyPrint lists each associated file twice
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))
    if spec.name == "print":
        _name_output_condition(pdf)
        _cmyk_only(pdf)
        for page in _pages(pdf):
            _draw_crop_marks(pdf, page, _obj(pdf, page["Contents"]))
    if not spec.links:
        for page in _pages(pdf):
            page.pop("Annots", None)
    elif links:
        _describe_links(pdf, links)
    if spec.tags:
        _prune_empty_elements(pdf)
        _merge_doubled_elements(pdf)
        _untagged_content_to_artifacts(pdf)


def _obj(pdf, reference: bytes):
    return pdf.objects[int(reference.split()[0])]


def _pages(pdf) -> list:
    return [_obj(pdf, r) for r in pdf.page_references]


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_XMP_ID_RE = re.compile(rf"(xmp\.did:|xmp\.iid:|uuid:)({_UUID})".encode())


def _pin_xmp_ids(pdf, identifier: bytes) -> None:
    """XMP document and instance IDs derived from the file ID, not random."""
    if "Metadata" not in pdf.catalog:
        return
    stream = _obj(pdf, pdf.catalog["Metadata"])
    data = b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)

    def derived(m: re.Match) -> bytes:
        digest = hashlib.sha256(m[1] + identifier).hexdigest()[:32]
        return m[1] + str(uuid.UUID(digest)).encode()

    stream.stream = [_XMP_ID_RE.sub(derived, data)]


def _xmp_description(pdf, isbn: str | None, lang: str | None) -> None:
    """XMP: the ISBN as Dublin Core's identifier (``urn:isbn:…``, digits only) and
    the document's language as ``dc:language``. Dublin Core is predefined in
    PDF/A and PDF/X, so no extension schema is needed."""
    if "Metadata" not in pdf.catalog or not (isbn or lang):
        return
    stream = _obj(pdf, pdf.catalog["Metadata"])
    data = b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)
    parts = b""
    if isbn:
        digits = re.sub(r"[^0-9X]", "", isbn).encode()
        parts += b"<dc:identifier>urn:isbn:" + digits + b"</dc:identifier>"
    if lang and b"<dc:language>" not in data:
        parts += (b"<dc:language><rdf:Bag><rdf:li>" + escape(lang).encode() +
                  b"</rdf:li></rdf:Bag></dc:language>")
    description = (b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                   + parts + b"</rdf:Description>")
    stream.stream = [data.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)]


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
        data = b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)
        digest = int.from_bytes(hashlib.sha256(data).digest()[:8], "big")
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


def _is_element(obj) -> bool:
    return isinstance(obj, dict) and obj.get("Type") == "/StructElem"


def _prune_empty_elements(pdf) -> None:
    """Drop structure elements with no content (the empty marker and key spans)."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    elements = [o for o in pdf.objects if _is_element(o)]
    changed = True
    while changed:
        changed = False
        for element in elements:
            kids = element.get("K")
            if not isinstance(kids, list):
                continue
            kept = [k for k in kids if not (isinstance(k, bytes) and _is_element(
                child := _obj(pdf, k)) and isinstance(child.get("K"), list) and not child["K"])]
            if len(kept) != len(kids):
                kids[:] = kept
                changed = True


def _merge_doubled_elements(pdf) -> None:
    """An element whose only kid is an element of the same type absorbs that kid.

    WeasyPrint tags the anonymous box inside a flex heading (``.findings-title``)
    as a second heading, nested in the first: H3 > H3 > Span.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    moved: dict[bytes, bytes] = {}
    for outer in list(pdf.objects):
        if not _is_element(outer):
            continue
        while True:
            kids = outer.get("K")
            if not (isinstance(kids, list) and len(kids) == 1 and isinstance(kids[0], bytes)):
                break
            inner = _obj(pdf, kids[0])
            if not (_is_element(inner) and inner.get("S") == outer.get("S")):
                break
            for key, value in inner.items():  # attributes, alt text, ...
                outer.setdefault(key, value)
            outer["K"] = inner.get("K", [])
            for kid in outer["K"]:
                if isinstance(kid, bytes) and _is_element(child := _obj(pdf, kid)):
                    child["P"] = outer.reference
            moved[kids[0]] = outer.reference
    if not moved:
        return

    def heir(ref):
        while isinstance(ref, bytes) and ref in moved:
            ref = moved[ref]
        return ref

    # marked content and annotations that pointed at a merged element point at its heir
    nums = _obj(pdf, _obj(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
    for i, value in enumerate(nums):
        if isinstance(value, list):
            value[:] = [heir(ref) for ref in value]
        else:
            nums[i] = heir(value)


def _untagged_content_to_artifacts(pdf) -> None:
    """Marked content whose structure element is not in the tree becomes an artifact.

    WeasyPrint tags the running header and footer (margin boxes) but leaves
    their elements out of the structure tree; PDF/UA wants such pagination
    content marked as artifacts.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    root = _obj(pdf, pdf.catalog["StructTreeRoot"])
    reachable: set[int] = set()
    todo = list(root.get("K", []))
    while todo:
        item = todo.pop()
        if isinstance(item, bytes) and item.endswith(b" R"):
            number = int(item.split()[0])
            if number in reachable:
                continue
            reachable.add(number)
            kids = pdf.objects[number].get("K") if isinstance(pdf.objects[number], dict) else None
            if isinstance(kids, list):
                todo.extend(kids)
            elif kids is not None:
                todo.append(kids)
    nums = _obj(pdf, root["ParentTree"])["Nums"]
    pages = _pages(pdf)
    for key, elements in zip(nums[::2], nums[1::2]):
        if not isinstance(elements, list) or not isinstance(key, int) or key >= len(pages):
            continue
        orphans = {mcid for mcid, ref in enumerate(elements)
                   if isinstance(ref, bytes) and int(ref.split()[0]) not in reachable}
        if not orphans:
            continue
        stream = _obj(pdf, pages[key]["Contents"])
        chunks = stream.stream
        for i in range(len(chunks) - 2, 0, -1):
            props = chunks[i]
            if (chunks[i + 1] == b"BDC" and isinstance(props, dict)
                    and props.get("MCID") in orphans):
                chunks[i - 1:i + 2] = ["/Artifact", b"BMC"]
                elements[props["MCID"]] = "null"
