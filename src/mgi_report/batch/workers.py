"""The warm workers of a batch: each renders whole profiles, and dies with the batch.

A pool of worker processes imports WeasyPrint and loads the hyphenation
dictionaries once (``warm.warm_worker``): they are forked from a server that
preloads ``PRELOAD`` (or spawned). A worker's task is a profile
(``build_profile``): it is laid out once and each of its editions to build is
written from that layout, by the same ``pipeline.build_editions()`` as a single
build, so a batch output is byte for byte the single build's. It reads no
content file: the task carries the profile's Job and the bytes the batch read,
hashed and validated (``reading.Task``).

A worker dies with the batch however the batch ends (even by SIGKILL: it
watches the batch's process), and checks that the batch is alive, under a lock
its watch takes too, right before it renames a finished file into place: once
the batch is gone, nothing is put in place. Workers are retired after a number
of layouts (``Workers``): WeasyPrint's memory grows per document.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import MgiError, RenderError
from ..files import reads, writes
from ..pipeline import Request
from .plan import Options, Outcome, Target, failure
from .reading import Task

#: Imported once by the server that forks the workers (so each worker need not).
PRELOAD = ("weasyprint", "mgi_report.pipeline", "mgi_report.engine.warm",
           "mgi_report.batch.workers", "pyphen")


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


def build_profile(task: Task, opts: Options) -> list[Outcome]:
    """In a worker: one profile's editions (``task.targets``, one country and
    language), laid out once from the Job the batch read and each written from
    that layout; a failure as Outcomes. With ``opts.shared_layout`` off, each
    edition is laid out anew.

    Every content file the build reads is ``task.read``, the bytes the batch
    hashed and validated (``reads.once``): a built outcome's ``inputs`` is
    their hash (``task.inputs``)."""
    if not opts.shared_layout and len(task.targets) > 1:
        return [o for part in task.split() for o in build_profile(part, opts)]
    from ..pipeline import build_editions

    t0, c0 = time.perf_counter(), time.process_time()
    targets, first = task.targets, task.targets[0]
    req = Request(first.country, first.lang, opts.content, None, first.edition, False,
                  tuple(opts.layouts), opts.cache)
    try:
        with reads.once(task.read):
            written = build_editions(req, [t.edition for t in targets],
                                     {t.edition: t.output for t in targets},
                                     job=dataclasses.replace(task.job, edition=first.edition))
        failures = {w.edition: failure(w.error) for w in written if w.error is not None}
        pages = {w.edition: w.pages for w in written}
    except MgiError as exc:
        failures, pages = dict.fromkeys((t.edition for t in targets), failure(exc)), {}
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
            outcomes.append(Outcome(t, "built", seconds, (), 0, worker, task.inputs[t.name]))
    return outcomes


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


class Workers:
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

    def build(self, tasks: list[Task]) -> Iterator[tuple[Target, Outcome]]:
        """(target, outcome) as the profiles (``tasks``: each a profile's
        editions) are done, in any order."""
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        queue = deque(tasks)
        quota = self.jobs * max(1, self.opts.tasks_per_worker)
        pending: dict = {}
        left: dict = {}  # pool -> its profiles in flight
        submitted: dict = {}  # pool -> all its profiles (at most `quota`: then a fresh pool)

        def feed(pool) -> Iterator[tuple[Target, Outcome]]:
            left.setdefault(pool, 0)
            submitted.setdefault(pool, 0)
            while queue and submitted[pool] < quota:
                task = queue.popleft()
                try:
                    pending[pool.submit(build_profile, task, self.opts)] = (task.targets, pool)
                    left[pool] += 1
                    submitted[pool] += len(task.targets) if not self.opts.shared_layout else 1
                except BrokenProcessPool as exc:
                    for t in task.targets:
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
                targets, pool = pending.pop(fut)
                left[pool] -= 1
                try:
                    outcomes = fut.result()
                except BrokenProcessPool as exc:
                    outcomes = [_broken(t, exc) for t in targets]
                except Exception as exc:  # e.g. a result that could not come back  # noqa: BLE001
                    outcomes = [Outcome(t, "failed", 0.0,
                                        (f"error: {type(exc).__name__}: {exc}",), 3)
                                for t in targets]
                if left[pool] == 0 and pool is not current:
                    pool.shutdown(wait=False)
                for outcome in outcomes:
                    yield outcome.target, outcome
            yield from top_up()
        for task in queue:  # no pool could take them (its workers stopped)
            for t in task.targets:
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
