"""The content model: what a profile is made of, once read and validated.

``Profile`` (profile.yaml) and ``LanguageFile`` (one per language) with their
parts; ``findings_hash``, what a translation is stamped with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .facts import KeyData, Publication
from .series import ChapterText, ExtraChapter
from .publication import Facts
from .tags import Tag


@dataclass
class Area:
    """A policy area of a domain: numbered sub-section n.m with its findings."""

    title: str
    findings: list[str]


@dataclass
class Findings:
    """A domain's findings: the two lists (None where the file leaves one out,
    which only a domain with areas may do) and its policy areas."""

    key: str
    well_developed: list[str] | None
    potential: list[str] | None
    areas: list[Area] = field(default_factory=list)
    at: tuple[int, int] = field(default=(1, 1), compare=False)  # where its key is

    @property
    def empty(self) -> bool:
        """No finding at all: neither list nor any area holds one."""
        return not (self.well_developed or self.potential
                    or any(area.findings for area in self.areas))


@dataclass
class Source:
    """A key source; one with an id can be cited as ``[^id]``. Cited again, it
    prints ``short`` (or, without one, a reference to its first note)."""

    text: str
    id: str | None = None
    short: str | None = None


@dataclass
class LanguageFile:
    """One language's findings for a country (``<lang>.yaml``)."""

    lang: str
    path: Path
    country: str
    short_name: str
    domains: dict[str, Findings]
    translation_of: str | None = None
    draft: bool = False
    introduction: str | None = None
    sources: list[Source] = field(default_factory=list)
    source_hash: str | None = None
    draft_at: tuple[int, int] = (1, 1)  # line, column of the `draft` key
    context: str | None = None
    acronyms: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # proper names, never hyphenated
    #: profile.yaml's key-data `source` lines as written -> this language's line
    key_data_sources: dict[str, str] = field(default_factory=dict)
    #: where each of them (and the key itself, "") stands: (line, column)
    key_data_sources_at: dict[str, tuple[int, int]] = field(default_factory=dict,
                                                            compare=False, repr=False)
    #: Where its texts stand in the file: (line, column) by the name ``walk``
    #: gives each (parse.py records them), so that what is said of a text later
    #: (the translation review) is located without reading the file again.
    at: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    #: `place`: a local profile's place in this language (content/series.py)
    place: str | None = None
    place_at: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    #: `chapters`: the extra chapters' titles and texts, by id (content/series.py)
    chapters: dict[str, ChapterText] = field(default_factory=dict)
    chapters_at: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False,
                                                    repr=False)
    #: `updates:` (follow-up profiles): the editors' text per domain key
    updates: dict[str, str] = field(default_factory=dict)
    acknowledgements: str | None = None  # `acknowledgements`: paragraphs, with markup
    #: `fact_names`: a publication fact as written (a funder, a credit) -> this language's
    fact_names: dict[str, str] = field(default_factory=dict)
    #: the findings written as mappings: their GCM objectives and explicit ids,
    #: by the name ``walk`` gives each entry (content/tags.py)
    tags: dict[str, Tag] = field(default_factory=dict)

    def notes(self) -> dict[str, str]:
        """The citable sources: id -> text."""
        return {s.id: s.text for s in self.sources if s.id}

    def shorts(self) -> dict[str, str]:
        """The cited sources' short forms, for a citation again: id -> text."""
        return {s.id: s.short for s in self.sources if s.id and s.short}


@dataclass(frozen=True)
class BaselineRef:
    """A follow-up's ``baseline:`` (content/followup.py): its kind (profile,
    revision, pdf), its value, and where the key stands in profile.yaml."""

    kind: str
    value: str
    at: tuple[int, int] = (1, 1)


@dataclass
class Profile:
    """A country's language-independent facts (``profile.yaml``)."""

    slug: str
    path: Path
    iso3: str
    published: date
    source_language: str
    languages: tuple[str, ...]
    logo: Path | None = None
    publisher: str | None = None
    publication: Publication = field(default_factory=Publication)
    key_data: list[KeyData] = field(default_factory=list)
    #: `kind`: national or local; `level`: a local profile's (content/series.py)
    kind: str = "national"
    level: str | None = None
    #: `chapters`: the extra chapters and their places (content/series.py)
    chapters: list[ExtraChapter] = field(default_factory=list)
    #: `round:` (follow-up profiles): 1 for a first profile, 2 for its follow-up …
    round: int = 1
    #: `baseline:` (follow-up profiles): the earlier profile (content/followup.py)
    baseline: BaselineRef | None = None
    #: funders, research_partner, methodology, cover_photo, publisher (the block):
    #: profile.yaml's over <content root>/publisher.yaml's (publication.py)
    facts: Facts = field(default_factory=Facts)
