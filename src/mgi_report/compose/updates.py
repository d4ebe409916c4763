"""A follow-up profile's chapter "Updates since {year}" and its mentions of the
baseline (cover, imprint, introduction).

The changes are those ``content.changes`` finds between the baseline's
findings and the profile's, word by word (``tracked`` compares them as they
print); here they are set for a reader, not an editor: per domain the findings
that are new, those that changed (the profile's wording, its new words in bold
and underlined in the domain's colour, and below it the baseline's wording,
the words that no longer apply in grey with a dotted underline), and those
that no longer apply, with the editors' own text (``updates:``) and a table of
the counts by domain.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from ..content import changes
from ..content.domains import DOMAINS
from ..content.baseline import Baseline
from ..content.model import LanguageFile
from ..text import markup
from . import local, tracked

#: The cover's words for a profile of each round (ordinals agree with their
#: noun in most languages: whole phrases, not an ordinal and a noun).
N_ = str  # marks a catalog string (extracted by pybabel with -k N_)
ROUND_LABELS = {2: N_("Second profile"), 3: N_("Third profile"), 4: N_("Fourth profile"),
                5: N_("Fifth profile")}
KINDS = ("added", "changed", "removed")


def round_label(round_: int, tr) -> str:
    """The cover's words for a profile of ``round_`` (2 and later)."""
    _ = tr.gettext
    if round_ in ROUND_LABELS:
        return _(ROUND_LABELS[round_])
    return _("Profile %(n)s") % {"n": round_}


def domain_changes(baseline: LanguageFile, doc: LanguageFile) -> list[changes.Change]:
    """The changes to the findings of the six domains (not the introduction,
    context or sources) since the baseline."""
    keys = {d.key for d in DOMAINS}
    return [c for c in changes.compare(baseline, doc) if c.where.split(".")[0] in keys]


def _reader(words: list, keep: str, cls: str, lang: str, colour: str) -> Markup:
    """One version of a changed finding: its words kept and those of ``keep``
    (``+`` the new, ``-`` the old), the latter marked for a reader."""
    html = str(tracked.set_words([(op, w) for op, w in words if op in ("=", keep)], lang, None))
    tag = "ins" if keep == "+" else "del"
    style = f' style="color: {colour}; text-decoration-color: {colour}"' if keep == "+" else ""
    return Markup(html.replace(f'<{tag} class="rv-{tag}">', f'<{tag} class="{cls}"{style}>'))


def _list_name(where: str, labels: dict[str, str]) -> str:
    part = where.split(".", 1)[1] if "." in where else where
    if part.startswith("areas["):
        return part.split("] ", 1)[-1].strip("“”")
    return labels.get(part, part)


def chapter(baseline: Baseline, doc: LanguageFile, tr, text_lang: str) -> dict[str, Any]:
    """The values of the updates chapter (``tr``: the layout's catalog,
    ``text_lang``: the findings' language)."""
    _ = tr.gettext
    notes = doc.notes()
    labels = {"well_developed": _("Well-developed areas"),
              "potential": _("Areas with potential for further development")}
    found = domain_changes(baseline.doc, doc)
    domains = []
    for spec in DOMAINS:
        mine = [c for c in found if c.where.split(".")[0] == spec.key
                and not c.retagged_only]  # a finding's GCM tags are no policy change
        entries: dict[str, list[dict]] = {k: [] for k in KINDS}
        for c in mine:
            entry = {"list": _list_name(c.where, labels)}
            # without citations: the chapter sums up, and the findings' own chapter
            # gives their sources (a citation here would take their notes)
            old, new = markup.uncited(c.old), markup.uncited(c.new)
            if c.kind == "added":
                entry["text"] = markup.inline(new, text_lang)
            elif c.kind == "removed":
                entry["text"] = markup.inline(old, text_lang)
            else:
                words = tracked.compared(old, new, text_lang)
                entry["text"] = _reader(words, "+", "up-new", text_lang, spec.deep_rgb)
                entry["before"] = _reader(words, "-", "up-old", text_lang, "")
            entries[c.kind].append(entry)
        text = doc.updates.get(spec.key)
        domains.append({
            "key": spec.key, "number": spec.number, "short_name": _(spec.short_name),
            "color": spec.rgb, "deep": spec.deep_rgb,
            "text": markup.paragraphs(text, text_lang, notes) if text else None,
            **entries,
            "counts": {k: len(entries[k]) for k in KINDS},
        })
    totals = {k: sum(d["counts"][k] for d in domains) for k in KINDS}
    return {"heading": _("Updates since %(year)s") % {"year": baseline.profile.published.year},
            "domains": domains, "totals": totals}


def context(baseline: Baseline | None, round_: int, doc: LanguageFile, tr,
            text_lang: str, lang: str) -> dict[str, Any]:
    """What the layout (in ``lang``) is given of a follow-up (``followup``: None
    for a first profile): the cover's words, the sentence citing the baseline,
    the chapter."""
    if baseline is None:
        return {"followup": None}
    _ = tr.gettext
    year = baseline.profile.published.year
    title = _("%(label)s: %(value)s") % {  # a local baseline's: "City of Strelsau"
        "label": _("Migration Governance Profile"),
        "value": local.title_name(baseline.profile, baseline.doc, _, lang)}
    updates = chapter(baseline, doc, tr, text_lang)
    return {"followup": {
        "round": round_,
        "label": round_label(round_, tr),
        "year": year,
        "title": title,
        "cites": _("This profile follows up the profile “%(title)s” of %(year)s and "
                   "reports what has changed since.") % {"title": title, "year": year},
        "chapter_note": _("The chapter “%(chapter)s” sets out, domain by domain, the "
                          "findings that are new, those that have changed and those that "
                          "no longer apply.") % {"chapter": updates["heading"]},
        "legend": _("In a changed finding, the new words are set in bold and underlined "
                    "in the domain's colour; below it, its wording of %(year)s shows the "
                    "words that no longer apply in grey, underlined with dots.")
        % {"year": year},
        **updates,
    }}
