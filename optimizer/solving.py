"""The library's front door: scenario in, Plan out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.errors import OptimizerError
from optimizer.model.linear import LinearModel, model_for
from optimizer.plan import Plan, extract_plan
from optimizer.scenario.loading import scenario_of
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Solution, SolveOptions, Status, run_solver
from optimizer.solvers.ties import break_ties

if TYPE_CHECKING:
    from optimizer.solvers.search import ProgressCallback


def solve(
    scenario: Scenario | str | Path,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    model: LinearModel | None = None,
    progress: ProgressCallback | None = None,
) -> Plan:
    """Solve a scenario (or a scenario file) and return its plan.

    `solver`, `time_limit` and `gap` override the scenario's `solver` settings. Pass a
    `model` already built from this scenario to skip building it again. `progress` hears how
    a HiGHS search stands about ten times a second (`optimizer.solvers.search.Progress`).
    Where plans tie within the gap, spend is evened out over periods (the scenario's
    `solver.tie_break`).
    """
    scenario = scenario_of(scenario, "solve")
    if solver is not None and not isinstance(solver, str):
        raise OptimizerError(f"solver must be a name such as 'highs' or 'cbc', got {solver!r}")
    options = solve_options(scenario, time_limit, gap)
    started = time.perf_counter()
    model = model_for(scenario, model)
    build_seconds = time.perf_counter() - started
    name = solver or scenario.solver.name
    if scenario.uncertainty is not None or scenario.objective.uncertain:
        from optimizer.uncertainty.solve import solve_uncertain

        return solve_uncertain(scenario, model, name, options, progress, build_seconds)
    solution = run_solver(model, name, options, progress)
    tie_break = None
    if wants_tie_break(scenario, solution):
        tie_break = break_ties(model, solution, name, options)
        solution = tie_break.solution
    return extract_plan(scenario, model, solution, build_seconds, tie_break)


def wants_tie_break(scenario: Scenario, solution: Solution) -> bool:
    """Ties are broken for proven plans of scenarios with several periods, unless told not
    (nor for plans of a roster's decomposition, whose second search would be of the whole
    model)."""
    return (
        scenario.solver.tie_break == "spread"
        and len(scenario.periods) > 1
        and solution.status == Status.OPTIMAL
        and solution.method is None
    )


def solve_options(
    scenario: Scenario, time_limit: float | None = None, gap: float | None = None
) -> SolveOptions:
    """The scenario's time limit and gap, each replaced by the caller's where given."""
    settings = scenario.solver
    return SolveOptions(
        time_limit=settings.time_limit if time_limit is None else time_limit,
        gap=settings.gap if gap is None else gap,
    )
