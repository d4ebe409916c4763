"""Render composed HTML to PDF with WeasyPrint; write it atomically.

WeasyPrint may read only the project's own folders (layouts, fonts, the
content tree, extra layout folders) and ``data:`` URIs. Any other URL,
file or network, is refused, and the build fails naming it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import RenderError

LOG = logging.getLogger("mgi_report")


class RefusedURL(RenderError):
    pass


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        pass

    class SafeFetcher(URLFetcher):
        """Reads ``data:`` and files under the allowed folders; nothing else."""

        def __init__(self, allowed: Iterable[Path]):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False,
                             fail_on_errors=True)
            self.allowed = [Path(p).resolve() for p in allowed]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc in ("", "localhost"):
                    path = Path(unquote(parts.path)).resolve()
                    if any(path.is_relative_to(root) for root in self.allowed):
                        return super().fetch(url, headers)
            self.refused.append(url)
            raise Refused(f"refused to fetch {url}")

    return SafeFetcher, Refused


def render(html: str, base_url: str, allowed: Iterable[Path], **options):
    """HTML -> weasyprint.Document; refuses any resource outside ``allowed``."""
    from weasyprint import HTML

    SafeFetcher, Refused = _fetcher_class()
    fetcher = SafeFetcher(allowed)
    try:
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
    except Refused:
        raise RefusedURL("refused to read " + ", ".join(fetcher.refused) +
                         " (layouts may use only their own folders, fonts/ and data: URIs)")
    if fetcher.refused:
        raise RefusedURL("refused to read " + ", ".join(fetcher.refused))
    return document


def write_atomic(target: Path, write) -> None:
    """Call ``write(fileobj)`` into a temporary file beside target, then rename.

    A failure or a kill leaves the previous target as it was; the temporary
    file is removed on failure (and is a hidden ``.*.tmp`` otherwise).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
