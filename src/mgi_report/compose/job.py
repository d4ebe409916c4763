"""What one PDF is made of: the typed seam between the pipeline and the stages
it drives (compose, editions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content.changes import Change
from ..content.baseline import Baseline
from ..content.model import LanguageFile, Profile


@dataclass(frozen=True)
class Tracked:
    """The review PDF's changes (tracked.py marks them): every change to the
    findings since the git revision ``rev``."""

    rev: str
    changes: list[Change]


@dataclass
class Job:
    """Everything one PDF is made from. The HTML does not depend on ``edition``:
    one layout serves every edition (pipeline.build_editions)."""

    profile: Profile
    doc: LanguageFile  # the language file whose findings are printed
    lang: str  # the layout's language
    edition: str = "screen"
    fallback_from: str | None = None  # findings' language when it differs from lang
    layouts: tuple[Path, ...] = ()
    cache: Path | None = None
    tracked: Tracked | None = None  # the review PDF: its changes, marked and summed up
    baseline: Baseline | None = None  # a follow-up's (`baseline:`): its updates chapter
