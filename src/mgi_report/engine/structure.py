"""The structure tree of the tagged editions, as PDF/UA-1 (and PDF/A-3a) wants it.

WeasyPrint builds the tree page by page, from the boxes of each page: an HTML
element laid out over two pages becomes two structure elements, one per page,
side by side (its issues #2902 and #2903). It knows no footnotes, puts extra
kids into list items, and gives table header cells no scope. This module
mends that, in two steps:

- :func:`record_sources`, before writing: a hook on WeasyPrint's tree builder
  notes on each structure element the HTML element (and pseudo-element) it was
  made for, and gives each table header cell its ``Scope`` (``scope="row"``, or
  a column);
- :func:`conform`, in the finisher (``finishing.finish``), on the pydyf objects
  before the file is written:

  * the running header and footer (margin boxes: WeasyPrint marks them but
    leaves their elements out of the tree) become artifacts;
  * every footnote is a ``Note`` with a unique ``/ID``, moved from the foot of
    the page to just after its call, which is tagged ``Reference``: a reader
    meets the note where the text cites it;
  * elements split by a page break (same source, adjacent, on different
    pages) are merged into one, recursively: a paragraph, list or section is
    one element however many pages it spans;
  * a kid of an element's own type that is its only kid, or an anonymous box
    of its own HTML element, is spliced into it (WeasyPrint tags the anonymous
    box inside a flex heading as a second heading: H3 > [Span, H3 > Span]);
    elements with no content are dropped;
  * a list item holds only ``Lbl`` and one ``LBody``: anything else WeasyPrint
    put beside them (a block span, loose text) goes into the body;
  * the parent tree (marked content -> element) is rebuilt from the tree, and
    elements left out of it are emptied.

Should WeasyPrint change its tree builder, the hook does nothing and
tests/test_conformance.py, which validates every edition with an independent
validator, fails.
"""

from __future__ import annotations

import pydyf

#: The structure types a list item may hold (PDF/UA-1, ISO 32000-1 14.8.4.3.3).
LIST_ITEM_KIDS = ("/Lbl", "/LBody")


def record_sources() -> None:
    """Hook WeasyPrint's tree builder, once (see the module's docstring)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    original = getattr(tags, "_build_box_tree", None)
    if original is None or getattr(original, "mgi_sources", False):
        return

    def build_box_tree(box, *args, **kwargs):
        source = box._box if isinstance(box, AbsolutePlaceholder) else box
        for element in original(box, *args, **kwargs):
            # Inner calls yield first: an element keeps the box it was made for.
            if source.element is not None and not hasattr(element, "mgi_source"):
                element.mgi_source = (id(source.element), source.element_tag)
                if element.get("S") == "/TH" and isinstance(element.get("A"), dict):
                    row = (source.element.get("scope") or "").lower() == "row"
                    element["A"]["Scope"] = "/Row" if row else "/Column"
            yield element

    build_box_tree.mgi_sources = True  # type: ignore[attr-defined]
    tags._build_box_tree = build_box_tree


# ------------------------------------------------------------------ the finisher's part


def conform(pdf) -> None:
    """Mend the structure tree of a tagged PDF (see the module's docstring)."""
    from ..text.markup import NOTE_ELEMENT

    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf)
    tree.artifacts_for_orphans()
    tree.place_notes(NOTE_ELEMENT)
    tree.prune_empty()  # (the footnote areas, between the pages' parts of a section)
    tree.merge_split(tree.document)
    tree.merge_doubled()
    tree.list_items()
    tree.rebuild_parent_tree()


class _Tree:
    def __init__(self, pdf):
        self.pdf = pdf
        self.root = self.obj(pdf.catalog["StructTreeRoot"])
        self.document = self.obj(self.root["K"][0])
        self.pages = [self.obj(r) for r in pdf.page_references]
        self.page_index = {r: i for i, r in enumerate(pdf.page_references)}
        self._elements: dict[bytes, object] = {}  # reference -> element or None

    # -- access

    def obj(self, ref):
        if isinstance(ref, str):
            ref = ref.encode()
        return self.pdf.objects[int(ref.split()[0])]

    def element(self, kid):
        """The structure element a kid refers to, or None (an MCID, an MCR, an OBJR)."""
        if isinstance(kid, str):
            kid = kid.encode()
        if not isinstance(kid, bytes):
            return None
        try:
            return self._elements[kid]  # an object's type never changes here
        except KeyError:
            pass
        found = None
        if kid.endswith(b" R"):
            target = self.obj(kid)
            if isinstance(target, dict) and target.get("Type") == "/StructElem":
                found = target
        self._elements[kid] = found
        return found

    def elements(self):
        """Every element reachable from the root, parents before their kids."""
        todo, seen = [self.document], set()
        while todo:
            element = todo.pop()
            if id(element) in seen:
                continue
            seen.add(id(element))
            yield element
            kids = element.get("K")
            if isinstance(kids, list):
                todo.extend(e for k in reversed(kids) if (e := self.element(k)) is not None)

    def adopt(self, parent, kids: list, page) -> list:
        """``kids`` moved into ``parent``: elements get their new parent, marked
        content of another page than the parent's becomes a marked-content
        reference naming its page."""
        moved = []
        for kid in kids:
            if (child := self.element(kid)) is not None:
                child["P"] = parent.reference
            elif isinstance(kid, int) and page != parent.get("Pg"):
                kid = pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": kid})
            moved.append(kid)
        return moved

    def take(self, keeper, other) -> list:
        """``other``'s kids, adopted by ``keeper`` (which also gets what it lacks of
        ``other``'s alt text and attributes); ``other`` is left empty."""
        kids = self.adopt(keeper, list(other.get("K", [])), other.get("Pg"))
        for key, value in other.items():
            if key not in ("K", "P", "Pg"):
                keeper.setdefault(key, value)
        other["K"] = pydyf.Array()
        return kids

    def absorb(self, keeper, other) -> None:
        """``other``'s kids appended to ``keeper``'s; ``other`` emptied."""
        keeper["K"].extend(self.take(keeper, other))

    # -- the steps

    def artifacts_for_orphans(self) -> None:
        """Marked content whose element is not in the tree becomes an artifact
        (the running header and footer)."""
        reachable = {id(e) for e in self.elements()}
        nums = self.obj(self.root["ParentTree"])["Nums"]
        for key, refs in zip(nums[::2], nums[1::2]):
            if not isinstance(refs, list) or not isinstance(key, int) or key >= len(self.pages):
                continue
            orphans = {mcid for mcid, ref in enumerate(refs)
                       if (e := self.element(ref)) is not None and id(e) not in reachable}
            if not orphans:
                continue
            chunks = self.obj(self.pages[key]["Contents"]).stream
            for i in range(len(chunks) - 2, 0, -1):
                props = chunks[i]
                if (chunks[i + 1] == b"BDC" and isinstance(props, dict)
                        and props.get("MCID") in orphans):
                    chunks[i - 1:i + 2] = ["/Artifact", b"BMC"]

    def place_notes(self, note_tag: str) -> None:
        """Each footnote a ``Note`` with a unique ID, just after its call
        (tagged ``Reference``)."""
        calls, notes = {}, []
        for element in self.elements():
            source = getattr(element, "mgi_source", None)
            if source is None:
                continue
            if source[1] == f"{note_tag}::footnote-call":
                calls.setdefault(source[0], element)
            elif element.get("S") == "/Note":
                notes.append(element)
        for number, note in enumerate(notes, 1):
            note["ID"] = pydyf.String(f"note-{number}")
            call = calls.get(note.mgi_source[0])
            if call is None:
                continue
            call["S"] = "/Reference"
            old_parent, new_parent = self.obj(note["P"]), self.obj(call["P"])
            old_parent["K"][:] = [k for k in old_parent["K"] if self.element(k) is not note]
            at = next(i for i, k in enumerate(new_parent["K"]) if self.element(k) is call)
            new_parent["K"].insert(at + 1, note.reference)
            note["P"] = new_parent.reference

    def merge_split(self, parent) -> None:
        """Adjacent kids made from one source on different pages become one."""
        kids = parent.get("K")
        if not isinstance(kids, list):
            return
        kept: list = []
        for kid in kids:
            element = self.element(kid)
            previous = self.element(kept[-1]) if kept else None
            if (element is not None and previous is not None
                    and getattr(element, "mgi_source", None) is not None
                    and getattr(element, "mgi_source", None) ==
                    getattr(previous, "mgi_source", None)
                    and element.get("S") == previous.get("S")
                    and element.get("Pg") != previous.get("Pg")):
                self.absorb(previous, element)
                continue
            kept.append(kid)
        kids[:] = kept
        for kid in kept:
            if (element := self.element(kid)) is not None:
                self.merge_split(element)

    def merge_doubled(self) -> None:
        """A kid of the parent's own type, made from the parent's own HTML element
        (an anonymous box) or its only kid, is spliced into the parent."""
        for outer in list(self.elements()):
            source = getattr(outer, "mgi_source", None)
            changed = True
            while changed and isinstance(outer.get("K"), list):
                changed = False
                kids = outer["K"]
                for i, kid in enumerate(kids):
                    inner = self.element(kid)
                    if inner is None or inner.get("S") != outer.get("S") or not (
                            len(kids) == 1 or
                            (source is not None and getattr(inner, "mgi_source", None) == source)):
                        continue
                    kids[i:i + 1] = self.take(outer, inner)
                    changed = True
                    break

    def prune_empty(self) -> None:
        """Drop elements with no content (the empty marker and key spans, a
        footnote area whose notes moved to their calls). Kids before their
        parents, so that an element emptied by the pruning goes too."""
        for element in reversed(list(self.elements())):
            kids = element.get("K")
            if not isinstance(kids, list):
                continue
            kept = [k for k in kids if not ((e := self.element(k)) is not None
                                            and isinstance(e.get("K"), list) and not e["K"])]
            if len(kept) != len(kids):
                kids[:] = kept

    def list_items(self) -> None:
        """A list item holds ``Lbl`` and one ``LBody``; other kids go into the body."""
        for item in list(self.elements()):
            if item.get("S") != "/LI" or not isinstance(item.get("K"), list):
                continue
            body, kids = None, []
            for kid in item["K"]:
                element = self.element(kid)
                kind = element.get("S") if element is not None else None
                if kind == "/Lbl":
                    kids.append(kid)
                elif kind == "/LBody" and body is None:
                    body = element
                    kids.append(kid)
                elif kind == "/LBody":
                    self.absorb(body, element)
                else:
                    if body is None:
                        body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody",
                                                 "K": pydyf.Array(), "Pg": item.get("Pg"),
                                                 "P": item.reference})
                        self.pdf.add_object(body)
                        kids.append(body.reference)
                    body["K"].extend(self.adopt(body, [kid], item.get("Pg")))
            item["K"][:] = kids

    def rebuild_parent_tree(self) -> None:
        """Marked content and annotations -> the element that holds them, from the
        tree as it now is; elements no longer in the tree are emptied."""
        per_page: dict[int, dict[int, bytes]] = {i: {} for i in range(len(self.pages))}
        annotations: dict[int, bytes] = {}
        reachable = set()
        for element in self.elements():
            reachable.add(id(element))
            kids = element.get("K")
            for kid in kids if isinstance(kids, list) else [kids]:
                if isinstance(kid, int):
                    per_page[self.page_index[element["Pg"]]][kid] = element.reference
                elif isinstance(kid, dict) and kid.get("Type") == "/MCR":
                    per_page[self.page_index[kid["Pg"]]][kid["MCID"]] = element.reference
                elif isinstance(kid, (bytes, str)) and self.element(kid) is None:
                    target = self.obj(kid)
                    if isinstance(target, dict) and target.get("Type") == "/OBJR":
                        annotation = self.obj(target["Obj"])
                        if "StructParent" in annotation:
                            annotations[annotation["StructParent"]] = element.reference
        nums = pydyf.Array()
        for page, refs in per_page.items():
            nums.append(page)
            nums.append(pydyf.Array([refs.get(i, "null") for i in range(max(refs, default=-1) + 1)]))
        for key in sorted(annotations):
            nums.extend((key, annotations[key]))
        self.obj(self.root["ParentTree"])["Nums"] = nums
        self.root["ParentTreeNextKey"] = max([len(self.pages), *(k + 1 for k in annotations)])
        for obj in self.pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/StructElem" \
                    and id(obj) not in reachable and obj is not self.document:
                obj.clear()
