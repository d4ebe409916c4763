"""The publication's facts that a profile may differ in: funders, the research
partner (and its liability disclaimer), the methodology, the cover photograph
and its credit, and the publisher's block (name, address, telephone, e-mail,
website).

Facts shared by a whole series live once in ``<content root>/publisher.yaml``
(``read_series``); ``profile.yaml`` overrides them key by key, and inside
``publisher`` and ``methodology`` sub-key by sub-key (``parse_facts``). Every
bad value is a located error in the file that holds it, all in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import values
from .yamlsource import Reporter, read_yaml

N_ = str  # marks a catalog string

SERIES_FILE = "publisher.yaml"
#: The fact keys of profile.yaml; publisher.yaml may hold all but the photo.
FACT_KEYS = ("funders", "research_partner", "methodology", "cover_photo", "publisher")
SERIES_KEYS = ("funders", "research_partner", "methodology", "publisher")
PUBLISHER_KEYS = ("name", "address", "telephone", "email", "website")
PARTNER_KEYS = ("name", "disclaimer")
METHODOLOGY_KEYS = ("version", "indicators")
PHOTO_KEYS = ("file", "credit")
MAX_FUNDERS = 10
MAX_ADDRESS_LINES = 4
MAX_INDICATORS = 1000
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")

#: Names the catalogs translate (a language file's `fact_names` may too).
KNOWN_NAMES = (N_("the Government of Sweden"), N_("the Economist Intelligence Unit"),
               N_("Economist Impact"),
               # IOM's address (content/publisher.yaml), as IOM writes it in each language
               N_("P.O. Box 17"), N_("1211 Geneva 19"), N_("Switzerland"))

_MM_PER_PT = 25.4 / 72
#: The imprint is a page of fixed size (values.Box): its facts must fit their
#: room there in every language, or a line would be lost (tested with the
#: widest characters the fonts have, tests/test_hostile_check.py). The partner
#: and the funders share the first paragraph's room (8 pt across 170 mm); a
#: disclaimer of the content's own has three lines; each line of the
#: publisher's block (address, telephone, e-mail, website) one, after its label.
NAMES_BOX = values.Box("the imprint's first paragraph", 170 / (8 * _MM_PER_PT), 2)
DISCLAIMER_BOX = values.Box("the imprint", 170 / (8 * _MM_PER_PT), 2)
BLOCK_LINE = values.Box("the publisher's block", (170 - 32 - 30) / (8 * _MM_PER_PT), 1)

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z")
WEBSITE_RE = re.compile(r"^(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:/[^\s]*)?\Z")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,30}\Z")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.-]{0,19}\Z")


@dataclass
class Publisher:
    """The publisher's block (``publisher``)."""

    name: str | None = None
    address: list[str] = field(default_factory=list)
    telephone: str | None = None
    email: str | None = None
    website: str | None = None


@dataclass
class Partner:
    """The research partner; ``disclaimer``: the catalog's liability disclaimer
    (True), one of the content's own (text), or none (False)."""

    name: str
    disclaimer: bool | str = False


@dataclass
class Methodology:
    version: str | None = None
    indicators: int | None = None


@dataclass
class CoverPhoto:
    file: Path
    credit: str


@dataclass
class Facts:
    """What the imprint and cover print of a profile's own facts."""

    funders: list[str] = field(default_factory=list)
    research_partner: Partner | None = None
    methodology: Methodology | None = None
    cover_photo: CoverPhoto | None = None
    publisher: Publisher = field(default_factory=Publisher)
    series_file: Path | None = None  # the publisher.yaml read with it (the archive embeds it)


# --------------------------------------------------------------- reading values

#: One file's facts, parsed: key -> value; `publisher`, `methodology`: sub-key
#: -> value. ``keys``: where each key stands (for a missing sub-key's error).
Parsed = dict[str, Any]


@dataclass
class Series:
    """publisher.yaml, read and checked once per content tree."""

    facts: Parsed = field(default_factory=dict)
    problems: list = field(default_factory=list)
    path: Path | None = None


def read_series(content: Path, shown=str) -> Series:
    """``<content>/publisher.yaml`` if there is one: its facts and problems
    (located under ``shown(path)``)."""
    path = content / SERIES_FILE
    if not path.is_file():
        return Series()
    node, rep = read_yaml(path, shown(path))
    series = Series(path=path)
    if node is not None:
        m = values.mapping(node, rep, SERIES_FILE)
        if m is not None:
            values.check_keys(m, SERIES_KEYS, (), node, rep, SERIES_FILE)
            series.facts = parse_facts(m, rep, path.parent, SERIES_KEYS)
    series.problems = rep.problems
    return series


def parse_facts(m: dict[str, tuple[yaml.Node, yaml.Node]], rep: Reporter, folder: Path,
                keys: tuple[str, ...] = FACT_KEYS) -> Parsed:
    """The fact keys of one file's mapping, each value checked."""
    out: Parsed = {}
    for key in keys:
        if key in m:
            knode, vnode = m[key]
            value = _PARSERS[key](vnode, rep, folder)
            if value is not None:
                out[key] = (value, rep, knode)
    return out


def merge(read: Series | None, own: Parsed, rep: Reporter) -> Facts | None:
    """The profile's facts: profile.yaml's (``own``) over publisher.yaml's, key
    by key; inside `publisher` and `methodology` sub-key by sub-key. A required
    fact missing from both is reported where its key stands (None then)."""
    series = read.facts if read is not None else {}
    facts = Facts(series_file=read.path if read is not None else None)
    before = len(rep.problems)
    get = lambda k: own.get(k) or series.get(k)  # noqa: E731
    if (found := get("funders")) is not None:
        facts.funders = found[0]
    if (found := get("research_partner")) is not None:
        facts.research_partner = found[0] or None
    if (found := get("cover_photo")) is not None:
        facts.cover_photo = found[0]
    names = " ".join([*facts.funders, *([facts.research_partner.name]
                                         if facts.research_partner else [])])
    if names and (found := get("funders") or get("research_partner")) is not None:
        # with the catalogs' words around them (about a line and a half in German)
        needed = values.lines_needed(names, NAMES_BOX.line_em)
        if needed > NAMES_BOX.lines:
            needed = values.lines_needed(names, NAMES_BOX.line_em, exact=True)
        if needed > NAMES_BOX.lines:
            found[1].at(found[2], f"the funders and the research partner are too long for "
                        f"{NAMES_BOX.place}: their names would take {needed} lines there, "
                        f"and it has room for {NAMES_BOX.lines}; shorten them")
    for key in ("methodology", "publisher"):
        parts = {**series.get(key, ({}, None, None))[0], **own.get(key, ({}, None, None))[0]}
        if key not in own and key not in series:
            continue
        where = own.get(key) or series.get(key)
        if key == "methodology":
            for sub in METHODOLOGY_KEYS:
                if sub not in parts:
                    where[1].at(where[2], f"missing key `{sub}` in `methodology` (neither "
                                f"profile.yaml nor {SERIES_FILE} gives it)")
            facts.methodology = Methodology(parts.get("version"), parts.get("indicators"))
        else:
            if "name" not in parts:
                where[1].at(where[2], f"missing key `name` in `publisher` (neither "
                            f"profile.yaml nor {SERIES_FILE} gives it)")
            facts.publisher = Publisher(parts.get("name"), parts.get("address", []),
                                        parts.get("telephone"), parts.get("email"),
                                        parts.get("website"))
    return None if len(rep.problems) > before else facts


def _publisher(node: yaml.Node, rep: Reporter, folder: Path) -> dict | None:
    """`publisher`: its name (a text, as before), or the block."""
    if isinstance(node, yaml.ScalarNode) and node.tag == values.STR:
        name = _name(node, rep, "`publisher`")
        return None if name is None else {"name": name}
    m = values.mapping(node, rep, "`publisher`")
    if m is None:
        return None
    values.check_keys(m, PUBLISHER_KEYS, (), node, rep, "`publisher`")
    out: dict[str, Any] = {}
    if "name" in m and (name := _name(m["name"][1], rep, "`publisher.name`")) is not None:
        out["name"] = name
    if "address" in m:
        vnode = m["address"][1]
        if isinstance(vnode, yaml.SequenceNode):
            lines = values.text_list(vnode, rep, "`publisher.address`", MAX_ADDRESS_LINES,
                                     markup=False)
        else:
            text = values.text(vnode, rep, "`publisher.address`")
            lines = [] if text is None else [t.strip() for t in text.splitlines() if t.strip()]
            if len(lines) > MAX_ADDRESS_LINES:
                rep.at(vnode, f"`publisher.address` has {len(lines)} lines; the limit is "
                       f"{MAX_ADDRESS_LINES}")
                lines, out["address"] = [], None
        if all(values.fits(vnode, rep, line, "a line of `publisher.address`", BLOCK_LINE)
               for line in lines) and lines:
            out["address"] = lines
        elif lines:
            out["address"] = None
    for key, pattern, like in (("telephone", PHONE_RE, "+41 22 717 9111"),
                               ("email", EMAIL_RE, "hq@iom.int"),
                               ("website", WEBSITE_RE, "www.iom.int")):
        if key in m and (text := values.text(m[key][1], rep, f"`publisher.{key}`",
                                             limit=200)) is not None:
            if pattern.match(text):
                if values.fits(m[key][1], rep, text, f"`publisher.{key}`", BLOCK_LINE):
                    out[key] = text
                else:
                    out[key] = None
            else:
                out[key] = None  # given, and reported: not missing
                rep.at(m[key][1], f"`publisher.{key}` must be {_WHAT[key]} like `{like}`, "
                       f"not `{values.shorten(text)}`")
    return out


_WHAT = {"telephone": "a telephone number (digits, spaces, an optional leading +)",
         "email": "an e-mail address", "website": "a web address"}


def _name(node: yaml.Node, rep: Reporter, what: str) -> str | None:
    name = values.text(node, rep, what)
    if name is not None and not values.fits(node, rep, name, what, values.IMPRINT_FACT):
        return None
    return name


def _funders(node: yaml.Node, rep: Reporter, folder: Path) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode):  # one funder: a text
        name = values.text(node, rep, "`funders`", limit=300)
        return None if name is None else [name]
    before = len(rep.problems)
    names = values.text_list(node, rep, "`funders`", MAX_FUNDERS, markup=False)
    return None if len(rep.problems) > before else names


def _partner(node: yaml.Node, rep: Reporter, folder: Path) -> Partner | bool | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == values.NULL:
        return False  # none (overrides publisher.yaml's)
    if isinstance(node, yaml.ScalarNode) and node.tag == values.STR:
        name = values.text(node, rep, "`research_partner`", limit=300)
        return None if name is None else Partner(name)
    m = values.mapping(node, rep, "`research_partner`")
    if m is None:
        return None
    values.check_keys(m, PARTNER_KEYS, ("name",), node, rep, "`research_partner`")
    name = values.text(m["name"][1], rep, "`research_partner.name`", limit=300) \
        if "name" in m else None
    disclaimer: bool | str = False
    if "disclaimer" in m:
        vnode = m["disclaimer"][1]
        if isinstance(vnode, yaml.ScalarNode) and vnode.tag == values.BOOL:
            disclaimer = vnode.value.lower() in ("true", "yes", "on")
        else:
            text = values.text(vnode, rep, "`research_partner.disclaimer` (true, false or "
                               "a text)", limit=1000)
            if text is None or not values.fits(vnode, rep, text,
                                               "`research_partner.disclaimer`", DISCLAIMER_BOX):
                return None
            disclaimer = text
    return None if name is None else Partner(name, disclaimer)


def _methodology(node: yaml.Node, rep: Reporter, folder: Path) -> dict | None:
    m = values.mapping(node, rep, "`methodology`")
    if m is None:
        return None
    values.check_keys(m, METHODOLOGY_KEYS, (), node, rep, "`methodology`")
    out: dict[str, Any] = {}
    if "version" in m:
        vnode = m["version"][1]
        raw = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) and \
            vnode.tag != values.NULL else ""
        if VERSION_RE.match(raw):
            out["version"] = raw
        else:
            out["version"] = None  # given, and reported: not missing
            rep.at(vnode, "`methodology.version` must be a version like `2.0` or `2024`, "
                   f"not {f'`{values.shorten(raw)}`' if raw else values.type_name(vnode)}")
    if "indicators" in m:
        vnode = m["indicators"][1]
        raw = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) and \
            vnode.tag == "tag:yaml.org,2002:int" else ""
        if raw.isdigit() and 1 <= int(raw) <= MAX_INDICATORS:
            out["indicators"] = int(raw)
        else:
            out["indicators"] = None
            shown = f"`{values.shorten(vnode.value)}`" if isinstance(vnode, yaml.ScalarNode) \
                and vnode.value else values.type_name(vnode)
            rep.at(vnode, f"`methodology.indicators` must be a whole number from 1 to "
                   f"{MAX_INDICATORS}, like `90`, not {shown}")
    return out


def _photo(node: yaml.Node, rep: Reporter, folder: Path) -> CoverPhoto | None:
    m = values.mapping(node, rep, "`cover_photo`")
    if m is None:
        return None
    values.check_keys(m, PHOTO_KEYS, PHOTO_KEYS, node, rep, "`cover_photo`")
    credit = values.text(m["credit"][1], rep, "`cover_photo.credit`", limit=300) \
        if "credit" in m else None
    if credit is not None and not values.fits(m["credit"][1], rep, credit,
                                              "`cover_photo.credit`", values.IMPRINT_FACT):
        credit = None
    path = _photo_file(m["file"][1], rep, folder) if "file" in m else None
    return None if path is None or credit is None else CoverPhoto(path, credit)


def _photo_file(vnode: yaml.Node, rep: Reporter, folder: Path) -> Path | None:
    """The photograph's file, checked as a logo is: inside the folder, a JPEG or
    PNG (which refer to nothing outside themselves), size, every row decoded."""
    from .logo import image_file

    return image_file(vnode, rep, folder, "`cover_photo.file`", PHOTO_SUFFIXES,
                      "a .jpg, .jpeg or .png", shown=values.shorten)


_PARSERS = {"funders": _funders, "research_partner": _partner, "methodology": _methodology,
            "cover_photo": _photo, "publisher": _publisher}


# ------------------------------------------------------------ a language file's


def fact_names(node: yaml.Node, rep: Reporter) -> dict[str, str]:
    """A language file's `fact_names`: a fact as profile.yaml or publisher.yaml
    writes it (a funder, the partner, the credit, an address line) -> its
    translation."""
    m = values.mapping(node, rep, "`fact_names`")
    if m is None:
        return {}
    out = {}
    for key, (knode, vnode) in list(m.items())[:200]:
        name = values.text(knode, rep, "a fact's name", limit=1000)
        value = values.text(vnode, rep, f"the translation of `{values.shorten(key)}`",
                            limit=1000)
        if name is not None and value is not None:
            out[name] = value
    return out
