"""Break ties between plans as good as each other: a second, short search for the evenest.

See `optimizer.model.spread` for what "evenest" means. The second search starts from the
first plan (with HiGHS), is held to the first plan's objective within the gap, and stops
after `TIE_NODES` branch-and-bound nodes: a limit of work, not of time, so the same scenario
gives the same plan on every run and machine (`TIE_SECONDS` only guards against a node
taking very long). When it finds nothing more even, the first plan stands.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.model.spread import objective_floor, spread_model
from optimizer.solvers.base import Solution, SolveOptions

TIE_NODES = 100
TIE_SECONDS = 10.0
TIE_GAP = 0.01
"""The spread needs no proof to the last dollar: 1% of the largest period's spend."""
EVEN_ENOUGH = 1e-6
"""A relative change of spread smaller than this is no change."""


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
    """The evenest plan over periods among those tied with `solution` within the gap."""
    from optimizer.solvers import run_solver

    if solution.values is None or solution.objective is None:
        return TieBreak(solution, 0.0, moved=False)
    floor = objective_floor(model, solution.objective, solution.bound, options.gap)
    tied = spread_model(model, floor)
    spends = period_spends(model, solution.values)
    start = np.concatenate([solution.values, [spends.max(), spends.min()]])
    limits = SolveOptions(
        min(TIE_SECONDS, options.time_limit), TIE_GAP, node_limit=TIE_NODES, race=False
    )
    found = run_solver(tied, solver, limits, start=start)
    if found.values is None:
        return TieBreak(solution, found.seconds, moved=False)
    values = found.values[: model.num_cols]
    before, after = np.ptp(spends), np.ptp(period_spends(model, values))
    if after >= before - EVEN_ENOUGH * max(spends.max(), 1.0):
        return TieBreak(solution, found.seconds, moved=False)
    return TieBreak(replace(solution, values=values), found.seconds, moved=True)


def period_spends(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """Each period's spend for the column values."""
    counts = values[model.count_columns]
    cost = model.cells.column("cost")
    periods = model.cells.level("period")
    names = list(dict.fromkeys(periods))
    return np.array([float((counts * cost)[periods == name].sum()) for name in names])
