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
`numpy.random.default_rng(seed)` in one call of fixed shape, so the same file and seed give
the same draws on every machine.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from optimizer.errors import Problem, ScenarioError
from optimizer.model.cells import Cells
from optimizer.scenario.schema import UNCERTAIN_FIGURES, Estimate, Scenario, Uncertainty

KINDS = ("cost", "engagements", "conversions", "reach")
"""The multipliers of a draw, in the order of the last axis of `Draws.multipliers`."""
COST, ENGAGEMENTS, CONVERSIONS, REACH = range(4)
FILE_KEYS = ("draw", "platform", "tier")
FILE_COLUMNS = (*FILE_KEYS, "period", *KINDS)
PERT_LAMBDA = 4.0


@dataclass(frozen=True, eq=False)
class Draws:
    """`multipliers[s, cell, k]`: draw s's value of k (`KINDS`) in a cell over its v1 value."""

    multipliers: np.ndarray
    source: Literal["generated", "file"]
    seed: int | None = None
    path: str | None = None

    @property
    def count(self) -> int:
        """N, the number of draws."""
        return int(self.multipliers.shape[0])

    def of(self, kind: str) -> np.ndarray:
        """(N, cells) multipliers of one kind: cost, engagements, conversions or reach;
        revenue moves with conversions."""
        return self.multipliers[:, :, KINDS.index("conversions" if kind == "revenue" else kind)]

    @property
    def costs_vary(self) -> bool:
        """Whether any draw moves a cost."""
        return bool(np.any(self.multipliers[:, :, COST] != 1.0))


def scenario_draws(
    scenario: Scenario, cells: Cells, settings: Uncertainty, seed: int | None = None
) -> Draws:
    """The scenario's draws: its draws file, or `settings.draws` generated from `seed` (the
    settings' seed where not given)."""
    if settings.draws_file is not None:
        path = Path(settings.draws_file)
        return Draws(read_draws_file(path, scenario, cells), "file", path=str(path))
    seed = settings.seed if seed is None else seed
    return Draws(generate(scenario, cells, settings, seed), "generated", seed=seed)


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


def generate(scenario: Scenario, cells: Cells, settings: Uncertainty, seed: int) -> np.ndarray:
    """(N, cells, 4) multipliers drawn from the scenario's ranges and spreads."""
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
    low, high, mid = ends[..., 0], ends[..., 1], ends[..., 2]
    per_post = np.array([offer.cost_per_post is not None for _, _, offer in offers])
    by_rate = np.array([offer.engagement_rate is not None for _, _, offer in offers])

    cell_offer = np.array(
        [offer_of[(platform, tier)] for _, platform, tier in cells.keys], dtype=np.int64
    )
    levels = [cells.level(level) for level in settings.shared_by]
    group_keys = list(zip(*levels, strict=True)) if levels else [()] * len(cells)
    group_ids: dict[tuple[object, ...], int] = {}
    cell_group = np.array(
        [group_ids.setdefault(key, len(group_ids)) for key in group_keys], dtype=np.int64
    )
    # the draws of each (group, offer) pair once, then spread over the pair's cells
    pairs, cell_pair = np.unique(
        np.column_stack([cell_group, cell_offer]), axis=0, return_inverse=True
    )
    pair_group, pair_offer = pairs[:, 0], pairs[:, 1]

    rng = np.random.default_rng(seed)
    shape = (settings.draws, max(len(group_ids), 1), len(UNCERTAIN_FIGURES))
    quantiles = standard_draws(settings.shape, rng, shape)[:, pair_group, :]
    width = (high - low)[pair_offer]
    values = low[pair_offer] + width * quantiles
    middle = mid[pair_offer]
    relative = np.divide(values, middle, out=np.ones_like(values), where=middle != 0)
    figure = {name: relative[..., i] for i, name in enumerate(UNCERTAIN_FIGURES)}
    followers = figure["followers"]
    cost = np.where(
        per_post[pair_offer], figure["cost_per_post"], figure["cost_per_1k_followers"] * followers
    )
    per_engagement = figure["cost_per_engagement"]
    engagements = np.where(
        by_rate[pair_offer],
        followers * figure["engagement_rate"],
        np.divide(cost, per_engagement, out=np.zeros_like(cost), where=per_engagement != 0),
    )
    conversions = engagements * figure["conversion_rate"]
    reach = followers * figure["reach_rate"]
    per_pair = np.stack([cost, engagements, conversions, reach], axis=-1)
    return _read_only(per_pair[:, cell_pair.reshape(-1), :])


def read_draws_file(path: Path, scenario: Scenario, cells: Cells) -> np.ndarray:
    """(N, cells, 4) multipliers from a draws file (section 8.2); every problem is reported
    with the file and its line, together."""
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

    offers = {(platform, tier) for platform, tier, _ in scenario.offers()}
    cell_of = {key: i for i, key in enumerate(cells.keys)}
    offer_cells: dict[tuple[str, str], list[int]] = {}
    for i, (_, platform, tier) in enumerate(cells.keys):
        offer_cells.setdefault((platform, tier), []).append(i)
    draw_ids: dict[str, int] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    general: list[tuple[int, list[int], np.ndarray]] = []
    specific: list[tuple[int, list[int], np.ndarray]] = []
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
            specific.append((number, [cell_of[(period, platform, tier)]], values))
        else:
            general.append((number, offer_cells[(platform, tier)], values))
    if not problems and not draw_ids:
        problems.append(Problem("rows", "no draws: give at least one row"))
    if problems:
        raise ScenarioError(path, problems)
    multipliers = np.ones((len(draw_ids), len(cells), len(KINDS)))
    for number, where_cells, values in general + specific:  # a period's row overrides
        multipliers[number, where_cells, :] = values
    return _read_only(multipliers)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
