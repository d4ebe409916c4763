"""A follow-up profile's baseline, read from where ``baseline:`` names it.

Another profile of the tree (``{profile: slug}``), this profile's folder at a
git revision (``{revision: rev}``, read as ``revisions`` reads it), or the
baseline's archive PDF (``{pdf: path}``: its embedded sources read as
``extract`` reads them, with all of its limits; the reader is handed in,
``embedded``, since PDFs are a later stage's). The baseline is read in the
follow-up's language, or in its source language when it has none (a warning
says so). Every problem is located at the ``baseline`` key of profile.yaml.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import ContentError, MgiError, Problem, UsageError
from . import revisions, tree, values
from .model import BaselineRef, LanguageFile, Profile
from .publication import SERIES_FILE

#: A revision's files besides its YAML that a baseline reads (what profile.yaml
#: may name: a logo, a cover photo), and how many at most.
IMAGE_SUFFIXES, MAX_OTHER_FILES = (".svg", ".png", ".jpg", ".jpeg"), 8


@dataclass
class Baseline:
    """The baseline as read: its profile.yaml and the language file compared with
    (``lang``: its language, which differs from the follow-up's when the
    baseline has no file in that language)."""

    profile: Profile
    doc: LanguageFile
    lang: str
    ref: BaselineRef


Embedded = Callable[[Path], dict[str, bytes]]


def load(profile: Profile, lang: str, content: Path, embedded: Embedded,
         warnings: list[Problem] | None = None) -> Baseline | None:
    """The baseline of a follow-up (None for a first profile); raises
    ContentError, located at ``baseline``, when it cannot be found or read."""
    ref = profile.baseline
    if ref is None or profile.round < 2:
        return None
    problems: list[Problem] = []
    found = _load(profile, ref, lang, content, embedded, problems, warnings)
    if problems or found is None:
        raise ContentError(problems or [_problem(profile, ref, "cannot be read")])
    return found


def _problem(profile: Profile, ref: BaselineRef, message: str) -> Problem:
    return Problem(tree.shown_path(profile.path), *ref.at, f"baseline {message}")


def _load(profile: Profile, ref: BaselineRef, lang: str, content: Path, embedded: Embedded,
          problems: list[Problem], warnings: list[Problem] | None) -> Baseline | None:
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
        for name, raw in data.items():  # the series' facts at the (temporary) root
            (Path(tmp) / name if name == SERIES_FILE else folder / name).write_bytes(raw)
        return _from_folder(profile, ref, lang, folder,
                            {n: folder / n for n in data if n != SERIES_FILE},
                            problems, warnings)


def _from_folder(profile: Profile, ref: BaselineRef, lang: str, folder: Path,
                 files: dict[str, Path], problems: list[Problem],
                 warnings: list[Problem] | None) -> Baseline | None:
    """The baseline read from a folder of its files (the tree's, or a temporary
    copy of a revision's or a PDF's): its profile.yaml and one language file."""
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
    # what profile.yaml may name beside them (a logo, a cover photo): the folder's
    # other files then, a few, each read as file_at reads (size asked first)
    rel = folder.resolve().relative_to(root.resolve()).as_posix()
    listed = revisions.git(root, "ls-tree", "-z", "--name-only", commit, "--", f"{rel}/")
    others = [Path(n).name for n in listed.stdout.decode("utf-8", "replace").split("\0")
              if n and not Path(n).name.startswith(".")
              and Path(n).suffix.lower() in IMAGE_SUFFIXES][:MAX_OTHER_FILES]
    try:
        for name in names:
            data = revisions.file_at(root, commit, folder / name)
            if data is not None:
                out[name] = data
        series = revisions.file_at(root, commit, folder.parent / SERIES_FILE)
        if series is not None:  # the content root's, then
            out[SERIES_FILE] = series
    except revisions.Unreadable as exc:
        return fail(f"at revision `{values.shorten(ref.value)}`: {name}: {exc}")
    for name in others:
        try:
            data = revisions.file_at(root, commit, folder / name)
        except revisions.Unreadable:
            continue  # profile.yaml's check says what is wrong with it, located
        if data is not None:
            out[name] = data
    if "profile.yaml" not in out:
        return fail(f"revision `{values.shorten(ref.value)}` has no {folder.name}/profile.yaml")
    return out


def _pdf_files(profile: Profile, ref: BaselineRef, content: Path, embedded: Embedded,
               fail: Callable[[str], None]) -> dict[str, bytes] | None:
    """The content files embedded in the baseline's archive PDF (``ref.value``,
    relative to the profile's folder, inside the content tree: no link out of it
    is followed, as for every content file)."""
    path = profile.path.parent / ref.value
    shown = values.shorten(ref.value)
    if not path.resolve().is_relative_to(content.resolve()):
        return fail(f"PDF `{shown}` is outside the content tree; put the baseline's "
                    "archive PDF inside it (e.g. in this profile's folder)")
    if not path.is_file():
        return fail(f"PDF `{shown}`: no such file (a path from {profile.path.parent.name}/)")
    try:
        data = embedded(path)
    except (UsageError, MgiError) as exc:
        text = str(exc).replace(str(path), "").lstrip(": ")
        return fail(f"PDF `{shown}` is not an archive PDF with its sources embedded "
                    f"({values.shorten(text)})")
    return data  # its files, publisher.yaml and a logo or cover photo too
