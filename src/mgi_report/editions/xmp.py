"""The XMP metadata packet of each edition, as bytes.

WeasyPrint writes the screen edition's packet (``finishing`` edits it there);
the derived editions' packets (``derive``) are made here from the same layout's
metadata by WeasyPrint's own generator, then edited the same way:

- document and instance IDs derived from the file ID (WeasyPrint writes random
  ones for PDF/X-4);
- the ISBN as Dublin Core's identifier and the document's language;
- for the archive, its PDF/UA-1 identification beside PDF/A-3a, with the
  extension schema PDF/A asks for.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from xml.sax.saxutils import escape

HEADER = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
FOOTER = b'</x:xmpmeta>\n<?xpacket end="r"?>'


def packet(metadata, variant: str, version: int, conformance: str | None) -> bytes:
    """The packet WeasyPrint writes for a PDF variant (``metadata.include_in_pdf``)."""
    rdf = metadata.generate_rdf_metadata(variant, version, conformance)
    return b"\n".join((HEADER, rdf, *metadata.xmp_metadata, FOOTER))


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_XMP_ID_RE = re.compile(rf"(xmp\.did:|xmp\.iid:|uuid:)({_UUID})".encode())


def pinned_ids(data: bytes, identifier: bytes) -> bytes:
    """XMP document and instance IDs derived from the file ID, not random."""
    def derived(m: re.Match) -> bytes:
        digest = hashlib.sha256(m[1] + identifier).hexdigest()[:32]
        return m[1] + str(uuid.UUID(digest)).encode()

    return _XMP_ID_RE.sub(derived, data)


def described(data: bytes, isbn: str | None, lang: str | None) -> bytes:
    """The ISBN as Dublin Core's identifier (``urn:isbn:…``, digits only) and
    the document's language as ``dc:language``. Dublin Core is predefined in
    PDF/A and PDF/X, so no extension schema is needed."""
    if not (isbn or lang):
        return data
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


def with_pdf_ua(data: bytes) -> bytes:
    """The archive identifies as PDF/UA-1 as well as PDF/A-3a: it is tagged like
    the screen edition, and an archive that receives it can tell."""
    return data if b"pdfuaid:part" in data else \
        data.replace(b"</rdf:RDF>", PDF_UA_ID + b"</rdf:RDF>", 1)
