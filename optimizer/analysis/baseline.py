"""The plan a planner makes by hand in a spreadsheet, for measuring what optimising adds.

Split the budget by the rule-of-thumb targets (the first preset with whole-plan targets,
else 70-20-10), then evenly across the platforms and periods of each bucket (and the tiers
sharing a bucket), and round down to whole influencers within each offer's pool.
"""

from __future__ import annotations

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.model.linear import LinearModel, model_for
from optimizer.plan import Plan, extract_plan
from optimizer.scenario.presets import PRESETS
from optimizer.scenario.schema import Scenario, Select
from optimizer.solvers.base import Solution, Status

BASELINE_NAME = "spreadsheet"


def _targets(scenario: Scenario) -> list[tuple[Select | None, float]]:
    """(selection, share of budget) buckets; a None selection takes every cell not yet taken."""
    for name in [*scenario.rules.presets, "70-20-10"]:
        rules = [rule for rule in PRESETS[name].rules if rule.within == "total"]
        if not rules:
            continue
        buckets: list[tuple[Select | None, float]] = []
        for rule in rules:
            target = rule.target
            if target is None:
                target = ((rule.min or 0.0) + (rule.max if rule.max is not None else 1.0)) / 2
            buckets.append((rule.select, target))
        rest = 1.0 - sum(share for _, share in buckets)
        if rest > 1e-9:
            buckets.append((None, rest))
        return buckets
    raise AssertionError("the 70-20-10 preset has whole-plan targets")


def spreadsheet_counts(scenario: Scenario, model: LinearModel) -> np.ndarray:
    """Influencers per cell of the hand-made split."""
    if scenario.budget.total is None:
        raise OptimizerError("the spreadsheet baseline needs budget.total to split")
    cells = model.cells
    cost = cells.table["cost"].to_numpy()
    taken = np.zeros(len(cells), dtype=bool)
    buckets = []
    for select, share in _targets(scenario):
        mask = ~taken if select is None else cells.select(select) & ~taken
        taken |= mask
        buckets.append((mask, share))
    total_share = sum(share for mask, share in buckets if mask.any())
    money = np.zeros(len(cells))
    groups = list(zip(cells.level("period"), cells.level("platform"), strict=True))
    for mask, share in buckets:
        if not mask.any():
            continue
        # Money a bucket would give to missing offers goes to the buckets that exist.
        budget = scenario.budget.total * share / total_share
        keys = sorted({groups[i] for i in np.flatnonzero(mask)}, key=str)
        for key in keys:
            members = [i for i in np.flatnonzero(mask) if groups[i] == key]
            money[members] = budget / len(keys) / len(members)
    counts = np.floor(money / cost + 1e-9)
    return np.minimum(counts, cells.table["upper"].to_numpy())


def spreadsheet_plan(scenario: Scenario, model: LinearModel | None = None) -> Plan:
    """The hand-made split evaluated like any plan: totals, figures and the rule report."""
    model = model_for(scenario, model)
    values = np.zeros(model.num_cols)
    values[model.count_columns] = spreadsheet_counts(scenario, model)
    solution = Solution(Status.FEASIBLE, values, None, None, 0.0, BASELINE_NAME)
    plan = extract_plan(scenario, model, solution)
    return plan
