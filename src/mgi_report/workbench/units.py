"""A translation as units: each text of the source with its translation, its
state and what a translator should know of it. What XLIFF and Word carry.

A unit is named as ``content/walk.py`` names its text (``introduction``,
``migrants_rights.potential[2]``, ``migrants_rights.areas[1].title``,
``chapters.summary.text``, ``updates.partnerships``, ``sources[3]``), and as
``content/rewrite.py`` names the texts walk leaves out (``country``,
``short_name``, ``place``, ``sources[3].short``, ``acronyms.GAFMA``: an
acronym the translation writes as the source does; one it writes in its own
letters, ГОБМП for GAFMA, stays in the YAML).

Its state: ``translated``, or ``needs-review-translation`` where the source
text changed since the translation was stamped (``stamp`` keeps the source as
it was, ``.stamp-<lang>.yaml``; the note says what changed, word by word), or
where that cannot be told (no stamp, no copy kept); ``needs-translation``
where the translation has no text there yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..content import changes, walk
from ..content import tree as contents
from ..content.domains import DOMAINS
from ..content.model import LanguageFile
from ..content.rewrite import canonical
from .check import stamped_copy

_DOMAIN = {d.key: d.number for d in DOMAINS}
_PART = {"well_developed": "well developed", "potential": "potential for development",
         "area": "policy area"}


@dataclass
class Unit:
    """One text to translate: ``source`` and ``target`` as they print
    (``rewrite.canonical``; ``target`` None where the translation has none)."""

    name: str
    source: str
    target: str | None
    state: str = "translated"
    place: str = ""  # where it stands, for the translator
    changed: str = ""  # what changed in the source since the stamp
    finding: walk.Finding | None = None


def texts(lf: LanguageFile) -> dict[str, str]:
    """Every translatable text of a language file, by name, in the document's order."""
    out: dict[str, str] = {"country": lf.country, "short_name": lf.short_name}
    if lf.place:
        out["place"] = lf.place
    out.update((name, text) for name, text in walk.lone_texts(lf) if text)
    for listed in walk.lists(lf, sources=False):
        if listed.part != "areas":
            out.update((walk.entry(listed.name, i), text)
                       for i, text in enumerate(listed.items or (), 1))
    for i, source in enumerate(lf.sources, 1):
        out[walk.entry("sources", i)] = source.text
        if source.short:
            out[f"{walk.entry('sources', i)}.short"] = source.short
    out.update((f"acronyms.{key}", value) for key, value in lf.acronyms.items())
    return out


def _place(name: str, finding: walk.Finding | None) -> str:
    if finding is None:
        return name
    where = f"domain {_DOMAIN[finding.domain]} ({finding.domain}), {_PART[finding.part]}"
    if finding.part == "area":
        where += f" {finding.area} “{finding.area_title}”"
    where += f", finding {finding.number}; id {finding.id}"
    if finding.gcm:
        where += "; GCM objectives " + ", ".join(map(str, finding.gcm))
    return where


def _stamped(lf: LanguageFile) -> LanguageFile | None:
    """The source as it was when ``lf`` was stamped, if kept and it is that one."""
    kept = stamped_copy(lf.path)
    if lf.source_hash is None or not kept.is_file():
        return None
    was = contents.read_language(kept, lf.translation_of or "")
    return was if was is not None and walk.findings_hash(was) == lf.source_hash else None


def units(lf: LanguageFile, source: LanguageFile) -> list[Unit]:
    """The units of a translation ``lf`` of ``source``, in the document's order."""
    now, own = texts(source), texts(lf)
    found = {f.name: f for f in walk.findings(source)}
    current = lf.source_hash == walk.findings_hash(source)
    was = None if current else _stamped(lf)
    before = texts(was) if was is not None else {}
    out = []
    for name, text in now.items():
        if name.startswith("acronyms.") and name not in own:
            continue  # a translation writes its own acronyms (ГОБМП for GAFMA)
        unit = Unit(name, canonical(text), canonical(own[name]) if name in own else None,
                    place=_place(name, found.get(name)), finding=found.get(name))
        if unit.target is None:
            unit.state = "needs-translation"
        elif current:
            pass
        elif was is None:
            unit.state = "needs-review-translation"
            unit.changed = (f"{source.path.name} changed since this translation was "
                            + ("stamped (no copy of it was kept to say what)"
                               if lf.source_hash else "made (it was never stamped)"))
        elif name not in before:
            unit.state = "needs-review-translation"
            unit.changed = f"added to {source.path.name} since the stamp"
        elif canonical(before[name]) != unit.source:
            old = canonical(before[name])
            change = changes.Change(name, None, "changed", old, unit.source,
                                    changes.word_diff(old, unit.source))
            unit.state = "needs-review-translation"
            unit.changed = f"{source.path.name} changed since the stamp: " + \
                change.describe(context=6).split(", changed: ", 1)[1]
        out.append(unit)
    return out


@dataclass
class Pair:
    """A translation and its source, read: what an export and an import start from."""

    slug: str
    lang: str
    lf: LanguageFile
    source: LanguageFile
    units: list[Unit] = field(default_factory=list)


def load(content, slug: str, lang: str) -> Pair:
    """A country's translation into ``lang`` and its source, read and validated;
    a usage error for the source language itself or a file that is no translation."""
    from ..errors import UsageError

    country = contents.countries(content).get(slug)
    if country is not None and lang not in country.languages:
        raise UsageError(f"no {lang}.yaml for {slug} (languages: "
                         f"{', '.join(country.languages) or 'none'})")
    loaded = contents.load_country(content, slug, (lang,))  # an unknown country: exit 2
    lf = loaded.files[lang]
    if not lf.translation_of or lf.translation_of not in loaded.profile.languages:
        raise UsageError(f"{slug}/{lang}.yaml is no translation (it has no `translation_of`): "
                         "the source language's texts are written in YAML, not exchanged")
    source = contents.load_language(content, loaded.profile, lf.translation_of)
    return Pair(slug, lang, lf, source, units(lf, source))
