"""A logo file (or a cover photograph: publication) checked before it is printed: its size, that it is the image its
name says (every row of a PNG decoded; an SVG's root element), that an SVG
refers to nothing outside itself, and that the renderer can draw it.

Used by ``parse`` for profile.yaml's ``logo``; apart from parsing, because it
reads image files, not YAML.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

import PIL.Image
import PIL.ImageFile

from ..files import reads
from .yamlsource import MAX_FILE_BYTES

MAX_IMAGE_PIXELS = 25_000_000  # a logo (an A4 page at 300 dpi is 8.7 million)

_OUTSIDE_REF = re.compile(  # href="…", url(…), @import "…" other than #id or data:
    r"""(?:href\s*=\s*["']|url\(\s*["']?|@import\s*["']?)\s*(?!#|data:)([^"')\s>]*)""",
    re.IGNORECASE)


#: The raster images a logo (PNG) or a cover photograph (PNG, JPEG) may be.
_RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def logo_problem(path: Path) -> str | None:
    """Why a logo file cannot be printed as it is, or None: too big, not an image,
    or an SVG that refers to anything but itself (it would be refused)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
    data = reads.read(path, MAX_FILE_BYTES)
    kind = _RASTER.get(path.suffix.lower())
    if kind is not None:
        try:
            with warnings.catch_warnings():  # the size is checked here, below
                warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)
                image = PIL.Image.open(io.BytesIO(data), formats=[kind])
            with image:
                width, height = image.size  # from the header: nothing decoded yet
                if width * height > MAX_IMAGE_PIXELS:
                    return (f"the image is {width:,} x {height:,} pixels; the limit is "
                            f"{MAX_IMAGE_PIXELS:,} pixels")
                # Every row: a truncated or corrupt file fails here (WeasyPrint's
                # import tells Pillow to fill in missing rows, so this says otherwise).
                lenient, PIL.ImageFile.LOAD_TRUNCATED_IMAGES = \
                    PIL.ImageFile.LOAD_TRUNCATED_IMAGES, False
                try:
                    image.load()
                finally:
                    PIL.ImageFile.LOAD_TRUNCATED_IMAGES = lenient
        except PIL.UnidentifiedImageError:
            return f"not a {kind} image"
        except Exception as exc:  # Pillow raises many kinds
            detail = str(exc).split("\n")[0][:80]
            return f"not a {kind} image, or not a complete one ({type(exc).__name__}: {detail})"
        return None
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"not an SVG image ({exc})"
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return "not an SVG image (its root element is not <svg>)"
    if ref := _OUTSIDE_REF.search(data.decode("utf-8", "replace")):
        return f"refers to `{ref[1] or ref[0]}`; a logo must not refer to other files or URLs"
    return None


def drawing_problem(path: Path) -> str | None:
    """Why the renderer could not draw a logo that passed the checks above."""
    from ..engine.images import image_problem

    kind = _RASTER.get(path.suffix.lower())
    mime = f"image/{kind.lower()}" if kind else "image/svg+xml"
    return image_problem(reads.read(path, MAX_FILE_BYTES), mime)


def image_file(vnode, rep, folder: Path, what: str, suffixes: tuple[str, ...],
               kinds: str, shown=str) -> Path | None:
    """The image a key of profile.yaml names (``logo``, ``cover_photo.file``),
    checked: a file inside the profile's folder, of one of ``suffixes``
    (``kinds`` says which in the message), passing ``logo_problem`` and
    ``drawing_problem``; its resolved path, or None with the problem reported
    at ``vnode`` (its name as ``shown`` gives it)."""
    from . import values

    name = values.text(vnode, rep, what)
    if name is None:
        return None
    candidate = folder / name
    if not candidate.resolve().is_relative_to(folder.resolve()) or not candidate.is_file():
        rep.at(vnode, f"{what} must name a file inside {folder.name}/, "
               f"and `{shown(name)}` is not one")
    elif candidate.suffix.lower() not in suffixes:
        rep.at(vnode, f"{what} must be {kinds} file")
    elif problem := logo_problem(candidate) or drawing_problem(candidate):
        rep.at(vnode, f"{what} {shown(name)}: {problem}")
    else:
        return candidate.resolve()
    return None
