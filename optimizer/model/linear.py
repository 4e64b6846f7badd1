"""The one model builder: scenario -> cells -> constraints -> a linear model as arrays.

Columns: one count per cell (integer unless `integer: false`), one continuous column per
saturation segment of cells with several segments, and, only where a rule could profit from
filling a later (weaker) segment before an earlier one, binaries that force segments to fill
in order. Rows come in named blocks, one per constraint, so every report can use the
planner's names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from optimizer.constants import SATURATED_METRICS
from optimizer.errors import OptimizerError
from optimizer.model.cells import Cells, derive_cells
from optimizer.model.constraints import Constraint, RuleSet, SkippedRule, collect_constraints
from optimizer.scenario.schema import Scenario

if TYPE_CHECKING:
    import scipy.sparse as sp

Side = Literal["min", "max", "range", "link"]
Bounds = tuple[float | None, float | None]

# Stands in for "no upper bound" in segment-order rows when neither a pool nor a budget caps a
# cell; it is far above any count a budget plan buys.
UNBOUNDED_COUNT = 1e6


@dataclass(frozen=True)
class RowBlock:
    """Rows `start:stop` of the model, all of one constraint (or of the internal `saturation`)."""

    name: str
    start: int
    stop: int
    constraint: Constraint | None


@dataclass(frozen=True)
class RowMatrix:
    """A sparse matrix by rows (CSR arrays): what the builder makes and HiGHS reads.

    Plain arrays rather than SciPy, whose import would add about a tenth to `optimizer solve`'s
    start-up; `LinearModel.matrix` offers the SciPy view to the analyses that want one.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]


@dataclass(frozen=True, eq=False)
class LinearModel:
    """`optimise objective @ x` s.t. `row_lower <= matrix @ x <= row_upper`, column bounds and
    integrality; `count_columns[i]` is the column of cell i's count."""

    sense: Literal["maximize", "minimize"]
    objective: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray
    col_names: list[str]
    rows: RowMatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: list[str]
    row_sides: list[Side]
    blocks: list[RowBlock]
    count_columns: np.ndarray
    cells: Cells
    constraints: list[Constraint]
    skipped: list[SkippedRule]
    scenario: Scenario
    """The scenario the model was built from (with the budget it holds)."""

    @property
    def num_cols(self) -> int:
        """Columns: counts, segment columns and segment-order binaries."""
        return len(self.objective)

    @property
    def num_rows(self) -> int:
        """Rows: every constraint's, and the saturation rows."""
        return len(self.row_lower)

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer."""
        return bool(self.integrality.any())

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix as a SciPy CSR matrix."""
        import scipy.sparse as sp

        rows = self.rows
        return sp.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape)


@dataclass
class _Rows:
    """Rows in cell space: coefficients on the count (`direct`) and on the effective
    (saturation-weighted) count (`effective`) of each cell."""

    lower: list[float]
    upper: list[float]
    names: list[str]
    sides: list[Side]
    direct: list[np.ndarray]
    effective: list[np.ndarray]
    owner: list[int]


def _unit(cells: Cells, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell coefficients of a metric on (count, effective count)."""
    zeros = np.zeros(len(cells))
    table = cells.table
    if metric == "count":
        return np.ones(len(cells)), zeros
    if metric == "spend":
        return table["cost"].to_numpy(), zeros
    if metric == "profit":
        return -table["cost"].to_numpy(), table["revenue"].to_numpy()
    if metric in SATURATED_METRICS:
        return zeros, table[metric].to_numpy()
    raise ValueError(f"unknown metric {metric!r}")


def _constraint_rows(number: int, constraint: Constraint, cells: Cells, rows: _Rows) -> None:
    direct, effective = _unit(cells, constraint.metric)
    if constraint.base is None:
        mask = constraint.selected.astype(float)
        rows.direct.append(direct * mask)
        rows.effective.append(effective * mask)
        rows.lower.append(-np.inf if constraint.min is None else constraint.min)
        rows.upper.append(np.inf if constraint.max is None else constraint.max)
        rows.names.append(constraint.name)
        rows.sides.append("range")
        rows.owner.append(number)
        return
    # share >= b  <=>  total(selected) - b * total(base) >= 0: it holds when nothing is bought
    for side, bound in (("min", constraint.min), ("max", constraint.max)):
        if bound is None:
            continue
        weights = constraint.selected.astype(float) - bound * constraint.base
        rows.direct.append(direct * weights)
        rows.effective.append(effective * weights)
        rows.lower.append(0.0 if side == "min" else -np.inf)
        rows.upper.append(np.inf if side == "min" else 0.0)
        rows.names.append(f"{constraint.name}:{side}")
        rows.sides.append(side)  # type: ignore[arg-type]
        rows.owner.append(number)


def count_caps(
    cost: np.ndarray,
    constraints: list[Constraint],
    bounds: list[Bounds],
    lower: np.ndarray,
    available: np.ndarray,
    integer: bool,
) -> np.ndarray:
    """Most influencers a cell can hold under the rules' (min, max) `bounds`: its pool, and
    what each spend or count maximum affords.

    Caps implied by spend shares (a selected cell spends at most `max share x budget`) were
    measured too: they tighten the relaxation, yet raised the branch-and-bound nodes on five
    of nine benchmark cases (up to twice as many), so they are not applied.
    """
    cap = available.astype(float).copy()
    for constraint, (_, high) in zip(constraints, bounds, strict=True):
        if constraint.base is not None or high is None:
            continue
        if constraint.metric == "spend":
            cap = np.minimum(cap, np.where(constraint.selected, high / cost, np.inf))
        if constraint.metric == "count":
            cap = np.minimum(cap, np.where(constraint.selected, high, np.inf))
    if integer:
        cap = np.floor(cap + 1e-9)
    # A cap below the cell's minimum means its rows cannot hold; leave that to the rows, which
    # every solver reports as infeasible (some reject crossed bounds as an error instead).
    return np.maximum(cap, lower)


def build_model(scenario: Scenario, cells: Cells | None = None) -> LinearModel:
    """The linear model of a validated scenario (section 5 of the format)."""
    if not isinstance(scenario, Scenario):
        raise OptimizerError(
            f"build_model takes a Scenario, not {type(scenario).__name__}: load one first"
            " (load_scenario, scenario_from_dict)"
        )
    cells = cells if cells is not None else derive_cells(scenario)
    rule_set = collect_constraints(scenario, cells)
    rows = _Rows([], [], [], [], [], [], [])
    for number, constraint in enumerate(rule_set.constraints):
        _constraint_rows(number, constraint, cells, rows)
    objective = _unit(cells, scenario.objective.metric)
    caps = count_caps(
        cells.table["cost"].to_numpy(),
        rule_set.constraints,
        [(constraint.min, constraint.max) for constraint in rule_set.constraints],
        cells.table["lower"].to_numpy(),
        cells.table["upper"].to_numpy(),
        scenario.integer,
    )
    return _assemble(scenario, cells, rule_set, rows, objective, caps)


def _cell_labels(cells: Cells) -> list[str]:
    """`period,platform,tier` of every cell, for readable column and row names."""
    return [",".join(map(str, key)) for key in cells.index]


def _assemble(
    scenario: Scenario,
    cells: Cells,
    rule_set: RuleSet,
    rows: _Rows,
    objective: tuple[np.ndarray, np.ndarray],
    caps: np.ndarray,
) -> LinearModel:
    n_cells = len(cells)
    maximize = scenario.objective.sense == "maximize"
    segments = cells.segments
    seg_cell = segments["cell"].to_numpy()
    per_cell = np.bincount(seg_cell, minlength=n_cells)
    saturated = per_cell > 1
    direct = np.array(rows.direct).reshape(len(rows.names), n_cells)
    effective = np.array(rows.effective).reshape(len(rows.names), n_cells)
    lower = np.array(rows.lower, dtype=float)
    upper = np.array(rows.upper, dtype=float)

    # A cell needs its segments forced into order when some row or the objective would gain
    # from a smaller effective count: the LP would otherwise fill a weaker segment first.
    wrong_way = ((effective < 0) & np.isfinite(lower)[:, None]) | (
        (effective > 0) & np.isfinite(upper)[:, None]
    )
    needs_order = saturated & (
        wrong_way.any(axis=0) | ((objective[1] < 0) if maximize else (objective[1] > 0))
    )

    # Single-segment cells carry their factor on the count column.
    single_factor = np.ones(n_cells)
    single = ~saturated[seg_cell]
    single_factor[seg_cell[single]] = segments["factor"].to_numpy()[single]
    count_direct = direct + effective * np.where(saturated, 0.0, single_factor)
    count_objective = objective[0] + objective[1] * np.where(saturated, 0.0, single_factor)

    columns_lower = [cells.table["lower"].to_numpy()]
    columns_upper = [caps]
    integer = [np.full(n_cells, scenario.integer)]
    labels = _cell_labels(cells)
    names = [f"n[{label}]" for label in labels]
    objective_parts = [count_objective]
    dense_blocks = [count_direct]

    seg_rows = np.flatnonzero(saturated[seg_cell])
    n_seg = len(seg_rows)
    seg_of = seg_cell[seg_rows]
    factor = segments["factor"].to_numpy()[seg_rows]
    start = segments["start"].to_numpy()[seg_rows]
    width = np.minimum(segments["width"].to_numpy()[seg_rows], np.maximum(caps[seg_of] - start, 0))
    if n_seg:
        columns_lower.append(np.zeros(n_seg))
        columns_upper.append(width)
        integer.append(np.zeros(n_seg, dtype=bool))
        names += [
            f"s[{labels[c]},{k}]"
            for c, k in zip(seg_of, segments["segment"].to_numpy()[seg_rows], strict=True)
        ]
        objective_parts.append(objective[1][seg_of] * factor)
        dense_blocks.append(effective[:, seg_of] * factor)

    row_lower, row_upper = [lower], [upper]
    row_names, row_sides = list(rows.names), list(rows.sides)
    blocks = _blocks(rule_set.constraints, rows.owner)
    n_cols_so_far = n_cells + n_seg
    extra: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []

    # saturation: n[cell] - sum of its segment columns = 0
    if n_seg:
        link_cells = np.flatnonzero(saturated)
        link_row = {c: i for i, c in enumerate(link_cells)}
        r = np.array([link_row[c] for c in seg_of])
        coo_rows = np.concatenate([np.arange(len(link_cells)), r])
        coo_cols = np.concatenate([link_cells, n_cells + np.arange(n_seg)])
        coo_vals = np.concatenate([np.ones(len(link_cells)), -np.ones(n_seg)])
        extra.append((coo_rows, coo_cols, coo_vals, len(link_cells)))
        start_row = len(row_names)
        row_lower.append(np.zeros(len(link_cells)))
        row_upper.append(np.zeros(len(link_cells)))
        row_names += [f"saturation[{labels[c]}]" for c in link_cells]
        row_sides += ["link"] * len(link_cells)
        blocks.append(RowBlock("saturation", start_row, len(row_names), None))

    # segment order: z = 1 when segment k is full; s_k >= width_k z and s_{k+1} <= width_{k+1} z
    order_pairs = [
        (i, i + 1)
        for i in range(n_seg - 1)
        if seg_of[i] == seg_of[i + 1] and needs_order[seg_of[i]]
    ]
    if order_pairs:
        n_z = len(order_pairs)
        first = np.array([a for a, _ in order_pairs])
        second = np.array([b for _, b in order_pairs])
        big = np.where(np.isfinite(width[second]), width[second], UNBOUNDED_COUNT)
        z_cols = n_cols_so_far + np.arange(n_z)
        seg_cols = n_cells + np.arange(n_seg)
        coo_rows = np.concatenate(
            [np.arange(n_z), np.arange(n_z), n_z + np.arange(n_z), n_z + np.arange(n_z)]
        )
        coo_cols = np.concatenate([seg_cols[first], z_cols, seg_cols[second], z_cols])
        coo_vals = np.concatenate([np.ones(n_z), -width[first], np.ones(n_z), -big])
        extra.append((coo_rows, coo_cols, coo_vals, 2 * n_z))
        start_row = len(row_names)
        row_lower += [np.zeros(n_z), np.full(n_z, -np.inf)]
        row_upper += [np.full(n_z, np.inf), np.zeros(n_z)]
        order_labels = [f"{labels[seg_of[a]]},{a}" for a in first]
        row_names += [f"order-full[{x}]" for x in order_labels]
        row_names += [f"order-next[{x}]" for x in order_labels]
        row_sides += ["link"] * (2 * n_z)
        blocks.append(RowBlock("saturation-order", start_row, len(row_names), None))
        columns_lower.append(np.zeros(n_z))
        columns_upper.append(np.ones(n_z))
        integer.append(np.ones(n_z, dtype=bool))
        names += [f"z[{x}]" for x in order_labels]
        objective_parts.append(np.zeros(n_z))

    n_cols = len(names)
    triplets = []
    offset = 0
    for dense in dense_blocks:
        r, c = np.nonzero(dense)
        triplets.append((r, c + offset, dense[r, c]))
        offset += dense.shape[1]
    height = len(rows.names)
    for r, c, vals, block_height in extra:
        triplets.append((r + height, c, vals))
        height += block_height
    matrix = _row_matrix(triplets, (height, n_cols))
    return LinearModel(
        sense="maximize" if maximize else "minimize",
        objective=np.concatenate(objective_parts),
        col_lower=np.concatenate(columns_lower),
        col_upper=np.concatenate(columns_upper),
        integrality=np.concatenate(integer),
        col_names=names,
        rows=matrix,
        row_lower=np.concatenate(row_lower),
        row_upper=np.concatenate(row_upper),
        row_names=row_names,
        row_sides=row_sides,
        blocks=blocks,
        count_columns=np.arange(n_cells),
        cells=cells,
        constraints=rule_set.constraints,
        skipped=rule_set.skipped,
        scenario=scenario,
    )


def model_for(scenario: Scenario, model: LinearModel | None = None) -> LinearModel:
    """The scenario's model: `model`, when a caller built it already, else a new one."""
    if model is None:
        return build_model(scenario)
    if not isinstance(model, LinearModel):
        raise OptimizerError(f"model must be a LinearModel, not {type(model).__name__}")
    if model.scenario is not scenario and model.scenario != scenario:
        raise OptimizerError("the model was built from another scenario: pass this one's, or none")
    return model


def _row_matrix(
    triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]], shape: tuple[int, int]
) -> RowMatrix:
    """CSR arrays of (row, column, value) triplets, each position given once; zeros dropped."""
    rows, columns, values = (np.concatenate(part) for part in zip(*triplets, strict=True))
    kept = values != 0
    rows, columns, values = rows[kept], columns[kept], values[kept]
    order = np.lexsort((columns, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    return RowMatrix(
        indptr=indptr.astype(np.int32),
        indices=columns[order].astype(np.int32),
        data=values[order].astype(float),
        shape=shape,
    )


def _blocks(constraints: list[Constraint], owner: list[int]) -> list[RowBlock]:
    rows_of = np.asarray(owner, dtype=int)
    blocks = []
    for number, constraint in enumerate(constraints):
        rows = np.flatnonzero(rows_of == number)
        blocks.append(RowBlock(constraint.name, int(rows[0]), int(rows[-1]) + 1, constraint))
    return blocks
