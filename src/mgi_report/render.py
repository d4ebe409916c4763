"""Render composed HTML to PDF with WeasyPrint; write it atomically.

WeasyPrint may read only the project's own folders (layouts, fonts, the
content tree, extra layout folders) and ``data:`` URIs. Any other URL,
file or network, is refused, and the build fails naming it. So does any
resource WeasyPrint could not load (an image, a font, a style sheet: it
only logs those and leaves them out), and nothing of a ``data:`` URI it
names is printed but its type and size.

Also here, as the lowest layer of file handling: ``write_atomic``,
``read_regular`` (a regular file, no link followed, with a size cap) and the
one warning for a cache folder that cannot be written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import os
import re
import stat
import sys
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


class NotLoaded(RenderError):
    """WeasyPrint could not load an image, font or style sheet the page needs."""


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


#: The font configuration written when the cache folder cannot hold it: {"path": path}.
_PRIVATE_CONF: dict[str, str] = {}
MAX_FONT_CACHE = 16 << 20  # a fontconfig cache file larger than this is not one of ours


def isolate_fonts() -> Path:
    """Point fontconfig (and so Pango and WeasyPrint) at a private configuration
    that knows ``fonts/`` and nothing else: no system font is ever opened, not
    for a missing glyph, a ``font-family`` a layout names, or ``local()``.

    Fontconfig reads ``FONTCONFIG_FILE`` whenever a configuration is loaded,
    which WeasyPrint does for every document; so this works at any time
    before rendering, also after WeasyPrint was imported.

    The configuration lives in the cache folder (``fontconfig/fonts.conf``,
    beside fontconfig's own cache of ``fonts/``); it is used only if it is a
    regular file holding exactly the text below, else written again, and
    anything in that folder that is not a regular file (a link, a FIFO) is
    removed first, so fontconfig never follows a link out of the cache. A
    cache that cannot be written gets the one warning (cache_unwritable) and
    the configuration goes to a temporary file of this process.
    """
    root = cache_folder()
    folder = root / "fontconfig"
    if _real_folder(folder):
        text = _font_conf(root.resolve() / "fontconfig")
        path = folder / "fonts.conf"
        try:
            _sweep(folder)
            if read_regular(path, 1 << 16) != text.encode():
                write_atomic(path, lambda fh: fh.write(text.encode()))
        except (OSError, RenderError) as exc:
            cache_unwritable(root, exc)
            path = _private_conf()
    else:
        cache_unwritable(root, OSError(errno.ENOTDIR, f"{folder} is not a folder of its own"))
        path = _private_conf()
    os.environ["FONTCONFIG_FILE"] = str(path)
    os.environ.pop("FONTCONFIG_PATH", None)
    os.environ.pop("FONTCONFIG_SYSROOT", None)
    return path


def _font_conf(cachedir: Path) -> str:
    from xml.sax.saxutils import escape

    return FONTCONFIG.format(fonts=escape(str(FONTS.resolve())), cache=escape(str(cachedir)))


def _real_folder(folder: Path) -> bool:
    """True when ``folder`` is a folder (not a link to one) or missing; a link or
    anything else in its place is removed if it can be."""
    try:
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            return True
        os.unlink(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _sweep(folder: Path) -> None:
    """Remove what fontconfig must not open in its cache folder: anything that is
    not a regular file (a link, a FIFO, a socket), and files too large to be its
    cache. (Fontconfig checks its own cache files' headers and sizes.) Raises
    OSError when such a thing cannot be removed: the folder is not to be used."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode) and (not stat.S_ISREG(st.st_mode) or
                                             st.st_size > MAX_FONT_CACHE):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass


def _private_conf() -> Path:
    """The configuration outside the cache, once per process: a private temporary
    folder holding it and fontconfig's cache, removed when the process ends."""
    if "path" in _PRIVATE_CONF:
        return Path(_PRIVATE_CONF["path"])
    import atexit

    try:
        folder = Path(tempfile.mkdtemp(prefix="mgi-report-fonts-"))
        path = folder / "fonts.conf"
        path.write_text(_font_conf(folder), encoding="utf-8")
    except OSError as exc:
        raise RenderError("cannot write the font configuration, neither in the cache folder "
                          f"nor in the temporary folder: {exc.strerror or exc}") from exc
    atexit.register(_remove, folder, os.getpid())
    _PRIVATE_CONF["path"] = str(path)
    return path


def _remove(folder: Path, pid: int) -> None:
    if os.getpid() == pid:  # not a forked copy of the process that made it
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


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
    with _loading() as unloaded:
        try:
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
        except FatalURLFetchingError as exc:
            _fail(fetcher, exc)
    _fail(fetcher, unloaded=unloaded)
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
        with _loading() as unloaded:
            try:
                result = write_pdf(*args, **kwargs)
            except FatalURLFetchingError as exc:
                _fail(fetcher, exc)
        _fail(fetcher, unloaded=unloaded)
        return result

    document.write_pdf = checked_write_pdf  # this instance only
    return document


def _fail(fetcher, exc: BaseException | None = None, unloaded: _NotLoaded | None = None
          ) -> None:
    """Raise RefusedURL if anything was refused, RenderError for ``exc``, NotLoaded
    for what WeasyPrint could not load, else return."""
    if fetcher.refused:
        raise RefusedURL("refused to read " + ", ".join(
            _shorten(u) for u in dict.fromkeys(fetcher.refused)) +
            " (layouts may use only their own folders, fonts/ and data: URIs)")
    if exc is not None:  # an allowed file that could not be read
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise RenderError(_shorten(f"{exc}{cause}")) from exc
    if unloaded is not None and unloaded.problems:
        raise NotLoaded("an image, font or style sheet could not be loaded, and the PDF "
                        "would miss it: " +
                        "; ".join(dict.fromkeys(unloaded.problems)))


#: WeasyPrint's messages for a resource it could not load (it leaves the resource
#: out and goes on): an image, an inline SVG, a style sheet, an attachment, a font.
_NOT_LOADED = re.compile(r"Failed to (load|render)|Font-face .* cannot be loaded|"
                         r"Unable to instantiate")
_DATA_URI = re.compile(r"\bdata:([\w.+/-]*)[^\s'\")]*")


def _shorten(text: str, limit: int = 300) -> str:
    """A message fit to print: a ``data:`` URI as its type and size (never its
    bytes), control characters escaped, at most ``limit`` characters."""
    text = _DATA_URI.sub(lambda m: f"data:{m[1] or 'text/plain'} ({len(m[0]):,} bytes)", text)
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else
                   f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _NotLoaded(logging.Filter):
    """On WeasyPrint's logger while it lays out or writes: every message's
    ``data:`` URIs shortened (so no bytes reach a log), and each resource that
    could not be loaded kept to fail the build, not printed as a warning."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):  # an exception without words: its kind
            record.args = tuple(type(a).__name__ if isinstance(a, BaseException) and
                                not str(a).strip() else a for a in record.args)
        try:
            message = record.getMessage().rstrip(": ")
        except Exception:  # noqa: BLE001  (a malformed record: print it as it is)
            return True
        record.msg, record.args = _shorten(message, 1000), ()
        if record.levelno >= logging.WARNING and _NOT_LOADED.search(message):
            self.problems.append(_shorten(message))
            return False
        return True


@contextlib.contextmanager
def _loading():
    """Watch WeasyPrint's logger (see _NotLoaded) for the duration."""
    logger = logging.getLogger("weasyprint")
    watch = _NotLoaded()
    logger.addFilter(watch)
    try:
        yield watch
    finally:
        logger.removeFilter(watch)


def read_regular(path: Path, cap: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link to one) of at most
    ``cap`` bytes; else None. Never blocks on a FIFO, never reads past ``cap``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > cap:
            return None
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        return None  # grew past the cap while read
    except OSError:
        return None
    finally:
        os.close(fd)


#: Cache folders already warned about, in this process and those it starts.
CACHE_WARNED = "MGI_REPORT_CACHE_WARNED"


def cache_unwritable(root: Path, exc: BaseException) -> None:
    """Warn, once per cache folder, that it cannot be written (a cache only saves
    time: the build goes on). Remembered in the environment, so that workers
    started later (a batch's) do not warn again."""
    warned = os.environ.get(CACHE_WARNED, "").split(os.pathsep)
    if str(root) in warned:
        return
    os.environ[CACHE_WARNED] = os.pathsep.join([*filter(None, warned), str(root)])
    cause = exc.__cause__ if isinstance(exc, RenderError) and exc.__cause__ else exc
    reason = (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(cause)
    print(f"mgi-report: warning: cannot write the cache folder {_shorten(str(root))} "
          f"({_shorten(reason, 120)}); going on without it", file=sys.stderr, flush=True)


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
