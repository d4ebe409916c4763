"""Translation review: what a reviser checks in a translation against its source.

- a list (a domain's two lists, its areas and each area's findings, the
  sources) whose length differs from the source's;
- a finding left as the source wrote it (identical text);
- a finding not in the file's language: mostly in another script (Latin text in
  a Russian or Arabic file) or, among languages of one script, identified as
  another language by py3langid (``identify=True``: ``check`` does it; a build
  warns of the rest, which costs nothing).

Every warning is located at the translation's entry, where parsing the file
recorded it (``LanguageFile.at``): the review reads no file again. ``check
--strict`` turns them into failures.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

from ..content import tree as contents
from ..content import walk
from ..content.model import LanguageFile
from ..errors import Problem
from ..text.markup import CITATION

#: The script a language is written in (the letters' Unicode script names).
SCRIPTS = {"en": "LATIN", "de": "LATIN", "fr": "LATIN", "es": "LATIN",
           "ru": "CYRILLIC", "ar": "ARABIC"}
#: How sure py3langid must be that a finding is in another language to say so,
#: and how many letters a finding needs before it is asked (short ones, names and
#: acronyms are left alone).
CONFIDENCE = 0.99
MIN_LETTERS = 40
MIN_IDENTICAL_WORDS = 4  # shorter texts (a name, a number) may well be the same

_LINK = re.compile(r"\]\([^)]*\)|https?://\S+")


def _letters_by_script(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            counts[script] = counts.get(script, 0) + 1
    return counts


def _plain(text: str) -> str:
    """A finding without its citations, links and acronyms (capitalised words)."""
    text = CITATION.sub("", _LINK.sub("", text))
    return " ".join(w for w in text.split() if not (w.isupper() and len(w) > 1))


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(sorted(SCRIPTS))
    return ident


def other_language(text: str, lang: str, identify: bool) -> str | None:
    """Why ``text`` is not in ``lang``, or None."""
    plain = _plain(text)
    scripts = _letters_by_script(plain)
    letters = sum(scripts.values())
    own = SCRIPTS.get(lang)
    if own is None or letters == 0:
        return None
    foreign = letters - scripts.get(own, 0)
    if foreign > letters / 2:
        main = max(scripts, key=scripts.get).lower().capitalize()
        return f"mostly {main} letters, not {own.lower().capitalize()}"
    if not identify or letters < MIN_LETTERS or foreign:
        return None
    guess, confidence = _identifier().classify(plain)
    if guess != lang and SCRIPTS.get(guess) == own and confidence >= CONFIDENCE:
        return f"reads as `{guess}` (py3langid, {confidence:.0%} sure)"
    return None


# ------------------------------------------------------------ the two files


def _normal(text: str | None) -> str | None:
    """A text as the review compares it: its words, one space between."""
    return " ".join(text.split()) if text is not None else None


def compare(lf: LanguageFile, source: LanguageFile, identify: bool = True) -> list[Problem]:
    """The review warnings of one translation against its source, both read
    (located where ``lf.at`` says its texts stand)."""
    shown = contents.shown_path(lf.path)
    out: list[Problem] = []

    def at(name: str, message: str) -> None:  # where the file is left out: its start
        out.append(Problem(shown, *lf.at.get(name, lf.at.get("", (1, 1))), message))

    def review_text(what: str, name: str, text: str | None, original: str | None,
                    lang_too: bool = True) -> None:
        text = _normal(text)
        if not text:
            return
        if text == _normal(original) and len(text.split()) >= MIN_IDENTICAL_WORDS:
            line = source.at.get(name, (1, 1))[0]
            at(name, f"{what} is the source's text as it is ({source.path.name}:{line}): "
               "not translated?")
        elif lang_too and (why := other_language(text, lf.lang, identify)):
            at(name, f"{what} is not in `{lf.lang}`: {why}")

    source_lists = {listed.name: listed.items for listed in walk.lists(source)}
    for listed in walk.lists(lf):
        name = listed.name
        titems, sitems = listed.items or [], source_lists.get(name) or []
        if len(titems) != len(sitems) and (name in lf.at or sitems):  # in lf.at: written
            n = len(titems)
            at(name, f"`{name}` has {n} entr{'y' if n == 1 else 'ies'}; the source "
               f"({source.path.name}) has {len(sitems)}")
        if listed.part == "areas":
            continue  # an area's title and findings are reviewed on their own
        for i, (item, original) in enumerate(zip(titems, sitems), 1):
            review_text(f"entry {i} of `{name}`", walk.entry(name, i), item, original,
                        name != "sources")
    source_texts = dict(walk.lone_texts(source))
    for name, text in walk.lone_texts(lf):
        review_text(f"`{name}`", name, text, source_texts.get(name))
    _tags(lf, source, at)
    return out


def _objectives(gcm: tuple[int, ...]) -> str:
    return "GCM objectives " + ", ".join(map(str, gcm)) if gcm else "no GCM objective"


def _tags(lf: LanguageFile, source: LanguageFile, at) -> None:
    """A translation keeps its source's tags (content/tags.py): where an entry's
    GCM objectives or identifier differ from the source's entry at the same
    place, a warning at the entry."""
    originals = {f.name: f for f in walk.findings(source)}
    for f in walk.findings(lf):
        original = originals.get(f.name)
        if original is None:
            continue
        line = source.at.get(f.name, (1, 1))[0]
        if set(f.gcm) != set(original.gcm):
            at(f.name, f"`{f.name}` names {_objectives(f.gcm)}; the source "
               f"({source.path.name}:{line}) names {_objectives(original.gcm)}: a "
               "translation keeps its source's tags")
        if f.id != original.id:
            at(f.name, f"`{f.name}` has the id `{f.id}`; the source ({source.path.name}:"
               f"{line}) has `{original.id}`: a translation keeps its source's identifiers")


def translation_warnings(loaded: Mapping[str, contents.Loaded],
                         identify: bool = True) -> list[Problem]:
    """The review warnings of every translation of the countries read
    (``tree.read_tree``)."""
    out: list[Problem] = []
    for _, lf, source in contents.translations(loaded):
        out += compare(lf, source, identify)
    return out
