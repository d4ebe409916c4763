"""What changed in a follow-up's findings since its baseline, as data.

The changes are those of the PDF's updates chapter (``compose.updates``:
``content.changes`` between the baseline's language file and the profile's,
the six domains' findings only, a change of GCM tags alone left out): each
finding that is new, changed or no longer applies, with its identifier and
place (the profile's for a new or changed finding, the baseline's for one
that no longer applies), and its wording now and in the baseline, plain and
as HTML, without citations, in the document's order.
"""

from __future__ import annotations

from typing import Any

from ..compose.updates import domain_changes
from ..content import changes as changed
from ..content import walk
from ..content.baseline import Baseline
from ..content.domains import DOMAINS
from ..content.model import LanguageFile
from . import texts

_NUMBERS = {d.key: d.number for d in DOMAINS}


def _places(lf: LanguageFile) -> dict[tuple[str, int], walk.Finding]:
    """Every finding of a file by how a change names its place: (its list's
    ``where``, its 1-based entry)."""
    out = {}
    for f in walk.findings(lf):
        where = changed.area_where(f.domain, f.area, f.area_title or "") if f.part == "area" \
            else f"{f.domain}.{f.part}"
        out[where, f.number] = f
    return out


def changes(baseline: Baseline, doc: LanguageFile) -> list[dict[str, Any]]:
    """Each finding new, changed or removed since ``baseline``, in order."""
    lang, then = doc.lang, baseline.doc.lang
    now_at, then_at = _places(doc), _places(baseline.doc)
    out = []
    for c in domain_changes(baseline.doc, doc):
        if c.retagged_only or c.entry is None:
            continue  # a finding's GCM tags are no change of policy (as in the PDF)
        f = (then_at if c.kind == "removed" else now_at).get((c.where, c.entry))
        if f is None:  # pragma: no cover - every change names an entry of its file
            continue
        out.append({
            "domain": _NUMBERS[f.domain],
            "domain_key": f.domain,
            "kind": c.kind,
            "id": f.id,
            "part": f.part,
            "area": f.area or None,
            "area_title": f.area_title,
            "number": f.number,
            "text": texts.plain(c.new, lang) if c.kind != "removed" else None,
            "html": texts.html(c.new, lang) if c.kind != "removed" else None,
            "before": texts.plain(c.old, then) if c.kind != "added" else None,
            "before_html": texts.html(c.old, then) if c.kind != "added" else None,
        })
    return out
