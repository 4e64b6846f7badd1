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
from optimizer.model.constraints import CreatorLimit
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
    count: int = 1
    """How many constraints from `number` on the group is: a limit per creator is one
    setting for every creator, so one group."""

    def drop(self, settings: Settings) -> Settings:
        if self.kind == "rule":
            return settings.with_bounds(self.number, (None, None), self.count)
        if self.kind == "min":
            return settings.with_counts(self.cells, lower=0.0)
        return settings.with_counts(self.cells, available=np.inf)


def groups_of(model: LinearModel) -> list[Group]:
    """Every group, in the order the filter tries to drop them: offer bounds, the budget
    (its periods, then the total), the presets' rules, then the scenario's own rules from
    the last written. The filter keeps what it cannot drop, so a conflict is told in the
    planner's own rules where one can be."""
    every = model.cells
    platforms = every.level("platform")
    tiers = every.level("tier")
    lower = every.column("lower")
    upper = every.column("upper")
    # an offer's bounds; a roster creator's `max_posts` is the creator's, not an offer's
    offer = every.level("creator") == ""
    offers: list[Group] = []
    for platform, tier in dict.fromkeys(zip(platforms[offer], tiers[offer], strict=True)):
        cells = (platforms == platform) & (tiers == tier) & offer
        prefix = f"platforms.{platform}.tiers.{tier}"
        if lower[cells].max() > 0:
            offers.append(Group(f"{prefix}.min", "min", -1, cells))
        if np.isfinite(upper[cells]).any():
            offers.append(Group(f"{prefix}.available", "available", -1, cells))
    rules = []
    number = 0
    for part in model.rule_set.parts:
        if isinstance(part, CreatorLimit):
            name = f"{part.rule}{part.suffix}"
            rules.append(Group(name, "rule", number, np.zeros(0, dtype=bool), len(part)))
            number += len(part)
        else:
            rules.append(Group(part.name, "rule", number, np.zeros(0, dtype=bool)))
            number += 1
    kinds: dict[str, list[Group]] = {"budget": [], "preset": [], "own": []}
    for group in rules[::-1]:
        kinds[rule_kind(model, group)].append(group)
    return offers + kinds["budget"] + kinds["preset"] + kinds["own"]


def rule_kind(model: LinearModel, group: Group) -> str:
    """`offer` (an offer's min or pool), `budget`, `preset` or `own` (the scenario's rules)."""
    if group.kind != "rule":
        return "offer"
    constraint = model.constraint(group.number)
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
