"""What a batch builds, read once: each content file is read, hashed, validated
and parsed once per run, and a worker builds from what was read.

The parent reads a country's files once (``Contents``: one ``reads.once()``
set of bytes per country): those bytes are hashed to tell what is fresh
(``digests``), then validated and parsed into each profile's ``Job``. A
worker's task (``Task``) carries the Job, those bytes and their hash: it lays
the profile out from the Job, and every read of a content file it still makes
(the logo, the files an archive edition embeds) returns those same bytes.

So an output is recorded against the hash of exactly the bytes it was made
from: a file saved once the batch has read it is not in this run's outputs,
and the next run, which hashes it as it is then, builds it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..compose.job import Job
from ..content import tree
from ..errors import MgiError
from ..files import reads
from ..pipeline import Request, job_for
from .digests import Digests
from .plan import Options, Outcome, Target, failure


@dataclass
class Task:
    """A worker's task: one profile's outputs (one country and language), its
    content as the batch read it, and what the manifest records of each."""

    targets: tuple[Target, ...]
    job: Job  # the profile, validated
    read: dict[str, bytes]  # its country's files as read, by real path (reads.once)
    inputs: dict[str, str]  # output name -> the hash of its inputs (``Digests.of``)

    def split(self) -> list[Task]:
        """One task per output (each laid out anew)."""
        return [dataclasses.replace(self, targets=(t,)) for t in self.targets]


class Contents:
    """A batch's content files, each read once: by country, the bytes read,
    hashed (``digest``), then validated and parsed (``validate``) into Jobs
    that the workers' tasks carry (``tasks``)."""

    def __init__(self, opts: Options, digests: Digests):
        self.opts, self.digests = opts, digests
        self.read: dict[str, dict[str, bytes]] = {}  # country -> its files' bytes
        self.inputs: dict[Target, str] = {}
        self.jobs: dict[tuple[str, str], Job] = {}  # (country, lang) -> its Job

    def digest(self, t: Target) -> str:
        """The hash of ``t``'s inputs, its country's files read (once) now."""
        with reads.once(self.read.setdefault(t.country, {})):
            self.inputs[t] = self.digests.of(t)
        return self.inputs[t]

    def keep(self, countries: Iterable[str]) -> None:
        """Let go of the bytes of every other country (nothing of it to build)."""
        for slug in set(self.read) - set(countries):
            del self.read[slug]

    def validate(self, todo: list[Target]) -> Iterator[tuple[Target, Outcome | None]]:
        """Validate every profile to build, from the bytes hashed: (target, its
        failure or None); the valid profiles' Jobs go to ``jobs``.

        A bad file fails only the outputs made from it.
        """
        from ..text import i18n

        by_country: dict[str, list[Target]] = {}
        for t in todo:
            by_country.setdefault(t.country, []).append(t)
        catalogs: dict[str, MgiError | None] = {}
        for slug, targets in by_country.items():
            langs = tuple(dict.fromkeys(t.lang for t in targets))
            problems: dict[str, MgiError | None] = {}
            try:  # each file read once; a problem is its file's outputs'
                with reads.once(self.read.setdefault(slug, {})):
                    read = tree.read_country(self.opts.content,
                                             tree.find(self.opts.content, slug), langs)
            except MgiError as exc:
                read, problems = None, dict.fromkeys(langs, exc)
            for lang in langs if read is not None else ():
                try:
                    loaded = read.loaded((lang,))
                    problems[lang] = None
                except MgiError as exc:
                    problems[lang] = exc
                    continue
                req = Request(slug, lang, self.opts.content, layouts=tuple(self.opts.layouts),
                              cache=self.opts.cache)
                self.jobs[slug, lang] = job_for(req, loaded.profile, loaded.files[lang])
            for t in targets:
                if t.lang not in catalogs:
                    try:
                        i18n.translations(t.lang)
                        catalogs[t.lang] = None
                    except MgiError as exc:
                        catalogs[t.lang] = exc
                exc = problems[t.lang] or catalogs[t.lang]
                if exc is None:
                    yield t, None
                else:
                    yield t, Outcome(t, "failed", 0.0, *failure(exc))

    def tasks(self, valid: list[Target]) -> list[Task]:
        """One task per profile of ``valid`` (its editions share one layout)."""
        profiles: dict[tuple[str, str], list[Target]] = {}
        for t in valid:
            profiles.setdefault((t.country, t.lang), []).append(t)
        return [Task(tuple(ts), self.jobs[key], self.read[key[0]],
                     {t.name: self.inputs[t] for t in ts})
                for key, ts in profiles.items()]
