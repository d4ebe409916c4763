"""The three editions of a profile: for the screen, the print shop and the archive.

=========  ==========  ====================================================
edition    standard    what it adds
=========  ==========  ====================================================
screen     PDF/UA-1    tagged: headings, lists, figures with alt text,
                       language, title; bookmarks, clickable contents/wheel
print      PDF/X-4     CMYK only (``colour.py``, in the drawn PDF) with a
                       FOGRA39 output intent (``icc/``); the 3 mm bleed of
                       the layout and crop marks; a page count that is a
                       multiple of 4; refuses drafts; no links
archive    PDF/A-3a    tagged as the screen edition, and identified as
           + PDF/UA-1  PDF/UA-1 too; the content files travel inside as
                       associated files (relationship Source), so that
                       ``attachments.extract`` gives them back
=========  ==========  ====================================================

A profile is laid out once and drawn once, whatever editions are asked for:
the layout (``layouts/``) is the same for all three, WeasyPrint draws and
writes the screen edition (``document_for``), and the archive and print
editions are made from that PDF (``derive.py``): what they add is metadata,
attachments, boxes, marks and colours, not another drawing.

Every edition is reproducible: its dates come from ``published``, and its file
ID and XMP document ID derive from the HTML; never from the clock or chance.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING

from ..compose import chapters, gcm
from ..content.tree import LanguageFile, empty_domains, shown_path
from ..errors import ContentError, Problem, RenderError
from ..text import i18n
from ..text.markup import note_titles
from . import finishing
from .specs import SPECS

if TYPE_CHECKING:
    from ..compose.job import Job

#: Printed images must have at least this resolution at their printed size.
MIN_PRINT_DPI = 300


# ------------------------------------------------------------------ before drawing


def prepare(job: Job) -> None:
    """Refuse what the edition cannot publish: an edition that takes no drafts
    (the print edition) takes a finished profile only, no draft and no empty
    domain."""
    spec = SPECS[job.edition]
    if spec.drafts:
        return
    problems = [_draft_problem(job.doc, spec.name)] if job.doc.draft else []
    problems += [Problem(p.path, p.line, p.col, f"{p.message}: the {spec.name} edition "
                         "refuses a profile with an empty domain (build the screen edition "
                         "to review it)") for p in empty_domains(job.doc)]
    if problems:
        raise ContentError(problems)


def _draft_problem(doc: LanguageFile, edition: str) -> Problem:
    line, col = doc.draft_at
    return Problem(shown_path(doc.path), line, col, "a draft cannot go to the print shop: the "
                   f"{edition} edition refuses `draft: true` (build the screen edition to "
                   "review it)")


# ------------------------------------------------------------------ drawing


def document_for(job: Job, laid_out):
    """The document WeasyPrint draws, made from the one layout of the profile:
    the edition ``job.edition`` is derived from (or ``job.edition`` itself), its
    pages trimmed (the covers' colour, drawn 3 mm past the trim, lies outside
    the page; the print edition's BleedBox takes it back, ``derive``)."""
    from ..engine.render import edition_document

    spec = SPECS[SPECS[job.edition].derived_from or job.edition]
    pages = [_with_bleed(page, spec.bleed) for page in laid_out.pages]
    return edition_document(laid_out, pages, {}, output_intent(spec.variant))


def output_intent(variant: str) -> str | None:
    """WeasyPrint's output intent for a PDF variant, as its ``render`` sets it."""
    from weasyprint.pdf import VARIANTS

    return VARIANTS[variant][1].get("output_intent")


def _with_bleed(page, bleed: bool):
    """The page as an edition writes it: with the layout's bleed, or none."""
    import copy

    edition_page = copy.copy(page)
    edition_page.bleed = dict(page.bleed) if bleed else dict.fromkeys(page.bleed, 0)
    return edition_page


BACK_COVER_ID = "back-cover"


def back_cover_at(pages: list) -> int | None:
    """The index of the back cover's first page among the last pages, or None:
    the print edition's blank pages go before it (saddle stitching)."""
    at = next((i for i in range(len(pages) - 1, max(len(pages) - 4, -1), -1)
               if _holds(pages[i], BACK_COVER_ID)), None)
    while at is not None and at > 0 and _holds(pages[at - 1], BACK_COVER_ID):
        at -= 1  # a back cover of two pages
    return at


def _holds(page, element_id: str) -> bool:
    return any(box.element is not None and box.element.get("id") == element_id
               for box in page._page_box.descendants())


def check_resolution(document) -> None:
    """Raise if a raster image would print below MIN_PRINT_DPI."""
    from weasyprint.formatting_structure.boxes import ReplacedBox
    from weasyprint.images import RasterImage

    low = []
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants(placeholders=True):
            box = getattr(box, "_box", box)
            if not isinstance(box, ReplacedBox) or not isinstance(box.replacement, RasterImage):
                continue
            if box.width and box.height:
                dpi = min(box.replacement.width / (box.width / 96),
                          box.replacement.height / (box.height / 96))
                if dpi < MIN_PRINT_DPI - 0.5:
                    src = (box.element.get("src") or "")[:40] if box.element is not None else ""
                    low.append(f"page {number}: an image ({src}…) prints at {dpi:.0f} dpi")
    if low:
        raise RenderError("the print edition needs images of at least "
                          f"{MIN_PRINT_DPI} dpi at their printed size: " + "; ".join(low))


def pin_dates(document, published: date) -> None:
    """Creation and modification dates: the publication month, never the clock."""
    stamp = f"{published.isoformat()}T00:00:00Z"
    document.metadata.created = document.metadata.modified = stamp


# ------------------------------------------------------------------ writing


def pdf_options(job: Job, identifier: bytes, html: str = "") -> dict:
    """WeasyPrint's write_pdf options for the drawn edition (``html``: the
    composed document, whose notes name the links to them)."""
    spec = SPECS[SPECS[job.edition].derived_from or job.edition]
    tr = i18n.translations(job.lang)
    links = {**chapters.link_titles(tr), **gcm.link_titles(tr), **note_titles(html)}
    return {"pdf_variant": spec.variant, "pdf_tags": spec.tags,
            "finisher": functools.partial(finishing.finish, spec, identifier,
                                          isbn=job.profile.publication.isbn,
                                          links=links)}
