"""PuLP backend: the same arrays as a PuLP problem, for CBC and any other solver PuLP runs."""

from __future__ import annotations

import math
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions, Status


def to_pulp(model: LinearModel) -> tuple[pulp.LpProblem, list[Any]]:
    """The model as a PuLP problem and its variables, in column order."""
    sense = pulp.LpMaximize if model.sense == "maximize" else pulp.LpMinimize
    problem = pulp.LpProblem("optimizer", sense)
    variables = [
        problem.add_variable(
            f"x{j}",
            None if np.isneginf(low) else float(low),
            None if np.isposinf(high) else float(high),
            cat="Integer" if integer else "Continuous",
        )
        for j, (low, high, integer) in enumerate(
            zip(model.col_lower, model.col_upper, model.integrality, strict=True)
        )
    ]
    problem += pulp.LpAffineExpression(
        [(variables[j], float(c)) for j, c in enumerate(model.objective) if c != 0]
    )
    matrix = model.matrix
    for i in range(model.num_rows):
        row = slice(matrix.indptr[i], matrix.indptr[i + 1])
        expression = pulp.LpAffineExpression(
            [
                (variables[j], float(a))
                for j, a in zip(matrix.indices[row], matrix.data[row], strict=True)
            ]
        )
        low, high = float(model.row_lower[i]), float(model.row_upper[i])
        if low == high:
            problem.addConstraint(expression == low, f"r{i}")
            continue
        if np.isfinite(low):
            problem.addConstraint(expression >= low, f"r{i}_lo")
        if np.isfinite(high):
            problem.addConstraint(expression <= high, f"r{i}_hi")
    return problem, variables


def pulp_solver(name: str, options: SolveOptions, log: Path, warm_start: bool = False) -> Any:
    if name == "cbc":
        return pulp.COIN_CMD(
            path=cbc_path(),
            msg=False,
            timeLimit=options.time_limit,
            gapRel=options.gap,
            logPath=str(log),
            warmStart=warm_start,
            maxNodes=options.node_limit,
        )
    if name.lower() == "highs":
        from optimizer.solvers.highs import new_highs

        # PuLP's HiGHS makes its own Highs: if it is the process's first, its banner would
        # land on standard output, ahead of the JSON. new_highs prints it to the null device.
        new_highs()
    settings: dict[str, Any] = {"msg": False, "timeLimit": options.time_limit}
    known = sorted(set(pulp.listSolvers()))
    name = next((solver for solver in known if solver.lower() == name.lower()), name)
    try:
        try:
            solver = pulp.getSolver(name, **settings, gapRel=options.gap)
        except TypeError:  # some PuLP solvers (GLPK_CMD) take no gap: they prove optimality
            solver = pulp.getSolver(name, **settings)
    except pulp.PulpSolverError as error:
        raise SolverError(
            f"unknown solver {name!r}: use highs, cbc or one of {', '.join(known)}"
        ) from error
    except TypeError as error:
        raise SolverError(f"solver {name!r} cannot be run through PuLP here: {error}") from error
    if not solver.available():
        raise SolverError(f"solver {name!r} is not installed on this machine")
    return solver


def cbc_path() -> str:
    try:
        import cbcbox
    except ImportError as error:
        raise SolverError("CBC is not installed: pip install 'pulp[cbc]'") from error
    return str(cbcbox.cbc_bin_path())


_BOUND = re.compile(r"(?:Bound:|Best possible:|Lower bound:)\s*(-?[\d.]+(?:e[-+]?\d+)?)", re.I)
# How CBC's log says that no plan exists. Some builds prove it while tightening bounds on a
# model without integer columns and then write "Status unknown" to the solution file, which
# PuLP reads as undefined; only the log tells that apart from a time limit.
_INFEASIBLE = re.compile(
    r"infeasibility proved|bound tightening: infeasible|problem (?:is|was) infeasible", re.I
)


def _read_log(log: Path) -> str:
    try:
        return log.read_text(errors="replace")
    except OSError:
        return ""


def _bound_from_log(text: str) -> tuple[float, float] | None:
    """The last bound CBC logged, and half a unit of its last significant digit: the log
    rounds it like C's %g (`Bound: 128657` for 128657.2, six significant digits and trailing
    zeros dropped), so the bound proven lies within that of the figure."""
    found = _BOUND.findall(text)
    if not found:
        return None
    printed = found[-1]
    value = float(printed)
    if value == 0:
        return value, 0.0
    digits = printed.lower().partition("e")[0].strip("-").replace(".", "").lstrip("0")
    significant = max(6, len(digits))
    return value, 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - significant + 1)


def solve_pulp(
    model: LinearModel,
    options: SolveOptions,
    name: str = "cbc",
    start: np.ndarray | None = None,
) -> Solution:
    problem, variables = to_pulp(model)
    if start is not None:
        for variable, value in zip(variables, start, strict=True):
            variable.setInitialValue(float(value))
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "solver.log"
        solver = pulp_solver(name, options, log, warm_start=start is not None)
        started = time.perf_counter()
        try:
            problem.solve(solver)
        except pulp.PulpSolverError as error:
            raise SolverError(f"{name} failed: {error}") from error
        seconds = time.perf_counter() - started
        text = _read_log(log)
    status = _status(problem, text)
    if not status.has_plan:
        return Solution(status, None, None, None, seconds, name)
    values = np.array([v.value() or 0.0 for v in variables], dtype=float)
    objective = float(model.objective @ values)
    # Only CBC's log is read for a bound. Without one the gap is unknown, not zero: "optimal"
    # from a solver means within its gap, which is no proof of a bound.
    bound = _plausible_bound(_bound_from_log(text), objective, model) if model.is_mip else objective
    return Solution(status, values, objective, bound, seconds, name)


def _plausible_bound(
    logged: tuple[float, float] | None, objective: float, model: LinearModel
) -> float | None:
    """The logged bound in the model's sense, widened by its rounding so that it is still a
    bound (and never on the wrong side of the plan); CBC minimises internally and may print
    the bound of the negated problem. None when neither reading lies on the right side."""
    if logged is None:
        return None
    bound, rounding = logged
    slack = 1e-6 * max(1.0, abs(objective))
    for candidate in (bound, -bound):
        if model.sense == "maximize" and candidate + rounding >= objective - slack:
            return max(candidate + rounding, objective)
        if model.sense == "minimize" and candidate - rounding <= objective + slack:
            return min(candidate - rounding, objective)
    return None


def _status(problem: pulp.LpProblem, log: str = "") -> Status:
    if problem.status == pulp.LpStatusOptimal:
        if problem.sol_status == pulp.LpSolutionIntegerFeasible:
            return Status.FEASIBLE
        return Status.OPTIMAL
    if problem.status == pulp.LpStatusInfeasible:
        return Status.INFEASIBLE
    if problem.status == pulp.LpStatusUnbounded:
        return Status.UNBOUNDED
    if problem.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal):
        return Status.FEASIBLE
    if _INFEASIBLE.search(log):
        return Status.INFEASIBLE
    return Status.TIME_LIMIT
