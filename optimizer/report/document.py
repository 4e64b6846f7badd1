"""Reports as neutral documents (titled tables with column formats, and charts) that the
HTML, Markdown, XLSX and CSV writers render alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from optimizer.analysis.compare import RISK_COLUMNS
from optimizer.analysis.results import OTHER_CONFLICTS, no_conflict_found
from optimizer.constants import METRICS
from optimizer.plan import Plan
from optimizer.report import charts
from optimizer.report.frames import allocation_frame, rules_frame, share_digits, summary_frame
from optimizer.report.headings import heading
from optimizer.report.numbers import (
    counted,
    money,
    objective_figure,
    objective_unit,
    percent,
    rule_unit,
    shadow_step,
)

# gap: a percentage to two places, as the headline gives it (0.01%, where 0.0% would hide it)
Format = Literal["text", "money", "percent", "gap", "count", "number", "bool"]

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from matplotlib.figure import Figure

    from optimizer.analysis.compare import Comparison
    from optimizer.analysis.sweep import Sweep
    from optimizer.scenario.schema import Scenario
    from optimizer.uncertainty.outcomes import UncertaintyReport
    from optimizer.uncertainty.simulate import Simulation


@dataclass(frozen=True)
class Table:
    name: str
    """Short name: the sheet name in a workbook, the suffix of a CSV file."""
    title: str
    frame: pd.DataFrame
    formats: dict[str, Format] = field(default_factory=dict)
    row_formats: dict[str, list[Format]] = field(default_factory=dict)
    """Columns whose unit changes from row to row (one metric per row): each row's format."""
    totals: tuple[str, ...] = ()
    """Additive columns a total row sums (a workbook writes the sums as formulas)."""
    ratios: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Columns whose total is one total over another: cpa is spend over conversions."""
    labels: dict[str, str] = field(default_factory=dict)
    """Headings of columns whose key says more than `headings.heading` can read from it (a
    plan's name and a figure: `sheet spend`)."""

    def heading(self, column: str) -> str:
        """The words a page heads the column with; CSV files keep the key."""
        return self.labels.get(column) or heading(column)

    def format_of(self, column: str) -> Format:
        if column in self.formats:
            return self.formats[column]
        dtype = self.frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "bool"
        return "number" if pd.api.types.is_numeric_dtype(dtype) else "text"

    def cell_formats(self) -> list[list[Format]]:
        """The format of every cell, row by row."""
        names = [str(column) for column in self.frame.columns]
        columns = [self.format_of(name) for name in names]
        return [
            [
                self.row_formats[name][row] if name in self.row_formats else kind
                for name, kind in zip(names, columns, strict=True)
            ]
            for row in range(len(self.frame))
        ]


ChartKind = Literal["stacked", "grouped", "line"]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str | None
    """The chart drawn, for pages; None when the report was made without drawings."""
    data: pd.DataFrame | None = None
    """The figures drawn, for a workbook to chart natively: categories (a line's x values)
    down the index, one series per column. None: the chart has no native form."""
    kind: ChartKind = "grouped"
    unit: Format = "number"
    """The format of the values; the index reads as text, or as money when `money_index`."""
    money_index: bool = False
    tiers: bool = False
    """The series are tiers, coloured as in every other chart."""
    caption: str = ""
    """What a page says under the chart beside its title (what the drawing cannot show)."""
    x_label: str = "budget"
    """What a line's x values are (a workbook's axis title)."""

    @classmethod
    def of(
        cls,
        title: str,
        draw: Callable[[], Figure],
        data: pd.DataFrame | None = None,
        *,
        drawn: bool = True,
        kind: ChartKind = "grouped",
        unit: Format = "number",
        money_index: bool = False,
        tiers: bool = False,
        caption: str = "",
        x_label: str = "budget",
    ) -> Chart:
        """The chart `draw` makes, as SVG when `drawn` (only then is it drawn at all)."""
        svg = charts.svg(draw()) if drawn else None
        return cls(title, svg, data, kind, unit, money_index, tiers, caption, x_label)


@dataclass(frozen=True)
class Report:
    title: str
    lines: list[str]
    tables: list[Table]
    charts: list[Chart]
    currency: str = "USD"
    main: str | None = None
    """Name of the table that CSV output prints; the first table when None."""

    @property
    def main_table(self) -> Table:
        return next((t for t in self.tables if t.name == self.main), self.tables[0])


METRIC_FORMATS: dict[str, Format] = {
    "count": "count",
    "spend": "money",
    "reach": "count",
    "engagements": "count",
    "conversions": "number",
    "revenue": "money",
    "profit": "money",
    "cpa": "money",
    "cpe": "money",
    "objective": "number",
    "gap": "gap",
    "lift": "percent",
    "marginal_cpa": "money",
    "budget": "money",
}


def _objective_format(metric: str) -> Format:
    """How an objective of this metric reads (`min spend` counts spend): money for revenue,
    profit and spend."""
    return METRIC_FORMATS.get(objective_unit(metric), "number")


def _allocation_table(title: str, frame: pd.DataFrame) -> Table:
    """The Allocation sheet: a row per cell, totals and the cost per result beneath."""
    return Table(
        "Allocation",
        title,
        frame,
        METRIC_FORMATS,
        totals=METRICS,
        ratios={"cpa": ("spend", "conversions"), "cpe": ("spend", "engagements")},
    )


def plan_report(plan: Plan, with_charts: bool = True) -> Report:
    scenario = plan.scenario
    lines = [f"Status: {plan.status}"]
    if plan.has_plan:
        currency = scenario.currency
        line = f"{plan.sense.capitalize()} {plan.metric}: "
        line += objective_figure(plan.objective, plan.metric, currency)
        if plan.gap is not None:
            bound = objective_figure(plan.bound, plan.metric, currency)
            line += f" (bound {bound}, gap {percent(plan.gap, 2)})"
        lines.append(line)
    lines.append(f"Solved by {plan.solver} in {plan.seconds:.2f} s.")
    lines += [f"Preset rule left out: {rule.name} ({rule.reason})" for rule in plan.skipped]
    # What the figures alone do not say (a plan that buys nothing): on the page, and as rows
    # of the summary, which is what CSV and a workbook's Summary sheet carry.
    lines += plan.notes
    summary_metrics = ["status", "objective", "bound", "gap", *METRICS, "cpa", "cpe"]
    # Missing, not zero: the figures of a plan that does not exist, revenue without an
    # average order value.
    totals: dict[str, float | None] = dict(plan.totals) if plan.has_plan else {}
    if not scenario.average_order_value:
        totals["revenue"] = None
    summary = pd.DataFrame(
        {
            "metric": summary_metrics + ["note"] * len(plan.notes),
            "value": [
                str(plan.status),
                plan.objective,
                plan.bound,
                plan.gap,
                *(totals.get(m) for m in METRICS),
                _ratio(plan.totals["spend"], plan.totals["conversions"]),
                _ratio(plan.totals["spend"], plan.totals["engagements"]),
                *plan.notes,
            ],
        }
    )
    unit_of = {**METRIC_FORMATS, "objective": _objective_format(plan.metric)}
    unit_of["bound"] = unit_of["objective"]
    row_formats: list[Format] = [unit_of.get(metric, "text") for metric in summary_metrics]
    row_formats += ["text"] * len(plan.notes)
    tables = [Table("Summary", "Summary", summary, row_formats={"value": row_formats})]
    charts_out: list[Chart] = []
    if plan.has_plan:
        tables.append(_allocation_table("Allocation", allocation_frame(plan)))
        if scenario.roster is not None:
            from optimizer.roster.tables import creators_frame

            tables.append(
                Table(
                    "Creators",
                    "Creators",
                    creators_frame(plan),
                    METRIC_FORMATS,
                    totals=METRICS,
                    ratios={"cpa": ("spend", "conversions"), "cpe": ("spend", "engagements")},
                )
            )
        rules = rules_frame(plan)
        rule_units: list[Format] = [rule_unit(rule.kind, rule.metric) for rule in plan.rules]
        # a share just off its bound reads to two places, as the gap does (44.99%, not 45.0%)
        value_units: list[Format] = [
            "gap" if share_digits(rule) == 2 else unit
            for rule, unit in zip(plan.rules, rule_units, strict=True)
        ]
        tables.append(
            Table(
                "Rules",
                "Rules",
                rules,
                {"binding": "bool"},
                {"value": value_units, "min": rule_units, "max": rule_units, "slack": value_units},
            )
        )
        if not plan.allocation.empty:
            by_tier = (
                plan.allocation["spend"]
                .groupby(level=["period", "tier"], sort=False)
                .sum()
                .unstack("tier", fill_value=0.0)
                .reindex(scenario.periods, fill_value=0.0)
            )
            by_tier = by_tier[charts.tier_order(list(by_tier.columns))]
            charts_out.append(
                Chart.of(
                    "Spend by tier per period",
                    lambda: charts.stacked_bars(
                        by_tier,
                        "Spend by tier per period",
                        "spend",
                        currency=scenario.currency,
                        tiers=True,
                    ),
                    by_tier,
                    drawn=with_charts,
                    kind="stacked",
                    unit="money",
                    tiers=True,
                )
            )
            shares = rules[rules["kind"] == "share"].set_index("name")
            if with_charts and not shares.empty:  # drawn only: no native form
                charts_out.append(
                    Chart.of(
                        "Shares against the rules",
                        lambda: charts.ranges(shares, "Shares against the rules"),
                    )
                )
    if plan.has_plan and plan.uncertainty is not None:
        more_lines, more_tables, more_charts = _uncertainty_parts(
            plan.uncertainty, plan.scenario, plan.totals, with_charts
        )
        lines += more_lines
        tables += more_tables
        charts_out += more_charts
    lines += _conflict_lines(plan)
    empty = plan.explanation.empty_plan if plan.explanation is not None else None
    if empty is not None:
        lines += [empty.message, *(f"- {post.message}." for post in empty.required)]
    if plan.explanation is not None and plan.explanation.cut_short:
        lines.append(
            f"Re-solves that stopped at their time limit: {', '.join(plan.explanation.cut_short)};"
            " their gains are at least what is given."
        )
    tables += _explanation_tables(plan)
    return Report(scenario.name, lines, tables, charts_out, scenario.currency, main="Allocation")


UNCERTAINTY_FIGURES = ("mean", "p10", "p50", "p90", "cvar10")
"""What the Uncertainty table gives of each outcome over the draws, after its point value."""

HISTOGRAM_BINS = 24


def _uncertainty_parts(
    report: UncertaintyReport, scenario: Scenario, totals: Mapping[str, float], with_charts: bool
) -> tuple[list[str], list[Table], list[Chart]]:
    """A plan over the draws (`report`; `totals`: its figures at point values): sentences on
    targets, the budget and the midpoint plan; a table of each outcome's point value, mean,
    P10, P50, P90 and worst-10% mean (beside the midpoint plan's mean and worst-10% mean);
    and the chart of the objective's outcome over the draws for this plan and the midpoint
    plan, with the counts per bin a workbook draws."""
    from optimizer.report.uncertainty import uncertainty_lines

    currency = scenario.currency
    shown = report.to_dict()
    lines = uncertainty_lines(shown, scenario.objective.metric, currency)
    outcomes = report.plan.outcomes
    midpoint = report.midpoint_plan
    metrics = [
        metric
        for metric in outcomes
        if not (metric == "revenue" and not scenario.average_order_value)
    ]
    rows = []
    for metric in metrics:
        point = totals.get(metric)
        if metric == "profit":
            point = totals["revenue"] - totals["spend"]
        row: dict[str, object] = {"metric": metric, "point": point}
        row.update({key: outcomes[metric][key] for key in UNCERTAINTY_FIGURES})
        if midpoint is not None:
            row["midpoint_mean"] = midpoint.outcomes[metric]["mean"]
            row["midpoint_cvar10"] = midpoint.outcomes[metric]["cvar10"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    units: list[Format] = [METRIC_FORMATS.get(metric, "number") for metric in metrics]
    figures = [column for column in frame.columns if column != "metric"]
    drawn = "a draws file" if report.source == "file" else f"seed {report.seed}"
    tables = [
        Table(
            "Uncertainty",
            f"Outcomes over {report.draws:,} draws ({drawn}; {report.measure}): point value,"
            " mean, percentiles and the mean of the worst 10% (the highest for spend)",
            frame,
            row_formats={column: units for column in figures},
        )
    ]
    charts_out: list[Chart] = []
    metric = report.metric or scenario.objective.metric
    samples = {"this plan": report.plan.samples.get(metric)}
    if midpoint is not None:
        samples["midpoint plan"] = midpoint.samples.get(metric)
    values = {name: v for name, v in samples.items() if v is not None and len(v)}
    if values:
        title = f"{metric.capitalize()} over the draws"
        binned = histogram_counts(values, HISTOGRAM_BINS)
        caption = (
            f"{metric.capitalize()} in each of {report.draws:,} draws; lines mark P10"
            " (dotted), P50 (dashed) and P90 (dash-dotted)."
        )
        if midpoint is not None:
            caption += " The midpoint plan is the plan made at midpoint figures (v1)."
        charts_out.append(
            Chart.of(
                title,
                lambda: charts.distributions(values, title, metric, currency=currency),
                binned,
                drawn=with_charts,
                unit="count",
                money_index=metric in ("spend", "revenue", "profit"),
                caption=caption,
            )
        )
    return lines, tables, charts_out


def simulation_report(simulation: Simulation, with_charts: bool = True) -> Report:
    """`optimizer simulate`'s report: the Uncertainty table (each outcome's point value,
    mean, P10, P50, P90 and worst-10% mean, beside the midpoint plan's), the Chances table
    (how often the plan meets each target, and spends above the budget), the plan's
    Allocation at point values, and the chart of the objective's outcome in every draw."""
    scenario = simulation.scenario
    report = simulation.uncertainty
    assert report is not None
    lines = [f"Plan from {simulation.plan}."]
    if simulation.status is not None:
        lines.append(f"Status of the solve: {simulation.status}")
    more_lines, tables, charts_out = _uncertainty_parts(
        report, scenario, simulation.totals, with_charts
    )
    lines += more_lines
    chances = _chances_frame(report, scenario)
    if not chances.empty:
        units: list[Format] = [METRIC_FORMATS.get(m, "number") for m in chances["metric"]]
        tables.append(
            Table(
                "Chances",
                "How often the plan meets each target, and spends above the budget, over the draws",
                chances,
                {"probability": "percent", "required": "percent", "met": "bool"},
                {"value": units},
            )
        )
    tables.append(
        _allocation_table("Allocation at point values", _simulated_allocation(simulation))
    )
    return Report(scenario.name, lines, tables, charts_out, scenario.currency, main="Uncertainty")


def _chances_frame(report: UncertaintyReport, scenario: Scenario) -> pd.DataFrame:
    """One row per target (the objective's, each limit's minimum on an outcome: the share of
    draws reaching it), then the budget (the share of draws spending above it), where costs
    vary."""
    rows: list[dict[str, object]] = [
        {
            "name": target.name,
            "metric": target.metric,
            "condition": "at least",
            "value": target.value,
            "probability": target.probability,
            "required": target.required,
            "met": None if target.required is None else target.probability >= target.required,
        }
        for target in report.plan.targets
    ]
    if report.plan.over_budget is not None:
        rows.append(
            {
                "name": "budget.total",
                "metric": "spend",
                "condition": "above",
                "value": scenario.budget.total,
                "probability": report.plan.over_budget,
                "required": None,
                "met": None,
            }
        )
    columns = ["name", "metric", "condition", "value", "probability", "required", "met"]
    return pd.DataFrame(rows, columns=columns)


def _simulated_allocation(simulation: Simulation) -> pd.DataFrame:
    """The plan's bought cells and their figures at point values, as a plan's allocation."""
    cells = simulation.model.cells
    bought = np.flatnonzero(simulation.counts > 0)
    outcomes = cells.outcomes(simulation.counts)
    frame = pd.DataFrame(
        [cells.keys[position][:3] for position in bought],
        columns=["period", "platform", "tier"],
    )
    for metric in METRICS:
        frame[metric] = outcomes[metric][bought]
    conversions, engagements = frame["conversions"], frame["engagements"]
    frame["cpa"] = (frame["spend"] / conversions).where(conversions > 0)
    frame["cpe"] = (frame["spend"] / engagements).where(engagements > 0)
    if not simulation.scenario.average_order_value:
        frame["revenue"] = np.nan
    return frame


def histogram_counts(samples: dict[str, np.ndarray], bins: int) -> pd.DataFrame:
    """Draws per bin of each plan's outcomes, on shared bins: one row a bin (its centre,
    rounded to a whole figure), one column a plan; what a workbook charts natively."""
    every = np.concatenate([np.asarray(v, dtype=float) for v in samples.values()])
    edges = charts.histogram_edges(every, bins)
    centres = np.round((edges[:-1] + edges[1:]) / 2)
    frame = pd.DataFrame(
        {name: np.histogram(values, edges)[0] for name, values in samples.items()},
        index=pd.Index(centres, name="bin centre"),
    )
    return frame


def _conflict_lines(plan: Plan) -> list[str]:
    if plan.conflicts is None:
        return []
    if not plan.conflicts.conflicts:
        return [no_conflict_found(plan.scenario.objective)]
    names = ", ".join(conflict.name for conflict in plan.conflicts.conflicts)
    lines = [f"No plan satisfies these rules together: {names}. Any one of these changes helps:"]
    lines += [f"- {conflict.message}" for conflict in plan.conflicts.conflicts]
    if plan.conflicts.others:
        lines.append(OTHER_CONFLICTS)
    if not plan.conflicts.proven:
        lines.append("A check hit its time limit: the set conflicts but may not be minimal.")
    return lines


def _explanation_tables(plan: Plan) -> list[Table]:
    """Conflicts, prices, the next budget step and full offers, each figure in its unit:
    a rule's bounds and slack in the rule's, prices in the objective's."""
    tables = []
    reports = {rule.name: rule for rule in plan.rules}
    if plan.conflicts is not None and plan.conflicts.conflicts:
        conflicts = plan.conflicts.conflicts
        frame = pd.DataFrame([conflict.to_dict() for conflict in conflicts])
        units: list[Format] = [rule_unit(c.kind, c.metric) for c in conflicts]
        tables.append(
            Table(
                "Conflicts",
                "Conflicting rules and the move each needs",
                frame,
                row_formats={"current": units, "needed": units},
            )
        )
    explanation = plan.explanation
    if explanation is None:
        return tables
    objective = _objective_format(plan.metric)
    rows = []
    slack: list[Format] = []
    for price in explanation.rules:
        report = reports[price.name]
        size, step = shadow_step(report.kind, report.metric, plan.scenario.currency)
        shadow = None if price.shadow_price is None else price.shadow_price * size
        # Per step, not per unit as in the JSON's shadow_price: a new name for a new figure.
        renamed = {"shadow_price": "shadow_per_step"}
        row = {renamed.get(key, key): value for key, value in price.to_dict().items()}
        rows.append({**row, "shadow_per_step": shadow, "step": step})
        unit = rule_unit(report.kind, report.metric)
        # a share's slack under a point reads to two places (0.03%), as the terminal says it
        small = unit == "percent" and price.slack is not None and 0 < price.slack < 0.01
        slack.append("gap" if small else unit)
    prices = pd.DataFrame(rows)
    tables.append(
        Table(
            "Prices",
            "What each rule costs: price by exact re-solve, shadow price an LP estimate per"
            " step of its bound",
            prices,
            {"binding": "bool", "price": objective, "shadow_per_step": objective},
            {"slack": slack},
        )
    )
    if explanation.budget_step is not None:
        marginal = pd.DataFrame(
            {"budget_step": [explanation.budget_step], "gain": [explanation.gain]}
        )
        tables.append(
            Table(
                "Marginal",
                "What the next budget step buys",
                marginal,
                {"budget_step": "money", "gain": objective},
            )
        )
    if explanation.at_capacity:
        full = pd.DataFrame([cell.to_dict() for cell in explanation.at_capacity])
        tables.append(
            Table(
                "Capacity",
                "Cells at their available pool",
                full,
                {"count": "count", "available": "count"},
            )
        )
    return tables


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def summary_report(results: list[tuple[str, Plan]]) -> Report:
    frame = summary_frame(results)
    formats: dict[str, Format] = {**METRIC_FORMATS, "seconds": "number"}
    currency = results[0][1].scenario.currency if results else "USD"
    table = Table("Scenarios", "One row per scenario", frame, formats)
    return Report("Scenarios", [], [table], [], currency)


def comparison_report(comparison: Comparison, with_charts: bool = True) -> Report:
    totals = comparison.totals.reset_index()
    shares = comparison.shares.reset_index()
    rules = comparison.rules.copy()
    # Headings of a plan's figures: "sheet: spend", a change "optimised - sheet: spend".
    labels = {
        f"{plan} {what}": f"{plan}: {heading(what).lower()}"
        for plan, what in [*rules.columns, *comparison.cells.columns]
    }
    rule_formats: dict[str, list[Format]] = {}
    if not rules.empty:
        units: list[Format] = [rule_unit(kind, metric) for _, kind, metric in rules.index.to_list()]
        rule_formats = {f"{plan} value": units for plan in comparison.names}
        rules.columns = [f"{plan} {what}" for plan, what in rules.columns]
        for plan in comparison.names:
            # "no" must stand out where a blank would read as "not binding"
            if f"{plan} met" in rules:  # a plan without a plan has no rules
                rules[f"{plan} met"] = rules[f"{plan} met"].map({True: "yes", False: "no"})
        rules = rules.reset_index()
    cells = comparison.cells.copy()
    cells.columns = [f"{plan} {what}" for plan, what in cells.columns]
    cells = cells.reset_index()
    share_formats: dict[str, Format] = {name: "percent" for name in comparison.names}
    cell_formats: dict[str, Format] = {
        column: ("money" if column.endswith("spend") else "count") for column in cells.columns[3:]
    }
    lines = [f"Plans: {', '.join(comparison.names)}; deltas against {comparison.names[0]}."]
    if comparison.baseline is not None:
        for name, lift in comparison.totals["lift"].items():
            if name != comparison.baseline and pd.notna(lift):
                metric = comparison.totals.loc[name, "metric"]
                lines.append(f"{name}: {lift:+.1%} {metric} over {comparison.baseline}.")
    lines += comparison.notes
    if "price_of_ignoring" in totals:
        lines.append(RISK_LINE)
    tables = [
        Table(
            "Totals",
            "Totals",
            totals,
            {**METRIC_FORMATS, "objective": _objective_format(comparison.metric)},
            # plans of different objectives: each objective in its own unit, and so are the
            # objective's figures over the draws
            {
                column: [_objective_format(metric) for metric in totals["metric"]]
                for column in ["objective", *RISK_COLUMNS]
                if column in totals
            },
        ),
        Table("Shares", "Spend shares by tier, platform and period", shares, share_formats),
        Table(
            "Rules",
            "Rules: value, whether it binds and whether the plan meets it",
            rules,
            {f"{plan} binding": "bool" for plan in comparison.names},
            rule_formats,
            labels=labels,
        ),
        Table(
            "Cells",
            "Count and spend per cell",
            cells,
            cell_formats,
            totals=tuple(cell_formats),
            labels=labels,
        ),
    ]
    # Charts keep their figures always (a workbook draws them itself), SVG only `with_charts`.
    charts_out = []
    tier = comparison.shares.xs("tier", level="dimension")
    by_plan = tier.T.rename_axis("plan")
    by_plan = by_plan[charts.tier_order(list(by_plan.columns))]
    charts_out.append(
        Chart.of(
            "Spend share by tier",
            lambda: charts.grouped_bars(by_plan, "Spend share by tier", "share", True),
            by_plan,
            drawn=with_charts,
            unit="percent",
            tiers=True,
        )
    )
    # Objectives of different metrics cannot share a scale: conversions, which every
    # plan has, stand in for them.
    figure = "objective" if comparison.metric else "conversions"
    metrics = comparison.totals[[figure, "spend"]].T
    metrics = metrics.div(metrics.max(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    metrics = metrics.rename_axis("figure").rename_axis(None, axis="columns")
    title = f"{figure.capitalize()} and spend (relative to the largest)"
    charts_out.append(
        Chart.of(
            title,
            lambda: charts.grouped_bars(metrics, title, "of the largest", True),
            metrics,
            drawn=with_charts,
            unit="percent",
        )
    )
    return Report("Comparison", lines, tables, charts_out, comparison.currency, main="Cells")


RISK_LINE = (
    "Over the draws: the mean, P10, P90 and worst-10% mean of each plan's objective; the"
    " price of ignoring uncertainty is the plan's worst-10% mean less that of its midpoint"
    " (v1) plan on the same draws."
)
"""What a comparison's risk columns mean, said once under the plans."""


def _budget_outside(sweep: Sweep) -> str:
    """Where the frontier cannot mark the scenario's budget (it lies outside the budgets
    swept), the caption says so."""
    chosen, budgets = sweep.chosen_budget, sweep.budgets
    if chosen is None or not budgets or min(budgets) <= chosen <= max(budgets):
        return ""
    low, high = (money(value, sweep.currency) for value in (min(budgets), max(budgets)))
    return (
        f"The scenario's budget, {money(chosen, sweep.currency)}, lies outside the budgets"
        f" swept ({low} to {high}): not marked."
    )


def _risk_frontier(sweep: Sweep, with_charts: bool) -> Chart:
    """The mean of each point's objective over the draws against the mean of its worst 10%:
    what weighing the bad case more (a smaller `cvar`, a larger `weight`) trades."""
    points = sweep.points[sweep.points["risk_mean"].notna()]
    names = [name for name, _ in sweep.params]
    shown = [
        ", ".join(f"{name.removeprefix('objective.risk.')} {row[name]:g}" for name in names)
        for row in points.to_dict(orient="records")
    ]
    if sweep.budgets:
        shown = [
            f"{money(budget, sweep.currency)}, {label}"
            for budget, label in zip(points["budget"], shown, strict=True)
        ]
    title = "Mean against the worst 10% over the draws"
    data = pd.DataFrame(
        {f"{sweep.metric}: mean": points["risk_mean"].to_numpy(dtype=float)},
        index=pd.Index(points["risk_cvar10"].to_numpy(dtype=float), name="worst 10% mean"),
    )
    unit = _objective_format(sweep.metric)
    return Chart.of(
        title,
        lambda: charts.mean_against_cvar(
            points["risk_mean"].to_numpy(dtype=float),
            points["risk_cvar10"].to_numpy(dtype=float),
            shown,
            title,
            sweep.metric,
            currency=sweep.currency,
        ),
        data,
        drawn=with_charts,
        kind="line",
        unit=unit,
        money_index=unit == "money",
        x_label="worst 10% mean",
        caption=(
            "Each point's plan over the draws: up and right is better; the points are"
            " labelled by the risk setting swept."
        ),
    )


def sweep_report(sweep: Sweep, with_charts: bool = True) -> Report:
    points = sweep.points
    formats: dict[str, Format] = {
        **METRIC_FORMATS,
        "objective": _objective_format(sweep.metric),
        **{column: "percent" for column in points.columns if column.startswith("share:")},
        **{column: _objective_format(sweep.metric) for column in RISK_COLUMNS},
    }
    axes = (["budget"] if sweep.budgets else []) + [name for name, _ in sweep.params]
    lines = [
        f"{counted(len(points), 'point')}, varying {' and '.join(axes)}; objective: {sweep.metric}."
    ]
    charts_out = []
    if sweep.budgets and not sweep.params:
        solved = points[points["objective"].notna()]
        # a plan that buys nothing is drawn apart from the plans that buy
        empty = (solved["count"] == 0).to_numpy() if "count" in solved else None
        charts_out.append(
            Chart.of(
                "Budget frontier",
                lambda: charts.frontier(
                    solved["budget"].to_numpy(dtype=float),
                    solved["objective"].to_numpy(dtype=float),
                    sweep.chosen_budget,
                    "Budget frontier",
                    sweep.metric,
                    currency=sweep.currency,
                    empty=empty,
                ),
                solved.set_index("budget")[["objective"]].rename(
                    columns={"objective": sweep.metric}
                ),
                drawn=with_charts,
                kind="line",
                unit=_objective_format(sweep.metric),
                money_index=True,
                caption=_budget_outside(sweep),
            )
        )
    elif sweep.budgets:
        name = sweep.params[0][0]
        grid = points.pivot_table(index="budget", columns=name, values="objective")
        charts_out.append(
            Chart.of(
                "Objective by budget",
                lambda: charts.grouped_bars(
                    grid,
                    "Objective by budget",
                    sweep.metric,
                    xlabel="budget",
                    legend_title=name,
                    currency=sweep.currency,
                    x_money=True,
                ),
                grid.rename(columns=lambda value: f"{name}={value:g}"),
                drawn=with_charts,
                unit=_objective_format(sweep.metric),
                money_index=True,
            )
        )
    if sweep.risk_axes and "risk_mean" in points:
        charts_out.append(_risk_frontier(sweep, with_charts))
    return Report(
        f"Sweep: {sweep.scenario}",
        lines,
        [Table("Frontier", "Points", points, formats)],
        charts_out,
        sweep.currency,
    )
