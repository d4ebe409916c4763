"""Findings are plain text with inline Markdown: emphasis, code and links.

Raw HTML is never interpreted (it shows as text), images are not a
Markdown feature here (``![x](y)`` shows as text), and only http(s) and
mailto links become links; any other link shows as its literal text.
Quotes and apostrophes are set typographically for the language (CLDR's
delimiters; Babel does not carry them), so editors may type straight quotes;
the language's non-breaking spaces are put in (joins.py).
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import replacements as typo
from markdown_it.rules_core.state_core import StateCore
from markdown_it.rules_inline.image import image as image_rule
from markdown_it.rules_inline.state_inline import StateInline
from markupsafe import Markup

from .joins import join

_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


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


def _image_as_text(state: StateInline, silent: bool) -> bool:
    """``![alt](url)`` stays its own source text (an image is never fetched)."""
    start = state.pos
    if not image_rule(state, True):  # silent: only finds where the image ends
        return False
    if not silent:
        state.push("text", "", 0).content = state.src[start:state.pos]
    return True


_ELLIPSIS = re.compile(r"\.{3,}")


def _replacements(state: StateCore) -> None:
    """Dashes (``--``, ``---``) and ellipses (``...``) only: markdown-it's other
    replacements garble real text, ``(c)`` -> © in "(a), (b), (c)", ``..`` -> … in paths."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                text = _ELLIPSIS.sub("\u2026", child.content)
                text = typo.EM_DASH_RE.sub("\\1\u2014", text)
                text = typo.EN_DASH_RE.sub("\\1\u2013", text)
                child.content = typo.EN_DASH_INDENT_RE.sub("\\1\u2013", text)


def _joins(lang: str):
    """A core rule: the language's non-breaking spaces in every text token."""
    def rule(state: StateCore) -> None:
        for token in state.tokens:
            for child in token.children or ():
                if child.type == "text":
                    child.content = join(child.content, lang)
    return rule


@functools.lru_cache(maxsize=None)
def _parser(lang: str) -> MarkdownIt:
    quotes = QUOTES.get(lang, QUOTES["en"])
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": quotes})
    md.enable(["smartquotes", "replacements"])
    md.disable(["html_inline", "autolink"])
    md.inline.ruler.at("image", _image_as_text)
    md.core.ruler.at("replacements", _replacements)
    md.core.ruler.push("joins", _joins(lang))
    md.validateLink = _validate_link
    return md


def tokens(text: str) -> list:
    """The inline tokens of a finding (each with its ``nesting``: +1 opens, -1 closes)."""
    parsed = _parser("en").parseInline(text.strip())
    return parsed[0].children or [] if parsed else []


#: ``[^id]``: a citation of the key source with that id (validated in content).
CITATION = re.compile(r"\[\^([a-z0-9]+(?:[-_.][a-z0-9]+)*)\]")
#: The element a footnote is set in: inline wherever it stands (also in a <p>),
#: and tagged as a PDF ``Note`` in the tagged editions (render.tag_notes).
NOTE_ELEMENT = "mgi-note"


def inline(text: str, lang: str, notes: dict[str, str] | None = None) -> Markup:
    """One finding or paragraph as safe inline HTML. With ``notes`` (source id ->
    text), each ``[^id]`` becomes a footnote: the source's text, set by the
    style sheet at the foot of the page (``float: footnote``). Markdown leaves
    ``[^id]`` as it is (no link of that name exists), and its brackets count as
    punctuation for the typographic quotes before it."""
    html = _parser(lang).renderInline(text.strip()).strip()
    if notes:
        html = CITATION.sub(lambda m: f'<{NOTE_ELEMENT} class="footnote">'
                            f"{inline(notes[m[1]], lang)}</{NOTE_ELEMENT}>"
                            if m[1] in notes else m[0], html)
    return Markup(html)


def paragraphs(text: str, lang: str, notes: dict[str, str] | None = None) -> list[Markup]:
    """A multi-paragraph text (blank lines separate paragraphs)."""
    parts = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [inline(" ".join(p.split()), lang, notes) for p in parts]
