"""Uncertainty (section 8 of the format): draws, the risk model, results and `simulate`.

Optima are checked against brute force over every integer plan of tiny scenarios, with the
outcomes of each plan computed here cell by cell, not by the package's own evaluation.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from optimizer import ScenarioError, scenario_from_dict, solve
from optimizer.cli import app
from optimizer.model.cells import derive_cells
from optimizer.model.linear import build_model
from optimizer.scenario.loading import load_scenario
from optimizer.uncertainty.chance import least_spend_bound
from optimizer.uncertainty.draws import Draws, scenario_draws
from optimizer.uncertainty.model import effective_terms
from optimizer.uncertainty.outcomes import cvar, evaluate
from optimizer.uncertainty.simulate import simulate

SOLVERS = ["highs", "cbc"]


def tiny(**extra: Any) -> dict[str, Any]:
    """One quarter, two offers of at most 3 creators, a saturated second half, $3,000."""
    data: dict[str, Any] = {
        "name": "tiny",
        "periods": ["Q1"],
        "budget": {"total": 3000},
        "saturation": [{"up_to": 2, "factor": 1.0}, {"factor": 0.5}],
        "platforms": {
            # 1,000 engagements a post; conversions 10-50 a post (midpoint 30)
            "tt": {
                "tiers": {
                    "micro": {
                        "followers": 10_000,
                        "cost_per_post": [400, 800],
                        "engagement_rate": 0.1,
                        "conversion_rate": [0.01, 0.05],
                        "available": 3,
                    }
                }
            },
            # steady: 25 conversions a post, cost 500-700 (midpoint 600)
            "ig": {
                "tiers": {
                    "micro": {
                        "followers": 10_000,
                        "cost_per_post": [500, 700],
                        "engagement_rate": 0.1,
                        "conversion_rate": 0.025,
                        "available": 3,
                    }
                }
            },
        },
        "uncertainty": {"draws": 40, "seed": 3},
    }
    data.update(extra)
    return data


def brute_outcomes(scenario: Any, draws: Draws, counts: tuple[float, ...]) -> dict[str, np.ndarray]:
    """Spend and conversions of a plan in each draw, cell by cell from the offers' midpoints."""
    n = draws.count
    spend, conversions = np.zeros(n), np.zeros(n)
    segments = scenario.saturation
    for cell, ((_, platform, tier), count) in enumerate(
        zip(derive_cells(scenario).keys, counts, strict=True)
    ):
        offer = scenario.platforms[platform].tiers[tier]
        mid = lambda v: (v[0] + v[1]) / 2 if isinstance(v, tuple) else v  # noqa: E731
        cost = mid(offer.cost_per_post)
        per_post = mid(offer.followers) * mid(offer.engagement_rate) * mid(offer.conversion_rate)
        effective, start = 0.0, 0
        for segment in segments:
            end = segment.up_to if segment.up_to is not None else math.inf
            effective += segment.factor * max(0.0, min(count, end) - start)
            start = end if segment.up_to is not None else start
        for s in range(n):
            spend[s] += count * cost * draws.multipliers[s, cell, 0]
            conversions[s] += effective * per_post * draws.multipliers[s, cell, 2]
    return {"spend": spend, "conversions": conversions}


def feasible_plans(scenario: Any) -> list[tuple[float, ...]]:
    """Every integer plan within the pools and the budget at point prices."""
    cells = derive_cells(scenario)
    cost = cells.column("cost")
    pools = [range(int(upper) + 1) for upper in cells.column("upper")]
    plans = []
    for counts in itertools.product(*pools):
        total = float(np.dot(counts, cost))
        if scenario.budget.total is None or total <= scenario.budget.total + 1e-6:
            plans.append(tuple(float(c) for c in counts))
    return plans


def worst_mean(values: np.ndarray, share: float) -> float:
    """Mean of the lowest share*N values (share*N whole in these tests)."""
    k = round(share * len(values))
    assert abs(k - share * len(values)) < 1e-9
    return float(np.sort(values)[:k].mean())


# --- draws -------------------------------------------------------------------------------


def test_draws_are_reproducible_for_a_seed_and_differ_for_another() -> None:
    scenario = scenario_from_dict(tiny())
    cells = derive_cells(scenario)
    settings = scenario.uncertainty
    first = scenario_draws(scenario, cells, settings).multipliers
    again = scenario_draws(scenario, cells, settings).multipliers
    other = scenario_draws(scenario, cells, settings, seed=4).multipliers
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)
    # a certain figure draws nothing: engagements are certain in every draw
    assert np.all(first[:, :, 1] == 1.0)


@pytest.mark.parametrize("shape", ["uniform", "triangular", "pert"])
def test_a_range_is_drawn_with_its_midpoint_as_mean(shape: str) -> None:
    data = tiny(uncertainty={"draws": 20_000, "shape": shape})
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    # tt cost 400-800: the multiplier is cost / 600 within [2/3, 4/3]
    cost = draws.multipliers[:, 0, 0]
    assert cost.min() >= 400 / 600 - 1e-12 and cost.max() <= 800 / 600 + 1e-12
    standard_error = cost.std() / math.sqrt(len(cost))
    assert abs(cost.mean() - 1.0) < 4 * standard_error
    # the shapes differ in spread: uniform widest, pert narrowest
    expected_sd = {
        "uniform": 1 / math.sqrt(12),
        "triangular": 1 / math.sqrt(24),
        "pert": 1 / math.sqrt(28),
    }
    assert cost.std() == pytest.approx(expected_sd[shape] * (400 / 600), rel=0.03)


def test_spread_makes_a_number_a_range() -> None:
    data = tiny(uncertainty={"draws": 5000, "spread": {"engagement_rate": 0.2}, "shape": "uniform"})
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    engagements = draws.multipliers[:, :, 1]
    assert engagements.min() >= 0.8 - 1e-12 and engagements.max() <= 1.2 + 1e-12
    assert engagements.max() - engagements.min() > 0.35
    # an engagement-rate draw moves conversions too, by the same factor (times the rate's)
    ig = 1  # ig's conversion rate is certain
    assert np.allclose(draws.multipliers[:, ig, 2], engagements[:, ig])


def test_cost_per_engagement_draws_move_engagements_inversely() -> None:
    data = tiny(uncertainty={"draws": 200, "spread": {"cost_per_engagement": 0.3}})
    offer = data["platforms"]["ig"]["tiers"]["micro"]
    del offer["engagement_rate"]
    offer["cost_per_engagement"] = 0.6
    offer["cost_per_post"] = 600  # certain, so engagements move with 1 / cost_per_engagement
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    cost, engagements = draws.multipliers[:, 1, 0], draws.multipliers[:, 1, 1]
    assert np.all(cost == 1.0)
    assert engagements.min() >= 1 / 1.3 - 1e-9 and engagements.max() <= 1 / 0.7 + 1e-9
    assert engagements.max() - engagements.min() > 0.4
    # a price drawn for tt's posts moves nothing of ig's
    assert np.allclose(draws.multipliers[:, 1, 2], engagements)


def test_per_1k_prices_move_with_followers() -> None:
    data = tiny(uncertainty={"draws": 300})
    offer = data["platforms"]["tt"]["tiers"]["micro"]
    del offer["cost_per_post"]
    offer["cost_per_1k_followers"] = 60
    offer["followers"] = [5_000, 15_000]
    scenario = scenario_from_dict(data)
    m = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty).multipliers
    followers = m[:, 0, 3]  # reach moves with followers alone (reach_rate is certain)
    assert np.allclose(m[:, 0, 0], followers)  # cost = price per 1k x followers
    assert np.allclose(m[:, 0, 1], followers)  # engagements = followers x rate


def test_draws_are_shared_by_offer_across_periods_by_default() -> None:
    periods = ["Q1", "Q2", "Q3", "Q4"]
    shared = scenario_from_dict(tiny(periods=periods))
    cells = derive_cells(shared)
    keys = cells.keys
    q1 = keys.index(("Q1", "tt", "micro"))
    q4 = keys.index(("Q4", "tt", "micro"))
    m = scenario_draws(shared, cells, shared.uncertainty).multipliers
    assert np.array_equal(m[:, q1], m[:, q4])
    apart = scenario_from_dict(
        tiny(
            periods=periods,
            uncertainty={"draws": 2000, "shared_by": ["period", "platform", "tier"]},
        )
    )
    m = scenario_draws(apart, cells, apart.uncertainty).multipliers
    assert not np.allclose(m[:, q1, 0], m[:, q4, 0])
    assert abs(np.corrcoef(m[:, q1, 0], m[:, q4, 0])[0, 1]) < 0.1
    # shared by tier alone: tt and ig micro take the same quantile of their own ranges
    by_tier = scenario_from_dict(tiny(uncertainty={"draws": 50, "shared_by": ["tier"]}))
    m = scenario_draws(by_tier, derive_cells(by_tier), by_tier.uncertainty).multipliers
    tt_cost, ig_cost = 600 * m[:, 0, 0], 600 * m[:, 1, 0]
    assert np.allclose((tt_cost - 400) / 400, (ig_cost - 500) / 200)


def test_a_year_of_months_draws_in_well_under_a_second() -> None:
    months = [f"M{i:02d}" for i in range(1, 13)]
    platforms = {
        f"p{number}": {
            "tiers": {
                tier: {
                    "followers": [followers / 2, followers * 1.5],
                    "cost_per_1k_followers": [10, 30],
                    "engagement_rate": [0.02, 0.06],
                    "conversion_rate": 0.02,
                }
                for tier, followers in (
                    ("nano", 800),
                    ("micro", 3e4),
                    ("macro", 3e5),
                    ("mega", 2e6),
                )
            }
        }
        for number in range(8)
    }
    scenario = scenario_from_dict(
        {
            "name": "year",
            "periods": months,
            "budget": {"total": 1e6},
            "platforms": platforms,
            "uncertainty": {"spread": {"conversion_rate": 0.2}, "shape": "pert"},
        }
    )
    cells = derive_cells(scenario)
    started = time.perf_counter()
    draws = scenario_draws(scenario, cells, scenario.uncertainty)
    assert time.perf_counter() - started < 0.5
    assert draws.multipliers.shape == (1000, 12 * 8 * 4, 4)


# --- draws file --------------------------------------------------------------------------


def test_a_draws_file_gives_hand_computable_outcomes(tmp_path: Path) -> None:
    (tmp_path / "draws.csv").write_text(
        "draw,platform,tier,period,cost,conversions\n"
        "a,tt,micro,,1.0,0.5\n"
        "a,ig,micro,,1.1,1.0\n"
        "b,tt,micro,,,2.0\n"
        "c,tt,micro,,0.9,1.0\n"
        "c,tt,micro,Q2,,3.0\n"  # overrides Q2 only; its empty cost means 1
        "d,ig,micro,,,0\n"
    )
    data = tiny(periods=["Q1", "Q2"], uncertainty={"draws_file": "draws.csv"})
    (tmp_path / "s.json").write_text(json.dumps(data))
    scenario = load_scenario(tmp_path / "s.json")
    model = build_model(scenario)
    keys = model.cells.keys
    counts = np.zeros(len(keys))
    counts[keys.index(("Q1", "tt", "micro"))] = 1  # 30 conversions, $600
    counts[keys.index(("Q2", "tt", "micro"))] = 1  # 30 conversions, $600
    counts[keys.index(("Q1", "ig", "micro"))] = 2  # 50 conversions, $1,200
    draws = scenario_draws(scenario, model.cells, scenario.uncertainty)
    assert draws.count == 4 and draws.source == "file"
    result = evaluate(scenario, model.cells, model.constraints, counts, draws)
    # conversions: a 15+15+50=80, b 60+60+50=170, c 30+90+50=170, d 30+30+0=60
    # spend:       a 600+600+1320=2520, b 2400, c 540+600+1200=2340, d 2400
    conversions = np.array([80, 170, 170, 60.0])
    spend = np.array([2520, 2400, 2340, 2400.0])
    got = result.outcomes["conversions"]
    assert got["mean"] == pytest.approx(120)
    assert got["p10"] == pytest.approx(np.percentile(conversions, 10))  # 66
    assert got["p10"] == pytest.approx(66)
    assert got["p50"] == pytest.approx(125)
    assert got["p90"] == pytest.approx(170)
    # the worst 10% of 4 draws is 0.4 of the worst draw: its value
    assert got["cvar10"] == pytest.approx(60)
    assert result.outcomes["spend"]["mean"] == pytest.approx(spend.mean())
    assert result.outcomes["spend"]["cvar10"] == pytest.approx(2520)  # the highest
    assert result.over_budget is None or result.over_budget == 0.0  # none above $3,000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("draw,platform,tier,cost\n1,tt,micro,1\n1,tt,micro,2\n", "line 3: repeats line 2"),
        ("draw,platform,tier,cost\n1,tk,micro,1\n", "line 2: unknown platform 'tk'"),
        ("draw,platform,tier,cost\n1,tt,mega,1\n", "line 2: unknown tier 'mega' of platform 'tt'"),
        ("draw,platform,tier,period,cost\n1,tt,micro,Q7,1\n", "line 2: unknown period 'Q7'"),
        ("draw,platform,tier,cost\n1,tt,micro,cheap\n", "line 2: cost: must be a number"),
        ("draw,platform,tier,cost\n1,tt,micro,-0.5\n", "line 2: cost: must be a finite number"),
        ("draw,platform,tier,reach\n1,tt,micro,inf\n", "line 2: reach: must be a finite number"),
        ("draw,platform,tier,profit\n1,tt,micro,1\n", "column 'profit': unknown column"),
    ],
)
def test_draws_file_errors_name_the_file_and_row(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "d.csv").write_text(text)
    data = tiny(uncertainty={"draws_file": "d.csv"})
    (tmp_path / "s.json").write_text(json.dumps(data))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.json")
    assert caught.value.source.endswith("d.csv")
    assert any(message in str(problem) for problem in caught.value.problems), caught.value
    result = CliRunner().invoke(app, ["solve", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "d.csv" in result.output and message in result.output
    assert "Traceback" not in result.output


# --- the risk model ----------------------------------------------------------------------


def test_effective_terms_match_the_saturated_counts() -> None:
    scenario = scenario_from_dict(tiny(periods=["Q1", "Q2"]))
    model = build_model(scenario)
    plan = solve(scenario.model_copy(update={"uncertainty": None}))
    values = np.zeros(model.num_cols)
    counts = plan.counts
    values[model.count_columns] = counts
    # fill the segment columns in order, as a solved plan does
    cell, column, weight = effective_terms(model)
    cells = model.cells
    for c in range(len(cells)):
        mine = np.flatnonzero(cell == c)
        if len(mine) > 1:
            starts = cells.segment_column("start")[cells.segment_column("cell") == c]
            widths = cells.segment_column("width")[cells.segment_column("cell") == c]
            values[column[mine]] = np.clip(counts[c] - starts, 0, widths)
    effective = np.bincount(cell, weights=weight * values[column], minlength=len(cells))
    assert np.allclose(effective, cells.effective_counts(counts))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("alpha", "weight"), [(0.1, 1.0), (0.25, 0.5), (1.0, 1.0)])
def test_cvar_optimum_equals_brute_force(solver: str, alpha: float, weight: float) -> None:
    data = tiny(objective={"maximize": "conversions", "risk": {"cvar": alpha, "weight": weight}})
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    best = -math.inf
    for counts in feasible_plans(scenario):
        z = brute_outcomes(scenario, draws, counts)["conversions"]
        best = max(best, (1 - weight) * z.mean() + weight * worst_mean(z, alpha))
    plan = solve(scenario, solver=solver, gap=0)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best, rel=1e-6)
    z = brute_outcomes(scenario, draws, tuple(plan.counts))["conversions"]
    assert (1 - weight) * z.mean() + weight * worst_mean(z, alpha) == pytest.approx(best, rel=1e-6)
    assert plan.bound == pytest.approx(best, rel=1e-4)
    result = plan.to_dict()
    assert result["objective"]["value"] == pytest.approx(best, rel=1e-6)
    assert plan.totals["spend"] <= 3000 + 1e-6  # the budget holds at point prices


def test_the_risk_model_has_a_column_per_offer_and_a_row_per_draw_as_long_as_the_offers() -> None:
    from optimizer.uncertainty.model import RiskModels, risk_model, start_values, total_columns

    scenario = load_scenario("scenarios/uncertainty.yaml")  # 10 offers over 4 quarters
    model = build_model(scenario)
    draws = scenario_draws(scenario, model.cells, scenario.uncertainty)
    extended = risk_model(model, draws, scenario.objective.risk)
    blocks = {block.name: block for block in extended.blocks}
    offers = len({key[1:] for key in model.cells.keys})
    assert (offers, len(model.cells)) == (10, 40)
    totals, rows = blocks["uncertainty:total"], blocks["uncertainty:cvar"]
    assert totals.stop - totals.start == offers  # one total column (and its row) per offer
    assert rows.stop - rows.start == draws.count  # one row per draw
    lengths = np.diff(extended.rows.indptr)[rows.start : rows.stop]
    assert set(lengths.tolist()) == {offers + 2}  # its offers' totals, u_s and t
    assert extended.num_cols - model.num_cols == offers + draws.count + 1  # totals, u_s, t
    assert extended.num_rows - model.num_rows == offers + draws.count
    # a plan's group totals, read off the total rows, are those the model's start holds
    assert model.num_cols == len(model.cells)  # no saturation: a count column per cell
    plan = np.zeros(model.num_cols)
    upper = model.cells.column("upper")
    plan[model.count_columns] = np.where(np.isfinite(upper), np.floor(upper / 2), 3)
    totals = RiskModels(model, draws, scenario.objective.risk).plan_totals(plan)
    assert np.allclose(totals, start_values(extended, plan)[total_columns(model, extended)])


def _clustered_cvar(outcomes: np.ndarray, clusters: list[np.ndarray], share: float) -> float:
    """max over t of t - sum_k |k| max(0, t - mean_k) / (share N): CVaR of clustered draws,
    its maximum at one of the clusters' means."""
    means = np.array([outcomes[members].mean() for members in clusters])
    sizes = np.array([len(members) for members in clusters])
    k = share * len(outcomes)
    return max(t - float(sizes @ np.maximum(0.0, t - means)) / k for t in means)


@pytest.mark.parametrize("share", [0.1, 0.25, 0.037])
def test_clustered_draws_never_score_a_plan_low_and_score_it_exactly_once_split(
    share: float,
) -> None:
    from optimizer.uncertainty.clusters import first_clusters, split

    rng = np.random.default_rng(5)
    n = 200
    for _ in range(20):
        fitted = rng.normal(100, 15, n)  # the outcomes the clusters were made for
        outcomes = fitted + rng.normal(0, 8, n)  # another plan's
        clusters = first_clusters(fitted, share, singles=1.0)
        assert sorted(np.concatenate(clusters).tolist()) == list(range(n))
        assert _clustered_cvar(outcomes, clusters, share) >= cvar(outcomes, share) - 1e-9
        finer = split(clusters, outcomes, share)
        assert sorted(np.concatenate(finer).tolist()) == list(range(n))
        assert _clustered_cvar(outcomes, finer, share) == pytest.approx(cvar(outcomes, share))
        assert split(finer, outcomes, share) is finer  # nothing left to split


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_cvar_plan_on_clustered_draws_is_the_per_draw_models(solver: str) -> None:
    from optimizer.scenario.schema import Objective, Risk, Uncertainty
    from optimizer.solvers import SolveOptions
    from optimizer.uncertainty.solve import solve_uncertain

    scenario = load_scenario("scenarios/consumer-app.yaml")  # 10 offers over 4 quarters
    spread = {"conversion_rate": 0.25, "engagement_rate": 0.15}
    uncertainty = Uncertainty(draws=300, seed=7, shape="pert", spread=spread)
    objective = Objective(sense="maximize", metric="conversions", risk=Risk(cvar=0.05))
    scenario = scenario.model_copy(update={"objective": objective, "uncertainty": uncertainty})
    model = build_model(scenario)
    options = SolveOptions(time_limit=120, gap=1e-4)
    per_draw = solve_uncertain(scenario, model, "highs", options, cluster_draws=False)
    clustered = solve_uncertain(scenario, model, solver, options)
    assert per_draw.status == clustered.status == "optimal"
    assert clustered.bound_method == "clustered-draws"
    assert clustered.objective == pytest.approx(per_draw.objective, rel=1e-4)
    assert clustered.bound >= per_draw.objective * (1 - 1e-9)  # it bounds the full model
    assert clustered.gap <= 1e-4 * (1 + 1e-6)
    counts = tuple(clustered.counts)
    draws = scenario_draws(scenario, model.cells, scenario.uncertainty)
    revenue = evaluate(scenario, model.cells, model.constraints, np.array(counts), draws)
    assert revenue.objective == pytest.approx(clustered.objective, rel=1e-9)


def test_quantile_floors_hold_for_every_plan_reaching_the_target_often_enough() -> None:
    from optimizer.uncertainty.model import quantile_floors

    rng = np.random.default_rng(11)
    n, groups, needed = 120, 6, 100
    matrix = rng.uniform(0.5, 1.5, (n, groups)) * np.where(rng.random((n, groups)) < 0.1, 0, 1)
    candidates = np.ones(n, dtype=bool)
    floors = quantile_floors(matrix, 50.0, needed, candidates)
    assert (floors > 0).any() and (floors <= 50.0 * matrix.max() / 0.5).all()
    for _ in range(500):
        totals = rng.exponential(1.0, groups) * (rng.random(groups) < 0.7)
        outcomes = matrix @ totals
        if not outcomes.any():
            continue
        # scaled so that exactly `needed` draws reach 50
        totals *= 50.0 / np.sort(outcomes)[n - needed]
        outcomes = matrix @ totals
        assert (outcomes >= 50.0 - 1e-9).sum() >= needed
        assert (outcomes >= floors - 1e-9).all()


@pytest.mark.parametrize("solver", SOLVERS)
def test_profit_cvar_counts_cost_draws(solver: str) -> None:
    data = tiny(
        objective={"maximize": "profit", "risk": {"cvar": 0.2}},
        average_order_value=30,
    )
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    best = -math.inf
    for counts in feasible_plans(scenario):
        out = brute_outcomes(scenario, draws, counts)
        best = max(best, worst_mean(out["conversions"] * 30 - out["spend"], 0.2))
    plan = solve(scenario, solver=solver, gap=0)
    assert plan.objective == pytest.approx(best, rel=1e-6, abs=1e-6)


def test_weight_zero_equals_expected() -> None:
    mixed = solve(
        scenario_from_dict(
            tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.1, "weight": 0}})
        ),
        gap=0,
    )
    expected = solve(
        scenario_from_dict(tiny(objective={"maximize": "conversions", "risk": "expected"})), gap=0
    )
    plain = solve(scenario_from_dict(tiny()), gap=0)  # risk defaults to expected
    assert mixed.objective == pytest.approx(expected.objective, rel=1e-9)
    assert plain.objective == pytest.approx(expected.objective, rel=1e-9)
    scenario = scenario_from_dict(tiny())
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    best = max(
        brute_outcomes(scenario, draws, counts)["conversions"].mean()
        for counts in feasible_plans(scenario)
    )
    assert expected.objective == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("solver", SOLVERS)
# 0.99 of 40 draws is all of them
@pytest.mark.parametrize(("goal", "probability"), [(100, 0.9), (130, 0.5), (100, 0.99)])
def test_chance_target_equals_brute_force(solver: str, goal: float, probability: float) -> None:
    data = tiny(
        objective={
            "minimize": "spend",
            "target": {"conversions": goal, "probability": probability},
        },
        budget={"total": 3000},
    )
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    cost = derive_cells(scenario).column("cost")
    needed = math.ceil(probability * draws.count - 1e-9)
    best = math.inf
    for counts in feasible_plans(scenario):
        z = brute_outcomes(scenario, draws, counts)["conversions"]
        if int((z >= goal - 1e-9).sum()) >= needed:
            best = min(best, float(np.dot(counts, cost)))
    plan = solve(scenario, solver=solver, gap=0)
    if math.isinf(best):
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best)
    least = least_spend_bound(build_model(scenario), draws, scenario.objective.target)
    assert least is None or least <= best + 1e-6  # a bound, never above the optimum
    z = brute_outcomes(scenario, draws, tuple(plan.counts))["conversions"]
    assert (z >= goal - 1e-6).sum() >= needed
    reached = plan.to_dict()["uncertainty"]["targets"][0]
    assert reached["probability"] >= probability - 1e-9 and reached["met"]


def test_midpoint_plan_is_the_v1_plan_on_the_same_draws() -> None:
    data = tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.25}})
    scenario = scenario_from_dict(data)
    plan = solve(scenario, gap=0)
    v1 = solve(scenario_from_dict({**tiny(), "uncertainty": None}), gap=0)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    z = brute_outcomes(scenario, draws, tuple(v1.counts))
    midpoint = plan.to_dict()["uncertainty"]["midpoint_plan"]
    assert midpoint["objective"] == pytest.approx(worst_mean(z["conversions"], 0.25), rel=1e-6)
    for metric in ("spend", "conversions"):
        assert midpoint["outcomes"][metric]["mean"] == pytest.approx(z[metric].mean(), rel=1e-6)
        assert midpoint["outcomes"][metric]["p90"] == pytest.approx(
            np.percentile(z[metric], 90), rel=1e-6
        )
    # the risk plan is never worse on the measure it optimises
    assert plan.objective >= midpoint["objective"] - 1e-6


@pytest.mark.parametrize(
    "objective",
    [
        {"maximize": "conversions", "risk": {"cvar": 0.25}},
        {"minimize": "spend", "target": {"conversions": 100, "probability": 0.9}},
    ],
)
def test_the_first_answer_is_the_midpoint_plan_judged_on_the_draws(
    objective: dict[str, Any],
) -> None:
    from optimizer.solvers import SolveOptions
    from optimizer.uncertainty.solve import FIRST_ANSWER_NOTE, midpoint_first_answer

    scenario = scenario_from_dict(tiny(objective=objective))
    model = build_model(scenario)
    first = midpoint_first_answer(scenario, model, "highs", SolveOptions(time_limit=10, gap=0))
    assert first is not None
    whole = solve(scenario, gap=0)
    midpoint = whole.to_dict()["uncertainty"]["midpoint_plan"]
    # the plan the whole solve compares with, judged on the same draws, and not proven
    assert first.status == "feasible" and first.bound is None and first.gap is None
    assert first.objective == pytest.approx(midpoint["objective"], rel=1e-6)
    report = first.to_dict()["uncertainty"]
    assert report["draws"] == 40 and report["objective"] == pytest.approx(first.objective)
    assert report["midpoint_plan"]["objective"] == pytest.approx(first.objective)
    assert FIRST_ANSWER_NOTE in first.notes
    if scenario.objective.target is None:
        # the risk plan is never worse on the measure it optimises
        assert whole.objective >= first.objective - 1e-6
    else:
        # the least spend reaching the target at midpoints: the report says how often it
        # reaches it on the draws, here less often than asked, as the whole solve must
        reached = report["targets"][0]
        assert reached["probability"] < 0.9 and not reached["met"]
        assert whole.to_dict()["uncertainty"]["targets"][0]["met"]


def test_result_json_has_the_uncertainty_object() -> None:
    data = tiny(objective={"maximize": "revenue", "risk": {"cvar": 0.1}}, average_order_value=20)
    result = solve(scenario_from_dict(data)).to_dict()
    uncertainty = result["uncertainty"]
    assert uncertainty["draws"] == 40 and uncertainty["seed"] == 3
    assert uncertainty["source"] == "generated"
    assert set(uncertainty["outcomes"]) == {
        "spend",
        "reach",
        "engagements",
        "conversions",
        "revenue",
        "profit",
    }
    for figures in uncertainty["outcomes"].values():
        assert set(figures) == {"mean", "p10", "p50", "p90", "cvar10"}
        assert figures["p10"] <= figures["p50"] <= figures["p90"]
    assert set(uncertainty["midpoint_plan"]) >= {"objective", "outcomes"}
    assert uncertainty["out_of_sample"]["seed"] == 4
    assert uncertainty["out_of_sample"]["draws"] == 40
    assert 0 <= uncertainty["probability_over_budget"] <= 1  # costs vary
    assert result["objective"]["value"] == pytest.approx(uncertainty["objective"])
    # revenue's cvar10 is the mean of the worst 4 draws
    assert uncertainty["outcomes"]["revenue"]["cvar10"] == pytest.approx(
        result["objective"]["value"], rel=1e-6
    )


def test_cvar_summary_takes_a_fraction_of_a_draw() -> None:
    values = np.array([5.0, 1.0, 3.0, 2.0, 4.0])
    assert cvar(values, 0.4) == pytest.approx(1.5)  # two whole draws
    assert cvar(values, 0.3) == pytest.approx((1 + 0.5 * 2) / 1.5)  # one and a half


def test_a_scenario_without_uncertainty_is_solved_as_v1() -> None:
    data = tiny()
    del data["uncertainty"]
    result = solve(scenario_from_dict(data)).to_dict()
    assert "uncertainty" not in result
    # certain figures under draws: every multiplier is 1, so the expected optimum is v1's
    certain = tiny(uncertainty={"draws": 5})
    for offer in certain["platforms"].values():
        for figures in offer["tiers"].values():
            figures["cost_per_post"] = 600
            figures["conversion_rate"] = 0.025
    del data["platforms"]
    v1 = solve(scenario_from_dict({**certain, "uncertainty": None}), gap=0)
    drawn = solve(scenario_from_dict(certain), gap=0)
    assert drawn.objective == pytest.approx(v1.objective)
    assert drawn.to_dict()["uncertainty"]["outcomes"]["conversions"]["p10"] == pytest.approx(
        v1.totals["conversions"]
    )


@pytest.mark.parametrize(
    ("objective", "path", "message"),
    [
        ({"maximize": "conversions", "risk": {"cvar": 0}}, "objective.risk.cvar", "greater than 0"),
        (
            {"maximize": "conversions", "risk": {"cvar": 0.1, "weight": 2}},
            "objective.risk.weight",
            "less than or equal to 1",
        ),
        ({"maximize": "conversions", "risk": "worst"}, "objective.risk", "must be expected"),
        ({"minimize": "spend", "target": {"conversions": 10}}, "objective.target", "probability"),
        (
            {"minimize": "spend", "target": {"conversions": 10, "probability": 0}},
            "objective.target.probability",
            "greater than 0",
        ),
        (
            {"minimize": "spend", "target": {"likes": 10, "probability": 0.5}},
            "objective.target",
            "metrics",
        ),
        ({"maximize": "conversions", "target": 5}, "objective", "unknown key 'target'"),
    ],
)
def test_objective_errors_name_the_field(objective: Any, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(tiny(objective=objective))
    problems = caught.value.problems
    assert any(p.path == path and message in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("uncertainty", "path", "message"),
    [
        ({"draws": 0}, "uncertainty.draws", "greater than or equal to 1"),
        ({"draws": 2.5}, "uncertainty.draws", "whole number"),
        ({"shape": "normal"}, "uncertainty.shape", "'uniform', 'triangular' or 'pert'"),
        ({"shared_by": ["quarter"]}, "uncertainty.shared_by[0]", "'period', 'platform' or 'tier'"),
        ({"spread": {"followers": 1.5}}, "uncertainty.spread.followers", "less than 1"),
        ({"spread": {"likes": 0.1}}, "uncertainty.spread", "unknown figure 'likes'"),
        ({"draw": 10}, "uncertainty.draw", "unknown field"),
    ],
)
def test_uncertainty_errors_name_the_field(uncertainty: Any, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(tiny(uncertainty=uncertainty))
    problems = caught.value.problems
    assert any(p.path == path and message in p.message for p in problems), problems


def test_v1_objectives_read_as_before() -> None:
    scenario = scenario_from_dict(tiny(objective="conversions"))
    assert (scenario.objective.sense, scenario.objective.metric) == ("maximize", "conversions")
    scenario = scenario_from_dict(tiny(objective={"maximize": "reach"}))
    assert (scenario.objective.sense, scenario.objective.metric) == ("maximize", "reach")
    scenario = scenario_from_dict(
        tiny(objective={"minimize": "spend", "target": {"reach": 5, "probability": 0.5}})
    )
    assert (scenario.objective.sense, scenario.objective.metric) == ("minimize", "spend")
    again = scenario_from_dict({**tiny(), "objective": scenario.objective.model_dump()})
    assert again.objective == scenario.objective


# --- simulate ----------------------------------------------------------------------------


def test_simulate_a_saved_plan_from_the_command_line(tmp_path: Path) -> None:
    data = tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.25}})
    (tmp_path / "s.json").write_text(json.dumps(data))
    runner = CliRunner()
    solved = runner.invoke(
        app, ["solve", str(tmp_path / "s.json"), "-o", str(tmp_path / "plan.json")]
    )
    assert solved.exit_code == 0, solved.output
    saved = json.loads((tmp_path / "plan.json").read_text())
    # a hand-made plan: one tt creator only
    (tmp_path / "mine.json").write_text(
        json.dumps(
            {"allocation": [{"period": "Q1", "platform": "tt", "tier": "micro", "count": 1}]}
        )
    )
    result = runner.invoke(
        app,
        ["simulate", str(tmp_path / "s.json"), "--plan", str(tmp_path / "mine.json"), "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    simulated = json.loads(result.stdout)
    assert [(a["platform"], a["count"]) for a in simulated["allocation"]] == [("tt", 1)]
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    z = brute_outcomes(scenario, draws, (1.0, 0.0))
    conversions = simulated["uncertainty"]["outcomes"]["conversions"]
    assert conversions["mean"] == pytest.approx(z["conversions"].mean(), rel=1e-6)
    assert conversions["p50"] == pytest.approx(np.median(z["conversions"]), rel=1e-6)
    assert simulated["uncertainty"]["objective"] == pytest.approx(
        worst_mean(z["conversions"], 0.25), rel=1e-6
    )
    # the saved plan of solve simulates to the solve's own uncertainty object
    again = runner.invoke(
        app,
        ["simulate", str(tmp_path / "s.json"), "--plan", str(tmp_path / "plan.json"), "-f", "json"],
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["uncertainty"]["outcomes"] == saved["uncertainty"]["outcomes"]
    table = runner.invoke(
        app, ["simulate", str(tmp_path / "s.json"), "--plan", str(tmp_path / "mine.json")]
    )
    assert table.exit_code == 0 and "P90" in table.stdout


def test_simulate_refuses_a_plan_naming_unknown_cells(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(tiny()))
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {"allocation": [{"period": "Q1", "platform": "yt", "tier": "micro", "count": 1}]}
        )
    )
    result = CliRunner().invoke(
        app, ["simulate", str(tmp_path / "s.json"), "--plan", str(tmp_path / "bad.json")]
    )
    assert result.exit_code == 2
    assert "bad.json: allocation[0].platform" in result.output
    assert "Traceback" not in result.output


def test_simulate_counts_targets_and_the_budget() -> None:
    data = tiny(
        rules={"limits": [{"name": "enough", "conversions": {"min": 100}}]},
        uncertainty={"draws": 200, "seed": 1},
    )
    scenario = scenario_from_dict(data)
    counts = np.array([3.0, 2.0])  # tt 3 ($1,800), ig 2 ($1,200): $3,000, the whole budget
    simulation = simulate(scenario, counts, plan_source="hand")
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    z = brute_outcomes(scenario, draws, (3.0, 2.0))
    result = simulation.to_dict()["uncertainty"]
    target = next(t for t in result["targets"] if t["name"] == "enough")
    assert target["probability"] == pytest.approx(float((z["conversions"] >= 100).mean()))
    assert result["probability_over_budget"] == pytest.approx(float((z["spend"] > 3000).mean()))
    assert 0 < result["probability_over_budget"] < 1


def test_the_shipped_uncertainty_scenario_solves_and_keeps_every_rule() -> None:
    from plan_checks import check_plan

    path = Path(__file__).resolve().parent.parent / "scenarios" / "uncertainty.yaml"
    scenario = load_scenario(path)
    assert scenario.uncertainty is not None and scenario.objective.risk is not None
    plan = solve(scenario)
    assert plan.status == "optimal"
    # every rule holds at point values; the objective is the risk measure, not the v1 total
    problems = check_plan(scenario, plan)
    assert [p for p in problems if not p.startswith("objective:")] == []
    result = plan.to_dict()
    assert result["objective"]["gap"] <= scenario.solver.gap + 1e-9
    uncertainty = result["uncertainty"]
    assert uncertainty["draws"] == 200 and uncertainty["source"] == "generated"
    assert uncertainty["objective"] == pytest.approx(result["objective"]["value"])
    # the plan weighs the bad case, so it is at least as good on it as the midpoint plan
    # within the gap
    midpoint = uncertainty["midpoint_plan"]["objective"]
    assert uncertainty["objective"] >= midpoint * (1 - scenario.solver.gap) - 1e-6


# --- bad input from the command line ----------------------------------------------------

BAD_INPUT = [
    # (what the scenario gets, the field named, words of the fix)
    (
        {"objective": {"maximize": "conversions", "risk": {"cvar": 0}}},
        "objective.risk.cvar",
        "0.1 for the worst 10%",
    ),
    (
        {"objective": {"maximize": "conversions", "risk": {"cvar": 1.5}}},
        "objective.risk.cvar",
        "0 < A <= 1",
    ),
    (
        {"objective": {"maximize": "conversions", "risk": {"cvar": 0.1, "weight": -0.5}}},
        "objective.risk.weight",
        "0 <= W <= 1",
    ),
    (
        {"objective": {"maximize": "conversions", "risk": {"cvar": 0.1, "weight": 1.5}}},
        "objective.risk.weight",
        "0 <= W <= 1",
    ),
    (
        {"objective": {"minimize": "spend", "target": {"conversions": 50, "probability": 0}}},
        "objective.target.probability",
        "0 < p < 1",
    ),
    (
        {"objective": {"minimize": "spend", "target": {"conversions": 50, "probability": 1}}},
        "objective.target.probability",
        "0 < p < 1",
    ),
    (
        {"objective": {"minimize": "spend", "target": {"conversions": 50, "probability": 90}}},
        "objective.target.probability",
        "0.9 for 90%",
    ),
    (
        {"objective": {"minimize": "spend", "target": {"likes": 50, "probability": 0.9}}},
        "objective.target",
        "metrics: conversions, revenue, reach, engagements",
    ),
    (
        {"objective": {"minimize": "spend", "risk": {"cvar": 0.1}}},
        "objective",
        "chance target: {minimize: spend, target:",
    ),
    (
        {"objective": {"minimize": "spend", "risk": "expected"}},
        "objective",
        "chance target: {minimize: spend, target:",
    ),
    ({"uncertainty": {"draws": 0}}, "uncertainty.draws", "from 1 to 100,000 draws"),
    ({"uncertainty": {"draws": 100_001}}, "uncertainty.draws", "from 1 to 100,000 draws"),
    (
        {"uncertainty": {"shape": "normal"}},
        "uncertainty.shape",
        "'uniform', 'triangular' or 'pert'",
    ),
    (
        {"uncertainty": {"shared_by": ["platform", "quarter"]}},
        "uncertainty.shared_by[1]",
        "'period', 'platform' or 'tier'",
    ),
    ({"uncertainty": {"draws_file": "draws.csv"}}, "line 3", "cost: must be a finite number"),
]


@pytest.mark.parametrize(("extra", "field", "fix"), BAD_INPUT)
@pytest.mark.parametrize("command", ["validate", "solve"])
def test_bad_input_exits_2_naming_file_field_and_fix(
    tmp_path: Path, command: str, extra: dict[str, Any], field: str, fix: str
) -> None:
    (tmp_path / "draws.csv").write_text("draw,platform,tier,cost\n1,tt,micro,1\n2,tt,micro,-1\n")
    (tmp_path / "s.json").write_text(json.dumps(tiny(**extra)))
    out = tmp_path / "plan.json"
    arguments = [command, str(tmp_path / "s.json")]
    result = CliRunner().invoke(app, arguments + (["-o", str(out)] if command == "solve" else []))
    assert result.exit_code == 2, result.output
    named = "draws.csv" if field.startswith("line") else "s.json"
    line = next((text for text in result.output.splitlines() if field in text), "")
    assert named in line and fix in line, result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half written


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--draws", "0"], "--draws"),
        (["--draws", "100001"], "--draws"),
        (["--seed", "-1"], "--seed"),
        (["--draws-file", "draws.csv"], "draws.csv: line 2: unknown platform 'tk'"),
        (["--draws-file", "draws.csv", "--draws", "10"], "leave out --draws"),
    ],
)
def test_simulate_refuses_bad_draws_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "draws.csv").write_text("draw,platform,tier,cost\n1,tk,micro,1\n")
    (tmp_path / "s.json").write_text(json.dumps(tiny()))
    result = CliRunner().invoke(app, ["simulate", "s.json", *arguments, "-o", "out.json"])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not (tmp_path / "out.json").exists()


def test_simulate_judges_a_plan_on_fresh_draws_or_a_draws_file(tmp_path: Path) -> None:
    data = tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.25}})
    (tmp_path / "s.json").write_text(json.dumps(data))
    (tmp_path / "mine.json").write_text(
        json.dumps(
            {"allocation": [{"period": "Q1", "platform": "tt", "tier": "micro", "count": 2}]}
        )
    )
    runner = CliRunner()
    base = ["simulate", str(tmp_path / "s.json"), "--plan", str(tmp_path / "mine.json")]
    fresh = runner.invoke(app, [*base, "--draws", "500", "--seed", "11", "-f", "json"])
    assert fresh.exit_code == 0, fresh.output
    judged = json.loads(fresh.stdout)["uncertainty"]
    assert (judged["draws"], judged["seed"]) == (500, 11)
    scenario = scenario_from_dict({**data, "uncertainty": {"draws": 500, "seed": 11}})
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    z = brute_outcomes(scenario, draws, (2.0, 0.0))["conversions"]
    assert judged["outcomes"]["conversions"]["p10"] == pytest.approx(np.percentile(z, 10))
    # a draws file: tt converts half in draw a, twice in draw b
    (tmp_path / "d.csv").write_text(
        "draw,platform,tier,conversions\na,tt,micro,0.5\nb,tt,micro,2\n"
    )
    filed = runner.invoke(app, [*base, "--draws-file", str(tmp_path / "d.csv"), "-f", "json"])
    assert filed.exit_code == 0, filed.output
    judged = json.loads(filed.stdout)["uncertainty"]
    assert judged["source"] == "file" and judged["draws"] == 2
    # two posts of 30 conversions: 30 in draw a, 120 in draw b
    assert judged["outcomes"]["conversions"]["mean"] == pytest.approx(75)
    assert judged["outcomes"]["conversions"]["p10"] == pytest.approx(39)


# --- properties of the optimum -----------------------------------------------------------


@pytest.mark.parametrize(
    "objective",
    [
        {"maximize": "conversions", "risk": "expected"},
        {"maximize": "conversions", "risk": {"cvar": 0.1}},
        {"maximize": "conversions", "risk": {"cvar": 0.25, "weight": 0.5}},
        {"maximize": "profit", "risk": {"cvar": 0.2}},
        {"minimize": "spend", "target": {"conversions": 120, "probability": 0.9}},
    ],
)
@pytest.mark.parametrize("solver", SOLVERS)
def test_with_every_multiplier_one_the_risk_plan_is_the_v1_plan(
    tmp_path: Path, solver: str, objective: dict[str, Any]
) -> None:
    # every row of the file says 1, and a missing figure is 1 too
    rows = "".join(f"{s},{p},micro,1,1\n" for s in range(7) for p in ("tt", "ig"))
    (tmp_path / "ones.csv").write_text("draw,platform,tier,cost,conversions\n" + rows)
    data = tiny(
        periods=["Q1", "Q2"],
        objective=objective,
        average_order_value=30,
        uncertainty={"draws_file": "ones.csv"},
    )
    (tmp_path / "s.json").write_text(json.dumps(data))
    risky = solve(load_scenario(tmp_path / "s.json"), solver=solver, gap=0)
    if "target" in objective:
        # v1: the least spend reaching 120 conversions at point values
        v1_data = {
            **data,
            "objective": {"minimize": "spend"},
            "rules": {"limits": [{"name": "goal", "conversions": {"min": 120}}]},
        }
    else:
        v1_data = {**data, "objective": {"maximize": objective["maximize"]}}
    del v1_data["uncertainty"]
    v1 = solve(scenario_from_dict(v1_data), solver=solver, gap=0)
    assert risky.status == v1.status == "optimal"
    assert risky.objective == pytest.approx(v1.objective, rel=1e-9)
    for metric in ("spend", "conversions"):
        assert risky.totals[metric] == pytest.approx(v1.totals[metric], rel=1e-9)
    result = risky.to_dict()["uncertainty"]
    for figures in result["outcomes"].values():  # every draw is the point plan's outcome
        assert figures["p10"] == pytest.approx(figures["p90"])
    assert result["midpoint_plan"]["objective"] == pytest.approx(risky.objective)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("metric", ["conversions", "profit"])
def test_cvar_one_equals_expected(solver: str, metric: str) -> None:
    def optimum(risk: Any) -> Any:
        data = tiny(objective={"maximize": metric, "risk": risk}, average_order_value=30)
        return solve(scenario_from_dict(data), solver=solver, gap=0)

    whole, expected = optimum({"cvar": 1}), optimum("expected")
    assert whole.status == expected.status == "optimal"
    assert whole.objective == pytest.approx(expected.objective, rel=1e-9)
    # and both are the mean of the plan's draws
    z = whole.to_dict()["uncertainty"]["outcomes"][metric]["mean"]
    assert whole.objective == pytest.approx(z, rel=1e-6)  # the JSON keeps 6 decimals


@pytest.mark.parametrize("solver", SOLVERS)
def test_the_cvar_optimum_never_decreases_as_the_share_grows(solver: str) -> None:
    shares = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 0.9, 1.0]
    optima = []
    for share in shares:
        data = tiny(
            periods=["Q1", "Q2"],
            objective={"maximize": "profit", "risk": {"cvar": share}},
            average_order_value=30,
        )
        plan = solve(scenario_from_dict(data), solver=solver, gap=0)
        assert plan.status == "optimal"
        optima.append(plan.objective)
    assert all(b >= a - 1e-6 * max(1.0, abs(a)) for a, b in itertools.pairwise(optima)), optima
    assert optima[-1] > optima[0]  # the draws do differ: the worst case is worse


def counts_of_allocation(scenario: Any, allocation: list[dict[str, Any]]) -> tuple[float, ...]:
    """Counts per cell in model order, read from a result's allocation."""
    keys = derive_cells(scenario).keys
    counts = [0.0] * len(keys)
    for entry in allocation:
        counts[keys.index((entry["period"], entry["platform"], entry["tier"]))] = entry["count"]
    return tuple(counts)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("goal", "probability"), [(150, 0.8), (200, 0.6), (120, 0.95)])
def test_the_chance_plan_meets_its_target_recomputed_from_the_allocation(
    tmp_path: Path, solver: str, goal: float, probability: float
) -> None:
    data = tiny(
        periods=["Q1", "Q2"],
        objective={
            "minimize": "spend",
            "target": {"conversions": goal, "probability": probability},
        },
        budget={"total": 6000},
        uncertainty={"draws": 60, "seed": 5, "shape": "uniform"},
    )
    (tmp_path / "s.json").write_text(json.dumps(data))
    solved = CliRunner().invoke(
        app, ["solve", str(tmp_path / "s.json"), "--solver", solver, "-f", "json"]
    )
    assert solved.exit_code == 0, solved.output
    result = json.loads(solved.stdout)
    scenario = scenario_from_dict(data)
    counts = counts_of_allocation(scenario, result["allocation"])
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    z = brute_outcomes(scenario, draws, counts)["conversions"]
    reached = int((z >= goal - 1e-6).sum())
    assert reached >= math.ceil(probability * draws.count - 1e-9)
    reported = result["uncertainty"]["targets"][0]
    assert reported["probability"] == pytest.approx(reached / draws.count)
    assert reported["met"] is True
    # the spend it reports is the allocation's, at point prices
    cost = derive_cells(scenario).column("cost")
    assert result["objective"]["value"] == pytest.approx(float(np.dot(counts, cost)))


def test_reported_quantiles_are_recomputed_from_the_allocation_and_the_draws(
    tmp_path: Path,
) -> None:
    data = tiny(
        periods=["Q1", "Q2", "Q3"],
        objective={"maximize": "revenue", "risk": {"cvar": 0.2, "weight": 0.5}},
        average_order_value=25,
        uncertainty={"draws": 150, "seed": 9, "shared_by": ["period", "platform", "tier"]},
    )
    (tmp_path / "s.json").write_text(json.dumps(data))
    solved = CliRunner().invoke(app, ["solve", str(tmp_path / "s.json"), "-f", "json"])
    assert solved.exit_code == 0, solved.output
    result = json.loads(solved.stdout)
    scenario = scenario_from_dict(data)
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)

    def check(reported: dict[str, Any], counts: tuple[float, ...]) -> None:
        z = brute_outcomes(scenario, draws, counts)
        z["revenue"] = z["conversions"] * 25
        z["profit"] = z["revenue"] - z["spend"]
        for metric, values in z.items():
            figures = reported[metric]
            assert figures["mean"] == pytest.approx(values.mean(), rel=1e-6)
            for q in (10, 50, 90):
                assert figures[f"p{q}"] == pytest.approx(np.percentile(values, q), rel=1e-6)
            worst = worst_mean(-values, 0.1) * -1 if metric == "spend" else worst_mean(values, 0.1)
            assert figures["cvar10"] == pytest.approx(worst, rel=1e-6)

    counts = counts_of_allocation(scenario, result["allocation"])
    check(result["uncertainty"]["outcomes"], counts)
    revenue = brute_outcomes(scenario, draws, counts)["conversions"] * 25
    assert result["objective"]["value"] == pytest.approx(
        0.5 * revenue.mean() + 0.5 * worst_mean(revenue, 0.2), rel=1e-6
    )
    # the midpoint plan's figures too: the v1 plan of the same file
    v1 = solve(scenario_from_dict({**data, "uncertainty": None, "objective": "revenue"}))
    check(result["uncertainty"]["midpoint_plan"]["outcomes"], tuple(v1.counts))


def test_simulate_from_python_takes_a_file_and_fresh_draws() -> None:
    import optimizer

    path = Path(__file__).resolve().parent.parent / "scenarios" / "uncertainty.yaml"
    scenario = load_scenario(path)
    plan = solve(scenario)
    simulation = optimizer.simulate(str(path), plan.counts, draws=300, seed=99)
    result = simulation.to_dict()["uncertainty"]
    assert (result["draws"], result["seed"]) == (300, 99)
    settings = scenario.uncertainty.model_copy(update={"draws": 300, "seed": 99})
    draws = scenario_draws(scenario, derive_cells(scenario), settings)
    revenue = evaluate(scenario, derive_cells(scenario), [], plan.counts, draws)
    assert result["outcomes"]["revenue"]["p50"] == pytest.approx(revenue.outcomes["revenue"]["p50"])
    # the file's own draws give the solve's own figures
    again = optimizer.simulate(path, plan.counts).to_dict()["uncertainty"]
    assert again["outcomes"] == plan.to_dict()["uncertainty"]["outcomes"]


def test_an_unreachable_chance_target_is_named_as_the_reason_no_plan_exists(
    tmp_path: Path,
) -> None:
    """The conflict search checks the rules at point figures, where they hold; the report
    must then blame the target, not a rounding tolerance."""
    data = tiny(
        objective={"minimize": "spend", "target": {"conversions": 1000, "probability": 0.5}}
    )
    path = tmp_path / "unreachable.json"
    path.write_text(json.dumps(data))
    shown = CliRunner().invoke(app, ["solve", str(path)], terminal_width=400)
    assert shown.exit_code == 1, shown.output
    said = " ".join(shown.output.split())
    assert "No plan reaches 1,000 conversions in at least 50% of the draws" in said
    assert "rounding" not in said
    # a target that the draws can reach: the same search finds the plan
    data["objective"]["target"]["conversions"] = 100
    path.write_text(json.dumps(data))
    assert CliRunner().invoke(app, ["solve", str(path), "-f", "json"]).exit_code == 0
