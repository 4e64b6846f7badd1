"""A 40-point budget sweep: the `sweep` command's way against the naive way, in one run.

The naive way rebuilds the scenario at each budget as a PuLP model and solves it from
scratch with CBC at the same gap; the scratch way solves each point with `optimizer.solve`
(our model built and solved cold, one point after another), which isolates what reusing the
model and warm-starting buy. The fast way builds the model once and re-solves it in
one HiGHS instance with the budget row changed, warm-started from the previous point.
Both must give the same objective at every point, within the gap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from naive import solve_naive

from optimizer import load_scenario, scenario_from_dict, solve, sweep
from optimizer.analysis.sweep import parse_range, scenario_data, with_value

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["ecommerce-dtc", "b2b-saas", "saturation"]
# 40 points from half to two and a half times the scenario's budget.
POINTS = 40
GAP = 1e-4


def budgets_for(total: float) -> list[float]:
    step = 2 * total / (POINTS - 1)
    return parse_range(f"{total / 2}:{total / 2 + step * (POINTS - 1) + 1e-6}:{step}")


def point_by_point(
    path: Path, budgets: list[float], solve_one: Callable[..., Any]
) -> tuple[list[float | None], float]:
    """Each budget solved on its own by `solve_one(scenario, gap=...)`: objectives, seconds."""
    data = scenario_data(load_scenario(path))
    started = time.perf_counter()
    objectives = [
        solve_one(scenario_from_dict(with_value(data, "budget.total", budget)), gap=GAP).objective
        for budget in budgets
    ]
    return objectives, time.perf_counter() - started


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", SCENARIOS)
def test_budget_sweep(benchmark, name: str, workers: int) -> None:
    path = ROOT / "scenarios" / f"{name}.yaml"
    scenario = load_scenario(path)
    assert scenario.budget.total is not None
    budgets = budgets_for(scenario.budget.total)
    assert len(budgets) == POINTS

    result = benchmark.pedantic(
        sweep, args=(scenario, budgets), kwargs={"gap": GAP, "workers": workers}, rounds=1
    )
    fast_seconds = benchmark.stats.stats.mean
    naive, naive_seconds = point_by_point(path, budgets, solve_naive)
    scratch, scratch_seconds = point_by_point(path, budgets, solve)

    fast = result.points["objective"].tolist()
    for budget, ours, theirs, cold in zip(budgets, fast, naive, scratch, strict=True):
        assert theirs is not None, f"naive found no plan at {budget}"
        assert ours == pytest.approx(theirs, rel=2 * GAP, abs=1e-6), f"budget {budget}"
        assert ours == pytest.approx(cold, rel=2 * GAP, abs=1e-6), f"budget {budget}"
    benchmark.extra_info.update(
        points=POINTS,
        naive_seconds=round(naive_seconds, 3),
        fast_seconds=round(fast_seconds, 3),
        speedup=round(naive_seconds / fast_seconds, 2),
        scratch_seconds=round(scratch_seconds, 3),
        speedup_over_scratch=round(scratch_seconds / fast_seconds, 2),
    )
