"""A profile's extra chapters (profile.yaml ``chapters``; their titles and
texts in the language file): each placed in a slot of the layout, named by the
standard chapter it stands before (``end``: after the last, before the back
cover), with its paragraphs marked up and cited as the context's are.

``layouts/profile.html`` prints each slot's chapters with
``parts/extra.html``, ``parts/contents.html`` their contents entries, in the
same slots.
"""

from __future__ import annotations

from typing import Any

from ..content.series import PLACES
from ..text import markup

#: The layout's slots, in order: before each standard chapter, and the end.
SLOTS = (*PLACES, "end")


def slot(where: str, place: str) -> str:
    """The slot a chapter ``where`` (before, after, at) ``place`` goes into."""
    if where == "before":
        return place
    if where == "after":
        return SLOTS[SLOTS.index(place) + 1]
    return "end"


def chapters(job, text_lang: str, notes: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Slot -> its chapters, in the order profile.yaml declares them (those
    after a chapter before those before the next)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in SLOTS}
    ordered = sorted(job.profile.chapters, key=lambda c: c.where == "before")
    for c in ordered:
        text = job.doc.chapters[c.id]
        out[slot(c.where, c.place)].append({
            "id": c.id,
            "anchor": f"chapter-{c.id}",
            "title": markup.inline(text.title, text_lang),  # typographic quotes
            "paragraphs": markup.paragraphs(text.text, text_lang, notes),
        })
    return out
