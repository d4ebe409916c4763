"""Non-breaking spaces a careful typesetter puts in by hand, per language: what
belongs together stays on one line ("z. B.", "Nr. 143", "в Казахстане",
"№ 97", "2011 г.", "« texte »", "article 5").

Applied to the text of findings as they are typeset (markup.py runs ``join`` on
every text token, after the typographic quotes), never to the content files.
Inside abbreviations the space is the narrow no-break space (U+202F), which
justification does not stretch; before a number or after a one-letter word it
is the no-break space (U+00A0), which stretches like any word space.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow: "z. B.", and French punctuation

Rule = tuple[re.Pattern[str], str]


def _rules(*pairs: tuple[str, str]) -> list[Rule]:
    return [(re.compile(p), r) for p, r in pairs]


#: Every language: a dash never begins a line, a number keeps its % sign, and
#: "und -bürger" keeps its word-part.
COMMON = _rules(
    (r" (?=[\u2013\u2014](?: |$))", NBSP),
    (r"(?<=\d) (?=[%\u2030](?!\w))", NBSP),
    (r"(?<=\w) (?=-\w)", NBSP),
)

RULES: dict[str, list[Rule]] = {
    "de": _rules(
        # z. B., d. h., u. a., o. Ä., i. d. R. (letter, point, space, letter, point)
        (r"(?<![\w.])(\w)\. (?=\w\.)", "\\1." + NNBSP),
        (r"(?<![\w.])(Nr|Art|Abs|Ziff|Bd|Kap|Anh|Nrn|Abschn|S)\. (?=\d)", "\\1." + NBSP),
        (r"(?<!\w)(§§?) (?=\d)", "\\1" + NBSP),
        (r"(?<=\d) (?=(?:Mio|Mrd|Tsd)\.)", NBSP),
    ),
    "ru": _rules(
        # one-letter prepositions and conjunctions stay with the next word
        (r"(?<![\w\-\u2010])([вВкКсСоОуУиИаАяЯ]) ", "\\1" + NBSP),
        (r"№ ?(?=\d)", "№" + NBSP),
        (r"(?<=\d) (?=(?:гг?|млн|млрд|тыс)\.)", NBSP),
        (r"(?<![\w.])(т)\. (?=[едпч]\.)", "\\1." + NNBSP),
        (r"(?<![\w.])(ст|п|ч|гл|разд)\. (?=\d)", "\\1." + NBSP),
    ),
    "fr": _rules(
        (r"(?<=[\w\u00bb\)\]\u201d\u2019.]) ?(?=[;!?])", NNBSP),
        (r"(?<=[\w\u00bb\)\]\u201d\u2019.]) ?(?=:(?:\s|$))", NBSP),
        (r"\u00ab ?", "\u00ab" + NNBSP),
        (r" ?\u00bb", NNBSP + "\u00bb"),
        (r"(?<![\w.])((?:art|p|n°|no|nos|al)\.?) (?=\d)", "\\1" + NBSP),
    ),
    "es": _rules(
        (r"(?<![\w.])(art|núm|n\.º|p|pág|párr)\. (?=\d)", "\\1." + NBSP),
        (r"(?<![\w.])(p)\. (?=ej\.)", "\\1." + NNBSP),
    ),
    "en": _rules(
        (r"(?<![\w.])(No|Nos|Art|para|p|pp|Vol|Ch|Sec)\. (?=\d)", "\\1." + NBSP),
        (r"(?<![\w.])(Mr|Ms|Mrs|Dr)\. (?=\w)", "\\1." + NBSP),
    ),
}


def join(text: str, lang: str) -> str:
    """``text`` with the language's non-breaking spaces put in."""
    for pattern, repl in (*COMMON, *RULES.get(lang, ())):
        text = pattern.sub(repl, text)
    return text
