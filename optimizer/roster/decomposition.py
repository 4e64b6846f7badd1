"""Rosters too large for branch and bound, solved in three stages: the linear relaxation by
column generation (`optimizer.roster.relaxation`), a Lagrangian bound with each creator's
own rows kept whole (`optimizer.roster.lagrangian`), and a plan made whole on a core of
creators (`optimizer.roster.core`).

A roster of 100,000 creators over four quarters is 400,000 integer columns held together by
a handful of rows (budget, shares, limits): too many for one branch and bound, few rows
enough for pricing. `solve_decomposed` relaxes the roster; where a creator has rows of its
own (a limit per creator, its `must`) it tightens the LP bound to the Lagrangian one and
reports the better of the two (`bound_method` "lagrangian" or "lp"); then it solves the core
MIP, growing the core where it has no plan. The plan's bound is `max(core MIP bound, L -
least margin fixed)`, never above `L` and never below the plan itself. Prices that prove no
plan exists give an infeasible Solution; a relaxation that cannot decide gives None, and
the caller runs the plain MIP.
"""

from __future__ import annotations

import time
from dataclasses import replace

from optimizer.model.linear import LinearModel
from optimizer.roster.core import CORE_SIZE, MOST_CORE, core_mip
from optimizer.roster.lagrangian import LAGRANGIAN, lagrangian_dual
from optimizer.roster.patterns import Creators
from optimizer.roster.relaxation import LP_BOUND, relax
from optimizer.solvers.base import Solution, SolveOptions, Status, relative_gap

METHOD = "column-generation+core-mip"
"""How a plan solved here was found, as `solver.method` reports it."""
LP_METHOD = "column-generation"
"""The method of a roster scenario with fractional counts (`integer: false`): the LP alone."""


def solve_decomposed(model: LinearModel, options: SolveOptions) -> Solution | None:
    """Solve a roster model by column generation, a Lagrangian bound and a core MIP; an
    infeasible Solution where prices prove no plan exists; None where the relaxation could
    not decide (the caller then runs the plain MIP)."""
    from optimizer.solvers.highs import start_one_thread_pool

    start_one_thread_pool()
    started = time.perf_counter()
    sign = 1.0 if model.sense == "maximize" else -1.0
    creators = Creators(model)
    relaxation = relax(model, sign, options.time_limit, creators)
    if relaxation.infeasible:
        return _infeasible(started, relaxation.method)
    if not relaxation.feasible:
        return None
    if not model.is_mip:
        objective = float(model.objective @ relaxation.values)
        return Solution(
            Status.OPTIMAL,
            relaxation.values,
            objective,
            sign * relaxation.bound,
            time.perf_counter() - started,
            "highs",
            method=LP_METHOD,
            bound_method=LP_BOUND,
        )
    if creators.local.any():
        left = max(options.time_limit - (time.perf_counter() - started), 1.0)
        dual = lagrangian_dual(model, sign, relaxation, creators, left)
        if dual.infeasible:
            return _infeasible(started, LAGRANGIAN)
        if dual.feasible:
            # the better of the two bounds is reported, and named (the Lagrangian is the
            # tighter one unless its column generation was stopped short)
            if relaxation.bound < dual.bound:
                dual = replace(dual, bound=relaxation.bound, method=LP_BOUND)
            relaxation = dual
    left = max(options.time_limit - (time.perf_counter() - started), 1.0)
    size = CORE_SIZE
    while True:
        values, core_bound, fixed_loss, nodes = core_mip(
            model, sign, relaxation, options, left, size
        )
        left = options.time_limit - (time.perf_counter() - started)
        if values is not None or size >= MOST_CORE or left < 1.0:
            break
        size *= 4  # a core with no plan: more creators may move
    if values is None:
        return None
    objective = float(model.objective @ values)
    bound = relaxation.margin_bound - fixed_loss
    if core_bound is not None:
        bound = max(bound, core_bound)
    bound = min(bound, relaxation.bound)
    bound = max(bound, sign * objective)  # the plan itself is a plan
    gap = relative_gap(sign * objective, bound)
    status = Status.OPTIMAL if gap <= options.gap + 1e-12 else Status.FEASIBLE
    return Solution(
        status,
        values,
        objective,
        sign * bound,
        time.perf_counter() - started,
        "highs",
        nodes,
        method=METHOD,
        bound_method=relaxation.method,
    )


def _infeasible(started: float, method: str) -> Solution:
    return Solution(
        Status.INFEASIBLE,
        None,
        None,
        None,
        time.perf_counter() - started,
        "highs",
        method=METHOD,
        bound_method=method,
    )
