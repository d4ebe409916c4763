"""The content tree: its country folders, each country's files read and
validated once (each file parsed by ``parse``), and what ``check`` finds in it.

Content lives in ``<content>/<country>/profile.yaml`` (language-independent
facts) and ``<content>/<country>/<lang>.yaml`` (one per language). A build
reads the files it is made from once (``load``); ``check`` reads every file of
every country once (``read_tree``) and passes the models on, to the stale
translations and the translation review.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ContentError, Problem, UsageError
from . import series
from . import publication
from .domains import DOMAIN_KEYS
from .model import LanguageFile, Profile
from .parse import parse_language, parse_profile
from .values import LANG_RE
from .yamlsource import Reporter, read_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")  # \Z: "x\n" is no slug


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
    """A country's profile and language files, read without a problem."""

    profile: Profile
    files: dict[str, LanguageFile]


def find(content: Path, slug: str) -> Country:
    """The country ``slug`` of the tree; a UsageError (with a did-you-mean) if
    there is none."""
    tree = countries(content)
    if slug not in tree:
        known = ", ".join(tree) or "none"
        close = difflib.get_close_matches(slug.lower(), list(tree), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        raise UsageError(f"no country `{escaped(slug)}` in {shown_path(content)} "
                         f"(countries: {known}){hint}")
    return tree[slug]


@dataclass
class Read:
    """A country's files as read: each file's model (None where it has
    problems) and its problems."""

    profile: Profile | None
    problems: list[Problem]  # profile.yaml's
    files: dict[str, LanguageFile] = field(default_factory=dict)
    file_problems: dict[str, list[Problem]] = field(default_factory=dict)

    def loaded(self, langs: tuple[str, ...] | None = None) -> Loaded:
        """The profile and the files of ``langs`` (default: all read); raises
        ContentError with every problem of those files (profile.yaml's first)."""
        langs = tuple(self.file_problems) if langs is None else langs
        problems = self.problems + [p for lang in langs for p in self.file_problems[lang]]
        if problems or self.profile is None:
            raise ContentError(problems)
        return Loaded(self.profile, {lang: self.files[lang] for lang in langs
                                     if lang in self.files})


def read_country(content: Path, country: Country,
                 langs: tuple[str, ...] | None = None) -> Read:
    """Read and validate a country's profile and language files (``langs``:
    those languages; default: all), each file once."""
    ppath = country.folder / "profile.yaml"
    rep = Reporter(ppath, shown_path(ppath))
    profile = None
    if _inside(ppath, content, rep):
        node, rep = read_yaml(ppath, rep.shown, rep)
        if node is not None:
            shared = publication.read_series(content, shown_path)  # publisher.yaml
            profile = parse_profile(node, rep, country.slug, ppath, country.languages, shared)
            rep.problems[:0] = shared.problems
    read = Read(profile, rep.problems)
    said = rep.memo.get(series.MEMO)  # its kind and chapters, also with problems
    for lang in langs if langs is not None else country.languages:
        lf, read.file_problems[lang] = _read_language(content, country, lang, profile, said)
        if lf is not None:
            read.files[lang] = lf
    return read


def _read_language(content: Path, country: Country, lang: str, profile: Profile | None,
                   said: tuple | None = None) -> tuple[LanguageFile | None, list[Problem]]:
    path = country.folder / f"{lang}.yaml"
    rep = Reporter(path, shown_path(path))
    lf = None
    if _inside(path, content, rep):
        node, rep = read_yaml(path, rep.shown, rep)
        if node is not None:
            lf = parse_language(node, rep, lang, path, country.languages,
                                profile.source_language if profile else None)
    if profile is not None:  # what it lacks, given profile.yaml (series.py)
        said = (profile.kind, {c.id for c in profile.chapters})
    if lf is not None and said is not None and \
            (more := series.cross_check(*said, lf, rep.shown)):
        return None, sorted(rep.problems + more)
    return lf, rep.problems


def load_country(content: Path, slug: str, langs: tuple[str, ...] | None = None) -> Loaded:
    """Read and validate a country's profile and language files.

    ``langs``: the languages to load (default: all). Raises ContentError with
    every problem in every file read.
    """
    return read_country(content, find(content, slug), langs).loaded(langs)


def load_language(content: Path, profile: Profile, lang: str) -> LanguageFile:
    """One more language file of a country whose profile was read (``load``):
    read and validated; raises ContentError with its problems."""
    folder = profile.path.parent
    country = Country(folder.name, folder, profile.languages)
    lf, problems = _read_language(content, country, lang, profile)
    if problems or lf is None:
        raise ContentError(problems)
    return lf


def translations(loaded: Mapping[str, Loaded]
                 ) -> Iterator[tuple[str, LanguageFile, LanguageFile]]:
    """(country, translation, its source) for every translation of the
    countries read without errors (``read_tree``)."""
    for slug, country in loaded.items():
        for lf in country.files.values():
            if lf.translation_of and lf.translation_of in country.files:
                yield slug, lf, country.files[lf.translation_of]


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
        lf = parse_language(node, rep, lang, path, languages)
    if problems is not None:
        problems += rep.problems
    return lf



@dataclass
class Tree:
    """A content tree, every file read and validated once (``read_tree``)."""

    countries: dict[str, Country]
    problems: list[Problem]  # sorted
    warnings: list[Problem]  # valid, not finished (``empty_domains``)
    loaded: dict[str, Loaded]  # the countries read without errors


def read_tree(content: Path) -> Tree:
    """Read and validate every file of every country, once."""
    problems: list[Problem] = []
    for folder, why in _folders(content) if content.is_dir() else ():
        if why is not None:
            _SKIPPED.add(folder)  # reported here: no warning besides
            problems.append(Problem(shown_path(folder / "profile.yaml"), 1, 1,
                                    f"not a country folder: {why}; rename the folder "
                                    "(lower-case letters, digits and hyphens, like `sri-lanka`)"))
    tree = countries(content)
    if not tree:
        return Tree(tree, problems + [Problem(shown_path(content), 1, 1,
                                              "no country folders with a profile.yaml here")],
                    [], {})
    warnings: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    for slug, country in tree.items():
        try:
            loaded[slug] = read_country(content, country).loaded()
        except ContentError as exc:
            problems += exc.problems
            continue
        for lf in loaded[slug].files.values():
            warnings += empty_domains(lf)
    return Tree(tree, sorted(set(problems)), warnings, loaded)  # publisher.yaml's: once


def check_tree(content: Path, warnings: list[Problem] | None = None) -> list[Problem]:
    """Validate every file of every country; return all problems. ``warnings``,
    if given, gets what is valid but not finished (``empty_domains``)."""
    tree = read_tree(content)
    if warnings is not None:
        warnings += tree.warnings
    return tree.problems
