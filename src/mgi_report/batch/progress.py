"""What a batch says on a terminal: progress as it goes, then the failures and
totals, and after a stop, what was written.
"""

from __future__ import annotations

import signal
import sys
from typing import TextIO

from ..files.names import printable_name
from .plan import Outcome, Summary


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
    pdfs = [o for o in built if not o.target.data]  # a profile's data costs next to nothing
    per = (f"; {summary.seconds / len(pdfs):.2f} s per built PDF with {summary.jobs} "
           f"worker{'s' if summary.jobs != 1 else ''}") if pdfs else ""
    stream.write(f"mgi-report: {len(summary.outcomes)} outputs in {summary.seconds:.1f} s: "
                 f"{len(built)} built, {len(summary.skipped)} skipped, "
                 f"{len(summary.failed)} failed{per}\n")


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
