"""Break ties between plans as good as each other: move posts toward the leanest period.

A solver returns one of many plans that tie, and which one is an accident of its search: with
identical quarters one plan put nothing in Q1 and two thirds of the budget in Q4. So the plan
is evened out afterwards, one post at a time: a post of the period that spends most moves to
the same platform and tier (and creator) in the period that spends least, wherever the plan
then keeps every rule and every pool, its objective stays within the gap of the proven bound,
and the difference between the largest and smallest period spend shrinks. It stops when no
such move is left. The moves are plain arithmetic on the counts, so the same scenario gives
the same plan on every run, and they cost milliseconds where a second search (measured
first) cost more than the solve itself on most held-out cases.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from optimizer.constants import BINDING_TOLERANCE
from optimizer.model.cells import objective_value
from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions

MOST_TRIES = 5000
"""Moves tried at most (each a recomputation of the plan's rules): a bound on the work, not on
time, so the plan does not depend on the machine."""


@dataclass(frozen=True)
class TieBreak:
    """What the tie-break did: the solution to report and whether it moved spend."""

    solution: Solution
    seconds: float
    moved: bool
    """A tied plan spreading spend more evenly over periods was found and is returned."""


def break_ties(
    model: LinearModel, solution: Solution, solver: str, options: SolveOptions
) -> TieBreak:
    """The plan of `solution` with spend moved between periods as far as ties allow.

    `solver` is unused: the moves need no solver, whichever found the plan."""
    started = time.perf_counter()
    if solution.values is None or solution.objective is None:
        return TieBreak(solution, 0.0, moved=False)
    counts = solution.values[model.count_columns]
    if model.scenario.integer:
        counts = np.round(counts)
    evened = _evened(model, counts, _objective_floor(model, solution, options.gap))
    seconds = time.perf_counter() - started
    if evened is None:
        return TieBreak(solution, seconds, moved=False)
    values = solution.values.copy()
    values[model.count_columns] = evened
    return TieBreak(replace(solution, values=values), seconds, moved=True)


def _objective_floor(model: LinearModel, solution: Solution, gap: float) -> float:
    """The worst objective a tied plan may have: within `gap` of the bound, as the solver's
    own plan is, and never worse than that plan where the bound allows nothing else."""
    value, bound = solution.objective, solution.bound
    assert value is not None
    if bound is None or not np.isfinite(bound):
        return value
    # a hair inside the gap: the plan's gap is recomputed from these figures
    inside = gap * (1 - 1e-6)
    if model.sense == "maximize":
        return value if bound <= 0 else min(value, bound / (1 + inside))
    return value if bound < 0 or gap >= 1 else max(value, bound / (1 - inside))


def _evened(model: LinearModel, counts: np.ndarray, floor: float) -> np.ndarray | None:
    """Counts with posts moved from the costliest period to the leanest while a move keeps
    every rule, pool and the objective floor and narrows the spread; None if none did."""
    cells = model.cells
    periods = cells.level("period")
    names = list(dict.fromkeys(periods))
    if len(names) < 2:
        return None
    period_of = np.array([names.index(p) for p in periods])
    cost = cells.column("cost")
    lower = model.col_lower[model.count_columns]
    upper = model.col_upper[model.count_columns]
    twin = _twins(model, period_of, len(names))
    counts = counts.copy()
    moved, tries = False, 0
    while tries < MOST_TRIES:
        spend = np.bincount(period_of, weights=counts * cost, minlength=len(names))
        order = np.argsort(spend, kind="stable")
        high = order[-1]
        givers = np.flatnonzero((period_of == high) & (counts - 1 >= lower - 1e-9))
        found = None
        for low in order[:-1]:
            for giver in givers:
                taker = twin[giver, low]
                if taker < 0 or counts[taker] + 1 > upper[taker] + 1e-9:
                    continue
                after = spend.copy()
                after[high] -= cost[giver]
                after[low] += cost[taker]
                if np.ptp(after) >= np.ptp(spend) - 1e-9 * max(1.0, spend[high]):
                    continue
                tries += 1
                trial = counts.copy()
                trial[giver] -= 1
                trial[taker] += 1
                if _keeps_everything(model, trial, floor):
                    found = trial
                    break
                if tries >= MOST_TRIES:
                    break
            if found is not None or tries >= MOST_TRIES:
                break
        if found is None:
            break
        counts, moved = found, True
    return counts if moved else None


def _twins(model: LinearModel, period_of: np.ndarray, periods: int) -> np.ndarray:
    """`twin[cell, period]`: the cell of the same offer (platform, tier, creator) in that
    period, or -1."""
    keys = [key[1:] for key in model.cells.keys]
    offer: dict[tuple[str, ...], int] = {}
    offer_of = np.array([offer.setdefault(key, len(offer)) for key in keys])
    table = np.full((len(offer), periods), -1)
    table[offer_of, period_of] = np.arange(len(keys))
    return table[offer_of]


def _keeps_everything(model: LinearModel, counts: np.ndarray, floor: float) -> bool:
    """Whether the counts keep every rule of the model and reach the objective floor."""
    outcomes = model.cells.outcomes(counts)
    totals = {metric: float(values.sum()) for metric, values in outcomes.items()}
    objective = objective_value(model.scenario.objective.metric, totals)
    slack = BINDING_TOLERANCE * max(1.0, abs(floor))
    if model.sense == "maximize" and objective < floor - slack:
        return False
    if model.sense == "minimize" and objective > floor + slack:
        return False
    for constraint in model.constraints:
        value = constraint.value(outcomes)
        if value is None:
            continue
        scale = BINDING_TOLERANCE * max(
            [1.0, *(abs(b) for b in (constraint.min, constraint.max) if b is not None)]
        )
        if constraint.min is not None and value < constraint.min - scale:
            return False
        if constraint.max is not None and value > constraint.max + scale:
            return False
    return True
