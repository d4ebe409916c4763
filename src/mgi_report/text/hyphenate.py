"""Hyphenation as a publisher sets it: no more than two hyphenated lines in a row,
no break inside the profile's proper names, and the dictionary's wrong breaks
corrected by a list kept with the project (``locale/<lang>/hyphenation.txt``).

WeasyPrint hyphenates one line at a time with pyphen and has no memory of the
line before (CSS's ``hyphenate-limit-lines`` is not implemented). Two small
hooks give it that memory, installed once per process by ``install()``:

* the paragraph's line iterator counts the lines it has ended with the
  hyphenation character; after two, the next line is set without hyphenation;
* the dictionary WeasyPrint asks for break points is ours (a pyphen subclass),
  which knows the document's unbroken words and the exceptions list.

The rest of the policy is plain CSS (``hyphenate-limit-chars: 6 3 3``: words of
six letters or more, three on each side of a break). Should WeasyPrint change
the functions hooked, nothing fails but the policy, and
tests/test_typography.py says so by reading the lines back from the PDFs.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..resources import LOCALE

MAX_RUN = 2  # hyphenated lines in a row


@dataclass(frozen=True)
class Policy:
    """What one document's hyphenation must respect."""

    unbroken: frozenset[str] = frozenset()  # lower-case stems never broken
    exceptions: dict[str, tuple[int, ...]] = field(default_factory=dict, hash=False)


_POLICY: contextvars.ContextVar[Policy] = contextvars.ContextVar("mgi_hyphenation",
                                                               default=Policy())
_HOLD = contextvars.ContextVar("mgi_hyphenation_hold", default=False)


def _letters(word: str) -> str:
    return "".join(c for c in word if c.isalpha()).lower()


def exceptions_file(lang: str, locale: Path = LOCALE) -> Path:
    return locale / lang / "hyphenation.txt"


@lru_cache(maxsize=32)
def _read_exceptions(path: Path, mtime: float) -> tuple[dict[str, tuple[int, ...]], frozenset]:
    """``zu-sam-men-zu-ar-bei-ten`` gives the allowed breaks of that word, a word
    written without hyphens is never broken; ``#`` starts a comment."""
    breaks: dict[str, tuple[int, ...]] = {}
    unbroken = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        parts = entry.split("-")
        word = "".join(parts).lower()
        if len(parts) == 1:
            unbroken.add(word)
            continue
        points, at = [], 0
        for part in parts[:-1]:
            at += len(part)
            points.append(at)
        breaks[word] = tuple(points)
    return breaks, frozenset(unbroken)


def policy_for(lang: str, names: Iterable[str], locale: Path = LOCALE) -> Policy:
    """The policy of a document in ``lang`` whose proper names are ``names``
    (each word of a name, and its inflected forms, stays whole)."""
    stems = {_letters(w) for name in names for w in name.split() if len(_letters(w)) >= 4}
    breaks: dict[str, tuple[int, ...]] = {}
    path = exceptions_file(lang, locale)
    if path.is_file():
        breaks, listed = _read_exceptions(path, path.stat().st_mtime)
        stems |= listed
    return Policy(frozenset(stems), breaks)


@contextlib.contextmanager
def applied(policy: Policy) -> Iterator[None]:
    """Lay out under ``policy`` (the hooks read it while WeasyPrint lays out)."""
    install()
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def _dictionary_class():
    import pyphen

    class Dictionary(pyphen.Pyphen):
        """pyphen's break points, minus those the policy forbids."""

        def positions(self, word):
            if _HOLD.get():
                return []
            policy = _POLICY.get()
            key = word.lower()
            if any(key.startswith(stem) for stem in policy.unbroken):
                return []
            if key in policy.exceptions:
                return [pyphen.DataInt(i) for i in policy.exceptions[key]
                        if self.left <= i <= len(word) - self.right]
            return super().positions(word)

    return Dictionary


def _ended_hyphenated(line) -> bool:
    """Whether a laid-out line box ends with the hyphenation character the layout
    added (the last text on the line)."""
    last = None
    for box in line.descendants():
        if hasattr(box, "text") and box.text:
            last = box
    return last is not None and last.text.endswith(last.style["hyphenate_character"])


SPACE_EM = 0.26  # Noto Sans's space, in ems
LOOSE = 2.0  # word spaces this many times their width make a line loose


def _spacing(line) -> float:
    """A justified line's word spaces, in normal spaces (1 when not stretched)."""
    for box in line.descendants():
        extra = getattr(box, "justification_spacing", 0)
        if extra and hasattr(box, "text"):
            return 1 + extra / (SPACE_EM * box.style["font_size"])
    return 1.0


def _lines(original, hold_first: bool, *args):
    """original(*args) as an iterator of ``(line, resume_at, held)``: hyphenation
    is held for a line after two hyphenated ones (and for the first if
    ``hold_first``), and ``held`` says whether it was."""
    lines = original(*args)
    run = MAX_RUN if hold_first else 0
    while True:
        held = run >= MAX_RUN
        token = _HOLD.set(held)
        try:
            line, resume_at = next(lines)
        except StopIteration:
            return
        finally:
            _HOLD.reset(token)
        run = run + 1 if _ended_hyphenated(line) else 0
        yield line, resume_at, held


def install() -> None:
    """Hook WeasyPrint's line iterator and dictionary, once per process."""
    from weasyprint.layout import block
    from weasyprint.text import line_break

    original = block.iter_line_boxes
    if getattr(original, "mgi_hyphenation", False):
        return

    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack,
                        containing_block, absolute_boxes, fixed_boxes, *styles):
        """The paragraph's lines, each laid out before the one above it is given
        to the block: when the line after two hyphenated ones is loose for want
        of a break, the second is set again without one, and the setting with
        the tighter word spaces is kept."""
        def lines_from(y, skip, hold_first, *first_styles):
            return _lines(original, hold_first, context, box, y, bottom_space, skip,
                          containing_block, absolute_boxes, fixed_boxes, *first_styles)

        lines = lines_from(position_y, skip_stack, False, *styles)
        pending = []  # laid out, not given yet: (line, resume_at, skip, y)
        skip, y = skip_stack, position_y
        for line, resume_at, held in lines:
            if held and pending and _spacing(line) > LOOSE and pending[-1][1] is not None:
                before, _, b_skip, b_y = pending[-1]
                again = lines_from(b_y, b_skip, True, None, None)
                tried = list(itertools.islice(again, 2))
                if len(tried) == 2 and (max(_spacing(t[0]) for t in tried) <
                                        max(_spacing(before), _spacing(line))):
                    block.remove_placeholders(context, [before, line], absolute_boxes,
                                              fixed_boxes)
                    pending[-1] = (*tried[0][:2], b_skip, b_y)
                    line, resume_at, _ = tried[1]
                    lines = again
                else:
                    block.remove_placeholders(context, [t[0] for t in tried],
                                              absolute_boxes, fixed_boxes)
            pending.append((line, resume_at, skip, y))
            skip, y = resume_at, line.position_y + line.height
            while len(pending) > 1:
                yield pending.pop(0)[:2]
        for item in pending:
            yield item[:2]

    iter_line_boxes.mgi_hyphenation = True  # type: ignore[attr-defined]
    block.iter_line_boxes = iter_line_boxes
    import pyphen
    line_break.pyphen = types.SimpleNamespace(
        language_fallback=pyphen.language_fallback, Pyphen=_dictionary_class())

