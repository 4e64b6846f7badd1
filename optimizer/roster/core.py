"""A whole plan for a large roster from its relaxation: most creators fixed where the
relaxation (`optimizer.roster.relaxation`, or the Lagrangian bound of
`optimizer.roster.lagrangian`) would fix them, a small core left to a MIP.

A plan loses at least a creator's margin (its best plan's value less its second best) when
that creator leaves its best plan, and `|d_j|` per unit by which another column leaves the
bound where the relaxation holds it. So creators and columns of large margin are fixed, the
others (the core: creators the relaxation splits between plans and those of least margin)
form a small MIP that HiGHS solves from a rounded and greedily filled start (`core_mip`,
`greedy_fill`), and the plan's bound is `max(core MIP bound, L - least margin fixed)`,
never above `L`.
"""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.roster.patterns import Creators
from optimizer.roster.relaxation import Relaxation, creator_columns, rows_touched
from optimizer.solvers.base import SolveOptions, relative_gap

MOST_CORE = 20_000
"""Most columns of the core MIP."""
CORE_SIZE = 2000
"""Creators' columns nearest to zero reduced cost (or margin) in the core MIP (at least)."""
AIMED_GAP = 2e-4
"""The gap the core MIP aims for when the scenario allows more: a roster's plan is cheap to
bring closer to its bound than a planner's usual 1% (0.08% from the first whole plan, 0.01%
after the core's root node, at 100,000 creators), so it is, for at most `AIM_NODES` nodes
once the scenario's gap is met; the status still judges the scenario's own gap."""
AIM_NODES = 100
"""Branch-and-bound nodes the core MIP may spend past the scenario's gap on the way to
`AIMED_GAP`: a count, not seconds, so that a scenario gets the same plan on every run."""


def core_mip(
    model: LinearModel,
    sign: float,
    relaxation: Relaxation,
    options: SolveOptions,
    time_limit: float,
    size: int = CORE_SIZE,
) -> tuple[np.ndarray | None, float | None, float, int | None]:
    """The plan: columns (and creators) far from zero reduced cost (or margin) fixed where
    the relaxation would fix them, the core (about `size` columns besides those the
    relaxation leaves unsettled) a MIP started from the rounded relaxation. Its values (None
    where the core has no plan), the core's proven bound (maximisation form), the least loss
    of moving a fixed column, and the core's nodes."""
    from optimizer.solvers.highs import new_highs

    cost = sign * model.objective
    lower, upper = model.col_lower, model.col_upper
    integer = model.integrality
    rounded = (
        relaxation.rounded
        if relaxation.rounded is not None
        else np.where(integer, np.floor(relaxation.values + 1e-9), relaxation.values)
    )
    start = greedy_fill(model, cost, rounded, relaxation.master, relaxation.columns)
    lp_bound = relaxation.bound
    fixed_at = relaxation.fixed_values(model)
    loss = relaxation.losses()
    creators = relaxation.creators
    # the core: every column that is not a creator's, the relaxation's fractional columns,
    # and the creators' columns nearest to zero loss; the others stay where they are fixed
    always = ~creator_columns(model)
    fractional = np.abs(relaxation.values - np.round(relaxation.values)) > 1e-9
    unsettled = fractional | (np.abs(relaxation.values - fixed_at) > 1e-9)
    movable = (upper > lower) & ~always & ~unsettled
    candidates = np.flatnonzero(movable)
    size = min(MOST_CORE, max(size, 4 * int(unsettled.sum())))
    # half the core nearest to zero loss, half nearest per dollar of the column's price: a
    # costly creator close to entering (a macro post that would mend a share rule) loses
    # more in all than a cheap one far from it
    spend = np.zeros(model.num_cols)
    spend[model.count_columns] = model.cells.column("cost")
    per_dollar = loss[candidates] / np.maximum(spend[candidates], 1e-9)
    nearest = np.concatenate(
        [
            candidates[np.argsort(loss[candidates], kind="stable")[: size // 2]],
            candidates[np.argsort(per_dollar, kind="stable")[: size - size // 2]],
        ]
    )
    core_mask = always | unsettled
    core_mask[nearest] = True
    if start is not None:
        # the greedy plan moves some columns off where they would be fixed (a creator cut to
        # a whole post under its cap, the budget it frees spent on others): they join the
        # core, so the search starts from that plan
        core_mask[np.abs(start - fixed_at) > 1e-9] = True
    if creators is not None and relaxation.fixed is not None:
        # a creator whose plan is listed moves as a whole
        whole = np.unique(creators.code[core_mask & (creators.code >= 0)])
        core_mask |= np.isin(creators.code, whole) & (creators.code >= 0)
    core = np.flatnonzero(core_mask)
    fixed = np.ones(model.num_cols, dtype=bool)
    fixed[core] = False
    fixed_values = np.where(fixed, fixed_at, 0.0)
    moving = fixed & (upper > lower)
    fixed_loss = float(loss[moving].min()) if moving.any() else np.inf
    matrix = model.matrix
    activity = matrix @ fixed_values
    # the rows of the core's columns, every row that is not a creator's own, and any that
    # the fixed columns break (the core then has no plan, as the whole model has none)
    row_lower = model.row_lower - activity
    row_upper = model.row_upper - activity
    scale = 1e-7 * np.maximum(1.0, np.abs(activity))
    broken = (row_lower > scale) | (row_upper < -scale)
    own = (creators if creators is not None else Creators(model)).own_rows
    rows = rows_touched(relaxation.columns, core, ~own | broken)
    position = np.full(model.num_rows, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    sub = relaxation.columns[:, core]
    lp = highspy.HighsLp()
    lp.num_col_ = len(core)
    lp.num_row_ = len(rows)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cost[core]
    lp.col_lower_ = lower[core]
    lp.col_upper_ = upper[core]
    lp.row_lower_ = row_lower[rows]
    lp.row_upper_ = row_upper[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = len(core)
    lp.a_matrix_.num_row_ = len(rows)
    lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
    lp.a_matrix_.index_ = position[sub.indices].astype(np.int32)
    lp.a_matrix_.value_ = sub.data.astype(float)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in integer[core]
    ]
    highs = new_highs()
    highs.passModel(lp)
    aimed = min(options.gap, AIMED_GAP)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", aimed)
    if start is not None and not fixed[np.abs(start - fixed_values) > 1e-9].any():
        solution = highspy.HighsSolution()
        solution.col_value = list(start[core])
        solution.value_valid = True
        highs.setSolution(solution)
    # The search stops once its plan is within the aimed gap of the whole model's bound (or
    # within the scenario's gap after `AIM_NODES` nodes): the core's own bound (with the
    # fixed columns' part) where a fixed column cannot gain, else the relaxation's bound
    # less the least loss of moving one.
    fixed_part = float(cost[fixed] @ fixed_values[fixed])
    floor = relaxation.margin_bound - fixed_loss

    def enough(event: highspy.highs.HighsCallbackEvent) -> None:
        out = event.data_out
        primal = float(out.mip_primal_bound) + fixed_part
        dual = float(out.mip_dual_bound) + fixed_part
        if abs(primal) > 1e300:
            return
        bound = min(lp_bound, max(floor, dual))
        gap = relative_gap(primal, max(bound, primal))
        if gap <= aimed or (gap <= options.gap and int(out.mip_node_count) >= AIM_NODES):
            event.interrupt()

    highs.cbMipInterrupt.subscribe(enough)
    highs.run()
    info = highs.getInfo()
    if info.primal_solution_status != 2:
        if start is None:
            return None, None, fixed_loss, None
        return start, None, fixed_loss, None
    values = fixed_values.copy()
    values[core] = np.asarray(highs.getSolution().col_value, dtype=float)
    values = np.where(integer, np.round(values), values)
    if start is not None and cost @ start > cost @ values:
        values = start
    core_bound = float(info.mip_dual_bound) + fixed_part
    return values, core_bound, fixed_loss, int(info.mip_node_count)


def greedy_fill(
    model: LinearModel,
    cost: np.ndarray,
    rounded: np.ndarray,
    columns: np.ndarray,
    by_column: Any = None,
) -> np.ndarray | None:
    """The rounded-down relaxation, filled one unit at a time with the master's columns of
    most value per dollar while every row holds; None when the rounded plan breaks a row (a
    minimum)."""
    matrix = model.matrix
    activity = matrix @ rounded
    finite_upper = np.where(np.isfinite(model.row_upper), model.row_upper, 0.0)
    tolerance = 1e-7 * np.maximum(1.0, np.abs(finite_upper))
    below = activity < model.row_lower - tolerance
    if below.any() or (activity > model.row_upper + tolerance).any():
        return None
    cells = model.cells
    spend = np.zeros(model.num_cols)
    spend[model.count_columns] = cells.column("cost")
    candidates = columns[(cost[columns] > 0) & (rounded[columns] < model.col_upper[columns])]
    order = candidates[np.argsort(-cost[candidates] / np.maximum(spend[candidates], 1e-9))]
    sub = matrix.tocsc() if by_column is None else by_column
    values = rounded.copy()
    for column in order:
        rows = sub.indices[sub.indptr[column] : sub.indptr[column + 1]]
        step = sub.data[sub.indptr[column] : sub.indptr[column + 1]]
        while values[column] + 1 <= model.col_upper[column] + 1e-9:
            after = activity[rows] + step
            if (after > model.row_upper[rows] + tolerance[rows]).any() or (
                after < model.row_lower[rows] - tolerance[rows]
            ).any():
                break
            activity[rows] = after
            values[column] += 1
    return values
