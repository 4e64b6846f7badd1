"""CVaR over clusters of draws: a smaller model whose optimum bounds the full one, refined
until its plan is scored exactly.

The full CVaR model has a row and a column per draw, `u_s >= t - Z_s`; on 1,000 draws that
is 1,000 rows as long as the number of offers, which every node of the search solves again.
Draws in a cluster k may share one row instead, `u_k >= t - mean_{s in k} Z_s`, weighed as
`|k|` draws. As `max(0, x)` is convex, `sum_{s in k} max(0, t - Z_s) >= |k| max(0, t -
mean_k Z)`: the clustered model never scores a plan below its measure, so the bound its
search proves holds for the full model. It scores a plan exactly when each cluster lies on
one side of the plan's worst share: all of its draws among the worst `A N`, or none of them
(or it is the one draw the share takes a fraction of).

`solve_clustered` starts from clusters fitted to the midpoint plan (its worst draws, a
multiple of `A N` of them, one by one, the rest together), splits them where the plans of the
LP relaxation straddle a boundary, and then searches: when the plan found is scored exactly
and within the gap of the proven bound, that is the proof; otherwise the clusters its worst
share straddles are split and the search runs again from the best plan so far. A split puts
each draw of the worst share alone (a cluster of such draws split again later would cost a
search each time: on ecommerce-dtc up to three searches and 50 s against one of 0.6 s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.scenario.schema import Risk
from optimizer.solvers import Solution, SolveOptions, Status, run_solver
from optimizer.solvers.base import relative_gap
from optimizer.uncertainty.draws import Draws
from optimizer.uncertainty.model import RiskModels, start_values, total_columns
from optimizer.uncertainty.outcomes import risk_measure

if TYPE_CHECKING:
    from optimizer.solvers.search import ProgressCallback

SINGLES = 2.0
"""How many draws start in clusters of their own, as a multiple of the worst share's `A N`:
the worst of the midpoint plan's outcomes (benchmarks/README.md, "Uncertainty")."""
LP_ROUNDS = 50
"""At most this many LP relaxations refine the clusters before the search."""
BOUND_METHOD = "clustered-draws"
"""`solver.bound_method` of a plan proven on clustered draws."""


@dataclass(frozen=True)
class ClusteredSolve:
    """The search's last model (whose columns the solution's values fill) and solution: its
    objective the plan's measure on every draw, its bound the least proven by any round."""

    model: LinearModel
    solution: Solution
    rounds: int
    clusters: int


def worst_sides(outcomes: np.ndarray, share: float) -> np.ndarray:
    """Per draw, 0 if among the worst `share` of the outcomes, 1 if the draw the share takes a
    fraction of, else 2 (ties broken by draw number)."""
    n = len(outcomes)
    k = share * n
    whole = min(int(np.floor(k + 1e-9)), n)
    order = np.argsort(outcomes, kind="stable")
    side = np.full(n, 2)
    side[order[:whole]] = 0
    if whole < n and k - whole > 1e-9:
        side[order[whole]] = 1
    return side


def first_clusters(
    outcomes: np.ndarray, share: float, singles: float = SINGLES
) -> list[np.ndarray]:
    """The worst `singles * share * N` draws of the outcomes one by one, the rest together."""
    n = len(outcomes)
    alone = min(n, int(np.ceil(singles * share * n - 1e-9)))
    order = np.argsort(outcomes, kind="stable")
    clusters = [order[i : i + 1] for i in range(alone)]
    if alone < n:
        clusters.append(np.sort(order[alone:]))
    return clusters


def split(clusters: list[np.ndarray], outcomes: np.ndarray, share: float) -> list[np.ndarray]:
    """The clusters with every one that straddles a boundary of the outcomes' worst share
    split: its draws inside the share (and the one it takes a fraction of) each alone, the
    rest together. The same list where none straddles."""
    side = worst_sides(outcomes, share)
    out: list[np.ndarray] = []
    for members in clusters:
        if len(members) == 1:
            out.append(members)
            continue
        sides = side[members]
        if (sides == sides[0]).all() and sides[0] != 1:
            out.append(members)  # wholly inside the share or wholly outside it
            continue
        inside = sides < 2
        out.extend(members[i : i + 1] for i in np.flatnonzero(inside))
        if not inside.all():
            out.append(members[~inside])
    return out if len(out) > len(clusters) else clusters


def solve_clustered(
    model: LinearModel,
    draws: Draws,
    risk: Risk,
    solver: str,
    options: SolveOptions,
    midpoint: np.ndarray | None,
    progress: ProgressCallback | None = None,
    singles: float = SINGLES,
    start_from_midpoint: bool = True,
) -> ClusteredSolve:
    """The plan of most `(1 - W) mean + W CVaR_A` over the draws, within the options' gap of
    a bound proven on clustered draws (or the best plan and bound when the time limit
    stops it). `midpoint` is the midpoint plan's values of the model's columns (None where it
    has none): the clusters are fitted to it and, on HiGHS and unless `start_from_midpoint`
    is false, the search starts from it (later rounds from the best plan so far)."""
    assert risk.cvar is not None and risk.weight > 0
    share = risk.cvar
    started = time.perf_counter()
    deadline = started + options.time_limit
    models = RiskModels(model, draws, risk)
    matrix = models.matrix

    def totals_of(extended: LinearModel, values: np.ndarray) -> np.ndarray:
        return values[total_columns(model, extended)]

    def remaining() -> float:
        return max(deadline - time.perf_counter(), 1e-3)

    if midpoint is not None:
        clusters = first_clusters(matrix @ models.plan_totals(midpoint), share, singles)
    else:
        clusters = [np.arange(draws.count)]

    # The LP relaxation: split the clusters until its plan is scored exactly.
    built: tuple[list[np.ndarray], LinearModel] | None = None
    if model.is_mip:
        for _ in range(LP_ROUNDS):
            extended = models.build(clusters)
            built = (clusters, extended)
            relaxed = replace(extended, integrality=np.zeros(extended.num_cols, dtype=bool))
            lp = run_solver(relaxed, solver, replace(options, time_limit=remaining()))
            if not lp.status.has_plan or lp.values is None or time.perf_counter() > deadline:
                break
            finer = split(clusters, matrix @ totals_of(extended, lp.values), share)
            if finer is clusters:
                break
            clusters = finer

    best: tuple[float, LinearModel, Solution] | None = None
    bound = np.inf
    seconds, nodes, rounds = 0.0, 0, 0
    proven = False
    plan = midpoint if start_from_midpoint else None
    while True:
        rounds += 1
        # the LP's last model where its clusters are these
        extended = (
            built[1] if built is not None and built[0] is clusters else models.build(clusters)
        )
        # HiGHS only: CBC through PuLP started from a plan reports no bound
        start = start_values(extended, plan) if plan is not None and solver == "highs" else None
        last = run_solver(
            extended, solver, replace(options, time_limit=remaining()), progress, start=start
        )
        seconds += last.seconds
        nodes += last.nodes or 0
        if last.bound is not None and np.isfinite(last.bound):
            bound = min(bound, last.bound)
        if not last.status.has_plan or last.values is None:
            if best is None:
                return ClusteredSolve(extended, last, rounds, len(clusters))
            break
        totals = totals_of(extended, last.values)
        value = risk_measure(matrix @ totals, risk)
        if best is None or value > best[0]:
            best = (value, extended, last)
            plan = last.values[: model.num_cols]
        finer = split(clusters, matrix @ totals, share)
        if last.status is Status.OPTIMAL and finer is clusters:
            # the search proved its plan within the gap on a model that scores that plan
            # exactly, so on every draw too (and the best plan is no worse)
            proven = True
            break
        proven = _proven(best[0], bound, options.gap)
        if proven or last.status is not Status.OPTIMAL or time.perf_counter() > deadline:
            break
        clusters = finer
    value, extended, solution = best
    final = replace(
        solution,
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        objective=value,
        bound=float(bound) if np.isfinite(bound) else None,
        seconds=seconds,
        nodes=nodes,
        interrupted=last.interrupted,
        bound_method=BOUND_METHOD,
    )
    return ClusteredSolve(extended, final, rounds, len(clusters))


def _proven(value: float, bound: float, gap: float) -> bool:
    """Whether the plan's measure is within the gap of the bound (a hair of rounding
    forgiven: the searches measure their gap in their own floating point)."""
    return bool(np.isfinite(bound)) and relative_gap(value, bound) <= gap * (1 + 1e-6) + 1e-12
