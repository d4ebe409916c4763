"""Typed values from YAML nodes, every problem located: mappings with their keys
checked (unknown keys with a did-you-mean, missing ones, duplicates), text (its
limits and the character rules of ``printable``), lists of text, language codes.

Used by ``content`` (the language files and profile.yaml) and ``facts``
(publication and key data).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import printable
from .yamlsource import Reporter

LANG_RE = re.compile(r"^[a-z]{2}$")
#: A finding's or a source's length (an introduction or context may be 4 times as long).
MAX_TEXT_CHARS = 4_000
#: Characters no font prints: C0/C1 controls (but tab and newline), surrogates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    STR: "text", BOOL: "true/false", NULL: "nothing (null)",
    "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
}
_STR, _BOOL, _NULL = STR, BOOL, NULL

def type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.startswith("!"):
        return f"a value tagged `{node.tag}`"
    return _TYPE_NAMES.get(node.tag, f"a value tagged `{node.tag}`")


def _quote_hint(node: yaml.Node) -> str:
    """What to do when YAML read a text as something else."""
    if isinstance(node, yaml.ScalarNode) and not node.tag.startswith("!") and node.value:
        return f" (YAML reads `{node.value}` so); to print it as text, put it in double " \
            f"quotes: \"{node.value}\""
    if isinstance(node, yaml.MappingNode) and node.value:
        key = node.value[0][0]
        if isinstance(key, yaml.ScalarNode):
            return (f"; a text with a colon and a space (`{key.value}: …`) reads as a "
                    "key and its value: put the whole text in double quotes")
    return ""


def mapping(node: Any, rep: Reporter, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Mapping node -> {key: (key_node, value_node)}, reporting duplicates."""
    if not isinstance(node, yaml.MappingNode):
        rep.at(node, f"{what} must be a mapping of keys to values, not {type_name(node)}")
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


def check_keys(m: dict[str, tuple[yaml.Node, yaml.Node]], allowed: tuple[str, ...],
                required: tuple[str, ...], node: yaml.Node, rep: Reporter, where: str) -> None:
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


def char_at(node: yaml.Node, rep: Reporter, value: str, i: int) -> tuple[int, int]:
    """Where the character ``value[i]`` stands in the file: found in the node's own
    text with up to three characters before it; the node's start if it was
    written otherwise (a YAML escape, a folded line)."""
    start, end = node.start_mark.index, node.end_mark.index
    if rep.text is not None:
        raw = rep.text[start:end]
        for k in (3, 2, 1, 0):
            snippet = value[max(0, i - k):i + 1]
            if len(snippet) == min(i, k) + 1 and (found := raw.find(snippet)) >= 0:
                return rep.position(_Mark(start + found + len(snippet) - 1))
    return rep.position(node.start_mark)


@dataclass
class _Mark:
    index: int


def text(node: yaml.Node, rep: Reporter, what: str, *, empty_ok: bool = False,
          limit: int = MAX_TEXT_CHARS, markup: bool = False) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        rep.at(node, f"{what} must be text, not {type_name(node)}{_quote_hint(node)}")
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
    bad_chars = printable.problems(value)
    for i, message in bad_chars:
        rep.add(*char_at(node, rep, value, i), f"{what}: {message}")
    if markup and (depth := printable.markup_depth(value)) > printable.MAX_MARKUP_DEPTH:
        rep.at(node, f"{what} nests emphasis or links {depth} deep; the limit is "
               f"{printable.MAX_MARKUP_DEPTH}")
        return None
    return None if bad_chars else value


def sequence(node: yaml.Node, rep: Reporter, what: str, limit: int) -> list[yaml.Node]:
    """A list's entries: nothing (null) is an empty list; anything but a list, or
    a list longer than ``limit``, is reported (and read as empty)."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return []
    if not isinstance(node, yaml.SequenceNode):
        rep.at(node, f"{what} must be a list, not {type_name(node)}")
        return []
    if len(node.value) > limit:
        rep.at(node, f"{what} has {len(node.value):,} entries; the limit is {limit:,}")
        return []
    return list(node.value)


def text_list(node: yaml.Node, rep: Reporter, what: str, limit: int,
              markup: bool = True) -> list[str]:
    out = []
    for i, item in enumerate(sequence(node, rep, what, limit), 1):
        value = text(item, rep, f"entry {i} of {what}", markup=markup)
        if value is not None:
            out.append(value)
    return out


def lang_code(node: yaml.Node, rep: Reporter, what: str) -> str | None:
    value = text(node, rep, what)
    if value is not None and not LANG_RE.match(value):
        rep.at(node, f"{what} must be a two-letter ISO 639-1 code like `en`, not `{value}`")
        return None
    return value


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence node's items (none for anything else)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
