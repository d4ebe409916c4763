"""The three editions of a profile: for the screen, the print shop and the archive.

=========  ==========  ====================================================
edition    standard    what it adds
=========  ==========  ====================================================
screen     PDF/UA-1    tagged: headings, lists, figures with alt text,
                       language, title; bookmarks, clickable contents/wheel
print      PDF/X-4     CMYK only (``cmyk.py``, in the drawn PDF) with a
                       FOGRA39 output intent (``icc/``); the 3 mm bleed of
                       the layout and crop marks; a page count that is a
                       multiple of 4; refuses drafts; no links
archive    PDF/A-3a    tagged as the screen edition, and identified as
           + PDF/UA-1  PDF/UA-1 too; the content files travel inside as
                       associated files (relationship Source), so that
                       :func:`extract` can give them back
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

import base64
import functools
import hashlib
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING


from . import chapters, finishing, i18n, reads
from .content import LanguageFile, empty_domains, shown_path
from .yamlsource import MAX_FILE_BYTES
from .errors import ContentError, MgiError, Problem, RenderError, UsageError
from .render import write_atomic
from .resources import ICC, PRINT_PROFILE  # noqa: F401  (editions.ICC, editions.PRINT_PROFILE)
from .specs import SPECS, Edition  # noqa: F401  (editions.SPECS)

if TYPE_CHECKING:
    from .compose import Job

#: Printed images must have at least this resolution at their printed size.
MIN_PRINT_DPI = 300
#: MIME types of the files an archive edition carries (not guessed: reproducible).
MIME_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml",
              ".svg": "image/svg+xml", ".png": "image/png"}


class DamagedAttachment(MgiError):
    """An embedded file whose checksum or size does not match its bytes."""


# ------------------------------------------------------------------ before drawing


def prepare(job: Job) -> None:
    """Refuse what the edition cannot publish: the print edition takes a
    finished profile only, no draft and no empty domain."""
    spec = SPECS[job.edition]
    if spec.drafts:
        return
    problems = [_draft_problem(job.doc)] if job.doc.draft else []
    problems += [Problem(p.path, p.line, p.col, f"{p.message}: the print edition refuses a "
                         "profile with an empty domain (build the screen edition to review "
                         "it)") for p in empty_domains(job.doc)]
    if problems:
        raise ContentError(problems)


def _draft_problem(doc: LanguageFile) -> Problem:
    line, col = doc.draft_at
    return Problem(shown_path(doc.path), line, col, "a draft cannot go to the print shop: the print "
                   "edition refuses `draft: true` (build the screen edition to review it)")


# ------------------------------------------------------------------ drawing


def document_for(job: Job, laid_out):
    """The edition's document, made from the one layout of the profile.

    The pages are the layout's own (laid out once for every edition); what an
    edition changes is how they are written:

    - screen and archive: no bleed (the page is the trimmed page; the covers'
      colour, which runs 3 mm past the trim, lies outside it);
    - print: the bleed the layout asks for (``@page { bleed }``), blank pages
      before the back cover up to a multiple of ``page_multiple``, images
      checked for their resolution, and the FOGRA39 output profile. Colours are
      made CMYK in the drawn PDF (``finishing``), not in the style sheet, so
      that they change nothing of the layout.
    """
    from .render import edition_document

    spec = SPECS[job.edition]
    pages = [_with_bleed(page, spec.bleed) for page in laid_out.pages]
    profiles = {}
    if spec.name == "print":
        check_resolution(laid_out)
        pages = with_blank_pages(pages, spec.page_multiple)
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


def pdf_options(job: Job, identifier: bytes) -> dict:
    """WeasyPrint's write_pdf options for the edition."""
    spec = SPECS[job.edition]
    options = {"pdf_variant": spec.variant, "pdf_tags": spec.tags,
               "finisher": functools.partial(finishing.finish, spec, identifier,
                                             isbn=job.profile.publication.isbn,
                                             links=chapters.link_titles(
                                                 i18n.translations(job.lang)))}
    if spec.sources:
        options["attachments"] = source_attachments(job)
    return options


def source_files(job: Job) -> list[Path]:
    """The content files a profile is made from: profile.yaml, findings, logo."""
    files = [job.profile.path, job.doc.path]
    if job.profile.logo is not None:
        files.append(job.profile.logo)
    return files


def source_attachments(job: Job) -> list:
    from weasyprint import Attachment

    published = job.profile.published
    when = datetime(published.year, published.month, published.day)
    out = []
    for path in source_files(job):
        mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
        data = reads.read(path, MAX_FILE_BYTES)  # the bytes printed (one read per build)
        uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        out.append(Attachment(url=uri, name=path.name, created=when, modified=when,
                              description=f"Source: {job.profile.slug}/{path.name}",
                              relationship="Source"))
    return out


# ------------------------------------------------------------------ reading back


def extract(pdf_path: Path, dest: Path) -> list[Path]:
    """Write the files embedded in a PDF into ``dest``; returns their paths.

    Each file's checksum and size are checked against what the PDF records.
    """
    import pikepdf

    try:
        pdf = pikepdf.open(pdf_path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {pdf_path}")
    except pikepdf.PdfError as exc:
        raise UsageError(f"{pdf_path} is not a readable PDF ({exc})")
    written: list[Path] = []
    with pdf:
        try:
            specs = list(pdf.attachments.items())
        except KeyError as exc:  # a name pikepdf cannot look up again (a NUL in it)
            raise DamagedAttachment(f"{pdf_path}: an embedded file has an unusable name "
                                    f"(it reads as {str(exc)!r})") from exc
        if not specs:
            raise UsageError(f"{pdf_path} carries no embedded files (only the archive "
                             "edition carries its sources)")
        files = {}
        for key, spec in specs:
            name = _safe_name(spec.filename or key)
            if name in files:
                raise DamagedAttachment(f"{pdf_path}: two embedded files are named {name}")
            files[name] = _checked_bytes(pdf_path, name, spec.get_file())
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot write into {dest}: {exc.strerror or exc}") from exc
    for name, data in files.items():
        write_atomic(dest / name, lambda fh, data=data: fh.write(data))
        written.append(dest / name)
    return written


def _safe_name(name: str) -> str:
    base = PurePosixPath(str(name).replace("\\", "/")).name
    if base in ("", ".", "..") or base.startswith(".") or \
            any(ord(ch) < 32 or ord(ch) == 127 for ch in base):
        raise DamagedAttachment(f"an embedded file has an unusable name: {name!r}")
    return base


#: The largest embedded file extract writes: content files are at most this big.
MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES


def _read_capped(pdf_path: Path, name: str, stream) -> bytes:
    """An embedded file's bytes, decompressed a piece at a time and never beyond
    MAX_ATTACHMENT_BYTES (a small PDF can hold a stream that inflates to gigabytes)."""
    import zlib

    import pikepdf

    too_big = DamagedAttachment(f"{pdf_path}: embedded {name} is larger than "
                                f"{MAX_ATTACHMENT_BYTES:,} bytes; no content file is")
    filters = stream.get("/Filter")
    filters = [] if filters is None else \
        list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if stream.get("/DecodeParms") is not None or \
            [str(f) for f in filters] not in ([], ["/FlateDecode"]):
        raise DamagedAttachment(f"{pdf_path}: embedded {name} is encoded in a way extract "
                                f"does not read ({', '.join(map(str, filters))})")
    raw = stream.read_raw_bytes()
    if not filters:
        if len(raw) > MAX_ATTACHMENT_BYTES:
            raise too_big
        return raw
    inflate = zlib.decompressobj()
    try:
        data = inflate.decompress(raw, MAX_ATTACHMENT_BYTES + 1)
    except zlib.error as exc:
        raise DamagedAttachment(f"{pdf_path}: embedded {name} is damaged ({exc})") from exc
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise too_big
    return data


def _checked_bytes(pdf_path: Path, name: str, attached) -> bytes:
    data = _read_capped(pdf_path, name, attached.obj)
    if attached.md5 and attached.md5 != hashlib.md5(data, usedforsecurity=False).digest():
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not match its checksum")
    if attached.size and attached.size != len(data):
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not have its recorded size")
    return data
