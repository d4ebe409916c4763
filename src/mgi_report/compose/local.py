"""What a local profile (``kind: local``) says differently: the name its title,
cover, running heads and metadata give the place ("City of Strelsau", by its
``level``), and the domains' descriptions as they read for a local
government's competences. The wording is the catalogs' (``N_`` marks the
msgids); the objectives and the introduction have layout parts of their own
(``parts/objectives-local.html``; ``parts/introduction.html``'s local branches).
"""

from __future__ import annotations

import re
import unicodedata

N_ = str  # marks a catalog string (extracted by pybabel with -k N_)

#: The place as the title names it, by level (``%(place)s``: the language
#: file's ``place``).
LEVEL_TITLES = {
    "city": N_("City of %(place)s"),
    "municipality": N_("Municipality of %(place)s"),
    "district": N_("District of %(place)s"),
    "county": N_("County of %(place)s"),
    "province": N_("Province of %(place)s"),
    "region": N_("Region of %(place)s"),
    "state": N_("State of %(place)s"),
}

#: The six domains' descriptions for a local government (by domain key).
DESCRIPTIONS = {
    "migrants_rights": N_(
        "Indicators in this domain look at the extent to which migrants have access to the "
        "services the local government provides or oversees, such as health care, education, "
        "housing and social assistance, and at the local measures that make these rights "
        "effective."),
    "whole_of_government": N_(
        "Indicators in this domain assess the institutional frameworks of the local "
        "government for migration governance: the local authorities responsible for "
        "migration, local migration strategies, transparency and coherence in carrying them "
        "out, and the collection and use of migration data at the local level."),
    "partnerships": N_(
        "This domain focuses on the local government's efforts to cooperate on "
        "migration-related issues with the national government as well as other cities and "
        "relevant non-governmental actors, including civil society organizations, academia "
        "and the private sector."),
    "wellbeing": N_(
        "This domain includes indicators on the local government's policies for the "
        "socioeconomic well-being of migrants: their access to the local labour market, the "
        "recognition of their skills and qualifications, language learning and measures "
        "against discrimination."),
    "mobility_crises": N_(
        "This domain studies the type and level of preparedness of the local government for "
        "the mobility dimensions of crises: how it plans for disasters and emergencies, and "
        "how it assists migrants and displaced persons during and after a crisis."),
    "safe_orderly_regular_migration": N_(
        "This domain analyses the local government's approach to safe, orderly and regular "
        "migration within its competences: the information and services it offers "
        "newcomers, its measures against trafficking in persons and its support for "
        "returning residents."),
}


def title_name(profile, doc, gettext, lang: str) -> str:
    """What the title says the profile is of: the country's name for a national
    profile, the place by its level for a local one ("City of Strelsau"), in the
    layout's language ``lang`` (French elides: "Ville d’Anvers", see _elided)."""
    if profile.kind != "local" or profile.level is None or doc.place is None:
        return doc.country
    template = gettext(LEVEL_TITLES[profile.level])
    if lang == "fr":
        template = _elided(template, doc.place)
    return template % {"place": doc.place}


def _elides(place: str) -> bool:
    """Whether French elides "de" before ``place``: a vowel, whatever its accent
    (Anvers, Île-de-France, Ávila, Østfold), or a y before a consonant (Ypres,
    Yverdon; not Yaoundé, Yokohama, where the y is a consonant). A place that
    begins with h keeps "de": whether its h is mute ("d’Héraklion") or aspirated
    ("de Hambourg") cannot be told from its letters."""
    letters = [c for c in unicodedata.normalize("NFD", place.lstrip(" \"'«“‘’"))
               if not unicodedata.combining(c)][:2]
    if not letters:
        return False
    first = letters[0].casefold()
    if first == "y":
        return len(letters) > 1 and letters[1].casefold() not in "aeiouyøæœ"
    return first in "aeiouøæœ"


def _elided(template: str, place: str) -> str:
    """A French level title's "de" before a place that elides it becomes "d’"
    (with the typographic apostrophe the catalog uses): "Ville d’Anvers"."""
    head, found, tail = template.partition("%(place)s")
    if found and re.search(r"(?:^|\s)de $", head) and _elides(place):
        return head[:-3] + "d’" + found + tail
    return template


def description(profile, key: str, national: str, gettext) -> str:
    """A domain's description: the local one in a local profile."""
    return gettext(DESCRIPTIONS[key]) if profile.kind == "local" else gettext(national)
