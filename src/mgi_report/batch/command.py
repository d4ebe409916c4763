"""``mgi-report build --all``: the command line's batch, and its merge of shards;
with ``--site DIR``, then the web edition offering the release's PDFs (web.site).

Ctrl-C, SIGTERM and SIGHUP stop the run (``run.take_as_interrupt``); it says
what it wrote, and exits with 128 + the signal's number.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from ..errors import UsageError
from ..files.names import printable_name
from ..pipeline import EDITIONS
from .manifest import MANIFEST
from .merge import merge
from .plan import Options, Shard
from .progress import Progress, report, report_stop
from .run import Stopped, run, take_as_interrupt


def command(args) -> int:
    """``mgi-report build --all``: called by the command line with its arguments."""
    if args.country or args.output:
        raise UsageError("--all builds every country; name none (and use --out, not -o)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    out = args.out or Path(".")
    site = getattr(args, "site", None)
    if site is not None and args.shard:
        raise UsageError("--site makes the web edition of a whole release: not with --shard "
                         "(merge the shards with --merge-manifests --site DIR)")
    if args.merge_manifests:
        if args.shard:
            raise UsageError("--merge-manifests merges every shard: give no --shard")
        if args.out is None:
            raise UsageError("--merge-manifests needs --out DIR: the release folder to merge into")
        code = _merge_command(out, args.merge_manifests)
        return _site(args, out) if site is not None else code
    opts = Options(args.content, out, args.edition or EDITIONS,
                   (args.lang,) if args.lang else (), args.jobs, tuple(args.layouts),
                   force=args.force, shard=Shard.parse(args.shard) if args.shard else None,
                   shared_layout=not args.layout_per_edition, data=True)
    progress = Progress(sys.stderr)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, take_as_interrupt) for s in handled}
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
    if site is not None:
        if summary.exit_code:
            print(f"mgi-report: the web edition in {printable_name(str(site))} is left as it "
                  "was: not every PDF was built", file=sys.stderr)
        else:
            return _site(args, out)
    return summary.exit_code


def _site(args, out: Path) -> int:
    """``--site DIR``: the web edition brought up to date, offering the release's PDFs."""
    from ..web.site import build_site

    written = build_site(args.content, args.site, tuple(args.layouts), pdfs=out)
    print(f"mgi-report: {printable_name(str(args.site))}: {len(written)} file(s) written",
          file=sys.stderr)
    return 0


def _warn(message: str) -> None:
    print(f"mgi-report: warning: {message}", file=sys.stderr)


def _merge_command(out: Path, sources: list[Path]) -> int:
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
