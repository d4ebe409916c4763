"""Parsing one content file: profile.yaml or a language file, from its located
YAML nodes (``yamlsource``) into the model (``model``), every problem reported
where it is.

Typed values come from ``values`` and ``facts``; the logo from ``logo``. What a
file says of the others (its languages, the source language) is given by the
caller (``tree``), which reads each file once and passes it here. A language
file's model keeps where its texts stand (``LanguageFile.at``, named as the
``walk`` names them), so that what is said of them later (the translation
review) is located without reading the file again.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from ..text import markup
from . import facts, followup, publication, series, tags, values, walk
from .domains import DOMAIN_KEYS
from .facts import MAX_KEY_DATA, Publication, parse_key_data, parse_publication
from .logo import image_file
from .model import Area, Findings, LanguageFile, Profile, Source
from .publication import Facts
from .values import BOOL as _BOOL
from .values import MAX_TEXT_CHARS
from .values import STR as _STR
from .yamlsource import Reporter

ISO3_RE = re.compile(r"^[A-Z]{3}\Z")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})\Z")

#: Limits that keep a build bounded in time and memory (documented in README;
#: the file's own, MAX_FILE_BYTES and MAX_DEPTH, are in yamlsource; a text's,
#: MAX_TEXT_CHARS, in values; a logo's, MAX_IMAGE_PIXELS, in logo).
MAX_FINDINGS = 100
MAX_SOURCES = 200
MIN_YEAR, MAX_YEAR = 1900, 2100  # `published`

PROFILE_KEYS = ("iso3", "published", "source_language", "logo", "publication",
                "key_data", *publication.FACT_KEYS, *series.PROFILE_KEYS,
                "round", "baseline")
PROFILE_REQUIRED = ("iso3", "published", "source_language")
LANG_KEYS = ("country", "short_name", "translation_of", "draft", "introduction",
             "context", "domains", "sources", "acronyms", "names", "source_hash",
             "key_data_sources", "acknowledgements", "fact_names", *series.LANG_KEYS,
             "updates")
LANG_REQUIRED = ("country", "short_name", "domains")
FINDINGS_KEYS = ("well_developed", "potential")
DOMAIN_PART_KEYS = (*FINDINGS_KEYS, "areas")
ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z")
MAX_AREAS = 30
MAX_ACRONYMS = 200
MAX_NAMES = 200


def parse_profile(node: Any, rep: Reporter, slug: str, path: Path,
                   languages: tuple[str, ...],
                   shared: publication.Series | None = None) -> Profile | None:
    m = values.mapping(node, rep, "profile.yaml")
    if m is None:
        return None
    values.check_keys(m, PROFILE_KEYS, PROFILE_REQUIRED, node, rep, "profile.yaml")
    before = len(rep.problems)
    iso3 = None
    if "iso3" in m:
        iso3 = values.text(m["iso3"][1], rep, "`iso3`")
        if iso3 is not None and not ISO3_RE.match(iso3):
            rep.at(m["iso3"][1], f"`iso3` must be three capital letters like `KAZ`, not `{iso3}`")
        elif iso3 is not None and (why := facts.iso3_problem(iso3)):
            rep.at(m["iso3"][1], why)
    published = None
    if "published" in m:
        vnode = m["published"][1]
        raw = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) else None
        match = MONTH_RE.match(raw or "")
        if not match or not 1 <= int(match[2]) <= 12 or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
            shown = f"`{raw}`" if raw else "empty text" if vnode.tag == _STR else \
                values.type_name(vnode)
            rep.at(vnode, f"`published` must be a year ({MIN_YEAR}-{MAX_YEAR}) and month "
                   f"like `2018-05`, not {shown}")
        else:
            published = date(int(match[1]), int(match[2]), 1)
    source = None
    if "source_language" in m:
        vnode = m["source_language"][1]
        source = values.lang_code(vnode, rep, "`source_language`")
        if source is not None and source not in languages:
            rep.at(vnode, f"`source_language` is `{source}` but there is no {source}.yaml"
                   f" (languages here: {', '.join(languages) or 'none'})")
    logo = None
    if "logo" in m:
        logo = image_file(m["logo"][1], rep, path.parent, "`logo`", (".svg", ".png"),
                          "an .svg or .png")
    own = publication.parse_facts(m, rep, path.parent)  # over publisher.yaml's
    pub_facts = publication.merge(shared, own, rep)
    pub = parse_publication(m["publication"][1], rep) if "publication" in m else Publication()
    key_data = parse_key_data(m["key_data"][1], rep) if "key_data" in m else []
    kind = series.parse_profile_keys(m, node, rep)
    round_, baseline = followup.parse(m, rep)  # follow-up profiles
    if len(rep.problems) > before or iso3 is None or published is None or source is None:
        return None
    return Profile(slug, path, iso3, published, source, languages, logo,
                   pub_facts.publisher.name if pub_facts else None,
                   pub or Publication(), key_data, kind.kind, kind.level, kind.chapters,
                   round=round_, baseline=baseline, facts=pub_facts or Facts())


def parse_language(node: Any, rep: Reporter, lang: str, path: Path,
                    languages: tuple[str, ...], source: str | None = None
                    ) -> LanguageFile | None:
    where = f"{lang}.yaml"
    m = values.mapping(node, rep, where)
    if m is None:
        return None
    before = len(rep.problems)
    values.check_keys(m, LANG_KEYS, LANG_REQUIRED, node, rep, where)
    at = _Positions(rep, node)
    get: Callable[[str], yaml.Node | None] = lambda k: m[k][1] if k in m else None  # noqa: E731
    country = values.text(get("country"), rep, "`country`") if "country" in m else None
    if country is not None and not values.fits(get("country"), rep, country, "`country`",
                                               values.COVER_NAME):
        country = None
    short = values.text(get("short_name"), rep, "`short_name`") if "short_name" in m else None
    translation_of = None
    if (vnode := get("translation_of")) is not None:
        translation_of = values.lang_code(vnode, rep, "`translation_of`")
        if translation_of == lang:
            rep.at(vnode, f"`translation_of` names this file's own language `{lang}`")
        elif translation_of is not None and lang == source:
            rep.at(vnode, f"`translation_of` in the source language's file (profile.yaml: "
                   f"`source_language: {lang}`); the original is no translation")
        elif translation_of is not None and translation_of not in languages:
            rep.at(vnode, f"`translation_of` is `{translation_of}` but there is no "
                   f"{translation_of}.yaml (languages here: {', '.join(languages)})")
    draft = False
    draft_at = (1, 1)
    if (vnode := get("draft")) is not None:
        draft_at = rep.position(m["draft"][0].start_mark)
        if not isinstance(vnode, yaml.ScalarNode) or vnode.tag != _BOOL:
            rep.at(vnode, f"`draft` must be true or false, not {values.type_name(vnode)}")
        else:
            draft = vnode.value.lower() in ("true", "yes", "on")
    citing: list[tuple[yaml.Node, str]] = []  # texts that may cite a source
    intro = None
    if (vnode := get("introduction")) is not None:
        intro = values.text(vnode, rep, "`introduction`", limit=4 * MAX_TEXT_CHARS, markup=True)
        at.text("introduction", vnode)
        citing.append((vnode, intro or ""))
    context = None
    if (vnode := get("context")) is not None:
        context = values.text(vnode, rep, "`context`", limit=4 * MAX_TEXT_CHARS, markup=True)
        at.text("context", vnode)
        citing.append((vnode, context or ""))
    sources: list[Source] = []
    if (vnode := get("sources")) is not None:
        sources = _sources(vnode, rep)
        at.listed("sources", m["sources"][0], vnode)
    acronyms: dict[str, str] = {}
    if (vnode := get("acronyms")) is not None:
        acronyms = _acronyms(vnode, rep)
    names: list[str] = []
    if (vnode := get("names")) is not None:  # proper names, never hyphenated
        names = values.text_list(vnode, rep, "`names`", MAX_NAMES, markup=False)
    kd_sources: dict[str, str] = {}
    kd_at: dict[str, tuple[int, int]] = {}
    if (vnode := get("key_data_sources")) is not None:
        kd_sources, kd_at = _key_data_sources(vnode, rep)
        kd_at[""] = rep.position(m["key_data_sources"][0].start_mark)
    thanks = None  # `acknowledgements`
    if (vnode := get("acknowledgements")) is not None:
        thanks = values.text(vnode, rep, "`acknowledgements`", limit=4 * MAX_TEXT_CHARS,
                             markup=True)
        at.found["acknowledgements"] = rep.position(vnode.start_mark)
    names_of_facts = publication.fact_names(get("fact_names"), rep) \
        if "fact_names" in m else {}
    source_hash = None
    if (vnode := get("source_hash")) is not None:
        source_hash = values.text(vnode, rep, "`source_hash`")
        at.line_starting("source_hash", "source_hash:")
    domains: dict[str, Findings] = {}
    found = _Found(rep, citing)  # the findings' tags (tags.py)
    if (dnode := get("domains")) is not None:
        dm = values.mapping(dnode, rep, "`domains`")
        if dm is not None:
            values.check_keys(dm, DOMAIN_KEYS, DOMAIN_KEYS, dnode, rep, "`domains`")
            for key in DOMAIN_KEYS:
                if key not in dm:
                    continue
                fnode = dm[key][1]
                fm = values.mapping(fnode, rep, f"domain `{key}`")
                if fm is None:
                    continue
                # the two lists, or areas, or both
                values.check_keys(fm, DOMAIN_PART_KEYS, () if "areas" in fm else FINDINGS_KEYS,
                            fnode, rep, f"domain `{key}`")
                lists = {}
                for k in FINDINGS_KEYS:
                    if k in fm:
                        lists[k] = found.texts(fm[k][1], f"`{key}.{k}`", f"{key}.{k}")
                        at.listed(f"{key}.{k}", fm[k][0], fm[k][1])
                areas = []
                if "areas" in fm:
                    areas = _areas(fm["areas"][1], rep, key, found)
                    at.areas(key, fm["areas"][0], fm["areas"][1])
                domains[key] = Findings(key, lists.get("well_developed"),
                                        lists.get("potential"), areas,
                                        rep.position(dm[key][0].start_mark))
    own = series.parse_language_keys(m, rep, at.found, citing)  # place, chapters
    updates = followup.parse_updates(get("updates"), rep, citing, at.found) \
        if "updates" in m else {}
    tags.check_unique(found.ids, rep)
    _check_citations(citing, {s.id for s in sources if s.id}, rep)
    if len(rep.problems) > before or country is None or short is None:
        return None
    return LanguageFile(lang, path, country, short, domains, translation_of, draft,
                        intro, sources, source_hash, draft_at, context, acronyms, names,
                        at=at.found, key_data_sources=kd_sources,
                        key_data_sources_at=kd_at, place=own.place, place_at=own.place_at,
                        chapters=own.chapters, chapters_at=own.chapters_at,
                        updates=updates, acknowledgements=thanks,
                        fact_names=names_of_facts, tags=found.tags)


class _Positions:
    """Where a language file's texts stand (``LanguageFile.at``): line and column
    by the name ``walk`` gives each list (its key), each entry (``name[i]``) and
    each text that stands alone (its value); ``""``: the file's first node."""

    def __init__(self, rep: Reporter, node: yaml.Node):
        self.rep = rep
        self.found: dict[str, tuple[int, int]] = {"": rep.position(node.start_mark)}

    def text(self, name: str, node: yaml.Node) -> None:
        self.found[name] = self.rep.position(node.start_mark)

    def listed(self, name: str, key: yaml.Node, node: yaml.Node) -> None:
        self.found[name] = self.rep.position(key.start_mark)
        for i, item in enumerate(values.items(node), 1):
            self.found[walk.entry(name, i)] = self.rep.position(item.start_mark)

    def areas(self, domain: str, key: yaml.Node, node: yaml.Node) -> None:
        self.found[f"{domain}.areas"] = self.rep.position(key.start_mark)
        for n, item in enumerate(values.items(node), 1):
            for knode, vnode in item.value if isinstance(item, yaml.MappingNode) else ():
                if isinstance(knode, yaml.ScalarNode) and knode.value == "title":
                    self.text(walk.area_name(domain, n, "title"), vnode)
                elif isinstance(knode, yaml.ScalarNode) and knode.value == "findings":
                    self.listed(walk.area_name(domain, n, "findings"), knode, vnode)

    def line_starting(self, name: str, start: str) -> None:
        """The first line of the file that starts with ``start`` (column 1; line 1
        if none does)."""
        lines = (self.rep.text or "").splitlines()
        line = next((n for n, text in enumerate(lines, 1) if text.startswith(start)), 1)
        self.found[name] = (line, 1)


def _sources(node: yaml.Node, rep: Reporter) -> list[Source]:
    """Key sources: a text, or {id, text} to be cited as ``[^id]``, with an
    optional ``short`` text that a later citation prints instead of the full one."""
    out: list[Source] = []
    seen: dict[str, int] = {}
    shorts: dict[str, int] = {}  # short text -> its entry
    for i, item in enumerate(values.sequence(node, rep, "`sources`", MAX_SOURCES), 1):
        what = f"entry {i} of `sources`"
        if not isinstance(item, yaml.MappingNode):
            value = values.text(item, rep, what, markup=True)
            if value is not None and not _cites(value, item, rep, what):
                out.append(Source(value))
            continue
        m = values.mapping(item, rep, what)
        if m is None:
            continue
        values.check_keys(m, ("id", "text", "short"), ("id", "text"), item, rep, what)
        ident = values.text(m["id"][1], rep, f"the id of {what}") if "id" in m else None
        if ident is not None and not ID_RE.match(ident):
            rep.at(m["id"][1], f"the id `{ident}` must be lowercase letters and digits joined "
                   "by hyphens, like `law-migration-2011`")
            ident = None
        elif ident is not None and ident in seen:
            rep.at(m["id"][1], f"the id `{ident}` is given twice (first in entry {seen[ident]})")
            ident = None
        elif ident is not None:
            seen[ident] = i
        value = values.text(m["text"][1], rep, f"the text of {what}", markup=True) \
            if "text" in m else None
        short = None
        if "short" in m:
            short = _short(m["short"][1], value, shorts, i, rep, what)
        if value is not None and not _cites(value, item, rep, what) and ident is not None:
            out.append(Source(value, ident, short))
    return out


def _short(node: yaml.Node, full: str | None, shorts: dict[str, int], i: int, rep: Reporter,
           what: str) -> str | None:
    """A source's ``short`` text: what a later citation prints, so neither its
    full text again (rule: never in full twice) nor another source's short text
    (the reader could not tell the two apart)."""
    what = f"the short text of {what}"
    short = values.text(node, rep, what, markup=True)
    if short is None or _cites(short, node, rep, what):
        return None
    if full is not None and short == full:
        rep.at(node, f"{what} is its full text: a later citation would print it in full "
               "again; shorten it, or leave `short` out (a later citation then prints "
               "\"See note N.\")")
        return None
    if short in shorts:
        rep.at(node, f"{what} is that of entry {shorts[short]} too: a later citation of "
               "either would print the same; make each source's short text its own")
        return None
    shorts[short] = i
    return short


def _cites(value: str, node: yaml.Node, rep: Reporter, what: str) -> bool:
    """Report a source that cites (a source is what is cited)."""
    if markup.citations(value):  # as printed: not in code, a link's URL or title
        rep.at(node, f"{what} cites a source (`[^…]`); a source cannot cite, only findings, "
               "areas, the context and the introduction can")
        return True
    return False


def _acronyms(node: yaml.Node, rep: Reporter) -> dict[str, str]:
    m = values.mapping(node, rep, "`acronyms`")
    if m is None:
        return {}
    if len(m) > MAX_ACRONYMS:
        rep.at(node, f"`acronyms` has {len(m):,} entries; the limit is {MAX_ACRONYMS:,}")
        return {}
    out = {}
    for key, (knode, vnode) in m.items():
        name = values.text(knode, rep, "an acronym", limit=40)
        value = values.text(vnode, rep, f"the expansion of `{key}`")
        if name is not None and value is not None:
            out[name] = value
    return out


def _key_data_sources(node: yaml.Node, rep: Reporter
                      ) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """`key_data_sources`: a key-data `source` line of profile.yaml, as written
    there, -> its translation (what `check` compares them with: tree.py)."""
    m = values.mapping(node, rep, "`key_data_sources`")
    if m is None:
        return {}, {}
    if len(m) > MAX_KEY_DATA:
        rep.at(node, f"`key_data_sources` has {len(m):,} entries; the limit is {MAX_KEY_DATA}")
        return {}, {}
    out, at = {}, {}
    for key, (knode, vnode) in m.items():
        name = values.text(knode, rep, "a key-data source")
        value = values.text(vnode, rep, f"the translation of `{values.shorten(key)}`")
        if name is not None and name in at:  # `UN DESA` and `"UN DESA "`: one source
            rep.at(knode, f"`{values.shorten(key)}` is the key-data source "
                   f"`{values.shorten(name)}` again (first given on line {at[name][0]}): "
                   "translate each once")
        elif name is not None and value is not None:
            out[name] = value
            at[name] = rep.position(knode.start_mark)
    return out, at


class _Found:
    """The findings of a file as they are read: their texts for the citations'
    check, their tags by the name ``walk`` gives each entry, and the explicit
    identifiers with where each is written (tags.py)."""

    def __init__(self, rep: Reporter, citing: list[tuple[yaml.Node, str]]):
        self.rep, self.citing = rep, citing
        self.tags: dict[str, tags.Tag] = {}
        self.ids: list[tuple[str, yaml.Node]] = []

    def texts(self, node: yaml.Node, what: str, name: str) -> list[str]:
        out = []
        for i, item in enumerate(tags.finding_items(node, self.rep, what, MAX_FINDINGS), 1):
            if item.text is None:
                continue
            out.append(item.text)
            self.citing.append((item.node, item.text))
            if item.tag is not None and (item.tag.gcm or item.tag.id):
                self.tags[walk.entry(name, i)] = item.tag
                if item.tag.id is not None and item.id_node is not None:
                    self.ids.append((item.tag.id, item.id_node))
        return out


def _areas(node: yaml.Node, rep: Reporter, domain: str, found: _Found) -> list[Area]:
    out = []
    for i, item in enumerate(values.sequence(node, rep, f"`{domain}.areas`", MAX_AREAS), 1):
        what = f"area {i} of `{domain}`"
        m = values.mapping(item, rep, what)
        if m is None:
            continue
        values.check_keys(m, ("title", "findings"), ("title", "findings"), item, rep, what)
        title = values.text(m["title"][1], rep, f"the title of {what}", limit=300) \
            if "title" in m else None
        findings = found.texts(m["findings"][1], f"the findings of {what}",
                               walk.area_name(domain, i, "findings")) if "findings" in m else []
        if title is not None:
            out.append(Area(title, findings))
    return out


def _check_citations(citing: list[tuple[yaml.Node, str]], ids: set[str],
                     rep: Reporter) -> None:
    """Every ``[^id]`` names a source with that id (did-you-mean otherwise, at a
    bounded cost: values.Suggester)."""
    known = sorted(ids)
    listed = "; the sources' ids are: " + ", ".join(known)[:200] if ids else \
        "; no source has an id (give one: `- id: …` with `text: …`)"
    for node, value in citing:
        for start, ident in markup.citations(value):  # as printed: text only
            if ident in ids:
                continue
            close = values.suggest(rep, ident, known)
            hint = f"; did you mean `{close}`?" if close else listed
            line, col = values.char_at(node, rep, value, start + 1)
            rep.add(line, max(1, col - 1),
                    f"the citation `[^{values.shorten(ident)}]` names no source{hint}")

