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


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str  # catalog msgid
    unit: str  # catalog msgid
    share: bool = False  # a percentage: 0-100
    signed: bool = False  # may be negative (net migration)
    millions: bool = False


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
                close = difflib.get_close_matches(name, list(INDICATORS), n=1, cutoff=0.5)
                hint = f"did you mean `{close[0]}`?" if close else \
                    f"one of: {', '.join(INDICATORS)}"
                rep.at(vnode, f"unknown indicator `{name}`; {hint}")
            elif name is not None:
                indicator = INDICATORS[name]
        source = values.text(m["source"][1], rep, "`source`") if "source" in m else None
        figures = _values(m["values"][1], rep, indicator) if "values" in m else None
        if indicator and source and figures:
            out.append(KeyData(indicator, source, dict(sorted(figures.items()))))
    return out


def _values(node: Any, rep: Reporter, indicator: Indicator | None) -> dict[int, float] | None:
    m = values.mapping(node, rep, "`values`")
    if m is None:
        return None
    if not m:
        rep.at(node, "`values` needs at least one year: value")
        return None
    out: dict[int, float] = {}
    for key, (knode, vnode) in m.items():
        if knode.tag != _INT or not MIN_YEAR <= int(key) <= MAX_YEAR:
            rep.at(knode, f"`{key}` is not a year from {MIN_YEAR} to {MAX_YEAR}")
            continue
        if not isinstance(vnode, yaml.ScalarNode) or vnode.tag not in (_INT, _FLOAT):
            rep.at(vnode, f"the value for {key} must be a number, not {values.type_name(vnode)}")
            continue
        try:
            value = float(vnode.value.replace("_", ""))
        except ValueError:
            rep.at(vnode, f"the value for {key} must be a number")
            continue
        if value != value or value in (float("inf"), float("-inf")):
            rep.at(vnode, f"the value for {key} must be a finite number")
        elif indicator is not None and indicator.share and not 0 <= value <= 100:
            rep.at(vnode, f"the value for {key} is a percentage: from 0 to 100, not {value:g}")
        elif indicator is not None and not indicator.signed and value < 0:
            rep.at(vnode, f"the value for {key} counts something: it cannot be negative")
        else:
            out[int(key)] = value
    return out if len(out) == len(m) else None
