"""A roster's creators as cells of the one model: one per creator and period it may post in.

Per-post figures follow section 3 of the format with the period's seasonality; a creator's
count runs from 0 to its `max_posts` (0 when excluded) and never saturates.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.roster import roster_of
from optimizer.scenario.schema import Scenario


def add_roster_cells(
    scenario: Scenario,
    keys: list[tuple[str, ...]],
    columns: dict[str, np.ndarray],
    segment_columns: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Append the roster's cells, period by period in file order, to the offers' cells
    (`keys` and the arrays of `columns` and `segment_columns`, replaced by longer ones);
    every cell's period, platform, tier and creator ("" for the offers' cells) as arrays."""
    roster = roster_of(scenario)
    aov = scenario.average_order_value or 0.0
    first = len(keys)
    parts: dict[str, list[np.ndarray]] = {name: [values] for name, values in columns.items()}
    creators: list[np.ndarray] = [np.full(first, "", dtype=object)]
    offer_levels = list(zip(*keys, strict=True)) if keys else [(), (), ()]
    levels: dict[str, list[np.ndarray]] = {
        name: [np.array(values, dtype=object)]
        for name, values in zip(("period", "platform", "tier"), offer_levels, strict=True)
    }
    upper = np.where(roster.exclude, 0.0, roster.max_posts)
    if scenario.integer:
        upper = np.floor(upper + 1e-9)
    for number, period in enumerate(scenario.periods):
        rows = np.flatnonzero(roster.periods[:, number])
        season = scenario.seasonality.get(period)
        cost, engagements, conversions, reach = (
            (season.cost, season.engagements, season.conversions, season.reach)
            if season
            else (1.0, 1.0, 1.0, 1.0)
        )
        figures = {
            "cost": roster.cost[rows] * cost,
            "reach": roster.reach[rows] * reach,
            "engagements": roster.engagements[rows] * engagements,
            "conversions": roster.conversions[rows] * conversions,
            "revenue": roster.conversions[rows] * conversions * aov,
            "lower": np.zeros(len(rows)),
            "upper": upper[rows],
            "platform_emerging": roster.platform_emerging[rows],
            "tier_emerging": roster.tier_emerging[rows],
        }
        for name, values in figures.items():
            parts[name].append(values)
        creators.append(roster.creator[rows])
        levels["period"].append(np.full(len(rows), period, dtype=object))
        levels["platform"].append(roster.platform[rows])
        levels["tier"].append(roster.tier[rows])
        keys.extend(
            zip(
                [period] * len(rows),
                roster.platform[rows].tolist(),
                roster.tier[rows].tolist(),
                roster.creator[rows].tolist(),
                strict=True,
            )
        )
    for name, pieces in parts.items():
        columns[name] = np.concatenate(pieces).astype(columns[name].dtype, copy=False)
    added = len(keys) - first
    new_segments = {
        "cell": first + np.arange(added, dtype=np.int64),
        "segment": np.zeros(added, dtype=np.int64),
        "start": np.zeros(added),
        "width": np.full(added, math.inf),
        "factor": np.ones(added),
    }
    for name, values in new_segments.items():
        segment_columns[name] = np.concatenate([segment_columns[name], values]).astype(
            segment_columns[name].dtype, copy=False
        )
    out = {name: np.concatenate(parts).astype(object, copy=False) for name, parts in levels.items()}
    out["creator"] = np.concatenate(creators).astype(object, copy=False)
    return out


def must_cells(scenario: Scenario, creators: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(creator, its cells' positions) for every creator that must post at least once."""
    roster = roster_of(scenario)
    wanted = roster.creator[roster.must]
    if not len(wanted):
        return []
    import pandas as pd

    positions = np.flatnonzero(pd.Index(wanted).get_indexer(creators) >= 0)
    groups = pd.Series(positions).groupby(creators[positions], sort=False)
    found = {str(name): group.to_numpy() for name, group in groups}
    return [(str(name), found.get(str(name), np.zeros(0, dtype=np.int64))) for name in wanted]
