"""The commands that exchange a profile's texts with other programs: ``xliff
export|import`` (``xliff``) and ``docx`` (``word``, ``wordin``); each a few
lines that read, call and write (the output checked as every command's is)."""

from __future__ import annotations

from pathlib import Path

from ..files.outputs import check_output, profile_inputs
from ..files.writes import write_atomic


def _write(output: Path, data: bytes, content: Path, slug: str, lang: str) -> Path:
    check_output(output, folders=profile_inputs(content, slug, lang))
    write_atomic(output, lambda fh: fh.write(data))
    return output


def add_parsers(sub, parser_class, content: Path) -> None:
    """The command line's ``xliff export|import`` and ``docx`` (``content``: the
    default content tree)."""
    xl = sub.add_parser("xliff", help="a translation as XLIFF 1.2 for a CAT tool, and back")
    xls = xl.add_subparsers(dest="action", required=True,
                            parser_class=parser_class)
    xe = xls.add_parser("export", help="write COUNTRY's LANG translation as XLIFF 1.2")
    xe.add_argument("country")
    xe.add_argument("--lang", required=True)
    xe.add_argument("-o", "--output", type=Path, help="XLIFF to write (default COUNTRY-LANG.xlf)")
    xi = xls.add_parser("import", help="write an XLIFF file's translations into its language "
                        "file (and stamp it when every unit is reviewed)")
    xi.add_argument("file", type=Path)
    xi.add_argument("country", nargs="?", help="refuse the file unless it is this country's")
    xi.add_argument("--lang", help="refuse the file unless it is this language's")
    dx = sub.add_parser("docx", help="a profile's texts as a Word document for review "
                        "(changes since REV tracked); `docx import FILE [--apply]` reads it back")
    dx.add_argument("country", help="the country folder's name, or `import`")
    dx.add_argument("file", nargs="?", type=Path, help="with import: the reviewed .docx")
    dx.add_argument("--lang", help="language code (with import: refuse another language's)")
    dx.add_argument("--since", metavar="REV", help="a git revision: its changes as tracked changes")
    dx.add_argument("-o", "--output", type=Path, help=".docx to write (default COUNTRY-LANG.docx)")
    dx.add_argument("--apply", action="store_true", help="with import: write the reviewer's "
                    "changes into the language file")
    for command in (xe, xi, dx):
        command.add_argument("--content", type=Path, default=content)


def xliff_command(args) -> list[str]:
    """``mgi-report xliff export|import``: what was written, in lines."""
    from . import units, xliff

    if args.action == "export":
        pair = units.load(args.content, args.country, args.lang)
        output = args.output or Path(f"{args.country}-{args.lang}.xlf")
        return [str(_write(output, xliff.export(pair), args.content, args.country, args.lang))]
    return xliff.import_file(args.file, args.content, args.country, args.lang)


def docx_command(args) -> list[str]:
    """``mgi-report docx COUNTRY --lang L [--since REV] [-o FILE]`` and ``docx
    import FILE [COUNTRY] [--lang L] [--apply]``."""
    from ..errors import UsageError

    if args.country == "import":
        from . import wordin

        if args.file is None:
            raise UsageError("docx import needs the reviewed .docx: docx import FILE [--apply]")
        return wordin.read(args.file, args.content, None, args.lang, args.apply)
    if args.file is not None or args.apply:
        raise UsageError("a FILE and --apply go with `docx import`")
    if not args.lang:
        raise UsageError("docx needs --lang LANG")
    from ..content import tree as contents
    from . import history, word

    if args.since:
        lf, found = history.since(args.content, args.country, args.lang, args.since)
    else:
        country = contents.countries(args.content).get(args.country)
        if country is not None and args.lang not in country.languages:
            raise UsageError(f"no {args.lang}.yaml for {args.country}")
        lf = contents.load_country(args.content, args.country, (args.lang,)).files[args.lang]
        found = None
    output = args.output or Path(f"{args.country}-{args.lang}.docx")
    data = word.document(args.country, args.lang, lf, found, args.since)
    return [str(_write(output, data, args.content, args.country, args.lang))]
