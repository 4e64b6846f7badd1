"""Each creator's own rows kept whole: the integer plans of one creator, enumerated.

A creator's cells (one per period it may post in) are few, and so are its posts: four
quarters of at most one post each are 16 plans, of two posts 81. Rows that hold only one
creator's columns (a limit `per: [creator]`, its `must`) are that creator's own, and which
of its plans keep them is settled once, here, for every creator at once. Creators alike in
their number of cells and their count bounds share one table of plans (`Shape`), so pricing
every creator against prices of the shared rows is a few matrix products:
`value = reduced[columns] @ plans.T`, the plans that break a creator's own rows masked out.

A creator whose plans would be too many to list (`MOST_PLANS`) is left as cells: its own
rows then stay rows like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizer.model.linear import LinearModel

MOST_PLANS = 256
"""Most integer plans of one creator listed (its cells' count ranges multiplied)."""
ROW_TOLERANCE = 1e-9
"""Relative tolerance of a creator's own row on its plans."""


@dataclass(frozen=True)
class Shape:
    """Creators with the same number of cells and the same count bounds on each."""

    members: np.ndarray
    """The creators' numbers."""
    plans: np.ndarray
    """Every integer plan within the bounds, one row each: (plans, cells)."""
    allowed: np.ndarray
    """Which plans keep each creator's own rows: (members, plans)."""
    columns: np.ndarray
    """Each creator's columns, in period order: (members, cells)."""
    zero: int
    """The position of the plan of no posts, or -1 where a lower bound forbids it."""


@dataclass(frozen=True)
class Best:
    """Every listed creator's best plan under some reduced costs."""

    value: np.ndarray
    """Its value (-inf for a creator no plan of which keeps its own rows)."""
    second: np.ndarray
    """The value of its second best plan (-inf when it has one plan)."""
    plan: np.ndarray
    """The best plan's position in its shape's table."""


class Creators:
    """A model's roster creators as blocks: their columns, their own rows and their plans."""

    def __init__(self, model: LinearModel) -> None:
        import pandas as pd

        self.model = model
        n_cols = model.num_cols
        names = model.cells.level("creator")
        is_creator = names != ""
        count_columns = np.asarray(model.count_columns)[is_creator]
        codes, uniques = pd.factorize(names[is_creator], sort=False)
        code = np.full(n_cols, -1, dtype=np.int64)
        code[count_columns] = codes
        self.code = code
        """Each column's creator number, -1 for a column no creator owns."""
        self.count = len(uniques)
        self.names = np.asarray(uniques, dtype=object)
        single = _single_creator_rows(model, code)
        self.own_rows = single >= 0
        """Rows whose columns are all one creator's (its limits, its `must`)."""
        order = np.flatnonzero(code >= 0)
        order = order[np.argsort(code[order], kind="stable")]
        cells = np.bincount(code[order], minlength=self.count)
        first = np.concatenate([[0], np.cumsum(cells)])
        slot = np.arange(len(order)) - np.repeat(first[:-1], cells)
        width = int(cells.max()) if self.count else 0
        table = np.full((self.count, width), -1, dtype=np.int64)
        table[code[order], slot] = order
        lower = np.zeros((self.count, width), dtype=np.int64)
        upper = np.zeros((self.count, width), dtype=np.int64)
        present = table >= 0
        lower[present] = np.ceil(model.col_lower[table[present]] - 1e-9)
        upper[present] = np.floor(model.col_upper[table[present]] + 1e-9)
        upper = np.maximum(upper, lower)
        with np.errstate(over="ignore"):
            plans = np.prod(np.where(present, upper - lower + 1, 1).astype(float), axis=1)
        integer = np.ones(self.count, dtype=bool)
        np.logical_and.at(integer, code[order], model.integrality[order])
        self.listed = integer & (plans <= MOST_PLANS) & np.isfinite(plans)
        """Creators whose plans are listed; the others stay as cells."""
        self.local = single >= 0
        self.local[self.local] = self.listed[single[self.local]]
        """Rows that are a listed creator's own: kept inside its plans, never priced."""
        self.cell_mode = np.ones(n_cols, dtype=bool)
        self.cell_mode[order[self.listed[code[order]]]] = False
        """Columns priced one by one: every column but those of listed creators."""
        self.shapes = self._shapes(cells, table, lower, upper, single, slot)
        self.zero_allowed = np.zeros(self.count, dtype=bool)
        """Creators whose own rows hold with no post (those a master may leave out)."""
        for shape in self.shapes:
            if shape.zero >= 0:
                self.zero_allowed[shape.members] = shape.allowed[:, shape.zero]
        self.zero_allowed[~self.listed] = False
        self.plannable = np.ones(self.count, dtype=bool)
        for shape in self.shapes:
            self.plannable[shape.members] = shape.allowed.any(axis=1)

    @property
    def any_listed(self) -> bool:
        return bool(self.listed.any())

    def _shapes(
        self,
        cells: np.ndarray,
        table: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        single: np.ndarray,
        slot_of_order: np.ndarray,
    ) -> list[Shape]:
        model = self.model
        listed = np.flatnonzero(self.listed)
        if not len(listed):
            return []
        width = table.shape[1]
        key = np.concatenate([cells[listed, None], lower[listed], upper[listed]], axis=1).astype(
            np.int64
        )
        # creators alike: rows of `key` equal as bytes (far quicker than np.unique by rows)
        rows_as_bytes = np.ascontiguousarray(key).view(
            np.dtype((np.void, key.itemsize * key.shape[1]))
        )
        _, first_of_kind, kind_of = np.unique(
            rows_as_bytes.ravel(), return_index=True, return_inverse=True
        )
        kinds = key[first_of_kind]
        kind_of = np.asarray(kind_of).ravel()
        # each listed creator's own rows, with their coefficients by the creator's cell slot
        slot = np.full(model.num_cols, -1, dtype=np.int64)
        present = table >= 0
        slot[table[present]] = np.nonzero(present)[1]
        rows = np.flatnonzero(self.local)
        owner = single[rows]
        matrix = model.matrix
        sub = matrix[rows]
        entry_row = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
        coefficients = np.zeros((len(rows), max(width, 1)))
        coefficients[entry_row, slot[sub.indices]] = sub.data
        row_lower, row_upper = model.row_lower[rows], model.row_upper[rows]
        scale = ROW_TOLERANCE * np.maximum(
            1.0,
            np.maximum(
                np.abs(np.where(np.isfinite(row_lower), row_lower, 0.0)),
                np.abs(np.where(np.isfinite(row_upper), row_upper, 0.0)),
            ),
        )
        by_owner = np.argsort(owner, kind="stable")
        owner_sorted = owner[by_owner]
        shapes = []
        position = np.full(self.count, -1, dtype=np.int64)
        for number, kind in enumerate(kinds):
            k = int(kind[0])
            low, high = kind[1 : 1 + k], kind[1 + width : 1 + width + k]
            # every count vector within the bounds, the last cell's count varying fastest
            plans = (np.indices(high - low + 1).reshape(k, -1).T + low).astype(float)
            members = listed[kind_of == number]
            position[members] = np.arange(len(members))
            allowed = np.ones((len(members), len(plans)), dtype=bool)
            # the own rows of these members
            start = np.searchsorted(owner_sorted, members, side="left")
            stop = np.searchsorted(owner_sorted, members, side="right")
            counts = stop - start
            if counts.sum():
                picked = by_owner[
                    np.repeat(start, counts)
                    + np.arange(int(counts.sum()))
                    - np.repeat(np.cumsum(counts) - counts, counts)
                ]
                activity = coefficients[picked, :k] @ plans.T
                broken = (activity < row_lower[picked, None] - scale[picked, None]) | (
                    activity > row_upper[picked, None] + scale[picked, None]
                )
                bad = np.zeros_like(allowed)
                np.logical_or.at(bad, position[owner[picked]], broken)
                allowed = ~bad
            zero = np.flatnonzero(~plans.any(axis=1))
            shapes.append(
                Shape(
                    members, plans, allowed, table[members, :k], int(zero[0]) if len(zero) else -1
                )
            )
            position[members] = -1
        return shapes

    def best(self, reduced: np.ndarray, margins: bool = False) -> Best:
        """Each listed creator's best plan under `reduced` (a value per unit of every
        column), and with `margins` the value of its second best.

        A creator whose columns all lose value and who may post nothing is best at no
        posts; only the others are priced plan by plan (unless margins are asked for)."""
        value = np.full(self.count, -np.inf)
        second = np.full(self.count, -np.inf)
        plan = np.zeros(self.count, dtype=np.int64)
        for shape in self.shapes:
            gains = reduced[shape.columns]
            priced = np.arange(len(shape.members))
            if not margins and shape.zero >= 0:
                idle = shape.allowed[:, shape.zero] & ~(gains > 0).any(axis=1)
                value[shape.members[idle]] = 0.0
                plan[shape.members[idle]] = shape.zero
                priced = np.flatnonzero(~idle)
                gains = gains[priced]
            if not len(priced):
                continue
            values = gains @ shape.plans.T
            values[~shape.allowed[priced]] = -np.inf
            chosen = values.argmax(axis=1)
            rows = np.arange(len(priced))
            members = shape.members[priced]
            value[members] = values[rows, chosen]
            plan[members] = chosen
            if margins and values.shape[1] > 1:
                values[rows, chosen] = -np.inf
                second[members] = values.max(axis=1)
        return Best(value, second, plan)

    def plan_values(self, creators: np.ndarray, plans: np.ndarray) -> Any:
        """The column values of the given creators' plans, as a SciPy CSC matrix with a
        column per (creator, plan) pair."""
        import scipy.sparse as sp

        rows: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        shape_of = self.shape_of
        where = self.where
        for number, shape in enumerate(self.shapes):
            mine = np.flatnonzero(shape_of[creators] == number)
            if not len(mine):
                continue
            chosen = shape.plans[plans[mine]]  # (n, k)
            cols = shape.columns[where[creators[mine]]]
            nonzero = chosen != 0
            rows.append(cols[nonzero])
            columns.append(np.broadcast_to(mine[:, None], chosen.shape)[nonzero])
            values.append(chosen[nonzero])
        if not rows:
            return sp.csc_matrix((self.model.num_cols, len(creators)))
        return sp.csc_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
            shape=(self.model.num_cols, len(creators)),
        )

    def best_values(self, best: Best) -> np.ndarray:
        """The column values of every listed creator's best plan (zero elsewhere)."""
        out = np.zeros(self.model.num_cols)
        for shape in self.shapes:
            chosen = shape.plans[best.plan[shape.members]]
            out[shape.columns] = chosen
        return out

    def plan_of(self, values: np.ndarray, creators: np.ndarray) -> np.ndarray:
        """The position of each given creator's plan in its shape's table, for column values
        (rounded down); -1 where they are no plan of it that keeps its own rows."""
        out = np.full(len(creators), -1, dtype=np.int64)
        for number, shape in enumerate(self.shapes):
            mine = np.flatnonzero(self.shape_of[creators] == number)
            if not len(mine):
                continue
            counts = np.floor(values[shape.columns[self.where[creators[mine]]]] + 1e-9)
            low = shape.plans.min(axis=0)
            high = shape.plans.max(axis=0)
            inside = ((counts >= low) & (counts <= high)).all(axis=1)
            strides = np.cumprod(np.concatenate([[1.0], (high - low + 1)[::-1][:-1]]))[::-1]
            index = ((counts - low) * strides).sum(axis=1).astype(np.int64)
            index = np.where(inside, index, 0)
            inside &= shape.allowed[self.where[creators[mine]], index]
            out[mine[inside]] = index[inside]
        return out

    @property
    def shape_of(self) -> np.ndarray:
        """Each creator's shape number (-1 for creators left as cells)."""
        found = getattr(self, "_shape_of", None)
        if found is None:
            found = np.full(self.count, -1, dtype=np.int64)
            for number, shape in enumerate(self.shapes):
                found[shape.members] = number
            self._shape_of = found
        return found

    @property
    def where(self) -> np.ndarray:
        """Each listed creator's position within its shape."""
        found = getattr(self, "_where", None)
        if found is None:
            found = np.zeros(self.count, dtype=np.int64)
            for shape in self.shapes:
                found[shape.members] = np.arange(len(shape.members))
            self._where = found
        return found


def _single_creator_rows(model: LinearModel, code: np.ndarray) -> np.ndarray:
    """For each row, the creator whose columns are all its columns; -1 for a row with a
    column of no creator or of two creators (and for an empty row)."""
    rows = model.rows
    lengths = np.diff(rows.indptr)
    out = np.full(model.num_rows, -1, dtype=np.int64)
    filled = np.flatnonzero(lengths > 0)
    if not len(filled):
        return out
    owners = code[rows.indices]
    starts = rows.indptr[:-1][filled]
    low = np.minimum.reduceat(owners, starts)
    high = np.maximum.reduceat(owners, starts)
    same = (low == high) & (low >= 0)
    out[filled[same]] = low[same]
    return out
