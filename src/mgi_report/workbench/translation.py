"""Translation review: what a reviser checks in a translation against its source.

- a list (a domain's two lists, its areas and each area's findings, the
  sources) whose length differs from the source's;
- a finding left as the source wrote it (identical text);
- a finding not in the file's language: mostly in another script (Latin text in
  a Russian or Arabic file) or, among languages of one script, identified as
  another language by py3langid (``identify=True``: ``check`` does it; a build
  warns of the rest, which costs nothing).

Every warning is located at the translation's entry. ``check --strict`` turns
them into failures.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from ..content import tree as contents
from ..content.domains import DOMAIN_KEYS
from ..content.yamlsource import Reporter, read_yaml
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


def _entry(node: Any, key: str) -> tuple[Any, Any]:
    """(key node, value node) of ``key`` in a mapping node; (None, None) if absent."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None, None


def _get(node: Any, key: str) -> Any:
    return _entry(node, key)[1]


def _seq(node: Any) -> list:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _text(node: Any) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return " ".join(node.value.split())
    if isinstance(node, yaml.MappingNode):  # a source: {id, text}
        return _text(_get(node, "text"))
    return None


def _lists(node: Any) -> list[tuple[str, Any, Any]]:
    """Every list a translation must match: (its name, its key node, its node)."""
    out = []
    domains = _get(node, "domains")
    for key in DOMAIN_KEYS:
        domain = _get(domains, key)
        for part in ("well_developed", "potential", "areas"):
            out.append((f"{key}.{part}", *_entry(domain, part)))
        for n, area in enumerate(_seq(_get(domain, "areas")), 1):
            out.append((f"{key}.areas[{n}].findings", *_entry(area, "findings")))
    out.append(("sources", *_entry(node, "sources")))
    return out


def _texts(node: Any) -> list[tuple[str, Any]]:
    """The texts that stand alone: (their name, their node)."""
    out = [(key, _get(node, key)) for key in ("introduction", "context")]
    for key in DOMAIN_KEYS:
        for n, area in enumerate(_seq(_get(_get(_get(node, "domains"), key), "areas")), 1):
            out.append((f"{key}.areas[{n}].title", _get(area, "title")))
    return out


def compare(translation: Path, source: Path, lang: str, identify: bool = True) -> list[Problem]:
    """The review warnings of one translation file against its source file."""
    trep = Reporter(translation, contents.shown_path(translation))
    tnode, trep = read_yaml(translation, trep.shown, trep)
    snode, srep = read_yaml(source, contents.shown_path(source))
    if tnode is None or snode is None:
        return []  # the content errors say why
    out: list[Problem] = []

    def at(node: Any, message: str) -> None:
        line, col = trep.position(getattr(node, "start_mark", None))
        out.append(Problem(trep.shown, line, col, message))

    def review_text(what: str, node: Any, original: Any, lang_too: bool = True) -> None:
        text = _text(node)
        if not text:
            return
        if text == _text(original) and len(text.split()) >= MIN_IDENTICAL_WORDS:
            line = srep.position(original.start_mark)[0]
            at(node, f"{what} is the source's text as it is ({source.name}:{line}): "
               "not translated?")
        elif lang_too and (why := other_language(text, lang, identify)):
            at(node, f"{what} is not in `{lang}`: {why}")

    source_lists = {name: value for name, _, value in _lists(snode)}
    for name, key, tlist in _lists(tnode):
        titems, sitems = _seq(tlist), _seq(source_lists.get(name))
        if len(titems) != len(sitems) and (tlist is not None or sitems):
            n = len(titems)
            at(key if key is not None else tnode,
               f"`{name}` has {n} entr{'y' if n == 1 else 'ies'}; the source "
               f"({source.name}) has {len(sitems)}")
        if name.endswith(".areas"):
            continue  # an area's title and findings are reviewed on their own
        for i, (item, original) in enumerate(zip(titems, sitems)):
            review_text(f"entry {i + 1} of `{name}`", item, original, name != "sources")
    source_texts = dict(_texts(snode))
    for name, node in _texts(tnode):
        review_text(f"`{name}`", node, source_texts.get(name))
    return out


def translation_warnings(content: Path, identify: bool = True) -> list[Problem]:
    """The review warnings of every translation in the content tree."""
    out: list[Problem] = []
    for _, lf, source in contents.translations(content):
        out += compare(lf.path, source.path, lf.lang, identify)
    return out
