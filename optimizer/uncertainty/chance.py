"""A lower bound on a chance target's least spend, from one LP per draw.

A plan that reaches the target in at least K of the N draws reaches it in at least
`|S| - (N - K)` draws of any set S of them, and in each of those it spends at least that
draw's least spend: the LP relaxation's least spend (at point prices, every rule kept) that
reaches the target in that draw alone. So it spends at least the `(N - K + 1)`-th largest of
those least spends over S. S is every draw up to `ALL_DRAWS` (an LP each, re-solved hot from
the last: 0.45 s for 1,000 draws of a 12-month case); above, the draws most likely to need
much: those in which the least-spend plan at point values reaches least.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Target
from optimizer.uncertainty.draws import Draws
from optimizer.uncertainty.model import (
    Extension,
    add_totals,
    draw_matrix,
    outcome_groups,
    outcome_parts,
    required_draws,
)

ALL_DRAWS = 2_000
"""Up to this many draws every draw's LP is solved; above, the `2 (N - K + 1)` draws in which
the least-spend plan at point values reaches least."""


def least_spend_bound(model: LinearModel, draws: Draws, target: Target) -> float | None:
    """A spend (at point prices) below which no plan reaches `target` in `ceil(p N)` draws;
    None where the LPs say nothing (no outcome, or too few draws reachable at all: the search
    then proves that itself)."""
    import highspy

    from optimizer.solvers.highs import to_highs

    groups = outcome_groups(outcome_parts(target.metric, model), draws)
    if not groups or model.sense != "minimize":
        return None
    n = draws.count
    misses = n - required_draws(target.probability, n)  # draws a plan may miss
    extension = Extension(model)
    totals = add_totals(extension, groups, "total")
    matrix = draw_matrix(groups)
    extension.row("draw", np.array(totals), matrix[0], float(target.value), np.inf)
    lp = extension.finish("minimize", model.objective)
    highs = to_highs(lp)
    flags = np.zeros(lp.num_cols, dtype=np.uint8)
    highs.changeColsIntegrality(lp.num_cols, np.arange(lp.num_cols, dtype=np.int32), flags)
    row = lp.num_rows - 1

    def least_spend(multipliers: np.ndarray) -> tuple[float, np.ndarray | None]:
        for number, column in enumerate(totals):
            highs.changeCoeff(row, int(column), float(multipliers[number]))
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            values = np.asarray(highs.getSolution().col_value)[totals]
            return float(highs.getInfo().objective_function_value), values
        if status == highspy.HighsModelStatus.kInfeasible:
            return np.inf, None  # no plan reaches the target with these multipliers
        return np.nan, None

    # The draws in which the least-spend plan at point values falls furthest short first
    _, point = least_spend(np.ones(len(totals)))
    if point is None:
        return None
    order = np.argsort(matrix @ point, kind="stable")
    chosen = order if n <= ALL_DRAWS else order[: min(n, 2 * (misses + 1))]
    least = np.array([least_spend(matrix[s])[0] for s in chosen])
    if np.isnan(least).any() or len(least) <= misses:
        return None
    bound = float(np.sort(least)[::-1][misses])
    return bound if np.isfinite(bound) else None
