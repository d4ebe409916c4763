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
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..resources import LOCALE
from . import lines

MAX_RUN = lines.MAX_RUN  # hyphenated lines in a row


@dataclass(frozen=True)
class Policy:
    """What one document's hyphenation must respect."""

    unbroken: frozenset[str] = frozenset()  # lower-case stems never broken
    exceptions: dict[str, tuple[int, ...]] = field(default_factory=dict, hash=False)


_POLICY: contextvars.ContextVar[Policy] = contextvars.ContextVar("mgi_hyphenation",
                                                               default=Policy())


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
            if lines.HOLD.get():
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


def install() -> None:
    """Hook WeasyPrint's line iterator and dictionary, once per process."""
    from weasyprint.layout import block
    from weasyprint.text import line_break

    lines.install(block)
    if getattr(line_break.pyphen, "mgi_hyphenation", False):
        return
    import pyphen
    line_break.pyphen = types.SimpleNamespace(
        language_fallback=pyphen.language_fallback, Pyphen=_dictionary_class(),
        mgi_hyphenation=True)
