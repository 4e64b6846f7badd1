"""`optimizer sweep`: a scenario solved over ranges of budgets and parameter values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    NO_PLAN,
    _emit,
    _error,
    _fail,
    _report_invalid,
    errors,
)
from optimizer.cli.options import (
    DaskOption,
    FormatOption,
    GapOption,
    OutputOption,
    SolverOption,
    TimeLimitOption,
    WorkersOption,
)
from optimizer.cli.output import Format, _charts_in, _output_format, _write_report
from optimizer.cli.progress import _progress
from optimizer.errors import OptimizerError, ScenarioError


@app.command(cls=_Command)
def sweep(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    budget: Annotated[
        str | None,
        typer.Option(
            metavar="BUDGETS",
            help="Budgets as start:stop:step (stop included) or a list 1e5,2e5,...",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PATH=VALUES",
            help="PATH=V1,V2,... for any numeric field, e.g. rules.tolerance=0,0.05; a rule"
            " by its name, rules.shares.tiktok-cap.max=0.3,0.5 (or index, rules.shares.0.max).",
        ),
    ] = None,
    format: FormatOption = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
    workers: WorkersOption = 1,
    dask: DaskOption = None,
) -> None:
    """Solve a scenario over a range of budgets and/or parameter values (two axes at most).

    Each point reports status, objective, totals, CPA, tier shares and the marginal CPA
    from the previous budget: the frontier shows where extra budget stops paying.
    """

    from optimizer.analysis.sweep import parse_param, parse_range
    from optimizer.analysis.sweep import sweep as run_sweep
    from optimizer.executors import executor_for
    from optimizer.scenario.loading import load_scenario

    if not budget and not param:
        raise _fail("give --budget, --param or both")
    format = _output_format(format, output, [file])
    try:
        scenario = load_scenario(file)
    except ScenarioError as error:
        _report_invalid(error)
        raise typer.Exit(EXIT_INVALID) from None
    try:
        budgets = parse_range(budget) if budget else None
    except OptimizerError as error:
        raise _fail(f"--budget {budget}: {error}") from None
    try:
        params = [parse_param(text) for text in param or []]
    except OptimizerError as error:
        raise _fail(str(error)) from None
    try:
        total = len(budgets or [None]) * max(1, _product(len(values) for _, values in params))
        with _progress() as progress:
            task = progress.add_task("sweeping", total=total)
            result = run_sweep(
                scenario,
                budgets,
                params,
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                workers=workers,
                executor=executor_for(workers, dask),
                on_point=lambda n: progress.advance(task, n),
            )
    except ScenarioError as error:  # a point's value makes the scenario invalid
        for problem in error.problems:
            _error(f"{file} ({error.source}): {problem}")
        raise typer.Exit(EXIT_INVALID) from None
    except OptimizerError as error:
        raise _fail(f"{file}: {error}") from None
    if format is Format.json:
        _emit(result.to_json() + "\n", output)
    elif format is Format.table:
        from optimizer.report.terminal import sweep_view

        _emit(sweep_view(result), output)
    else:
        from optimizer.report.document import sweep_report

        _write_report(sweep_report(result, _charts_in(format)), format, output, [file])
    if result.points.empty or result.points["status"].isin(NO_PLAN).all():
        errors.print(f"{file}: no point of the sweep has a plan")
        raise typer.Exit(EXIT_NO_PLAN)


def _product(numbers: Any) -> int:
    out = 1
    for number in numbers:
        out *= number
    return out
