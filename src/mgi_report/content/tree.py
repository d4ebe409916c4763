"""Load and validate content: YAML files into typed objects, every problem located.

Content lives in ``<content>/<country>/profile.yaml`` (language-independent
facts) and ``<content>/<country>/<lang>.yaml`` (one per language). YAML is
composed into nodes first so that every value keeps its line and column;
duplicate keys, wrong types and unknown keys are all reported, never
silently accepted.
"""

from __future__ import annotations

import difflib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

import PIL.Image
import PIL.ImageFile
import yaml

from ..errors import ContentError, Problem, UsageError
from ..files import reads
from ..text import markup
from . import facts, values
from .domains import DOMAIN_KEYS
from .facts import Publication, parse_key_data, parse_publication
from .model import Area, Findings, LanguageFile, Profile, Source
from .values import BOOL as _BOOL
from .values import LANG_RE, MAX_TEXT_CHARS
from .values import STR as _STR
from .yamlsource import MAX_FILE_BYTES, Reporter, read_yaml

ISO3_RE = re.compile(r"^[A-Z]{3}\Z")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})\Z")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")  # \Z: "x\n" is no slug

#: Limits that keep a build bounded in time and memory (documented in README;
#: the file's own, MAX_FILE_BYTES and MAX_DEPTH, are in yamlsource; a text's,
#: MAX_TEXT_CHARS, in values).
MAX_FINDINGS = 100
MAX_SOURCES = 200
MIN_YEAR, MAX_YEAR = 1900, 2100  # `published`
MAX_IMAGE_PIXELS = 25_000_000  # a logo (an A4 page at 300 dpi is 8.7 million)

PROFILE_KEYS = ("iso3", "published", "source_language", "logo", "publisher", "publication",
                "key_data")
PROFILE_REQUIRED = ("iso3", "published", "source_language")
LANG_KEYS = ("country", "short_name", "translation_of", "draft", "introduction",
             "context", "domains", "sources", "acronyms", "names", "source_hash")
LANG_REQUIRED = ("country", "short_name", "domains")
FINDINGS_KEYS = ("well_developed", "potential")
DOMAIN_PART_KEYS = (*FINDINGS_KEYS, "areas")
ID_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z")
MAX_AREAS = 30
MAX_ACRONYMS = 200
MAX_NAMES = 200


_OUTSIDE_REF = re.compile(  # href="…", url(…), @import "…" other than #id or data:
    r"""(?:href\s*=\s*["']|url\(\s*["']?|@import\s*["']?)\s*(?!#|data:)([^"')\s>]*)""",
    re.IGNORECASE)


def _logo_problem(path: Path) -> str | None:
    """Why a logo file cannot be printed as it is, or None: too big, not an image,
    or an SVG that refers to anything but itself (it would be refused)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
    data = reads.read(path, MAX_FILE_BYTES)
    if path.suffix.lower() == ".png":
        try:
            with warnings.catch_warnings():  # the size is checked here, below
                warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
                image = PIL.Image.open(io.BytesIO(data), formats=["PNG"])
            with image:
                width, height = image.size  # from the header: nothing decoded yet
                if width * height > MAX_IMAGE_PIXELS:
                    return (f"the image is {width:,} x {height:,} pixels; the limit is "
                            f"{MAX_IMAGE_PIXELS:,} pixels")
                # Every row: a truncated or corrupt file fails here (WeasyPrint's
                # import tells Pillow to fill in missing rows, so this says otherwise).
                lenient, PIL.ImageFile.LOAD_TRUNCATED_IMAGES = \
                    PIL.ImageFile.LOAD_TRUNCATED_IMAGES, False
                try:
                    image.load()
                finally:
                    PIL.ImageFile.LOAD_TRUNCATED_IMAGES = lenient
        except PIL.UnidentifiedImageError:
            return "not a PNG image"
        except Exception as exc:  # Pillow raises many kinds
            detail = str(exc).split("\n")[0][:80]
            return f"not a PNG image, or not a complete one ({type(exc).__name__}: {detail})"
        return None
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"not an SVG image ({exc})"
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return "not an SVG image (its root element is not <svg>)"
    if ref := _OUTSIDE_REF.search(data.decode("utf-8", "replace")):
        return f"refers to `{ref[1] or ref[0]}`; a logo must not refer to other files or URLs"
    return None


def _drawing_problem(path: Path) -> str | None:
    """Why the renderer could not draw a logo that passed the checks above."""
    from ..engine.images import image_problem

    mime = "image/png" if path.suffix.lower() == ".png" else "image/svg+xml"
    return image_problem(reads.read(path, MAX_FILE_BYTES), mime)


def _parse_profile(node: Any, rep: Reporter, slug: str, path: Path,
                   languages: tuple[str, ...]) -> Profile | None:
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
        vnode = m["logo"][1]
        name = values.text(vnode, rep, "`logo`")
        if name is not None:
            candidate = (path.parent / name)
            root = path.parent.resolve()
            if not candidate.resolve().is_relative_to(root) or not candidate.is_file():
                rep.at(vnode, f"`logo` must name a file inside {path.parent.name}/, "
                       f"and `{name}` is not one")
            elif candidate.suffix.lower() not in (".svg", ".png"):
                rep.at(vnode, "`logo` must be an .svg or .png file")
            elif problem := _logo_problem(candidate) or _drawing_problem(candidate):
                rep.at(vnode, f"`logo` {name}: {problem}")
            else:
                logo = candidate.resolve()
    publisher = None
    if "publisher" in m:
        publisher = values.text(m["publisher"][1], rep, "`publisher`")
        if publisher is not None and not values.fits(m["publisher"][1], rep, publisher,
                                                     "`publisher`", values.IMPRINT_FACT):
            publisher = None
    publication = parse_publication(m["publication"][1], rep) if "publication" in m \
        else Publication()
    key_data = parse_key_data(m["key_data"][1], rep) if "key_data" in m else []
    if len(rep.problems) > before or iso3 is None or published is None or source is None:
        return None
    return Profile(slug, path, iso3, published, source, languages, logo, publisher,
                   publication or Publication(), key_data)


def _parse_language(node: Any, rep: Reporter, lang: str, path: Path,
                    languages: tuple[str, ...], source: str | None = None
                    ) -> LanguageFile | None:
    where = f"{lang}.yaml"
    m = values.mapping(node, rep, where)
    if m is None:
        return None
    before = len(rep.problems)
    values.check_keys(m, LANG_KEYS, LANG_REQUIRED, node, rep, where)
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
        citing.append((vnode, intro or ""))
    context = None
    if (vnode := get("context")) is not None:
        context = values.text(vnode, rep, "`context`", limit=4 * MAX_TEXT_CHARS, markup=True)
        citing.append((vnode, context or ""))
    sources: list[Source] = []
    if (vnode := get("sources")) is not None:
        sources = _sources(vnode, rep)
    acronyms: dict[str, str] = {}
    if (vnode := get("acronyms")) is not None:
        acronyms = _acronyms(vnode, rep)
    names: list[str] = []
    if (vnode := get("names")) is not None:  # proper names, never hyphenated
        names = values.text_list(vnode, rep, "`names`", MAX_NAMES, markup=False)
    source_hash = None
    if (vnode := get("source_hash")) is not None:
        source_hash = values.text(vnode, rep, "`source_hash`")
    domains: dict[str, Findings] = {}
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
                        lists[k] = values.text_list(fm[k][1], rep, f"`{key}.{k}`", MAX_FINDINGS)
                        citing += zip(values.items(fm[k][1]), lists[k])
                areas = _areas(fm["areas"][1], rep, key, citing) if "areas" in fm else []
                domains[key] = Findings(key, lists.get("well_developed"),
                                        lists.get("potential"), areas,
                                        rep.position(dm[key][0].start_mark))
    _check_citations(citing, {s.id for s in sources if s.id}, rep)
    if len(rep.problems) > before or country is None or short is None:
        return None
    return LanguageFile(lang, path, country, short, domains, translation_of, draft,
                        intro, sources, source_hash, draft_at, context, acronyms, names)


def _sources(node: yaml.Node, rep: Reporter) -> list[Source]:
    """Key sources: a text, or {id, text} to be cited as ``[^id]``."""
    out: list[Source] = []
    seen: dict[str, int] = {}
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
        values.check_keys(m, ("id", "text"), ("id", "text"), item, rep, what)
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
        if value is not None and not _cites(value, item, rep, what) and ident is not None:
            out.append(Source(value, ident))
    return out


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


def _areas(node: yaml.Node, rep: Reporter, domain: str,
           citing: list[tuple[yaml.Node, str]]) -> list[Area]:
    out = []
    for i, item in enumerate(values.sequence(node, rep, f"`{domain}.areas`", MAX_AREAS), 1):
        what = f"area {i} of `{domain}`"
        m = values.mapping(item, rep, what)
        if m is None:
            continue
        values.check_keys(m, ("title", "findings"), ("title", "findings"), item, rep, what)
        title = values.text(m["title"][1], rep, f"the title of {what}", limit=300) \
            if "title" in m else None
        findings = values.text_list(m["findings"][1], rep, f"the findings of {what}",
                                    MAX_FINDINGS) if "findings" in m else []
        if "findings" in m:
            citing += zip(values.items(m["findings"][1]), findings)
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


# ------------------------------------------------------------------- the tree


def empty_domains(lf: LanguageFile) -> list[Problem]:
    """A domain with no finding at all, located at its key; and the whole
    profile named first when all six are empty. An empty domain is not a
    finished profile: ``check`` and ``build`` warn, the print edition refuses."""
    empty = [key for key in DOMAIN_KEYS if lf.domains[key].empty]
    shown = shown_path(lf.path)
    out = [Problem(shown, *lf.domains[key].at, f"domain `{key}` has no finding: neither "
                   "`well_developed`, `potential` nor an area holds one") for key in empty]
    if len(empty) == len(DOMAIN_KEYS):
        out.insert(0, Problem(shown, 1, 1, f"the profile of {lf.short_name} in `{lf.lang}` "
                              "has no finding at all: all six domains are empty"))
    return out


def shown_path(path: Path) -> str:
    """A path as a message shows it: relative to the working folder when inside it."""
    try:
        return escaped(str(path.relative_to(Path.cwd())))
    except ValueError:
        return escaped(str(path))


def escaped(name: str) -> str:
    """A name from outside (a folder's, an argument) as a message shows it: every
    character that is not printable (a line feed, a control, a bidi or other
    invisible format character, a separator) as its escape, ``\\n``, ``\\u202e``."""
    if name.isprintable() and "\\" not in name:
        return name
    return "".join(ch if ch.isprintable() and ch != "\\" else
                   ch.encode("unicode_escape").decode("ascii") for ch in name)


def folder_problem(name: str) -> str | None:
    """Why a folder of the content tree cannot be a country's, or None: a name
    with a character that would not print as it is (a line feed, a control or
    bidi character), or a hidden one (a leading dot)."""
    if name.startswith("."):
        return "a hidden folder (its name starts with a dot)"
    if not name.isprintable() or name != name.strip():
        return ("its name holds a character that does not print as it is (a line feed, a "
                "control or bidi character, a space at an end)")
    return None


_SKIPPED: set[Path] = set()  # folders warned about once (see countries)


@dataclass
class Country:
    """A country folder: its slug and which language files it holds."""

    slug: str
    folder: Path
    languages: tuple[str, ...]


def countries(content: Path) -> dict[str, Country]:
    """The country folders of a content tree, by slug. A folder whose name is
    not a country's (folder_problem) is left out, with a warning (once): `check`
    reports it as an error (check_tree)."""
    out = {}
    if not content.is_dir():
        return out
    for folder, why in _folders(content):
        if why is not None:
            if folder not in _SKIPPED:
                _SKIPPED.add(folder)
                logging.getLogger("mgi_report").warning(
                    "skipped %s: %s; rename the folder (like `sri-lanka`)",
                    shown_path(folder), why)
            continue
        langs = tuple(sorted(p.stem for p in folder.glob("*.yaml")
                             if LANG_RE.match(p.stem)))
        out[folder.name] = Country(folder.name, folder, langs)
    return out


def _folders(content: Path) -> list[tuple[Path, str | None]]:
    """The folders of a content tree that hold a profile.yaml, each with why it
    cannot be a country's (or None)."""
    return [(folder, folder_problem(folder.name)) for folder in sorted(content.iterdir())
            if folder.is_dir() and (folder / "profile.yaml").exists()]


def _inside(path: Path, root: Path, rep: Reporter) -> bool:
    if not path.resolve().is_relative_to(root.resolve()):
        rep.top(f"the file is a link to {path.resolve()}, outside the content tree")
        return False
    return True


@dataclass
class Loaded:
    profile: Profile
    files: dict[str, LanguageFile]


def load_country(content: Path, slug: str, langs: tuple[str, ...] | None = None) -> Loaded:
    """Read and validate a country's profile and language files.

    ``langs``: the languages to load (default: all). Raises ContentError with
    every problem in every file read.
    """
    tree = countries(content)
    if slug not in tree:
        known = ", ".join(tree) or "none"
        close = difflib.get_close_matches(slug.lower(), list(tree), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise UsageError(f"no country `{escaped(slug)}` in {shown_path(content)} "
                         f"(countries: {known}){hint}")
    country = tree[slug]
    problems: list[Problem] = []
    ppath = country.folder / "profile.yaml"
    rep = Reporter(ppath, shown_path(ppath))
    profile = None
    if _inside(ppath, content, rep):
        node, rep = read_yaml(ppath, rep.shown, rep)
        if node is not None:
            profile = _parse_profile(node, rep, slug, ppath, country.languages)
    problems += rep.problems
    files: dict[str, LanguageFile] = {}
    for lang in langs if langs is not None else country.languages:
        path = country.folder / f"{lang}.yaml"
        rep = Reporter(path, shown_path(path))
        if _inside(path, content, rep):
            node, rep = read_yaml(path, rep.shown, rep)
            if node is not None:
                lf = _parse_language(node, rep, lang, path, country.languages,
                                     profile.source_language if profile else None)
                if lf is not None:
                    files[lang] = lf
        problems += rep.problems
    if problems or profile is None:
        raise ContentError(problems)
    return Loaded(profile, files)


def translations(content: Path) -> Iterator[tuple[str, LanguageFile, LanguageFile]]:
    """(country, translation, its source) for every translation whose country
    and source read without errors (the errors are validation's to report)."""
    for slug in countries(content):
        try:
            loaded = load_country(content, slug)
        except ContentError:
            continue
        for lf in loaded.files.values():
            if lf.translation_of and lf.translation_of in loaded.files:
                yield slug, lf, loaded.files[lf.translation_of]


def read_language(path: Path, lang: str, shown: str | None = None,
                  problems: list[Problem] | None = None) -> LanguageFile | None:
    """A language file read on its own (a copy kept by ``stamp``, a version from
    git): its findings, whether it was a source or a translation then (what it
    says of other files, ``translation_of``, is not checked against the tree);
    None if it does not parse, and then its problems, located under ``shown``,
    go to ``problems``."""
    rep = Reporter(path, shown or shown_path(path))
    node, rep = read_yaml(path, rep.shown, rep)
    lf = None
    if node is not None:
        named = node.value if isinstance(node, yaml.MappingNode) else []
        languages = (lang, *(v.value for k, v in named if isinstance(k, yaml.ScalarNode)
                             and k.value == "translation_of"
                             and isinstance(v, yaml.ScalarNode)))
        lf = _parse_language(node, rep, lang, path, languages)
    if problems is not None:
        problems += rep.problems
    return lf


def check_tree(content: Path, warnings: list[Problem] | None = None) -> list[Problem]:
    """Validate every file of every country; return all problems. ``warnings``,
    if given, gets what is valid but not finished (``empty_domains``)."""
    problems: list[Problem] = []
    for folder, why in _folders(content) if content.is_dir() else ():
        if why is not None:
            _SKIPPED.add(folder)  # reported here: no warning besides
            problems.append(Problem(shown_path(folder / "profile.yaml"), 1, 1,
                                    f"not a country folder: {why}; rename the folder "
                                    "(lower-case letters, digits and hyphens, like `sri-lanka`)"))
    tree = countries(content)
    if not tree:
        return problems + [Problem(shown_path(content), 1, 1,
                                   "no country folders with a profile.yaml here")]
    for slug in tree:
        try:
            loaded = load_country(content, slug)
        except ContentError as exc:
            problems += exc.problems
            continue
        if warnings is not None:
            for lf in loaded.files.values():
                warnings += empty_domains(lf)
    return sorted(problems)
