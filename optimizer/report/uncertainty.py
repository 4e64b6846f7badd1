"""The uncertainty of a plan as terminal tables: P10, P50 and P90 of every figure beside its
point value (section 8.3 of the format)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from optimizer.constants import MONEY_METRICS
from optimizer.report.numbers import money, percent, quantity

_LABELS = {
    "spend": "Spend",
    "reach": "Reach",
    "engagements": "Engagements",
    "conversions": "Conversions",
    "revenue": "Revenue",
    "profit": "Profit",
}


def uncertainty_table(
    uncertainty: Mapping[str, Any], point: Mapping[str, float], currency: str
) -> Table:
    """One row per figure: its point (v1) value, then P10, P50 and P90 over the draws.
    `uncertainty` is the result's `uncertainty` object; `point` the plan's totals."""
    source = uncertainty["source"]
    drawn = "from a draws file" if source == "file" else f"seed {uncertainty['seed']}"
    title = f"Over {uncertainty['draws']:,} draws ({drawn}; {uncertainty['risk']})"
    table = Table(title=title, title_justify="left")
    for heading in ("", "Point", "P10", "P50", "P90"):
        table.add_column(heading, justify="right" if heading else "left")
    for metric, figures in uncertainty["outcomes"].items():
        if metric == "revenue" and not any(figures.values()):
            continue
        shown = _shown(metric, currency)
        value = point.get(metric)
        if metric == "profit" and value is None:
            value = point.get("revenue", 0.0) - point.get("spend", 0.0)
        table.add_row(
            _LABELS.get(metric, metric),
            shown(value),
            *(shown(figures[key]) for key in ("p10", "p50", "p90")),
        )
    return table


def uncertainty_lines(
    uncertainty: Mapping[str, Any], metric: str = "", currency: str = "USD"
) -> list[str]:
    """Sentences on targets, the budget and the midpoint plan; `metric` is the objective's."""
    score = _shown(metric, currency)
    lines = []
    for target in uncertainty.get("targets", []):
        chance = percent(target["probability"])
        needed = f" (needs {percent(target['required'])})" if "required" in target else ""
        lines.append(
            f"{target['name']}: {target['metric']} of at least {quantity(target['value'])}"
            f" in {chance} of draws{needed}"
        )
    over = uncertainty.get("probability_over_budget")
    if over is not None:
        lines.append(f"Spends above the budget in {percent(over)} of draws.")
    midpoint = uncertainty.get("midpoint_plan")
    if midpoint is not None and midpoint.get("objective") is not None:
        lines.append(
            f"The midpoint (v1) plan scores {score(midpoint['objective'])} on the same"
            f" measure; this plan {score(uncertainty['objective'])}."
        )
    other = uncertainty.get("out_of_sample")
    if other is not None and other.get("objective") is not None:
        lines.append(
            f"On {other['draws']:,} independent draws (seed {other['seed']}) this plan scores"
            f" {score(other['objective'])}."
        )
    if uncertainty.get("stopped_by_time_limit"):
        lines.append("The time limit stopped the search: the gap says how good the plan is.")
    return lines


def _shown(metric: str, currency: str) -> Any:
    if metric in MONEY_METRICS:
        return lambda value: "-" if value is None else money(value, currency)
    return lambda value: "-" if value is None else quantity(value)
