"""Texts from a translator's or reviewer's file written back into a language
file (``xliff import``, ``docx import --apply``): with ``content/rewrite.py``,
every other byte kept; the new file read and validated before it replaces the
old one (its problems are reported and nothing is written); then, where every
unit was reviewed, the translation stamped (``check.stamp``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..content import rewrite
from ..content import tree as contents
from ..content.model import LanguageFile
from ..content.walk import findings_hash
from ..content.yamlsource import read_yaml
from ..errors import ContentError, Problem
from ..files.writes import write_atomic
from . import check
from .units import Pair


def located(problem: Problem, cls: type[Problem]) -> Problem:
    """A content problem as one of an exchanged file's (``cls``), so that all sort together."""
    return cls(problem.path, problem.line, problem.col, problem.message)


def write(lf: LanguageFile, lang: str, edits: dict[str, str], at_unit,
          cls: type[Problem]) -> bool:
    """Write ``edits`` (text name -> new text) into the language file ``lf``;
    whether it changed. Raises ContentError (every problem, nothing written):
    a text that cannot be placed (``at_unit(name, message)``), or a file
    that would not be valid content."""
    path = lf.path
    shown = contents.shown_path(path)
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    root, rep = read_yaml(path, shown)
    if root is None or rep.text is None:
        raise ContentError([located(p, cls) for p in rep.problems])
    try:
        new = rewrite.rewrite(rep.text, root, edits)
    except rewrite.RewriteError as exc:
        raise ContentError([at_unit(name, f"cannot be written into {path.name}: {message}")
                            for name, message in exc.problems]) from None
    if new == rep.text:
        return False
    data = bom + new.encode("utf-8")
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_bytes(data)
        contents.read_language(copy, lang, shown + " (as it would be written)", problems)
    if problems:
        raise ContentError([located(p, cls) for p in problems])
    write_atomic(path, lambda fh: fh.write(data))
    return True


def stamp_if_reviewed(content: Path, pair: Pair, pending: list[str]) -> str:
    """Stamp the translation when no unit is left to review (``pending``: the
    units still marked so); what was done, in words."""
    if pending:
        shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
        return (f"not stamped: {len(pending)} unit(s) still marked for translation or "
                f"review ({shown})")
    if pair.lf.source_hash == findings_hash(pair.source):
        return "already stamped with the source as it is"
    value = check.stamp(content, pair.slug, pair.lang)
    return f"stamped: source_hash {value}"
