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
from pathlib import Path
from typing import TYPE_CHECKING

from ..compose import chapters
from ..content.tree import LanguageFile, empty_domains, shown_path
from ..content.yamlsource import MAX_FILE_BYTES
from ..errors import ContentError, MgiError, Problem, RenderError, UsageError
from ..files import reads
from ..resources import PRINT_PROFILE
from ..text import i18n
from ..text.markup import note_titles
from . import finishing
from .specs import SPECS

if TYPE_CHECKING:
    from ..compose.job import Job

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
    from ..engine.render import edition_document

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


def pdf_options(job: Job, identifier: bytes, html: str = "") -> dict:
    """WeasyPrint's write_pdf options for the edition (``html``: the composed
    document, whose notes name the links to them)."""
    spec = SPECS[job.edition]
    links = {**chapters.link_titles(i18n.translations(job.lang)), **note_titles(html)}
    options = {"pdf_variant": spec.variant, "pdf_tags": spec.tags,
               "finisher": functools.partial(finishing.finish, spec, identifier,
                                             isbn=job.profile.publication.isbn,
                                             links=links)}
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


#: What an archive edition embeds, and so all that extract writes: profile.yaml,
#: language files (``xx.yaml``) and a logo. An archive edition carries three at
#: most; a PDF that carries more than MAX_ATTACHMENTS, or more than
#: MAX_EXTRACT_BYTES in all, is refused before anything is written.
MAX_ATTACHMENTS = 8
MAX_EXTRACT_BYTES = 3 * MAX_FILE_BYTES
_LOGO_SUFFIXES = (".svg", ".png")


def extract(pdf_path: Path, dest: Path, force: bool = False) -> list[Path]:
    """Write the content files embedded in an archive edition into ``dest``;
    returns their paths.

    Only what an archive edition embeds is written (``profile.yaml``, language
    files, one logo), under names checked as content text is; each file's
    checksum and size are checked against what the PDF records, and there are
    caps on their number and their total size. No existing file is replaced
    unless ``force``. All or nothing: the files are written into a temporary
    folder beside ``dest`` and renamed into place at the end.
    """
    import pikepdf

    from ..files.names import printable_name
    from ..files.outputs import input_pdf

    shown = input_pdf(pdf_path)
    try:
        pdf = pikepdf.open(pdf_path)
    except pikepdf.PdfError as exc:
        raise UsageError(f"{shown} is not a readable PDF ({printable_name(exc)})") from None
    files: dict[str, bytes] = {}
    with pdf:
        try:
            keys = list(pdf.attachments)
        except (pikepdf.PdfError, TypeError, ValueError) as exc:
            raise DamagedAttachment(f"{shown}: its list of embedded files is damaged "
                                    f"({printable_name(exc)})") from None
        if not keys:
            raise UsageError(f"{shown} carries no embedded files (only the archive "
                             "edition carries its sources)")
        if len(keys) > MAX_ATTACHMENTS:
            raise DamagedAttachment(f"{shown} carries {len(keys):,} embedded files; an "
                                    f"archive edition carries at most {MAX_ATTACHMENTS} "
                                    "(profile.yaml, its language file, a logo): "
                                    "nothing was written")
        specs = []
        for key in keys:
            try:
                spec = pdf.attachments[key]
                specs.append((_checked_name(shown, spec.filename or key), spec))
            except (KeyError, pikepdf.PdfError, TypeError, ValueError) as exc:
                # a name pikepdf cannot look up again (a NUL in it), a spec without a file
                raise DamagedAttachment(f"{shown}: an embedded file has an unusable name "
                                        f"or no file (`{printable_name(key)}`: "
                                        f"{printable_name(exc)})") from None
        logos = [name for name, _ in specs if name.lower().endswith(_LOGO_SUFFIXES)]
        if len(logos) > 1:
            raise DamagedAttachment(f"{shown} carries {len(logos)} images "
                                    f"({', '.join(logos)}); an archive edition carries one "
                                    "logo at most")
        total = 0
        for name, spec in specs:
            if name in files:
                raise DamagedAttachment(f"{shown}: two embedded files are named {name}")
            try:
                attached = spec.get_file()
            except (KeyError, pikepdf.PdfError, TypeError, ValueError) as exc:
                raise DamagedAttachment(f"{shown}: embedded {name} has no readable file "
                                        f"({printable_name(exc)})") from None
            files[name] = _checked_bytes(shown, name, attached)
            total += len(files[name])
            if total > MAX_EXTRACT_BYTES:
                raise DamagedAttachment(f"{shown}: its embedded files are larger than "
                                        f"{MAX_EXTRACT_BYTES:,} bytes together; the files "
                                        "of one archive edition are not")
    return _place(Path(pdf_path), Path(dest), files, force)


def _checked_name(shown: str, name: object) -> str:
    """An embedded file's name, if it is one an archive edition embeds and passes
    the content's character rules; else DamagedAttachment, the name escaped."""
    import re

    from ..files.names import printable_name
    from ..text.printable import problems

    text = str(name)
    escaped = printable_name(text)
    unusable = (not text or text.startswith(".") or "/" in text or "\\" in text
                or len(text.encode("utf-8", "surrogatepass")) > 255
                or any(not ch.isprintable() for ch in text) or bool(problems(text)))
    if unusable:
        raise DamagedAttachment(f"{shown}: an embedded file has an unusable name: "
                                f"`{escaped}` (a path, a dot-file, or characters content "
                                "may not hold); nothing was written")
    if text == "profile.yaml" or re.fullmatch(r"[a-z]{2}\.yaml", text) or \
            text.lower().endswith(_LOGO_SUFFIXES) and len(text) > 4:
        return text
    raise DamagedAttachment(f"{shown}: an embedded file is named `{escaped}`; an archive "
                            "edition embeds only profile.yaml, language files (xx.yaml) and "
                            "a logo (.svg or .png), and extract writes nothing else; "
                            "nothing was written")


def _place(pdf_path: Path, dest: Path, files: dict[str, bytes], force: bool) -> list[Path]:
    """Write ``files`` into ``dest``, all or nothing: first into a new folder
    beside ``dest`` (inside it, if it is on another file system), then renamed
    into place. An existing file is replaced only with ``force``."""
    import os
    import secrets
    import shutil
    import stat

    from ..files.outputs import check_output

    dest = Path(os.path.abspath(dest))
    try:
        st = os.stat(dest)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise RenderError(f"cannot write into {dest}: {exc.strerror or exc}") from exc
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise RenderError(f"cannot write into {dest}: it is not a folder")
    if st is not None:
        there = [name for name in files if os.path.lexists(dest / name)]
        if there and not force:
            raise UsageError(f"will not replace {', '.join(str(dest / n) for n in there)} "
                             "(--force replaces them); nothing was written")
        for name in there:
            check_output(dest / name, [pdf_path], what="folder")
    made: list[Path] = []  # missing parent folders this call makes
    parent = dest.parent
    while not parent.exists() and parent != parent.parent:
        made.append(parent)
        parent = parent.parent
    tmp: Path | None = None
    placed: list[Path] = []
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        beside = dest.parent if st is None or os.stat(dest.parent).st_dev == st.st_dev else dest
        while tmp is None:
            candidate = beside / f".{dest.name}.{secrets.token_hex(4)}.tmp"
            try:
                os.mkdir(candidate)
                tmp = candidate
            except FileExistsError:
                continue
        for name, data in files.items():
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if st is None:
            os.rename(tmp, dest)
            tmp = None
        else:
            for name in files:
                if force:
                    os.replace(tmp / name, dest / name)
                else:  # a file that appeared since the check above is kept
                    os.link(tmp / name, dest / name)
                placed.append(dest / name)
    except OSError as exc:
        for path in placed if not force else []:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise RenderError(f"cannot write into {dest}: {exc.strerror or exc}; nothing was "
                          "written") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if not (dest.exists()):
            for folder in made:
                try:
                    folder.rmdir()
                except OSError:
                    break
    return [dest / name for name in files]


#: The largest embedded file extract writes: content files are at most this big.
MAX_ATTACHMENT_BYTES = MAX_FILE_BYTES


def _read_capped(pdf_path: Path | str, name: str, stream) -> bytes:
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


def _checked_bytes(pdf_path: Path | str, name: str, attached) -> bytes:
    data = _read_capped(pdf_path, name, attached.obj)
    if attached.md5 and attached.md5 != hashlib.md5(data, usedforsecurity=False).digest():
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not match its checksum")
    if attached.size and attached.size != len(data):
        raise DamagedAttachment(f"{pdf_path}: embedded {name} does not have its recorded size")
    return data
