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

A profile is laid out once, whatever editions are asked for: the layout
(``layouts/``) is the same for all three, and each edition is written from
it (``document_for``). So three editions cost one layout and three writes.

Every edition is reproducible: its dates come from ``published``, and its file
ID and XMP document ID derive from the HTML; never from the clock or chance.
WeasyPrint writes a random ``xmpMM:DocumentID`` for PDF/X-4; the finisher
(``finishing.py``, run by WeasyPrint before the file is written) replaces it.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING

from ..compose import chapters, gcm
from ..content.tree import LanguageFile, empty_domains, shown_path
from ..errors import ContentError, Problem, RenderError
from ..resources import PRINT_PROFILE
from ..text import i18n
from ..text.markup import note_titles
from . import finishing
from .attachments import source_attachments
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
    """The edition's document, made from the one layout of the profile.

    The pages are the layout's own (laid out once for every edition); what an
    edition changes is how they are written:

    - without ``bleed`` (screen, archive): the page is the trimmed page (the
      covers' colour, which runs 3 mm past the trim, lies outside it);
    - with ``bleed`` (print): the bleed the layout asks for (``@page { bleed }``);
    - ``checks_resolution`` (print): raster images checked for MIN_PRINT_DPI;
    - ``page_multiple`` over 1 (print): blank pages before the back cover up to
      a multiple of it;
    - ``cmyk`` (print): the FOGRA39 output profile. Colours are made CMYK in
      the drawn PDF (``finishing``), not in the style sheet, so that they
      change nothing of the layout.
    """
    from ..engine.render import edition_document

    spec = SPECS[job.edition]
    pages = [_with_bleed(page, spec.bleed) for page in laid_out.pages]
    profiles = {}
    if spec.checks_resolution:
        check_resolution(laid_out)
    if spec.page_multiple > 1:
        pages = with_blank_pages(pages, spec.page_multiple)
    if spec.cmyk:
        profiles["device-cmyk"] = output_profile()
    return edition_document(laid_out, pages, profiles, output_intent(spec.variant))


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


@functools.lru_cache(maxsize=1)
def output_profile():
    """The print edition's output profile (``icc/``) as WeasyPrint embeds one.

    The PDF carries the ICC file's own bytes: WeasyPrint would embed LittleCMS's
    re-serialisation of it, which is not the same from one call to the next."""
    import io

    from weasyprint.css import ColorProfile

    data = PRINT_PROFILE.read_bytes()

    class ShippedProfile(ColorProfile):
        @property
        def content(self):
            return data

    return ShippedProfile(io.BytesIO(data), PRINT_PROFILE.resolve().as_uri(),
                          "relative-colorimetric", ("cyan", "magenta", "yellow", "black"))


BACK_COVER_ID = "back-cover"


def with_blank_pages(pages: list, multiple: int) -> list:
    """The pages with blank ones before the back cover (or at the end), so that
    their count is a multiple of ``multiple``: saddle stitching.

    A blank page is the page before it, laid out already, with nothing on it:
    same size and bleed, no background, running header or folio. It is inserted after
    layout, so every other page is exactly as laid out for the other editions.
    """
    import copy

    missing = -len(pages) % multiple
    if not missing:
        return pages
    at = next((i for i in range(len(pages) - 1, max(len(pages) - 4, -1), -1)
               if _holds(pages[i], BACK_COVER_ID)), len(pages))
    while at > 0 and _holds(pages[at - 1], BACK_COVER_ID):  # a back cover of two pages
        at -= 1
    model = pages[max(at - 1, 0)]
    box = model._page_box.copy()
    box.children = []
    box.background = box.canvas_background = None
    blank = copy.copy(model)
    blank._page_box = box
    blank.links, blank.anchors, blank.bookmarks, blank.forms = [], {}, [], {None: []}
    return pages[:at] + [blank] * missing + pages[at:]


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
    """WeasyPrint's write_pdf options for the edition (``html``: the composed
    document, whose notes name the links to them)."""
    spec = SPECS[job.edition]
    tr = i18n.translations(job.lang)
    links = {**chapters.link_titles(tr), **gcm.link_titles(tr), **note_titles(html)}
    options = {"pdf_variant": spec.variant, "pdf_tags": spec.tags,
               "finisher": functools.partial(finishing.finish, spec, identifier,
                                             isbn=job.profile.publication.isbn,
                                             links=links)}
    if spec.sources:
        options["attachments"] = source_attachments(job)
    return options
