"""XLIFF 1.2 out and in: a translation as the CAT tools of translators read it
(Trados, memoQ, OmegaT, Weblate, Okapi all read 1.2).

``export``: one ``<file original="SLUG/LANG.yaml">`` whose ``<trans-unit>``\\ s
are the units of ``units`` (``id``: the text's name; ``resname``: a finding's
identifier; ``approved="yes"`` where translated), each with its ``<source>``,
its ``<target state=…>`` (1.2's ``translated``, ``needs-review-translation``,
``needs-translation``) and notes:
where it stands (domain, list, number, id, GCM objectives) and what changed in
the source since the stamp. Inline markup is codes a CAT tool protects
(``inline``): ``<g ctype="bold|italic|link">`` around the words it marks,
``<ph ctype="x-citation">[^id]</ph>`` and ``<ph ctype="x-code">``, ``<x
ctype="lb"/>`` between paragraphs, numbered alike in source and target.

``import_file`` (xliff import) takes the file back: the target of every unit whose
text changed, each inline code once and as the source has it, into
``edits`` for ``content/rewrite.py``. A bad file is every problem at once,
``FILE:UNIT: message`` or ``FILE:LINE:COL: message``; nothing is written.
XML is built and parsed with lxml, never by hand: no DTD, no entity, no network,
at most MAX_BYTES read, and a DOCTYPE refused before parsing.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..content import tree as contents
from ..content.rewrite import canonical
from ..errors import Problem
from ..files import reads
from ..resources import VERSION
from . import inline
from .translation import other_language
from .units import Pair, Unit

NS = "urn:oasis:names:tc:xliff:document:1.2"
_X = f"{{{NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The largest XLIFF read (a profile's is some hundreds of kilobytes).
MAX_BYTES = 8_000_000
#: States a translator's tool sets on a reviewed target (1.2's): stamped on import.
REVIEWED = ("translated", "signed-off", "final")
_CTYPE = {"strong": "bold", "em": "italic", "link": "link", "cite": "x-citation",
          "code": "x-code", "para": "lb"}


class Located(Problem):
    """A problem in an exchanged file: ``path:line:col: message``, or where
    ``line`` is 0, ``path:unit: message`` (the unit's id in ``col``'s place)."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.line == 0 else super().__str__()


def at_unit(shown: str, unit: str, message: str) -> Located:
    return Located(f"{shown}:{unit}", 0, 0, message)


def at_line(shown: str, line: int, col: int, message: str) -> Located:
    return Located(shown, max(line, 1), max(col, 1), message)


# ------------------------------------------------------------ export


def _fill(element: etree._Element, lexed: inline.Lexed) -> None:
    """The runs of a text as the element's content: words and inline codes."""
    stack = [element]
    last: etree._Element | None = None  # the element whose tail takes text

    def text(s: str) -> None:
        if last is None or last is stack[-1]:
            stack[-1].text = (stack[-1].text or "") + s
        else:
            last.tail = (last.tail or "") + s

    for run in lexed.runs:
        if isinstance(run, str):
            text(run)
            continue
        number, how = run
        code = lexed.codes[number]
        if how == "open":
            last = etree.SubElement(stack[-1], _X + "g", id=str(number), ctype=_CTYPE[code.kind])
            stack.append(last)
        elif how == "close":
            last = stack.pop()
        elif code.kind == "para":
            last = etree.SubElement(stack[-1], _X + "x", id=str(number), ctype="lb")
        else:
            last = etree.SubElement(stack[-1], _X + "ph", id=str(number),
                                    ctype=_CTYPE[code.kind])
            last.text = code.open


def _unit(body: etree._Element, unit: Unit) -> None:
    attrs = {"id": unit.name}
    if unit.finding is not None:
        attrs["resname"] = unit.finding.id
    if unit.state == "translated":  # what tools that read only `approved` (Weblate) see
        attrs["approved"] = "yes"
    tu = etree.SubElement(body, _X + "trans-unit", attrs)
    source = inline.lex(unit.source)
    _fill(etree.SubElement(tu, _X + "source"), source)
    if unit.target is not None:
        target = etree.SubElement(tu, _X + "target", state=unit.state)
        _fill(target, inline.match(source, inline.lex(unit.target)))
    if unit.place != unit.name:
        etree.SubElement(tu, _X + "note", {"from": "mgi-report"}).text = unit.place
    if unit.changed:
        etree.SubElement(tu, _X + "note", {"from": "mgi-report", "annotates": "source",
                                           "priority": "1"}).text = unit.changed


def export(pair: Pair) -> bytes:
    """The XLIFF 1.2 document of a translation."""
    root = etree.Element(_X + "xliff", version="1.2", nsmap={None: NS})
    file = etree.SubElement(root, _X + "file", {
        "original": f"{pair.slug}/{pair.lang}.yaml", "source-language": pair.source.lang,
        "target-language": pair.lang, "datatype": "plaintext", "tool-id": "mgi-report"})
    header = etree.SubElement(file, _X + "header")
    etree.SubElement(header, _X + "tool", {"tool-id": "mgi-report", "tool-name": "mgi-report",
                                           "tool-version": VERSION})
    etree.SubElement(header, _X + "note").text = (
        f"Migration Governance Profile {pair.slug}: {pair.lang}.yaml, a translation of "
        f"{pair.source.lang}.yaml. Keep every inline code (citations, emphasis, links); "
        "set a reviewed unit's state to translated. Import with "
        f"`mgi-report xliff import FILE`.")
    body = etree.SubElement(file, _X + "body")
    for unit in pair.units:
        _unit(body, unit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ------------------------------------------------------------ import


@dataclass
class Read:
    """What an XLIFF file says: its profile and language, and per unit id (in
    the file's order) its element, source element and target element."""

    slug: str
    lang: str
    units: dict[str, tuple[etree._Element, etree._Element | None, etree._Element | None]]


def parse(path: Path, shown: str, problems: list[Problem]) -> etree._Element | None:
    """The XML of an XLIFF file, read safely; None (and why, in ``problems``)
    for a file too large, with a DOCTYPE or entity, or no XML at all."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read: never opened
            problems.append(at_line(shown, 1, 1, f"cannot read the file: it is "
                                    f"{reads.kind_of(st.st_mode)}, not a regular file"))
            return None
        size = st.st_size
        if size > MAX_BYTES:
            problems.append(at_line(shown, 1, 1, f"the file is {size:,} bytes; the limit is "
                                    f"{MAX_BYTES:,}"))
            return None
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        problems.append(at_line(shown, 1, 1, f"cannot read the file: {exc.strerror}"))
        return None
    if len(data) > MAX_BYTES:
        problems.append(at_line(shown, 1, 1, f"the file is over {MAX_BYTES:,} bytes"))
        return None
    text = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", "replace").encode("utf-8")
    for word in (b"<!DOCTYPE", b"<!ENTITY"):
        at = text.find(word)
        if at >= 0:
            line = text.count(b"\n", 0, at) + 1
            col = at - (text.rfind(b"\n", 0, at) + 1) + 1
            problems.append(at_line(shown, line, col, "a DOCTYPE or entity declaration: "
                                    "refused (an XLIFF file needs none, and a DTD or entity "
                                    "could read other files or expand without end)"))
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (1, 1)
        problems.append(at_line(shown, line, col, f"not well-formed XML: {exc.msg}"))
        return None
    if root.getroottree().docinfo.doctype:  # pragma: no cover - refused above
        problems.append(at_line(shown, 1, 1, "a DOCTYPE: refused"))
        return None
    return root


def units_of(root: etree._Element, shown: str, problems: list[Problem]) -> Read | None:
    """The profile, language and units an XLIFF 1.2 document holds."""
    if root.tag != _X + "xliff" or root.get("version") != "1.2":
        problems.append(at_line(shown, root.sourceline or 1, 1, "not an XLIFF 1.2 document "
                                f"(<xliff version=\"1.2\" xmlns=\"{NS}\">)"))
        return None
    files = root.findall(_X + "file")
    if len(files) != 1:
        problems.append(at_line(shown, root.sourceline or 1, 1, f"{len(files)} <file> "
                                "elements; an export of mgi-report has one, of one profile"))
        return None
    file = files[0]
    original = file.get("original") or ""
    slug, _, name = original.rpartition("/")
    if not slug or "/" in slug or not name.endswith(".yaml"):
        problems.append(at_line(shown, file.sourceline or 1, 1, f"<file original=\"{original}"
                                "\"> names no language file of a profile (COUNTRY/LANG.yaml)"))
        return None
    lang = name[:-len(".yaml")]
    if file.get("target-language") not in (None, lang):
        problems.append(at_line(shown, file.sourceline or 1, 1, "target-language "
                                f"\"{file.get('target-language')}\" is not that of {original}"))
        return None
    found: dict = {}
    for tu in file.iter(_X + "trans-unit"):
        ident = tu.get("id") or ""
        if ident in found:
            problems.append(at_line(shown, tu.sourceline or 1, 1, f"the unit id `{ident}` is "
                                    f"used twice (first on line {found[ident][0].sourceline})"))
            continue
        found[ident] = (tu, tu.find(_X + "source"), tu.find(_X + "target"))
    return Read(slug, lang, found)


def _runs(element: etree._Element, out: list, problems: list[str]) -> None:
    """An element's content as runs: text, and (id, how, element) for its codes.
    A segment marker (``<mrk>``, as segmenting tools add) is looked through."""
    if element.text:
        out.append(element.text)
    for child in element:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        ident = child.get("id", "")
        if tag == "g":
            out.append((ident, "open", child))
            _runs(child, out, problems)
            out.append((ident, "close", child))
        elif tag in ("ph", "x"):
            out.append((ident, "alone", child))
        elif tag == "mrk":
            _runs(child, out, problems)
        elif tag:
            problems.append(f"<{tag}> (line {child.sourceline}) is no inline code of this "
                            "file (<g>, <ph>, <x>)")
        if child.tail:
            out.append(child.tail)


def text_of(element: etree._Element, table: inline.Lexed, strict: bool
            ) -> tuple[str | None, list[str]]:
    """An element's text with its codes as the markup ``table`` numbers them,
    and what is wrong with them (then no text). ``strict``: every code of
    ``table``'s source once, none other (a changed target)."""
    problems: list[str] = []
    runs: list = []
    _runs(element, runs, problems)
    out: list[str] = []
    typed: set[int] = set()  # which of ``out`` are words (not codes)
    seen: dict[int, int] = {}
    for run in runs:
        if isinstance(run, str):
            typed.add(len(out))
            out.append(run)
            continue
        ident, how, child = run
        number = int(ident) if ident.isdigit() else None
        code = table.codes.get(number) if number is not None else None
        tag = etree.QName(child).localname
        if code is None:
            problems.append(f"inline code <{tag} id=\"{ident}\"> is not in the source text "
                            "(added)")
            continue
        if how != "close":
            seen[number] = seen.get(number, 0) + 1
        if (tag == "g") != code.paired or (tag == "x") != (code.kind == "para"):
            problems.append(f"inline code {ident} is broken: a <{tag}> where the source has "
                            f"{code.shown()}")
            continue
        if tag == "ph" and (child.text or "") != code.open:
            problems.append(f"inline code {ident} is broken: <ph> holds `{child.text or ''}`,"
                            f" not {code.shown()}")
            continue
        out.append(code.close if how == "close" else code.open)
    for number, count in seen.items():
        if count > 1:
            problems.append(f"inline code {number} ({table.codes[number].shown()}) is there "
                            f"{count} times; the source has it once")
    if strict:
        sources = {n for n in table.codes if n <= table.source_count}
        for number in sorted(sources - set(seen)):
            code = table.codes[number]
            what = "the citation" if code.kind == "cite" else "inline code"
            problems.append(f"{what} {code.shown()} (code {number}) of the source is missing"
                            " from the translation")
        for number in sorted(set(seen) - sources):
            problems.append(f"inline code {number} ({table.codes[number].shown()}) is not in "
                            "the source text (added)")
    if problems:
        return None, problems
    text = canonical("".join(out))
    want = sorted(repr(table.codes[n]) for n in seen)
    if strict and sorted(repr(c) for c in inline.lex(text).codes.values()) != want:
        # words that read as markup (`*`, `[^id]` typed as text) are escaped: text they stay
        text = canonical("".join(_escape(x) if k in typed else x for k, x in enumerate(out)))
        if sorted(repr(c) for c in inline.lex(text).codes.values()) != want:
            return None, [("the words of the translation read as markup the codes do not "
                           "give; keep markup in the inline codes")]
    return text, problems


def _escape(words: str) -> str:
    return "".join("\\" + ch if ch in "\\*_`[" else ch for ch in words)


def _expected(read: Read, file: etree._Element, content: Path, shown: str,
              want: tuple[str | None, str | None], problems: list[Problem]) -> Pair | None:
    """The translation an XLIFF file is of, read; None (and why) for another
    profile or language than asked, or one the content tree does not have."""
    from ..errors import UsageError
    from .units import load

    def wrong(message: str) -> None:
        problems.append(at_line(shown, file.sourceline or 1, 1, message))

    slug, lang = read.slug, read.lang
    if want[0] and want[0] != slug or want[1] and want[1] != lang:
        wrong(f"this file is of {slug}/{lang}.yaml, not {want[0] or slug}/{want[1] or lang}"
              ".yaml")
        return None
    tree = contents.countries(content)
    if slug not in tree:
        wrong(f"this file is of the profile `{slug}`, which {contents.shown_path(content)} "
              f"does not have (profiles: {', '.join(tree) or 'none'})")
        return None
    try:
        pair = load(content, slug, lang)
    except UsageError as exc:
        wrong(f"this file is of {slug}/{lang}.yaml: {exc}")
        return None
    if file.get("source-language") not in (None, pair.source.lang):
        wrong(f"source-language \"{file.get('source-language')}\": {slug}/{lang}.yaml is a "
              f"translation of {pair.source.lang}.yaml")
        return None
    return pair


def import_file(path: Path, content: Path, slug: str | None = None,
                lang: str | None = None) -> list[str]:
    """``xliff import``: the translations of an XLIFF file written into their
    language file, stamped when every unit is reviewed; what was done, in
    lines. Raises ContentError with every problem (nothing written)."""
    from ..errors import ContentError
    from . import writeback

    shown = contents.shown_path(path)
    problems: list[Problem] = []
    root = parse(path, shown, problems)
    read = units_of(root, shown, problems) if root is not None else None
    pair = _expected(read, root.find(_X + "file"), content, shown, (slug, lang), problems) \
        if read is not None and root is not None else None
    if pair is None:
        raise ContentError(problems)
    expected = {u.name: u for u in pair.units}
    edits: dict[str, str] = {}
    pending = [u.name for u in pair.units if u.state not in REVIEWED and u.name not in read.units]
    for ident, (tu, src, tgt) in read.units.items():
        def bad(message: str, ident: str = ident) -> None:
            problems.append(at_unit(shown, ident, message))
        unit = expected.get(ident)
        if unit is None:
            bad(f"no such text in {pair.slug}/{pair.lang}.yaml and its source (unknown unit)")
            continue
        lexed = inline.lex(unit.source)
        lexed.source_count = len(lexed.codes)
        stext, wrong = text_of(src, lexed, False) if src is not None else (None, ["no <source>"])
        if stext != unit.source:
            bad("its <source> is not the text of " + pair.source.path.name + " now (it changed "
                "since the export, or the file is another profile's): export again" +
                ("; " + "; ".join(wrong) if wrong else ""))
            continue
        state = tgt.get("state") if tgt is not None else None
        if state is None:  # a tool that keeps only `approved`
            state = "translated" if tu.get("approved") == "yes" else unit.state
        if state not in REVIEWED:
            pending.append(ident)
        if tgt is None:
            continue
        if unit.target is None and "".join(tgt.itertext()).strip():
            bad(f"{pair.lf.path.name} has no text here yet (its list is shorter than the "
                "source's): add the entry to the YAML, then import its translation")
            continue
        table = inline.match(lexed, inline.lex(unit.target or ""))
        text, wrong = text_of(tgt, table, strict=False)
        if text is not None and text == unit.target:
            continue  # as it is in the language file
        text, wrong = text_of(tgt, table, strict=True)
        for message in wrong:
            bad(message)
        if text == "" and not wrong:
            bad("the translation is empty")
        elif text is not None and (why := other_language(text, pair.lang, identify=False)):
            bad(f"the translation is not in `{pair.lang}`: {why}")
        elif text is not None:
            edits[ident] = text
    if problems:
        raise ContentError(problems)
    changed = writeback.write(pair.lf, pair.lang, edits, lambda n, m: at_unit(shown, n, m), Located)
    where = contents.shown_path(pair.lf.path)
    return [f"{where}: {len(edits)} text(s) written" if changed else f"{where}: unchanged",
            f"{where}: " + writeback.stamp_if_reviewed(content, pair, pending)]
