"""Compare, sweep, the spreadsheet baseline and the report files (issue: finance workflows)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

import optimizer
from optimizer.analysis.baseline import spreadsheet_counts, spreadsheet_plan
from optimizer.analysis.compare import compare
from optimizer.analysis.sweep import MAX_POINTS, Param, parse_param, parse_range, sweep, with_value
from optimizer.cli import app
from optimizer.report.document import comparison_report, plan_report, sweep_report
from optimizer.report.frames import summary_frame
from optimizer.report.numbers import money, quantity
from optimizer.report.terminal import comparison_view
from optimizer.report.writers import (
    cell_text,
    to_html,
    to_markdown,
    write_markdown,
    write_xlsx,
)

GAP = 1e-6
ROOT = Path(__file__).resolve().parents[1]


def brand() -> dict[str, Any]:
    """Two platforms, three tiers, two quarters, 70-20-10 with an emerging platform."""
    return {
        "name": "Finance brand",
        "periods": ["Q1", "Q2"],
        "budget": {"total": 40000},
        "rules": {"presets": ["70-20-10"], "tolerance": 0.1},
        "platforms": {
            "tiktok": {
                "tiers": {
                    "micro": {
                        "followers": 30000,
                        "cost_per_post": 1500,
                        "engagement_rate": 0.06,
                        "conversion_rate": 0.02,
                        "available": 10,
                    },
                    "macro": {
                        "followers": 300000,
                        "cost_per_post": 4000,
                        "engagement_rate": 0.03,
                        "conversion_rate": 0.006,
                    },
                }
            },
            "instagram": {
                "tiers": {
                    "micro": {
                        "followers": 20000,
                        "cost_per_post": 900,
                        "engagement_rate": 0.05,
                        "conversion_rate": 0.015,
                        "available": 8,
                    },
                    "mega": {
                        "followers": 2000000,
                        "cost_per_post": 9000,
                        "engagement_rate": 0.01,
                        "conversion_rate": 0.002,
                    },
                }
            },
            "threads": {
                "emerging": True,
                "tiers": {
                    "micro": {
                        "followers": 10000,
                        "cost_per_post": 400,
                        "engagement_rate": 0.05,
                        "conversion_rate": 0.01,
                        "available": 5,
                    }
                },
            },
        },
    }


def at_budget(data: dict[str, Any], budget: float) -> optimizer.Scenario:
    return optimizer.scenario_from_dict(with_value(data, "budget.total", budget))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_each_sweep_point_equals_an_independent_solve(solver: str) -> None:
    data = brand()
    budgets = [8000.0, 15000.0, 25000.0, 40000.0, 60000.0]
    result = sweep(optimizer.scenario_from_dict(data), budgets, solver=solver, gap=GAP)
    assert list(result.points["budget"]) == budgets
    for budget, objective in zip(budgets, result.points["objective"], strict=True):
        alone = optimizer.solve(at_budget(data, budget), solver="highs", gap=GAP)
        assert objective == pytest.approx(alone.objective, rel=1e-6, abs=1e-6)


def test_parameter_sweep_points_equal_solves_of_the_changed_scenario() -> None:
    data = brand()
    path = "platforms.tiktok.tiers.micro.conversion_rate"
    result = sweep(
        optimizer.scenario_from_dict(data), [20000.0, 40000.0], [(path, [0.01, 0.03])], gap=GAP
    )
    assert len(result.points) == 4
    for row in result.points.to_dict(orient="records"):
        changed = with_value(with_value(data, path, row[path]), "budget.total", row["budget"])
        alone = optimizer.solve(optimizer.scenario_from_dict(changed), gap=GAP)
        assert row["objective"] == pytest.approx(alone.objective, rel=1e-6, abs=1e-6)


def test_parallel_sweep_returns_the_same_points_in_order() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    budgets = parse_range("10000:40000:5000")
    one = sweep(scenario, budgets, gap=GAP)
    two = sweep(scenario, budgets, gap=GAP, workers=2)
    assert list(two.points["budget"]) == budgets
    np.testing.assert_allclose(two.points["objective"], one.points["objective"], rtol=1e-6)


def test_marginal_cpa_is_the_extra_spend_per_extra_conversion() -> None:
    points = sweep(optimizer.scenario_from_dict(brand()), [20000.0, 30000.0, 40000.0]).points
    for i in (1, 2):
        extra = points["conversions"][i] - points["conversions"][i - 1]
        if extra > 0:
            expected = (points["spend"][i] - points["spend"][i - 1]) / extra
            assert points["marginal_cpa"][i] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1:3:1", [1.0, 2.0, 3.0]),
        ("50000:100000:25000", [50000.0, 75000.0, 100000.0]),
        ("0.1,0.2", [0.1, 0.2]),
    ],
)
def test_parse_range(text: str, values: list[float]) -> None:
    assert parse_range(text) == values


@pytest.mark.parametrize(
    "text", ["1:3", "3:1:1", "1:3:0", "a,b", "", "1,nan", "1:inf:1", "1,inf", "1e5,,2e5", "1,2,"]
)
def test_parse_range_rejects_bad_ranges(text: str) -> None:
    with pytest.raises(optimizer.OptimizerError, match="start:stop:step"):
        parse_range(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(-0.0, "0"), (-1e-12, "0"), (-0.04, "0.0"), (-0.3, "-0.3"), (-2.0, "-2"), (1234.0, "1,234")],
)
def test_a_quantity_never_reads_as_minus_zero(value: float, text: str) -> None:
    assert quantity(value) == text


def test_a_plain_number_cell_never_reads_as_minus_zero() -> None:
    assert cell_text(-1e-9, "number", "USD") == "0.00"
    assert cell_text(-1.1e-16, "percent", "USD") == "0.0%"
    assert cell_text(-0.004, "percent", "USD") == "-0.4%"
    assert cell_text(-0.5, "number", "USD") == "-0.50"
    assert cell_text(-2_500.0, "number", "USD") == "-2,500"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (18_562.5, "$18,563"),  # halves round up, not to the even neighbour
        (20_872.499999999996, "$20,873"),  # a sum's float noise is still a half
        (50.0, "$50"),  # whole amounts carry no cents, whatever their size
        (0.0, "$0"),
        (41.678, "$41.68"),
        (-1_035.0, "-$1,035"),
        (-0.001, "$0"),
        (0.00012, "<$0.01"),  # tiny, not free
        (0.00012 - 0.00012, "$0"),
    ],
)
def test_money_reads_as_an_accountant_writes_it(value: float, text: str) -> None:
    assert money(value) == text


def test_compare_refuses_what_it_cannot_compare_with_an_optimizer_error() -> None:
    plan = optimizer.solve(optimizer.scenario_from_dict(brand()))
    for arguments, message in [
        ({"items": [plan, plan], "labels": ["a"]}, "give one label per plan: 1 for 2 plans"),
        ({"items": [plan, {"x": 1}]}, "plan 2: not a plan"),
        ({"items": [plan, plan], "baseline": "nope"}, "baseline 'nope' is none of the plans"),
    ]:
        with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
            compare(**arguments)


def test_compare_shows_figures_that_do_not_exist_as_missing_not_zero() -> None:
    plan = optimizer.solve(optimizer.scenario_from_dict(brand()))  # no average order value
    data = brand()
    data["platforms"]["tiktok"]["tiers"]["macro"]["min"] = 9  # more than the budget buys
    stuck = optimizer.solve(optimizer.scenario_from_dict(data))
    assert stuck.status == "infeasible"
    comparison = compare([plan, stuck], labels=["plan", "stuck"])
    totals = comparison.totals
    assert totals.loc["stuck", ["count", "spend", "conversions", "cpa"]].isna().all()
    assert np.isnan(totals.loc["plan", "revenue"])
    assert totals.loc["plan", "spend"] == pytest.approx(plan.totals["spend"])
    # no shares, no cells and no deltas for the plan that does not exist; 0 where one buys none
    assert comparison.shares["stuck"].isna().all() and comparison.shares["plan"].notna().all()
    stuck_columns = [c for c in comparison.cells.columns if "stuck" in c[0]]
    assert len(stuck_columns) == 4 and comparison.cells[stuck_columns].isna().all().all()
    assert comparison.cells[("plan", "count")].sum() == plan.totals["count"]
    rendered = io.StringIO()
    Console(file=rendered, width=120).print(comparison_view(comparison))
    assert "Cells that change" not in rendered.getvalue()
    summary = summary_frame([("plan.yaml", plan), ("stuck.yaml", stuck)])
    assert summary.loc[1, ["count", "spend", "conversions", "cpa"]].isna().all()
    assert summary.loc[0, "count"] == plan.totals["count"]


def test_spend_deltas_carry_their_sign_as_count_deltas_do() -> None:
    small = optimizer.solve(at_budget(brand(), 20000))
    large = optimizer.solve(at_budget(brand(), 40000))
    rendered = io.StringIO()
    Console(file=rendered, width=160).print(comparison_view(compare([small, large])))
    rows = rendered.getvalue().split("Cells that change")[1].splitlines()[3:-1]
    deltas = [cell for row in rows for cell in row.strip("│ ").split("│")[1:]]
    assert deltas and all(cell.strip()[0] in "+-" for cell in deltas if cell.strip() != "0")
    assert any(cell.strip().startswith("+$") for cell in deltas)


def test_a_rule_the_hand_made_plan_breaks_has_negative_slack_and_is_not_met() -> None:
    scenario = optimizer.load_scenario(ROOT / "scenarios" / "ecommerce-dtc.yaml")
    hand_made = spreadsheet_plan(scenario)
    broken = [rule for rule in hand_made.rules if not rule.met]
    assert broken, "the spreadsheet split of e-commerce breaks its micro maximum"
    for rule in broken:
        outside = rule.value - rule.max if rule.max is not None and rule.value > rule.max else None
        outside = outside if outside is not None else rule.min - rule.value
        assert rule.slack == pytest.approx(-outside) and not rule.binding
    assert all(rule.met and rule.slack >= -1e-6 for rule in optimizer.solve(scenario).rules)


def test_the_spreadsheet_split_is_a_baseline_in_python_too() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    plan = optimizer.solve(scenario)
    sheet = spreadsheet_plan(scenario)
    comparison = compare([sheet, plan], labels=["sheet", "optimised"], baseline="sheet")
    lift = comparison.totals.loc["optimised", "lift"]
    assert lift == pytest.approx((plan.objective - sheet.objective) / abs(sheet.objective))


def test_the_budget_as_a_parameter_is_the_budget_axis() -> None:
    """`--param budget.total=...` reads as `--budget ...`: money, marginal CPA."""
    scenario = optimizer.scenario_from_dict(brand())
    as_param = sweep(scenario, params=["budget.total=20000,30000"])
    as_budget = sweep(scenario, [20000.0, 30000.0])
    assert as_param.budgets == as_budget.budgets == [20000.0, 30000.0] and not as_param.params
    columns = ["objective", "spend", "marginal_cpa"]
    pd.testing.assert_frame_equal(as_param.points[columns], as_budget.points[columns])
    # without budget.total (spend minimised), the budget is a plain parameter, as before
    data = {**brand(), "objective": {"minimize": "spend"}, "budget": {}}
    data["rules"] = {"limits": [{"name": "floor", "conversions": {"min": 100}}]}
    minimising = sweep(optimizer.scenario_from_dict(data), params=["budget.total=20000,30000"])
    assert minimising.budgets is None and minimising.params[0][0] == "budget.total"
    assert list(minimising.points["status"]) == ["optimal", "optimal"]


def test_a_range_that_runs_backwards_says_so() -> None:
    with pytest.raises(optimizer.OptimizerError, match="start must not exceed stop"):
        parse_range("300000:100000:50000")


def test_a_budget_sweep_of_a_scenario_without_a_budget_names_the_file(tmp_path: Path) -> None:
    data = {**brand(), "objective": {"minimize": "spend"}}
    data["budget"] = {}
    data["rules"] = {"limits": [{"name": "reach", "conversions": {"min": 10}}]}
    path = write(tmp_path, data)
    result = CliRunner().invoke(app, ["sweep", str(path), "--budget", "1e4,2e4"])
    assert result.exit_code == 2
    assert f"{path}: a budget sweep needs budget.total in the scenario" in result.stderr


def test_parse_range_refuses_more_points_than_a_sweep_takes() -> None:
    assert len(parse_range(f"1:{MAX_POINTS}:1")) == MAX_POINTS
    with pytest.raises(optimizer.OptimizerError, match="1,000,000,000 values; at most 1,000"):
        parse_range("1:1e9:1")
    with pytest.raises(optimizer.OptimizerError, match="at most 1,000"):
        parse_range(",".join(["1"] * (MAX_POINTS + 1)))


def test_param_paths_read_list_items_as_validation_messages_write_them() -> None:
    assert parse_param("rules.shares[0].max=0.4") == ("rules.shares.0.max", [0.4])


def named_rules() -> dict[str, Any]:
    data = brand()
    data["rules"]["shares"] = [
        {"name": "tiktok-cap", "select": {"platforms": ["tiktok"]}, "max": 0.6},
        {"name": "micro.floor", "select": {"tiers": ["micro"]}, "min": 0.1},
    ]
    data["rules"]["limits"] = [
        {"name": "mega-per-quarter", "select": {"tiers": ["mega"]}, "per": ["period"]},
    ]
    data["rules"]["limits"][0]["count"] = {"max": 2}
    return data


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("rules.shares.tiktok-cap.max", ("shares", 0, "max")),
        ("rules.shares.1.min", ("shares", 1, "min")),
        ("rules.shares.micro.floor.min", ("shares", 1, "min")),  # a name with a dot
        ("rules.limits.mega-per-quarter.count.max", ("limits", 0, "count", "max")),
    ],
)
def test_a_param_names_a_rule_by_its_name_or_its_index(path: str, where: tuple[Any, ...]) -> None:
    changed = with_value(named_rules(), path, 0.25)
    node: Any = changed["rules"]
    for key in where:
        node = node[key]
    assert node == 0.25
    assert changed["rules"]["shares"][0]["name"] == "tiktok-cap"


def test_a_sweep_over_a_rule_named_in_the_path_solves_each_value() -> None:
    scenario = optimizer.scenario_from_dict(named_rules())
    by_name = sweep(scenario, params=["rules.shares.tiktok-cap.max=0.3,0.6"])
    by_index = sweep(scenario, params=["rules.shares.0.max=0.3,0.6"])
    assert by_name.params == [("rules.shares.tiktok-cap.max", [0.3, 0.6])]
    assert list(by_name.points["objective"]) == list(by_index.points["objective"])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "rules.shares.tiktok.max",
            "--param rules.shares.tiktok.max: rules.shares has no rule named 'tiktok'; write"
            " rules.shares.NAME.FIELD (NAME one of tiktok-cap, micro.floor) or"
            " rules.shares.INDEX.FIELD (INDEX 0 to 1)",
        ),
        (
            "rules.limits.5.count.max",
            "--param rules.limits.5.count.max: rules.limits has no rule '5'; write"
            " rules.limits.NAME.FIELD (NAME one of mega-per-quarter) or"
            " rules.limits.INDEX.FIELD (INDEX 0 to 0)",
        ),
        (
            "rules.shares.70-20-10:proven-micro.min",
            "has no rule named '70-20-10:proven-micro' (preset rules take their bounds from"
            " rules.tolerance)",
        ),
        ("periods.4", "periods has no item '4'; write periods.INDEX (INDEX 0 to 1)"),
        (
            "platforms.snap.tiers.micro.min",
            "no field 'snap' there; platforms has tiktok, instagram",
        ),
    ],
)
def test_a_param_path_that_resolves_to_nothing_says_the_form_that_works(
    path: str, message: str
) -> None:
    with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
        sweep(optimizer.scenario_from_dict(named_rules()), params=[(path, [0.5])])


def test_the_command_line_lists_the_rule_names_for_a_param_it_cannot_place(tmp_path: Path) -> None:
    path = write(tmp_path, named_rules())
    result = CliRunner().invoke(app, ["sweep", str(path), "--param", "rules.shares.cap.max=0.5"])
    assert result.exit_code == 2
    assert "NAME one of tiktok-cap, micro.floor" in result.stderr


@pytest.mark.parametrize(
    ("budgets", "params", "message"),
    [
        ([-5.0, 1e5], [], "every budget must be above 0, got -5"),
        ([0.0], [], "every budget must be above 0, got 0"),
        ([1e5], [("budget.total", [1e5, 2e5])], "--budget or --param budget.total, not both"),
    ],
)
def test_sweep_refuses_budgets_that_are_no_budgets(
    budgets: list[float], params: list[Param], message: str
) -> None:
    with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
        sweep(optimizer.scenario_from_dict(brand()), budgets, params)


def test_a_sweep_value_the_scenario_refuses_names_the_file_and_the_point(tmp_path: Path) -> None:
    path = write(tmp_path, brand())
    result = CliRunner().invoke(app, ["sweep", str(path), "--param", "rules.tolerance=0.1,0.9"])
    assert result.exit_code == 2
    assert (
        f"{path} (sweep point rules.tolerance=0.9): rules.tolerance: input should be"
        " less than or equal to 0.5" in result.stderr
    )


def test_a_budget_without_a_plan_has_no_totals_and_no_marginal_cpa_after_it() -> None:
    # Each of the two quarters needs a $4,000 TikTok macro post: $5,000 cannot buy a plan.
    data = brand()
    data["platforms"]["tiktok"]["tiers"]["macro"]["min"] = 1
    points = sweep(optimizer.scenario_from_dict(data), [5000.0, 40000.0, 50000.0]).points
    assert list(points["status"]) == ["infeasible", "optimal", "optimal"]
    assert points.loc[0, ["count", "spend", "conversions"]].isna().all()
    assert np.isnan(points.loc[1, "marginal_cpa"])
    extra = points.loc[2, "conversions"] - points.loc[1, "conversions"]
    assert points.loc[2, "marginal_cpa"] == pytest.approx(
        (points.loc[2, "spend"] - points.loc[1, "spend"]) / extra
    )


def test_spreadsheet_baseline_splits_by_targets_then_evenly() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    model = optimizer.build_model(scenario)
    counts = dict(zip(model.cells.index, spreadsheet_counts(scenario, model), strict=True))
    # 70% micro on established platforms = 28,000 over (Q1, Q2) x (tiktok, instagram) = 7,000
    # each: tiktok micro floor(7000/1500) = 4, instagram micro floor(7000/900) = 7 (pool 8).
    assert counts[("Q1", "tiktok", "micro")] == 4
    assert counts[("Q2", "instagram", "micro")] == 7
    # 20% macro/mega = 8,000 over 4 (period, platform) pairs = 2,000: no 4,000 macro or 9,000 mega.
    assert counts[("Q1", "tiktok", "macro")] == 0
    assert counts[("Q1", "instagram", "mega")] == 0
    # 10% emerging = 4,000 over 2 periods = 2,000 each: floor(2000/400) = 5 (pool 5).
    assert counts[("Q1", "threads", "micro")] == 5
    spend = sum(counts[key] * cost for key, cost in model.cells.table["cost"].items())
    assert spend <= scenario.budget.total


def test_comparison_deltas_add_up_to_the_difference_of_totals() -> None:
    data = brand()
    first = optimizer.solve(at_budget(data, 20000))
    second = optimizer.solve(at_budget(data, 40000))
    result = compare([first, second], labels=["small", "large"])
    cells = result.cells
    for metric in ("count", "spend"):
        delta = cells[("large - small", metric)].sum()
        assert delta == pytest.approx(second.totals[metric] - first.totals[metric])
        assert cells[("small", metric)].sum() == pytest.approx(first.totals[metric])
    shares = result.shares
    for dimension in ("tier", "platform", "period"):
        assert shares.xs(dimension, level="dimension")["large"].sum() == pytest.approx(1.0)


def test_summary_shows_each_metric_in_its_own_unit(tmp_path: Path) -> None:
    plan = optimizer.solve(optimizer.scenario_from_dict(brand()))
    report = plan_report(plan)
    totals = plan.totals
    text = to_markdown(report)
    assert f"| count | {totals['count']:,.0f} |" in text
    assert f"| spend | ${totals['spend']:,.0f} |" in text
    assert f"| gap | {100 * plan.gap:.2f}% |" in text
    write_xlsx(report, tmp_path / "plan.xlsx")
    summary = openpyxl.load_workbook(tmp_path / "plan.xlsx")["Summary"]
    formats = {row[0].value: row[1].number_format for row in summary.iter_rows(min_row=2)}
    assert "$" in formats["spend"] and "$" in formats["cpa"]
    assert formats["count"] == "#,##0" and formats["gap"] == "0.00%"
    assert formats["status"] == "General"
    share = next(rule for rule in plan.rules if rule.kind == "share")
    assert f"| {share.name} | share | spend | {100 * share.value:.1f}% |" in text


def test_summary_shows_a_profit_objective_as_money() -> None:
    document = {**brand(), "objective": "profit", "average_order_value": 80}
    plan = optimizer.solve(optimizer.scenario_from_dict(document))
    text = to_markdown(plan_report(plan, with_charts=False))
    assert plan.objective is not None and plan.objective > 100
    # the summary's amounts at one precision: its cost per conversion has cents
    assert f"| objective | {money(plan.objective, cents=True)} |" in text


def test_report_files_open_with_their_sheets_formats_and_charts(tmp_path: Path) -> None:
    scenario = optimizer.scenario_from_dict(brand())
    plan = optimizer.solve(scenario)
    report = plan_report(plan)
    workbook_path = tmp_path / "plan.xlsx"
    write_xlsx(report, workbook_path)
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == ["About", "Charts", "Summary", "Allocation", "Rules"]
    about = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert about == [report.title, *report.lines]  # the workbook says what it holds
    allocation = workbook["Allocation"]
    header = [cell.value for cell in allocation[1]]
    assert header[:4] == ["period", "platform", "tier", "count"]
    spend = allocation.cell(row=2, column=header.index("spend") + 1)
    assert "$" in spend.number_format
    assert allocation.freeze_panes == "A2"

    page = to_html(report)
    assert page.count("<svg") == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "<script" not in page and "<link" not in page
    # Markdown links its charts as SVG files beside it: renderers strip embedded images
    assert "data:image" not in to_markdown(report)
    written = write_markdown(report, tmp_path / "plan.md")
    assert [path.suffix for path in written] == [".md", ".svg", ".svg"]

    comparison = compare([optimizer.solve(at_budget(brand(), 20000)), plan])
    book = tmp_path / "compare.xlsx"
    write_xlsx(comparison_report(comparison), book)
    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets == ["About", "Charts", "Totals", "Shares", "Rules", "Cells"]
    shares_sheet = openpyxl.load_workbook(book)["Shares"]
    assert shares_sheet.cell(row=2, column=3).number_format == "0.0%"

    frontier = sweep_report(sweep(scenario, [20000.0, 40000.0, 60000.0]))
    book = tmp_path / "sweep.xlsx"
    write_xlsx(frontier, book)
    assert openpyxl.load_workbook(book).sheetnames == ["About", "Charts", "Frontier"]
    assert to_html(frontier).count("<svg") == 1
    assert "3 points, varying budget; objective: conversions." in to_markdown(frontier)


def write(tmp_path: Path, data: dict[str, Any], name: str = "brand.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_cli_sweep_json_has_one_point_per_budget_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, brand())
    result = CliRunner().invoke(
        app, ["sweep", str(path), "--budget", "10000:30000:10000", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["scenario"] == "Finance brand"
    assert [point["budget"] for point in payload["points"]] == [10000, 20000, 30000]
    for point in payload["points"]:
        assert {"budget", "params", "status", "objective", "totals"} <= set(point)


def euro_revenue_brand() -> dict[str, Any]:
    return {**brand(), "currency": "EUR", "objective": "revenue", "average_order_value": 80}


def test_sweep_and_compare_show_money_in_the_scenarios_currency(tmp_path: Path) -> None:
    path = write(tmp_path, euro_revenue_brand())
    other = write(tmp_path, {**euro_revenue_brand(), "name": "Other"}, "other.yaml")
    swept = CliRunner().invoke(app, ["sweep", str(path), "--budget", "20000,40000"])
    compared = CliRunner().invoke(app, ["compare", str(path), str(other)])
    for result in (swept, compared):
        assert result.exit_code == 0, result.output
        assert "€" in result.stdout and "$" not in result.stdout
    plan = optimizer.solve(optimizer.scenario_from_dict(euro_revenue_brand()))
    # the revenue objective is money too
    assert f"€{plan.objective:,.0f}" in swept.stdout.splitlines()[-2]
    (objective,) = [line for line in compared.stdout.splitlines() if "Objective" in line]
    assert objective.count(f"€{plan.objective:,.0f}") == 2


def test_compare_report_shows_each_rule_in_its_unit(tmp_path: Path) -> None:
    plans = [optimizer.solve(optimizer.scenario_from_dict(euro_revenue_brand()))] * 2
    report = to_markdown(comparison_report(compare(plans, labels=["a", "b"])))
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines()}
    share = plans[0].rules[[rule.kind for rule in plans[0].rules].index("share")]
    assert f"| {share.value:.1%} |" in rows[share.name]
    budget = next(rule for rule in plans[0].rules if rule.name == "budget")
    binds = "yes" if budget.binding else ""
    assert f"| €{budget.value:,.0f} | {binds} |" in rows["budget"]


def test_cli_compare_with_spreadsheet_baseline_shows_lift(tmp_path: Path) -> None:
    path = write(tmp_path, brand())
    result = CliRunner().invoke(
        app, ["compare", str(path), "--baseline", "spreadsheet", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["plans"] == ["Finance brand (spreadsheet)", "Finance brand"]
    optimised = payload["totals"][1]
    assert optimised["lift"] >= 0
    sheet = payload["totals"][0]
    assert sheet["status"] == "spreadsheet"
    scenario = optimizer.scenario_from_dict(brand())
    assert sheet["spend"] == pytest.approx(spreadsheet_plan(scenario).totals["spend"])


def test_cli_compare_reads_saved_plans(tmp_path: Path) -> None:
    path = write(tmp_path, brand())
    saved = tmp_path / "plan.json"
    runner = CliRunner()
    assert runner.invoke(app, ["solve", str(path), "-f", "json", "-o", str(saved)]).exit_code == 0
    result = runner.invoke(app, ["compare", str(saved), str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    assert totals[0]["objective"] == pytest.approx(totals[1]["objective"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("objective"), "objective: required field is missing"),
        (lambda d: d.pop("totals"), "totals: required field is missing"),
        (lambda d: d.update(objective=None), "objective: input should be a valid dict"),
        (lambda d: d.update(rules=None), "rules: input should be a valid list"),
        (lambda d: d["allocation"][0].pop("spend"), "allocation[0].spend: required"),
        (lambda d: d["allocation"][0].update(period=None), "allocation[0].period"),
        (lambda d: d["objective"].update(value="lots"), "objective.value: input should"),
        (lambda d: d.update(status="banana"), "status: must be one of optimal"),
        (lambda d: d["rules"][0].pop("binding"), "rules[0].binding: required field is missing"),
    ],
)
def test_a_saved_plan_that_is_not_whole_is_refused_by_what_is_wrong(
    tmp_path: Path, edit: Any, message: str
) -> None:
    """A plan file edited by hand or cut short names the field; it used to crash compare."""
    path = write(tmp_path, brand())
    plan = optimizer.solve(path)
    saved = plan.to_dict()
    edit(saved)
    with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
        compare([plan, saved])
    (tmp_path / "plan.json").write_text(json.dumps(saved), encoding="utf-8")
    result = CliRunner().invoke(app, ["compare", str(path), str(tmp_path / "plan.json")])
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (["compare", "{file}", "{file}"], "comparison"),
        (["sweep", "{file}", "--budget", "1e4,2e4"], "sweep"),
    ],
)
def test_compare_names_a_result_that_is_not_a_plan(
    tmp_path: Path, command: list[str], kind: str
) -> None:
    """A comparison or sweep saved as JSON is no scenario: one line says what it is."""
    path = write(tmp_path, brand())
    saved = tmp_path / f"{kind}.json"
    arguments = [a.replace("{file}", str(path)) for a in command]
    assert CliRunner().invoke(app, [*arguments, "-f", "json", "-o", str(saved)]).exit_code == 0
    result = CliRunner().invoke(app, ["compare", str(saved), str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {saved}: the result of a {kind}, neither a scenario nor a saved plan; compare"
        " takes scenario files and plans saved by `optimizer solve --format json`\n"
    )


def test_a_long_value_in_the_wrong_place_is_quoted_short(tmp_path: Path) -> None:
    data = {**brand(), "rules": [{"name": f"rule {i}", "kind": "share"} for i in range(50)]}
    result = CliRunner().invoke(app, ["validate", str(write(tmp_path, data))])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if "rules:" in line]
    assert line.endswith("...") and len(line) < 200


def test_a_saved_plan_reads_counts_written_as_text_and_rules_with_one_bound_or_none() -> None:
    plan = optimizer.solve(optimizer.scenario_from_dict(brand()))
    saved = plan.to_dict()
    saved["allocation"][0]["count"] = str(saved["allocation"][0]["count"])
    saved["rules"][0].pop("max")  # the budget: no bound left to meet
    table = compare([plan, saved]).cells
    assert table.iloc[:, 0].tolist() == table.iloc[:, 2].tolist()  # counts equal, per cell


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["sweep", "{file}", "--budget", "1:2"], "start:stop:step"),
        (["sweep", "{file}", "--budget", "10%,20%"], "--budget 10%,20%: cannot read"),
        (["sweep", "{file}", "--param", "rules.tolerance=5%"], "0.05 for 5%"),
        (["sweep", "{file}", "--param", "platforms.snap.tiers.micro.min=1"], "no field 'snap'"),
        (["sweep", "{file}"], "give --budget"),
        (
            [
                "sweep",
                "{file}",
                "--budget",
                "1e4,2e4",
                "--param",
                "rules.tolerance=0.1",
                "--param",
                "platforms.tiktok.tiers.micro.available=5",
            ],
            "at most two",
        ),
        (["solve", "{file}", "--format", "xlsx"], "--output"),
        (["compare", "{file}"], "two plans"),
        (["compare", "{file}", "--baseline", "magic"], "only baseline"),
    ],
)
def test_cli_finance_commands_reject_bad_requests(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    path = write(tmp_path, brand())
    result = CliRunner().invoke(app, [a.replace("{file}", str(path)) for a in arguments])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_writes_every_csv_table(tmp_path: Path) -> None:
    path = write(tmp_path, brand())
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["compare", str(path), "--baseline", "spreadsheet", "-f", "csv", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.glob("out*.csv"))
    assert names == ["out-rules.csv", "out-shares.csv", "out-totals.csv", "out.csv"]


def test_a_plans_csv_rules_carry_what_its_json_rules_do(tmp_path: Path) -> None:
    import csv

    path = write(tmp_path, brand())
    target = tmp_path / "plan.csv"
    result = CliRunner().invoke(app, ["solve", str(path), "-o", str(target)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "plan-rules.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected = optimizer.solve(path).to_dict()["rules"]
    assert [row["name"] for row in rows] == [rule["name"] for rule in expected]
    for row, rule in zip(rows, expected, strict=True):
        assert row["rule"] == rule["rule"]
        assert row["binding"] == ("yes" if rule["binding"] else "no")
        assert float(row["slack"]) == pytest.approx(rule["slack"], abs=1e-6)


def test_lift_is_only_given_between_plans_of_one_metric() -> None:
    conversions = optimizer.solve(optimizer.scenario_from_dict(brand()))
    data = brand()
    data["objective"] = "reach"
    reach = optimizer.solve(optimizer.scenario_from_dict(data))
    comparison = compare([conversions, reach], labels=["conv", "reach"], baseline="conv")
    assert list(comparison.totals["metric"]) == ["conversions", "reach"]
    assert comparison.totals.loc["conv", "lift"] == 0.0
    assert np.isnan(comparison.totals.loc["reach", "lift"])
    report = comparison_report(comparison)
    assert any("different objectives (conversions, reach)" in line for line in report.lines)
    assert not any("over conv" in line for line in report.lines)
    assert [chart.title for chart in report.charts][1].startswith("Conversions and spend")


def test_objectives_of_different_metrics_read_each_in_its_unit() -> None:
    conversions = optimizer.solve(optimizer.scenario_from_dict(brand()))
    data = {**brand(), "objective": "revenue", "average_order_value": 80}
    revenue = optimizer.solve(optimizer.scenario_from_dict(data))
    comparison = compare([conversions, revenue], labels=["conv", "rev"])
    rendered = io.StringIO()
    Console(file=rendered, width=120).print(comparison_view(comparison))
    (line,) = [row for row in rendered.getvalue().splitlines() if "Objective  " in row]
    assert quantity(conversions.objective) in line and money(revenue.objective) in line
    markdown = to_markdown(comparison_report(comparison, with_charts=False))
    assert f"| {money(revenue.objective)} | revenue |" in markdown
    assert f"| {cell_text(conversions.objective, 'number', 'USD')} | conversions |" in markdown


def test_a_plan_that_breaks_a_rule_is_called_out() -> None:
    """The even spreadsheet split cannot buy macro posts: its micro share passes the cap."""
    data = brand()
    data["rules"] = {"shares": [{"name": "micro-cap", "select": {"tiers": ["micro"]}, "max": 0.5}]}
    scenario = optimizer.scenario_from_dict(data)
    plan = optimizer.solve(scenario)
    sheet = spreadsheet_plan(scenario)
    share = next(rule.value for rule in sheet.rules if rule.name == "micro-cap")
    assert share is not None and share > 0.5
    comparison = compare([sheet, plan], labels=["sheet", "optimised"])
    assert comparison.broken() == {"sheet": ["micro-cap"]}
    report = comparison_report(comparison, with_charts=False)
    assert "sheet breaks micro-cap." in report.lines
    left = 40_000 - sheet.totals["spend"]
    assert f"sheet leaves ${left:,.0f} of its $40,000 budget unspent." in comparison.notes
    rules_table = next(table for table in report.tables if table.name == "Rules").frame
    row = rules_table.set_index("rule").loc["micro-cap"]
    assert (row["sheet met"], row["optimised met"]) == ("no", "yes")
    assert "| no |" in to_markdown(report)
    rules = comparison.to_dict()["rules"]
    assert [rule["sheet met"] for rule in rules if rule["rule"] == "micro-cap"] == [False]


def test_comparison_cells_follow_the_scenarios_order_and_counts_are_whole() -> None:
    data = brand()
    second = optimizer.solve(at_budget(data, 40000))
    data["budget"]["periods"] = {"Q1": {"max": 0}}  # the first plan has no Q1 cells
    first = optimizer.solve(optimizer.scenario_from_dict(data))
    comparison = compare([first, second], labels=["small", "large"])
    periods = list(comparison.cells.index.get_level_values("period"))
    assert periods == sorted(periods, key=["Q1", "Q2"].index)
    cells = comparison.to_dict()["cells"]
    assert all(isinstance(cell["large count"], int) for cell in cells)


def test_reports_show_revenue_missing_without_an_average_order_value() -> None:
    plan = optimizer.solve(optimizer.scenario_from_dict(brand()))
    report = plan_report(plan, with_charts=False)
    tables = {table.name: table.frame for table in report.tables}
    assert tables["Allocation"]["revenue"].isna().all()
    summary = tables["Summary"].set_index("metric")["value"]
    assert summary["revenue"] is None and summary["spend"] == plan.totals["spend"]
    assert "| revenue | - |" in to_markdown(report)
    data = brand()
    data["average_order_value"] = 40
    priced = plan_report(optimizer.solve(optimizer.scenario_from_dict(data)), with_charts=False)
    allocation = {table.name: table.frame for table in priced.tables}["Allocation"]
    assert (allocation["revenue"] > 0).all()


def test_a_sweep_gives_a_tier_left_out_a_share_of_zero() -> None:
    """At a small budget the plan buys no macro post: its share is 0%, not missing."""
    data = brand()
    del data["rules"]  # without 70-20-10 a small budget goes to micro creators alone
    swept = sweep(optimizer.scenario_from_dict(data), [3000, 200000])
    shares = swept.points[[c for c in swept.points.columns if c.startswith("share:")]]
    assert not shares.isna().any().any()
    assert shares.iloc[0].min() == 0.0 and shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert swept.points["revenue"].isna().all()


def test_comparison_shares_follow_the_scenarios_periods_not_text_order() -> None:
    data = brand()
    data["periods"] = ["w2", "w10"]  # as text, w10 sorts first
    first = optimizer.solve(optimizer.scenario_from_dict(data))
    second = optimizer.solve(at_budget(data, 30000))
    comparison = compare([first, second], labels=["a", "b"])
    periods = comparison.shares.xs("period", level="dimension").index
    assert list(periods) == ["w2", "w10"]
    assert list(dict.fromkeys(comparison.cells.index.get_level_values("period"))) == ["w2", "w10"]


def test_comparison_json_keeps_fractional_counts() -> None:
    data = brand()
    data["integer"] = False
    plans = [optimizer.solve(at_budget(data, budget)) for budget in (20000, 33333)]
    counts = [row["a count"] for row in compare(plans, labels=["a", "b"]).to_dict()["cells"]]
    expected = plans[0].allocation["count"]
    assert sorted(c for c in counts if c) == pytest.approx(sorted(expected[expected > 0]))
    assert any(c % 1 for c in counts)


def test_a_report_without_a_plan_shows_no_figures() -> None:
    data = brand()
    data["platforms"]["tiktok"]["tiers"]["macro"]["min"] = 9  # more than the budget buys
    stuck = optimizer.solve(optimizer.scenario_from_dict(data))
    summary = plan_report(stuck).tables[0].frame.set_index("metric")["value"]
    assert summary["status"] == "infeasible"
    assert summary.drop("status").isna().all()


def test_sweep_json_gives_each_points_gap_and_fractional_counts() -> None:
    data = brand()
    data["integer"] = False
    swept = sweep(optimizer.scenario_from_dict(data), [20000, 33333]).to_dict()["points"]
    assert all(point["gap"] is not None for point in swept)
    counts = [point["totals"]["count"] for point in swept]
    assert any(isinstance(count, float) and count % 1 for count in counts)


def test_plans_of_different_periods_are_noted() -> None:
    quarterly = optimizer.solve(optimizer.scenario_from_dict(brand()))
    data = brand()
    data["periods"] = ["H1", "H2", "H3"]
    thirds = optimizer.solve(optimizer.scenario_from_dict(data))
    notes = compare([quarterly, thirds], labels=["q", "t"]).notes
    assert any(note.startswith("The plans have different periods") for note in notes)
    assert not compare([quarterly, quarterly], labels=["a", "b"]).notes


def test_sweeping_the_order_value_keeps_revenue_and_numpy_budgets_are_numbers() -> None:
    swept = sweep(optimizer.scenario_from_dict(brand()), params=[("average_order_value", [50, 80])])
    revenue = swept.points["revenue"].to_numpy()
    assert revenue[1] == pytest.approx(revenue[0] * 80 / 50, rel=1e-6) and revenue[0] > 0
    points = sweep(optimizer.scenario_from_dict(brand()), list(np.arange(20000, 40001, 20000)))
    assert len(points.points) == 2


def test_a_report_says_which_re_solves_stopped_at_their_time_limit() -> None:
    from optimizer.analysis.prices import explain_plan

    root = Path(__file__).resolve().parent.parent
    scenario = optimizer.load_scenario(root / "scenarios" / "ecommerce-dtc.yaml")
    plan = optimizer.solve(scenario)
    explanation = explain_plan(scenario, plan, time_limit=0.001)
    lines = plan_report(replace(plan, explanation=explanation), with_charts=False).lines
    assert any(line.startswith("Re-solves that stopped at their time limit:") for line in lines)
