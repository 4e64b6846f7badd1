"""Reports that read well: one precision per money column, headings in words, pages that fit a
laptop screen and print, Markdown charts as files, the scenario's budget marked as it is,
and sweep progress by points."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

import optimizer
from optimizer.analysis.sweep import Sweep, sweep
from optimizer.cli import app
from optimizer.report import charts
from optimizer.report.document import Report, Table, sweep_report
from optimizer.report.headings import heading
from optimizer.report.numbers import money, money_column, needs_cents
from optimizer.report.terminal import sweep_view
from optimizer.report.writers import to_csv, to_html, to_markdown, write_markdown


def brand(budget: float = 40000) -> dict[str, Any]:
    offer = {"engagement_rate": 0.06, "conversion_rate": 0.02, "available": 10}
    return {
        "name": "Layout brand",
        "periods": ["Q1", "Q2"],
        "budget": {"total": budget},
        "platforms": {
            "tiktok": {
                "tiers": {
                    "micro": {"followers": 30000, "cost_per_post": 1500, **offer},
                    "macro": {"followers": 300000, "cost_per_post": 4000, **offer},
                }
            }
        },
    }


def frontier_points(cpas: list[float]) -> Sweep:
    budgets = [1000.0 * (i + 1) for i in range(len(cpas))]
    points = pd.DataFrame(
        {
            "budget": budgets,
            "status": ["optimal"] * len(cpas),
            "objective": [10.0 * (i + 1) for i in range(len(cpas))],
            "gap": [0.0] * len(cpas),
            "count": [float(i) for i in range(len(cpas))],
            "spend": [b - 10 for b in budgets],
            "conversions": [10.0 * (i + 1) for i in range(len(cpas))],
            "cpa": cpas,
            "share:nano": [0.5] * len(cpas),
            "marginal_cpa": [np.nan, *cpas[1:]],
        }
    )
    return Sweep("Layout", budgets, [], points, 2500.0, "conversions")


# 1. One precision per money column


@pytest.mark.parametrize(
    ("values", "texts"),
    [
        ([39.0, 38.98], ["$39.00", "$38.98"]),
        ([535.0, 32.57], ["$535.00", "$32.57"]),
        ([535.5, 2_000.0], ["$536", "$2,000"]),  # large amounts: whole units, all of them
        ([50.0, 0.0001, None], ["$50.00", "<$0.01", "-"]),  # under a cent is not free
        ([18_562.5, 100.0], ["$18,563", "$100"]),
    ],
)
def test_a_money_column_has_one_precision(values: list[float | None], texts: list[str]) -> None:
    assert money_column(values) == texts
    assert needs_cents(values) == texts[0].endswith(".00")


def test_an_amount_alone_reads_as_before() -> None:
    assert money(39.0) == "$39" and money(38.98) == "$38.98" and money(535.0) == "$535"


def test_terminal_and_pages_show_a_cpa_column_at_one_precision() -> None:
    frontier = frontier_points([39.0, 38.98, 41.5])
    rendered = io.StringIO()
    Console(file=rendered, width=160).print(sweep_view(frontier))
    assert "$39.00" in rendered.getvalue() and "$39 " not in rendered.getvalue()
    report = sweep_report(frontier, with_charts=False)
    assert "| $39.00 |" in to_markdown(report) and ">$39.00</td>" in to_html(report)
    assert "39.0," in to_csv(report)  # CSV keeps the figure


def test_a_table_decides_cents_per_column_not_per_cell() -> None:
    frame = pd.DataFrame({"spend": [535.0, 32.57], "budget": [535.0, 100.0]})
    table = Table("T", "T", frame, {"spend": "money", "budget": "money"})
    text = to_markdown(Report("T", [], [table], []))
    assert "| $535.00 | $535 |" in text and "| $32.57 | $100 |" in text


# 2. Headings in words, pages that fit and print


def test_pages_head_columns_with_the_words_the_terminal_uses() -> None:
    report = sweep_report(frontier_points([39.0, 38.98]), with_charts=False)
    page, markdown = to_html(report), to_markdown(report)
    for words in ("Marginal CPA", "CPA", "nano share", "Influencers"):
        assert f">{words}</th>" in page and f"| {words} |" in markdown
    assert "marginal_cpa" not in page and "share:nano" not in markdown
    assert to_csv(report).startswith("budget,status,objective")  # CSV keeps the keys
    rendered = io.StringIO()
    Console(file=rendered, width=160).print(sweep_view(frontier_points([39.0, 38.98])))
    assert heading("marginal_cpa") in rendered.getvalue()


def test_pages_fit_a_laptop_screen_and_print_in_landscape() -> None:
    page = to_html(sweep_report(frontier_points([39.0]), with_charts=False))
    style = page.split("<style>")[1].split("</style>")[0]
    assert "max-width:1100px" not in style.split("@media print")[0].split("body{")[1][:200]
    screen, printed = style.split("@media print")
    assert "white-space:nowrap" in screen and "overflow-wrap" in screen
    for rule in ("size:landscape", "thead{display:table-header-group}", "break-inside:avoid"):
        assert rule in printed
    assert "overflow:visible" in printed


def test_compare_pages_head_plan_figures_in_words() -> None:
    from optimizer.analysis.compare import compare
    from optimizer.report.document import comparison_report

    small = optimizer.solve(optimizer.scenario_from_dict(brand(20000)))
    large = optimizer.solve(optimizer.scenario_from_dict(brand(40000)))
    page = to_html(comparison_report(compare([small, large], labels=["a", "b"]), False))
    assert ">a: spend</th>" in page and ">b - a: influencers</th>" in page


# 3. Markdown charts as files beside it


def test_markdown_links_its_charts_as_svg_files_beside_it(tmp_path: Path) -> None:
    scenario = optimizer.scenario_from_dict(brand())
    report = sweep_report(sweep(scenario, [20000.0, 40000.0]))
    written = write_markdown(report, tmp_path / "my plan.md")
    assert written == [tmp_path / "my plan.md", tmp_path / "my plan.budget-frontier.svg"]
    text = written[0].read_text()
    assert "data:image" not in text and "](my%20plan.budget-frontier.svg)" in text
    assert written[1].read_text().startswith("<svg")
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_markdown_charts_never_overwrite_an_input(tmp_path: Path) -> None:
    scenario = optimizer.scenario_from_dict(brand())
    report = sweep_report(sweep(scenario, [20000.0, 40000.0]))
    chart = tmp_path / "plan.budget-frontier.svg"
    chart.write_text("input")
    with pytest.raises(optimizer.OptimizerError, match="is an input file"):
        write_markdown(report, tmp_path / "plan.md", keep=[chart])
    assert chart.read_text() == "input" and not (tmp_path / "plan.md").exists()


def test_markdown_on_standard_output_says_charts_need_an_output_file(tmp_path: Path) -> None:
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(brand()))
    result = CliRunner().invoke(app, ["sweep", str(path), "--budget", "2e4,4e4", "-f", "md"])
    assert result.exit_code == 0, result.output
    assert "data:image" not in result.stdout and "![" not in result.stdout
    assert "charts are written only with -o FILE.md" in result.stderr
    written = CliRunner().invoke(
        app, ["sweep", str(path), "--budget", "2e4,4e4", "-o", str(tmp_path / "s.md")]
    )
    assert written.exit_code == 0, written.output
    assert (tmp_path / "s.budget-frontier.svg").exists()
    assert "](s.budget-frontier.svg)" in (tmp_path / "s.md").read_text()


# 4. The scenario's budget as it is, plans that buy nothing apart


def legend_texts(figure: Any) -> list[str]:
    return [text.get_text() for legend in figure.legends for text in legend.get_texts()]


def test_frontier_marks_the_scenarios_own_budget_not_the_nearest_point() -> None:
    budgets = np.array([50_000.0, 100_000.0, 150_000.0])
    figure = charts.frontier(budgets, budgets / 10, 60_000.0, "Frontier", "conversions")
    assert legend_texts(figure) == ["scenario budget $60,000"]
    (line,) = [line for line in figure.axes[0].get_lines() if line.get_label().startswith("sc")]
    assert list(line.get_xdata()) == [60_000.0, 60_000.0]
    outside = charts.frontier(budgets, budgets / 10, 200_000.0, "Frontier", "conversions")
    assert legend_texts(outside) == []


def test_the_caption_says_when_the_budget_lies_outside_the_sweep() -> None:
    frontier = frontier_points([39.0, 38.98])  # budgets $1,000 and $2,000; the file $2,500
    (chart,) = sweep_report(frontier, with_charts=False).charts
    assert "$2,500, lies outside the budgets swept ($1,000 to $2,000)" in chart.caption
    inside = Sweep("In", [1000.0, 3000.0], [], frontier.points, 2500.0, "conversions")
    assert sweep_report(inside, with_charts=False).charts[0].caption == ""


def test_points_that_buy_nothing_are_drawn_apart_and_named() -> None:
    budgets = np.array([10_000.0, 50_000.0, 100_000.0])
    figure = charts.frontier(
        budgets, np.array([0.0, 5.0, 9.0]), None, "F", "conversions", empty=budgets < 20_000
    )
    assert legend_texts(figure) == ["buys nothing"]
    markers = {line.get_label(): line.get_marker() for line in figure.axes[0].get_lines()}
    assert markers["buys nothing"] == charts.EMPTY_MARKER
    assert charts.EMPTY_MARKER not in [m for k, m in markers.items() if k != "buys nothing"]


def test_a_sweep_report_draws_its_empty_points_apart() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    report = sweep_report(sweep(scenario, [1000.0, 40000.0]))  # $1,000 buys no post
    (chart,) = report.charts
    assert chart.svg is not None and "buys nothing" in chart.svg


# 5. Sweep progress by points


def test_sweep_progress_advances_per_point_on_one_worker() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    calls: list[int] = []
    sweep(scenario, [10000.0, 20000.0, 30000.0, 40000.0], on_point=calls.append)
    assert calls == [1, 1, 1, 1]


def test_sweep_progress_counts_every_point_once_on_two_workers() -> None:
    scenario = optimizer.scenario_from_dict(brand())
    calls: list[int] = []
    sweep(scenario, [10000.0, 20000.0, 30000.0, 40000.0], workers=2, on_point=calls.append)
    assert sum(calls) == 4 and all(call >= 1 for call in calls)


def test_pages_keep_no_raw_keys_in_any_heading() -> None:
    report = sweep_report(frontier_points([39.0, 38.98]), with_charts=False)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", to_html(report))
    assert headers and not any("_" in header or ":" in header for header in headers)
