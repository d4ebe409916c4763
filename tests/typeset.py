"""Lines of a PDF read back as a typesetter reviews them: every line of every page
with its words' boxes (poppler's ``pdftotext -bbox-layout``), from which the
tests measure hyphenation runs, fragment lengths, word spacing and what stands
where on the page."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NS = "{http://www.w3.org/1999/xhtml}"
AUTO_HYPHEN = "\u2010"  # what the layout adds where it hyphenates a word
# Noto Sans: a space is 0.26 em, and a word's box is 1.362 em tall (ascent + descent).
SPACE_EM = 0.26
BOX_EM = 1.362
MM = 72 / 25.4


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Line:
    page: int  # 1-based
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def size(self) -> float:
        """The font size in points, from the height of the words' boxes."""
        return max(w.y1 - w.y0 for w in self.words) / BOX_EM

    @property
    def hyphenated(self) -> bool:
        return self.words[-1].text.endswith(AUTO_HYPHEN)

    @property
    def tabular(self) -> bool:
        """Columns side by side (a label and its value), not words of one line."""
        return any(b.x0 - a.x1 > 4 * MM for a, b in zip(self.words, self.words[1:]))

    def spacing(self) -> float:
        """The widest gap between two words of the line, in normal spaces."""
        gaps = [b.x0 - a.x1 for a, b in zip(self.words, self.words[1:])]
        return max(gaps, default=0) / (SPACE_EM * self.size)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    blocks: list[list[Line]]


def _same_line(line: Line, words: list[Word]) -> bool:
    """Whether ``words`` continue ``line`` (the same baseline and size, to its right)."""
    top, bottom = min(w.y0 for w in words), max(w.y1 for w in words)
    return (abs(top - line.y0) < 0.3 and abs(bottom - line.y1) < 0.3
            and min(w.x0 for w in words) > line.x1)


def pages(pdf: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True).stdout
    out = []
    for n, page in enumerate(ET.fromstring(xml).iter(NS + "page"), start=1):
        blocks = []
        for block in page.iter(NS + "block"):
            lines = []
            for line in block.iter(NS + "line"):
                words = [Word(w.text or "", *(float(w.get(k)) for k in
                                              ("xMin", "yMin", "xMax", "yMax")))
                         for w in line.iter(NS + "word")]
                if not words:
                    continue
                prev = (blocks[-1][-1] if blocks and blocks[-1] else None) if not lines \
                    else lines[-1]
                if prev is not None and _same_line(prev, words):
                    # pdftotext cuts a loose justified line at its widest gaps
                    prev.words[:] = sorted(prev.words + words, key=lambda w: w.x0)
                else:
                    lines.append(Line(n, words))
            if lines:
                blocks.append(lines)
        out.append(Page(n, float(page.get("width")), float(page.get("height")),
                        [line for b in blocks for line in b], blocks))
    return out


def paragraphs(pdf: Path) -> list[list[Line]]:
    """Runs of lines set one under the other in the same column and size: a
    paragraph, or consecutive paragraphs (which a hyphen run may cross on the
    page just as well)."""
    out: list[list[Line]] = []
    for page in pages(pdf):
        run: list[Line] = []
        for line in page.lines:
            if run:
                prev = run[-1]
                gap = line.y0 - prev.y1
                same = (abs(line.size - prev.size) < 0.3 and -1 < gap < prev.size
                        and abs(line.x0 - prev.x0) < 30 * MM)
                if not same:
                    out.append(run)
                    run = []
            run.append(line)
        if run:
            out.append(run)
    return out


def justified(pdf: Path) -> list[Line]:
    """The lines set full width in a justified paragraph: each line of a run
    but the last that reaches the run's right edge (and more than two words)."""
    out = []
    for para in paragraphs(pdf):
        right = max(line.x1 for line in para)
        full = [line for line in para[:-1] if abs(line.x1 - right) < 0.5
                and len(line.words) > 2 and not line.tabular]
        if len(full) >= 2:
            out += full
    return out


def hyphen_runs(pdf: Path) -> list[list[Line]]:
    """Every run of consecutive lines that end in a hyphen the layout added."""
    runs = []
    for para in paragraphs(pdf):
        run: list[Line] = []
        for line in para:
            if line.hyphenated:
                run.append(line)
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def breaks(pdf: Path) -> list[tuple[str, str, Line]]:
    """(before, after, line) for every hyphenated line end: the word's two parts."""
    out = []
    for para in paragraphs(pdf):
        for line, nxt in zip(para, para[1:]):
            if line.hyphenated:
                out.append((line.words[-1].text[:-1], nxt.words[0].text, line))
    return out


def running(pdf: Path, size: tuple[float, float] = (9, 10.2), rtl: bool = False) -> list[list[Line]]:
    """The paragraphs of running text: lines of the body size that start at
    the text column's edge (the edge most body lines start at; in Arabic, end
    at), split where the gap between two lines is wider than half the size
    (a paragraph's or a list item's space). Contents, tables, the acronyms'
    expansions, hanging list numbers and notes are left out."""
    from collections import Counter

    every = pages(pdf)

    def edge_of(line: Line) -> int:
        return round(line.x1 if rtl else line.x0)

    body = [line for page in every for line in page.lines
            if size[0] < line.size < size[1] and not line.tabular]
    edge = Counter(edge_of(line) for line in body).most_common(1)[0][0]
    out: list[list[Line]] = []
    for page in every:
        run: list[Line] = []
        for line in page.lines:
            ok = (size[0] < line.size < size[1] and not line.tabular
                  and abs(edge_of(line) - edge) < 3)
            if run and (not ok or line.y0 - run[-1].y1 > 0.5 * line.size):
                out.append(run)
                run = []
            if ok:
                run.append(line)
        if run:
            out.append(run)
    return out
