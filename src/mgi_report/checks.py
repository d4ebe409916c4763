"""Warnings that do not stop a build: incomplete catalogs, stale translations.

``mgi-report check`` prints them; ``--strict`` turns them into failures.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from . import changes
from . import content as contents
from .errors import ContentError, Problem, UsageError
from .i18n import available_languages, catalog_path
from .render import write_atomic


def catalog_warnings(langs: tuple[str, ...] | None = None) -> list[Problem]:
    """Per language: messages of the catalog that are untranslated or fuzzy."""
    out = []
    for lang in langs or available_languages():
        path = catalog_path(lang)
        shown = contents.shown_path(path)
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for msg in catalog:
            if not msg.id:
                continue
            line = msg.lineno or 1
            if msg.fuzzy:
                out.append(Problem(shown, line, 1, f"fuzzy translation of {msg.id!r:.60}"))
            elif not msg.string:
                out.append(Problem(shown, line, 1, f"missing translation of {msg.id!r:.60}"))
    return out


def languages_without_catalog(content: Path) -> list[Problem]:
    """Language files whose language has no message catalog: they cannot be built."""
    known = set(available_languages())
    out = []
    for country in contents.countries(content).values():
        for lang in country.languages:
            if lang not in known:
                out.append(Problem(contents.shown_path(country.folder / f"{lang}.yaml"), 1, 1,
                                   f"no message catalog for `{lang}` (catalogs: "
                                   f"{', '.join(sorted(known))}); see README, "
                                   "'Adding a language'"))
    return out


def stale_translations(content: Path) -> list[Problem]:
    """Per country: translations whose source changed since they were made."""
    out = []
    for slug, lf, source in contents.translations(content):
        lang = lf.lang
        current = contents.findings_hash(source)
        shown = contents.shown_path(lf.path)
        if lf.source_hash is None:
            out.append(Problem(shown, 1, 1, f"translation of {lf.translation_of}.yaml "
                               "records no `source_hash`; after checking it, run "
                               f"`mgi-report stamp {slug} --lang {lang}`"))
        elif lf.source_hash != current:
            line = _line_of(lf.path, "source_hash")
            kept = stamped_copy(lf.path)
            was = contents.read_language(kept, source.lang) if kept.is_file() else None
            if was is not None and contents.findings_hash(was) == lf.source_hash:
                found = changes.compare(was, source)
                out.append(Problem(shown, line, 1, f"out of date: {len(found)} change(s) "
                                   f"in {lf.translation_of}.yaml since this translation "
                                   "was stamped (below); update them, then run "
                                   f"`mgi-report stamp {slug} --lang {lang}`"))
                out += [Problem(shown, line, 1, f"{lf.translation_of}.yaml changed: "
                                + change.describe()) for change in found]
                continue
            out.append(Problem(shown, line, 1, f"out of date: {lf.translation_of}.yaml "
                               "changed since this translation was made "
                               f"(source_hash {lf.source_hash}, now {current}); update "
                               f"it, then run `mgi-report stamp {slug} --lang {lang}` "
                               "(which also keeps a copy of the source, so that the next "
                               "change is named finding by finding)"))
    return out


def stamped_copy(translation: Path) -> Path:
    """Where ``stamp`` keeps the source as it was when the translation was stamped."""
    return translation.with_name(f".stamp-{translation.stem}.yaml")


def _line_of(path: Path, key: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    return 1


def stamp(content: Path, slug: str, lang: str) -> str:
    """Record in LANG.yaml the hash of the source it is now a translation of."""
    loaded = contents.load_country(content, slug)
    lf = loaded.files.get(lang)
    if lf is not None and not lf.translation_of and lang == loaded.profile.source_language:
        raise UsageError(f"`{lang}` is the source language of {slug} (profile.yaml: "
                         f"`source_language: {lang}`): only translations are stamped, "
                         "with the hash of this file")
    if lf is None or not lf.translation_of:
        raise ContentError([Problem(contents.shown_path(contents.countries(content)[slug].folder
                                                   / f"{lang}.yaml"), 1, 1,
                                    "not a translation: set `translation_of` first")])
    value = contents.findings_hash(loaded.files[lf.translation_of])
    raw = lf.path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom):].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"  # the file's own line ending
    new_line = f"source_hash: {value}"
    if re.search(r"(?m)^source_hash:[^\r\n]*", text):
        text = re.sub(r"(?m)^source_hash:[^\r\n]*", new_line, text)
    else:
        text = re.sub(r"(?m)^(translation_of:[^\r\n]*)", lambda m: m[1] + newline + new_line,
                      text, count=1)
    if not re.search(rf"(?m)^{re.escape(new_line)}\r?$", text):
        raise ContentError([Problem(contents.shown_path(lf.path), 1, 1,
                                    "cannot record `source_hash`: write `translation_of:` "
                                    "as a plain top-level key at the start of a line")])
    source = loaded.files[lf.translation_of].path.read_bytes()
    write_atomic(stamped_copy(lf.path), lambda fh: fh.write(source))
    write_atomic(lf.path, lambda fh: fh.write(bom + text.encode("utf-8")))
    return value
