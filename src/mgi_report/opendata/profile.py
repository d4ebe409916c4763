"""One profile's data, in one language, as a JSON-ready value (``data``).

Its facts (who, what kind, which round, when, in which languages), the six
domains with their findings (each with its identifier, place, text as plain
text and as HTML, the sources it cites and the GCM objectives it informs), the
key data with their sources, the key sources, and for a follow-up what changed
since its baseline (``updates``). Names the PDF takes from the catalogs (the
domains', the indicators') are in the profile's language here too. The keys
come in a fixed order (README, "Open data"; ``schema/profile-data.schema.json``).
"""

from __future__ import annotations

from typing import Any

from ..compose import local
from ..content import walk
from ..content.baseline import Baseline
from ..content.domains import DOMAINS
from ..content.facts import KeyData
from ..content.model import LanguageFile, Profile
from ..text import i18n
from . import texts, updates

#: The schema this data follows (its ``$id``; the file is in ``schema/``).
SCHEMA_ID = "urn:mgi-report:schema:profile-data:1"
#: The names of a finding's places (``walk.Finding.part``).
PARTS = ("well_developed", "potential", "area")


def data(profile: Profile, doc: LanguageFile, baseline: Baseline | None = None
         ) -> dict[str, Any]:
    """The data of ``profile`` in the language of ``doc`` (``baseline``: a
    follow-up's, as ``content.baseline.load`` read it)."""
    lang = doc.lang
    _ = i18n.translations(lang).gettext
    sources = doc.notes()
    by_domain: dict[str, list[dict[str, Any]]] = {d.key: [] for d in DOMAINS}
    for f in walk.findings(doc):
        by_domain[f.domain].append(finding(f, sources, lang))
    return {
        "$schema": SCHEMA_ID,
        "profile": facts(profile, doc, baseline, _, lang),
        "domains": [{"number": d.number, "key": d.key, "name": _(d.short_name),
                     "long_name": _(d.long_name),
                     "updates": texts.paragraphs(doc.updates[d.key], lang)
                     if d.key in doc.updates else None,
                     "findings": by_domain[d.key]} for d in DOMAINS],
        "key_data": [key_data(item, doc, _) for item in profile.key_data],
        "sources": [{"id": s.id, "text": texts.plain(s.text, lang),
                     "html": texts.html(s.text, lang),
                     "short": texts.plain(s.short, lang) if s.short else None}
                    for s in doc.sources],
        "changes": updates.changes(baseline, doc) if baseline is not None else None,
    }


def facts(profile: Profile, doc: LanguageFile, baseline: Baseline | None, _,
          lang: str) -> dict[str, Any]:
    """What the profile is: its names, kind, round, dates and languages."""
    name = local.title_name(profile, doc, _, lang)  # "City of Strelsau" for a local profile
    return {
        "slug": profile.slug,
        "iso3": profile.iso3,
        "country": doc.country,
        "short_name": doc.short_name,
        "title": _("%(label)s: %(value)s") % {"label": _("Migration Governance Profile"),
                                              "value": name},
        "kind": profile.kind,
        "level": profile.level,
        "place": doc.place,
        "round": profile.round,
        "baseline": None if baseline is None else {
            "kind": baseline.ref.kind,
            "value": baseline.ref.value,
            "country": baseline.doc.country,
            "published": f"{baseline.profile.published:%Y-%m}",
            "language": baseline.lang,
        },
        "published": f"{profile.published:%Y-%m}",
        "language": doc.lang,
        "languages": list(profile.languages),
        "source_language": profile.source_language,
        "translation_of": doc.translation_of,
        "draft": doc.draft,
    }


def finding(f: walk.Finding, sources: dict[str, str], lang: str) -> dict[str, Any]:
    """A finding: its identifier and place, its text (plain and HTML), the
    sources it cites and its GCM objectives."""
    return {
        "id": f.id,
        "part": f.part,
        "area": f.area or None,
        "area_title": f.area_title,
        "number": f.number,
        "text": texts.plain(f.text, lang),
        "html": texts.html(f.text, lang),
        "citations": texts.cited(f.text, sources, lang),
        "gcm": list(f.gcm),
    }


def number(value: float) -> int | float:
    """A figure as JSON writes it: a whole number without its ``.0``."""
    return int(value) if float(value).is_integer() else value


def key_data(item: KeyData, doc: LanguageFile, _) -> dict[str, Any]:
    """An indicator's figures with their source, as this language prints it
    (``key_data_sources``) and as profile.yaml writes it."""
    ind = item.indicator
    return {
        "indicator": ind.key,
        "name": _(ind.name),
        "unit": _(ind.unit),
        "source": doc.key_data_sources.get(item.source, item.source),
        "source_as_written": item.source,
        "values": [{"year": year, "value": number(value)} for year, value in item.values.items()],
    }
