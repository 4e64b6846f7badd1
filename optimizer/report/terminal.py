"""Rich tables for the terminal, readable at 80 columns."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from optimizer.analysis.notes import EMPTY_PLAN
from optimizer.analysis.notes import buys_nothing as empty_plan
from optimizer.analysis.results import BUDGET_STEP, OTHER_CONFLICTS, no_conflict_found
from optimizer.constants import MONEY_METRICS
from optimizer.plan import Plan
from optimizer.report.frames import share_digits, summary_row, tier_shares
from optimizer.report.headings import heading
from optimizer.report.numbers import (
    bound,
    money,
    money_column,
    needs_cents,
    objective_figure,
    objective_unit,
    percent,
    quantity,
    rule_unit,
    shadow_step,
)

# Period columns may take this many characters of an 80-column terminal; beyond it the
# allocation is listed one row per cell instead of as a period grid (quarters fit, months not).
PERIOD_GRID_WIDTH = 40

if TYPE_CHECKING:
    from optimizer.analysis.compare import Comparison
    from optimizer.analysis.results import EmptyPlan, RulePrice
    from optimizer.analysis.sweep import Sweep


def headline(plan: Plan) -> Text:
    scenario = plan.scenario
    text = Text()
    text.append(scenario.name, style="bold")
    style = "green" if plan.has_plan else "red"
    text.append(f"  {plan.status}", style=f"bold {style}")
    if plan.has_plan:
        figure = objective_figure(plan.objective, plan.metric, plan.scenario.currency)
        text.append(f"  {plan.sense} {plan.metric}: {figure}")
    method = "" if plan.method in ("mip", "lp") else f" ({plan.method})"
    proof = f"solved by {plan.solver}{method} in {plan.seconds:.2f} s"
    if plan.has_plan and plan.gap is not None:
        # The bound is what no plan can beat; the gap is how far this plan may be from it.
        best = objective_figure(plan.bound, plan.metric, plan.scenario.currency)
        proof += f", bound {best}, gap {percent(plan.gap, 2)}"
    text.append(f"\n{proof}", style="dim")
    return text


def allocation_table(plan: Plan) -> Table:
    from optimizer.roster.tables import cell_totals

    currency = plan.scenario.currency
    allocation = cell_totals(plan)  # a roster's creators added up by tier
    periods = plan.scenario.periods
    table = Table(title="Influencers to engage", title_justify="left", show_footer=True)
    # each period column: its widest of name and a 5-digit count, and 3 of border and padding
    if sum(max(len(period), 5) + 3 for period in periods) <= PERIOD_GRID_WIDTH:
        counts = allocation["count"].unstack("period", fill_value=0)
        by_cell = allocation.groupby(level=["platform", "tier"], sort=False)[
            ["spend", "conversions"]
        ].sum()
        by_cell = by_cell.loc[sorted(by_cell.index, key=_scenario_order(plan))]
        table.add_column("Platform", footer="Total")
        table.add_column("Tier")
        for period in periods:
            total = allocation.xs(period, level="period")["count"].sum() if period in counts else 0
            table.add_column(period, justify="right", footer=quantity(total))
        # one precision for the column, its total included
        *spends, total = money_column([*by_cell["spend"], plan.totals["spend"]], currency)
        table.add_column(heading("spend"), justify="right", footer=total)
        conversions = quantity(plan.totals["conversions"])
        table.add_column(heading("conversions", short=True), justify="right", footer=conversions)
        for ((platform, tier), row), spend in zip(by_cell.iterrows(), spends, strict=True):
            cells = [
                quantity(counts.loc[(platform, tier), period]) if period in counts else "0"
                for period in periods
            ]
            table.add_row(str(platform), str(tier), *cells, spend, quantity(row["conversions"]))
        return table
    table.add_column("Period", footer="Total")
    table.add_column("Platform")
    table.add_column("Tier")
    *spends, total = money_column([*allocation["spend"], plan.totals["spend"]], currency)
    table.add_column("Count", justify="right", footer=quantity(plan.totals["count"]))
    table.add_column(heading("spend"), justify="right", footer=total)
    conversions = quantity(plan.totals["conversions"])
    table.add_column(heading("conversions", short=True), justify="right", footer=conversions)
    for ((period, platform, tier), row), spend in zip(allocation.iterrows(), spends, strict=True):
        table.add_row(
            str(period),
            str(platform),
            str(tier),
            quantity(row["count"]),
            spend,
            quantity(row["conversions"]),
        )
    return table


def _scenario_order(plan: Plan) -> Callable[[tuple[str, str]], tuple[int, int]]:
    """Rows in the order the scenario lists its platforms and tiers."""
    platforms = list(plan.scenario.platforms)
    tiers = list(plan.scenario.tiers)

    def key(cell: tuple[str, str]) -> tuple[int, int]:
        platform, tier = cell
        return platforms.index(platform), tiers.index(tier) if tier in tiers else len(tiers)

    return key


def totals_table(plan: Plan) -> Table:
    currency = plan.scenario.currency
    totals = plan.totals
    table = Table(title="Totals", title_justify="left", show_header=False)
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    conversions, engagements = totals["conversions"], totals["engagements"]
    # the amounts of the column at one precision: $249,985.00 above $42.92
    spend, revenue, cpa, cpe = money_column(
        [
            totals["spend"],
            totals["revenue"] if plan.scenario.average_order_value else None,
            totals["spend"] / conversions if conversions > 0 else None,
            totals["spend"] / engagements if engagements > 0 else None,
        ],
        currency,
    )
    rows = [
        ("Influencers", quantity(totals["count"])),
        ("Spend", spend),
        ("Reach", quantity(totals["reach"])),
        ("Engagements", quantity(engagements)),
        ("Conversions", quantity(conversions)),
        ("Revenue", revenue),
        ("Cost per conversion", cpa),
        ("Cost per engagement", cpe),
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
    # each column's amounts at one precision (a spend rule's value, minimum, maximum)
    spent = [rule for rule in plan.rules if rule_unit(rule.kind, rule.metric) == "money"]
    cents = [needs_cents([getattr(rule, key) for rule in spent]) for key in ("value", "min", "max")]
    # a limit per creator is a rule per creator: the terminal lists the binding ones
    per_creator = [rule for rule in plan.rules if "creator" in rule.group]
    for rule in plan.rules:
        if "creator" in rule.group and not rule.binding:
            continue
        value, low, high = (
            bound(v, rule.kind, currency, rule.metric, cents=c)
            for v, c in zip((rule.value, rule.min, rule.max), cents, strict=True)
        )
        if share_digits(rule) == 2:
            value = percent(rule.value, 2)
        table.add_row(
            rule.name,
            value,
            low,
            high,
            Text("yes", style="bold yellow") if rule.binding else "",
        )
    if per_creator:
        held = sum(not rule.binding for rule in per_creator)
        table.caption = f"{held:,} of {len(per_creator):,} rules per creator hold with room"
        table.caption_justify = "left"
    return table


def fitted(*parts: RenderableType) -> Group:
    """The parts together, no figure or name ever cut short: on a terminal too narrow for a
    table, text folds onto the next line (`$999,250,0` / `00`) instead of ending in `…`,
    which would hide digits and make long rule names look alike."""
    for part in parts:
        if isinstance(part, Table):
            for column in part.columns:
                column.overflow = "fold"
    return Group(*parts)


def buys_nothing(plan: Plan) -> bool:
    """A maximising plan with no creator in it: valid, and almost never what was meant."""
    return empty_plan(plan.has_plan, plan.sense, plan.totals)


def plan_view(plan: Plan) -> RenderableType:
    parts: list[RenderableType] = [headline(plan)]
    parts += [Text(note, style="yellow") for note in plan.notes]
    if plan.has_plan:
        parts += [allocation_table(plan), *creator_tables(plan)]
        parts += [totals_table(plan), shares_table(plan)]
        if plan.rules:
            parts.append(rules_table(plan))
        if plan.uncertainty is not None:
            parts += _uncertainty_parts(plan)
    if plan.conflicts is not None:
        parts.append(conflict_paragraph(plan))
    if plan.explanation is not None:
        parts += [explanation_table(plan), *_notes(plan)]
    for rule in plan.skipped:
        parts.append(Text(f"left out {rule.name}: {rule.reason}", style="dim"))
    return fitted(*parts)


def creator_tables(plan: Plan) -> list[RenderableType]:
    """A roster plan's top creators by value (the whole shortlist is in the files that
    `--output` writes), and how many creators it books."""
    if plan.scenario.roster is None:
        return []
    from optimizer.roster.tables import TOP_CREATORS, creators_frame, top_creators, value_metric

    shortlist = creators_frame(plan)
    if shortlist.empty:
        return []
    currency = plan.scenario.currency
    top = top_creators(plan)
    metric = value_metric(plan)
    shown = f"top {len(top)} of {len(shortlist):,}" if len(shortlist) > TOP_CREATORS else "all"
    table = Table(title=f"Creators to book ({shown}, by {metric})", title_justify="left")
    table.add_column("Creator", overflow="fold")
    table.add_column("Platform")
    table.add_column("Tier")
    table.add_column("Periods")
    table.add_column("Posts", justify="right")
    spends = money_column(list(top["spend"]), currency)
    table.add_column(heading("spend"), justify="right")
    table.add_column(heading("conversions", short=True), justify="right")
    for (_, row), spend in zip(top.iterrows(), spends, strict=True):
        table.add_row(
            str(row["creator"]),
            str(row["platform"]),
            str(row["tier"]),
            str(row["periods"]),
            quantity(row["count"]),
            spend,
            quantity(row["conversions"]),
        )
    parts: list[RenderableType] = [table]
    if len(shortlist) > TOP_CREATORS:
        parts.append(
            Text(
                f"{len(shortlist):,} creators booked; the whole shortlist is in the Creators"
                " sheet of --output plan.xlsx or in plan-creators.csv beside --output plan.csv",
                style="dim",
            )
        )
    return parts


def _uncertainty_parts(plan: Plan) -> list[RenderableType]:
    """P10/P50/P90 of every figure beside the point one, and what the draws say."""
    from optimizer.report.uncertainty import uncertainty_lines, uncertainty_table

    assert plan.uncertainty is not None
    shown = plan.uncertainty.to_dict()
    currency = plan.scenario.currency
    table = uncertainty_table(shown, plan.totals, currency)
    return [table, *(Text(line) for line in uncertainty_lines(shown, plan.metric, currency))]


def conflict_paragraph(plan: Plan) -> Text:
    """Why no plan exists, in words a planner can act on."""
    assert plan.conflicts is not None
    conflicts = plan.conflicts.conflicts
    if not conflicts:
        return Text(no_conflict_found(plan.scenario.objective))
    text = Text()
    text.append("No plan satisfies these rules together: ", style="bold")
    text.append(", ".join(conflict.name for conflict in conflicts) + ".\n")
    text.append("Drop any one of them and the others can hold.")
    fixes = [conflict for conflict in conflicts if conflict.needed is not None]
    if fixes:
        text.append(" Any one of these changes makes a plan possible (the rest as written):")
        for conflict in fixes:
            text.append(f"\n  - {conflict.message}")
    stuck = [conflict.name for conflict in conflicts if conflict.needed is None]
    if stuck:
        text.append(
            f"\nMoving only {' or '.join(stuck)} is not enough: other rules conflict as well."
        )
    if plan.conflicts.others:
        text.append(f"\n{OTHER_CONFLICTS}")
    if not plan.conflicts.proven:
        text.append("\nSome checks hit their time limit: a member may not be needed.", style="dim")
    return text


def _amount(plan: Plan, value: float | None, cents: bool | None = None) -> str:
    """An amount of the objective in its unit: "120 conv.", "$4,000 profit"; `cents` as its
    column shows them."""
    if value is None:
        return "-"
    if plan.metric in SHORT_METRIC:
        return f"{quantity(value)} {SHORT_METRIC[plan.metric]}"
    amount = money(value, plan.scenario.currency, cents)
    return amount if plan.sense == "minimize" else f"{amount} {plan.metric}"


def _gains(plan: Plan) -> str:
    """What a lower minimised spend is called: saving it."""
    return "saves" if plan.sense == "minimize" else "gains"


def _per_unit(plan: Plan, name: str, shadow: float, cents: bool | None = None) -> str:
    """A shadow price per a step a planner thinks in: a point of share, $1,000, a creator."""
    report = next(rule for rule in plan.rules if rule.name == name)
    size, step = shadow_step(report.kind, report.metric, plan.scenario.currency)
    return f"{_amount(plan, shadow * size, cents)} per {step}"


def _shadow_per_step(plan: Plan, name: str, shadow: float) -> float:
    report = next(rule for rule in plan.rules if rule.name == name)
    return shadow * shadow_step(report.kind, report.metric, plan.scenario.currency)[0]


def explanation_table(plan: Plan) -> Table:
    explanation = plan.explanation
    assert explanation is not None
    table = Table(
        title="What each rule costs (price: exact re-solve; shadow: LP estimate)",
        title_justify="left",
    )
    table.add_column("Rule")
    table.add_column("Binds")
    table.add_column("Price if dropped", justify="right")
    table.add_column("Shadow price (est.)", justify="right")
    # each column's amounts at one precision
    prices = needs_cents([rule.price for rule in explanation.rules if not rule.unbounded])
    shadows = needs_cents(
        [
            _shadow_per_step(plan, rule.name, rule.shadow_price)
            for rule in explanation.rules
            if rule.shadow_price
        ]
    )
    for rule in explanation.rules:
        price = "no limit" if rule.unbounded else _amount(plan, rule.price, prices)
        shadow = (
            _per_unit(plan, rule.name, rule.shadow_price, shadows) if rule.shadow_price else "-"
        )
        table.add_row(rule.name, "yes" if rule.binding else "", price, shadow)
    return table


def explanation_notes(plan: Plan) -> Text:
    """The next budget step and the offers whose pool is used up."""
    explanation = plan.explanation
    assert explanation is not None
    text = Text()
    if explanation.budget_step is not None:
        step = money(explanation.budget_step, plan.scenario.currency)
        text.append(
            f"Raising budget.total by {step} {_gains(plan)} {_amount(plan, explanation.gain)}"
            + (
                " or more (its re-solve stopped at the time limit)."
                if BUDGET_STEP in explanation.cut_short
                else " (exact re-solve)."
            )
        )
    else:
        text.append("No budget step to price: the scenario has no budget.total.")
    for cell in explanation.at_capacity:
        text.append(
            f"\n{cell.platform} {cell.tier} in {cell.period} uses all {quantity(cell.available)}"
            f" available ({cell.rule})."
        )
    return text


def _notes(plan: Plan) -> list[RenderableType]:
    notes = explanation_notes(plan)
    return [notes] if notes.plain else []


def explanation_view(plan: Plan) -> RenderableType:
    """The `explain` command: the answer and why, in sentences."""
    parts: list[RenderableType] = [headline(plan)]
    if plan.conflicts is not None:
        parts.append(conflict_paragraph(plan))
    elif plan.status == "unbounded":
        parts.append(Text("No plan: the objective has no limit. Bound it with a budget or limits."))
    elif not plan.has_plan:
        parts.append(Text(f"No plan: {plan.status}."))
    # The result's notes, but the empty plan's: the paragraph below says why instead.
    parts += [Text(note, style="yellow") for note in plan.notes if note != EMPTY_PLAN]
    if plan.explanation is not None and plan.explanation.empty_plan is not None:
        parts.append(empty_plan_paragraph(plan.explanation.empty_plan))
    elif plan.explanation is not None:
        parts += [_rule_sentences(plan), *_notes(plan), *marginal_creator_parts(plan)]
    return Group(*parts)


def marginal_creator_parts(plan: Plan) -> list[RenderableType]:
    """A roster's best creators left out, and the price per post at which each would enter."""
    if plan.explanation is None or not plan.explanation.creators:
        return []
    currency = plan.scenario.currency
    table = Table(title="Best creators left out", title_justify="left")
    table.add_column("Creator", overflow="fold")  # an id is never cut short
    for name in ("Platform", "Tier", "Period"):
        table.add_column(name)
    table.add_column("Price", justify="right")
    table.add_column("Enters at", justify="right")
    table.add_column(heading(value_of(plan), short=True), justify="right")
    creators = plan.explanation.creators
    prices = money_column([c.cost for c in creators] + [c.entry_price for c in creators], currency)
    for creator, price, entry in zip(
        creators, prices[: len(creators)], prices[len(creators) :], strict=True
    ):
        table.add_row(
            creator.creator,
            creator.platform,
            creator.tier,
            creator.period,
            price,
            entry,
            objective_figure(creator.value, value_of(plan), currency),
        )
    note = Text(
        "Each would enter the plan at or below its price in 'Enters at' (a post's price;"
        " the rest of the plan as priced by the linear relaxation).",
        style="dim",
    )
    return [table, note]


def value_of(plan: Plan) -> str:
    return "conversions" if plan.metric == "spend" else plan.metric


def empty_plan_paragraph(empty: EmptyPlan) -> Text:
    """Why the plan buys nothing, in place of rule prices that are all nothing."""
    text = Text("The plan buys nothing. ", style="bold")
    text.append(empty.message)
    if empty.required:
        text.append(
            "\nOnce it buys anything (in a rule's period), each of these rules needs a post:"
        )
        for post in empty.required:
            text.append(f"\n  - {post.message}.")
    return text


def _rule_sentences(plan: Plan) -> Text:
    explanation = plan.explanation
    assert explanation is not None
    text = Text(f"Prices are exact re-solves at gap {percent(explanation.gap, 2)};")
    text.append(f" shadow prices are LP estimates ({explanation.shadow_solver}).")
    rules = [name for name in explanation.cut_short if name != BUDGET_STEP]
    if rules:
        text.append(
            f" The re-solves for {', '.join(rules)} stopped at their time limit: those prices"
            " are at least what is given.",
            style="yellow",
        )
    # Two solves that each stop within the gap can differ by that much: not a price.
    noise = max(explanation.gap, 1e-9) * max(1.0, abs(plan.objective or 0.0))
    free = []
    for rule in explanation.rules:
        matters = rule.unbounded or (rule.price or 0.0) > noise
        unproven = rule.name in explanation.cut_short
        if not rule.binding and not matters and not unproven:
            free.append(rule.name)
            continue
        sentence = f"\n- {rule.name}"
        if rule.binding:
            sentence += " binds."
        else:
            sentence += f" {_off_bound(plan, rule, limits=matters)}."
        if rule.unbounded:
            sentence += " Without it the objective has no limit."
        elif matters:
            sentence += f" Dropping it {_gains(plan)} {_amount(plan, rule.price).rstrip('.')}."
        elif unproven:
            sentence += " Its re-solve found no gain before its time limit."
        else:
            sentence += f" Dropping it {_gains(plan)} nothing beyond the gap."
        if rule.shadow_price:
            sentence += f" About {_per_unit(plan, rule.name, rule.shadow_price)} (LP estimate)."
        text.append(sentence)
    if free:
        text.append(f"\nFree to drop (no gain beyond the gap): {', '.join(_counted(plan, free))}.")
    return text


def _counted(plan: Plan, names: list[str]) -> list[str]:
    """Rule names, those of a limit per creator counted instead of listed (a roster's limit
    is a rule for each of up to a million creators)."""
    per_creator = {report.name: report.rule for report in plan.rules if "creator" in report.group}
    named = [name for name in names if name not in per_creator]
    rules = list(dict.fromkeys(per_creator.values()))
    for rule in rules:
        free = sum(per_creator.get(name) == rule for name in names)
        if free:
            every = sum(owner == rule for owner in per_creator.values())
            named.append(f"{rule} for {free:,} of {every:,} creators")
    return named


def _off_bound(plan: Plan, rule: RulePrice, limits: bool) -> str:
    """Where a rule that does not bind stands: how far from its bound, or, for a share of
    nothing (no spend in its period), that it holds only because nothing is bought there."""
    report = next(report for report in plan.rules if report.name == rule.name)
    if rule.slack is not None:
        where = f"is not at its bound ({_slack(plan, rule)} left)"
    elif report.kind == "share" and report.value is None:
        period = f" in {report.group['period']}" if "period" in report.group else ""
        where = f"holds only because nothing is bought{period} (a share of nothing)"
        return where + (", yet limits the plan" if limits else "")
    else:
        where = "is not at its bound"
    return where + (" yet limits the plan" if limits else "")


def _slack(plan: Plan, rule: RulePrice) -> str:
    report = next(report for report in plan.rules if report.name == rule.name)
    if rule.slack is not None and rule_unit(report.kind, report.metric) == "percent":
        if rule.slack < 0.00005:
            return "under 0.01%"
        return percent(rule.slack, 1 if rule.slack >= 0.01 else 2)  # 0.03%, not 0.0%
    return bound(rule.slack, report.kind, plan.scenario.currency, report.metric)


SHORT_METRIC = {"conversions": "conv.", "engagements": "eng.", "reach": "reach"}


def objective_text(plan: Plan, cents: bool | None = None) -> str:
    """The objective value with its unit: "4,666 conv.", "$1,200,000 revenue"."""
    if plan.objective is None:
        return "-"
    if plan.metric in SHORT_METRIC:
        return f"{quantity(plan.objective)} {SHORT_METRIC[plan.metric]}"
    label = "min spend" if plan.sense == "minimize" else plan.metric
    return f"{money(plan.objective, plan.scenario.currency, cents)} {label}"


def summary_view(results: list[tuple[str, Plan]]) -> RenderableType:
    table = Table(title="Scenarios", title_justify="left")
    table.add_column(heading("scenario"), ratio=2)
    table.add_column(heading("status"))
    for key in ("objective", "spend", "cpa", "gap"):
        table.add_column(heading(key), justify="right")
    rows = [summary_row("", plan) for _, plan in results]
    # each column's amounts at one precision
    objectives = needs_cents(
        [plan.objective for _, plan in results if plan.metric not in SHORT_METRIC]
    )
    spends = needs_cents([row["spend"] for row in rows])
    cpas = needs_cents([row["cpa"] for row in rows])
    for (_, plan), row in zip(results, rows, strict=True):
        currency = plan.scenario.currency
        table.add_row(
            row["scenario"],
            row["status"],
            objective_text(plan, objectives),
            money(row["spend"], currency, spends),
            money(row["cpa"], currency, cpas),
            percent(row["gap"], 2),
        )
    return fitted(table)


def comparison_view(comparison: Comparison) -> RenderableType:
    names = comparison.names
    totals = comparison.totals
    # Every amount of the table at one precision: each plan's column, and each row across.
    amounts = [totals.loc[name, key] for name in names for key in ("spend", "revenue", "cpa")]
    amounts += [totals.loc[name, "cpe"] for name in names]
    amounts += [
        totals.loc[name, "objective"]
        for name in names
        if objective_unit(str(totals.loc[name, "metric"])) in MONEY_METRICS
    ]
    cents = needs_cents(amounts)

    def in_money(value: float | None) -> str:
        return money(value, comparison.currency, cents)

    def objective(name: str) -> str:
        # plans of different objectives: each objective in its own unit
        metric = str(totals.loc[name, "metric"])
        return objective_figure(totals.loc[name, "objective"], metric, comparison.currency, cents)

    table = Table(title="Comparison", title_justify="left")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    table.add_row("Status", *(str(totals.loc[name, "status"]) for name in names))
    table.add_row("Objective", *(objective(name) for name in names))
    rows: list[tuple[str, str, Callable[[Any], str]]] = [
        (heading(key), key, show)
        for key, show in [
            ("count", quantity),
            ("spend", in_money),
            ("reach", quantity),
            ("conversions", quantity),
            ("revenue", in_money),
            ("cpa", in_money),
            ("cpe", in_money),
        ]
    ]
    if not comparison.metric:  # objectives of different metrics: say which is which
        rows.insert(0, ("Objective metric", "metric", str))
    if "lift" in totals:
        rows.append(("Lift over " + str(comparison.baseline), "lift", percent))
    for label, column, show in rows:
        table.add_row(label, *(show(totals.loc[name, column]) for name in names))
    # plans with uncertainty: their objective over the draws, each in the objective's unit
    for column in ("risk_mean", "risk_p10", "risk_p90", "risk_cvar10", "price_of_ignoring"):
        if column in totals:
            table.add_row(
                heading(column),
                *(_risk_figure(totals, name, column, comparison.currency, cents) for name in names),
            )
    shares = Table(title="Spend shares", title_justify="left")
    shares.add_column("")
    for name in names:
        shares.add_column(name, justify="right")
    for (dimension, value), row in comparison.shares.iterrows():
        shares.add_row(f"{dimension} {value}", *(percent(row[name]) for name in names))
    parts: list[RenderableType] = [table, shares]
    if comparison.notes:
        parts.insert(0, Text("\n".join(comparison.notes), style="yellow"))
    if not comparison.rules.empty:
        binding = Table(title="Rules that bind or are broken", title_justify="left")
        binding.add_column("Rule")
        for name in names:
            binding.add_column(name, justify="center")
        for (rule, _, _), row in comparison.rules.iterrows():
            marks = [_rule_mark(row, name) for name in names]
            if any(marks):
                binding.add_row(str(rule), *marks)
        if binding.row_count:
            parts.append(binding)
    # a plan that does not exist has no deltas to show
    deltas = [
        column
        for column in comparison.cells.columns
        if " - " in column[0] and comparison.cells[column].notna().any()
    ]
    if deltas:
        changed = comparison.cells[(comparison.cells[deltas] != 0).any(axis=1)]
        cells = Table(title=f"Cells that change (against {names[0]})", title_justify="left")
        cells.add_column("Cell")
        for plan, what in deltas:
            cells.add_column(f"{plan.split(' - ')[0]} {what}", justify="right")
        columns = [
            (
                [
                    _signed(text, value)
                    for text, value in zip(
                        money_column(changed[column], comparison.currency),
                        changed[column],
                        strict=True,
                    )
                ]
                if column[1] == "spend"
                else [f"{value:+,.0f}" for value in changed[column]]
            )
            for column in deltas
        ]
        for key, *texts in zip(changed.index, *columns, strict=True):
            cells.add_row(" ".join(map(str, key)), *texts)
        parts.append(cells)
    return fitted(*parts)


def _risk_figure(totals: Any, name: str, column: str, currency: str, cents: bool) -> str:
    """A plan's figure over the draws in its objective's unit; `-` for a plan without
    uncertainty, a price with its sign."""
    value = totals.loc[name, column]
    if value is None or not math.isfinite(float(value)):
        return "-"
    text = objective_figure(value, str(totals.loc[name, "metric"]), currency, cents)
    return _signed(text, value) if column == "price_of_ignoring" else text


def _rule_mark(row: Any, plan: str) -> Text | str:
    if row.get((plan, "met")) is False:
        return Text("broken", style="bold red")
    return "binds" if row.get((plan, "binding")) is True else ""


def _signed(text: str, value: float) -> str:
    """A change as it reads: +$72,765 for a rise (a fall carries its minus already)."""
    return f"+{text}" if value > 0 else text


def sweep_view(sweep: Sweep) -> RenderableType:
    points = sweep.points
    currency = sweep.currency
    table = Table(title=f"Sweep: {sweep.scenario}", title_justify="left")
    params = [name for name, _ in sweep.params]
    # a point stopped by the time limit says how far from proven it is
    unproven = bool((points["status"] == "feasible").any())
    keys = [*(["budget"] if sweep.budgets else []), *params, "status", "objective"]
    # points over draws: their mean and worst-10% mean in place of the CPAs, to fit 80 columns
    risk = [key for key in ("risk_mean", "risk_cvar10") if key in points]
    ratios = [] if risk else ["cpa", "marginal_cpa"]
    keys += [*(["gap"] if unproven else []), "spend", *ratios, *risk]
    for key in keys:
        table.add_column(heading(key), justify="left" if key == "status" else "right")
    # each column's amounts at one precision: $39.00 above $38.98
    cents = {
        key: needs_cents(points[key]) if key in points else False
        for key in ("budget", "objective", "spend", "cpa", "marginal_cpa")
    }
    for row in points.to_dict(orient="records"):
        cells = [money(row["budget"], currency, cents["budget"])] if sweep.budgets else []
        cells += [f"{row[name]:g}" for name in params]
        cells += [
            row["status"],
            objective_figure(row["objective"], sweep.metric, currency, cents["objective"]),
            *([percent(row["gap"], 2)] if unproven else []),
            *(money(row[key], currency, cents[key]) for key in ("spend", *ratios)),
            *(objective_figure(row[key], sweep.metric, currency) for key in risk),
        ]
        table.add_row(*cells)
    return fitted(table)
