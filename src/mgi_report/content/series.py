"""The profile's place in the MGI series: its kind (a country's national
profile, or a local government's), a local profile's level and place, and the
extra chapters a profile adds at a named place in the order.

profile.yaml: ``kind`` (``national`` or ``local``), ``level`` (local only) and
``chapters`` (each ``{id, after|before|at}``); a language file: ``place`` (the
local government's name in that language) and ``chapters`` (``{id: {title,
text}}``). What one file says of the other (a chapter declared and not given,
given and not declared; a local profile's language file without ``place``) is
checked by ``cross_check`` once both are read (``tree``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import Problem
from . import values
from .values import MAX_TEXT_CHARS
from .yamlsource import Reporter

PROFILE_KEYS = ("kind", "level", "chapters")  # profile.yaml's keys of the series
LANG_KEYS = ("place", "chapters")  # a language file's
KINDS = ("national", "local")
#: A local government's level: the title names it ("City of …", "Province of …").
LEVELS = ("city", "municipality", "district", "county", "province", "region", "state")
#: The standard chapters an extra chapter may stand before or after, in order.
PLACES = ("objectives", "introduction", "framework", "process", "context", "keydata",
          "updates", "findings", "sources", "acronyms")
CHAPTER_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
MAX_CHAPTERS = 20
#: Under this key of its Reporter's memo, profile.yaml's kind (None if unknown)
#: and the ids of the chapters it declares, also when it has problems.
MEMO = "series"
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class ExtraChapter:
    """A chapter of the profile's own (profile.yaml ``chapters``): ``where`` is
    ``before``, ``after`` or ``at`` (then ``place`` is ``end``)."""

    id: str
    where: str
    place: str
    at: tuple[int, int] = field(default=(1, 1), compare=False)  # its entry


@dataclass(frozen=True)
class ChapterText:
    """An extra chapter's title and text in one language (``chapters.<id>``)."""

    title: str
    text: str


@dataclass
class Series:
    """What profile.yaml says of the profile's place in the series."""

    kind: str = "national"
    level: str | None = None
    chapters: list[ExtraChapter] = field(default_factory=list)


def parse_profile_keys(m: dict[str, tuple[yaml.Node, yaml.Node]], node: yaml.Node,
                       rep: Reporter) -> Series:
    """``kind``, ``level`` and ``chapters`` of profile.yaml (already among its
    allowed keys); every bad value located."""
    kind: str | None = "national"
    if "kind" in m:
        kind = _choice(m["kind"][1], rep, "`kind`", KINDS)  # None: not known
    level = None
    if "level" in m:
        level = _choice(m["level"][1], rep, "`level`", LEVELS)
        if kind != "local" and level is not None:
            rep.at(m["level"][0], "`level` is for a local profile only (`kind: local`); "
                   "a national profile has none")
    elif kind == "local":
        rep.at(m["kind"][1], f"a local profile needs `level:` (one of: {', '.join(LEVELS)})")
    declared: set[str] = set()
    chapters = _chapters(m["chapters"][1], rep, declared) if "chapters" in m else []
    found = Series(kind or "national", level, chapters)
    # What the language files are checked against even when this file has
    # problems (tree.py), so that theirs are reported in the same run.
    rep.memo[MEMO] = (kind, declared)
    return found


def _choice(node: yaml.Node, rep: Reporter, what: str, allowed: tuple[str, ...]) -> str | None:
    value = values.text(node, rep, what, limit=40)
    if value is None:
        return None
    if value not in allowed:
        close = values.suggest(rep, value, allowed)
        hint = f"did you mean `{close}`? " if close else ""
        rep.at(node, f"{what} cannot be `{values.shorten(value)}`; {hint}"
               f"expected one of: {', '.join(allowed)}")
        return None
    return value


def _chapters(node: yaml.Node, rep: Reporter, declared: set[str]) -> list[ExtraChapter]:
    out: list[ExtraChapter] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(values.sequence(node, rep, "`chapters`", MAX_CHAPTERS), 1):
        what = f"entry {i} of `chapters`"
        m = values.mapping(item, rep, what)
        if m is None:
            continue
        values.check_keys(m, ("id", "after", "before", "at"), ("id",), item, rep, what)
        ident = _chapter_id(m["id"][1], rep, what) if "id" in m else None
        if ident is not None and ident in seen:
            rep.at(m["id"][1], f"the chapter `{ident}` is declared twice (first in entry "
                   f"{seen[ident]} of `chapters`)")
            ident = None
        elif ident is not None:
            seen[ident] = i
            declared.add(ident)
        wheres = [k for k in ("after", "before", "at") if k in m]
        if len(wheres) != 1:
            rep.at(item, f"{what} needs exactly one of `after: <chapter>`, `before: "
                   f"<chapter>` or `at: end`" + (f", not {len(wheres)}" if wheres else ""))
            continue
        where = wheres[0]
        place = _place(m[where][1], rep, where)
        if ident is not None and place is not None:
            out.append(ExtraChapter(ident, where, place, rep.position(item.start_mark)))
    return out


def _chapter_id(node: yaml.Node, rep: Reporter, what: str) -> str | None:
    ident = values.text(node, rep, f"the id of {what}", limit=40)
    if ident is not None and (not CHAPTER_ID_RE.match(ident) or ident in PLACES):
        why = "is a standard chapter's" if ident in PLACES else \
            "must be lowercase letters and digits joined by hyphens, like `summary`"
        rep.at(node, f"the chapter id `{values.shorten(ident)}` {why}")
        return None
    return ident


def _place(node: yaml.Node, rep: Reporter, where: str) -> str | None:
    allowed = ("end",) if where == "at" else PLACES
    value = values.text(node, rep, f"`{where}`", limit=40)
    if value is not None and value not in allowed:
        close = values.suggest(rep, value, allowed)
        hint = f"did you mean `{close}`? " if close else ""
        what = "`at` takes only `end`" if where == "at" else \
            f"`{where}` names no standard chapter"
        rep.at(node, f"{what}: `{values.shorten(value)}`; {hint}expected one of: "
               f"{', '.join(allowed)}")
        return None
    return value


def chapter_name(ident: str, what: str) -> str:
    """The name ``walk`` gives an extra chapter's ``title`` or ``text``:
    ``chapters.<id>.<what>``."""
    return f"chapters.{ident}.{what}"


@dataclass
class LanguageSeries:
    """What a language file says of the series: ``place`` and the chapters' texts."""

    place: str | None = None
    place_at: tuple[int, int] | None = None
    chapters: dict[str, ChapterText] = field(default_factory=dict)
    chapters_at: dict[str, tuple[int, int]] = field(default_factory=dict)


def parse_language_keys(m: dict[str, tuple[yaml.Node, yaml.Node]], rep: Reporter,
                        found: dict[str, tuple[int, int]],
                        citing: list[tuple[yaml.Node, str]]) -> LanguageSeries:
    """``place`` and ``chapters`` of a language file; each chapter's title and
    text recorded in ``found`` under ``walk``'s names, its text among the texts
    that may cite (``citing``)."""
    out = LanguageSeries()
    if "place" in m:
        vnode = m["place"][1]
        out.place = values.text(vnode, rep, "`place`")
        if out.place is not None and not values.fits(vnode, rep, out.place, "`place`",
                                                     values.COVER_NAME):
            out.place = None
        out.place_at = rep.position(m["place"][0].start_mark)
    if "chapters" in m:
        knode, vnode = m["chapters"]
        out.chapters_at[""] = rep.position(knode.start_mark)
        cm = values.mapping(vnode, rep, "`chapters`")
        for ident, (idnode, cnode) in (cm or {}).items():
            if _chapter_id(idnode, rep, "an entry of `chapters`") is None:
                continue
            out.chapters_at[ident] = rep.position(idnode.start_mark)
            what = f"chapter `{ident}`"
            cmap = values.mapping(cnode, rep, what)
            if cmap is None:
                continue
            values.check_keys(cmap, ("title", "text"), ("title", "text"), cnode, rep, what)
            title = values.text(cmap["title"][1], rep, f"the title of {what}",
                                limit=MAX_TITLE_CHARS) if "title" in cmap else None
            text = values.text(cmap["text"][1], rep, f"the text of {what}",
                               limit=4 * MAX_TEXT_CHARS, markup=True) \
                if "text" in cmap else None
            if "title" in cmap:
                found[chapter_name(ident, "title")] = rep.position(cmap["title"][1].start_mark)
            if "text" in cmap:
                found[chapter_name(ident, "text")] = rep.position(cmap["text"][1].start_mark)
                citing.append((cmap["text"][1], text or ""))
            if title is not None and text is not None:
                out.chapters[ident] = ChapterText(title, text)
    return out


def cross_check(kind: str | None, declared: set[str], lf: Any, shown: str) -> list[Problem]:
    """What a language file lacks or has too much of, given profile.yaml's
    ``kind`` (None: unknown, nothing said of ``place``) and the ids of the
    chapters it ``declared``: ``place`` for a local profile (and none for a
    national one), the text of every declared chapter and no text of an
    undeclared one."""
    out = []
    first = lf.at.get("", (1, 1))
    if kind == "local" and lf.place is None:
        out.append(Problem(shown, *first, f"missing key `place` in {lf.lang}.yaml: a local "
                           "profile (profile.yaml: `kind: local`) names its place in each "
                           "language, like `place: Strelsau`"))
    elif kind == "national" and lf.place is not None:
        out.append(Problem(shown, *(lf.place_at or first), "`place` is for a local profile "
                           "(profile.yaml: `kind: local`); a national profile names its "
                           "`country`"))
    for ident in sorted(declared):
        if ident not in lf.chapters and ident not in lf.chapters_at:
            out.append(Problem(shown, *lf.chapters_at.get("", first),
                               f"no text for the chapter `{ident}` (profile.yaml declares it): "
                               f"add `chapters: {{{ident}: {{title: …, text: …}}}}`"))
    for ident, where in lf.chapters_at.items():
        if ident and ident not in declared:
            listed = ", ".join(sorted(declared)) or "none"
            out.append(Problem(shown, *where, f"the chapter `{ident}` is not declared in "
                               f"profile.yaml's `chapters` (declared: {listed})"))
    return out
