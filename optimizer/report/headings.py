"""Column headings: the words a report's columns are headed with, one mapping for the
terminal and the report pages (HTML, Markdown). CSV files and JSON keep the keys."""

from __future__ import annotations

HEADINGS = {
    "file": "File",
    "scenario": "Scenario",
    "plan": "Plan",
    "status": "Status",
    "objective": "Objective",
    "metric": "Metric",
    "bound": "Bound",
    "gap": "Gap",
    "budget": "Budget",
    "period": "Period",
    "platform": "Platform",
    "tier": "Tier",
    "count": "Influencers",
    "spend": "Spend",
    "reach": "Reach",
    "engagements": "Engagements",
    "conversions": "Conversions",
    "revenue": "Revenue",
    "profit": "Profit",
    "cpa": "CPA",
    "cpe": "CPE",
    "marginal_cpa": "Marginal CPA",
    "lift": "Lift",
    "seconds": "Seconds",
    "error": "Error",
    "dimension": "Dimension",
    "value": "Value",
    "name": "Name",
    "rule": "Rule",
    "kind": "Kind",
    "min": "Min",
    "max": "Max",
    "binding": "Binds",
    "met": "Met",
    "slack": "Slack",
    "current": "Current",
    "needed": "Needed",
    "message": "Message",
    "price": "Price if dropped",
    "shadow_per_step": "Shadow price per step (est.)",
    "shadow_bound": "Shadow bound",
    "step": "Step",
    "unbounded": "No limit without it",
    "budget_step": "Budget step",
    "gain": "Gain",
    "available": "Available",
    "cost": "Cost",
    "point": "Point",
    "mean": "Mean",
    "p10": "P10",
    "p50": "P50",
    "p90": "P90",
    "cvar10": "Worst 10% mean",
    "midpoint_mean": "Midpoint plan: mean",
    "midpoint_cvar10": "Midpoint plan: worst 10% mean",
    "risk_mean": "Mean over draws",
    "risk_p10": "P10 over draws",
    "risk_p90": "P90 over draws",
    "risk_cvar10": "Worst 10% mean",
    "price_of_ignoring": "Price of ignoring uncertainty",
    "condition": "Condition",
    "probability": "Share of draws",
    "required": "Required",
}
"""Report keys and their headings; a key not listed (a plan's name, a swept parameter's
path) is its own heading."""

SHORT_HEADINGS = {"conversions": "Conv."}
"""Where an 80-column terminal table needs it, a shorter heading."""


def heading(key: str, short: bool = False) -> str:
    """The heading of a column: `marginal_cpa` reads "Marginal CPA", `share:nano` "nano
    share"; `short` for a narrow table."""
    if short and key in SHORT_HEADINGS:
        return SHORT_HEADINGS[key]
    if key.startswith("share:"):
        return f"{key.removeprefix('share:')} share"
    return HEADINGS.get(key, key)
