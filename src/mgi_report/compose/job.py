"""What one PDF is made of: the typed seam between the pipeline and the stages
it drives (compose, editions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.model import LanguageFile, Profile


@dataclass
class Job:
    """Everything one PDF is made from. The HTML does not depend on ``edition``:
    one layout serves every edition (build.build_editions)."""

    profile: Profile
    doc: LanguageFile  # the language file whose findings are printed
    lang: str  # the layout's language
    edition: str = "screen"
    fallback_from: str | None = None  # findings' language when it differs from lang
    layouts: tuple[Path, ...] = ()
    cache: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
