"""Every shipped scenario: both solvers agree, plans keep every rule, the JSON is section 7.

The optimum is also compared with the straightforward PuLP formulation of the benchmarks
(`benchmarks/naive.py`), written apart from the package's array model.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pytest
from benchmark_modules import benchmark_module
from plan_checks import check_plan

import optimizer

ROOT = Path(__file__).resolve().parent.parent
# Scenarios planned over uncertain draws (section 8) have other objectives and optima than
# the v1 formulations compared here; tests/test_uncertainty.py checks them. Rosters of named
# creators (section 9) are not v1 cells either; tests/test_roster.py checks them.
SCENARIOS = [
    path
    for path in sorted((ROOT / "scenarios").glob("*.yaml"))
    if "\nuncertainty:" not in (text := path.read_text(encoding="utf-8"))
    and "\nroster:" not in text
]
SOLVERS = ("highs", "cbc")
GAP = 1e-4  # the solvers' default relative MIP gap
SLACK = 1e-6  # absolute slack on top of the gap, for objectives near zero

RESULT_KEYS = {"scenario", "status", "objective", "totals", "allocation", "rules", "solver"}
OPTIONAL_KEYS = {"skipped_rules", "conflicts", "explanation", "notes"}
FIGURES = {"count", "spend", "reach", "engagements", "conversions", "revenue"}


@functools.cache
def scenario(path: Path) -> optimizer.Scenario:
    return optimizer.load_scenario(path)


@functools.cache
def plan(path: Path, solver: str) -> optimizer.Plan:
    return optimizer.solve(scenario(path), solver=solver, gap=GAP)


def within_gap(a: float, b: float) -> bool:
    return abs(a - b) <= GAP * max(abs(a), abs(b)) + SLACK


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 5


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_plan_keeps_every_rule(path: Path, solver: str) -> None:
    result = plan(path, solver)
    assert result.status == "optimal"
    assert check_plan(scenario(path), result) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_solvers_and_naive_formulation_agree(path: Path) -> None:
    highs, cbc = plan(path, "highs"), plan(path, "cbc")
    assert highs.objective is not None and cbc.objective is not None
    assert within_gap(highs.objective, cbc.objective), (highs.objective, cbc.objective)
    naive = benchmark_module("naive").solve_naive(scenario(path), gap=GAP)
    assert naive.status == "optimal"
    assert within_gap(highs.objective, naive.objective), (highs.objective, naive.objective)
    # Each plan's proven bound lies on the far side of the other formulation's plan.
    for result in (highs, cbc):
        assert result.bound is not None and result.gap is not None
        assert result.gap <= GAP + 1e-9
        if result.sense == "maximize":
            assert naive.objective <= result.bound + GAP * abs(result.bound) + SLACK
        else:
            assert naive.objective >= result.bound - GAP * abs(result.bound) - SLACK


# Every shipped scenario as it is, and e-commerce (the one with an order value) for profit.
BOUND_CASES = [(path, None) for path in SCENARIOS] + [
    (path, "profit") for path in SCENARIOS if path.stem == "ecommerce-dtc"
]


@pytest.mark.parametrize(
    ("path", "objective"), BOUND_CASES, ids=lambda case: getattr(case, "stem", str(case))
)
def test_the_bound_cbc_logs_rounded_is_still_a_bound(path: Path, objective: str | None) -> None:
    """CBC's log prints six significant digits: `Bound: 4653.06` for a plan of 4653.0625
    read as a bound below the plan, and `Bound: 128657` for 128657.2 was thrown away."""
    chosen = scenario(path)
    if objective is not None:
        chosen = optimizer.scenario_from_dict(
            {**chosen.model_dump(mode="json"), "objective": objective}
        )
    result = optimizer.solve(chosen, solver="cbc")
    assert result.status == "optimal" and result.objective is not None
    # the bound is widened by its rounding, at most 5e-6 of it (six significant digits)
    assert result.bound is not None and result.gap is not None and result.gap <= GAP + 5.1e-6
    if result.sense == "maximize":
        assert result.bound >= result.objective
    else:
        assert result.bound <= result.objective


def test_a_logged_bound_is_read_with_the_rounding_of_its_digits() -> None:
    from optimizer.solvers.pulp_backend import _bound_from_log

    assert _bound_from_log("Obj: 128657   Bound: 128657   Gap: 0.00%") == (128657.0, 0.5)
    assert _bound_from_log("Bound: 12.5") == (12.5, pytest.approx(5e-5))
    assert _bound_from_log("Best possible: 4653.0625123") == (4653.0625123, pytest.approx(5e-8))
    assert _bound_from_log("Bound: -3.5e+08") == (-3.5e8, pytest.approx(500.0))
    assert _bound_from_log("Bound: 0") == (0.0, 0.0)
    assert _bound_from_log("no bound here") is None


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_json_result_is_section_7(path: Path) -> None:
    result = plan(path, "highs")
    data = result.to_dict()
    assert RESULT_KEYS <= set(data) <= RESULT_KEYS | OPTIONAL_KEYS
    assert data["scenario"] == scenario(path).name
    assert data["status"] == "optimal"
    assert set(data["objective"]) == {"sense", "metric", "value", "bound", "gap"}
    assert data["objective"]["value"] == pytest.approx(result.objective)
    assert set(data["totals"]) == FIGURES
    assert {"name", "seconds"} <= set(data["solver"])
    assert data["solver"]["name"] == "highs"
    for row in data["allocation"]:
        assert set(row) == {"period", "platform", "tier"} | FIGURES
        assert row["count"] > 0
        assert isinstance(row["count"], int)
    for rule in data["rules"]:
        assert {"name", "kind", "value", "min", "max", "binding"} <= set(rule)
        assert rule["kind"] in {"budget", "share", "limit"}
    # The allocation adds up to the totals (figures are rounded to 6 decimals).
    for figure in FIGURES:
        summed = sum(row[figure] for row in data["allocation"])
        assert math.isclose(summed, data["totals"][figure], rel_tol=1e-9, abs_tol=1e-4)
    assert json.loads(result.to_json()) == data


@pytest.mark.parametrize("solver", SOLVERS)
def test_shipped_infeasible_example_has_no_plan(solver: str) -> None:
    path = ROOT / "scenarios" / "infeasible" / "holiday-push.yaml"
    result = optimizer.solve(optimizer.load_scenario(path), solver=solver)
    assert result.status == "infeasible"
    assert not result.has_plan
