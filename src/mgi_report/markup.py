"""Findings are plain text with inline Markdown: emphasis, code and links.

Raw HTML is never interpreted (it shows as text), images are not a
Markdown feature here (``![x](y)`` shows as text), and only http(s) and
mailto links become links; any other link shows as its literal text.
Quotes and apostrophes are set typographically for the language (CLDR's
delimiters; Babel does not carry them), so editors may type straight quotes.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_INLINE_RULES = ["text", "linkify", "newline", "escape", "backticks", "emphasis",
                 "link", "entity", "strikethrough"]


#: CLDR quotation delimiters (start, end, alternate start, alternate end).
QUOTES = {
    "en": "\u201c\u201d\u2018\u2019",
    "de": "\u201e\u201c\u201a\u2018",
    "fr": ["\u00ab\u202f", "\u202f\u00bb", "\u201c", "\u201d"],
    "es": "\u00ab\u00bb\u201c\u201d",
    "ru": "\u00ab\u00bb\u201e\u201c",
    "ar": "\u00ab\u00bb\u201c\u201d",
}


def _validate_link(url: str) -> bool:
    return bool(_SAFE_LINK.match(url.strip()))


@functools.lru_cache(maxsize=None)
def _parser(lang: str) -> MarkdownIt:
    quotes = QUOTES.get(lang, QUOTES["en"])
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": quotes})
    md.enable(["smartquotes", "replacements"])
    md.disable(["image", "html_inline", "autolink"])
    md.validateLink = _validate_link
    return md


def inline(text: str, lang: str) -> Markup:
    """One finding or paragraph as safe inline HTML."""
    html = _parser(lang).renderInline(text.strip())
    return Markup(html.strip())


def paragraphs(text: str, lang: str) -> list[Markup]:
    """A multi-paragraph text (blank lines separate paragraphs)."""
    parts = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [inline(" ".join(p.split()), lang) for p in parts]
