"""Explanations: the conflict when no plan exists, what each rule costs when one does.

Every claim is checked against independent solves of edited scenario dictionaries, never
against the analysis's own re-solves.
"""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from optimizer import build_model, load_scenario, scenario_from_dict, solve
from optimizer.analysis.columns import bounds_for, layout_of, metric_expression
from optimizer.analysis.conflicts import find_conflicts
from optimizer.analysis.editing import Settings
from optimizer.analysis.prices import explain_plan
from optimizer.analysis.results import Conflict
from optimizer.cli import app
from optimizer.report.terminal import explanation_view
from optimizer.report.writers import cell_text
from optimizer.scenario.presets import PRESETS

HUGE = 1e12
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def offer(cost: float, followers: float = 10_000, **extra: Any) -> dict[str, Any]:
    return {
        "followers": followers,
        "cost_per_post": cost,
        "engagement_rate": 0.05,
        "conversion_rate": 0.02,
        **extra,
    }


# One mega creator per period is required, but costs more than the whole budget.
BUDGET_VS_MIN = {
    "name": "budget vs a minimum",
    "periods": ["Q1", "Q2"],
    "budget": {"total": 50_000},
    "platforms": {
        "tiktok": {"tiers": {"micro": offer(1_000)}},
        "youtube": {"tiers": {"mega": offer(60_000, 2_000_000, min=1)}},
    },
}

# Half the spend must go to mega creators and at least $10,000 must be spent. With
# fractional creators 0.4 of a mega does it; with whole ones any mega breaks the budget.
INTEGER_ONLY = {
    "name": "integer only",
    "periods": ["Q1"],
    "budget": {"total": 50_000},
    "platforms": {
        "tiktok": {"tiers": {"micro": offer(1_000)}},
        "youtube": {"tiers": {"mega": offer(60_000, 2_000_000)}},
    },
    "rules": {
        "shares": [{"name": "mega-share", "select": {"tiers": ["mega"]}, "min": 0.5}],
        "limits": [{"name": "spend-floor", "spend": {"min": 10_000}}],
    },
}

# The seasonal preset wants 30% of Q4 on macro creators, Q4 must spend at least $2,000,
# and the Q4 cap is below the price of one macro creator.
SEASONAL = {
    "name": "seasonal vs Q4 budget",
    "budget": {"total": 100_000, "periods": {"Q4": {"min": 2_000, "max": 5_000}}},
    "platforms": {
        "tiktok": {"tiers": {"micro": offer(1_000), "macro": offer(8_000, 300_000)}},
        "youtube": {"tiers": {"mega": offer(50_000, 2_000_000)}},
    },
    "rules": {"presets": ["seasonal"]},
}

# Micro creators are scarce (3 at $1,200), yet must take 65% of a spend of at least $10,000.
SCARCE_MICRO = {
    "name": "scarce micro",
    "periods": ["Q1"],
    "budget": {"total": 40_000},
    "platforms": {
        "tiktok": {
            "tiers": {
                "micro": offer(1_200, available=3),
                "nano": offer(500, 800),
                "macro": offer(7_000, 300_000),
            }
        },
    },
    "rules": {
        "shares": [{"name": "micro-heavy", "select": {"tiers": ["micro"]}, "min": 0.65}],
        "limits": [{"name": "spend-floor", "spend": {"min": 10_000}}],
    },
}


def status(data: dict[str, Any]) -> str:
    return str(solve(scenario_from_dict(data), gap=0.0).status)


def conflicts_of(data: dict[str, Any]) -> dict[str, Any]:
    report = find_conflicts(scenario_from_dict(data))
    assert report.proven
    return {conflict.name: conflict for conflict in report.conflicts}


def _expand_presets(data: dict[str, Any]) -> None:
    """Presets written out as the share rules they stand for, so one can be removed."""
    rules = data.setdefault("rules", {})
    tolerance = rules.get("tolerance", 0.05)
    for name in rules.pop("presets", []):
        for preset_rule in PRESETS[name].rules:
            rule = preset_rule.expand(tolerance).model_dump(exclude_none=True)
            rules.setdefault("shares", []).append(rule)


def _offer_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    _, platform, _, tier, _ = name.split(".")
    return data["platforms"][platform]["tiers"][tier]  # type: ignore[no-any-return]


def dropped(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The scenario with the named rules (conflict names) taken out."""
    data = copy.deepcopy(data)
    _expand_presets(data)
    for name in names:
        if name == "budget":
            data["budget"]["total"] = HUGE
        elif name.startswith("budget:"):
            del data["budget"]["periods"][name.removeprefix("budget:")]
        elif name.endswith(".min"):
            _offer_of(data, name)["min"] = 0
        elif name.endswith(".available"):
            del _offer_of(data, name)["available"]
        else:
            rule = name.split("[")[0]
            for kind in ("shares", "limits"):
                data["rules"][kind] = [r for r in data["rules"].get(kind, []) if r["name"] != rule]
    return data


def only(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The scenario keeping only the named rules (and offer bounds)."""
    data = copy.deepcopy(data)
    _expand_presets(data)
    kept = {name.split("[")[0] for name in names}
    others = ["budget", *(f"budget:{period}" for period in data["budget"].get("periods", {}))]
    for platform, spec in data["platforms"].items():
        for tier, fields in spec["tiers"].items():
            prefix = f"platforms.{platform}.tiers.{tier}"
            others += [f"{prefix}.{key}" for key in ("min", "available") if key in fields]
    for kind in ("shares", "limits"):
        others += [rule["name"] for rule in data["rules"].get(kind, [])]
    return dropped(data, [name for name in others if name not in kept])


def with_bound(data: dict[str, Any], name: str, bound: str, value: float) -> dict[str, Any]:
    """The scenario with one rule's bound set to `value`."""
    data = copy.deepcopy(data)
    if name == "budget":
        data["budget"]["total"] = value
    elif name.startswith("budget:"):
        data["budget"]["periods"][name.removeprefix("budget:")][bound] = value
    elif name.startswith("platforms."):
        _offer_of(data, name)[name.rsplit(".", 1)[1]] = int(value)
    else:
        for rule in data["rules"].get("shares", []):
            if rule["name"] == name:
                rule[bound] = value
        for rule in data["rules"].get("limits", []):  # spend limits only, in these tests
            if rule["name"] == name:
                rule["spend"][bound] = value
    return data


def assert_irreducible(data: dict[str, Any], names: list[str]) -> None:
    assert status(data) == "infeasible"
    assert status(only(data, names)) == "infeasible", "the conflict alone cannot hold"
    for name in names:
        assert status(dropped(data, [name])) == "optimal", f"dropping {name} is not enough"


def test_budget_against_an_offer_minimum() -> None:
    found = conflicts_of(BUDGET_VS_MIN)
    assert set(found) == {"budget", "platforms.youtube.tiers.mega.min"}
    assert_irreducible(BUDGET_VS_MIN, list(found))
    budget = found["budget"]
    # One mega per period: two of them.
    assert (budget.bound, budget.current, budget.needed) == ("max", 50_000, 120_000)
    assert budget.message == "budget must rise by at least $70,000 (from $50,000 to $120,000)"
    assert status(with_bound(BUDGET_VS_MIN, "budget", "max", 120_000)) == "optimal"
    assert status(with_bound(BUDGET_VS_MIN, "budget", "max", 119_999)) == "infeasible"
    minimum = found["platforms.youtube.tiers.mega.min"]
    assert (minimum.bound, minimum.current, minimum.needed) == ("min", 1, 0)


def test_a_conflict_only_integrality_causes() -> None:
    assert status({**INTEGER_ONLY, "integer": False}) == "optimal"
    found = conflicts_of(INTEGER_ONLY)
    assert set(found) == {"budget", "mega-share", "spend-floor"}
    assert_irreducible(INTEGER_ONLY, list(found))
    assert found["budget"].needed == 60_000
    assert status(with_bound(INTEGER_ONLY, "budget", "max", 60_000)) == "optimal"
    assert status(with_bound(INTEGER_ONLY, "budget", "max", 59_999.99)) == "infeasible"
    assert (found["mega-share"].bound, found["mega-share"].needed) == ("min", 0.0)
    assert status(with_bound(INTEGER_ONLY, "mega-share", "min", 0.001)) == "infeasible"
    assert (found["spend-floor"].bound, found["spend-floor"].needed) == ("min", 0.0)
    assert found["spend-floor"].message == "spend-floor minimum must drop from $10,000 to $0"


def test_a_preset_against_a_period_budget() -> None:
    found = conflicts_of(SEASONAL)
    assert set(found) == {"seasonal:q4-reach[Q4]", "budget:Q4"}
    assert_irreducible(SEASONAL, list(found))
    q4 = found["budget:Q4"]
    assert (q4.bound, q4.current, q4.needed) == ("max", 5_000, 8_000)
    assert q4.message == "budget:Q4 maximum must rise from $5,000 to $8,000"
    assert status(with_bound(SEASONAL, "budget:Q4", "max", 8_000)) == "optimal"
    assert status(with_bound(SEASONAL, "budget:Q4", "max", 7_999)) == "infeasible"


def test_a_conflicts_json_names_the_scenarios_rule_and_the_part_of_it() -> None:
    """Section 7: `rule` is a rule name of the scenario; `name` says which of its parts."""
    report = find_conflicts(scenario_from_dict(SEASONAL))
    entries = {entry["rule"]: entry for entry in map(Conflict.to_dict, report.conflicts)}
    assert set(entries) == {"seasonal:q4-reach", "budget:Q4"}
    assert entries["seasonal:q4-reach"]["name"] == "seasonal:q4-reach[Q4]"
    assert "name" not in entries["budget:Q4"]


def test_needed_values_are_the_nearest_that_work() -> None:
    found = conflicts_of(SCARCE_MICRO)
    assert set(found) == {"micro-heavy", "spend-floor", "platforms.tiktok.tiers.micro.available"}
    assert_irreducible(SCARCE_MICRO, list(found))
    # The best share is 3,600 of micro over at least 10,000: found by solving, checked by
    # solving at the rounded value and one step of the file's precision beyond it.
    share = found["micro-heavy"]
    assert share.bound == "min" and share.needed is not None and 0 < share.needed < 0.65
    assert status(with_bound(SCARCE_MICRO, "micro-heavy", "min", share.needed)) == "optimal"
    beyond = share.needed + 0.001
    assert status(with_bound(SCARCE_MICRO, "micro-heavy", "min", beyond)) == "infeasible"
    assert re.fullmatch(r"micro-heavy minimum must drop from 0\.65 to 0\.\d+", share.message)
    floor = found["spend-floor"]
    assert floor.needed == 5_100  # $3,600 of micro and 3 nano keep 70.6% on micro
    assert status(with_bound(SCARCE_MICRO, "spend-floor", "min", 5_100)) == "optimal"
    assert status(with_bound(SCARCE_MICRO, "spend-floor", "min", 5_101)) == "infeasible"
    pool = found["platforms.tiktok.tiers.micro.available"]
    assert pool.bound == "max" and pool.needed is not None and pool.needed > 3
    name = "platforms.tiktok.tiers.micro.available"
    assert status(with_bound(SCARCE_MICRO, name, "max", pool.needed)) == "optimal"
    assert status(with_bound(SCARCE_MICRO, name, "max", pool.needed - 1)) == "infeasible"


def test_one_conflict_of_two_says_moving_it_alone_is_not_enough() -> None:
    both = copy.deepcopy(SEASONAL)
    both["platforms"]["youtube"] = {"tiers": {"mega": offer(200_000, 2_000_000, min=1)}}
    found = conflicts_of(both)
    assert set(found) in (
        {"seasonal:q4-reach[Q4]", "budget:Q4"},
        {"budget", "platforms.youtube.tiers.mega.min"},
        {"budget:Q4", "platforms.youtube.tiers.mega.min"},
    )
    for conflict in found.values():
        assert conflict.needed is None
        assert "another conflict remains" in conflict.message


def test_no_conflicts_when_a_plan_exists() -> None:
    assert find_conflicts(scenario_from_dict(dropped(BUDGET_VS_MIN, ["budget"]))).conflicts == []


# A saturated scenario whose implied caps cut segments short and need ordering binaries.
SATURATED = {
    "name": "saturated",
    "periods": ["Q1", "Q2"],
    "budget": {"total": 30_000, "periods": {"Q2": {"max": 9_000}}},
    "saturation": [{"up_to": 3, "factor": 1.0}, {"up_to": 6, "factor": 0.7}, {"factor": 0.4}],
    "platforms": {
        "tiktok": {
            "tiers": {
                "micro": offer(1_000, available=20),
                "macro": offer(7_000, 300_000, saturation=[{"factor": 0.9}]),
            }
        },
        "youtube": {"tiers": {"micro": offer(1_500, min=1)}},
    },
    "rules": {
        "limits": [
            {"name": "reach-cap", "reach": {"max": 500_000}},
            {"name": "few-yt", "select": {"platforms": ["youtube"]}, "count": {"max": 4}},
        ],
        "shares": [
            {
                "name": "tiktok-eng",
                "select": {"platforms": ["tiktok"]},
                "of": "engagements",
                "min": 0.3,
            }
        ],
    },
}


def test_settings_reproduce_the_built_model() -> None:
    """The analyses recompute implied caps; unchanged settings must give the built model."""
    model = build_model(scenario_from_dict(SATURATED))
    layout = layout_of(model)
    assert len(layout.z_columns) > 0
    settings = Settings.of(model)
    columns = bounds_for(model, layout, list(settings.bounds), settings.lower, settings.available)
    np.testing.assert_array_equal(columns.lower, model.col_lower)
    np.testing.assert_array_equal(columns.upper, model.col_upper)
    dense = model.matrix.toarray()
    np.testing.assert_allclose(dense[layout.full_rows, layout.z_columns], columns.full_coefficients)
    np.testing.assert_allclose(dense[layout.next_rows, layout.z_columns], columns.next_coefficients)
    for constraint, block in zip(model.constraints, model.blocks, strict=False):
        if constraint.base is None:
            expression = metric_expression(model, layout, constraint.metric, constraint.selected)
            np.testing.assert_allclose(expression, dense[block.start])


# Pools on every offer keep every rule-dropped variant bounded; the budget binds exactly.
PRICED = {
    "name": "priced",
    "periods": ["Q1", "Q2"],
    "budget": {"total": 50_000, "periods": {"Q2": {"max": 20_000}}},
    "saturation": [{"up_to": 4, "factor": 1.0}, {"factor": 0.6}],
    "platforms": {
        "tiktok": {
            "tiers": {
                "micro": offer(1_000, available=12),
                "macro": offer(5_000, 300_000, available=4),
            }
        },
        "instagram": {"tiers": {"micro": offer(1_000, 25_000, available=10)}},
    },
    "rules": {
        "shares": [{"name": "macro-cap", "select": {"tiers": ["macro"]}, "max": 0.4}],
        "limits": [
            {"name": "ig-floor", "select": {"platforms": ["instagram"]}, "count": {"min": 6}}
        ],
    },
}


def objective(data: dict[str, Any]) -> float:
    plan = solve(scenario_from_dict(data), gap=0.0)
    assert plan.objective is not None
    return plan.objective


@pytest.fixture(scope="module")
def priced() -> Any:
    scenario = scenario_from_dict(PRICED)
    plan = solve(scenario, gap=0.0)
    return plan, explain_plan(scenario, plan, gap=0.0)


def test_each_price_is_the_gain_of_dropping_the_rule(priced: Any) -> None:
    plan, explanation = priced
    names = [rule.name for rule in explanation.rules]
    assert names == ["budget", "budget:Q2", "macro-cap", "ig-floor"]
    for rule in explanation.rules:
        expected = objective(dropped(PRICED, [rule.name])) - plan.objective
        assert rule.price == pytest.approx(expected, abs=1e-6), rule.name
    assert any(rule.price > 0 for rule in explanation.rules)


def test_the_marginal_is_the_gain_of_the_next_budget_step(priced: Any) -> None:
    plan, explanation = priced
    assert explanation.budget_step == pytest.approx(2_500)  # 5% of the budget
    expected = objective(with_bound(PRICED, "budget", "max", 52_500)) - plan.objective
    assert explanation.gain == pytest.approx(expected, abs=1e-6)
    scenario = scenario_from_dict(PRICED)
    stepped = explain_plan(scenario, plan, gap=0.0, budget_step=10_000)
    expected = objective(with_bound(PRICED, "budget", "max", 60_000)) - plan.objective
    assert stepped.gain == pytest.approx(expected, abs=1e-6)


def test_cells_at_their_pool_are_listed(priced: Any) -> None:
    plan, explanation = priced
    pools = {("tiktok", "micro"): 12, ("tiktok", "macro"): 4, ("instagram", "micro"): 10}
    full = {
        (period, platform, tier)
        for (period, platform, tier), count in plan.allocation["count"].items()
        if count == pools[(platform, tier)]
    }
    assert full, "the scenario should fill some pool"
    assert {(c.period, c.platform, c.tier) for c in explanation.at_capacity} == full
    assert all(c.rule.endswith(".available") for c in explanation.at_capacity)


# Fractional counts: the LP's shadow prices can be checked by finite differences.
CONTINUOUS = {
    "name": "continuous",
    "periods": ["Q1"],
    "integer": False,
    "budget": {"total": 50_000},
    "platforms": {
        "tiktok": {
            "tiers": {
                "micro": offer(1_000, available=40),
                "macro": offer(7_000, 300_000),
            }
        },
    },
    "rules": {"shares": [{"name": "macro-cap", "select": {"tiers": ["macro"]}, "max": 0.4}]},
}


def test_shadow_prices_are_gains_per_unit_of_relaxing() -> None:
    scenario = scenario_from_dict(CONTINUOUS)
    plan = solve(scenario)
    rules = {rule.name: rule for rule in explain_plan(scenario, plan).rules}
    budget, cap = rules["budget"], rules["macro-cap"]
    assert budget.binding and budget.shadow_bound == "max" and budget.shadow_price > 0
    step = objective(with_bound(CONTINUOUS, "budget", "max", 50_100)) - plan.objective
    assert budget.shadow_price == pytest.approx(step / 100, rel=1e-6)
    assert cap.binding and cap.shadow_bound == "max" and cap.shadow_price > 0
    step = objective(with_bound(CONTINUOUS, "macro-cap", "max", 0.401)) - plan.objective
    assert cap.shadow_price == pytest.approx(step / 0.001, rel=1e-3)


def test_shadow_prices_agree_between_highs_and_cbc() -> None:
    scenario = scenario_from_dict(PRICED)
    by_solver = {}
    for solver in ("highs", "cbc"):
        plan = solve(scenario, solver=solver, gap=0.0)
        explanation = explain_plan(scenario, plan, gap=0.0)
        assert explanation.shadow_solver == solver
        by_solver[solver] = {rule.name: rule for rule in explanation.rules}
    budget = by_solver["highs"]["budget"]
    assert budget.binding and budget.shadow_price > 0 and budget.shadow_bound == "max"
    for name, rule in by_solver["highs"].items():
        other = by_solver["cbc"][name]
        assert np.sign(rule.shadow_price) == np.sign(other.shadow_price), name
        assert rule.shadow_bound == other.shadow_bound, name


def test_minimising_spend_prices_a_floor_by_the_spend_it_saves() -> None:
    data = {
        "name": "cheapest",
        "periods": ["Q1"],
        "objective": {"minimize": "spend"},
        "platforms": {"tiktok": {"tiers": {"micro": offer(1_000), "macro": offer(7_000)}}},
        "rules": {"limits": [{"name": "creators", "count": {"min": 5}}]},
    }
    scenario = scenario_from_dict(data)
    plan = solve(scenario)
    explanation = explain_plan(scenario, plan)
    (rule,) = explanation.rules
    assert rule.price == pytest.approx(5_000)
    assert (rule.shadow_bound, rule.shadow_price) == ("min", pytest.approx(1_000))
    assert explanation.budget_step is None
    rendered = io.StringIO()
    Console(file=rendered, width=100).print(
        explanation_view(replace(plan, explanation=explanation))
    )
    assert "No budget step to price: the scenario has no budget.total." in rendered.getvalue()


# Two scenarios with real-valued counts and ordered saturation, where HiGHS 1.16, started
# from the plan, once claimed an optimum that its own solution did not reach.
OFFER_FIELDS_MEGA = {"followers": 2e6, "engagement_rate": 0.05, "conversion_rate": 0.01}
SATURATED_MICRO = {
    "followers": 800,
    "cost_per_post": 300,
    "engagement_rate": 0.02,
    "conversion_rate": 0.02,
    "saturation": [{"up_to": 3, "factor": 1.0}, {"up_to": 8, "factor": 0.7}, {"factor": 0.3}],
}
MIN_SPEND_WITH_A_REACH_CAP = {
    "name": "cheapest with a reach cap",
    "periods": ["Q1"],
    "integer": False,
    "objective": {"minimize": "spend"},
    "budget": {"periods": {"Q1": {"min": 500}}},
    "platforms": {
        "youtube": {
            "tiers": {
                "mega": {**OFFER_FIELDS_MEGA, "cost_per_post": 300},
                "micro": SATURATED_MICRO,
                "macro": {**SATURATED_MICRO, "cost_per_post": 40000, "saturation": None},
            }
        }
    },
    "rules": {
        "presets": ["consumer-app"],
        "shares": [{"name": "s1", "of": "reach", "select": {"tiers": ["micro"]}, "max": 0.7}],
    },
}
ONE_PLATFORM_SHARE = {
    "name": "a share one platform cannot meet",
    "integer": False,
    "objective": "revenue",
    "average_order_value": 200,
    "budget": {"total": 80000},
    "periods": ["Q1", "Q2", "Q3"],
    "platforms": {
        "youtube": {
            "emerging": True,
            "tiers": {
                "micro": {**SATURATED_MICRO, "followers": 250000, "cost_per_post": 50},
                "mega": {**OFFER_FIELDS_MEGA, "cost_per_1k_followers": [20, 60], "available": 6},
            },
        }
    },
    "rules": {
        "presets": ["seasonal"],
        "shares": [
            {
                "name": "s0",
                "of": "conversions",
                "select": {"platforms": ["youtube"]},
                "min": 0.2,
                "max": 0.6,
            }
        ],
    },
}


@pytest.mark.parametrize(
    ("data", "rule"), [(MIN_SPEND_WITH_A_REACH_CAP, "s1"), (ONE_PLATFORM_SHARE, "s0")]
)
def test_a_rules_price_is_what_dropping_it_gains(data: dict[str, Any], rule: str) -> None:
    scenario = scenario_from_dict(data)
    plan = solve(scenario, gap=0)
    price = next(r.price for r in explain_plan(scenario, plan, gap=0).rules if r.name == rule)
    without = copy.deepcopy(data)
    without["rules"]["shares"] = []
    dropped = solve(scenario_from_dict(without), gap=0).objective
    assert plan.objective is not None and dropped is not None
    gain = dropped - plan.objective if plan.sense == "maximize" else plan.objective - dropped
    assert price == pytest.approx(gain, abs=1e-6)


# The command line.


def write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_solve_explain_json_has_an_explanation(tmp_path: Path) -> None:
    file = write(tmp_path, PRICED)
    result = CliRunner().invoke(
        app, ["solve", file, "--explain", "-f", "json", "--gap", "0", "--budget-step", "1000"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out["explanation"]) >= {"rules", "marginal", "at_capacity"}
    assert out["explanation"]["marginal"]["budget_step"] == 1000
    rule = out["explanation"]["rules"][0]
    assert set(rule) >= {"name", "binding", "slack", "price", "shadow_price"}
    assert "conflicts" not in out and out["rules"][0]["name"] == "budget"


def test_infeasible_json_names_the_conflict(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solve", write(tmp_path, BUDGET_VS_MIN), "-f", "json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["status"] == "infeasible"
    assert {c["rule"] for c in out["conflicts"]} == {"budget", "platforms.youtube.tiers.mega.min"}
    budget = next(c for c in out["conflicts"] if c["rule"] == "budget")
    assert budget == {
        "rule": "budget",
        "bound": "max",
        "current": 50_000,
        "needed": 120_000,
        "message": "budget must rise by at least $70,000 (from $50,000 to $120,000)",
    }


def test_infeasible_table_says_what_to_change(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solve", write(tmp_path, SEASONAL)])
    assert result.exit_code == 1
    assert "No plan satisfies these rules together" in result.stdout
    assert "budget:Q4 maximum must rise from $5,000 to $8,000" in result.stdout


def test_explain_prints_prose(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["explain", write(tmp_path, PRICED), "--gap", "0"])
    assert result.exit_code == 0, result.output
    assert "Raising budget.total by $2,500 gains" in result.stdout
    assert "budget binds." in result.stdout
    infeasible = CliRunner().invoke(app, ["explain", write(tmp_path, INTEGER_ONLY)])
    assert infeasible.exit_code == 1
    assert "budget must rise by at least $10,000" in infeasible.stdout


def test_explain_writes_text_files_and_points_reports_to_solve(tmp_path: Path) -> None:
    scenario = write(tmp_path, PRICED)
    text = tmp_path / "why.txt"
    assert CliRunner().invoke(app, ["explain", scenario, "-o", text]).exit_code == 0
    assert "Raising budget.total" in text.read_text()
    result = CliRunner().invoke(app, ["explain", scenario, "-o", tmp_path / "why.xlsx"])
    assert result.exit_code == 2
    assert "--explain --output" in result.stderr and not (tmp_path / "why.xlsx").exists()


def test_solve_explain_of_several_files_shows_each_explanation(tmp_path: Path) -> None:
    first = write(tmp_path, PRICED)
    second = str(tmp_path / "second.json")
    Path(second).write_text(json.dumps({**PRICED, "name": "second scenario"}))
    result = CliRunner().invoke(app, ["solve", first, second, "--explain", "--gap", "0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Raising budget.total by") == 2
    assert result.stdout.index("Scenarios") < result.stdout.index("second scenario  optimal")


def test_budget_step_without_explain_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solve", write(tmp_path, PRICED), "--budget-step", "100"])
    assert result.exit_code == 2
    assert "--budget-step sets what --explain reports" in result.stderr


def test_explain_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = {**PRICED, "budget": {"total": -1}}
    result = CliRunner().invoke(app, ["explain", write(tmp_path, broken)])
    assert result.exit_code == 2
    assert "budget.total" in result.stderr


def test_an_infeasible_plan_without_a_conflicting_set_says_why_one_can_be_missing() -> None:
    """Exact shares over lumpy prices can hold within the solver's rounding in every small
    check while the solve finds no plan; the report says so rather than nothing."""
    from optimizer.analysis.results import NO_CONFLICT_FOUND, ConflictReport
    from optimizer.report.document import plan_report
    from optimizer.report.writers import to_markdown

    plan = solve(scenario_from_dict(BUDGET_VS_MIN))
    assert plan.status == "infeasible"
    unexplained = replace(plan, conflicts=ConflictReport([]))
    rendered = io.StringIO()
    Console(file=rendered, width=400).print(explanation_view(unexplained))
    assert NO_CONFLICT_FOUND in rendered.getvalue()
    assert NO_CONFLICT_FOUND in to_markdown(plan_report(unexplained, with_charts=False))


def test_reports_carry_the_conflict_and_the_prices(tmp_path: Path) -> None:
    import openpyxl

    page = tmp_path / "conflict.md"
    result = CliRunner().invoke(
        app, ["solve", write(tmp_path, BUDGET_VS_MIN), "-f", "md", "-o", str(page)]
    )
    assert result.exit_code == 1
    text = page.read_text()
    assert "## Conflicting rules and the move each needs" in text
    assert "budget must rise by at least $70,000 (from $50,000 to $120,000)" in text

    book = tmp_path / "prices.xlsx"
    result = CliRunner().invoke(
        app, ["solve", write(tmp_path, PRICED), "--explain", "-f", "xlsx", "-o", str(book)]
    )
    assert result.exit_code == 0, result.output
    sheets = openpyxl.load_workbook(book)
    assert {"Prices", "Marginal"} <= set(sheets.sheetnames)
    header = [cell.value for cell in sheets["Prices"][1]]
    assert header[:5] == ["name", "binding", "slack", "price", "shadow_per_step"]
    names = [row[0].value for row in sheets["Prices"].iter_rows(min_row=2)]
    assert names[0] == "budget"


def test_report_tables_show_each_figure_in_its_unit(tmp_path: Path) -> None:
    """A share's slack as a percentage and its shadow price per point, money as money, as
    the terminal says them; a conflict's bounds in the rule's unit."""
    scenario = scenario_from_dict(PRICED)
    plan = solve(scenario, gap=0)
    explanation = explain_plan(scenario, plan, gap=0)
    result = CliRunner().invoke(app, ["solve", write(tmp_path, PRICED), "--explain", "-f", "md"])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in result.stdout.splitlines()}
    share = next(rule for rule in explanation.rules if rule.name == "macro-cap")
    report = next(rule for rule in plan.rules if rule.name == "macro-cap")
    assert f"| {report.slack:.1%} |" in rows["macro-cap"]
    assert share.shadow_price  # the cap binds: conversions per point of share
    per_point = cell_text(share.shadow_price / 100, "number", "USD")
    assert f"| {per_point} | max | point of share |" in rows["macro-cap"]
    assert rows["budget"].endswith("| $1,000 |")
    conflict = CliRunner().invoke(app, ["solve", write(tmp_path, BUDGET_VS_MIN), "-f", "md"])
    (line,) = [line for line in conflict.stdout.splitlines() if line.startswith("| budget |")]
    assert "| $50,000 | $120,000 |" in line


def test_slack_is_measured_to_the_bound_that_limits() -> None:
    """E-commerce's 80-90% micro rule limits the plan at its maximum (micro earns most) but
    whole creators leave the share nearer the minimum: its slack is the way to 90%."""
    scenario = load_scenario(SCENARIOS / "ecommerce-dtc.yaml")
    plan = solve(scenario)
    report = next(rule for rule in plan.rules if rule.name == "ecommerce:micro")
    price = next(rule for rule in explain_plan(scenario, plan).rules if rule.name == report.name)
    assert price.shadow_bound == "max" and report.value is not None and report.max is not None
    assert report.value - report.min < report.max - report.value  # nearer the minimum
    assert price.slack == pytest.approx(report.max - report.value)


def test_re_solves_cut_short_by_the_time_limit_are_not_called_exact() -> None:
    scenario = load_scenario(SCENARIOS / "ecommerce-dtc.yaml")
    plan = solve(scenario)
    explanation = explain_plan(scenario, plan, time_limit=0.001)
    assert "budget step" in explanation.cut_short and len(explanation.cut_short) > 1
    assert explanation.to_dict()["cut_short"] == explanation.cut_short
    buffer = io.StringIO()
    Console(file=buffer, width=200).print(explanation_view(replace(plan, explanation=explanation)))
    rendered = buffer.getvalue()
    assert "or more (its re-solve stopped at the time limit)" in rendered
    assert "stopped at their time" in rendered
    assert "Free to drop" not in rendered  # an unfinished re-solve proves nothing free
    assert "cut_short" not in explain_plan(scenario, plan).to_dict()


def test_conflicts_and_explanations_serialise_as_the_plan_carries_them() -> None:
    scenario = scenario_from_dict(INTEGER_ONLY)
    report = find_conflicts(scenario)
    carried = replace(solve(scenario), conflicts=report).to_dict()
    assert json.loads(report.to_json())["conflicts"] == carried["conflicts"]
    assert report.to_dict()["conflicts"] and "conflicts_proven" not in carried
    priced = scenario_from_dict(PRICED)
    explanation = explain_plan(priced, solve(priced))
    assert json.loads(explanation.to_json()) == explanation.to_dict()
