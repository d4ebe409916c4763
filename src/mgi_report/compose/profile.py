"""Compose a profile's HTML: what its layout is given (``context``), rendered.

``context`` assembles the values each chapter shows: the findings (marked
with their changes in the review PDF, ``tracked``), the chapters' texts and
tables (``chapters``), the drawings (``drawings``); ``compose`` renders the
layout's ``profile.html`` with them (``templates``).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ..content import changes
from ..content.domains import BRAND_RGB, DOMAINS
from ..resources import FONTS, VERSION, cache_folder
from ..text import i18n, joins, markup
from . import (chapters, drawings, extra, gcm, imprint, local, templates, titles, tracked,
               updates)
from .job import Job


def context(job: Job) -> dict[str, Any]:
    lang = job.lang
    tr = i18n.translations(lang)
    _ = tr.gettext
    doc = job.doc
    rtl = i18n.direction(lang) == "rtl"
    text_lang = job.fallback_from or lang
    notes = doc.notes()
    review = job.tracked  # the review PDF (tracked.py)
    marks = tracked.marks(tr)

    def cited(items: list[str] | None, where: str | None = None) -> list[Markup] | None:
        if review is not None and where is not None:
            return tracked.items(where, items, review.changes, text_lang, notes, marks)
        return None if items is None else [markup.inline(t, text_lang, notes) for t in items]

    wheels = drawings.profile_wheels(job)

    domains = []
    for spec in DOMAINS:
        f = doc.domains[spec.key]
        domains.append({
            "key": spec.key,
            "number": spec.number,
            "short_name": _(spec.short_name),
            "long_name": _(spec.long_name),
            "description": local.description(job.profile, spec.key, spec.description, _),
            "color": spec.rgb,
            # under small white text (domains.DomainSpec.deep_rgb)
            "deep": spec.deep_rgb,
            "well_developed": cited(f.well_developed, f"{spec.key}.well_developed"),
            "potential": cited(f.potential, f"{spec.key}.potential"),
            "areas": [{"number": f"{spec.number}.{n}", "title": area.title,
                       "findings": cited(area.findings,
                                         changes.area_where(spec.key, n, area.title))}
                      for n, area in enumerate(f.areas, 1)],
            "wheel": wheels.domains[spec.number],
        })
    full = wheels.full
    intro = markup.paragraphs(doc.introduction, text_lang, notes) if doc.introduction else None
    logo = drawings.file_uri(job.profile.logo) if job.profile.logo is not None else None
    published = job.profile.published
    title_name = local.title_name(job.profile, doc, _, job.lang)  # "City of Strelsau" (local.py)
    publisher = (imprint.fact_name(job.profile.publisher, doc, tr) if job.profile.publisher
                 else _("International Organization for Migration (IOM)"))
    return {
        "lang": lang,
        "text_lang": text_lang,
        "dir": "rtl" if rtl else "ltr",
        "country": doc.country,
        **cover_titles(_("Migration Governance Profile"), title_name, rtl),
        "short_name": doc.short_name,
        "iso3": job.profile.iso3,
        "published": published,
        "published_iso": published.isoformat(),
        # Translators: a CLDR date pattern for the publication's month and year
        # (LLLL = month name, y = year; quote literal text, e.g. "LLLL y 'г.'").
        "month_year": i18n.month_year(published, lang, _("LLLL y")),
        "year": published.year,
        "publisher": publisher,
        "translation_of": doc.translation_of,
        "translation_of_name": (i18n.language_name(doc.translation_of, lang)
                                if doc.translation_of else None),
        "fallback_from": job.fallback_from,
        "fallback_from_name": (i18n.language_name(job.fallback_from, lang)
                               if job.fallback_from else None),
        "draft": doc.draft,
        "introduction": intro,
        "domains": domains,
        "review": None if review is None else tracked.review(
            review, tr, text_lang, {f"{ident}.{what}": c.title for ident, c in
                                    doc.chapters.items() for what in ("title", "text")}),
        "sources": [markup.inline(s.text, text_lang) for s in doc.sources],
        "context": markup.paragraphs(doc.context, text_lang, notes) if doc.context else None,
        "acronyms": chapters.acronyms({**gcm.acronyms(doc, tr),
                                       **{a: joins.join(e, text_lang)
                                          for a, e in doc.acronyms.items()}}, tr),
        "publication": chapters.imprint(job.profile, title_name, lang, tr, publisher),
        **imprint.facts(job, tr),  # the publication's facts (content.publication)
        **drawings.chapter_figures(job),
        "wheel_full": full["src"],
        "wheel_links": full["links"],
        "wheel_full_size": full["size"],
        "wheel_full_labels": full["labels"],
        "wheel_cover": wheels.cover["src"],
        "logo": logo,
        "brand": BRAND_RGB,
        "fonts_url": FONTS.resolve().as_uri() + "/",
        "generator": f"mgi-report {VERSION}",
        # the series (content/series.py): a local profile's place, extra chapters
        "title_name": title_name,
        "local": job.profile.kind == "local",
        "place": doc.place,
        "extra": extra.chapters(job, text_lang, notes),
        **updates.context(job.baseline, job.profile.round, doc, tr, text_lang,
                          job.lang),
        # the findings' GCM objectives: markers and the annex (gcm.py)
        **gcm.context(doc, tr, text_lang, domains),
    }


def cover_titles(title: str, country: str, rtl: bool) -> dict[str, str]:
    """The cover's title and country, their lines balanced (titles.balance) in
    the faces and measures profile.css sets them in."""
    regular, bold = (("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf") if rtl
                     else ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"))
    return {"cover_title": titles.balance(title, regular, 30, 150),
            "cover_country": titles.balance(country, bold, 34, 165)}


def compose(job: Job) -> str:
    """The profile's complete HTML document."""
    env = templates.environment(tuple(job.layouts), job.lang, job.cache or cache_folder())
    values = context(job)
    with templates.layout_errors():  # a source cited again: its short form
        html = env.get_template("profile.html").render(values)
    return titles.bind_titles(markup.first_notes(html, again(job)))


def again(job: Job):
    """What a source's later citation prints: its ``short`` text, or "See note N."
    (in the layout's language)."""
    shorts = {ident: markup.inline(text, job.fallback_from or job.lang)
              for ident, text in job.doc.shorts().items()}
    see = i18n.translations(job.lang).gettext("See note %(n)s.")

    def text(ident: str, n: int) -> str:
        return str(shorts[ident]) if ident in shorts else str(escape(see % {"n": n}))
    return text


__all__ = ["Job", "compose", "context", "Markup"]
