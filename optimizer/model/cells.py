"""Per-partnership metrics of every (period, platform, tier) cell (format sections 3 and 4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.constants import DIMENSIONS, METRICS, SATURATED_METRICS
from optimizer.scenario.schema import Offer, Scenario, Segment, Select, midpoint


@dataclass(frozen=True)
class Cells:
    """Every cell's offer as arrays, indexed by a (period, platform, tier) MultiIndex.

    `table` columns: `cost` and the saturated metrics per partnership (`reach`, `engagements`,
    `conversions`, `revenue`), `lower` and `upper` count bounds, and the `emerging` flags of
    platform and tier. `segments` has one row per (cell, segment): `start` (influencers before
    the segment), `width` (inf for the last) and `factor`, with `cell` the cell's position.
    """

    table: pd.DataFrame
    segments: pd.DataFrame

    def __len__(self) -> int:
        return len(self.table)

    @property
    def index(self) -> pd.MultiIndex:
        """The (period, platform, tier) of each cell, in model order."""
        return self.table.index

    def level(self, dimension: str) -> np.ndarray:
        """Each cell's period, platform or tier, in model order."""
        return self.index.get_level_values(dimension).to_numpy()

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
        if select.emerging is not None:
            emerging = (
                self.table["platform_emerging"].to_numpy() | self.table["tier_emerging"].to_numpy()
            )
            mask &= emerging == select.emerging
        if select.platform_emerging is not None:
            mask &= self.table["platform_emerging"].to_numpy() == select.platform_emerging
        return mask

    def effective_counts(self, counts: np.ndarray) -> np.ndarray:
        """Influencers weighted by their segment's factor: what saturated metrics scale with."""
        segments = self.segments
        cell = segments["cell"].to_numpy()
        filled = np.clip(
            counts[cell] - segments["start"].to_numpy(), 0.0, segments["width"].to_numpy()
        )
        return np.bincount(
            cell, weights=filled * segments["factor"].to_numpy(), minlength=len(self)
        )

    def outcomes(self, counts: np.ndarray) -> pd.DataFrame:
        """count, spend and the saturated metrics of every cell for the given counts."""
        table = self.table
        effective = self.effective_counts(counts)
        data = {"count": counts, "spend": counts * table["cost"].to_numpy()}
        for metric in SATURATED_METRICS:
            data[metric] = effective * table[metric].to_numpy()
        return pd.DataFrame(data, index=table.index, columns=list(METRICS))


def _segments(offer: Offer, scenario: Scenario) -> list[Segment]:
    return offer.saturation or scenario.saturation or [Segment(factor=1.0)]


def derive_cells(scenario: Scenario) -> Cells:
    """The cells of a scenario, in period order, then platform and tier in file order."""
    aov = scenario.average_order_value or 0.0
    rows = []
    segment_rows = []
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
            rows.append(
                {
                    "period": period,
                    "platform": platform,
                    "tier": tier,
                    "cost": base_cost * multiplier["cost"],
                    "reach": followers * midpoint(offer.reach_rate) * multiplier["reach"],
                    "engagements": base_engagements * multiplier["engagements"],
                    "conversions": conversions,
                    "revenue": conversions * aov,
                    "lower": lower,
                    "upper": upper,
                    "platform_emerging": scenario.platforms[platform].emerging,
                    "tier_emerging": scenario.tiers[tier].emerging
                    if tier in scenario.tiers
                    else False,
                }
            )
            start = 0
            cell = len(rows) - 1
            for number, segment in enumerate(_segments(offer, scenario)):
                width = np.inf if segment.up_to is None else float(segment.up_to - start)
                segment_rows.append(
                    {
                        "cell": cell,
                        "segment": number,
                        "start": float(start),
                        "width": width,
                        "factor": segment.factor,
                    }
                )
                start = segment.up_to or start
    table = pd.DataFrame(rows).set_index(list(DIMENSIONS))
    segments = pd.DataFrame(segment_rows, columns=["cell", "segment", "start", "width", "factor"])
    return Cells(table=table, segments=segments)
