"""The renderer knows the shipped fonts only: a private fontconfig
configuration that names ``fonts/`` and nothing else."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from ..errors import RenderError
from ..files.reads import read_regular
from ..files.writes import cache_unwritable, write_atomic
from ..resources import FONTS, cache_folder

FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- mgi-report: the renderer knows the shipped fonts only (fonts.isolate_fonts). -->
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


#: The font configuration written when the cache folder cannot hold it: {"path": path}.
_PRIVATE_CONF: dict[str, str] = {}


MAX_FONT_CACHE = 16 << 20  # a fontconfig cache file larger than this is not one of ours


def isolate_fonts() -> Path:
    """Point fontconfig (and so Pango and WeasyPrint) at a private configuration
    that knows ``fonts/`` and nothing else: no system font is ever opened, not
    for a missing glyph, a ``font-family`` a layout names, or ``local()``.

    Fontconfig reads ``FONTCONFIG_FILE`` whenever a configuration is loaded,
    which WeasyPrint does for every document; so this works at any time
    before rendering, also after WeasyPrint was imported.

    The configuration lives in the cache folder (``fontconfig/fonts.conf``,
    beside fontconfig's own cache of ``fonts/``); it is used only if it is a
    regular file holding exactly the text below, else written again, and
    anything in that folder that is not a regular file (a link, a FIFO) is
    removed first, so fontconfig never follows a link out of the cache. A
    cache that cannot be written gets the one warning (cache_unwritable) and
    the configuration goes to a temporary file of this process.
    """
    root = cache_folder()
    folder = root / "fontconfig"
    if _real_folder(folder):
        text = _font_conf(root.resolve() / "fontconfig")
        path = folder / "fonts.conf"
        try:
            _sweep(folder)
            if read_regular(path, 1 << 16) != text.encode():
                write_atomic(path, lambda fh: fh.write(text.encode()))
        except (OSError, RenderError) as exc:
            cache_unwritable(root, exc)
            path = _private_conf()
    else:
        cache_unwritable(root, OSError(errno.ENOTDIR, f"{folder} is not a folder of its own"))
        path = _private_conf()
    os.environ["FONTCONFIG_FILE"] = str(path)
    os.environ.pop("FONTCONFIG_PATH", None)
    os.environ.pop("FONTCONFIG_SYSROOT", None)
    return path


def _font_conf(cachedir: Path) -> str:
    from xml.sax.saxutils import escape

    return FONTCONFIG.format(fonts=escape(str(FONTS.resolve())), cache=escape(str(cachedir)))


def _real_folder(folder: Path) -> bool:
    """True when ``folder`` is a folder (not a link to one) or missing; a link or
    anything else in its place is removed if it can be."""
    try:
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            return True
        os.unlink(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _sweep(folder: Path) -> None:
    """Remove what fontconfig must not open in its cache folder: anything that is
    not a regular file (a link, a FIFO, a socket), and files too large to be its
    cache. (Fontconfig checks its own cache files' headers and sizes.) Raises
    OSError when such a thing cannot be removed: the folder is not to be used."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode) and (not stat.S_ISREG(st.st_mode) or
                                             st.st_size > MAX_FONT_CACHE):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass


def _private_conf() -> Path:
    """The configuration outside the cache, once per process: a private temporary
    folder holding it and fontconfig's cache, removed when the process ends."""
    if "path" in _PRIVATE_CONF:
        return Path(_PRIVATE_CONF["path"])
    import atexit

    try:
        folder = Path(tempfile.mkdtemp(prefix="mgi-report-fonts-"))
        path = folder / "fonts.conf"
        path.write_text(_font_conf(folder), encoding="utf-8")
    except OSError as exc:
        raise RenderError("cannot write the font configuration, neither in the cache folder "
                          f"nor in the temporary folder: {exc.strerror or exc}") from exc
    atexit.register(_remove, folder, os.getpid())
    _PRIVATE_CONF["path"] = str(path)
    return path


def _remove(folder: Path, pid: int) -> None:
    if os.getpid() == pid:  # not a forked copy of the process that made it
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
