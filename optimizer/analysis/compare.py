"""Plans side by side: totals, spend shares, binding rules and per-cell deltas.

Works on section-7 result dictionaries, so solved scenarios and saved plan JSON files can be
mixed; the first plan is the reference every delta is taken against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator

from optimizer.analysis.baseline import BASELINE_NAME
from optimizer.constants import DIMENSIONS, METRICS
from optimizer.errors import OptimizerError
from optimizer.jsontext import json_text
from optimizer.plan import Plan, meets
from optimizer.report.numbers import money, objective_unit
from optimizer.scenario.loading import problem_of
from optimizer.solvers.base import Status

SHARE_DIMENSIONS = ("tier", "platform", "period")


@dataclass(frozen=True)
class Comparison:
    """DataFrames of a comparison; `names` label the plans in every frame, in order."""

    names: list[str]
    totals: pd.DataFrame
    """One row per plan: status, objective and its metric (`min spend` when minimised),
    totals, CPA and CPE, lift over the baseline for plans of the baseline's metric."""
    shares: pd.DataFrame
    """Spend share by (dimension, value) in rows, one column per plan."""
    rules: pd.DataFrame
    """Each rule's value per plan, whether it binds and whether the plan meets it (a hand-made
    plan may not)."""
    cells: pd.DataFrame
    """Count and spend per (period, platform, tier) and plan, with deltas against the first, in
    the plans' order of periods, platforms and tiers."""
    baseline: str | None = None
    currency: str = "USD"
    """The first scenario's currency (a saved plan does not record one: USD)."""
    metric: str = ""
    """The objective's metric when every plan has the same one, else empty."""
    notes: list[str] = field(default_factory=list)
    """What a reader must know to read the figures alike: different objectives or periods,
    rules a plan breaks, budget a plan leaves unspent."""

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON data: plans, baseline, one list of records per table, notes."""
        return {
            "plans": self.names,
            "baseline": self.baseline,
            "totals": _records(self.totals.reset_index()),
            "shares": _records(self.shares.reset_index()),
            "rules": _records(self.rules.reset_index()),
            "cells": _records(self.cells.reset_index()),
            "notes": self.notes,
        }

    def broken(self) -> dict[str, list[str]]:
        """The rules each plan breaks, by plan."""
        out: dict[str, list[str]] = {}
        for name in self.names:
            if self.rules.empty or (name, "met") not in self.rules:
                continue
            met = self.rules[(name, "met")]
            rules = [str(rule) for (rule, _, _), ok in met.items() if ok is False]
            if rules:
                out[name] = rules
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict` as JSON text (what `optimizer compare --format json` prints)."""
        return json_text(self.to_dict(), indent)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    frame.columns = [
        " ".join(str(part) for part in column if part) if isinstance(column, tuple) else column
        for column in frame.columns
    ]
    # Whole influencer counts read 146, not 146.0 (with `integer: false` they may be fractions).
    for column in frame.columns:
        values = frame[column]
        if str(column).endswith("count") and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
    return json.loads(frame.to_json(orient="records"))


def load_result(path: str | Path) -> dict[str, Any]:
    """A saved plan (the JSON of `optimizer solve --format json`)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise OptimizerError(f"{path}: not a readable plan JSON file: {error}") from None
    return _checked(data, str(path))


class _Saved(BaseModel):
    """Part of a saved plan: what compare reads is checked, anything else is kept."""

    model_config = ConfigDict(extra="allow")


class _SavedObjective(_Saved):
    sense: Literal["maximize", "minimize"]
    metric: str
    value: float | None
    bound: float | None = None
    gap: float | None = None


_SavedFigures = create_model(  # type: ignore[call-overload]
    "_SavedFigures", __base__=_Saved, **{metric: (float, ...) for metric in METRICS}
)


class _SavedCell(_SavedFigures):  # type: ignore[valid-type, misc]
    period: str
    platform: str
    tier: str


class _SavedRule(_Saved):
    name: str
    kind: str
    value: float | None
    min: float | None = None
    max: float | None = None
    binding: bool


class _SavedPlan(_Saved):
    """A section-7 result as compare reads it (`status` may also be the hand-made baseline's)."""

    scenario: str
    status: str
    objective: _SavedObjective
    totals: _SavedFigures  # type: ignore[valid-type]
    allocation: list[_SavedCell]
    rules: list[_SavedRule] = []

    @field_validator("status")
    @classmethod
    def _known(cls, status: str) -> str:
        known = [*Status, BASELINE_NAME]
        if status not in known:
            raise ValueError(f"must be one of {', '.join(known)}, got {status!r}")
        return status


def _checked(data: Any, source: str) -> dict[str, Any]:
    """The plan's dictionary with its numbers as numbers, or an error naming what is wrong."""
    try:
        plan = _SavedPlan.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(str(problem_of(item)) for item in error.errors())
        raise OptimizerError(
            f"{source}: not a plan as `optimizer solve --format json` writes it: {problems}"
        ) from None
    return plan.model_dump(mode="json", exclude_unset=True)


def as_result(item: Plan | dict[str, Any], position: int = 0) -> dict[str, Any]:
    return item.to_dict() if isinstance(item, Plan) else _checked(item, f"plan {position + 1}")


def _unique_names(results: list[dict[str, Any]], labels: list[str] | None) -> list[str]:
    names = list(labels) if labels else [str(result["scenario"]) for result in results]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _allocation(result: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(result["allocation"], columns=[*DIMENSIONS, *METRICS])
    # a roster's creators, compared by the cells they fall in
    return frame.groupby(list(DIMENSIONS), sort=False)[list(METRICS)].sum()


def compare(
    items: list[Plan | dict[str, Any]],
    labels: list[str] | None = None,
    baseline: str | None = None,
) -> Comparison:
    """Compare plans (Plan objects or section-7 dictionaries). `baseline` names the plan whose
    objective the others' lift is measured against."""
    if not isinstance(items, list | tuple):
        raise OptimizerError(f"compare takes a list of plans, not {type(items).__name__}")
    if len(items) < 2:
        raise OptimizerError("compare needs at least two plans")
    if labels is not None and len(labels) != len(items):
        raise OptimizerError(f"give one label per plan: {len(labels)} for {len(items)} plans")
    results = [as_result(item, position) for position, item in enumerate(items)]
    names = _unique_names(results, labels)
    if baseline is not None and baseline not in names:
        raise OptimizerError(
            f"baseline {baseline!r} is none of the plans: {', '.join(names)}"
            " (for the hand-made split, compare optimizer.spreadsheet_plan)"
        )
    allocations = {name: _allocation(result) for name, result in zip(names, results, strict=True)}

    totals = pd.DataFrame(
        [
            {
                "plan": name,
                "status": result["status"],
                "objective": result["objective"]["value"],
                "metric": _metric(result),
                **result["totals"],
            }
            for name, result in zip(names, results, strict=True)
        ]
    ).set_index("plan")
    # Figures that do not exist read as missing, not zero: the totals of a plan that was not
    # found, the revenue of a scenario without an average order value.
    figures = [c for c in totals.columns if c not in ("status", "objective", "metric")]
    totals[figures] = totals[figures].astype(float)
    without_plan = [str(status) for status in Status if not status.has_plan]
    totals.loc[totals["status"].isin(without_plan), figures] = np.nan
    totals.loc[(totals["revenue"] == 0) & (totals["conversions"] > 0), "revenue"] = np.nan
    totals["cpa"] = totals["spend"] / totals["conversions"].where(totals["conversions"] > 0)
    totals["cpe"] = totals["spend"] / totals["engagements"].where(totals["engagements"] > 0)
    risk = [_risk_columns(result) for result in results]
    if any(risk):
        for column in RISK_COLUMNS:
            totals[column] = [row.get(column, np.nan) for row in risk]
    if baseline is not None:
        # Lift compares like with like: revenue against revenue, not installs against revenue.
        reference = totals.loc[baseline, "objective"]
        same = totals["metric"] == totals.loc[baseline, "metric"]
        lift = (totals["objective"] - reference) / abs(reference) if reference else np.nan
        totals["lift"] = pd.Series(lift, index=totals.index).where(same)

    ranks = _ranks(
        [
            [scenario.periods, list(scenario.platforms), list(scenario.tiers)]
            for scenario in (item.scenario for item in items if isinstance(item, Plan))
        ]
        + [[list(a.index.get_level_values(n)) for n in range(3)] for a in allocations.values()]
    )
    share_rows = {}
    for name, allocation in allocations.items():
        spend = allocation["spend"]
        parts = []
        for dimension in SHARE_DIMENSIONS:
            by = spend.groupby(level=dimension, sort=False).sum()
            share = by / by.sum() if by.sum() > 0 else by
            share.index = pd.MultiIndex.from_product([[dimension], share.index])
            parts.append(share)
        share_rows[name] = pd.concat(parts) if parts else pd.Series(dtype=float)
    # A plan that exists and buys none of a value has a share of 0; a plan that does not exist
    # has no shares and no cells at all (missing, not 0, in every report).
    no_plan = list(totals.index[totals["status"].isin(without_plan)])
    shares = pd.DataFrame(share_rows).fillna(0.0)
    shares[no_plan] = np.nan
    shares.index.names = ["dimension", "value"]
    shares = shares.loc[
        sorted(
            shares.index,
            key=lambda row: (
                SHARE_DIMENSIONS.index(row[0]),
                ranks[DIMENSIONS.index(row[0])][row[1]],
            ),
        )
    ]

    rule_rows: dict[tuple[str, str, str], dict[tuple[str, str], Any]] = {}
    for name, result in zip(names, results, strict=True):
        for rule in result.get("rules", []):
            row = rule_rows.setdefault((rule["name"], rule["kind"], rule.get("metric", "")), {})
            row[(name, "value")] = rule["value"]
            row[(name, "binding")] = rule["binding"]
            row[(name, "met")] = meets(rule["value"], rule.get("min"), rule.get("max"))
    rules = pd.DataFrame.from_dict(rule_rows, orient="index")
    if not rules.empty:
        rules.index = pd.MultiIndex.from_tuples(rules.index, names=["rule", "kind", "metric"])
        rules.columns = pd.MultiIndex.from_tuples(rules.columns)

    cells = pd.concat(
        {name: allocation[["count", "spend"]] for name, allocation in allocations.items()},
        axis=1,
    ).fillna(0.0)
    cells[[column for column in cells.columns if column[0] in no_plan]] = np.nan
    cells = cells.iloc[sorted(range(len(cells)), key=lambda i: _cell_key(cells.index[i], ranks))]
    first = names[0]
    for name in names[1:]:
        cells[(f"{name} - {first}", "count")] = cells[(name, "count")] - cells[(first, "count")]
        cells[(f"{name} - {first}", "spend")] = cells[(name, "spend")] - cells[(first, "spend")]
    currency = next((item.scenario.currency for item in items if isinstance(item, Plan)), "USD")
    metrics = set(totals["metric"])
    metric = metrics.pop() if len(metrics) == 1 else ""
    metric = objective_unit(metric)  # the unit the objective's figures read in
    comparison = Comparison(names, totals, shares, rules, cells, baseline, currency, metric)
    return replace(comparison, notes=_notes(comparison, items, results))


def _notes(
    comparison: Comparison, items: list[Plan | dict[str, Any]], results: list[dict[str, Any]]
) -> list[str]:
    notes = []
    if not comparison.metric:
        metrics = ", ".join(dict.fromkeys(comparison.totals["metric"]))
        notes.append(
            f"The plans pursue different objectives ({metrics}): lift only between plans of"
            " the same one."
        )
    periods = {tuple(item.scenario.periods) for item in items if isinstance(item, Plan)}
    if len(periods) > 1:
        notes.append(
            "The plans have different periods: pools, minimums and saturation apply per"
            " period, so a plan of shorter periods can buy more at full effect."
        )
    for name, result in zip(comparison.names, results, strict=True):
        budget = next((r for r in result.get("rules", []) if r["name"] == "budget"), None)
        if budget and budget.get("max") and budget.get("value") is not None:
            left = budget["max"] - budget["value"]
            if left > 0.01 * budget["max"]:
                notes.append(
                    f"{name} leaves {money(left, comparison.currency)} of its"
                    f" {money(budget['max'], comparison.currency)} budget unspent."
                )
    notes += [f"{name} breaks {', '.join(rules)}." for name, rules in comparison.broken().items()]
    return notes


RISK_COLUMNS = ("risk_mean", "risk_p10", "risk_p90", "risk_cvar10", "price_of_ignoring")
"""Columns of a comparison's totals for plans with uncertainty: the objective's outcome over
the draws (mean, P10, P90, the mean of the worst 10%) and the price of ignoring uncertainty,
the plan's worst-10% mean less that of the midpoint plan on the same draws."""


def _risk_columns(result: dict[str, Any]) -> dict[str, float]:
    """A plan's risk columns, from its `uncertainty` object (none without one)."""
    uncertainty = result.get("uncertainty")
    metric = (result.get("objective") or {}).get("metric")
    if not isinstance(uncertainty, dict) or metric is None:
        return {}
    figures = (uncertainty.get("outcomes") or {}).get(metric)
    if not isinstance(figures, dict):
        return {}
    out = {f"risk_{key}": _float(figures.get(key)) for key in ("mean", "p10", "p90", "cvar10")}
    midpoint = ((uncertainty.get("midpoint_plan") or {}).get("outcomes") or {}).get(metric)
    if isinstance(midpoint, dict):
        out["price_of_ignoring"] = out["risk_cvar10"] - _float(midpoint.get("cvar10"))
    return out


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def _metric(result: dict[str, Any]) -> str:
    """What the plan's objective counts: `revenue`, or `min spend` when minimised."""
    objective = result.get("objective") or {}
    metric = str(objective.get("metric", ""))
    return f"min {metric}" if objective.get("sense") == "minimize" else metric


def _ranks(orders: list[list[list[Any]]]) -> list[dict[Any, int]]:
    """Per dimension (period, platform, tier), each value's first place in `orders` (per
    source, its periods, platforms and tiers in order): the scenarios' order."""
    ranks = []
    for level in range(len(DIMENSIONS)):
        seen: dict[Any, int] = {}
        for order in orders:
            for value in order[level]:
                seen.setdefault(value, len(seen))
        ranks.append(seen)
    return ranks


def _cell_key(cell: tuple[Any, ...], ranks: list[dict[Any, int]]) -> tuple[int, ...]:
    return tuple(ranks[level][value] for level, value in enumerate(cell))
