"""``mgi-report new``: a valid starting profile for a new country.

It writes ``profile.yaml`` and the first language file, each key with a short
comment, ``draft: true`` and the six domains' lists empty, and the country's
name in that language from CLDR (Babel), found through its ISO 3166 code
(pycountry). Nothing existing is ever overwritten. With ``local``, a local
government's profile (``kind: local``, its ``level``, its ``place`` named after
the folder, ``iso3`` its country's code). With ``--follow-up BASELINE``
(``follow_up``), the next round of a profile of the tree: a copy of its folder
with the round's own keys reset, made whole beside it and renamed into place.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from ..content import facts
from ..content.domains import DOMAINS
from ..content.series import LEVELS
from ..content.tree import SLUG_RE, escaped
from ..content.yamlsource import MAX_FILE_BYTES
from ..errors import ContentError, RenderError, UsageError
from ..files.reads import read_regular
from ..files.writes import write_atomic
from ..text.i18n import available_languages

PUBLISHED_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")


def country_name(iso3: str, lang: str, slug: str) -> str:
    """The country's name in ``lang`` (CLDR), or its folder's name made readable
    for a code ISO leaves to users (a fictional country)."""
    found = facts.country(iso3)
    if found is not None:
        name = Locale.parse(lang).territories.get(found.alpha_2)
        if name:
            return name
        return found.name
    return " ".join(part.capitalize() for part in re.split(r"[-_]", slug))


def _target_problems(slug: str, published: str, content: Path) -> list[str]:
    """What keeps ``new`` from starting ``slug`` (a first profile or a follow-up):
    a name that cannot be a folder's, a month that is not one, a name taken (also
    by a link, one to nothing too)."""
    problems = []
    if not SLUG_RE.match(slug):  # no line feed, control, bidi, slash or leading dot
        problems.append(f"`{escaped(slug)}` cannot name a country folder: use lower-case "
                        "letters, digits and single hyphens or underscores, like `kazakhstan` "
                        "or `sri-lanka`")
    if not PUBLISHED_RE.match(published):
        problems.append(f"--published `{escaped(published)}` must be a year and month like "
                        "`2026-11`")
    if os.path.lexists(content / slug):
        problems.append(f"{escaped(str(content / slug))} exists already; `new` never "
                        "overwrites a profile")
    return problems


def _check(slug: str, iso3: str, lang: str, published: str, content: Path) -> None:
    problems = _target_problems(slug, published, content)
    if not re.fullmatch(r"[A-Za-z]{2,3}", iso3):
        problems.append(f"--iso3 `{escaped(iso3)}` must be three letters like `KAZ`")
    elif why := facts.iso3_problem(iso3.upper()):
        problems.append(f"--iso3 {why}")
    if lang not in available_languages():
        close = [code for code in available_languages() if code == lang.lower()[:2]]
        hint = f"; did you mean `{close[0]}`?" if close else ""
        problems.append(f"--lang `{escaped(lang)}`: no message catalog for this language "
                        f"(catalogs: {', '.join(available_languages())}){hint}")
    if problems:
        raise UsageError("; ".join(problems))


def new(slug: str, iso3: str, lang: str, content: Path, published: str | None = None,
        local: bool = False, level: str | None = None) -> list[Path]:
    """Write the starting files; returns their paths."""
    published = published or date.today().strftime("%Y-%m")
    if level is not None and not local:
        raise UsageError("--level is for a local profile: add --local")
    level = level or "city"
    if level not in LEVELS:
        raise UsageError(f"--level `{escaped(level)}` must be one of: {', '.join(LEVELS)}")
    _check(slug, iso3, lang, published, content)
    iso3 = iso3.upper()
    name = country_name(iso3, lang, slug)
    place = " ".join(part.capitalize() for part in re.split(r"[-_]", slug))
    folder = content / slug
    series = (f"kind: local                # a local government's profile\n"
              f"level: {level}{' ' * (20 - len(level))}# {', '.join(LEVELS)}\n") if local else ""
    named = f'place: "{place}"          # the place\'s name; the title adds its level\n' \
        if local else ""
    profile = (
        f"# {place if local else name}: the facts of its profile that do not depend on "
        "language.\n" + series +
        f"iso3: {iso3}                 # the country's ISO 3166-1 alpha-3 code\n"
        f"published: {published}          # year and month of publication (YYYY-MM)\n"
        f"source_language: {lang}          # the language the findings are written in first\n"
        "# publisher, logo, publication (ISBN, licence) and key_data are optional:\n"
        "# see README, 'The complete profile'; funders, research_partner,\n"
        "# methodology and cover_photo (and the content root's publisher.yaml):\n"
        "# README, 'Publication facts'.\n")
    lists = "".join(
        f"  {d.key}:{' ' * (32 - len(d.key))}# domain {d.number}: {d.short_name}\n"
        "    well_developed: []   # findings, one list item each\n"
        "    potential: []\n" for d in DOMAINS)
    findings = (
        f"# {name}: the findings in `{lang}`. Text that contains a colon or starts with a\n"
        "# quote goes in double quotes.\n"
        f'country: "{name}"          # the official name, e.g. "Republic of …"\n'
        f'short_name: "{name}"       # the name in running text\n' + named +
        "draft: true               # printed with a DRAFT watermark; the print edition "
        "refuses it\n"
        "domains:\n" + lists)
    folder.mkdir(parents=True)
    written = []
    for path, text in ((folder / "profile.yaml", profile),
                       (folder / f"{lang}.yaml", findings)):
        write_atomic(path, lambda fh, text=text: fh.write(text.encode("utf-8")))
        written.append(path)
    return written


def command(args) -> int:
    """``mgi-report new``: a first profile (``--iso3`` and ``--lang``), or with
    ``--follow-up`` the next round of a profile of the tree. A folder that cannot
    be made (a full disk) is an error that says so, not an internal one."""
    try:
        return _command(args)
    except OSError as exc:
        raise RenderError(f"cannot write {escaped(str(exc.filename or args.content))}: "
                          f"{exc.strerror or exc}") from exc


def _command(args) -> int:
    if args.follow_up is not None:
        given = [f"--{name}" for name in ("iso3", "lang", "local", "level")
                 if getattr(args, name) not in (None, False)]
        if given:
            raise UsageError(f"{' and '.join(given)}: a follow-up takes "
                             f"{'them' if len(given) > 1 else 'it'} from its baseline "
                             f"`{escaped(args.follow_up)}`")
        written, source = follow_up(args.country, args.follow_up, args.content,
                                    args.published)
        langs = [source]
        what = "edit the findings (the updates chapter says what changed)"
    else:
        missing = [f"--{name}" for name in ("iso3", "lang") if getattr(args, name) is None]
        if missing:
            raise UsageError(f"{' and '.join(missing)} {'are' if len(missing) > 1 else 'is'} "
                             "needed to start a profile (or --follow-up BASELINE)")
        written = new(args.country, args.iso3, args.lang, args.content, args.published,
                      local=args.local, level=args.level)
        langs, what = [args.lang], "write the findings"
    for path in written:
        print(path)
    print(f"mgi-report: started {args.country}; next: {what}, then `mgi-report check` and "
          f"`make {args.country}-{langs[0]}.pdf`", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ a follow-up

#: The largest file of a baseline's folder that is copied other than its YAML (a
#: cover photo, a logo).
MAX_COPIED = 64 << 20


def follow_up(slug: str, baseline: str, content: Path, published: str | None = None
              ) -> tuple[list[Path], str]:
    """Start ``slug`` as the follow-up of the profile ``baseline`` of the same tree:
    a copy of its folder (its regular files; a link is not followed), where
    ``profile.yaml`` gets ``round`` (the baseline's plus one), ``baseline``, the
    new ``published`` and no ``publication`` (an ISBN and a reference are each
    profile's own), and each language file ``draft: true`` and no ``updates``
    (the editors' text is each round's own). The findings start as the
    baseline's: edited, the updates chapter says what changed. Returns the
    paths written and the source language (the baseline's); the new profile is read back (check's rules) before it is
    kept, and nothing is kept if it fails."""
    from ..content import tree as contents
    from ..content.walk import findings_hash
    from . import check as checks

    given = published is not None
    published = published or date.today().strftime("%Y-%m")
    base = contents.find(content, baseline)  # the usage error, with a did-you-mean
    was = contents.read_country(content, base).loaded()  # its problems, located
    before = was.profile
    in_date = [lf.lang for _slug, lf, source in contents.translations({baseline: was})
               if lf.source_hash == findings_hash(source)]
    problems = _target_problems(slug, published, content)
    month = f"--published {published}" if given else f"this month ({published})"
    if PUBLISHED_RE.match(published) and published <= before.published.strftime("%Y-%m"):
        problems.append(f"{month} is not after the baseline's {before.published:%Y-%m}: "
                        "give the follow-up's month with --published")
    folder = content / slug
    if problems:
        raise UsageError("; ".join(problems))
    stamps = {checks.stamped_copy(base.folder / f"{lang}.yaml").name for lang in base.languages}
    texts = _copies(base, baseline, before.round + 1, published, stamps)
    # Made whole in a hidden folder beside it, read back, then renamed into place:
    # a failure or a kill leaves no half-made profile under the new name.
    temp = Path(tempfile.mkdtemp(prefix=f".{slug}.", suffix=".new", dir=content))
    try:
        for name, data in texts.items():
            write_atomic(temp / name, lambda fh, data=data: fh.write(data))
        langs = tuple(sorted(n[:-5] for n in texts if n.endswith(".yaml") and
                             n[:-5] in base.languages))
        try:
            contents.read_country(content, contents.Country(slug, temp, langs)).loaded()
        except ContentError as exc:
            raise UsageError(f"the copy of {baseline} would not pass `check` ("
                             + "; ".join(p.message for p in exc.problems[:3]) +
                             "); nothing was written") from None
        os.rename(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    for lang in in_date:  # in date with the baseline's source, so with its copy's,
        checks.stamp(content, slug, lang)  # which lost only `updates` as it did
    return [folder / name for name in texts], before.source_language


def _copies(base, baseline: str, round_: int, published: str, stamps: set[str]
            ) -> dict[str, bytes]:
    """The files of the follow-up, by name: the baseline folder's regular files
    (its stamps as they are: a translation in date is stamped again, one out of
    date keeps its list of changes), profile.yaml and the language files edited,
    each read back as the original but for what the edit changes."""
    texts: dict[str, bytes] = {}
    unread, unedited = [], []
    for path in sorted(base.folder.iterdir()):
        if path.name.startswith(".") and path.name not in stamps:
            continue
        language = path.suffix == ".yaml" and path.stem in base.languages
        if path.is_symlink() and (language or path.name == "profile.yaml"):
            unread.append(escaped(path.name))  # what the profile is made of: all or nothing
        if not path.is_file() or path.is_symlink():
            continue  # a link, a folder, a FIFO: not copied
        data = read_regular(path, MAX_FILE_BYTES if path.suffix == ".yaml" else MAX_COPIED)
        if data is None:
            unread.append(escaped(path.name))
            continue
        if path.name == "profile.yaml":
            data = _edited(data, lambda t: _followed(t, baseline, round_, published),
                           ("round", "baseline", "publication"),
                           {"published": published, "round": round_,
                            "baseline": {"profile": baseline}})
        elif language:
            data = _edited(data, _draft, ("updates",), {"draft": True})
        if data is None:
            unedited.append(escaped(path.name))
            continue
        texts[path.name] = data
    if unread:
        raise UsageError(f"cannot copy {', '.join(unread)} of {baseline}: a link, not a "
                         "regular file, or too large; `new` copies regular files only")
    if unedited:
        raise UsageError(f"cannot edit {', '.join(unedited)} of {baseline} as written (a "
                         "`{…}` root, an indented root, several documents): copy the "
                         "folder and edit it by hand (README, \"Follow-up profiles\")")
    return texts


def _edited(data: bytes, edit, removed: tuple[str, ...], values: dict[str, Any]
            ) -> bytes | None:
    """``edit`` applied to a YAML file's text, or None unless the result reads back
    as the file did, without ``removed`` and with ``values``."""
    try:
        text = data.decode("utf-8")
        was = yaml.safe_load(text)
        if not isinstance(was, dict):
            return None
        out = edit(text)
        now = yaml.safe_load(out)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    want = {k: v for k, v in was.items() if k not in removed}
    want.update(values)
    if not isinstance(now, dict) or {str(k): str(v) for k, v in now.items()} != \
            {str(k): str(v) for k, v in want.items()}:
        return None
    return out.encode("utf-8")


def _top_keys(text: str) -> dict[str, tuple[Any, Any, int, int]]:
    """Each top-level key of a YAML mapping: (key node, value node, first line,
    end line), its lines running up to the comments just above the next key."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return {}
    lines = text.splitlines(keepends=True)
    items = root.value
    out = {}
    for i, (key, value) in enumerate(items):
        # through the value's last line: blank lines and comments after it stay
        # (a comment above the next key is the next key's)
        end = min(_last_line(value) + 1,
                  items[i + 1][0].start_mark.line if i + 1 < len(items) else len(lines))
        out[key.value] = (key, value, key.start_mark.line, max(end, key.start_mark.line + 1))
    return out


def _last_line(node) -> int:
    """The last line a node's own text stands on (a block collection's end mark
    is the next token's, after any comments)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        end = node.end_mark
        return end.line - 1 if end.column == 0 and end.line > node.start_mark.line \
            else end.line
    children = [n for pair in node.value for n in pair] if isinstance(
        node, yaml.MappingNode) else list(node.value)
    return max([node.start_mark.line, *(_last_line(n) for n in children)])


def _without(text: str, names: tuple[str, ...]) -> str:
    lines = text.splitlines(keepends=True)
    cut = sorted((first, end) for name, (_k, _v, first, end) in _top_keys(text).items()
                 if name in names)
    for first, end in reversed(cut):
        del lines[first:end]
    return "".join(lines)


def _set_scalar(text: str, name: str, value: str) -> str | None:
    """``text`` with the top-level scalar ``name`` set to ``value``; None if absent."""
    found = _top_keys(text).get(name)
    if found is None or not isinstance(found[1], yaml.ScalarNode):
        return None
    node = found[1]
    return text[:node.start_mark.index] + value + text[node.end_mark.index:]


def _followed(text: str, baseline: str, round_: int, published: str) -> str:
    text = _without(text, ("round", "baseline", "publication"))
    text = _set_scalar(text, "published", published) or text
    return text.rstrip("\n") + (
        f"\n\n# The follow-up of {baseline} (README, \"Follow-up profiles\"): its findings\n"
        "# started as the baseline's; the updates chapter says what changed. An ISBN and a\n"
        "# reference are each profile's own: add `publication:` when they are known.\n"
        f"round: {round_}\nbaseline: {{profile: {baseline}}}\n")


def _draft(text: str) -> str:
    text = _without(text, ("updates",))
    drafted = _set_scalar(text, "draft", "true")
    if drafted is not None:
        return drafted
    found = _top_keys(text).get("domains")
    lines = text.splitlines(keepends=True)
    at = found[2] if found is not None else len(lines)
    lines.insert(at, "draft: true               # a follow-up starts as a draft\n")
    return "".join(lines)
