"""Plans as plain tables (pandas), shared by every output format.

pandas loads in the functions that make a frame: the terminal imports this module for its
helpers, and a plan written as JSON needs no table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.constants import METRICS
from optimizer.plan import Plan, RuleReport

if TYPE_CHECKING:
    import pandas as pd


def allocation_frame(plan: Plan) -> pd.DataFrame:
    """One row per bought cell: period, platform, tier (and creator, with a roster), the
    metrics, CPA and CPE; revenue is missing, not zero, without an average order value."""
    dimensions = [name for name in plan.allocation.index.names if name is not None]
    frame = plan.allocation.reset_index()[[*dimensions, *METRICS, "cpa", "cpe"]]
    if not plan.scenario.average_order_value:
        frame["revenue"] = np.nan
    return frame


def share_digits(rule: RuleReport) -> int:
    """Decimals a share rule's value needs: two where one would print the bound itself
    (45.0% against a 45% maximum) for a value that does not sit on it (44.99%)."""
    if rule.kind != "share" or rule.binding or rule.value is None:
        return 1
    near = [b for b in (rule.min, rule.max) if b is not None and abs(rule.value - b) < 0.0005]
    return 2 if near else 1


RULE_COLUMNS = ["name", "rule", "kind", "metric", "value", "min", "max", "binding", "slack"]
"""The rules table of report files: the JSON's `rules` entries, the group aside (the name
carries it: `cap[Q1]`)."""


def rules_frame(plan: Plan) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        [{column: getattr(rule, column) for column in RULE_COLUMNS} for rule in plan.rules],
        columns=RULE_COLUMNS,
    )


def tier_shares(plan: Plan) -> pd.Series:
    """Share of spend per tier, in the scenario's order of tiers."""
    spend = plan.allocation.groupby(level="tier", sort=False)["spend"].sum()
    spend = spend.reindex([tier for tier in plan.scenario.tiers if tier in spend.index])
    total = spend.sum()
    return spend / total if total > 0 else spend


def summary_row(source: str, plan: Plan) -> dict[str, Any]:
    """One scenario's row; a scenario without a plan has no totals, not zero ones."""
    totals: dict[str, float | None] = (
        {**plan.totals} if plan.has_plan else dict.fromkeys(plan.totals)
    )
    spend, conversions = totals["spend"], totals["conversions"]
    return {
        "file": source,
        "scenario": plan.scenario.name,
        "status": str(plan.status),
        "objective": plan.metric if plan.sense == "maximize" else f"min {plan.metric}",
        "value": plan.objective,
        "gap": plan.gap,
        "count": totals["count"],
        "spend": spend,
        "conversions": conversions,
        "cpa": spend / conversions if spend is not None and conversions else None,
        "seconds": plan.seconds,
    }


def summary_frame(results: list[tuple[str, Plan]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([summary_row(source, plan) for source, plan in results])
