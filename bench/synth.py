"""Synthetic content for the benchmark: N profiles made from content/kazakhstan.

Each synthetic country gets the real English, German and Russian findings
(every language in LANGS that has both a content file and a catalog), its
own name in the three languages, and a length of its own: the findings lists
are cut or repeated by a factor between 0.5 and 2, so page counts vary.
Translations are stamped (``source_hash``) so that the tree is valid content.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import yaml

from mgi_report.resources import DEFAULT_CONTENT
from mgi_report.text.i18n import catalog_path
from mgi_report.workbench import check as checks

SOURCE = DEFAULT_CONTENT / "kazakhstan"
LANGS = ("en", "de", "ru")
SCALES = (0.5, 1.0, 1.5, 2.0, 0.75, 1.25)
SYLLABLES = ("al", "bor", "ca", "dor", "el", "fa", "gon", "hel", "ir", "ka", "lu", "mor",
             "na", "or", "pel", "qua", "ros", "sa", "tor", "ul", "ven", "wa", "xan", "yr")
FORMS = {  # (short form, long form) per language; {} is the name. The longest long
    # form fits the cover (`check` refuses a name of over 4 lines there): the former
    # "... Republic of {} and the Northern Isles" took 5 in Russian with a long name
    "en": ("{}", ("Republic of {}", "Kingdom of {}", "Federal Democratic Republic of {}",
                  "State of {}")),
    "de": ("{}", ("Republik {}", "Königreich {}", "Demokratische Bundesrepublik {}",
                  "Staat {}")),
    "ru": ("{}", ("Республика {}", "Королевство {}", "Федеративная Демократическая "
                  "Республика {}", "Государство {}")),
}
CYRILLIC = {"a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х",
            "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к",
            "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс", "y": "ы"}
OLD_NAMES = {"en": "Kazakhstan", "de": "Kasachstan", "ru": "Казахстан"}


def languages() -> tuple[str, ...]:
    return tuple(lang for lang in LANGS
                 if (SOURCE / f"{lang}.yaml").exists() and catalog_path(lang).exists())


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() \
        + "ia"


def _local(name: str, lang: str) -> str:
    if lang != "ru":
        return name
    out = "".join(CYRILLIC.get(ch, ch) for ch in name.lower())
    return out[:1].upper() + out[1:]


def _scaled(items: list, factor: float) -> list:
    if not items:
        return items
    n = max(1, round(len(items) * factor))
    return [items[i % len(items)] for i in range(n)]


def _localize(value, old: str, new: str):
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_localize(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _localize(v, old, new) for k, v in value.items()}
    return value


def generate(dest: Path, n: int, seed: int = 7) -> list[tuple[str, str]]:
    """Write n profiles (country x language) under dest; returns (slug, lang) pairs."""
    rng = random.Random(seed)
    langs = languages()
    sources = {lang: yaml.safe_load((SOURCE / f"{lang}.yaml").read_text(encoding="utf-8"))
               for lang in langs}
    profile = yaml.safe_load((SOURCE / "profile.yaml").read_text(encoding="utf-8"))
    made: list[tuple[str, str]] = []
    names: set[str] = set()
    for i in range(math.ceil(n / len(langs))):
        name = _name(rng)
        while name in names:
            name = _name(rng)
        names.add(name)
        slug = name.lower()
        folder = dest / slug
        folder.mkdir(parents=True)
        # a code ISO leaves to users (X..), as a fictional country takes; three
        # draws as before, so that the profiles are those of earlier runs
        iso3 = "X" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))[1:]
        facts = {**profile, "iso3": iso3, "published": f"{2016 + i % 8}-{1 + i % 12:02d}",
                 "source_language": "en" if "en" in langs else langs[0]}
        (folder / "profile.yaml").write_text(yaml.safe_dump(facts, sort_keys=False),
                                             encoding="utf-8")
        scale = SCALES[i % len(SCALES)]
        form = i % len(FORMS["en"][1])
        for lang in langs:
            if len(made) >= n:
                break
            doc = _localize(sources[lang], OLD_NAMES[lang], _local(name, lang))
            doc["country"] = FORMS[lang][1][form].format(_local(name, lang))
            doc["short_name"] = _local(name, lang)
            for findings in doc["domains"].values():
                for key in ("well_developed", "potential"):
                    findings[key] = _scaled(findings.get(key) or [], scale)
            (folder / f"{lang}.yaml").write_text(
                yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=88),
                encoding="utf-8")
            made.append((slug, lang))
        for slug_, lang in made:
            if slug_ == slug and sources[lang].get("translation_of"):
                checks.stamp(dest, slug, lang)
    return made
