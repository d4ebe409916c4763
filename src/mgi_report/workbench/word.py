"""A profile's texts as a Word document for a government's review (``mgi-report
docx``), made with python-docx and its OXML (lxml) where python-docx has no API.

Headings are Word's (``Heading 1``: a domain or chapter; ``Heading 2``: a list;
an area's title is a heading that is a text too). Each text (a finding, an
area's title, the introduction …; the units of ``units.texts``) is a block
content control whose ``w:tag`` is the text's name (``migrants_rights.
potential[2]``) and whose title (``w:alias``) is a finding's identifier
(``d1-pa-2``): Word keeps both through editing, and ``docx import`` finds each
text by it. A citation ``[^id]`` is a Word footnote giving the source's text.
With ``--since REV``, what changed since the git revision is in Word's own
tracked changes (``w:ins``/``w:del``, author AUTHOR, dated now): a reviewer
accepts, rejects, edits and comments as in any document. The document's
``identifier`` (core properties) names the profile and language.
"""

from __future__ import annotations

import difflib
import io
from datetime import UTC, datetime
from itertools import count

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from ..content import changes as changes_mod
from ..content import walk
from ..content.domains import DOMAINS
from ..content.model import LanguageFile
from ..content.rewrite import canonical
from ..text.i18n import direction, translations
from . import plain as plain_mod
from .units import texts

AUTHOR = "mgi-report"
IDENTIFIER = "mgi-report:{slug}/{lang}.yaml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _el(tag: str, parent=None, **attrs) -> etree._Element:
    element = etree.Element(qn(tag)) if parent is None else etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


class Writer:
    """One document being written: its footnotes, its change ids, the date of
    its tracked changes."""

    def __init__(self, lf: LanguageFile, rtl: bool):
        self.doc = docx.Document()
        self.lf, self.rtl = lf, rtl
        self.notes = lf.notes()
        self.ids = count(1)
        self.date = datetime.now(UTC).replace(microsecond=0).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        self.footnotes = etree.Element(qn("w:footnotes"), nsmap={"w": _W})
        for number, kind in ((-1, "separator"), (0, "continuationSeparator")):  # Word's own
            note = _el("w:footnote", self.footnotes, type=kind, id=number)
            _el(f"w:{kind}", _el("w:r", _el("w:p", note)))
        self.note_ids = count(1)

    # -------------------------------------------------------------- runs

    def _run(self, parent: etree._Element, text: str, look: plain_mod.Look,
             deleted: bool = False) -> etree._Element:
        r = _el("w:r", parent)
        pr = _el("w:rPr", r)  # its children in the schema's order (Word insists)
        if look.code:
            _el("w:rFonts", pr, ascii="Courier New", hAnsi="Courier New")
        if look.strong:
            _el("w:b", pr)
        if look.em:
            _el("w:i", pr)
        if look.link:
            _el("w:color", pr, val="0563C1")
            _el("w:u", pr, val="single")
        if self.rtl:
            _el("w:rtl", pr)
        if not len(pr):
            r.remove(pr)
        t = _el("w:delText" if deleted else "w:t", r)
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    def _footnote(self, parent: etree._Element, ident: str) -> None:
        number = next(self.note_ids)
        r = _el("w:r", parent)
        pr = _el("w:rPr", r)
        _el("w:vertAlign", pr, val="superscript")
        _el("w:footnoteReference", r, id=number)
        note = _el("w:footnote", self.footnotes, id=number)
        p = _el("w:p", note)
        ref = _el("w:r", p)
        _el("w:vertAlign", _el("w:rPr", ref), val="superscript")
        _el("w:footnoteRef", ref)
        body = plain_mod.render(canonical(self.notes.get(ident, f"[^{ident}]")))
        self._run(p, " " + body.text.replace(plain_mod.CITE_CHAR, ""), plain_mod.Look())

    def _mark(self, p: etree._Element, how: str) -> etree._Element:
        """A tracked insertion or deletion in paragraph ``p``."""
        return _el(f"w:{how}", p, id=next(self.ids), author=AUTHOR, date=self.date)

    def _pieces(self, parent, plain: plain_mod.Plain, start: int, end: int) -> None:
        """The characters start..end of ``plain`` as runs (a footnote for a
        citation), a run per look."""
        k = start
        while k < end:
            if plain.text[k] == plain_mod.CITE_CHAR:
                self._footnote(parent, plain.cites.get(k, ""))
                k += 1
                continue
            j = k
            while j < end and plain.looks[j] == plain.looks[k] and \
                    plain.text[j] != plain_mod.CITE_CHAR:
                j += 1
            self._run(parent, plain.text[k:j], plain.looks[k])
            k = j

    # -------------------------------------------------------------- paragraphs

    def paragraph(self, style: str | None = None) -> etree._Element:
        p = self.doc.add_paragraph(style=style)._p
        if self.rtl:
            pr = p.get_or_add_pPr()
            pr.append(_el("w:bidi"))
        return p

    def text(self, name: str, text: str, change: changes_mod.Change | None,
             style: str | None = None, alias: str | None = None) -> None:
        """A text as a content control tagged with its name: its paragraphs, with
        what ``change`` says changed since the revision as tracked changes."""
        body = self.doc.element.body
        sdt = _el("w:sdt")
        pr = _el("w:sdtPr", sdt)
        if alias:
            _el("w:alias", pr, val=alias)
        _el("w:tag", pr, val=name)
        content = _el("w:sdtContent", sdt)
        new = plain_mod.render(canonical(text))
        ops = _ops(change, new)
        p = self._paragraph_in(content, style)
        added = change is not None and change.kind == "added"
        for op, value in ops:
            if op == "-":
                d = self._mark(p, "del")
                self._run(d, value.replace(plain_mod.CITE_CHAR, "").replace("\n\n", " "),
                          plain_mod.Look(), deleted=True)
                continue
            a, b = value
            k = a
            while k < b:  # a paragraph break starts the next paragraph
                cut = new.text.find("\n\n", k, b)
                stop = b if cut < 0 else cut
                target = self._mark(p, "ins") if op == "+" else p
                self._pieces(target, new, k, stop)
                if cut < 0:
                    break
                p = self._paragraph_in(content, style)
                k = cut + 2
        if added:  # the paragraph marks too: accepted as one, rejected as one
            for para in content.iter(qn("w:p")):
                ppr = para.find(qn("w:pPr"))
                if ppr is None:
                    ppr = _el("w:pPr")
                    para.insert(0, ppr)
                _el("w:ins", _el("w:rPr", ppr), id=next(self.ids), author=AUTHOR, date=self.date)
        body.insert(len(body) - 1, sdt)  # before the section properties

    def title(self, text: str, identifier: str) -> None:
        """The document's title, in a content control tagged with the
        identifier too (a second place Word keeps it)."""
        body = self.doc.element.body
        sdt = _el("w:sdt")
        pr = _el("w:sdtPr", sdt)
        _el("w:tag", pr, val=identifier)
        _el("w:lock", pr, val="sdtContentLocked")
        content = _el("w:sdtContent", sdt)
        heading = self.doc.add_heading(text, 0)._p
        if self.rtl:
            heading.get_or_add_pPr().append(_el("w:bidi"))
        content.append(heading)
        body.insert(len(body) - 1, sdt)

    def _paragraph_in(self, content, style: str | None) -> etree._Element:
        p = self.paragraph(style)
        content.append(p)  # moved from the body into the control
        return p

    def removed(self, text: str) -> None:
        """A text removed since the revision: a paragraph deleted, as a tracked change."""
        p = self.paragraph()
        d = self._mark(p, "del")
        self._run(d, plain_mod.render(canonical(text)).text.replace(plain_mod.CITE_CHAR, "")
                  .replace("\n\n", " "), plain_mod.Look(), deleted=True)

    def finish(self) -> bytes:
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                    etree.tostring(self.footnotes, xml_declaration=True, encoding="UTF-8",
                                   standalone=True), self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _ops(change: changes_mod.Change | None, new: plain_mod.Plain) -> list:
    """The plain text of a text as runs kept (``("=", (a, b))``), inserted
    (``("+", (a, b))``: offsets in ``new``) and deleted (``("-", text)``)."""
    if change is None or change.kind == "removed":
        return [("=", (0, len(new.text)))]
    if change.kind == "added":
        return [("+", (0, len(new.text)))]
    old = plain_mod.render(canonical(change.old)).text
    a, b = plain_mod.words(old), plain_mod.words(new.text)
    out: list = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, [w for w, _ in a], [w for w, _ in b], autojunk=False).get_opcodes():
        s1 = a[i1][1] if i1 < len(a) else len(old)
        s2 = a[i2][1] if i2 < len(a) else len(old)
        t1 = b[j1][1] if j1 < len(b) else len(new.text)
        t2 = b[j2][1] if j2 < len(b) else len(new.text)
        if tag == "equal" and not (out and new.text[t1:t2].isspace() and j2 < len(b)):
            out.append(("=", (t1, t2)))
            continue
        # a change, or only a space between two: one deletion and one insertion each
        if not out or out[-1][0] == "=":
            out.append(("-", ""))
            out.append(("+", (t1, t1)))
        out[-2] = ("-", out[-2][1] + old[s1:s2])
        out[-1] = ("+", (out[-1][1][0], t2))
    return [(op, value) for op, value in out
            if op == "=" or (value if op == "-" else value[1] > value[0])]


def by_name(lf: LanguageFile, found: list[changes_mod.Change]
            ) -> tuple[dict[str, changes_mod.Change], dict[str, list[changes_mod.Change]]]:
    """The changes since a revision by the name of the text they are of (a
    list's ``where`` is an area's words: ``changes.area_where``), and the
    removed entries by their list's name."""
    lists = {}
    for listed in walk.lists(lf, sources=False):
        if listed.area is not None:
            lists[changes_mod.area_where(listed.domain, listed.number, listed.area.title)] = \
                listed.name
    named: dict[str, changes_mod.Change] = {}
    gone: dict[str, list[changes_mod.Change]] = {}
    for change in found:
        where = lists.get(change.where, change.where)
        if change.entry is None:
            if change.kind != "removed":
                named[where] = change
        elif change.kind == "removed":
            gone.setdefault(where, []).append(change)
        else:
            named[walk.entry(where, change.entry)] = change
    return named, gone


def document(slug: str, lang: str, lf: LanguageFile, found: list[changes_mod.Change] | None,
             rev: str | None) -> bytes:
    """The .docx of a language file's texts, with ``found`` (the changes since
    ``rev``) as tracked changes."""
    _ = translations(lang).gettext
    w = Writer(lf, direction(lang) == "rtl")
    props = w.doc.core_properties
    props.identifier = IDENTIFIER.format(slug=slug, lang=lang)
    props.title = f"{lf.country}: Migration Governance Profile ({lang})"
    props.subject = "mgi-report review" + (f": changes since {rev} tracked" if rev else "")
    props.author = AUTHOR
    named, gone = by_name(lf, found or [])
    all_texts = texts(lf)
    findings = {f.name: f for f in walk.findings(lf)}

    def text(name: str, style: str | None = None) -> None:
        if name in all_texts:
            finding = findings.get(name)
            w.text(name, all_texts[name], named.get(name), style,
                   finding.id if finding else name)

    def removed(name: str) -> None:
        for change in gone.get(name, ()):
            w.removed(change.old)

    w.title(lf.country, props.identifier)
    for name in ("country", "short_name", "place"):
        text(name)
    for name, title in (("introduction", _("Introduction")), ("context", _("Context"))):
        if name in all_texts:
            w.doc.add_heading(title, 1)
            text(name)
    for ident in lf.chapters:
        text(walk.chapter_name(ident, "title"), "Heading 1")
        text(walk.chapter_name(ident, "text"))
    for key in lf.updates:
        text(f"updates.{key}")
    text("acknowledgements")
    for spec in DOMAINS:
        f = lf.domains.get(spec.key)
        if f is None:
            continue
        w.doc.add_heading(f"{spec.number}. {_(spec.short_name)}", 1)
        for part, title in (("well_developed", _("Well-developed areas")),
                            ("potential", _("Areas with potential for further development"))):
            items = getattr(f, part)
            if items is None:
                continue
            w.doc.add_heading(title, 2)
            for i in range(1, len(items) + 1):
                text(walk.entry(f"{spec.key}.{part}", i), "List Bullet")
            removed(f"{spec.key}.{part}")
        for n, area in enumerate(f.areas, 1):
            text(walk.area_name(spec.key, n, "title"), "Heading 2")
            for i in range(1, len(area.findings) + 1):
                text(walk.entry(walk.area_name(spec.key, n, "findings"), i), "List Bullet")
            removed(walk.area_name(spec.key, n, "findings"))
    if lf.sources:
        w.doc.add_heading(_("Key sources"), 1)
        for i in range(1, len(lf.sources) + 1):
            text(walk.entry("sources", i))
            text(f"{walk.entry('sources', i)}.short")
    if lf.acronyms:
        w.doc.add_heading(_("List of acronyms"), 1)
        for key in lf.acronyms:
            w._run(w.paragraph(), key, plain_mod.Look(strong=True))
            text(f"acronyms.{key}")
    return w.finish()
