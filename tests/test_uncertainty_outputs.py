"""What the reports, compare and sweep show of a plan's uncertainty (section 8.3 of the
format): the outcome over the draws beside the midpoint plan, risk columns, the risk frontier."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from rich.console import Console
from test_uncertainty import tiny as uncertain_tiny

from optimizer import scenario_from_dict, solve
from optimizer.report.document import plan_report
from optimizer.report.writers import to_html, write_markdown, write_xlsx
from optimizer.uncertainty.outcomes import cvar


def tiny(**extra: Any) -> dict[str, Any]:
    """The uncertainty tests' tiny scenario (two offers, one of uncertain conversions, one of
    uncertain cost, 40 draws) with a CVaR 25% objective."""
    data = uncertain_tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.25}})
    data.update(extra)
    return data


def rendered(renderable: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=400).print(renderable)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def risky_plan() -> Any:
    return solve(scenario_from_dict(tiny()), gap=0)


def test_the_plan_report_has_the_uncertainty_table(risky_plan: Any) -> None:
    report = plan_report(risky_plan, with_charts=False)
    table = next(table for table in report.tables if table.name == "Uncertainty")
    frame = table.frame.set_index("metric")
    outcomes = risky_plan.uncertainty.plan.outcomes
    assert list(frame.index) == ["spend", "reach", "engagements", "conversions"]
    for metric in frame.index:
        for key in ("mean", "p10", "p50", "p90", "cvar10"):
            assert frame.loc[metric, key] == pytest.approx(outcomes[metric][key])
        assert frame.loc[metric, "point"] == pytest.approx(risky_plan.totals[metric])
    midpoint = risky_plan.uncertainty.midpoint_plan.outcomes
    assert frame.loc["conversions", "midpoint_cvar10"] == pytest.approx(
        midpoint["conversions"]["cvar10"]
    )
    # spend reads as money, conversions as a number, row by row
    assert table.row_formats["p10"][0] == "money"
    assert table.row_formats["p10"][3] == "number"
    # the sentences on the budget and the midpoint plan come along
    assert any("midpoint (v1) plan" in line for line in report.lines)


def test_the_distribution_chart_bins_every_draw_of_both_plans(risky_plan: Any) -> None:
    report = plan_report(risky_plan, with_charts=True)
    chart = next(chart for chart in report.charts if "over the draws" in chart.title)
    assert chart.title == "Conversions over the draws"
    assert chart.data is not None
    assert list(chart.data.columns) == ["this plan", "midpoint plan"]
    assert (chart.data.sum() == 40).all()
    # the bins' counts are those of the draws' outcomes, on bins shared by both plans
    from optimizer.report.charts import histogram_edges

    mine = risky_plan.uncertainty.plan.samples["conversions"]
    theirs = risky_plan.uncertainty.midpoint_plan.samples["conversions"]
    assert len(mine) == len(theirs) == 40
    edges = histogram_edges(np.concatenate([mine, theirs]), len(chart.data))
    assert list(chart.data["this plan"]) == list(np.histogram(mine, edges)[0])
    assert list(chart.data["midpoint plan"]) == list(np.histogram(theirs, edges)[0])
    assert chart.svg is not None and chart.svg.startswith("<svg")


def test_the_distribution_chart_marks_the_percentiles_in_its_legend(risky_plan: Any) -> None:
    from optimizer.report import charts

    samples = {"this plan": np.array([1.0, 2.0, 3.0, 4.0, 100.0])}
    figure = charts.distributions(samples, "t", "conversions")
    axes = figure.axes[0]
    # three vertical lines at P10, P50, P90
    xs = sorted(line.get_xdata()[0] for line in axes.get_lines())
    assert xs == pytest.approx(np.percentile(samples["this plan"], [10, 50, 90]))
    (text,) = [t.get_text() for t in figure.legends[0].get_texts()]
    assert text == "this plan: P10 1, P50 3, P90 62"


def test_html_markdown_and_workbook_carry_the_chart_and_table(
    risky_plan: Any, tmp_path: Path
) -> None:
    page = to_html(plan_report(risky_plan))
    assert "Conversions over the draws" in page and "Worst 10% mean" in page
    written = write_markdown(plan_report(risky_plan), tmp_path / "plan.md")
    chart = tmp_path / "plan.conversions-over-the-draws.svg"
    assert chart in written and chart.read_text().startswith("<svg")
    text = (tmp_path / "plan.md").read_text()
    assert "](plan.conversions-over-the-draws.svg)" in text
    assert "| Metric | Point | Mean | P10 | P50 | P90 |" in text
    write_xlsx(plan_report(risky_plan, with_charts=False), tmp_path / "plan.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert "Uncertainty" in workbook.sheetnames
    sheet = workbook["Uncertainty"]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["metric", "point", "mean", "p10", "p50", "p90", "cvar10"]
    charts_sheet = workbook["Charts"]
    titles = [cell.value for cell in charts_sheet["A"] if cell.value]
    assert "Conversions over the draws" in titles
    assert len(charts_sheet._charts) == 2  # spend by tier, and the draws


def test_a_plan_without_uncertainty_has_no_uncertainty_parts() -> None:
    plan = solve(scenario_from_dict({**tiny(), "uncertainty": None, "objective": "conversions"}))
    report = plan_report(plan, with_charts=False)
    assert all(table.name != "Uncertainty" for table in report.tables)
    assert all("draws" not in chart.title for chart in report.charts)


def test_cvar_of_the_samples_is_the_reported_worst_mean(risky_plan: Any) -> None:
    evaluation = risky_plan.uncertainty.plan
    values = evaluation.samples["conversions"]
    assert cvar(values, 0.1) == pytest.approx(evaluation.outcomes["conversions"]["cvar10"])


def test_compare_shows_risk_columns_and_the_price_of_ignoring_uncertainty(
    risky_plan: Any,
) -> None:
    from optimizer.analysis.compare import compare
    from optimizer.report.document import comparison_report
    from optimizer.report.terminal import comparison_view

    v1 = solve(scenario_from_dict({**tiny(), "uncertainty": None, "objective": "conversions"}))
    saved = json.loads(risky_plan.to_json())  # a saved plan keeps its uncertainty
    comparison = compare([v1, risky_plan, saved], labels=["v1", "risk", "saved"])
    totals = comparison.totals
    outcomes = risky_plan.uncertainty.plan.outcomes["conversions"]
    midpoint = risky_plan.uncertainty.midpoint_plan.outcomes["conversions"]
    for name in ("risk", "saved"):
        assert totals.loc[name, "risk_mean"] == pytest.approx(outcomes["mean"])
        assert totals.loc[name, "risk_p10"] == pytest.approx(outcomes["p10"])
        assert totals.loc[name, "risk_p90"] == pytest.approx(outcomes["p90"])
        assert totals.loc[name, "risk_cvar10"] == pytest.approx(outcomes["cvar10"])
        assert totals.loc[name, "price_of_ignoring"] == pytest.approx(
            outcomes["cvar10"] - midpoint["cvar10"]
        )
    assert np.isnan(totals.loc["v1", "risk_mean"])  # no draws, no figures
    record = comparison.to_dict()["totals"][1]
    assert record["risk_cvar10"] == pytest.approx(outcomes["cvar10"])
    text = rendered(comparison_view(comparison))
    assert "Worst 10% mean" in text and "Price of ignoring" in text
    report = comparison_report(comparison, with_charts=False)
    table = report.tables[0]
    assert table.row_formats["risk_mean"] == ["number"] * 3
    assert any("price of ignoring uncertainty" in line for line in report.lines)


def test_compare_without_uncertainty_has_no_risk_columns() -> None:
    from optimizer.analysis.compare import compare

    v1 = solve(scenario_from_dict({**tiny(), "uncertainty": None, "objective": "conversions"}))
    comparison = compare([v1, v1])
    assert "risk_mean" not in comparison.totals


def test_sweeping_the_risk_weight_traces_the_mean_against_cvar_frontier(tmp_path: Path) -> None:
    from optimizer.analysis.sweep import sweep
    from optimizer.report.document import sweep_report

    data = tiny(objective={"maximize": "conversions", "risk": {"cvar": 0.1}})
    result = sweep(scenario_from_dict(data), params=["objective.risk.weight=0,1"], gap=0)
    points = result.points.set_index("objective.risk.weight")
    # weight 0 maximises the mean, weight 1 the mean of the worst 10% (4 of 40 draws)
    assert points.loc[0.0, "risk_mean"] >= points.loc[1.0, "risk_mean"] - 1e-6
    assert points.loc[1.0, "risk_cvar10"] >= points.loc[0.0, "risk_cvar10"] - 1e-6
    assert points.loc[1.0, "objective"] == pytest.approx(points.loc[1.0, "risk_cvar10"])
    assert points.loc[0.0, "objective"] == pytest.approx(points.loc[0.0, "risk_mean"])
    record = result.to_dict()["points"][1]
    assert record["risk"]["cvar10"] == pytest.approx(points.loc[1.0, "risk_cvar10"])
    report = sweep_report(result, with_charts=True)
    (chart,) = report.charts
    assert chart.title == "Mean against the worst 10% over the draws"
    assert chart.data is not None and chart.svg is not None
    assert list(chart.data.index) == pytest.approx(list(points["risk_cvar10"]))
    write_xlsx(sweep_report(result, with_charts=False), tmp_path / "sweep.xlsx")
    (native,) = openpyxl.load_workbook(tmp_path / "sweep.xlsx")["Charts"]._charts
    assert "worst 10% mean" in str(native.x_axis.title.tx.rich.p[0].r[0].t)


def test_a_risk_swept_on_a_scenario_taking_the_mean_and_the_cvar_share() -> None:
    from optimizer.analysis.sweep import sweep

    data = tiny(objective="conversions")  # the mean over the draws (uncertainty given)
    result = sweep(scenario_from_dict(data), params=["objective.risk.cvar=0.1,0.5"], gap=0)
    assert list(result.points["status"]) == ["optimal", "optimal"]
    assert result.points["risk_cvar10"].notna().all()
    # a smaller share weighs the worst draws more: its worst-10% mean is at least as good
    first, second = result.points["risk_cvar10"]
    assert first >= second - 1e-6


def _row_activity(model: Any, values: np.ndarray) -> np.ndarray:
    rows = model.rows
    return np.array(
        [
            rows.data[rows.indptr[r] : rows.indptr[r + 1]]
            @ values[rows.indices[rows.indptr[r] : rows.indptr[r + 1]]]
            for r in range(model.num_rows)
        ]
    )


@pytest.mark.parametrize("risk", [{"cvar": 0.25}, {"cvar": 0.1, "weight": 0.5}, "expected"])
def test_the_start_from_the_midpoint_plan_is_feasible_and_scores_its_measure(risk: Any) -> None:
    from optimizer.model.linear import build_model
    from optimizer.solvers import SolveOptions
    from optimizer.uncertainty.draws import scenario_draws
    from optimizer.uncertainty.model import start_values
    from optimizer.uncertainty.outcomes import evaluate
    from optimizer.uncertainty.solve import midpoint_solution, uncertain_model

    scenario = scenario_from_dict(tiny(objective={"maximize": "conversions", "risk": risk}))
    model = build_model(scenario)
    draws = scenario_draws(scenario, model.cells, scenario.uncertainty)
    extended = uncertain_model(model, draws)
    found = midpoint_solution(scenario, model, "highs", SolveOptions(60.0, 0.0))
    values = start_values(extended, found.values)
    activity = _row_activity(extended, values)
    assert (activity >= extended.row_lower - 1e-6).all()
    assert (activity <= extended.row_upper + 1e-6).all()
    assert (values >= extended.col_lower - 1e-9).all()
    counts = found.values[model.count_columns]
    measure = evaluate(scenario, model.cells, model.constraints, counts, draws).objective
    assert float(extended.objective @ values) == pytest.approx(measure, rel=1e-9)


def test_the_start_of_a_chance_model_marks_the_draws_reaching_the_target() -> None:
    from optimizer.model.linear import build_model
    from optimizer.uncertainty.draws import scenario_draws
    from optimizer.uncertainty.model import chance_model, start_values
    from optimizer.uncertainty.outcomes import outcome_draws

    objective = {"minimize": "spend", "target": {"conversions": 60, "probability": 0.5}}
    scenario = scenario_from_dict(tiny(objective=objective))
    model = build_model(scenario)
    draws = scenario_draws(scenario, model.cells, scenario.uncertainty)
    extended = chance_model(model, draws, scenario.objective.target)
    base = np.zeros(model.num_cols)
    base[model.count_columns] = [2, 1]  # a plan; its segment columns below
    segments = [c for c in range(model.num_cols) if c not in set(model.count_columns)]
    solved = _segment_fill(model, base, segments)
    values = start_values(extended, solved)
    z = outcome_draws(model.cells, base[model.count_columns], draws, False)["conversions"]
    ys = [i for i, name in enumerate(extended.col_names) if name.startswith("target:y[")]
    marked = {int(extended.col_names[i][9:-1]): values[i] for i in ys}
    for s, y in marked.items():
        assert y == (1.0 if z[s] >= 60 - 1e-9 else 0.0)
    activity = _row_activity(extended, values)
    rows = [r for r, name in enumerate(extended.row_names) if name.startswith("target[")]
    assert (activity[rows] >= extended.row_lower[rows] - 1e-6).all()


def _segment_fill(model: Any, base: np.ndarray, segments: list[int]) -> np.ndarray:
    """The v1 model's column values for these counts: segments filled in order (a plan the
    solver could return)."""
    from optimizer.solvers import SolveOptions, run_solver

    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    lower[model.count_columns] = upper[model.count_columns] = base[model.count_columns]
    from dataclasses import replace

    fixed = replace(model, col_lower=lower, col_upper=upper)
    solution = run_solver(fixed, "highs", SolveOptions(60.0, 0.0))
    return solution.values


def test_the_midpoint_plan_reuses_the_built_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import optimizer.model.linear as linear
    from optimizer.solvers import SolveOptions
    from optimizer.uncertainty.solve import solve_uncertain

    scenario = scenario_from_dict(tiny())
    model = linear.build_model(scenario)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model was built again")

    monkeypatch.setattr(linear, "build_model", refused)
    plan = solve_uncertain(scenario, model, "highs", SolveOptions(60.0, 0.0))
    assert plan.uncertainty.midpoint_plan is not None
    # started from the midpoint plan or not, the optimum is the same
    cold = solve_uncertain(
        scenario, model, "highs", SolveOptions(60.0, 0.0), start_from_midpoint=False
    )
    assert plan.objective == pytest.approx(cold.objective, rel=1e-9)


def test_a_time_limit_that_stops_a_cvar_solve_is_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    import optimizer.uncertainty.clusters as clusters
    import optimizer.uncertainty.solve as uncertain
    from optimizer.cli import app
    from optimizer.solvers import Status

    original = uncertain.run_solver

    def stopped(model: Any, *args: Any, **kwargs: Any) -> Any:
        # the CVaR search stopped with its gap open: a bound 10% above its plan
        solution = original(model, *args, **kwargs)
        if model.is_mip and any(name == "cvar:t" for name in model.col_names):
            wide = solution.objective + 0.1 * abs(solution.objective) + 1.0
            return replace(solution, status=Status.FEASIBLE, bound=wide)
        return solution

    from dataclasses import replace

    monkeypatch.setattr(uncertain, "run_solver", stopped)
    monkeypatch.setattr(clusters, "run_solver", stopped)
    result = json.loads(solve(scenario_from_dict(tiny())).to_json())
    assert result["status"] == "feasible"
    assert any("time limit stopped" in note for note in result["notes"])
    assert result["uncertainty"]["stopped_by_time_limit"] is True
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny()))
    shown = CliRunner().invoke(app, ["solve", str(path)], env={"COLUMNS": "200"})
    assert "time limit stopped the search" in shown.output


def test_a_time_limit_that_stops_a_chance_target_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    import optimizer.uncertainty.solve as uncertain
    from optimizer.solvers import Status

    original = uncertain.run_solver

    def stopped(model: Any, *args: Any, **kwargs: Any) -> Any:
        # the chance model's search stopped with its gap open: a bound 10% below its plan
        solution = original(model, *args, **kwargs)
        if any(name.startswith("target:y[") for name in model.col_names):
            low = solution.objective - 0.1 * abs(solution.objective) - 1.0
            return replace(solution, status=Status.FEASIBLE, bound=low)
        return solution

    monkeypatch.setattr(uncertain, "run_solver", stopped)
    objective = {"minimize": "spend", "target": {"conversions": 60, "probability": 0.5}}
    result = json.loads(solve(scenario_from_dict(tiny(objective=objective))).to_json())
    assert result["status"] == "feasible"
    assert result["objective"]["gap"] > 1e-4
    assert any("time limit stopped" in note for note in result["notes"])
    assert result["uncertainty"]["stopped_by_time_limit"] is True
    # the draws' least spends bound it closer than the stopped search did
    assert result["solver"]["bound_method"] == "least-spend-per-draw"
    assert result["objective"]["gap"] < 0.1


def test_the_frontier_labels_points_that_fall_together_once() -> None:
    from optimizer.report import charts

    figure = charts.mean_against_cvar(
        np.array([376.0, 376.0, 367.7, 363.4]),
        np.array([311.6, 311.6, 316.0, 316.3]),
        ["weight 0", "weight 0.5", "weight 0.75", "weight 1"],
        "t",
        "conversions",
    )
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts == ["weight 0; weight 0.5", "weight 0.75", "weight 1"]
