"""The uncertain solve: the risk model's plan, judged on the draws, beside the midpoint plan."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.model.linear import LinearModel
from optimizer.plan import Plan, extract_plan, replace_plan
from optimizer.scenario.schema import Objective, Scenario, Target
from optimizer.solvers import Solution, SolveOptions, Status, run_solver
from optimizer.solvers.base import relative_gap
from optimizer.uncertainty import settings_of
from optimizer.uncertainty.chance import least_spend_bound
from optimizer.uncertainty.clusters import solve_clustered
from optimizer.uncertainty.draws import Draws, scenario_draws
from optimizer.uncertainty.model import (
    chance_model,
    point_target_model,
    risk_model,
    start_values,
)
from optimizer.uncertainty.outcomes import Evaluation, UncertaintyReport, evaluate

if TYPE_CHECKING:
    from optimizer.solvers.search import ProgressCallback

LEAST_SPEND = True
"""Whether a chance target's search stopped short of its gap takes `least_spend_bound` as its
bound where that is higher (the benchmarks turn it off to measure it). Not as a row of the
model: on m12-p8-t4-s1 such a row left the search's own bound where the row put it."""
LEAST_SPEND_METHOD = "least-spend-per-draw"
"""`solver.bound_method` where the bound is `least_spend_bound`'s."""
TIME_LIMIT_NOTE = (
    "the time limit stopped the search before the gap was proven: the plan is the best found,"
    " and the gap says how far from the best possible it may be"
)


def measure_of(scenario: Scenario) -> str:
    """The risk measure, as the result names it: expected, cvar A (weight W), or a target."""
    objective = scenario.objective
    if objective.target is not None:
        target = objective.target
        return f"target {target.metric} {target.value:g} with probability {target.probability:g}"
    return "expected" if objective.risk is None else objective.risk.label


def uncertain_model(model: LinearModel, draws: Draws) -> LinearModel:
    """The model whose optimum is the objective's measure over the draws."""
    objective = model.scenario.objective
    if objective.target is not None:
        return chance_model(model, draws, objective.target)
    if objective.sense == "minimize":
        # minimising spend with no target: spend at point prices, as v1
        return model
    return risk_model(model, draws, objective.risk)


def _clustered(scenario: Scenario) -> bool:
    """Whether the objective is a CVaR that weighs (a maximised measure, no target)."""
    objective = scenario.objective
    risk = objective.risk
    return (
        objective.target is None
        and objective.sense == "maximize"
        and risk is not None
        and risk.cvar is not None
        and risk.weight > 0
    )


def _with_least_spend(
    solution: Solution, model: LinearModel, draws: Draws, target: Target, gap: float
) -> Solution:
    """A chance target's stopped search with `least_spend_bound` as its bound where that is
    higher, and proven where it closes the gap."""
    least = least_spend_bound(model, draws, target)
    if least is None or solution.objective is None:
        return solution
    if solution.bound is not None and solution.bound >= least:
        return solution
    proven = relative_gap(solution.objective, least) <= gap
    return replace(
        solution,
        bound=least,
        bound_method=LEAST_SPEND_METHOD,
        status=Status.OPTIMAL if proven else solution.status,
    )


def v1_scenario(scenario: Scenario) -> Scenario:
    """The scenario with uncertainty ignored: v1's objective, no draws."""
    objective = Objective(sense=scenario.objective.sense, metric=scenario.objective.metric)
    return scenario.model_copy(update={"uncertainty": None, "objective": objective})


def midpoint_counts(
    scenario: Scenario, model: LinearModel, solver: str, options: SolveOptions
) -> np.ndarray | None:
    """The v1 plan's counts (for a chance target, the least spend reaching the target at
    point values); None when it has no plan."""
    solution = midpoint_solution(scenario, model, solver, options)
    return None if solution is None else _counts(scenario, model, solution)


def midpoint_solution(
    scenario: Scenario, model: LinearModel, solver: str, options: SolveOptions
) -> Solution | None:
    """The midpoint plan solved on the v1 model already built (its rules and objective are
    v1's; the draws only extend it), ties broken as `solve` breaks them; for a chance
    target, the least spend reaching the target at point values. None without a plan."""
    from optimizer.solvers.ties import break_ties
    from optimizer.solving import wants_tie_break

    target = scenario.objective.target
    if target is not None:
        solution = run_solver(point_target_model(model, target), solver, options)
    else:
        solution = run_solver(model, solver, options)
        if wants_tie_break(v1_scenario(scenario), solution):
            solution = break_ties(model, solution, solver, options).solution
    if not solution.status.has_plan or solution.values is None:
        return None
    return solution


def _counts(scenario: Scenario, model: LinearModel, solution: Solution) -> np.ndarray:
    assert solution.values is not None
    counts = solution.values[model.count_columns]
    return np.round(counts) if scenario.integer else np.where(counts < 1e-9, 0.0, counts)


def out_of_sample_draws(scenario: Scenario, model: LinearModel, draws: Draws) -> Draws | None:
    """An independent set of draws (the next seed, as many): none for a draws file."""
    settings = settings_of(scenario)
    if settings is None or draws.source != "generated" or draws.seed is None:
        return None
    return scenario_draws(scenario, model.cells, settings, seed=draws.seed + 1)


def report_for(
    scenario: Scenario,
    model: LinearModel,
    counts: np.ndarray,
    draws: Draws,
    midpoint: np.ndarray | None,
    stopped: bool = False,
) -> UncertaintyReport:
    """The `uncertainty` object of a plan with these counts."""
    settings = settings_of(scenario)
    cells, constraints = model.cells, model.constraints

    def judged(plan_counts: np.ndarray, on: Draws) -> Evaluation:
        return evaluate(scenario, cells, constraints, plan_counts, on)

    other = out_of_sample_draws(scenario, model, draws)
    return UncertaintyReport(
        draws=draws.count,
        seed=draws.seed,
        source=draws.source,
        measure=measure_of(scenario),
        plan=judged(counts, draws),
        midpoint_plan=None if midpoint is None else judged(midpoint, draws),
        out_of_sample=None if other is None else judged(counts, other),
        out_of_sample_seed=None if other is None else other.seed,
        file=draws.path,
        shape=None if settings is None else settings.shape,
        shared_by=None if settings is None else list(settings.shared_by),
        stopped_by_time_limit=stopped,
        metric=outcome_metric(scenario),
    )


def outcome_metric(scenario: Scenario) -> str:
    """The outcome the objective is taken over: a chance target's metric, else the
    objective's."""
    target = scenario.objective.target
    return scenario.objective.metric if target is None else target.metric


def solve_uncertain(
    scenario: Scenario,
    model: LinearModel,
    solver: str,
    options: SolveOptions,
    progress: ProgressCallback | None = None,
    build_seconds: float = 0.0,
    start_from_midpoint: bool = True,
    cluster_draws: bool = True,
) -> Plan:
    """Solve for the objective's measure over the draws; the plan's objective, bound and gap
    are those of the measure. The midpoint plan is solved first and, unless
    `start_from_midpoint` is false, the search starts from it. A CVaR objective is searched
    on clustered draws (`optimizer.uncertainty.clusters`) unless `cluster_draws` is false:
    then on the model with a row per draw."""
    settings = settings_of(scenario)
    if settings is None:
        raise OptimizerError("the scenario has no uncertainty to solve for")
    draws = scenario_draws(scenario, model.cells, settings)
    # The midpoint plan first, on the v1 model: the uncertainty report needs it, and the
    # risk model's search starts from it (a plan that meets every rule, judged on the draws).
    found = midpoint_solution(scenario, model, solver, options)
    # the midpoint plan's values of the v1 model's columns, which start the search
    midpoint = None if found is None or found.values is None else found.values[: model.num_cols]
    risk = scenario.objective.risk
    if cluster_draws and _clustered(scenario) and risk is not None:
        clustered = solve_clustered(
            model,
            draws,
            risk,
            solver,
            options,
            midpoint,
            progress,
            start_from_midpoint=start_from_midpoint,
        )
        extended, solution = clustered.model, clustered.solution
    else:
        extended = uncertain_model(model, draws)
        start = None
        # HiGHS only: CBC through PuLP started from a plan reports no bound
        if (
            start_from_midpoint
            and solver == "highs"
            and midpoint is not None
            and extended is not model
        ):
            start = start_values(extended, midpoint)
        solution = run_solver(extended, solver, options, progress, start=start)
        target = scenario.objective.target
        if target is not None and LEAST_SPEND and solution.status is Status.FEASIBLE:
            solution = _with_least_spend(solution, model, draws, target, options.gap)
    plan = extract_plan(scenario, extended, solution, build_seconds)
    if not plan.has_plan or plan.counts is None:
        return plan
    midpoint = None if found is None else _counts(scenario, model, found)
    stopped = solution.status is Status.FEASIBLE
    report = report_for(scenario, model, plan.counts, draws, midpoint, stopped)
    value = report.plan.objective
    bound = solution.bound
    gap = relative_gap(value, bound) if bound is not None and np.isfinite(bound) else None
    notes = [*plan.notes, TIME_LIMIT_NOTE] if stopped else plan.notes
    return replace_plan(
        plan, objective=value, bound=bound, gap=gap, uncertainty=report, notes=notes
    )


FIRST_ANSWER_NOTE = (
    "a first answer: the plan made for the midpoint figures, judged on the draws; the plan"
    " for the objective's measure over the draws may do better"
)


def midpoint_first_answer(
    scenario: Scenario,
    model: LinearModel,
    solver: str,
    options: SolveOptions,
    build_seconds: float = 0.0,
) -> Plan | None:
    """The midpoint plan judged on the draws: a quick first answer while the risk model
    solves. Its objective is the measure over the draws, with no bound and no gap (it is not
    proven for the measure), its status feasible, and its report names it the midpoint plan
    too. None when the midpoint plan has no plan (the whole solve then says why)."""
    settings = settings_of(scenario)
    if settings is None:
        raise OptimizerError("the scenario has no uncertainty to solve for")
    found = midpoint_solution(scenario, model, solver, options)
    if found is None:
        return None
    plan = extract_plan(scenario, model, found, build_seconds)
    assert plan.counts is not None
    draws = scenario_draws(scenario, model.cells, settings)
    report = report_for(scenario, model, plan.counts, draws, plan.counts)
    return replace_plan(
        plan,
        status=Status.FEASIBLE,
        objective=report.plan.objective,
        bound=None,
        gap=None,
        uncertainty=report,
        notes=[*plan.notes, FIRST_ANSWER_NOTE],
    )
