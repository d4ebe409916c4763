"""WeasyPrint's private functions this program wraps, in one place: each
wrapper is installed once, marks itself, and leaves WeasyPrint working if
the function it wraps is gone (only the tags would be lost, and the tests say
so)."""

from __future__ import annotations


def tag_notes() -> None:
    """Footnotes are tagged ``Note`` in tagged PDFs (PDF/UA wants notes marked as
    such), and a link is one annotation in one ``Link`` element. WeasyPrint maps
    HTML elements to structure types in one function and knows no element for
    a note; this adds ours (markup.NOTE_ELEMENT) to it, once, and tags a link's
    generated text (``a::after``: the contents' leader and page number) as a
    ``Span`` inside the link rather than as a second ``Link``. Should WeasyPrint
    change that function, nothing breaks but the tags, and
    tests/test_complete_profile.py and tests/test_typography.py say so."""
    from weasyprint.pdf import tags

    from ..text.markup import NOTE_ELEMENT

    original = getattr(tags, "_get_pdf_tag", None)
    if original is None or getattr(original, "mgi_notes", False):
        return

    def pdf_tag(tag):
        if tag == NOTE_ELEMENT:
            return "Note"
        if tag is not None and tag.startswith("a::"):
            return "Span"
        return original(tag)

    pdf_tag.mgi_notes = True  # type: ignore[attr-defined]
    tags._get_pdf_tag = pdf_tag


def link_once() -> None:
    """One link annotation per link. WeasyPrint gives every box inside a link
    (a span, generated text, a leader) an annotation of its own, over the
    link's own: a contents entry became four overlapping annotations. Boxes
    that only inherit their link lie inside the box that has it, whose
    annotation covers them; they get none."""
    from weasyprint import anchors

    original = anchors.gather_anchors
    if getattr(original, "mgi_links", False):
        return

    def gather_anchors(box, *args, **kwargs):
        if getattr(box, "link", None) is None:
            if len(args) >= 7:
                args = (*args[:6], None, *args[7:])
            kwargs.pop("parent_link", None)
        return original(box, *args, **kwargs)

    gather_anchors.mgi_links = True  # type: ignore[attr-defined]
    anchors.gather_anchors = gather_anchors
