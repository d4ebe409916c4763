"""The web edition's drawings as inline SVG: the wheel whose six domains are
links, and the key-data charts with their figures as SVG text.

Both start from the very drawings the PDFs show, from the same caches
(``compose.wheel.svg``, ``compose.figures.svg``: drawn once, read back after):
matplotlib draws the shapes without words, and where the PDF sets the words as
page text over the image, the web edition sets them as SVG text at the same
places, so that the browser shapes them (Arabic included), scales them with the
drawing and a screen reader finds them. Each domain's wedge, number and name
become one ``<a>`` (keyboard-focusable, named by ``aria-label``: "Domain 1:
Migrants' rights", which holds the words it shows, "1 Migrants' rights"); ids of
matplotlib's are dropped (a page may hold several drawings).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"


def _q(tag: str) -> str:
    """A tag as the drawings hold it once read (``_root``: without namespace; an
    HTML page puts an inline ``<svg>`` in the SVG namespace itself)."""
    return tag


def _root(data: bytes) -> ET.Element:
    """Our own drawing (a cache entry checked by its digest) as an element tree:
    the XML declaration, comments and DOCTYPE left out (no entity is declared)."""
    text = data.decode("utf-8")
    text = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.DOTALL)
    root = ET.fromstring(text)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return root


#: The style properties matplotlib writes, each also an SVG presentation attribute.
PRESENTATION = {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-linejoin",
                "stroke-linecap", "stroke-opacity", "opacity", "font-weight", "font-size",
                "font-family", "font-style", "text-anchor"}


def _clean(root: ET.Element) -> None:
    """matplotlib's ids (``figure_1``, ``patch_3``) and sizes out: the drawing
    takes its width from the page and keeps its viewBox's proportions; its
    inline styles become presentation attributes (which the site's style
    sheet overrides, e.g. a focused wedge's outline; no ``style`` attribute)."""
    for el in root.iter():
        el.attrib.pop("id", None)
        style = el.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name in PRESENTATION and value:
                el.set(name, value)
    for attr in ("width", "height", "version"):
        root.attrib.pop(attr, None)


def _serialise(root: ET.Element) -> Markup:
    text = ET.tostring(root, encoding="unicode")
    return Markup(re.sub(r">\n\s*<", "><", text))  # matplotlib's indentation only


def from_uri(uri: str) -> bytes:
    """The SVG bytes of a ``data:image/svg+xml;base64,`` URI (compose's drawings)."""
    head, _, body = uri.partition(",")
    if not head.startswith("data:image/svg+xml;base64"):
        raise ValueError("not an SVG data: URI")
    return base64.b64decode(body)


def _view(root: ET.Element) -> tuple[float, float]:
    _x, _y, w, h = (float(v) for v in root.get("viewBox", "0 0 1 1").split())
    return w, h


def wheel(full: dict, links: list[dict], label: str, rtl: bool, lang: str) -> Markup:
    """The full wheel (``full``: compose's drawing of it, ``src``, ``size`` and
    ``labels``) with each domain a link: ``links`` in domain order, each with
    ``href``, ``name`` (its accessible name) and ``key``. ``label``: what the
    whole figure is (its ``aria-label``)."""
    root = _root(from_uri(full["src"]))
    width, height = _view(root)
    axes = root.find(f"{_q('g')}/{_q('g')}")
    if axes is None:
        raise ValueError("not a wheel drawn by compose.wheel")
    groups = list(axes)
    patches = [g for g in groups if (g.get("id") or "").startswith("patch_")]
    texts = [g for g in groups if (g.get("id") or "").startswith("text_")]
    if len(patches) != 7 or len(texts) != 7:
        raise ValueError("a wheel has six wedges, a centre and seven texts")
    by_number = {lab["number"]: lab for lab in full["labels"]}
    size_w = full["size"][0]
    unit = width / size_w  # user units per millimetre of the PDF's figure
    for i, link in enumerate(links):
        anchor = ET.Element(_q("a"), {"href": link["href"], "class": f"wedge d{i + 1}",
                                      "aria-label": link["name"]})
        wedge, number = patches[i], texts[i]
        for path in wedge.iter(_q("path")):
            path.set("class", "wedge-shape")
        axes.remove(wedge)
        axes.remove(number)
        anchor.append(wedge)
        anchor.append(number)
        lab = by_number.get(i + 1)
        for part in _label(lab, width, height, unit, lang) if lab is not None else ():
            anchor.append(part)
        for part in list(anchor)[1:]:
            # a space between the number and each line of the name (not drawn:
            # text outside <text>), so that the link's words read "1 Whole-of-
            # government approach", as its name says them (label in name)
            part.tail = " "
        axes.append(anchor)
    centre_shape, centre_text = patches[6], texts[6]
    axes.remove(centre_shape)
    axes.remove(centre_text)
    axes.append(centre_shape)
    axes.append(centre_text)  # on top, not a link: the programme's name
    _trim(root, full, width, height, unit)
    _clean(root)
    root.set("class", "wheel")
    root.set("role", "group")
    root.set("aria-label", label)
    root.set("overflow", "visible")
    return _serialise(root)


def _trim(root: ET.Element, full: dict, width: float, height: float, unit: float) -> None:
    """The drawing's height cut to what it shows: matplotlib centres the ring
    in a box as tall as its tallest name on either side (the PDF lays the page
    out so); on a page the blank band above or below it would only push the
    caption away."""
    from ..compose.wheel import R_OUT

    ring = (R_OUT + 0.03) / (2 * _box_y(full)) * height  # half the ring's height
    top, bottom = height / 2 - ring, height / 2 + ring
    for lab in full["labels"]:
        first = lab["top"] / 100 * height
        last = first + lab["line_mm"] * unit * (len(lab["lines"]) + 0.3)
        top, bottom = min(top, first), max(bottom, last)
    top, bottom = top - 4, bottom + 4
    root.set("viewBox", f"0 {top:.2f} {width:.2f} {bottom - top:.2f}")


def _box_y(full: dict) -> float:
    """The drawing's half height in ring radii (wheel.drawn_box's ``y``)."""
    from ..compose import wheel as wheels

    return wheels.drawn_box(from_uri(full["src"]))["y"]


def _label(lab: dict, width: float, height: float, unit: float,
           lang: str) -> list[ET.Element]:
    """A domain's name as SVG text where the PDF sets it (wheel.label_overlays):
    a ``<text>`` per line, anchored on the side towards the ring."""
    size = lab["font_mm"] * unit
    line = lab["line_mm"] * unit
    left = lab["left"] / 100 * width
    box_w = lab["width"] / 100 * width
    anchor = {"left": "start", "right": "end"}.get(lab["align"], "middle")
    x = left if anchor == "start" else left + box_w if anchor == "end" else left + box_w / 2
    top = lab["top"] / 100 * height
    out = []
    for n, content in enumerate(lab["lines"]):
        text = ET.Element(_q("text"), {
            "class": "wheel-name", "x": f"{x:.2f}", "y": f"{top + (0.8 + n) * line:.2f}",
            "font-size": f"{size:.2f}", "text-anchor": anchor, "direction": "ltr",
            "lang": lang})
        text.text = content
        out.append(text)
    return out


#: The bars' figures and years, as the PDF sets them (6.5 pt in a chart 70 mm
#: wide, layouts/profile.css): a little larger on a screen, where the chart is
#: shown at the column's width.
CHART_TEXT_PT = 7.5


def chart(drawn: dict, label: str, lang: str) -> Markup:
    """A key-data chart (compose.chapters' ``chart``: ``src`` and its ``bars``,
    each with its figure ``text`` and ``year``, placed in percent) with its
    figures and years as SVG text. ``label``: the chart's accessible name (its
    figures are in the table beside it)."""
    root = _root(from_uri(drawn["src"]))
    width, height = _view(root)
    pt = width / (drawn["size"][0] / 25.4 * 72)  # user units per point
    size = CHART_TEXT_PT * pt
    words = ET.Element(_q("g"), {"class": "chart-text", "font-size": f"{size:.2f}",
                                 "text-anchor": "middle", "direction": "ltr"})
    for bar in drawn["bars"]:
        if bar.get("label"):
            x = (bar["label_left"] + bar["label_width"] / 2) / 100 * width
            y = bar["value_top"] / 100 * height + 0.9 * size
            ET.SubElement(words, _q("text"), {"x": f"{x:.2f}", "y": f"{y:.2f}",
                                              "class": "bar-value"}).text = bar["text"]
        if bar.get("year_label"):
            x = (bar["year_left"] + bar["year_width"] / 2) / 100 * width
            y = bar["year_top"] / 100 * height + 0.9 * size
            ET.SubElement(words, _q("text"), {"x": f"{x:.2f}", "y": f"{y:.2f}",
                                              "class": "bar-year"}).text = str(bar["year"])
    root.append(words)
    _clean(root)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("lang", lang)
    root.set("overflow", "visible")
    return _serialise(root)


__all__ = ["chart", "from_uri", "wheel"]
