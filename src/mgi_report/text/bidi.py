"""Right-to-left text: runs of Latin letters, digits and signs set as written.

In Arabic text the Unicode bidi algorithm orders a run such as ``477-IV`` or
``−21,000`` by its characters' weak classes and prints it ``IV-477`` or
``21,000−``; an editor cannot fix that, because bidi controls are refused in
content (printable.py). The compiler isolates such runs itself: each is set in
a ``<span dir="ltr">`` (an HTML element, not a control character), which
WeasyPrint lays out as a left-to-right embedding inside the right-to-left line.

Only runs the algorithm could misorder are wrapped: a run of Latin letters,
digits and the punctuation between them (``477-IV``, ``1–3``, ``5.6%``,
``A/RES/73/195``) or a number with a sign. A lone word (``IOM``) or a lone
number (``2011``) is left as it is.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .i18n import direction


def rtl(lang: str) -> bool:
    """Whether ``lang`` is written right to left: Babel's character order
    (i18n.direction, cached; an unknown or malformed code is left to right)."""
    return direction(lang) == "rtl"


_WORD = r"[0-9A-Za-z\u00C0-\u024F]+"
#: A run: an optional sign, words joined by the punctuation that stands inside
#: numbers, law numbers, references and dates, and an optional per cent sign.
RUN = re.compile(rf"[+\-\u2212]?{_WORD}(?:[-\u2010\u2011\u2013./,:+'\u2019\u00b7\u00d7]{_WORD})*%?")
LTR_OPEN, LTR_CLOSE = '<span dir="ltr">', "</span>"


def _needs(run: str) -> bool:
    """A run the bidi algorithm could set otherwise than as written."""
    return not (run.isdigit() or run.isalpha())


def isolate(text: str, lang: str = "ar") -> Markup:
    """``text`` as safe HTML, each misorderable left-to-right run wrapped in
    ``<span dir="ltr">`` when ``lang`` is written right to left; escaped only,
    otherwise."""
    if not rtl(lang):
        return Markup(escape(text))
    out, at = [], 0
    for found in RUN.finditer(text):
        if not _needs(found.group()):
            continue
        out += [str(escape(text[at:found.start()])), LTR_OPEN, str(escape(found.group())),
                LTR_CLOSE]
        at = found.end()
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


__all__ = ["RUN", "isolate", "rtl"]
