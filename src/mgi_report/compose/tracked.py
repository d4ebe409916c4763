"""The review PDF's tracked changes: each finding changed since a revision is
set with its inserted words underlined and its deleted words struck through,
a new finding underlined whole, a removed one struck through whole at the end
of its list, and a sign in the margin beside each (+ added, ± changed,
– removed): marks that survive printing in grey.

A changed finding is compared as it prints, not as it is written: both
versions are parsed (markup.tokens) into words, each with the markup around it
(emphasis, a link, code) and citations as words of their own, and those are
compared. So a change inside a link's text or a code span marks the words that
changed, set as they print; a link whose address or title changed keeps its
text and shows the old and new address or title after it, struck through and
underlined; no version is ever shown as raw Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..content.changes import Change, opcodes
from ..content.domains import DOMAINS
from ..text import markup
from .job import Tracked

SIGNS = {"added": "+", "changed": "±", "removed": "–"}


def _sign(kind: str, label: str) -> str:
    return (f'<span class="rv-sign rv-{kind}" role="note" aria-label="{escape(label)}">'
            f"{SIGNS[kind]}</span>")


@dataclass(frozen=True)
class _Word:
    """A word of a finding as it prints: its text (a citation: the source's id),
    the elements around it, outermost first (``("em",)``, ``("a", href,
    title)``, ``("code",)``), and whether white space comes before it. ``meta``:
    a link's title or address (one word each, after its text), shown only where
    it changed."""

    text: str
    around: tuple = ()
    space: bool = True
    cite: bool = False
    meta: bool = False

    def key(self) -> tuple:
        """What is compared: a link's text is its words (its address and title
        are words of their own, ``meta``)."""
        return (self.text, self.cite, self.meta, tuple(a[:1] for a in self.around))


_SPACE = re.compile(r"([ \t\r\n]+)")
_WRAPS = {"em_open": ("em",), "strong_open": ("strong",), "s_open": ("s",)}


def _words(text: str, lang: str) -> list[_Word]:
    """A finding's words as it prints (``text``: its Markdown)."""
    out: list[_Word] = []
    around: list[tuple] = []
    links: list[tuple] = []  # the links open, for their address and title at their end
    space = False

    def add(content: str, where: tuple) -> None:
        nonlocal space
        for n, piece in enumerate(_SPACE.split(content)):
            if n % 2:
                space = True
            elif piece:
                out.append(_Word(piece, where, space))
                space = False

    for token in markup.tokens(text, lang):
        if token.type in _WRAPS:
            around.append(_WRAPS[token.type])
        elif token.type == "link_open":
            link = ("a", str(token.attrs.get("href", "")), str(token.attrs.get("title") or ""))
            around.append(link)
            links.append(link)
        elif token.type == "link_close":
            link = links.pop() if links else ("a", "", "")
            if around:
                around.pop()
            out += [_Word(" ".join(w.split()), (), True, meta=True) for w in link[:0:-1] if w]
        elif token.nesting == -1:
            if around:
                around.pop()
        elif token.type in ("softbreak", "hardbreak"):
            space = True
        elif token.type == "citation":
            out.append(_Word(token.meta["id"], tuple(around), space, cite=True))
            space = False
        elif token.type == "code_inline":
            add(token.content, (*around, ("code",)))
        else:
            add(token.content, tuple(around))
    return out


def compared(old: str, new: str, lang: str) -> list[tuple[str, _Word]]:
    """The words of both versions as (op, word); op: = kept, - deleted, + inserted."""
    a, b = _words(old, lang), _words(new, lang)
    out: list[tuple[str, _Word]] = []
    for tag, i1, i2, j1, j2 in opcodes([w.key() for w in a], [w.key() for w in b]):
        if tag == "equal":
            out += [("=", w) for w in b[j1:j2]]
            continue
        out += [("-", w) for w in a[i1:i2]]
        out += [("+", w) for w in b[j1:j2]]
    return out


def _open(around: tuple) -> str:
    out = ""
    for item in around:
        if item[0] == "a":
            title = f' title="{escape(item[2])}"' if item[2] else ""
            out += f'<a href="{escape(item[1])}"{title}>'
        else:
            out += f"<{item[0]}>"
    return out


def _close(around: tuple) -> str:
    return "".join(f"</{item[0]}>" for item in reversed(around))


def set_words(words: list[tuple[str, _Word]], lang: str, notes: dict[str, str] | None,
              plain: bool = False) -> Markup:
    """Words with their marks as HTML: in runs of one mark and one markup, each
    run's markup (not when ``plain``: words only, without citations) inside its
    mark (``<del>``, ``<ins>``). A link's address and title show only where
    they changed."""
    runs: list[tuple[str, tuple, list[_Word]]] = []
    for op, word in words:
        if (word.meta and op == "=") or (plain and word.cite):
            continue
        around = () if plain or word.meta else word.around
        if runs and runs[-1][0] == op and runs[-1][1] == around:
            runs[-1][2].append(word)
        else:
            runs.append((op, around, [word]))
    html = []
    last = ""
    for op, around, run in runs:
        if html and (run[0].space or (last == "-" and op == "+")):
            html.append(" ")
        body = ""
        for n, word in enumerate(run):
            if n and word.space:
                body += " "
            body += str(markup.inline(f"[^{word.text}]", lang, notes)) if word.cite else \
                str(escape(word.text))
        body = _open(around) + body + _close(around)
        if run[0].meta and not plain:
            body = f'<span class="rv-meta">{body}</span>'
        if op != "=":
            tag = "del" if op == "-" else "ins"
            body = f'<{tag} class="rv-{tag}">{body}</{tag}>'
        html.append(body)
        last = op
    return Markup("".join(html))


def _marked(change: Change, lang: str, notes: dict[str, str]) -> Markup:
    """A changed finding rendered with its insertions and deletions."""
    return set_words(compared(change.old, change.new, lang), lang, notes)


def items(where: str, texts: list[str] | None, changes: list[Change], lang: str,
          notes: dict[str, str], labels: dict[str, str]) -> list[Markup] | None:
    """A list's findings as the review PDF sets them."""
    if texts is None:
        return None
    mine = [c for c in changes if c.where == where]
    by_entry = {c.entry: c for c in mine if c.kind != "removed"}
    out = []
    for n, text in enumerate(texts, 1):
        change = by_entry.get(n)
        if change is None:
            out.append(markup.inline(text, lang, notes))
        elif change.kind == "added":
            out.append(Markup(_sign("added", labels["added"]) + '<ins class="rv-ins rv-whole">'
                              + str(markup.inline(text, lang, notes)) + "</ins>"))
        else:
            out.append(Markup(_sign("changed", labels["changed"])
                              + str(_marked(change, lang, notes))))
    for change in mine:
        if change.kind == "removed":
            out.append(Markup(_sign("removed", labels["removed"])
                              + '<del class="rv-del rv-whole">'
                              + str(markup.inline(change.old, lang, notes)) + "</del>"))
    return out


def _words_html(change: Change, lang: str = "en") -> Markup:
    """A change's words with their marks, as plain text (no markup, no citations)."""
    if change.kind in ("added", "removed"):
        op, tag = ("+", "ins") if change.kind == "added" else ("-", "del")
        words = [(op, w) for w in _words(change.new or change.old, lang) if not w.meta]
        return Markup(f'<{tag} class="rv-{tag} rv-whole">') + \
            set_words([("=", w) for _, w in words], lang, None, plain=True) + Markup(f"</{tag}>")
    words = set_words(compared(change.old, change.new, lang), lang, None, plain=True)
    if change.tags:  # its GCM objectives or id (content/tags.py), as the tags' own notation
        words += Markup(' <span class="rv-tags" dir="ltr">[') + \
            f"{change.tags[0] or '–'} → {change.tags[1] or '–'}" + Markup("]</span>")
    return words


def summary(changes: list[Change], domains: list[tuple[str, str]],
            labels: dict[str, str], lang: str = "en") -> list[dict]:
    """The changes by domain, for the summary page: each with where it is, in
    the reader's words (``labels``: the lists' names, "finding %(n)s", "before"),
    its sign, and its words marked (``lang``: the findings' language)."""
    def place(change: Change) -> str:
        part = change.where.split(".", 1)[1] if "." in change.where else change.where
        name = labels.get(part, part.split("] ", 1)[-1].strip("“”")
                          if part.startswith("areas[") else labels.get(part, part))
        if change.entry is None:
            return name
        entry = labels["finding"] % {"n": change.entry}
        return f"{name}, {entry}" + (f" ({labels['before']})" if change.kind == "removed"
                                    else "")

    def entries(mine: list[Change]) -> list[dict]:
        return [{"kind": c.kind, "sign": SIGNS[c.kind], "place": place(c),
                 "text": _words_html(c, lang)} for c in mine]

    keys = {key for key, _ in domains}
    out = [{"name": name, "changes": entries([c for c in changes
                                              if c.where.split(".")[0] == key])}
           for key, name in domains]
    rest = [c for c in changes if c.where.split(".")[0] not in keys]
    if rest:
        out.append({"name": None, "changes": entries(rest)})
    return out


def marks(tr) -> dict[str, str]:
    """The margin signs' names, as a screen reader says them (``tr``: the
    layout's translations)."""
    _ = tr.gettext
    return {"added": _("added"), "changed": _("changed"), "removed": _("removed")}


def review(tracked: Tracked, tr, lang: str, chapters: dict[str, str] | None = None) -> dict:
    """The review PDF's summary page: the revision and its changes by domain,
    in the layout's words (``tr``), the findings marked (``lang``: theirs);
    ``chapters``: an extra chapter's title by the name of its texts
    (``summary.text``)."""
    _ = tr.gettext
    return {
        "rev": tracked.rev,
        "summary": summary(
            tracked.changes, [(d.key, _(d.short_name)) for d in DOMAINS],
            {"well_developed": _("Well-developed areas"),
             "potential": _("Areas with potential for further development"),
             "introduction": _("Introduction"), "context": _("Context"),
             "sources": _("Key sources"), "finding": _("finding %(n)s"),
             "before": _("as it was"), **(chapters or {})}, lang)}
