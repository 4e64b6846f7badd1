"""Rich tables for the terminal, readable at 80 columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from optimizer.plan import Plan
from optimizer.report.frames import summary_row, tier_shares
from optimizer.report.numbers import bound, money, percent, quantity

# Above this many periods the allocation is listed one row per cell instead of a period grid.
WIDE_PERIODS = 6

if TYPE_CHECKING:
    from optimizer.analysis.compare import Comparison
    from optimizer.analysis.sweep import Sweep


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


def comparison_view(comparison: Comparison) -> RenderableType:
    names = comparison.names
    totals = comparison.totals
    table = Table(title="Comparison", title_justify="left")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    rows: list[tuple[str, str, Callable[[Any], str]]] = [
        ("Status", "status", str),
        ("Objective", "objective", quantity),
        ("Influencers", "count", quantity),
        ("Spend", "spend", money),
        ("Reach", "reach", quantity),
        ("Conversions", "conversions", quantity),
        ("Revenue", "revenue", money),
        ("CPA", "cpa", money),
        ("CPE", "cpe", money),
    ]
    if "lift" in totals:
        rows.append(("Lift over " + str(comparison.baseline), "lift", percent))
    for label, column, show in rows:
        table.add_row(label, *(show(_value(totals.loc[name, column])) for name in names))
    shares = Table(title="Spend shares", title_justify="left")
    shares.add_column("")
    for name in names:
        shares.add_column(name, justify="right")
    for (dimension, value), row in comparison.shares.iterrows():
        shares.add_row(f"{dimension} {value}", *(percent(row[name]) for name in names))
    parts: list[RenderableType] = [table, shares]
    if not comparison.rules.empty:
        binding = Table(title="Rules that bind", title_justify="left")
        binding.add_column("Rule")
        for name in names:
            binding.add_column(name, justify="center")
        for (rule, _), row in comparison.rules.iterrows():
            marks = [("yes" if row.get((name, "binding")) is True else "") for name in names]
            if any(marks):
                binding.add_row(str(rule), *marks)
        if binding.row_count:
            parts.append(binding)
    deltas = [column for column in comparison.cells.columns if " - " in column[0]]
    if deltas:
        changed = comparison.cells[(comparison.cells[deltas] != 0).any(axis=1)]
        cells = Table(title=f"Cells that change (against {names[0]})", title_justify="left")
        cells.add_column("Cell")
        for plan, what in deltas:
            cells.add_column(f"{plan.split(' - ')[0]} {what}", justify="right")
        for key, row in changed.iterrows():
            cells.add_row(
                " ".join(map(str, key)),
                *(
                    (money(row[column]) if column[1] == "spend" else f"{row[column]:+,.0f}")
                    for column in deltas
                ),
            )
        parts.append(cells)
    return Group(*parts)


def _value(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


def sweep_view(sweep: Sweep) -> Table:
    points = sweep.points
    table = Table(title=f"Sweep: {sweep.scenario}", title_justify="left")
    params = [name for name, _ in sweep.params]
    if sweep.budgets:
        table.add_column("Budget", justify="right")
    for name in params:
        table.add_column(name.split(".")[-1], justify="right")
    for column in ("Status", "Objective", "Spend", "CPA", "Marginal CPA"):
        table.add_column(column, justify="left" if column == "Status" else "right")
    for row in points.to_dict(orient="records"):
        cells = [money(row["budget"])] if sweep.budgets else []
        cells += [f"{row[name]:g}" for name in params]
        cells += [
            row["status"],
            quantity(_value(row["objective"])),
            money(_value(row["spend"])),
            money(_value(row["cpa"])),
            money(_value(row["marginal_cpa"])),
        ]
        table.add_row(*cells)
    return table
