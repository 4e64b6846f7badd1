"""`optimizer explain`: a scenario's answer in words."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    _emit,
    _fail,
    _load_all,
    _no_plan,
    errors,
)
from optimizer.cli.options import BudgetStepOption, GapOption, SolverOption, TimeLimitOption
from optimizer.cli.output import Format, _output_format
from optimizer.cli.progress import _map_with_progress
from optimizer.cli.solving import _solve_one, _SolveSettings, _with_analysis


@app.command(cls=_Command)
def explain(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Scenario file (.yaml, .json, .toml).")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the text here, not the screen."),
    ] = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    budget_step: BudgetStepOption = None,
) -> None:
    """Explain a scenario's answer in words: why no plan exists, or what each rule costs
    and what the next budget step buys.

    Exit code 0 when a plan was found, 1 when none exists, 2 when the input is invalid.
    """
    from optimizer.report.terminal import explanation_view

    if output is not None and _output_format(None, output, [file]) is not Format.table:
        raise _fail(
            f"--output {output}: explain writes text; for a {output.suffix} report use"
            f" `optimizer solve {file} --explain --output {output}`"
        )
    loaded, invalid = _load_all([file])
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    scenario = loaded[0][1]
    settings = _SolveSettings(solver, time_limit, gap)
    plan = _map_with_progress(_solve_one, [(scenario, settings)], 1, "solving")[0]
    plan = _with_analysis(scenario, plan, settings, True, budget_step)
    _emit(explanation_view(plan), output)
    if not plan.has_plan:
        errors.print(_no_plan(str(file), plan.status))
        raise typer.Exit(EXIT_NO_PLAN)
