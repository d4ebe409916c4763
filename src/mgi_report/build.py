"""The build, in order: read and validate, compose HTML, render, write."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import compose as composer
from . import content as contents
from . import editions, hyphenate, warm
from .errors import MgiError, UsageError
from .render import render, write_atomic
from .resources import CACHE, FONTS, LAYOUTS

LOG = logging.getLogger("mgi_report")
EDITIONS = tuple(editions.SPECS)  # screen, print, archive


@dataclass
class Request:
    """What the user asked for: one country, one language, one edition."""

    country: str
    lang: str
    content: Path
    output: Path | None = None
    edition: str = "screen"
    fallback: bool = False
    layouts: tuple[Path, ...] = ()
    cache: Path | None = None
    pages_hint: int | None = None  # the screen edition's page count, if known (print)

    def default_output(self) -> Path:
        suffix = "" if self.edition == "screen" else f"-{self.edition}"
        return Path(f"{self.country}-{self.lang}{suffix}.pdf")


def check_edition(name: str) -> None:
    if name not in EDITIONS:
        raise UsageError(f"unknown edition `{name}` (editions: {', '.join(EDITIONS)})")


def prepare(req: Request) -> composer.Job:
    """Read and validate everything the request needs; draw nothing yet."""
    check_edition(req.edition)
    tree = contents.countries(req.content)
    if req.country not in tree:
        contents.load_country(req.content, req.country)  # raises the usage error
    country = tree[req.country]
    fallback_from = None
    if req.lang not in country.languages:
        if not req.fallback:
            raise UsageError(
                f"no `{req.lang}` findings for {req.country} "
                f"(languages: {', '.join(country.languages) or 'none'}); add "
                f"{country.folder / (req.lang + '.yaml')}, or pass --fallback to print "
                "the source language's findings under this language's layout")
    # Only the files this PDF is made from are read: a broken file of another
    # language does not stop it (and is not among its Make dependencies).
    if req.lang in country.languages:
        loaded = contents.load_country(req.content, req.country, (req.lang,))
        doc = loaded.files[req.lang]
    else:
        profile = contents.load_country(req.content, req.country, ()).profile
        fallback_from = profile.source_language
        loaded = contents.load_country(req.content, req.country, (fallback_from,))
        doc = loaded.files[fallback_from]
    job = composer.Job(loaded.profile, doc, req.lang, req.edition, fallback_from,
                       tuple(req.layouts), req.cache)
    editions.prepare(job)  # e.g. the print edition refuses a draft
    return job


def allowed_roots(req: Request) -> list[Path]:
    return [LAYOUTS, FONTS, editions.ICC, req.content, *req.layouts]


def pdf_options(job: composer.Job, html: str) -> dict:
    """WeasyPrint options for the edition; the file ID derives from the HTML."""
    ident = hashlib.sha256(f"{job.edition}\n{html}".encode()).hexdigest()[:32].encode()
    return {"pdf_identifier": ident, "uncompressed_pdf": False,
            **editions.pdf_options(job, ident)}


def build(req: Request) -> Path:
    """Build one PDF; returns its path. Raises MgiError subclasses."""
    return build_counted(req)[0]


def check_output(target: Path) -> None:
    """Refuse an output that exists and is not a regular file (a device, FIFO or
    socket, or a link to one): writing the PDF would replace it."""
    try:
        st = os.stat(target)  # follows a link: what it points at is what counts
    except OSError:  # missing, or unreachable: writing it says why (exit 3)
        return
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a FIFO" if stat.S_ISFIFO(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        link = " (through a link)" if os.path.islink(target) else ""
        raise UsageError(f"will not write {target}: it is {kind}{link}, not a PDF file; "
                         "choose another output with -o")


def build_counted(req: Request, extra: dict | None = None) -> tuple[Path, int, int]:
    """Build one PDF; returns its path, its number of pages and of drawings.
    ``extra``: more for the layout (the review PDF's changes)."""
    check_output(req.output or req.default_output())
    job = prepare(req)
    job.extra.update(extra or {})
    # The language's parsed hyphenation patterns, from .cache when parsed before.
    warm.hyphenation((job.lang, job.fallback_from or job.lang), req.cache)
    html = editions.adapt(job, composer.compose(job))
    base_url, roots = LAYOUTS.resolve().as_uri() + "/", allowed_roots(req)
    # A layout folder may break pages by their count (editions.render): page
    # counts are used, and kept, with the built-in layouts only.
    counted = not req.layouts and not extra
    hint = req.pages_hint if counted else None
    if counted and hint is None and editions.SPECS[req.edition].page_multiple > 1:
        hint = _known_pages(req)
    words = hyphenate.policy_for(job.lang, [job.doc.country, job.doc.short_name,
                                             *job.doc.names])
    with hyphenate.applied(words):
        document, html, drawings = editions.render(job, html, lambda h: render(
            h, base_url, roots, **editions.render_options(job)), hint)
    target = req.output or req.default_output()
    options = pdf_options(job, html)
    write_atomic(target, lambda fh: document.write_pdf(fh, **options))
    if counted:
        _remember_pages(req, len(document.pages) - editions.blank_pages(html))
    return target, len(document.pages), drawings


# A profile's page count (without the print edition's blank pages), kept from
# its last build of any edition: the print edition's guess of how many blank
# pages to add before drawing (editions.render checks it; a wrong one costs a
# drawing, never a different PDF).

def _pages_file(req: Request) -> Path:
    key = repr((str(Path(req.content).resolve()), req.country, req.lang, req.fallback))
    return (req.cache or CACHE) / "pages" / hashlib.sha256(key.encode()).hexdigest()[:24]


def _known_pages(req: Request) -> int | None:
    try:
        return int(_pages_file(req).read_text())
    except (OSError, ValueError):
        return None


def review(req: Request, rev: str) -> Path:
    """The profile with every change to its findings since the git revision
    ``rev`` marked (tracked.py), and a summary page of them."""
    from . import history

    _, found = history.since(req.content, req.country, req.lang, rev)
    return build_counted(req, {"tracked": {"rev": rev, "changes": found}})[0]


def last_page_count(req: Request) -> int | None:
    """The page count of the profile's last build (any edition, without the
    print edition's blank pages), or None."""
    return _known_pages(req)


def _remember_pages(req: Request, pages: int) -> None:
    if _known_pages(req) != pages:
        try:
            write_atomic(_pages_file(req), lambda fh: fh.write(str(pages).encode()))
        except MgiError:
            LOG.debug("could not keep the page count of %s", req.country)
