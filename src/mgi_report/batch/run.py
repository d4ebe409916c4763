"""Build every profile in one run: nothing built twice, and a stop that stops.

``run()`` plans every country x language x edition of a content tree (or one
shard of it: ``plan``), skips each output whose inputs did not change since it
was last built (``manifest``: a manifest beside the outputs maps output -> hash
of its inputs, ``digests``), validates the rest from the bytes it hashed
(``reading``), writes each profile's data (its JSON, ``opendata``: cheap, here
in the parent), draws any wheel that is not yet cached (here, in the parent, so
that workers never import matplotlib), and then renders in a pool of warm
worker processes (``workers``), one profile per task, longest first.

A profile that fails is reported with its errors and the others still
build; the summary's exit code is the worst failure's (1 content, 2 usage,
3 render).

What is recorded is what was printed: each content file is read once per run
(``reading``), and those bytes are hashed, validated, and handed with the
profile's Job to the worker that prints them; so a file saved during the run
is built again by the next one, unless it is by then what was printed.

A stopped batch stops. Ctrl-C, SIGTERM or SIGHUP (``take_as_interrupt``, set
by ``command``): the workers are killed at once, the manifest keeps every
output written before (and a journal keeps them as they come, for a SIGKILL),
and ``Stopped`` carries what was written, for the last message.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ..compose.job import Job
from ..errors import MgiError
from ..files import writes
from ..files.names import printable_name
from ..pipeline import Request
from .digests import Digests
from .manifest import Manifest
from .plan import Options, Outcome, Summary, Target, default_jobs, failure, plan, profile_name
from .reading import Contents
from .workers import Workers

LOG = logging.getLogger("mgi_report")

def predraw_wheels(targets: Iterable[Target], opts: Options,
                   jobs: Mapping[tuple[str, str], Job] | None = None) -> None:
    """Draw, once per language, every wheel not yet in the cache (the wheels
    are the same in every edition).

    Drawing one profile's wheels and figures per language fills the drawings'
    caches; workers then only read them. ``jobs``: the profiles as the batch
    read them (``reading.Contents``), by (country, language); a profile not
    among them is read here. A failure here is left for that profile's own
    build to report.
    """
    from .. import pipeline as builder
    from ..compose import drawings

    seen = set()
    for t in targets:
        if t.lang in seen:
            continue
        seen.add(t.lang)
        try:
            job = (jobs or {}).get((t.country, t.lang)) or builder.prepare(
                Request(t.country, t.lang, opts.content, None, "screen", False,
                        tuple(opts.layouts), opts.cache))
            drawings.profile_wheels(job)
            drawings.chapter_figures(job)
        except MgiError:
            pass


def _size(t: Target, opts: Options) -> int:
    try:
        return (opts.content / t.country / f"{t.lang}.yaml").stat().st_size
    except OSError:
        return 0


def write_data(t: Target, job: Job, inputs: str, opts: Options) -> Outcome:
    """Write a profile's data (``opendata``) to ``t.output``, whole or not at all,
    where an output may go; its outcome."""
    from ..opendata import command as export

    start = time.perf_counter()
    try:
        data = export.profile_json(job.profile, job.doc, job.baseline)
        export.write(t.output, data, opts.content, t.country, t.lang)
    except MgiError as exc:
        return Outcome(t, "failed", time.perf_counter() - start, *failure(exc))
    return Outcome(t, "built", time.perf_counter() - start, inputs=inputs)


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
    read = Contents(opts, digests)  # each content file read once, from here to the workers
    todo: list[Target] = []
    for t in targets:
        digest = read.digest(t)
        if not opts.force and manifest.fresh(t.output, digest):
            done(Outcome(t, "skipped"))
        else:
            todo.append(t)
    read.keep({t.country for t in todo})
    if not todo:
        manifest.save(opts.shard)  # times of outputs copied in since
        return Summary(outcomes, time.perf_counter() - start, 0, total)
    before = {t: _identity(t.output) for t in todo}
    profiles_to_build = len({(t.country, t.lang) for t in todo if not t.data})
    workers = Workers(opts, max(1, min(opts.jobs or default_jobs(), profiles_to_build)),
                      tuple(sorted({t.lang for t in todo})))
    stop: KeyboardInterrupt | None = None
    try:
        valid = []
        for t, failed in read.validate(todo):
            if failed is None and t.data:  # cheap: written here, from what was read
                failed = write_data(t, read.jobs[t.country, t.lang], read.inputs[t], opts)
                if failed.status == "built":
                    manifest.record(t.output, read.inputs[t], profile_name(t.country, t.lang))
                    done(failed)
                    continue
            if failed is not None:
                manifest.forget(t.output)
                done(failed)
                continue
            valid.append(t)
            workers.warm_up()  # the workers warm up while we read and draw
        predraw_wheels(valid, opts, read.jobs)
        # One task per profile (its editions share one layout); longest first,
        # for a shorter tail.
        tasks = sorted(read.tasks(valid), key=lambda task: -_size(task.targets[0], opts))
        last_save = time.monotonic()
        for t, outcome in workers.build(tasks) if tasks else ():
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


def take_as_interrupt(signum, frame) -> None:
    """A handler of Ctrl-C, SIGTERM and SIGHUP: the run stops (see ``run``)."""
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):  # one stop is enough
        signal.signal(s, signal.SIG_IGN)
    if not _finishing:  # else the run ends by itself, and says what it did
        raise _Signalled(signum)
