"""Render composed HTML to PDF with WeasyPrint; write it atomically.

WeasyPrint may read only the project's own folders (layouts, fonts, the
content tree, extra layout folders) and ``data:`` URIs. Any other URL,
file or network, is refused, and the build fails naming it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import structure
from .errors import RenderError
from .resources import FONTS, cache_folder

LOG = logging.getLogger("mgi_report")


class RefusedURL(RenderError):
    pass


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        pass

    class SafeFetcher(URLFetcher):
        """Reads ``data:`` and files under the allowed folders; nothing else."""

        def __init__(self, allowed: Iterable[Path]):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False,
                             fail_on_errors=True)
            self.allowed = [Path(p).resolve() for p in allowed]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc in ("", "localhost"):
                    path = Path(unquote(parts.path)).resolve()
                    if any(path.is_relative_to(root) for root in self.allowed):
                        return super().fetch(url, headers)
            self.refused.append(url)
            raise Refused(f"refused to fetch {url}")

    return SafeFetcher, Refused


FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- mgi-report: the renderer knows the shipped fonts only (render.isolate_fonts). -->
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def isolate_fonts() -> Path:
    """Point fontconfig (and so Pango and WeasyPrint) at a private configuration
    that knows ``fonts/`` and nothing else: no system font is ever opened, not
    for a missing glyph, a ``font-family`` a layout names, or ``local()``.

    Fontconfig reads ``FONTCONFIG_FILE`` whenever a configuration is loaded,
    which WeasyPrint does for every document; so this works at any time
    before rendering, also after WeasyPrint was imported.
    """
    from xml.sax.saxutils import escape

    folder = cache_folder() / "fontconfig"
    text = FONTCONFIG.format(fonts=escape(str(FONTS.resolve())),
                             cache=escape(str(folder.resolve())))
    path = folder / "fonts.conf"
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, lambda fh: fh.write(text.encode()))
    except (OSError, RenderError):  # a read-only cache: a private file elsewhere
        fd, name = tempfile.mkstemp(prefix="mgi-report-fonts-", suffix=".conf")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        path = Path(name)
    os.environ["FONTCONFIG_FILE"] = str(path)
    os.environ.pop("FONTCONFIG_PATH", None)
    os.environ.pop("FONTCONFIG_SYSROOT", None)
    return path


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

    from .markup import NOTE_ELEMENT

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


def render(html: str, base_url: str, allowed: Iterable[Path], **options):
    """HTML -> weasyprint.Document, laid out; refuses any resource outside
    ``allowed``. Write it through ``edition_document``."""
    isolate_fonts()
    tag_notes()
    link_once()
    structure.record_sources()
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    SafeFetcher, _ = _fetcher_class()
    fetcher = SafeFetcher(allowed)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
    except FatalURLFetchingError as exc:
        _fail(fetcher, exc)
    _fail(fetcher)
    return document


def edition_document(laid_out, pages: list, color_profiles: dict, output_intent: str | None):
    """A document of ``pages`` (an edition's pages of the layout ``laid_out``)
    to write one edition: its own colour profiles and output intent, the
    layout's metadata and fonts.

    Some resources are fetched only when the PDF is written (attachments, images
    inside SVG), and WeasyPrint swallows some refusals while drawing; so the
    document's ``write_pdf`` checks the layout's fetcher again afterwards.
    """
    import copy

    from weasyprint import Document
    from weasyprint.urls import FatalURLFetchingError

    profiles = {**laid_out.color_profiles, **color_profiles}  # a layout's own, and the edition's
    document = Document(pages, copy.copy(laid_out.metadata), laid_out.url_fetcher,
                        laid_out.font_config, profiles, output_intent)
    fetcher = laid_out.url_fetcher
    write_pdf = document.write_pdf

    def checked_write_pdf(*args, **kwargs):
        try:
            result = write_pdf(*args, **kwargs)
        except FatalURLFetchingError as exc:
            _fail(fetcher, exc)
        _fail(fetcher)
        return result

    document.write_pdf = checked_write_pdf  # this instance only
    return document


def _fail(fetcher, exc: BaseException | None = None) -> None:
    """Raise RefusedURL if anything was refused, RenderError for ``exc``, else return."""
    if fetcher.refused:
        raise RefusedURL("refused to read " + ", ".join(dict.fromkeys(fetcher.refused)) +
                         " (layouts may use only their own folders, fonts/ and data: URIs)")
    if exc is not None:  # an allowed file that could not be read
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise RenderError(f"{exc}{cause}") from exc


#: Entered around each rename of a finished file into place; a batch worker's
#: (batch._worker_init) raises when the batch it works for is gone, so that a
#: stopped batch puts nothing in place.
rename_guard = contextlib.nullcontext


def write_atomic(target: Path, write, mode: int = 0o644) -> None:
    """Call ``write(fileobj)`` into a temporary file beside target, then rename.

    The temporary file is a hidden ``.NAME.*.tmp``, locked (flock) while it is
    written. A failure or a kill leaves the previous target as it was; a failure
    removes the temporary file, and a kill's leftover (no longer locked) is
    removed by the next write of the same target. Concurrent writes of one
    target each rename a complete file: the last one wins. ``mode``: the
    file's permissions.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(target)
        fd, tmp = _locked_temp(target)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:  # closing it releases the lock, after the rename
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            with rename_guard():
                os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and (exc.filename in (tmp, str(target)) or
                                         exc.errno in _DISK_ERRORS):
            raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _temp_pattern(target: Path) -> str:
    return glob.escape(str(target.parent / f".{target.name}.")) + "*.tmp"


def _locked_temp(target: Path) -> tuple[int, str]:
    """A new temporary file beside target, created and locked by this process."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits only if a cleaner caught it unlocked
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)  # a cleaner removed it between mkstemp and flock: take another


def _remove_stale_temps(target: Path) -> None:
    """Remove temporary files of target that no live process holds locked."""
    for name in glob.glob(_temp_pattern(target)):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(name)
            LOG.info("removed %s, left by an interrupted build", name)
        except OSError:
            pass  # locked: another build is writing it
        finally:
            os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def image_problem(data: bytes, mime: str) -> str | None:
    """Why WeasyPrint cannot draw this image, or None: it is laid out alone on a
    page, drawn, and must come out as an image with a size, with nothing logged.
    (WeasyPrint shows the alternative text instead of an image it cannot load,
    and leaves out an SVG it cannot draw, without failing.)"""
    import base64

    isolate_fonts()
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import ReplacedBox

    uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    html = f'<img src="{uri}" alt="">'
    SafeFetcher, _ = _fetcher_class()
    fetcher = SafeFetcher(())
    records = _Records()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(records)
    try:
        document = HTML(string=html, url_fetcher=fetcher).render()
        boxes = [b for page in document.pages for b in page._page_box.descendants()
                 if isinstance(b, ReplacedBox)]
        if boxes and boxes[0].width and boxes[0].height:
            document.write_pdf()
    except Exception as exc:  # WeasyPrint raises many kinds on a broken image
        return f"it cannot be drawn ({type(exc).__name__}: {str(exc)[:80]})"
    finally:
        logger.removeHandler(records)
    if fetcher.refused:
        return "it refers to other files or URLs: " + ", ".join(fetcher.refused)[:120]
    if records.messages:
        return f"it cannot be drawn ({records.messages[0][:100]})"
    if not boxes:
        return "it cannot be drawn (not an image WeasyPrint can read)"
    if not (boxes[0].width and boxes[0].height):
        return "it has no size (a width or height of 0)"
    return None


class _Records(logging.Handler):
    """Keeps the messages of warnings and errors logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
