"""Per-partnership metrics of every (period, platform, tier) cell (format sections 3 and 4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.constants import DIMENSIONS, METRICS, SATURATED_METRICS
from optimizer.scenario.schema import Offer, Scenario, Segment, Select, midpoint

if TYPE_CHECKING:
    import pandas as pd

Key = tuple[str, ...]
"""A cell's (period, platform, tier); a roster cell's (period, platform, tier, creator)."""
CREATOR = "creator"
"""The level that names a roster cell's creator ("" for an offer's cell)."""

CELL_COLUMNS = ("cost", *SATURATED_METRICS, "lower", "upper", "platform_emerging", "tier_emerging")
"""The figures of every cell, as `Cells.column` names them (and `Cells.table` holds them)."""
SEGMENT_COLUMNS = ("cell", "segment", "start", "width", "factor")
"""The figures of every (cell, segment), as `Cells.segment_column` names them."""
_FLAGS = ("platform_emerging", "tier_emerging")
_WHOLE = ("cell", "segment")


@dataclass(frozen=True, eq=False)
class Cells:
    """Every cell's offer as arrays, in model order (period, then platform and tier).

    `keys` holds each cell's (period, platform, tier); `column(name)` an array per cell of
    `cost` and the saturated metrics per partnership (`reach`, `engagements`, `conversions`,
    `revenue`), `lower` and `upper` count bounds, and the `emerging` flags of platform and
    tier. `segment_column(name)` gives one entry per (cell, segment): `cell` (the cell's
    position), `segment` (its number within the cell), `start` (influencers before the
    segment), `width` (inf for the last) and `factor`.

    `table`, `segments` and `index` are the same figures as pandas objects, built on first use.

    A roster's creators are cells too (one per creator and period, after the offers' cells):
    their keys carry the creator, `level("creator")` names it ("" for an offer's cell), and
    `table` and `index` gain a `creator` level when there are any.
    """

    keys: list[Key]
    columns: Mapping[str, np.ndarray]
    segment_columns: Mapping[str, np.ndarray]
    creators: np.ndarray | None = None
    """Each cell's creator ("" for an offer's cell); None without a roster."""

    def __len__(self) -> int:
        return len(self.keys)

    def column(self, name: str) -> np.ndarray:
        """One figure of every cell (a name of `CELL_COLUMNS`), in model order; read-only."""
        return self.columns[name]

    def segment_column(self, name: str) -> np.ndarray:
        """One figure of every (cell, segment) (a name of `SEGMENT_COLUMNS`); read-only."""
        return self.segment_columns[name]

    @property
    def has_creators(self) -> bool:
        """Whether any cell is a roster creator's."""
        return self.creators is not None

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The levels of `index`: (period, platform, tier), and creator with a roster."""
        return (*DIMENSIONS, CREATOR) if self.has_creators else DIMENSIONS

    @cached_property
    def _levels(self) -> dict[str, np.ndarray]:
        columns = (
            list(zip(*(key[:3] for key in self.keys), strict=True)) if self.keys else [(), (), ()]
        )
        levels = {
            dimension: _read_only(np.array(values, dtype=object))
            for dimension, values in zip(DIMENSIONS, columns, strict=True)
        }
        creators = self.creators if self.creators is not None else np.full(len(self), "")
        levels[CREATOR] = _read_only(np.asarray(creators, dtype=object))
        return levels

    def level(self, dimension: str) -> np.ndarray:
        """Each cell's period, platform, tier or creator, in model order."""
        return self._levels[dimension]

    @cached_property
    def table(self) -> pd.DataFrame:
        """The cells' figures as a DataFrame indexed by (period, platform, tier), and by
        creator too when the scenario has a roster."""
        import pandas as pd

        dimensions = list(self.dimensions)
        data: dict[str, Any] = {dimension: self.level(dimension) for dimension in dimensions}
        data.update({name: self.columns[name] for name in CELL_COLUMNS})
        return pd.DataFrame(data).set_index(dimensions)

    @cached_property
    def segments(self) -> pd.DataFrame:
        """One row per (cell, segment), with the columns of `SEGMENT_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame(
            {name: self.segment_columns[name] for name in SEGMENT_COLUMNS},
            columns=list(SEGMENT_COLUMNS),
        )

    @property
    def index(self) -> pd.MultiIndex:
        """The (period, platform, tier[, creator]) of each cell, in model order."""
        return self.table.index

    def select(self, select: Select) -> np.ndarray:
        """Boolean mask of the cells that match every key of `select`."""
        mask = np.ones(len(self), dtype=bool)
        for dimension, names in (
            ("platform", select.platforms),
            ("tier", select.tiers),
            ("period", select.periods),
        ):
            if names is not None:
                mask &= np.isin(self.level(dimension), names)
        if select.creators is not None:
            mask &= np.isin(self.level(CREATOR), np.array(select.creators, dtype=object))
        platform_emerging = self.columns["platform_emerging"]
        if select.emerging is not None:
            emerging = platform_emerging | self.columns["tier_emerging"]
            mask &= emerging == select.emerging
        if select.platform_emerging is not None:
            mask &= platform_emerging == select.platform_emerging
        return mask

    def effective_counts(self, counts: np.ndarray) -> np.ndarray:
        """Influencers weighted by their segment's factor: what saturated metrics scale with."""
        segments = self.segment_columns
        cell = segments["cell"]
        filled = np.clip(counts[cell] - segments["start"], 0.0, segments["width"])
        return np.bincount(cell, weights=filled * segments["factor"], minlength=len(self))

    def outcomes(self, counts: np.ndarray) -> dict[str, np.ndarray]:
        """count, spend and the saturated metrics of every cell for the given counts, as
        arrays in model order (`frame` makes a DataFrame of them)."""
        columns = self.columns
        effective = self.effective_counts(counts)
        data = {"count": counts, "spend": counts * columns["cost"]}
        for metric in SATURATED_METRICS:
            data[metric] = effective * columns[metric]
        return {metric: data[metric] for metric in METRICS}

    def frame(self, figures: Mapping[str, np.ndarray]) -> pd.DataFrame:
        """Per-cell arrays (such as `outcomes`) as a DataFrame indexed like `table`."""
        import pandas as pd

        return pd.DataFrame(dict(figures), index=self.index, columns=list(figures))


def key_fields(key: Key) -> dict[str, str]:
    """A cell's key as an allocation row's fields: period, platform, tier, and a roster
    creator's cell its creator (format v2, section 9)."""
    fields = {"period": key[0], "platform": key[1], "tier": key[2]}
    if len(key) > 3 and key[3]:
        fields[CREATOR] = key[3]
    return fields


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _segments(offer: Offer, scenario: Scenario) -> list[Segment]:
    return offer.saturation or scenario.saturation or [Segment(factor=1.0)]


def derive_cells(scenario: Scenario) -> Cells:
    """The cells of a scenario, in period order, then platform and tier in file order."""
    aov = scenario.average_order_value or 0.0
    keys: list[Key] = []
    rows: dict[str, list[float]] = {name: [] for name in CELL_COLUMNS}
    segment_rows: dict[str, list[float]] = {name: [] for name in SEGMENT_COLUMNS}
    for period in scenario.periods:
        season = scenario.seasonality.get(period)
        for platform, tier, offer in scenario.offers():
            followers = midpoint(offer.followers)
            if offer.cost_per_post is not None:
                base_cost = midpoint(offer.cost_per_post)
            else:
                base_cost = midpoint(offer.cost_per_1k_followers or 0.0) * followers / 1000
            if offer.engagement_rate is not None:
                base_engagements = followers * midpoint(offer.engagement_rate)
            else:
                base_engagements = base_cost / midpoint(offer.cost_per_engagement or 1.0)
            conversions = base_engagements * midpoint(offer.conversion_rate)
            multiplier = {
                "cost": season.cost if season else 1.0,
                "engagements": season.engagements if season else 1.0,
                "conversions": season.conversions if season else 1.0,
                "reach": season.reach if season else 1.0,
            }
            conversions *= multiplier["conversions"]
            lower, upper = offer.count_bounds(scenario.integer)
            row = {
                "cost": base_cost * multiplier["cost"],
                "reach": followers * midpoint(offer.reach_rate) * multiplier["reach"],
                "engagements": base_engagements * multiplier["engagements"],
                "conversions": conversions,
                "revenue": conversions * aov,
                "lower": lower,
                "upper": upper,
                "platform_emerging": scenario.platforms[platform].emerging,
                "tier_emerging": scenario.tiers[tier].emerging if tier in scenario.tiers else False,
            }
            for name in CELL_COLUMNS:
                rows[name].append(row[name])
            start = 0
            cell = len(keys)
            keys.append((period, platform, tier))
            for number, segment in enumerate(_segments(offer, scenario)):
                width = np.inf if segment.up_to is None else float(segment.up_to - start)
                segment_rows["cell"].append(cell)
                segment_rows["segment"].append(number)
                segment_rows["start"].append(float(start))
                segment_rows["width"].append(width)
                segment_rows["factor"].append(segment.factor)
                start = segment.up_to or start
    columns = {
        name: np.array(values, dtype=bool if name in _FLAGS else float)
        for name, values in rows.items()
    }
    segment_columns = {
        name: np.array(values, dtype=np.int64 if name in _WHOLE else float)
        for name, values in segment_rows.items()
    }
    levels = None
    if scenario.roster is not None:
        from optimizer.roster.cells import add_roster_cells

        levels = add_roster_cells(scenario, keys, columns, segment_columns)
    cells = Cells(
        keys=keys,
        columns={name: _read_only(values) for name, values in columns.items()},
        segment_columns={name: _read_only(values) for name, values in segment_columns.items()},
        creators=None if levels is None else _read_only(levels[CREATOR]),
    )
    if levels is not None:
        # the levels as arrays already: a roster's hundreds of thousands of keys need not be
        # taken apart again
        cells.__dict__["_levels"] = {name: _read_only(level) for name, level in levels.items()}
    return cells


def objective_value(metric: str, totals: Mapping[str, float]) -> float:
    """The objective's figure from a plan's totals: the metric's total, or for profit
    revenue less spend."""
    if metric == "profit":
        return totals["revenue"] - totals["spend"]
    return totals[metric]
