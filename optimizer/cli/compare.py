"""`optimizer compare`: plans side by side, from scenario files or saved plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    NO_PLAN,
    _emit,
    _fail,
    _no_plan,
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
from optimizer.cli.progress import _map_with_progress
from optimizer.cli.solving import _solve_one, _SolveSettings
from optimizer.errors import OptimizerError, ScenarioError

if TYPE_CHECKING:
    from optimizer.scenario.schema import Scenario


@app.command(cls=_Command)
def compare(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="Scenario files or saved plan JSON files, in order."
        ),
    ],
    baseline: Annotated[
        str | None,
        typer.Option(
            metavar="spreadsheet",
            help="spreadsheet: add the hand-made split of the first scenario as the reference.",
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
    """Compare plans side by side: totals, CPA, spend shares, binding rules, cell deltas.

    The first plan is the reference for deltas; with --baseline spreadsheet the hand-made
    split (targets of the first preset, else 70-20-10, spread evenly) comes first and every
    plan's lift over it is shown.
    """
    from optimizer.analysis.baseline import BASELINE_NAME, spreadsheet_plan
    from optimizer.analysis.compare import compare as compare_plans
    from optimizer.analysis.compare import load_result
    from optimizer.executors import Failed
    from optimizer.scenario.loading import load_scenario

    if baseline not in (None, BASELINE_NAME):
        raise _fail(f"--baseline {baseline}: the only baseline is {BASELINE_NAME}")
    format = _output_format(format, output, files)
    results: list[Any] = []
    labels: list[str] = []
    scenarios: list[tuple[int, Scenario]] = []
    invalid = False
    for path in files:
        kind = _saved_result(path)
        if kind in ("comparison", "sweep"):
            raise _fail(
                f"{path}: the result of a {kind}, neither a scenario nor a saved plan; compare"
                " takes scenario files and plans saved by `optimizer solve --format json`"
            )
        if kind == "plan":
            try:
                results.append(load_result(path))
            except OptimizerError as error:
                raise _fail(str(error)) from None
            labels.append(str(results[-1]["scenario"]))
            continue
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            _report_invalid(error)
            invalid = True
            continue
        scenarios.append((len(results), scenario))
        results.append(None)
        labels.append(scenario.name)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    settings = _SolveSettings(solver, time_limit, gap)
    plans = _map_with_progress(
        _solve_one, [(scenario, settings) for _, scenario in scenarios], workers, "solving", dask
    )
    for plan in plans:
        if isinstance(plan, Failed):
            raise _fail(f"a scenario could not be solved: {plan.error}")
    for (position, _), plan in zip(scenarios, plans, strict=True):
        results[position] = plan
    reference = None
    if baseline is not None:
        if not scenarios:
            raise _fail("--baseline spreadsheet needs a scenario file, not only saved plans")
        try:
            hand_made = spreadsheet_plan(scenarios[0][1]).to_dict()
            results.insert(0, {**hand_made, "status": BASELINE_NAME})
        except OptimizerError as error:
            raise _fail(str(error)) from None
        reference = f"{labels[scenarios[0][0]]} ({BASELINE_NAME})"
        labels.insert(0, reference)
    if len(results) < 2:
        raise _fail("compare needs two plans: give two files, or one with --baseline spreadsheet")
    comparison = compare_plans(results, labels=labels, baseline=reference)
    if format is Format.json:
        _emit(comparison.to_json() + "\n", output)
    elif format is Format.table:
        from optimizer.report.terminal import comparison_view

        _emit(comparison_view(comparison), output)
    else:
        from optimizer.report.document import comparison_report

        report = comparison_report(comparison, _charts_in(format))
        _write_report(report, format, output, files)
    statuses = comparison.totals["status"]
    missing = [
        _no_plan(str(name), status) for name, status in statuses.items() if status in NO_PLAN
    ]
    for message in missing:
        errors.print(message)
    if missing:
        raise typer.Exit(EXIT_NO_PLAN)


def _saved_result(path: Path) -> str | None:
    """What a .json file holds when it is a result rather than a scenario: a `plan` of
    `solve`, a `comparison` or a `sweep`."""
    if path.suffix.lower() != ".json":
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for kind, keys in (
        ("plan", {"allocation", "status"}),
        ("comparison", {"plans", "totals", "cells"}),
        ("sweep", {"points", "metric"}),
    ):
        if keys <= set(data):
            return kind
    return None
