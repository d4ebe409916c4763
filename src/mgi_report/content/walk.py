"""One walk over a language file's texts, in the order of the document: each
domain's two lists, its list of areas and each area's findings, then the
sources; and the texts that stand alone (the introduction, the context, each
area's title, each extra chapter's title and text, a follow-up's updates per
domain, the acknowledgements).

What the translation review, the changes between two versions, the stats and
the findings hash go through, so that the order and the names are written once:
the names here (``migrants_rights.potential``, ``…areas[2].findings``, an
entry ``…potential[3]``) are also those under which ``parse`` records where
each text stands (``LanguageFile.at``) and its tags (``LanguageFile.tags``).
``findings`` gives every finding with its identifier and GCM objectives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from .domains import DOMAIN_KEYS, DOMAINS
from .model import Area, LanguageFile
from .series import chapter_name
from .tags import derived_id


@dataclass(frozen=True)
class Listed:
    """A list of texts in a language file.

    ``part``: ``well_developed``, ``potential``, ``areas`` (the domain's list of
    areas: its entries are their titles), ``area`` (one area's findings) or
    ``sources``. ``items`` is None where the file leaves the list out (only the
    two lists of a domain can be None)."""

    name: str
    part: str
    items: list[str] | None
    domain: str | None = None
    area: Area | None = None
    number: int = 0  # an area's, 1-based


def area_name(domain: str, number: int, what: str) -> str:
    """The name of an area's ``title`` or ``findings``: ``domain.areas[n].what``."""
    return f"{domain}.areas[{number}].{what}"


def entry(name: str, i: int) -> str:
    """The name of a list's entry ``i`` (1-based)."""
    return f"{name}[{i}]"


def lists(lf: LanguageFile, sources: bool = True) -> Iterator[Listed]:
    """Every list of the file, in the document's order."""
    for key in DOMAIN_KEYS:
        f = lf.domains.get(key)
        if f is None:
            continue
        yield Listed(f"{key}.well_developed", "well_developed", f.well_developed, key)
        yield Listed(f"{key}.potential", "potential", f.potential, key)
        yield Listed(f"{key}.areas", "areas", [area.title for area in f.areas], key)
        for n, area in enumerate(f.areas, 1):
            yield Listed(area_name(key, n, "findings"), "area", area.findings, key, area, n)
    if sources:
        yield Listed("sources", "sources", [s.text for s in lf.sources])


@dataclass(frozen=True)
class Finding:
    """A finding with its place and tags: ``part`` is ``well_developed``,
    ``potential`` or ``area``; ``area`` the area's 1-based number (0 in the two
    lists); ``number`` its 1-based place in its list; ``id`` its explicit
    identifier or the one of its place (tags.derived_id); ``gcm`` the GCM
    objectives it informs, as written (empty: none)."""

    name: str
    id: str
    domain: str
    part: str
    area: int
    number: int
    text: str
    gcm: tuple[int, ...] = ()
    area_title: str | None = None


_NUMBERS = {d.key: d.number for d in DOMAINS}


def findings(lf: LanguageFile) -> Iterator[Finding]:
    """Every finding of the file, in the document's order, with its tags."""
    for listed in lists(lf, sources=False):
        if listed.part == "areas":
            continue
        for i, text in enumerate(listed.items or (), 1):
            name = entry(listed.name, i)
            tag = lf.tags.get(name)
            ident = tag.id if tag and tag.id else \
                derived_id(_NUMBERS[listed.domain], listed.part, listed.number, i)
            yield Finding(name, ident, listed.domain, listed.part, listed.number, i, text,
                          tag.gcm if tag else (), listed.area.title if listed.area else None)


def tagged(lf: LanguageFile) -> bool:
    """Whether any finding of the file names a GCM objective."""
    return any(tag.gcm for tag in lf.tags.values())


def lone_texts(lf: LanguageFile) -> Iterator[tuple[str, str | None]]:
    """The texts that stand alone, by name: the introduction, the context (None
    where the file has none), each area's title, each extra chapter's title and
    text, the updates per domain and the acknowledgements."""
    yield "introduction", lf.introduction
    yield "context", lf.context
    for key in DOMAIN_KEYS:
        for n, area in enumerate(lf.domains[key].areas if key in lf.domains else (), 1):
            yield area_name(key, n, "title"), area.title
    for ident, chapter in lf.chapters.items():  # the extra chapters' (series.py)
        yield chapter_name(ident, "title"), chapter.title
        yield chapter_name(ident, "text"), chapter.text
    for key, text in lf.updates.items():  # a follow-up's, per domain (followup.py)
        yield f"updates.{key}", text
    if lf.acknowledgements:  # the publication's (publication.py)
        yield "acknowledgements", lf.acknowledgements


def texts(lf: LanguageFile) -> Iterator[str]:
    """Every text of the findings: the texts that stand alone and the domains'
    lists (not the sources)."""
    yield from (text for _, text in lone_texts(lf) if text)
    for listed in lists(lf, sources=False):
        if listed.part != "areas":  # its entries are the titles, above
            yield from listed.items or ()


def findings_hash(lf: LanguageFile) -> str:
    """A short hash of what a translation is made from: the source's text.
    (What a file without the newer keys hashes to is what it always did.)"""
    parts = [lf.country, lf.short_name, lf.introduction or ""]
    for listed in lists(lf, sources=False):
        if listed.part == "well_developed":
            parts += ["#" + listed.domain, *(listed.items or [])]
        elif listed.part == "potential":
            parts += ["|", *(listed.items or [])]
        elif listed.part == "area":
            parts += ["#area", listed.area.title, *listed.items]
    parts += ["#sources", *(s.text for s in lf.sources)]
    if any(s.short for s in lf.sources):
        parts += ["#short", *(s.short or "" for s in lf.sources)]
    if lf.context:
        parts += ["#context", lf.context]
    if lf.acronyms:
        parts += ["#acronyms", *(f"{k}={v}" for k, v in lf.acronyms.items())]
    if lf.place:
        parts += ["#place", lf.place]
    for ident, chapter in lf.chapters.items():
        parts += ["#chapter", ident, chapter.title, chapter.text]
    for key, text in lf.updates.items():
        parts += ["#updates", key, text]
    if lf.acknowledgements:
        parts += ["#acknowledgements", lf.acknowledgements]
    for name, tag in lf.tags.items():  # a changed tag is a change (tags.py)
        parts += ["#tag", name, tag.id or "", ",".join(map(str, tag.gcm))]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
