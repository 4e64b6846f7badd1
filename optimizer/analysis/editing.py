"""One built model in HiGHS, re-solved under other rule settings without rebuilding.

Every analysis (conflicts, rule prices, the next budget step) asks the same kind of
question: what if this rule were dropped or moved? `ModelEditor` answers it by changing row
and column bounds (and the few big-M coefficients that depend on them) on one highspy
instance; `Settings` says which bounds apply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import highspy
import numpy as np

from optimizer.analysis.columns import (
    Bounds,
    Layout,
    bounds_for,
    columns_at,
    constraint_rows,
    layout_of,
    row_bounds,
    rule_bounds,
)
from optimizer.model.constraints import CreatorLimit
from optimizer.model.linear import LinearModel
from optimizer.solvers.highs import to_highs


@dataclass(frozen=True)
class Settings:
    """Each constraint's (min, max), None where dropped, and each cell's count bounds."""

    bounds: tuple[Bounds, ...]
    lower: np.ndarray
    available: np.ndarray

    @classmethod
    def of(cls, model: LinearModel) -> Settings:
        bounds: list[Bounds] = []
        for part in model.rule_set.parts:
            copies = len(part) if isinstance(part, CreatorLimit) else 1
            bounds += [(part.min, part.max)] * copies
        cells = model.cells
        return cls(
            bounds=tuple(bounds),
            lower=cells.column("lower").astype(float),
            available=cells.column("upper").astype(float),
        )

    def with_bounds(self, number: int, bounds: Bounds, count: int = 1) -> Settings:
        """Other bounds for constraint `number` (and the `count - 1` after it)."""
        changed = list(self.bounds)
        changed[number : number + count] = [bounds] * count
        return replace(self, bounds=tuple(changed))

    def with_counts(
        self, cells: np.ndarray, lower: float | None = None, available: float | None = None
    ) -> Settings:
        """Other count bounds on the masked cells (None leaves that bound as it is)."""
        new_lower, new_available = self.lower.copy(), self.available.copy()
        if lower is not None:
            new_lower[cells] = lower
        if available is not None:
            new_available[cells] = available
        return replace(self, lower=new_lower, available=new_available)


class Outcome(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    """Stopped by the time limit with a solution that may not be the best."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"
    """Stopped by the time limit before anything was proven or found."""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    values: np.ndarray | None = None
    objective: float | None = None

    @property
    def has_solution(self) -> bool:
        return self.values is not None


class ModelEditor:
    """A highspy instance holding `model`, re-solved under any `Settings`."""

    def __init__(self, model: LinearModel) -> None:
        from optimizer.solvers import roster_method

        self.model = model
        self.layout: Layout = layout_of(model)
        self.rows = constraint_rows(model)
        self.upper = model.col_upper.copy()
        # A large roster's questions are answered as its plan was found: by decomposition
        # (where no saturation switch's coefficient depends on the settings). Its model then
        # reaches HiGHS whole only if a question needs it.
        self.decomposed = roster_method(model) == "decomposition" and not len(self.layout.z_columns)
        self._highs: highspy.Highs | None = None

    @property
    def highs(self) -> highspy.Highs:
        """The model in HiGHS, made on first use."""
        if self._highs is None:
            self._highs = to_highs(self.model)
        return self._highs

    def apply(self, settings: Settings) -> None:
        """Push the row bounds, column bounds and order coefficients of `settings`."""
        model, highs, layout = self.model, self.highs, self.layout
        for constraint, rows, bounds in zip(
            model.constraints, self.rows, settings.bounds, strict=True
        ):
            sides = [model.row_sides[row] for row in rows]
            lower, upper = row_bounds(constraint, sides, bounds)
            for row, low, high in zip(rows, lower, upper, strict=True):
                highs.changeRowBounds(int(row), float(low), float(high))
        columns = bounds_for(
            model, layout, list(settings.bounds), settings.lower, settings.available
        )
        every = np.arange(model.num_cols, dtype=np.int32)
        highs.changeColsBounds(model.num_cols, every, columns.lower, columns.upper)
        self.upper = columns.upper
        for rows, segments, coefficients in (
            (layout.full_rows, layout.full_seg, columns.full_coefficients),
            (layout.next_rows, layout.next_seg, columns.next_coefficients),
        ):
            for row, pair, value in zip(rows, range(len(segments)), coefficients, strict=True):
                highs.changeCoeff(int(row), int(layout.z_columns[pair]), float(value))

    def solve(
        self,
        settings: Settings,
        objective: np.ndarray | None = None,
        *,
        maximize: bool = True,
        time_limit: float,
        gap: float = 0.0,
        start_counts: np.ndarray | None = None,
    ) -> Result:
        """Optimise `objective` (a feasibility check when None) under `settings`, starting
        from a plan's counts where given (a plan that still holds bounds the answer)."""
        if self.decomposed:
            # a plan keeping the rules, or the proof that none does, by decomposition
            worth = np.zeros(self.model.num_cols) if objective is None else objective
            return self._decomposed(settings, worth, maximize, time_limit, gap)
        self.apply(settings)
        highs = self.highs
        cost = np.zeros(self.model.num_cols) if objective is None else objective
        highs.changeColsCost(self.model.num_cols, np.arange(len(cost), dtype=np.int32), cost)
        highs.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("mip_rel_gap", float(gap))
        # Ratio searches compare objectives near zero, where only an absolute gap means much.
        highs.setOptionValue("mip_abs_gap", 1e-9 if gap == 0 else 1e-6)
        # Each question starts from the model, not from the previous search's presolved state.
        highs.clearSolver()
        if start_counts is not None:
            start = columns_at(self.model, self.layout, start_counts, self.upper)
            highs.setSolution(self.model.num_cols, np.arange(len(start), dtype=np.int32), start)
        highs.run()
        result = self._read(cost, objective is None)
        reported = highs.getInfo().objective_function_value
        if result.objective is not None and not np.isclose(result.objective, reported, 1e-7, 1e-6):
            # HiGHS 1.16, started from a plan, has claimed an optimum its own solution does not
            # reach (scenarios with `integer: false` and ordered saturation): ask again cold.
            highs.clearSolver()
            highs.run()
            result = self._read(cost, objective is None)
        return result

    def _decomposed(
        self,
        settings: Settings,
        objective: np.ndarray,
        maximize: bool,
        time_limit: float,
        gap: float,
    ) -> Result:
        """A large roster's question solved by column generation and a core MIP."""
        from optimizer.roster.decomposition import solve_decomposed
        from optimizer.solvers.base import SolveOptions, Status

        model = self.model
        row_lower, row_upper = model.row_lower.copy(), model.row_upper.copy()
        for part, bounds, rows in zip(*rule_bounds(model, settings.bounds), strict=True):
            if isinstance(part, CreatorLimit):  # a block's rows, one per group, alike
                low, high = bounds
                row_lower[rows] = -np.inf if low is None else low
                row_upper[rows] = np.inf if high is None else high
                continue
            sides = [model.row_sides[row] for row in rows]
            row_lower[rows], row_upper[rows] = row_bounds(part, sides, bounds)
        columns = bounds_for(
            model, self.layout, list(settings.bounds), settings.lower, settings.available
        )
        edited = replace(
            model,
            sense="maximize" if maximize else "minimize",
            objective=objective,
            row_lower=row_lower,
            row_upper=row_upper,
            col_lower=columns.lower,
            col_upper=columns.upper,
        )
        solution = solve_decomposed(edited, SolveOptions(time_limit, gap))
        if solution is None:
            return Result(Outcome.UNKNOWN)
        if solution.status == Status.INFEASIBLE or solution.values is None:
            return Result(Outcome.INFEASIBLE)
        value = float(objective @ solution.values)
        outcome = Outcome.OPTIMAL if solution.status == Status.OPTIMAL else Outcome.FEASIBLE
        return Result(outcome, solution.values, value)

    def _read(self, cost: np.ndarray, feasibility: bool) -> Result:
        highs = self.highs
        status = highs.getModelStatus()
        info = highs.getInfo()
        solved = info.primal_solution_status == 2  # kSolutionStatusFeasible
        values = np.asarray(highs.getSolution().col_value, dtype=float) if solved else None
        objective = float(cost @ values) if values is not None else None
        if status == highspy.HighsModelStatus.kOptimal:
            return Result(Outcome.OPTIMAL, values, objective)
        if status == highspy.HighsModelStatus.kInfeasible or (
            # Without an objective nothing is unbounded: "unbounded or infeasible" is infeasible.
            feasibility and status == highspy.HighsModelStatus.kUnboundedOrInfeasible
        ):
            return Result(Outcome.INFEASIBLE)
        # Analyses optimise only over settings known to have a plan, so here it is unbounded.
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return Result(Outcome.UNBOUNDED)
        if solved:
            return Result(Outcome.FEASIBLE, values, objective)
        return Result(Outcome.UNKNOWN)
