"""The built model's column layout, and the bounds it would have under other rule settings.

The builder folds caps implied by spend and count limits into the count columns' upper bounds
and into the saturation segments (`count_caps` in `optimizer.model.linear`). An analysis
that drops or moves a rule must recompute those caps, or the dropped rule would still act
through them. `bounds_for` does that from the model's own arrays; the tests check that it
reproduces the built model exactly when nothing is changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.constants import SATURATED_METRICS
from optimizer.model.constraints import Constraint, CreatorLimit, Rule
from optimizer.model.linear import UNBOUNDED_COUNT, Bounds, LinearModel, count_caps


@dataclass(frozen=True)
class Layout:
    """Where the builder put each kind of column and row."""

    n_cells: int
    seg_columns: np.ndarray
    """Column of each segment of a saturated cell, in `segments` order."""
    seg_cell: np.ndarray
    seg_start: np.ndarray
    seg_width: np.ndarray
    """Width from the saturation list alone (inf for the last segment)."""
    seg_factor: np.ndarray
    single_factor: np.ndarray
    """Factor carried on the count column by cells with a single segment (1 for the rest)."""
    saturated: np.ndarray
    full_rows: np.ndarray
    """`order-full` rows: segment >= width * z."""
    full_seg: np.ndarray
    next_rows: np.ndarray
    """`order-next` rows: next segment <= width * z."""
    next_seg: np.ndarray
    z_columns: np.ndarray


def layout_of(model: LinearModel) -> Layout:
    cells = model.cells
    n_cells = len(cells)
    segments = cells.segments
    cell = segments["cell"].to_numpy()
    saturated = np.bincount(cell, minlength=n_cells) > 1
    kept = saturated[cell]
    single_factor = np.ones(n_cells)
    single_factor[cell[~kept]] = segments["factor"].to_numpy()[~kept]
    # where the builder put the segments, as it recorded them
    seg_columns = model.segment_columns
    n_seg = len(seg_columns)
    full_rows = next_rows = z_columns = np.zeros(0, dtype=int)
    order = next((block for block in model.blocks if block.name == "saturation-order"), None)
    if order is not None:
        n_z = (order.stop - order.start) // 2
        full_rows = order.start + np.arange(n_z)
        next_rows = full_rows + n_z
        z_columns = n_cells + n_seg + np.arange(n_z)
    return Layout(
        n_cells=n_cells,
        seg_columns=seg_columns,
        seg_cell=model.segment_cells,
        seg_start=segments["start"].to_numpy()[kept],
        seg_width=segments["width"].to_numpy()[kept],
        seg_factor=segments["factor"].to_numpy()[kept],
        single_factor=single_factor,
        saturated=saturated,
        full_rows=full_rows,
        full_seg=_segment_in_rows(model, full_rows, n_cells, n_seg),
        next_rows=next_rows,
        next_seg=_segment_in_rows(model, next_rows, n_cells, n_seg),
        z_columns=z_columns,
    )


def _segment_in_rows(model: LinearModel, rows: np.ndarray, n_cells: int, n_seg: int) -> np.ndarray:
    """The segment each order row bounds: its one coefficient of 1 on a segment column (the
    z coefficient may have been dropped as zero, so it cannot be used to find the pair)."""
    found = []
    for row in rows:
        span = slice(model.matrix.indptr[row], model.matrix.indptr[row + 1])
        columns = model.matrix.indices[span]
        segment = columns[(columns >= n_cells) & (columns < n_cells + n_seg)]
        found.append(int(segment[0]) - n_cells)
    return np.asarray(found, dtype=int)


@dataclass(frozen=True)
class ColumnBounds:
    """Column bounds and order-row coefficients of the model under some rule settings."""

    lower: np.ndarray
    upper: np.ndarray
    full_coefficients: np.ndarray
    next_coefficients: np.ndarray


def bounds_for(
    model: LinearModel,
    layout: Layout,
    bounds: list[Bounds],
    lower: np.ndarray,
    available: np.ndarray,
) -> ColumnBounds:
    """The model's column bounds with the caps implied by `bounds` and the offers' pools."""
    integer = model.scenario.integer
    cost = model.cells.column("cost")
    parts, part_bounds, _ = rule_bounds(model, bounds)
    caps = count_caps(cost, parts, part_bounds, lower, available, integer)
    col_lower = model.col_lower.copy()
    col_upper = model.col_upper.copy()
    col_lower[model.count_columns] = lower
    col_upper[model.count_columns] = caps
    width = np.minimum(layout.seg_width, np.maximum(caps[layout.seg_cell] - layout.seg_start, 0))
    col_upper[layout.seg_columns] = width
    next_width = width[layout.next_seg]
    return ColumnBounds(
        lower=col_lower,
        upper=col_upper,
        full_coefficients=-width[layout.full_seg],
        next_coefficients=-np.where(np.isfinite(next_width), next_width, UNBOUNDED_COUNT),
    )


def metric_expression(
    model: LinearModel, layout: Layout, metric: str, mask: np.ndarray
) -> np.ndarray:
    """Coefficients over all columns of `metric` summed over the masked cells, saturated as
    the builder saturates it (so it equals a limit row on the same selection)."""
    table = model.cells.table
    direct = np.zeros(layout.n_cells)
    effective = np.zeros(layout.n_cells)
    if metric == "count":
        direct = np.ones(layout.n_cells)
    elif metric == "spend":
        direct = table["cost"].to_numpy().astype(float)
    elif metric in SATURATED_METRICS:
        effective = table[metric].to_numpy().astype(float)
    else:
        raise ValueError(f"unknown metric {metric!r}")
    weight = np.zeros(layout.n_cells)
    weight[mask] = 1.0  # a mask over cells, or positions (a limit per creator)
    out = np.zeros(model.num_cols)
    single = np.where(layout.saturated, 0.0, layout.single_factor)
    out[model.count_columns] = weight * (direct + effective * single)
    seg = layout.seg_cell
    out[layout.seg_columns] = weight[seg] * effective[seg] * layout.seg_factor
    return out


def columns_at(
    model: LinearModel, layout: Layout, counts: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Every column's value for given counts, segments filled in order: a start for a solver."""
    values = np.zeros(model.num_cols)
    values[model.count_columns] = counts
    width = upper[layout.seg_columns]
    filled = np.clip(counts[layout.seg_cell] - layout.seg_start, 0.0, width)
    values[layout.seg_columns] = filled
    full = filled[layout.full_seg] >= width[layout.full_seg] - 1e-9
    values[layout.z_columns] = full.astype(float)
    return values


def constraint_rows(model: LinearModel) -> list[np.ndarray]:
    """The rows of each constraint, in `model.constraints` order (a limit per creator's
    block holds a row per creator, each a constraint)."""
    out: list[np.ndarray] = []
    for block in model.blocks:
        if isinstance(block.constraint, CreatorLimit):
            out.extend(np.arange(block.start, block.stop).reshape(-1, 1))
        elif block.constraint is not None:
            out.append(np.arange(block.start, block.stop))
    return out


def rule_bounds(
    model: LinearModel, bounds: Sequence[Bounds]
) -> tuple[list[Rule], list[Bounds], list[np.ndarray]]:
    """The rules with their bounds (given one per constraint, in `model.constraints` order)
    and rows: a limit per creator as one block where every creator's bounds are alike (so
    a million creators' rows are set as arrays), else constraint by constraint."""
    parts: list[Rule] = []
    part_bounds: list[Bounds] = []
    rows: list[np.ndarray] = []
    number = 0
    blocks = [block for block in model.blocks if block.constraint is not None]
    for block in blocks:
        part = block.constraint
        assert part is not None
        if isinstance(part, CreatorLimit):
            size = len(part)
            mine = bounds[number : number + size]
            if size and all(pair == mine[0] for pair in mine):
                parts.append(part)
                part_bounds.append(mine[0])
                rows.append(np.arange(block.start, block.stop))
            else:
                for group in range(size):
                    parts.append(part.constraint(group))
                    part_bounds.append(mine[group])
                    rows.append(np.array([block.start + group]))
            number += size
            continue
        parts.append(part)
        part_bounds.append(bounds[number])
        rows.append(np.arange(block.start, block.stop))
        number += 1
    return parts, part_bounds, rows


def row_bounds(
    constraint: Constraint, sides: list[str], bounds: Bounds
) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds of one constraint's rows for given (min, max); None frees a side.

    A share's rows have its bound in their coefficients, so a share side can only be kept
    at its bound or dropped.
    """
    low, high = bounds
    if constraint.base is None:
        return (
            np.array([-np.inf if low is None else low]),
            np.array([np.inf if high is None else high]),
        )
    lower, upper = [], []
    for side in sides:
        kept, original = (low, constraint.min) if side == "min" else (high, constraint.max)
        if kept is not None and kept != original:
            raise ValueError(f"{constraint.name}: a share's bound can be kept or dropped only")
        active = kept is not None
        lower.append(0.0 if side == "min" and active else -np.inf)
        upper.append(0.0 if side == "max" and active else np.inf)
    return np.array(lower), np.array(upper)
