"""Draws of the multipliers `m[s, cell, k]` (section 8 of the format).

A figure given as a range `[low, high]` is drawn by the scenario's shape, peaked at the
midpoint (`uniform`, `triangular` with its mode there, or `pert`: a beta with lambda 4), and
divided by the midpoint the v1 model uses, so a multiplier is relative to the v1 value. A
number is certain unless `spread` names its figure; it is then the range `x(1 - s), x(1 + s)`.

The figures compose into the four multipliers as section 3 composes them: cost from
`cost_per_post`, or `cost_per_1k_followers` times followers; engagements from followers times
`engagement_rate`, or the cost before seasonality over `cost_per_engagement`; conversions from
engagements times `conversion_rate`; reach from followers times `reach_rate`. Seasonality
multiplies a draw and the v1 value alike, so it cancels.

Cells that share the `shared_by` levels share one standard draw (a quantile in [0, 1]) of each
figure; by default one per offer, used in every period. Every standard draw comes from
`numpy.random.default_rng(seed)`, draw after draw in a fixed order (made in parts of whole
draws, which continue the same stream), so the same file and seed give the same draws on
every machine.

The multipliers are kept per group of cells that move together (`Draws.by_group`), never
repeated for each cell: 10,000 draws of one group per offer are 10,000 x offers x 4 numbers
whatever the number of periods.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from optimizer.constants import DIMENSIONS
from optimizer.errors import Problem, ScenarioError
from optimizer.model.cells import CREATOR, Cells
from optimizer.scenario.schema import UNCERTAIN_FIGURES, Estimate, Scenario, Uncertainty

if TYPE_CHECKING:
    from optimizer.roster import Roster

KINDS = ("cost", "engagements", "conversions", "reach")
"""The multipliers of a draw, in the order of the last axis of `Draws.multipliers`."""
COST, ENGAGEMENTS, CONVERSIONS, REACH = range(4)
FILE_KEYS = ("draw", "platform", "tier")
FILE_COLUMNS = (*FILE_KEYS, "period", *KINDS)
PERT_LAMBDA = 4.0
PART_VALUES = 1 << 23
"""Standard draws made at once (draws x shared groups x figures) by `draw_parts`: about
64 MB of them, a few times that while they become multipliers."""


@dataclass(frozen=True, eq=False)
class Draws:
    """The draws kept per group of cells that move together: `by_group[s, g, k]` is draw
    s's value of k (`KINDS`) over its v1 value in every cell of group g, and `cell_group[c]`
    the group of cell c, so `m[s, c, k] = by_group[s, cell_group[c], k]`. By default a group
    is one offer's cells over every period: a plan's outcome in a draw is then a sum over
    offers (`totals`), not over cells."""

    by_group: np.ndarray
    cell_group: np.ndarray
    source: Literal["generated", "file"]
    seed: int | None = None
    path: str | None = None
    ids: tuple[str, ...] | None = None
    """A draws file's `draw` ids, in order; generated draws are numbered from `first`."""
    first: int = 0
    """The number of the first draw: a part of a larger set (see `draw_parts`) starts where
    the part before it stopped."""

    @property
    def count(self) -> int:
        """N, the number of draws."""
        return int(self.by_group.shape[0])

    @property
    def groups(self) -> int:
        """The number of groups."""
        return int(self.by_group.shape[1])

    def group_of(self, kind: str) -> np.ndarray:
        """(N, groups) multipliers of one kind: cost, engagements, conversions or reach;
        revenue moves with conversions."""
        return self.by_group[:, :, _kind(kind)]

    def totals(self, values: np.ndarray) -> np.ndarray:
        """Per-cell values summed over each group's cells: (groups,)."""
        return np.bincount(self.cell_group, weights=values, minlength=self.groups)

    def outcome(self, kind: str, values: np.ndarray) -> np.ndarray:
        """(N,): per-cell `values` at point figures moved by each draw's multipliers of
        `kind`, summed over the cells. Each draw's sum is its own (a draw's figure does not
        depend on the draws computed with it)."""
        return (self.group_of(kind) * self.totals(values)).sum(axis=1)

    def of(self, kind: str) -> np.ndarray:
        """(N, cells) multipliers of one kind in every cell: `group_of` and `totals` do the
        same sums without repeating a group's draws for each of its cells."""
        return self.group_of(kind)[:, self.cell_group]

    @cached_property
    def multipliers(self) -> np.ndarray:
        """(N, cells, 4): every cell's multipliers (section 8.1's `m[s, cell, k]`), made the
        first time they are asked for: N x cells x 4 numbers."""
        return _read_only(self.by_group[:, self.cell_group, :])

    @property
    def costs_vary(self) -> bool:
        """Whether any draw moves a cost."""
        return bool(np.any(self.by_group[:, :, COST] != 1.0))

    def labels(self, cells: Cells) -> list[tuple[str, ...]]:
        """Each group's (platform, tier, period), and its creator where the cells are a
        roster's ("" for an offer's group): the period empty where the group holds cells of
        several periods (a draws file's row without a period reads the same)."""
        periods: list[set[str]] = [set() for _ in range(self.groups)]
        names: list[tuple[str, ...]] = [()] * self.groups
        levels = [cells.level(level) for level in cells.dimensions]
        for *key, group in zip(*levels, self.cell_group, strict=True):
            periods[group].add(key[0])
            names[group] = tuple(key[1:])
        return [
            (platform, tier, next(iter(seen)) if len(seen) == 1 else "", *creator)
            for (platform, tier, *creator), seen in zip(names, periods, strict=True)
        ]

    def draw_names(self) -> list[str] | range:
        """Each draw's id: a draws file's own, else its number."""
        if self.ids is not None:
            return list(self.ids)
        return range(self.first, self.first + self.count)


def _kind(kind: str) -> int:
    return KINDS.index("conversions" if kind == "revenue" else kind)


def scenario_draws(
    scenario: Scenario, cells: Cells, settings: Uncertainty, seed: int | None = None
) -> Draws:
    """The scenario's draws: its draws file, or `settings.draws` generated from `seed` (the
    settings' seed where not given)."""
    if settings.draws_file is not None:
        return _file_draws(scenario, cells, settings)
    seed = settings.seed if seed is None else seed
    recipe = _recipe(scenario, cells, settings)
    by_group = np.empty((settings.draws, recipe.pairs, len(KINDS)))
    rng = np.random.default_rng(seed)
    for start, stop in _spans(settings.draws, recipe.row_values):
        by_group[start:stop] = recipe.draw(rng, stop - start)
    return Draws(_read_only(by_group), recipe.cell_pair, "generated", seed=seed)


def draw_parts(
    scenario: Scenario,
    cells: Cells,
    settings: Uncertainty,
    seed: int | None = None,
    values: int | None = None,
) -> Iterator[Draws]:
    """`scenario_draws` a part at a time, value for value the same: parts of about `values`
    standard draws each (`PART_VALUES` where not given; at least one draw), so that memory
    stays bounded however many draws there are. A draws file is one part."""
    if settings.draws_file is not None:
        yield _file_draws(scenario, cells, settings)
        return
    seed = settings.seed if seed is None else seed
    recipe = _recipe(scenario, cells, settings)
    rng = np.random.default_rng(seed)
    for start, stop in _spans(settings.draws, recipe.row_values, values or PART_VALUES):
        part = _read_only(recipe.draw(rng, stop - start))
        yield Draws(part, recipe.cell_pair, "generated", seed=seed, first=start)


def _spans(draws: int, row_values: int, values: int | None = None) -> list[tuple[int, int]]:
    """(start, stop) of each part: whole draws, about `values` standard draws a part."""
    rows = max(1, (values or PART_VALUES) // max(row_values, 1))
    return [(start, min(start + rows, draws)) for start in range(0, draws, rows)]


def _file_draws(scenario: Scenario, cells: Cells, settings: Uncertainty) -> Draws:
    assert settings.draws_file is not None
    path = Path(settings.draws_file)
    by_group, cell_group, ids = _read_file(path, scenario, cells)
    return Draws(by_group, cell_group, "file", path=str(path), ids=ids)


def standard_draws(shape: str, rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """Quantiles in [0, 1] of the shape, peaked at 0.5 (so their mean is 0.5)."""
    if shape == "uniform":
        return rng.random(size)
    if shape == "triangular":
        u = rng.random(size)
        return np.where(u < 0.5, np.sqrt(u / 2), 1 - np.sqrt((1 - u) / 2))
    if shape == "pert":
        # mode at the midpoint: alpha = beta = 1 + lambda / 2
        a = 1 + PERT_LAMBDA / 2
        return rng.beta(a, a, size)
    raise ValueError(f"unknown shape {shape!r}")


def _ends(value: Estimate | None, spread: float | None) -> tuple[float, float, float]:
    """(low, high, midpoint) of a figure; a figure not given is a certain 1."""
    if value is None:
        return 1.0, 1.0, 1.0
    if isinstance(value, tuple):
        low, high = value
        return low, high, (low + high) / 2
    if spread:
        return value * (1 - spread), value * (1 + spread), value
    return value, value, value


@dataclass(frozen=True)
class _Recipe:
    """How standard draws become multipliers: each offer's ranges, and the pairs (a shared
    group and an offer) whose cells move together."""

    shape: str
    low: np.ndarray  # (offers, figures)
    high: np.ndarray
    mid: np.ndarray
    per_post: np.ndarray  # (offers,)
    by_rate: np.ndarray
    shared: int
    """The number of shared groups: standard draws are made for each."""
    pair_group: np.ndarray  # (pairs,)
    pair_offer: np.ndarray
    cell_pair: np.ndarray  # (cells,)

    @property
    def pairs(self) -> int:
        return len(self.pair_group)

    @property
    def row_values(self) -> int:
        """Standard draws made for one draw."""
        return self.shared * len(UNCERTAIN_FIGURES)

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """(count, pairs, 4) multipliers: the next `count` draws of `rng`. A figure certain
        in every offer still takes its standard draws (the stream stays the same) but is
        one number per pair, not one per draw."""
        size = (count, self.shared, len(UNCERTAIN_FIGURES))
        quantiles = standard_draws(self.shape, rng, size)
        if not np.array_equal(self.pair_group, np.arange(self.shared)):
            quantiles = quantiles[:, self.pair_group, :]
        offer = self.pair_offer
        figure: dict[str, np.ndarray] = {}
        for i, name in enumerate(UNCERTAIN_FIGURES):
            low, middle = self.low[offer, i], self.mid[offer, i]
            width = self.high[offer, i] - low
            values = low + width * quantiles[..., i] if width.any() else low
            figure[name] = _over(values, middle, 1.0)
        followers = figure["followers"]
        cost = np.where(
            self.per_post[offer],
            figure["cost_per_post"],
            figure["cost_per_1k_followers"] * followers,
        )
        engagements = np.where(
            self.by_rate[offer],
            followers * figure["engagement_rate"],
            _over(cost, figure["cost_per_engagement"], 0.0),
        )
        out = np.empty((count, self.pairs, len(KINDS)))
        out[..., COST] = cost
        out[..., ENGAGEMENTS] = engagements
        out[..., CONVERSIONS] = engagements * figure["conversion_rate"]
        out[..., REACH] = followers * figure["reach_rate"]
        return out


def _over(top: np.ndarray, bottom: np.ndarray, otherwise: float) -> np.ndarray:
    """top / bottom, `otherwise` where bottom is 0; shapes broadcast."""
    shape = np.broadcast_shapes(np.shape(top), np.shape(bottom))
    return np.divide(top, bottom, out=np.full(shape, otherwise), where=bottom != 0)


def _recipe(scenario: Scenario, cells: Cells, settings: Uncertainty) -> _Recipe:
    """The ranges of every offer and, after them, of every roster creator (a creator's
    figures are its own, drawn as an offer's are), and each cell's."""
    offers = scenario.offers()
    offer_of = {(platform, tier): i for i, (platform, tier, _) in enumerate(offers)}
    ends = np.array(
        [
            [
                _ends(getattr(offer, figure), settings.spread.get(figure))
                for figure in UNCERTAIN_FIGURES
            ]
            for _, _, offer in offers
        ],
        dtype=float,
    ).reshape(len(offers), len(UNCERTAIN_FIGURES), 3)
    per_post = np.array([offer.cost_per_post is not None for _, _, offer in offers], dtype=bool)
    by_rate = np.array([offer.engagement_rate is not None for _, _, offer in offers], dtype=bool)
    first = _offer_cells(cells)
    platform, tier = cells.level("platform"), cells.level("tier")
    cell_offer = np.empty(len(cells), dtype=np.int64)
    cell_offer[:first] = [offer_of[key] for key in zip(platform[:first], tier[:first], strict=True)]
    if first < len(cells):
        from optimizer.roster import roster_of

        roster = roster_of(scenario)
        cell_offer[first:] = len(offers) + _rows_of(roster, cells.level(CREATOR)[first:])
        ends = np.concatenate([ends, _creator_ends(roster, settings)])
        per_post = np.concatenate([per_post, ~np.isnan(roster.figures["cost_per_post"])])
        by_rate = np.concatenate([by_rate, ~np.isnan(roster.figures["engagement_rate"])])
    levels = [cells.level(level) for level in settings.shared_by]
    group_keys = list(zip(*levels, strict=True)) if levels else [()] * len(cells)
    group_ids: dict[tuple[object, ...], int] = {}
    cell_group = np.array(
        [group_ids.setdefault(key, len(group_ids)) for key in group_keys], dtype=np.int64
    )
    # the draws of each (group, offer) pair once, used by each of the pair's cells
    pairs, cell_pair = np.unique(
        np.column_stack([cell_group, cell_offer]).reshape(-1, 2), axis=0, return_inverse=True
    )
    return _Recipe(
        shape=settings.shape,
        low=ends[..., 0],
        high=ends[..., 1],
        mid=ends[..., 2],
        per_post=per_post,
        by_rate=by_rate,
        shared=max(len(group_ids), 1),
        pair_group=pairs[:, 0],
        pair_offer=pairs[:, 1],
        cell_pair=_read_only(cell_pair.reshape(-1).astype(np.int64)),
    )


def _offer_cells(cells: Cells) -> int:
    """The number of offers' cells: a roster's cells follow them."""
    if not cells.has_creators:
        return len(cells)
    return int(np.count_nonzero(cells.level(CREATOR) == ""))


def _rows_of(roster: Roster, creators: np.ndarray) -> np.ndarray:
    """Each creator's row in the roster (ids are unique)."""
    import pandas as pd

    return pd.Index(roster.creator).get_indexer(creators).astype(np.int64)


def _creator_ends(roster: Roster, settings: Uncertainty) -> np.ndarray:
    """(creators, figures, 3): each creator's (low, high, midpoint) of every figure, as
    `_ends` gives an offer's: a range, a number moved by `spread`, or a certain 1 where the
    creator's row does not give the figure."""
    out = np.ones((len(roster), len(UNCERTAIN_FIGURES), 3))
    for i, figure in enumerate(UNCERTAIN_FIGURES):
        value = roster.figures[figure]
        given = ~np.isnan(value)
        low, high = roster.ranges.get(figure, (value, value))
        spread = settings.spread.get(figure)
        middle = np.where(low < high, (low + high) / 2, value)
        if spread:
            number = ~(low < high)
            low = np.where(number, value * (1 - spread), low)
            high = np.where(number, value * (1 + spread), high)
        for end, values in enumerate((low, high, middle)):
            out[:, i, end] = np.where(given, values, 1.0)
    return out


def generate(scenario: Scenario, cells: Cells, settings: Uncertainty, seed: int) -> np.ndarray:
    """(N, cells, 4) multipliers drawn from the scenario's ranges and spreads: every cell's
    (`scenario_draws` keeps them per group)."""
    generated = settings.model_copy(update={"draws_file": None})
    return scenario_draws(scenario, cells, generated, seed).multipliers


def read_draws_file(path: Path, scenario: Scenario, cells: Cells) -> np.ndarray:
    """(N, cells, 4) multipliers from a draws file (section 8.2): every cell's
    (`scenario_draws` keeps them per group); every problem is reported with the file and
    its line, together."""
    by_group, cell_group, _ = _read_file(path, scenario, cells)
    return _read_only(by_group[:, cell_group, :])


def _read_file(
    path: Path, scenario: Scenario, cells: Cells
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(N, groups, 4) multipliers, each cell's group and the draw ids of a draws file. A
    group is an offer's cells, less those of periods some row names: each of those is a
    group of its own."""
    try:
        # utf-8-sig: Excel starts a CSV saved as UTF-8 with a byte-order mark
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            raw_rows = list(reader)
            columns = [(column or "").strip() for column in reader.fieldnames or []]
    except FileNotFoundError:
        raise ScenarioError(
            path, [Problem("uncertainty.draws_file", "draws file not found")]
        ) from None
    except IsADirectoryError:
        raise ScenarioError(
            path, [Problem("uncertainty.draws_file", "is a directory, not a draws file")]
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ScenarioError(
            path, [Problem("uncertainty.draws_file", f"cannot read the draws file: {error}")]
        ) from None
    problems = [
        Problem(f"column {column!r}", f"unknown column; the columns are {', '.join(FILE_COLUMNS)}")
        for column in columns
        if column not in FILE_COLUMNS
    ]
    problems += [
        Problem("header", f"the column {key!r} is missing")
        for key in FILE_KEYS
        if key not in columns
    ]
    if problems:
        raise ScenarioError(path, problems)

    # (period, platform, tier) of every cell: a roster's creators move with their offer's row
    cell_keys = list(zip(*(cells.level(level) for level in DIMENSIONS), strict=True))
    offers = {(platform, tier) for platform, tier, _ in scenario.offers()}
    offers |= {(platform, tier) for _, platform, tier in cell_keys}
    draw_ids: dict[str, int] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    general: list[tuple[int, tuple[str, str], np.ndarray]] = []
    specific: list[tuple[int, tuple[str, str, str], np.ndarray]] = []
    for line, raw in enumerate(raw_rows, start=2):
        where = f"line {line}"
        row = {(column or "").strip(): (text or "").strip() for column, text in raw.items()}
        if None in raw:
            problems.append(Problem(where, "more cells than header columns"))
            continue
        draw, platform, tier = (row.get(key, "") for key in FILE_KEYS)
        period = row.get("period", "")
        if not draw:
            problems.append(Problem(where, "every row needs a draw id"))
            continue
        found = True
        if platform not in scenario.platforms:
            problems.append(Problem(where, f"unknown platform {platform!r}"))
            found = False
        elif (platform, tier) not in offers:
            problems.append(Problem(where, f"unknown tier {tier!r} of platform {platform!r}"))
            found = False
        if period and period not in scenario.periods:
            known = ", ".join(scenario.periods)
            problems.append(Problem(where, f"unknown period {period!r}; the periods are {known}"))
            found = False
        key = (draw, platform, tier, period)
        if key in seen:
            what = f"draw {draw!r}, {platform} {tier}" + (f", {period}" if period else "")
            problems.append(Problem(where, f"repeats line {seen[key]} ({what})"))
            continue
        seen[key] = line
        values = np.ones(len(KINDS))
        for k, kind in enumerate(KINDS):
            text = row.get(kind, "")
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                problems.append(Problem(where, f"{kind}: must be a number, got {text!r}"))
                continue
            if not math.isfinite(number) or number < 0:
                problems.append(
                    Problem(where, f"{kind}: must be a finite number of 0 or more, got {text}")
                )
                continue
            values[k] = number
        number = draw_ids.setdefault(draw, len(draw_ids))
        if not found:
            continue
        if period:
            specific.append((number, (period, platform, tier), values))
        else:
            general.append((number, (platform, tier), values))
    if not problems and not draw_ids:
        problems.append(Problem("rows", "no draws: give at least one row"))
    if problems:
        raise ScenarioError(path, problems)
    # an offer's cells are one group, less the cells of each period a row names
    alone = {named for _, named, _ in specific}
    groups: dict[tuple[str, ...], int] = {}
    cell_group = np.array(
        [groups.setdefault(cell if cell in alone else cell[1:], len(groups)) for cell in cell_keys],
        dtype=np.int64,
    )
    offer_groups: dict[tuple[str, ...], list[int]] = {}
    for grouped, group in groups.items():
        offer_groups.setdefault(grouped[-2:], []).append(group)
    by_group = np.ones((len(draw_ids), len(groups), len(KINDS)))
    for number, offer, values in general:
        by_group[number, offer_groups.get(offer, []), :] = values
    for number, named, values in specific:  # a period's row overrides
        if named in groups:
            by_group[number, groups[named], :] = values
    return _read_only(by_group), _read_only(cell_group), tuple(draw_ids)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
