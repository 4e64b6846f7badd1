"""The linear relaxation of a large roster by column generation, and the pricing loop, the
Lagrangian `L(y)` and the row and column helpers that the Lagrangian bound
(`optimizer.roster.lagrangian`) and the core MIP (`optimizer.roster.core`) build on.

A roster of 100,000 creators over four quarters is 400,000 integer columns held together by
a handful of rows (budget, shares, limits). Such an LP is solved here by pricing: a small
restricted master (the offers' columns, the creators that must post, and the creators of
most value per dollar) is solved by HiGHS, every column is priced in numpy against its
duals (`d = c - A'y`), the columns of positive reduced cost join the master, and so on until
none is left (`relax`). Elastic columns of a large penalty keep the master feasible
meanwhile; where the rows cannot hold, the master then minimises the elastic columns alone,
and prices that prove no plan exists end the solve (`generate`).

For any duals `y` the Lagrangian `L(y) = sum_i max(y_i l_i, y_i u_i) + sum_j max_x d_j x_j`
bounds every plan (weak duality); at the LP's duals it is the LP bound (`lagrangian`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.roster.master import Master
from optimizer.roster.patterns import Best, Creators

LP_BOUND = "lp"
"""The bound's method when it is the LP relaxation's."""
FIRST_MASTER = 3000
"""Creators' columns in the first master (besides those each platform and tier brings)."""
PER_GROUP = 200
"""Best columns by value per dollar of each (platform, tier) in the first master, so that
share rules on tiers find columns to meet them."""
ADDED_PER_ROUND = 2000
"""Most columns (or creators' plans) a pricing round adds to the master, or one in 200 of
the model's columns where that is more (a million creators' LP needs about 100,000)."""
MOST_ROUNDS = 200
PRICE_TOLERANCE = 1e-7
"""Reduced costs below this (relative to the column's objective scale) price out."""
INFEASIBLE_TOLERANCE = 1e-6
"""How far below zero the phase-one Lagrangian must be to prove that no plan exists
(relative to the rows' scale)."""


@dataclass(frozen=True)
class Relaxation:
    """A relaxation's outcome, in maximisation form (`sign` times the model's objective):
    its plan, its duals and the bound `L` they prove, and where each column would be fixed
    with the least a plan loses by moving it."""

    values: np.ndarray
    duals: np.ndarray
    reduced: np.ndarray
    bound: float
    master: np.ndarray
    """The model columns the master held (or whose creators' plans it held)."""
    rounds: int
    feasible: bool
    columns: Any
    """The constraint matrix by columns (SciPy CSC), made once for every step."""
    infeasible: bool = False
    """Proven: no plan keeps the rows (phase one's Lagrangian is below zero)."""
    fixed: np.ndarray | None = None
    """Each column's value where the core MIP would fix it (None: at its bound by the sign
    of its reduced cost)."""
    loss: np.ndarray | None = None
    """The least a plan loses by moving each column from `fixed` (None: `|reduced|`)."""
    rounded: np.ndarray | None = None
    """A whole-number plan near `values` for the greedy start (None: `values` rounded down)."""
    creators: Creators | None = None
    method: str = LP_BOUND
    lp_bound: float | None = None
    """The LP relaxation's bound, beside a Lagrangian one."""
    fixing_bound: float | None = None
    """`L` at the duals that `fixed` and `loss` are measured at (None: `bound`): a plan
    that moves a fixed column is worth at most this less the column's loss."""
    penalty: float = 0.0
    """The master's price of an elastic column."""

    def fixed_values(self, model: LinearModel) -> np.ndarray:
        if self.fixed is not None:
            return self.fixed
        at_bound = np.where(self.reduced > 0, model.col_upper, model.col_lower)
        return np.where(np.isfinite(at_bound), at_bound, 0.0)

    def losses(self) -> np.ndarray:
        return np.abs(self.reduced) if self.loss is None else self.loss

    @property
    def margin_bound(self) -> float:
        return self.bound if self.fixing_bound is None else self.fixing_bound


def relax(
    model: LinearModel,
    sign: float,
    time_limit: float = 60.0,
    creators: Creators | None = None,
) -> Relaxation:
    """The LP relaxation by column generation over a restricted master."""
    started = time.perf_counter()
    creators = creators if creators is not None else Creators(model)
    cost = sign * model.objective
    matrix = model.matrix
    columns = matrix.tocsc()
    row_lower, row_upper = model.row_lower, model.row_upper
    own = creators.own_rows
    # a creator's row enters with its creator's first column, or at once where a plan
    # without that creator would break it
    entering_rows = own & ~holds_at_zero(model)
    first = first_master(model, cost)
    rows = rows_touched(columns, first, ~own | entering_rows)
    penalty = _penalty(cost, matrix)
    master = Master(model, cost, columns, rows, penalty)
    master.add_cells(first)
    open_ = model.col_upper > model.col_lower
    scales = scale(cost)
    most_added = per_round(model)
    by_row = columns.T  # CSR: pricing is a product by rows

    def price(duals: np.ndarray, _: np.ndarray, worth: np.ndarray) -> Priced:
        reduced = worth - by_row @ duals
        entering = np.flatnonzero(~master.in_master & (reduced > PRICE_TOLERANCE * scales) & open_)
        entering = most(entering, reduced[entering] / scales[entering], most_added)
        return Priced(reduced, None, entering)

    def bound(duals: np.ndarray, priced: Priced, _: np.ndarray) -> float:
        return lagrangian(
            duals, priced.reduced, row_lower, row_upper, model.col_lower, model.col_upper
        )

    outcome = generate(master, price, bound, cost, started, time_limit)
    if outcome.infeasible is not None:
        return Relaxation(
            np.zeros(model.num_cols),
            outcome.duals,
            outcome.priced.reduced,
            np.inf,
            master.cells,
            outcome.rounds,
            False,
            columns,
            infeasible=outcome.infeasible,
            penalty=penalty,
        )
    priced = outcome.priced
    assert priced.bound is not None
    return Relaxation(
        master.values(),
        outcome.duals,
        priced.reduced,
        priced.bound,
        master.cells,
        outcome.rounds,
        outcome.feasible,
        columns,
        creators=creators,
        lp_bound=priced.bound,
        penalty=penalty,
    )


@dataclass
class Priced:
    """One pricing round: reduced costs, the bound they prove, and what joins the master."""

    reduced: np.ndarray
    bound: float | None
    """The bound the round's duals prove (None until worked out)."""
    cells: np.ndarray
    creators: np.ndarray | None = None
    plans: Any = None
    best: Best | None = None


@dataclass
class _Outcome:
    priced: Priced
    duals: np.ndarray
    rounds: int
    feasible: bool
    infeasible: bool | None = None
    """True: proven that no plan exists; None: not in question (the master needed no
    elastic column); False: elastic columns were needed yet no proof was found."""
    best_bound: float = np.inf
    """The least bound of phase two's rounds (every round's duals prove one)."""


def generate(
    master: Master,
    price: Any,
    bound: Any,
    cost: np.ndarray,
    started: float,
    time_limit: float,
    zero_allowed: np.ndarray | None = None,
    skip: np.ndarray | None = None,
) -> _Outcome:
    """Column generation: solve the master, price, add, until nothing prices in. Where the
    master still leans on its elastic columns, phase one then minimises them alone; a
    Lagrangian of that phase below zero proves no plan exists. `price` gives a round's
    reduced costs and what joins the master, `bound` the bound of a round's duals where
    `price` left it out."""
    rounds = 0
    worth = cost
    best_bound = np.inf
    while True:
        rounds += 1
        duals, convexity = master.run()
        priced: Priced = price(duals, convexity, worth)
        if master.phase == 2 and priced.bound is not None and priced.bound < best_bound:
            best_bound = priced.bound
        adding = len(priced.cells) or (priced.creators is not None and len(priced.creators))
        overtime = time.perf_counter() - started > time_limit
        if adding and rounds < MOST_ROUNDS and not overtime:
            master.add_cells(priced.cells)
            if priced.creators is not None and len(priced.creators):
                assert zero_allowed is not None and skip is not None
                master.add_plans(priced.creators, priced.plans, zero_allowed, skip)
            continue
        if master.phase == 2 and master.optimal and master.elastic() > 1e-7 and not overtime:
            # the rows may not hold together: look for a proof
            master.phase_one()
            worth = np.zeros_like(cost)
            continue
        break
    if priced.bound is None:
        priced.bound = float(bound(duals, priced, worth))
        if master.phase == 2:
            best_bound = min(best_bound, priced.bound)
    if master.phase == 1:
        proven = priced.bound < -INFEASIBLE_TOLERANCE * _row_scale(master.model) and not adding
        return _Outcome(priced, duals, rounds, False, proven, best_bound)
    feasible = master.optimal and master.elastic() <= 1e-7
    return _Outcome(priced, duals, rounds, feasible, None, best_bound)


def most(chosen: np.ndarray, score: np.ndarray, count: int) -> np.ndarray:
    """The `count` of `chosen` of highest score, best first (all of them when fewer)."""
    if len(chosen) > count:
        top = np.argpartition(-score, count - 1)[:count]
        chosen, score = chosen[top], score[top]
    return chosen[np.argsort(-score, kind="stable")]


def per_round(model: LinearModel) -> int:
    return max(ADDED_PER_ROUND, model.num_cols // 200)


def _row_scale(model: LinearModel) -> float:
    """The largest finite row bound (at least 1): the scale of a phase-one Lagrangian."""
    bounds = np.concatenate([model.row_lower, model.row_upper])
    return max(1.0, float(np.abs(bounds[np.isfinite(bounds)]).max(initial=1.0)))


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
    cell_of = ranked
    groups = cells.level("platform")[cell_of[cell_of < n_cells]] + "\0"
    groups = groups + cells.level("tier")[cell_of[cell_of < n_cells]]
    import pandas as pd

    best_of_group = pd.Series(np.arange(len(groups))).groupby(groups, sort=False).head(PER_GROUP)
    chosen.append(cell_of[best_of_group.to_numpy()])
    picked = np.unique(np.concatenate([np.flatnonzero(always), *chosen]))
    return picked.astype(np.int64)


def holds_at_zero(model: LinearModel) -> np.ndarray:
    return (model.row_lower <= 0) & (model.row_upper >= 0)


def rows_touched(columns: Any, chosen: np.ndarray, also: np.ndarray) -> np.ndarray:
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
    data = matrix.data  # type: ignore[attr-defined]
    nonzero = np.abs(data[data != 0])
    smallest = float(nonzero.min()) if len(nonzero) else 1.0
    largest = float(np.abs(cost).max()) if len(cost) else 1.0
    return float(min(max(1e3 * max(largest, 1.0) / smallest, 1e3), 1e9))


def scale(cost: np.ndarray) -> np.ndarray:
    """Each column's objective scale, for relative pricing tolerances (phase one prices
    against zero costs, so the model's own costs set the scale throughout)."""
    return np.maximum(np.abs(cost), 1e-9 + np.abs(cost).max(initial=0.0) * 1e-9)
