"""Typed values from YAML nodes, every problem located: mappings with their keys
checked (unknown keys with a did-you-mean, missing ones, duplicates), text (its
limits and the character rules of ``printable``), lists of text, language codes.

Used by ``content`` (the language files and profile.yaml) and ``facts``
(publication and key data).
"""

from __future__ import annotations

import difflib
import functools
import heapq
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..resources import FONTS
from ..text import printable
from .yamlsource import Reporter

#: Patterns end with \Z, not $: `$` also matches before a final line feed ("en\n").
LANG_RE = re.compile(r"^[a-z]{2}\Z")
#: A finding's or a source's length (an introduction or context may be 4 times as long).
MAX_TEXT_CHARS = 4_000
#: Characters no font prints: C0/C1 controls (but tab and newline), surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    STR: "text", BOOL: "true/false", NULL: "nothing (null)",
    "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}
_STR, _BOOL, _NULL = STR, BOOL, NULL

def type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.startswith("!"):
        return f"a value tagged `{node.tag}`"
    return _TYPE_NAMES.get(node.tag, f"a value tagged `{node.tag}`")


def _quote_hint(node: yaml.Node) -> str:
    """What to do when YAML read a text as something else."""
    if isinstance(node, yaml.ScalarNode) and not node.tag.startswith("!") and node.value:
        return f" (YAML reads `{node.value}` so); to print it as text, put it in double " \
            f"quotes: \"{node.value}\""
    if isinstance(node, yaml.MappingNode) and node.value:
        key = node.value[0][0]
        if isinstance(key, yaml.ScalarNode):
            return (f"; a text with a colon and a space (`{key.value}: …`) reads as a "
                    "key and its value: put the whole text in double quotes")
    return ""


def mapping(node: Any, rep: Reporter, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Mapping node -> {key: (key_node, value_node)}, reporting duplicates."""
    if not isinstance(node, yaml.MappingNode):
        rep.at(node, f"{what} must be a mapping of keys to values, not {type_name(node)}")
        return None
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            rep.at(knode, "a key must be a plain word")
            continue
        key = knode.value
        if key in out:
            first = out[key][0].start_mark.line + 1
            rep.at(knode, f"duplicate key `{key}` (first given on line {first})")
            continue
        out[key] = (knode, vnode)
    return out


#: The did-you-mean's bounds, so that a file full of unknown names is checked in
#: about linear time: each name is compared by its first MAX_COMPARED
#: characters, with the MAX_CANDIDATES names that share most pairs of letters
#: with it, and a file gets suggestions for its first MAX_SUGGESTED unknown
#: names (the rest are still reported, with the names there are).
MAX_COMPARED = 40
MAX_CANDIDATES = 5
MAX_SUGGESTED = 100


def _pairs(word: str) -> frozenset[str]:
    return frozenset(word[i:i + 2] for i in range(max(1, len(word) - 1)))


class Suggester:
    """Did-you-mean for many unknown names against one list of known ones, at a
    bounded cost per name (difflib's ratio, but on short prefixes of a few
    candidates picked by shared letter pairs), remembered per name. ``budget``
    (shared by the suggesters of one file) counts the names still to search."""

    def __init__(self, known, budget: list[int] | None = None) -> None:
        self.known = sorted(set(known))
        self._pairs = [(k, _pairs(k[:MAX_COMPARED])) for k in self.known]
        self._memo: dict[tuple[str, float], str | None] = {}
        self._budget = budget if budget is not None else [MAX_SUGGESTED]

    def __call__(self, word: str, cutoff: float = 0.6) -> str | None:
        if (word, cutoff) in self._memo:
            return self._memo[word, cutoff]
        if self._budget[0] <= 0 or not self.known:
            return None
        self._budget[0] -= 1
        short = word[:MAX_COMPARED]
        pairs = _pairs(short)
        ranked = heapq.nlargest(MAX_CANDIDATES, self._pairs,
                                key=lambda kp: len(pairs & kp[1]) / (len(pairs) + len(kp[1])))
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(short)
        best, floor = None, cutoff
        for name, _p in ranked:
            matcher.set_seq1(name[:MAX_COMPARED])
            if matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor \
                    and (score := matcher.ratio()) >= floor:
                best, floor = name, score + 1e-9  # a better one only replaces it
        self._memo[word, cutoff] = best
        return best


def suggest(rep: Reporter, word: str, known, cutoff: float = 0.6) -> str | None:
    """The known name ``word`` is closest to (or None), within the file's budget."""
    budget = rep.memo.setdefault("suggestions", [MAX_SUGGESTED])
    key = ("suggester", tuple(known))
    if key not in rep.memo:
        rep.memo[key] = Suggester(known, budget)
    return rep.memo[key](word, cutoff)


def shorten(word: str, limit: int = 60) -> str:
    """A name as a message shows it: its first ``limit`` characters."""
    return word if len(word) <= limit else word[:limit - 1] + "…"


def check_keys(m: dict[str, tuple[yaml.Node, yaml.Node]], allowed: tuple[str, ...],
                required: tuple[str, ...], node: yaml.Node, rep: Reporter, where: str) -> None:
    missing = [k for k in required if k not in m]
    for key, (knode, _v) in m.items():
        if key not in allowed:
            close = suggest(rep, key, allowed, 0.6) or suggest(rep, key, missing, 0.4)
            hint = f"; did you mean `{close}`?" if close else \
                f"; expected one of: {', '.join(allowed)}"
            rep.at(knode, f"unknown key `{shorten(key)}` in {where}{hint}")
    for key in required:
        if key not in m:
            rep.at(node, f"missing key `{key}` in {where}")


def char_at(node: yaml.Node, rep: Reporter, value: str, i: int) -> tuple[int, int]:
    """Where the character ``value[i]`` stands in the file: found in the node's own
    text with up to three characters before it; the node's start if it was
    written otherwise (a YAML escape, a folded line)."""
    start, end = node.start_mark.index, node.end_mark.index
    if rep.text is not None:
        raw = rep.text[start:end]
        for k in (3, 2, 1, 0):
            snippet = value[max(0, i - k):i + 1]
            if len(snippet) == min(i, k) + 1 and (found := raw.find(snippet)) >= 0:
                return rep.position(_Mark(start + found + len(snippet) - 1))
    return rep.position(node.start_mark)


@dataclass
class _Mark:
    index: int


def text(node: yaml.Node, rep: Reporter, what: str, *, empty_ok: bool = False,
          limit: int = MAX_TEXT_CHARS, markup: bool = False) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        rep.at(node, f"{what} must be text, not {type_name(node)}{_quote_hint(node)}")
        return None
    value = node.value.strip()
    if not value and not empty_ok:
        rep.at(node, f"{what} is empty")
        return None
    if len(value) > limit:
        rep.at(node, f"{what} is {len(value):,} characters long; the limit is {limit:,}")
        return None
    if bad := _UNPRINTABLE.search(value):
        rep.at(node, f"{what} contains the character U+{ord(bad[0]):04X}, which cannot be "
               "printed (a control character or a lone surrogate, from a YAML escape?)")
        return None
    bad_chars = printable.problems(value)
    for i, message in bad_chars:
        rep.add(*char_at(node, rep, value, i), f"{what}: {message}")
    if markup and (depth := printable.markup_depth(value)) > printable.MAX_MARKUP_DEPTH:
        rep.at(node, f"{what} nests emphasis or links {depth} deep; the limit is "
               f"{printable.MAX_MARKUP_DEPTH}")
        return None
    return None if bad_chars else value


# ------------------------------------------------- text on a page of fixed size

#: A text set in a box of fixed size (the cover, the imprint: pages that do not
#: flow on) must fit it, or a line of it would be lost. It is measured with the
#: shipped fonts: each character as wide as its widest glyph in any of them (any
#: weight, style, or contextual form), line by line as a browser breaks it (at
#: spaces; a word longer than the line inside it), with FIT_SLACK to spare.
FIT_SLACK = 1.1
#: Upper bounds of those widths (in em) by range of code points, so that most
#: texts are measured without opening a font (tests/test_hostile_check.py checks
#: them against fonts/); past the last, the fonts are read.
_WIDTH_BOUNDS = ((0x80, 0.99), (0x250, 1.31), (0x370, 1.10), (0x530, 1.50),
                 (0x600, 0.0), (0x900, 2.25), (0x2000, 1.47), (0x2070, 1.67))


@dataclass(frozen=True)
class Box:
    """Where a text is set on a page of fixed size: ``line_em``, a line's length
    in em of the text's size; ``lines``, how many lines it has room for."""

    place: str
    line_em: float
    lines: int


_MM_PER_PT = 25.4 / 72
#: layouts/profile.css: the country's name on the cover, 34 pt in 165 mm; four
#: lines keep the date above the wheel, with the title on two lines.
COVER_NAME = Box("the cover", 165 / (34 * _MM_PER_PT), 4)
#: The imprint's facts (publisher, reference): 8 pt, the page's 170 mm less the
#: 32 mm of the labels. Two lines each, with the country's name on the cover's
#: four, keep the imprint on its page in every language (tested with the widest
#: characters the fonts have).
IMPRINT_FACT = Box("the imprint", (170 - 32) / (8 * _MM_PER_PT), 2)


@functools.lru_cache(maxsize=1)
def _widths() -> dict[int, float]:
    """Code point -> its widest advance (em) in the shipped fonts, contextual
    forms (GSUB single substitutions) included."""
    from fontTools.ttLib import TTFont

    out: dict[int, float] = {}
    for path in sorted(FONTS.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            metrics = font["hmtx"].metrics
            widest = {glyph: advance for glyph, (advance, _lsb) in metrics.items()}
            if "GSUB" in font:
                for lookup in font["GSUB"].table.LookupList.Lookup:
                    for sub in lookup.SubTable:
                        sub = getattr(sub, "ExtSubTable", sub)
                        for a, b in (getattr(sub, "mapping", None) or {}).items():
                            if isinstance(b, str) and metrics[b][0] > widest.get(a, 0):
                                widest[a] = metrics[b][0]
            em = font["head"].unitsPerEm
            for point, glyph in (font.getBestCmap() or {}).items():
                out[point] = max(out.get(point, 0.0), widest.get(glyph, 0) / em)
    return out


#: Where a line may break: spaces (a no-break space, U+00A0, U+2007 and U+202F,
#: does not), and a zero-width space. (A hyphen may too: not counted, which only
#: makes the count larger.)
_BREAKS = re.compile("[ \t\n\r\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000]+")


def _bound(ch: str) -> float | None:
    point = ord(ch)
    for end, width in _WIDTH_BOUNDS:
        if point < end:
            return width or None
    return None


def lines_needed(text: str, line_em: float, exact: bool = False) -> int:
    """How many lines ``text`` takes at most in lines ``line_em`` long."""
    widths = _widths() if exact else None
    words = [w for w in _BREAKS.split(text) if w]
    space = max(widths.get(32, 0.3), 0.3) if widths else 0.99
    lines, x = 1, 0.0
    for word in words:
        pieces = []
        for ch in word:
            w = widths.get(ord(ch), 1.0) if widths is not None else _bound(ch)
            if w is None:
                return lines_needed(text, line_em, exact=True)
            pieces.append(w * FIT_SLACK)
        width = sum(pieces)
        if x and x + space + width <= line_em:
            x += space + width
            continue
        if x:
            lines, x = lines + 1, 0.0
        for w in pieces if width > line_em else ():  # broken inside, character by character
            if x + w > line_em and x:
                lines, x = lines + 1, 0.0
            x += w
        if width <= line_em:
            x = width
    return lines


def fits(node: yaml.Node, rep: Reporter, value: str, what: str, box: Box) -> bool:
    """Whether ``value`` fits its box; reported at ``node`` if it does not."""
    needed = lines_needed(value, box.line_em)
    if needed > box.lines:
        needed = lines_needed(value, box.line_em, exact=True)
    if needed <= box.lines:
        return True
    rep.at(node, f"{what} is too long for {box.place}: it would take {needed} lines there, and "
           f"{box.place} has room for {box.lines} (about {int(box.lines * box.line_em / 0.6)} "
           "characters of ordinary text); shorten it")
    return False


def sequence(node: yaml.Node, rep: Reporter, what: str, limit: int) -> list[yaml.Node]:
    """A list's entries: nothing (null) is an empty list; anything but a list, or
    a list longer than ``limit``, is reported (and read as empty)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return []
    if not isinstance(node, yaml.SequenceNode):
        rep.at(node, f"{what} must be a list, not {type_name(node)}")
        return []
    if len(node.value) > limit:
        rep.at(node, f"{what} has {len(node.value):,} entries; the limit is {limit:,}")
        return []
    return list(node.value)


def text_list(node: yaml.Node, rep: Reporter, what: str, limit: int,
              markup: bool = True) -> list[str]:
    out = []
    for i, item in enumerate(sequence(node, rep, what, limit), 1):
        value = text(item, rep, f"entry {i} of {what}", markup=markup)
        if value is not None:
            out.append(value)
    return out


def lang_code(node: yaml.Node, rep: Reporter, what: str) -> str | None:
    value = text(node, rep, what)
    if value is not None and not LANG_RE.match(value):
        rep.at(node, f"{what} must be a two-letter ISO 639-1 code like `en`, not `{value}`")
        return None
    return value


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence node's items (none for anything else)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
