"""The `optimizer` command: thin typer commands over the library, one module each.

Each command imports what it uses inside its function, for start-up time: a planner pays for
every module the process loads, and `--help`, `schema` or `presets` need no pandas, `validate`
no solver, `solve` none of the plotting and spreadsheet libraries of the other formats.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

COMMANDS = (
    "init",
    "solve",
    "explain",
    "compare",
    "sweep",
    "simulate",
    "brief",
    "calibrate",
    "validate",
    "schema",
    "presets",
    "serve",
)
"""Every command, each the module that registers it on `app`, in the order `--help` lists."""


def _register(commands: tuple[str, ...] = COMMANDS) -> Any:
    for command in commands:
        importlib.import_module(f"optimizer.cli.{command}")
    from optimizer.cli.application import app

    return app


def _asked_for(argv: list[str]) -> tuple[str, ...]:
    """The one command `argv` runs, or every command where it names none (`--help`, a typo).

    typer builds a click command of every function registered on the app before it parses,
    which for twelve commands costs more than loading the one asked for; the top-level
    options (`--version`, `--help`) take no value, so the first word that is not an option
    is the command.
    """
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return (word,) if word in COMMANDS else COMMANDS


def main() -> None:
    from optimizer.cli.quick import plain_solve, run

    argv = sys.argv[1:]
    plain = plain_solve(argv)
    if plain is not None:
        sys.exit(run(*plain))
    _register(_asked_for(argv))()


def __getattr__(name: str) -> Any:
    # `from optimizer.cli import app` gives the app with every command, as callers expect.
    if name == "app":
        return _register()
    if name == "_no_plan":  # kept importable from here, where callers have found it
        from optimizer.cli.common import _no_plan

        return _no_plan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMANDS", "app", "main"]
