"""The three editions of a profile: for the screen, the print shop and the archive.

=========  ==========  ====================================================
edition    standard    what it adds
=========  ==========  ====================================================
screen     PDF/UA-1    tagged: headings, lists, figures with alt text,
                       language, title; bookmarks, clickable contents/wheel
print      PDF/X-4     CMYK only (``cmyk.py``) with a FOGRA39 output intent
                       (``icc/``); 3 mm bleed and crop marks
                       (``layouts/print.css``); a page count that is a
                       multiple of 4; refuses drafts; no links
archive    PDF/A-3u    tagged; the content files travel inside as
                       associated files (relationship Source), so that
                       :func:`extract` can give them back
=========  ==========  ====================================================

Every edition is reproducible: its dates come from ``published``, and its file
ID and XMP document ID derive from the HTML; never from the clock or chance.
WeasyPrint writes a random ``xmpMM:DocumentID`` for PDF/X-4; the finisher
(``finishing.py``, run by WeasyPrint before the file is written) replaces it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable


from . import chapters, cmyk, finishing, i18n
from .content import LanguageFile, shown_path
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
    """Refuse what the edition cannot publish; give the layout what it needs."""
    spec = SPECS[job.edition]
    if job.doc.draft and not spec.drafts:
        raise ContentError([_draft_problem(job.doc)])
    if job.edition == "print":
        job.extra.setdefault("icc_url", PRINT_PROFILE.resolve().as_uri())


def _draft_problem(doc: LanguageFile) -> Problem:
    line, col = doc.draft_at
    return Problem(shown_path(doc.path), line, col, "a draft cannot go to the print shop: the print "
                   "edition refuses `draft: true` (build the screen edition to review it)")


def adapt(job: Job, html: str) -> str:
    """The composed HTML as the edition prints it (print: every colour in CMYK)."""
    return cmyk.convert_html(html) if job.edition == "print" else html


def render_options(job: Job) -> dict:
    spec = SPECS[job.edition]
    return {"pdf_variant": spec.variant, "pdf_tags": spec.tags}


# ------------------------------------------------------------------ drawing

_BACK_COVER_RE = re.compile(r'<[a-z]+\b[^>]*\bid="back-cover"')
FILLER = '<div class="filler" aria-hidden="true"></div>\n'


def render(job: Job, html: str, renderer: Callable[[str], object],
           pages_hint: int | None = None):
    """HTML -> (weasyprint.Document, the HTML it was drawn from).

    The print edition is drawn, counted and, if its page count is not a
    multiple of 4, drawn again with blank pages before the back cover.
    ``pages_hint``, the page count of the same profile's screen edition, saves
    the second drawing: the blank pages it calls for are added first, and the
    result is kept if its page count is a multiple of 4. With the built-in
    layouts each blank page adds one page, so that happens only when they are
    the very pages the count-then-add path would add: the HTML, and so the
    PDF, is the same. (A layout folder could make page breaks that depend on
    the count, such as a back cover on a left-hand page: callers give no hint
    then.) Returns the document, its HTML, and how many drawings it took.
    """
    spec = SPECS[job.edition]
    drawings = 0

    def draw(source: str):
        nonlocal drawings
        drawings += 1
        document = renderer(source)
        if job.edition == "print":
            check_resolution(document)
        return document

    guess = -pages_hint % spec.page_multiple if pages_hint else 0
    guessed = with_blank_pages(html, guess) if guess else None
    document = draw(guessed) if guessed else None
    if document is not None and len(document.pages) % spec.page_multiple == 0:
        html = guessed
    else:
        document = draw(html)
        missing = -len(document.pages) % spec.page_multiple
        if missing:
            html = with_blank_pages(html, missing)
            document = draw(html)
            if len(document.pages) % spec.page_multiple:
                raise RenderError(f"the {spec.name} edition needs a multiple of "
                                  f"{spec.page_multiple} pages; it has {len(document.pages)} "
                                  "even after adding blank pages (does the layout style "
                                  "`.filler`?)")
    pin_dates(document, job.profile.published)
    return document, html, drawings


def blank_pages(html: str) -> int:
    """How many blank pages ``with_blank_pages`` put into ``html``."""
    return html.count(FILLER)


def with_blank_pages(html: str, n: int) -> str:
    """Insert ``n`` blank pages before the back cover (or at the end)."""
    m = _BACK_COVER_RE.search(html)
    at = m.start() if m else html.rindex("</body>")
    return html[:at] + FILLER * n + html[at:]


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
        uri = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
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
