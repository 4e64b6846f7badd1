"""The restricted master LP of a roster's column generation, held in one HiGHS instance.

It holds some of the model's rows, and two kinds of columns: a model column (an offer's
count, a segment, or a creator's count in one period), and a creator's whole plan over its
periods (`optimizer.roster.patterns`), whose entries are the plan's activity on the rows and
a 1 on its creator's convexity row (its plans' weights add up to at most 1, or to exactly 1
where the creator's own rows forbid no posts). Each finite side of the first rows has an
elastic column at a large penalty, so the master always has a plan; a plan that needs one
shows the rows cannot hold (`phase_one` makes that a proof).
"""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np

from optimizer.model.linear import LinearModel

EMPTY_INT = np.zeros(0, dtype=np.int32)


class Master:
    """A restricted master LP over some of `model`'s rows (maximisation of `cost`)."""

    def __init__(
        self,
        model: LinearModel,
        cost: np.ndarray,
        by_column: Any,
        rows: np.ndarray,
        penalty: float,
        creators: int = 0,
    ) -> None:
        from optimizer.solvers.highs import new_highs

        self.model = model
        self.cost = cost
        self.by_column = by_column
        self.penalty = penalty
        self.position = np.full(model.num_rows, -1, dtype=np.int64)
        self.position[rows] = np.arange(len(rows))
        self.rows = np.asarray(rows, dtype=np.int64)
        self.convexity = np.full(creators, -1, dtype=np.int64)
        """Each creator's convexity row in the master (-1 while it has no plan there)."""
        self.row_count = len(rows)
        row_lower, row_upper = model.row_lower[rows], model.row_upper[rows]
        lower_rows = np.flatnonzero(np.isfinite(row_lower))
        upper_rows = np.flatnonzero(np.isfinite(row_upper))
        self.artificial = len(lower_rows) + len(upper_rows)
        lp = highspy.HighsLp()
        lp.num_col_ = self.artificial
        lp.num_row_ = len(rows)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.col_cost_ = np.full(self.artificial, -penalty)
        lp.col_lower_ = np.zeros(self.artificial)
        lp.col_upper_ = np.full(self.artificial, np.inf)
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = self.artificial
        lp.a_matrix_.num_row_ = len(rows)
        lp.a_matrix_.start_ = np.arange(self.artificial + 1, dtype=np.int32)
        lp.a_matrix_.index_ = np.concatenate([lower_rows, upper_rows]).astype(np.int32)
        lp.a_matrix_.value_ = np.concatenate(
            [np.ones(len(lower_rows)), -np.ones(len(upper_rows))]
        ).astype(float)
        self.highs = new_highs()
        # HiGHS's presolve of a master of many bounded columns and few rows takes seconds
        # (4 s of 4.1 at a million creators) where the simplex alone takes a tenth of one
        self.highs.setOptionValue("presolve", "off")
        self.highs.passModel(lp)
        self.cells = np.zeros(0, dtype=np.int64)
        """The model columns in the master, in the order they joined."""
        self.cell_slot: list[np.ndarray] = []
        self.plans: list[Any] = []
        """Each batch of plans' column values (CSC, a column per plan)."""
        self.plan_slot: list[np.ndarray] = []
        self.plan_creator = np.zeros(0, dtype=np.int64)
        self.plan_count = np.zeros(creators, dtype=np.int64)
        """How many plans of each creator the master holds."""
        self.first_plan = np.full(creators, -1, dtype=np.int64)
        """The master column of each creator's first plan."""
        self.first_number = np.full(creators, -1, dtype=np.int64)
        """The position of each creator's first plan among all plans."""
        self._all_plans: Any = None
        self.columns = self.artificial
        self.in_master = np.zeros(model.num_cols, dtype=bool)
        self.phase = 2
        self.solution: Any = None

    def _add_rows(self, rows: np.ndarray) -> None:
        """Model rows without elastic columns (rows that hold with nothing bought)."""
        rows = np.unique(rows[self.position[rows] < 0])
        if not len(rows):
            return
        self.highs.addRows(
            len(rows),
            self.model.row_lower[rows],
            self.model.row_upper[rows],
            0,
            EMPTY_INT,
            EMPTY_INT,
            np.zeros(0),
        )
        self.position[rows] = self.row_count + np.arange(len(rows))
        self.rows = np.concatenate([self.rows, rows])
        self.row_count += len(rows)

    def add_cells(self, columns: np.ndarray) -> None:
        """Model columns, with the rows they touch that the master lacks."""
        columns = columns[~self.in_master[columns]]
        if not len(columns):
            return
        sub = self.by_column[:, columns]
        self._add_rows(sub.indices)
        cost = self.cost[columns] if self.phase == 2 else np.zeros(len(columns))
        self.highs.addCols(
            len(columns),
            cost,
            self.model.col_lower[columns],
            self.model.col_upper[columns],
            len(sub.data),
            sub.indptr[:-1].astype(np.int32),
            self.position[sub.indices].astype(np.int32),
            sub.data.astype(float),
        )
        self.in_master[columns] = True
        self.cells = np.concatenate([self.cells, columns])
        self.cell_slot.append(self.columns + np.arange(len(columns)))
        self.columns += len(columns)

    def add_plans(
        self, creators: np.ndarray, values: Any, zero_allowed: np.ndarray, skip: np.ndarray
    ) -> None:
        """Creators' plans (`values`: their column values, CSC, a column per plan); entries
        on the rows of `skip` (the creators' own rows, which the plans keep) are left out.

        A creator's first plan is a column bounded by 1 (fixed at 1 where it must post):
        its convexity row joins only with a second plan, so a master of many creators with
        one plan each stays a master of few rows."""
        if not len(creators):
            return
        # a row per plan: its activity on every model row
        activity = (values.T.tocsr() @ self.by_column.T).tocsr()
        plan_of = np.repeat(np.arange(len(creators)), np.diff(activity.indptr))
        kept = ~skip[activity.indices]
        rows, plan_of, data = activity.indices[kept], plan_of[kept], activity.data[kept]
        self._add_rows(rows)
        # creators that now have two plans or more get their convexity row, with a 1 for
        # the plan they had
        before = self.plan_count[creators]
        np.add.at(self.plan_count, creators, 1)
        crowded = np.unique(
            creators[(self.plan_count[creators] > 1) & (self.convexity[creators] < 0)]
        )
        if len(crowded):
            lower = np.where(zero_allowed[crowded], -np.inf, 1.0)
            self.highs.addRows(
                len(crowded), lower, np.ones(len(crowded)), 0, EMPTY_INT, EMPTY_INT, np.zeros(0)
            )
            self.convexity[crowded] = self.row_count + np.arange(len(crowded))
            self.row_count += len(crowded)
            had = crowded[self.first_plan[crowded] >= 0]
            for creator in had.tolist():
                column = int(self.first_plan[creator])
                self.highs.changeCoeff(int(self.convexity[creator]), column, 1.0)
                self.highs.changeColBounds(column, 0.0, np.inf)
        alone = self.convexity[creators] < 0
        first = np.flatnonzero(alone & (before == 0))
        self.first_plan[creators[first]] = self.columns + first
        self.first_number[creators[first]] = len(self.plan_creator) + first
        # each plan's entries: its activity on the master's rows, and 1 on its creator's
        # convexity row where it has one
        with_row = np.flatnonzero(~alone)
        plan_of = np.concatenate([plan_of, with_row])
        index = np.concatenate([self.position[rows], self.convexity[creators[with_row]]])
        value = np.concatenate([data, np.ones(len(with_row))])
        order = np.argsort(plan_of, kind="stable")
        starts = np.searchsorted(plan_of[order], np.arange(len(creators)))
        cost = values.T @ self.cost if self.phase == 2 else np.zeros(len(creators))
        forced = alone & ~zero_allowed[creators]
        self.highs.addCols(
            len(creators),
            np.asarray(cost, dtype=float).ravel(),
            np.where(forced, 1.0, 0.0),
            np.where(alone, 1.0, np.inf),
            len(index),
            starts.astype(np.int32),
            index[order].astype(np.int32),
            value[order],
        )
        self.plans.append(values)
        self._all_plans = None
        self.plan_slot.append(self.columns + np.arange(len(creators)))
        self.plan_creator = np.concatenate([self.plan_creator, creators])
        self.columns += len(creators)

    def convexity_prices(
        self, convexity: np.ndarray, reduced: np.ndarray, zero_allowed: np.ndarray
    ) -> np.ndarray:
        """Each creator's price of its convexity: its row's dual where it has one; for a
        creator with one plan in the master (a column bounded by 1) that plan's value under
        `reduced`, kept at 0 or above where it may post nothing."""
        prices = convexity.copy()
        alone = np.flatnonzero((self.plan_count == 1) & (self.convexity < 0))
        if len(alone):
            plans = self.all_plans()[:, self.first_number[alone]]
            worth = np.asarray(plans.T @ reduced).ravel()
            prices[alone] = np.where(zero_allowed[alone], np.maximum(worth, 0.0), worth)
        return prices

    def all_plans(self) -> Any:
        """Every plan's column values, in the order they joined (CSC, a column per plan)."""
        import scipy.sparse as sp

        if self._all_plans is None:
            if self.plans:
                self._all_plans = sp.hstack(self.plans, format="csc")
            else:
                self._all_plans = sp.csc_matrix((self.model.num_cols, 0))
        return self._all_plans

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve; the duals of every model row (0 where the master lacks it) and of every
        creator's convexity row (0 where it has none)."""
        self.highs.run()
        self.solution = self.highs.getSolution()
        row_dual = np.asarray(self.solution.row_dual, dtype=float)
        duals = np.zeros(self.model.num_rows)
        duals[self.rows] = row_dual[self.position[self.rows]]
        convexity = np.zeros(len(self.convexity))
        held = self.convexity >= 0
        convexity[held] = row_dual[self.convexity[held]]
        return duals, convexity

    @property
    def optimal(self) -> bool:
        return bool(self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal)

    @property
    def objective(self) -> float:
        return float(self.highs.getInfo().objective_function_value)

    def elastic(self) -> float:
        """How far the master's plan leans on its elastic columns."""
        values = np.asarray(self.solution.col_value, dtype=float)
        return float(values[: self.artificial].sum())

    def values(self) -> np.ndarray:
        """The master's plan as model column values."""
        master = np.asarray(self.solution.col_value, dtype=float)
        out = np.zeros(self.model.num_cols)
        if len(self.cells):
            out[self.cells] = master[np.concatenate(self.cell_slot)]
        for batch, slots in zip(self.plans, self.plan_slot, strict=True):
            out += batch @ master[slots]
        return out

    def plan_weights(self) -> tuple[np.ndarray, np.ndarray, Any]:
        """Every plan in the master: its creator, its weight, and all plans' column values
        (CSC, a column per plan)."""
        import scipy.sparse as sp

        master = np.asarray(self.solution.col_value, dtype=float)
        if not self.plans:
            return (
                np.zeros(0, dtype=np.int64),
                np.zeros(0),
                sp.csc_matrix((self.model.num_cols, 0)),
            )
        weights = np.concatenate([master[slots] for slots in self.plan_slot])
        return self.plan_creator, weights, self.all_plans()

    def phase_one(self) -> None:
        """From now on the master minimises its elastic columns alone: every other column is
        worth nothing, each elastic one costs 1."""
        self.phase = 1
        every = np.arange(self.columns, dtype=np.int32)
        cost = np.zeros(self.columns)
        cost[: self.artificial] = -1.0
        self.highs.changeColsCost(self.columns, every, cost)
