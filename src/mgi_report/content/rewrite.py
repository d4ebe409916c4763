"""Put texts back into a language file, keeping every other byte.

What ``xliff import`` and ``docx import --apply`` write with: each text is found
by the name ``walk`` gives it (``migrants_rights.potential[2]``, ``context``,
``chapters.summary.title`` …; also ``country``, ``short_name``, ``place``,
``sources[3].short`` and ``acronyms.GAFMA``) among the file's YAML nodes, read
with their positions (``yamlsource``), and only that node's span of the file is
replaced. Order, comments, blank lines, the other texts' quoting and line
breaks stay as they were.

A text is compared as it prints (``canonical``: its paragraphs, each one's
words with one space between): a text that reads the same is left exactly as
written. A changed one is written in its own scalar's style when the new text
allows it (a plain text re-wrapped at its indentation, a block ``|`` or ``>``,
single or double quotes), else double-quoted (one paragraph) or as a literal
block (paragraphs). The new file is read back before it is returned: every
value must be what it was but the texts replaced, each now the new text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .domains import DOMAIN_KEYS
from .series import chapter_name
from .walk import area_name, entry

#: Where a re-wrapped text's lines end (the shipped files wrap at about 78).
WIDTH = 78
_BREAK = re.compile(r"\n[ \t\r]*\n")
_SPACES = re.compile(r"[ \t\r\n]+")
_PLAIN_RESOLVER = yaml.resolver.Resolver()


def canonical(text: str) -> str:
    """A text as it prints: paragraphs (blank lines between) of words with one
    space between, joined by one blank line. (Only the spaces YAML and Markdown
    fold count: a no-break space is a character of the text.)"""
    parts = (" ".join(_SPACES.split(p.strip(" \t\r\n"))) for p in _BREAK.split(text))
    return "\n\n".join(p for p in parts if p)


@dataclass
class Place:
    """Where a text's scalar stands: the node, the indentation its continuation
    lines take, whether it stands in a ``[…]``/``{…}`` flow, and its path from
    the root (keys and indexes)."""

    node: yaml.ScalarNode
    indent: int
    flow: bool
    path: tuple


def _mapping(node: Any) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


class _Finder:
    """Collects the places of a language file's texts, by name."""

    def __init__(self) -> None:
        self.found: dict[str, Place] = {}

    def value(self, name: str, parent: yaml.Node, key: yaml.Node, node: yaml.Node,
              path: tuple) -> None:
        """A mapping's value (its continuation lines two deeper than its key)."""
        if isinstance(node, yaml.ScalarNode):
            self.found[name] = Place(node, key.start_mark.column + 2,
                                     bool(getattr(parent, "flow_style", False)), path)

    def item(self, name: str, parent: yaml.Node, node: yaml.Node, path: tuple) -> None:
        """A list's entry: a text, or a mapping whose ``text`` is the text."""
        if isinstance(node, yaml.ScalarNode):
            self.found[name] = Place(node, node.start_mark.column,
                                     bool(getattr(parent, "flow_style", False)), path)
        elif isinstance(node, yaml.MappingNode):
            m = _mapping(node)
            if "text" in m:
                self.value(name, node, *m["text"], (*path, "text"))

    def items(self, name: str, node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value, 1):
                self.item(entry(name, i), node, item, (*path, i - 1))


def places(root: yaml.Node) -> dict[str, Place]:
    """The places of a language file's texts, by name (see the module's doc)."""
    find = _Finder()
    top = _mapping(root)
    for key in ("country", "short_name", "place", "introduction", "context",
                "acknowledgements"):
        if key in top:
            find.value(key, root, *top[key], (key,))
    domains = _mapping(top["domains"][1]) if "domains" in top else {}
    for dkey in DOMAIN_KEYS:
        if dkey not in domains:
            continue
        dnode = domains[dkey][1]
        parts = _mapping(dnode)
        for part in ("well_developed", "potential"):
            if part in parts:
                find.items(f"{dkey}.{part}", parts[part][1], ("domains", dkey, part))
        areas = parts["areas"][1] if "areas" in parts else None
        for n, area in enumerate(areas.value if isinstance(areas, yaml.SequenceNode) else (),
                                 1):
            a = _mapping(area)
            path = ("domains", dkey, "areas", n - 1)
            if "title" in a:
                find.value(area_name(dkey, n, "title"), area, *a["title"], (*path, "title"))
            if "findings" in a:
                find.items(area_name(dkey, n, "findings"), a["findings"][1],
                           (*path, "findings"))
    if "sources" in top and isinstance(top["sources"][1], yaml.SequenceNode):
        snode = top["sources"][1]
        for i, item in enumerate(snode.value, 1):
            find.item(entry("sources", i), snode, item, ("sources", i - 1))
            s = _mapping(item)
            if "short" in s:
                find.value(f"{entry('sources', i)}.short", item, *s["short"],
                           ("sources", i - 1, "short"))
    for ident, (knode, vnode) in _mapping(top["chapters"][1] if "chapters" in top
                                          else None).items():
        c = _mapping(vnode)
        for what in ("title", "text"):
            if what in c:
                find.value(chapter_name(ident, what), vnode, *c[what],
                           ("chapters", ident, what))
    for key, (knode, vnode) in _mapping(top["updates"][1] if "updates" in top
                                        else None).items():
        find.value(f"updates.{key}", top["updates"][1], knode, vnode, ("updates", key))
    for key, (knode, vnode) in _mapping(top["acronyms"][1] if "acronyms" in top
                                        else None).items():
        find.value(f"acronyms.{key}", top["acronyms"][1], knode, vnode, ("acronyms", key))
    return find.found


class RewriteError(Exception):
    """Texts that cannot be put back: ``problems`` is a list of (name, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{n}: {m}" for n, m in problems))


# ------------------------------------------------------------ writing a scalar


def _wrap(words: list[str], first: int, indent: int, width: int) -> list[str]:
    """Words as lines of at most ``width`` columns, the first starting at column
    ``first``, the others at ``indent`` (the caller indents them); a word longer
    than a line stands alone on its own."""
    lines: list[str] = []
    line, col = "", first
    for word in words:
        if line and col + 1 + len(word) > width:
            lines.append(line)
            line, col = word, indent + len(word)
        else:
            col += len(word) + (1 if line else 0)
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _plain_ok(text: str, flow: bool) -> bool:
    if "\n" in text or not text:
        return False
    analysis = yaml.emitter.Emitter(None, allow_unicode=True).analyze_scalar(text)  # type: ignore[arg-type]
    if not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return False
    return _PLAIN_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == \
        "tag:yaml.org,2002:str"


def _quoted(text: str, quote: str, first: int, indent: int, nl: str, width: int) -> str:
    """One paragraph (or, double-quoted, several: ``\\n`` escapes) quoted, folded
    at its spaces into lines at ``indent``."""
    if quote == "'":
        body = text.replace("'", "''")
    else:
        body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines = _wrap(body.split(" "), first + 1, indent, width)
    return quote + (nl + " " * indent).join(lines) + quote


def _block(text: str, style: str, indent: int, nl: str, width: int) -> str:
    """Paragraphs as a block text (``|`` or ``>``), lines wrapped at ``indent``;
    no final line break (the file's own stays after it)."""
    out = [style]
    paragraphs = text.split("\n\n")
    for n, paragraph in enumerate(paragraphs):
        if n:
            out.append("")
        out += [" " * indent + line for line in _wrap(paragraph.split(" "), indent, indent, width)]
    return nl.join(out)


def render(text: str, place: Place, nl: str = "\n", alone: bool = True,
           width: int = WIDTH) -> str:
    """A scalar for ``text`` (canonical) at ``place``: in its own style when it
    allows the text, else double quotes or a literal block (only where nothing,
    not even a comment, follows the scalar on its line: ``alone``)."""
    node, indent = place.node, place.indent
    first = node.start_mark.column
    paragraphs = "\n\n" in text
    style = node.style or ""
    if style == "" and _plain_ok(text, place.flow):
        lines = _wrap(text.split(" "), first, indent, width)
        if not any(_plain_line_breaks(line) for line in lines):
            return (nl + " " * indent).join(lines)
    if style == "'" and not paragraphs:
        return _quoted(text, "'", first, indent, nl, width)
    if style in ("|", ">") and not place.flow:
        return _block(text, style, indent, nl, width)
    if paragraphs and alone and not place.flow:
        return _block(text, "|", indent, nl, width)
    return _quoted(text, '"', first, indent, nl, width)


def _plain_line_breaks(line: str) -> bool:
    """A continuation line of a plain text that YAML would read otherwise: one
    that starts with a comment, a list's dash, or a document marker."""
    return line.startswith(("#", "- ", "---", "...")) or line == "-"


# ------------------------------------------------------------ the whole file


def _flat(node: Any, path: tuple = (), out: dict | None = None) -> dict:
    """Every scalar of a node tree by its path (keys and indexes), with its tag;
    a key counts as a scalar too (its path ends with ``("key", k)``)."""
    out = {} if out is None else out
    if isinstance(node, yaml.ScalarNode):
        out[path] = (node.tag, node.value)
    elif isinstance(node, yaml.SequenceNode):
        out[(*path, "#len")] = len(node.value)
        for i, item in enumerate(node.value):
            _flat(item, (*path, i), out)
    elif isinstance(node, yaml.MappingNode):
        out[(*path, "#len")] = len(node.value)
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else repr(k)
            out[(*path, ("key", key))] = (k.tag, key)
            _flat(v, (*path, key), out)
    return out


def _compose(text: str) -> yaml.Node:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def rewrite(text: str, root: yaml.Node, edits: dict[str, str]) -> str:
    """``text`` (the file, as ``yamlsource`` read it into ``root``) with each
    text named in ``edits`` replaced by its new value. A text that reads the
    same (``canonical``) is left as written. Raises RewriteError naming each
    text that has no place in the file or cannot be written there."""
    found = places(root)
    problems: list[tuple[str, str]] = []
    todo: dict[str, tuple[Place, str]] = {}
    for name, new in edits.items():
        place = found.get(name)
        if place is None:
            problems.append((name, "the language file has no such text"))
            continue
        new = canonical(new)
        if new == canonical(place.node.value):
            continue
        if not new:
            problems.append((name, "the new text is empty"))
            continue
        if text[place.node.start_mark.index:place.node.start_mark.index + 1] in "&*!":
            problems.append((name, "written with a YAML anchor, alias or tag: edit it by hand"))
            continue
        todo[name] = (place, new)
    if problems:
        raise RewriteError(problems)
    if not todo:
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    forced: set[str] = set()
    for _ in range(2):  # a text YAML reads otherwise is written double-quoted the second time
        out = _apply(text, todo, forced, nl)
        wrong = _misread(root, out, todo)
        if not wrong:
            return out
        if wrong <= forced:
            break
        forced |= wrong
    raise RewriteError([(name, "cannot be written back so that YAML reads it as written")
                        for name in sorted(wrong)])


def _apply(text: str, todo: dict[str, tuple[Place, str]], forced: set[str], nl: str) -> str:
    spans = []
    for name, (place, new) in todo.items():
        node = place.node
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">"):  # keep the line breaks (and blank lines) after it
            while end > start and text[end - 1] in " \t\r\n":
                end -= 1
        lines = text[text.rfind("\n", 0, start) + 1:end].split("\n")
        width = max(WIDTH, *(len(line.rstrip()) for line in lines))  # as it was written
        if name in forced:
            written = _quoted(new, '"', node.start_mark.column, place.indent, nl, width)
        else:
            eol = text.find("\n", end)
            written = render(new, place, nl, not text[end:eol if eol >= 0 else len(text)].strip(),
                             width)
        spans.append((start, end, written))
    out, at = [], 0
    for start, end, written in sorted(spans):
        out += [text[at:start], written]
        at = end
    out.append(text[at:])
    return "".join(out)


def _misread(root: yaml.Node, out: str, todo: dict[str, tuple[Place, str]]) -> set[str]:
    """The names of the edited texts the new file does not read back as written
    (all of them when it does not parse or another value changed)."""
    try:
        after = _flat(_compose(out))
    except yaml.YAMLError:
        return set(todo)
    before = _flat(root)
    edited = {place.path: name for name, (place, _) in todo.items()}
    wrong = set()
    for path in before.keys() | after.keys():
        if path in edited:
            tag, value = after.get(path, (None, ""))
            if tag != "tag:yaml.org,2002:str" or canonical(value) != todo[edited[path]][1]:
                wrong.add(edited[path])
        elif before.get(path) != after.get(path):
            return set(todo)
    return wrong
