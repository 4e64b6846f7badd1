"""How far one rule of a conflict must move for a plan to exist, computed by solving.

Every other rule stays as written. For a total (budget, limit): drop the violated side and
find the nearest value the total can take. For a share: the best share the other rules allow
(Dinkelbach's method: optimise `selected - ratio * base` until no better ratio exists). For an
offer's min or pool: the nearest whole number that works, by bisection. Each answer is
rounded towards the side that keeps a plan possible, so it can be written into the file.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

import numpy as np

from optimizer.analysis.columns import metric_expression
from optimizer.analysis.editing import ModelEditor, Settings
from optimizer.analysis.groups import Group
from optimizer.analysis.results import Conflict
from optimizer.constants import MONEY_METRICS
from optimizer.model.constraints import Constraint
from optimizer.model.linear import UNBOUNDED_COUNT
from optimizer.report.numbers import money, quantity

Bound = Literal["min", "max"]
Side = tuple[Bound, float]
"""(bound, needed value)."""

# Dinkelbach converges in a handful of steps on these models; this only guards a loop.
MAX_RATIO_STEPS = 30
MAX_BISECTION_STEPS = 12
"""Most feasibility checks in moving a limit per creator (each halves the interval)."""
BISECTION_PRECISION = 1e-3
"""How close, relative to the bound, the bisection of a limit per creator gets."""
SHARE_DECIMALS = 4


def move(
    editor: ModelEditor, settings: Settings, group: Group, time_limit: float, currency: str
) -> Conflict:
    """The conflict entry of one group: its violated bound, current and needed values."""
    if group.kind != "rule":
        return _offer_move(editor, settings, group, time_limit)
    constraint = editor.model.constraint(group.number)
    bounded = _capped(settings)
    if group.count > 1:
        # a limit per creator: one bound for every creator, moved as one
        constraint = replace(constraint, name=group.name)
        found = _block_sides(editor, bounded, group, time_limit)
        return _rule_conflict(constraint, found, currency)
    if constraint.base is None:
        found = _total_sides(editor, bounded, group.number, time_limit)
    else:
        found = _share_sides(editor, bounded, group.number, time_limit)
    return _rule_conflict(constraint, found, currency)


def _capped(settings: Settings) -> Settings:
    """Counts capped far above any plan, so that optimising a total is never unbounded."""
    return settings.with_counts(
        settings.available > UNBOUNDED_COUNT, available=float(UNBOUNDED_COUNT)
    )


def _total_sides(
    editor: ModelEditor, settings: Settings, number: int, time_limit: float
) -> list[Side]:
    """For each violated side of a total: the nearest value it can take, the other side kept."""
    model = editor.model
    row = editor.rows[number][0]
    expression = model.matrix[row].toarray().ravel()
    low, high = settings.bounds[number]
    found: list[Side] = []
    if high is not None:
        lowest = editor.solve(
            settings.with_bounds(number, (low, None)),
            expression,
            maximize=False,
            time_limit=time_limit,
        )
        if lowest.objective is not None and lowest.objective > high + _tolerance(high):
            found.append(("max", lowest.objective))
    if low is not None:
        highest = editor.solve(
            settings.with_bounds(number, (None, high)),
            expression,
            maximize=True,
            time_limit=time_limit,
        )
        if highest.objective is not None and highest.objective < low - _tolerance(low):
            found.append(("min", highest.objective))
    return found


def _block_sides(
    editor: ModelEditor, settings: Settings, group: Group, time_limit: float
) -> list[Side]:
    """For each violated side of a limit per creator: the nearest bound, shared by every
    creator, with which a plan exists (by bisection between the bound and the totals of a
    plan without it); a check left undecided counts as no plan, so the answer has one."""
    number, count = group.number, group.count
    low, high = settings.bounds[number]
    found: list[Side] = []
    sides: tuple[tuple[Bound, float | None], ...] = (("max", high), ("min", low))
    for side, bound in sides:
        if bound is None:
            continue
        kept = (low, None) if side == "max" else (None, high)
        free = editor.solve(settings.with_bounds(number, kept, count), time_limit=time_limit)
        if free.values is None:
            continue
        totals = _group_totals(editor, number, count, free.values)
        good = float(totals.max() if side == "max" else totals.min())
        bad = float(bound)
        if (side == "max" and good <= bad) or (side == "min" and good >= bad):
            continue  # this side alone is not what stops a plan
        for _ in range(MAX_BISECTION_STEPS):
            if abs(good - bad) <= BISECTION_PRECISION * max(1.0, abs(good)):
                break
            middle = (good + bad) / 2
            trial = (low, middle) if side == "max" else (middle, high)
            outcome = editor.solve(
                settings.with_bounds(number, trial, count), time_limit=time_limit
            )
            if outcome.values is not None:
                good = middle
            else:
                bad = middle
        found.append((side, good))
    return found


def _group_totals(editor: ModelEditor, number: int, count: int, values: np.ndarray) -> np.ndarray:
    """Each constraint's total of a block's `count` constraints from `number`, for a plan."""
    rows = np.concatenate(editor.rows[number : number + count])
    return np.asarray(editor.model.matrix[rows] @ values).ravel()


def _share_sides(
    editor: ModelEditor, settings: Settings, number: int, time_limit: float
) -> list[Side]:
    """For each violated side of a share: the best share the other rules allow."""
    low, high = settings.bounds[number]
    found: list[Side] = []
    if low is not None:
        best = _best_ratio(
            editor, settings.with_bounds(number, (None, high)), number, True, time_limit
        )
        if best is not None and best < low - _tolerance(low):
            found.append(("min", best))
    if high is not None:
        best = _best_ratio(
            editor, settings.with_bounds(number, (low, None)), number, False, time_limit
        )
        if best is not None and best > high + _tolerance(high):
            found.append(("max", best))
    return found


def _best_ratio(
    editor: ModelEditor, settings: Settings, number: int, largest: bool, time_limit: float
) -> float | None:
    """The largest (or smallest) share `selected / base` any plan of `settings` reaches."""
    model, layout = editor.model, editor.layout
    constraint = model.constraint(number)
    assert constraint.base is not None
    selected = metric_expression(model, layout, constraint.metric, constraint.selected)
    base = metric_expression(model, layout, constraint.metric, constraint.base)
    result = editor.solve(settings, selected, maximize=largest, time_limit=time_limit)
    ratio: float | None = None
    for _ in range(MAX_RATIO_STEPS):
        if result.values is None:
            return ratio
        whole = float(base @ result.values)
        if whole <= 0:
            # Only a plan that buys nothing here; the rule would hold, so it is no conflict.
            return ratio
        ratio = float(selected @ result.values) / whole
        result = editor.solve(
            settings, selected - ratio * base, maximize=largest, time_limit=time_limit
        )
        better = None if result.objective is None else result.objective * (1 if largest else -1)
        if better is None or better <= 1e-7 * max(1.0, whole):
            return ratio
    return ratio


def _tolerance(bound: float) -> float:
    return 1e-7 * max(1.0, abs(bound))


def _rule_conflict(constraint: Constraint, found: list[Side], currency: str) -> Conflict:
    if not found:
        bound: Bound = "max" if constraint.max is not None else "min"
        current = constraint.max if bound == "max" else constraint.min
        return Conflict(
            constraint.name,
            constraint.rule,
            bound,
            float(current or 0.0),
            None,
            f"{constraint.name}: moving this rule alone does not make a plan possible;"
            " another conflict remains without it",
            constraint.kind,
            constraint.metric,
        )
    # The smaller move, relative to the bound, is the one worth suggesting.
    bound, value = min(
        found,
        key=lambda side: (
            abs(side[1] - _current(constraint, side[0]))
            / max(1.0, abs(_current(constraint, side[0])))
        ),
    )
    current = _current(constraint, bound)
    needed = _round_toward(value, bound, _step(constraint))
    return Conflict(
        constraint.name,
        constraint.rule,
        bound,
        current,
        needed,
        _rule_message(constraint, bound, current, needed, currency),
        constraint.kind,
        constraint.metric,
    )


def _current(constraint: Constraint, bound: Bound) -> float:
    value = constraint.max if bound == "max" else constraint.min
    assert value is not None
    return float(value)


def _step(constraint: Constraint) -> float:
    """The precision a planner writes this bound in."""
    if constraint.base is not None:
        return 10.0**-SHARE_DECIMALS
    if constraint.metric in MONEY_METRICS:
        return 0.01
    if constraint.metric == "count":
        return 1.0
    return 1e-6


def _round_toward(value: float, bound: Bound, step: float) -> float:
    """Rounded up for a maximum, down for a minimum: the rounded value still allows a plan.
    A hair of slack first absorbs solver noise (0.58 read back as 0.5799999999)."""
    units = value / step
    if bound == "max":
        return round(math.ceil(units - 1e-6) * step, 10)
    return round(math.floor(units + 1e-6) * step, 10)


def _figure(constraint: Constraint, value: float, currency: str) -> str:
    if constraint.base is not None:
        return f"{value:.{SHARE_DECIMALS}f}".rstrip("0").rstrip(".")
    if constraint.metric in MONEY_METRICS:
        return money(value, currency)  # whole amounts read as written in a file: "$0"
    return quantity(value)


def _rule_message(
    constraint: Constraint, bound: Bound, current: float, needed: float, currency: str
) -> str:
    now, then = _figure(constraint, current, currency), _figure(constraint, needed, currency)
    if constraint.name == "budget":
        rise = _figure(constraint, needed - current, currency)
        return f"budget must rise by at least {rise} (from {now} to {then})"
    if bound == "max":
        return f"{constraint.name} maximum must rise from {now} to {then}"
    return f"{constraint.name} minimum must drop from {now} to {then}"


def _offer_move(
    editor: ModelEditor, settings: Settings, group: Group, time_limit: float
) -> Conflict:
    """The nearest whole min (or pool) of the offer with which a plan exists."""
    table = editor.model.cells.table
    cells = group.cells
    if group.kind == "min":
        current = float(table["lower"].to_numpy()[cells].max())
        needed = _offer_bisection(editor, settings, cells, current, time_limit, lower=True)
        bound: Bound = "min"
        verb = "drop"
    else:
        current = float(table["upper"].to_numpy()[cells].min())
        needed = _offer_bisection(editor, settings, cells, current, time_limit, lower=False)
        bound, verb = "max", "rise"
    if needed is None:
        message = (
            f"{group.name}: moving this bound alone does not make a plan possible;"
            " another conflict remains without it"
        )
    else:
        message = f"{group.name} must {verb} from {quantity(current)} to {quantity(needed)}"
    return Conflict(group.name, group.name, bound, current, needed, message)


def _offer_bisection(
    editor: ModelEditor,
    settings: Settings,
    cells: np.ndarray,
    current: float,
    time_limit: float,
    lower: bool,
) -> float | None:
    """Bisection between the current bound (no plan) and a bound a known plan satisfies.

    That plan comes from dropping the bound; a check that times out counts as "no plan", so
    the answer is always a value with a proven plan.
    """

    def with_bound(value: float) -> Settings:
        if lower:
            return settings.with_counts(cells, lower=value)
        return settings.with_counts(cells, available=value)

    free = editor.solve(with_bound(0.0 if lower else np.inf), time_limit=time_limit)
    if free.values is None:
        return None
    counts = free.values[editor.model.count_columns][cells]
    if lower:
        good, bad = min(math.floor(counts.min() + 1e-6), int(current) - 1), int(current)
    else:
        good, bad = max(math.ceil(counts.max() - 1e-6), int(current) + 1), int(current)
    while abs(good - bad) > 1:
        middle = (good + bad) // 2
        if editor.solve(with_bound(float(middle)), time_limit=time_limit).values is not None:
            good = middle
        else:
            bad = middle
    return float(good)
