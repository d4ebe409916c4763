"""A page's footnotes as linked notes, and its acronyms as ``<abbr>``.

compose gives each citation as the PDF sets it: the source's text inline, in
a ``<mgi-note>`` element (text.markup). On a web page a note is a numbered
call, a link to the note in the list at the end of the page, which links
back: ``linked`` replaces every ``<mgi-note>`` with its call and returns the
notes, numbered through the page; a source cited again on the page calls its
first note. ``abbreviations`` marks each acronym the profile explains where it
occurs in the page's text (never inside a tag, an ``<abbr>`` already there, an
SVG drawing or the page's head).
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..text.markup import NOTE_ELEMENT

_NOTE = re.compile(rf'<{NOTE_ELEMENT} class="footnote"(?: data-cite="([^"<>]*)")?>(.*?)'
                   rf"</{NOTE_ELEMENT}>", re.DOTALL)


@dataclass(frozen=True)
class Note:
    """A note of a page: its number and text (safe HTML)."""

    number: int
    text: Markup


def linked(page: str, call_name: str) -> tuple[str, list[Note]]:
    """``page`` with every footnote a call (``call_name % n``: its accessible
    name, e.g. "Note 3") and the page's notes, in order."""
    first: dict[str, int] = {}
    notes: list[Note] = []

    def call(found: re.Match) -> str:
        ident, body = found[1], found[2]
        key = ident or body
        name = escape(call_name % {"n": len(notes) + 1})
        if key in first:
            n = first[key]
            name = escape(call_name % {"n": n})
            return (f'<sup class="note-call"><a href="#note-{n}" aria-label="{name}">'
                    f"{n}</a></sup>")
        notes.append(Note(len(notes) + 1, Markup(body)))
        n = first[key] = len(notes)
        return (f'<sup class="note-call"><a href="#note-{n}" id="call-{n}" '
                f'aria-label="{name}">{n}</a></sup>')

    return _NOTE.sub(call, page), notes


#: Where abbreviations are not marked: inside these elements.
_SKIP = ("abbr", "svg", "head", "title", "script", "style", "code")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>|<!--.*?-->", re.DOTALL)


def abbreviations(page: str, acronyms: dict[str, str]) -> str:
    """Each acronym of ``acronyms`` (acronym -> its expansion) in the page's
    text (between tags, outside ``_SKIP``) as ``<abbr title="…">``."""
    if not acronyms:
        return page
    words = sorted(acronyms, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w&#])(" + "|".join(re.escape(html_module.escape(w))
                                                    for w in words) + r")(?!\w)")
    titles = {str(html_module.escape(w)): acronyms[w] for w in words}
    out: list[str] = []
    depth = 0
    pos = 0
    for tag in _TAG.finditer(page):
        text = page[pos:tag.start()]
        out.append(text if depth else pattern.sub(
            lambda m: f'<abbr title="{escape(titles[m[1]])}">{m[1]}</abbr>', text))
        out.append(tag[0])
        pos = tag.end()
        if tag[2] and tag[2].lower() in _SKIP and not tag[3]:
            depth += -1 if tag[1] else 1
            depth = max(depth, 0)
    rest = page[pos:]
    out.append(rest if depth else pattern.sub(
        lambda m: f'<abbr title="{escape(titles[m[1]])}">{m[1]}</abbr>', rest))
    return "".join(out)


__all__ = ["Note", "abbreviations", "linked"]
