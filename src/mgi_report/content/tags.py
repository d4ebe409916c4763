"""A finding's tags: the Global Compact for Migration (GCM) objectives it
informs and its identifier.

A finding is a text, or a mapping that gives the text and its tags::

    - text: "The Government …"
      gcm: [5, 15]        # GCM objectives, 1-23, each once (or one number)
      id: labour-permits  # lower-case letters, digits and inner hyphens, at most 64

Without ``id:`` a finding is identified by its place (``derived_id``):
``d1-wd-3`` (domain 1, well developed, entry 3), ``d4-pa-1`` (domain 4,
potential areas, entry 1), ``d2-a3-2`` (domain 2, area 3, finding 2). The
place is the same in every translation, so the identifier is too. Identifiers
are unique in a language file (``check_unique``), and a translation keeps
its source's (the translation review warns where it does not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from . import values
from .yamlsource import Reporter

ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
OBJECTIVE_COUNT = 23  # the GCM's objectives, numbered 1-23
FINDING_KEYS = ("text", "gcm", "id")
_INT = "tag:yaml.org,2002:int"
_DERIVED = re.compile(r"^d[1-6]-(?:wd|pa|a\d+)-\d+\Z")
PART_CODES = {"well_developed": "wd", "potential": "pa"}


@dataclass(frozen=True)
class Tag:
    """What a finding written as a mapping says besides its text: its explicit
    identifier (None: the one of its place) and its GCM objectives, in the order
    written."""

    id: str | None = None
    gcm: tuple[int, ...] = ()


def derived_id(domain_number: int, part: str, area: int, number: int) -> str:
    """The identifier of a finding by its place: ``part`` is ``well_developed``,
    ``potential`` or ``area`` (then ``area`` is the area's 1-based number);
    ``number`` the finding's 1-based place in its list."""
    code = f"a{area}" if part == "area" else PART_CODES[part]
    return f"d{domain_number}-{code}-{number}"


@dataclass
class Item:
    """One finding as read: its text (None where it has a problem), the node its
    text stands in (for citations' places), and its tags (None: a plain text)."""

    text: str | None
    node: yaml.Node
    tag: Tag | None = None
    id_node: yaml.Node | None = None


def finding_items(node: yaml.Node, rep: Reporter, what: str, limit: int) -> list[Item]:
    """The findings of a list: each a text or a mapping ``{text, gcm, id}``,
    every problem reported where it is."""
    out = []
    for i, item in enumerate(values.sequence(node, rep, what, limit), 1):
        where = f"entry {i} of {what}"
        if not isinstance(item, yaml.MappingNode) or not any(
                isinstance(k, yaml.ScalarNode) and k.value in FINDING_KEYS for k, _ in item.value):
            # a text, or a text YAML read as a mapping (`- Note: the law …`): said so
            out.append(Item(values.text(item, rep, where, markup=True), item))
            continue
        m = values.mapping(item, rep, where)
        if m is None:
            continue
        values.check_keys(m, FINDING_KEYS, ("text",), item, rep, where)
        if "text" not in m:
            continue
        tnode = m["text"][1]
        text = values.text(tnode, rep, where, markup=True)
        gcm = objectives(m["gcm"][1], rep, f"`gcm` of {where}") if "gcm" in m else ()
        ident = identifier(m["id"][1], rep, f"`id` of {where}") if "id" in m else None
        out.append(Item(text, tnode, Tag(ident, gcm or ()),
                        m["id"][1] if "id" in m else None))
    return out


def objectives(node: yaml.Node, rep: Reporter, what: str) -> tuple[int, ...] | None:
    """GCM objective numbers: a list of whole numbers 1-23, each once (or one
    number); None, with every problem reported, otherwise."""
    nodes = [node] if isinstance(node, yaml.ScalarNode) and node.tag != values.NULL else \
        values.sequence(node, rep, what, OBJECTIVE_COUNT * 2)
    if isinstance(node, yaml.SequenceNode) and not node.value:
        rep.at(node, f"{what} is an empty list; name the objectives (1-{OBJECTIVE_COUNT}) "
               "or leave the key out")
        return None
    out: list[int] = []
    seen: dict[int, int] = {}
    ok = True
    for item in nodes:
        number = _number(item)
        if number is None or not 1 <= number <= OBJECTIVE_COUNT:
            shown = values.shorten(item.value) if isinstance(item, yaml.ScalarNode) \
                else values.type_name(item)
            rep.at(item, f"{what}: `{shown}` is no GCM objective; the Global Compact has "
                   f"objectives 1 to {OBJECTIVE_COUNT}, written as numbers (`gcm: [5, 15]`)")
            ok = False
        elif number in seen:
            rep.at(item, f"{what}: objective {number} is named twice (first on line "
                   f"{seen[number]})")
            ok = False
        else:
            seen[number] = item.start_mark.line + 1
            out.append(number)
    return tuple(out) if ok else None


def _number(node: yaml.Node) -> int | None:
    """A whole number written plainly (``5``, not ``05``, ``+5``, ``0x5`` or ``"5"``)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _INT and \
            re.fullmatch(r"[1-9]\d{0,2}", node.value):
        return int(node.value)
    return None


def identifier(node: yaml.Node, rep: Reporter, what: str) -> str | None:
    """A finding's explicit identifier: lower-case letters, digits and inner
    hyphens, at most 64 characters, and not of the derived form (``d1-wd-3``),
    which would name another finding's place."""
    value = values.text(node, rep, what)
    if value is None:
        return None
    if not ID_RE.match(value):
        rep.at(node, f"{what} is `{values.shorten(value)}`; an identifier is lower-case "
               "letters, digits and hyphens (not at an end), at most 64 characters, like "
               "`labour-permits`")
        return None
    if _DERIVED.match(value):
        rep.at(node, f"{what} is `{value}`, the form of an identifier by place (`d1-wd-3`), "
               "which names another finding by where it stands; choose a name of its own")
        return None
    return value


def check_unique(ids: list[tuple[str, yaml.Node]], rep: Reporter) -> None:
    """Each explicit identifier once in the file (``ids``: each with the node it
    is written in); a second use is reported where it stands. (An identifier by
    place cannot clash: no two findings share a place, and an explicit one
    cannot have that form.)"""
    first: dict[str, int] = {}
    for ident, node in ids:
        if ident in first:
            rep.at(node, f"the finding id `{ident}` is used twice (first on line "
                   f"{first[ident]}); identifiers are unique in a profile")
        else:
            first[ident] = node.start_mark.line + 1
