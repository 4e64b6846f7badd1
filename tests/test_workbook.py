"""Workbooks as finance prints and edits them: page setup, named fonts, yes/no flags, totals as
formulas that add up to the plan's totals, native charts in the tiers' colours."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, ScatterChart
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import optimizer
from optimizer.analysis.compare import compare
from optimizer.analysis.sweep import sweep
from optimizer.plan import Plan
from optimizer.report.charts import TIER_COLOURS
from optimizer.report.document import (
    Chart,
    Report,
    Table,
    comparison_report,
    plan_report,
    sweep_report,
)
from optimizer.report.writers import write_xlsx

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SUMMED = ["count", "spend", "reach", "engagements", "conversions", "revenue"]


@cache
def solved(name: str) -> Plan:
    return optimizer.solve(optimizer.load_scenario(SCENARIOS / name))


def book(tmp_path: Path, report: Report, name: str = "book.xlsx") -> openpyxl.Workbook:
    write_xlsx(report, tmp_path / name)
    return openpyxl.load_workbook(tmp_path / name)


def header(sheet: Worksheet) -> list[str]:
    return [str(cell.value) for cell in sheet[1]]


def column_of(sheet: Worksheet, name: str) -> str:
    return get_column_letter(header(sheet).index(name) + 1)


def evaluate(sheet: Worksheet, formula: str) -> float:
    """A total's `=SUM(E2:E12)`, computed here from the cells it names."""
    match = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    assert match, formula
    first, top, last, bottom = match.groups()
    assert first == last
    cells = sheet[f"{first}{top}:{last}{bottom}"]
    return sum(float(row[0].value or 0) for row in cells)


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(
    tmp_path: Path,
) -> None:
    plan = solved("70-20-10-seasonal.yaml")
    workbook = book(tmp_path, plan_report(plan, with_charts=False))
    assert workbook.sheetnames == ["About", "Charts", "Summary", "Allocation", "Rules"]
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.oddHeader.left.text == plan.scenario.name
        assert "&P" in sheet.oddFooter.center.text
        assert sheet.page_margins.left == 0.5
    for name in ("Summary", "Allocation", "Rules"):
        sheet = workbook[name]
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
        for cell in sheet[1]:
            assert cell.font.name == "Calibri" and cell.font.b, (name, cell.value)


def test_a_page_header_keeps_an_ampersand_in_the_scenario_name(tmp_path: Path) -> None:
    table = Table("Points", "Points", pd.DataFrame({"budget": [1000.0]}), {"budget": "money"})
    workbook = book(tmp_path, Report("Brand & Co", [], [table], []))
    assert workbook["Points"].oddHeader.left.text == "Brand && Co"  # `&` alone starts a code
    assert workbook["Points"]["A2"].number_format == '"$"#,##0'


def test_binding_reads_yes_or_no_as_met_does(tmp_path: Path) -> None:
    plan = solved("70-20-10-seasonal.yaml")
    rules = book(tmp_path, plan_report(plan, with_charts=False))["Rules"]
    column = column_of(rules, "binding")
    flags = [rules[f"{column}{row}"].value for row in range(2, rules.max_row + 1)]
    assert flags == ["yes" if rule.binding else "no" for rule in plan.rules]
    assert "yes" in flags and "no" in flags


def test_the_allocation_total_row_sums_with_formulas_to_the_plan_totals(tmp_path: Path) -> None:
    plan = solved("ecommerce-dtc.yaml")
    sheet = book(tmp_path, plan_report(plan, with_charts=False))["Allocation"]
    total, last = sheet.max_row, sheet.max_row - 1
    assert last == len(plan.allocation) + 1
    assert sheet[f"A{total}"].value == "Total"
    assert sheet.auto_filter.ref == f"A1:K{last}"  # the filter leaves the totals out
    totals = {}
    for metric in SUMMED:
        column = column_of(sheet, metric)
        formula = sheet[f"{column}{total}"].value
        assert formula == f"=SUM({column}2:{column}{last})"
        totals[metric] = evaluate(sheet, formula)
        assert totals[metric] == pytest.approx(plan.totals[metric]), metric
    spend, conversions = column_of(sheet, "spend"), column_of(sheet, "conversions")
    cpa = sheet[f"{column_of(sheet, 'cpa')}{total}"].value
    assert cpa == f'=IF({conversions}{total}>0,{spend}{total}/{conversions}{total},"")'
    assert totals["spend"] / totals["conversions"] == pytest.approx(
        plan.totals["spend"] / plan.totals["conversions"]
    )
    cpe = sheet[f"{column_of(sheet, 'cpe')}{total}"].value
    assert f"{spend}{total}/{column_of(sheet, 'engagements')}{total}" in cpe
    assert sheet[f"A{total}"].font.name == "Calibri" and sheet[f"A{total}"].font.b


def test_revenue_without_an_order_value_has_no_total(tmp_path: Path) -> None:
    """A missing column is not a zero one: no `=SUM()` under it."""
    plan = solved("70-20-10-seasonal.yaml")
    sheet = book(tmp_path, plan_report(plan, with_charts=False))["Allocation"]
    assert sheet[f"{column_of(sheet, 'revenue')}{sheet.max_row}"].value is None
    assert sheet[f"{column_of(sheet, 'spend')}{sheet.max_row}"].value.startswith("=SUM(")


def test_each_column_keeps_one_precision_in_its_unit(tmp_path: Path) -> None:
    """Spend in whole dollars, CPA and CPE in cents, counts whole, as the other reports."""
    plan = solved("ecommerce-dtc.yaml")
    sheet = book(tmp_path, plan_report(plan, with_charts=False))["Allocation"]
    expected = {
        "spend": '"$"#,##0',
        "revenue": '"$"#,##0',
        "cpa": '"$"#,##0.00',
        "cpe": '"$"#,##0.00',
        "count": "#,##0",
        "reach": "#,##0",
    }
    for name, number_format in expected.items():
        column = column_index_from_string(column_of(sheet, name))
        formats = {
            row[0].number_format
            for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)
        }
        assert formats == {number_format}, name  # the total row included


def test_a_plan_workbook_charts_spend_by_tier_in_the_tier_colours(tmp_path: Path) -> None:
    plan = solved("70-20-10-seasonal.yaml")
    charts_sheet = book(tmp_path, plan_report(plan, with_charts=False))["Charts"]
    (chart,) = charts_sheet._charts
    assert isinstance(chart, BarChart) and chart.grouping == "stacked"
    tiers = [cell.value for cell in charts_sheet[2][1:] if cell.value]
    assert tiers and set(tiers) <= set(TIER_COLOURS)
    assert tiers == [tier for tier in TIER_COLOURS if tier in tiers]  # smallest first
    colours = [str(series.graphicalProperties.solidFill.srgbClr) for series in chart.series]
    assert [colour.lower() for colour in colours] == [TIER_COLOURS[t].lstrip("#") for t in tiers]
    periods = [charts_sheet[f"A{row}"].value for row in range(3, 3 + len(plan.scenario.periods))]
    assert periods == list(plan.scenario.periods)
    by_period = plan.allocation["spend"].groupby(level="period").sum()
    for row, period in enumerate(periods, start=3):
        drawn = sum(cell.value for cell in charts_sheet[row][1 : 1 + len(tiers)])
        assert drawn == pytest.approx(by_period.get(period, 0.0))


def test_a_comparison_sums_its_cells_and_charts_each_plan(tmp_path: Path) -> None:
    first, second = solved("70-20-10-seasonal.yaml"), solved("ecommerce-dtc.yaml")
    workbook = book(tmp_path, comparison_report(compare([first, second]), with_charts=False))
    cells = workbook["Cells"]
    total = cells.max_row
    assert cells[f"A{total}"].value == "Total"
    for plan in (first, second):
        for metric in ("count", "spend"):
            formula = cells[f"{column_of(cells, f'{plan.scenario.name} {metric}')}{total}"].value
            assert evaluate(cells, formula) == pytest.approx(plan.totals[metric])
    rules = workbook["Rules"]
    for name in header(rules):
        if name.endswith((" binding", " met")):
            column = column_index_from_string(column_of(rules, name))
            values = {
                row[0].value for row in rules.iter_rows(min_row=2, min_col=column, max_col=column)
            }
            assert values <= {"yes", "no", None} and values & {"yes", "no"}, name
    charts = workbook["Charts"]._charts
    assert len(charts) == 2
    assert all(isinstance(chart, BarChart) and chart.grouping == "clustered" for chart in charts)
    assert [len(chart.series) for chart in charts][1] == 2  # objective and spend, one bar a plan


def test_a_sweep_draws_its_frontier_as_a_line_against_budget(tmp_path: Path) -> None:
    scenario = optimizer.load_scenario(SCENARIOS / "70-20-10-seasonal.yaml")
    points = sweep(scenario, [200000.0, 300000.0, 400000.0])
    workbook = book(tmp_path, sweep_report(points, with_charts=False))
    assert workbook.sheetnames == ["About", "Charts", "Frontier"]
    (chart,) = workbook["Charts"]._charts
    assert isinstance(chart, ScatterChart)
    (series,) = chart.series
    assert series.xVal.numRef.f == "'Charts'!$A$3:$A$5"
    budgets = [workbook["Charts"][f"A{row}"].value for row in range(3, 6)]
    assert budgets == [200000.0, 300000.0, 400000.0]
    frontier = workbook["Frontier"]
    assert frontier.print_title_rows == "$1:$1"
    assert frontier.auto_filter.ref.startswith("A1:")


def test_an_empty_table_has_its_header_and_no_total_row(tmp_path: Path) -> None:
    """A plan that buys nothing: no rows to sum, so no `=SUM(E2:E1)`."""
    frame = pd.DataFrame({"tier": pd.Series(dtype=str), "spend": pd.Series(dtype=float)})
    table = Table("Allocation", "Allocation", frame, {"spend": "money"}, totals=("spend",))
    sheet = book(tmp_path, Report("Nothing bought", [], [table], []))["Allocation"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["tier", "spend"]]
    assert sheet.page_setup.orientation == "landscape"


def test_a_plan_named_like_a_formula_stays_text_in_the_chart_figures(tmp_path: Path) -> None:
    shares = pd.DataFrame({"micro": [0.7, 0.9]}, index=pd.Index(["=1+1", "b"], name="plan"))
    chart = Chart("Spend share by tier", None, shares, unit="percent", tiers=True)
    sheet = book(tmp_path, Report("Comparison", [], [], [chart]))["Charts"]
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("=1+1", "s")
    assert sheet["B3"].number_format == "0.0%"
