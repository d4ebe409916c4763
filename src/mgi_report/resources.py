"""Where the project's own files live: layouts, fonts, message catalogs."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("MGI_REPORT_HOME", Path(__file__).resolve().parents[2]))
LAYOUTS = ROOT / "layouts"
FONTS = ROOT / "fonts"
LOCALE = ROOT / "locale"
DEFAULT_CONTENT = ROOT / "content"
CACHE = Path(os.environ.get("MGI_REPORT_CACHE", ROOT / ".cache"))
