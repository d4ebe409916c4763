"""What a batch builds: every country x language x edition of a content tree
(and each profile's data, ``DATA``), or one shard of it; and the records of a
run (Target, Outcome, Summary).

A shard (``--shard K/N``) is computed from a profile's name alone
(``shard_of``): stable when profiles are added, all editions of a profile in
one shard (they share one layout).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content import tree as contents
from ..errors import ContentError, MgiError, UsageError
from ..pipeline import Request, check_edition


@dataclass(frozen=True)
class Shard:
    """The K-th of N shards of a release (1 <= K <= N)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            k, n = (int(part) for part in text.split("/"))
        except ValueError:
            raise UsageError(f"--shard takes K/N, e.g. 2/4 (got `{text}`)") from None
        if not 1 <= k <= n:
            raise UsageError(f"--shard {text}: K must be between 1 and N")
        return cls(k, n)

    def owns(self, profile: str) -> bool:
        return shard_of(profile, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


#: The ``edition`` of a profile's data (its JSON, written by the batch itself).
DATA = "data"


def data_name(country: str, lang: str) -> str:
    """The file of a profile's data beside its PDFs: ``<country>-<lang>.json``."""
    return f"{country}-{lang}.json"


def profile_name(country: str, lang: str) -> str:
    """A profile's name: what its shard is computed from."""
    return f"{country}/{lang}"


def shard_of(profile: str, count: int) -> int:
    """Which of ``count`` shards (1-based) builds the profile: a hash of its
    name alone, so that adding a profile moves no other."""
    digest = hashlib.sha256(profile.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Target:
    """One output: a country, a language, an edition, a file."""

    country: str
    lang: str
    edition: str  # or DATA: the profile's data
    output: Path

    @property
    def name(self) -> str:
        return self.output.name

    @property
    def data(self) -> bool:
        """The profile's data (JSON), not a PDF."""
        return self.edition == DATA


@dataclass
class Outcome:
    """What happened to one target. ``worker`` holds the worker's measurements."""

    target: Target
    status: str  # "built", "skipped" or "failed"
    seconds: float = 0.0
    errors: tuple[str, ...] = ()
    exit_code: int = 0
    worker: dict = field(default_factory=dict)
    inputs: str | None = None  # built: the hash of the inputs it was made from (as read)


@dataclass
class Options:
    content: Path
    out: Path = Path(".")
    editions: tuple[str, ...] = ("screen",)
    langs: tuple[str, ...] = ()  # empty: every language
    jobs: int | None = None  # default: one per core
    layouts: tuple[Path, ...] = ()
    cache: Path | None = None
    force: bool = False  # rebuild even what is unchanged
    tasks_per_worker: int = 16  # then a fresh worker (WeasyPrint's memory grows per PDF)
    shard: Shard | None = None  # build only the profiles of this shard
    shared_layout: bool = True  # False: one layout per edition (for `make bench`)
    #: also each profile's data beside its PDFs (``data_name``; the command's build --all)
    data: bool = False


@dataclass
class Summary:
    outcomes: list[Outcome]
    seconds: float
    jobs: int
    total: int = 0  # outputs planned
    stopped: int | None = None  # the signal that stopped the run
    replaced: list[Target] = field(default_factory=list)  # stopped while being written

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def built(self) -> list[Outcome]:
        return self._with("built")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.failed), default=0)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan(opts: Options) -> list[Target]:
    """Every country x language x edition of the content tree (of the shard
    ``opts.shard`` only, if given), in a stable order."""
    for edition in opts.editions:
        check_edition(edition)
    tree = contents.countries(opts.content)
    if not tree:
        raise UsageError(f"no country folders with a profile.yaml in {opts.content}")
    targets = []
    for slug, country in tree.items():
        for lang in country.languages:
            if opts.langs and lang not in opts.langs:
                continue
            if opts.shard and not opts.shard.owns(profile_name(slug, lang)):
                continue
            for edition in opts.editions:
                name = Request(slug, lang, opts.content, edition=edition).default_output()
                targets.append(Target(slug, lang, edition, opts.out / name))
            if opts.data:
                targets.append(Target(slug, lang, DATA, opts.out / data_name(slug, lang)))
    return targets


def failure(exc: MgiError) -> tuple[tuple[str, ...], int]:
    if isinstance(exc, ContentError):
        return tuple(str(p) for p in exc.problems), exc.exit_code
    return (f"error: {exc}",), exc.exit_code
