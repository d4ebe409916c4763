"""mgi-report: compile print-ready Migration Governance Profiles.

The public face: what tests, the bench and other programs may use, listed in
``__all__``. A build::

    from mgi_report import Request, build
    build(Request("kazakhstan", "de", Path("content"), Path("kazakhstan-de.pdf")))

The stages behind it are subpackages, in order (a stage imports only from the
ones before it; README, "Architecture"): ``files``, ``text``, ``engine``,
``content``, ``compose``, ``editions``, then ``pipeline`` (the spine: read,
compose, lay out, write), then ``batch`` and ``workbench``, ``resident``,
``cli`` and ``launch``. Names are loaded on first use, so that importing the
package (the command's start, which may hand the build to a resident
renderer) does not import WeasyPrint.
"""

from __future__ import annotations

import importlib

from .errors import ContentError, MgiError, Problem, RenderError, UsageError
from .resources import VERSION as __version__

#: name -> the module that defines it (loaded when the name is first used)
_LAZY = {
    "Request": "pipeline", "Written": "pipeline", "EDITIONS": "pipeline",
    "build": "pipeline", "build_editions": "pipeline", "build_counted": "pipeline",
    "prepare": "pipeline",
    "Edition": "editions.specs", "SPECS": "editions.specs",
    "Job": "compose.job", "Tracked": "compose.job",
    "countries": "content.tree", "load_country": "content.tree", "check_tree": "content.tree",
}

__all__ = ["__version__", "ContentError", "MgiError", "Problem", "RenderError", "UsageError",
           *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # the next use finds it directly
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
