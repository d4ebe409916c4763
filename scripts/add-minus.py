"""Give the shipped Noto Sans faces a minus sign (U+2212), which the Debian
build of Noto Sans 2.004 lacks (its `plus` is there): the key-data tables and
charts print negatives with a true minus (compose/chapters.py, minus_sign).

The glyph is the plus sign's horizontal bar: the same advance (a digit's, so
figures stay tabular), side bearings, height and stroke. Run once, from the
repository's root, with the project's Python: `.venv/bin/python
scripts/add-minus.py`; a face that maps U+2212 already is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

FACES = ("Regular", "Bold", "Italic", "BoldItalic")


def add_minus(path: Path) -> bool:
    font = TTFont(path)
    cmap = font.getBestCmap()
    if 0x2212 in cmap:
        return False
    glyf = font["glyf"]
    plus = glyf[cmap[ord("+")]]
    points = list(plus.getCoordinates(glyf)[0])
    x0 = min(x for x, _y in points)
    x1 = max(x for x, _y in points)
    ys = sorted({y for x, y in points if x in (x0, x1)})  # the bar's edges at its ends
    y0, y1 = ys[0], ys[-1]
    pen = TTGlyphPen(None)
    # an italic's bar is a parallelogram of the plus's; a bar is level in every face
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()
    name = "minus"
    order = font.getGlyphOrder() + [name]
    font.setGlyphOrder(order)
    glyf[name] = pen.glyph()
    glyf.glyphOrder = order
    font["hmtx"][name] = font["hmtx"][cmap[ord("+")]]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x2212] = name
    font["maxp"].numGlyphs = len(order)
    if "post" in font and hasattr(font["post"], "extraNames"):
        font["post"].extraNames.append(name)
    for table in ("DSIG", "hdmx", "LTSH", "VDMX"):  # per-glyph tables and the old signature
        if table in font:
            del font[table]
    font.save(path)
    return True


def main() -> None:
    for face in FACES:
        path = Path("fonts") / f"NotoSans-{face}.ttf"
        print(path, "minus added" if add_minus(path) else "has a minus")


if __name__ == "__main__":
    main()
