"""What changed between two versions of a language file: which findings were
added, removed or changed (domain, list, entry), each change word by word.

Used where a translator needs to know what to update (``check`` on a
translation whose source changed since its stamp: ``stamp`` keeps a copy of the
source as it was, ``.stamp-<lang>.yaml`` beside it).

The cost stays about linear in the files' size: entries are paired by a cheap
bound first (how many words two entries could share) and compared in full only
for the few best candidates, on at most PAIR_WORDS words each; a word diff
compares only what lies between the texts' common start and end, and marks that
middle as replaced whole when comparing it word by word would cost more than
DIFF_BUDGET steps (text made of a few words repeated)."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from . import walk
from .model import LanguageFile


@dataclass
class Change:
    where: str  # "migrants_rights.potential" or "introduction"
    entry: int | None  # 1-based, None for a text that stands alone
    kind: str  # "added", "removed", "changed"
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (op, text); op: = - +
    #: a finding's tags before and after, where they changed (``tag_text``)
    tags: tuple[str, str] | None = None

    @property
    def retagged_only(self) -> bool:
        """Only the finding's tags changed (its GCM objectives or id), not its text."""
        return self.tags is not None and self.old == self.new

    def describe(self, context: int = 4) -> str:
        """``migrants_rights.potential, entry 2, changed: … to [-receive-]{+get+} …``"""
        place = self.where + (f", entry {self.entry}" if self.entry else "")
        if self.kind == "removed" and self.entry:
            place += " before"
        if self.kind != "changed":
            text = self.new or self.old
            return f"{place}, {self.kind}: {_clip(text, 12)}"
        tags = f"; tags {self.tags[0] or 'none'} -> {self.tags[1] or 'none'}" \
            if self.tags else ""
        if self.retagged_only:
            return f"{place}, tags changed: {self.tags[0] or 'none'} -> {self.tags[1] or 'none'}"
        parts = []
        for i, (op, text) in enumerate(self.words):
            if op == "=":
                words = text.split()
                first, last = i == 0, i == len(self.words) - 1
                if len(words) > 2 * context and not (first or last):
                    text = " ".join(words[:context] + ["…"] + words[-context:])
                elif first and len(words) > context:
                    text = "… " + " ".join(words[-context:])
                elif last and len(words) > context:
                    text = " ".join(words[:context]) + " …"
                parts.append(text)
            else:
                parts.append(("[-" if op == "-" else "{+") + text + ("-]" if op == "-" else "+}"))
        return f"{place}, changed: " + " ".join(parts) + tags


def _clip(text: str, words: int) -> str:
    w = text.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


#: Entries resembling each other this much (difflib's ratio of their words) are
#: one entry changed; less, one removed and another added.
SIMILAR = 0.4
#: How many words of an entry the pairing compares: its first and last half of
#: these (a finding is at most 4,000 characters, some 600 words).
PAIR_WORDS = 200
#: How many candidates for an old entry, best bound first, are compared in full.
PAIR_TRIES = 3
#: The most steps a word diff may take (difflib's, counted before it runs: the
#: pairs of equal words its first pass looks at; natural text of 600 words takes
#: a few thousand); past it, the texts' differing middle is marked as replaced
#: whole. Comparing two entries for the pairing may take PAIR_BUDGET steps; past
#: it, their bound stands for their ratio.
DIFF_BUDGET = 50_000
PAIR_BUDGET = 10_000


def _ends(a: list, b: list) -> tuple[int, int]:
    """How many items two sequences share at their start, and then at their end."""
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _steps(a: list, b: list) -> int:
    """The steps of difflib's first pass over two sequences: for each item of
    ``a``, the equal items of ``b`` it looks at."""
    counts = Counter(b)
    return sum(counts[x] for x in a)


def opcodes(a: list, b: list, budget: int = DIFF_BUDGET) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for two sequences, bounded: the common start and end are
    matched first; the rest is compared by difflib only when that costs at most
    ``budget`` steps, and is otherwise one replacement."""
    head, tail = _ends(a, b)
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    out = [("equal", 0, head, 0, head)] if head else []
    if mid_a and mid_b and _steps(mid_a, mid_b) <= budget:
        out += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2
                in difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_opcodes()]
    elif mid_a or mid_b:
        tag = "replace" if mid_a and mid_b else "delete" if mid_a else "insert"
        out.append((tag, head, len(a) - tail, head, len(b) - tail))
    if tail:
        out.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return out


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The two texts' words as runs kept (=), removed (-) and inserted (+)."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _lists(lf: LanguageFile) -> list[tuple[str, list[str], list[str]]]:
    """The findings' lists, by how a change names them, with their entries'
    tags (``tag_text``)."""
    return [(area_where(listed.domain, listed.number, listed.area.title)
             if listed.area else listed.name, listed.items or [],
             [tag_text(lf, walk.entry(listed.name, i)) for i in
              range(1, len(listed.items or ()) + 1)])
            for listed in walk.lists(lf, sources=False) if listed.part != "areas"]


def tag_text(lf: LanguageFile, name: str) -> str:
    """An entry's tags as a change shows them: ``GCM 5, 15; id labour-permits``
    ("" for none)."""
    tag = lf.tags.get(name)
    if tag is None:
        return ""
    parts = (["GCM " + ", ".join(map(str, tag.gcm))] if tag.gcm else []) + \
        ([f"id {tag.id}"] if tag.id else [])
    return "; ".join(parts)


def area_where(domain: str, number: int, title: str) -> str:
    """How an area's findings are named in a change."""
    return f"{domain}.areas[{number}] “{_clip(title, 6)}”"


class _Entry:
    """An entry as the pairing compares it: at most PAIR_WORDS of its words, and
    the same as a set of (word, occurrence) hashes for the bound on what two
    share (a collision of hashes can only raise the bound)."""

    def __init__(self, text: str):
        words = text.split()
        if len(words) > PAIR_WORDS:
            words = words[:PAIR_WORDS // 2] + words[-(PAIR_WORDS // 2):]
        self.words = words
        seen: Counter = Counter()
        tokens = []
        for w in words:
            seen[w] += 1
            tokens.append(hash((w, seen[w])))
        self.tokens = frozenset(tokens)

    def bound(self, other: _Entry) -> float:
        """At least ``ratio`` (never less): twice the words both hold, over both
        lengths; a set intersection, cheap."""
        total = len(self.words) + len(other.words)
        return 2 * len(self.tokens & other.tokens) / total if total else 1.0

    def ratio(self, other: _Entry) -> float:
        """difflib's ratio of the two entries' words; their bound when that would
        cost more than PAIR_BUDGET steps (words repeated many times over)."""
        a, b = self.words, other.words
        head, tail = _ends(a, b)
        if _steps(a[head:len(a) - tail], b[head:len(b) - tail]) > PAIR_BUDGET:
            return self.bound(other)
        same = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes(a, b) if tag == "equal")
        return 2 * same / (len(a) + len(b)) if a or b else 1.0


def _resembling(old: _Entry, news: list[tuple[int, _Entry]]) -> int | None:
    """The new entry an old one most resembles (at least SIMILAR), or None:
    candidates by their bound, best first; at most PAIR_TRIES compared in full."""
    candidates = sorted(((old.bound(entry), -j, j, entry) for j, entry in news),
                        key=lambda c: c[:2], reverse=True)
    best, found = SIMILAR, None
    for bound, _, j, entry in candidates[:PAIR_TRIES]:
        if bound < best:
            break
        ratio = old.ratio(entry)
        if ratio >= best and (found is None or ratio > best):
            best, found = ratio, j
    return found


def _pair(where: str, old: list[str], new: list[str], old_tags: list[str] | None = None,
          new_tags: list[str] | None = None) -> list[Change]:
    """The changes between two versions of one list: entries matched by
    similarity, so that a finding inserted does not mark every later one; an
    entry whose tags changed (``old_tags``, ``new_tags``) is changed too."""
    out = []
    norm = [" ".join(t.split()) for t in old], [" ".join(t.split()) for t in new]
    old_tags = old_tags or [""] * len(old)
    new_tags = new_tags or [""] * len(new)
    for tag, i1, i2, j1, j2 in opcodes(*norm):
        if tag == "equal":
            out += [Change(where, j + 1, "changed", norm[1][j], norm[1][j],
                           [("=", norm[1][j])], (old_tags[i], new_tags[j]))
                    for i, j in zip(range(i1, i2), range(j1, j2))
                    if old_tags[i] != new_tags[j]]
            continue
        # in a replaced run, an old entry that still resembles a new one (in
        # order) was changed; the rest were removed or added
        news = [(j, _Entry(norm[1][j])) for j in range(j1, j2)]
        for i in range(i1, i2):
            j = _resembling(_Entry(norm[0][i]), news) if news else None
            if j is None:
                out.append(Change(where, i + 1, "removed", old=norm[0][i]))
                continue
            out += [Change(where, k + 1, "added", new=norm[1][k]) for k, _ in news if k < j]
            out.append(Change(where, j + 1, "changed", norm[0][i], norm[1][j],
                              word_diff(norm[0][i], norm[1][j]),
                              (old_tags[i], new_tags[j]) if old_tags[i] != new_tags[j]
                              else None))
            news = [(k, entry) for k, entry in news if k > j]
        out += [Change(where, k + 1, "added", new=norm[1][k]) for k, _ in news]
    return out


def compare(old: LanguageFile, new: LanguageFile) -> list[Change]:
    """Every change from ``old`` to ``new``, in the order of the document."""
    out: list[Change] = []
    for key in ("introduction", "context"):
        out += _alone(key, getattr(old, key) or "", getattr(new, key) or "")
    for ident in [*new.chapters, *(i for i in old.chapters if i not in new.chapters)]:
        for what in ("title", "text"):  # the extra chapters' (series.py)
            out += _alone(walk.chapter_name(ident, what),
                          getattr(old.chapters[ident], what) if ident in old.chapters else "",
                          getattr(new.chapters[ident], what) if ident in new.chapters else "")
    for key in [*new.updates, *(k for k in old.updates if k not in new.updates)]:
        out += _alone(f"updates.{key}", old.updates.get(key, ""), new.updates.get(key, ""))
    out += _alone("acknowledgements", old.acknowledgements or "", new.acknowledgements or "")
    old_lists = {where: (items, tags) for where, items, tags in _lists(old)}
    for where, items, tags in _lists(new):
        before, before_tags = old_lists.pop(where, ([], []))
        out += sorted(_pair(where, before, items, before_tags, tags),
                      key=lambda c: c.entry or 0)
    for where, (items, tags) in old_lists.items():  # lists that are gone (an area removed)
        out += _pair(where, items, [], tags, [])
    sources_old = [s.text for s in old.sources]
    sources_new = [s.text for s in new.sources]
    out += _pair("sources", sources_old, sources_new)
    return out


def names(old: LanguageFile, new: LanguageFile) -> list[Change]:
    """The changes ``compare`` leaves out (the review marks findings and texts,
    not these) but a translation's stamp covers (``walk.findings_hash``): the
    names, each acronym, each source's short form, named as ``content/rewrite``
    names them (``short_name``, ``acronyms.GAFMA``, ``sources[3].short``)."""
    out: list[Change] = []
    for key in ("country", "short_name", "place"):
        out += _alone(key, getattr(old, key) or "", getattr(new, key) or "")
    for key in dict.fromkeys([*new.acronyms, *old.acronyms]):
        out += _alone(f"acronyms.{key}", old.acronyms.get(key, ""), new.acronyms.get(key, ""))
    shorts = [[s.short or "" for s in lf.sources] for lf in (old, new)]
    for i in range(max(map(len, shorts))):
        a, b = (side[i] if i < len(side) else "" for side in shorts)
        out += _alone(f"{walk.entry('sources', i + 1)}.short", a, b)
    return out


def _alone(name: str, a: str, b: str) -> list[Change]:
    """A text that stands alone (named as ``walk`` names it), if it changed:
    whitespace apart, added, removed or changed word by word."""
    if " ".join(a.split()) == " ".join(b.split()):
        return []
    kind = "added" if not a else "removed" if not b else "changed"
    return [Change(name, None, kind, " ".join(a.split()), " ".join(b.split()), word_diff(a, b))]
