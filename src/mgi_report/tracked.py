"""The review PDF's tracked changes: each finding changed since a revision is
set with its inserted words underlined and its deleted words struck through,
a new finding underlined whole, a removed one struck through whole at the end
of its list, and a sign in the margin beside each (+ added, ± changed,
– removed): marks that survive printing in grey."""

from __future__ import annotations

from markupsafe import Markup, escape

from . import markup
from .changes import Change

# Private-use characters around inserted and deleted words while Markdown renders.
_DEL, _DEL_END, _INS, _INS_END = "\ue000", "\ue001", "\ue002", "\ue003"
SIGNS = {"added": "+", "changed": "±", "removed": "–"}


def _sign(kind: str, label: str) -> str:
    return (f'<span class="rv-sign rv-{kind}" role="note" aria-label="{escape(label)}">'
            f"{SIGNS[kind]}</span>")


def _marked(change: Change, lang: str, notes: dict[str, str]) -> Markup:
    """A changed finding rendered with its insertions and deletions."""
    parts = []
    for op, text in change.words:
        if op == "=":
            parts.append(text)
        elif op == "-":
            parts.append(_DEL + text + _DEL_END)
        else:
            parts.append(_INS + text + _INS_END)
    html = str(markup.inline(" ".join(parts), lang, notes))
    for mark, tag in ((_DEL, '<del class="rv-del">'), (_DEL_END, "</del>"),
                      (_INS, '<ins class="rv-ins">'), (_INS_END, "</ins>")):
        html = html.replace(mark, tag)
    return Markup(html)


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


def _words_html(change: Change) -> Markup:
    """A change's words with their marks, as plain text (no Markdown, no citations)."""
    def plain(text: str) -> str:
        return " ".join(markup.CITATION.sub("", text).split())

    if change.kind == "added":
        return Markup('<ins class="rv-ins rv-whole">') + escape(plain(change.new)) + \
            Markup("</ins>")
    if change.kind == "removed":
        return Markup('<del class="rv-del rv-whole">') + escape(plain(change.old)) + \
            Markup("</del>")
    out = []
    for op, text in ((op, plain(text)) for op, text in change.words):
        if not text:
            continue
        tag = {"-": "del", "+": "ins"}.get(op)
        out.append(escape(text) if tag is None else
                   Markup(f'<{tag} class="rv-{tag}">') + escape(text) + Markup(f"</{tag}>"))
    return Markup(" ").join(out)


def summary(changes: list[Change], domains: list[tuple[str, str]],
            labels: dict[str, str]) -> list[dict]:
    """The changes by domain, for the summary page: each with where it is, in
    the reader's words (``labels``: the lists' names, "finding %(n)s", "before"),
    its sign, and its words marked."""
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
                 "text": _words_html(c)} for c in mine]

    keys = {key for key, _ in domains}
    out = [{"name": name, "changes": entries([c for c in changes
                                              if c.where.split(".")[0] == key])}
           for key, name in domains]
    rest = [c for c in changes if c.where.split(".")[0] not in keys]
    if rest:
        out.append({"name": None, "changes": entries(rest)})
    return out
