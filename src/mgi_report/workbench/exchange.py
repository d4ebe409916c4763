"""The commands that exchange a translation with other programs: ``xliff
export|import`` (``xliff``) and ``docx`` (``word``); each a few lines that
read, call and write (the output checked as every command's is)."""

from __future__ import annotations

from pathlib import Path

from ..files.outputs import check_output, profile_inputs
from ..files.writes import write_atomic


def _write(output: Path, data: bytes, content: Path, slug: str, lang: str) -> Path:
    check_output(output, folders=profile_inputs(content, slug, lang))
    write_atomic(output, lambda fh: fh.write(data))
    return output


def xliff_command(args) -> list[str]:
    """``mgi-report xliff export|import``: what was written, in lines."""
    from . import units, xliff

    if args.action == "export":
        pair = units.load(args.content, args.country, args.lang)
        output = args.output or Path(f"{args.country}-{args.lang}.xlf")
        return [str(_write(output, xliff.export(pair), args.content, args.country, args.lang))]
    return xliff.import_file(args.file, args.content, args.country, args.lang)
