"""Compose a profile's HTML: content + translated layout + wheels.

Templates are found through one loader with an ordered search path (user
layout folders first, then the built-in ``layouts/``), so a single
template can be overridden without copying the rest.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from ..content import changes
from ..content.domains import BRAND_RGB, DOMAINS
from ..content.yamlsource import MAX_FILE_BYTES
from ..errors import RenderError
from ..files import cachefile, reads
from ..resources import FONTS, LAYOUTS, VERSION, cache_folder
from ..text import i18n, markup
from . import chapters, tracked, wheel
from .job import Job


class BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates on disk (``.cache/jinja``), one entry per template,
    filed under its name and a digest of its source (Jinja's bucket key and
    checksum): a fresh process skips compiling them; an edited template is
    compiled again. Entries pass cachefile's checks before Jinja reads them
    (Jinja's own file cache unpickles whatever it finds), and a cache that
    cannot be written is skipped with cachefile's one warning."""

    MAX = 8 << 20  # the largest compiled template read back (they are a few KB)

    def __init__(self, root: Path):
        self.root = root

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = cachefile.read(self.root, "jinja", f"{bucket.key}.bc",
                              f"{bucket.key}-{bucket.checksum}", self.MAX)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cachefile.write(self.root, "jinja", f"{bucket.key}.bc",
                        f"{bucket.key}-{bucket.checksum}", bucket.bytecode_to_string())


class LayoutError(RenderError):
    """A layout that cannot be rendered: a syntax error, or something refused."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from the search path only: a template (or a folder on the way to
    it) that is a link to anywhere outside its layout folder is refused."""

    def get_source(self, environment: jinja2.Environment, template: str):
        from jinja2.loaders import split_template_path

        pieces = split_template_path(template)  # refuses `..`
        for root in self.searchpath:  # the one Jinja would read, checked before it is read
            candidate = Path(root, *pieces)
            if candidate.is_file():
                real = candidate.resolve()
                if not real.is_relative_to(Path(root).resolve()):
                    raise jinja2.sandbox.SecurityError(
                        f"the template {template} is a link to {real}, outside the layout "
                        "folders")
                break
        return super().get_source(environment, template)


#: The longest text or list a layout expression may make (``"x" * n``, ``[0] * n``).
MAX_LAYOUT_VALUE = 1_000_000


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox: no Python internals, no mutation of what the
    template is given, no unsafe string formatting; and no operator that makes
    a huge value (a layout may come from anyone)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise jinja2.sandbox.SecurityError(f"the power ** {right} is too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and \
                        len(seq) * n > MAX_LAYOUT_VALUE:
                    raise jinja2.sandbox.SecurityError(
                        f"a value of {len(seq) * n:,} items is too large "
                        f"(the limit is {MAX_LAYOUT_VALUE:,})")
        return super().call_binop(context, operator, left, right)


@functools.lru_cache(maxsize=16)
def environment(layouts: tuple[Path, ...], lang: str,
                cache: Path | None = None) -> jinja2.Environment:
    env = Sandbox(
        loader=ConfinedLoader([*map(str, layouts), str(LAYOUTS)]),
        bytecode_cache=BytecodeCache(cache or cache_folder()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal (safe inside <style>: no quote, backslash or '<' left raw)."""
    out = []
    text = text.unescape() if isinstance(text, Markup) else str(text)
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _fit_size(svg_bytes: bytes, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (mm) that fit a drawn wheel into max_w x max_h."""
    box = wheel.drawn_box(svg_bytes)
    ratio = box["x"] / box["y"]
    w = min(max_w, max_h * ratio)
    return round(w, 2), round(w / ratio, 2)


def context(job: Job) -> dict[str, Any]:
    lang = job.lang
    tr = i18n.translations(lang)
    _ = tr.gettext
    doc = job.doc
    rtl = i18n.direction(lang) == "rtl"
    text_lang = job.fallback_from or lang
    segments = tuple(wheel.Segment(d.number, _(d.short_name), d.rgb) for d in DOMAINS)
    centre = _("MGI")
    family = wheel.ARABIC_FAMILY if lang == "ar" else wheel.FONT_FAMILY

    def figure(highlight: int | None, max_w: float, max_h: float, labels: bool = True,
               label_pt: float = wheel.LABEL_PT) -> dict[str, Any]:
        """A wheel as the page shows it: image, size (mm), HTML labels, link areas."""
        w = wheel.Wheel(segments, highlight, labels, rtl, centre, family,
                        label_pt=label_pt * wheel.optical_scale(family), lang=lang)
        data = wheel.svg(w, job.cache)
        size = _fit_size(data, max_w, max_h)
        return {"src": _data_uri(data, "image/svg+xml"), "size": size,
                "labels": wheel.label_overlays(w, data, size),
                "links": wheel.link_boxes(w, data)}

    notes = doc.notes()

    review = job.extra.get("tracked")  # {"rev", "changes"}: the review PDF (tracked.py)
    marks = {"added": _("added"), "changed": _("changed"), "removed": _("removed")}

    def cited(items: list[str] | None, where: str | None = None) -> list[Markup] | None:
        if review is not None and where is not None:
            return tracked.items(where, items, review["changes"], text_lang, notes, marks)
        return None if items is None else [markup.inline(t, text_lang, notes) for t in items]

    domains = []
    for spec in DOMAINS:
        f = doc.domains[spec.key]
        domains.append({
            "key": spec.key,
            "number": spec.number,
            "short_name": _(spec.short_name),
            "long_name": _(spec.long_name),
            "description": _(spec.description),
            "color": spec.rgb,
            # under small white text (domains.DomainSpec.deep_rgb)
            "deep": spec.deep_rgb,
            "well_developed": cited(f.well_developed, f"{spec.key}.well_developed"),
            "potential": cited(f.potential, f"{spec.key}.potential"),
            "areas": [{"number": f"{spec.number}.{n}", "title": area.title,
                       "findings": cited(area.findings,
                                         changes.area_where(spec.key, n, area.title))}
                      for n, area in enumerate(f.areas, 1)],
            "wheel": figure(spec.number, 80.0, 52.0, label_pt=16),
        })
    full = figure(None, 150.0, 92.0)
    intro = markup.paragraphs(doc.introduction, text_lang, notes) if doc.introduction else None
    logo = None
    if job.profile.logo is not None:
        mime = "image/svg+xml" if job.profile.logo.suffix.lower() == ".svg" else "image/png"
        logo = _data_uri(reads.read(job.profile.logo, MAX_FILE_BYTES), mime)
    published = job.profile.published
    return {
        "lang": lang,
        "text_lang": text_lang,
        "dir": "rtl" if rtl else "ltr",
        "country": doc.country,
        "short_name": doc.short_name,
        "iso3": job.profile.iso3,
        "published": published,
        "published_iso": published.isoformat(),
        # Translators: a CLDR date pattern for the publication's month and year
        # (LLLL = month name, y = year; quote literal text, e.g. "LLLL y 'г.'").
        "month_year": i18n.month_year(published, lang, _("LLLL y")),
        "year": published.year,
        "publisher": job.profile.publisher or _("International Organization for Migration (IOM)"),
        "translation_of": doc.translation_of,
        "translation_of_name": (i18n.language_name(doc.translation_of, lang)
                                if doc.translation_of else None),
        "fallback_from": job.fallback_from,
        "fallback_from_name": (i18n.language_name(job.fallback_from, lang)
                               if job.fallback_from else None),
        "draft": doc.draft,
        "introduction": intro,
        "domains": domains,
        "review": None if review is None else {
            "rev": review["rev"],
            "summary": tracked.summary(
                review["changes"], [(d.key, _(d.short_name)) for d in DOMAINS],
                {"well_developed": _("Well-developed areas"),
                 "potential": _("Areas with potential for further development"),
                 "introduction": _("Introduction"), "context": _("Context"),
                 "sources": _("Key sources"), "finding": _("finding %(n)s"),
                 "before": _("as it was")}, text_lang)},
        "sources": [markup.inline(s.text, text_lang) for s in doc.sources],
        "context": markup.paragraphs(doc.context, text_lang, notes) if doc.context else None,
        "acronyms": chapters.acronyms(doc.acronyms, tr),
        "publication": chapters.imprint(job.profile, doc.country, lang, tr),
        "key_data": chapters.key_data(job.profile.key_data, lang, tr, BRAND_RGB, job.cache),
        "framework_figure": chapters.framework_figure(tr, rtl, [d.deep_rgb for d in DOMAINS],
                                                      job.cache),
        "process_figure": chapters.process_figure(tr, rtl, BRAND_RGB, job.cache),
        "wheel_full": full["src"],
        "wheel_links": full["links"],
        "wheel_full_size": full["size"],
        "wheel_full_labels": full["labels"],
        "wheel_cover": figure(None, 86.0, 62.0, labels=False)["src"],
        "logo": logo,
        "brand": BRAND_RGB,
        "fonts_url": FONTS.resolve().as_uri() + "/",
        "generator": f"mgi-report {VERSION}",
        **job.extra,
    }


def compose(job: Job) -> str:
    """The profile's complete HTML document."""
    env = environment(tuple(job.layouts), job.lang, job.cache or cache_folder())
    values = context(job)
    try:  # a source cited again: a call to its first note (markup.first_notes)
        return markup.first_notes(env.get_template("profile.html").render(values))
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise LayoutError(f"{where}: template syntax error: {exc.message}") from exc
    except jinja2.sandbox.SecurityError as exc:
        raise LayoutError(f"{_template_line(exc)}: the layout tried something the sandbox "
                          f"does not allow: {exc}") from exc
    except jinja2.TemplateError as exc:
        raise LayoutError(f"{_template_line(exc)}: {type(exc).__name__}: {exc}") from exc
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise LayoutError(f"{_template_line(exc)}: the layout failed: "
                          f"{type(exc).__name__}: {exc}") from exc


def _template_line(exc: BaseException) -> str:
    """``template:line`` of the innermost template frame of an error raised while
    rendering (Jinja rewrites the traceback so that its frames are the templates')."""
    where = "the layout"
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css", ".htm", ".xml", ".svg", ".txt")) or \
                name == "<template>":
            where = f"{shown_template(name)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def shown_template(filename: str) -> str:
    """A template's path as a message shows it (relative to the working folder)."""
    try:
        return str(Path(filename).relative_to(Path.cwd()))
    except ValueError:
        return filename



__all__ = ["Job", "compose", "context", "environment", "Markup"]
