"""The one model builder: scenario -> cells -> constraints -> a linear model as arrays.

Columns: one count per cell, one column per saturation segment of cells with several
segments, and, only where a rule could profit from filling a later (weaker) segment before an
earlier one, binaries that force segments to fill in order. Which of a saturated cell's
columns are integer is the formulation (`count`, `segments` or `both`); with `integer: false`
none are. Rows come in named blocks, one per constraint, so every report can use the
planner's names. `build_model` reads as a table of contents: one function per block.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from optimizer.constants import SATURATED_METRICS
from optimizer.errors import OptimizerError
from optimizer.model.cells import Cells, derive_cells
from optimizer.model.constraints import (
    Constraint,
    CreatorLimit,
    Rule,
    RuleSet,
    SkippedRule,
    collect_constraints,
)
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
    """Rows `start:stop` of the model, all of one constraint (or of the internal `saturation`),
    or of a limit per creator (a row per group)."""

    name: str
    start: int
    stop: int
    constraint: Rule | None


class Names(Sequence[str]):
    """Row or column names in pieces, each a list or made on first use: the rows and columns
    of a million creators are named only when a report or an export asks."""

    def __init__(self, pieces: list[tuple[int, list[str] | Callable[[], list[str]]]]) -> None:
        self._pieces = [piece for _, piece in pieces]
        self._starts = np.concatenate([[0], np.cumsum([size for size, _ in pieces])]).tolist()

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _piece(self, number: int) -> list[str]:
        piece = self._pieces[number]
        if callable(piece):
            piece = piece()
            self._pieces[number] = piece
        return piece

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        number = bisect_right(self._starts, index) - 1
        return self._piece(number)[index - self._starts[number]]

    def __iter__(self) -> Iterator[str]:
        for number in range(len(self._pieces)):
            yield from self._piece(number)


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
    col_names: Sequence[str]
    rows: RowMatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: Sequence[str]
    row_sides: list[Side]
    blocks: list[RowBlock]
    count_columns: np.ndarray
    cells: Cells
    rule_set: RuleSet
    """The rules, a limit per creator as one block (`CreatorLimit`)."""
    scenario: Scenario
    """The scenario the model was built from (with the budget it holds)."""
    segment_columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    """The saturation segments' columns, in order."""
    segment_cells: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    """The cell of each segment column."""

    @property
    def constraints(self) -> list[Constraint]:
        """Every constraint in order, a limit per creator as a constraint per creator (made
        on first use; the builder and the plan's rule report use `rule_set` as blocks)."""
        return self.rule_set.constraints

    def constraint(self, number: int) -> Constraint:
        """`constraints[number]`, without making every other one."""
        return self.rule_set.constraint(number)

    @property
    def skipped(self) -> list[SkippedRule]:
        return self.rule_set.skipped

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
    """Rows in cell space, each sparse, in chunks of one or more rows: the cells each row
    holds and its coefficients on their count (`direct`) and on their effective
    (saturation-weighted) count (`effective`). A limit per creator is one chunk of a row
    per creator, for up to a million creators."""

    lengths: list[np.ndarray] = field(default_factory=list)
    """Entries per row."""
    cells: list[np.ndarray] = field(default_factory=list)
    direct: list[np.ndarray] = field(default_factory=list)
    effective: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    names: list[tuple[int, list[str] | Callable[[], list[str]]]] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    owner: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        lengths: np.ndarray,
        cells: np.ndarray,
        coefficients: tuple[np.ndarray, np.ndarray],
        bounds: tuple[np.ndarray, np.ndarray],
        names: list[str] | Callable[[], list[str]],
        sides: list[Side],
        owner: np.ndarray,
    ) -> None:
        self.lengths.append(np.asarray(lengths, dtype=np.int64))
        self.cells.append(np.asarray(cells, dtype=np.int64))
        self.direct.append(coefficients[0])
        self.effective.append(coefficients[1])
        self.lower.append(np.asarray(bounds[0], dtype=float))
        self.upper.append(np.asarray(bounds[1], dtype=float))
        self.names.append((len(sides), names))
        self.sides += sides
        self.owner.append(np.asarray(owner, dtype=np.int64))

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(row, cell, direct, effective) of every entry, rows in order."""
        if not self.lengths:
            empty = np.zeros(0)
            return empty.astype(np.int64), empty.astype(np.int64), empty, empty
        lengths = np.concatenate(self.lengths)
        row = np.repeat(np.arange(len(lengths)), lengths)
        return (
            row,
            np.concatenate(self.cells),
            np.concatenate(self.direct),
            np.concatenate(self.effective),
        )

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.lower:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.lower), np.concatenate(self.upper)


def _unit(cells: Cells, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell coefficients of a metric on (count, effective count)."""
    zeros = np.zeros(len(cells))
    if metric == "count":
        return np.ones(len(cells)), zeros
    if metric == "spend":
        return cells.column("cost"), zeros
    if metric == "profit":
        return -cells.column("cost"), cells.column("revenue")
    if metric in SATURATED_METRICS:
        return zeros, cells.column(metric)
    raise ValueError(f"unknown metric {metric!r}")


def _constraint_rows(
    number: int,
    constraint: Rule,
    units: dict[str, tuple[np.ndarray, np.ndarray]],
    rows: _Rows,
) -> int:
    """Add a constraint's rows (a block's: one per group); the number of constraints it is."""
    direct, effective = units[constraint.metric]
    one = np.ones(1, dtype=np.int64)
    if isinstance(constraint, CreatorLimit):
        groups = len(constraint)
        cells = constraint.cells
        rows.add(
            np.diff(constraint.starts),
            cells,
            (direct[cells], effective[cells]),
            (
                np.full(groups, -np.inf if constraint.min is None else constraint.min),
                np.full(groups, np.inf if constraint.max is None else constraint.max),
            ),
            constraint.names,
            ["range"] * groups,
            number + np.arange(groups),
        )
        return groups
    if constraint.base is None:
        where = _positions(constraint.selected)
        rows.add(
            np.array([len(where)]),
            where,
            (direct[where], effective[where]),
            (
                np.array([-np.inf if constraint.min is None else constraint.min]),
                np.array([np.inf if constraint.max is None else constraint.max]),
            ),
            [constraint.name],
            ["range"],
            number * one,
        )
        return 1
    # share >= b  <=>  total(selected) - b * total(base) >= 0: it holds when nothing is bought
    for side, bound in (("min", constraint.min), ("max", constraint.max)):
        if bound is None:
            continue
        weights = constraint.selected.astype(float) - bound * constraint.base
        where = np.flatnonzero(weights)
        rows.add(
            np.array([len(where)]),
            where,
            (direct[where] * weights[where], effective[where] * weights[where]),
            (
                np.array([0.0 if side == "min" else -np.inf]),
                np.array([np.inf if side == "min" else 0.0]),
            ),
            [f"{constraint.name}:{side}"],
            [side],  # type: ignore[list-item]
            number * one,
        )
    return 1


def _positions(selected: np.ndarray) -> np.ndarray:
    """The cells a constraint selects, as positions (a mask or positions already)."""
    return np.flatnonzero(selected) if selected.dtype == bool else selected


def count_caps(
    cost: np.ndarray,
    constraints: Sequence[Rule],
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
        if constraint.metric not in ("spend", "count"):
            continue
        where = _positions(constraint.selected)
        if constraint.metric == "spend":
            with np.errstate(divide="ignore", invalid="ignore"):
                cap[where] = np.minimum(cap[where], high / cost[where])
        else:
            cap[where] = np.minimum(cap[where], high)
    if integer:
        cap = np.floor(cap + 1e-9)
    # A cap below the cell's minimum means its rows cannot hold; leave that to the rows, which
    # every solver reports as infeasible (some reject crossed bounds as an error instead).
    return np.maximum(cap, lower)


Formulation = Literal["count", "segments", "both"]
FORMULATIONS: tuple[str, ...] = ("auto", "count", "segments", "both")


def build_model(
    scenario: Scenario, cells: Cells | None = None, formulation: str | None = None
) -> LinearModel:
    """The linear model of a validated scenario (section 5 of the format).

    `formulation` says which columns of a saturated cell are integer (the scenario's
    `solver.formulation` where not given); every choice has the same integer plans.
    """
    if not isinstance(scenario, Scenario):
        raise OptimizerError(
            f"build_model takes a Scenario, not {type(scenario).__name__}: load one first"
            " (load_scenario, scenario_from_dict)"
        )
    cells = cells if cells is not None else derive_cells(scenario)
    rule_set = collect_constraints(scenario, cells)
    rows = _Rows()
    units = {metric: _unit(cells, metric) for metric in {c.metric for c in rule_set.parts}}
    number = 0
    for constraint in rule_set.parts:
        number += _constraint_rows(number, constraint, units, rows)
    caps = count_caps(
        cells.column("cost"),
        rule_set.parts,
        [(constraint.min, constraint.max) for constraint in rule_set.parts],
        cells.column("lower"),
        cells.column("upper"),
        scenario.integer,
    )
    draft = _Draft(scenario, cells, rows, _unit(cells, scenario.objective.metric), caps)
    chosen = choose_formulation(scenario, cells, formulation)
    # Define variables
    _count_columns(draft, chosen)
    _segment_columns(draft, chosen)
    _order_switches(draft)
    # Define constraints
    _rule_rows(draft, rule_set)
    _saturation_rows(draft)
    _order_rows(draft)
    _must_rows(draft)
    return draft.finish(rule_set)


def choose_formulation(scenario: Scenario, cells: Cells, formulation: str | None) -> Formulation:
    """The formulation asked for, or for `auto` the rule chosen on the tuning benchmarks."""
    asked = formulation or scenario.solver.formulation
    if asked not in FORMULATIONS:
        raise OptimizerError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {asked!r}")
    if asked != "auto":
        return asked  # type: ignore[return-value]
    # Integer segments let HiGHS close at the root what an integer count leaves to branching:
    # on the tuning half of the benchmark family they took 76 s in all against 168 s, with
    # one case 60 s (its limit) against 0.1 s (benchmarks/README.md, "Held-out family").
    return "segments"


def formulated(model: LinearModel, formulation: Formulation) -> LinearModel:
    """The same model with another formulation's integer columns: the same columns and rows,
    so a plan of one is a plan of the other."""
    if not model.scenario.integer or not len(model.segment_columns):
        return model
    integrality = model.integrality.copy()
    saturated = np.unique(model.segment_cells)
    integrality[model.count_columns[saturated]] = formulation != "segments"
    integrality[model.segment_columns] = formulation != "count"
    return replace(model, integrality=integrality)


class _Draft:
    """A model under construction: columns and row blocks appended in order, by the block
    functions `build_model` calls."""

    def __init__(
        self,
        scenario: Scenario,
        cells: Cells,
        rows: _Rows,
        objective: tuple[np.ndarray, np.ndarray],
        caps: np.ndarray,
    ) -> None:
        self.scenario = scenario
        self.cells = cells
        self.rows = rows
        self.direct, self.effective = objective
        self.caps = caps
        self.maximize = scenario.objective.sense == "maximize"
        self.seg_cell_all = cells.segment_column("cell")
        self.saturated = np.bincount(self.seg_cell_all, minlength=len(cells)) > 1
        kept = self.saturated[self.seg_cell_all]
        self.seg_rows = np.flatnonzero(kept)
        self.seg_of = self.seg_cell_all[self.seg_rows]
        self.seg_factor = cells.segment_column("factor")[self.seg_rows]
        start = cells.segment_column("start")[self.seg_rows]
        self.seg_width = np.minimum(
            cells.segment_column("width")[self.seg_rows],
            np.maximum(caps[self.seg_of] - start, 0),
        )
        self.seg_columns = np.zeros(0, dtype=int)
        self.order_pairs = np.zeros((0, 2), dtype=int)
        self.z_columns = np.zeros(0, dtype=int)
        self.col_lower: list[np.ndarray] = []
        self.col_upper: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.objective: list[np.ndarray] = []
        self.col_names: list[tuple[int, list[str] | Callable[[], list[str]]]] = []
        self.num_cols = 0
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.row_names: list[tuple[int, list[str] | Callable[[], list[str]]]] = []
        self.num_rows = 0
        self.row_sides: list[Side] = []
        self.blocks: list[RowBlock] = []
        self.triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.ordered: list[bool] = []

    def add_columns(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        integer: np.ndarray,
        objective: np.ndarray,
        names: list[str] | Callable[[], list[str]],
    ) -> np.ndarray:
        """Append columns (`names`: theirs, or what makes them when asked); their positions."""
        first = self.num_cols
        count = len(objective)
        self.col_lower.append(np.asarray(lower, dtype=float))
        self.col_upper.append(np.asarray(upper, dtype=float))
        self.integer.append(np.asarray(integer, dtype=bool))
        self.objective.append(np.asarray(objective, dtype=float))
        self.col_names.append((count, names))
        self.num_cols += count
        return first + np.arange(count)

    def add_rows(
        self,
        entries: tuple[np.ndarray, np.ndarray, np.ndarray],
        lower: np.ndarray,
        upper: np.ndarray,
        names: list[str],
        sides: list[Side],
        ordered: bool = False,
    ) -> int:
        """Append rows given (row within the new rows, column, value) entries; the first
        new row's position."""
        return self.add_named_rows(entries, lower, upper, [(len(names), names)], sides, ordered)

    def add_named_rows(
        self,
        entries: tuple[np.ndarray, np.ndarray, np.ndarray],
        lower: np.ndarray,
        upper: np.ndarray,
        names: list[tuple[int, list[str] | Callable[[], list[str]]]],
        sides: list[Side],
        ordered: bool = False,
    ) -> int:
        """`add_rows` with names in pieces (a count and the names, or what makes them when a
        report asks); `ordered` where the entries come row by row, each row's columns
        ascending (the matrix then needs no sort)."""
        first = self.num_rows
        rows, columns, values = entries
        self.triplets.append((rows + first if first else rows, columns, values))
        self.ordered.append(ordered)
        self.row_lower.append(np.asarray(lower, dtype=float))
        self.row_upper.append(np.asarray(upper, dtype=float))
        self.row_names.extend(names)
        self.row_sides += sides
        self.num_rows += len(sides)
        return first

    def finish(self, rule_set: RuleSet) -> LinearModel:
        matrix = _row_matrix(self.triplets, (self.num_rows, self.num_cols), all(self.ordered))
        return LinearModel(
            sense="maximize" if self.maximize else "minimize",
            objective=np.concatenate(self.objective),
            col_lower=np.concatenate(self.col_lower),
            col_upper=np.concatenate(self.col_upper),
            integrality=np.concatenate(self.integer),
            col_names=Names(self.col_names),
            rows=matrix,
            row_lower=np.concatenate(self.row_lower),
            row_upper=np.concatenate(self.row_upper),
            row_names=Names(self.row_names),
            row_sides=self.row_sides,
            blocks=self.blocks,
            count_columns=np.arange(len(self.cells)),
            cells=self.cells,
            rule_set=rule_set,
            scenario=self.scenario,
            segment_columns=self.seg_columns,
            segment_cells=self.seg_of,
        )

    @cached_property
    def single_factor(self) -> np.ndarray:
        """The factor a cell with one segment carries on its count column (0 for saturated
        cells, whose outcomes sit on their segment columns)."""
        factor = np.zeros(len(self.cells))
        single = ~self.saturated[self.seg_cell_all]
        factor[self.seg_cell_all[single]] = self.cells.segment_column("factor")[single]
        return factor


def _count_columns(draft: _Draft, formulation: Formulation) -> None:
    """One count per cell; a saturated cell's is integer unless its segments are instead.
    They are the model's first columns, in cell order: a cell's position is its column's."""
    integer = np.full(len(draft.cells), draft.scenario.integer)
    if formulation == "segments":
        integer &= ~draft.saturated
    draft.add_columns(
        draft.cells.column("lower"),
        draft.caps,
        integer,
        draft.direct + draft.effective * draft.single_factor,
        lambda: [f"n[{label}]" for label in _cell_labels(draft.cells)],
    )


def _segment_columns(draft: _Draft, formulation: Formulation) -> None:
    """One column per saturation segment of a saturated cell, carrying its outcomes."""
    if not len(draft.seg_rows):
        return
    numbers = draft.cells.segment_column("segment")[draft.seg_rows]
    integer = draft.scenario.integer and formulation != "count"
    draft.seg_columns = draft.add_columns(
        np.zeros(len(draft.seg_rows)),
        draft.seg_width,
        np.full(len(draft.seg_rows), integer),
        draft.effective[draft.seg_of] * draft.seg_factor,
        [
            f"s[{_label(draft.cells, c)},{k}]"
            for c, k in zip(draft.seg_of.tolist(), numbers.tolist(), strict=True)
        ],
    )


def _order_switches(draft: _Draft) -> None:
    """Binaries z (segment full) for cells whose segments could otherwise fill out of order:
    where some row or the objective would gain from a smaller effective count, the LP would
    fill a weaker segment first."""
    if not len(draft.seg_rows):
        return
    row, cell, _, effective = draft.rows.entries()
    lower, upper = draft.rows.bounds()
    wrong_way = ((effective < 0) & np.isfinite(lower)[row]) | (
        (effective > 0) & np.isfinite(upper)[row]
    )
    wrong_cells = np.zeros(len(draft.cells), dtype=bool)
    wrong_cells[cell[wrong_way]] = True
    objective_wrong = (draft.effective < 0) if draft.maximize else (draft.effective > 0)
    needs_order = draft.saturated & (wrong_cells | objective_wrong)
    seg_of = draft.seg_of
    first = np.flatnonzero((seg_of[:-1] == seg_of[1:]) & needs_order[seg_of[:-1]])
    if not len(first):
        return
    draft.order_pairs = np.column_stack([first, first + 1])
    names = [f"z[{_label(draft.cells, seg_of[a])},{a}]" for a in first.tolist()]
    draft.z_columns = draft.add_columns(
        np.zeros(len(first)),
        np.ones(len(first)),
        np.ones(len(first), dtype=bool),
        np.zeros(len(first)),
        names,
    )


def _rule_rows(draft: _Draft, rule_set: RuleSet) -> None:
    """Budget, presets, shares and limits: each constraint's rows, named as the planner
    names it."""
    rows = draft.rows
    row, cell, direct, effective = rows.entries()
    # the count columns are the first, in cell order: a cell's position is its column's
    entries = [(row, cell, direct + effective * draft.single_factor[cell])]
    if len(draft.seg_rows):
        # a saturated cell's effective count is the sum of its segment columns
        on = np.flatnonzero((effective != 0) & draft.saturated[cell])
        by_cell = np.argsort(draft.seg_of, kind="stable")
        first_seg = np.searchsorted(draft.seg_of[by_cell], np.arange(len(draft.cells)))
        n_segs = np.bincount(draft.seg_of, minlength=len(draft.cells))
        repeat = n_segs[cell[on]]
        starts = np.repeat(first_seg[cell[on]], repeat)
        offsets = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        segments = by_cell[starts + offsets]
        entries.append(
            (
                np.repeat(row[on], repeat),
                draft.seg_columns[segments],
                np.repeat(effective[on], repeat) * draft.seg_factor[segments],
            )
        )
    lower, upper = rows.bounds()
    # the rules' rows come row by row, each row's cells ascending; segments join unordered
    first = draft.add_named_rows(
        _joined(entries), lower, upper, rows.names, list(rows.sides), len(entries) == 1
    )
    # each constraint's rows are consecutive; a block's constraints (one per group) too
    owner = np.concatenate(rows.owner) if rows.owner else np.zeros(0, dtype=np.int64)
    sizes = np.array(
        [len(part) if isinstance(part, CreatorLimit) else 1 for part in rule_set.parts],
        dtype=np.int64,
    )
    numbers = np.cumsum(sizes) - sizes
    starts = (first + np.searchsorted(owner, numbers, side="left")).tolist()
    stops = (first + np.searchsorted(owner, numbers + sizes - 1, side="right")).tolist()
    draft.blocks.extend(
        RowBlock(part.rule if isinstance(part, CreatorLimit) else part.name, start, stop, part)
        for part, start, stop in zip(rule_set.parts, starts, stops, strict=True)
    )


def _saturation_rows(draft: _Draft) -> None:
    """n[cell] - sum of its segment columns = 0, for every saturated cell."""
    if not len(draft.seg_rows):
        return
    link_cells = np.flatnonzero(draft.saturated)
    link_row = np.full(len(draft.cells), -1)
    link_row[link_cells] = np.arange(len(link_cells))
    n_links = len(link_cells)
    entries = (
        np.concatenate([np.arange(n_links), link_row[draft.seg_of]]),
        np.concatenate([link_cells, draft.seg_columns]),
        np.concatenate([np.ones(n_links), -np.ones(len(draft.seg_of))]),
    )
    first = draft.add_rows(
        entries,
        np.zeros(n_links),
        np.zeros(n_links),
        [f"saturation[{_label(draft.cells, c)}]" for c in link_cells.tolist()],
        ["link"] * n_links,
    )
    draft.blocks.append(RowBlock("saturation", first, draft.num_rows, None))


def _order_rows(draft: _Draft) -> None:
    """Segments fill in order: s_k >= width_k z and s_{k+1} <= width_{k+1} z."""
    if not len(draft.order_pairs):
        return
    first_seg, second_seg = draft.order_pairs[:, 0], draft.order_pairs[:, 1]
    n_z = len(first_seg)
    width = draft.seg_width
    big = np.where(np.isfinite(width[second_seg]), width[second_seg], UNBOUNDED_COUNT)
    seg_columns, z_columns = draft.seg_columns, draft.z_columns
    entries = (
        np.concatenate(
            [np.arange(n_z), np.arange(n_z), n_z + np.arange(n_z), n_z + np.arange(n_z)]
        ),
        np.concatenate([seg_columns[first_seg], z_columns, seg_columns[second_seg], z_columns]),
        np.concatenate([np.ones(n_z), -width[first_seg], np.ones(n_z), -big]),
    )
    labels = [f"{_label(draft.cells, draft.seg_of[a])},{a}" for a in first_seg.tolist()]
    first = draft.add_rows(
        entries,
        np.concatenate([np.zeros(n_z), np.full(n_z, -np.inf)]),
        np.concatenate([np.full(n_z, np.inf), np.zeros(n_z)]),
        [f"order-full[{x}]" for x in labels] + [f"order-next[{x}]" for x in labels],
        ["link"] * (2 * n_z),
    )
    draft.blocks.append(RowBlock("saturation-order", first, draft.num_rows, None))


def _must_rows(draft: _Draft) -> None:
    """A roster creator marked `must` posts at least once over the plan: one row each,
    named `must:<creator>`."""
    cells = draft.cells
    if draft.scenario.roster is None or cells.creators is None:
        return
    from optimizer.roster.cells import must_cells

    musts = must_cells(draft.scenario, cells.creators)
    if not musts:
        return
    rows = np.concatenate([np.full(len(where), i) for i, (_, where) in enumerate(musts)])
    columns = np.concatenate([where for _, where in musts]).astype(int)
    first = draft.add_rows(
        (rows.astype(int), columns, np.ones(len(columns))),  # a cell's count column
        np.ones(len(musts)),
        np.full(len(musts), np.inf),
        [f"must:{creator}" for creator, _ in musts],
        ["min"] * len(musts),
        ordered=True,  # a creator's cells in cell order, creator by creator
    )
    draft.blocks.append(RowBlock("must", first, draft.num_rows, None))


def _joined(
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if len(entries) == 1:
        return entries[0]
    rows, columns, values = (np.concatenate(part) for part in zip(*entries, strict=True))
    return rows, columns, values


def _cell_labels(cells: Cells) -> list[str]:
    """`period,platform,tier` of every cell, for readable column and row names."""
    return [",".join(map(str, key)) for key in cells.keys]


def _label(cells: Cells, cell: int) -> str:
    """`period,platform,tier` of one cell."""
    return ",".join(map(str, cells.keys[int(cell)]))


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
    triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    shape: tuple[int, int],
    ordered: bool = False,
) -> RowMatrix:
    """CSR arrays of (row, column, value) triplets, each position given once; zeros dropped.
    `ordered`: the triplets come row by row, each row's columns ascending."""
    if len(triplets) == 1:
        rows, columns, values = triplets[0]
    else:
        rows, columns, values = (np.concatenate(part) for part in zip(*triplets, strict=True))
    kept = values != 0
    if not kept.all():
        rows, columns, values = rows[kept], columns[kept], values[kept]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    # the blocks mostly come in row order, each row's columns ascending: sort only if not
    if not ordered and not _in_order(rows, columns):
        order = np.lexsort((columns, rows))
        columns, values = columns[order], values[order]
    return RowMatrix(
        indptr=indptr.astype(np.int32),
        indices=columns.astype(np.int32),
        data=np.asarray(values, dtype=float),
        shape=shape,
    )


def _in_order(rows: np.ndarray, columns: np.ndarray) -> bool:
    """Whether entries come row by row, each row's columns ascending."""
    row_step = np.diff(rows)
    return bool(((row_step > 0) | ((row_step == 0) & (np.diff(columns) > 0))).all())
