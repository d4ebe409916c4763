"""A reviewed Word document read back (``mgi-report docx import``): every
comment and every tracked change a reviewer made, at the text it belongs to
(found by its content control's ``w:tag``, ``word``), as
``de.yaml:LINE: [author, date] …``; with ``--apply``, each text the reviewer
changed is written into the language file as the reviewer left it
(insertions in, deletions out: ``plain.patch`` carries the edit into the
markup) with ``writeback``, and only those texts.

The file is checked before python-docx reads it: its size, a zip, at most
MAX_UNZIPPED bytes once unpacked and MAX_ENTRIES files (told by the zip's
directory, which python's zipfile holds each member to), the document of this
profile and language (its ``identifier``), and each text's paragraph still the
text of the language file (else it no longer matches): every problem at once,
nothing written.
"""

from __future__ import annotations

import difflib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from ..content import tree as contents
from ..content.rewrite import canonical, places
from ..content.yamlsource import read_yaml
from ..errors import ContentError, Problem
from ..files import reads
from . import plain as plain_mod
from .units import texts
from .word import AUTHOR, IDENTIFIER
from .xliff import Located, at_line, at_unit

MAX_BYTES = 20_000_000
MAX_UNZIPPED = 100_000_000
MAX_ENTRIES = 2_000
#: How much of its words a paragraph must still share with its text to be that text.
SIMILAR = 0.5
_INS = (qn("w:ins"), qn("w:moveTo"))
_DEL = (qn("w:del"), qn("w:moveFrom"))
_SKIP = (qn("w:pPr"), qn("w:rPr"), qn("w:sdtPr"), qn("w:instrText"))


def _open(path: Path, shown: str, problems: list[Problem]):
    """The python-docx document, once the file is known to be a bounded zip."""
    import docx

    def bad(message: str) -> None:
        problems.append(at_line(shown, 1, 1, message))

    try:
        st = path.stat()
    except OSError as exc:
        bad(f"cannot read the file: {exc.strerror}")
        return None
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read: never opened
        bad(f"cannot read the file: it is {reads.kind_of(st.st_mode)}, not a regular file")
        return None
    size = st.st_size
    if size > MAX_BYTES:
        bad(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unpacked = sum(i.file_size for i in infos)
            if len(infos) > MAX_ENTRIES or unpacked > MAX_UNZIPPED:
                bad(f"the zip holds {len(infos):,} files, {unpacked:,} bytes unpacked; the "
                    f"limits are {MAX_ENTRIES:,} files and {MAX_UNZIPPED:,} bytes (a zip bomb?)")
                return None
            if "word/document.xml" not in zf.namelist():
                bad("not a Word document: the zip has no word/document.xml")
                return None
            for info in infos:  # python-docx's parser expands no entity; none is needed
                if info.filename.endswith((".xml", ".rels")):
                    data = zf.read(info)
                    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                        bad(f"a DOCTYPE or entity declaration in {info.filename}: refused")
                        return None
    except (zipfile.BadZipFile, OSError) as exc:
        bad(f"not a Word document (.docx is a zip): {exc}")
        return None
    try:
        return docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx fails in many ways on a damaged file
        bad(f"not a Word document python-docx can read: {type(exc).__name__}: {exc}")
        return None


@dataclass
class Seen:
    """A text's paragraphs as read: as the reviewer left them (``accepted``),
    as they were before the reviewer's changes (``before``), and the
    reviewer's changes and comments, each a line without its place."""

    name: str
    accepted: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)


def _view(element, accept: bool, own_only: bool, out: list[str]) -> None:
    """The plain text of an element: tracked insertions kept and deletions
    left out (``accept``), or, ``own_only``, only mgi-report's own accepted
    (the reviewer's rejected)."""
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            continue
        mine = child.get(qn("w:author")) == AUTHOR
        if tag in _INS:
            if accept or (own_only and mine):
                _view(child, accept, own_only, out)
        elif tag in _DEL:
            if not accept and own_only and not mine:
                _view(child, accept, own_only, out)
        elif tag in (qn("w:t"), qn("w:delText")):
            out.append(child.text or "")
        elif tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
            out.append(" ")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
        elif tag == qn("w:footnoteReference"):
            out.append(plain_mod.CITE_CHAR)
        else:
            _view(child, accept, own_only, out)


def _text(paragraphs, accept: bool) -> str:
    views = []
    for p in paragraphs:
        out: list[str] = []
        _view(p, accept, not accept, out)
        views.append(canonical("".join(out)))
    return "\n\n".join(v for v in views if v)


def _marks(sdt, comments: dict[str, str]) -> list[str]:
    """The reviewer's tracked changes and comments in an element, as lines."""
    out = []
    for element in sdt.iter(*_INS, *_DEL, qn("w:rPrChange"), qn("w:pPrChange")):
        author = element.get(qn("w:author")) or "?"
        if author == AUTHOR:
            continue
        when = (element.get(qn("w:date")) or "no date")[:10]
        words: list[str] = []
        _view(element, True, False, words) if element.tag in _INS else \
            [words.append(t.text or "") for t in element.iter(qn("w:delText"), qn("w:t"))]
        text = canonical("".join(words))
        if element.tag in _INS:
            what = "inserted" if text or element.getparent().tag != qn("w:rPr") else \
                "inserted a paragraph break"
            note = " (a footnote: not applied; cite a source in the YAML)" \
                if plain_mod.CITE_CHAR in text else ""
            out.append(f"[{author}, {when}] {what} “{text.replace(plain_mod.CITE_CHAR, '')}”"
                       f"{note}")
        elif element.tag in _DEL:
            out.append(f"[{author}, {when}] deleted “{text}”")
        else:
            out.append(f"[{author}, {when}] changed the formatting (not applied)")
    for ref in sdt.iter(qn("w:commentRangeStart"), qn("w:commentReference")):
        line = comments.pop(ref.get(qn("w:id")), None)
        if line is not None:
            out.append(line)
    return out


def _comments(document) -> dict[str, str]:
    out = {}
    for c in document.comments:  # (none: an empty part python-docx makes)
        when = c.timestamp.strftime("%Y-%m-%d") if c.timestamp else "no date"
        out[str(c.comment_id)] = f"[{c.author or '?'}, {when}] comment: " + \
            " ".join(c.text.split())
    return out


def read(path: Path, content: Path, slug: str | None, lang: str | None, apply: bool
         ) -> list[str]:
    """``docx import``: the reviewer's changes and comments, a line each, at
    the text's line in the language file; with ``apply``, the texts changed
    written into it. Raises ContentError with every problem (nothing written)."""
    from . import writeback

    shown = contents.shown_path(path)
    problems: list[Problem] = []
    document = _open(path, shown, problems)
    if document is None:
        raise ContentError(problems)
    prefix = IDENTIFIER.split("{")[0]
    ident = document.core_properties.identifier or next(
        (t.get(qn("w:val")) for t in document.element.body.iter(qn("w:tag"))
         if (t.get(qn("w:val")) or "").startswith(prefix)), "")
    where = ident[len(prefix):] if ident.startswith(prefix) else ""
    doc_slug, _, name = where.rpartition("/")
    doc_lang = name[:-5] if name.endswith(".yaml") else ""
    if not doc_slug or not doc_lang:
        raise ContentError([at_line(shown, 1, 1, "not a review document of mgi-report (its "
                                    "identifier names no profile: made with `mgi-report docx`?)")])
    if slug and slug != doc_slug or lang and lang != doc_lang:
        raise ContentError([at_line(shown, 1, 1, f"this document is of {doc_slug}/{doc_lang}"
                                    f".yaml, not {slug or doc_slug}/{lang or doc_lang}.yaml")])
    tree = contents.countries(content)
    if doc_slug not in tree or doc_lang not in tree[doc_slug].languages:
        raise ContentError([at_line(shown, 1, 1, f"this document is of {doc_slug}/{doc_lang}"
                                    f".yaml, which {contents.shown_path(content)} does not have")])
    lf = contents.load_country(content, doc_slug, (doc_lang,)).files[doc_lang]
    now = texts(lf)
    root, rep = read_yaml(lf.path, contents.shown_path(lf.path))
    lines = {n: rep.position(p.node.start_mark)[0] for n, p in places(root).items()}
    yaml_shown = contents.shown_path(lf.path)
    comments = _comments(document)
    out: list[str] = []
    edits: dict[str, str] = {}
    seen: set[str] = set()
    for sdt in document.element.body.iter(qn("w:sdt")):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        name = tag.get(qn("w:val")) if tag is not None else None
        if name is None or name.startswith(prefix):
            continue
        paragraphs = sdt.findall(f"{qn('w:sdtContent')}/{qn('w:p')}")
        if name not in now or name in seen:
            problems.append(at_unit(shown, name, "no such text in " + yaml_shown if name not in
                                    now else "this text's paragraph is there twice"))
            continue
        seen.add(name)
        current = plain_mod.render(canonical(now[name])).text
        before, accepted = _text(paragraphs, False), _text(paragraphs, True)
        ratio = difflib.SequenceMatcher(None, before.split(), current.split(),
                                        autojunk=False).ratio()
        if ratio < SIMILAR:
            problems.append(at_unit(shown, name, f"the paragraph no longer matches "
                                    f"{yaml_shown}:{lines.get(name, 1)} (its text there has "
                                    "changed, or the paragraph was replaced)"))
            continue
        for mark in _marks(sdt, comments):
            out.append(f"{yaml_shown}:{lines.get(name, 1)}: {mark}")
        if accepted != current:
            edits[name] = plain_mod.patch(canonical(now[name]), accepted)
    for name in now.keys() - seen:
        problems.append(at_unit(shown, name, f"the paragraph of this text ({yaml_shown}:"
                                f"{lines.get(name, 1)}) is not in the document (deleted, or its "
                                "content control removed)"))
    for line in comments.values():  # on a heading or another paragraph that is no text
        out.append(f"{yaml_shown}:1: {line} (on no text of the profile)")
    for p in document.element.body.iterchildren(qn("w:p")):  # changes outside every text
        for mark in _marks(p, {}):
            out.append(f"{yaml_shown}:1: {mark} (outside every text: not applied)")
    if problems:
        raise ContentError(problems)
    if not apply:
        return out or [f"{yaml_shown}: no comment and no tracked change of a reviewer"]
    if not edits:
        return out + [f"{yaml_shown}: nothing to apply"]
    writeback.write(lf, doc_lang, edits, lambda n, m: at_unit(shown, n, m), Located)
    return out + [f"{yaml_shown}: {len(edits)} text(s) written: " + ", ".join(edits)]

