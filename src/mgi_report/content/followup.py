"""Follow-up profiles: ``round`` and ``baseline`` in profile.yaml, ``updates`` in
a language file, parsed and located (the baseline itself is read by
``baseline``).

A follow-up (``round: 2`` or later) names its baseline, the earlier assessment
it reports the changes since: another profile of the tree (``{profile:
slug}``), this profile's folder at a git revision (``{revision: rev}``), or
the baseline's archive PDF (``{pdf: path}``).
"""

from __future__ import annotations

from typing import Any

import yaml

from . import values
from .domains import DOMAIN_KEYS
from .model import BaselineRef
from .yamlsource import Reporter

KINDS = ("profile", "revision", "pdf")
MAX_ROUND = 20


def parse(m: dict, rep: Reporter) -> tuple[int, BaselineRef | None]:
    """``round`` and ``baseline`` of profile.yaml's mapping ``m`` (key -> (key
    node, value node)); every problem located."""
    round_ = 1
    if "round" in m:
        vnode = m["round"][1]
        raw = vnode.value if isinstance(vnode, yaml.ScalarNode) else None
        if vnode.tag != "tag:yaml.org,2002:int" or raw is None or not raw.isdigit() \
                or not 1 <= int(raw) <= MAX_ROUND:
            shown = f"`{raw}`" if raw else values.type_name(vnode)
            rep.at(vnode, f"`round` must be a whole number from 1 (a first profile) to "
                   f"{MAX_ROUND}, not {shown}")
            round_ = 0
        else:
            round_ = int(raw)
    ref = None
    if "baseline" in m:
        knode, vnode = m["baseline"]
        ref = _ref(knode, vnode, rep)
        if round_ == 1:
            rep.at(knode, "`baseline` is given but `round` is 1 (the default): a first "
                   "profile has no baseline; set `round: 2` (or later), or remove `baseline`")
    elif round_ >= 2:
        rep.at(m["round"][0], f"`round: {round_}` needs a `baseline`: the earlier profile, "
               "as `{profile: <folder>}`, `{revision: <git revision>}` or `{pdf: <file>}`")
    return round_, ref


def _ref(knode: yaml.Node, vnode: yaml.Node, rep: Reporter) -> BaselineRef | None:
    m = values.mapping(vnode, rep, "`baseline`")
    if m is None:
        return None
    if len(m) != 1 or next(iter(m)) not in KINDS:
        names = ", ".join(f"`{values.shorten(k)}`" for k in m) or "nothing"
        rep.at(vnode, f"`baseline` must name one of `profile`, `revision` or `pdf`, "
               f"not {names}")
        return None
    kind, (_, node) = next(iter(m.items()))
    value = values.text(node, rep, f"`baseline.{kind}`")
    if value is None:
        return None
    return BaselineRef(kind, value, rep.position(knode.start_mark))


def parse_updates(node: Any, rep: Reporter, citing: list[tuple[yaml.Node, str]],
                  found: dict[str, tuple[int, int]] | None = None) -> dict[str, str]:
    """``updates:`` of a language file: the editors' text per domain key (which
    may cite sources: added to ``citing``)."""
    m = values.mapping(node, rep, "`updates`")
    if m is None:
        return {}
    out = {}
    for key, (knode, vnode) in m.items():
        if key not in DOMAIN_KEYS:
            close = values.suggest(rep, str(key), list(DOMAIN_KEYS))
            hint = f"; did you mean `{close}`?" if close else \
                f" (domains: {', '.join(DOMAIN_KEYS)})"
            rep.at(knode, f"`updates` names an unknown domain `{values.shorten(str(key))}`{hint}")
            continue
        text = values.text(vnode, rep, f"`updates.{key}`", limit=4 * values.MAX_TEXT_CHARS,
                           markup=True)
        if text is not None:
            out[key] = text
            citing.append((vnode, text))
            if found is not None:  # where walk's `updates.<domain>` stands
                found[f"updates.{key}"] = rep.position(vnode.start_mark)
    return out
