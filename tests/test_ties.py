"""The tie-break: among plans as good as the optimum within the gap, an even one over periods.

Identical quarters make every way of placing the same posts across them a tie, so the
solver's first plan is an accident of its search; the tie-break must keep the objective
within the gap of the bound and never return a plan less even than that first one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from plan_checks import check_plan

import optimizer
from optimizer import scenario_from_dict

SOLVERS = ["highs", "cbc"]


def identical_quarters(tie_break: str, gap: float = 0.0, **extra: Any) -> optimizer.Scenario:
    """Four identical quarters, one offer: only the split of posts over quarters varies."""
    data: dict[str, Any] = {
        "name": "identical quarters",
        "budget": {"total": 40_000},
        "objective": "conversions",
        "platforms": {
            "tiktok": {
                "tiers": {
                    "micro": {
                        "followers": 20_000,
                        "cost_per_post": 1_000,
                        "engagement_rate": 0.05,
                        "conversion_rate": 0.02,
                        "available": 40,
                    }
                }
            }
        },
        "solver": {"gap": gap, "tie_break": tie_break},
        **extra,
    }
    return scenario_from_dict(data)


def period_spends(plan: optimizer.Plan) -> np.ndarray:
    by_period = plan.allocation.groupby(level="period")["spend"].sum()
    return by_period.reindex(plan.scenario.periods, fill_value=0.0).to_numpy()


@pytest.mark.parametrize("solver", SOLVERS)
def test_identical_quarters_get_equal_spend(solver: str) -> None:
    plan = optimizer.solve(identical_quarters("spread"), solver=solver)
    assert plan.status == "optimal"
    assert check_plan(plan.scenario, plan) == []
    assert plan.objective == pytest.approx(40 * 20_000 * 0.05 * 0.02)
    np.testing.assert_allclose(period_spends(plan), [10_000] * 4)


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_tie_break_never_costs_more_than_the_gap(solver: str) -> None:
    for name in ("consumer-app", "70-20-10-seasonal", "csv-rate-card", "min-spend-target"):
        scenario = optimizer.load_scenario(f"scenarios/{name}.yaml")
        plan = optimizer.solve(scenario, solver=solver)
        first = optimizer.solve(
            scenario.model_copy(
                update={"solver": scenario.solver.model_copy(update={"tie_break": "none"})}
            ),
            solver=solver,
        )
        assert plan.tie_break is not None and first.tie_break is None
        assert check_plan(scenario, plan) == []
        bound = first.bound if first.bound is not None else first.objective
        assert plan.objective is not None and bound is not None
        assert abs(bound - plan.objective) <= scenario.solver.gap * abs(plan.objective) + 1e-6
        # never less even than the solver's first plan
        assert np.ptp(period_spends(plan)) <= np.ptp(period_spends(first)) + 1e-6


def test_the_result_says_whether_ties_moved_the_plan() -> None:
    first = optimizer.solve(identical_quarters("none"))
    tie_break = optimizer.solve(identical_quarters("spread")).to_dict()["solver"]["tie_break"]
    assert tie_break["rule"] == "spread"
    # the solver's first plan was already even exactly when the tie-break moved nothing
    assert tie_break["moved"] == bool(np.ptp(period_spends(first)) > 1e-6)
    assert "tie_break" not in first.to_dict()["solver"]


def test_one_period_needs_no_tie_break() -> None:
    plan = optimizer.solve(identical_quarters("spread", periods=["2026"]))
    assert plan.tie_break is None


def test_an_unknown_tie_break_is_refused() -> None:
    with pytest.raises(optimizer.ScenarioError, match="tie_break"):
        identical_quarters("evenly")
