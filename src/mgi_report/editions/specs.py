"""What each edition is: its PDF standard and what it adds or refuses.

Read by ``editions`` (before and while drawing) and by ``finishing`` (the
last touches to WeasyPrint's PDF), which therefore need not import each other.
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
    drafts: bool = True  # False: a draft is refused
    bleed: bool = False  # the page is written with the layout's bleed (else trimmed)
    pdf_ua: bool = False  # identifies as PDF/UA-1 too (the screen's variant is PDF/UA-1 itself)


SPECS: dict[str, Edition] = {
    "screen": Edition("screen", "pdf/ua-1", tags=True),
    "print": Edition("print", "pdf/x-4", tags=False, page_multiple=4, links=False,
                     drafts=False, bleed=True),
    "archive": Edition("archive", "pdf/a-3a", tags=True, sources=True, pdf_ua=True),
}
