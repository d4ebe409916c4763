"""The cross-profile table a report on the Global Compact for Migration needs:
for each of its 23 objectives (its title from the catalogs, in the table's
language), how many findings of each profile are tagged with it (``table``);
as JSON or as CSV (one row per objective, one column per profile).

A profile is named ``<slug>-<lang>``: the language file counted (a translation
keeps its source's tags, so the source's counts are the profile's). A finding
tagged with two objectives counts once for each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..content import walk
from ..content.model import LanguageFile
from ..content.objectives import OBJECTIVES
from ..text import i18n
from .tables import as_csv

#: The schema of the table (its ``$id``; the file is in ``schema/``).
SCHEMA_ID = "urn:mgi-report:schema:gcm-table:1"


def table(files: Iterable[tuple[str, LanguageFile]], lang: str = "en") -> dict[str, Any]:
    """The table of ``files`` (each with its profile's slug), in the order given;
    the objectives' titles in ``lang``."""
    numbers = [o.number for o in OBJECTIVES]
    profiles, counts = [], {n: {} for n in numbers}
    for slug, lf in files:
        name = f"{slug}-{lf.lang}"
        found = list(walk.findings(lf))
        profiles.append({"name": name, "slug": slug, "language": lf.lang,
                         "findings": len(found), "tagged": sum(1 for f in found if f.gcm)})
        for n in numbers:
            counts[n][name] = sum(1 for f in found if n in f.gcm)
    _ = i18n.translations(lang).gettext
    return {"$schema": SCHEMA_ID, "language": lang, "profiles": profiles,
            "objectives": [{"objective": o.number, "title": _(o.title),
                            "counts": counts[o.number], "total": sum(counts[o.number].values())}
                           for o in OBJECTIVES]}


def as_table_csv(value: dict[str, Any]) -> bytes:
    """The table as CSV: ``objective``, ``title``, a column per profile (its
    name), ``total``."""
    names = [p["name"] for p in value["profiles"]]
    columns = ("objective", "title", *names, "total")
    return as_csv(columns, ({"objective": row["objective"], "title": row["title"],
                             **row["counts"], "total": row["total"]}
                            for row in value["objectives"]))
