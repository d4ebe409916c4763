"""The domain wheel: six segments, drawn by matplotlib as SVG, cached on disk.

The wheel's geometry (where each segment and its label sit) is computed
here without matplotlib, so the HTML can lay link areas over the image.
matplotlib is imported only when a wheel must actually be drawn; drawn
wheels are kept in a content-addressed cache (``.cache/wheels``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..content.domains import BRAND_RGB
from ..files import cachefile
from ..resources import FONTS, cache_folder

# Figure geometry, in ring radii; the visible box is fitted to the labels.
R_OUT, R_IN = 1.0, 0.42
LABEL_R, LABEL_PT = 1.08, 13
FIG_W = 8.0  # inches; height follows the box's aspect ratio
FONT_FILE = "NotoSans-Regular.ttf"
FONT_FAMILY: tuple[str, ...] = ("Noto Sans",)
ARABIC_FAMILY: tuple[str, ...] = ("Noto Sans Arabic", "Noto Sans")


#: The regular face of each family the wheel and the body may be set in.
FAMILY_FILES = {"Noto Sans": "NotoSans-Regular.ttf",
                "Noto Sans Arabic": "NotoSansArabic-Regular.ttf",
                "Noto Naskh Arabic": "NotoNaskhArabic-Regular.ttf"}
#: Arabic letters without ascender, descender or dots: their bowls' height
#: stands for an x-height where a font declares none.
ARABIC_BOWLS = "\u0647\u0645\u0635\u0633\u0648"  # heh meem sad seen waw


def _bowls(family: str) -> float:
    """The mean height of ARABIC_BOWLS' isolated forms in ``family``, in ems."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / FAMILY_FILES[family], lazy=True)
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    tops = []
    for ch in ARABIC_BOWLS:
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(ch)]].draw(pen)
        tops.append(pen.bounds[3])
    return sum(tops) / len(tops) / font["head"].unitsPerEm


@functools.lru_cache(maxsize=None)
def x_height(family: str) -> float:
    """The family's x-height in ems, as its designers declare it (OS/2). Noto
    Naskh Arabic declares none: it is Noto Sans Arabic's, in the ratio of the
    two families' bowls (ARABIC_BOWLS; Naskh's are 0.91 of Sans Arabic's)."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / FAMILY_FILES[family], lazy=True)
    declared = font["OS/2"].sxHeight / font["head"].unitsPerEm
    if declared:
        return declared
    return x_height("Noto Sans Arabic") * _bowls(family) / _bowls("Noto Sans Arabic")


def optical_scale(family: tuple[str, ...]) -> float:
    """How much larger than Latin text a name in ``family`` is set for the two
    to look the same size: the ratio of their x-heights (Arabic letters sit
    lower and smaller on the same body)."""
    return round(x_height(FONT_FAMILY[0]) / x_height(family[0]), 3)


@dataclass(frozen=True)
class Segment:
    number: int
    label: str
    color: str


@dataclass(frozen=True)
class Wheel:
    segments: tuple[Segment, ...]
    highlight: int | None = None  # domain number, or None for all in colour
    labels: bool = True  # names beside the ring
    rtl: bool = False  # segments run counter-clockwise, labels mirrored
    centre: str = "MGI"
    font_family: tuple[str, ...] = FONT_FAMILY
    label_pt: float = LABEL_PT  # larger for wheels shown small
    lang: str = "en"  # the names' language: where their lines may break

    def key(self) -> str:
        """Content address: the wheel's inputs and the code that draws it."""
        h = hashlib.sha256(repr((_code_version(), self)).encode())
        return h.hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's source and matplotlib's version: a change redraws every wheel."""
    from importlib.metadata import version

    src = Path(__file__).read_bytes()
    return hashlib.sha256(src).hexdigest() + version("matplotlib")


def mid_angle(index: int, rtl: bool) -> float:
    """Angle (degrees, maths convention) of the middle of segment ``index`` (0-5)."""
    angle = 60.0 - 60.0 * index
    return 180.0 - angle if rtl else angle


def anchor(index: int, rtl: bool) -> tuple[str, str]:
    """How segment ``index``'s name sits against the ring, as matplotlib's
    (ha, va): beside it (left/right), above (bottom), below (top), or centred."""
    a = math.radians(mid_angle(index, rtl))
    cos, sin = math.cos(a), math.sin(a)
    ha = "left" if cos > 0.1 else "right" if cos < -0.1 else "center"
    va = "bottom" if sin > 0.5 else "top" if sin < -0.5 else "center"
    return ha, va


_BOX_RE = re.compile(rb"<!-- mgi-wheel-box (\{.*?\}) -->")


def drawn_box(svg_bytes: bytes) -> dict:
    """What a drawn wheel covers, in ring radii: half width and height of the
    drawing ("x", "y") and each label's extent ("labels": {n: [x0, y0, x1, y1]})."""
    m = _BOX_RE.search(svg_bytes)
    if not m:
        raise ValueError("not a wheel drawn by this module")
    return json.loads(m[1])


def link_boxes(wheel: Wheel, svg_bytes: bytes) -> list[tuple[int, float, float, float, float]]:
    """(number, left%, top%, width%, height%) of a clickable box per segment.

    Each box covers the middle of the segment and, when labels are drawn,
    the label beside it; percentages are of the image's width and height.
    """
    boxes = []
    box = drawn_box(svg_bytes)
    xlim, ylim = box["x"], box["y"]
    for i, seg in enumerate(wheel.segments):
        a = math.radians(mid_angle(i, wheel.rtl))
        cx, cy = 0.72 * math.cos(a), 0.72 * math.sin(a)
        x0, x1, y0, y1 = cx - 0.26, cx + 0.26, cy - 0.22, cy + 0.22
        if str(seg.number) in box["labels"]:
            lx0, ly0, lx1, ly1 = box["labels"][str(seg.number)]
            x0, y0, x1, y1 = min(x0, lx0), min(y0, ly0), max(x1, lx1), max(y1, ly1)
        left = (x0 + xlim) / (2 * xlim) * 100
        width = (x1 - x0) / (2 * xlim) * 100
        top = (ylim - y1) / (2 * ylim) * 100
        height = (y1 - y0) / (2 * ylim) * 100
        boxes.append((seg.number, round(left, 2), round(top, 2), round(width, 2),
                      round(height, 2)))
    return boxes


def label_overlays(wheel: Wheel, svg_bytes: bytes, size_mm: tuple[float, float]) -> list[dict]:
    """The segment names, to set as HTML over the image (which is drawn without them).

    WeasyPrint lays out SVG text letter by letter and without bidi, so the
    names are page text instead: each label is a block of the lines matplotlib
    wrapped and measured, placed where matplotlib would have drawn it, with a
    known line height, so no layout has to align it vertically. Positions are
    percentages of the image (a box may reach past it on the side away from
    the ring); sizes are millimetres at the size the image is shown (``size_mm``).
    """
    box = drawn_box(svg_bytes)
    if not box.get("html_labels"):
        return []
    xlim, ylim = box["x"], box["y"]
    width_mm, height_mm = size_mm
    font_mm = wheel.label_pt * 25.4 / 72 * width_mm / (FIG_W * 25.4)
    mm = height_mm / (2 * ylim)  # millimetres per ring radius
    out = []
    for i, seg in enumerate(wheel.segments):
        if str(seg.number) not in box["labels"]:
            continue
        x0, y0, x1, y1 = box["labels"][str(seg.number)]
        lines = _label_text(wheel, seg).split("\n")
        align, va = anchor(i, wheel.rtl)
        # Room for the page's text measuring a little wider than matplotlib's,
        # on the side away from the ring (both sides for a centred label), even
        # beyond the image: a line wider than its box would spill towards the ring.
        slack = 0.25
        if align == "left":
            x1 += slack
        elif align == "right":
            x0 -= slack
        else:
            x0, x1 = x0 - slack / 2, x1 + slack / 2
        # matplotlib's line spacing, but no looser than 1.3 (it measures
        # Arabic lines unshaped, with the font's tall extents).
        measured = (y1 - y0) / len(lines)  # matplotlib's line, in ring radii
        line_mm = min(measured * mm, 1.3 * font_mm)
        line = line_mm / mm
        block = line * len(lines)  # the block's height in ring radii
        # Keep the text nearest the ring where matplotlib put it: below the
        # ring, the first line's top; above it, the last line's baseline
        # (matplotlib's box has a measured line's room under it, the page's
        # block a page line's); beside it, the middle.
        if va == "bottom":
            top = y0 + block + (measured - line)
        elif va == "top":
            top = y1
        else:
            top = (y0 + y1 + block) / 2 + (measured - line) / 2
        out.append({
            "number": seg.number, "lines": lines,
            "left": round((x0 + xlim) / (2 * xlim) * 100, 2),
            "top": round((ylim - top) / (2 * ylim) * 100, 2),
            "width": round((x1 - x0) / (2 * xlim) * 100, 2),
            "line_mm": round(line_mm, 3),
            "align": align,
            "on": wheel.highlight in (None, seg.number),
            "bold": wheel.highlight == seg.number,
            "font_mm": round(font_mm, 3),
        })
    return out


#: Words that do not end a line of a name: articles, prepositions, conjunctions.
CLINGING = {
    "en": "a an and at by for from in of on or the to with",
    "de": "am an auf aus bei das dem den der des die für im in mit oder und von zu zum zur",
    "fr": "à au aux avec d' de des du en et l' la le les par pour sur",
    "es": "a al con de del e el en la las los para por y",
    "ru": "а в во для до за и из к ко на о об от по при с со у",
    "ar": "في من إلى على عن مع",
}


def label_lines(label: str, lang: str, width: int) -> list[str]:
    """A name broken into lines of about ``width`` characters as a typesetter
    breaks it: no line ends on an article, preposition or conjunction, no
    short word stands alone on a line, and the lines are as even as those
    rules allow. (Every way of breaking a name of a few words is tried.)"""
    words = label.split(" ")  # a no-break space (joins.py) keeps its words together
    if len(words) <= 1:
        return words or [label]
    clinging = set(CLINGING.get(lang, "").split())

    def cost(lines: list[list[str]]) -> float:
        total = 0.0
        for line in lines:
            n = len(" ".join(line))
            total += max(0, n - width) ** 2 * 10 + max(0, width - n) ** 2 * 0.1
            if line[-1].lower() in clinging and line is not lines[-1]:
                total += 10_000
            if len(line) == 1 and len(line[0]) <= 3:
                total += 10_000
        return total + 8 * len(lines)

    best = min(breakings(words), key=cost)
    return [" ".join(line) for line in best]


def breakings(words: list[str]) -> Iterator[list[list[str]]]:
    """Every way of breaking ``words`` into lines (2 ** (len(words) - 1) of
    them: callers keep to a few words), each as its lines' words."""
    for mask in range(1 << (len(words) - 1)):
        lines, current = [], [words[0]]
        for i, word in enumerate(words[1:]):
            if mask >> i & 1:
                lines.append(current)
                current = [word]
            else:
                current.append(word)
        lines.append(current)
        yield lines


def _label_text(wheel: Wheel, seg: Segment) -> str:
    """A segment's name wrapped into lines (fewer characters a line when large)."""
    width = 18 if wheel.label_pt / optical_scale(wheel.font_family) <= LABEL_PT else 15
    return "\n".join(label_lines(seg.label, wheel.lang, width))


def draw(wheel: Wheel) -> bytes:
    """Draw a wheel as SVG bytes (no cache). Imports matplotlib."""
    import matplotlib

    matplotlib.use("svg", force=True)
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Wedge

    for name in os.listdir(FONTS):
        if name.endswith(".ttf"):
            font_manager.fontManager.addfont(str(FONTS / name))
    rc = {"svg.fonttype": "none", "svg.hashsalt": "mgi-report", "svg.id": None,
          "font.family": list(wheel.font_family), "font.size": 11}
    with matplotlib.rc_context({k: v for k, v in rc.items() if k in matplotlib.rcParams}):
        fig = Figure(figsize=(FIG_W, FIG_W))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_aspect("equal")
        ax.axis("off")
        fig.patch.set_visible(False)  # no background rectangle
        for i, seg in enumerate(wheel.segments):
            mid = mid_angle(i, wheel.rtl)
            on = wheel.highlight in (None, seg.number)
            ax.add_patch(Wedge((0, 0), R_OUT, mid - 30, mid + 30, width=R_OUT - R_IN,
                               facecolor=seg.color if on else "#d9dde2",
                               edgecolor="white", linewidth=3, clip_on=False))
            a = math.radians(mid)
            r = (R_OUT + R_IN) / 2
            ax.text(r * math.cos(a), r * math.sin(a), str(seg.number), ha="center",
                    va="center", fontsize=22, fontweight="bold",
                    color="white" if on else "#8a939c")
            if wheel.labels:
                ha, va = anchor(i, wheel.rtl)
                ax.text(LABEL_R * math.cos(a), LABEL_R * math.sin(a), _label_text(wheel, seg),
                        ha=ha, va=va,
                        gid=f"label-{seg.number}", fontsize=wheel.label_pt, linespacing=1.15,
                        fontweight="bold" if wheel.highlight == seg.number else "normal",
                        color="#1d2731" if on else "#7c8690")
        ax.add_patch(Circle((0, 0), R_IN - 0.04, facecolor=BRAND_RGB, edgecolor="none",
                            clip_on=False))
        ax.text(0, 0, wheel.centre, ha="center", va="center", fontsize=17,
                fontweight="bold", color="white")
        xlim, ylim, labels = _fit(fig, ax)
        if wheel.labels:
            # Measured, not drawn: the page sets the names as text over the
            # image (see label_overlays).
            for t in list(ax.texts):
                if (t.get_gid() or "").startswith("label-"):
                    t.remove()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", transparent=True,
                    metadata={k: None for k in ("Date", "Creator", "Format", "Type")})
    # WeasyPrint matches a style sheet against every node of an SVG: the one
    # matplotlib writes only restates defaults for strokes that set their own.
    text = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", buf.getvalue(), count=1)
    head, sep, rest = text.partition("?>")
    box = json.dumps({"x": round(xlim, 4), "y": round(ylim, 4), "labels": labels,
                      "html_labels": wheel.labels},
                     sort_keys=True, separators=(",", ":"))
    return (head + sep + f"\n<!-- mgi-wheel-box {box} -->" + rest).encode()


def _fit(fig, ax) -> tuple[float, float, dict[str, list[float]]]:
    """Size the drawing to the ring and every label, centred on the ring.

    Labels are set in points, so their size in ring radii depends on the
    figure's scale: measure, resize, measure again until it settles.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    def apply(xlim: float, ylim: float) -> None:
        fig.set_size_inches(FIG_W, FIG_W * ylim / xlim)
        ax.set_xlim(-xlim, xlim)
        ax.set_ylim(-ylim, ylim)

    xlim = ylim = R_OUT + 0.03
    for _ in range(8):
        apply(xlim, ylim)
        renderer = canvas.get_renderer()
        inv = ax.transData.inverted()
        nx, ny = R_OUT + 0.03, R_OUT + 0.03
        labels = {}
        for t in ax.texts:
            (x0, y0), (x1, y1) = inv.transform(t.get_window_extent(renderer).get_points())
            nx = max(nx, abs(x0) + 0.04, abs(x1) + 0.04)
            ny = max(ny, abs(y0) + 0.04, abs(y1) + 0.04)
            gid = t.get_gid() or ""
            if gid.startswith("label-"):
                labels[gid[6:]] = [round(v, 4) for v in (x0, y0, x1, y1)]
        if abs(nx - xlim) < 1e-3 and abs(ny - ylim) < 1e-3:
            break
        xlim, ylim = max(nx, xlim), max(ny, ylim)
    apply(xlim, ylim)
    return xlim, ylim, labels


#: The largest wheel the cache gives back (a drawn wheel is about 10 KB).
MAX_CACHED = 4 << 20


def svg(wheel: Wheel, cache: Path | None = None) -> bytes:
    """A wheel's SVG, from the cache when it was drawn before (and the entry
    passes cachefile's checks: filed under this wheel's key, whole)."""
    root, key = cache or cache_folder(), wheel.key()
    data = cachefile.read(root, "wheels", f"{key}.svg", key, MAX_CACHED)
    if data is not None:
        return data
    data = draw(wheel)
    cachefile.write(root, "wheels", f"{key}.svg", key, data)
    return data
