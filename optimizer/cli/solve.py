"""`optimizer solve`: the best plan of each scenario file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from optimizer.cli.options import (
    BudgetStepOption,
    DaskOption,
    Format,
    FormatOption,
    GapOption,
    OutputOption,
    SolverOption,
    TimeLimitOption,
    WorkersOption,
)
from optimizer.cli.output import _charts_in, _check_writable, _output_format, _write_report
from optimizer.cli.progress import _map_with_progress, _without_failed
from optimizer.cli.solving import _solve_one, _SolveSettings, _with_analysis
from optimizer.jsontext import json_text

if TYPE_CHECKING:
    from optimizer.plan import Plan


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
    from optimizer.executors import Failed

    if budget_step is not None and not explain:
        raise _fail("--budget-step sets what --explain reports: give --explain too")
    if export is not None:
        from optimizer.solvers.export import EXPORT_SUFFIXES

        if len(files) > 1:
            raise _fail("--export writes one model: give a single scenario file")
        if export.suffix.lower() not in EXPORT_SUFFIXES:
            raise _fail(f"--export {export}: use a .lp or .mps file name")
    format = _output_format(format, output, files)
    _check_writable("--export", export)
    loaded, invalid = _load_all(files)
    settings = _SolveSettings(solver, time_limit, gap, export)
    plans = _map_with_progress(
        _solve_one,
        [(scenario, settings) for _, scenario in loaded],
        workers,
        "solving",
        dask,
        adaptive=True,
    )
    failed = False
    for (path, _), plan in zip(loaded, plans, strict=True):
        if isinstance(plan, Failed):
            failed = True
            errors.print(f"{path}: failed after {plan.tries} tries: {plan.error}")
    loaded, plans = _without_failed(loaded, plans)
    plans = [
        _with_analysis(scenario, plan, settings, explain, budget_step)
        for (_, scenario), plan in zip(loaded, plans, strict=True)
    ]
    results = [(str(path), plan) for (path, _), plan in zip(loaded, plans, strict=True)]
    from optimizer.analysis.notes import EMPTY_PLAN

    for source, plan in results:
        if not plan.has_plan:
            errors.print(_no_plan(source, plan.status))
        if format is Format.table and len(results) == 1:
            continue  # the plan's table shows its notes
        # JSON and report files carry the notes too; standard error tells whoever runs it.
        for note in plan.notes:
            label = "note" if note == EMPTY_PLAN else "warning"
            errors.print(f"{label}: {source}: {note}", style="yellow", soft_wrap=True)
    if results:
        # Several files give a list even when some are invalid, so scripts can rely on the shape.
        _write_results(results, format, output, len(files) == 1, files)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    if failed or any(not plan.has_plan for _, plan in results):
        raise typer.Exit(EXIT_NO_PLAN)


def _write_results(
    results: list[tuple[str, Plan]],
    format: Format,
    output: Path | None,
    single: bool,
    inputs: Sequence[Path],
) -> None:
    """One scenario: its plan; several: a list of plans (json) or one summary row each."""
    plan = results[0][1]
    if format is Format.json:
        # JSON is read from the plans' arrays: no report module (nor pandas) is loaded for it.
        payload = plan.to_dict() if single else [p.to_dict() for _, p in results]
        _emit(json_text(payload) + "\n", output)
        return
    if format is Format.table:
        from optimizer.report import terminal

        if single:
            _emit(terminal.plan_view(plan), output)
            return
        from rich.console import Group

        # With --explain, each scenario's explanation follows the summary, in file order.
        explained = [terminal.explanation_view(p) for _, p in results if p.explanation]
        _emit(Group(terminal.summary_view(results), *explained), output)
    else:
        from optimizer.report import document

        report = (
            document.plan_report(plan, with_charts=_charts_in(format))
            if single
            else document.summary_report(results)
        )
        _write_report(report, format, output, inputs)
