"""Markdown and CSV renderings of plans and of batch summaries."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from optimizer.plan import Plan
from optimizer.report.frames import allocation_frame, summary_frame, tier_shares
from optimizer.report.numbers import bound, money, percent, quantity


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> str:
    """A GitHub-flavoured table; columns from index `right` on are right-aligned."""
    align = ["---" if i < right else "---:" for i in range(len(header))]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def plan_markdown(plan: Plan) -> str:
    scenario = plan.scenario
    currency = scenario.currency
    parts = [f"# {scenario.name}", ""]
    status = f"**Status:** {plan.status}"
    if plan.has_plan:
        status += (
            f" · {plan.sense} {plan.metric}: {quantity(plan.objective)}"
            f" (bound {quantity(plan.bound)}, gap {percent(plan.gap, 2)})"
        )
    parts += [status, "", f"Solved by {plan.solver} in {plan.seconds:.2f} s.", ""]
    if plan.has_plan:
        frame = allocation_frame(plan)
        parts += ["## Allocation", ""]
        parts.append(
            markdown_table(
                ["Period", "Platform", "Tier", "Count", "Spend", "Reach", "Conversions", "CPA"],
                [
                    [
                        row.period,
                        row.platform,
                        row.tier,
                        quantity(row.count),
                        money(row.spend, currency),
                        quantity(row.reach),
                        quantity(row.conversions),
                        money(None if pd.isna(row.cpa) else row.cpa, currency),
                    ]
                    for row in frame.itertuples()
                ],
                right=3,
            )
        )
        totals = plan.totals
        parts += ["", "## Totals", ""]
        parts.append(
            markdown_table(
                ["Metric", "Value"],
                [
                    ["Influencers", quantity(totals["count"])],
                    ["Spend", money(totals["spend"], currency)],
                    ["Reach", quantity(totals["reach"])],
                    ["Engagements", quantity(totals["engagements"])],
                    ["Conversions", quantity(totals["conversions"])],
                    ["Revenue", money(totals["revenue"], currency)],
                ],
            )
        )
        parts += ["", "## Spend share by tier", ""]
        parts.append(
            markdown_table(
                ["Tier", "Share"],
                [[str(tier), percent(share)] for tier, share in tier_shares(plan).items()],
            )
        )
        if plan.rules:
            parts += ["", "## Rules", ""]
            parts.append(
                markdown_table(
                    ["Rule", "Value", "Min", "Max", "Binds"],
                    [
                        [
                            rule.name,
                            *(
                                bound(v, rule.kind, currency, rule.metric)
                                for v in (rule.value, rule.min, rule.max)
                            ),
                            "yes" if rule.binding else "",
                        ]
                        for rule in plan.rules
                    ],
                )
            )
    if plan.skipped:
        parts += ["", "## Preset rules left out", ""]
        parts += [f"- {rule.name}: {rule.reason}" for rule in plan.skipped]
    return "\n".join(parts) + "\n"


def plan_csv(plan: Plan) -> str:
    return allocation_frame(plan).to_csv(index=False)


def summary_markdown(results: list[tuple[str, Plan]]) -> str:
    frame = summary_frame(results)
    rows = [
        [
            row.scenario,
            row.status,
            f"{row.objective} {quantity(row.value)}",
            quantity(row.spend),
            quantity(row.conversions),
            "-" if row.cpa is None or pd.isna(row.cpa) else f"{row.cpa:,.2f}",
            percent(None if row.gap is None or pd.isna(row.gap) else row.gap, 2),
        ]
        for row in frame.itertuples()
    ]
    table = markdown_table(
        ["Scenario", "Status", "Objective", "Spend", "Conversions", "CPA", "Gap"], rows, right=2
    )
    return f"# Scenarios\n\n{table}\n"


def summary_csv(results: list[tuple[str, Plan]]) -> str:
    return summary_frame(results).to_csv(index=False)
