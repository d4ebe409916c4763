"""A text's inline markup as codes a translator's tool protects.

A text (content/rewrite.canonical: paragraphs of words) is cut into runs of
words and codes: ``**strong**`` and ``*emphasis*`` (also ``__`` and ``_``),
``[links](https://…)`` (their text translated, their address kept), each a
pair of codes around the words they mark; ``[^id]`` citations and `` `code` ``
spans, each one code that stands alone; and paragraph breaks. The codes are
numbered 1, 2 … in the order they open, so that the source and its
translation can name them alike (``Codes.match``). Joining the runs back gives
the text exactly: ``join(lex(text)) == text``.

The markup is that of ``text/markup.py`` (markdown-it), read as an editor
writes it: a ``*`` that opens must be followed, and one that closes preceded,
by a character other than a space (and ``_`` not inside a word); an unpaired
one is text. Where this reads markup markdown-it would not, the words are only
protected as a code: nothing is lost either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A citation, as markup._CITE finds one.
_CITE = re.compile(r"\[\^([^\]\s]*)\]")
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@dataclass(frozen=True)
class Code:
    """One piece of markup: ``kind`` is ``strong``, ``em``, ``link`` (pairs:
    ``open`` and ``close`` as written), ``cite``, ``code`` or ``para`` (alone:
    ``open`` is all of it)."""

    kind: str
    open: str
    close: str = ""

    @property
    def paired(self) -> bool:
        return self.kind in ("strong", "em", "link")

    def shown(self) -> str:
        """As a message names it: ``**…**``, ``[^law-2011]``."""
        if self.kind == "para":
            return "a paragraph break"
        return f"`{self.open}…{self.close}`" if self.paired else f"`{self.open}`"


#: A run: text, or (code number, "open" | "close" | "alone").
Run = str | tuple[int, str]


@dataclass
class Lexed:
    """A text as runs, and its codes by number (1-based, in the order they open)."""

    runs: list[Run] = field(default_factory=list)
    codes: dict[int, Code] = field(default_factory=dict)
    #: after ``match``: how many of ``codes`` are the source's (the rest are the target's own)
    source_count: int = 0

    def join(self) -> str:
        out = []
        for run in self.runs:
            if isinstance(run, str):
                out.append(run)
            else:
                code = self.codes[run[0]]
                out.append(code.close if run[1] == "close" else code.open)
        return "".join(out)


def _code_span(text: str, i: int) -> int | None:
    """The end of a code span starting at ``i`` (a run of backticks), or None."""
    ticks = re.match(r"`+", text[i:])[0]  # type: ignore[index]
    for m in re.finditer(r"`+", text[i + len(ticks):]):
        if m[0] == ticks:
            return i + len(ticks) + m.end()
    return None


def _link_end(text: str, i: int) -> tuple[int, int] | None:
    """For ``[`` at ``i``: (where its text's ``]`` is, where the link ends after
    ``(…)``), or None when it is no link."""
    depth, j = 0, i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            end = _code_span(text, j)
            if end is not None:
                j = end
                continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    else:
        return None
    if not text.startswith("(", j + 1):
        return None
    depth, k = 0, j + 1
    while k < len(text):
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j, k + 1
        elif ch == "\n":
            return None
        k += 1
    return None


class _Lexer:
    def __init__(self) -> None:
        self.out = Lexed()

    def add(self, code: Code) -> int:
        number = len(self.out.codes) + 1
        self.out.codes[number] = code
        return number

    def text(self, runs: list[Run], s: str) -> None:
        if runs and isinstance(runs[-1], str):
            runs[-1] += s
        elif s:
            runs.append(s)

    def lex(self, text: str) -> list[Run]:
        """The runs of ``text``; its codes are added to ``out.codes``."""
        runs: list[Run] = []
        stack: list[tuple[str, int]] = []  # open emphasis: (delimiter, index in runs)
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text) and text[i + 1] in _PUNCT:
                self.text(runs, text[i:i + 2])
                i += 2
            elif text.startswith("\n\n", i):
                runs.append((self.add(Code("para", "\n\n")), "alone"))
                i += 2
            elif ch == "`" and (end := _code_span(text, i)) is not None:
                runs.append((self.add(Code("code", text[i:end])), "alone"))
                i = end
            elif ch == "[" and (m := _CITE.match(text, i)):
                runs.append((self.add(Code("cite", m[0])), "alone"))
                i = m.end()
            elif ch == "[" and (ends := _link_end(text, i)) is not None:
                close, end = ends
                number = self.add(Code("link", "[", text[close:end]))
                runs.append((number, "open"))
                runs += self.lex(text[i + 1:close])
                runs.append((number, "close"))
                i = end
            elif ch in "*_":
                n = len(text) - len(text[i:].lstrip(ch)) - i
                delim = text[i:i + n]
                before = text[i - 1] if i else " "
                after = text[i + n] if i + n < len(text) else " "
                opener = next((k for k in range(len(stack) - 1, -1, -1)
                               if stack[k][0] == delim), None)
                can_close = not before.isspace() and (ch == "*" or not after.isalnum())
                can_open = not after.isspace() and (ch == "*" or not before.isalnum())
                if n <= 2 and can_close and opener is not None:
                    _, at = stack[opener]
                    del stack[opener:]  # openers inside it that never closed stay text
                    number = self.add(Code("strong" if n == 2 else "em", delim, delim))
                    runs[at] = (number, "open")
                    runs.append((number, "close"))
                elif n <= 2 and can_open:
                    stack.append((delim, len(runs)))
                    runs.append((0, delim))  # text unless it is closed
                else:
                    self.text(runs, delim)
                i += n
            else:
                j = i + 1
                while j < len(text) and text[j] not in "\\\n`[*_":
                    j += 1
                self.text(runs, text[i:j])
                i = j
        return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    """Runs with each unclosed emphasis ``(0, delimiter)`` as text, and text
    runs side by side joined."""
    out: list[Run] = []
    for run in runs:
        if not isinstance(run, str) and run[0] == 0:
            run = run[1]
        if isinstance(run, str) and out and isinstance(out[-1], str):
            out[-1] += run
        elif run != "":
            out.append(run)
    return out


def lex(text: str) -> Lexed:
    """A text's runs and codes (numbered in the order they open)."""
    lexer = _Lexer()
    runs = lexer.lex(text)
    # number the codes in the order they open (an emphasis is numbered when it
    # closes, so renumber by first appearance)
    order: dict[int, int] = {}
    for run in runs:
        if not isinstance(run, str) and run[0] not in order:
            order[run[0]] = len(order) + 1
    lexed = Lexed([run if isinstance(run, str) else (order[run[0]], run[1]) for run in runs],
                  {order[n]: code for n, code in lexer.out.codes.items()})
    return lexed


def match(source: Lexed, target: Lexed) -> Lexed:
    """The target's runs renumbered by the source's codes: a code of the target
    takes the number of the same code in the source (the first of them not
    taken yet); one the source does not have takes a number after the source's."""
    free: dict[Code, list[int]] = {}
    for number, code in sorted(source.codes.items()):
        free.setdefault(code, []).append(number)
    renumber: dict[int, int] = {}
    extra = max(source.codes, default=0)
    codes = dict(source.codes)
    for number, code in sorted(target.codes.items()):
        if free.get(code):
            renumber[number] = free[code].pop(0)
        else:
            extra += 1
            renumber[number] = extra
            codes[extra] = code
    runs = [run if isinstance(run, str) else (renumber[run[0]], run[1]) for run in target.runs]
    return Lexed(runs, codes, max(source.codes, default=0))
