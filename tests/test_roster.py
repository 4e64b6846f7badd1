"""Rosters of named creators (section 9 of format v2): reading and checking the CSV file,
creators as cells of the one model, and their optima against brute force on both solvers."""

from __future__ import annotations

import csv
import io
import itertools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

import optimizer
from optimizer import ScenarioError, load_scenario
from optimizer.cli import app
from optimizer.model.cells import derive_cells
from optimizer.report.terminal import explanation_view

SOLVERS = ["highs", "cbc"]
HEADER = ["creator", "platform", "followers", "cost_per_post", "engagement_rate", "conversion_rate"]


def write_roster(
    directory: Path,
    rows: list[dict[str, Any]],
    scenario: dict[str, Any] | None = None,
    columns: list[str] | None = None,
) -> Path:
    """A scenario file beside `creators.csv`; the scenario's fields over a one-quarter
    default with a tiktok and an instagram platform and no offers."""
    columns = columns or list(dict.fromkeys([*HEADER, *(key for row in rows for key in row)]))
    with (directory / "creators.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    data: dict[str, Any] = {
        "name": "roster",
        "periods": ["Q1"],
        "budget": {"total": 10_000},
        "platforms": {"tiktok": {}, "instagram": {"emerging": True}},
        "roster": {"file": "creators.csv"},
        "solver": {"gap": 0.0},
    }
    data.update(scenario or {})
    path = directory / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def creator(name: str, cost: float, conversions: float, **extra: Any) -> dict[str, Any]:
    """A tiktok creator of 10,000 followers (micro) whose post costs `cost` and yields
    `conversions` (1,000 engagements a post)."""
    return {
        "creator": name,
        "platform": "tiktok",
        "followers": 10_000,
        "cost_per_post": cost,
        "engagement_rate": 0.1,
        "conversion_rate": conversions / 1000,
        **extra,
    }


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [f"{problem.path}: {problem.message}" for problem in caught.value.problems]


# --- reading and checking --------------------------------------------------------------


def test_figures_defaults_and_ranges(tmp_path: Path) -> None:
    rows = [
        creator("a", 100, 10),
        {
            "creator": "b",
            "platform": "instagram",
            "followers": 500,
            "cost_per_post": "[40, 60]",
            "engagement_rate": "0.1-0.3",
            "conversion_rate": 0.1,
            "reach_rate": 0.5,
            "max_posts": 3,
            "periods": "Q2; Q4",
        },
        {
            "creator": "c",
            "platform": "tiktok",
            "followers": 2_000_000,
            "cost_per_1k_followers": 10,
            "cost_per_engagement": 0.5,
            "conversion_rate": 0.01,
            "tier": "macro",
            "emerging": "yes",
        },
    ]
    path = write_roster(
        tmp_path,
        rows,
        {"periods": ["Q1", "Q2", "Q3", "Q4"], "seasonality": {"Q4": {"cost": 2.0}}},
    )
    cells = derive_cells(load_scenario(path))
    table = cells.table.reset_index()
    a = table[table.creator == "a"]
    assert list(a.period) == ["Q1", "Q2", "Q3", "Q4"]
    assert list(a.tier) == ["micro"] * 4  # from 10,000 followers by the tier table
    assert list(a.upper) == [1.0] * 4  # roster.posts
    assert list(a.cost) == [100, 100, 100, 200]  # Q4's seasonality
    assert a.reach.iloc[0] == 10_000  # reach_rate defaults to 1
    b = table[table.creator == "b"]
    assert list(b.period) == ["Q2", "Q4"]
    assert b.tier.iloc[0] == "nano" and b.tier_emerging.iloc[0]  # below 1,000 followers
    assert b.platform_emerging.iloc[0]  # instagram's own flag
    assert b.cost.iloc[0] == 50 and b.engagements.iloc[0] == pytest.approx(100)
    assert b.reach.iloc[0] == 250 and b.upper.iloc[0] == 3
    c = table[table.creator == "c"]
    assert c.tier.iloc[0] == "macro" and c.platform_emerging.iloc[0]
    assert c.cost.iloc[0] == 20_000 and c.engagements.iloc[0] == 40_000
    assert c.conversions.iloc[0] == pytest.approx(400)


def test_every_problem_names_the_row_and_column(tmp_path: Path) -> None:
    rows = [
        creator("a", 100, 10),
        creator("a", 100, 10),  # duplicate id
        {**creator("b", 100, 10), "platform": "snapchat"},
        {**creator("c", 100, 10), "tier": "giga"},
        {**creator("d", 100, 10), "cost_per_1k_followers": 5},
        {**creator("e", -5, 10)},
        {**creator("f", "lots", 10)},
        {**creator("g", 100, 10), "periods": "Q1;Q9"},
        {**creator("h", 100, 10), "must": "true", "exclude": "true"},
        {**creator("i", "[9, 3]", 10)},
    ]
    problems = problems_of(write_roster(tmp_path, rows))
    assert problems == [
        "roster.file (creators.csv line 3, column 'creator'): duplicate creator 'a' (also on"
        " line 2)",
        "roster.file (creators.csv line 4, column 'platform'): unknown platform 'snapchat';"
        " the scenario has tiktok, instagram",
        "roster.file (creators.csv line 5, column 'tier'): unknown tier 'giga'; the scenario"
        " has nano, micro, macro, mega",
        "roster.file (creators.csv line 6): give exactly one of cost_per_post and"
        " cost_per_1k_followers",
        "roster.file (creators.csv line 7, column 'cost_per_post'): must be greater than 0, got -5",
        "roster.file (creators.csv line 8, column 'cost_per_post'): must be a number or a"
        " range [low, high], got 'lots'",
        "roster.file (creators.csv line 9, column 'periods'): unknown period 'Q9'; the"
        " scenario has Q1",
        "roster.file (creators.csv line 10, column 'exclude'): a creator cannot be both must"
        " and exclude",
        "roster.file (creators.csv line 11, column 'cost_per_post'): a range needs low <="
        " high, got '[9, 3]'",
    ]


def test_past_ten_problems_the_rest_are_counted(tmp_path: Path) -> None:
    rows = [creator(f"c{i}", -1, 10) for i in range(25)]
    problems = problems_of(write_roster(tmp_path, rows))
    assert len(problems) == 11
    assert problems[-1] == "roster.file: 15 more problems in creators.csv"


def test_unknown_columns_and_creators_in_rules(tmp_path: Path) -> None:
    path = write_roster(tmp_path, [{**creator("a", 1, 1), "followerz": 3}])
    assert problems_of(path) == [
        "roster.file (creators.csv line 1, column 'followerz'): unknown column; the columns"
        " are creator, platform, followers, cost_per_post, cost_per_1k_followers,"
        " engagement_rate, cost_per_engagement, conversion_rate, reach_rate, tier, emerging,"
        " max_posts, periods, must, exclude"
    ]
    rules = {"limits": [{"name": "x", "select": {"creators": ["zed"]}, "count": {"max": 1}}]}
    path = write_roster(tmp_path, [creator("a", 1, 1)], {"rules": rules})
    assert problems_of(path) == [
        "rules.limits[0].select.creators: unknown creator 'zed'; not in creators.csv"
    ]


def test_cli_exits_2_with_the_problems(tmp_path: Path) -> None:
    path = write_roster(tmp_path, [creator("a", 100, 10), creator("a", 100, 10)])
    for command in ("validate", "solve"):
        result = CliRunner().invoke(app, [command, str(path)])
        assert result.exit_code == 2, result.output
        assert "line 3, column 'creator'): duplicate creator 'a'" in result.output


# --- the model --------------------------------------------------------------------------


def offer_scenario(directory: Path, count: int, **offer: Any) -> Path:
    data = {
        "name": "offer",
        "periods": ["Q1", "Q2"],
        "budget": {"total": 5_000},
        "seasonality": {"Q2": {"cost": 0.8, "conversions": 1.2}},
        "platforms": {
            "tiktok": {
                "tiers": {
                    "micro": {
                        "followers": 10_000,
                        "cost_per_post": 700,
                        "engagement_rate": 0.1,
                        "conversion_rate": 0.02,
                        "available": count,
                        **offer,
                    }
                }
            },
        },
        "solver": {"gap": 0.0},
    }
    path = directory / "offer.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("method", ["mip", "decomposition"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_identical_creators_give_the_offer_optimum(
    tmp_path: Path, solver: str, method: str
) -> None:
    """Five identical creators of one post a quarter are the offer with available: 5."""
    v1 = optimizer.solve(offer_scenario(tmp_path, 5), solver=solver, gap=0.0)
    rows = [creator(f"c{i}", 700, 20) for i in range(5)]
    path = write_roster(
        tmp_path,
        rows,
        {
            "periods": ["Q1", "Q2"],
            "budget": {"total": 5_000},
            "seasonality": {"Q2": {"cost": 0.8, "conversions": 1.2}},
            "platforms": {"tiktok": {}},
            "roster": {"file": "creators.csv", "method": method},
        },
    )
    roster = optimizer.solve(path, solver=solver, gap=0.0)
    assert roster.status == v1.status == "optimal"
    assert roster.objective == pytest.approx(v1.objective)
    assert roster.totals == pytest.approx(v1.totals)
    by_period = roster.allocation.groupby(level="period")["count"].sum()
    assert dict(by_period) == dict(v1.allocation.groupby(level="period")["count"].sum())


def brute_force(
    values: np.ndarray, costs: np.ndarray, budget: float, ok: Any = None
) -> tuple[float, tuple[int, ...]]:
    """The best 0/1 choice of cells by enumeration."""
    best: tuple[float, tuple[int, ...]] = (0.0, ())
    found = False
    for choice in itertools.product((0, 1), repeat=len(values)):
        x = np.array(choice)
        if x @ costs > budget + 1e-9 or (ok is not None and not ok(x)):
            continue
        if not found or x @ values > best[0] + 1e-9:
            best, found = (float(x @ values), choice), True
    return best


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("solver", SOLVERS)
def test_small_rosters_match_brute_force(tmp_path: Path, seed: int, solver: str) -> None:
    """Six creators over two quarters (one post each a quarter), a must, an exclude, a
    creators limit and an emerging share: the optimum of the 4,096 plans."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(100, 900, size=6).astype(float)
    conversions = rng.integers(1, 40, size=6).astype(float)
    rows = [creator(f"c{i}", costs[i], conversions[i]) for i in range(6)]
    rows[1]["platform"] = "instagram"  # emerging
    rows[2]["must"] = "true"
    rows[3]["exclude"] = "true"
    rows[4]["periods"] = "Q2"
    budget = float(rng.integers(900, 2000))
    rules = {
        "limits": [
            {"name": "pair", "select": {"creators": ["c0", "c5"]}, "count": {"max": 2}},
            {"name": "per-creator", "per": ["creator"], "spend": {"max": 1500}},
        ],
        "shares": [{"name": "emerging", "select": {"emerging": True}, "of": "spend", "max": 0.4}],
    }
    path = write_roster(
        tmp_path,
        rows,
        {"periods": ["Q1", "Q2"], "budget": {"total": budget}, "rules": rules},
    )
    plan = optimizer.solve(path, solver=solver, gap=0.0)
    # cells in the order of the brute force: Q1 c0..c5, Q2 c0..c5
    value = np.tile(conversions, 2)
    cost = np.tile(costs, 2)

    def ok(x: np.ndarray) -> bool:
        q1, q2 = x[:6], x[6:]
        spend = x * cost
        per = q1 * costs + q2 * costs
        emerging = spend[1] + spend[7]
        return bool(
            q1[2] + q2[2] >= 1
            and q1[3] + q2[3] == 0
            and q1[4] == 0
            and q1[0] + q2[0] + q1[5] + q2[5] <= 2
            and (per <= 1500 + 1e-9).all()
            and emerging <= 0.4 * spend.sum() + 1e-9
        )

    best, choice = brute_force(value, cost, budget, ok)
    if not choice:
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best)
    assert plan.totals["spend"] <= budget + 1e-6
    chosen = plan.allocation.reset_index()
    assert set(chosen.creator) >= {"c2"} and "c3" not in set(chosen.creator)
    rows_json = plan.to_dict()["allocation"]
    assert all(row["creator"].startswith("c") for row in rows_json)


def test_presets_apply_by_the_creators_tiers(tmp_path: Path) -> None:
    """ecommerce holds micro to 80-90% of spend: a macro creator (by followers) is held to
    its share though it yields most per dollar."""
    rows = [
        {**creator("big", 1000, 200), "followers": 500_000, "engagement_rate": 0.002},
        *(creator(f"m{i}", 1000, 20) for i in range(9)),
    ]
    path = write_roster(
        tmp_path, rows, {"rules": {"presets": ["ecommerce"]}, "budget": {"total": 10_000}}
    )
    plan = optimizer.solve(path, gap=0.0)
    spend = plan.allocation.groupby(level="tier")["spend"].sum()
    assert spend["macro"] == 1000 and spend["micro"] == 9000
    assert plan.objective == pytest.approx(200 + 9 * 20)


# --- large rosters: column generation, a core MIP and the Lagrangian bound --------------


def random_roster(
    directory: Path, creators: int, seed: int, method: str, creator_cap: float | None = None
) -> Path:
    """A seeded roster over two quarters with a share rule, a per-quarter limit, musts and
    excludes, of lumpy and small creators alike; `creator_cap` adds a limit per creator on
    spend."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(creators):
        followers = int(np.exp(rng.uniform(np.log(600), np.log(2_000_000))))
        if i in (3, 11):
            followers = 20_000  # the creators that must post are micro ones
        rows.append(
            {
                "creator": f"k{i}",
                "platform": "instagram" if rng.random() < 0.3 else "tiktok",
                "followers": followers,
                "cost_per_post": round(max(20.0, followers / 1000 * rng.uniform(8, 30)), 2),
                "engagement_rate": round(float(rng.uniform(0.01, 0.09)), 4),
                "conversion_rate": round(float(rng.uniform(0.005, 0.03)), 4),
                "max_posts": 2 if rng.random() < 0.1 else "",
                "periods": "Q2" if rng.random() < 0.1 else "",
                "must": "true" if i in (3, 11) else "",
                "exclude": "true" if i == 5 else "",
            }
        )
    rules = {
        "presets": ["70-20-10"],
        "limits": [
            {
                "name": "macro-cap",
                "select": {"tiers": ["macro"]},
                "per": ["period"],
                "count": {"max": 4},
            }
        ],
    }
    if creator_cap is not None:
        cap = {"name": "creator-cap", "per": ["creator"], "spend": {"max": creator_cap}}
        rules["limits"].append(cap)  # type: ignore[attr-defined]
    return write_roster(
        directory,
        rows,
        {
            "periods": ["Q1", "Q2"],
            "budget": {"total": float(300 * creators)},
            "rules": rules,
            "roster": {"file": "creators.csv", "method": method},
            "solver": {"gap": 1e-4, "time_limit": 60},
        },
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("solver", SOLVERS)
def test_decomposition_bound_holds_and_plan_keeps_every_rule(
    tmp_path: Path, seed: int, solver: str
) -> None:
    """The decomposition's bound is never below the MIP optimum; its plan keeps every rule
    and lies within its own reported gap of that bound."""
    (tmp_path / "mip").mkdir()
    (tmp_path / "cg").mkdir()
    exact = optimizer.solve(random_roster(tmp_path / "mip", 120, seed, "mip"), solver=solver)
    path = random_roster(tmp_path / "cg", 120, seed, "decomposition")
    plan = optimizer.solve(path, solver=solver)
    assert exact.status == "optimal" and exact.method == "mip"
    assert plan.method == "column-generation+core-mip"
    assert plan.to_dict()["solver"]["method"] == "column-generation+core-mip"
    assert plan.status in ("optimal", "feasible")
    assert all(rule.met for rule in plan.rules), [r for r in plan.rules if not r.met]
    assert plan.bound >= exact.objective * (1 - 1e-6)
    assert plan.objective <= exact.objective * (1 + 1e-4) + 1e-6
    assert plan.gap == pytest.approx((plan.bound - plan.objective) / plan.objective)
    counts = plan.allocation["count"]
    assert (counts == counts.round()).all()
    chosen = set(plan.allocation.reset_index().creator)
    assert {"k3", "k11"} <= chosen and "k5" not in chosen


@pytest.mark.parametrize("seed", range(3))
def test_per_creator_cap_by_decomposition_against_the_mip(tmp_path: Path, seed: int) -> None:
    """A spend cap per creator (a row per creator, over its two quarters) binds the large
    creators: the decomposition's plan keeps it, its bound holds against the MIP optimum and
    its LP equals the plain LP's."""
    (tmp_path / "mip").mkdir()
    (tmp_path / "cg").mkdir()
    exact = optimizer.solve(random_roster(tmp_path / "mip", 120, seed, "mip", 2500.0))
    path = random_roster(tmp_path / "cg", 120, seed, "decomposition", 2500.0)
    plan = optimizer.solve(path)
    assert exact.status == "optimal" and exact.method == "mip"
    assert plan.method == "column-generation+core-mip"
    assert all(rule.met for rule in plan.rules), [r for r in plan.rules if not r.met]
    caps = [rule for rule in plan.rules if rule.rule == "creator-cap"]
    assert len(caps) == 120
    spend = plan.allocation.groupby("creator")["spend"].sum()
    assert spend.max() <= 2500.0 + 1e-6
    assert plan.bound >= exact.objective * (1 - 1e-6)
    assert plan.objective <= exact.objective * (1 + 1e-4) + 1e-6
    # the cap binds: without it the plan pays some creator more
    (tmp_path / "free").mkdir()
    uncapped = optimizer.solve(random_roster(tmp_path / "free", 120, seed, "mip"))
    assert uncapped.allocation.groupby("creator")["spend"].sum().max() > 2500.0
    lp = optimizer.load_scenario(tmp_path / "mip" / "scenario.yaml")
    cg = optimizer.load_scenario(path)
    exact_lp = optimizer.solve(lp.model_copy(update={"integer": False}))
    cg_lp = optimizer.solve(cg.model_copy(update={"integer": False}))
    assert cg_lp.bound == pytest.approx(exact_lp.bound, rel=1e-7)


def test_per_creator_limit_on_a_large_roster_is_sparse(tmp_path: Path) -> None:
    """A limit per creator over 100,000 creators is a row of its creator's own cells each,
    not a mask over every cell."""
    from optimizer.model.linear import build_model

    rng = np.random.default_rng(0)
    n = 100_000
    import pandas as pd

    frame = pd.DataFrame(
        {
            "creator": [f"c{i}" for i in range(n)],
            "platform": "tiktok",
            "followers": rng.integers(1_000, 100_000, n),
            "cost_per_post": rng.integers(50, 5_000, n),
            "engagement_rate": 0.03,
            "conversion_rate": 0.01,
        }
    )
    rules = {"limits": [{"name": "creator-cap", "per": ["creator"], "spend": {"max": 6000}}]}
    path = write_roster(tmp_path, [], {"periods": ["Q1", "Q2"], "budget": {"total": 1e6}})
    frame.to_csv(tmp_path / "creators.csv", index=False)
    data = yaml.safe_load(path.read_text())
    data["rules"] = rules
    path.write_text(yaml.safe_dump(data))
    model = build_model(optimizer.load_scenario(path))
    assert model.num_rows == 1 + n
    assert model.rows.indptr[-1] == 2 * n + 2 * n  # the budget's entries and the caps'


def test_fractional_counts_solve_the_lp_exactly(tmp_path: Path) -> None:
    (tmp_path / "mip").mkdir()
    (tmp_path / "cg").mkdir()
    lp = optimizer.load_scenario(random_roster(tmp_path / "mip", 200, 7, "mip"))
    lp = lp.model_copy(update={"integer": False})
    cg = optimizer.load_scenario(random_roster(tmp_path / "cg", 200, 7, "decomposition"))
    cg = cg.model_copy(update={"integer": False})
    exact, plan = optimizer.solve(lp), optimizer.solve(cg)
    assert plan.method == "column-generation" and exact.method == "lp"
    # the LP's own optimum is its bound (its plan is the tie-break's, within the gap)
    assert plan.objective == pytest.approx(exact.bound, rel=1e-7)
    assert plan.bound == pytest.approx(exact.bound, rel=1e-7)


def test_shipped_roster_example_keeps_every_rule() -> None:
    root = Path(__file__).resolve().parent.parent
    with (root / "scenarios" / "rosters" / "creators.csv").open(newline="") as handle:
        creators = {row["creator"]: row for row in csv.DictReader(handle)}
    assert 300 <= len(creators) <= 400
    must = {name for name, row in creators.items() if row["must"] == "true"}
    exclude = {name for name, row in creators.items() if row["exclude"] == "true"}
    assert must and exclude
    for solver in SOLVERS:
        plan = optimizer.solve(root / "scenarios" / "roster.yaml", solver=solver)
        assert plan.status == "optimal" and plan.gap is not None
        assert plan.gap <= plan.scenario.solver.gap
        assert all(rule.met for rule in plan.rules)
        table = plan.allocation.reset_index().query("creator != ''")
        assert must <= set(table.creator)
        assert not exclude & set(table.creator)
        for (creator, period), count in table.groupby(["creator", "period"])["count"].sum().items():
            row = creators[creator]
            assert count <= int(row["max_posts"] or 1)
            assert not row["periods"] or period in row["periods"].split(";")


@pytest.mark.parametrize("seed", [2026, 7])
def test_the_shipped_roster_is_its_script_s_output(tmp_path: Path, seed: int) -> None:
    """`make_creators.py` with its documented seed makes `creators.csv` again, byte for
    byte; another seed makes another roster."""
    root = Path(__file__).resolve().parent.parent
    made = tmp_path / "creators.csv"
    done = subprocess.run(
        [
            sys.executable,
            "scenarios/rosters/make_creators.py",
            "--seed",
            str(seed),
            "-o",
            str(made),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    shipped = (root / "scenarios" / "rosters" / "creators.csv").read_bytes()
    assert (made.read_bytes() == shipped) == (seed == 2026)


# --- outputs ------------------------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parent.parent / "scenarios" / "roster.yaml"


def test_outputs_carry_the_creators(tmp_path: Path) -> None:
    plan = optimizer.solve(SHIPPED)
    rows = plan.to_dict()["allocation"]
    named = [row for row in rows if "creator" in row]
    assert named and all(row["count"] >= 1 for row in named)
    offers = [row for row in rows if "creator" not in row]  # the rate card's nano offer
    assert all(row["platform"] == "tiktok" and row["tier"] == "nano" for row in offers)
    runner = CliRunner()
    done = runner.invoke(app, ["solve", str(SHIPPED), "-o", str(tmp_path / "plan.csv")])
    assert done.exit_code == 0, done.output
    with (tmp_path / "plan-creators.csv").open() as handle:
        shortlist = list(csv.DictReader(handle))
    assert list(shortlist[0])[:4] == ["creator", "platform", "tier", "periods"]
    assert {row["creator"] for row in shortlist} == {row["creator"] for row in named}
    spend = sum(float(row["spend"]) for row in shortlist)
    assert spend == pytest.approx(sum(row["spend"] for row in named))
    # by platform and tier in the scenario's order, then by value, the best first
    order = [(row["platform"], row["tier"]) for row in shortlist]
    platforms, tiers = list(plan.scenario.platforms), list(plan.scenario.tiers)
    assert order == sorted(order, key=lambda key: (platforms.index(key[0]), tiers.index(key[1])))
    done = runner.invoke(app, ["solve", str(SHIPPED), "-o", str(tmp_path / "plan.xlsx")])
    assert done.exit_code == 0, done.output
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert "Creators" in book.sheetnames
    terminal = runner.invoke(app, ["solve", str(SHIPPED)], env={"COLUMNS": "100"})
    assert "Creators to book" in terminal.output
    assert terminal.output.count("\n") < 120  # tier totals and the top creators, no more


def test_explain_names_the_marginal_creators() -> None:
    scenario = optimizer.load_scenario(SHIPPED)
    plan = optimizer.solve(scenario)
    explanation = optimizer.explain_plan(scenario, plan)
    marginal = explanation.to_dict()["marginal_creators"]
    assert marginal
    bought = set(plan.allocation.reset_index().creator)
    for entry in marginal:
        assert entry["creator"] not in bought
        assert 0 < entry["entry_price"] < entry["cost"]
    # sorted by how little of its price a creator would have to give up
    kept = [entry["entry_price"] / entry["cost"] for entry in marginal]
    assert kept == sorted(kept, reverse=True)
    # the limit per creator is counted in the terminal, not named for each creator
    shown = io.StringIO()
    Console(file=shown, width=100).print(explanation_view(replace(plan, explanation=explanation)))
    held = sum(
        not rule.binding and (rule.price or 0) <= 1e-4 * plan.objective
        for report, rule in zip(plan.rules, explanation.rules, strict=True)
        if "creator" in report.group
    )
    assert f"at-most-12000-per-creator for {held:,} of " in shown.getvalue()
    assert "at-most-12000-per-creator[" not in shown.getvalue()


def test_compare_and_sweep_run_on_rosters() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["compare", str(SHIPPED), str(SHIPPED)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["sweep", str(SHIPPED), "--budget", "30000,60000"])
    assert done.exit_code == 0, done.output
    assert done.output.count("optimal") == 2


def test_explain_prices_a_limit_no_creator_can_reach_without_a_re_solve(tmp_path: Path) -> None:
    """A limit per creator that a creator's every post cannot pass is priced 0 without a
    re-solve; the others are re-solved, and every price is what its re-solve gains."""
    from optimizer.analysis.editing import ModelEditor, Settings
    from optimizer.analysis.prices import _implied, _Resolver
    from optimizer.model.linear import build_model

    scenario = optimizer.load_scenario(random_roster(tmp_path, 60, 2, "mip", creator_cap=2500))
    model = build_model(scenario)
    plan = optimizer.solve(scenario, model=model)
    editor, settings = ModelEditor(model), Settings.of(model)
    implied = _implied(editor, settings)
    capped = [rule.group.get("creator") is not None for rule in model.constraints]
    assert 0 < implied.sum() < sum(capped)  # some creators can pass $2,500, others cannot
    assert not implied[~np.array(capped)].any()  # the budget and the shares bind or may
    explanation = optimizer.explain_plan(scenario, plan, model)
    resolve = _Resolver(editor, plan.counts, plan.objective, 0.0, 60.0)
    noise = 1e-4 * abs(plan.objective) + 1e-6
    for number, rule in enumerate(explanation.rules):
        gained, _ = resolve.gain(settings.with_bounds(number, (None, None)), rule.name)
        assert gained is not None and rule.price is not None
        if implied[number]:
            assert rule.price == 0 and gained <= 1e-6, rule.name
        else:
            assert rule.price == pytest.approx(gained, abs=noise), rule.name


def test_explain_a_decomposed_roster_by_decomposition(tmp_path: Path) -> None:
    """explain re-solves a large roster's questions as its plan was found, not by a search of
    the whole MIP; the prices agree with those of the plain MIP to within the gaps."""
    (tmp_path / "mip").mkdir()
    (tmp_path / "cg").mkdir()
    results = {}
    for method in ("mip", "decomposition"):
        folder = tmp_path / ("mip" if method == "mip" else "cg")
        scenario = optimizer.load_scenario(random_roster(folder, 150, 5, method))
        scenario = scenario.model_copy(
            update={"solver": scenario.solver.model_copy(update={"gap": 0.002})}
        )
        plan = optimizer.solve(scenario)
        results[method] = (plan, optimizer.explain_plan(scenario, plan))
    (mip_plan, mip), (cg_plan, cg) = results["mip"], results["decomposition"]
    assert cg_plan.method == "column-generation+core-mip"
    assert cg.gain is not None and mip.gain is not None
    scale = mip_plan.objective
    assert abs(cg.gain - mip.gain) <= 0.01 * scale
    assert [rule.name for rule in cg.rules] == [rule.name for rule in mip.rules]
