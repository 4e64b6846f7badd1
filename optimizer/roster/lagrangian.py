"""The Lagrangian bound of a large roster with each creator's own rows kept whole, where
the LP relaxation's (`optimizer.roster.relaxation`) is loose.

A creator's own rows (a limit per creator such as no creator above $20,000, its `must`)
make the LP bound loose: the LP takes a fraction of a capped creator's last post, which no
plan can. So this stage (`lagrangian_dual`) dualises only the rows that span creators
(budget, period budgets, shares, platform caps) and keeps each creator's own rows inside its
own small integer problem: its best whole plan over its periods, found by listing its plans
(`optimizer.roster.patterns`). `L(y)` then adds each creator's best plan instead of its
best fractional one, and is a bound at any `y`. Its best `y` is found from the LP's duals by
Dantzig-Wolfe column generation (Kelley's cutting planes on `y`): the master's columns are
creators' whole plans, a creator's plans weighted to at most 1, and the plans that would
gain at the master's duals join it until none would. That bound is never above the LP's and
is the proof reported (`bound_method` "lagrangian"); where no creator has rows of its own it
equals the LP bound ("lp"). It also gives the core MIP (`optimizer.roster.core`) each
creator's margin and a rounded whole plan to start from.
"""

from __future__ import annotations

import time

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.roster.master import Master
from optimizer.roster.patterns import Best, Creators
from optimizer.roster.relaxation import (
    PRICE_TOLERANCE,
    Priced,
    Relaxation,
    generate,
    holds_at_zero,
    lagrangian,
    most,
    per_round,
    rows_touched,
    scale,
)

LAGRANGIAN = "lagrangian"
"""The bound's method when each creator's own rows are kept in its own integer problem."""


def lagrangian_dual(
    model: LinearModel,
    sign: float,
    relaxation: Relaxation,
    creators: Creators,
    time_limit: float,
) -> Relaxation:
    """The Lagrangian bound with each listed creator's own rows kept inside its plans, its
    multipliers improved from the LP's duals by Dantzig-Wolfe column generation."""
    started = time.perf_counter()
    cost = sign * model.objective
    matrix = model.matrix
    columns = relaxation.columns
    skip = creators.local
    row_lower, row_upper = model.row_lower, model.row_upper
    cell_mode = creators.cell_mode
    open_ = model.col_upper > model.col_lower
    scales = scale(cost)
    most_added = per_round(model)
    by_row = columns.T
    creator_scale = np.zeros(creators.count)
    owned = creators.code >= 0
    np.maximum.at(creator_scale, creators.code[owned], scales[owned] * model.col_upper[owned])
    creator_scale = np.maximum(creator_scale, scales.min(initial=1.0))
    listed = creators.listed

    def bound_of(duals: np.ndarray, reduced: np.ndarray, best: Best) -> float:
        return lagrangian(
            duals,
            np.where(cell_mode, reduced, 0.0),
            row_lower,
            row_upper,
            model.col_lower,
            model.col_upper,
        ) + float(best.value[listed].sum())

    # the first master: the LP's columns of creators left as cells, and for each creator the
    # LP used (and each that must post) its best plan at the LP's duals
    duals = np.where(skip, 0.0, relaxation.duals)
    reduced = cost - matrix.T @ duals
    best = creators.best(reduced)
    if not np.isfinite(best.value[listed]).all():
        return _proof_of_none(relaxation)
    first_bound = bound_of(duals, reduced, best)
    # the creators the LP books (not every one its master held: each creator in the
    # master brings a convexity row)
    booked = relaxation.master[relaxation.values[relaxation.master] > 1e-9]
    used = np.unique(creators.code[booked])
    used = used[used >= 0]
    chosen = np.zeros(creators.count, dtype=bool)
    chosen[used] = True
    chosen |= (best.value > 0) | ~creators.zero_allowed
    chosen &= listed
    wanted = np.flatnonzero(chosen)
    # the rows that span creators, those of creators left as cells that a plan without
    # them would break, and those the first cells touch; never a listed creator's own rows
    first_cells = relaxation.master[cell_mode[relaxation.master]]
    spanning = ~creators.own_rows | (creators.own_rows & ~skip & ~holds_at_zero(model))
    rows = rows_touched(columns, first_cells, spanning)
    rows = rows[~skip[rows]]
    master = Master(model, cost, columns, rows, relaxation.penalty, creators.count)
    master.add_cells(first_cells)
    zero_allowed = creators.zero_allowed
    master.add_plans(wanted, creators.plan_values(wanted, best.plan[wanted]), zero_allowed, skip)
    lp_plans = creators.plan_of(relaxation.values, wanted)
    fits = (lp_plans >= 0) & (lp_plans != best.plan[wanted])
    if fits.any():
        picked = wanted[fits]
        master.add_plans(picked, creators.plan_values(picked, lp_plans[fits]), zero_allowed, skip)

    def price(duals: np.ndarray, convexity: np.ndarray, worth: np.ndarray) -> Priced:
        reduced = worth - by_row @ duals
        best = creators.best(reduced)
        convexity = master.convexity_prices(convexity, reduced, zero_allowed)
        cells = np.flatnonzero(
            cell_mode & ~master.in_master & (reduced > PRICE_TOLERANCE * scales) & open_
        )
        cells = most(cells, reduced[cells] / scales[cells], most_added)
        gain = best.value - convexity
        entering = np.flatnonzero(listed & (gain > PRICE_TOLERANCE * creator_scale))
        entering = most(entering, gain[entering] / creator_scale[entering], most_added)
        bound = bound_of(duals, reduced, best)
        plans = creators.plan_values(entering, best.plan[entering])
        return Priced(reduced, bound, cells, entering, plans, best)

    def unused(duals: np.ndarray, priced: Priced, worth: np.ndarray) -> float:
        raise AssertionError("every round's bound is worked out as it is priced")

    outcome = generate(master, price, unused, cost, started, time_limit, zero_allowed, skip)
    if outcome.infeasible:
        return _proof_of_none(relaxation)
    if not outcome.feasible:
        return relaxation
    priced = outcome.priced
    assert priced.bound is not None
    final = creators.best(priced.reduced, margins=True)
    values = master.values()
    bound = min(priced.bound, first_bound, outcome.best_bound)
    # where each column would be fixed, and the least a plan loses by moving it: a listed
    # creator at its best plan (losing its margin over the second best), any other column
    # at its bound (losing |d_j| per unit)
    reduced = priced.reduced
    at_bound = np.where(reduced > 0, model.col_upper, model.col_lower)
    fixed = np.where(np.isfinite(at_bound), at_bound, 0.0)
    best_values = creators.best_values(final)
    fixed[~cell_mode] = best_values[~cell_mode]
    loss = np.abs(reduced)
    margin = final.value - final.second
    loss[~cell_mode] = margin[creators.code[~cell_mode]]
    in_master = np.isin(creators.code, np.unique(master.plan_creator)) & owned
    return Relaxation(
        values,
        outcome.duals,
        reduced,
        bound,
        np.union1d(master.cells, np.flatnonzero(in_master)),
        outcome.rounds,
        True,
        columns,
        fixed=fixed,
        loss=np.where(np.isfinite(loss), loss, np.inf),
        rounded=_rounded_plans(master, creators, values),
        creators=creators,
        method=LAGRANGIAN,
        lp_bound=relaxation.bound,
        fixing_bound=priced.bound,
    )


def _proof_of_none(relaxation: Relaxation) -> Relaxation:
    return Relaxation(
        relaxation.values,
        relaxation.duals,
        relaxation.reduced,
        -np.inf,
        relaxation.master,
        relaxation.rounds,
        False,
        relaxation.columns,
        infeasible=True,
        method=LAGRANGIAN,
    )


def _rounded_plans(master: Master, creators: Creators, values: np.ndarray) -> np.ndarray:
    """A whole-number plan near the master's: each creator the master splits between plans
    takes its plan of most weight (or none, where posting nothing weighs most and is
    allowed); every other column rounded down."""
    rounded = np.floor(values + 1e-9)
    owner, weights, plans = master.plan_weights()
    if not len(owner):
        return rounded
    split = np.abs(weights - np.round(weights)) > 1e-9
    touched = np.unique(owner[split])
    if not len(touched):
        return rounded
    # per creator: the heaviest plan
    order = np.lexsort((-weights, owner))
    heaviest = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    heaviest = heaviest[np.isin(owner[heaviest], touched)]
    total = np.bincount(owner, weights=weights, minlength=creators.count)
    chosen = heaviest[
        ~(creators.zero_allowed[owner[heaviest]] & (1 - total[owner[heaviest]] > weights[heaviest]))
    ]
    creator_columns = np.isin(creators.code, touched)
    rounded[creator_columns] = 0.0
    if len(chosen):
        rounded += np.asarray(plans[:, chosen].sum(axis=1)).ravel()
    return rounded
