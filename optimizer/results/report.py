"""What calibration learnt, per offer: planned, observed and calibrated figures with their
80% intervals, as a terminal view or a report document (Markdown, HTML, workbook)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.report.numbers import money, percent
from optimizer.results.calibration import (
    CREDIBLE,
    FROM_PLAN,
    UPPER,
    Calibration,
    Figure,
    OfferCalibration,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Drawing
    from rich.console import RenderableType

    from optimizer.report.document import Format, Report

FIGURE_NAMES = {
    "engagement_rate": "engagement rate",
    "cost_per_engagement": "cost per engagement",
    "conversion_rate": "conversion rate",
    "reach_rate": "reach rate",
    "cost_per_post": "cost per post",
    "cost_per_1k_followers": "cost per 1k followers",
}
SHORT_NAMES = {
    "engagement_rate": "eng. rate",
    "cost_per_engagement": "cost/eng.",
    "conversion_rate": "conv. rate",
    "reach_rate": "reach rate",
    "cost_per_post": "price/post",
    "cost_per_1k_followers": "price/1k",
}
"""Names in the terminal's narrow columns."""
SHOWN_UNMATCHED = 100
"""Unmatched rows the terminal lists; JSON and report files list every one."""


def _is_money(name: str) -> bool:
    return name.startswith("cost")


def shown(name: str, value: float | None, currency: str) -> str:
    if value is None:
        return "-"
    if _is_money(name):
        return money(value, currency, cents=value < 100)
    return percent(value, 2 if value < 0.1 or name in UPPER else 1)


def summary_lines(calibration: Calibration) -> list[str]:
    results = calibration.results
    lines = [
        f"{len(results.rows):,} of {results.total_rows:,} rows of {results.source} matched"
        f" {len(calibration.calibrated)} offers of {calibration.scenario.name}.",
        f"Calibrated figures are base figures (seasonality taken out), each the parent's pooled"
        f" with the results; intervals are central {CREDIBLE:.0%} credible intervals.",
    ]
    if results.unmatched:
        count = len(results.unmatched)
        lines.append(
            f"{count:,} {'row matches' if count == 1 else 'rows match'} no offer or code and"
            f" {'is' if count == 1 else 'are'} not used: see Unmatched rows."
        )
    lines += [f"Note: {note}." for note in results.notes]
    return lines


def test_budget_text(calibration: Calibration) -> str:
    """Which emerging-test budget learning weighs the posts against, and how much it is."""
    currency = calibration.scenario.currency
    amount = calibration.test_budget
    if calibration.test_budget_from == FROM_PLAN:
        assert amount is not None
        return (
            f"the plan's spend on emerging tests ({money(amount, currency)}, emerging platforms"
            " and tiers)"
        )
    if amount is None:
        return "an emerging-test budget (none: no plan given and no budget.total)"
    return (
        f"the emerging-test budget ({money(amount, currency)}, 10% of budget.total by"
        " 70-20-10; give the plan for what it spends)"
    )


def offer_frame(offer: OfferCalibration) -> pd.DataFrame:
    rows = []
    for name, figure in offer.figures.items():
        rows.append(
            {
                "figure": FIGURE_NAMES[name],
                "planned": figure.planned,
                "planned_low": figure.prior_interval[0],
                "planned_high": figure.prior_interval[1],
                "observed": figure.observed,
                "calibrated": figure.calibrated,
                "low": figure.interval[0],
                "high": figure.interval[1],
                "posts": figure.evidence.posts,
            }
        )
    return pd.DataFrame(rows)


def learning_frame(calibration: Calibration) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "platform": offer.platform,
                "tier": offer.tier,
                "posts_so_far": offer.posts,
                "now_within": offer.learning.current,
                "posts_needed": offer.learning.posts_needed,
                "cost": offer.learning.cost,
                "test_budget_buys": offer.learning.affordable,
                "enough": offer.learning.buys,
            }
            for offer in calibration.offers
        ]
    )


def calibration_report(calibration: Calibration, with_charts: bool = True) -> Report:
    from optimizer.report.document import Chart, Report, Table

    currency = calibration.scenario.currency
    tables = []
    charts = []
    for offer in calibration.calibrated:
        frame = offer_frame(offer)
        row_kind: list[Format] = ["money" if _is_money(name) else "gap" for name in offer.figures]
        figures = (
            "planned",
            "planned_low",
            "planned_high",
            "observed",
            "calibrated",
            "low",
            "high",
        )
        tables.append(
            Table(
                name=f"{offer.platform} {offer.tier}"[:31],
                title=f"{offer.platform} {offer.tier}: {offer.posts:,.0f} posts in"
                f" {offer.rows:,} rows",
                frame=frame,
                formats={"figure": "text", "posts": "count"},
                row_formats={column: row_kind for column in figures},
                labels={
                    "planned_low": "planned low",
                    "planned_high": "planned high",
                    "low": f"calibrated low ({CREDIBLE:.0%})",
                    "high": f"calibrated high ({CREDIBLE:.0%})",
                },
            )
        )
        data = _relative(offer)
        charts.append(
            Chart.of(
                f"{offer.platform} {offer.tier}: against plan",
                partial(draw_offer, offer),
                data,
                drawn=with_charts,
                kind="grouped",
                unit="percent",
                caption="each figure as a share of the planned one (100%); bars the"
                f" {CREDIBLE:.0%} intervals",
            )
        )
    width = calibration.width
    tables.append(
        Table(
            name="Learning",
            title=f"Posts to know each conversion rate to +-{width:.0%}, and whether"
            f" {test_budget_text(calibration)} buys them",
            frame=learning_frame(calibration),
            formats={
                "posts_so_far": "count",
                "now_within": "percent",
                "posts_needed": "count",
                "cost": "money",
                "test_budget_buys": "count",
                "enough": "bool",
            },
            labels={
                "posts_so_far": "posts so far",
                "now_within": "now within +-",
                "posts_needed": "posts needed",
                "test_budget_buys": "test budget buys",
                "enough": "enough",
            },
        )
    )
    if calibration.results.unmatched:
        tables.append(
            Table(
                name="Unmatched",
                title="Unmatched rows (not used)",
                frame=pd.DataFrame(
                    [
                        {"row": row.row, "reason": row.reason}
                        for row in calibration.results.unmatched
                    ]
                ),
            )
        )
    return Report(
        title=f"Calibration of {calibration.scenario.name}",
        lines=summary_lines(calibration),
        tables=tables,
        charts=charts,
        currency=currency,
    )


def _relative(offer: OfferCalibration) -> pd.DataFrame:
    rows = {}
    for name, figure in offer.figures.items():
        base = figure.planned or 1.0
        rows[FIGURE_NAMES[name]] = {
            "planned": 1.0,
            "observed": None if figure.observed is None else figure.observed / base,
            "calibrated": figure.calibrated / base,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    frame.index.name = "figure"
    return frame


def draw_offer(offer: OfferCalibration) -> Drawing:
    """Each figure as a share of the planned one: the planned 80% band, the observed figure
    and the calibrated one with its 80% interval."""
    import numpy as np

    from optimizer.report.charts import PALETTE, _blank

    figures = list(offer.figures.values())
    drawing = _blank(height=0.55 * len(figures) + 1.4)
    axes = drawing.add_subplot()
    y = np.arange(len(figures))
    base = np.array([f.planned or 1.0 for f in figures])
    low = np.array([f.prior_interval[0] for f in figures]) / base
    high = np.array([f.prior_interval[1] for f in figures]) / base
    axes.barh(y, high - low, left=low, height=0.5, color="#cfe0ee", label="planned (80%)")
    axes.scatter(np.ones(len(y)), y, marker="|", s=300, color=PALETTE[0], label="planned")
    observed = np.array([np.nan if f.observed is None else f.observed for f in figures]) / base
    axes.scatter(observed, y + 0.18, marker="x", color=PALETTE[3], label="observed", zorder=3)
    calibrated = np.array([f.calibrated for f in figures]) / base
    errors = np.array(
        [
            calibrated - np.array([f.interval[0] for f in figures]) / base,
            np.array([f.interval[1] for f in figures]) / base - calibrated,
        ]
    )
    axes.errorbar(
        calibrated,
        y - 0.18,
        xerr=np.maximum(errors, 0),
        fmt="o",
        color=PALETTE[1],
        capsize=3,
        label="calibrated (80%)",
        zorder=3,
    )
    axes.set_yticks(y, [FIGURE_NAMES[f.name] for f in figures])
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.invert_yaxis()
    axes.set_title(f"{offer.platform} {offer.tier}: against plan (100%)")
    drawing.legend(loc="outside lower center", ncols=4, frameon=False, fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    return drawing


def _strip(figure: Figure, width: int = 24) -> str:
    """A text chart of one figure: the planned band (-), the calibrated interval (=), the
    planned figure (|), the observed (x) and calibrated (o) figures, on one scale."""
    points = [*figure.prior_interval, *figure.interval, figure.planned, figure.calibrated]
    if figure.observed is not None:
        points.append(figure.observed)
    low, high = min(points), max(points)
    span = (high - low) or 1.0

    def at(value: float) -> int:
        return min(width - 1, max(0, round((value - low) / span * (width - 1))))

    line = [" "] * width
    for position in range(at(figure.prior_interval[0]), at(figure.prior_interval[1]) + 1):
        line[position] = "-"
    for position in range(at(figure.interval[0]), at(figure.interval[1]) + 1):
        line[position] = "="
    line[at(figure.planned)] = "|"
    if figure.observed is not None:
        line[at(figure.observed)] = "x"
    line[at(figure.calibrated)] = "o"
    return "".join(line)


def _posts(count: float) -> str:
    return "1 post" if count == 1 else f"{count:,.0f} posts"


def calibration_view(calibration: Calibration) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    currency = calibration.scenario.currency
    parts: list[Any] = [Text(f"Calibration of {calibration.scenario.name}", style="bold")]
    parts += [Text(line) for line in summary_lines(calibration)]
    parts.append(
        Text("Chart: - planned 80%, = calibrated 80%, | planned, x observed, o calibrated.")
    )
    for offer in calibration.calibrated:
        table = Table(
            title=f"{offer.platform} {offer.tier}: {_posts(offer.posts)} in {offer.rows:,} rows",
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        for heading in ("Figure", "Planned", "Observed", "Calibrated", f"{CREDIBLE:.0%} interval"):
            table.add_column(
                heading, justify="left" if heading == "Figure" else "right", no_wrap=True
            )
        table.add_column("Chart", no_wrap=True)
        for name, figure in offer.figures.items():
            interval = (
                f"{shown(name, figure.interval[0], currency)}-"
                f"{shown(name, figure.interval[1], currency)}"
            )
            table.add_row(
                SHORT_NAMES[name],
                shown(name, figure.planned, currency),
                shown(name, figure.observed, currency),
                shown(name, figure.calibrated, currency),
                interval,
                _strip(figure, 12),
            )
        parts.append(table)
    learning = Table(
        title=f"Learning: posts to know each conversion rate to +-{calibration.width:.0%}",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for heading in ("Offer", "Posts so far", "Now +-", "Posts needed", "Cost", "Test budget buys"):
        learning.add_column(
            heading, justify="left" if heading == "Offer" else "right", no_wrap=heading == "Offer"
        )
    for offer in calibration.offers:
        item = offer.learning
        buys = "-" if item.affordable is None else f"{item.affordable:,}"
        if item.buys is not None:
            buys += " (enough)" if item.buys else " (short)"
        learning.add_row(
            f"{offer.platform} {offer.tier}",
            f"{offer.posts:,.0f}",
            percent(item.current, 0),
            "-" if item.posts_needed is None else f"{item.posts_needed:,}",
            money(item.cost, currency),
            buys,
        )
    parts.append(learning)
    parts.append(
        Text(f"Test budget buys: posts of the offer that {test_budget_text(calibration)} buys.")
    )
    unmatched = calibration.results.unmatched
    if unmatched:
        listing = Table(
            title="Unmatched rows (not used)", box=box.SIMPLE_HEAD, title_justify="left"
        )
        listing.add_column("Row")
        listing.add_column("Why")
        for row in unmatched[:SHOWN_UNMATCHED]:
            listing.add_row(row.row, row.reason)
        parts.append(listing)
        if len(unmatched) > SHOWN_UNMATCHED:
            parts.append(
                Text(
                    f"... and {len(unmatched) - SHOWN_UNMATCHED:,} more: --format json lists"
                    " every one"
                )
            )
    return Group(*parts)
