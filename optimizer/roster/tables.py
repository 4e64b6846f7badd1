"""A roster plan in tables: the shortlist of creators, tier totals, the top creators, and the
marginal creators left out with the price at which each would enter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.constants import DIMENSIONS, METRICS, SATURATED_METRICS
from optimizer.jsontext import json_number

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.model.linear import LinearModel
    from optimizer.plan import Plan

CREATOR_COLUMNS = ("creator", "platform", "tier", "periods", *METRICS, "cpa", "cpe")
"""The shortlist's columns, one row per creator in the plan."""
TOP_CREATORS = 10
"""Creators the terminal lists by name; the rest are in the tier totals and the files."""
MARGINAL_CREATORS = 10
"""Creators left out that `explain` names."""


def has_creators(plan: Plan) -> bool:
    """Whether the plan's scenario has a roster (its allocation has a creator level)."""
    return plan.scenario.roster is not None and "creator" in plan.allocation.index.names


def value_metric(plan: Plan) -> str:
    """The metric creators are ranked by: the objective's, conversions for spend."""
    return "conversions" if plan.metric == "spend" else plan.metric


def creators_frame(plan: Plan) -> pd.DataFrame:
    """The shortlist: each creator in the plan with the periods it posts in, its posts,
    spend, reach, engagements, conversions, revenue, cost per conversion and per engagement;
    sorted by platform and tier (in the scenario's order), then by value, the best first."""
    import pandas as pd

    if not has_creators(plan) or plan.allocation.empty:
        return pd.DataFrame(columns=list(CREATOR_COLUMNS))
    frame = plan.allocation.reset_index()
    frame = frame[frame["creator"] != ""]
    if frame.empty:
        return pd.DataFrame(columns=list(CREATOR_COLUMNS))
    order = {period: i for i, period in enumerate(plan.scenario.periods)}
    frame = frame.assign(order=frame["period"].map(order)).sort_values("order", kind="stable")
    grouped = frame.groupby(["creator", "platform", "tier"], sort=False)
    shortlist = grouped[list(METRICS)].sum()
    shortlist.insert(0, "periods", grouped["period"].agg(";".join))
    shortlist = shortlist.reset_index()
    shortlist["cpa"] = shortlist["spend"] / shortlist["conversions"].replace(0, np.nan)
    shortlist["cpe"] = shortlist["spend"] / shortlist["engagements"].replace(0, np.nan)
    if not plan.scenario.average_order_value:
        shortlist["revenue"] = np.nan
    platforms = list(plan.scenario.platforms)
    tiers = list(plan.scenario.tiers)
    value = _value(shortlist, plan)
    shortlist = shortlist.assign(
        _platform=shortlist["platform"].map(platforms.index),
        _tier=shortlist["tier"].map(lambda tier: tiers.index(tier) if tier in tiers else 99),
        _value=-value,
    ).sort_values(["_platform", "_tier", "_value", "creator"], kind="stable")
    return shortlist[list(CREATOR_COLUMNS)].reset_index(drop=True)


def _value(shortlist: pd.DataFrame, plan: Plan) -> pd.Series:
    metric = value_metric(plan)
    if metric == "profit":
        return shortlist["revenue"].fillna(0) - shortlist["spend"]
    return shortlist[metric]


def top_creators(plan: Plan, count: int = TOP_CREATORS) -> pd.DataFrame:
    """The `count` creators of most value in the plan, the best first."""
    shortlist = creators_frame(plan)
    if shortlist.empty:
        return shortlist
    value = _value(shortlist, plan)
    return shortlist.loc[value.sort_values(ascending=False, kind="stable").index[:count]]


def cell_totals(plan: Plan) -> pd.DataFrame:
    """The allocation with the creators of each (period, platform, tier) added up: what the
    plan buys per tier, as a rate card's cells read."""
    allocation = plan.allocation
    if "creator" not in allocation.index.names:
        return allocation
    totals = allocation.groupby(level=list(DIMENSIONS), sort=False)[list(METRICS)].sum()
    totals["cpa"] = totals["spend"] / totals["conversions"].replace(0, np.nan)
    totals["cpe"] = totals["spend"] / totals["engagements"].replace(0, np.nan)
    return totals


@dataclass(frozen=True)
class MarginalCreator:
    """A creator the plan leaves out, and the price per post at which the relaxation would
    take it: its value less what its post uses of the binding rules, at their LP prices."""

    creator: str
    platform: str
    tier: str
    period: str
    cost: float
    """Its price per post in that period (after seasonality)."""
    value: float
    """What one post adds to the objective."""
    entry_price: float | None
    """The price per post at or below which it would enter; None when no price would do
    (a rule it breaks whatever it costs, or an excluded creator)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "creator": self.creator,
            "platform": self.platform,
            "tier": self.tier,
            "period": self.period,
            "cost": json_number(self.cost),
            "value": json_number(self.value),
            "entry_price": json_number(self.entry_price),
        }


def marginal_creators(
    model: LinearModel, counts: np.ndarray, count: int = MARGINAL_CREATORS
) -> list[MarginalCreator]:
    """The creators left out that come nearest to entering: priced against the duals of the
    LP relaxation, the best `count` by how little their price would have to fall (each at
    its best period)."""
    from optimizer.roster.relaxation import relax

    cells = model.cells
    creators = cells.level("creator")
    if not (creators != "").any():
        return []
    sign = 1.0 if model.sense == "maximize" else -1.0
    relaxation = relax(model, sign)
    duals = relaxation.duals
    matrix = model.matrix.tocsc()
    count_columns = np.asarray(model.count_columns)
    cost = cells.column("cost")
    # The parts of each count column: on spend (per unit of price) and on the rest.
    spend_rows = _spend_share(model)
    price_weight = np.asarray(matrix[:, count_columns].T @ (duals * spend_rows)).ravel()
    reduced = relaxation.reduced[count_columns]
    objective = sign * model.objective[count_columns]
    objective_price = _objective_price(model, sign)
    # d(p) = d + (cost - p) * (w + o): w the spend rows' price, o the objective's per dollar
    slope = price_weight / np.maximum(cost, 1e-12) + objective_price
    with np.errstate(divide="ignore", invalid="ignore"):
        entry = cost + np.where(slope > 1e-15, reduced / slope, np.nan)
    bought = np.bincount(
        _creator_codes(creators), weights=counts[: len(cells)], minlength=len(set(creators))
    )
    codes = _creator_codes(creators)
    open_ = model.col_upper[count_columns] > 0  # neither excluded nor capped at none
    left_out = (creators != "") & (bought[codes] <= 0) & open_ & (reduced < 0)
    candidates = np.flatnonzero(left_out & np.isfinite(entry) & (entry > 0))
    if not len(candidates):
        return []
    closeness = entry[candidates] / cost[candidates]  # the share of its price it could keep
    order = candidates[np.argsort(-closeness, kind="stable")]
    seen: set[str] = set()
    out = []
    for position in order:
        name = str(creators[position])
        if name in seen:
            continue
        seen.add(name)
        period, platform, tier = (str(part) for part in cells.keys[position][:3])
        out.append(
            MarginalCreator(
                name,
                platform,
                tier,
                period,
                float(cost[position]),
                float(sign * objective[position]),
                float(entry[position]),
            )
        )
        if len(out) >= count:
            break
    return out


def _creator_codes(creators: np.ndarray) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.factorize(creators)[0], dtype=np.int64)


def _spend_share(model: LinearModel) -> np.ndarray:
    """1 for rows on spend (budget, spend shares and limits), 0 for the others."""
    out = np.zeros(model.num_rows)
    for block in model.blocks:
        if block.constraint is not None and block.constraint.metric == "spend":
            out[block.start : block.stop] = 1.0
    return out


def _objective_price(model: LinearModel, sign: float) -> float:
    """How much the objective falls per dollar a post costs: 1 for profit, spend's own
    sense when spend is minimised, else 0."""
    metric = model.scenario.objective.metric
    if metric == "profit":
        return 1.0
    if metric == "spend":
        return 1.0
    return 0.0


__all__ = [
    "CREATOR_COLUMNS",
    "SATURATED_METRICS",
    "MarginalCreator",
    "cell_totals",
    "creators_frame",
    "marginal_creators",
    "top_creators",
]
