"""The build, in order: read and validate, compose HTML, lay out, write.

A profile is laid out once and drawn once (the screen edition), and each edition
asked for is written from that one drawing (``build_editions``): the archive
and print editions are derived from the screen edition's PDF (editions.derive).
A single edition's build is the same path with one edition, so a PDF is the
same bytes whichever way it was asked for.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .compose import profile as composer
from .compose.job import Tracked
from .content import baseline as baselines
from .content import tree as contents
from .content.model import LanguageFile, Profile
from .editions import document as editions
from .editions.attachments import embedded, source_files
from .editions.derive import derive
from .editions.specs import SPECS
from .engine import warm
from .engine.render import render
from .errors import ContentError, MgiError, RenderError, UsageError
from .files import cachefile
from .files.outputs import check_output, profile_inputs
from .files.writes import write_atomic
from .resources import FONTS, ICC, LAYOUTS, cache_folder
from .text import hyphenate

LOG = logging.getLogger("mgi_report")
EDITIONS = tuple(SPECS)  # screen, print, archive


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

    def default_output(self, edition: str | None = None) -> Path:
        return output_name(self.country, self.lang, edition or self.edition)


def output_name(country: str, lang: str, edition: str) -> Path:
    """A PDF's name: ``kazakhstan-de.pdf`` (screen), ``kazakhstan-de-print.pdf``."""
    suffix = "" if edition == "screen" else f"-{edition}"
    return Path(f"{country}-{lang}{suffix}.pdf")


@dataclass
class Written:
    """One edition of a build: its file and page count, or why it was not written."""

    edition: str
    path: Path
    pages: int = 0
    error: MgiError | None = None


def check_edition(name: str) -> None:
    if name not in EDITIONS:
        raise UsageError(f"unknown edition `{name}` (editions: {', '.join(EDITIONS)})")


def prepare(req: Request) -> composer.Job:
    """Read and validate everything the request needs; draw nothing yet."""
    job = read(req)
    editions.prepare(job)  # e.g. the print edition refuses a draft
    return job


def read(req: Request) -> composer.Job:
    """The profile's content, read and validated, for any edition (each file
    it is made from once)."""
    check_edition(req.edition)
    country = contents.find(req.content, req.country)  # the usage error
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
        read = contents.read_country(req.content, country, (req.lang,))
        try:
            loaded = read.loaded()
        except ContentError as exc:  # with a follow-up's baseline's, all at once
            raise ContentError(exc.problems + _baseline_problems(read.profile, req)) from None
        doc = loaded.files[req.lang]
    else:
        loaded = contents.read_country(req.content, country, ()).loaded()
        fallback_from = loaded.profile.source_language
        doc = contents.load_language(req.content, loaded.profile, fallback_from)
    return job_for(req, loaded.profile, doc, fallback_from)


def _baseline_problems(profile: Profile | None, req: Request) -> list:
    """Why a follow-up's baseline cannot be read (for a profile whose other
    files have problems too, so that all are reported in one run)."""
    if profile is None or profile.round < 2:
        return []
    try:
        baselines.load(profile, req.lang, req.content, embedded)
    except ContentError as exc:
        return exc.problems
    return []


def job_for(req: Request, profile: Profile, doc: LanguageFile,
            fallback_from: str | None = None) -> composer.Job:
    """The Job of ``req`` from its files as read (a batch reads a country's
    files once for all its languages)."""
    warnings: list = []  # a follow-up's baseline read in another language
    baseline = baselines.load(profile, doc.lang, req.content, embedded, warnings)
    for warning in warnings:
        LOG.warning("%s (warning)", warning)
    return composer.Job(profile, doc, req.lang, req.edition, fallback_from,
                        tuple(req.layouts), req.cache, baseline=baseline)


def allowed_roots(req: Request) -> list[Path]:
    return [LAYOUTS, FONTS, ICC, req.content, *req.layouts]


def file_identifier(job: composer.Job, html: str) -> bytes:
    """The edition's file ID, derived from the edition and the HTML (a derived
    edition's too: ``derive`` takes it)."""
    return hashlib.sha256(f"{job.edition}\n{html}".encode()).hexdigest()[:32].encode()


def pdf_options(job: composer.Job, html: str) -> dict:
    """WeasyPrint options for the edition; the file ID derives from the HTML."""
    ident = file_identifier(job, html)
    return {"pdf_identifier": ident, "uncompressed_pdf": False,
            **editions.pdf_options(job, ident, html)}


def build(req: Request) -> Path:
    """Build one PDF; returns its path. Raises MgiError subclasses."""
    return build_counted(req)[0]


def build_counted(req: Request, tracked: Tracked | None = None,
                  job: composer.Job | None = None) -> tuple[Path, int]:
    """Build one PDF; returns its path and its number of pages.
    ``tracked``: the changes the review PDF marks (workbench.history.review_pdf);
    ``job``: the request's content, when already read (``read``)."""
    [written] = build_editions(req, (req.edition,), tracked=tracked, job=job)
    if written.error is not None:
        raise written.error
    return written.path, written.pages


def build_editions(req: Request, wanted: Sequence[str],
                   outputs: Mapping[str, Path] | None = None,
                   tracked: Tracked | None = None, job: composer.Job | None = None
                   ) -> list[Written]:
    """Lay the profile out once and write each edition in ``wanted`` from it.

    Each edition goes to ``outputs[edition]``, else (one edition) ``req.output``,
    else its default name. A problem of one edition (the print edition refuses a
    draft, an output that is not a file, a failed write) is that edition's
    ``Written.error``; the others are written. A problem of the content or the
    layout concerns them all, and is raised. ``job``: the content as ``read``
    read it for ``req`` (read here if not given).
    """
    for edition in wanted:
        check_edition(edition)
    outputs = dict(outputs or {})
    if len(wanted) == 1 and req.output is not None:
        outputs.setdefault(wanted[0], req.output)
    base = dataclasses.replace(job if job is not None else read(req), tracked=tracked)
    inputs = source_files(base)
    folders = profile_inputs(req.content, req.country, req.lang, req.layouts)
    results: dict[str, Written] = {}
    jobs: list[tuple[composer.Job, Path]] = []
    for edition in dict.fromkeys(wanted):
        target = outputs.get(edition) or req.default_output(edition)
        job = dataclasses.replace(base, edition=edition)
        try:
            check_output(target, inputs, folders)
            editions.prepare(job)
        except MgiError as exc:
            results[edition] = Written(edition, target, error=exc)
            continue
        jobs.append((job, target))
    if jobs:
        laid_out, html = lay_out(req, base)
        drawn: dict[str, bytes] = {}
        for job, target in jobs:
            try:
                results[job.edition] = Written(job.edition, target,
                                               write(job, laid_out, html, target, drawn))
            except MgiError as exc:
                results[job.edition] = Written(job.edition, target, error=exc)
            except Exception as exc:  # a bug: this edition fails, the others are written
                if len(jobs) == 1:
                    raise
                error = RenderError(f"internal error: {type(exc).__name__}: {exc}")
                error.__cause__ = exc
                results[job.edition] = Written(job.edition, target, error=error)
        if counts_pages(req, base):
            _remember_pages(req, len(laid_out.pages))
    return [results[edition] for edition in dict.fromkeys(wanted)]


def lay_out(req: Request, job: composer.Job):
    """The profile's HTML, laid out into pages once for every edition:
    (weasyprint.Document, the HTML)."""
    # The language's parsed hyphenation patterns, from .cache when parsed before.
    warm.hyphenation((job.lang, job.fallback_from or job.lang), req.cache)
    html = composer.compose(job)
    base_url, roots = LAYOUTS.resolve().as_uri() + "/", allowed_roots(req)
    words = hyphenate.policy_for(job.lang, [job.doc.country, job.doc.short_name,
                                             *job.doc.names], text=html)
    with hyphenate.applied(words):  # no PDF option: those are each edition's (document_for)
        document = render(html, base_url, roots)
    editions.pin_dates(document, job.profile.published)
    return document, html


def write(job: composer.Job, laid_out, html: str, target: Path,
          drawn: dict[str, bytes] | None = None) -> int:
    """Write ``job.edition`` of the layout ``laid_out`` to ``target``; returns its
    number of pages. ``drawn``: the PDFs WeasyPrint drew for this layout, by
    edition, shared by the editions derived from them (drawn here if missing)."""
    drawn = {} if drawn is None else drawn
    spec = SPECS[job.edition]
    source = spec.derived_from or job.edition
    if spec.checks_resolution:
        editions.check_resolution(laid_out)
    if source not in drawn:
        drawing = dataclasses.replace(job, edition=source)
        document = editions.document_for(drawing, laid_out)
        buffer = io.BytesIO()
        document.write_pdf(buffer, **pdf_options(drawing, html))
        drawn[source] = buffer.getvalue()
    if spec.derived_from is None:
        data = drawn[source]
    else:
        data = derive(drawn[source], job, laid_out, file_identifier(job, html))
    write_atomic(target, lambda fh: fh.write(data))
    pages = len(laid_out.pages)
    return pages + -pages % spec.page_multiple  # the print edition's blank pages


# A profile's page count (without the print edition's blank pages), kept from
# its last build of any edition, for `mgi-report stats`.

def counts_pages(req: Request, job: composer.Job) -> bool:
    """Whether a build's page count is the profile's, kept for `stats`: a build
    of its content in the built-in layout. Not the review PDF (its marks and
    summary add pages), not a layout of the user's."""
    return job.tracked is None and not req.layouts


def _pages_entry(req: Request) -> tuple[Path, str]:
    """(cache folder, key) of the profile's page count (cachefile checks it)."""
    key = repr((str(Path(req.content).resolve()), req.country, req.lang, req.fallback))
    return req.cache or cache_folder(), hashlib.sha256(key.encode()).hexdigest()[:24]


def _known_pages(req: Request) -> int | None:
    root, key = _pages_entry(req)
    data = cachefile.read(root, "pages", key, key, 32)
    try:
        pages = int(data.decode("ascii")) if data is not None else None
    except ValueError:
        return None
    return pages if pages is not None and pages > 0 else None


def last_page_count(req: Request) -> int | None:
    """The page count of the profile's last build (any edition, without the
    print edition's blank pages), or None."""
    return _known_pages(req)


def _remember_pages(req: Request, pages: int) -> None:
    if _known_pages(req) != pages:
        root, key = _pages_entry(req)
        cachefile.write(root, "pages", key, key, str(pages).encode())
