"""``mgi-report export``: a profile's data read, made and written; and the
cross-profile GCM table of ``export --all --gcm``.

A profile is read as a build reads it (each file once; every problem of its
files, and of a follow-up's baseline, at once, located); an unknown country or
language is a usage error, as for ``build``. The output (``-o``) follows the
rule of every output (``files.outputs``): a regular file or nothing, never an
input nor inside a folder of inputs; it is written whole or not at all
(``files.writes``). The baseline's archive PDF is read by a later stage's
reader, handed in (``embedded``), as ``content.baseline`` asks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..content import baseline as baselines
from ..content import tree
from ..content.baseline import Baseline, Embedded
from ..content.model import LanguageFile, Profile
from ..content.publication import SERIES_FILE
from ..errors import ContentError, UsageError
from ..files.outputs import check_output, profile_inputs
from ..files.writes import write_atomic
from . import gcm, profile, tables

LOG = logging.getLogger("mgi_report")


@dataclass
class Read:
    """A profile as the export reads it: its files, validated, and a follow-up's
    baseline."""

    profile: Profile
    doc: LanguageFile
    baseline: Baseline | None


def read(content: Path, slug: str, lang: str | None, embedded: Embedded) -> Read:
    """The profile ``slug`` in ``lang`` (None: its source language), each file
    read once; raises UsageError for an unknown country or language, ContentError
    with every problem of its files and of its baseline."""
    country = tree.find(content, slug)  # the usage error, with a did-you-mean
    if lang is not None and lang not in country.languages:
        raise UsageError(f"no `{tree.escaped(lang)}` findings for {slug} "
                         f"(languages: {', '.join(country.languages) or 'none'})")
    found = tree.read_country(content, country, (lang,) if lang else ())
    try:
        loaded = found.loaded()
        if lang is None:
            lang = loaded.profile.source_language
            if lang not in country.languages:
                raise UsageError(f"no `{lang}` findings for {slug}, its source language "
                                 f"(languages: {', '.join(country.languages) or 'none'})")
            doc = tree.load_language(content, loaded.profile, lang)
        else:
            doc = loaded.files[lang]
    except ContentError as exc:  # with a follow-up's baseline's, all at once
        raise ContentError(exc.problems + _baseline_problems(found.profile, lang, content,
                                                             embedded)) from None
    warnings: list = []  # a baseline read in another language
    base = baselines.load(loaded.profile, lang, content, embedded, warnings)
    for warning in warnings:
        LOG.warning("%s (warning)", warning)
    return Read(loaded.profile, doc, base)


def _baseline_problems(prof: Profile | None, lang: str | None, content: Path,
                       embedded: Embedded) -> list:
    if prof is None or prof.round < 2:
        return []
    try:
        baselines.load(prof, lang or prof.source_language, content, embedded)
    except ContentError as exc:
        return exc.problems
    return []


def profile_output(read: Read, fmt: str, table: str | None) -> bytes:
    """The profile's data as ``fmt`` (json, or csv: the table ``table``)."""
    data = profile.data(read.profile, read.doc, read.baseline)
    if fmt == "json":
        return tables.as_json(data)
    return tables.profile_csv(data, table or "findings")


def profile_json(prof: Profile, doc: LanguageFile, baseline: Baseline | None) -> bytes:
    """The profile's data as JSON (what ``build --all`` writes beside its PDFs)."""
    return tables.as_json(profile.data(prof, doc, baseline))


def gcm_output(content: Path, lang: str | None, fmt: str) -> bytes:
    """The GCM table of every profile of the tree (``lang``: that language's file
    of each profile that has one, and the objectives' titles in it; None: each
    profile's source language, the titles in English); raises
    ContentError with every problem of the tree, UsageError when no profile
    has ``lang``."""
    read_tree = tree.read_tree(content)  # every file read and validated once
    if read_tree.problems:
        raise ContentError(read_tree.problems)
    files = []
    for slug, loaded in read_tree.loaded.items():
        use = lang or loaded.profile.source_language
        if use in loaded.files:
            files.append((slug, loaded.files[use]))
    if lang and not files:
        raise UsageError(f"no profile in {tree.shown_path(content)} has `{tree.escaped(lang)}` "
                         "findings")
    value = gcm.table(files, lang or "en")
    return tables.as_json(value) if fmt == "json" else gcm.as_table_csv(value)


def write(target: Path, data: bytes, content: Path, slug: str | None = None,
          lang: str | None = None) -> None:
    """Write ``data`` to ``target`` whole, or refuse it (UsageError) where no
    output may go: an input, or inside a folder of inputs (every country folder
    of ``content``, the layouts, fonts and catalogs)."""
    countries = list(tree.countries(content))
    folders = profile_inputs(content, slug or (countries[0] if countries else ""),
                             lang or "", ()) if countries or slug else []
    check_output(target, [Path(content) / SERIES_FILE], folders)
    write_atomic(target, lambda fh: fh.write(data))


def output(args, embedded: Embedded) -> bytes:
    """``mgi-report export``'s bytes for its arguments (usage errors for the
    options that do not go together)."""
    if args.all or args.gcm:
        if not (args.all and args.gcm):
            raise UsageError("--all and --gcm go together: the findings per GCM objective of "
                             "every profile (every profile's data: build --all)")
        if args.country or args.table:
            raise UsageError("export --all --gcm takes no COUNTRY and no --table")
        data = gcm_output(args.content, args.lang, args.format)
    else:
        if not args.country:
            raise UsageError("export needs a COUNTRY (or --all --gcm)")
        if args.table and args.format != "csv":
            raise UsageError("--table goes with --format csv (the JSON holds every table)")
        got = read(args.content, args.country, args.lang, embedded)
        data = profile_output(got, args.format, args.table)
    return data
