"""`optimizer solve`: the best plan of each scenario file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.options import (
    BudgetStepOption,
    DaskOption,
    FormatOption,
    GapOption,
    OutputOption,
    SolverOption,
    TimeLimitOption,
    WorkersOption,
)
from optimizer.cli.solving import solve_files


@app.command(cls=_Command)
def solve(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Scenario files (.yaml, .json, .toml)."),
    ],
    format: FormatOption = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    export: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Also write the model as .lp or .mps (one scenario only)."
        ),
    ] = None,
    workers: WorkersOption = 1,
    dask: DaskOption = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also price every rule and the next budget step (re-solves).",
            metavar="",  # a flag: no "<bool>" value to suggest
        ),
    ] = False,
    budget_step: BudgetStepOption = None,
) -> None:
    """Find the best plan for each scenario file.

    Exit code 0 when a plan was found, 1 when none exists (the conflicting rules are named),
    2 when the input is invalid.
    """
    code = solve_files(
        files,
        format=format,
        output=output,
        solver=solver,
        time_limit=time_limit,
        gap=gap,
        export=export,
        workers=workers,
        dask=dask,
        explain=explain,
        budget_step=budget_step,
    )
    if code:
        raise typer.Exit(code)
