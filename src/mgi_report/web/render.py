"""The site's pages rendered: each profile's (``Renderer.profile``), the
indexes and the sitemap (``shared``), the style sheet and the fonts (``assets``).

Templates are ``layouts/site/*.html`` and ``layouts/site/site.css``, found and
rendered as the PDF's parts are (compose.templates: the sandbox, the search
path of ``--layouts`` folders before the built-in one, the catalogs of the
page's language). A rendered page then gets its notes linked and listed
(notes.linked, ``site/notes.html``) and its acronyms marked (notes.abbreviations).
"""

from __future__ import annotations

import xml.sax.saxutils as sax
from typing import Any

from markupsafe import Markup

from .. import pipeline
from ..compose import local, templates
from ..content.domains import BRAND_RGB, DOMAINS
from ..resources import FONTS, VERSION, cache_folder
from ..text import i18n
from . import notes, pages
from .options import FONT_FILES, Options

NOTES_MARK = "<!-- mgi-notes -->"


def index_name(lang: str) -> str:
    """The index of every profile in ``lang``: ``index.html`` in English,
    ``index-de.html`` in German."""
    return "index.html" if lang == "en" else f"index-{lang}.html"


def autonym(lang: str) -> str:
    """A language's name in itself, as a menu shows it: "Deutsch", "Français"."""
    name = i18n.language_name(lang, lang)
    return name[:1].upper() + name[1:]


class Renderer:
    """Renders pages through the sandboxed templates (see the module's docstring)."""

    def __init__(self, opts: Options):
        self.opts = opts
        self.cache = opts.cache or cache_folder()

    def render(self, template: str, lang: str, values: dict[str, Any]) -> str:
        env = templates.environment(tuple(self.opts.layouts), lang, self.cache)
        with templates.layout_errors():
            return env.get_template(template).render(values)

    def profile(self, slug: str, loaded, downloads) -> tuple[dict[str, bytes], dict]:
        """Every page of a profile in each of its languages (``loaded``: its files,
        read and validated; ``downloads(slug, lang)``: its PDFs), and the index's
        rows."""
        langs = tuple(sorted(loaded.files))
        jobs = {}
        for lang in langs:
            req = pipeline.Request(slug, lang, self.opts.content, layouts=self.opts.layouts,
                                   cache=self.opts.cache)
            jobs[lang] = pipeline.job_for(req, loaded.profile, loaded.files[lang])
        rows = {}
        for lang, job in jobs.items():
            _ = i18n.translations(lang).gettext
            title_name = local.title_name(job.profile, job.doc, _, lang)
            rows[lang] = {**pages.profile_row(job, title_name),
                          "title": _("%(label)s: %(value)s") % {
                              "label": _("Migration Governance Profile"),
                              "value": title_name}}
        names = {lang: row["title"] for lang, row in rows.items()}
        with_sources = {lang for lang in langs if loaded.files[lang].sources}
        out: dict[str, bytes] = {}
        for lang, job in jobs.items():
            entries = [{"name": name, **entry} for name, entry in downloads(slug, lang)]
            for page in pages.profile_pages(job, langs, entries, names):
                name = page.path.rsplit("/", 1)[1]
                switch = [{"lang": other, "name": autonym(other), "current": other == lang,
                           "href": f"../{other}/{name}" if (
                               name != pages.SOURCES or other in with_sources)
                           else f"../{other}/{pages.OVERVIEW}",
                           "title": names[other]} for other in langs]
                out[page.path] = self.page(page, switch, "../../")
        return out, {"source": loaded.profile.source_language, "rows": rows}

    def page(self, page: pages.Page, switch: list[dict], root: str) -> bytes:
        """One page: rendered, its notes linked, its acronyms marked."""
        _ = i18n.translations(page.lang).gettext
        values = {**page.values, "switch": switch, "root": root,
                  "home": root + index_name(page.lang), "notes_here": Markup(NOTES_MARK),
                  "generator": f"mgi-report {VERSION}"}
        html = self.render(page.template, page.lang, values)
        html, found = notes.linked(html, _("Note %(n)s"))
        listed = self.render("site/notes.html", page.lang, {"notes": found}) if found else ""
        html = html.replace(NOTES_MARK, listed, 1)
        head, sep, rest = html.partition("<main")
        if sep:
            body, end, tail = rest.partition("</main>")
            html = head + sep + notes.abbreviations(body, page.acronyms) + end + tail
        return html.encode("utf-8")

    def shared(self, countries: dict[str, dict]) -> dict[str, bytes]:
        """The index of every profile, in each language the site has, and the sitemap."""
        langs = sorted({lang for c in countries.values() for lang in c["langs"]} | {"en"},
                       key=lambda lang: (lang != "en", lang))
        langs = [lang for lang in langs if i18n.catalog_path(lang).exists()]
        out = {}
        for lang in langs:
            _ = i18n.translations(lang).gettext
            profiles = []
            for slug, c in sorted(countries.items()):
                rows = c["rows"]["rows"]
                row = rows.get(lang) or rows[c["rows"]["source"]]
                profiles.append({**row, "own": lang in rows,
                                 "text_lang": lang if lang in rows else row["lang"],
                                 "round_label": _round(row["round"], lang),
                                 "month_year": i18n.month_year(
                                     _date(row["published"]), lang, _("LLLL y")),
                                 "versions": [{"lang": v, "name": autonym(v),
                                               "href": f"{slug}/{v}/{pages.OVERVIEW}",
                                               "title": rows[v]["title"]}
                                              for v in c["langs"]]})
            switch = [{"lang": other, "name": autonym(other), "current": other == lang,
                       "href": index_name(other), "title": autonym(other)} for other in langs]
            values = {"lang": lang, "dir": i18n.direction(lang), "profiles": profiles,
                      "switch": switch, "root": "", "home": index_name(lang),
                      "page": index_name(lang), "title": _("Migration Governance Profiles"),
                      "heading": _("Migration Governance Profiles"), "nav": [],
                      "notes_here": Markup(""), "generator": f"mgi-report {VERSION}"}
            out[index_name(lang)] = self.render("site/index.html", lang, values).encode()
        out["sitemap.xml"] = sitemap(countries, langs, self.opts.base_url)
        return out

    def assets(self) -> dict[str, bytes]:
        """The style sheet (a template: the domains' colours are the PDF's) and the
        shipped fonts it loads."""
        css = self.render("site/site.css", "en", {
            "brand": BRAND_RGB,
            "domains": [{"number": d.number, "color": d.rgb, "deep": d.deep_rgb}
                        for d in DOMAINS]})
        out = {"assets/site.css": css.encode()}
        for name in FONT_FILES:
            out[f"assets/fonts/{name}"] = (FONTS / name).read_bytes()
        return out


def _round(round_: int, lang: str) -> str:
    """"First profile", "Second profile" … in ``lang``."""
    from ..compose.updates import round_label

    tr = i18n.translations(lang)
    return round_label(round_, tr) if round_ > 1 else tr.gettext("First profile")


def _date(iso: str):
    from datetime import date

    return date.fromisoformat(iso)


def sitemap(countries: dict[str, dict], langs: list[str], base_url: str | None) -> bytes:
    """Every page, with its language versions as alternates (``xhtml:link``).
    A sitemap's addresses are absolute: without ``base_url`` they are the
    pages' paths in the site, to be prefixed by the portal (README)."""
    base = (base_url.rstrip("/") + "/") if base_url else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">')]

    def url(path: str, alternates: list[tuple[str, str]]) -> None:
        lines.append(f"  <url><loc>{sax.escape(base + path)}</loc>")
        for lang, other in alternates:
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" '
                         f'href="{sax.quoteattr(base + other)[1:-1]}"/>')
        lines.append("  </url>")

    indexes = [(lang, index_name(lang)) for lang in langs]
    for _lang, path in indexes:
        url(path, indexes)
    for slug, c in sorted(countries.items()):
        paths = sorted(p for p in c["pages"] if p.endswith(".html"))
        for path in paths:
            name = path.rsplit("/", 1)[1]
            alternates = [(lang, f"{slug}/{lang}/{name}") for lang in c["langs"]
                          if f"{slug}/{lang}/{name}" in c["pages"]]
            url(path, alternates)
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


__all__ = ["Renderer", "autonym", "index_name", "sitemap"]
