"""The Lagrangian bound of large rosters (each creator's own rows kept whole), the plans the
decomposition returns under per-creator caps, and infeasible rosters told quickly."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_roster import creator, random_roster, write_roster

import optimizer
from optimizer.model.linear import build_model
from optimizer.roster.lagrangian import lagrangian_dual
from optimizer.roster.patterns import Creators
from optimizer.roster.relaxation import relax


def bounds_of(path: Path) -> tuple[float, float]:
    """(LP bound, Lagrangian bound) of a scenario's model, in its own sense (maximised)."""
    model = build_model(optimizer.load_scenario(path))
    creators = Creators(model)
    lp = relax(model, 1.0, 60.0, creators)
    dual = lagrangian_dual(model, 1.0, lp, creators, 60.0)
    assert lp.feasible and dual.feasible and dual.method == "lagrangian"
    return lp.bound, dual.bound


@pytest.mark.parametrize("seed", range(4))
def test_lagrangian_bound_lies_between_the_optimum_and_the_lp_bound(
    tmp_path: Path, seed: int
) -> None:
    """On seeded rosters with a spend cap per creator, the MIP's optimum (gap 0) is at most
    the Lagrangian bound, which is at most the LP bound; the plan the decomposition returns
    keeps every rule and its reported bound is the Lagrangian one."""
    (tmp_path / "mip").mkdir()
    (tmp_path / "cg").mkdir()
    exact = optimizer.solve(random_roster(tmp_path / "mip", 80, seed, "mip", 2500.0), gap=0.0)
    path = random_roster(tmp_path / "cg", 80, seed, "decomposition", 2500.0)
    lp_bound, bound = bounds_of(path)
    assert exact.status == "optimal"
    assert exact.objective <= bound * (1 + 1e-9) + 1e-9
    assert bound <= lp_bound * (1 + 1e-9) + 1e-9
    plan = optimizer.solve(path)
    assert plan.bound_method == "lagrangian"
    assert plan.to_dict()["solver"]["bound_method"] == "lagrangian"
    assert plan.bound >= exact.objective * (1 - 1e-9)
    assert plan.bound <= bound * (1 + 1e-9)
    assert all(rule.met for rule in plan.rules), [r for r in plan.rules if not r.met]


def test_the_cap_makes_the_lagrangian_tighter_than_the_lp(tmp_path: Path) -> None:
    """Creators of $1,500 a post under a $2,000 cap: the LP books 1.33 posts of each, the
    Lagrangian knows one post is all a creator can take, and so does the plan."""
    rows = [creator(f"c{i}", 1500, 30 - i) for i in range(8)]
    scenario = {
        "periods": ["Q1", "Q2"],
        "budget": {"total": 9_000},
        "rules": {"limits": [{"name": "cap", "per": ["creator"], "spend": {"max": 2000}}]},
        "roster": {"file": "creators.csv", "method": "decomposition"},
    }
    path = write_roster(tmp_path, rows, scenario)
    lp_bound, bound = bounds_of(path)
    # the LP: $9,000 on the best creators at 1.33 posts each (30, 29, 28, 27 and a bit)
    assert lp_bound > bound + 1
    # whole posts: one each of the six best creators ($9,000), 30 + 29 + ... + 25
    assert bound == pytest.approx(165.0)
    plan = optimizer.solve(path, gap=0.0)
    assert plan.objective == pytest.approx(165.0)
    assert plan.bound == pytest.approx(165.0)
    assert plan.status == "optimal"


def test_brute_force_below_the_lagrangian_bound(tmp_path: Path) -> None:
    """Five creators over two quarters, up to two posts each a quarter, a cap per creator,
    a budget: the best of all 59,049 plans is the decomposition's, and no bound is below it."""
    rng = np.random.default_rng(3)
    costs = rng.integers(200, 700, size=5).astype(float)
    values = rng.integers(5, 40, size=5).astype(float)
    rows = [creator(f"c{i}", costs[i], values[i], max_posts=2) for i in range(5)]
    cap, budget = 1000.0, 2600.0
    scenario = {
        "periods": ["Q1", "Q2"],
        "budget": {"total": budget},
        "rules": {"limits": [{"name": "cap", "per": ["creator"], "spend": {"max": cap}}]},
        "roster": {"file": "creators.csv", "method": "decomposition"},
    }
    path = write_roster(tmp_path, rows, scenario)
    plans = np.array(list(itertools.product(range(3), repeat=10)), dtype=float)
    q1, q2 = plans[:, :5], plans[:, 5:]
    per_creator = (q1 + q2) * costs
    keeps = ((per_creator <= cap + 1e-9).all(axis=1)) & ((per_creator.sum(axis=1)) <= budget)
    best = float(((q1 + q2) @ values)[keeps].max())
    lp_bound, bound = bounds_of(path)
    assert best <= bound + 1e-9 <= lp_bound + 2e-9
    plan = optimizer.solve(path, gap=0.0)
    assert plan.objective == pytest.approx(best)
    assert plan.bound >= best - 1e-9


def test_caps_hold_in_the_allocation_and_every_rule_recomputes(tmp_path: Path) -> None:
    """The decomposition's plan under a per-creator cap, the 70-20-10 preset and a limit per
    quarter: every rule worked out again from the allocation rows holds, and agrees with the
    plan's own rule report."""
    path = random_roster(tmp_path, 300, 11, "decomposition", 2500.0)
    scenario = optimizer.load_scenario(path)
    plan = optimizer.solve(scenario)
    assert plan.method == "column-generation+core-mip" and plan.bound_method == "lagrangian"
    table = plan.allocation.reset_index()
    assert (table["count"] == table["count"].round()).all()
    spend = table.groupby("creator")["spend"].sum()
    assert spend.max() <= 2500.0 + 1e-6
    assert table["spend"].sum() <= scenario.budget.total + 1e-6
    macro = table[table.tier == "macro"].groupby("period")["count"].sum()
    assert macro.max() <= 4
    reports = {rule.name: rule for rule in plan.rules}
    for name, value in spend.items():
        assert reports[f"creator-cap[{name}]"].value == pytest.approx(value)
    # proven micro: micro creators on a platform that is not emerging (tiktok)
    proven = table[(table.tier == "micro") & (table.platform == "tiktok")]
    share = reports["70-20-10:proven-micro"]
    assert share.value == pytest.approx(proven["spend"].sum() / table["spend"].sum())
    assert share.min <= share.value <= share.max
    assert all(rule.met for rule in plan.rules)
    # the allocation's counts are within each creator's max_posts and periods
    frame = plan.allocation.reset_index()
    assert (frame["count"] <= 2).all()


@pytest.mark.parametrize("cap", [None, 2500.0])
@pytest.mark.parametrize("seed", range(3))
def test_the_decomposition_finds_its_own_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, cap: float | None
) -> None:
    """Seeded rosters of 300 creators, with and without a cap per creator: the core MIP finds
    a plan within the scenario's gap (1e-4) itself, never handing the whole model over."""
    import optimizer.solvers.highs as highs

    def no_whole_mip(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plain MIP was searched")

    monkeypatch.setattr(highs, "solve_highs", no_whole_mip)
    plan = optimizer.solve(random_roster(tmp_path, 300, seed, "decomposition", cap))
    assert plan.status == "optimal" and plan.gap is not None and plan.gap <= 1e-4
    assert all(rule.met for rule in plan.rules)


# --- infeasible large rosters ---------------------------------------------------------


def must_above_cap(directory: Path, cap: float) -> Path:
    """A roster of 300 creators solved by decomposition whose two creators that must post
    each cost more than `cap`, the most any creator may be paid."""
    return random_roster(directory, 300, 4, "decomposition", cap)


def test_an_infeasible_roster_is_told_by_its_relaxation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No plan pays a creator that must post while capping every creator below its price:
    the relaxation proves it (phase one), without the plain MIP."""
    import optimizer.solvers.highs as highs

    def no_whole_mip(*args: object, **kwargs: object) -> None:
        raise AssertionError("the plain MIP was searched")

    monkeypatch.setattr(highs, "solve_highs", no_whole_mip)
    plan = optimizer.solve(must_above_cap(tmp_path, 100.0))
    assert plan.status == "infeasible"
    assert plan.method == "column-generation+core-mip"
    assert plan.objective is None and plan.allocation.empty


def test_an_infeasible_roster_names_its_conflict(tmp_path: Path) -> None:
    """The usual conflict report, worked out by decomposition: the limit per creator is one
    rule (not one per creator), with the cap at which a plan exists (and at that cap there
    is one); the CLI exits 1 with it in the JSON."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    path = must_above_cap(tmp_path, 100.0)
    report = optimizer.find_conflicts(path)
    assert [conflict.rule for conflict in report.conflicts] == ["creator-cap"]
    conflict = report.conflicts[0]
    assert conflict.bound == "max" and conflict.current == 100.0
    assert conflict.needed is not None and conflict.needed > 100.0
    assert "creator-cap maximum must rise from $100 to $" in conflict.message
    scenario = optimizer.load_scenario(path)

    def with_cap(cap: float) -> optimizer.Scenario:
        limits = [
            limit.model_copy(update={"spend": limit.spend.model_copy(update={"max": cap})})
            if limit.name == "creator-cap" and limit.spend is not None
            else limit
            for limit in scenario.rules.limits
        ]
        rules = scenario.rules.model_copy(update={"limits": limits})
        return scenario.model_copy(update={"rules": rules})

    assert optimizer.solve(with_cap(conflict.needed)).has_plan
    done = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert done.exit_code == 1
    result = json.loads(done.stdout)
    assert result["status"] == "infeasible"
    assert [entry["rule"] for entry in result["conflicts"]] == ["creator-cap"]


def test_a_budget_below_the_musts_is_the_conflict(tmp_path: Path) -> None:
    """A budget that cannot pay the creators that must post: the budget is the conflict,
    with the least budget that pays them."""
    path = must_above_cap(tmp_path, 20_000.0)
    data = yaml.safe_load(path.read_text())
    data["budget"]["total"] = 50.0
    path.write_text(yaml.safe_dump(data))
    plan = optimizer.solve(path)
    assert plan.status == "infeasible"
    report = optimizer.find_conflicts(path)
    assert "budget" in [conflict.rule for conflict in report.conflicts]
    budget = next(conflict for conflict in report.conflicts if conflict.rule == "budget")
    assert budget.needed is not None and budget.needed > 50.0
