"""`optimizer init`: a commented starter scenario on the built-in rate card."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import _emit, _fail, errors
from optimizer.errors import OptimizerError


@app.command(cls=_Command)
def init(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            help="The scenario file to write (.yaml); standard output when left out.",
            show_default=False,
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="A rule preset (`optimizer presets`), or none. [default: 70-20-10]",
            show_default=False,
        ),
    ] = None,
    platforms: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Platforms of the rate card to plan on, e.g. tiktok,instagram (of tiktok,"
            " instagram, youtube, linkedin). [default: tiktok,instagram,youtube]",
            show_default=False,
        ),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(metavar="AMOUNT", help="Total budget. [default: 250000]", show_default=False),
    ] = None,
    periods: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Planning periods, in order. [default: Q1,Q2,Q3,Q4]",
            show_default=False,
        ),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            metavar="METRIC",
            help="conversions, revenue, profit, reach or engagements. [default: conversions]",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Overwrite FILE if it exists.")
    ] = False,
) -> None:
    """Write a starter scenario file, each key explained in a comment.

    It extends the built-in benchmarks-2026 rate card with your preset, platforms, periods
    and budget, and validates and solves as written. In a terminal without options, it asks
    for the preset, platforms and budget."""
    from optimizer.scenario import starter

    if file is not None and file.suffix.lower() not in (".yaml", ".yml"):
        raise _fail(f"{file}: init writes YAML, whose comments explain each key: name it .yaml")
    if file is not None and file.exists() and not force:
        raise _fail(f"{file} exists: give --force to overwrite it")
    given = (preset, platforms, budget, periods, objective)
    if all(value is None for value in given) and _interactive():
        preset = typer.prompt(
            f"Preset ({', '.join([*starter.PRESET_NAMES, starter.NO_PRESET])})",
            default=starter.DEFAULT_PRESET,
            err=True,
        )
        platforms = typer.prompt(
            f"Platforms ({', '.join(starter.rate_card_platforms())})",
            default=",".join(starter.DEFAULT_PLATFORMS),
            err=True,
        )
        budget = typer.prompt("Budget", default=starter.DEFAULT_BUDGET, type=float, err=True)
    try:
        text = starter.starter_scenario(
            name=file.stem if file is not None else "New plan",
            preset=starter.DEFAULT_PRESET if preset is None else preset,
            platforms=starter.DEFAULT_PLATFORMS if platforms is None else platforms,
            budget=starter.DEFAULT_BUDGET if budget is None else budget,
            periods=starter.DEFAULT_PERIODS if periods is None else periods,
            objective=starter.DEFAULT_OBJECTIVE if objective is None else objective,
        )
    except OptimizerError as error:
        raise _fail(str(error)) from None
    _emit(text, file)
    if file is not None:
        errors.print(f"next: optimizer validate {file}, then optimizer solve {file}")


def _interactive() -> bool:
    """Whether a planner is at a terminal to answer questions (not CI, not a pipe)."""
    return sys.stdin.isatty()
