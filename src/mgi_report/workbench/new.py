"""``mgi-report new``: a valid starting profile for a new country.

It writes ``profile.yaml`` and the first language file, each key with a short
comment, ``draft: true`` and the six domains' lists empty, and the country's
name in that language from CLDR (Babel), found through its ISO 3166 code
(pycountry). Nothing existing is ever overwritten. With ``local``, a local
government's profile (``kind: local``, its ``level``, its ``place`` named after
the folder, ``iso3`` its country's code).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from babel import Locale

from ..content import facts
from ..content.domains import DOMAINS
from ..content.series import LEVELS
from ..content.tree import SLUG_RE, escaped
from ..errors import UsageError
from ..files.writes import write_atomic
from ..text.i18n import available_languages

PUBLISHED_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")


def country_name(iso3: str, lang: str, slug: str) -> str:
    """The country's name in ``lang`` (CLDR), or its folder's name made readable
    for a code ISO leaves to users (a fictional country)."""
    found = facts.country(iso3)
    if found is not None:
        name = Locale.parse(lang).territories.get(found.alpha_2)
        if name:
            return name
        return found.name
    return " ".join(part.capitalize() for part in re.split(r"[-_]", slug))


def _check(slug: str, iso3: str, lang: str, published: str, content: Path) -> None:
    problems = []
    if not SLUG_RE.match(slug):  # no line feed, control, bidi, slash or leading dot
        problems.append(f"`{escaped(slug)}` cannot name a country folder: use lower-case "
                        "letters, digits and single hyphens or underscores, like `kazakhstan` "
                        "or `sri-lanka`")
    if not re.fullmatch(r"[A-Za-z]{2,3}", iso3):
        problems.append(f"--iso3 `{escaped(iso3)}` must be three letters like `KAZ`")
    elif why := facts.iso3_problem(iso3.upper()):
        problems.append(f"--iso3 {why}")
    if lang not in available_languages():
        close = [code for code in available_languages() if code == lang.lower()[:2]]
        hint = f"; did you mean `{close[0]}`?" if close else ""
        problems.append(f"--lang `{escaped(lang)}`: no message catalog for this language "
                        f"(catalogs: {', '.join(available_languages())}){hint}")
    if not PUBLISHED_RE.match(published):
        problems.append(f"--published `{escaped(published)}` must be a year and month like "
                        "`2026-11`")
    folder = content / slug
    if folder.exists():
        problems.append(f"{escaped(str(folder))} exists already; `new` never overwrites a "
                        "profile")
    if problems:
        raise UsageError("; ".join(problems))


def new(slug: str, iso3: str, lang: str, content: Path, published: str | None = None,
        local: bool = False, level: str | None = None) -> list[Path]:
    """Write the starting files; returns their paths."""
    published = published or date.today().strftime("%Y-%m")
    if level is not None and not local:
        raise UsageError("--level is for a local profile: add --local")
    level = level or "city"
    if level not in LEVELS:
        raise UsageError(f"--level `{escaped(level)}` must be one of: {', '.join(LEVELS)}")
    _check(slug, iso3, lang, published, content)
    iso3 = iso3.upper()
    name = country_name(iso3, lang, slug)
    place = " ".join(part.capitalize() for part in re.split(r"[-_]", slug))
    folder = content / slug
    series = (f"kind: local                # a local government's profile\n"
              f"level: {level}{' ' * (20 - len(level))}# {', '.join(LEVELS)}\n") if local else ""
    named = f'place: "{place}"          # the place\'s name; the title adds its level\n' \
        if local else ""
    profile = (
        f"# {place if local else name}: the facts of its profile that do not depend on "
        "language.\n" + series +
        f"iso3: {iso3}                 # the country's ISO 3166-1 alpha-3 code\n"
        f"published: {published}          # year and month of publication (YYYY-MM)\n"
        f"source_language: {lang}          # the language the findings are written in first\n"
        "# publisher, logo, publication (ISBN, licence) and key_data are optional:\n"
        "# see README, 'The complete profile'; funders, research_partner,\n"
        "# methodology and cover_photo (and the content root's publisher.yaml):\n"
        "# README, 'Publication facts'.\n")
    lists = "".join(
        f"  {d.key}:{' ' * (32 - len(d.key))}# domain {d.number}: {d.short_name}\n"
        "    well_developed: []   # findings, one list item each\n"
        "    potential: []\n" for d in DOMAINS)
    findings = (
        f"# {name}: the findings in `{lang}`. Text that contains a colon or starts with a\n"
        "# quote goes in double quotes.\n"
        f'country: "{name}"          # the official name, e.g. "Republic of …"\n'
        f'short_name: "{name}"       # the name in running text\n' + named +
        "draft: true               # printed with a DRAFT watermark; the print edition "
        "refuses it\n"
        "domains:\n" + lists)
    folder.mkdir(parents=True)
    written = []
    for path, text in ((folder / "profile.yaml", profile),
                       (folder / f"{lang}.yaml", findings)):
        write_atomic(path, lambda fh, text=text: fh.write(text.encode("utf-8")))
        written.append(path)
    return written
