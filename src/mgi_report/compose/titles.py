"""Titles as a typesetter sets them (issue 21, rule 8).

WeasyPrint has no ``text-wrap: balance`` and breaks a heading wherever its
line fills, so a title may end a line on "of", "zu", "в" or "(a". Here, in
the composed HTML:

- ``bind``: in every heading (the cover's, the back cover's and the
  contents' titles too), a
  word of one or two letters, or one that opens a parenthesis, is joined to
  the next word by a no-break space, so no title line ends on one;
- ``balance``: the cover's title lines are made even. The words are measured
  in the face they are set in (the advance widths of the shipped font), the
  fewest lines that fit are found, and of those breakings the one whose
  longest line is shortest is kept; every other space becomes a no-break
  space, so the renderer breaks there and nowhere else (with the fewest lines,
  no two of them fit on one, so a greedy breaker keeps them).
"""

from __future__ import annotations

import functools
import re

from ..resources import FONTS
from .wheel import breakings

NBSP = "\u00a0"
PT_MM = 25.4 / 72
#: What the measure may be off by (kerning, shaping): a line must fit this share.
SLACK = 0.95


def _short(word: str) -> bool:
    """A word no title line may end on: one or two letters, or an opening
    parenthesis ("(a", "(")."""
    return sum(c.isalnum() for c in word) <= 2 or word.rstrip().endswith(("(", "[", "\u00ab"))


def bind(text: str) -> str:
    """``text`` with each short word joined to the next by a no-break space."""
    words = text.split(" ")
    out = [words[0]]
    for before, word in zip(words, words[1:]):
        out.append((NBSP if before and _short(before) else " ") + word)
    return "".join(out)


#: The headings and display titles whose text is bound (their attributes are not).
_TITLE = re.compile(r'(<(h[1-3])\b[^>]*>|<p class="(?:cover-country|back-title)"[^>]*>|'
                    r'<li class="toc-domain">)(.*?)(</(?:h[1-3]|p|li)>)', re.S)


def bind_titles(html: str) -> str:
    """Every heading of the composed HTML and the contents' entries for the
    domains, their text bound (``bind``)."""
    def inner(found: re.Match) -> str:
        body = re.sub(r"(^|>)([^<]+)", lambda t: t[1] + bind(t[2]), found[3])
        return found[1] + body + found[4]
    return _TITLE.sub(inner, html)


@functools.lru_cache(maxsize=None)
def _advances(font_file: str) -> tuple[dict[int, float], float]:
    """Each character's advance in ems, and the font's average, from the font."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / font_file, lazy=True)
    upem = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {code: metrics[name][0] / upem for code, name in font.getBestCmap().items()}
    return widths, font["OS/2"].xAvgCharWidth / upem


def width_mm(text: str, font_file: str, size_pt: float) -> float:
    """How wide ``text`` is set in ``font_file`` at ``size_pt``, in millimetres."""
    widths, average = _advances(font_file)
    return sum(widths.get(ord(c), average) for c in text) * size_pt * PT_MM


def balance(text: str, font_file: str, size_pt: float, measure_mm: float) -> str:
    """``text`` (bound) with no-break spaces everywhere but at the breaks of its
    most even setting in the fewest lines of ``measure_mm``; as it is if it fits
    one line, or if it has too many words to try every breaking (over 14)."""
    text = bind(text)
    words = text.split(" ")
    limit = measure_mm * SLACK
    if len(words) < 2 or len(words) > 14 or width_mm(text, font_file, size_pt) <= limit:
        return text

    best: tuple[int, float] | None = None
    chosen: list[str] = words
    for broken in breakings(words):
        lines = [" ".join(line) for line in broken]
        widest = max(width_mm(line, font_file, size_pt) for line in lines)
        if widest > limit:
            continue
        key = (len(lines), widest)
        if best is None or key < best:
            best, chosen = key, lines
    if best is None:  # no breaking fits: leave it to the renderer
        return text
    return " ".join(line.replace(" ", NBSP) for line in chosen)

