"""Saturation fills segment 1 first, even where a rule would gain from the weaker segments.

Section 4 of the format: the j-th influencer of a cell falls in segment i when
`up_to[i-1] < j <= up_to[i]`. A linear model that only bounds each segment's width lets the
solver fill a later (weaker) segment first whenever a rule prefers fewer outcomes per
influencer: a cap on a cell's conversions, or a minimum share of reach that the cell's reach
counts against. Each case below is checked against brute force over every whole count,
with outcomes computed by hand (`plan_checks`), on both solvers; the comments give the hand
enumeration and what a model without the fill order would wrongly reach.
"""

from __future__ import annotations

from typing import Any

import pytest
from plan_checks import brute_force, check_plan, plan_counts

import optimizer
from optimizer import Scenario, scenario_from_dict

SOLVERS = ["highs", "cbc"]
TWO_STEPS = [{"up_to": 2, "factor": 1.0}, {"factor": 0.5}]


def offer(conversions: float, reach: float = 1_000, **extra: Any) -> dict[str, Any]:
    """$1,000 a post, 1,000 engagements, `conversions` and `reach` per post."""
    return {
        "followers": 10_000,
        "cost_per_post": 1_000,
        "engagement_rate": 0.1,
        "conversion_rate": conversions / 1000,
        "reach_rate": reach / 10_000,
        **extra,
    }


def scenario(platforms: dict[str, dict[str, Any]], **extra: Any) -> Scenario:
    """One quarter, one micro offer per platform, $10,000 unless `budget` says otherwise."""
    data = {
        "name": "saturation order",
        "periods": ["Q1"],
        "budget": {"total": 10_000},
        "platforms": {name: {"tiers": {"micro": o}} for name, o in platforms.items()},
        **extra,
    }
    return scenario_from_dict(data)


def by_platform(counts: dict[tuple[str, str, str], float]) -> dict[str, float]:
    return {key[1]: n for key, n in counts.items() if n > 0}


def solve_and_compare(data: Scenario, solver: str, most: int, expected: float) -> Any:
    """Solve, check the plan by hand, and compare its optimum with brute force and `expected`."""
    best, winners = brute_force(data, most)
    assert best == pytest.approx(expected), "the hand-worked optimum disagrees with brute force"
    plan = optimizer.solve(data, solver=solver, gap=0.0)
    assert plan.status == "optimal"
    assert check_plan(data, plan) == []
    assert plan.objective == pytest.approx(expected)
    assert plan_counts(plan) in [{k: n for k, n in w.items() if n > 0} for w in winners]
    return plan


@pytest.fixture(params=SOLVERS)
def solver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# A yields 50 a post, unsaturated; B yields 30 for its first two posts, 15 after. A may be at
# most half of the influencers, and B at most 60 conversions.
CAPPED = {
    "platforms": {"a": offer(50), "b": offer(30, saturation=TWO_STEPS)},
    "rules": {
        "shares": [{"name": "a-half", "select": {"platforms": ["a"]}, "of": "count", "max": 0.5}],
        "limits": [{"name": "b-cap", "select": {"platforms": ["b"]}, "conversions": {"max": 60}}],
    },
}


def test_cap_on_conversions_cannot_use_the_weak_segment(solver: str) -> None:
    # B's conversions are 30n up to n = 2, then 60 + 15(n - 2): the cap of 60 allows n_B <= 2,
    # and A <= B, so 2 A + 2 B = 100 + 60 = 160. Filling B's weak segment first, 4 B would
    # yield 4 x 15 = 60 and allow 4 A: 200 + 60 = 260, which the format forbids.
    data = scenario(CAPPED["platforms"], rules=CAPPED["rules"])
    plan = solve_and_compare(data, solver, 10, 160)
    assert by_platform(plan_counts(plan)) == {"a": 2, "b": 2}


def test_cap_on_conversions_with_fractional_counts(solver: str) -> None:
    # The same with real counts: B's conversions exceed 60 as soon as n_B > 2, so still
    # n_A <= n_B <= 2 and 160; without the fill order the linear program reaches 260.
    data = scenario(CAPPED["platforms"], rules=CAPPED["rules"], integer=False)
    plan = optimizer.solve(data, solver=solver, gap=0.0)
    assert plan.status == "optimal"
    assert check_plan(data, plan) == []
    assert plan.objective == pytest.approx(160, rel=1e-7)
    assert by_platform(plan_counts(plan)) == pytest.approx({"a": 2, "b": 2})


def test_minimum_share_of_reach_cannot_use_the_weak_segment(solver: str) -> None:
    # A: 40 conversions, reach 100. B: 30 conversions, reach 1,000, the 3rd post on at 0.2.
    # D: 1 conversion, no reach. B and D take at least half the spend; A at least 30% of
    # reach: 0.7 x 100 n_A >= 0.3 x 1,000 e_B, so B's weighted count e_B <= 7/30 n_A.
    #   n_A = 5: e_B <= 1.17, so n_B = 1 and n_D = 4: 200 + 30 + 4 = 234   <- best
    #   n_A = 6: n_B <= 1, yet n_B + n_D >= 6 breaks the budget.
    # Filling B's weak segment first, 2 B could weigh 1.17 (35 conversions) with 3 D: 238.
    platforms = {
        "a": offer(40, reach=100),
        "b": offer(30, saturation=[{"up_to": 2, "factor": 1.0}, {"factor": 0.2}]),
        "d": offer(1, reach=0),
    }
    rules = {
        "shares": [
            {"name": "b-d-spend", "select": {"platforms": ["b", "d"]}, "min": 0.5},
            {"name": "a-reach", "select": {"platforms": ["a"]}, "of": "reach", "min": 0.3},
        ]
    }
    plan = solve_and_compare(scenario(platforms, rules=rules), solver, 10, 234)
    assert by_platform(plan_counts(plan)) == {"a": 5, "b": 1, "d": 4}


def test_minimum_count_with_a_conversion_cap_is_infeasible(solver: str) -> None:
    # At least 5 B (offer min) and at most 100 B conversions: 5 B yield 60 + 3 x 15 = 105,
    # more B yield more, so no plan exists. Weak segment first, 5 B would yield 75.
    platforms = {"a": offer(50), "b": offer(30, min=5, saturation=TWO_STEPS)}
    rules = {
        "limits": [{"name": "b-cap", "select": {"platforms": ["b"]}, "conversions": {"max": 100}}]
    }
    data = scenario(platforms, rules=rules)
    assert brute_force(data, 10) == (None, [])
    assert optimizer.solve(data, solver=solver).status == "infeasible"


# Influencers 1-2 yield 1.0, 3-5 yield 0.5, 6 on 0.25: 30 conversions at full weight.
THREE_STEPS = [{"up_to": 2, "factor": 1.0}, {"up_to": 5, "factor": 0.5}, {"factor": 0.25}]


def by_hand(n: int) -> float:
    """Conversions of n influencers; the j-th is in segment i when up_to[i-1] < j <= up_to[i]."""
    return 30 * min(n, 2) + 15 * min(max(n - 2, 0), 3) + 7.5 * max(n - 5, 0)


@pytest.mark.parametrize("n", range(8))
def test_segment_boundaries(solver: str, n: int) -> None:
    # At least n influencers (pool n + 5) at least cost, and a cap on their conversions: the
    # cap at the hand-computed figure allows exactly n; half a conversion below it nothing
    # (n >= 1), since every further influencer only adds conversions.
    micro = offer(30, min=n, available=n + 5, saturation=THREE_STEPS)

    def capped(cap: float) -> Scenario:
        limit = {"name": "cap", "conversions": {"max": cap}}
        return scenario(
            {"b": micro}, budget={}, objective={"minimize": "spend"}, rules={"limits": [limit]}
        )

    plan = optimizer.solve(capped(by_hand(n)), solver=solver)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(1_000 * n)
    assert plan.totals["conversions"] == pytest.approx(by_hand(n))
    assert check_plan(capped(by_hand(n)), plan) == []
    if n:
        assert optimizer.solve(capped(by_hand(n) - 0.5), solver=solver).status == "infeasible"


def test_least_spend_for_a_target_from_a_saturated_cell(solver: str) -> None:
    # At least 100 conversions from B alone: 60 + 15(n - 2) >= 100 needs n = 5: $5,000.
    # (Unsaturated, 4 posts would do.)
    data = scenario(
        {"b": offer(30, saturation=TWO_STEPS)},
        budget={},
        objective={"minimize": "spend"},
        rules={"limits": [{"name": "target", "conversions": {"min": 100}}]},
    )
    plan = solve_and_compare(data, solver, 8, 5_000)
    assert by_platform(plan_counts(plan)) == {"b": 5}


def test_profit_stops_where_a_segment_stops_paying(solver: str) -> None:
    # $50 a conversion: a full-weight post earns $1,500 for $1,000, a half-weight one $750.
    # So 2 posts: profit 2 x 500 = 1,000, whatever the budget.
    data = scenario(
        {"b": offer(30, saturation=TWO_STEPS)},
        objective="profit",
        average_order_value=50,
    )
    plan = solve_and_compare(data, solver, 10, 1_000)
    assert by_platform(plan_counts(plan)) == {"b": 2}


def test_offer_saturation_overrides_the_scenario_list(solver: str) -> None:
    # The scenario's list (2 at full weight, then 0.5) applies to A; B's own list (one full
    # segment) overrides it. Least spend for 120 conversions, every post $1,000, so fewest
    # posts. Best marginal posts: A 30, A 30, then B 20 each, then A 15 each:
    #   4 posts: 30 + 30 + 20 + 20 = 100;  5 posts: 2 A + 3 B = 120   <- $5,000
    # Were B saturated too, 5 posts would give 115; were A not, 4 A would give 120.
    data = scenario(
        {"a": offer(30), "b": offer(20, saturation=[{"factor": 1.0}])},
        budget={},
        saturation=TWO_STEPS,
        objective={"minimize": "spend"},
        rules={"limits": [{"name": "target", "conversions": {"min": 120}}]},
    )
    plan = solve_and_compare(data, solver, 8, 5_000)
    assert by_platform(plan_counts(plan)) == {"a": 2, "b": 3}
