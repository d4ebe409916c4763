"""Print colours: the CMYK the print edition uses for each screen colour.

The print edition hands the print shop CMYK only. The brand and domain colours
have hand-picked CMYK values (``domains.py``); the house greys print with black
ink alone (K), so that small grey text uses one plate and cannot blur from
misregistration; any other colour is converted through the print edition's
output profile (FOGRA39, ``icc/``). The layout is the same for every edition,
in screen colours; ``finishing`` converts every colour of the drawn print PDF
with :func:`to_cmyk`.
"""

from __future__ import annotations

import functools

from ..content.domains import BRAND_CMYK, BRAND_RGB, DOMAINS

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

    from ..resources import PRINT_PROFILE  # the profile of the print edition's output intent

    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), str(PRINT_PROFILE), "RGB", "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


__all__ = ["PALETTE", "to_cmyk"]
