"""Last touches to WeasyPrint's PDF (pydyf objects) before it is written.

WeasyPrint draws one edition: the screen edition (the archive and print
editions are derived from its PDF, ``derive.py``). It calls :func:`finish`
(its ``finisher`` option) with the document and the ``pydyf.PDF`` it is about
to write. What is done here, and why:

- XMP document/instance IDs derived from the file ID, the ISBN and the
  language in XMP (Dublin Core; ``xmp.py``, shared with ``derive``);
  ``/Direction /R2L`` for right-to-left languages; font subsets named by a hash
  of their glyphs (equal names, equal subsets, across files);
- tagged editions: the structure tree mended for PDF/UA-1 (``structure.py``);
  each link described by the title of the section it leads to;
- XMP metadata uncompressed, and a CR LF end-of-line before ``endstream``
  where a stream's data ends in CR (so no reader can dispute its ``/Length``).
"""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING

from ..engine import structure
from ..text.i18n import direction
from . import xmp

if TYPE_CHECKING:
    from .specs import Edition


def finish(spec: Edition, identifier: bytes, document, pdf, isbn: str | None = None,
           links: dict[str, str] | None = None) -> None:
    """WeasyPrint's finisher: see the module's docstring. ``links``: section id
    -> title, what a link to that section is called."""
    lang = getattr(document.metadata, "lang", None)
    _edit_xmp(pdf, lambda data: xmp.described(xmp.pinned_ids(data, identifier), isbn, lang))
    if spec.pdf_ua:
        _edit_xmp(pdf, xmp.with_pdf_ua)
    if lang and direction(lang) == "rtl":
        _right_to_left(pdf)
    _subset_tags(pdf)
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


def _stream_bytes(stream) -> bytes:
    """A pydyf stream's data as written (before compression)."""
    return b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)


def _edit_xmp(pdf, edit) -> None:
    """The XMP metadata packet, if there is one, replaced by ``edit(packet)``."""
    if "Metadata" in pdf.catalog:
        stream = _obj(pdf, pdf.catalog["Metadata"])
        stream.stream = [edit(_stream_bytes(stream))]

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


