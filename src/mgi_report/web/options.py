"""What a site is built from and into (``Options``), and the shipped fonts its
style sheet loads (``FONT_FILES``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The shipped fonts the site's style sheet loads (fonts/, OFL: fonts/OFL.txt).
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf",
              "NotoSans-BoldItalic.ttf", "NotoSansArabic-Regular.ttf",
              "NotoSansArabic-Bold.ttf", "NotoNaskhArabic-Regular.ttf",
              "NotoNaskhArabic-Bold.ttf", "OFL.txt")


@dataclass
class Options:
    """What a site is built from and into."""

    content: Path
    out: Path
    layouts: tuple[Path, ...] = ()
    pdfs: Path | None = None
    cache: Path | None = None
    base_url: str | None = None
    force: bool = False
