"""Message catalogs (gettext .po files, read with Babel) and locale formats."""

from __future__ import annotations

import functools
import io
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ..errors import UsageError
from ..resources import LOCALE
from .joins import join

DOMAIN = "messages"


def catalog_path(lang: str):
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """The compiled catalog for a language (fuzzy entries are not used)."""
    path = catalog_path(lang)
    if not path.exists():
        raise UsageError(f"no message catalog for language `{lang}` "
                         f"(catalogs: {', '.join(available_languages())}); "
                         "see README, 'Adding a language'")
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    # The layout's texts are typeset like the findings: the language's
    # non-breaking spaces (joins.py), also where a message is its own msgid.
    for message in catalog:
        if message.id and isinstance(message.id, str) and not message.fuzzy:
            text = message.string or message.id
            joined = join(text, lang)
            if joined != text or message.string:
                message.string = joined
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


def resolve_lang(value: str) -> str:
    """A language as a user may write it (``FR``, ``french``, ``Français``) -> the
    code of a language with a catalog (``fr``); anything else is returned as it
    is, for the caller's own message."""
    known = available_languages()
    if value.lower() in known:
        return value.lower()
    for code in known:
        locale = Locale.parse(code)
        names = {locale.get_display_name("en"), locale.get_display_name(code)}
        if value.casefold() in {n.casefold() for n in names if n}:
            return code
    return value


def month_year(d: date, lang: str, pattern: str = "LLLL y") -> str:
    """'May 2018', 'Mai 2018', 'mai 2018', 'май 2018 г.': the locale's month name
    in the catalog's pattern for this language."""
    return format_date(d, pattern, locale=lang)


@functools.lru_cache(maxsize=None)
def direction(lang: str) -> str:
    """"rtl" for a language Babel (CLDR) writes right to left (``ar``, ``fa``,
    ``he``, ``ur`` …), "ltr" otherwise, also for a code Babel does not know
    (``xx``: UnknownLocaleError) or cannot read (``ar-EG``, ``""``: ValueError).
    The one list of right-to-left languages: the layout's ``dir``, text/bidi.py's
    isolation and the PDF's reading order all ask it."""
    try:
        order = Locale.parse(lang).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def language_name(code: str, in_lang: str) -> str:
    """'Englisch' for ('en', 'de'): a language's name in another language."""
    return Locale.parse(in_lang).languages.get(code, code)
