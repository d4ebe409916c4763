"""The other figures: key-data bar charts, the MiGOF diagram, the assessment process.

Each figure is laid out here without matplotlib, in millimetres of the image
(origin bottom left): a tuple of shapes, and the boxes where the page sets its
words. Only the shapes are drawn, by matplotlib, as SVG without any text, so
one drawing serves every language; the words are HTML page text over the
image, as the wheel's names are (see wheel.label_overlays): shaped, kerned,
searchable, translated and mirrored by the page, not by matplotlib. The
shapes' tuple is the drawing's content address in the cache (``.cache/figures``):
matplotlib is imported only when a figure must actually be drawn.

Every function returns plain data for the templates: ``src`` (a ``data:`` URI
of the SVG), ``size`` (millimetres, the size to show it at) and boxes in
percent of the image (``left``, ``top``, ``width``, ``height``), all inside it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import itertools
import math
import re
from pathlib import Path

from ..content.domains import BRAND_RGB
from ..files import cachefile
from ..resources import cache_folder

Shape = tuple  # ("rect", (x, y, w, h), colour) | ("poly", ((x, y), ...), colour)
#                | ("line", ((x0, y0), (x1, y1)), colour, width_pt)

RULE = "#5b6670"  # baselines and zero lines: a house grey (black ink only in print)
CHART_SIZE = (70.0, 32.0)
CHART_PAD, YEAR_BAND, VALUE_BAND, BAR_MAX = 2.0, 5.5, 4.5, 9.0
#: The room one more row of figures takes above the bars (and under negative
#: ones), when neighbours' figures are staggered (chapters._values): a
#: 6.5 pt line and the space between rows.
VALUE_ROW = 3.3
#: The room a second row of years takes under the axis, where neighbouring
#: years (2023, 2024) are too close to share one (chapters._years).
YEAR_ROW = 2.6
FRAMEWORK_SIZE = (160.0, 80.0)
PROCESS_SIZE = (160.0, 36.0)
FRAMEWORK_KEYS = ("principle-1", "principle-2", "principle-3", "domains",
                  "objective-1", "objective-2", "objective-3")
PROCESS_KEYS = tuple(f"step-{n}" for n in range(1, 6))
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
MAX_CACHED = 4 << 20  # the largest figure the cache gives back (a chart is a few KB)


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's source and matplotlib's version: a change redraws every figure."""
    from importlib.metadata import version

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + version("matplotlib")


def _colour(value: str) -> str:
    """A screen colour, "#rrggbb" in lower case as matplotlib writes it (cmyk.PALETTE)."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"not a colour '#rrggbb': {value!r}")
    return value.lower()


def _rounded(shape):
    """Coordinates to the micrometre: a stable content address, a compact SVG."""
    if isinstance(shape, float):
        return round(shape, 3)
    return tuple(map(_rounded, shape)) if isinstance(shape, tuple) else shape


def _pct(size: tuple[float, float], x: float, y: float, w: float, h: float) -> dict:
    """A box in millimetres (x, y its bottom left corner, origin bottom left) in
    percent of the image from its top left corner, never reaching past it."""
    width, height = size
    left = round(max(0.0, x / width * 100), 2)
    top = round(max(0.0, (height - y - h) / height * 100), 2)
    return {"left": left, "top": top,
            "width": math.floor(min(w / width * 100, 100 - left) * 100) / 100,
            "height": math.floor(min(h / height * 100, 100 - top) * 100) / 100}


def _labels(labels: dict, keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in labels]
    if missing:
        raise KeyError(f"figure labels missing: {', '.join(missing)}")


def draw(size: tuple[float, float], shapes: tuple[Shape, ...]) -> bytes:
    """Draw shapes (millimetres, origin bottom left) as SVG bytes (no cache).
    Imports matplotlib."""
    import matplotlib

    matplotlib.use("svg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon, Rectangle

    width, height = size
    rc = {"svg.hashsalt": "mgi-report", "svg.id": None}  # ids from a fixed salt
    with matplotlib.rc_context({k: v for k, v in rc.items() if k in matplotlib.rcParams}):
        fig = Figure(figsize=(width / 25.4, height / 25.4))
        fig.patch.set_visible(False)  # no background rectangle
        ax = fig.add_axes((0, 0, 1, 1))
        ax.axis("off")
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        for kind, geom, colour, *rest in shapes:
            if kind == "rect":
                x, y, w, h = geom
                ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, edgecolor="none",
                                       clip_on=False))
            elif kind == "poly":
                ax.add_patch(Polygon(geom, closed=True, facecolor=colour, edgecolor="none",
                                     clip_on=False))
            else:
                (x0, y0), (x1, y1) = geom
                ax.add_line(Line2D([x0, x1], [y0, y1], color=colour, linewidth=rest[0],
                                   solid_capstyle="butt", clip_on=False))
        buf = io.StringIO()
        fig.savefig(buf, format="svg", transparent=True,
                    metadata={k: None for k in ("Date", "Creator", "Format", "Type")})
    # As for the wheel: the style sheet matplotlib writes only restates defaults,
    # and WeasyPrint would match it against every node.
    text = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", buf.getvalue(), count=1)
    return text.encode()


def svg(size: tuple[float, float], shapes: tuple[Shape, ...], cache: Path | None = None) -> bytes:
    """A figure's SVG, from the cache when the same shapes were drawn before."""
    shapes = _rounded(shapes)
    key = hashlib.sha256(repr((_code_version(), size, shapes)).encode()).hexdigest()[:24]
    root = cache or cache_folder()
    data = cachefile.read(root, "figures", f"{key}.svg", key, MAX_CACHED)
    if data is not None:  # filed under these shapes' key, whole (cachefile)
        return data
    data = draw(size, shapes)
    cachefile.write(root, "figures", f"{key}.svg", key, data)
    return data


def _uri(data: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def chart(years: list[int], values: list[float], color: str, cache: Path | None = None,
          rtl: bool = False, rows: int = 1, draw: bool = True, year_rows: int = 1) -> dict:
    """One key-data indicator over its years as bars, without text.

    The bars stand where their years lie on a time axis (2015, 2018, 2020 are
    spaced by their gaps, not evenly), oldest on the left, or on the right when
    ``rtl`` (the axis runs in the reading direction, as the table beside it).
    ``bars`` are the bars' boxes, in year order, each with its ``year`` and
    ``value``, ``negative`` and its column (``column_left``, ``column_width``:
    as wide as the closest two years' gap, centred on the bar, to centre its
    year and value in). Room is left above the bars for the values and, under
    negative bars, below them; the years go under the baseline (``baseline``,
    percent from the top, the top of the years' row). ``zero`` is where the
    zero line is, which is drawn (thinner) only when a value is negative;
    otherwise it is the baseline. ``rows``: how many rows of figures the room
    above the bars (and under negative ones) holds; ``draw=False`` lays the
    bars out without drawing them (``src`` is None), to try a number of rows;
    ``year_rows``: how many rows of years the room under the axis holds
    (``year_row``: one row's height, percent of the image).
    """
    if len(years) != len(values) or not years:
        raise ValueError("a chart needs as many values as years, and at least one")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise ValueError(f"not numbers: {values!r}")
    color = _colour(color)
    pairs = sorted(zip(years, values), key=lambda p: p[0])
    width, height = CHART_SIZE
    low, high = min(0, min(values)), max(0, max(values))
    if high - low and not math.isfinite(height / (high - low)):
        # figures so small (1e-320) that a float cannot scale them up: in proportion
        pairs = [(y, v / (high - low)) for y, v in pairs]
        values = [v for _y, v in pairs]
        low, high = min(0, min(values)), max(0, max(values))
    negative = low < 0
    band = VALUE_BAND + (max(1, rows) - 1) * VALUE_ROW
    year_band = YEAR_BAND + (max(1, year_rows) - 1) * YEAR_ROW
    y_lo = year_band + (band if negative else 0.0)
    scale = (height - band - y_lo) / ((high - low) or 1.0)
    zero = y_lo - low * scale
    first, last = pairs[0][0], pairs[-1][0]
    gap = min((b[0] - a[0] for a, b in itertools.pairwise(pairs)), default=1) or 1
    per_year = (width - 2 * CHART_PAD) / (last - first + gap)  # mm per year
    column = gap * per_year
    bar_w = min(0.62 * column, BAR_MAX)
    shapes: list[Shape] = []
    bars = []
    for year, value in pairs:
        centre = CHART_PAD + column / 2 + (year - first) * per_year
        if rtl:
            centre = width - centre
        x = centre - bar_w / 2
        y, h = zero + min(0, value) * scale, abs(value) * scale
        if h > 0:  # a zero is a bar of no height: its box, but nothing drawn
            shapes.append(("rect", (x, y, bar_w, h), color))
        col = _pct(CHART_SIZE, centre - column / 2, 0, column, height)
        bars.append({**_pct(CHART_SIZE, x, y, bar_w, h), "year": year, "value": value,
                     "negative": value < 0, "column_left": col["left"],
                     "column_width": col["width"], "centre": round(centre / width * 100, 2)})
    shapes.append(("line", ((CHART_PAD, year_band), (width - CHART_PAD, year_band)), RULE, 0.75))
    if negative:
        shapes.append(("line", ((CHART_PAD, zero), (width - CHART_PAD, zero)), RULE, 0.5))
    src = _uri(svg(CHART_SIZE, tuple(shapes), cache)) if draw else None
    return {"src": src, "size": CHART_SIZE, "bars": bars, "rtl": rtl, "rows": rows,
            "year_rows": year_rows, "year_row": round(YEAR_ROW / height * 100, 2),
            "baseline": round((height - year_band) / height * 100, 2),
            "zero": round((height - zero) / height * 100, 2)}


def framework(labels: dict, rtl: bool, colors: list[str], cache: Path | None = None) -> dict:
    """MiGOF: three principles above, three objectives below (domains 1-3 and
    4-6, in ``colors``), each joined by a thin line of its colour to a central
    band, the six domains. Mirrored when ``rtl`` (principle 1 on the right).

    ``labels`` maps every key of FRAMEWORK_KEYS (``principle-1`` ... ``domains``
    ... ``objective-3``) to its text; the result's ``labels`` are the boxes to
    set them in, inside each box or the band, in that order.
    """
    _labels(labels, FRAMEWORK_KEYS)
    if len(colors) != 6:
        raise ValueError(f"six domain colours, not {len(colors)}")
    colors = [_colour(c) for c in colors]
    width, height = FRAMEWORK_SIZE
    margin, gap, box_h, band_h = 1.0, 8.0, 27.0, 9.0
    box_w = (width - 2 * margin - 2 * gap) / 3
    band_y = (height - band_h) / 2
    rows = (("principle", height - margin - box_h, colors[:3]), ("objective", margin, colors[3:]))
    shapes: list[Shape] = [("rect", (margin, band_y, width - 2 * margin, band_h), BRAND_RGB)]
    out = []
    for kind, y, row_colors in rows:
        for i, colour in enumerate(row_colors):
            x = margin + i * (box_w + gap)
            if rtl:
                x = width - x - box_w
            cx = x + box_w / 2
            ends = (y, band_y + band_h) if kind == "principle" else (y + box_h, band_y)
            shapes.append(("rect", (x, y, box_w, box_h), colour))
            shapes.append(("line", ((cx, ends[0]), (cx, ends[1])), colour, 1.2))
            key = f"{kind}-{i + 1}"
            out.append({"key": key, "text": labels[key],
                        **_pct(FRAMEWORK_SIZE, x + 2.5, y + 2.0, box_w - 5.0, box_h - 4.0)})
    band = {"key": "domains", "text": labels["domains"],
            **_pct(FRAMEWORK_SIZE, margin + 2.5, band_y + 0.5, width - 2 * margin - 5.0,
                   band_h - 1.0)}
    data = svg(FRAMEWORK_SIZE, tuple(shapes), cache)
    return {"src": _uri(data), "size": FRAMEWORK_SIZE, "labels": out[:3] + [band] + out[3:]}


def process(labels: dict, rtl: bool, color: str, cache: Path | None = None) -> dict:
    """The assessment's five steps as a row of chevrons in ``color``, pointing
    in the reading direction (step 1 on the right when ``rtl``).

    ``labels`` maps ``step-1`` ... ``step-5`` to the steps' names; the result's
    ``labels`` (in step order) are the boxes under each chevron for the names,
    each with its ``number`` (from its position) and ``number_box``, the
    chevron's body, to set the number in.
    """
    _labels(labels, PROCESS_KEYS)
    color = _colour(color)
    width, height = PROCESS_SIZE
    margin, tip, gap, chev_h = 1.0, 6.0, 1.5, 14.0
    body = (width - 2 * margin - tip - 4 * gap) / 5
    y0, y1 = height - margin - chev_h, height - margin
    ym = (y0 + y1) / 2

    def mx(x: float, w: float = 0.0) -> float:
        """Where x (or a span from x, w wide) lies in the reading direction."""
        return width - x - w if rtl else x

    shapes: list[Shape] = []
    out = []
    for i, key in enumerate(PROCESS_KEYS):
        x = margin + i * (body + gap)
        points = [(x, y0), (x + body, y0), (x + body + tip, ym), (x + body, y1), (x, y1)]
        if i:
            points.append((x + tip, ym))  # the notch the previous tip points into
        shapes.append(("poly", tuple((mx(px), py) for px, py in points), color))
        # The name's column and the number's box, centred under and in the
        # chevron as the eye sees it (from its notch to its tip).
        column = x + (tip - gap) / 2 + 0.5
        out.append({"key": key, "text": labels[key], "number": i + 1,
                    **_pct(PROCESS_SIZE, mx(column, body + gap - 1.0), margin,
                           body + gap - 1.0, y0 - 2.0 - margin),
                    "number_box": _pct(PROCESS_SIZE, mx(x + tip, body - tip), y0,
                                       body - tip, chev_h)})
    data = svg(PROCESS_SIZE, tuple(shapes), cache)
    return {"src": _uri(data), "size": PROCESS_SIZE, "labels": out}


__all__ = ["chart", "framework", "process", "draw", "svg", "FRAMEWORK_KEYS", "PROCESS_KEYS"]
