"""A plan judged on the draws without re-optimising (`optimizer simulate`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from optimizer.analysis.results import json_count, json_number
from optimizer.constants import METRICS
from optimizer.errors import Problem, ScenarioError
from optimizer.model.linear import LinearModel, build_model
from optimizer.scenario.schema import Scenario, Uncertainty
from optimizer.solvers.base import Status
from optimizer.uncertainty import settings_of
from optimizer.uncertainty.draws import scenario_draws
from optimizer.uncertainty.outcomes import UncertaintyReport
from optimizer.uncertainty.solve import midpoint_counts, report_for


@dataclass(frozen=True)
class Simulation:
    """A plan's counts, its figures at point values and its `uncertainty` object."""

    scenario: Scenario
    model: LinearModel
    counts: np.ndarray
    plan: str
    """Where the plan came from: `solve`, or the saved plan's file."""
    uncertainty: UncertaintyReport | None
    status: Status | None = None
    """How the solve ended, for a plan `solve` returned; None for a saved plan."""

    @property
    def has_plan(self) -> bool:
        return self.uncertainty is not None

    @property
    def totals(self) -> dict[str, float]:
        """The plan's figures at point values (as `Plan.totals`)."""
        outcomes = self.model.cells.outcomes(self.counts)
        return {metric: float(outcomes[metric].sum()) for metric in METRICS}

    def to_dict(self) -> dict[str, Any]:
        """The plan's `allocation` and `totals` (section 7) and its `uncertainty` (8.3)."""
        cells = self.model.cells
        outcomes = cells.outcomes(self.counts)
        allocation = [
            {
                "period": period,
                "platform": platform,
                "tier": tier,
                **{
                    metric: (json_count if metric == "count" else json_number)(
                        float(outcomes[metric][position])
                    )
                    for metric in METRICS
                },
            }
            for position in np.flatnonzero(self.counts > 0)
            for period, platform, tier in [cells.keys[position]]
        ]
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            **({} if self.status is None else {"status": str(self.status)}),
            "plan": self.plan,
            "totals": {
                metric: (json_count if metric == "count" else json_number)(value)
                for metric, value in self.totals.items()
            },
            "allocation": allocation,
        }
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty.to_dict()
        return out


def with_draws(
    scenario: Scenario,
    draws: int | None = None,
    seed: int | None = None,
    draws_file: str | Path | None = None,
) -> Scenario:
    """The scenario with uncertainty settings: its own, else the defaults; `draws`, `seed`
    and `draws_file` given replace the settings' own (a draws file replaces the others)."""
    settings = settings_of(scenario) or Uncertainty()
    changes: dict[str, Any] = {}
    if draws is not None:
        changes["draws"] = draws
    if seed is not None:
        changes["seed"] = seed
    if draws_file is not None:
        changes["draws_file"] = str(draws_file)
    elif changes:
        changes["draws_file"] = None  # drawing again: the given count or seed
    if changes:
        try:
            settings = Uncertainty.model_validate({**settings.model_dump(), **changes})
        except ValidationError as error:
            from optimizer.scenario.loading import problem_of

            problems = [problem_of(e) for e in error.errors()]
            raise ScenarioError(scenario.name, problems) from None
    if settings is scenario.uncertainty:
        return scenario
    return scenario.model_copy(update={"uncertainty": settings})


def simulate(
    scenario: Scenario | str | Path,
    counts: np.ndarray | None = None,
    *,
    plan_source: str = "solve",
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    draws: int | None = None,
    seed: int | None = None,
    draws_file: str | Path | None = None,
) -> Simulation:
    """Judge a plan on the scenario's draws (the default settings where the scenario has
    none): the given `counts` (one per cell, in model order), or the plan `solve` returns.
    `draws` and `seed` draw again; `draws_file` reads the draws from that CSV (section 8.2).
    The plan is chosen on the scenario's own draws; only its judging uses these."""
    from optimizer.scenario.loading import scenario_of
    from optimizer.solving import solve, solve_options

    scenario = scenario_of(scenario, "simulate")
    drawn = with_draws(scenario, draws, seed, draws_file)
    redrawn = drawn.uncertainty is not scenario.uncertainty and settings_of(scenario) is not None
    model = build_model(drawn)
    options = solve_options(scenario, time_limit, gap)
    name = solver or scenario.solver.name
    if counts is None:
        plan = solve(scenario, solver=solver, time_limit=time_limit, gap=gap)
        if not plan.has_plan or plan.counts is None:
            return Simulation(
                scenario, model, np.zeros(len(model.cells)), "solve", None, plan.status
            )
        if plan.uncertainty is not None and not redrawn:
            # the solve judged its plan on these draws already
            return Simulation(scenario, model, plan.counts, "solve", plan.uncertainty, plan.status)
        counts = plan.counts
        status: Status | None = plan.status
    else:
        status = None
    settings = settings_of(drawn)
    assert settings is not None
    judged_on = scenario_draws(drawn, model.cells, settings)
    if settings_of(scenario) is None and counts is not None and plan_source == "solve":
        midpoint: np.ndarray | None = counts  # a v1 scenario's plan is the midpoint plan
    else:
        midpoint = midpoint_counts(drawn, model, name, options)
    report = report_for(drawn, model, np.asarray(counts, dtype=float), judged_on, midpoint)
    return Simulation(drawn, model, np.asarray(counts, dtype=float), plan_source, report, status)


def read_saved_plan(path: Path, scenario: Scenario) -> np.ndarray:
    """The counts of a saved plan's `allocation` (the JSON `optimizer solve` writes), one per
    cell of the scenario in model order; every problem named with the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, [Problem("", "plan file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, [Problem("", f"cannot read the plan: {error}")]) from None
    try:
        result = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            path, [Problem("", f"not JSON: {error.msg} at line {error.lineno}")]
        ) from None
    return counts_from_saved(result, scenario, path)


def counts_from_saved(result: object, scenario: Scenario, source: str | Path) -> np.ndarray:
    """Counts per cell from a saved result's `allocation` list."""
    from optimizer.model.cells import derive_cells

    if not isinstance(result, Mapping) or not isinstance(result.get("allocation"), list):
        raise ScenarioError(
            source,
            [Problem("allocation", "a saved plan has an allocation list (solve --format json)")],
        )
    cells = derive_cells(scenario)
    position = {key: i for i, key in enumerate(cells.keys)}
    counts = np.zeros(len(cells))
    problems = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, entry in enumerate(result["allocation"]):
        where = f"allocation[{number}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(where, "must be an object with period, platform, tier, count"))
            continue
        missing = [key for key in ("period", "platform", "tier", "count") if key not in entry]
        if missing:
            problems.append(Problem(where, f"missing {', '.join(missing)}"))
            continue
        key = (str(entry["period"]), str(entry["platform"]), str(entry["tier"]))
        count = entry["count"]
        if key not in position:
            for field, known in (
                ("period", scenario.periods),
                ("platform", list(scenario.platforms)),
            ):
                if entry[field] not in known:
                    problems.append(
                        Problem(f"{where}.{field}", f"not in the scenario: {entry[field]!r}")
                    )
                    break
            else:
                problems.append(
                    Problem(f"{where}.tier", f"the scenario has no {key[1]} {key[2]} offer")
                )
            continue
        number_given = isinstance(count, int | float) and not isinstance(count, bool)
        if not number_given or not math.isfinite(count) or count < 0:
            problems.append(
                Problem(f"{where}.count", f"must be a number of 0 or more, got {count!r}")
            )
            continue
        if key in seen:
            problems.append(Problem(where, f"repeats allocation[{seen[key]}]"))
            continue
        seen[key] = number
        counts[position[key]] = float(count)
    if problems:
        raise ScenarioError(source, problems)
    return counts
