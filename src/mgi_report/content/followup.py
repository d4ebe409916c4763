"""Follow-up profiles: ``round`` and ``baseline`` in profile.yaml, ``updates`` in
a language file, and the baseline read from where it names.

A follow-up (``round: 2`` or later) names its baseline, the earlier assessment
it reports the changes since: another profile of the tree (``{profile:
slug}``), this profile's folder at a git revision (``{revision: rev}``), or
the baseline's archive PDF (``{pdf: path}``, its embedded sources read as
``extract`` reads them: the reader is handed in, ``embedded``, since PDFs are
a later stage's). The baseline is read in the same language, or in its source
language when it has none (a warning says so). Every problem is located at
the ``baseline`` key of profile.yaml.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import MgiError, Problem, UsageError
from . import values
from .domains import DOMAIN_KEYS
from .model import LanguageFile, Profile
from .yamlsource import Reporter

KINDS = ("profile", "revision", "pdf")
MAX_ROUND = 20


@dataclass(frozen=True)
class BaselineRef:
    """What ``baseline:`` names: its kind (profile, revision, pdf) and value,
    and where the key stands in profile.yaml."""

    kind: str
    value: str
    at: tuple[int, int] = (1, 1)


@dataclass
class Baseline:
    """The baseline as read: its profile.yaml and the language file compared with
    (``lang``: its language, which differs from the follow-up's when the
    baseline has no file in that language)."""

    profile: Profile
    doc: LanguageFile
    lang: str
    ref: BaselineRef


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


def parse_updates(node: Any, rep: Reporter, citing: list[tuple[yaml.Node, str]]
                  ) -> dict[str, str]:
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
    return out


# ------------------------------------------------------------------ reading the baseline

Embedded = Callable[[Path], dict[str, bytes]]


def load(profile: Profile, lang: str, content: Path, embedded: Embedded,
         warnings: list[Problem] | None = None) -> Baseline | None:
    """The baseline of a follow-up (None for a first profile); raises
    ContentError, located at ``baseline``, when it cannot be found or read."""
    from ..errors import ContentError

    ref = profile.baseline
    if ref is None or profile.round < 2:
        return None
    problems: list[Problem] = []
    found = _load(profile, ref, lang, content, embedded, problems, warnings)
    if problems or found is None:
        raise ContentError(problems or [_problem(profile, ref, "cannot be read")])
    return found


def _problem(profile: Profile, ref: BaselineRef, message: str) -> Problem:
    from .tree import shown_path

    return Problem(shown_path(profile.path), *ref.at, f"baseline {message}")


def _load(profile: Profile, ref: BaselineRef, lang: str, content: Path, embedded: Embedded,
          problems: list[Problem], warnings: list[Problem] | None) -> Baseline | None:
    from . import tree

    def fail(message: str) -> None:
        problems.append(_problem(profile, ref, message))

    if ref.kind == "profile":
        countries = tree.countries(content)
        if ref.value == profile.slug:
            return fail(f"`{values.shorten(ref.value)}` is this profile itself")
        if ref.value not in countries:
            close = difflib.get_close_matches(ref.value, list(countries), n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else \
                f"profiles: {values.shorten(', '.join(countries), 200)}"
            return fail(f"profile `{values.shorten(ref.value)}` is not a profile of this "
                        f"content tree ({hint})")
        country = countries[ref.value]
        files = {p.name: p for p in (country.folder / "profile.yaml",
                                     *(country.folder / f"{c}.yaml"
                                       for c in country.languages))}
        return _from_folder(profile, ref, lang, country.folder, files, problems, warnings)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "baseline"
        folder.mkdir()
        data = _revision_files(profile, ref, lang, fail) if ref.kind == "revision" \
            else _pdf_files(profile, ref, content, embedded, fail)
        if data is None:
            return None
        for name, raw in data.items():
            (folder / name).write_bytes(raw)
        return _from_folder(profile, ref, lang, folder, {n: folder / n for n in data},
                            problems, warnings)


def _from_folder(profile: Profile, ref: BaselineRef, lang: str, folder: Path,
                 files: dict[str, Path], problems: list[Problem],
                 warnings: list[Problem] | None) -> Baseline | None:
    """The baseline read from a folder of its files (the tree's, or a temporary
    copy of a revision's or a PDF's): its profile.yaml and one language file."""
    from . import tree

    langs = tuple(sorted(n[:-5] for n in files if n != "profile.yaml" and n.endswith(".yaml")))
    if "profile.yaml" not in files or not langs:
        problems.append(_problem(profile, ref, f"{_named(ref)} holds no profile.yaml and "
                                 "language file"))
        return None
    # a PDF embeds one language file: its profile.yaml's source language is known
    country = tree.Country(folder.name, folder, tuple(sorted({*langs, *_declared(files)})))
    read = tree.read_country(folder.parent, country, ())
    if read.profile is None:
        problems.append(_problem(profile, ref, f"{_named(ref)}: its profile.yaml cannot be "
                                 f"read ({_first(read.problems)})"))
        return None
    if read.profile.published >= profile.published:
        then, now = read.profile.published, profile.published
        problems.append(_problem(profile, ref, f"{_named(ref)} was published "
                                 f"{then:%Y-%m}, not before this profile ({now:%Y-%m})"))
        return None
    use = lang if lang in langs else read.profile.source_language
    if use not in langs:
        use = langs[0]
    if use != lang and warnings is not None:
        warnings.append(_problem(profile, ref, f"{_named(ref)} has no {lang}.yaml: the "
                                 f"updates compare with its {use}.yaml"))
    found = tree.read_country(folder.parent, country, (use,))
    lf = found.files.get(use)
    if lf is None:
        problems.append(_problem(profile, ref, f"{_named(ref)}: its {use}.yaml cannot be "
                                 f"read ({_first(found.file_problems.get(use, []))})"))
        return None
    return Baseline(read.profile, lf, use, ref)


def _declared(files: dict[str, Path]) -> tuple[str, ...]:
    """The ``source_language`` profile.yaml declares (read with the content's
    limits), so that a PDF's profile.yaml parses beside its one language file."""
    from .yamlsource import read_yaml

    node, _ = read_yaml(files["profile.yaml"], "profile.yaml")
    for knode, vnode in node.value if isinstance(node, yaml.MappingNode) else ():
        if getattr(knode, "value", None) == "source_language" and \
                isinstance(vnode, yaml.ScalarNode) and values.LANG_RE.match(vnode.value):
            return (vnode.value,)
    return ()


def _named(ref: BaselineRef) -> str:
    what = {"profile": "profile", "revision": "at revision", "pdf": "PDF"}[ref.kind]
    return f"{what} `{values.shorten(ref.value)}`"


def _first(problems: list[Problem]) -> str:
    if not problems:
        return "it does not parse"
    p = problems[0]
    return f"line {p.line}: {values.shorten(p.message)}" + \
        (f"; {len(problems) - 1} more" if len(problems) > 1 else "")


def _revision_files(profile: Profile, ref: BaselineRef, lang: str,
                    fail: Callable[[str], None]) -> dict[str, bytes] | None:
    """This profile's folder at a git revision: profile.yaml and its language files."""
    from . import revisions

    folder = profile.path.parent
    try:
        done = revisions.git(folder, "rev-parse", "--show-toplevel")
    except UsageError as exc:
        return fail(str(exc))
    if done.returncode:
        return fail(f"revision `{values.shorten(ref.value)}`: {folder.name}/ is not inside a "
                    "git repository")
    root = Path(done.stdout.decode().strip())
    done = revisions.git(root, "rev-parse", "--verify", "--quiet", f"{ref.value}^{{commit}}")
    if done.returncode or ref.value.startswith("-"):
        return fail(f"revision `{values.shorten(ref.value)}` is not a git revision of this "
                    "repository (a commit, tag or branch, e.g. HEAD~1 or v1.0)")
    commit = done.stdout.decode().strip()
    out: dict[str, bytes] = {}
    names = ["profile.yaml", *(f"{c}.yaml" for c in profile.languages)]
    try:
        for name in names:
            data = revisions.file_at(root, commit, folder / name)
            if data is not None:
                out[name] = data
    except revisions.Unreadable as exc:
        return fail(f"at revision `{values.shorten(ref.value)}`: {name}: {exc}")
    if "profile.yaml" not in out:
        return fail(f"revision `{values.shorten(ref.value)}` has no {folder.name}/profile.yaml")
    return out


def _pdf_files(profile: Profile, ref: BaselineRef, content: Path, embedded: Embedded,
               fail: Callable[[str], None]) -> dict[str, bytes] | None:
    """The content files embedded in the baseline's archive PDF (``ref.value``,
    relative to the profile's folder)."""
    path = profile.path.parent / ref.value
    shown = values.shorten(ref.value)
    if not path.is_file():
        return fail(f"PDF `{shown}`: no such file (a path from {profile.path.parent.name}/)")
    try:
        data = embedded(path)
    except (UsageError, MgiError) as exc:
        text = str(exc).replace(str(path), "").lstrip(": ")
        return fail(f"PDF `{shown}` is not an archive PDF with its sources embedded "
                    f"({values.shorten(text)})")
    return {name: raw for name, raw in data.items() if name.endswith(".yaml")}
