"""Rich tables for the terminal, readable at 80 columns."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from optimizer.plan import Plan
from optimizer.report.frames import summary_row, tier_shares
from optimizer.report.numbers import bound, money, percent, quantity

# Above this many periods the allocation is listed one row per cell instead of a period grid.
WIDE_PERIODS = 6


def headline(plan: Plan) -> Text:
    scenario = plan.scenario
    text = Text()
    text.append(scenario.name, style="bold")
    style = "green" if plan.has_plan else "red"
    text.append(f"  {plan.status}", style=f"bold {style}")
    if plan.has_plan:
        value = (
            money(plan.objective, scenario.currency)
            if plan.metric in ("revenue", "profit", "spend")
            else quantity(plan.objective)
        )
        text.append(f"  {plan.sense} {plan.metric}: {value}")
        if plan.gap is not None:
            text.append(f"  (gap {percent(plan.gap, 2)}, bound {quantity(plan.bound)})")
    text.append(f"\nsolved by {plan.solver} in {plan.seconds:.2f} s", style="dim")
    return text


def allocation_table(plan: Plan) -> Table:
    currency = plan.scenario.currency
    allocation = plan.allocation
    periods = plan.scenario.periods
    table = Table(title="Influencers to engage", title_justify="left", show_footer=True)
    if len(periods) <= WIDE_PERIODS:
        counts = allocation["count"].unstack("period", fill_value=0)
        by_cell = allocation.groupby(level=["platform", "tier"], sort=False)[
            ["spend", "conversions"]
        ].sum()
        table.add_column("Platform", footer="Total")
        table.add_column("Tier")
        for period in periods:
            total = allocation.xs(period, level="period")["count"].sum() if period in counts else 0
            table.add_column(period, justify="right", footer=quantity(total))
        table.add_column("Spend", justify="right", footer=money(plan.totals["spend"], currency))
        table.add_column("Conv.", justify="right", footer=quantity(plan.totals["conversions"]))
        for (platform, tier), row in by_cell.iterrows():
            cells = [
                quantity(counts.loc[(platform, tier), period]) if period in counts else "0"
                for period in periods
            ]
            table.add_row(
                str(platform),
                str(tier),
                *cells,
                money(row["spend"], currency),
                quantity(row["conversions"]),
            )
        return table
    table.add_column("Period", footer="Total")
    table.add_column("Platform")
    table.add_column("Tier")
    table.add_column("Count", justify="right", footer=quantity(plan.totals["count"]))
    table.add_column("Spend", justify="right", footer=money(plan.totals["spend"], currency))
    table.add_column("Conv.", justify="right", footer=quantity(plan.totals["conversions"]))
    for (period, platform, tier), row in allocation.iterrows():
        table.add_row(
            str(period),
            str(platform),
            str(tier),
            quantity(row["count"]),
            money(row["spend"], currency),
            quantity(row["conversions"]),
        )
    return table


def totals_table(plan: Plan) -> Table:
    currency = plan.scenario.currency
    totals = plan.totals
    table = Table(title="Totals", title_justify="left", show_header=False)
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    conversions, engagements = totals["conversions"], totals["engagements"]
    rows = [
        ("Influencers", quantity(totals["count"])),
        ("Spend", money(totals["spend"], currency)),
        ("Reach", quantity(totals["reach"])),
        ("Engagements", quantity(engagements)),
        ("Conversions", quantity(conversions)),
        (
            "Revenue",
            money(totals["revenue"], currency) if plan.scenario.average_order_value else "-",
        ),
        (
            "Cost per conversion",
            money(totals["spend"] / conversions, currency) if conversions > 0 else "-",
        ),
        (
            "Cost per engagement",
            money(totals["spend"] / engagements, currency) if engagements > 0 else "-",
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def shares_table(plan: Plan) -> Table:
    table = Table(title="Spend share by tier", title_justify="left", min_width=30)
    table.add_column("Tier")
    table.add_column("Share", justify="right")
    for tier, share in tier_shares(plan).items():
        table.add_row(str(tier), percent(share))
    return table


def rules_table(plan: Plan) -> Table:
    currency = plan.scenario.currency
    table = Table(title="Rules", title_justify="left")
    table.add_column("Rule")
    table.add_column("Value", justify="right")
    table.add_column("Min", justify="right")
    table.add_column("Max", justify="right")
    table.add_column("Binds")
    for rule in plan.rules:
        value, low, high = (
            bound(v, rule.kind, currency, rule.metric) for v in (rule.value, rule.min, rule.max)
        )
        table.add_row(
            rule.name,
            value,
            low,
            high,
            Text("yes", style="bold yellow") if rule.binding else "",
        )
    return table


def plan_view(plan: Plan) -> RenderableType:
    parts: list[RenderableType] = [headline(plan)]
    if plan.has_plan:
        parts += [allocation_table(plan), totals_table(plan), shares_table(plan)]
        if plan.rules:
            parts.append(rules_table(plan))
    for rule in plan.skipped:
        parts.append(Text(f"left out {rule.name}: {rule.reason}", style="dim"))
    return Group(*parts)


SHORT_METRIC = {"conversions": "conv.", "engagements": "eng.", "reach": "reach"}


def objective_text(plan: Plan) -> str:
    """The objective value with its unit: "4,666 conv.", "$1,200,000 revenue"."""
    if plan.objective is None:
        return "-"
    if plan.metric in SHORT_METRIC:
        return f"{quantity(plan.objective)} {SHORT_METRIC[plan.metric]}"
    label = "min spend" if plan.sense == "minimize" else plan.metric
    return f"{money(plan.objective, plan.scenario.currency)} {label}"


def summary_view(results: list[tuple[str, Plan]]) -> Table:
    table = Table(title="Scenarios", title_justify="left")
    table.add_column("Scenario", ratio=2)
    table.add_column("Status")
    table.add_column("Objective", justify="right")
    table.add_column("Spend", justify="right")
    table.add_column("CPA", justify="right")
    table.add_column("Gap", justify="right")
    for _, plan in results:
        row = summary_row("", plan)
        currency = plan.scenario.currency
        table.add_row(
            row["scenario"],
            row["status"],
            objective_text(plan),
            money(row["spend"], currency) if plan.has_plan else "-",
            money(row["cpa"], currency),
            percent(row["gap"], 2),
        )
    return table
