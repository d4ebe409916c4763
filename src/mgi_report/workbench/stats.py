"""``mgi-report stats``: per country and language, the findings per domain and
list, the words, the translation's state, the profile's kind (``national``,
``local/city`` …) and the page count of the last build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..content import tree as contents
from ..content import walk
from ..content.domains import DOMAINS
from ..content.model import LanguageFile
from ..content.walk import findings_hash
from ..errors import ContentError, UsageError


def _counts(lf: LanguageFile) -> dict[str, dict[str, int]]:
    out = {spec.key: {"well_developed": 0, "potential": 0, "areas": 0, "area_findings": 0}
           for spec in DOMAINS}
    for listed in walk.lists(lf, sources=False):
        part = "area_findings" if listed.part == "area" else listed.part
        out[listed.domain][part] += len(listed.items or [])
    return out


def _words(lf: LanguageFile) -> int:
    return sum(len(t.split()) for t in walk.texts(lf))


def _state(lf: LanguageFile, files: dict[str, LanguageFile], source: str) -> str:
    if not lf.translation_of:
        return "source" if lf.lang == source else "not a translation"
    original = files.get(lf.translation_of)
    if original is None or lf.source_hash is None:
        return "not stamped"
    return "up to date" if lf.source_hash == findings_hash(original) else "out of date"


def rows(content: Path, only: str | None = None) -> list[dict[str, Any]]:
    """One row per country and language (``missing`` for a language the other
    countries have and this one lacks)."""
    from ..pipeline import Request, last_page_count

    tree = contents.countries(content)
    if only is not None and only not in tree:
        contents.find(content, only)  # the usage error, with its did-you-mean
    every = sorted({lang for c in tree.values() for lang in c.languages})
    out = []
    for slug, country in tree.items():
        if only is not None and slug != only:
            continue
        try:
            loaded = contents.read_country(content, country).loaded()
        except ContentError as exc:
            out.append({"country": slug, "lang": None, "state": "invalid",
                        "problems": len(exc.problems)})
            continue
        source = loaded.profile.source_language
        for lang in every:
            lf = loaded.files.get(lang)
            if lf is None:
                out.append({"country": slug, "lang": lang, "state": "missing"})
                continue
            counts = _counts(lf)
            out.append({
                "country": slug, "lang": lang, "state": _state(lf, loaded.files, source),
                "kind": loaded.profile.kind, "level": loaded.profile.level,
                "draft": lf.draft,
                "findings": sum(sum(c.values()) - c["areas"] for c in counts.values()),
                "domains": counts, "words": _words(lf),
                "empty_domains": [key for key in counts if lf.domains[key].empty],
                "pages": last_page_count(Request(slug, lang, content)),
                "round": loaded.profile.round,  # 2 and later: a follow-up profile
            })
    if not out and only is None:
        raise UsageError(f"no country folders with a profile.yaml in {content}")
    return out


def table(data: list[dict[str, Any]]) -> str:
    """The rows as a table for the terminal; a domain's findings as
    well-developed+potential (+ area findings)."""
    head = ["country", "lang", "state", "findings",
            *(f"d{d.number}" for d in DOMAINS), "kind", "empty", "words", "pages"]
    lines = [head]
    for r in data:
        if "domains" not in r:
            detail = f"{r['problems']} problems" if r["state"] == "invalid" else ""
            lines.append([r["country"], r["lang"] or "-", r["state"], detail] +
                         [""] * (len(head) - 4))
            continue
        cells = []
        for d in DOMAINS:
            c = r["domains"][d.key]
            cell = f"{c['well_developed']}+{c['potential']}"
            cells.append(cell + (f"+{c['area_findings']}" if c["areas"] else ""))
        state = r["state"] + (" (draft)" if r["draft"] else "") + \
            (f" (round {r['round']})" if r.get("round", 1) > 1 else "")
        empty = ",".join(f"d{d.number}" for d in DOMAINS if d.key in r["empty_domains"])
        kind = r["kind"] + (f"/{r['level']}" if r["level"] else "")  # local/city
        lines.append([r["country"], r["lang"], state, str(r["findings"]), *cells, kind,
                      empty or "-", str(r["words"]),
                      "-" if r["pages"] is None else str(r["pages"])])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in lines)


def as_json(data: list[dict[str, Any]]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
