"""A roster under `uncertainty`: each creator's ranges are drawn as an offer's are.

Each creator and period is a cell (section 9), so a draw gives it multipliers (section 8.1)
from the creator's own ranges, sharing its standard draws with the cells of its `shared_by`
group. Optima are checked against brute force over every plan of a tiny roster, with each
plan's outcome in each draw computed here creator by creator.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_roster import creator, problems_of, write_roster
from typer.testing import CliRunner

import optimizer
from optimizer.cli import app
from optimizer.model.cells import derive_cells
from optimizer.uncertainty.draws import CONVERSIONS, COST, scenario_draws

# Three tiktok micro creators and one on instagram: a ranged price, a ranged conversion
# rate (12 conversions a post at its midpoint, 1 at worst), and one creator whose figures
# are all certain.
ROWS = [
    creator("a", 100, 10, cost_per_post="[60, 140]", max_posts=2),
    creator("b", 120, 10, conversion_rate="[0.001, 0.023]", max_posts=2),
    creator("c", 150, 16),
    {
        "creator": "d",
        "platform": "instagram",
        "followers": 20_000,
        "cost_per_post": "[150, 250]",
        "engagement_rate": "[0.03, 0.07]",
        "conversion_rate": 0.01,
        "max_posts": 2,
    },
]


def scenario_with(tmp_path: Path, **extra: Any) -> Any:
    data = {"budget": {"total": 450}, "uncertainty": {"draws": 40, "seed": 5}, **extra}
    return optimizer.load_scenario(write_roster(tmp_path, ROWS, data))


FIGURES = ("followers", "cost_per_post", "engagement_rate", "conversion_rate")


def midpoints(row: dict[str, Any]) -> dict[str, float]:
    """A creator's figures, a range `"[low, high]"` at its midpoint."""

    def mid(value: Any) -> float:
        if isinstance(value, str):
            low, high = json.loads(value)
            return (low + high) / 2
        return float(value)

    return {key: mid(row[key]) for key in FIGURES}


def test_each_creator_draws_its_own_range_on_its_groups_standard_draws(tmp_path: Path) -> None:
    scenario = scenario_with(tmp_path)
    cells = derive_cells(scenario)
    draws = scenario_draws(scenario, cells, scenario.uncertainty)
    m = draws.multipliers
    position = {key[3]: i for i, key in enumerate(cells.keys)}
    a, b, c, d = (position[name] for name in "abcd")
    # a's price is 60-140 around 100; b's conversions 1-23 around 12; c is certain
    assert m[:, a, COST].min() >= 0.6 - 1e-12 and m[:, a, COST].max() <= 1.4 + 1e-12
    assert np.ptp(m[:, a, COST]) > 0.3
    assert np.all(m[:, a, CONVERSIONS] == 1.0)
    assert np.all(m[:, b, COST] == 1.0)
    assert m[:, b, CONVERSIONS].min() >= 1 / 12 - 1e-12
    assert m[:, b, CONVERSIONS].max() <= 23 / 12 + 1e-12
    assert np.all(m[:, c, :] == 1.0)
    # d's engagements (and so conversions) move with its engagement rate, its cost alone
    assert np.allclose(m[:, d, CONVERSIONS], m[:, d, 1])
    assert not np.allclose(m[:, d, COST], m[:, d, CONVERSIONS])
    # a, b and c share tiktok micro's standard draws: with every price spread, each
    # creator's price lands at the same quantile of its own range in every draw
    spread = scenario_with(
        tmp_path, uncertainty={"draws": 40, "seed": 5, "spread": {"cost_per_post": 0.5}}
    )
    cells = derive_cells(spread)
    m = scenario_draws(spread, cells, spread.uncertainty).multipliers
    quantile_a = (m[:, a, COST] * 100 - 60) / 80
    quantile_b = (m[:, b, COST] * 120 - 60) / 120  # 120 +-50%: 60-180
    quantile_c = (m[:, c, COST] * 150 - 75) / 150
    assert np.allclose(quantile_a, quantile_b) and np.allclose(quantile_a, quantile_c)
    quantile_d = (m[:, d, COST] * 200 - 150) / 100
    assert not np.allclose(quantile_a, quantile_d)  # instagram micro draws its own


def brute_best(scenario: Any, draws: Any, measure: Any) -> float:
    """The best measure over every plan within the budget at point prices, outcomes
    computed here from each creator's midpoints and the draws' multipliers."""
    cells = derive_cells(scenario)
    by_name = {row["creator"]: midpoints(row) for row in ROWS}
    names = [key[3] for key in cells.keys]
    cost = np.array([by_name[n]["cost_per_post"] for n in names])
    per_post = np.array(
        [
            by_name[n]["followers"] * by_name[n]["engagement_rate"] * by_name[n]["conversion_rate"]
            for n in names
        ]
    )
    pools = [range(int(u) + 1) for u in cells.column("upper")]
    best = -math.inf
    for counts in itertools.product(*pools):
        counts_ = np.array(counts, dtype=float)
        if counts_ @ cost > scenario.budget.total + 1e-6:
            continue
        z = draws.multipliers[:, :, CONVERSIONS] @ (counts_ * per_post)
        best = max(best, measure(z))
    return best


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_roster_cvar_plan_equals_brute_force(tmp_path: Path, solver: str) -> None:
    scenario = scenario_with(
        tmp_path, objective={"maximize": "conversions", "risk": {"cvar": 0.25}}
    )
    draws = scenario_draws(scenario, derive_cells(scenario), scenario.uncertainty)
    best = brute_best(scenario, draws, lambda z: float(np.sort(z)[:10].mean()))
    plan = optimizer.solve(scenario, solver=solver, gap=0)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best, rel=1e-6)
    # b's wide range costs the midpoint plan, which books b, in the worst draws
    midpoint = plan.to_dict()["uncertainty"]["midpoint_plan"]["objective"]
    assert midpoint < best - 0.5
    expected = brute_best(scenario, draws, lambda z: float(z.mean()))
    mean_plan = optimizer.solve(
        scenario.model_copy(
            update={"objective": scenario.objective.model_copy(update={"risk": None})}
        ),
        solver=solver,
        gap=0,
    )
    assert mean_plan.objective == pytest.approx(expected, rel=1e-6)


def test_a_draws_file_moves_creators_with_their_offers_rows(tmp_path: Path) -> None:
    (tmp_path / "draws.csv").write_text(
        "draw,platform,tier,period,cost,conversions\n"
        "1,tiktok,micro,,1.5,0.5\n"
        "2,tiktok,micro,,0.5,2\n"
        "2,tiktok,micro,Q1,0.8,\n"
    )
    scenario = scenario_with(tmp_path, uncertainty={"draws_file": "draws.csv"})
    cells = derive_cells(scenario)
    m = scenario_draws(scenario, cells, scenario.uncertainty).multipliers
    tiktok = [i for i, key in enumerate(cells.keys) if key[1] == "tiktok"]
    instagram = [i for i, key in enumerate(cells.keys) if key[1] == "instagram"]
    assert np.allclose(m[0, tiktok, COST], 1.5) and np.allclose(m[0, tiktok, CONVERSIONS], 0.5)
    # draw 2's Q1 row overrides the row for every period, its empty conversions meaning 1
    assert np.allclose(m[1, tiktok, COST], 0.8) and np.allclose(m[1, tiktok, CONVERSIONS], 1.0)
    assert np.all(m[:, instagram, :] == 1.0)


def test_solve_and_simulate_a_roster_plan_from_the_command_line(tmp_path: Path) -> None:
    path = write_roster(
        tmp_path,
        ROWS,
        {"budget": {"total": 450}, "uncertainty": {"draws": 200, "seed": 1},
         "objective": {"maximize": "conversions", "risk": {"cvar": 0.1}}},
    )  # fmt: skip
    runner = CliRunner()
    plan_file = tmp_path / "plan.json"
    done = runner.invoke(app, ["solve", str(path), "-o", str(plan_file)])
    assert done.exit_code == 0, done.output
    solved = json.loads(plan_file.read_text())
    assert {row["creator"] for row in solved["allocation"]} <= set("abcd")
    done = runner.invoke(app, ["simulate", str(path), "--plan", str(plan_file), "-f", "json"])
    assert done.exit_code == 0, done.output
    simulated = json.loads(done.stdout)
    assert simulated["allocation"] == [
        {key: row[key] for key in simulated["allocation"][0]} for row in solved["allocation"]
    ]
    assert simulated["uncertainty"]["outcomes"] == solved["uncertainty"]["outcomes"]
    # the reported percentiles, recomputed from the allocation and the draws
    scenario = optimizer.load_scenario(path)
    cells = derive_cells(scenario)
    m = scenario_draws(scenario, cells, scenario.uncertainty).multipliers
    position = {key[3]: i for i, key in enumerate(cells.keys)}
    z = np.zeros(200)
    for row in solved["allocation"]:
        z += row["conversions"] * m[:, position[row["creator"]], CONVERSIONS]
    conversions = solved["uncertainty"]["outcomes"]["conversions"]
    assert conversions["p10"] == pytest.approx(np.percentile(z, 10), rel=1e-6)
    assert conversions["p90"] == pytest.approx(np.percentile(z, 90), rel=1e-6)


def test_a_saved_plan_naming_an_unknown_creator_is_refused(tmp_path: Path) -> None:
    path = write_roster(tmp_path, ROWS, {"uncertainty": {"draws": 10}})
    plan = {"allocation": [{"period": "Q1", "platform": "tiktok", "tier": "micro",
                            "creator": "zz", "count": 1}]}  # fmt: skip
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    done = CliRunner().invoke(app, ["simulate", str(path), "--plan", str(tmp_path / "plan.json")])
    assert done.exit_code == 2
    assert "allocation[0].creator: no creator 'zz' of tiktok micro posting in Q1" in done.output


def test_too_many_creators_for_the_draws_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optimizer.roster as roster

    monkeypatch.setattr(roster, "UNCERTAIN_VALUES", 4 * 99)
    path = write_roster(tmp_path, ROWS, {"uncertainty": {"draws": 100}})
    assert problems_of(path) == [
        "uncertainty.draws: 4 creators x 100 draws is more than 396: plan a roster of at most"
        " 3 creators with uncertainty at this many draws, or give fewer draws"
    ]
    done = CliRunner().invoke(app, ["solve", str(path)])
    assert done.exit_code == 2


def test_a_roster_problem_names_the_scenario_file_beside_a_draws_file(tmp_path: Path) -> None:
    """The roster is read (and checked) before the draws file, whose cells include it."""
    (tmp_path / "draws.csv").write_text("draw,platform,tier,cost\n1,tiktok,micro,1.2\n")
    rows = [*ROWS, creator("e", 100, 10, cost_per_post="[50, 20]")]
    path = write_roster(tmp_path, rows, {"uncertainty": {"draws_file": "draws.csv"}})
    done = CliRunner().invoke(app, ["validate", str(path)])
    assert done.exit_code == 2
    assert f"{path}: roster.file (creators.csv line 6, column 'cost_per_post'): a range" in (
        done.output.replace("\n", " ")
    )
