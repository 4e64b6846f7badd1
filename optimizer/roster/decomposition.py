"""Rosters too large for branch and bound: the linear relaxation by column generation, made
whole on a core of columns, and proven against a Lagrangian bound.

A roster of 100,000 creators over four quarters is 400,000 integer columns held together by
a handful of rows (budget, shares, limits). Such an LP is solved here by pricing: a small
restricted master (the offers' columns, the creators that must post, and the creators of
most value per dollar) is solved by HiGHS, every column is priced in numpy against its
duals (`d = c - A'y`), the columns of positive reduced cost join the master, and so on until
none is left. Elastic columns of a large penalty keep the master feasible meanwhile.

A limit per creator (no creator above $20,000, say) is a row per creator that holds only
that creator's columns. Such a row joins the master with the first of its creator's columns
(until then it is slack, its dual 0, and pricing is exact), so a roster of a million
creators under a per-creator cap keeps a master of a few thousand rows; the core MIP holds
the rows of its own columns alone. A creator with a single cell has the cap as its column's
bound besides.

For any duals `y` the Lagrangian `L(y) = sum_i max(y_i l_i, y_i u_i) + sum_j max_x d_j x_j`
bounds every plan (weak duality), so `L` at the final duals is the LP bound, computed over
all columns independently of the master. A plan also loses at least `|d_j|` per unit by
which column j leaves the bound where the LP holds it. So columns whose `|d_j|` is at least
a threshold are fixed at their LP bound, the others (the core: the LP's basic columns and
those near them) form a small MIP that HiGHS solves from a rounded and greedily filled
start, and the plan's bound is `max(core MIP bound, L - least |d_j| fixed)`: any plan that
moves a fixed column loses that much against `L`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions, Status, relative_gap

METHOD = "column-generation+core-mip"
"""How a plan solved here was found, as `solver.method` reports it."""
LP_METHOD = "column-generation"
"""The method of a roster scenario with fractional counts (`integer: false`): the LP alone."""
FIRST_MASTER = 3000
"""Creators' columns in the first master (besides those each platform and tier brings)."""
PER_GROUP = 200
"""Best columns by value per dollar of each (platform, tier) in the first master, so that
share rules on tiers find columns to meet them."""
ADDED_PER_ROUND = 2000
"""Most columns a pricing round adds to the master."""
MOST_ROUNDS = 200
MOST_CORE = 20_000
"""Most columns of the core MIP."""
CORE_SIZE = 2_000
"""Creators' columns nearest to zero reduced cost in the core MIP (at least)."""
PRICE_TOLERANCE = 1e-7
"""Reduced costs below this (relative to the column's objective scale) price out."""


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's outcome: values, duals, reduced costs and the Lagrangian bound,
    all in maximisation form (`sign` times the model's objective)."""

    values: np.ndarray
    duals: np.ndarray
    reduced: np.ndarray
    bound: float
    master: np.ndarray
    rounds: int
    feasible: bool
    columns: Any
    """The constraint matrix by columns (SciPy CSC), made once for every step."""


def solve_decomposed(model: LinearModel, options: SolveOptions) -> Solution | None:
    """Solve a roster model by column generation and a core MIP; None when the LP shows no
    plan exists (the caller then runs the plain MIP, whose report names the conflict)."""
    from optimizer.solvers.highs import start_one_thread_pool

    start_one_thread_pool()
    started = time.perf_counter()
    sign = 1.0 if model.sense == "maximize" else -1.0
    relaxation = relax(model, sign, options.time_limit)
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
        )
    left = max(options.time_limit - (time.perf_counter() - started), 1.0)
    values, core_bound, fixed_loss, nodes = _core_mip(model, sign, relaxation, options, left)
    if values is None:
        return None
    objective = float(model.objective @ values)
    bound = relaxation.bound - fixed_loss
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
    )


def relax(model: LinearModel, sign: float, time_limit: float = 60.0) -> Relaxation:
    """The LP relaxation by column generation over a restricted master."""
    started = time.perf_counter()
    cost = sign * model.objective
    matrix = model.matrix
    columns = matrix.tocsc()
    row_lower, row_upper = model.row_lower, model.row_upper
    col_lower, col_upper = model.col_lower, model.col_upper
    master = first_master(model, cost)
    penalty = _penalty(cost, matrix)
    local = creator_rows(model)
    # a creator's row enters with its creator's first column, or at once where a plan
    # without that creator would break it
    entering_rows = local & ~((row_lower <= 0) & (row_upper >= 0))
    rows = _rows_touched(columns, master, ~local | entering_rows)
    position = np.full(model.num_rows, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    highs, artificial = _master_highs(columns, cost, master, model, penalty, rows, position)
    in_master = np.zeros(model.num_cols, dtype=bool)
    in_master[master] = True
    scale = np.maximum(np.abs(cost), 1e-9 + np.abs(cost).max() * 1e-9)
    rounds = 0
    while True:
        rounds += 1
        highs.run()
        solution = highs.getSolution()
        duals = np.zeros(model.num_rows)
        duals[rows] = np.asarray(solution.row_dual, dtype=float)
        reduced = cost - matrix.T @ duals
        entering = np.flatnonzero(
            ~in_master & (reduced > PRICE_TOLERANCE * scale) & (col_upper > col_lower)
        )
        overtime = time.perf_counter() - started > time_limit
        if not len(entering) or rounds >= MOST_ROUNDS or overtime:
            break
        if len(entering) > ADDED_PER_ROUND:
            entering = entering[np.argsort(-reduced[entering] / scale[entering])[:ADDED_PER_ROUND]]
        touched = columns[:, entering].indices
        touched = np.unique(touched[position[touched] < 0])
        if len(touched):
            highs.addRows(
                len(touched),
                row_lower[touched],
                row_upper[touched],
                0,
                np.zeros(0, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
            position[touched] = len(rows) + np.arange(len(touched))
            rows = np.concatenate([rows, touched])
        _add_columns(highs, columns, cost, entering, col_lower, col_upper, position)
        master = np.concatenate([master, entering])
        in_master[entering] = True
    master_values = np.asarray(solution.col_value, dtype=float)
    values = np.zeros(model.num_cols)
    values[master] = master_values[artificial : artificial + len(master)]
    feasible = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal and (
        master_values[:artificial].max(initial=0.0) <= 1e-7
    )
    bound = lagrangian(duals, reduced, row_lower, row_upper, col_lower, col_upper)
    return Relaxation(values, duals, reduced, bound, master, rounds, feasible, columns)


def lagrangian(
    duals: np.ndarray,
    reduced: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
) -> float:
    """`L(y)`, an upper bound on every plan of the (maximisation) model, for any duals."""
    with np.errstate(invalid="ignore"):
        rows = np.where(duals > 0, duals * row_upper, np.where(duals < 0, duals * row_lower, 0.0))
        cols = np.where(reduced > 0, reduced * col_upper, reduced * col_lower)
        cols = np.where(reduced == 0, 0.0, cols)
    return float(rows.sum() + cols.sum())


def first_master(model: LinearModel, cost: np.ndarray) -> np.ndarray:
    """Columns of the first master: every column that is not a creator's count (offers,
    saturation segments and switches), creators that must post or must take a count, and
    the creators of most value per dollar overall and in each (platform, tier)."""
    cells = model.cells
    n_cells = len(cells)
    is_creator = creator_columns(model)
    open_ = model.col_upper > model.col_lower
    always = ~is_creator | (model.col_lower > 0)
    must = _must_columns(model)
    always[must] = True
    candidates = np.flatnonzero(is_creator & open_ & ~always)
    spend = np.zeros(model.num_cols)
    spend[model.count_columns] = cells.column("cost")
    ratio = cost[candidates] / np.maximum(spend[candidates], 1e-9)
    ranked = candidates[np.argsort(-ratio, kind="stable")]
    chosen = [ranked[:FIRST_MASTER]]
    cell_of = candidates[np.argsort(-ratio, kind="stable")]
    groups = cells.level("platform")[cell_of[cell_of < n_cells]] + "\0"
    groups = groups + cells.level("tier")[cell_of[cell_of < n_cells]]
    import pandas as pd

    best_of_group = pd.Series(np.arange(len(groups))).groupby(groups, sort=False).head(PER_GROUP)
    chosen.append(cell_of[best_of_group.to_numpy()])
    picked = np.unique(np.concatenate([np.flatnonzero(always), *chosen]))
    return picked.astype(np.int64)


def creator_rows(model: LinearModel) -> np.ndarray:
    """Which rows are a limit's per creator (each holds one creator's columns only)."""
    mask = np.zeros(model.num_rows, dtype=bool)
    for block in model.blocks:
        if block.constraint is not None and "creator" in block.constraint.group:
            mask[block.start : block.stop] = True
    return mask


def _rows_touched(columns: Any, chosen: np.ndarray, also: np.ndarray) -> np.ndarray:
    """Rows that the chosen columns have entries in, with the rows of mask `also`, in order."""
    mask = also.copy()
    sub = columns[:, chosen]
    mask[sub.indices] = True
    return np.flatnonzero(mask)


def creator_columns(model: LinearModel) -> np.ndarray:
    """Which columns are roster creators' counts."""
    mask = np.zeros(model.num_cols, dtype=bool)
    mask[model.count_columns] = model.cells.level("creator") != ""
    return mask


def _must_columns(model: LinearModel) -> np.ndarray:
    blocks = [block for block in model.blocks if block.name == "must"]
    if not blocks:
        return np.zeros(0, dtype=np.int64)
    rows = model.rows
    start, stop = rows.indptr[blocks[0].start], rows.indptr[blocks[0].stop]
    return np.asarray(rows.indices[start:stop], dtype=np.int64)


def _penalty(cost: np.ndarray, matrix: object) -> float:
    """The price of an elastic column: far above any dual a plan's rows can carry."""
    data = np.abs(matrix.data)  # type: ignore[attr-defined]
    smallest = float(data[data > 0].min()) if (data > 0).any() else 1.0
    largest = float(np.abs(cost).max()) if len(cost) else 1.0
    return float(min(max(1e3 * max(largest, 1.0) / smallest, 1e3), 1e9))


def _master_highs(
    columns: object,
    cost: np.ndarray,
    master: np.ndarray,
    model: LinearModel,
    penalty: float,
    rows: np.ndarray,
    position: np.ndarray,
) -> tuple[highspy.Highs, int]:
    """A HiGHS LP of the master's columns and `rows` (`position` maps a model row to its
    master row) after one elastic column per finite row side; the number of elastic
    columns."""
    from optimizer.solvers.highs import new_highs

    n_rows = len(rows)
    row_lower, row_upper = model.row_lower[rows], model.row_upper[rows]
    lower_rows = np.flatnonzero(np.isfinite(row_lower))
    upper_rows = np.flatnonzero(np.isfinite(row_upper))
    artificial = len(lower_rows) + len(upper_rows)
    sub = columns[:, master]  # type: ignore[index]
    lp = highspy.HighsLp()
    lp.num_col_ = artificial + len(master)
    lp.num_row_ = n_rows
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.full(artificial, -penalty), cost[master]])
    lp.col_lower_ = np.concatenate([np.zeros(artificial), model.col_lower[master]])
    lp.col_upper_ = np.concatenate([np.full(artificial, np.inf), model.col_upper[master]])
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    starts = np.concatenate([np.arange(artificial), artificial + sub.indptr])
    indices = np.concatenate([lower_rows, upper_rows, position[sub.indices]])
    values = np.concatenate([np.ones(len(lower_rows)), -np.ones(len(upper_rows)), sub.data])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = n_rows
    lp.a_matrix_.start_ = starts.astype(np.int32)
    lp.a_matrix_.index_ = indices.astype(np.int32)
    lp.a_matrix_.value_ = values.astype(float)
    highs = new_highs()
    highs.passModel(lp)
    return highs, artificial


def _add_columns(
    highs: highspy.Highs,
    columns: object,
    cost: np.ndarray,
    entering: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    position: np.ndarray,
) -> None:
    sub = columns[:, entering]  # type: ignore[index]
    highs.addCols(
        len(entering),
        cost[entering],
        col_lower[entering],
        col_upper[entering],
        len(sub.data),
        sub.indptr[:-1].astype(np.int32),
        position[sub.indices].astype(np.int32),
        sub.data.astype(float),
    )


def _core_mip(
    model: LinearModel,
    sign: float,
    relaxation: Relaxation,
    options: SolveOptions,
    time_limit: float,
) -> tuple[np.ndarray | None, float | None, float, int | None]:
    """The plan: columns far from zero reduced cost fixed at their LP bound, the core a MIP
    started from the rounded LP. Its values, the core's proven bound (maximisation form),
    the least loss of moving a fixed column, and the core's nodes."""
    from optimizer.solvers.highs import new_highs

    cost = sign * model.objective
    reduced = relaxation.reduced
    lower, upper = model.col_lower, model.col_upper
    integer = model.integrality
    rounded = np.where(integer, np.floor(relaxation.values + 1e-9), relaxation.values)
    start = greedy_fill(model, cost, rounded, relaxation.master, relaxation.columns)
    lp_bound = relaxation.bound
    # the core: every column that is not a creator's, the LP's fractional columns, and the
    # creators' columns nearest to zero reduced cost; the others stay where the LP has them
    at_bound = np.where(reduced > 0, upper, lower)
    always = ~creator_columns(model)
    fractional = np.abs(relaxation.values - np.round(relaxation.values)) > 1e-9
    movable = (upper > lower) & ~always & ~fractional
    candidates = np.flatnonzero(movable)
    size = min(MOST_CORE, max(CORE_SIZE, 4 * int(fractional.sum())))
    nearest = candidates[np.argsort(np.abs(reduced[candidates]), kind="stable")[:size]]
    core_mask = always | fractional
    core_mask[nearest] = True
    if start is not None:
        # the greedy plan moves some columns off their LP bound (a creator cut to a whole
        # post under its cap, the budget it frees spent on others): they join the core, so
        # the search starts from that plan
        core_mask[np.abs(start - at_bound) > 1e-9] = True
    core = np.flatnonzero(core_mask)
    fixed = np.ones(model.num_cols, dtype=bool)
    fixed[core] = False
    fixed_values = np.where(fixed, np.where(np.isfinite(at_bound), at_bound, 0.0), 0.0)
    moving = fixed & (upper > lower)
    fixed_loss = float(np.abs(reduced[moving]).min()) if moving.any() else np.inf
    matrix = model.matrix
    activity = matrix @ fixed_values
    # the rows of the core's columns, every row that is not a creator's, and any that the
    # fixed columns break (the core then has no plan, as the whole model has none)
    row_lower = model.row_lower - activity
    row_upper = model.row_upper - activity
    scale = 1e-7 * np.maximum(1.0, np.abs(activity))
    broken = (row_lower > scale) | (row_upper < -scale)
    rows = _rows_touched(relaxation.columns, core, ~creator_rows(model) | broken)
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
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(options.gap))
    if start is not None and not fixed[start != fixed_values].any():
        solution = highspy.HighsSolution()
        solution.col_value = list(start[core])
        solution.value_valid = True
        highs.setSolution(solution)
    # The search stops once its plan is within the gap of the whole model's bound: the
    # core's own bound (with the fixed columns' part) where a fixed column cannot gain,
    # else the LP bound less the least loss of moving one.
    fixed_part = float(cost[fixed] @ fixed_values[fixed])
    floor = lp_bound - fixed_loss

    def enough(event: highspy.highs.HighsCallbackEvent) -> None:
        out = event.data_out
        primal = float(out.mip_primal_bound) + fixed_part
        dual = float(out.mip_dual_bound) + fixed_part
        if abs(primal) > 1e300:
            return
        bound = min(lp_bound, max(floor, dual))
        if relative_gap(primal, max(bound, primal)) <= options.gap:
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
    core_bound = float(info.mip_dual_bound) + float(cost[fixed] @ fixed_values[fixed])
    return values, core_bound, fixed_loss, int(info.mip_node_count)


def greedy_fill(
    model: LinearModel,
    cost: np.ndarray,
    rounded: np.ndarray,
    columns: np.ndarray,
    by_column: Any = None,
) -> np.ndarray | None:
    """The rounded-down LP, filled one unit at a time with the master's columns of most value
    per dollar while every row holds; None when the rounded plan breaks a row (a minimum)."""
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
