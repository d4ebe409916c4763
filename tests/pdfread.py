"""Read PDFs back the way a reader or a print shop would see them."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
from pypdf import PdfReader

#: (file, its time and size) -> its pages' text: pypdf takes seconds over a
#: profile, and many tests read the same session-built PDF.
_TEXTS: dict[tuple[str, int, int], tuple[str, ...]] = {}


def page_texts(path: Path) -> list[str]:
    """Each page's text as pypdf extracts it (read once per file as it is now)."""
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _TEXTS:
        _TEXTS[key] = tuple(page.extract_text() or "" for page in PdfReader(path).pages)
    return list(_TEXTS[key])


def text(path: Path) -> str:
    return "\n".join(page_texts(path))


def flat(s: str) -> str:
    """Text with hyphenation at line ends undone and white space folded."""
    s = re.sub(r"(\w)[\u2010\u00ad]\n(\w)", r"\1\2", s)  # hyphenation
    s = re.sub(r"(\w)-\n(\w)", r"\1-\2", s)  # a hard hyphen at a line end stays
    return " ".join(s.split())


def fonts(path: Path) -> dict[str, bool]:
    """Base font name -> embedded?, for every font used on any page."""
    out: dict[str, bool] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for obj in _font_objects(page.obj):
                name = str(obj.get("/BaseFont", "?"))
                desc = obj.get("/FontDescriptor")
                if desc is None and "/DescendantFonts" in obj:
                    desc = obj.DescendantFonts[0].get("/FontDescriptor")
                embedded = desc is not None and any(
                    k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                out[name] = embedded
    return out


def _font_objects(node, seen=None):
    seen = seen if seen is not None else set()
    res = node.get("/Resources")
    if res is None:
        return
    for font in (res.get("/Font") or {}).values():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for xobj in (res.get("/XObject") or {}).values():
        if xobj.objgen not in seen and xobj.get("/Subtype") == "/Form":
            seen.add(xobj.objgen)
            yield from _font_objects(xobj, seen)


def outline(path: Path) -> list[tuple[int, str]]:
    """(level, title) of every bookmark, in order."""
    out = []

    def walk(items, level):
        for item in items:
            out.append((level, item.title))
            walk(item.children, level + 1)

    with pikepdf.open(path) as pdf:
        with pdf.open_outline() as ol:
            walk(ol.root, 1)
    return out
