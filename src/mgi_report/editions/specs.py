"""What each edition is: its PDF standard and what it adds or refuses.

Each field says one thing an edition does, and the code that does it asks
that field, never the edition's name: an edition is its spec.

Read by ``editions`` (before and while drawing), by ``finishing`` (the last
touches to WeasyPrint's PDF) and by ``derive`` (the editions made from another
edition's PDF), which therefore need not import each other. WeasyPrint draws
one edition, the screen edition; print and archive are derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edition:
    name: str
    variant: str  # WeasyPrint's pdf_variant
    tags: bool  # a structure tree (tagged PDF)
    page_multiple: int = 1  # blank pages before the back cover up to a multiple of this
    links: bool = True  # link annotations (contents, wheel, findings)
    sources: bool = False  # the content files are embedded as associated files
    drafts: bool = True  # False: a draft (or an empty domain) is refused
    bleed: bool = False  # the page is written with the layout's bleed (else trimmed)
    pdf_ua: bool = False  # identifies as PDF/UA-1 too (the screen's variant is PDF/UA-1 itself)
    cmyk: bool = False  # every colour CMYK, the FOGRA39 output profile and condition
    crop_marks: bool = False  # crop marks drawn outside each page's bleed
    checks_resolution: bool = False  # raster images must print at MIN_PRINT_DPI at least
    derived_from: str | None = None  # made from that edition's PDF (derive.py), not drawn


SPECS: dict[str, Edition] = {
    "screen": Edition("screen", "pdf/ua-1", tags=True),
    "print": Edition("print", "pdf/x-4", tags=False, page_multiple=4, links=False,
                     drafts=False, bleed=True, cmyk=True, crop_marks=True,
                     checks_resolution=True, derived_from="screen"),
    "archive": Edition("archive", "pdf/a-3a", tags=True, sources=True, pdf_ua=True,
                       derived_from="screen"),
}
