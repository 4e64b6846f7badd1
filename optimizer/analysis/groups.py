"""The settings a planner can move as one: a constraint, an offer's min, an offer's pool.

Conflicts are reported in these units, with the planner's names: the constraint's name
(`budget`, `budget:Q4`, `tiktok-cap`, `mega-per-quarter[Q2]`) or the offer's field path
(`platforms.youtube.tiers.mega.min`, `.available`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from optimizer.analysis.editing import Settings
from optimizer.model.linear import LinearModel
from optimizer.scenario.presets import PRESETS


@dataclass(frozen=True, eq=False)
class Group:
    """One setting a planner can move: a constraint, or an offer's min or available."""

    name: str
    kind: Literal["rule", "min", "available"]
    number: int
    """The constraint's position in `model.constraints` (rules only)."""
    cells: np.ndarray
    """The offer's cells, one per period (offer bounds only)."""

    def drop(self, settings: Settings) -> Settings:
        if self.kind == "rule":
            return settings.with_bounds(self.number, (None, None))
        if self.kind == "min":
            return settings.with_counts(self.cells, lower=0.0)
        return settings.with_counts(self.cells, available=np.inf)


def groups_of(model: LinearModel) -> list[Group]:
    """Every group, in the order the filter tries to drop them: offer bounds, the budget
    (its periods, then the total), the presets' rules, then the scenario's own rules from
    the last written. The filter keeps what it cannot drop, so a conflict is told in the
    planner's own rules where one can be."""
    table = model.cells.table
    platforms = table.index.get_level_values("platform").to_numpy()
    tiers = table.index.get_level_values("tier").to_numpy()
    lower = table["lower"].to_numpy()
    upper = table["upper"].to_numpy()
    offers: list[Group] = []
    for platform, tier in dict.fromkeys(zip(platforms, tiers, strict=True)):
        cells = (platforms == platform) & (tiers == tier)
        prefix = f"platforms.{platform}.tiers.{tier}"
        if lower[cells].max() > 0:
            offers.append(Group(f"{prefix}.min", "min", -1, cells))
        if np.isfinite(upper[cells]).any():
            offers.append(Group(f"{prefix}.available", "available", -1, cells))
    rules = [
        Group(constraint.name, "rule", number, np.zeros(0, dtype=bool))
        for number, constraint in enumerate(model.constraints)
    ]
    kinds: dict[str, list[Group]] = {"budget": [], "preset": [], "own": []}
    for group in rules[::-1]:
        kinds[rule_kind(model, group)].append(group)
    return offers + kinds["budget"] + kinds["preset"] + kinds["own"]


def rule_kind(model: LinearModel, group: Group) -> str:
    """`offer` (an offer's min or pool), `budget`, `preset` or `own` (the scenario's rules)."""
    if group.kind != "rule":
        return "offer"
    constraint = model.constraints[group.number]
    if constraint.kind == "budget":
        return "budget"
    presets = model.scenario.rules.presets
    if any(constraint.rule == rule.name for name in presets for rule in PRESETS[name].rules):
        return "preset"
    return "own"


def planner_first(model: LinearModel, groups: list[Group]) -> list[Group]:
    """The groups the other way round: the scenario's own rules tried first (in file order),
    offer bounds last. A filter in this order finds the conflict that keeps offers and the
    budget, where one exists."""
    order = {"own": 0, "preset": 1, "budget": 2, "offer": 3}
    return sorted(groups[::-1], key=lambda group: order[rule_kind(model, group)])


def without(settings: Settings, groups: list[Group]) -> Settings:
    for group in groups:
        settings = group.drop(settings)
    return settings
