"""`optimizer simulate` and `optimizer.simulate`: draws kept per group, a plan's outcomes per
group against a computation cell by cell, the reported figures recomputed here from the
allocation and the draws, every output format read back, and bad input leaving no file.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from test_uncertainty import tiny
from typer.testing import CliRunner

import optimizer
from optimizer import scenario_from_dict
from optimizer.cli import app
from optimizer.constants import METRICS
from optimizer.model.cells import derive_cells
from optimizer.model.linear import build_model
from optimizer.scenario.schema import UNCERTAIN_FIGURES
from optimizer.uncertainty import draws as draws_module
from optimizer.uncertainty.draws import KINDS, draw_parts, scenario_draws
from optimizer.uncertainty.outcomes import evaluate, evaluate_parts, outcome_draws

ROOT = Path(__file__).resolve().parent.parent


def small(**extra: Any) -> dict[str, Any]:
    """Two quarters, two platforms of two tiers: ranges on prices, rates and followers, a
    saturated second half, an average order value, a conversions floor and a budget."""

    def offer(cost: Any, rate: Any, conversion: Any, available: int = 6) -> dict[str, Any]:
        return {
            "followers": [8_000, 12_000],
            "cost_per_post": cost,
            "engagement_rate": rate,
            "conversion_rate": conversion,
            "available": available,
        }

    data: dict[str, Any] = {
        "name": "small",
        "periods": ["Q1", "Q2"],
        "budget": {"total": 5000},
        "average_order_value": 40,
        "saturation": [{"up_to": 2, "factor": 1.0}, {"factor": 0.6}],
        "platforms": {
            "tt": {
                "tiers": {
                    "nano": offer([100, 300], [0.04, 0.08], [0.01, 0.03]),
                    "micro": offer([400, 800], 0.06, [0.01, 0.05], 4),
                }
            },
            "ig": {
                "tiers": {
                    "nano": offer(250, [0.03, 0.05], 0.02),
                    "micro": offer([500, 700], 0.05, [0.02, 0.03], 4),
                }
            },
        },
        "rules": {"limits": [{"name": "enough", "conversions": {"min": 60}}]},
        "objective": {"maximize": "profit", "risk": {"cvar": 0.2, "weight": 0.5}},
        "uncertainty": {"draws": 100, "seed": 5, "spread": {"conversion_rate": 0.2}},
    }
    data.update(extra)
    return data


def hand_plan() -> dict[str, Any]:
    """A saved plan bought by hand: every offer, into its saturated half somewhere."""
    rows = [
        ("Q1", "tt", "nano", 3),
        ("Q1", "tt", "micro", 1),
        ("Q1", "ig", "micro", 2),
        ("Q2", "tt", "nano", 4),
        ("Q2", "ig", "nano", 3),
        ("Q2", "ig", "micro", 1),
    ]
    return {
        "allocation": [{"period": p, "platform": pl, "tier": t, "count": n} for p, pl, t, n in rows]
    }


def cell_by_cell(
    allocation: list[dict[str, Any]], multiplier: Any, draws: int
) -> dict[str, np.ndarray]:
    """Each draw's outcomes from the allocation's figures at point values (saturation is in
    them) times `multiplier(s, period, platform, tier, kind)`, one cell at a time."""
    out = {metric: np.zeros(draws) for metric in ("spend", *KINDS[1:], "revenue")}
    for row in allocation:
        key = (row["period"], row["platform"], row["tier"])
        for s in range(draws):
            out["spend"][s] += row["spend"] * multiplier(s, *key, "cost")
            for metric in ("reach", "engagements", "conversions"):
                out[metric][s] += row[metric] * multiplier(s, *key, metric)
            out["revenue"][s] += (row["revenue"] or 0.0) * multiplier(s, *key, "conversions")
    out["profit"] = out["revenue"] - out["spend"]
    return out


def worst(values: np.ndarray, share: float, high: bool = False) -> float:
    """Mean of the worst `share` of the values (share * N whole here): the lowest, or the
    highest for spend."""
    k = round(share * len(values))
    ordered = np.sort(values)
    return float((ordered[-k:] if high else ordered[:k]).mean())


def check_figures(reported: dict[str, Any], z: dict[str, np.ndarray]) -> None:
    """The reported figures against those of `z` (the JSON rounds to six places)."""
    for metric, values in z.items():
        figures = reported[metric]
        assert figures["mean"] == pytest.approx(values.mean(), rel=1e-8, abs=1e-4)
        for q in (10, 50, 90):
            expected = np.percentile(values, q)
            assert figures[f"p{q}"] == pytest.approx(expected, rel=1e-8, abs=1e-4)
        expected = worst(values, 0.1, high=metric == "spend")
        assert figures["cvar10"] == pytest.approx(expected, rel=1e-8, abs=1e-4)


# --- the draws ---------------------------------------------------------------------------


def test_the_seed_gives_the_draws_a_uniform_draw_computed_here_gives() -> None:
    """Pinned: standard draws come from default_rng(seed).random((N, groups, figures)), a
    range's draw is low + (high - low) q over its midpoint, cost per post the second figure."""
    data = tiny(uncertainty={"draws": 30, "seed": 12, "shape": "uniform"})
    scenario = scenario_from_dict(data)
    cells = derive_cells(scenario)
    drawn = scenario_draws(scenario, cells, scenario.uncertainty)
    q = np.random.default_rng(12).random((30, 2, len(UNCERTAIN_FIGURES)))
    cost = UNCERTAIN_FIGURES.index("cost_per_post")
    conversion = UNCERTAIN_FIGURES.index("conversion_rate")
    # tt micro: cost 400-800, conversion rate 1%-5%; ig micro: cost 500-700
    assert np.allclose(drawn.multipliers[:, 0, 0], (400 + 400 * q[:, 0, cost]) / 600, rtol=1e-14)
    assert np.allclose(
        drawn.multipliers[:, 0, 2], (0.01 + 0.04 * q[:, 0, conversion]) / 0.03, rtol=1e-14
    )
    assert np.allclose(drawn.multipliers[:, 1, 0], (500 + 200 * q[:, 1, cost]) / 600, rtol=1e-14)
    assert np.array_equal(drawn.multipliers[:, 1, 2], np.ones(30))


@pytest.mark.parametrize(
    ("shared_by", "groups"),
    [
        (["platform", "tier"], 4),  # one per offer, every period
        (["period", "platform", "tier"], 8),  # one per cell
        (["tier"], 4),  # a tier's offers share standard draws, each its own range
        ([], 4),
    ],
)
def test_the_draws_are_kept_once_per_group(shared_by: list[str], groups: int) -> None:
    data = small(uncertainty={"draws": 50, "seed": 2, "shared_by": shared_by})
    scenario = scenario_from_dict(data)
    cells = derive_cells(scenario)
    drawn = scenario_draws(scenario, cells, scenario.uncertainty)
    assert drawn.by_group.shape == (50, groups, 4)
    assert len(cells) == 8
    m = drawn.multipliers
    for c, key in enumerate(cells.keys):
        for d, other in enumerate(cells.keys):
            same = drawn.cell_group[c] == drawn.cell_group[d]
            assert same == (key[1:] == other[1:] and ("period" not in shared_by or c == d))
            if same:
                assert np.array_equal(m[:, c], m[:, d])


def test_draws_made_in_parts_are_the_draws_made_at_once() -> None:
    data = small(uncertainty={"draws": 333, "seed": 8, "shape": "pert"})
    scenario = scenario_from_dict(data)
    cells = derive_cells(scenario)
    whole = scenario_draws(scenario, cells, scenario.uncertainty)
    parts = list(draw_parts(scenario, cells, scenario.uncertainty, values=200))
    assert len(parts) > 10
    assert [part.first for part in parts[:3]] == [0, parts[0].count, 2 * parts[0].count]
    assert np.array_equal(np.concatenate([part.by_group for part in parts]), whole.by_group)
    model = build_model(scenario)
    counts = np.floor(cells.column("upper") / 2)
    at_once = evaluate(scenario, cells, model.constraints, counts, whole)
    in_parts = evaluate_parts(scenario, cells, model.constraints, [counts], parts)[0]
    assert in_parts.to_dict() == at_once.to_dict()


@pytest.mark.parametrize("shared_by", [["platform", "tier"], ["period", "platform", "tier"], []])
def test_outcomes_per_group_equal_outcomes_cell_by_cell(shared_by: list[str]) -> None:
    data = small(uncertainty={"draws": 60, "seed": 4, "shared_by": shared_by})
    scenario = scenario_from_dict(data)
    cells = derive_cells(scenario)
    drawn = scenario_draws(scenario, cells, scenario.uncertainty)
    counts = np.array([3.0, 1.0, 0.0, 2.0, 4.0, 0.0, 3.0, 1.0])
    figures = cells.outcomes(counts)
    allocation = [
        {"period": p, "platform": pl, "tier": t, **{k: figures[k][i] for k in figures}}
        for i, (p, pl, t) in enumerate(cells.keys)
    ]
    position = {key: i for i, key in enumerate(cells.keys)}

    def multiplier(s: int, period: str, platform: str, tier: str, kind: str) -> float:
        return float(drawn.multipliers[s, position[(period, platform, tier)], KINDS.index(kind)])

    expected = cell_by_cell(allocation, multiplier, 60)
    got = outcome_draws(cells, counts, drawn, with_profit=True)
    assert set(got) == set(expected)
    for metric, values in expected.items():
        assert np.allclose(got[metric], values, rtol=1e-12), metric


# --- simulate: figures recomputed here ---------------------------------------------------


def write_draws_file(path: Path, draws: int, seed: int) -> dict[tuple[str, ...], float]:
    """A draws file made here: every offer's multipliers per draw, and Q2 overrides for tt
    nano; returns each (draw, period, platform, tier, kind)'s multiplier."""
    rng = np.random.default_rng(seed)
    values: dict[tuple[str, ...], float] = {}
    rows = []
    for s in range(draws):
        for platform, tier in [("tt", "nano"), ("tt", "micro"), ("ig", "nano"), ("ig", "micro")]:
            drawn = rng.uniform(0.5, 1.5, size=4)
            rows.append([f"d{s}", platform, tier, "", *(f"{v:.6f}" for v in drawn)])
            for period in ("Q1", "Q2"):
                for kind, v in zip(KINDS, drawn, strict=True):
                    values[(f"d{s}", period, platform, tier, kind)] = float(f"{v:.6f}")
        override = rng.uniform(0.2, 2.0)
        rows.append([f"d{s}", "tt", "nano", "Q2", "", "", f"{override:.6f}", ""])
        for kind in KINDS:  # an empty value is a multiplier of 1
            values[(f"d{s}", "Q2", "tt", "nano", kind)] = 1.0
        values[(f"d{s}", "Q2", "tt", "nano", "conversions")] = float(f"{override:.6f}")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["draw", "platform", "tier", "period", *KINDS])
        writer.writerows(rows)
    return values


def test_simulate_figures_are_recomputed_from_the_allocation_and_a_draws_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "s.json").write_text(json.dumps(small()))
    (tmp_path / "plan.json").write_text(json.dumps(hand_plan()))
    values = write_draws_file(tmp_path / "d.csv", 50, seed=31)
    arguments = ["simulate", str(tmp_path / "s.json"), "--draws-file", str(tmp_path / "d.csv")]
    result = CliRunner().invoke(
        app, [*arguments, "--plan", str(tmp_path / "plan.json"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    simulated = json.loads(result.stdout)
    judged = simulated["uncertainty"]
    assert (judged["source"], judged["draws"]) == ("file", 50)

    def multiplier(s: int, period: str, platform: str, tier: str, kind: str) -> float:
        return values[(f"d{s}", period, platform, tier, kind)]

    z = cell_by_cell(simulated["allocation"], multiplier, 50)
    check_figures(judged["outcomes"], z)
    profit = z["profit"]
    assert judged["objective"] == pytest.approx(0.5 * profit.mean() + 0.5 * worst(profit, 0.2))
    target = next(t for t in judged["targets"] if t["name"] == "enough")
    assert target["probability"] == pytest.approx(float((z["conversions"] >= 60).mean()))
    over = float((z["spend"] > 5000 * (1 + 1e-9)).mean())
    assert judged["probability_over_budget"] == pytest.approx(over)
    assert 0 < over < 1
    # the midpoint plan, judged on the same draws: the v1 plan of the same file
    v1 = optimizer.solve(scenario_from_dict(small(uncertainty=None, objective="profit")))
    check_figures(
        judged["midpoint_plan"]["outcomes"],
        cell_by_cell(v1.to_dict()["allocation"], multiplier, 50),
    )


def test_simulate_of_the_solved_plan_on_fresh_draws_recomputed_here(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(small()))
    arguments = ["simulate", str(tmp_path / "s.json"), "--draws", "200", "--seed", "77"]
    result = CliRunner().invoke(app, [*arguments, "-f", "json"])
    assert result.exit_code == 0, result.output
    simulated = json.loads(result.stdout)
    assert simulated["status"] == "optimal" and simulated["plan"] == "solve"
    scenario = scenario_from_dict(small(uncertainty={**small()["uncertainty"], "draws": 200}))
    cells = derive_cells(scenario)
    settings = scenario.uncertainty.model_copy(update={"seed": 77})
    m = scenario_draws(scenario, cells, settings).multipliers
    position = {key: i for i, key in enumerate(cells.keys)}

    def multiplier(s: int, period: str, platform: str, tier: str, kind: str) -> float:
        return float(m[s, position[(period, platform, tier)], KINDS.index(kind)])

    z = cell_by_cell(simulated["allocation"], multiplier, 200)
    check_figures(simulated["uncertainty"]["outcomes"], z)
    assert simulated["uncertainty"]["out_of_sample"]["seed"] == 78


def test_simulate_solves_no_midpoint_plan_the_solve_has_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from optimizer.uncertainty import simulate as module

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the midpoint plan was solved again")

    solved = optimizer.solve(scenario_from_dict(small()))
    monkeypatch.setattr(module, "midpoint_counts", refuse)
    # an uncertain scenario judged on fresh draws: the uncertain solve found the midpoint plan
    fresh = optimizer.simulate(scenario_from_dict(small()), draws=120, seed=3)
    assert fresh.uncertainty is not None and fresh.uncertainty.midpoint_plan is not None
    assert fresh.uncertainty.draws == 120
    assert fresh.uncertainty.midpoint_plan.outcomes != solved.uncertainty.midpoint_plan.outcomes
    midpoint = fresh.uncertainty.midpoint_plan.counts
    v1 = optimizer.solve(scenario_from_dict(small(uncertainty=None, objective="profit")))
    assert np.array_equal(midpoint, v1.counts)
    # a v1 scenario: its plan is the midpoint plan
    plain = optimizer.simulate(scenario_from_dict(small(uncertainty=None, objective="profit")))
    assert plain.uncertainty is not None and plain.uncertainty.midpoint_plan is not None
    assert plain.uncertainty.midpoint_plan.outcomes == plain.uncertainty.plan.outcomes


def test_a_saved_plan_is_judged_beside_the_midpoint_plan() -> None:
    """The spec's `uncertainty` object has the midpoint plan: for a saved plan it is solved."""
    scenario = scenario_from_dict(small(uncertainty=None, objective="profit"))
    counts = np.ones(len(derive_cells(scenario)))
    simulation = optimizer.simulate(scenario, counts, plan_source="mine")
    assert simulation.uncertainty is not None and simulation.uncertainty.midpoint_plan is not None
    v1 = optimizer.solve(scenario)
    assert np.array_equal(simulation.uncertainty.midpoint_plan.counts, v1.counts)
    judged = simulation.to_dict()["uncertainty"]
    assert judged["midpoint_plan"]["outcomes"]["profit"] != judged["outcomes"]["profit"]


def test_judging_in_parts_reports_progress_and_the_same_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = scenario_from_dict(small(uncertainty={"draws": 400, "seed": 1}))
    counts = np.array([3.0, 1.0, 0.0, 2.0, 4.0, 0.0, 3.0, 1.0])
    whole = optimizer.simulate(scenario, counts, plan_source="mine").to_dict()
    heard: list[tuple[int, int]] = []
    monkeypatch.setattr(draws_module, "PART_VALUES", 500)
    parts = optimizer.simulate(
        scenario, counts, plan_source="mine", on_draws=lambda *done: heard.append(done)
    )
    assert parts.to_dict() == whole
    assert len(heard) > 4
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    assert heard[-1] == (800, 800)  # the draws, then as many independent ones


# --- DataFrames ---------------------------------------------------------------------------


def test_the_draws_and_outcomes_as_data_frames(tmp_path: Path) -> None:
    scenario = scenario_from_dict(small())
    counts = np.array([3.0, 1.0, 0.0, 2.0, 4.0, 0.0, 3.0, 1.0])
    simulation = optimizer.simulate(scenario, counts, plan_source="mine")
    draws = simulation.draws_frame()
    assert draws.shape == (100, 4 * 4)
    assert draws.index.name == "draw" and list(draws.index) == list(range(100))
    assert draws.columns.names == ["kind", "platform", "tier", "period"]
    cells = derive_cells(scenario)
    m = scenario_draws(scenario, cells, scenario.uncertainty).multipliers
    assert np.array_equal(draws["conversions", "tt", "micro", ""].to_numpy(), m[:, 1, 2])
    assert np.array_equal(draws["cost", "ig", "micro", ""].to_numpy(), m[:, 7, 0])
    outcomes = simulation.outcomes_frame()
    assert list(outcomes.columns) == [*METRICS[1:], "profit"]
    assert len(outcomes) == 100
    reported = simulation.to_dict()["uncertainty"]["outcomes"]
    for metric in outcomes:
        assert reported[metric]["p50"] == pytest.approx(float(outcomes[metric].median()))
    spend = (draws["cost"] * 0).sum(axis=1)  # recomputed from the frame: spend per draw
    figures = cells.outcomes(counts)["spend"]
    for position, (_, platform, tier) in enumerate(cells.keys):
        spend += figures[position] * draws["cost", platform, tier, ""]
    assert np.allclose(spend.to_numpy(), outcomes["spend"].to_numpy(), rtol=1e-12)
    midpoint = simulation.outcomes_frame("midpoint_plan")
    assert not midpoint.equals(outcomes)
    # a draws file's draws keep their ids
    write_draws_file(tmp_path / "d.csv", 5, seed=1)
    filed = optimizer.simulate(scenario, counts, plan_source="mine", draws_file=tmp_path / "d.csv")
    assert list(filed.draws_frame().index) == [f"d{s}" for s in range(5)]
    assert list(filed.outcomes_frame().index) == [f"d{s}" for s in range(5)]
    assert ("conversions", "tt", "nano", "Q2") in filed.draws_frame().columns


def test_simulate_loads_pandas_only_for_the_data_frames(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(small(uncertainty=None, objective="profit")))
    script = f"""
import sys
import numpy as np
import optimizer
scenario = optimizer.load_scenario({str(tmp_path / "s.json")!r})
simulation = optimizer.simulate(scenario, np.ones(8), plan_source="mine", draws=50)
print("pandas" in sys.modules)
simulation.outcomes_frame()
print("pandas" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["False", "True"]


# --- every output format ------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("simulate")
    (folder / "s.json").write_text(json.dumps(small()))
    (folder / "plan.json").write_text(json.dumps(hand_plan()))
    return folder


def run(files: Path, *arguments: str) -> Any:
    base = ["simulate", str(files / "s.json"), "--plan", str(files / "plan.json")]
    result = CliRunner().invoke(app, [*base, *arguments])
    assert result.exit_code == 0, result.output
    return result


def test_json_and_table(files: Path) -> None:
    data = json.loads(run(files, "-f", "json").stdout)
    assert data["plan"] == str(files / "plan.json") and "midpoint_plan" in data["uncertainty"]
    table = run(files).stdout
    assert "P90" in table and "enough: conversions of at least 60" in table
    run(files, "-o", str(files / "out.txt"))
    assert "P90" in (files / "out.txt").read_text()


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def test_csv_gives_each_figure_and_each_chance(files: Path) -> None:
    data = json.loads(run(files, "-f", "json").stdout)["uncertainty"]
    printed = list(csv.DictReader(run(files, "-f", "csv").stdout.splitlines()))
    assert [row["metric"] for row in printed] == [
        *("spend", "reach", "engagements", "conversions", "revenue", "profit")
    ]
    for row in printed:
        for key in ("mean", "p10", "p50", "p90", "cvar10"):
            expected = data["outcomes"][row["metric"]][key]
            assert float(row[key]) == pytest.approx(expected, rel=1e-6, abs=1e-6)
        expected = data["midpoint_plan"]["outcomes"][row["metric"]]["mean"]
        assert float(row["midpoint_mean"]) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    result = run(files, "-o", str(files / "out.csv"))
    written = {name: files / name for name in ("out.csv", "out-chances.csv", "out-allocation.csv")}
    assert all(str(path) in result.output for path in written.values())
    assert list(rows_of(written["out.csv"])) == printed
    chances = list(rows_of(written["out-chances.csv"]))
    assert [(row["name"], row["condition"]) for row in chances] == [
        ("enough", "at least"),
        ("budget.total", "above"),
    ]
    assert float(chances[0]["probability"]) == pytest.approx(data["targets"][0]["probability"])
    assert float(chances[1]["probability"]) == pytest.approx(data["probability_over_budget"])
    assert float(chances[1]["value"]) == 5000
    allocation = list(rows_of(written["out-allocation.csv"]))
    counts = {(r["period"], r["platform"], r["tier"]): int(r["count"]) for r in allocation}
    saved = {(r["period"], r["platform"], r["tier"]): r["count"] for r in hand_plan()["allocation"]}
    assert counts == saved


def test_html_markdown_and_workbook_have_the_chart_and_the_tables(files: Path) -> None:
    run(files, "-o", str(files / "out.html"))
    page = (files / "out.html").read_text()
    assert page.count("<svg") == 1 and "Profit over the draws" in page
    assert "Share of draws" in page and "budget.total" in page and "Midpoint plan: mean" in page
    run(files, "-o", str(files / "out.md"))
    text = (files / "out.md").read_text()
    assert "](out.profit-over-the-draws.svg)" in text
    assert (files / "out.profit-over-the-draws.svg").read_text().startswith("<svg")
    run(files, "-o", str(files / "out.xlsx"))
    book = openpyxl.load_workbook(files / "out.xlsx")
    assert book.sheetnames == ["About", "Charts", "Uncertainty", "Chances", "Allocation"]
    header = [cell.value for cell in book["Uncertainty"][1]]
    assert header[:6] == ["metric", "point", "mean", "p10", "p50", "p90"]
    assert [row[0].value for row in book["Uncertainty"].iter_rows(min_row=2)][:6] == [
        *("spend", "reach", "engagements", "conversions", "revenue", "profit")
    ]
    assert len(book["Charts"]._charts) == 1


# --- bad input: exit 2, nothing written ----------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--plan", "bad.json", "-o", "out.xlsx"], "bad.json: allocation[0].platform"),
        (["--draws-file", "bad.csv", "-o", "out.csv"], "bad.csv: line 2: unknown platform"),
        (["--draws", "0", "-o", "out.html"], "--draws"),
        (["-o", "out.pdf"], "no format is written as .pdf"),
        (["-f", "xlsx"], "give --output FILE.xlsx"),
        (["-f", "csv", "-o", "out.json"], "--format is csv"),
        (["--plan", "plan.json", "-o", "plan.json"], "that is an input file"),
        (["--draws-file", "d.csv", "-o", "d.csv"], "that is an input file"),
        (["-o", "s.json"], "that is an input file"),
        # a file written beside the output would be an input: none of them is written
        (["--draws-file", "out-chances.csv", "-o", "out.csv"], "is an input file"),
        (["-o", "missing/out.csv"], "does not exist"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.json").write_text(json.dumps(small()))
    (tmp_path / "plan.json").write_text(json.dumps(hand_plan()))
    (tmp_path / "bad.json").write_text(
        json.dumps({"allocation": [{"period": "Q1", "platform": "yt", "tier": "nano", "count": 1}]})
    )
    (tmp_path / "bad.csv").write_text("draw,platform,tier,cost\n1,yt,nano,1\n")
    write_draws_file(tmp_path / "d.csv", 3, seed=0)
    write_draws_file(tmp_path / "out-chances.csv", 3, seed=0)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    result = CliRunner().invoke(app, ["simulate", "s.json", *arguments])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after == before  # no file written, none changed, no temporary file left


def test_a_side_file_that_cannot_be_written_leaves_no_report(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(small()))
    (tmp_path / "out-allocation.csv").mkdir()
    result = CliRunner().invoke(
        app, ["simulate", str(tmp_path / "s.json"), "-o", str(tmp_path / "out.csv")]
    )
    assert result.exit_code == 2, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out-allocation.csv", "s.json"]
