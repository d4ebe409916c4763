"""The findings and the Global Compact for Migration (GCM): the marker beside
each tagged finding and the annex that gathers the findings by objective.

A finding may name the GCM objectives it informs (``gcm: [5, 15]``,
``content.tags``). Beside it the findings chapter prints a small marker, "GCM
5 · 15", each number a link to the annex's section of that objective (the
print edition drops links, as it drops every link). The annex "The findings
and the Global Compact for Migration" has a short introduction, the sentence
on SDG indicator 10.7.2 (``content.objectives``), a matrix of the six domains
by the 23 objectives with the number of findings in each cell, and, for each
objective with findings, in number order, its official title and its findings
(each one's first sentence, its domain, its place and its identifier).

A profile whose findings name no objective gets neither (``context`` gives
``gcm: None``), so its HTML and PDFs are what they were before the tags.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Any

from markupsafe import Markup

from ..content import walk
from ..content.domains import DOMAINS
from ..content.model import LanguageFile
from ..content.objectives import GCM_NAME, OBJECTIVES, SDG_10_7_2
from ..text import bidi, markup

N_ = str  # marks a catalog string

#: The annex's id (its contents entry, bookmark, links) and its title.
ANNEX_ID = "gcm"
ANNEX_TITLE = N_("The findings and the Global Compact for Migration")
#: An excerpt longer than this many words is cut to EXCERPT_WORDS and an ellipsis.
MAX_WORDS, EXCERPT_WORDS = 40, 30


def anchor(number: int) -> str:
    """The id of the annex's section of objective ``number`` (a marker's link)."""
    return f"gcm-objective-{number}"


def heading(number: int, tr) -> str:
    """"Objective 5: Enhance availability and flexibility of pathways for regular
    migration", in the layout's language."""
    _ = tr.gettext
    return _("%(label)s: %(value)s") % {"label": _("Objective %(n)s") % {"n": number},
                                         "value": _(OBJECTIVES[number - 1].title)}


def label(tr) -> str:
    """The compact's abbreviation, as a finding's marker prints it before the
    objectives' numbers."""
    # Translators: the Global Compact for Migration's abbreviation
    # (French and Spanish PMM, Russian ГДМ), printed small after a
    # finding, before the numbers of the objectives it informs
    # ("GCM 5 · 15"), and in the list of acronyms; a language
    # without one gives the compact's short name.
    return tr.gettext("GCM")


def link_titles(tr) -> dict[str, str]:
    """Annex and objective ids -> their titles: what a link to them is called."""
    titles = {ANNEX_ID: tr.gettext(ANNEX_TITLE)}
    titles.update((anchor(o.number), heading(o.number, tr)) for o in OBJECTIVES)
    return titles


# Sentence ends: a full stop, question or exclamation mark (Arabic's too) and a
# space before a capital, an Arabic letter or an opening quote or bracket
# ("No. 97" and "e.g. the" run on).
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u2026])\s+(?=[A-Z\u00c0-\u00de\u0410-\u042f\u0401"
                           r"\u0600-\u06ff\u00ab\u201c\u201e\"(])")


def excerpt(text: str, lang: str) -> Markup:
    """A finding as the annex prints it: its first sentence as plain text (no
    citations: their notes belong to the findings chapter; no emphasis or
    links), at most about MAX_WORDS words, set for ``lang`` (quotes, spaces,
    runs as written in Arabic)."""
    uncited = text
    for start, ident in reversed(markup.citations(text)):
        call = f"[^{ident}]"
        if uncited[start:start + len(call)] == call:
            uncited = uncited[:start] + uncited[start + len(call):]
    plain = html.unescape(re.sub(r"<[^>]*>", "", str(markup.inline(uncited, lang))))
    first = _SENTENCE_END.split(" ".join(plain.split()), maxsplit=1)[0]
    words = first.split(" ")
    if len(words) > MAX_WORDS:
        first = " ".join(words[:EXCERPT_WORDS]).rstrip(",;:") + "\u2026"
    return bidi.isolate(first, lang)


def _marks(doc: LanguageFile) -> dict[tuple[str, str, int], dict[int, list[dict]]]:
    """(domain, part, area) -> {0-based entry: its objectives (number, anchor)},
    tagged findings only."""
    out: dict[tuple[str, str, int], dict[int, list[dict]]] = defaultdict(dict)
    for f in walk.findings(doc):
        if f.gcm:
            out[f.domain, f.part, f.area][f.number - 1] = [
                {"number": n, "anchor": anchor(n)} for n in sorted(f.gcm)]
    return out


def domain_marks(doc: LanguageFile, domains: list[dict]) -> dict[str, dict[str, Any]]:
    """Domain key -> its tagged findings' markers: ``well_developed`` and
    ``potential`` ({0-based entry: its ``objectives`` (number, anchor)}) and
    ``areas`` (one such dict per area)."""
    found = _marks(doc)

    def marks(key: tuple[str, str, int]) -> dict[int, dict]:
        return {i: {"objectives": objectives} for i, objectives in found.get(key, {}).items()}

    return {d["key"]: {
        "well_developed": marks((d["key"], "well_developed", 0)),
        "potential": marks((d["key"], "potential", 0)),
        "areas": [marks((d["key"], "area", n)) for n in range(1, len(d["areas"]) + 1)],
    } for d in domains}


def annex(doc: LanguageFile, tr, text_lang: str) -> dict[str, Any]:
    """The annex's values: its title, introduction, the SDG sentence, the matrix
    (``columns``: the objectives 1-23; ``rows``: each domain's counts per column;
    ``totals``: each column's) and each objective with findings, in number order."""
    _ = tr.gettext
    labels = {"well_developed": _("Well-developed areas"),
              "potential": _("Areas with potential for further development")}
    by_objective: dict[int, list[dict[str, Any]]] = defaultdict(list)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    specs = {d.key: d for d in DOMAINS}
    for f in walk.findings(doc):
        spec = specs[f.domain]
        where = bidi.isolate(labels[f.part] if f.part != "area" else
                             f"{spec.number}.{f.area} {f.area_title or ''}", text_lang)
        for n in f.gcm:
            counts[f.domain, n] += 1
            by_objective[n].append({
                "id": bidi.isolate(f.id, text_lang), "domain": spec.number, "deep": spec.deep_rgb,
                "where": where,
                "text": excerpt(f.text, text_lang)})
    numbers = [o.number for o in OBJECTIVES]
    rows = [{"key": d.key, "number": d.number, "short_name": _(d.short_name), "deep": d.deep_rgb,
             "counts": [counts[d.key, n] for n in numbers]} for d in DOMAINS]
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(numbers))]
    return {
        "id": ANNEX_ID,
        "title": _(ANNEX_TITLE),
        "name": _(GCM_NAME),
        "label": label(tr),
        "introduction": _(
            "Each finding of this profile may name the objectives of the %(name)s "
            "(%(abbr)s) that it informs; the chapter “%(findings)s” marks it with their "
            "numbers. This annex counts the findings by domain and objective and lists "
            "them by objective.") % {"name": _(GCM_NAME), "abbr": label(tr),
                                     "findings": _("Key findings")},
        "sdg": _(SDG_10_7_2),
        "caption": _("Findings by domain (rows) and objective (columns)"),
        # each objective's number, and its section's anchor where it has findings
        "columns": [{"number": n, "anchor": anchor(n) if n in by_objective else None}
                    for n in numbers],
        "rows": rows,
        "totals": totals,
        "objectives": [{"number": n, "anchor": anchor(n), "heading": heading(n, tr),
                        "findings": by_objective[n]} for n in sorted(by_objective)],
    }


def acronyms(doc: LanguageFile, tr) -> dict[str, str]:
    """The GCM's abbreviation (the markers') for the list of acronyms, where
    the findings name objectives."""
    return {label(tr): tr.gettext(GCM_NAME)} if walk.tagged(doc) else {}


def context(doc: LanguageFile, tr, text_lang: str, domains: list[dict]) -> dict[str, Any]:
    """What the layout is given: ``gcm``, the annex and the markers of the
    findings as ``domains`` prints them; None for a profile whose findings name
    no objective (no annex, no marker)."""
    if not walk.tagged(doc):
        return {"gcm": None}
    return {"gcm": {**annex(doc, tr, text_lang), "marks": domain_marks(doc, domains)}}
