"""Findings are plain text with inline Markdown: emphasis, code and links.

Raw HTML is never interpreted (it shows as text), images are not a
Markdown feature here (``![x](y)`` shows as text), and only http(s) and
mailto links become links; any other link shows as its literal text.
Quotes and apostrophes are set typographically for the language (CLDR's
delimiters; Babel does not carry them), so editors may type straight quotes;
the language's non-breaking spaces are put in (joins.py).

A citation, ``[^id]``, is a token of the inline parse (``_citation``): found in
text only, never in a code span, an escaped bracket (``\\[^id]``), a link's URL
or title. Every citation is a footnote; a source's first prints its text, a
later one its short form or "See note N." (``first_notes``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import replacements as typo
from markdown_it.rules_core.state_core import StateCore
from markdown_it.rules_inline.image import image as image_rule
from markdown_it.rules_inline.state_inline import StateInline
from markupsafe import Markup, escape

from .bidi import isolate, rtl
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


#: ``[^id]`` as the parser finds it: any id (an unknown or malformed one is
#: validation's to report, content._check_citations).
_CITE = re.compile(r"\[\^([^\]\s]*)\]")


def _citation(state: StateInline, silent: bool) -> bool:
    """An inline rule, before links: ``[^id]`` where a text has it. The token's
    content is the citation as written (smart quotes beside it see its brackets
    as punctuation); ``meta``: the id, and where it starts in the parsed text.
    Silent (a link's text being measured), it leaves ``[^id]`` to be counted as
    brackets: a citation is no nested link, and the link around it stays one."""
    if silent or state.src[state.pos] != "[":
        return False
    found = _CITE.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    token = state.push("citation", "", 0)
    token.content = found[0]
    token.meta = {"id": found[1], "start": state.pos}
    state.pos = found.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    """A citation of a known source (``env["notes"]``: id -> text) is a footnote,
    marked with its id for ``first_notes``; any other shows as written."""
    token = tokens[idx]
    ident = token.meta["id"]
    notes = env.get("notes") if env else None
    if not notes or ident not in notes:
        return str(escape(token.content))
    bodies = env.setdefault("bodies", {})
    if ident not in bodies:
        bodies[ident] = inline(notes[ident], env["lang"])
    return (f'<{NOTE_ELEMENT} class="footnote" data-cite="{escape(ident)}">'
            f"{bodies[ident]}</{NOTE_ELEMENT}>")


@functools.lru_cache(maxsize=None)
def _parser(lang: str) -> MarkdownIt:
    quotes = QUOTES.get(lang, QUOTES["en"])
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "quotes": quotes})
    md.enable(["smartquotes", "replacements"])
    md.disable(["html_inline", "autolink"])
    md.inline.ruler.at("image", _image_as_text)
    md.inline.ruler.before("link", "citation", _citation)
    md.add_render_rule("citation", _render_citation)
    md.core.ruler.at("replacements", _replacements)
    md.core.ruler.push("joins", _joins(lang))
    md.validateLink = _validate_link
    if rtl(lang):  # numbers, signs and Latin runs as written (bidi.py)
        md.add_render_rule("text", lambda self, tokens, idx, options, env:
                           str(isolate(tokens[idx].content, lang)))
    return md


def tokens(text: str, lang: str = "en") -> list:
    """The inline tokens of a finding (each with its ``nesting``: +1 opens, -1 closes)."""
    parsed = _parser(lang).parseInline(text.strip())
    return parsed[0].children or [] if parsed else []


#: ``[^id]`` with a well-formed id, as a pattern (the parser finds citations:
#: ``citations``; this only says what one looks like).
CITATION = re.compile(r"\[\^([a-z0-9]+(?:[-_.][a-z0-9]+)*)\]")
#: The element a footnote is set in: inline wherever it stands (also in a <p>),
#: and tagged as a PDF ``Note`` in the tagged editions (hooks.tag_notes).
NOTE_ELEMENT = "mgi-note"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def citations(text: str) -> list[tuple[int, str]]:
    """(offset in ``text``, id) of each citation, as a text that may cite is
    printed (paragraph by paragraph, ``paragraphs``): none in code, escaped
    brackets, or a link's URL or title."""
    out = []
    start = 0
    for end, next_start in [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)] + \
            [(len(text), len(text))]:
        part = text[start:end]
        if "[^" in part:  # (the inline tokens are flat: a link's text among them)
            parsed = _parser("en").parseInline(part)
            out += [(start + t.meta["start"], t.meta["id"])
                    for t in (parsed[0].children or [] if parsed else []) if t.type == "citation"]
        start = next_start
    return out


def uncited(text: str) -> str:
    """``text`` without its citations (``citations``: those a reader sees as notes;
    ``[^id]`` in code, escaped or in a link stays): where a finding is shown
    without its notes (a follow-up's updates chapter, the open data)."""
    for start, ident in reversed(citations(text)):
        call = f"[^{ident}]"
        if text[start:start + len(call)] == call:
            text = text[:start] + text[start + len(call):]
    return text


def inline(text: str, lang: str, notes: dict[str, str] | None = None) -> Markup:
    """One finding or paragraph as safe inline HTML. With ``notes`` (source id ->
    text), each ``[^id]`` becomes a footnote: the source's text, set by the
    style sheet at the foot of the page (``float: footnote``); ``first_notes``
    then keeps each source's first note and makes the others calls to it.
    Without notes, or for an id not among them, a citation shows as written."""
    env = {"notes": notes, "lang": lang}
    return Markup(_parser(lang).renderInline(text.strip(), env).strip())


def paragraphs(text: str, lang: str, notes: dict[str, str] | None = None) -> list[Markup]:
    """A multi-paragraph text (blank lines separate paragraphs)."""
    parts = [p for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    return [inline(" ".join(p.split()), lang, notes) for p in parts]


_NOTE = re.compile(rf'<{NOTE_ELEMENT} class="footnote" data-cite="([^"<>]*)">(.*?)'
                   rf"</{NOTE_ELEMENT}>", re.S)


def first_notes(html: str, again: Callable[[str, int], str] | None = None) -> str:
    """A source cited again refers back to its first note. Every citation is a
    footnote of its own, on the page of its call, numbered in the composed
    document's order (the style sheet's ``counter(footnote)``); a source's first
    note prints its text, with ``id="cite-N"``; each later one prints
    ``again(id, N)`` (the source's short form, or "See note N."), never the
    full text twice. Without ``again``, a later citation is a call to the first
    note: a link printing its number (``a.note-ref``), with no note of its own."""
    first: dict[str, int] = {}
    count = 0

    def note(found: re.Match) -> str:
        nonlocal count
        ident = found[1]
        if ident in first and again is None:
            n = first[ident]
            return f'<a class="note-ref" href="#cite-{n}">{n}</a>'
        count += 1
        if ident in first:
            return (f'<{NOTE_ELEMENT} class="footnote again">{again(ident, first[ident])}'
                    f"</{NOTE_ELEMENT}>")
        first[ident] = count
        return f'<{NOTE_ELEMENT} class="footnote" id="cite-{count}">{found[2]}</{NOTE_ELEMENT}>'

    return _NOTE.sub(note, html)


_FIRST_NOTE = re.compile(rf'<{NOTE_ELEMENT} class="footnote" id="cite-(\d+)">(.*?)'
                         rf"</{NOTE_ELEMENT}>", re.S)


def note_titles(html: str) -> dict[str, str]:
    """What a link to a note (a source cited again) is called for screen readers:
    anchor -> the note as it prints, ``N. text``, in the document's language."""
    import html as html_module

    return {f"cite-{m[1]}": f"{m[1]}. " + " ".join(
        html_module.unescape(re.sub(r"<[^>]*>", "", m[2])).split())
        for m in _FIRST_NOTE.finditer(html)}
