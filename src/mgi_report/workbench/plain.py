"""A text as a reader sees it, tied back to what the editor wrote.

``render``: a text's inline markup (``inline``) read into plain characters,
each with the span of the YAML text it stands for and its look (strong,
emphasis, code, a link's address); a citation is one character (OBJECT
REPLACEMENT) standing for all of ``[^id]``. ``patch``: a reviewer's edit of
the plain text carried back into the markup: each deleted character's span
removed, each inserted run put after the character before it, every piece of
markup the edit did not touch kept as written."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from . import inline

CITE_CHAR = "\ufffc"
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@dataclass(frozen=True)
class Look:
    strong: bool = False
    em: bool = False
    code: bool = False
    link: str | None = None


@dataclass
class Plain:
    """``text``: the plain characters (paragraphs separated by a blank line);
    per character, ``spans`` (its start and end in the markup) and ``looks``;
    ``cites``: the citations' ids by character offset."""

    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    looks: list[Look] = field(default_factory=list)
    cites: dict[int, str] = field(default_factory=dict)

    def add(self, ch: str, span: tuple[int, int], look: Look) -> None:
        self.text += ch
        self.spans.append(span)
        self.looks.append(look)


def _look(codes: list[inline.Code]) -> Look:
    link = next((c.close for c in reversed(codes) if c.kind == "link"), None)
    if link is not None:
        link = link[2:-1].split(" ", 1)[0].strip("<>")  # `](url "title")` -> url
    return Look(any(c.kind == "strong" for c in codes), any(c.kind == "em" for c in codes),
                False, link)


def render(text: str) -> Plain:
    """The plain characters of a text (``rewrite.canonical``), tied to its markup."""
    lexed = inline.lex(text)
    out = Plain()
    at = 0
    open_codes: list[inline.Code] = []
    for run in lexed.runs:
        if isinstance(run, str):
            look, i = _look(open_codes), 0
            while i < len(run):
                if run[i] == "\\" and i + 1 < len(run) and run[i + 1] in _PUNCT:
                    out.add(run[i + 1], (at + i, at + i + 2), look)
                    i += 2
                else:
                    out.add(run[i], (at + i, at + i + 1), look)
                    i += 1
            at += len(run)
            continue
        code = lexed.codes[run[0]]
        if run[1] == "open":
            open_codes.append(code)
            at += len(code.open)
        elif run[1] == "close":
            open_codes.remove(code)
            at += len(code.close)
        elif code.kind == "cite":
            out.cites[len(out.text)] = code.open[2:-1]
            out.add(CITE_CHAR, (at, at + len(code.open)), _look(open_codes))
            at += len(code.open)
        elif code.kind == "code":
            ticks = len(code.open) - len(code.open.lstrip("`"))
            look = Look(code=True, link=_look(open_codes).link)
            for k in range(ticks, len(code.open) - ticks):
                out.add(code.open[k], (at + k, at + k + 1), look)
            at += len(code.open)
        else:  # a paragraph break
            out.add("\n", (at, at + 1), Look())
            out.add("\n", (at + 1, at + 2), Look())
            at += 2
    return out


def patch(text: str, edited: str) -> str:
    """``text`` (markup) with the changes from its plain text to ``edited``
    (plain, citations as CITE_CHAR) made in the markup; a citation can be
    removed or kept, not added (its character in ``edited`` where none was
    is dropped)."""
    plain = render(text)
    old_words, new_words = words(plain.text), words(edited)
    cut: set[int] = set()  # markup offsets removed
    put: dict[int, str] = {}  # markup offset -> text inserted before it
    for tag, w1, w2, v1, v2 in difflib.SequenceMatcher(
            None, [w for w, _ in old_words], [w for w, _ in new_words],
            autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        i1 = old_words[w1][1] if w1 < len(old_words) else len(plain.text)
        i2 = old_words[w2][1] if w2 < len(old_words) else len(plain.text)
        j1 = new_words[v1][1] if v1 < len(new_words) else len(edited)
        j2 = new_words[v2][1] if v2 < len(new_words) else len(edited)
        for k in range(i1, i2):
            cut.update(range(*plain.spans[k]))
        if j2 > j1:  # a word replaced goes where it was; one inserted after the one before
            where = plain.spans[i1][0] if tag == "replace" else \
                plain.spans[i1 - 1][1] if i1 else (plain.spans[0][0] if plain.spans else 0)
            new = edited[j1:j2].replace(CITE_CHAR, "")
            put[where] = put.get(where, "") + _escaped(new)
    out = []
    for k in range(len(text) + 1):
        if k in put:
            out.append(put[k])
        if k < len(text) and k not in cut:
            out.append(text[k])
    return "".join(out)


def words(text: str) -> list[tuple[str, int]]:
    """Words, spaces and signs, each with its offset: what an edit is compared by."""
    return [(m[0], m.start()) for m in re.finditer(r"\s+|\w+|[^\w\s]", text)]


def _escaped(words: str) -> str:
    """Inserted plain words as markup that reads as them: a `*`, `_`, `` ` ``,
    `[` or `\\` escaped."""
    return "".join("\\" + ch if ch in "*_`[\\" else ch for ch in words)
