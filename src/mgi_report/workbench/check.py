"""Warnings that do not stop a build: incomplete catalogs, stale translations.

``mgi-report check`` prints them; ``--strict`` turns them into failures.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from ..content import changes
from ..content import tree as contents
from ..content.walk import findings_hash
from ..errors import ContentError, Problem, UsageError
from ..files.writes import write_atomic
from ..text.i18n import available_languages, catalog_path


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


def languages_without_catalog(countries: Mapping[str, contents.Country]) -> list[Problem]:
    """Language files (of the tree's ``countries``) whose language has no message
    catalog: they cannot be built."""
    known = set(available_languages())
    out = []
    for country in countries.values():
        for lang in country.languages:
            if lang not in known:
                out.append(Problem(contents.shown_path(country.folder / f"{lang}.yaml"), 1, 1,
                                   f"no message catalog for `{lang}` (catalogs: "
                                   f"{', '.join(sorted(known))}); see README, "
                                   "'Adding a language'"))
    return out


def stale_translations(loaded: Mapping[str, contents.Loaded]) -> list[Problem]:
    """Per country read (``tree.read_tree``): translations whose source changed
    since they were made."""
    out = []
    for slug, lf, source in contents.translations(loaded):
        lang = lf.lang
        current = findings_hash(source)
        shown = contents.shown_path(lf.path)
        if lf.source_hash is None:
            out.append(Problem(shown, 1, 1, f"translation of {lf.translation_of}.yaml "
                               "records no `source_hash`; after checking it, run "
                               f"`mgi-report stamp {slug} --lang {lang}`"))
        elif lf.source_hash != current:
            line = lf.at.get("source_hash", (1, 1))[0]
            kept = stamped_copy(lf.path)
            was = contents.read_language(kept, source.lang) if kept.is_file() else None
            if was is not None and findings_hash(was) == lf.source_hash:
                found = [c.describe() for c in
                         changes.compare(was, source) + changes.names(was, source)]
                out.append(Problem(shown, line, 1, f"out of date: {len(found)} change(s) "
                                   f"in {lf.translation_of}.yaml since this translation "
                                   "was stamped (below); update them, then run "
                                   f"`mgi-report stamp {slug} --lang {lang}`"))
                out += [Problem(shown, line, 1, f"{lf.translation_of}.yaml changed: {change}")
                        for change in found]
                continue
            out.append(Problem(shown, line, 1, f"out of date: {lf.translation_of}.yaml "
                               "changed since this translation was made "
                               f"(source_hash {lf.source_hash}, now {current}); update "
                               f"it, then run `mgi-report stamp {slug} --lang {lang}` "
                               "(which also keeps a copy of the source, so that the next "
                               "change is named finding by finding)"))
    return out


def untranslated_key_data_sources(loaded: Mapping[str, contents.Loaded]) -> list[Problem]:
    """Language files other than the source language's whose `key_data_sources`
    leave a key-data source of profile.yaml in the source language (it prints
    as written there), and any language file's that translate a line
    profile.yaml does not have."""
    out = []
    for country in loaded.values():
        profile = country.profile
        written = list(dict.fromkeys(k.source for k in profile.key_data))
        for lf in country.files.values():
            shown = contents.shown_path(lf.path)
            line, col = lf.key_data_sources_at.get("", (1, 1))
            for source in written if lf.lang != profile.source_language else ():
                if source not in lf.key_data_sources:
                    out.append(Problem(shown, line, col, "`key_data_sources` does not "
                                       f"translate the key-data source {source!r:.80} of "
                                       "profile.yaml: it prints untranslated"))
            for source in lf.key_data_sources:
                if source not in written:
                    sline, scol = lf.key_data_sources_at.get(source, (line, col))
                    out.append(Problem(shown, sline, scol, f"`key_data_sources`: {source!r:.80} "
                                       "is no key-data source of profile.yaml (a typing "
                                       "error, or a source since changed?)"))
    return out


def stamped_copy(translation: Path) -> Path:
    """Where ``stamp`` keeps the source as it was when the translation was stamped."""
    return translation.with_name(f".stamp-{translation.stem}.yaml")


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
    value = findings_hash(loaded.files[lf.translation_of])
    raw = lf.path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = _recorded(raw[len(bom):].decode("utf-8"), value)
    if text is None:
        raise ContentError([Problem(contents.shown_path(lf.path), 1, 1,
                                    "cannot record `source_hash` in this file as it is "
                                    f"written: add `source_hash: {value}` as a top-level "
                                    "key yourself")])
    source = loaded.files[lf.translation_of].path.read_bytes()
    write_atomic(stamped_copy(lf.path), lambda fh: fh.write(source))
    write_atomic(lf.path, lambda fh: fh.write(bom + text.encode("utf-8")))
    return value


def _recorded(text: str, value: str) -> str | None:
    """The file's text with ``source_hash: value`` recorded, and nothing else
    changed: the key's value replaced where the YAML parser found it (exactly
    that value's span: never another line that looks like it), or the key added
    on the line after ``translation_of``'s, at its indentation (in a ``{…}``
    mapping, as the entry after it). None unless the result reads back as the
    file did, with that key."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        before = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode) or not isinstance(before, dict):
        return None
    written = value if isinstance(yaml.safe_load(value), str) else f'"{value}"'
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if "source_hash" in keys:
        start, end = keys["source_hash"][1].start_mark.index, keys["source_hash"][1].end_mark.index
        while end > start and text[end - 1] in " \t\r\n":  # a block scalar's line break
            end -= 1
        if start == end and not text[start - 1:start].isspace():
            written = " " + written  # `source_hash:` with no value
        out = text[:start] + written + text[end:]
    elif "translation_of" in keys:
        key, val = keys["translation_of"]
        if node.flow_style:
            at, line = val.end_mark.index, f", source_hash: {written}"
        else:  # the line after translation_of's (after its comment, if any)
            newline = "\r\n" if "\r\n" in text else "\n"  # the file's own line ending
            at = text.find("\n", val.end_mark.index) + 1 or len(text)
            line = f"{' ' * key.start_mark.column}source_hash: {written}{newline}"
            if not text[:at].endswith("\n"):
                line = newline + line
        out = text[:at] + line + text[at:]
    else:
        return None
    try:
        after = yaml.safe_load(out)
    except yaml.YAMLError:
        return None
    return out if after == {**before, "source_hash": value} else None


def baselines(content: Path, loaded: Mapping[str, contents.Loaded]
              ) -> tuple[list[Problem], list[Problem]]:
    """Per follow-up profile read (``tree.read_tree``), its baseline read in each
    of its languages (content/followup.py): (problems, warnings), each once."""
    from ..content import baseline as followup
    from ..editions.attachments import embedded

    problems: dict[Problem, None] = {}
    warnings: list[Problem] = []
    for country in loaded.values():
        if country.profile.round < 2:
            continue
        for lang in country.files:
            try:
                followup.load(country.profile, lang, content, embedded, warnings)
            except ContentError as exc:
                problems.update(dict.fromkeys(exc.problems))
    return list(problems), list(dict.fromkeys(warnings))
