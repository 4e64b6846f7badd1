"""`optimizer solve FILE... [--format FORMAT] [--output FILE]` without typer.

The plainest solve is the one scripts run most, and typer costs it about a fifth of a small
scenario's whole process: importing it and checking each option through pydantic. A command
line of scenario files and at most those two options, written in a form whose meaning
cannot differ from typer's, runs `solve_files` directly; any other command line, and any
word this parser is not sure of, goes to typer, which also gives its errors and `--help`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from optimizer.cli.output import FORMAT_FLAGS, OUTPUT_FLAGS, Format

EXIT_INTERRUPTED = 1
"""As click ends on Ctrl-C ("Aborted!") and on a closed pipe."""


def plain_solve(argv: list[str]) -> tuple[list[Path], Format | None, Path | None] | None:
    """The files, format and output of a plain `solve` command line, else None."""
    if not argv or argv[0] != "solve":
        return None
    files: list[Path] = []
    given: dict[str, str] = {}
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            files.append(Path(word))
            continue
        name, equals, value = word.partition("=")
        if equals and not name.startswith("--"):
            return None  # click reads `-f=json` as the value "=json"
        flag = "format" if name in FORMAT_FLAGS else "output" if name in OUTPUT_FLAGS else None
        if flag is None or flag in given:
            return None
        if not equals:
            value = next(words, "-")
        if not value or value.startswith("-"):
            return None
        given[flag] = value
    if not files or given.get("format", "json") not in Format.__members__:
        return None
    format = Format(given["format"]) if "format" in given else None
    output = Path(given["output"]) if "output" in given else None
    return files, format, output


def run(files: list[Path], format: Format | None, output: Path | None) -> int:
    """`solve_files` with every other option at its default; ends as typer's commands do."""
    from optimizer.cli.common import errors
    from optimizer.cli.solving import solve_files

    try:
        return solve_files(files, format=format, output=output)
    except KeyboardInterrupt:
        errors.print("\nAborted!")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader left (`| head`): say nothing more, and let no flush at exit complain
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERRUPTED
