"""Where a command may write: the one rule every ``-o`` follows (``build``,
``review``, ``watch``, ``proof``; ``build --out`` and ``extract`` too).

A target is a regular file or nothing, and never one of the command's own
inputs: not a file it reads (the profile's ``profile.yaml``, language files
and logo; the PDFs given to ``proof``), nor anything inside a folder of inputs
(the content tree's country folders, the layout folders, ``fonts/``, ``icc/``,
the language's catalog folder). A link to an input, or a hard link to one, is an
input: targets are compared by resolved path and by (device, inode). A refusal
is a UsageError (exit 2), and the target is left as it was.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from .reads import kind_of


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _real(path: Path) -> Path:
    """The path with every link resolved (a link loop stays as it is: no error)."""
    return Path(os.path.realpath(path))


def _files_under(folder: Path) -> Iterable[Path]:
    """Every file below ``folder`` (links to folders not followed)."""
    for top, _dirs, names in os.walk(folder):
        for name in names:
            yield Path(top) / name


def input_pdf(path: Path) -> str:
    """A PDF given to read (``proof``, ``extract``): it must exist and be a
    regular file (never a FIFO, a device or a folder, which would block or
    never end). Returns its name as it may be printed; raises UsageError."""
    from ..files.names import printable_name

    shown = printable_name(path)
    try:
        st = os.stat(path)
    except OSError:
        raise UsageError(f"{shown}: no such PDF file") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{shown}: not a PDF file (not a regular file)")
    return shown


def check_output(target: Path, inputs: Iterable[Path] = (), folders: Iterable[Path] = (),
                 what: str = "output with -o") -> None:
    """Refuse (UsageError) a target that exists and is not a regular file (a
    device, FIFO, socket or folder, or a link to one), or that is one of
    ``inputs``, or lies inside one of ``folders``, by path or by inode."""
    target = Path(target)
    try:
        st = os.stat(target)  # follows a link: what it points at is what counts
    except OSError:  # missing, or unreachable: writing it says why (exit 3)
        st = None
    link = " (through a link)" if os.path.islink(target) else ""
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"will not write {target}: it is {kind_of(st.st_mode)}{link}, not a "
                         f"regular file; choose another {what}")
    where = _real(target)
    inputs, folders = [Path(p) for p in inputs], [Path(p) for p in folders]
    own = (st.st_dev, st.st_ino) if st is not None else None
    for path in inputs:
        if where == _real(path) or (own is not None and own == _identity(path)):
            raise UsageError(f"will not write {target}: it is an input of this command "
                             f"({path}); choose another {what}")
    for folder in folders:
        if where.is_relative_to(_real(folder)):
            raise UsageError(f"will not write {target}: it is inside {folder}{link}, a "
                             f"folder of inputs (content, layouts, fonts or catalogs); "
                             f"choose another {what}")
    if st is not None and st.st_nlink > 1:  # a hard link: to a file of an input folder?
        for folder in folders:
            for path in _files_under(folder):
                if _identity(path) == own:
                    raise UsageError(f"will not write {target}: it is a hard link to "
                                     f"{path}, in {folder}, a folder of inputs; choose "
                                     f"another {what}")


def profile_inputs(content: Path, country: str, lang: str,
                   layouts: Iterable[Path] = ()) -> list[Path]:
    """The folders of inputs of a build of ``country`` in ``lang``: its country
    folder (all of whose files are the Makefile's dependencies) and the content
    tree's other country folders (an editor's files all the same), the layout
    folders, fonts, colour profiles, and the language's catalog folder."""
    from ..resources import FONTS, ICC, LAYOUTS, LOCALE

    content = Path(content)
    try:
        others = sorted(p for p in content.iterdir()
                        if p.name != country and (p / "profile.yaml").exists())
    except OSError:
        others = []
    return [content / country, *others, *layouts, LAYOUTS, FONTS, ICC, LOCALE / lang]
