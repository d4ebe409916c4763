"""The publication's facts in ``profile.yaml``: its identifiers and key migration data.

``publication`` (ISBN-13 with its check digit verified, the publisher's
reference, the licence) and ``key_data`` (figures per indicator and year, each
with its source) do not depend on language; their names and units come from
the catalogs (``INDICATORS``), so they print in every language.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import values
from .yamlsource import Reporter

N_ = str  # marks a catalog string (extracted by pybabel with -k N_)

LICENCES = ("all-rights-reserved", "cc-by-nc-nd-3.0-igo")
#: The licence's text as the imprint prints it (translated by the catalogs).
LICENCE_TEXTS = {
    "all-rights-reserved": N_(
        "All rights reserved. No part of this publication may be reproduced, stored in a "
        "retrieval system, or transmitted in any form or by any means, electronic, mechanical, "
        "photocopying, recording, or otherwise without the prior written permission of the "
        "publisher."),
    "cc-by-nc-nd-3.0-igo": N_(
        "This work is made available under the Creative Commons Attribution-NonCommercial-"
        "NoDerivs 3.0 IGO License (CC BY-NC-ND 3.0 IGO). For further specifications, please "
        "see the Copyright and Terms of Use."),
}


#: Codes ISO 3166 leaves to its users (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ): a
#: fictional or not yet coded country takes one of these (the example: XRU).
USER_ASSIGNED = re.compile(r"^(?:AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z])$")


def country(iso3: str):
    """The ISO 3166-1 country of an alpha-3 code (pycountry), or None."""
    import pycountry

    return pycountry.countries.get(alpha_3=iso3)


def iso3_problem(code: str) -> str | None:
    """Why ``code`` is not a country's ISO 3166-1 alpha-3 code, or None."""
    if USER_ASSIGNED.match(code) or country(code) is not None:
        return None
    import pycountry

    hint = ""
    if len(code) == 2 and (two := pycountry.countries.get(alpha_2=code.upper())):
        hint = f"; did you mean `{two.alpha_3}` ({two.name}), its three-letter code?"
    else:
        codes = sorted(c.alpha_3 for c in pycountry.countries)
        swapped = [c for c in codes if sorted(c) == sorted(code.upper())]  # KZA: KAZ
        if close := swapped or difflib.get_close_matches(code.upper(), codes, n=1,
                                                         cutoff=0.6):
            hint = f"; did you mean `{close[0]}` ({country(close[0]).name})?"
    return (f"`{code}` is not an ISO 3166 country code{hint} (a fictional country takes "
            "one of the codes left to users, such as `XAA` to `XZZ`)")


#: The largest figure a profile prints: a count of persons (10 billion, more than
#: the world's population; printed "10 billion" in every language) and US
#: dollars in millions (10 trillion dollars). A percentage runs from 0 to 100.
#: Past these, Babel's compact format gives up (1e40: decimal.InvalidOperation).
MAX_COUNT = 10_000_000_000
MAX_MILLIONS = 10_000_000


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str  # catalog msgid
    unit: str  # catalog msgid
    share: bool = False  # a percentage: 0-100
    signed: bool = False  # may be negative (net migration)
    millions: bool = False

    @property
    def largest(self) -> int:
        """The largest figure (in absolute value) the indicator may have."""
        return 100 if self.share else MAX_MILLIONS if self.millions else MAX_COUNT


INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("immigrants", N_("International migrants (immigrants)"), N_("persons")),
    Indicator("immigrants_share", N_("Immigrants as a share of the population"),
              N_("per cent of population"), share=True),
    Indicator("emigrants", N_("Emigrants"), N_("persons")),
    Indicator("emigrants_share", N_("Emigrants as a share of the population"),
              N_("per cent of population"), share=True),
    Indicator("refugees_hosted", N_("Refugees hosted"), N_("persons")),
    Indicator("remittances_received", N_("Remittances received"), N_("US dollars, millions"),
              millions=True),
    Indicator("remittances_share_gdp", N_("Remittances as a share of GDP"),
              N_("per cent of GDP"), share=True),
    Indicator("net_migration", N_("Net migration"), N_("persons"), signed=True),
)}
MIN_YEAR, MAX_YEAR = 1900, 2100
#: A year is written as four plain digits (YAML 1.1 reads `0x7D0`, `33:20`,
#: `02000`, `2_000` and `+2000` as numbers too, and some of them as 2000).
YEAR_RE = re.compile(r"[0-9]{4}")
#: The figures of all of key_data together: each is a table row and a bar, and
#: laying them out costs about 6 ms each (bench: eight indicators of 201 years
#: each took 66 s); 200 figures are 25 years of eight indicators.
MAX_FIGURES = 200


@dataclass
class Publication:
    isbn: str | None = None  # as written (hyphens kept)
    reference: str | None = None
    licence: str = "all-rights-reserved"


@dataclass
class KeyData:
    indicator: Indicator
    source: str
    values: dict[int, float] = field(default_factory=dict)  # year -> value, by year


def isbn13_ok(digits: str) -> bool:
    """The ISBN-13 check digit: weights 1, 3, 1, 3 ... make a multiple of 10."""
    return len(digits) == 13 and digits.isdigit() and \
        sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def parse_publication(node: Any, rep: Reporter) -> Publication | None:
    m = values.mapping(node, rep, "`publication`")
    if m is None:
        return None
    values.check_keys(m, ("isbn", "reference", "licence"), (), node, rep, "`publication`")
    pub = Publication()
    if "isbn" in m:
        vnode = m["isbn"][1]
        raw = vnode.value.strip() if isinstance(vnode, yaml.ScalarNode) and \
            vnode.tag in (_INT, "tag:yaml.org,2002:str") else None
        digits = re.sub(r"[-\s]", "", raw or "")
        if raw is None or not re.fullmatch(r"[0-9][0-9\-\s]*[0-9]", raw):
            rep.at(vnode, "`isbn` must be an ISBN-13 like `978-92-9068-000-0` (digits and "
                   "hyphens)")
        elif len(digits) != 13:
            rep.at(vnode, f"`isbn` has {len(digits)} digits; an ISBN-13 has 13")
        elif not isbn13_ok(digits):
            right = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in
                              enumerate(digits[:12])) % 10) % 10
            rep.at(vnode, f"`isbn` {raw}: the check digit is {digits[-1]}, but for these "
                   f"digits it must be {right} (a typing error?)")
        else:
            pub.isbn = raw
    if "reference" in m:
        pub.reference = values.text(m["reference"][1], rep, "`reference`")
        if pub.reference is not None and not values.fits(m["reference"][1], rep, pub.reference,
                                                         "`reference`", values.IMPRINT_FACT):
            pub.reference = None
    if "licence" in m:
        vnode = m["licence"][1]
        value = values.text(vnode, rep, "`licence`")
        if value is not None and value not in LICENCES:
            close = difflib.get_close_matches(value, LICENCES, n=1, cutoff=0.5)
            hint = f"did you mean `{close[0]}`?" if close else f"one of: {', '.join(LICENCES)}"
            rep.at(vnode, f"`licence` `{value}` is not known; {hint}")
        elif value is not None:
            pub.licence = value
    return pub


#: Entries of `key_data` (each indicator may come from several sources).
MAX_KEY_DATA = 40


def parse_key_data(node: Any, rep: Reporter) -> list[KeyData]:
    out = []
    figures = 0
    for i, item in enumerate(values.sequence(node, rep, "`key_data`", MAX_KEY_DATA), 1):
        where = f"entry {i} of `key_data`"
        m = values.mapping(item, rep, where)
        if m is None:
            continue
        keys = ("indicator", "source", "values")
        values.check_keys(m, keys, keys, item, rep, where)
        indicator = None
        if "indicator" in m:
            vnode = m["indicator"][1]
            name = values.text(vnode, rep, "`indicator`")
            if name is not None and name not in INDICATORS:
                close = difflib.get_close_matches(name[:40], list(INDICATORS), n=1, cutoff=0.5)
                hint = f"did you mean `{close[0]}`?" if close else \
                    f"one of: {', '.join(INDICATORS)}"
                rep.at(vnode, f"unknown indicator `{values.shorten(name)}`; {hint}")
            elif name is not None:
                indicator = INDICATORS[name]
        source = values.text(m["source"][1], rep, "`source`") if "source" in m else None
        found = _values(m["values"][1], rep, indicator) if "values" in m else None
        if found and figures + len(found) > MAX_FIGURES:
            rep.at(m["values"][1], f"`key_data` has more than {MAX_FIGURES} figures in all "
                   f"(this entry brings them to {figures + len(found)}); each is a bar and a "
                   "table row: give fewer years")
        figures += len(found or ())
        if indicator and source and found:
            out.append(KeyData(indicator, source, dict(sorted(found.items()))))
    return out


def _year_meant(raw: str) -> int | None:
    """The number a key written otherwise than as four digits stands for: a
    decimal with signs, zeros or underscores as written (`02000`, `+2_000`:
    2000), YAML 1.1's hexadecimal, octal, binary and base 60 (`0x7D0`, `33:20`:
    2000), a float with no fraction (`2000.0`); None for anything else."""
    text = raw.strip().replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    try:
        if re.fullmatch(r"[0-9]+", text):
            return sign * int(text)
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if text.lower().startswith(prefix):
                return sign * int(text[2:], base)
        if re.fullmatch(r"[0-9]+(?::[0-5]?[0-9])+", text):
            total = 0
            for part in text.split(":"):
                total = total * 60 + int(part)
            return sign * total
        if len(text) < 40 and (number := float(text)).is_integer() and abs(number) < 1e9:
            return sign * int(number)
    except ValueError:
        pass
    return None


def _values(node: Any, rep: Reporter, indicator: Indicator | None) -> dict[int, float] | None:
    """year -> figure, or None when anything about them is wrong (and reported)."""
    m = values.mapping(node, rep, "`values`")
    if m is None:
        return None
    if not m:
        rep.at(node, "`values` needs at least one year: value")
        return None
    out: dict[int, float] = {}
    first: dict[int, tuple[str, yaml.Node]] = {}  # year -> as first written, where
    wrong = 0
    for key, (knode, vnode) in m.items():
        shown = values.shorten(key, 20)
        if getattr(knode, "style", None) in ("'", '"'):
            shown = f"{knode.style}{shown}{knode.style}"
        meant = _year_meant(key) if isinstance(knode, yaml.ScalarNode) else None
        if meant is not None and meant in first:
            spelled, where = first[meant]
            line = rep.position(where.start_mark)[0]
            rep.at(knode, f"`{shown}` is the year {meant} again (first given on line {line}"
                   + (f" as `{spelled}`" if spelled != key else "") + "): give each year once")
            wrong += 1
            continue
        if meant is not None:
            first[meant] = (key, knode)
        if knode.tag != _INT or not YEAR_RE.fullmatch(key):
            example = meant if meant is not None and MIN_YEAR <= meant <= MAX_YEAR else 2000
            rep.at(knode, f"`{shown}` is not a year written plainly: write a year as four "
                   f"digits, like `{example}` (no quotes, sign, leading zero or underscore)")
            wrong += 1
            continue
        year = int(key)
        if not MIN_YEAR <= year <= MAX_YEAR:
            rep.at(knode, f"`{key}` is not a year from {MIN_YEAR} to {MAX_YEAR}")
            wrong += 1
            continue
        value = _figure(vnode, rep, year, indicator)
        if value is None:
            wrong += 1
        else:
            out[year] = value
    return None if wrong else out


def _figure(vnode: Any, rep: Reporter, year: int, indicator: Indicator | None) -> float | None:
    """A year's figure, within what the indicator may print (reported otherwise)."""
    if not isinstance(vnode, yaml.ScalarNode) or vnode.tag not in (_INT, _FLOAT):
        rep.at(vnode, f"the value for {year} must be a number, not {values.type_name(vnode)}")
        return None
    raw = vnode.value.strip()
    shown = values.shorten(raw, 30)
    if not re.fullmatch(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?",
                        raw):
        rep.at(vnode, f"the value for {year} must be a number written plainly, like `1200` or "
               f"`3.5`, not `{shown}`")
        return None
    value = float(raw.replace("_", ""))  # the pattern above is a float's
    if value != value or value in (float("inf"), float("-inf")):
        rep.at(vnode, f"the value for {year} must be a finite number")
        return None
    if indicator is None:
        return value
    if indicator.share and not 0 <= value <= 100:
        rep.at(vnode, f"the value for {year} is a percentage: from 0 to 100, and `{shown}` is "
               + ("less than 0" if value < 0 else "more than 100"))
        return None
    if not indicator.signed and value < 0:
        rep.at(vnode, f"the value for {year} counts something: it cannot be negative")
        return None
    if abs(value) > indicator.largest:
        unit = "US dollars in millions" if indicator.millions else "a count of persons"
        rep.at(vnode, f"the value for {year}, `{shown}`, is more than {indicator.largest:,}, "
               f"the largest figure a profile prints ({unit})")
        return None
    return value
