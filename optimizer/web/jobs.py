"""What the page's worker processes run: a solve, a frontier point, a download.

Each job takes plain data (the scenario's merged fields and the page's edits) and returns
plain data or bytes, so nothing but dictionaries crosses between processes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.errors import OptimizerError, ScenarioError
from optimizer.jsontext import json_text

if TYPE_CHECKING:
    from optimizer.plan import Plan
    from optimizer.scenario.schema import Scenario

PREVIEW_GAP = 0.005
"""The gap a preview solve stops at: the page shows it at once, then the proven plan."""
PREVIEW_SECONDS = 0.2
"""The most a preview solve searches: where the gap takes longer (a shortlist of hundreds of
creators), the plan in hand then is shown with its own gap, and the page asks for the proven
plan as it does after any preview; without one yet, it asks at once."""

EXPORT_TYPES = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "html": ("text/html; charset=utf-8", "html"),
}


@dataclass(frozen=True)
class Job:
    """One scenario as the page has it: the file's merged fields, the edits over them, and
    the server's most seconds per solve."""

    source: str
    data: dict[str, Any]
    edits: dict[str, Any] = field(default_factory=dict)
    seconds: float = 20.0
    preview: bool = False


def merged(data: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """The file's fields with the page's edits over them, as a child file `extends` them."""
    from optimizer.scenario.loading import merge

    return merge(data, replace_objective(data, edits))


def replace_objective(data: Mapping[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    """The edits, with an objective that replaces the file's whole: a mapping given over a
    mapping would merge key by key (`{maximize: revenue, minimize: spend}`), so the file's
    keys are removed with nulls, as a child file would write it."""
    edits = dict(edits)
    old, new = data.get("objective"), edits.get("objective")
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        edits["objective"] = {**dict.fromkeys(old), **new}
    return edits


def scenario_of(job: Job) -> Scenario:
    from optimizer.scenario.loading import scenario_from_dict

    data = merged(job.data, job.edits)
    if job.preview:
        settings = data.get("solver")
        data["solver"] = {
            **(settings if isinstance(settings, Mapping) else {}),
            "tie_break": "none",
        }
    return scenario_from_dict(data, source=job.source)


def _options(job: Job, scenario: Scenario) -> tuple[float, float]:
    """The solve's time limit and gap: the scenario's, within the server's seconds; a
    preview's within `PREVIEW_SECONDS` and `PREVIEW_GAP`."""
    time_limit = min(scenario.solver.time_limit, job.seconds)
    if not job.preview:
        return time_limit, scenario.solver.gap
    return min(time_limit, PREVIEW_SECONDS), max(scenario.solver.gap, PREVIEW_GAP)


def plan_of(job: Job, scenario: Scenario) -> Plan:
    """The scenario's plan within the server's limits; an infeasible one with its conflicts."""
    return answer_of(job, scenario)[0]


def answer_of(job: Job, scenario: Scenario) -> tuple[Plan, str | None]:
    """The plan, and which first answer it is: "midpoint" for a preview of a scenario with
    uncertainty (the midpoint plan judged on the draws), else None."""
    from optimizer.solvers import Status
    from optimizer.solving import solve

    time_limit, gap = _options(job, scenario)
    plan = first_answer(scenario, time_limit, gap) if job.preview else None
    kind = None if plan is None else "midpoint"
    if plan is None:
        plan = solve(scenario, time_limit=time_limit, gap=gap)
    if plan.status is Status.INFEASIBLE:
        from optimizer.analysis.conflicts import CHECK_TIME_LIMIT, find_conflicts
        from optimizer.plan import replace_plan

        limit = min(job.seconds, CHECK_TIME_LIMIT)
        plan = replace_plan(plan, conflicts=find_conflicts(scenario, time_limit=limit))
    return plan, kind


def uncertain(scenario: Scenario) -> bool:
    return scenario.uncertainty is not None or scenario.objective.uncertain


def first_answer(scenario: Scenario, time_limit: float, gap: float) -> Plan | None:
    """The quick first answer to a scenario with uncertainty: the midpoint plan judged on the
    draws (`midpoint_first_answer`), not the risk model's plan, which follows as the proven
    one. None for any other scenario, or when the midpoint plan has none."""
    if not uncertain(scenario):
        return None
    from optimizer.model.linear import build_model
    from optimizer.solvers import SolveOptions
    from optimizer.uncertainty.solve import midpoint_first_answer

    options = SolveOptions(time_limit=time_limit, gap=gap)
    return midpoint_first_answer(scenario, build_model(scenario), scenario.solver.name, options)


def problems_of(error: ScenarioError) -> list[dict[str, str]]:
    return [{"path": problem.path, "message": problem.message} for problem in error.problems]


def solve_job(job: Job) -> dict[str, Any]:
    """The page's result: the plan as JSON, its layout, shares by tier and the spreadsheet
    baseline; or the problems of the edited scenario, each with its field's path."""
    try:
        scenario = scenario_of(job)
    except ScenarioError as error:
        return {"problems": problems_of(error)}
    try:
        plan, kind = answer_of(job, scenario)
    except ScenarioError as error:  # a draws file, read as the plan is made
        return {"problems": problems_of(error)}
    out = plan.to_dict()
    return {
        "plan": out,
        "layout": layout(scenario),
        "tier_shares": tier_shares(out),
        "baseline": baseline(scenario),
        "target_gap": scenario.solver.gap,
        "preview": job.preview,
        "first_answer": kind,
        "currency": scenario.currency,
    }


def layout(scenario: Scenario) -> dict[str, Any]:
    """The plan table's rows and columns: periods, and each platform's offered tiers."""
    return {
        "periods": list(scenario.periods),
        "platforms": {name: list(platform.tiers) for name, platform in scenario.platforms.items()},
        "tiers": list(scenario.tiers),
    }


def tier_shares(plan: Mapping[str, Any]) -> dict[str, float]:
    """Each tier's share of the plan's spend."""
    spend: dict[str, float] = {}
    for cell in plan["allocation"]:
        spend[cell["tier"]] = spend.get(cell["tier"], 0.0) + (cell["spend"] or 0.0)
    total = sum(spend.values())
    return {tier: value / total for tier, value in spend.items()} if total > 0 else {}


def baseline(scenario: Scenario) -> dict[str, Any] | None:
    """The spreadsheet split (`optimizer.spreadsheet_plan`): totals, cells and rules kept."""
    from optimizer.analysis.baseline import spreadsheet_plan

    try:
        plan = spreadsheet_plan(scenario)
    except OptimizerError:
        return None  # no total budget to split
    out = plan.to_dict()
    broken = [rule.name for rule in plan.rules if rule.met is False]
    return {
        "totals": out["totals"],
        "allocation": out["allocation"],
        "objective": out["objective"]["value"],
        "broken_rules": broken,
    }


def point_job(job: Job, budget: float) -> dict[str, Any]:
    """One point of the budget frontier: the scenario solved at `budget`."""
    import optimizer

    edits = {**job.edits, "budget": {**dict(job.edits.get("budget") or {}), "total": budget}}
    try:
        scenario = scenario_of(replace(job, edits=edits))
    except ScenarioError as error:
        return {"budget": budget, "status": "invalid", "problems": problems_of(error)}
    time_limit, gap = _options(job, scenario)
    result = optimizer.sweep(scenario, [budget], time_limit=time_limit, gap=gap)
    point: dict[str, Any] = result.to_dict()["points"][0]
    return point


def export_job(job: Job, kind: str) -> bytes:
    """The plan as a file: JSON, CSV (its main table), a workbook or an HTML page."""
    scenario = scenario_of(job)
    plan = plan_of(job, scenario)
    if kind == "json":
        return (json_text(plan.to_dict()) + "\n").encode()
    from optimizer.report import writers
    from optimizer.report.document import plan_report

    report = plan_report(plan, with_charts=kind == "html")
    if kind == "csv":
        return writers.to_csv(report).encode()
    if kind == "html":
        return writers.to_html(report).encode()
    if kind == "xlsx":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "plan.xlsx"
            writers.write_xlsx(report, path)
            return path.read_bytes()
    raise OptimizerError(f"no download as {kind!r}; one of {', '.join(EXPORT_TYPES)}")


def warm_up() -> bool:
    """Load and run the solver, analyses and reports once in a worker before its first
    request: the first plan a planner opens then comes as fast as the next."""
    from optimizer.analysis.baseline import spreadsheet_plan
    from optimizer.scenario.loading import scenario_from_dict
    from optimizer.solving import solve

    offer = {"followers": 10000, "cost_per_post": 500, "engagement_rate": 0.05}
    scenario = scenario_from_dict(
        {
            "name": "warm-up",
            "budget": {"total": 10000},
            "rules": {"presets": ["70-20-10"]},
            "platforms": {"a": {"tiers": {"micro": {**offer, "conversion_rate": 0.02}}}},
        },
        source="warm-up",
    )
    solve(scenario)
    spreadsheet_plan(scenario)
    return True
