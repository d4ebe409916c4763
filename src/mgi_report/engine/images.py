"""Whether WeasyPrint can draw an image (a profile's logo): laid out alone on a
page and drawn, with nothing logged."""

from __future__ import annotations

import logging

from .fonts import isolate_fonts
from .render import _fetcher_class


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
