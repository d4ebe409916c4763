"""What each page of a profile's web edition shows, as values for its template.

One profile in one language is a folder of pages (``profile_pages``): the
overview (``index.html``: title, introduction, the wheel whose domains are
links, the context, the downloads), a page per domain (``<domain-key>.html``:
its description, the two lists and the areas, with their notes and GCM
objectives), the key data (``key-data.html``), a follow-up's updates
(``updates.html``), each extra chapter (``chapter-<id>.html``), the key sources
(``sources.html``) and the acronyms (``acronyms.html``). The values come from
compose (``compose.profile.context``: the same texts, markup, names and
drawings as the PDF), so what the site shows is what the PDF prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..compose import profile as composer
from ..compose.job import Job
from ..content import walk
from ..content.objectives import GCM_NAME, OBJECTIVES
from ..text import i18n, markup
from . import svg

OVERVIEW = "index.html"
KEY_DATA = "key-data.html"
UPDATES = "updates.html"
SOURCES = "sources.html"
ACRONYMS = "acronyms.html"

N_ = str  # marks a catalog string (extracted by pybabel with -k N_)
EDITION_LABELS = {"screen": N_("For reading on screen"), "print": N_("For printing"),
                  "archive": N_("For archiving")}


def chapter_page(ident: str) -> str:
    """An extra chapter's page (``chapter-summary.html``: never a fixed page's name)."""
    return f"chapter-{ident}.html"


@dataclass
class Page:
    """One page to write: its path in the site (``slug/lang/name``), template,
    values and language."""

    path: str
    template: str
    values: dict[str, Any]
    lang: str
    acronyms: dict[str, str] = field(default_factory=dict)


def _findings(items: list[Markup] | None, tags: dict[tuple, walk.Finding], where: tuple,
              gcm_name) -> list[dict] | None:
    """A list's findings, each with its identifier and GCM objectives."""
    if items is None:
        return None
    out = []
    for n, text in enumerate(items, 1):
        found = tags.get((*where, n))
        out.append({"text": text, "id": found.id if found else None,
                    "gcm": [{"n": g, "name": gcm_name(g)} for g in (found.gcm if found else ())]})
    return out


def _domains(job: Job, values: dict, tr) -> list[dict]:
    """compose's domains, each finding with its tags (content.walk.findings)."""
    _ = tr.gettext
    titles = {o.number: _(o.title) for o in OBJECTIVES}

    def gcm_name(n: int) -> str:
        return _("%(label)s: %(value)s") % {"label": _("Objective %(n)s") % {"n": n},
                                             "value": titles[n]}

    tags = {(f.domain, f.part, f.area, f.number): f for f in walk.findings(job.doc)}
    out = []
    for d in values["domains"]:
        key = d["key"]
        areas = [{**a, "findings": _findings(a["findings"], tags, (key, "area", n), gcm_name)}
                 for n, a in enumerate(d["areas"], 1)]
        cited = sorted({g for f in tags.values() if f.domain == key for g in f.gcm})
        out.append({**d, "page": f"{key}.html",
                    "title": _("%(label)s: %(value)s") % {
                        "label": _("Domain %(n)s") % {"n": d["number"]},
                        "value": d["short_name"]},
                    "well_developed": _findings(d["well_developed"], tags,
                                                (key, "well_developed", 0), gcm_name),
                    "potential": _findings(d["potential"], tags, (key, "potential", 0),
                                           gcm_name),
                    "areas": areas,
                    "objectives": [{"n": g, "title": titles[g]} for g in cited]})
    return out


def profile_pages(job: Job, langs: tuple[str, ...], downloads: list[dict],
                  names: dict[str, str]) -> list[Page]:
    """Every page of ``job``'s profile in its language. ``langs``: the
    profile's languages (the switcher's); ``downloads``: its PDF editions
    (``name``, ``edition``, ``size``, ``sha256``), or none; ``names``: each
    language's profile title in that language (the switcher's link titles)."""
    lang = job.lang
    tr = i18n.translations(lang)
    _ = tr.gettext
    values = composer.context(job)
    text_lang = values["text_lang"]
    domains = _domains(job, values, tr)
    doc = job.doc
    title = _("%(label)s: %(value)s") % {"label": _("Migration Governance Profile"),
                                         "value": values["title_name"]}
    followup = values.get("followup")
    chapters = [c for slot in values["extra"].values() for c in slot]
    sources = [{"id": s.id, "text": markup.inline(s.text, text_lang)} for s in doc.sources]
    nav = [{"href": OVERVIEW, "label": _("Introduction")}]
    nav += [{"href": d["page"], "label": f"{d['number']}. {d['short_name']}",
             "domain": d["number"]} for d in domains]
    if values["key_data"]:
        nav.append({"href": KEY_DATA, "label": _("Key migration data")})
    if followup:
        nav.append({"href": UPDATES, "label": followup["heading"]})
    nav += [{"href": chapter_page(c["id"]), "label": c["title"]} for c in chapters]
    if sources:
        nav.append({"href": SOURCES, "label": _("Key sources")})
    nav.append({"href": ACRONYMS, "label": _("List of acronyms")})
    base = {**values, "domains": domains, "title": title, "nav": nav, "chapters": chapters,
            "site_sources": sources, "gcm_name": _(GCM_NAME), "langs": langs, "names": names,
            "downloads": [{**d, "label": _(EDITION_LABELS[d["edition"]]),
                           "size_text": _size(d["size"], lang)} for d in downloads]}
    acronyms = dict(values["acronyms"])
    folder = f"{job.profile.slug}/{lang}"

    def page(name: str, template: str, heading: str, **more) -> Page:
        return Page(f"{folder}/{name}", f"site/{template}",
                    {**base, "page": name, "heading": heading, **more}, lang, acronyms)

    label = _("The six domains of the MGI: %(names)s.") % {
        "names": _("; ").join(d["short_name"] for d in domains)}
    wheel = svg.wheel(job_wheel(values), [{"href": d["page"], "name": d["title"],
                                           "key": d["key"]} for d in domains],
                      label, values["dir"] == "rtl", lang)
    pages = [page(OVERVIEW, "overview.html", title, wheel=wheel)]
    for d in domains:
        pages.append(page(d["page"], "domain.html", d["title"], domain=d))
    if values["key_data"]:
        charts = [{**k, "svg": svg.chart(k["chart"], k["alt"], lang)}
                  for k in values["key_data"]]
        pages.append(page(KEY_DATA, "key-data.html", _("Key migration data"), charts=charts))
    if followup:
        pages.append(page(UPDATES, "updates.html", followup["heading"]))
    for c in chapters:
        pages.append(page(chapter_page(c["id"]), "chapter.html", c["title"], chapter=c))
    if sources:
        pages.append(page(SOURCES, "sources.html", _("Key sources")))
    pages.append(page(ACRONYMS, "acronyms.html", _("List of acronyms")))
    return pages


def job_wheel(values: dict) -> dict:
    """The full wheel as compose drew it for the PDF (same cache entry)."""
    return {"src": values["wheel_full"], "size": values["wheel_full_size"],
            "labels": values["wheel_full_labels"]}


def _size(size: int, lang: str) -> str:
    """A file's size in the language's format: "1.4 MB", "1,4 MB", "١٫٤ م.ب"."""
    from babel.units import format_unit

    if size >= 1_000_000:
        return format_unit(round(size / 1_000_000, 1), "digital-megabyte", "short",
                           locale=lang)
    return format_unit(max(1, round(size / 1000)), "digital-kilobyte", "short", locale=lang)


def profile_row(job: Job, title_name: str) -> dict[str, Any]:
    """What the index says of a profile in a language: its title, kind, round,
    month of publication (for the index in that language)."""
    p = job.profile
    return {"slug": p.slug, "lang": job.lang, "title_name": title_name,
            "kind": p.kind, "level": p.level, "round": p.round,
            "published": p.published.isoformat(), "country": job.doc.country,
            "short_name": job.doc.short_name}


__all__ = ["OVERVIEW", "Page", "chapter_page", "profile_pages", "profile_row"]
