"""Where the project's own files live: layouts, fonts, message catalogs."""

from __future__ import annotations

import os
from pathlib import Path

#: The program's version (``mgi_report.__version__``).
VERSION = "0.1.0"

#: This package's folder: every module of the program is under it.
PACKAGE = Path(__file__).resolve().parent


def home() -> Path:
    """The project folder: ``MGI_REPORT_HOME``, else the one this package is in."""
    return Path(os.environ.get("MGI_REPORT_HOME", Path(__file__).resolve().parents[2]))


def cache_folder() -> Path:
    """The cache folder: ``MGI_REPORT_CACHE``, else ``.cache`` in the project."""
    return Path(os.environ.get("MGI_REPORT_CACHE", home() / ".cache"))


# As the environment was when this process started (the resident renderer's
# client reads the functions, as its environment is now).
ROOT = home()
LAYOUTS = ROOT / "layouts"
FONTS = ROOT / "fonts"
LOCALE = ROOT / "locale"
DEFAULT_CONTENT = ROOT / "content"
CACHE = cache_folder()
ICC = ROOT / "icc"
#: The print edition's output profile: FOGRA39 (ISO 12647-2 offset, coated paper).
PRINT_PROFILE = ICC / "FOGRA39L-mgi.icc"
