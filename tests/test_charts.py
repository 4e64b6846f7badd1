"""Chart readability: legends off the data, fixed tier colours, headroom, readable money axes."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox

from optimizer.report import charts


def drawn(figure: Figure) -> Figure:
    """The figure with its constrained layout done, so extents are final."""
    figure.draw_without_rendering()
    return figure


def only_axes(figure: Figure) -> Axes:
    (axes,) = figure.axes
    return axes


def legend_of(figure: Figure) -> Legend:
    legends = [*figure.legends, *(a.get_legend() for a in figure.axes)]
    (legend,) = [legend for legend in legends if legend is not None]
    return legend


def legend_texts(figure: Figure) -> list[str]:
    return [text.get_text() for text in legend_of(figure).get_texts()]


def bar_colours(figure: Figure) -> dict[str, str]:
    """Each bar series' label and the colour its bars are drawn in."""
    return {
        str(bars.get_label()): to_hex(bars.patches[0].get_facecolor())
        for bars in only_axes(figure).containers
        if isinstance(bars, BarContainer)
    }


def overlaps(one: Bbox, other: Bbox) -> bool:
    return one.x0 < other.x1 and other.x0 < one.x1 and one.y0 < other.y1 and other.y0 < one.y1


def assert_legend_off_the_data(figure: Figure) -> None:
    drawn(figure)
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    legend = legend_of(figure).get_window_extent(renderer)
    plotting_area = only_axes(figure).get_window_extent(renderer)
    assert not overlaps(legend, plotting_area), (legend, plotting_area)


def tick_texts(figure: Figure, axis: str) -> list[str]:
    axes = only_axes(figure)
    labels = axes.get_xticklabels() if axis == "x" else axes.get_yticklabels()
    return [label.get_text() for label in labels]


def visible_tick_texts(figure: Figure, axis: str) -> list[str]:
    drawn(figure)
    axes = only_axes(figure)
    low, high = axes.get_xlim() if axis == "x" else axes.get_ylim()
    ticks = axes.get_xticks() if axis == "x" else axes.get_yticks()
    texts = tick_texts(figure, axis)
    return [t for value, t in zip(ticks, texts, strict=True) if low <= value <= high]


SPEND = pd.DataFrame(
    {"micro": [100_000.0, 30_000.0, 20_000.0], "macro": [40_000.0, 70_000.0, 120_000.0]},
    index=pd.Index(["Q1", "Q2", "Q3"], name="period"),
)

SHARES = pd.DataFrame(
    {"value": [0.60, 0.85], "min": [0.60, 0.85], "max": [0.70, np.nan]},
    index=pd.Index(["b2b-saas:macro", "linkedin-youtube-core"], name="name"),
)


def test_a_tier_has_one_colour_whatever_the_column_order() -> None:
    first = bar_colours(charts.stacked_bars(SPEND, "Spend", "spend", currency="USD"))
    reordered = SPEND[["macro", "micro"]].assign(nano=1.0, rising=2.0)
    second = bar_colours(charts.stacked_bars(reordered, "Spend", "spend", currency="USD"))
    shares = pd.DataFrame({"rising": [0.5], "mega": [0.2], "micro": [0.3]}, index=["plan"])
    third = bar_colours(charts.grouped_bars(shares, "Shares", "share", True))

    assert first["micro"] == second["micro"] == third["micro"]
    assert first["macro"] == second["macro"]
    assert second["rising"] == third["rising"]
    assert len(set(second.values())) == len(second)
    for tier, colour in charts.TIER_COLOURS.items():
        assert charts.tier_colour(tier) == colour
    assert len(set(charts.TIER_COLOURS.values())) == len(charts.TIER_COLOURS)
    assert charts.tier_colour("rising") not in charts.TIER_COLOURS.values()


def test_defined_tiers_that_hash_alike_still_get_different_colours() -> None:
    names = [f"tier{i}" for i in range(40)]
    by_hash: dict[str, list[str]] = {}
    for name in names:
        by_hash.setdefault(charts.tier_colour(name), []).append(name)
    clash = next(group[:2] for group in by_hash.values() if len(group) > 1)
    colours = charts.tier_colours(clash)
    assert colours[clash[0]] != colours[clash[1]]
    assert charts.tier_colours(clash[::-1]) == colours


def test_legends_list_tiers_smallest_first_then_the_others() -> None:
    frame = pd.DataFrame({"mega": [1.0], "rising": [1.0], "micro": [1.0], "nano": [1.0]})
    order = ["nano", "micro", "mega", "rising"]
    assert legend_texts(charts.stacked_bars(frame, "Spend", "spend", currency="USD")) == order
    assert legend_texts(charts.grouped_bars(frame, "Shares", "share", True)) == order


def test_tiers_along_the_x_axis_go_smallest_first() -> None:
    frame = pd.DataFrame(
        {"plan a": [0.2, 0.5, 0.3], "plan b": [0.6, 0.1, 0.3]}, index=["macro", "nano", "micro"]
    )
    figure = charts.grouped_bars(frame, "Spend share by tier", "share", True)
    assert tick_texts(figure, "x") == ["nano", "micro", "macro"]
    first = only_axes(figure).containers[0]
    assert isinstance(first, BarContainer)
    heights = [patch.get_height() for patch in first.patches]
    assert heights == [0.5, 0.3, 0.2]
    # plans are not tiers: they keep the ordinary palette, in order
    assert list(bar_colours(figure).values()) == charts.PALETTE[:2]


def test_share_legend_is_outside_the_plotting_area() -> None:
    assert_legend_off_the_data(charts.ranges(SHARES, "Shares against the rules"))


@pytest.mark.parametrize(
    "figure",
    [
        lambda: charts.stacked_bars(SPEND, "Spend", "spend", currency="USD"),
        lambda: charts.grouped_bars(SPEND, "Spend", "spend"),
        lambda: charts.frontier(
            np.array([1e5, 2e5, 3e5]), np.array([10.0, 30.0, 35.0]), 2e5, "Frontier", "revenue"
        ),
    ],
    ids=["stacked", "grouped", "frontier"],
)
def test_other_legends_are_outside_the_plotting_area_too(figure: object) -> None:
    assert callable(figure)
    assert_legend_off_the_data(figure())


def test_a_share_dot_at_either_end_shows_whole() -> None:
    frame = pd.DataFrame(
        {"value": [0.998, 0.001], "min": [0.9, np.nan], "max": [np.nan, 0.1]}, index=["hi", "lo"]
    )
    figure = drawn(charts.ranges(frame, "Shares"))
    axes = only_axes(figure)
    low, high = axes.get_xlim()
    assert low < 0 and high > 1
    box = axes.get_window_extent()
    (dots,) = [c for c in axes.collections if isinstance(c, PathCollection)]
    radius = math.sqrt(dots.get_sizes()[0]) / 2 * figure.dpi / 72
    right = axes.transData.transform((0.998, 0))[0]
    left = axes.transData.transform((0.001, 1))[0]
    assert right + radius <= box.x1 and left - radius >= box.x0
    assert visible_tick_texts(figure, "x") == ["0%", "25%", "50%", "75%", "100%"]


def test_bars_leave_headroom_above_the_tallest() -> None:
    tallest = float(SPEND.sum(axis=1).max())
    stacked = only_axes(charts.stacked_bars(SPEND, "Spend", "spend", currency="USD"))
    assert stacked.get_ylim()[1] >= 1.08 * tallest - 1e-6
    grouped = only_axes(charts.grouped_bars(SPEND, "Spend", "spend"))
    assert grouped.get_ylim()[1] >= 1.08 * float(SPEND.max().max()) - 1e-6
    losses = pd.DataFrame({"a": [-50.0, 100.0]})
    low, high = only_axes(charts.grouped_bars(losses, "Profit", "profit")).get_ylim()
    assert low < -50 and high > 100


def test_money_axes_read_in_the_currency_with_separators() -> None:
    figure = charts.stacked_bars(SPEND, "Spend by tier per period", "spend", currency="USD")
    texts = visible_tick_texts(figure, "y")
    assert "$0" in texts and "$140,000" in texts
    assert only_axes(figure).get_ylabel() == "spend (USD)"
    euros = charts.stacked_bars(SPEND, "Spend", "spend", currency="EUR")
    assert "€100,000" in visible_tick_texts(euros, "y")
    francs = charts.stacked_bars(SPEND, "Spend", "spend", currency="CHF")
    assert "100,000 CHF" in visible_tick_texts(francs, "y")


def test_frontier_reads_budget_and_objective_in_their_units() -> None:
    budgets = np.array([100_000.0, 200_000.0, 250_000.0, 300_000.0])
    revenue = charts.frontier(
        budgets, budgets * 1.5, 250_000.0, "Budget frontier", "revenue", currency="USD"
    )
    axes = only_axes(revenue)
    assert axes.get_xlabel() == "budget (USD)"
    assert "$200,000" in visible_tick_texts(revenue, "x")
    assert all(text.startswith("$") for text in visible_tick_texts(revenue, "y"))
    assert legend_texts(revenue) == ["scenario budget $250,000"]

    conversions = charts.frontier(
        budgets, budgets / 50, 250_000.0, "Budget frontier", "conversions", currency="GBP"
    )
    assert "£200,000" in visible_tick_texts(conversions, "x")
    ys = visible_tick_texts(conversions, "y")
    assert "5,000" in ys and not any("£" in text or "$" in text for text in ys)
    assert legend_texts(conversions) == ["scenario budget £250,000"]


@pytest.mark.parametrize("low, high", [(1_500_000.0, 9_500_000.0), (1e7, 9e7)])
def test_frontier_budget_labels_do_not_collide(low: float, high: float) -> None:
    # full amounts are wide: matplotlib's default ticks here put 8 or 9 of them side by side
    budgets = np.linspace(low, high, 9)
    figure = drawn(charts.frontier(budgets, budgets / 10, None, "Frontier", "reach"))
    axes = only_axes(figure)
    left, right = axes.get_xlim()
    boxes = [
        label.get_window_extent()
        for value, label in zip(axes.get_xticks(), axes.get_xticklabels(), strict=True)
        if left <= value <= right
    ]
    assert len(boxes) >= 3
    assert not any(overlaps(a, b) for a, b in itertools.pairwise(boxes))


def test_sweep_grid_names_its_axes_and_reads_budgets_as_money() -> None:
    grid = pd.DataFrame(
        [[2_400.0, 2_410.0], [3_600.0, 3_590.0]],
        index=pd.Index([200_000.0, 300_000.0], name="budget"),
        columns=pd.Index([0.0, 0.05], name="rules.tolerance"),
    )
    figure = charts.grouped_bars(
        grid,
        "Objective by budget",
        "conversions",
        xlabel="budget",
        legend_title="rules.tolerance",
        currency="USD",
        x_money=True,
    )
    axes = only_axes(figure)
    assert tick_texts(figure, "x") == ["$200,000", "$300,000"]
    assert axes.get_xlabel() == "budget (USD)"
    assert legend_texts(figure) == ["0", "0.05"]
    assert legend_of(figure).get_title().get_text() == "rules.tolerance"
    assert "3,000" in visible_tick_texts(figure, "y")

    plain = charts.grouped_bars(grid, "Objective by budget", "revenue")
    assert tick_texts(plain, "x") == ["200,000", "300,000"]
    assert all(text.startswith("$") for text in visible_tick_texts(plain, "y"))


def test_number_labels() -> None:
    assert charts.plain(200_000.0) == "200,000"
    assert charts.plain(0.05) == "0.05"
    assert charts.plain(-0.0) == "0"
    assert charts.plain(-1_250.5) == "-1,250.5"


def test_every_chart_renders_as_svg_without_metadata() -> None:
    budgets = np.array([1e5, 2e5])
    figures = [
        charts.stacked_bars(SPEND, "Spend by tier per period", "spend", currency="USD"),
        charts.ranges(SHARES, "Shares against the rules"),
        charts.frontier(budgets, budgets, 1e5, "Budget frontier", "spend"),
        charts.grouped_bars(SPEND.T, "Spend share by tier", "share", True),
    ]
    for page in map(charts.svg, figures):
        assert page.startswith("<svg") and page.rstrip().endswith("</svg>")
        assert "<metadata>" not in page


def test_charts_on_one_page_share_no_element_id_and_render_the_same_each_time() -> None:
    """Inline SVGs share the page's id space: two charts defining the same glyph id make the
    page invalid HTML. Each chart's ids are its own, and its text is the same run after run."""
    budgets = np.array([1e5, 2e5])
    figures = [
        charts.stacked_bars(SPEND, "Spend by tier per period", "spend", currency="USD"),
        charts.ranges(SHARES, "Shares against the rules"),
        charts.frontier(budgets, budgets, 1e5, "Budget frontier", "spend"),
    ]
    pages = [charts.svg(figure) for figure in figures]
    ids = [found for page in pages for found in re.findall(r'\bid="([^"]+)"', page)]
    assert ids and len(ids) == len(set(ids))
    for page in pages:
        own = set(re.findall(r'\bid="([^"]+)"', page))
        referred = re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', page)
        assert referred and {a or b for a, b in referred} <= own
    again = charts.stacked_bars(SPEND, "Spend by tier per period", "spend", currency="USD")
    assert charts.svg(again) == pages[0]
