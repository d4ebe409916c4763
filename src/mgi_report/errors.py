"""The error hierarchy. Only the command line turns these into exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in a content file (line and column are 1-based)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class MgiError(Exception):
    """Base of every error the tool reports without a traceback."""

    exit_code = 3


class ContentError(MgiError):
    """Content that cannot be published; carries every problem found."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(MgiError):
    """The command was called wrongly (unknown option, edition, ...)."""

    exit_code = 2


class RenderError(MgiError):
    """The PDF could not be rendered (refused resource, font, I/O)."""

    exit_code = 3
