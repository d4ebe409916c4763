"""What changed between two versions of a language file: which findings were
added, removed or changed (domain, list, entry), each change word by word.

Used where a translator needs to know what to update (``check`` on a
translation whose source changed since its stamp: ``stamp`` keeps a copy of the
source as it was, ``.stamp-<lang>.yaml`` beside it)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .domains import DOMAINS
from .model import LanguageFile


@dataclass
class Change:
    where: str  # "migrants_rights.potential" or "introduction"
    entry: int | None  # 1-based, None for a text that stands alone
    kind: str  # "added", "removed", "changed"
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (op, text); op: = - +

    def describe(self, context: int = 4) -> str:
        """``migrants_rights.potential, entry 2, changed: … to [-receive-]{+get+} …``"""
        place = self.where + (f", entry {self.entry}" if self.entry else "")
        if self.kind == "removed" and self.entry:
            place += " before"
        if self.kind != "changed":
            text = self.new or self.old
            return f"{place}, {self.kind}: {_clip(text, 12)}"
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
        return f"{place}, changed: " + " ".join(parts)


def _clip(text: str, words: int) -> str:
    w = text.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The two texts' words as runs kept (=), removed (-) and inserted (+)."""
    a, b = old.split(), new.split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _lists(lf: LanguageFile) -> list[tuple[str, list[str]]]:
    out = []
    for spec in DOMAINS:
        f = lf.domains.get(spec.key)
        if f is None:
            continue
        out.append((f"{spec.key}.well_developed", f.well_developed or []))
        out.append((f"{spec.key}.potential", f.potential or []))
        for n, area in enumerate(f.areas, 1):
            out.append((area_where(spec.key, n, area.title), area.findings))
    return out


def area_where(domain: str, number: int, title: str) -> str:
    """How an area's findings are named in a change."""
    return f"{domain}.areas[{number}] “{_clip(title, 6)}”"


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _pair(where: str, old: list[str], new: list[str]) -> list[Change]:
    """The changes between two versions of one list: entries matched by
    similarity, so that a finding inserted does not mark every later one."""
    out = []
    norm = [" ".join(t.split()) for t in old], [" ".join(t.split()) for t in new]
    matcher = difflib.SequenceMatcher(None, *norm, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # in a replaced run, an old entry that still resembles a new one (in
        # order) was changed; the rest were removed or added
        news = list(range(j1, j2))
        for i in range(i1, i2):
            ratios = [(_similarity(norm[0][i], norm[1][j]), j) for j in news]
            best = max(ratios, default=(0.0, None))
            if best[0] < 0.4:
                out.append(Change(where, i + 1, "removed", old=norm[0][i]))
                continue
            j = best[1]
            out += [Change(where, k + 1, "added", new=norm[1][k]) for k in news if k < j]
            out.append(Change(where, j + 1, "changed", norm[0][i], norm[1][j],
                              word_diff(norm[0][i], norm[1][j])))
            news = [k for k in news if k > j]
        out += [Change(where, k + 1, "added", new=norm[1][k]) for k in news]
    return out


def compare(old: LanguageFile, new: LanguageFile) -> list[Change]:
    """Every change from ``old`` to ``new``, in the order of the document."""
    out: list[Change] = []
    for key in ("introduction", "context"):
        a, b = getattr(old, key) or "", getattr(new, key) or ""
        if " ".join(a.split()) != " ".join(b.split()):
            kind = "added" if not a else "removed" if not b else "changed"
            out.append(Change(key, None, kind, " ".join(a.split()), " ".join(b.split()),
                              word_diff(a, b)))
    old_lists = dict(_lists(old))
    for where, items in _lists(new):
        out += sorted(_pair(where, old_lists.pop(where, []), items),
                      key=lambda c: c.entry or 0)
    for where, items in old_lists.items():  # lists that are gone (an area removed)
        out += _pair(where, items, [])
    sources_old = [s.text for s in old.sources]
    sources_new = [s.text for s in new.sources]
    out += _pair("sources", sources_old, sources_new)
    return out
