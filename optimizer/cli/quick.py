"""`optimizer solve FILE... [--format F] [--output O] [--solver S] [--time-limit T] [--gap G]`
without typer.

The plainest solve is the one scripts run most, and typer costs it about a fifth of a small
scenario's whole process: importing it and checking each option through pydantic. A command
line of scenario files and those options, each written in a form whose meaning cannot differ
from typer's, runs `solve_files` directly; any other command line, and any word or value
this parser is not sure of, goes to typer, which also gives its errors and `--help`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.cli import flags
from optimizer.cli.output import Format

EXIT_INTERRUPTED = 1
"""As click ends on Ctrl-C ("Aborted!") and on a closed pipe."""


def _within(low: float, high: float = math.inf) -> Callable[[str], float | None]:
    def read(text: str) -> float | None:
        try:
            value = float(text)
        except ValueError:
            return None
        return value if low <= value <= high else None  # NaN too goes to typer

    return read


def _format(text: str) -> Format | None:
    return Format(text) if text in Format.__members__ else None


_READERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    **{flag: ("format", _format) for flag in flags.FORMAT},
    **{flag: ("output", Path) for flag in flags.OUTPUT},
    **{flag: ("solver", str) for flag in flags.SOLVER},
    **{flag: ("time_limit", _within(flags.TIME_LIMIT_MIN)) for flag in flags.TIME_LIMIT},
    **{flag: ("gap", _within(flags.GAP_MIN, flags.GAP_MAX)) for flag in flags.GAP},
}


def plain_solve(argv: list[str]) -> tuple[list[Path], dict[str, Any]] | None:
    """The files and options (by `solve_files`' names) of a plain `solve` command line,
    else None."""
    if not argv or argv[0] != "solve":
        return None
    files: list[Path] = []
    options: dict[str, Any] = {}
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            files.append(Path(word))
            continue
        name, equals, text = word.partition("=")
        if equals and not name.startswith("--"):
            return None  # click reads `-f=json` as the value "=json"
        if name not in _READERS:
            return None
        option, read = _READERS[name]
        if not equals:
            text = next(words, "-")
        value = read(text) if text and not text.startswith("-") else None
        if value is None or option in options:
            return None
        options[option] = value
    return (files, options) if files else None


def run(files: list[Path], options: dict[str, Any]) -> int:
    """`solve_files` with every other option at its default; ends as typer's commands do."""
    from optimizer.cli.common import errors
    from optimizer.cli.solving import solve_files

    try:
        return solve_files(files, **options)
    except KeyboardInterrupt:
        errors.print("\nAborted!")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader left (`| head`): say nothing more, and let no flush at exit complain
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERRUPTED
