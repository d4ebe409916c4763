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
import re
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
    words: frozenset[str] = frozenset()  # parts(): what the document's compounds end with
    part: int = 6  # joints(): letters at least of a second part


PART = {"de": 6, "ru": 7}  # letters at least of a compound's second part (4 of its first)
BOUND = ("ver", "zer", "ent", "be", "ge", "zu", "er", "пере", "при", "рас", "вы")  # prefixes of the second part


def parts(text: str, part: int = 6) -> frozenset[str]:
    """The words of ``text`` a compound may end with: each word of ``part``
    letters or more, and the same less an ending of up to three letters."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]{%d,}" % part, text)}
    return frozenset(w[:k] for w in words for k in range(max(part, len(w) - 3), len(w) + 1))


def joints(word: str, words: frozenset[str], left: int = 3, right: int = 3,
           part: int = 6) -> list[int]:
    """Where ``word`` is a compound of a first part (4 letters or more) and a
    word of the document (``words``, from parts(); give or take an ending of
    up to three letters): "Mobilitäts|dimensionen", "Arbeits|migrantinnen",
    "Inter|nationale". Only joints ``left`` letters from the start and
    ``right`` from the end."""
    key = word.lower()
    out: list[int] = []
    for at in range(max(left, 4), len(key) - max(right, part) + 1):
        rest = key[at:]
        if any(rest[:k] in words for k in range(max(part, len(rest) - 3), len(rest) + 1)):
            # "Sozial|ver|sicherung": the prefix goes with the second part
            bound = next((p for p in BOUND if key[:at].endswith(p) and at - len(p) >= 4), "")
            out.append(at - len(bound))
    return sorted(set(out))


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


def policy_for(lang: str, names: Iterable[str], locale: Path = LOCALE, text: str = "") -> Policy:
    """The policy of a document in ``lang`` whose proper names are ``names``
    (each word of a name, and its inflected forms, stays whole) and whose
    ``text`` gives the words its compounds are made of."""
    stems = {_letters(w) for name in names for w in name.split() if len(_letters(w)) >= 4}
    breaks: dict[str, tuple[int, ...]] = {}
    path = exceptions_file(lang, locale)
    if path.is_file():
        breaks, listed = _read_exceptions(path, path.stat().st_mtime)
        stems |= listed
    part = PART.get(lang, 0)
    return Policy(frozenset(stems), breaks, parts(text, part) if part else frozenset(), part)


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
            found = super().positions(word)
            if policy.words:
                points = {int(i) for i in found}
                at = [i for i in joints(word, policy.words, self.left, self.right, policy.part)
                      if i in points or (word[i].lower() not in "aeiouäöüyаеёиоуыэюя"
                                         and points & {i - 1, i + 1})]
                if at:  # a compound breaks at its joints only (where they are syllables')
                    return [pyphen.DataInt(i) for i in at]
            return found

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
