"""A plan's outcomes in every draw, and their summary (section 8.3 of the format)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.constants import SATURATED_METRICS
from optimizer.jsontext import json_number
from optimizer.model.cells import Cells
from optimizer.model.constraints import Constraint
from optimizer.scenario.schema import Objective, Risk, Scenario
from optimizer.uncertainty.draws import Draws

SUMMARY_SHARE = 0.10
"""The share of worst draws `cvar10` averages."""
# A draw spends above the budget when it passes it by more than rounding.
_OVER = 1e-9


def outcome_draws(
    cells: Cells, counts: np.ndarray, draws: Draws, with_profit: bool
) -> dict[str, np.ndarray]:
    """Spend, reach, engagements, conversions, revenue (and profit) of the plan in each
    draw: N values per metric, saturation applied as in v1. The plan's figures are summed
    per group of cells that move together first, then moved by each draw's multipliers."""
    counts = np.asarray(counts, dtype=float)
    effective = cells.effective_counts(counts)
    out = {"spend": draws.outcome("cost", counts * cells.column("cost"))}
    for metric in SATURATED_METRICS:
        out[metric] = draws.outcome(metric, effective * cells.column(metric))
    if with_profit:
        out["profit"] = out["revenue"] - out["spend"]
    return out


def cvar(values: np.ndarray, share: float) -> float:
    """The mean of the lowest `share` of the values: `max_t t - sum(max(0, t - v)) / (share N)`
    (Rockafellar-Uryasev), so a fraction of a draw counts by its fraction."""
    ordered = np.sort(np.asarray(values, dtype=float))
    n = len(ordered)
    k = share * n
    whole = min(int(np.floor(k + 1e-9)), n)
    total = float(ordered[:whole].sum())
    if whole < n and k - whole > 1e-9:
        total += (k - whole) * float(ordered[whole])
    return total / k


def summary(values: np.ndarray, worst_is_high: bool = False) -> dict[str, float]:
    """mean, p10, p50, p90 (numpy's default, linear) and cvar10: the mean of the worst 10%
    (the lowest; the highest for spend)."""
    values = np.asarray(values, dtype=float)
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    worst = -cvar(-values, SUMMARY_SHARE) if worst_is_high else cvar(values, SUMMARY_SHARE)
    return {
        "mean": float(values.mean()),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "cvar10": worst,
    }


def risk_value(objective: Objective, outcomes: dict[str, np.ndarray], spend: float) -> float:
    """The objective's measure over the draws: the mean, `(1 - W) mean + W CVaR_A`, or for
    a chance target the spend at point prices."""
    if objective.sense == "minimize":
        return spend
    return risk_measure(outcomes[objective.metric], objective.risk)


def risk_measure(values: np.ndarray, risk: Risk | None) -> float:
    """The mean of the outcomes, or `(1 - W) mean + W CVaR_A` of them."""
    mean = float(values.mean())
    if risk is None or risk.cvar is None:
        return mean
    return (1 - risk.weight) * mean + risk.weight * cvar(values, risk.cvar)


@dataclass(frozen=True)
class TargetResult:
    """How often a plan reaches a target: the objective's chance target, or a limit's min."""

    name: str
    metric: str
    value: float
    probability: float
    required: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "metric": self.metric,
            "value": json_number(self.value),
            "probability": json_number(self.probability),
        }
        if self.required is not None:
            out["required"] = self.required
            out["met"] = self.probability >= self.required - 1e-12
        return out


@dataclass(frozen=True)
class Evaluation:
    """One plan over one set of draws."""

    objective: float
    outcomes: dict[str, dict[str, float]]
    targets: list[TargetResult] = field(default_factory=list)
    over_budget: float | None = None
    """The share of draws spending above `budget.total` (None where costs are certain or
    there is no total)."""
    samples: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    """Each outcome's N values over the draws, for charts; not in the JSON."""
    counts: np.ndarray | None = field(default=None, repr=False, compare=False)
    """The plan's counts, one per cell in model order; not in the JSON."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objective": json_number(self.objective),
            "outcomes": {
                metric: {key: json_number(value) for key, value in figures.items()}
                for metric, figures in self.outcomes.items()
            },
        }
        if self.targets:
            out["targets"] = [target.to_dict() for target in self.targets]
        if self.over_budget is not None:
            out["probability_over_budget"] = json_number(self.over_budget)
        return out

    def target(self) -> TargetResult | None:
        """The objective's chance target, where it has one."""
        return next((t for t in self.targets if t.required is not None), None)


def evaluate(
    scenario: Scenario,
    cells: Cells,
    constraints: list[Constraint],
    counts: np.ndarray,
    draws: Draws,
) -> Evaluation:
    """The plan's outcomes over the draws, the objective's measure, how often it reaches each
    target (the objective's, and each limit's minimum on an outcome) and how often it spends
    above the budget."""
    return evaluate_parts(scenario, cells, constraints, [counts], [draws])[0]


def evaluate_parts(
    scenario: Scenario,
    cells: Cells,
    constraints: list[Constraint],
    plans: Sequence[np.ndarray],
    parts: Iterable[Draws],
    on_progress: Callable[[int], None] | None = None,
) -> list[Evaluation]:
    """`evaluate` of each plan on the draws given a part at a time (`draw_parts`): only the
    plans' outcomes in each draw are kept, not the draws. `on_progress` hears the number of
    draws judged after each part."""
    with_profit = scenario.average_order_value is not None
    limits = _outcome_limits(constraints)
    outcomes: list[dict[str, list[np.ndarray]]] = [{} for _ in plans]
    reached: list[list[list[np.ndarray]]] = [[[] for _ in limits] for _ in plans]
    effectives = [cells.effective_counts(np.asarray(counts, dtype=float)) for counts in plans]
    costs_vary, done = False, 0
    for part in parts:
        costs_vary = costs_vary or part.costs_vary
        for number, (counts, effective) in enumerate(zip(plans, effectives, strict=True)):
            for metric, values in outcome_draws(cells, counts, part, with_profit).items():
                outcomes[number].setdefault(metric, []).append(values)
            for limit, constraint in enumerate(limits):
                reached[number][limit].append(_limit_values(cells, constraint, effective, part))
        done += part.count
        if on_progress is not None:
            on_progress(done)
    return [
        _evaluation(
            scenario,
            cells,
            counts,
            {metric: np.concatenate(values) for metric, values in outcomes[number].items()},
            [
                (constraint, np.concatenate(values))
                for constraint, values in zip(limits, reached[number], strict=True)
            ],
            costs_vary,
        )
        for number, counts in enumerate(plans)
    ]


def _evaluation(
    scenario: Scenario,
    cells: Cells,
    counts: np.ndarray,
    outcomes: dict[str, np.ndarray],
    limits: list[tuple[Constraint, np.ndarray]],
    costs_vary: bool,
) -> Evaluation:
    spend = float(np.asarray(counts, dtype=float) @ cells.column("cost"))
    objective = risk_value(scenario.objective, outcomes, spend)
    targets = []
    target = scenario.objective.target
    if target is not None:
        reached = outcomes[target.metric] >= target.value * (1 - 1e-9)
        targets.append(
            TargetResult(
                "objective.target",
                target.metric,
                target.value,
                float(reached.mean()),
                required=target.probability,
            )
        )
    for constraint, values in limits:
        assert constraint.min is not None
        reached = values >= constraint.min * (1 - 1e-9)
        targets.append(
            TargetResult(constraint.name, constraint.metric, constraint.min, float(reached.mean()))
        )
    over_budget = None
    total = scenario.budget.total
    if total is not None and costs_vary:
        over_budget = float((outcomes["spend"] > total * (1 + _OVER)).mean())
    return Evaluation(
        objective=objective,
        outcomes={
            metric: summary(values, worst_is_high=metric == "spend")
            for metric, values in outcomes.items()
        },
        targets=targets,
        over_budget=over_budget,
        samples=outcomes,
        counts=np.asarray(counts, dtype=float),
    )


def _outcome_limits(constraints: list[Constraint]) -> list[Constraint]:
    """The limits with a minimum on an outcome (a conversions target written as a limit)."""
    return [
        constraint
        for constraint in constraints
        if constraint.base is None
        and constraint.min is not None
        and constraint.metric in SATURATED_METRICS
    ]


def _limit_values(
    cells: Cells, constraint: Constraint, effective: np.ndarray, draws: Draws
) -> np.ndarray:
    """A limit's outcome in each draw: its selected cells' metric, summed per group."""
    selected = (
        np.flatnonzero(constraint.selected)
        if constraint.selected.dtype == bool
        else constraint.selected
    )
    per_cell = effective[selected] * cells.column(constraint.metric)[selected]
    totals = np.bincount(draws.cell_group[selected], weights=per_cell, minlength=draws.groups)
    return (draws.group_of(constraint.metric) * totals).sum(axis=1)


@dataclass(frozen=True)
class UncertaintyReport:
    """The `uncertainty` object of the result: the plan over the draws, the midpoint (v1)
    plan over the same draws, and the plan over an independent set."""

    draws: int
    seed: int | None
    source: str
    measure: str
    plan: Evaluation
    midpoint_plan: Evaluation | None = None
    out_of_sample: Evaluation | None = None
    out_of_sample_seed: int | None = None
    file: str | None = None
    shape: str | None = None
    shared_by: list[str] | None = None
    stopped_by_time_limit: bool = False
    metric: str = ""
    """The outcome the objective is taken over: the objective's metric, or a chance
    target's (not in the JSON, which names it in `risk`)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"draws": self.draws, "seed": self.seed, "source": self.source}
        if self.file is not None:
            out["file"] = self.file
        if self.source == "generated":
            out["shape"] = self.shape
            out["shared_by"] = self.shared_by
        out["risk"] = self.measure
        out.update(self.plan.to_dict())
        target = self.plan.target()
        if target is not None:
            out["probability"] = json_number(target.probability)
        if self.midpoint_plan is not None:
            out["midpoint_plan"] = self.midpoint_plan.to_dict()
        if self.out_of_sample is not None:
            out["out_of_sample"] = {
                "draws": self.draws,
                "seed": self.out_of_sample_seed,
                **self.out_of_sample.to_dict(),
            }
        if self.stopped_by_time_limit:
            out["stopped_by_time_limit"] = True
        return out
