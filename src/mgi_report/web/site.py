"""``build_site``: the web edition of a content tree, a folder of static pages.

It reads first, then writes (as a build does): every profile whose inputs
changed since the last build (ledger: the site's manifest) is read and
validated with the content's rules (content.tree), every problem of every file
reported at once and nothing written; then every page is rendered in memory,
through the sandboxed templates (``layouts/site/``, which ``--layouts`` folders
may override as they override the PDF's parts), and only then written, each
page only if its bytes changed. A rebuild with nothing changed reads no content
file but to hash it and writes nothing.

The folder holds only relative links, so it can be copied anywhere and opened
from disk: ``index.html`` (every profile; ``index-<lang>.html`` in each other
language), ``<slug>/<lang>/…`` (pages), ``assets/`` (the style sheet, the
shipped fonts), ``sitemap.xml``, and the PDFs given with ``pdfs``.
"""

from __future__ import annotations

import hashlib
import logging
import types
from pathlib import Path

from ..batch.digests import Digests, program_digest
from ..content import tree as contents
from ..errors import ContentError, Problem, UsageError
from ..pipeline import EDITIONS, output_name
from ..resources import DEFAULT_CONTENT, FONTS, LAYOUTS, LOCALE, ROOT
from . import ledger, quick
from .options import Options

LOG = logging.getLogger("mgi_report")


def build_site(content: Path = DEFAULT_CONTENT, out: Path = Path("site"),
               layouts: tuple[Path, ...] | list[Path] = (), pdfs: Path | None = None,
               cache: Path | None = None, base_url: str | None = None,
               force: bool = False) -> list[Path]:
    """Build (or bring up to date) the site of ``content`` in ``out``; returns
    the files written (none when nothing changed). Raises ContentError with
    every problem of the profiles read (nothing written), UsageError for an
    output folder among the inputs, RenderError for a layout that fails."""
    opts = Options(Path(content), Path(out), tuple(Path(p) for p in layouts),
                   Path(pdfs) if pdfs else None, cache, base_url, force)
    _check_out(opts)
    return Build(opts).run()


def _check_out(opts: Options) -> None:
    """The site's folder is never an input's, nor inside one."""
    out = opts.out.resolve()
    if opts.out.exists() and not opts.out.is_dir():
        raise UsageError(f"will not write the site into {opts.out}: it is not a folder")
    if opts.out.is_symlink():
        raise UsageError(f"will not write the site into {opts.out}: it is a link")
    for folder in (opts.content, *opts.layouts, LAYOUTS, FONTS, LOCALE, ROOT / "src"):
        real = Path(folder).resolve()
        holds = real.is_relative_to(out) and folder not in (LAYOUTS, FONTS, LOCALE,
                                                            ROOT / "src")
        if out == real or out.is_relative_to(real) or holds:
            raise UsageError(f"will not write the site into {opts.out}: it holds or is "
                             f"inside {folder}, a folder of inputs; choose another --out")


class Build:
    """One build of a site (see the module's docstring)."""

    def __init__(self, opts: Options):
        self.opts = opts
        self.ledger = ledger.Ledger(opts.out)
        self.digests = Digests(types.SimpleNamespace(content=opts.content,
                                                     layouts=opts.layouts))
        # the PDFs' program and the web edition's own templates and stage
        self.digests.program = program_digest(opts.layouts, web=True)
        self.pdfs = _pdf_entries(opts.pdfs) if opts.pdfs else {}
        self.files: dict[str, bytes] = {}  # a page of a profile -> its bytes

    def digest(self, slug: str, country: contents.Country) -> str:
        """Everything a profile's pages are made from (see ledger)."""
        h = hashlib.sha256(f"{self.digests.program}\0{self.opts.base_url}".encode())
        h.update(self.digests.country(slug).encode())
        for lang in country.languages:
            h.update(f"\0{lang}\0{self.digests.catalog(lang)}\0".encode())
            h.update(self.digests._bytes(country.folder / f"{lang}.yaml"))
            for name, entry in sorted(self._downloads(slug, lang)):
                h.update(f"\0{name}\0{entry['size']}\0{entry['sha256']}".encode())
        return h.hexdigest()

    def _downloads(self, slug: str, lang: str) -> list[tuple[str, dict]]:
        out = []
        for edition in EDITIONS:  # screen, print, archive
            name = str(output_name(slug, lang, edition))
            if name in self.pdfs:
                out.append((name, {**self.pdfs[name], "edition": edition}))
        return out

    def run(self) -> list[Path]:
        # what the files are before they are hashed (quick: the next no-op rebuild)
        inputs = quick.snapshot(quick.roots(self.opts.content, self.opts.layouts,
                                            self.opts.pdfs))
        tree = contents.countries(self.opts.content)
        if not tree:
            raise ContentError(contents.read_tree(self.opts.content).problems)
        digests = {slug: self.digest(slug, c) for slug, c in tree.items()}
        stale = [slug for slug in tree if self.opts.force or
                 not self.ledger.fresh(slug, digests[slug])]
        if not stale and self._shared_fresh(tree, digests):
            if self.ledger.inputs != inputs or self.ledger.base_url != self.opts.base_url:
                self.ledger.inputs, self.ledger.base_url = inputs, self.opts.base_url
                self.ledger.save()  # only the manifest: the files touched, not changed
            return []
        from . import render  # the pages' modules: only when something is made

        loaded = self._read(tree, stale)
        made = render.Renderer(self.opts)
        entries: dict[str, dict] = {}
        for slug in stale:
            pages, rows = made.profile(slug, loaded[slug], self._downloads)
            entries[slug] = {"digest": digests[slug], "langs": list(tree[slug].languages),
                             "rows": rows, "pages": {}}
            for path, data in pages.items():
                self.files[path] = data
                entries[slug]["pages"][path] = {"size": len(data),
                                                "sha256": ledger.sha256(data)}
        countries = {slug: entries.get(slug) or self.ledger.countries[slug] for slug in tree}
        shared = {**made.shared(countries), **made.assets()}
        downloads = {f"{slug}/{lang}/{name}": self.opts.pdfs / name
                     for slug in tree for lang in tree[slug].languages
                     for name, _entry in self._downloads(slug, lang)} if self.opts.pdfs else {}
        self.ledger.inputs, self.ledger.base_url = inputs, self.opts.base_url
        return self._write(countries, shared, downloads, self._shared_key(tree, digests))

    def _shared_fresh(self, tree: dict, digests: dict) -> bool:
        """Whether the shared files are as recorded, and made from what they were."""
        return self.ledger.key == self._shared_key(tree, digests) and all(
            self.ledger.present(path, e) for path, e in self.ledger.shared.items())

    def _shared_key(self, tree: dict, digests: dict) -> str:
        """What the shared files are made from: the program and every profile."""
        h = hashlib.sha256(f"{self.digests.program}\0{self.digests.catalog('en')}".encode())
        for slug in sorted(tree):
            h.update(f"\0{slug}\0{digests[slug]}".encode())
        return h.hexdigest()

    def _read(self, tree: dict, stale: list[str]) -> dict:
        """The stale profiles, read and validated: every problem at once."""
        problems: list[Problem] = []
        loaded = {}
        for slug in stale:
            try:
                loaded[slug] = contents.read_country(self.opts.content, tree[slug]).loaded()
            except ContentError as exc:
                problems += exc.problems
        if problems:
            raise ContentError(sorted(set(problems)))
        return loaded

    def _write(self, countries: dict, shared_files: dict[str, bytes],
               downloads: dict[str, Path], key: str) -> list[Path]:
        """Write what changed; forget (and remove) what the site no longer has."""
        from ..files import reads

        written: list[Path] = []
        old = {p: e for c in self.ledger.countries.values() for p, e in c["pages"].items()}
        old.update(self.ledger.shared)
        pages = {p: self.files[p] for c in countries.values() for p in c["pages"]
                 if p in self.files}
        for path in [*pages, *shared_files, *downloads]:  # no link on the way: refused
            ledger.inside(self.opts.out, path)           # before anything is written
        for path, data in {**pages, **shared_files}.items():
            if self.opts.force or not self.ledger.same(path, data, old.get(path)):
                written.append(ledger.write(self.opts.out, path, data))
        shared = {path: {"size": len(data), "sha256": ledger.sha256(data)}
                  for path, data in shared_files.items()}
        for path, source in downloads.items():
            entry = self.pdfs[source.name]
            if self.opts.force or old.get(path) != entry or \
                    not self.ledger.present(path, entry):
                data = reads.read_regular(source, 1 << 30)
                if data is None or ledger.sha256(data) != entry["sha256"]:
                    raise UsageError(f"{source} is not the PDF its manifest records "
                                     "(size, SHA-256); build the PDFs again")
                written.append(ledger.write(self.opts.out, path, data))
            shared[path] = dict(entry)
        keep = {p for c in countries.values() for p in c["pages"]} | set(shared)
        for path in old:
            if path not in keep:
                ledger.remove(self.opts.out, path)
        self.ledger.countries, self.ledger.shared, self.ledger.key = countries, shared, key
        self.ledger.save()
        return written


def _pdf_entries(folder: Path) -> dict[str, dict]:
    """The PDFs a ``build --all`` output folder holds, from its manifest: name ->
    size and SHA-256 (only those the manifest records with both and that are
    there, of that size)."""
    from ..batch.manifest import Manifest

    manifest = Manifest(folder)
    if manifest.problem or not manifest.found:
        raise UsageError(f"--pdfs {folder}: no readable build --all manifest there "
                         f"({manifest.problem or 'none found'}); run "
                         f"`mgi-report build --all --out {folder}` first")
    out = {}
    for name, entry in manifest.entries.items():
        path = folder / name
        if "sha256" in entry and path.is_file() and not path.is_symlink() and \
                path.stat().st_size == entry["size"]:
            out[name] = {"size": entry["size"], "sha256": entry["sha256"]}
    return out
