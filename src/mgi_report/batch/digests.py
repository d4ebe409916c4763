"""What an output is made from, as one hash: equal hash, equal PDF.

``Digests`` hashes the program (its version and source, layouts, fonts, colour
profiles, the versions of the libraries that draw the PDF), the language's
message catalog and the country's files; the manifest (``manifest``) records
it per output, so that ``build --all`` rebuilds only what changed.

A content file is hashed as the build reads it (``reads.read``; within
``reads.once()``, the very bytes the build then validates and prints): never
through a link out of the content tree, never blocking on a pipe or reading
past the size limit.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Protocol

import yaml

from ..content import tree as contents
from ..content.publication import SERIES_FILE
from ..content.yamlsource import MAX_FILE_BYTES
from ..files import reads
from ..files.reads import NotRegular
from ..resources import FONTS, ICC, LAYOUTS, LOCALE, PACKAGE, VERSION

#: Libraries whose version changes what a PDF looks like (part of every input hash).
RENDERING_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5",
                       "pyphen", "fonttools", "jinja2", "babel", "markdown-it-py")


class Options(Protocol):
    """What the input hashes need of a run's options (batch.Options)."""

    content: Path
    layouts: tuple[Path, ...]


class Output(Protocol):
    """What the input hashes need of an output (batch.Target)."""

    country: str
    lang: str
    edition: str

    @property
    def name(self) -> str: ...


#: What only the web edition is made of (``mgi-report site``): its stage (a
#: folder of the package) and its templates (of every layout folder). A PDF is
#: not, so editing them rebuilds no PDF; the site's own digest takes them in
#: (``program_digest(web=True)``).
WEB_STAGE, WEB_LAYOUTS = "web", "site"


def _hash_tree(h, root: Path, skip: tuple[str, ...] = ()) -> None:
    root = Path(root)
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        and not p.name.startswith(".") and p.suffix != ".pyc"
        and p.relative_to(root).parts[0] not in skip)
    for p in files:
        h.update(f"\0{p.relative_to(root) if p != root else p.name}\0".encode())
        h.update(p.read_bytes())


def program_digest(layouts: tuple[Path, ...] = (), web: bool = False) -> str:
    """The program: its version and source, layouts, fonts, colour profiles, and
    the versions of the libraries that draw the PDF; the web edition's
    stage and templates (WEB_STAGE, WEB_LAYOUTS) only with ``web``."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(f"mgi-report {VERSION}\0{sys.version_info[:2]}".encode())
    for lib in RENDERING_LIBRARIES:
        try:
            h.update(f"\0{lib} {version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{lib} -".encode())
    for root in (PACKAGE, LAYOUTS, FONTS, ICC, *layouts):
        if root is not None and Path(root).exists():
            h.update(f"\0{root}".encode())
            skip = () if web or root in (FONTS, ICC) else \
                (WEB_STAGE,) if root == PACKAGE else (WEB_LAYOUTS,)
            _hash_tree(h, root, skip)
    return h.hexdigest()


class Digests:
    """Hash of everything an output is made from; equal hash, equal PDF.

    The program (``program_digest``), the language's message catalog, and
    the country's files: profile.yaml, the language's own file, and any other
    file of the folder (a logo, a cover photo), but not the other languages'
    files; and the content root's publisher.yaml (the series' facts). A
    follow-up's (profile.yaml ``baseline:``) also hashes its baseline: another
    profile's folder, every language file included, or the baseline PDF; a git
    revision by its name (a commit's id names one state; a branch's name does
    not follow the branch).

    Content files are read through ``reads.read``: within ``reads.once()``, the
    bytes that are then validated and printed (``batch.reading``).
    """

    def __init__(self, opts: Options):
        self.opts = opts
        self.program = program_digest(tuple(opts.layouts))
        self._catalogs: dict[str, str] = {}
        self._countries: dict[str, str] = {}

    def catalog(self, lang: str) -> str:
        if lang not in self._catalogs:
            h = hashlib.sha256()
            path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
            if path.exists():
                _hash_tree(h, path)
            self._catalogs[lang] = h.hexdigest()
        return self._catalogs[lang]

    def country(self, slug: str) -> str:
        """The country's files that every language depends on."""
        if slug not in self._countries:
            h = hashlib.sha256()
            folder = self.opts.content / slug
            for rel in _country_files(folder):
                h.update(f"\0{rel}\0".encode())
                h.update(self._bytes(folder / rel))
            series = self.opts.content / SERIES_FILE  # the series' facts
            if series.exists():
                h.update(f"\0../{SERIES_FILE}\0".encode())
                h.update(self._bytes(series))
            self._countries[slug] = ""  # a baseline that leads back here: no loop
            self._baseline(h, slug, folder)
            self._countries[slug] = h.hexdigest()
        return self._countries[slug]

    def _baseline(self, h, slug: str, folder: Path) -> None:
        """A follow-up's baseline into ``h`` (see the class). profile.yaml's bytes
        are those hashed above (``reads.once``); what does not parse, or names
        no folder or file of the tree, hashes as nothing: validation says why."""
        data = self._bytes(folder / "profile.yaml")
        if b"baseline" not in data:
            return
        try:
            ref = yaml.safe_load(data).get("baseline")
        except (yaml.YAMLError, AttributeError, UnicodeDecodeError, RecursionError):
            return
        if not isinstance(ref, dict) or len(ref) != 1:
            return
        (kind, value), = ref.items()
        if not isinstance(value, str):
            return
        h.update(f"\0baseline {kind}\0{value}\0".encode())
        if kind == "profile" and value != slug and contents.folder_problem(value) is None \
                and (self.opts.content / value / "profile.yaml").is_file():
            h.update(self.country(value).encode())
            base = self.opts.content / value
            for lang_file in sorted(base.glob("*.yaml")):
                if lang_file.name != "profile.yaml" and not lang_file.name.startswith("."):
                    h.update(f"\0{value}/{lang_file.name}\0".encode())
                    h.update(self._bytes(lang_file))
        elif kind == "pdf":
            h.update(self._bytes(folder / value))

    def of(self, t: Output) -> str:
        lang_file = self.opts.content / t.country / f"{t.lang}.yaml"
        h = hashlib.sha256("\0".join((self.program, self.catalog(t.lang),
                                      self.country(t.country), t.edition, t.name)).encode())
        h.update(b"\0")
        h.update(self._bytes(lang_file))
        return h.hexdigest()

    def _bytes(self, path: Path) -> bytes:
        """A content file's bytes for hashing, read as the build reads them
        (``reads.read``: within ``reads.once()``, the bytes the build gets);
        never through a link out of the content tree, never blocking on a pipe
        or reading past the size limit.

        What is not a regular file within the size limit hashes as a marker;
        validation then reports it, located.
        """
        real = os.path.realpath(path)
        root = os.path.realpath(self.opts.content)
        if os.path.commonpath((root, real)) != root:
            return b"\0a link out of the content tree"
        try:
            data = reads.read(real, MAX_FILE_BYTES)
            if len(data) <= MAX_FILE_BYTES:
                return data
            st = os.stat(real)
        except NotRegular as exc:
            st = exc.st
        except OSError as exc:
            return f"\0unreadable {exc.errno}".encode()
        return f"\0not a content file {st.st_mode} {st.st_size}".encode()


def _country_files(folder: Path) -> list[str]:
    """The files of a country folder that every language depends on, as relative
    paths, sorted: no hidden file or folder, no language file, no folder reached
    through a link; a walk without recursion, however deep the folders."""
    found: list[str] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(folder / rel if rel else folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            sub = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(sub)
                    continue
                if not entry.is_file():
                    continue
            except OSError:
                continue
            if not rel and contents.LANG_RE.match(Path(sub).stem) and sub.endswith(".yaml"):
                continue
            found.append(sub)
    return sorted(found)
