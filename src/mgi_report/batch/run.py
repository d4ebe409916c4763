"""Build every profile in one run: warm workers, and nothing built twice.

``run()`` plans every country x language x edition of a content tree (or one
shard of it, ``--shard K/N``), skips each output whose inputs did not change
since it was last built (``manifest.py``: a manifest beside the outputs maps
output -> hash of its inputs), reads and validates the rest, draws any wheel
that is not yet cached (here, in the parent, so that workers never import
matplotlib), and then renders in a pool of worker processes that import
WeasyPrint and load the hyphenation dictionaries once (``warm.warm_worker``).
A worker's task is a profile: it is laid out once and each of its editions to
build is written from that layout, by the same ``build.build_editions()`` as a
single build, so a batch output is byte for byte the single build's.

A profile that fails is reported with its errors and the others still
build; the summary's exit code is the worst failure's (1 content, 2 usage,
3 render).

What a worker records is what it printed: it reads each content file once
(``reads.once``) and hashes those bytes for the manifest, so a file saved
during the run is built again by the next one.

A stopped batch stops. Ctrl-C, SIGTERM or SIGHUP: the workers are killed at
once, the manifest keeps every output written before (and a journal keeps
them as they come, for a SIGKILL), and the last message says what was written.
A worker dies with the batch however the batch ends (even by SIGKILL: it
watches the batch's process), and checks that the batch is alive, under a
lock its watch takes too, right before it renames a finished file into
place: once the batch is gone, nothing is put in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..content import tree as contents
from ..errors import ContentError, MgiError, RenderError, UsageError
from ..files import reads, writes
from ..files.names import printable_name
from ..pipeline import EDITIONS, Request, check_edition
from .manifest import Digests, Manifest, Shard, profile_name

LOG = logging.getLogger("mgi_report")
#: Imported once by the server that forks the workers (so each worker need not).
PRELOAD = ("weasyprint", "mgi_report.pipeline", "mgi_report.engine.warm",
           "mgi_report.batch.run", "pyphen")


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
    inputs: str | None = None  # built: the hash of the inputs as the worker read them


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
    shard: Shard | None = None  # build only the profiles of this shard
    shared_layout: bool = True  # False: one layout per edition (for `make bench`)


@dataclass
class Summary:
    outcomes: list[Outcome]
    seconds: float
    jobs: int
    total: int = 0  # outputs planned
    stopped: int | None = None  # the signal that stopped the run
    replaced: list[Target] = field(default_factory=list)  # stopped while being written

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
    """Every country x language x edition of the content tree (of the shard
    ``opts.shard`` only, if given), in a stable order."""
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
            if opts.shard and not opts.shard.owns(profile_name(slug, lang)):
                continue
            for edition in opts.editions:
                name = Request(slug, lang, opts.content, edition=edition).default_output()
                targets.append(Target(slug, lang, edition, opts.out / name))
    return targets


# -------------------------------------------------------------- what changed


# ---------------------------------------------------------------- the worker

_PLACING = threading.Lock()  # held while a file is renamed into place, and by the watch
_BATCH: dict = {}  # in a worker: the pid of the batch it works for, and a pidfd of it


def _worker_init(batch_pid: int, langs: tuple[str, ...], cache: Path | None,
                 cwd: str | None) -> None:
    """Initializer of a batch worker: die with the batch, then warm up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's: it stops us
    _die_with(batch_pid)
    from ..engine.warm import warm_worker

    warm_worker(langs, cache, cwd)


def _die_with(batch_pid: int) -> None:
    """In a worker: end as soon as the batch process ends, however it ends.

    The kernel kills us when our parent (the fork server) ends; a thread waits
    on the batch's own process (a pidfd, else polling), and kills us when it
    ends; and ``writes.rename_guard`` refuses to put a file in place once it
    has ended (under the lock the thread takes before it kills us).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    fd = None
    try:
        fd = os.pidfd_open(batch_pid)
    except ProcessLookupError:
        _die()
    except (AttributeError, OSError):  # pragma: no cover - an old kernel: poll
        pass
    _BATCH.update(pid=batch_pid, fd=fd)
    if not _batch_alive():
        _die()
    threading.Thread(target=_watch, daemon=True, name="mgi-report: batch watch").start()
    writes.rename_guard = _while_batch_runs


def _batch_alive() -> bool:
    fd = _BATCH.get("fd")
    if fd is not None:
        return not select.select([fd], [], [], 0)[0]
    try:
        os.kill(_BATCH["pid"], 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return os.getppid() != 1


def _watch() -> None:
    fd = _BATCH.get("fd")
    while True:
        if fd is not None:
            select.select([fd], [], [])
        else:  # pragma: no cover - no pidfd
            time.sleep(0.2)
        if not _batch_alive():
            _die()


def _die() -> None:
    with _PLACING:  # not while a file is renamed into place
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _while_batch_runs():
    """``writes.rename_guard`` in a worker: rename only while the batch runs."""
    with _PLACING:
        if not _batch_alive():
            raise RenderError("the batch was stopped: nothing more is put in place")
        yield


def _ready() -> int:
    """A no-op task: submitting one per worker starts the workers' warm-up early."""
    return os.getpid()


def _worker_facts() -> dict:
    import resource

    return {"pid": os.getpid(),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "matplotlib": "matplotlib" in sys.modules}


def _build_profile(targets: tuple[Target, ...], opts: Options,
                   known: tuple[str, dict[str, str]] | None = None) -> list[Outcome]:
    """In a worker: one profile's editions (``targets``, one country and
    language), laid out once and each written from that layout; a failure as
    Outcomes. With ``opts.shared_layout`` off, each edition is laid out anew.

    Each content file is read once, and a built outcome's ``inputs`` is the
    hash of those bytes (``known``: the program's and the catalogs' hashes,
    from the parent's ``Digests``)."""
    if not opts.shared_layout and len(targets) > 1:
        return [o for t in targets for o in _build_profile((t,), opts, known)]
    from ..pipeline import build_editions

    t0, c0 = time.perf_counter(), time.process_time()
    first = targets[0]
    req = Request(first.country, first.lang, opts.content, None, first.edition, False,
                  tuple(opts.layouts), opts.cache)
    inputs: dict[str, str] = {}
    try:
        with reads.once() as taken:
            written = build_editions(req, [t.edition for t in targets],
                                     {t.edition: t.output for t in targets})
        failures = {w.edition: _failure(w.error) for w in written if w.error is not None}
        pages = {w.edition: w.pages for w in written}
        program, catalogs = known or (None, None)
        digests = Digests(opts, taken, program, catalogs)
        inputs = {t.edition: digests.of(t) for t in targets}
    except MgiError as exc:
        failures, pages = dict.fromkeys((t.edition for t in targets), _failure(exc)), {}
    except Exception as exc:  # a bug must not stop the other profiles  # noqa: BLE001
        failures = dict.fromkeys((t.edition for t in targets),
                                 ((f"error: {type(exc).__name__}: {exc}",), 3))
        pages = {}
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    facts = {**_worker_facts(), "cpu": cpu, "editions": len(targets)}
    outcomes = []
    for t in targets:
        worker = {**facts, "pages": pages.get(t.edition)}
        if t.edition in failures:
            errors, code = failures[t.edition]
            outcomes.append(Outcome(t, "failed", seconds, errors, code, worker))
        else:
            outcomes.append(Outcome(t, "built", seconds, (), 0, worker, inputs[t.edition]))
    return outcomes


def _failure(exc: MgiError) -> tuple[tuple[str, ...], int]:
    if isinstance(exc, ContentError):
        return tuple(str(p) for p in exc.problems), exc.exit_code
    return (f"error: {exc}",), exc.exit_code


# ---------------------------------------------------------------- the parent


def _validate(todo: list[Target], opts: Options) -> Iterator[tuple[Target, Outcome | None]]:
    """Read and validate every profile to build: (target, its failure or None).

    A bad file fails only the outputs made from it.
    """
    from ..text import i18n

    by_country: dict[str, list[Target]] = {}
    for t in todo:
        by_country.setdefault(t.country, []).append(t)
    catalogs: dict[str, MgiError | None] = {}
    for slug, targets in by_country.items():
        langs = tuple(dict.fromkeys(t.lang for t in targets))
        problems: dict[str, MgiError | None] = {}
        try:  # each file read once; a problem is its file's outputs'
            read = contents.read_country(opts.content, contents.find(opts.content, slug), langs)
        except MgiError as exc:
            read, problems = None, dict.fromkeys(langs, exc)
        for lang in langs if read is not None else ():
            try:
                read.loaded((lang,))
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
            else:
                yield t, Outcome(t, "failed", 0.0, *_failure(exc))


def predraw_wheels(targets: Iterable[Target], opts: Options) -> None:
    """Draw, once per language, every wheel not yet in the cache (the wheels
    are the same in every edition).

    Composing one profile per language fills the wheel cache; workers then
    only read it. A failure here is left for that profile's own build to report.
    """
    from .. import pipeline as builder
    from ..compose import profile as compose

    seen = set()
    for t in targets:
        if t.lang in seen:
            continue
        seen.add(t.lang)
        try:
            job = builder.prepare(Request(t.country, t.lang, opts.content, None, "screen",
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

    # Fresh workers, not forked from this process (which may hold matplotlib):
    # forked from a server that has imported WeasyPrint once, or spawned. The fork
    # server listens on a socket in the temporary folder, and a socket's path has
    # at most 107 bytes: under a long TMPDIR, workers are spawned instead.
    short_tmp = len(os.fsencode(tempfile.gettempdir())) <= 70
    if "forkserver" in multiprocessing.get_all_start_methods() and short_tmp:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["__main__", *PRELOAD])
    else:  # pragma: no cover - not Linux
        ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(), langs, cache, os.getcwd()))


class Stopped(KeyboardInterrupt):
    """A run stopped by Ctrl-C or a signal; ``summary``: what it did before."""

    def __init__(self, summary: Summary):
        super().__init__(summary.stopped)
        self.summary = summary


class _Signalled(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP, in ``command``: the run stops."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_finishing = False  # run() is saving what it did: a signal now stops nothing more


def _identity(path: Path) -> tuple | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def run(opts: Options, progress: Callable[[Outcome, int, int], None] | None = None,
        warn: Callable[[str], None] | None = None) -> Summary:
    """Build what changed among every target of ``opts``; returns the summary.

    Raises Stopped (a KeyboardInterrupt) when stopped by Ctrl-C or by a signal
    ``command`` turns into one, once the workers are gone and the manifest is
    saved; ``warn``: says what is set aside (a manifest that is not read).
    """
    start = time.perf_counter()
    targets = plan(opts)
    total = len(targets)
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome, len(outcomes), total)

    manifest = Manifest(opts.out, journal=True)
    if manifest.problem is not None:
        (warn or LOG.warning)(
            f"{printable_name(str(manifest.path))} is set aside: {manifest.problem}; "
            "every output is checked anew, and the manifest written again")
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
        manifest.save(opts.shard)  # times of outputs copied in since
        return Summary(outcomes, time.perf_counter() - start, 0, total)
    before = {t: _identity(t.output) for t in todo}
    profiles_to_build = len({(t.country, t.lang) for t in todo})
    workers = _Workers(opts, max(1, min(opts.jobs or default_jobs(), profiles_to_build)),
                       tuple(sorted({t.lang for t in todo})),
                       (digests.program, {lang: digests.catalog(lang)
                                          for lang in sorted({t.lang for t in todo})}))
    stop: KeyboardInterrupt | None = None
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
        # One task per profile (its editions share one layout); longest first,
        # for a shorter tail.
        profiles: dict[tuple[str, str], list[Target]] = {}
        for t in valid:
            profiles.setdefault((t.country, t.lang), []).append(t)
        units = sorted((tuple(ts) for ts in profiles.values()),
                       key=lambda ts: -_size(ts[0], opts))
        last_save = time.monotonic()
        for t, outcome in workers.build(units):
            if outcome.status == "built" and outcome.inputs:
                manifest.record(t.output, outcome.inputs, profile_name(t.country, t.lang))
            else:
                manifest.forget(t.output)
            done(outcome)
            if time.monotonic() - last_save > 5:
                manifest.save(opts.shard)
                last_save = time.monotonic()
    except KeyboardInterrupt as exc:
        stop = exc
    finally:
        global _finishing
        _finishing = True  # a stop now is not taken (``command``): this is the end
        try:
            workers.close(kill=stop is not None)
            manifest.save(opts.shard)
            if stop is not None:  # what the killed workers were writing
                finished = {o.target for o in outcomes}
                for t in todo:
                    if t not in finished:
                        with contextlib.suppress(OSError):
                            writes._remove_stale_temps(t.output)
        finally:
            _finishing = False
    summary = Summary(outcomes, time.perf_counter() - start,
                      workers.jobs if workers.used else 0, total)
    if stop is not None:
        summary.stopped = getattr(stop, "signum", signal.SIGINT)
        summary.replaced = [t for t in todo if t not in finished
                            and _identity(t.output) != before[t]]
        raise Stopped(summary) from None
    return summary


class _Workers:
    """Pools of warm workers, retired after ``opts.tasks_per_worker`` layouts each.

    The limit is per pool: a pool of ``jobs`` workers takes ``jobs x
    tasks_per_worker`` profiles (each laid out once, whatever its editions),
    so a worker lays out about ``tasks_per_worker``, a fast one up to ``jobs``
    times that (``max_tasks_per_child`` would be exact, but deadlocks on
    Python 3.11, CPython gh-115634).

    WeasyPrint keeps about 1 MB of native memory per document it lays out, so
    a worker that rendered thousands would grow without bound. When only the
    profiles in flight are left in a pool, the next pool starts (and warms up)
    while they finish; a pool whose profiles are all done is shut down.
    """

    def __init__(self, opts: Options, jobs: int, langs: tuple[str, ...],
                 known: tuple[str, dict[str, str]] | None = None):
        self.opts, self.jobs, self.langs, self.known = opts, jobs, langs, known
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

    def build(self, units: list[tuple[Target, ...]]) -> Iterator[tuple[Target, Outcome]]:
        """(target, outcome) as the profiles (``units``: a profile's editions)
        are done, in any order."""
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        queue = deque(units)
        quota = self.jobs * max(1, self.opts.tasks_per_worker)
        pending: dict = {}
        left: dict = {}  # pool -> its profiles in flight
        submitted: dict = {}  # pool -> all its profiles (at most `quota`: then a fresh pool)

        def feed(pool) -> Iterator[tuple[Target, Outcome]]:
            left.setdefault(pool, 0)
            submitted.setdefault(pool, 0)
            while queue and submitted[pool] < quota:
                unit = queue.popleft()
                try:
                    pending[pool.submit(_build_profile, unit, self.opts,
                                        self.known)] = (unit, pool)
                    left[pool] += 1
                    submitted[pool] += len(unit) if not self.opts.shared_layout else 1
                except BrokenProcessPool as exc:
                    for t in unit:
                        yield t, _broken(t, exc)

        def top_up() -> Iterator[tuple[Target, Outcome]]:
            """Give queued profiles to the current pool, or to a fresh one once
            the current one has had its quota and is nearly done."""
            nonlocal current
            if not queue:
                return
            if submitted[current] < quota:
                yield from feed(current)
            elif left[current] <= self.jobs:
                previous, current = current, self._new()
                yield from feed(current)
                if left[previous] == 0:
                    previous.shutdown(wait=False)

        current = self.pools[-1] if self.pools else self._new()
        yield from feed(current)
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                unit, pool = pending.pop(fut)
                left[pool] -= 1
                try:
                    outcomes = fut.result()
                except BrokenProcessPool as exc:
                    outcomes = [_broken(t, exc) for t in unit]
                except Exception as exc:  # e.g. a result that could not come back  # noqa: BLE001
                    outcomes = [Outcome(t, "failed", 0.0,
                                        (f"error: {type(exc).__name__}: {exc}",), 3)
                                for t in unit]
                if left[pool] == 0 and pool is not current:
                    pool.shutdown(wait=False)
                for outcome in outcomes:
                    yield outcome.target, outcome
            yield from top_up()
        for unit in queue:  # no pool could take them (its workers stopped)
            for t in unit:
                yield t, _broken(t, "no worker left to take it")

    def close(self, kill: bool = False) -> None:
        """Shut the pools down; ``kill``: a stopped run's, without waiting for
        the profiles in flight (their workers are killed)."""
        for pool in self.pools:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            if kill:
                for process in processes:
                    with contextlib.suppress(Exception):
                        process.kill()
            pool.shutdown(wait=True, cancel_futures=True)
            if kill:
                for process in processes:
                    with contextlib.suppress(Exception):
                        process.join(5)


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
                    f"{printable_name(outcome.target.name)}")
            self.stream.write("\r\x1b[K" + line + ("\n" if n == total else ""))
            self.open = n != total
        elif outcome.status != "skipped":
            self.stream.write(f"mgi-report: [{n}/{total}] {outcome.status} "
                              f"{printable_name(outcome.target.name)} "
                              f"({outcome.seconds:.2f} s)\n")
        self.stream.flush()

    def finish(self) -> None:
        """End an unfinished progress line (an interrupted run)."""
        if self.open:
            self.stream.write("\n")
            self.open = False


def report(summary: Summary, stream: TextIO = sys.stderr) -> None:
    """Every failure with its errors, then one line of totals."""
    for o in sorted(summary.failed, key=lambda o: o.target.name):
        stream.write(f"mgi-report: {printable_name(o.target.name)} failed:\n")
        for line in o.errors:
            stream.write(f"{printable_name(line)}\n")
    built = summary.built
    per = (f"; {summary.seconds / len(built):.2f} s per built PDF with {summary.jobs} "
           f"worker{'s' if summary.jobs != 1 else ''}") if built else ""
    stream.write(f"mgi-report: {len(summary.outcomes)} outputs in {summary.seconds:.1f} s: "
                 f"{len(built)} built, {len(summary.skipped)} skipped, "
                 f"{len(summary.failed)} failed{per}\n")


def command(args) -> int:
    """``mgi-report build --all``: called by the command line with its arguments."""
    if args.country or args.output:
        raise UsageError("--all builds every country; name none (and use --out, not -o)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    out = args.out or Path(".")
    if args.merge_manifests:
        if args.shard:
            raise UsageError("--merge-manifests merges every shard: give no --shard")
        if args.out is None:
            raise UsageError("--merge-manifests needs --out DIR: the release folder to merge into")
        return _merge_command(out, args.merge_manifests)
    opts = Options(args.content, out, args.edition or EDITIONS,
                   (args.lang,) if args.lang else (), args.jobs, tuple(args.layouts),
                   force=args.force, shard=Shard.parse(args.shard) if args.shard else None,
                   shared_layout=not args.layout_per_edition)
    progress = Progress(sys.stderr)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _take_as_interrupt) for s in handled}
    try:
        summary = run(opts, progress, _warn)
    except Stopped as stopped:
        progress.finish()
        report(stopped.summary, sys.stderr)
        report_stop(stopped.summary, sys.stderr)
        return 128 + int(stopped.summary.stopped or signal.SIGINT)
    finally:
        progress.finish()
        for s, handler in previous.items():
            signal.signal(s, handler)
    report(summary, sys.stderr)
    return summary.exit_code


def _take_as_interrupt(signum, frame) -> None:
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # one stop is enough
        signal.signal(s, signal.SIG_IGN)
    if not _finishing:  # else the run ends by itself, and says what it did
        raise _Signalled(signum)


def _warn(message: str) -> None:
    print(f"mgi-report: warning: {message}", file=sys.stderr)


def report_stop(summary: Summary, stream: TextIO = sys.stderr) -> None:
    """After a stopped run, what it wrote: the last message."""
    name = signal.Signals(summary.stopped or signal.SIGINT).name
    built = len(summary.built)
    left = summary.total - len(summary.outcomes) - len(summary.replaced)
    replaced = ""
    if summary.replaced:
        names = ", ".join(printable_name(t.name) for t in summary.replaced)
        replaced = (f"; {len(summary.replaced)} replaced while being written, not recorded "
                    f"(the next run makes them again): {names}")
    stream.write(f"mgi-report: stopped by {name}: {built} output"
                 f"{'s' if built != 1 else ''} written and recorded in the manifest"
                 f"{replaced}; {left} not built\n")


def _merge_command(out: Path, sources: list[Path]) -> int:
    from .manifest import MANIFEST, merge

    merged = merge(out, sources)
    if merged.out_problem:
        _warn(f"{printable_name(str(out / MANIFEST))} is set aside: {merged.out_problem}; "
              "the merged manifest replaces it")
    for path, why in merged.set_aside:
        _warn(f"{printable_name(path)} is set aside: {why}")
    for name in merged.dropped:
        print(f"mgi-report: {printable_name(name)}: no shard holds it as its manifest "
              "records it; the next build makes it", file=sys.stderr)
    print(f"mgi-report: merged {len(sources)} manifest{'s' if len(sources) != 1 else ''} "
          f"into {printable_name(str(out))}: {len(merged.known)} outputs known "
          f"({len(merged.copied)} copied in), {len(merged.dropped)} left to build",
          file=sys.stderr)
    return 0
