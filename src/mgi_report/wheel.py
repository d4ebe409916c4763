"""The domain wheel: six segments, drawn by matplotlib as SVG, cached on disk.

The wheel's geometry (where each segment and its label sit) is computed
here without matplotlib, so the HTML can lay link areas over the image.
matplotlib is imported only when a wheel must actually be drawn; drawn
wheels are kept in a content-addressed cache (``.cache/wheels``).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .domains import BRAND_RGB, DOMAINS
from .resources import CACHE, FONTS

# Figure geometry, in data units: ring radii and the visible box.
R_OUT, R_IN = 1.0, 0.42
XLIM, YLIM = 2.35, 1.32
FIG_W = 8.0  # inches; height follows the box's aspect ratio
FONT_FILE = "NotoSans-Regular.ttf"
FONT_FAMILY = "Noto Sans"
SCHEMA = "wheel-4"  # bump when the drawing code changes


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
    font_family: str = FONT_FAMILY

    def key(self) -> str:
        h = hashlib.sha256(repr((SCHEMA, self)).encode())
        return h.hexdigest()[:24]


def mid_angle(index: int, rtl: bool) -> float:
    """Angle (degrees, maths convention) of the middle of segment ``index`` (0-5)."""
    angle = 60.0 - 60.0 * index
    return 180.0 - angle if rtl else angle


def link_boxes(wheel: Wheel) -> list[tuple[int, float, float, float, float]]:
    """(number, left%, top%, width%, height%) of a clickable box per segment.

    Each box covers the middle of the segment and, when labels are drawn,
    the label beside it; percentages are of the image's width and height.
    """
    boxes = []
    for i, seg in enumerate(wheel.segments):
        a = math.radians(mid_angle(i, wheel.rtl))
        cx, cy = 0.72 * math.cos(a), 0.72 * math.sin(a)
        x0, x1, y0, y1 = cx - 0.26, cx + 0.26, cy - 0.22, cy + 0.22
        if wheel.labels:
            lx = 1.12 * math.cos(a)
            if math.cos(a) > 0.1:
                x1 = max(x1, lx + 1.15)
            elif math.cos(a) < -0.1:
                x0 = min(x0, lx - 1.15)
        left = (x0 + XLIM) / (2 * XLIM) * 100
        width = (x1 - x0) / (2 * XLIM) * 100
        top = (YLIM - y1) / (2 * YLIM) * 100
        height = (y1 - y0) / (2 * YLIM) * 100
        boxes.append((seg.number, round(left, 2), round(top, 2), round(width, 2),
                      round(height, 2)))
    return boxes


def _wrap(label: str, width: int = 20) -> str:
    return "\n".join(textwrap.wrap(label, width=width, break_long_words=False)) or label


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
          "font.family": wheel.font_family, "font.size": 11}
    with matplotlib.rc_context({k: v for k, v in rc.items() if k in matplotlib.rcParams}):
        fig = Figure(figsize=(FIG_W, FIG_W * YLIM / XLIM))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(-XLIM, XLIM)
        ax.set_ylim(-YLIM, YLIM)
        ax.set_aspect("equal")
        ax.axis("off")
        for i, seg in enumerate(wheel.segments):
            mid = mid_angle(i, wheel.rtl)
            on = wheel.highlight in (None, seg.number)
            ax.add_patch(Wedge((0, 0), R_OUT, mid - 30, mid + 30, width=R_OUT - R_IN,
                               facecolor=seg.color if on else "#d9dde2",
                               edgecolor="white", linewidth=3))
            a = math.radians(mid)
            r = (R_OUT + R_IN) / 2
            ax.text(r * math.cos(a), r * math.sin(a), str(seg.number), ha="center",
                    va="center", fontsize=22, fontweight="bold",
                    color="white" if on else "#8a939c")
            if wheel.labels:
                cos = math.cos(a)
                ha = "left" if cos > 0.1 else "right" if cos < -0.1 else "center"
                ax.text(1.1 * cos, 1.1 * math.sin(a), _wrap(seg.label), ha=ha,
                        va="center", fontsize=11.5, linespacing=1.25,
                        fontweight="bold" if wheel.highlight == seg.number else "normal",
                        color="#1d2731" if on else "#7c8690")
        ax.add_patch(Circle((0, 0), R_IN - 0.04, facecolor=BRAND_RGB, edgecolor="none"))
        ax.text(0, 0, wheel.centre, ha="center", va="center", fontsize=17,
                fontweight="bold", color="white")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    transparent=True)
    return buf.getvalue().encode()


def svg(wheel: Wheel, cache: Path | None = None) -> bytes:
    """A wheel's SVG, from the cache when it was drawn before."""
    folder = (cache or CACHE) / "wheels"
    path = folder / f"{wheel.key()}.svg"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = draw(wheel)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".wheel-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
    return data
