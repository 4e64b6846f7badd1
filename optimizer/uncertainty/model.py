"""The risk model: the built v1 model with its objective taken over the draws (section 8.1).

The rules (budget, shares, limits, `min`, `available`) stay as the v1 model holds them, at
point values. The outcome of draw s is linear in the model's columns:

    Z_s = sum_c m[s, c, k] * metric_c * E_c      (E_c: the cell's saturated count)
    profit: sum_c m[s, c, conversions] * revenue_c * E_c - m[s, c, cost] * cost_c * n_c

Cells whose multipliers agree in every draw (by default the cells of one offer, over all
periods) form a group. One auxiliary column per group carries the group's total at point
values, `T_g = sum_{c in g} metric_c * E_c`, so that `Z_s = sum_g m[s, g] * T_g` and each
draw's row has one entry per group, not one per cell.

- expected: maximise `mean_s Z_s = sum_g mean_s(m[s, g]) * T_g`;
- CVaR (Rockafellar-Uryasev): a free column t and `u_s >= 0` with `u_s >= t - Z_s`, maximising
  `(1 - W) * mean(Z) + W * (t - sum_s u_s / (A N))`. Draws may share a row in clusters: one
  `u_k >= t - mean_{s in k} Z_s` weighted by the cluster's size, a model that never scores a
  plan below its measure (`optimizer.uncertainty.clusters`);
- chance target: a binary `y_s` per draw with `Z_s >= target - M_s (1 - y_s)`, where `M_s` is
  the draw's largest shortfall (the target less the least outcome any plan meeting the
  chance target can have in it: `quantile_floors`), and `sum_s y_s >= ceil(p N)`,
  minimising spend at point prices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.model.linear import LinearModel, RowBlock, RowMatrix
from optimizer.scenario.schema import Risk, Target
from optimizer.uncertainty.draws import Draws


@dataclass(frozen=True)
class Part:
    """One signed term of the outcome: per-cell coefficients on the count (`on_count`) or on
    the saturated count, moved by the multipliers of `kind`."""

    kind: str
    coefficient: np.ndarray
    on_count: bool
    sign: float = 1.0


def outcome_parts(cells_metric: str, model: LinearModel) -> list[Part]:
    """The terms of an objective metric (or a target's) at point values."""
    cells = model.cells
    if cells_metric == "spend":
        return [Part("cost", cells.column("cost"), on_count=True)]
    if cells_metric == "profit":
        return [
            Part("conversions", cells.column("revenue"), on_count=False),
            Part("cost", cells.column("cost"), on_count=True, sign=-1.0),
        ]
    kind = "conversions" if cells_metric == "revenue" else cells_metric
    return [Part(kind, cells.column(cells_metric), on_count=False)]


def effective_terms(model: LinearModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell, column, weight) entries with `E_c = sum weight * x[column]`: a cell with one
    segment weighs its count by the segment's factor, a saturated cell its segment columns
    (read from the `saturation` rows, whose segment columns are in segment order)."""
    cells = model.cells
    seg_cell = cells.segment_column("cell")
    factor = cells.segment_column("factor")
    segments_of = np.bincount(seg_cell, minlength=len(cells))
    single = segments_of[seg_cell] == 1
    parts_cell = [seg_cell[single]]
    parts_column = [model.count_columns[seg_cell[single]]]
    parts_weight = [factor[single]]
    saturated = np.flatnonzero(segments_of > 1)
    block = next((b for b in model.blocks if b.name == "saturation"), None)
    if len(saturated):
        if block is None or block.stop - block.start != len(saturated):
            raise OptimizerError("the model's saturation rows do not match its cells")
        rows = model.rows
        for number, cell in enumerate(saturated):
            row = block.start + number
            columns = rows.indices[rows.indptr[row] : rows.indptr[row + 1]]
            values = rows.data[rows.indptr[row] : rows.indptr[row + 1]]
            segment_columns = np.sort(columns[values < 0])
            mine = seg_cell == cell
            if len(segment_columns) != int(mine.sum()):
                raise OptimizerError("the model's saturation rows do not match its cells")
            parts_cell.append(np.full(len(segment_columns), cell))
            parts_column.append(segment_columns)
            parts_weight.append(factor[mine])
    return (
        np.concatenate(parts_cell).astype(np.int64),
        np.concatenate(parts_column).astype(np.int64),
        np.concatenate(parts_weight).astype(float),
    )


@dataclass
class Group:
    """One auxiliary column: a part's total over cells whose multipliers agree."""

    part: Part
    cells: np.ndarray
    multipliers: np.ndarray  # (N,)


@dataclass
class Extension:
    """Columns and rows appended to a model, as `spread.py` does for the tie-break."""

    model: LinearModel
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    blocks: list[tuple[str, int, int]] = field(default_factory=list)

    def column(
        self, name: str, lower: float, upper: float, objective: float = 0.0, integer: bool = False
    ) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        self.objective.append(objective)
        self.names.append(name)
        return self.model.num_cols + len(self.names) - 1

    def row(
        self, name: str, columns: np.ndarray, values: np.ndarray, lower: float, upper: float
    ) -> int:
        number = len(self.row_names)
        keep = np.asarray(values) != 0
        self.rows += [number] * int(keep.sum())
        self.columns += [int(c) for c in np.asarray(columns)[keep]]
        self.values += [float(v) for v in np.asarray(values)[keep]]
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_names.append(name)
        return self.model.num_rows + number

    def rows_of(
        self, names: list[str], columns: np.ndarray, values: np.ndarray, lower: float, upper: float
    ) -> None:
        """Rows as `row` adds them, one per name and per row of `columns` and `values`."""
        first = len(self.row_names)
        keep = values != 0
        self.rows += (first + np.nonzero(keep)[0]).tolist()
        self.columns += columns[keep].astype(np.int64).tolist()
        self.values += values[keep].astype(float).tolist()
        self.row_lower += [lower] * len(names)
        self.row_upper += [upper] * len(names)
        self.row_names += names

    def copy(self) -> Extension:
        """Another extension with the columns and rows added so far, to add more to."""
        return Extension(
            self.model,
            *(list(getattr(self, name)) for name in _EXTENSION_LISTS),
        )

    def block(self, name: str, first: int) -> None:
        """Rows from `first` (a position in the whole model) to the last added so far."""
        self.blocks.append((name, first, self.model.num_rows + len(self.row_names)))

    def finish(
        self, sense: Literal["maximize", "minimize"], base_objective: np.ndarray
    ) -> LinearModel:
        model = self.model
        width = model.num_cols + len(self.names)
        height = len(self.row_names)
        rows = np.asarray(self.rows, dtype=np.int64)
        columns = np.asarray(self.columns, dtype=np.int64)
        values = np.asarray(self.values, dtype=float)
        order = np.lexsort((columns, rows))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=height))])
        top = model.rows
        matrix = RowMatrix(
            indptr=np.concatenate([top.indptr, top.indptr[-1] + indptr[1:]]).astype(np.int32),
            indices=np.concatenate([top.indices, columns[order]]).astype(np.int32),
            data=np.concatenate([top.data, values[order]]),
            shape=(model.num_rows + height, width),
        )
        return replace(
            model,
            sense=sense,
            objective=np.concatenate([base_objective, self.objective]),
            col_lower=np.concatenate([model.col_lower, self.lower]),
            col_upper=np.concatenate([model.col_upper, self.upper]),
            integrality=np.concatenate([model.integrality, np.asarray(self.integer, dtype=bool)]),
            col_names=[*model.col_names, *self.names],
            rows=matrix,
            row_lower=np.concatenate([model.row_lower, self.row_lower]),
            row_upper=np.concatenate([model.row_upper, self.row_upper]),
            row_names=[*model.row_names, *self.row_names],
            row_sides=[*model.row_sides, *(["link"] * height)],  # type: ignore[list-item]
            blocks=[
                *model.blocks,
                *(RowBlock(name, first, stop, None) for name, first, stop in self.blocks),
            ],
        )


_EXTENSION_LISTS = (
    "lower", "upper", "integer", "objective", "names", "rows", "columns", "values",
    "row_lower", "row_upper", "row_names", "blocks",
)  # fmt: skip
"""Extension's lists, in the order of its fields."""


def outcome_groups(parts: list[Part], draws: Draws) -> list[Group]:
    """Each part's cells grouped by identical multipliers over the draws (the draws' own
    groups, those alike in every draw merged); groups whose cells contribute nothing are left
    out."""
    groups = []
    for part in parts:
        by_group = draws.group_of(part.kind)  # (N, the draws' groups)
        live = np.flatnonzero(part.coefficient != 0)
        if not len(live):
            continue
        used, position = np.unique(draws.cell_group[live], return_inverse=True)
        # draws' groups alike in every draw share a label (+ 0.0: -0.0 is 0.0 too)
        seen: dict[bytes, int] = {}
        alike = np.array(
            [
                seen.setdefault(column.tobytes(), len(seen))
                for column in np.ascontiguousarray(by_group[:, used].T, dtype=float) + 0.0
            ]
        )
        label = alike[position.reshape(-1)]  # per live cell
        _, first = np.unique(label, return_index=True)
        # groups in the order of their first cell, so the model reads in cell order
        for number in np.argsort(first):
            members = live[label == number]
            multipliers = by_group[:, draws.cell_group[members[0]]]
            groups.append(Group(part, members, multipliers.astype(float)))
    return groups


def add_totals(extension: Extension, groups: list[Group], name: str) -> list[int]:
    """One free column per group, held equal to the group's total at point values."""
    model = extension.model
    term_cell, term_column, term_weight = effective_terms(model)
    columns = []
    first = model.num_rows + len(extension.row_names)
    for number, group in enumerate(groups):
        part = group.part
        label = ",".join(model.cells.keys[group.cells[0]])
        column = extension.column(f"{name}[{part.kind},{number},{label}]", -np.inf, np.inf)
        if part.on_count:
            cols = model.count_columns[group.cells]
            vals = part.coefficient[group.cells]
        else:
            mine = np.isin(term_cell, group.cells)
            cols = term_column[mine]
            vals = part.coefficient[term_cell[mine]] * term_weight[mine]
        extension.row(
            f"{name}[{number}]",
            np.append(cols, column),
            np.append(-vals, 1.0),
            0.0,
            0.0,
        )
        columns.append(column)
    if groups:
        extension.block(f"uncertainty:{name}", first)
    return columns


def draw_matrix(groups: list[Group]) -> np.ndarray:
    """(N, groups) signed multipliers: Z_s = this @ T."""
    return np.column_stack([group.part.sign * group.multipliers for group in groups])


def total_columns(model: LinearModel, extended: LinearModel) -> np.ndarray:
    """The group total columns of a risk or chance model built on `model`: the first columns
    it adds, one per row of its `uncertainty:total` block."""
    block = next((b for b in extended.blocks if b.name == "uncertainty:total"), None)
    count = 0 if block is None else block.stop - block.start
    return model.num_cols + np.arange(count)


class RiskModels:
    """Risk models of one model and one set of draws: the groups, their total columns and
    rows made once, and a model built from them for any clusters of the draws."""

    def __init__(self, model: LinearModel, draws: Draws, risk: Risk | None) -> None:
        if model.sense != "maximize":
            raise OptimizerError("risk goes with an objective that is maximised")
        self.model = model
        self.count = draws.count
        self.risk = risk
        self.weight = 0.0 if risk is None or risk.cvar is None else risk.weight
        self.base = Extension(model)
        groups = outcome_groups(outcome_parts(model.scenario.objective.metric, model), draws)
        self.totals = add_totals(self.base, groups, "total")
        self.matrix = draw_matrix(groups) if groups else np.zeros((draws.count, 0))
        """(N, groups) signed multipliers: `Z = matrix @ T`, T the total columns' values."""
        mean = self.matrix.mean(axis=0)
        for column, coefficient in zip(self.totals, mean, strict=True):
            self.base.objective[column - model.num_cols] = (1 - self.weight) * float(coefficient)

    def plan_totals(self, values: np.ndarray) -> np.ndarray:
        """The group totals T of a plan given by the model's column values (its `total` rows
        `T - sum(...) = 0` read off)."""
        base, width = self.base, self.model.num_cols
        rows = np.asarray(base.rows, dtype=np.int64)
        columns = np.asarray(base.columns, dtype=np.int64)
        entries = np.asarray(base.values, dtype=float)
        own = columns < width  # the plan's columns; the other entry of a row is its total
        activity = np.bincount(
            rows[own], weights=entries[own] * values[columns[own]], minlength=len(self.totals)
        )
        return -activity

    def build(self, clusters: Sequence[np.ndarray] | None = None) -> LinearModel:
        """The model maximising the mean of Z, or `(1 - W) mean(Z) + W CVaR_A(Z)`: with a row
        and a column per draw, or per cluster of draws where `clusters` (arrays of draw
        numbers that partition the draws) are given. A cluster's row holds its draws' mean
        outcome and its column weighs as many draws as it holds, so the model never scores a
        plan below its measure, and scores it exactly where every cluster is wholly inside or
        outside the plan's worst share (`optimizer.uncertainty.clusters`)."""
        model, risk = self.model, self.risk
        extension = self.base.copy()
        if not self.totals:  # no outcome at all: every plan scores 0
            return extension.finish("maximize", np.zeros(model.num_cols))
        if self.weight > 0:
            assert risk is not None and risk.cvar is not None
            totals, matrix = self.totals, self.matrix
            t = extension.column("cvar:t", -np.inf, np.inf, objective=self.weight)
            share = self.weight / (risk.cvar * self.count)
            first = model.num_rows + len(extension.row_names)
            if clusters is None:
                clusters = list(np.arange(self.count)[:, None])
            sizes = np.array([len(members) for members in clusters])
            # a draw alone: its row of multipliers (the mean of one row is that row)
            means = np.empty((len(clusters), len(totals)))
            alone = sizes == 1
            means[alone] = matrix[[int(members[0]) for members in clusters if len(members) == 1]]
            for k in np.flatnonzero(~alone):
                means[k] = matrix[clusters[int(k)]].mean(axis=0)
            labels = [cluster_label(members) for members in clusters]
            u = [
                extension.column(f"cvar:u[{label}]", 0.0, np.inf, objective=objective)
                for label, objective in zip(labels, (-share * sizes).tolist(), strict=True)
            ]
            # u_k >= t - mean_k Z  <=>  u_k - t + mean_k Z >= 0
            extension.rows_of(
                [f"cvar[{label}]" for label in labels],
                np.column_stack([u, np.full(len(u), t), np.tile(totals, (len(u), 1))]),
                np.column_stack([np.ones(len(u)), -np.ones(len(u)), means]),
                0.0,
                np.inf,
            )
            extension.block("uncertainty:cvar", first)
        return extension.finish("maximize", np.zeros(model.num_cols))


def risk_model(
    model: LinearModel,
    draws: Draws,
    risk: Risk | None,
    clusters: Sequence[np.ndarray] | None = None,
) -> LinearModel:
    """The model maximising the mean of Z, or `(1 - W) mean(Z) + W CVaR_A(Z)`, with a row and
    a column per draw or per cluster of draws (`RiskModels.build`)."""
    return RiskModels(model, draws, risk).build(clusters)


def cluster_label(members: np.ndarray) -> str:
    """A draw's number, or a cluster's first draw and its size: `17`, `17+41`."""
    if len(members) == 1:
        return str(int(members[0]))
    return f"{int(np.min(members))}+{len(members) - 1}"


def _point_range(model: LinearModel, part: Part, cells: np.ndarray) -> tuple[float, float]:
    """The least and most a part's total over `cells` can be: at the counts' lower bounds
    and their caps (inf where uncapped)."""
    lower = model.col_lower[model.count_columns]
    upper = model.col_upper[model.count_columns]
    counts = (lower, upper)
    figures = []
    for count in counts:
        if part.on_count:
            per_cell = count
        else:
            finite = np.where(np.isfinite(count), count, 0.0)
            per_cell = model.cells.effective_counts(finite)
            per_cell = np.where(np.isfinite(count), per_cell, np.inf)
        with np.errstate(invalid="ignore"):
            products = np.where(
                part.coefficient[cells] == 0, 0.0, part.coefficient[cells] * per_cell[cells]
            )
        figures.append(float(products.sum()))
    return figures[0], figures[1]


QUANTILE_DRAWS = 2_000
"""Up to this many draws the chance model's rows get quantile floors (`quantile_floors`):
their cost grows with the square of the draws (0.1 s at 1,000 draws of 32 offers)."""


def chance_model(model: LinearModel, draws: Draws, target: Target) -> LinearModel:
    """The least spend (at point prices) whose plan reaches `target` in at least
    `K = ceil(p N)` draws: a binary `y_s` per draw with
    `Z_s >= target y_s + F_s (1 - y_s)`, where `F_s` is the least outcome of draw s that any
    such plan can have (the larger of the counts' lower bounds' and `quantile_floors`), and
    `sum_s y_s >= K`. A draw whose floor reaches the target needs no binary (its row holds
    `Z_s >= F_s`), and one no plan can reach has its binary fixed at 0."""
    extension = Extension(model)
    groups = outcome_groups(outcome_parts(target.metric, model), draws)
    totals = add_totals(extension, groups, "total")
    n = draws.count
    needed = required_draws(target.probability, n)
    if not groups:
        if target.value > 0:
            extension.row("target:unreachable", np.array([], dtype=int), np.array([]), 1.0, 1.0)
        return extension.finish("minimize", model.objective)
    matrix = draw_matrix(groups)
    ranges = np.array([_point_range(model, g.part, g.cells) for g in groups])
    with np.errstate(invalid="ignore"):
        least = np.where(matrix == 0, 0.0, matrix * ranges[:, 0]).sum(axis=1)
        most = np.where(matrix == 0, 0.0, matrix * ranges[:, 1]).sum(axis=1)
    reachable = ~(most < target.value)
    floors = least
    if n <= QUANTILE_DRAWS and needed <= int(reachable.sum()):
        floors = np.maximum(least, quantile_floors(matrix, target.value, needed, reachable))
    first = model.num_rows + len(extension.row_names)
    switches = []
    for s in range(n):
        shortfall = target.value - floors[s]  # the largest shortfall a plan can have
        if shortfall <= 0:
            if floors[s] > least[s]:
                # every plan reaching the target in K draws reaches it in this one
                extension.row(
                    f"target:floor[{s}]", np.array(totals), matrix[s], float(floors[s]), np.inf
                )
            continue
        y = extension.column(f"target:y[{s}]", 0.0, 1.0 if reachable[s] else 0.0, integer=True)
        switches.append(y)
        if reachable[s]:
            # Z_s >= target y_s + F_s (1 - y_s)  <=>  Z_s - (target - F_s) y_s >= F_s
            extension.row(
                f"target[{s}]",
                np.array([y, *totals]),
                np.concatenate([[-shortfall], matrix[s]]),
                target.value - shortfall,
                np.inf,
            )
    always = n - len(switches)
    if needed > always:
        extension.row(
            "target:probability",
            np.array(switches, dtype=int),
            np.ones(len(switches)),
            float(needed - always),
            np.inf,
        )
    extension.block("uncertainty:target", first)
    return extension.finish("minimize", model.objective)


def quantile_floors(
    matrix: np.ndarray, value: float, needed: int, candidates: np.ndarray
) -> np.ndarray:
    """Per draw j, an outcome `Z_j = matrix[j] @ T` below which no plan (T >= 0) reaching
    `value` in `needed` of the `candidates` draws can fall. Reaching it in draw i alone
    needs `Z_j >= h_ij = value * min_g matrix[j, g] / matrix[i, g]` (the cheapest way, in
    draw j's terms, to make draw i's outcome `value`); reaching it in `needed` draws, so
    `Z_j >=` the `needed`-th smallest `h_ij` over the candidates i."""
    options = matrix[candidates]  # (c, groups): the draws a plan may reach
    floors = np.empty(len(matrix))
    chunk = max(1, 4_000_000 // max(1, options.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, len(matrix), chunk):
            rows = matrix[start : start + chunk, None, :]  # (chunk, 1, groups)
            ratios = np.where(options > 0, rows / options, np.inf).min(axis=2)
            ratios = np.where(np.isnan(ratios), np.inf, ratios)
            floors[start : start + chunk] = (
                value * np.partition(ratios, needed - 1, axis=1)[:, needed - 1]
            )
    return np.where(np.isfinite(floors), floors, 0.0)


def point_target_model(model: LinearModel, target: Target) -> LinearModel:
    """The least spend whose plan reaches `target` at point values: the midpoint plan of a
    chance target."""
    extension = Extension(model)
    term_cell, term_column, term_weight = effective_terms(model)
    coefficient = model.cells.column(target.metric)
    extension.row(
        "target",
        term_column,
        coefficient[term_cell] * term_weight,
        target.value,
        np.inf,
    )
    extension.block("target", model.num_rows)
    return extension.finish("minimize", model.objective)


def required_draws(probability: float, n: int) -> int:
    """ceil(p N): the draws a chance target must hold in (a hair of rounding forgiven)."""
    return min(n, math.ceil(probability * n - 1e-9))


def start_values(extended: LinearModel, base: np.ndarray) -> np.ndarray:
    """Column values of the risk or chance model for the plan `base` (values of the v1
    model's columns, such as the midpoint plan's): each group total from its row, `t` at
    the worst share's threshold and `u_s` its shortfalls, `y_s` whether draw s reaches the
    target. A start for the search; infeasible for a chance model where the plan misses the
    probability (the solver then drops it)."""
    width = len(base)
    values = np.concatenate([np.asarray(base, dtype=float), np.zeros(extended.num_cols - width)])
    rows = extended.rows
    column_of = {name: width + i for i, name in enumerate(extended.col_names[width:])}

    def entries(row: int) -> tuple[np.ndarray, np.ndarray]:
        span = slice(rows.indptr[row], rows.indptr[row + 1])
        return rows.indices[span], rows.data[span]

    def activity(row: int) -> float:
        columns, data = entries(row)
        return float(data @ values[columns])

    blocks = {block.name: block for block in extended.blocks}
    total = blocks.get("uncertainty:total")
    if total is not None:
        for row in range(total.start, total.stop):
            columns, _ = entries(row)
            (column,) = columns[columns >= width]
            values[column] = -activity(row)  # T - sum(...) = 0, with T still at 0
    cvar = blocks.get("uncertainty:cvar")
    if cvar is not None:
        t = column_of["cvar:t"]
        rows_of = range(cvar.start, cvar.stop)
        us = np.array(
            [column_of["cvar:u[" + extended.row_names[r].removeprefix("cvar[")] for r in rows_of]
        )
        outcomes = np.array([activity(row) for row in rows_of])
        # t is where the draws' weights, lowest outcome first, reach the worst share: a
        # row's weight is its draws over A N (from the objective: its u's cost over t's)
        weights = extended.objective[us] / -extended.objective[t]
        order = np.argsort(outcomes, kind="stable")
        reached = np.searchsorted(np.cumsum(weights[order]), 1.0 - 1e-9)
        values[t] = float(outcomes[order[min(int(reached), len(order) - 1)]])
        values[us] = np.maximum(0.0, values[t] - outcomes)
    target = blocks.get("uncertainty:target")
    if target is not None:
        for row in range(target.start, target.stop):
            name = extended.row_names[row]
            if not name.startswith("target["):
                continue
            y = column_of["target:y[" + name.removeprefix("target[")]
            columns, data = entries(row)
            shortfall = -float(data[columns == y][0])
            # with y = 0 the row's activity is Z_s: the target is reached at lower + M_s
            reached = activity(row) >= extended.row_lower[row] + shortfall - 1e-9
            values[y] = 1.0 if reached and extended.col_upper[y] >= 1 else 0.0
    return values
