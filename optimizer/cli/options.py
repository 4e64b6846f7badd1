"""Options several commands take, declared once so that they read the same in every `--help`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli import flags
from optimizer.cli.output import Format

FormatOption = Annotated[
    Format | None,
    typer.Option(
        *flags.FORMAT,
        metavar="FORMAT",
        help="table, json, csv, md, html or xlsx; by default the --output file's ending"
        " (plan.xlsx, plan.json, ...), else table.",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        *flags.OUTPUT, metavar="FILE", help="Write here instead of the screen (xlsx needs it)."
    ),
]
SolverOption = Annotated[
    str | None,
    typer.Option(
        *flags.SOLVER, metavar="NAME", help="highs (default), cbc, or another PuLP solver name."
    ),
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option(
        *flags.TIME_LIMIT,
        min=flags.TIME_LIMIT_MIN,
        metavar="SECONDS",
        help="Seconds before each search stops.",
    ),
]
GapOption = Annotated[
    float | None,
    typer.Option(
        *flags.GAP,
        min=flags.GAP_MIN,
        max=flags.GAP_MAX,
        metavar="GAP",
        help="Relative MIP gap at which to stop.",
    ),
]
WorkersOption = Annotated[
    int, typer.Option(min=1, metavar="N", help="Solve in this many parallel processes.")
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Solve on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
        "needs optimizer[dask].",
    ),
]
BudgetStepOption = Annotated[
    float | None,
    typer.Option(
        min=0.01,
        metavar="AMOUNT",
        help="The raise of budget.total, in money, whose gain the explanation reports"
        " (default: 5% of the budget).",
        show_default=False,
    ),
]
