"""Print colours: every colour of the layout and of the wheels as ``device-cmyk()``.

The print edition hands the print shop CMYK only. The brand and domain colours
have hand-picked CMYK values (``domains.py``); the house greys print with black
ink alone (K), so that small grey text uses one plate and cannot blur from
misregistration; any other colour is converted through the print edition's
output profile (FOGRA39, ``icc/``). The conversion rewrites CSS *values* only
(parsed with tinycss2), so selectors, strings and property names are untouched.
"""

from __future__ import annotations

import base64
import functools
import html as htmllib
import re

import tinycss2
from tinycss2.color5 import parse_color

from .domains import BRAND_CMYK, BRAND_RGB, DOMAINS

CMYK = tuple[float, float, float, float]

#: Screen colour (``#rrggbb``) -> the CMYK the print edition uses instead.
PALETTE: dict[str, CMYK] = {
    BRAND_RGB: BRAND_CMYK,
    **{d.rgb: d.cmyk for d in DOMAINS},
    **{d.deep_rgb: d.deep_cmyk for d in DOMAINS},
    "#ffffff": (0.0, 0.0, 0.0, 0.0),
    "#000000": (0.0, 0.0, 0.0, 1.0),
    "#1d2731": (0.0, 0.0, 0.0, 1.0),  # body text: solid black
    "#3a4652": (0.0, 0.0, 0.0, 0.85),  # imprint text
    "#5b6670": (0.0, 0.0, 0.0, 0.70),  # running header and footer
    "#9fc3e4": (0.35, 0.12, 0.0, 0.0),  # light blue on the brand colour
    "#c7dbee": (0.20, 0.06, 0.0, 0.0),
}

#: A colour whose channels differ by at most this much (of 255) is a grey: K only.
GREY_SPREAD = 24

#: Properties whose values may hold colours (plus custom properties, ``--*``).
_COLOR_PROPERTIES = {"color", "background", "fill", "stroke", "box-shadow", "text-shadow",
                     "caret-color", "stop-color", "flood-color", "lighting-color"}
_COLOR_PREFIXES = ("background-", "border", "outline", "text-decoration", "column-rule")


def _fmt(v: float) -> str:
    return f"{round(v, 3):g}"


def to_cmyk(r: float, g: float, b: float) -> CMYK:
    """An sRGB colour (channels 0..1) as the print edition's CMYK."""
    rgb = tuple(max(0, min(255, round(c * 255))) for c in (r, g, b))
    key = "#%02x%02x%02x" % rgb
    if key in PALETTE:
        return PALETTE[key]
    if max(rgb) - min(rgb) <= GREY_SPREAD:
        luma = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255
        return (0.0, 0.0, 0.0, round(1 - luma, 2))
    return _through_profile(rgb)


@functools.lru_cache(maxsize=256)
def _through_profile(rgb: tuple[int, int, int]) -> CMYK:
    from PIL import Image, ImageCms

    image = Image.new("RGB", (1, 1), rgb)
    out = ImageCms.applyTransform(image, _transform())
    return tuple(round(v / 255, 2) for v in out.getpixel((0, 0)))  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def _transform():
    from PIL import ImageCms

    from .resources import PRINT_PROFILE  # the profile of the print edition's output intent

    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), str(PRINT_PROFILE), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def css_cmyk(c: CMYK, alpha: float = 1.0) -> str:
    body = " ".join(_fmt(v) for v in c)
    return f"device-cmyk({body})" if alpha >= 1 else f"device-cmyk({body} / {_fmt(alpha)})"


# ----------------------------------------------------------------------- CSS


def _convert_value(tokens: list) -> list:
    out = []
    for token in tokens:
        if token.type in ("hash", "ident", "function"):
            color = parse_color(token)
            if (color is not None and not isinstance(color, str)
                    and color.space != "device-cmyk" and color.alpha > 0):
                r, g, b = color.to("srgb").coordinates
                token = tinycss2.parse_one_component_value(
                    css_cmyk(to_cmyk(r, g, b), color.alpha))
        elif token.type in ("() block", "[] block", "{} block") and token.content:
            token.content = _convert_value(token.content)
        out.append(token)
    return out


def _is_color_property(name: str) -> bool:
    return (name in _COLOR_PROPERTIES or name.startswith(_COLOR_PREFIXES)
            or name.startswith("--") or name.endswith("-color"))


def convert_declarations(text: str) -> str:
    """A declaration list (a ``style`` attribute, a rule's body) with CMYK colours."""
    parts = []
    for node in tinycss2.parse_blocks_contents(text):
        if node.type == "declaration":
            value = node.value
            if _is_color_property(node.lower_name):
                value = _convert_value(value)
            important = " !important" if node.important else ""
            parts.append(f"{node.name}:{tinycss2.serialize(value).rstrip()}{important};")
        elif node.type in ("qualified-rule", "at-rule"):
            parts.append(_convert_rule(node))
        elif node.type in ("whitespace", "comment"):
            parts.append(node.serialize())
        elif node.type == "error":
            continue
        else:
            parts.append(node.serialize())
    return "".join(parts)


def _convert_rule(rule) -> str:
    head = ("@" + rule.at_keyword if rule.type == "at-rule" else "") + tinycss2.serialize(
        rule.prelude)
    if rule.content is None:
        return head + ";"
    if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports", "layer"):
        body = convert_stylesheet(tinycss2.serialize(rule.content))
    else:
        body = convert_declarations(tinycss2.serialize(rule.content))
    return head + "{" + body + "}"


def convert_stylesheet(css: str) -> str:
    """A style sheet whose colour values are all ``device-cmyk()``."""
    out = []
    for rule in tinycss2.parse_stylesheet(css):
        if rule.type in ("qualified-rule", "at-rule"):
            out.append(_convert_rule(rule))
        elif rule.type == "error":
            continue
        else:
            out.append(rule.serialize())
    return "".join(out)


# ----------------------------------------------------------------------- SVG and HTML

_SVG_ATTR_RE = re.compile(
    r'\b(fill|stroke|stop-color|flood-color|lighting-color|color)="([^"]*)"')
_STYLE_ATTR_RE = re.compile(r'(\sstyle=")([^"]*)(")')
_STYLE_ELEM_RE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S | re.I)
_SVG_URI_RE = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def _attr_value(value: str) -> str:
    color = parse_color(value)
    if color is None or isinstance(color, str) or color.space == "device-cmyk":
        return value
    if color.alpha == 0:
        return value
    return css_cmyk(to_cmyk(*color.to("srgb").coordinates), color.alpha)


def _styles(text: str, unescape=htmllib.unescape, escape=htmllib.escape) -> str:
    text = _STYLE_ELEM_RE.sub(lambda m: m[1] + convert_stylesheet(m[2]) + m[3], text)
    return _STYLE_ATTR_RE.sub(
        lambda m: m[1] + escape(convert_declarations(unescape(m[2])), quote=True) + m[3], text)


def convert_svg(svg: bytes) -> bytes:
    """An SVG drawing (as written by matplotlib) with CMYK fills and strokes."""
    text = svg.decode("utf-8")
    text = _styles(text)
    text = _SVG_ATTR_RE.sub(lambda m: f'{m[1]}="{_attr_value(m[2])}"', text)
    return text.encode("utf-8")


def convert_html(html: str) -> str:
    """The composed HTML with every colour of its style sheet, ``style`` attributes
    and SVG images given in CMYK. Raster images are left as they are."""
    html = _styles(html)
    return _SVG_URI_RE.sub(
        lambda m: "data:image/svg+xml;base64," + base64.b64encode(
            convert_svg(base64.b64decode(m[1]))).decode("ascii"), html)


__all__ = ["PALETTE", "to_cmyk", "css_cmyk", "convert_stylesheet", "convert_declarations",
           "convert_svg", "convert_html"]
