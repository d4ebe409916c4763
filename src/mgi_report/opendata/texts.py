"""A text of the content as data: its inline HTML (as the PDF sets it, without
its notes), its plain text (that HTML's words, markup removed), and the sources
it cites.

The HTML is ``text.markup``'s, the findings' own: typographic quotes and
dashes, the language's non-breaking spaces, links, emphasis and code, and in a
right-to-left language the Latin runs set as written (``<span dir="ltr">``).
Citations are left out of both forms (a citation is a footnote in the PDF);
``cited`` gives the sources a text cites, in the order of their first call.
"""

from __future__ import annotations

import html as html_module
import re

from ..text import markup

_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\n]+")  # not the non-breaking spaces: they are the text's


def html(text: str, lang: str) -> str:
    """A finding (or a source) as the PDF's inline HTML, without its citations."""
    return str(markup.inline(markup.uncited(text), lang))


def plain(text: str, lang: str) -> str:
    """A finding (or a source) as plain text: the words of its HTML (``html``),
    markup removed, white space between words one space."""
    return plain_of(html(text, lang))


def plain_of(inline_html: str) -> str:
    """The words of inline HTML: its tags removed, its entities read, white space
    one space. (The HTML escapes every ``<`` of the text itself, so a tag is markup.)"""
    return _SPACES.sub(" ", html_module.unescape(_TAG.sub("", inline_html))).strip()


def paragraphs(text: str, lang: str) -> str:
    """A text of paragraphs (an updates text) as plain text, its paragraphs
    separated by a blank line, without citations."""
    return "\n\n".join(plain_of(str(p)) for p in markup.paragraphs(markup.uncited(text), lang))


def cited(text: str, sources: dict[str, str], lang: str) -> list[dict[str, str]]:
    """The sources ``text`` cites (``sources``: id -> text), each once, in the order
    of its first citation: ``{"id", "text"}``, the text plain."""
    out: dict[str, dict[str, str]] = {}
    for _, ident in markup.citations(text):
        if ident in sources and ident not in out:
            out[ident] = {"id": ident, "text": plain(sources[ident], lang)}
    return list(out.values())
