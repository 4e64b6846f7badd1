"""Solving one scenario as `solve`, `explain` and `compare` do, and the analysis of its plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.cli.common import _fail, errors
from optimizer.cli.live import search_status
from optimizer.cli.progress import _analysis_progress
from optimizer.errors import OptimizerError

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
    if plan.interrupted:
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
