"""The command line: ``mgi-report build``, ``check``, ``site``, ``export`` and the rest.

Exit codes: 0 success, 1 content errors, 2 usage errors, 3 rendering failure.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import traceback
from pathlib import Path

from . import pipeline as builder
from .content import tree as contents
from .errors import ContentError, MgiError, RenderError, UsageError
from .resources import DEFAULT_CONTENT, VERSION
from .workbench import exchange


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with our prefix, no traceback
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mgi-report", description="Compile Migration Governance Profiles to PDF.",
                allow_abbrev=False)
    p.add_argument("--version", action="version", version=f"mgi-report {VERSION}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    # No abbreviated options: `build --al` must not mean `--all` (nor reach the
    # resident renderer, which takes single builds only).
    sub = p.add_subparsers(dest="command", required=True,
                           parser_class=functools.partial(_Parser, allow_abbrev=False))

    b = sub.add_parser("build", help="build one profile as PDF (or --all of them)")
    b.add_argument("country", nargs="?", help="the country folder's name, e.g. kazakhstan")
    b.add_argument("--lang", help="language code, e.g. de (with --all: only this language)")
    b.add_argument("-o", "--output", type=Path, help="PDF to write (default COUNTRY-LANG.pdf)")
    b.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content tree")
    b.add_argument("--edition", default=None, type=_editions, metavar="EDITION[,EDITION]",
                   help="screen, print or archive, or several separated by commas: laid "
                   "out once, written as each (default screen; with --all: every edition)")
    b.add_argument("--fallback", action="store_true",
                   help="without LANG findings, print the source language's findings")
    b.add_argument("--layouts", type=Path, action="append", default=[],
                   help="a layout folder searched before the built-in one (repeatable)")
    b.add_argument("--all", action="store_true",
                   help="build every country x language (x edition) with warm workers, "
                   "skipping outputs whose inputs did not change")
    b.add_argument("--out", type=Path, default=None,
                   help="output folder (with --all, or several editions; default: here)")
    b.add_argument("-j", "--jobs", type=int, help="with --all: workers (default: one per core)")
    b.add_argument("--force", action="store_true", help="with --all: rebuild unchanged outputs")
    b.add_argument("--shard", metavar="K/N", help="with --all: build only the K-th of N "
                   "shards of the release (a profile's shard follows from its name)")
    b.add_argument("--merge-manifests", nargs="+", type=Path, metavar="SHARD",
                   help="with --all: merge the shards' manifests (their --out folders, or "
                   "manifest files) and outputs into --out; builds nothing")
    b.add_argument("--site", type=Path, default=None, metavar="DIR",
                   help="with --all: then bring the web edition in DIR up to date, offering "
                   "the PDFs of --out for download (see `mgi-report site`)")
    b.add_argument("--layout-per-edition", action="store_true", help=argparse.SUPPRESS)

    c = sub.add_parser("check", help="validate all content; render nothing")
    c.add_argument("--content", type=Path, default=DEFAULT_CONTENT)
    c.add_argument("--strict", action="store_true",
                   help="incomplete catalogs, stale translations and the translation "
                   "review's warnings fail the check")

    st = sub.add_parser("stamp", help="record that a translation matches its source now")
    st.add_argument("country")
    st.add_argument("--lang", required=True)
    st.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    nw = sub.add_parser("new", help="start a new country: profile.yaml and a language file")
    nw.add_argument("country", help="the new country folder's name, e.g. sri-lanka")
    nw.add_argument("--iso3", help="its ISO 3166-1 alpha-3 code, e.g. LKA")
    nw.add_argument("--lang", help="the language the findings are written in")
    nw.add_argument("--follow-up", metavar="BASELINE", help="start the follow-up of the "
                    "profile BASELINE: a copy of its folder, a draft of the next round")
    nw.add_argument("--published", help="year and month of publication, YYYY-MM "
                    "(default: this month)")
    nw.add_argument("--local", action="store_true", help="a local government's profile "
                    "(a city, province …); --iso3 is then its country's code")
    nw.add_argument("--level", default=None, help="with --local: city (default), "
                    "municipality, district, county, province, region or state")
    nw.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    sa = sub.add_parser("stats", help="findings, words, translation state and pages, "
                        "per country and language")
    sa.add_argument("country", nargs="?", help="only this country")
    sa.add_argument("--json", action="store_true", help="as JSON, for scripts")
    sa.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    pr = sub.add_parser("proof", help="every page of a PDF on one contact sheet (PNG)")
    pr.add_argument("pdf", type=Path)
    pr.add_argument("-o", "--output", type=Path, help="PNG to write (default PDF-proof.png)")
    pr.add_argument("--pair", type=Path, metavar="OTHER.pdf",
                    help="set another edition beside it, chapter by chapter (by the outlines)")

    rv = sub.add_parser("review", help="a review PDF: the changes since a git revision "
                        "marked as tracked changes, with a summary page")
    rv.add_argument("country")
    rv.add_argument("--lang", required=True)
    rv.add_argument("--since", required=True, metavar="REV",
                    help="a git revision: commit, tag or branch (e.g. HEAD~1)")
    rv.add_argument("-o", "--output", type=Path,
                    help="PDF to write (default COUNTRY-LANG-review.pdf)")
    rv.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    wa = sub.add_parser("watch", help="rebuild one PDF on every save of what it is made of")
    wa.add_argument("country")
    wa.add_argument("--lang", required=True)
    wa.add_argument("--edition", default="screen", choices=builder.EDITIONS)
    wa.add_argument("-o", "--output", type=Path, help="PDF to write (default COUNTRY-LANG.pdf)")
    wa.add_argument("--content", type=Path, default=DEFAULT_CONTENT)
    wa.add_argument("--layouts", type=Path, action="append", default=[],
                    help="a layout folder searched before the built-in one (repeatable)")

    df = sub.add_parser("diff", help="the findings changed since a git revision, word by word")
    df.add_argument("country", nargs="?", help="only this country")
    df.add_argument("--lang", help="only this language")
    df.add_argument("--since", required=True, metavar="REV",
                    help="a git revision: commit, tag or branch (e.g. HEAD~1)")
    df.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    xp = sub.add_parser("export", help="a profile's data as JSON or CSV: its findings with "
                        "their identifiers, sources and GCM objectives, key data, key "
                        "sources, a follow-up's changes (or, with --all --gcm, the findings "
                        "per GCM objective of every profile)")
    xp.add_argument("country", nargs="?", help="the country folder's name, e.g. kazakhstan")
    xp.add_argument("--lang", help="language code, e.g. de (default: the profile's source "
                    "language; with --all --gcm: each profile's file in this language)")
    xp.add_argument("--format", default="json", choices=("json", "csv"),
                    help="json (default): one object; csv: one table (see --table)")
    xp.add_argument("--table", choices=("findings", "key_data", "sources", "changes"),
                    help="with --format csv: the table to write (default findings: a row "
                    "per finding; key_data: a row per figure; sources; changes: a "
                    "follow-up's changes since its baseline)")
    xp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    xp.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content tree")
    xp.add_argument("--all", action="store_true", help="with --gcm: every profile of the tree")
    xp.add_argument("--gcm", action="store_true", help="with --all: per GCM objective, the "
                    "number of each profile's findings tagged with it")

    ls = sub.add_parser("list", help="list countries and their languages")
    ls.add_argument("--content", type=Path, default=DEFAULT_CONTENT)

    ex = sub.add_parser("extract", help="write the content files embedded in an archive "
                        "edition PDF into a folder")
    ex.add_argument("pdf", type=Path, help="a PDF built with --edition archive")
    ex.add_argument("dir", type=Path, help="folder to write them into (made if missing)")
    ex.add_argument("--force", action="store_true",
                    help="replace files of the same names in the folder")
    si = sub.add_parser("site", help="the web edition: a static site of every profile "
                        "(only the pages whose inputs changed are written)")
    si.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content tree")
    si.add_argument("--out", type=Path, default=Path("site"),
                    help="the site's folder (default: site)")
    si.add_argument("--layouts", type=Path, action="append", default=[],
                    help="a layout folder searched before the built-in one (repeatable); "
                    "its site/ templates override the built-in ones")
    si.add_argument("--pdfs", type=Path, default=None, metavar="DIR",
                    help="a `build --all` output folder: its PDFs are offered for download "
                    "(copied into the site, with their sizes and SHA-256)")
    si.add_argument("--base-url", default=None, metavar="URL",
                    help="where the site will be published (the sitemap's addresses)")
    si.add_argument("--force", action="store_true", help="write every page again")
    si.add_argument("--serve", action="store_true",
                    help="serve the site on 127.0.0.1 and rebuild it on every save")
    si.add_argument("--port", type=int, default=8000, help="with --serve (default 8000)")
    exchange.add_parsers(sub, functools.partial(_Parser, allow_abbrev=False), DEFAULT_CONTENT)
    sv = sub.add_parser("serve", help="keep a warm renderer running: single builds "
                        "(and make X.pdf) hand their work to it and skip the start-up")
    sv.add_argument("--idle", type=float, default=1800.0, metavar="SECONDS",
                    help="stop after this long without a build (default 1800; 0: never)")
    sv.add_argument("--stop", action="store_true", help="stop the running renderer")
    for command in sub.choices.values():  # -v also after the command
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="log progress; show the traceback of an internal error")
    return p


def _editions(text: str) -> tuple[str, ...]:
    """``--edition``: one edition, or several separated by commas."""
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if (unknown := [n for n in names if n not in builder.EDITIONS]) or not names:
        raise argparse.ArgumentTypeError(
            f"unknown edition `{', '.join(unknown) or text}` "
            f"(editions: {', '.join(builder.EDITIONS)}, or several separated by commas)")
    return names


def cmd_build(args: argparse.Namespace) -> int:
    if args.all:
        from .batch import command as batch

        return batch.command(args)
    if args.shard or args.merge_manifests or args.site:
        raise UsageError("--shard, --merge-manifests and --site go with --all")
    if not args.country or not args.lang:
        raise UsageError("build needs a COUNTRY and --lang LANG (or --all)")
    wanted = args.edition or ("screen",)
    if args.output and len(wanted) > 1:
        raise UsageError("-o names one PDF; with several editions, give a folder with --out")
    if args.output and args.out:
        raise UsageError("give either -o (a PDF) or --out (a folder), not both")
    req = builder.Request(args.country, args.lang, args.content, args.output,
                          wanted[0], args.fallback, tuple(args.layouts))
    outputs = {e: args.out / req.default_output(e) for e in wanted} if args.out else {}
    job = builder.read(req)  # each content file once, for the build and its warnings
    written = builder.build_editions(req, wanted, outputs, job=job)
    failed = [w for w in written if w.error is not None]
    if len(failed) == len(written) == 1:
        raise failed[0].error
    for w in written:
        if w.error is None:
            print(w.path)
    for w in failed:
        print(f"mgi-report: the {w.edition} edition was not written:", file=sys.stderr)
        for line in (w.error.problems if isinstance(w.error, ContentError) else [w.error]):
            print(line, file=sys.stderr)
    if len(failed) < len(written):
        for warning in _review(args.content, job):
            print(f"{warning} (warning)", file=sys.stderr)
    return max((w.error.exit_code for w in failed), default=0)


def _review(content: Path, job) -> list:
    """A built profile's warnings: its empty domains, and a translation's review
    warnings (workbench/translation.py) without the language identification that ``check``
    adds (it costs a model's loading). From the content the build read; of the
    source, its language file only is read (the review is left out if it has
    problems: ``check`` names them)."""
    from .workbench import translation as review

    if job.fallback_from is not None:
        return []
    lf = job.doc
    empty = contents.empty_domains(lf)  # built, but not a finished profile
    if not lf.translation_of or lf.translation_of not in job.profile.languages:
        return empty
    try:
        source = contents.load_language(content, job.profile, lf.translation_of)
    except ContentError:
        return empty
    return empty + review.compare(lf, source, identify=False)


def cmd_check(args: argparse.Namespace) -> int:
    from .workbench import check as checks
    from .workbench import translation as review

    tree = contents.read_tree(args.content)  # every file read and validated once
    problems = tree.problems + checks.languages_without_catalog(tree.countries)
    missed, baseline_warnings = checks.baselines(args.content, tree.loaded)  # follow-ups
    problems = sorted(problems + missed, key=lambda p: (p.path, p.line, p.col))
    # by place; at one place in the order given (a header, then its changes)
    warnings = sorted(checks.catalog_warnings() + checks.stale_translations(tree.loaded)
                      + checks.untranslated_key_data_sources(tree.loaded)
                      + review.translation_warnings(tree.loaded)
                      + tree.warnings  # domains with no finding: valid, not finished
                      + baseline_warnings,
                      key=lambda w: (w.path, w.line, w.col))
    if args.strict:
        problems += warnings
    else:
        for w in warnings:
            print(f"{w} (warning)", file=sys.stderr)
    if problems:
        raise ContentError(problems)
    print(f"{args.content}: all content is valid"
          + (f"; {len(warnings)} warning(s)" if warnings else ""))
    return 0


def cmd_stamp(args: argparse.Namespace) -> int:
    from .workbench import check as checks

    value = checks.stamp(args.content, args.country, args.lang)
    print(f"{args.country}/{args.lang}.yaml: source_hash {value}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .workbench import new as starter

    return starter.command(args)


def cmd_stats(args: argparse.Namespace) -> int:
    from .workbench import stats

    data = stats.rows(args.content, args.country)
    print(stats.as_json(data) if args.json else stats.table(data))
    return 0


def cmd_proof(args: argparse.Namespace) -> int:
    from .workbench import proof

    print(proof.command(args.pdf, args.output, args.pair))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .workbench import history

    output = args.output or Path(f"{args.country}-{args.lang}-review.pdf")
    req = builder.Request(args.country, args.lang, args.content, output)
    print(history.review_pdf(req, args.since))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .resident import watch

    req = builder.Request(args.country, args.lang, args.content, args.output, args.edition,
                          layouts=tuple(args.layouts))
    from .editions.attachments import source_files
    from .files.outputs import check_output, profile_inputs

    inputs: list[Path] = []
    try:
        inputs = source_files(builder.prepare(req))  # an unknown country or language: exit 2
    except ContentError:
        pass  # reported by the first build, then watched until it is put right
    output = req.output or req.default_output()
    # an output among the inputs would be rebuilt on every save of itself: exit 2 now
    check_output(output, inputs, profile_inputs(args.content, args.country, args.lang,
                                                tuple(args.layouts)))
    paths = watch.sources(args.content, args.country, args.lang, tuple(args.layouts))
    return watch.watch(lambda: builder.build(req), paths, output)


def cmd_diff(args: argparse.Namespace) -> int:
    from .workbench import history

    tree = contents.countries(args.content)
    if args.country and args.country not in tree:
        contents.load_country(args.content, args.country)  # the usage error
    slugs = [args.country] if args.country else list(tree)
    print(history.diff_text(args.content, slugs, args.lang, args.since))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .editions.attachments import embedded
    from .opendata import command as export

    data = export.output(args, embedded)
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    export.write(args.output, data, args.content, args.country, args.lang)
    print(args.output)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    print(*(f"{slug}\t{' '.join(c.languages)}\n" for slug, c in
            contents.countries(args.content).items()), sep="", end="")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from .editions.attachments import extract

    print("".join(f"{path}\n" for path in extract(args.pdf, args.dir, args.force)), end="")
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from .resident import watch
    from .web import serve

    return serve.command(args, watch.watch)


def cmd_exchange(args: argparse.Namespace) -> int:  # xliff export|import, docx [import]
    run = exchange.xliff_command if args.command == "xliff" else exchange.docx_command
    for line in run(args):
        print(line)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .resident import server

    if args.stop:
        if not server.stop():
            raise UsageError("no resident renderer runs for this cache")
        print("mgi-report: asked the resident renderer to stop", file=sys.stderr)
        return 0
    return server.serve(args.idle, main)


COMMANDS = {"build": cmd_build, "serve": cmd_serve, "check": cmd_check, "list": cmd_list,
            "new": cmd_new, "stats": cmd_stats, "proof": cmd_proof, "diff": cmd_diff,
            "review": cmd_review, "watch": cmd_watch, "export": cmd_export,
            "stamp": cmd_stamp, "extract": cmd_extract, "site": cmd_site,
            "xliff": cmd_exchange, "docx": cmd_exchange}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(format="mgi-report: %(message)s", level=logging.WARNING)
    verbose = False
    try:
        args = _parser().parse_args(argv)
        verbose = args.verbose
        if getattr(args, "lang", None):  # FR, french, Français: fr
            from .text.i18n import resolve_lang

            args.lang = resolve_lang(args.lang)
        if args.verbose:
            logging.getLogger("mgi_report").setLevel(logging.INFO)
        return COMMANDS[args.command](args)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        wrote = "" if args.command in ("check", "list") else "; nothing was written"
        print(f"mgi-report: {n} problem{'s' if n != 1 else ''} in the content{wrote}",
              file=sys.stderr)
        return exc.exit_code
    except MgiError as exc:
        print(f"mgi-report: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mgi-report: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or an unforeseen failure: one line, exit 3
        if verbose:
            traceback.print_exc()
        what = (str(exc).strip().splitlines() or [""])[0]
        print(f"mgi-report: internal error: {type(exc).__name__}: {what}"
              + ("" if verbose else " (run with -v for the traceback)"), file=sys.stderr)
        return RenderError.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
