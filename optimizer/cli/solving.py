"""Solving scenarios as `solve`, `explain` and `compare` do, the analysis of a plan, and
`solve` itself apart from its command line (`solve_files`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    EXIT_PLAN,
    _emit,
    _fail,
    _load_all,
    _no_plan,
    errors,
)
from optimizer.cli.live import search_status
from optimizer.cli.output import (
    Format,
    _charts_in,
    _check_writable,
    _output_format,
    _write_report,
)
from optimizer.cli.progress import _analysis_progress, _map_with_progress, _without_failed
from optimizer.errors import OptimizerError
from optimizer.jsontext import json_text

if TYPE_CHECKING:
    from optimizer.plan import Plan
    from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class _SolveSettings:
    solver: str | None
    time_limit: float | None
    gap: float | None
    export: Path | None = None


def _solve_one(job: tuple[Scenario, _SolveSettings]) -> Plan:
    """Build, export if asked, solve: one scenario, in this process or a worker."""
    from optimizer.model.linear import build_model
    from optimizer.solving import solve as solve_scenario

    scenario, settings = job
    model = build_model(scenario)
    if settings.export is not None:
        from optimizer.solvers.export import export_model

        export_model(model, settings.export)
    with search_status(scenario.name, scenario.objective.metric) as progress:
        plan = solve_scenario(
            scenario,
            solver=settings.solver,
            time_limit=settings.time_limit,
            gap=settings.gap,
            model=model,
            progress=progress,
        )
    if plan.interrupted and plan.has_plan:
        gap = "unknown" if plan.gap is None else f"{plan.gap:.2%}"
        errors.print(
            f"{scenario.name}: stopped by Ctrl-C; the best plan found so far follows (gap {gap})",
            style="yellow",
        )
    return plan


def _with_analysis(
    scenario: Scenario,
    plan: Plan,
    settings: _SolveSettings,
    explain: bool,
    budget_step: float | None,
) -> Plan:
    """The conflicting rules of an infeasible plan; with `explain`, the prices of a plan."""
    from optimizer.plan import replace_plan
    from optimizer.solvers import Status

    # The analyses load SciPy and pandas: only a plan that needs one imports it.
    try:
        if plan.status is Status.INFEASIBLE:
            from optimizer.analysis.conflicts import CHECK_TIME_LIMIT, find_conflicts

            limit = settings.time_limit
            with _analysis_progress("finding the conflicting rules") as on_progress:
                report = find_conflicts(
                    scenario,
                    time_limit=None if limit is None else min(limit, CHECK_TIME_LIMIT),
                    on_progress=on_progress,
                )
            return replace_plan(plan, conflicts=report)
        if explain and plan.has_plan:
            from optimizer.analysis.prices import explain_plan

            with _analysis_progress("pricing the rules") as on_progress:
                explanation = explain_plan(
                    scenario,
                    plan,
                    budget_step=budget_step,
                    gap=settings.gap,
                    time_limit=settings.time_limit,
                    on_progress=on_progress,
                )
            return replace_plan(plan, explanation=explanation)
    except OptimizerError as error:
        raise _fail(str(error)) from None
    return plan


def solve_files(
    files: Sequence[Path],
    *,
    format: Format | None = None,
    output: Path | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    export: Path | None = None,
    workers: int = 1,
    dask: str | None = None,
    explain: bool = False,
    budget_step: float | None = None,
) -> int:
    """`optimizer solve`: solve each file, write the plans, and give the exit code: 0 when
    every file has a plan, 1 when one has none (its conflicting rules named), 2 when one is
    invalid. A bad command line raises `SystemExit(2)` before any solving."""
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
            errors.print(_no_plan(source, plan.status, plan.interrupted))
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
        return EXIT_INVALID
    if failed or any(not plan.has_plan for _, plan in results):
        return EXIT_NO_PLAN
    return EXIT_PLAN


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
