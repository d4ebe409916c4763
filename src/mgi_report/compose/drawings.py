"""The drawings one profile shows, sized and placed as its pages show them.

Its wheels (``profile_wheels``: one per domain chapter, the full wheel with
its names and links, the cover's) and its chapters' figures
(``chapter_figures``: the key-data charts, the MiGOF framework, the
assessment process). Each is drawn once and then read from the drawings'
caches (wheel.svg, figures.svg). ``profile.context`` places them on the
pages; the batch calls the same two functions before its workers start, so
that the workers only read the caches (they never import matplotlib).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content.domains import BRAND_RGB, DOMAINS
from ..content.yamlsource import MAX_FILE_BYTES
from ..files import reads
from ..text import i18n
from . import chapters, wheel
from .job import Job


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


#: The types of the images profile.yaml may name (a logo, a cover photo).
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg"}


def file_uri(path: Path) -> str:
    """An image of the content (checked when it was read) as a data: URI."""
    return data_uri(reads.read(path, MAX_FILE_BYTES), IMAGE_TYPES[path.suffix.lower()])


def _fit_size(svg_bytes: bytes, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (mm) that fit a drawn wheel into max_w x max_h."""
    box = wheel.drawn_box(svg_bytes)
    ratio = box["x"] / box["y"]
    w = min(max_w, max_h * ratio)
    return round(w, 2), round(w / ratio, 2)


@dataclass(frozen=True)
class Wheels:
    """A profile's wheels, each as the page shows it: ``src`` (the image),
    ``size`` (mm), ``labels`` (the names, set as HTML) and ``links`` (areas)."""

    domains: dict[int, dict[str, Any]]  # domain number -> its chapter's wheel
    full: dict[str, Any]  # the wheel page's, with every domain's name
    cover: dict[str, Any]  # the cover's, without names


def profile_wheels(job: Job) -> Wheels:
    """The wheels a profile shows, in its layout's language and direction."""
    lang = job.lang
    _ = i18n.translations(lang).gettext
    rtl = i18n.direction(lang) == "rtl"
    segments = tuple(wheel.Segment(d.number, _(d.short_name), d.rgb) for d in DOMAINS)
    centre = _("MGI")
    family = wheel.ARABIC_FAMILY if lang == "ar" else wheel.FONT_FAMILY

    def figure(highlight: int | None, max_w: float, max_h: float, labels: bool = True,
               label_pt: float = wheel.LABEL_PT) -> dict[str, Any]:
        w = wheel.Wheel(segments, highlight, labels, rtl, centre, family,
                        label_pt=label_pt * wheel.optical_scale(family), lang=lang)
        data = wheel.svg(w, job.cache)
        size = _fit_size(data, max_w, max_h)
        return {"src": data_uri(data, "image/svg+xml"), "size": size,
                "labels": wheel.label_overlays(w, data, size),
                "links": wheel.link_boxes(w, data)}

    return Wheels(domains={d.number: figure(d.number, 48.0, 52.0, label_pt=16)
                           for d in DOMAINS},
                  full=figure(None, 150.0, 92.0),
                  cover=figure(None, 86.0, 62.0, labels=False))


def chapter_figures(job: Job) -> dict[str, Any]:
    """The chapters' figures, under the names the layout gives them: the
    key-data charts (with their tables), the framework and the process."""
    tr = i18n.translations(job.lang)
    rtl = i18n.direction(job.lang) == "rtl"
    return {
        "key_data": chapters.key_data(job.profile.key_data, job.lang, tr, BRAND_RGB, job.cache,
                                      rtl, job.doc.key_data_sources),
        "framework_figure": chapters.framework_figure(tr, rtl, [d.deep_rgb for d in DOMAINS],
                                                      job.cache, job.lang),
        "process_figure": chapters.process_figure(tr, rtl, BRAND_RGB, job.cache, job.lang),
    }
