"""Load and validate content: YAML files into typed objects, every problem located.

Content lives in ``<content>/<country>/profile.yaml`` (language-independent
facts) and ``<content>/<country>/<lang>.yaml`` (one per language). YAML is
composed into nodes first so that every value keeps its line and column;
duplicate keys, wrong types and unknown keys are all reported, never
silently accepted.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

import PIL.Image
import yaml

from .domains import DOMAIN_KEYS
from .errors import ContentError, Problem, UsageError

LANG_RE = re.compile(r"^[a-z]{2}$")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

#: Limits that keep a build bounded in time and memory (documented in README).
MAX_FILE_BYTES = 1_000_000
MAX_TEXT_CHARS = 4_000
MAX_FINDINGS = 100
MAX_SOURCES = 200
MAX_DEPTH = 20  # YAML nesting; content needs 5
MIN_YEAR, MAX_YEAR = 1900, 2100  # `published`

#: Characters no font prints: C0/C1 controls (but tab and newline), surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    _STR: "text", _BOOL: "true/false", _NULL: "nothing (null)",
    "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}


@dataclass
class Findings:
    key: str
    well_developed: list[str]
    potential: list[str]


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
    sources: list[str] = field(default_factory=list)
    source_hash: str | None = None
    draft_at: tuple[int, int] = (1, 1)  # line, column of the `draft` key


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


def findings_hash(lf: LanguageFile) -> str:
    """A short hash of what a translation is made from: the source's text."""
    parts = [lf.country, lf.short_name, lf.introduction or ""]
    for key in DOMAIN_KEYS:
        f = lf.domains[key]
        parts += ["#" + key, *f.well_developed, "|", *f.potential]
    parts += ["#sources", *lf.sources]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- YAML


class _Reporter:
    """Collects problems for one file."""

    def __init__(self, path: Path, shown: str):
        self.path = path
        self.shown = shown
        self.problems: list[Problem] = []

    def at(self, node_or_mark: Any, message: str) -> None:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        line = mark.line + 1 if mark is not None else 1
        col = mark.column + 1 if mark is not None else 1
        self.problems.append(Problem(self.shown, line, col, message))

    def top(self, message: str) -> None:
        self.problems.append(Problem(self.shown, 1, 1, message))


def _decode(raw: bytes, rep: _Reporter) -> str | None:
    if not raw.strip():
        rep.top("the file is empty")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        rep.problems.append(Problem(rep.shown, line, col,
                                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                                    "save the file as UTF-8"))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    for n, ch in enumerate(text):
        if ch == "\x00" or (ord(ch) < 32 and ch not in "\t\n\r"):
            line, col = _position(text, n)
            rep.problems.append(Problem(rep.shown, line, col,
                                        f"control character U+{ord(ch):04X}: "
                                        "this is not a text file"))
            return None
    return text


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses nesting deeper than MAX_DEPTH (PyYAML recurses)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep",
                    problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _position(text: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of an offset (characters in text, bytes in bytes)."""
    nl = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(nl, 0, index) + 1  # type: ignore[arg-type]
    return line, index - (text.rfind(nl, 0, index) + 1) + 1  # type: ignore[arg-type]


def _compose(text: str, rep: _Reporter) -> yaml.Node | None:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}: {what}"
            if exc.context_mark and mark and exc.context_mark.line != mark.line:
                what += f" (the construct began on line {exc.context_mark.line + 1})"
        if "\t" in what or "'\\t'" in what:
            what += " (tabs cannot indent YAML; use spaces)"
        rep.at(mark, f"YAML syntax error: {what}")
        return None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        rep.problems.append(Problem(rep.shown, line, col, f"character U+{exc.character:04X} "
                                    "is not allowed in YAML: this is not a text file"))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        rep.top(f"YAML error: {exc}")
        return None
    if node is None:
        rep.top("the file is empty")
    return node


def read_yaml(path: Path, shown: str, rep: _Reporter | None = None) -> tuple[Any, _Reporter]:
    """Compose a YAML file into nodes; problems go to the reporter."""
    rep = rep or _Reporter(path, shown)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or flood
            rep.top("not a regular file")
            return None, rep
        with path.open("rb") as fh:  # never more than the limit (and a byte to tell)
            raw = fh.read(MAX_FILE_BYTES + 1)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        rep.top(f"cannot read the file: {exc.strerror}")
        return None, rep
    if len(raw) > MAX_FILE_BYTES:
        rep.top(f"the file is {max(size, len(raw)):,} bytes; the limit is {MAX_FILE_BYTES:,}")
        return None, rep
    text = _decode(raw, rep)
    if text is None:
        return None, rep
    return _compose(text, rep), rep


# ------------------------------------------------------------------- validation


def _type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.startswith("!"):
        return f"a value tagged `{node.tag}`"
    return _TYPE_NAMES.get(node.tag, f"a value tagged `{node.tag}`")


def _mapping(node: Any, rep: _Reporter, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Mapping node -> {key: (key_node, value_node)}, reporting duplicates."""
    if not isinstance(node, yaml.MappingNode):
        rep.at(node, f"{what} must be a mapping of keys to values, not {_type_name(node)}")
        return None
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            rep.at(knode, "a key must be a plain word")
            continue
        key = knode.value
        if key in out:
            first = out[key][0].start_mark.line + 1
            rep.at(knode, f"duplicate key `{key}` (first given on line {first})")
            continue
        out[key] = (knode, vnode)
    return out


def _check_keys(m: dict[str, tuple[yaml.Node, yaml.Node]], allowed: tuple[str, ...],
                required: tuple[str, ...], node: yaml.Node, rep: _Reporter, where: str) -> None:
    missing = [k for k in required if k not in m]
    for key, (knode, _v) in m.items():
        if key not in allowed:
            close = (difflib.get_close_matches(key, allowed, n=1, cutoff=0.6) or
                     difflib.get_close_matches(key, missing, n=1, cutoff=0.4))
            hint = f"; did you mean `{close[0]}`?" if close else \
                f"; expected one of: {', '.join(allowed)}"
            rep.at(knode, f"unknown key `{key}` in {where}{hint}")
    for key in required:
        if key not in m:
            rep.at(node, f"missing key `{key}` in {where}")


def _text(node: yaml.Node, rep: _Reporter, what: str, *, empty_ok: bool = False,
          limit: int = MAX_TEXT_CHARS) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        rep.at(node, f"{what} must be text, not {_type_name(node)}")
        return None
    value = node.value.strip()
    if not value and not empty_ok:
        rep.at(node, f"{what} is empty")
        return None
    if len(value) > limit:
        rep.at(node, f"{what} is {len(value):,} characters long; the limit is {limit:,}")
        return None
    if bad := _UNPRINTABLE.search(value):
        rep.at(node, f"{what} contains the character U+{ord(bad[0]):04X}, which cannot be "
               "printed (a control character or a lone surrogate, from a YAML escape?)")
        return None
    return value


def _text_list(node: yaml.Node, rep: _Reporter, what: str, limit: int) -> list[str]:
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return []
    if not isinstance(node, yaml.SequenceNode):
        rep.at(node, f"{what} must be a list, not {_type_name(node)}")
        return []
    if len(node.value) > limit:
        rep.at(node, f"{what} has {len(node.value):,} entries; the limit is {limit:,}")
        return []
    out = []
    for i, item in enumerate(node.value, 1):
        value = _text(item, rep, f"entry {i} of {what}")
        if value is not None:
            out.append(value)
    return out


def _lang_code(node: yaml.Node, rep: _Reporter, what: str) -> str | None:
    value = _text(node, rep, what)
    if value is not None and not LANG_RE.match(value):
        rep.at(node, f"{what} must be a two-letter ISO 639-1 code like `en`, not `{value}`")
        return None
    return value


PROFILE_KEYS = ("iso3", "published", "source_language", "logo", "publisher")
PROFILE_REQUIRED = ("iso3", "published", "source_language")
LANG_KEYS = ("country", "short_name", "translation_of", "draft", "introduction",
             "domains", "sources", "source_hash")
LANG_REQUIRED = ("country", "short_name", "domains")
FINDINGS_KEYS = ("well_developed", "potential")


_OUTSIDE_REF = re.compile(  # href="…", url(…), @import "…" other than #id or data:
    r"""(?:href\s*=\s*["']|url\(\s*["']?|@import\s*["']?)\s*(?!#|data:)([^"')\s>]*)""",
    re.IGNORECASE)


def _logo_problem(path: Path) -> str | None:
    """Why a logo file cannot be printed as it is, or None: too big, not an image,
    or an SVG that refers to anything but itself (it would be refused)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
    data = path.read_bytes()
    if path.suffix.lower() == ".png":
        try:
            with PIL.Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                image.verify()
        except Exception as exc:  # Pillow raises many kinds
            return f"not a PNG image ({type(exc).__name__})"
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


def _parse_profile(node: Any, rep: _Reporter, slug: str, path: Path,
                   languages: tuple[str, ...]) -> Profile | None:
    m = _mapping(node, rep, "profile.yaml")
    if m is None:
        return None
    _check_keys(m, PROFILE_KEYS, PROFILE_REQUIRED, node, rep, "profile.yaml")
    before = len(rep.problems)
    iso3 = None
    if "iso3" in m:
        iso3 = _text(m["iso3"][1], rep, "`iso3`")
        if iso3 is not None and not ISO3_RE.match(iso3):
            rep.at(m["iso3"][1], f"`iso3` must be three capital letters like `KAZ`, not `{iso3}`")
    published = None
    if "published" in m:
        vnode = m["published"][1]
        raw = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) else None
        match = MONTH_RE.match(raw or "")
        if not match or not 1 <= int(match[2]) <= 12 or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
            shown = f"`{raw}`" if raw else "empty text" if vnode.tag == _STR else \
                _type_name(vnode)
            rep.at(vnode, f"`published` must be a year ({MIN_YEAR}-{MAX_YEAR}) and month "
                   f"like `2018-05`, not {shown}")
        else:
            published = date(int(match[1]), int(match[2]), 1)
    source = None
    if "source_language" in m:
        vnode = m["source_language"][1]
        source = _lang_code(vnode, rep, "`source_language`")
        if source is not None and source not in languages:
            rep.at(vnode, f"`source_language` is `{source}` but there is no {source}.yaml"
                   f" (languages here: {', '.join(languages) or 'none'})")
    logo = None
    if "logo" in m:
        vnode = m["logo"][1]
        name = _text(vnode, rep, "`logo`")
        if name is not None:
            candidate = (path.parent / name)
            root = path.parent.resolve()
            if not candidate.resolve().is_relative_to(root) or not candidate.is_file():
                rep.at(vnode, f"`logo` must name a file inside {path.parent.name}/, "
                       f"and `{name}` is not one")
            elif candidate.suffix.lower() not in (".svg", ".png"):
                rep.at(vnode, "`logo` must be an .svg or .png file")
            elif problem := _logo_problem(candidate):
                rep.at(vnode, f"`logo` {name}: {problem}")
            else:
                logo = candidate.resolve()
    publisher = _text(m["publisher"][1], rep, "`publisher`") if "publisher" in m else None
    if len(rep.problems) > before or iso3 is None or published is None or source is None:
        return None
    return Profile(slug, path, iso3, published, source, languages, logo, publisher)


def _parse_language(node: Any, rep: _Reporter, lang: str, path: Path,
                    languages: tuple[str, ...], source: str | None = None
                    ) -> LanguageFile | None:
    where = f"{lang}.yaml"
    m = _mapping(node, rep, where)
    if m is None:
        return None
    before = len(rep.problems)
    _check_keys(m, LANG_KEYS, LANG_REQUIRED, node, rep, where)
    get: Callable[[str], yaml.Node | None] = lambda k: m[k][1] if k in m else None  # noqa: E731
    country = _text(get("country"), rep, "`country`") if "country" in m else None
    short = _text(get("short_name"), rep, "`short_name`") if "short_name" in m else None
    translation_of = None
    if (vnode := get("translation_of")) is not None:
        translation_of = _lang_code(vnode, rep, "`translation_of`")
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
        draft_at = (m["draft"][0].start_mark.line + 1, m["draft"][0].start_mark.column + 1)
        if not isinstance(vnode, yaml.ScalarNode) or vnode.tag != _BOOL:
            rep.at(vnode, f"`draft` must be true or false, not {_type_name(vnode)}")
        else:
            draft = vnode.value.lower() in ("true", "yes", "on")
    intro = None
    if (vnode := get("introduction")) is not None:
        intro = _text(vnode, rep, "`introduction`", limit=4 * MAX_TEXT_CHARS)
    sources: list[str] = []
    if (vnode := get("sources")) is not None:
        sources = _text_list(vnode, rep, "`sources`", MAX_SOURCES)
    source_hash = None
    if (vnode := get("source_hash")) is not None:
        source_hash = _text(vnode, rep, "`source_hash`")
    domains: dict[str, Findings] = {}
    if (dnode := get("domains")) is not None:
        dm = _mapping(dnode, rep, "`domains`")
        if dm is not None:
            _check_keys(dm, DOMAIN_KEYS, DOMAIN_KEYS, dnode, rep, "`domains`")
            for key in DOMAIN_KEYS:
                if key not in dm:
                    continue
                fnode = dm[key][1]
                fm = _mapping(fnode, rep, f"domain `{key}`")
                if fm is None:
                    continue
                _check_keys(fm, FINDINGS_KEYS, FINDINGS_KEYS, fnode, rep, f"domain `{key}`")
                lists = {k: _text_list(fm[k][1], rep, f"`{key}.{k}`", MAX_FINDINGS)
                         for k in FINDINGS_KEYS if k in fm}
                domains[key] = Findings(key, lists.get("well_developed", []),
                                        lists.get("potential", []))
    if len(rep.problems) > before or country is None or short is None:
        return None
    return LanguageFile(lang, path, country, short, domains, translation_of, draft,
                        intro, sources, source_hash, draft_at)


# ------------------------------------------------------------------- the tree


def shown_path(path: Path) -> str:
    """A path as a message shows it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class Country:
    """A country folder: its slug and which language files it holds."""

    slug: str
    folder: Path
    languages: tuple[str, ...]


def countries(content: Path) -> dict[str, Country]:
    """The country folders of a content tree, by slug."""
    out = {}
    if not content.is_dir():
        return out
    for folder in sorted(content.iterdir()):
        if folder.is_dir() and (folder / "profile.yaml").exists():
            langs = tuple(sorted(p.stem for p in folder.glob("*.yaml")
                                 if LANG_RE.match(p.stem)))
            out[folder.name] = Country(folder.name, folder, langs)
    return out


def _inside(path: Path, root: Path, rep: _Reporter) -> bool:
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
        raise UsageError(f"no country `{slug}` in {shown_path(content)} (countries: {known})")
    country = tree[slug]
    problems: list[Problem] = []
    ppath = country.folder / "profile.yaml"
    rep = _Reporter(ppath, shown_path(ppath))
    profile = None
    if _inside(ppath, content, rep):
        node, rep = read_yaml(ppath, rep.shown, rep)
        if node is not None:
            profile = _parse_profile(node, rep, slug, ppath, country.languages)
    problems += rep.problems
    files: dict[str, LanguageFile] = {}
    for lang in langs if langs is not None else country.languages:
        path = country.folder / f"{lang}.yaml"
        rep = _Reporter(path, shown_path(path))
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


def check_tree(content: Path) -> list[Problem]:
    """Validate every file of every country; return all problems."""
    problems: list[Problem] = []
    tree = countries(content)
    if not tree:
        return [Problem(shown_path(content), 1, 1, "no country folders with a profile.yaml here")]
    for slug in tree:
        try:
            load_country(content, slug)
        except ContentError as exc:
            problems += exc.problems
    return sorted(problems)
