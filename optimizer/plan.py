"""The result of a solve: allocation, totals, rule report and the proof of quality."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from optimizer.analysis.notes import plan_notes
from optimizer.constants import BINDING_TOLERANCE, METRICS
from optimizer.jsontext import json_count, json_number, json_text
from optimizer.model.cells import Cells, Key, key_fields, objective_value
from optimizer.model.constraints import Constraint, CreatorLimit, Rule, SkippedRule
from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Scenario
from optimizer.solvers.base import Solution, Status, relative_gap

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.analysis.results import ConflictReport, Explanation
    from optimizer.solvers.ties import TieBreak
    from optimizer.uncertainty.outcomes import UncertaintyReport


@dataclass(frozen=True)
class RuleReport:
    """One constraint of the plan: its value against its bounds."""

    name: str
    rule: str
    kind: str
    metric: str
    value: float | None
    min: float | None
    max: float | None
    binding: bool
    slack: float | None
    """How far the value lies inside its bounds, to the nearer one; negative when the plan
    breaks the rule (only a hand-made plan can)."""
    group: dict[str, str] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the plan keeps the rule (None when the rule has no value)."""
        return meets(self.value, self.min, self.max)

    def to_dict(self) -> dict[str, Any]:
        """The rule as an entry of the result's `rules` list."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "value": json_number(self.value),
            "min": self.min,
            "max": self.max,
            "binding": self.binding,
            "rule": self.rule,
            "metric": self.metric,
            "slack": json_number(self.slack),
        }
        if self.group:
            out["group"] = self.group
        return out


@dataclass(frozen=True, eq=False)
class AllocationArrays:
    """A plan's per-cell figures as arrays (`Cells.outcomes`): what `Plan.allocation` is made
    from on first use, and what the plan's JSON reads without making it."""

    cells: Cells
    outcomes: dict[str, np.ndarray]

    def rows(self) -> Iterator[tuple[Key, dict[str, float]]]:
        """Each cell with a count above zero and its figures (`METRICS`), in model order."""
        outcomes = self.outcomes
        for position in np.flatnonzero(outcomes["count"] > 0):
            figures = {metric: float(outcomes[metric][position]) for metric in METRICS}
            yield self.cells.keys[position], figures

    def frame(self) -> pd.DataFrame:
        """The allocation: the cells with a count above zero, their figures, cpa and cpe."""
        outcomes = self.cells.frame(self.outcomes)
        allocation = outcomes[outcomes["count"] > 0].copy()
        allocation["cpa"] = allocation["spend"] / allocation["conversions"].replace(0, np.nan)
        allocation["cpe"] = allocation["spend"] / allocation["engagements"].replace(0, np.nan)
        return allocation


class _Allocation:
    """`Plan.allocation`: a DataFrame, made from the plan's `AllocationArrays` on first use
    and kept, so a plan only written as JSON never loads pandas. A DataFrame given to the
    plan (`dataclasses.replace(plan, allocation=...)`) is kept as given."""

    slot = "_allocation"

    @overload
    def __get__(self, plan: None, owner: type) -> _Allocation: ...

    @overload
    def __get__(self, plan: Plan, owner: type) -> pd.DataFrame: ...

    def __get__(self, plan: Plan | None, owner: type) -> pd.DataFrame | _Allocation:
        if plan is None:
            # No default value: the dataclass takes `allocation` as a required field.
            raise AttributeError("allocation is a field of each plan")
        value = plan.__dict__[self.slot]
        if isinstance(value, AllocationArrays):
            value = value.frame()
            plan.__dict__[self.slot] = value
        return value

    def __set__(self, plan: Plan, value: pd.DataFrame | AllocationArrays) -> None:
        plan.__dict__[self.slot] = value


@dataclass(frozen=True)
class TieReport:
    """What the tie-break found: `moved` when a tied plan spreading spend more evenly over
    periods replaced the solver's first, and the seconds it took."""

    moved: bool
    seconds: float


@dataclass(frozen=True)
class Plan:
    """How many influencers to engage per (period, platform, tier), and how good that is.

    `allocation` holds the cells with a count above zero; every figure in it is recomputed from
    the counts (saturated as in section 4 of the format), so it adds up to `totals`. It is a
    DataFrame indexed by (period, platform, tier), made on first use.
    """

    scenario: Scenario
    status: Status
    sense: str
    metric: str
    objective: float | None
    bound: float | None
    gap: float | None
    allocation: pd.DataFrame
    """Given as a DataFrame or as `AllocationArrays` (see `_Allocation`)."""
    totals: dict[str, float]
    rules: list[RuleReport]
    skipped: list[SkippedRule]
    solver: str
    seconds: float
    build_seconds: float = 0.0
    nodes: int | None = None
    counts: np.ndarray | None = field(default=None, repr=False)
    conflicts: ConflictReport | None = None
    """Why no plan exists, when asked (`optimizer.find_conflicts`)."""
    explanation: Explanation | None = None
    """What each rule costs the plan, when asked (`optimizer.explain_plan`)."""
    notes: list[str] = field(default_factory=list)
    """What the figures alone do not say: a plan that buys nothing, share rules that only an
    empty plan meets together (`optimizer.analysis.notes`). In the JSON as `notes`."""
    uncertainty: UncertaintyReport | None = None
    """The plan over the scenario's draws, beside the midpoint plan (section 8.3 of the
    format); None for a scenario without uncertainty. In the JSON as `uncertainty`."""
    interrupted: bool = False
    """The search was stopped by the user (Ctrl-C); the plan is the best found by then."""
    tie_break: TieReport | None = None
    """Whether other plans tied with the solver's first and this one spreads spend more
    evenly over periods (None when no tie-break ran)."""
    method: str = "mip"
    """How the plan was found: `mip` (the solver's search of the whole model), `lp` (a
    model with fractional counts), or for a large roster `column-generation+core-mip`.
    In the JSON as `solver.method`."""
    bound_method: str | None = None
    """What proves a large roster's bound: `lagrangian` (the rows that span creators priced,
    each creator's own rows kept whole in its own integer problem) or `lp` (the LP
    relaxation); None where the solver's own search proves it. In the JSON as
    `solver.bound_method`."""

    @property
    def has_plan(self) -> bool:
        """Whether there is a plan: optimal, or feasible (stopped with one in hand)."""
        return self.status.has_plan

    def to_dict(self) -> dict[str, Any]:
        """The JSON result of section 7 of the format."""
        allocation = [
            {
                **key_fields(key),
                **{metric: _json(metric, figures[metric]) for metric in METRICS},
            }
            for key, figures in self._allocation_rows()
        ]
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "status": str(self.status),
            "objective": {
                "sense": self.sense,
                "metric": self.metric,
                "value": json_number(self.objective),
                "bound": json_number(self.bound),
                "gap": json_number(self.gap),
            },
            "totals": {metric: _json(metric, value) for metric, value in self.totals.items()},
            "allocation": allocation,
            "rules": [rule.to_dict() for rule in self.rules],
            "solver": self._solver_dict(),
        }
        if self.skipped:
            out["skipped_rules"] = [
                {"name": rule.name, "reason": rule.reason} for rule in self.skipped
            ]
        if self.conflicts is not None:
            out.update(self.conflicts.to_dict())
        if self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()
        if self.notes:
            out["notes"] = list(self.notes)
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty.to_dict()
        return out

    def _solver_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.solver,
            "seconds": round(self.seconds, 4),
            "method": self.method,
        }
        if self.bound_method is not None:
            out["bound_method"] = self.bound_method
        if self.interrupted:
            out["interrupted"] = True
        if self.tie_break is not None:
            out["tie_break"] = {
                "rule": "spread",
                "moved": self.tie_break.moved,
                "seconds": round(self.tie_break.seconds, 4),
            }
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict` as JSON text (what `optimizer solve --format json` prints)."""
        return json_text(self.to_dict(), indent)

    def _allocation_rows(self) -> Iterator[tuple[Key, Mapping[str, float]]]:
        """The allocation's cells and figures: from the arrays while no DataFrame is made."""
        stored = self.__dict__[_Allocation.slot]
        if isinstance(stored, AllocationArrays):
            return stored.rows()
        return stored.iterrows()


# Set on the class once the dataclass is made, so the field keeps its place among the
# required ones (a descriptor in the class body would count as its default).
Plan.allocation = _Allocation()


def replace_plan(plan: Plan, **changes: Any) -> Plan:
    """`dataclasses.replace` of a plan that keeps its allocation as it is stored: replace
    reads every field it is not given, which would make the allocation's DataFrame (and load
    pandas) for a plan only ever written as JSON."""
    changes.setdefault("allocation", plan.__dict__[_Allocation.slot])
    return replace(plan, **changes)


def _json(metric: str, value: float) -> int | float | None:
    return json_count(value) if metric == "count" else json_number(value)


def bound_tolerance(low: float | None, high: float | None) -> float:
    """How close to a bound a value counts as on it: BINDING_TOLERANCE of the bounds' scale."""
    return BINDING_TOLERANCE * max([1.0, *(abs(b) for b in (low, high) if b is not None)])


def slack_of(value: float | None, low: float | None, high: float | None) -> float | None:
    """How far `value` lies inside its bounds, to the nearer one; negative by how far it lies
    outside (a hand-made plan may break a rule). None without a value or bounds."""
    if value is None:
        return None
    gaps = [gap for gap in (_above(value, low), _above(high, value)) if gap is not None]
    return min(gaps) if gaps else None


def _above(high: float | None, low: float | None) -> float | None:
    """How far `high` lies above `low` (None without either)."""
    return None if high is None or low is None else high - low


def meets(value: float | None, low: float | None, high: float | None) -> bool | None:
    """Whether `value` lies within its bounds, up to `bound_tolerance` (None without a value)."""
    if value is None:
        return None
    slack = slack_of(value, low, high)
    return slack is None or slack >= -bound_tolerance(low, high)


def _report(constraint: Constraint, outcomes: Mapping[str, np.ndarray]) -> RuleReport:
    value = constraint.value(outcomes)
    slack = slack_of(value, constraint.min, constraint.max)
    binding = slack is not None and abs(slack) <= bound_tolerance(constraint.min, constraint.max)
    if binding:
        slack = 0.0  # on its bound, within the tolerance: -1e-16 of solver noise is no breach
    return RuleReport(
        name=constraint.name,
        rule=constraint.rule,
        kind=constraint.kind,
        metric=constraint.metric,
        value=value,
        min=constraint.min,
        max=constraint.max,
        binding=binding,
        slack=slack,
        group=constraint.group,
    )


def rule_reports(parts: Sequence[Rule], outcomes: Mapping[str, np.ndarray]) -> list[RuleReport]:
    """The report of every constraint, in order; a limit per creator's groups worked out as
    arrays (a million creators' caps are a million reports)."""
    reports: list[RuleReport] = []
    for part in parts:
        if isinstance(part, CreatorLimit):
            reports.extend(_block_reports(part, outcomes))
        else:
            reports.append(_report(part, outcomes))
    return reports


def _block_reports(block: CreatorLimit, outcomes: Mapping[str, np.ndarray]) -> list[RuleReport]:
    """`_report` of each group of a limit per creator, as arrays."""
    values = block.totals(np.asarray(outcomes[block.metric]))
    low, high = block.min, block.max
    slack = np.full(len(values), np.inf)
    if low is not None:
        slack = np.minimum(slack, values - low)
    if high is not None:
        slack = np.minimum(slack, high - values)
    binding = np.abs(slack) <= bound_tolerance(low, high)
    slack = np.where(binding, 0.0, slack)
    bounded = low is not None or high is not None
    keys = [values.astype(object) for values in block.keys]
    groups = [dict(zip(block.per, key, strict=True)) for key in zip(*keys, strict=True)]
    return [
        RuleReport(
            name=name,
            rule=block.rule,
            kind="limit",
            metric=block.metric,
            value=value,
            min=low,
            max=high,
            binding=bound,
            slack=room if bounded else None,
            group=group,
        )
        for name, value, bound, room, group in zip(
            block.names(),
            values.tolist(),
            binding.tolist(),
            slack.tolist(),
            groups,
            strict=True,
        )
    ]


def extract_plan(
    scenario: Scenario,
    model: LinearModel,
    solution: Solution,
    build_seconds: float = 0.0,
    tie_break: TieBreak | None = None,
) -> Plan:
    """Read the plan from a solution; figures are recomputed from the counts alone."""
    cells = model.cells
    if solution.values is not None:
        counts = solution.values[model.count_columns]
        counts = np.round(counts) if scenario.integer else np.where(counts < 1e-9, 0.0, counts)
    else:
        counts = np.zeros(len(cells))
    outcomes = cells.outcomes(counts)
    totals = {metric: float(outcomes[metric].sum()) for metric in METRICS}
    objective = bound = gap = None
    rules: list[RuleReport] = []
    if solution.status.has_plan:
        objective = objective_value(scenario.objective.metric, totals)
        bound = solution.bound
        gap = relative_gap(objective, bound) if bound is not None else None
        rules = rule_reports(model.rule_set.parts, outcomes)
    return Plan(
        scenario=scenario,
        status=solution.status,
        sense=scenario.objective.sense,
        metric=scenario.objective.metric,
        objective=objective,
        bound=bound,
        gap=gap,
        allocation=AllocationArrays(cells, outcomes),
        totals=totals,
        rules=rules,
        skipped=model.skipped,
        solver=solution.solver,
        seconds=solution.seconds,
        build_seconds=build_seconds,
        nodes=solution.nodes,
        counts=counts,
        notes=plan_notes(model.rule_set.plain, solution.status.has_plan, model.sense, totals),
        interrupted=solution.interrupted,
        tie_break=None if tie_break is None else TieReport(tie_break.moved, tie_break.seconds),
        method=solution.method or ("mip" if model.is_mip else "lp"),
        bound_method=solution.bound_method,
    )
