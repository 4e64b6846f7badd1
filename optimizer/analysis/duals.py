"""Shadow prices: an LP estimate of what relaxing each rule by one unit gains.

HiGHS and CBC give duals only for LPs. The LP here is the model around the plan: counts may
be fractional and the saturation-order switches are fixed at the plan's values, so the LP
works on the plan's segments. (Fixing the counts too would leave an LP with nothing to
move and no information in its duals.)

One convention whatever the backend: `shadow_price >= 0` is the objective gained (more of a
maximised metric, less spend when minimising) per unit of relaxing the bound the rule sits
on: $1 of a spend rule, one influencer of a count rule, 1.0 of a share (100 points).
Both highspy and CBC (through PuLP) report a row dual as d(objective)/d(row bound) in the
objective's own sense; PuLP's own HiGHS interface flips it on maximisation, which is why
HiGHS is always used through highspy here.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import highspy
import numpy as np

from optimizer.analysis.columns import columns_at, constraint_rows, layout_of, metric_expression
from optimizer.errors import SolverError
from optimizer.model.linear import LinearModel
from optimizer.solvers.base import SolveOptions
from optimizer.solvers.highs import to_highs

# Duals smaller than this are solver noise, not a price.
ZERO_DUAL = 1e-9


@dataclass(frozen=True)
class ShadowPrice:
    value: float
    bound: Literal["min", "max"] | None
    """"min" or "max": the side the rule sits on; None when relaxing it gains nothing."""


def plan_lp(model: LinearModel, counts: np.ndarray) -> LinearModel:
    """The model with fractional counts and the order switches fixed where the plan has them."""
    layout = layout_of(model)
    at_plan = columns_at(model, layout, counts, model.col_upper)
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    lower[layout.z_columns] = upper[layout.z_columns] = at_plan[layout.z_columns]
    return replace(
        model,
        integrality=np.zeros(model.num_cols, dtype=bool),
        col_lower=lower,
        col_upper=upper,
    )


def shadow_prices(
    model: LinearModel, counts: np.ndarray, solver: str, time_limit: float
) -> list[ShadowPrice] | None:
    """One shadow price per constraint, or None when the LP has no optimum."""
    lp = plan_lp(model, counts)
    found = _cbc_duals(lp, time_limit) if solver == "cbc" else _highs_duals(lp, time_limit)
    if found is None:
        return None
    duals, values = found
    return _per_constraint(lp, duals, values)


def _highs_duals(lp: LinearModel, time_limit: float) -> tuple[np.ndarray, np.ndarray] | None:
    highs = to_highs(lp)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = highs.getSolution()
    return np.asarray(solution.row_dual, dtype=float), np.asarray(solution.col_value, dtype=float)


def _cbc_duals(lp: LinearModel, time_limit: float) -> tuple[np.ndarray, np.ndarray] | None:
    import pulp

    from optimizer.solvers.pulp_backend import pulp_solver, to_pulp

    problem, variables = to_pulp(lp)
    with tempfile.TemporaryDirectory() as folder:
        solver = pulp_solver("cbc", SolveOptions(time_limit, 0.0), Path(folder) / "duals.log")
        try:
            problem.solve(solver)
        except pulp.PulpSolverError as error:
            raise SolverError(f"cbc failed on the LP of the plan: {error}") from error
    if problem.status != pulp.LpStatusOptimal:
        return None
    duals = np.zeros(lp.num_rows)
    # to_pulp names a row r{i}, or r{i}_lo and r{i}_hi when it has two finite sides.
    for row in problem.constraints():
        number = int(row.name[1:].split("_")[0])
        duals[number] += row.pi or 0.0
    values = np.array([v.value() or 0.0 for v in variables], dtype=float)
    return duals, values


def _per_constraint(lp: LinearModel, duals: np.ndarray, values: np.ndarray) -> list[ShadowPrice]:
    """Row duals turned into gains per unit of each rule's own bound."""
    sense = 1.0 if lp.sense == "maximize" else -1.0
    layout = layout_of(lp)
    out = []
    for constraint, rows in zip(lp.constraints, constraint_rows(lp), strict=True):
        best = ShadowPrice(0.0, None)
        for row in rows:
            # Gain per unit of raising the row's bound: positive when its upper side binds.
            gain_up = sense * duals[row]
            if abs(gain_up) <= ZERO_DUAL:
                continue
            per_unit = float(abs(gain_up))
            if constraint.base is not None:
                # A share row is `selected - b * base`: moving b by one moves the row by base.
                assert constraint.base is not None
                base = metric_expression(lp, layout, constraint.metric, constraint.base)
                per_unit *= float(base @ values)
            if per_unit > best.value:
                best = ShadowPrice(per_unit, "max" if gain_up > 0 else "min")
        out.append(best)
    return out
