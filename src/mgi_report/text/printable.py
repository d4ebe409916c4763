"""What prints is what was written: the character rules for content text.

A publication must read as its text reads. So, in any text of the content:

* every character must be in a shipped font (``fonts/``): anything else would
  print as an empty box, or make the renderer reach for a system font;
* no bidi control (embedding, override, isolate, directional marks), which
  would show the text in another order than it is stored;
* no line or paragraph separator (U+2028, U+2029): invisible, and counted as
  a line break by some tools and not by others;
* at most MAX_COMBINING combining marks on one character (more draw a smear
  across the lines above and below);
* inline markup nested at most MAX_MARKUP_DEPTH deep.

``problems()`` returns them with the offset of the offending character, so the
caller can point at it.
"""

from __future__ import annotations

import functools
import unicodedata

from ..resources import FONTS

MAX_COMBINING = 3
MAX_MARKUP_DEPTH = 6

#: Invisible characters that reorder text (Unicode bidi controls).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
SEPARATORS = frozenset("\u2028\u2029")
#: Characters the layout handles itself (never looked up in a font).
LAYOUT_CHARS = frozenset("\n\t\r ")


@functools.lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Code points some shipped font maps to a glyph (the fonts' cmaps)."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path in sorted(FONTS.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            points.update(font["cmap"].getBestCmap() or {})
    return frozenset(points)


def describe(ch: str) -> str:
    """``☃ (U+2603 SNOWMAN)``; an invisible character without itself."""
    name = unicodedata.name(ch, "unnamed character")
    shown = "" if unicodedata.category(ch)[0] in "CZM" else f"{ch} "
    return f"{shown}(U+{ord(ch):04X} {name})"


def problems(text: str) -> list[tuple[int, str]]:
    """(offset, message) for each character rule the text breaks, at most one per kind."""
    out: list[tuple[int, str]] = []
    seen: set[str] = set()

    def report(kind: str, at: int, message: str) -> None:
        if kind not in seen:
            seen.add(kind)
            out.append((at, message))

    fonts = covered()
    run = 0
    for i, ch in enumerate(text):
        if ch in BIDI_CONTROLS:
            report("bidi", i, f"the invisible bidi control {describe(ch)} would show the text "
                   "in another order than it is written; remove it (the layout sets the "
                   "direction of every language itself)")
        elif ch in SEPARATORS:
            report("sep", i, f"the invisible {describe(ch)} is not a line break everywhere; "
                   "use an ordinary line break (a blank line between paragraphs)")
        elif ord(ch) not in fonts and ch not in LAYOUT_CHARS:
            report(f"font-{ch}", i, f"the character {describe(ch)} is in no shipped font "
                   "(fonts/), so it would print as an empty box; remove it, or add an "
                   "OFL font that covers it (README, 'Fonts')")
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            run += 1
            if run == MAX_COMBINING + 1:
                report("combining", i, f"more than {MAX_COMBINING} combining marks on one "
                       "character: they would be drawn over the lines around it")
        else:
            run = 0
    return out


def markup_depth(text: str) -> int:
    """How deep inline markup (emphasis, strong, links) nests in a finding."""
    from .markup import tokens

    depth = deepest = 0
    for token in tokens(text):
        depth += token.nesting
        deepest = max(deepest, depth)
    return deepest

