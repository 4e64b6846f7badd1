"""One base exception; the command line turns each kind into a message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class OptimizerError(Exception):
    """Base class of every error the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a dotted field path) and what to fix."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(OptimizerError):
    """A scenario file cannot be read or does not follow the format; lists every problem found."""

    def __init__(self, source: Path | str, problems: list[Problem]) -> None:
        self.source = str(source)
        self.problems = problems
        super().__init__(self.describe())

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, list[Problem]]]:
        # Errors raised in worker processes travel back pickled.
        return type(self), (self.source, self.problems)

    def describe(self) -> str:
        """One line per problem, each naming the file: what the command line prints."""
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)


class SolverError(OptimizerError):
    """The solver is unavailable or failed in a way that yields no status."""
