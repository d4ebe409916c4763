"""Read a content file into YAML nodes that keep their line and column.

Everything here is about the file as text: its size, its encoding, its YAML
syntax, and what YAML could do to it beyond what was written: nesting that
PyYAML would recurse into without end, aliases that would expand a small file
into a huge one (each use counts), and explicit tags (``!!bool "maybe"``) that
would silently coerce a value. All of it is reported as ``path:line:col:``.

Lines are counted as an editor counts them: only line feeds end a line
(PyYAML also counts U+2028, U+2029 and U+0085, so its own marks can be off).
"""

from __future__ import annotations

import bisect
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from ..files import reads

#: Limits that keep a build bounded in time and memory (documented in README).
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # YAML nesting; content needs 6
#: Content as expanded: every use of an alias counts its whole anchored value again.
MAX_EXPANDED_CHARS = MAX_FILE_BYTES
MAX_EXPANDED_NODES = 100_000


class Reporter:
    """Collects the located problems of one file.

    Each problem costs about the same however many came before it: problems
    are told apart with a set, and a position is found from the offsets of the
    file's lines (computed once) rather than by counting from the start."""

    def __init__(self, path: Path, shown: str):
        self.path = path
        self.shown = shown
        self._text: str | None = None  # the decoded file, once read
        self._starts: list[int] | None = None  # offset of each line's first character
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.memo: dict[Any, Any] = {}  # what checking this file worked out once (values)

    @property
    def text(self) -> str | None:
        return self._text

    @text.setter
    def text(self, value: str | None) -> None:
        self._text, self._starts = value, None

    def position(self, mark: Any) -> tuple[int, int]:
        """1-based line and column of a YAML mark, counting only line feeds."""
        if mark is None:
            return 1, 1
        if self._text is not None and 0 <= mark.index <= len(self._text):
            if self._starts is None:
                self._starts = [0, *(m.end() for m in re.finditer("\n", self._text))]
            line = bisect.bisect_right(self._starts, mark.index)
            return line, mark.index - self._starts[line - 1] + 1
        return mark.line + 1, mark.column + 1

    def at(self, node_or_mark: Any, message: str) -> None:
        line, col = self.position(getattr(node_or_mark, "start_mark", node_or_mark))
        self.add(line, col, message)

    def add(self, line: int, col: int, message: str) -> None:
        problem = Problem(self.shown, line, col, message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def top(self, message: str) -> None:
        self.add(1, 1, message)


def position(text: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of an offset: characters of text; for bytes, the
    line is counted in bytes and the column in the characters they decode to."""
    if isinstance(text, bytes):
        line = text.count(b"\n", 0, index) + 1
        start = text.rfind(b"\n", 0, index) + 1
        return line, len(text[start:index].decode("utf-8", "replace")) + 1
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode(raw: bytes, rep: Reporter) -> str | None:
    if not raw.strip():
        rep.top("the file is empty")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = position(raw, exc.start)
        rep.add(line, col, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    for n, ch in enumerate(text):
        if ch == "\x00" or (ord(ch) < 32 and ch not in "\t\n\r"):
            line, col = position(text, n)
            rep.add(line, col, f"control character U+{ord(ch):04X}: this is not a text file")
            return None
    return text


#: Characters YAML takes for line breaks and editors do not: reported, and read
#: as spaces so that YAML counts the lines an editor shows.
HIDDEN_BREAKS = {0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}


def _hidden_breaks(text: str, rep: Reporter) -> str:
    if not any(chr(c) in text for c in HIDDEN_BREAKS):
        return text
    line, start = 1, 0  # counted as it goes: a file full of them costs one pass
    for n, ch in enumerate(text):
        if ch == "\n":
            line, start = line + 1, n + 1
        elif ord(ch) in HIDDEN_BREAKS:
            col = n - start + 1
            rep.add(line, col, f"the invisible (U+{ord(ch):04X} {HIDDEN_BREAKS[ord(ch)]}) is "
                    "not a line break everywhere: use an ordinary line break (a blank line "
                    "between paragraphs)")
    return text.translate({c: " " for c in HIDDEN_BREAKS})


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses what YAML could add to what was written.

    * nesting deeper than MAX_DEPTH (PyYAML recurses);
    * aliases: each use adds its anchored value's size to the file's expanded
      size, which must stay within MAX_EXPANDED_CHARS / MAX_EXPANDED_NODES; an
      alias to a collection that contains it is refused;
    * explicit tags: collected in ``tagged`` (reported by ``read_yaml``).
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._chars = 0
        self._nodes = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[int, tuple[int, int]] = {}
        self.tagged: list[tuple[Any, str]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            if event.anchor in self._open_anchors:
                raise yaml.MarkedYAMLError(problem=f"the alias *{event.anchor} is used inside "
                                           "the value it names (it would never end)",
                                           problem_mark=event.start_mark)
            node = super().compose_node(parent, index)
            chars, nodes = self._size(node)
            self._count(chars, nodes, event.start_mark, f" (the alias *{event.anchor} "
                        "counts its whole value each time it is used)")
            return node
        event = self.peek_event()
        if event.tag is not None and not isinstance(event, yaml.AliasEvent):
            self.tagged.append((event.start_mark, event.tag))
        self._depth += 1
        if event.anchor is not None:
            self._open_anchors.add(event.anchor)
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep",
                    problem_mark=event.start_mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(event.anchor)
        own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
        self._count(own, 1, event.start_mark, "")
        return node

    def _size(self, node: Any) -> tuple[int, int]:
        """(characters, nodes) of a node as expanded; shared nodes are counted once
        per use, computed once (the graph has no cycles: see compose_node)."""
        key = id(node)
        if key not in self._sizes:
            if isinstance(node, yaml.ScalarNode):
                size = (len(node.value), 1)
            else:
                items = node.value if isinstance(node, yaml.SequenceNode) else \
                    [n for pair in node.value for n in pair]
                chars = nodes = 0
                for child in items:
                    c, n = self._size(child)
                    chars, nodes = chars + c, nodes + n
                size = (chars, nodes + 1)
            self._sizes[key] = size
        return self._sizes[key]

    def _count(self, chars: int, nodes: int, mark: Any, why: str) -> None:
        self._chars += chars
        self._nodes += nodes
        if self._chars > MAX_EXPANDED_CHARS:
            raise yaml.MarkedYAMLError(problem=f"the file's text, as expanded, exceeds "
                                       f"{MAX_EXPANDED_CHARS:,} characters{why}",
                                       problem_mark=mark)
        if self._nodes > MAX_EXPANDED_NODES:
            raise yaml.MarkedYAMLError(problem=f"the file, as expanded, has more than "
                                       f"{MAX_EXPANDED_NODES:,} values{why}", problem_mark=mark)


#: PyYAML's words for what an editor calls text, keys and lists.
_JARGON = (("block mapping", "list of keys"), ("flow mapping", "`{…}`"),
           ("block collection", "list"), ("block sequence", "list"),
           ("flow sequence", "`[…]` list"), ("quoted scalar", "quoted text"),
           ("plain scalar", "text"), ("simple key", "key"), ("<scalar>", "text"),
           ("mapping", "keys"), ("scalar", "text"))


#: What may follow a closing quote: the end of the line, a space, or what ends
#: the text (`,` `]` `}` in a `[…]` list, the `:` of a key).
_AFTER_CLOSE = frozenset(" \t\r\n,]}:#")


def _open_quote(exc: yaml.MarkedYAMLError, rep: Reporter) -> Any:
    """The opening mark of a quoted text that was never closed, where YAML gave up
    further on (None when the mistake is not one).

    A quote left open runs on over the lines below it until the next quote of its
    kind, which opens another text (`- "Next finding."`) or is an apostrophe
    (`It's`): there YAML takes it for the closing quote, finds text right after
    it, and gives up. The file is scanned again with PyYAML's own scanner up to
    that place; the text to blame is the quoted one just before it that spans
    lines and is closed by a quote that no text ends with: one followed at once
    by more text, and standing where a word starts (after a space, the start of
    the line, `[`, `{`, `,` or `(`); for `'`, an apostrophe inside or at the end
    of a word followed by more text (`Migrants' right`). A text that spans lines
    and is closed where a text ends (`…education."`) is legitimate YAML."""
    text, found = rep.text, exc.problem_mark
    if not text or found is None:
        return None
    last, after = None, 0  # the last quoted text up to the error, tokens after it
    try:
        for token in yaml.scan(text):  # one pass, up to the error
            if token.start_mark.index > found.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last, after = token, 0
            elif last is not None:
                after += 1
    except yaml.YAMLError:  # the mistake itself, or one further on: scanned far enough
        pass
    if last is None or after > 1:  # YAML gave up right after it, or not because of it
        return None
    start, end = last.start_mark.index, last.end_mark.index  # end: just after the quote
    if rep.position(last.start_mark)[0] == rep.position(last.end_mark)[0] \
            or end > found.index or end >= len(text):
        return None
    close, quote = end - 1, text[start]
    eol = text.find("\n", end)
    rest = text[end:eol if eol >= 0 else len(text)].lstrip(" \t")  # after it on its line
    if text[end] not in _AFTER_CLOSE:  # `"Next finding`, `It's`, `l'eau`
        return last.start_mark if text[close - 1] in " \t\n[{,(" or \
            quote == "'" and text[close - 1].isalnum() and text[end].isalnum() else None
    if quote == "'" and text[end] in " \t" and rest and rest[0] not in _AFTER_CLOSE \
            and text[close - 1].isalnum():  # `Migrants' right`
        return last.start_mark
    return None


def _never_closed(quote: str, found: Any, rep: Reporter) -> str:
    where = "at the end of the file" if rep.text is not None and found is not None and \
        found.index >= len(rep.text.rstrip()) else f"on line {rep.position(found)[0]}"
    return (f"the quote `{quote}` opened here is never closed: end the text with the same "
            f"quote, or remove it (YAML read on and gave up {where})")


def _plain_error(exc: yaml.MarkedYAMLError, rep: Reporter) -> tuple[Any, str]:
    """Where a YAML syntax mistake is and what to do, in an editor's words: the
    mark of the place the mistake was made (an unclosed quote where it opens,
    not where YAML gave up: at the end of the file, or at the next quote)."""
    context, problem = exc.context or "", exc.problem or ""
    opened, found = exc.context_mark, exc.problem_mark or exc.context_mark
    if "quoted scalar" in context and "end of stream" in problem:
        quote = "'" if rep.text and opened and rep.text[opened.index:opened.index + 1] == "'" \
            else '"'
        return opened, _never_closed(quote, found, rep)
    if "quoted scalar" in context and opened is not None and found is not None \
            and rep.position(opened)[0] != rep.position(found)[0]:
        quote = rep.text[opened.index] if rep.text else '"'
        if "document separator" in problem:  # `---` or `...` starting a line inside it
            return opened, _never_closed(quote, found, rep)
        line, col = rep.position(found)
        what = problem[len("found "):] if problem.startswith("found ") else problem
        return opened, (f"the quote `{quote}` opened here is not closed before line {line}, "
                        f"where YAML gave up ({what}, column {col}): if the text ends "
                        "earlier, end it with the same quote; inside double quotes, write a "
                        "backslash as \\\\")
    if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
        start = _open_quote(exc, rep)
        if start is not None:
            assert rep.text is not None
            return start, _never_closed(rep.text[start.index], found, rep)
    if "'\\t'" in problem:
        return found, "a tab indents this line: YAML is indented with spaces only"
    if context.startswith("while parsing a flow"):
        pair = "`[` … `]`" if "sequence" in context else "`{` … `}`"
        return opened, (f"a bracket opened here ({pair}) is not closed, or its items lack "
                        "commas; if the bracket belongs to the text, put the whole text in "
                        "double quotes")
    if "mapping values are not allowed" in problem and found is not None and \
            found.column > 1024:  # YAML's limit on a key written `key: value`
        return found, ("a key longer than 1,024 characters: YAML reads a key that long only "
                       "written after `? ` on a line of its own, its value after `: ` on the "
                       "next line")
    if "mapping values are not allowed" in problem:
        return found, ("a colon followed by a space inside a text: text that contains a "
                       "colon must be put in double quotes")
    if "simple key" in context and "could not find expected ':'" in problem:
        return opened, ("this line is neither `key: value` nor a list entry `- text`: check "
                        "its indentation, or put its text in double quotes")
    if "expected <block end>" in problem and "<scalar>" in problem:
        return found, ("the text goes on after its closing quote: a text that starts with a "
                       "quote must be quoted whole; put all of it in double quotes (and write "
                       "a double quote inside it as \\\")")
    if "expected <block end>" in problem or "expected <block" in problem:
        return found, ("this line's indentation does not match the lines above: indent it "
                       "like the other entries of its list or keys (with spaces)")
    what = f"{context}: {problem}" if context else (problem or "not valid YAML")
    for word, plain in _JARGON:
        what = what.replace(word, plain)
    if opened and found and rep.position(opened)[0] != rep.position(found)[0] and context:
        what += f" (it began on line {rep.position(opened)[0]})"
    if "\t" in what or "'\\t'" in what:
        what += " (tabs cannot indent YAML; use spaces)"
    return found, what


def _compose(text: str, rep: Reporter) -> yaml.Node | None:
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark, what = _plain_error(exc, rep)
        rep.at(mark, f"YAML syntax error: {what}")
        return None
    except yaml.reader.ReaderError as exc:
        line, col = position(text, exc.position)
        rep.add(line, col, f"character U+{exc.character:04X} is not allowed in YAML: "
                "this is not a text file")
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        rep.top(f"YAML error: {exc}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    assert loader is not None
    for mark, tag in loader.tagged:
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        rep.at(mark, f"the YAML tag `{tag}` is not allowed: write the value as it is meant "
               "(quote text; true/false and numbers plainly), and it is read as such")
    if loader.tagged:
        return None
    if node is None:
        rep.top("the file is empty")
    return node


def read_yaml(path: Path, shown: str, rep: Reporter | None = None) -> tuple[Any, Reporter]:
    """Compose a YAML file into nodes; problems go to the reporter."""
    rep = rep or Reporter(path, shown)
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device would block or flood
            rep.top("not a regular file")
            return None, rep
        # never more than the limit (and a byte to tell); one read per build (reads.py)
        raw = reads.read(path, MAX_FILE_BYTES)
    except OSError as exc:
        rep.top(f"cannot read the file: {exc.strerror or 'not a regular file'}")
        return None, rep
    if len(raw) > MAX_FILE_BYTES:
        try:
            size = max(path.stat().st_size, len(raw))
        except OSError:
            size = len(raw)
        rep.top(f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        return None, rep
    text = _decode(raw, rep)
    if text is None:
        return None, rep
    rep.text = text = _hidden_breaks(text, rep)
    return _compose(text, rep), rep
