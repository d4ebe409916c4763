"""Stage 8, web: the web edition, a static site of every profile of a content tree.

The build (``site``: build_site) reads and validates what changed, renders every
page in memory, then writes what changed (the site's manifest: ``ledger``); a
rebuild with nothing changed is answered before the program is imported
(``quick``). The pages' values come from compose, as the PDF's do (``pages``),
the wheel and the key-data charts as inline SVG from the PDF's drawings
(``svg``), notes linked and acronyms marked (``notes``), rendered through the
sandboxed templates of ``layouts/site/`` with the indexes and the sitemap
(``render``); ``options`` says what a build is made from and into; ``serve``
previews the folder on 127.0.0.1 and rebuilds it on every save.
"""

from __future__ import annotations

__all__ = ["build_site"]


def __getattr__(name: str):
    """``build_site``, imported when asked for (``quick`` must stay light)."""
    if name == "build_site":
        from .site import build_site

        return build_site
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
