"""Lay composed HTML out into pages with WeasyPrint, reading only what is allowed.

WeasyPrint may read only the project's own folders (layouts, fonts, the
content tree, extra layout folders) and ``data:`` URIs. Any other URL,
file or network, is refused, and the build fails naming it. So does any
resource WeasyPrint could not load (an image, a font, a style sheet: it
only logs those and leaves them out), and nothing of a ``data:`` URI it
names is printed but its type and size.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import RenderError
from ..files.names import shorten
from . import structure
from .fonts import isolate_fonts
from .hooks import link_once, tag_notes

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
            shorten(u) for u in dict.fromkeys(fetcher.refused)) +
            " (layouts may use only their own folders, fonts/ and data: URIs)")
    if exc is not None:  # an allowed file that could not be read
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise RenderError(shorten(f"{exc}{cause}")) from exc
    if unloaded is not None and unloaded.problems:
        raise NotLoaded("an image, font or style sheet could not be loaded, and the PDF "
                        "would miss it: " +
                        "; ".join(dict.fromkeys(unloaded.problems)))


#: WeasyPrint's messages for a resource it could not load (it leaves the resource
#: out and goes on): an image, an inline SVG, a style sheet, an attachment, a font.
_NOT_LOADED = re.compile(r"Failed to (load|render)|Font-face .* cannot be loaded|"
                         r"Unable to instantiate")
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
        record.msg, record.args = shorten(message, 1000), ()
        if record.levelno >= logging.WARNING and _NOT_LOADED.search(message):
            self.problems.append(shorten(message))
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

