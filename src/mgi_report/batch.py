"""Build every profile in one run: warm workers, and nothing built twice.

``run()`` plans every country x language x edition of a content tree, skips
each output whose inputs did not change since it was last built (a manifest
beside the outputs maps output -> hash of its inputs), reads and validates
the rest, draws any wheel that is not yet cached (here, in the parent, so
that workers never import matplotlib), and then renders in a pool of worker
processes that import WeasyPrint and load the hyphenation dictionaries once
(``warm.warm_worker``). Each worker runs the same ``build.build()`` as a
single build, so a batch output is byte for byte the single build's.

A profile that fails is reported with its errors and the others still
build; the summary's exit code is the worst failure's (1 content, 2 usage,
3 render).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import __version__
from . import content as contents
from .build import EDITIONS, Request, check_edition
from .errors import ContentError, MgiError, UsageError
from .render import write_atomic
from .resources import FONTS, LAYOUTS, LOCALE

MANIFEST = ".mgi-report-manifest.json"
#: Imported once by the server that forks the workers (so each worker need not).
PRELOAD = ("weasyprint", "mgi_report.build", "mgi_report.warm", "pyphen")
MANIFEST_FORMAT = 1
#: Libraries whose version changes what a PDF looks like (part of every input hash).
RENDERING_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5",
                       "pyphen", "fonttools", "jinja2", "babel", "markdown-it-py")


@dataclass(frozen=True)
class Target:
    """One output: a country, a language, an edition, a file."""

    country: str
    lang: str
    edition: str
    output: Path

    @property
    def name(self) -> str:
        return self.output.name


@dataclass
class Outcome:
    """What happened to one target. ``worker`` holds the worker's measurements."""

    target: Target
    status: str  # "built", "skipped" or "failed"
    seconds: float = 0.0
    errors: tuple[str, ...] = ()
    exit_code: int = 0
    worker: dict = field(default_factory=dict)


@dataclass
class Options:
    content: Path
    out: Path = Path(".")
    editions: tuple[str, ...] = ("screen",)
    langs: tuple[str, ...] = ()  # empty: every language
    jobs: int | None = None  # default: one per core
    layouts: tuple[Path, ...] = ()
    cache: Path | None = None
    force: bool = False  # rebuild even what is unchanged
    tasks_per_worker: int = 16  # then a fresh worker (WeasyPrint's memory grows per PDF)


@dataclass
class Summary:
    outcomes: list[Outcome]
    seconds: float
    jobs: int

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def built(self) -> list[Outcome]:
        return self._with("built")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.failed), default=0)


# ------------------------------------------------------------------- planning


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan(opts: Options) -> list[Target]:
    """Every country x language x edition of the content tree, in a stable order."""
    for edition in opts.editions:
        check_edition(edition)
    tree = contents.countries(opts.content)
    if not tree:
        raise UsageError(f"no country folders with a profile.yaml in {opts.content}")
    targets = []
    for slug, country in tree.items():
        for lang in country.languages:
            if opts.langs and lang not in opts.langs:
                continue
            for edition in opts.editions:
                name = Request(slug, lang, opts.content, edition=edition).default_output()
                targets.append(Target(slug, lang, edition, opts.out / name))
    return targets


# -------------------------------------------------------------- what changed


def _hash_tree(h, root: Path) -> None:
    root = Path(root)
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        and not p.name.startswith(".") and p.suffix != ".pyc")
    for p in files:
        h.update(f"\0{p.relative_to(root) if p != root else p.name}\0".encode())
        h.update(p.read_bytes())


def program_digest(layouts: tuple[Path, ...] = ()) -> str:
    """The program: its version and source, layouts, fonts, colour profiles, and
    the versions of the libraries that draw the PDF."""
    from importlib.metadata import PackageNotFoundError, version

    from . import editions

    h = hashlib.sha256(f"mgi-report {__version__}\0{sys.version_info[:2]}".encode())
    for lib in RENDERING_LIBRARIES:
        try:
            h.update(f"\0{lib} {version(lib)}".encode())
        except PackageNotFoundError:
            h.update(f"\0{lib} -".encode())
    icc = getattr(editions, "ICC", None)
    for root in (Path(__file__).parent, LAYOUTS, FONTS, icc, *layouts):
        if root is not None and Path(root).exists():
            h.update(f"\0{root}".encode())
            _hash_tree(h, root)
    return h.hexdigest()


class Digests:
    """Hash of everything an output is made from; equal hash, equal PDF.

    The program (``program_digest``), the language's message catalog, and
    the country's files: profile.yaml, the language's own file, and any other
    file of the folder (a logo), but not the other languages' files.
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
            for p in sorted(folder.rglob("*")):
                rel = p.relative_to(folder)
                if (not p.is_file() or any(part.startswith(".") for part in rel.parts)
                        or (len(rel.parts) == 1 and contents.LANG_RE.match(p.stem)
                            and p.suffix == ".yaml")):
                    continue
                h.update(f"\0{rel}\0".encode())
                h.update(_file_bytes(p))
            self._countries[slug] = h.hexdigest()
        return self._countries[slug]

    def of(self, t: Target) -> str:
        lang_file = self.opts.content / t.country / f"{t.lang}.yaml"
        h = hashlib.sha256("\0".join((self.program, self.catalog(t.lang),
                                      self.country(t.country), t.edition, t.name)).encode())
        h.update(b"\0")
        h.update(_file_bytes(lang_file))
        return h.hexdigest()


def _file_bytes(path: Path) -> bytes:
    """A content file's bytes for hashing; never blocks on a pipe or reads a huge file.

    What is not a regular file within the size limit hashes as a marker;
    validation then reports it, located.
    """
    try:
        st = path.stat()
    except OSError as exc:
        return f"\0unreadable {exc.errno}".encode()
    if not stat.S_ISREG(st.st_mode) or st.st_size > contents.MAX_FILE_BYTES:
        return f"\0not a content file {st.st_mode} {st.st_size}".encode()
    try:
        return path.read_bytes()
    except OSError as exc:
        return f"\0unreadable {exc.errno}".encode()


class Manifest:
    """``out/.mgi-report-manifest.json``: output name -> inputs hash, size, mtime."""

    def __init__(self, folder: Path):
        self.path = folder / MANIFEST
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == MANIFEST_FORMAT:
                self.entries = dict(data["outputs"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        self.dirty = False

    def fresh(self, output: Path, digest: str) -> bool:
        """The output exists, was written by us from exactly these inputs, untouched since."""
        entry = self.entries.get(output.name)
        if not entry or entry.get("inputs") != digest:
            return False
        try:
            st = output.stat()
        except OSError:
            return False
        return st.st_size == entry.get("size") and st.st_mtime_ns == entry.get("mtime_ns")

    def record(self, output: Path, digest: str) -> None:
        st = output.stat()
        self.entries[output.name] = {"inputs": digest, "size": st.st_size,
                                     "mtime_ns": st.st_mtime_ns}
        self.dirty = True

    def forget(self, output: Path) -> None:
        if self.entries.pop(output.name, None) is not None:
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        data = json.dumps({"format": MANIFEST_FORMAT, "generator": f"mgi-report {__version__}",
                           "outputs": dict(sorted(self.entries.items()))}, indent=1)
        write_atomic(self.path, lambda fh: fh.write(data.encode()))
        self.dirty = False


# ---------------------------------------------------------------- the worker


def _ready() -> int:
    """A no-op task: submitting one per worker starts the workers' warm-up early."""
    return os.getpid()


def _worker_facts() -> dict:
    import resource

    return {"pid": os.getpid(),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "matplotlib": "matplotlib" in sys.modules}


def _build_one(target: Target, opts: Options, pages_hint: int | None = None) -> Outcome:
    """In a worker: the single build of one target, its failure as an Outcome."""
    from .build import build_counted

    t0, c0 = time.perf_counter(), time.process_time()
    req = Request(target.country, target.lang, opts.content, target.output, target.edition,
                  False, tuple(opts.layouts), opts.cache, pages_hint)
    pages = drawings = None
    try:
        _, pages, drawings = build_counted(req)
        status, errors, code = "built", (), 0
    except ContentError as exc:
        status, errors, code = "failed", tuple(str(p) for p in exc.problems), exc.exit_code
    except MgiError as exc:
        status, errors, code = "failed", (f"error: {exc}",), exc.exit_code
    except Exception as exc:  # a bug must not stop the other profiles  # noqa: BLE001
        status, errors, code = "failed", (f"error: {type(exc).__name__}: {exc}",), 3
    facts = {**_worker_facts(), "cpu": time.process_time() - c0, "pages": pages,
             "pages_hint": pages_hint, "drawings": drawings}
    return Outcome(target, status, time.perf_counter() - t0, errors, code, facts)


# ---------------------------------------------------------------- the parent


def _validate(todo: list[Target], opts: Options) -> Iterator[tuple[Target, Outcome | None]]:
    """Read and validate every profile to build: (target, its failure or None).

    A bad file fails only the outputs made from it.
    """
    from . import i18n

    by_country: dict[str, list[Target]] = {}
    for t in todo:
        by_country.setdefault(t.country, []).append(t)
    catalogs: dict[str, MgiError | None] = {}
    for slug, targets in by_country.items():
        langs = tuple(dict.fromkeys(t.lang for t in targets))
        problems: dict[str, MgiError | None] = {}
        try:
            contents.load_country(opts.content, slug, langs)
            problems = dict.fromkeys(langs)
        except MgiError:
            for lang in langs:  # find whose file it is
                try:
                    contents.load_country(opts.content, slug, (lang,))
                    problems[lang] = None
                except MgiError as exc:
                    problems[lang] = exc
        for t in targets:
            if t.lang not in catalogs:
                try:
                    i18n.translations(t.lang)
                    catalogs[t.lang] = None
                except MgiError as exc:
                    catalogs[t.lang] = exc
            exc = problems[t.lang] or catalogs[t.lang]
            if exc is None:
                yield t, None
            elif isinstance(exc, ContentError):
                yield t, Outcome(t, "failed", 0.0, tuple(map(str, exc.problems)), 1)
            else:
                yield t, Outcome(t, "failed", 0.0, (f"error: {exc}",), exc.exit_code)


def predraw_wheels(targets: Iterable[Target], opts: Options) -> None:
    """Draw, once per language and edition, every wheel not yet in the cache.

    Composing one profile per language fills the wheel cache; workers then
    only read it. A failure here is left for that profile's own build to report.
    """
    from . import build as builder
    from . import compose

    seen = set()
    for t in targets:
        if (t.lang, t.edition) in seen:
            continue
        seen.add((t.lang, t.edition))
        try:
            job = builder.prepare(Request(t.country, t.lang, opts.content, None, t.edition,
                                          False, tuple(opts.layouts), opts.cache))
            compose.context(job)
        except MgiError:
            pass


def _size(t: Target, opts: Options) -> int:
    try:
        return (opts.content / t.country / f"{t.lang}.yaml").stat().st_size
    except OSError:
        return 0


def _broken(t: Target, exc: BaseException) -> Outcome:
    return Outcome(t, "failed", 0.0, (f"error: the worker processes stopped ({exc})",), 3)


def _pool(jobs: int, langs: tuple[str, ...], cache: Path | None):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .warm import warm_worker

    # Fresh workers, not forked from this process (which may hold matplotlib):
    # forked from a server that has imported WeasyPrint once, or spawned.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", *PRELOAD])
    else:  # pragma: no cover - not Linux
        ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=ctx, initializer=warm_worker,
                               initargs=(langs, cache, os.getcwd()))


def run(opts: Options, progress: Callable[[Outcome, int, int], None] | None = None
        ) -> Summary:
    """Build what changed among every target of ``opts``; returns the summary."""
    start = time.perf_counter()
    targets = plan(opts)
    total = len(targets)
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome, len(outcomes), total)

    manifest = Manifest(opts.out)
    digests = Digests(opts)
    todo: list[Target] = []
    digest_of: dict[Target, str] = {}
    for t in targets:
        digest_of[t] = digests.of(t)
        if not opts.force and manifest.fresh(t.output, digest_of[t]):
            done(Outcome(t, "skipped"))
        else:
            todo.append(t)
    if not todo:
        return Summary(outcomes, time.perf_counter() - start, 0)
    workers = _Workers(opts, max(1, min(opts.jobs or default_jobs(), len(todo))),
                       tuple(sorted({t.lang for t in todo})))
    try:
        valid = []
        for t, failure in _validate(todo, opts):
            if failure is not None:
                manifest.forget(t.output)
                done(failure)
                continue
            valid.append(t)
            workers.warm_up()  # the workers warm up while we read and draw
        predraw_wheels(valid, opts)
        # Longest first: a shorter tail. Print editions last: by then the screen
        # edition's page count tells them how many blank pages to add, which
        # saves drawing them twice (editions.render).
        valid.sort(key=lambda t: (t.edition == "print", -_size(t, opts)))
        last_save = time.monotonic()
        for t, outcome in workers.build(valid):
            if outcome.status == "built":
                manifest.record(t.output, digest_of[t])
            else:
                manifest.forget(t.output)
            done(outcome)
            if time.monotonic() - last_save > 5:
                manifest.save()
                last_save = time.monotonic()
    finally:
        workers.close()
        manifest.save()
    return Summary(outcomes, time.perf_counter() - start, workers.jobs if workers.used else 0)


class _Workers:
    """Pools of warm workers, retired after ``opts.tasks_per_worker`` PDFs each.

    The limit is per pool: a pool of ``jobs`` workers takes ``jobs x
    tasks_per_worker`` PDFs, so a worker renders about ``tasks_per_worker``,
    a fast one up to ``jobs`` times that (``max_tasks_per_child`` would be
    exact, but deadlocks on Python 3.11, CPython gh-115634).

    WeasyPrint keeps about 1 MB of native memory per document it renders, so a
    worker that rendered thousands would grow without bound. When only the PDFs
    in flight are left in a pool, the next pool starts (and warms up) while
    they finish; a pool whose PDFs are all done is shut down.
    """

    def __init__(self, opts: Options, jobs: int, langs: tuple[str, ...]):
        self.opts, self.jobs, self.langs = opts, jobs, langs
        self.pools: list = []
        self.used = False

    def _new(self):
        pool = _pool(self.jobs, self.langs, self.opts.cache)
        self.pools.append(pool)
        self.used = True
        return pool

    def warm_up(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        if self.pools:
            return
        pool = self._new()
        try:
            for _ in range(self.jobs):
                pool.submit(_ready)
        except BrokenProcessPool:
            pass  # reported per profile by build()

    def build(self, targets: list[Target]) -> Iterator[tuple[Target, Outcome]]:
        """(target, outcome) as the PDFs are done, in any order."""
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        queue = deque(targets)
        quota = self.jobs * max(1, self.opts.tasks_per_worker)
        pending: dict = {}
        left: dict = {}  # pool -> its PDFs in flight
        submitted: dict = {}  # pool -> all its PDFs (at most `quota`: then a fresh pool)
        # A print edition waits for its profile's screen edition, whose page
        # count saves drawing the print edition twice (editions.render).
        pages: dict[tuple[str, str], int] = {}  # (country, lang) -> screen page count
        awaiting = {(t.country, t.lang) for t in targets if t.edition == "screen"}
        deferred: dict[tuple[str, str], list[Target]] = {}

        def feed(pool) -> Iterator[tuple[Target, Outcome]]:
            left.setdefault(pool, 0)
            submitted.setdefault(pool, 0)
            while queue and submitted[pool] < quota:
                t = queue.popleft()
                key = (t.country, t.lang)
                if t.edition == "print" and key in awaiting:
                    deferred.setdefault(key, []).append(t)
                    continue
                hint = pages.get(key) if t.edition == "print" else None
                try:
                    pending[pool.submit(_build_one, t, self.opts, hint)] = (t, pool)
                    left[pool] += 1
                    submitted[pool] += 1
                except BrokenProcessPool as exc:
                    if t.edition == "screen":  # it will not come back: release its prints
                        awaiting.discard(key)
                        queue.extendleft(deferred.pop(key, []))
                    yield t, _broken(t, exc)

        def top_up(idle: bool) -> Iterator[tuple[Target, Outcome]]:
            """Give queued PDFs to the current pool, or to a fresh one once the
            current one has had its quota and (unless idle) is nearly done."""
            nonlocal current
            if not queue:
                return
            if submitted[current] < quota:
                yield from feed(current)
            elif idle or left[current] <= self.jobs:
                previous, current = current, self._new()
                yield from feed(current)
                if left[previous] == 0:
                    previous.shutdown(wait=False)

        current = self.pools[-1] if self.pools else self._new()
        yield from feed(current)
        while pending or queue or deferred:
            if not pending:  # e.g. prints whose screen edition never came back
                awaiting.clear()
                for ts in deferred.values():
                    queue.extend(ts)
                deferred.clear()
                before = len(queue)
                yield from top_up(idle=True)
                if not pending and len(queue) >= before:
                    break  # pragma: no cover (feed takes every target it is given)
                continue
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                t, pool = pending.pop(fut)
                left[pool] -= 1
                try:
                    outcome = fut.result()
                except BrokenProcessPool as exc:
                    outcome = _broken(t, exc)
                except Exception as exc:  # e.g. a result that could not come back  # noqa: BLE001
                    outcome = Outcome(t, "failed", 0.0, (f"error: {type(exc).__name__}: {exc}",),
                                      3)
                if left[pool] == 0 and pool is not current:
                    pool.shutdown(wait=False)
                if t.edition == "screen":
                    key = (t.country, t.lang)
                    awaiting.discard(key)
                    if outcome.worker.get("pages"):
                        pages[key] = outcome.worker["pages"]
                    queue.extendleft(deferred.pop(key, []))
                yield t, outcome
            yield from top_up(idle=False)

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------ the command line


class Progress:
    """A progress line on a terminal (counts, bar, latest profile); else a line per PDF."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.counts = {"built": 0, "skipped": 0, "failed": 0}
        self.open = False  # a progress line waits for its end

    def __call__(self, outcome: Outcome, n: int, total: int) -> None:
        self.counts[outcome.status] += 1
        if self.tty:
            width = 24
            filled = width * n // max(total, 1)
            c = self.counts
            line = (f"[{'#' * filled}{'-' * (width - filled)}] {n}/{total}  "
                    f"{c['built']} built, {c['skipped']} skipped, {c['failed']} failed  "
                    f"{outcome.target.name}")
            self.stream.write("\r\x1b[K" + line + ("\n" if n == total else ""))
            self.open = n != total
        elif outcome.status != "skipped":
            self.stream.write(f"mgi-report: [{n}/{total}] {outcome.status} "
                              f"{outcome.target.name} ({outcome.seconds:.2f} s)\n")
        self.stream.flush()

    def finish(self) -> None:
        """End an unfinished progress line (an interrupted run)."""
        if self.open:
            self.stream.write("\n")
            self.open = False


def report(summary: Summary, stream: TextIO = sys.stderr) -> None:
    """Every failure with its errors, then one line of totals."""
    for o in sorted(summary.failed, key=lambda o: o.target.name):
        stream.write(f"mgi-report: {o.target.name} failed:\n")
        for line in o.errors:
            stream.write(f"{line}\n")
    built = summary.built
    per = (f"; {summary.seconds / len(built):.2f} s per built PDF with {summary.jobs} "
           f"worker{'s' if summary.jobs != 1 else ''}") if built else ""
    stream.write(f"mgi-report: {len(summary.outcomes)} profiles in {summary.seconds:.1f} s: "
                 f"{len(built)} built, {len(summary.skipped)} skipped, "
                 f"{len(summary.failed)} failed{per}\n")


def command(args) -> int:
    """``mgi-report build --all``: called by the command line with its arguments."""
    if args.country or args.output:
        raise UsageError("--all builds every country; name none (and use --out, not -o)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    opts = Options(args.content, args.out, (args.edition,) if args.edition else EDITIONS,
                   (args.lang,) if args.lang else (), args.jobs, tuple(args.layouts),
                   force=args.force)
    progress = Progress(sys.stderr)
    try:
        summary = run(opts, progress)
    finally:
        progress.finish()
    report(summary, sys.stderr)
    return summary.exit_code
