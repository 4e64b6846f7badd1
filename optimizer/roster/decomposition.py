"""Rosters too large for branch and bound: the linear relaxation by column generation, a
Lagrangian bound with each creator's own rows kept whole, and a plan made whole on a core of
creators.

A roster of 100,000 creators over four quarters is 400,000 integer columns held together by
a handful of rows (budget, shares, limits). Such an LP is solved here by pricing: a small
restricted master (the offers' columns, the creators that must post, and the creators of
most value per dollar) is solved by HiGHS, every column is priced in numpy against its
duals (`d = c - A'y`), the columns of positive reduced cost join the master, and so on until
none is left (`relax`). Elastic columns of a large penalty keep the master feasible
meanwhile; where the rows cannot hold, the master then minimises the elastic columns alone,
and prices that prove no plan exists end the solve (`Status.INFEASIBLE`).

For any duals `y` the Lagrangian `L(y) = sum_i max(y_i l_i, y_i u_i) + sum_j max_x d_j x_j`
bounds every plan (weak duality); at the LP's duals it is the LP bound. A creator's own rows
(a limit per creator such as no creator above $20,000, its `must`) make that bound loose:
the LP takes a fraction of a capped creator's last post, which no plan can. So the second
stage (`lagrangian_dual`) dualises only the rows that span creators (budget, period budgets,
shares, platform caps) and keeps each creator's own rows inside its own small integer
problem: its best whole plan over its periods, found by listing its plans
(`optimizer.roster.patterns`). `L(y)` then adds each creator's best plan instead of its
best fractional one, and is a bound at any `y`. Its best `y` is found from the LP's duals by
Dantzig-Wolfe column generation (Kelley's cutting planes on `y`): the master's columns are
creators' whole plans, a creator's plans weighted to at most 1, and the plans that would
gain at the master's duals join it until none would. That bound is never above the LP's and
is the proof reported (`bound_method` "lagrangian"); where no creator has rows of its own it
equals the LP bound ("lp").

A plan loses at least a creator's margin (its best plan's value less its second best) when
that creator leaves its best plan, and `|d_j|` per unit by which another column leaves the
bound where the relaxation holds it. So creators and columns of large margin are fixed, the
others (the core: creators the relaxation splits between plans and those of least margin)
form a small MIP that HiGHS solves from a rounded and greedily filled start, and the plan's
bound is `max(core MIP bound, L - least margin fixed)`, never above `L`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.roster.master import Master
from optimizer.roster.patterns import Best, Creators
from optimizer.solvers.base import Solution, SolveOptions, Status, relative_gap

METHOD = "column-generation+core-mip"
"""How a plan solved here was found, as `solver.method` reports it."""
LP_METHOD = "column-generation"
"""The method of a roster scenario with fractional counts (`integer: false`): the LP alone."""
LAGRANGIAN = "lagrangian"
"""The bound's method when each creator's own rows are kept in its own integer problem."""
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
MOST_CORE = 20_000
"""Most columns of the core MIP."""
CORE_SIZE = 2000
"""Creators' columns nearest to zero reduced cost (or margin) in the core MIP (at least)."""
PRICE_TOLERANCE = 1e-7
"""Reduced costs below this (relative to the column's objective scale) price out."""
AIMED_GAP = 2e-4
"""The gap the core MIP aims for when the scenario allows more: a roster's plan is cheap to
bring closer to its bound than a planner's usual 1% (0.08% from the first whole plan, 0.01%
after the core's root node, at 100,000 creators), so it is, for at most `AIM_NODES` nodes
once the scenario's gap is met; the status still judges the scenario's own gap."""
AIM_NODES = 100
"""Branch-and-bound nodes the core MIP may spend past the scenario's gap on the way to
`AIMED_GAP`: a count, not seconds, so that a scenario gets the same plan on every run."""
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
        values, core_bound, fixed_loss, nodes = _core_mip(
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
    entering_rows = own & ~_holds_at_zero(model)
    first = first_master(model, cost)
    rows = _rows_touched(columns, first, ~own | entering_rows)
    penalty = _penalty(cost, matrix)
    master = Master(model, cost, columns, rows, penalty)
    master.add_cells(first)
    open_ = model.col_upper > model.col_lower
    scale = _scale(cost)
    per_round = _per_round(model)
    by_row = columns.T  # CSR: pricing is a product by rows

    def price(duals: np.ndarray, _: np.ndarray, worth: np.ndarray) -> _Priced:
        reduced = worth - by_row @ duals
        entering = np.flatnonzero(~master.in_master & (reduced > PRICE_TOLERANCE * scale) & open_)
        entering = _most(entering, reduced[entering] / scale[entering], per_round)
        return _Priced(reduced, None, entering)

    def bound(duals: np.ndarray, priced: _Priced, _: np.ndarray) -> float:
        return lagrangian(
            duals, priced.reduced, row_lower, row_upper, model.col_lower, model.col_upper
        )

    outcome = _generate(master, price, bound, cost, started, time_limit)
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
class _Priced:
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
    priced: _Priced
    duals: np.ndarray
    rounds: int
    feasible: bool
    infeasible: bool | None = None
    """True: proven that no plan exists; None: not in question (the master needed no
    elastic column); False: elastic columns were needed yet no proof was found."""
    best_bound: float = np.inf
    """The least bound of phase two's rounds (every round's duals prove one)."""


def _generate(
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
        priced: _Priced = price(duals, convexity, worth)
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


def _most(chosen: np.ndarray, score: np.ndarray, count: int) -> np.ndarray:
    """The `count` of `chosen` of highest score, best first (all of them when fewer)."""
    if len(chosen) > count:
        top = np.argpartition(-score, count - 1)[:count]
        chosen, score = chosen[top], score[top]
    return chosen[np.argsort(-score, kind="stable")]


def _per_round(model: LinearModel) -> int:
    return max(ADDED_PER_ROUND, model.num_cols // 200)


def _row_scale(model: LinearModel) -> float:
    """The largest finite row bound (at least 1): the scale of a phase-one Lagrangian."""
    bounds = np.concatenate([model.row_lower, model.row_upper])
    return max(1.0, float(np.abs(bounds[np.isfinite(bounds)]).max(initial=1.0)))


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
    scale = _scale(cost)
    per_round = _per_round(model)
    by_row = columns.T
    creator_scale = np.zeros(creators.count)
    owned = creators.code >= 0
    np.maximum.at(creator_scale, creators.code[owned], scale[owned] * model.col_upper[owned])
    creator_scale = np.maximum(creator_scale, scale.min(initial=1.0))
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
    spanning = ~creators.own_rows | (creators.own_rows & ~skip & ~_holds_at_zero(model))
    rows = _rows_touched(columns, first_cells, spanning)
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

    def price(duals: np.ndarray, convexity: np.ndarray, worth: np.ndarray) -> _Priced:
        reduced = worth - by_row @ duals
        best = creators.best(reduced)
        convexity = master.convexity_prices(convexity, reduced, zero_allowed)
        cells = np.flatnonzero(
            cell_mode & ~master.in_master & (reduced > PRICE_TOLERANCE * scale) & open_
        )
        cells = _most(cells, reduced[cells] / scale[cells], per_round)
        gain = best.value - convexity
        entering = np.flatnonzero(listed & (gain > PRICE_TOLERANCE * creator_scale))
        entering = _most(entering, gain[entering] / creator_scale[entering], per_round)
        bound = bound_of(duals, reduced, best)
        plans = creators.plan_values(entering, best.plan[entering])
        return _Priced(reduced, bound, cells, entering, plans, best)

    def unused(duals: np.ndarray, priced: _Priced, worth: np.ndarray) -> float:
        raise AssertionError("every round's bound is worked out as it is priced")

    outcome = _generate(master, price, unused, cost, started, time_limit, zero_allowed, skip)
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


def _holds_at_zero(model: LinearModel) -> np.ndarray:
    return (model.row_lower <= 0) & (model.row_upper >= 0)


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


def creator_rows(model: LinearModel) -> np.ndarray:
    """Which rows hold one creator's columns only (its limits per creator, its `must`)."""
    return Creators(model).own_rows


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
    data = matrix.data  # type: ignore[attr-defined]
    nonzero = np.abs(data[data != 0])
    smallest = float(nonzero.min()) if len(nonzero) else 1.0
    largest = float(np.abs(cost).max()) if len(cost) else 1.0
    return float(min(max(1e3 * max(largest, 1.0) / smallest, 1e3), 1e9))


def _scale(cost: np.ndarray) -> np.ndarray:
    """Each column's objective scale, for relative pricing tolerances (phase one prices
    against zero costs, so the model's own costs set the scale throughout)."""
    return np.maximum(np.abs(cost), 1e-9 + np.abs(cost).max(initial=0.0) * 1e-9)


def _core_mip(
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
    rows = _rows_touched(relaxation.columns, core, ~own | broken)
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
