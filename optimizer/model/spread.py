"""The tie-break: among plans as good as the optimum within the gap, the evenest over periods.

A solver returns one of many plans that tie, and which one is an accident of its search: with
identical quarters one plan put nothing in Q1 and two thirds of the budget in Q4. So a second,
short search keeps the objective within the gap of the proven bound and minimises the largest
period's spend, starting from the first plan; the plan returned is never less even than that
first plan, and its gap is still within the scenario's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizer.model.linear import LinearModel, RowBlock, RowMatrix

TIE_BREAKS = ("spread", "none")


def objective_floor(model: LinearModel, value: float, bound: float | None, gap: float) -> float:
    """The worst objective a tied plan may have: as far from `bound` as `gap` allows, and
    never worse than the plan in hand (`value`), whose bound it is."""
    if bound is None or not np.isfinite(bound):
        return value
    # a hair inside the gap, so that the solver's feasibility tolerance cannot take it past
    inside = 1 - 1e-7
    if model.sense == "maximize":
        if bound <= 0 or value <= 0:
            return value
        return min(value, bound / (1 + gap * inside))
    if bound < 0 or value < 0 or gap >= 1:
        return value
    return max(value, bound / (1 - gap * inside))


def spread_model(model: LinearModel, floor: float) -> LinearModel:
    """The model with its objective held at `floor` or better, minimising the difference
    between the largest and the smallest period's spend (two new columns, last)."""
    n = model.num_cols
    cost = model.cells.column("cost")
    periods = model.cells.level("period")
    names = list(dict.fromkeys(periods))
    counts = model.count_columns
    rows, columns, values = [], [], []
    # the objective row
    objective_columns = np.flatnonzero(model.objective)
    rows.append(np.zeros(len(objective_columns), dtype=int))
    columns.append(objective_columns)
    values.append(model.objective[objective_columns])
    # each period's spend at most the largest (column n) and at least the smallest (n + 1)
    for number, period in enumerate(names):
        cells = np.flatnonzero((periods == period) & (cost != 0))
        for row, column in ((1 + number, n), (1 + len(names) + number, n + 1)):
            rows.append(np.full(len(cells) + 1, row))
            columns.append(np.append(counts[cells], column))
            values.append(np.append(cost[cells], -1.0))
    height = 1 + 2 * len(names)
    extra = _rows_matrix(
        np.concatenate(rows), np.concatenate(columns), np.concatenate(values), height
    )
    maximize = model.sense == "maximize"
    objective_lower = floor if maximize else -np.inf
    objective_upper = np.inf if maximize else floor
    start = model.num_rows
    return replace(
        model,
        sense="minimize",
        objective=np.concatenate([np.zeros(n), [1.0, -1.0]]),
        col_lower=np.concatenate([model.col_lower, [0.0, 0.0]]),
        col_upper=np.concatenate([model.col_upper, [np.inf, np.inf]]),
        integrality=np.concatenate([model.integrality, [False, False]]),
        col_names=[*model.col_names, "largest-period-spend", "smallest-period-spend"],
        rows=_stacked(model.rows, extra, n + 2),
        row_lower=np.concatenate(
            [model.row_lower, [objective_lower], np.full(len(names), -np.inf), np.zeros(len(names))]
        ),
        row_upper=np.concatenate(
            [model.row_upper, [objective_upper], np.zeros(len(names)), np.full(len(names), np.inf)]
        ),
        row_names=[
            *model.row_names,
            "tie:objective",
            *(f"tie:largest[{period}]" for period in names),
            *(f"tie:smallest[{period}]" for period in names),
        ],
        row_sides=[*model.row_sides, *(["link"] * height)],  # type: ignore[list-item]
        blocks=[*model.blocks, RowBlock("tie-break", start, start + height, None)],
    )


def _rows_matrix(
    rows: np.ndarray, columns: np.ndarray, values: np.ndarray, height: int
) -> RowMatrix:
    order = np.lexsort((columns, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=height))])
    return RowMatrix(
        indptr=indptr.astype(np.int32),
        indices=columns[order].astype(np.int32),
        data=values[order].astype(float),
        shape=(height, 0),
    )


def _stacked(top: RowMatrix, bottom: RowMatrix, width: int) -> RowMatrix:
    return RowMatrix(
        indptr=np.concatenate([top.indptr, top.indptr[-1] + bottom.indptr[1:]]).astype(np.int32),
        indices=np.concatenate([top.indices, bottom.indices]).astype(np.int32),
        data=np.concatenate([top.data, bottom.data]),
        shape=(top.shape[0] + bottom.shape[0], width),
    )
