"""The planner's rules as constraints over cells: budget, presets, shares and limits.

Each `Constraint` is one bounded total that a planner would name (`budget:Q4`,
`70-20-10:proven-micro`, `mega-per-quarter[Q2]`); the builder turns it into rows and the
plan reports its value from the same definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import product
from typing import TYPE_CHECKING, Literal

import numpy as np

from optimizer.model.cells import Cells
from optimizer.scenario.presets import PRESETS
from optimizer.scenario.schema import LimitRule, Scenario, Select, ShareRule

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["budget", "share", "limit"]


@dataclass(frozen=True, eq=False)
class Constraint:
    """`min <= total(metric over selected) <= max`, or for shares the same on
    `total(selected) / total(base)`."""

    name: str
    rule: str
    kind: Kind
    metric: str
    selected: np.ndarray
    """The cells it totals: a mask over cells, or (a limit per creator) their positions."""
    base: np.ndarray | None
    min: float | None
    max: float | None
    group: dict[str, str] = field(default_factory=dict)

    def value(self, outcomes: Mapping[str, np.ndarray] | pd.DataFrame) -> float | None:
        """The constrained total (or share) for per-cell outcomes (metric -> array in model
        order, as `Cells.outcomes` gives, or a DataFrame of them); None for a share of nothing."""
        figures = np.asarray(outcomes[self.metric])
        total = float(figures[self.selected].sum())
        if self.base is None:
            return total
        whole = float(figures[self.base].sum())
        return total / whole if whole > 0 else None


@dataclass(frozen=True)
class SkippedRule:
    """A preset rule left out because its selection or period is not in the scenario."""

    name: str
    reason: str


@dataclass(frozen=True, eq=False)
class CreatorLimit:
    """A limit `per` creator as one block: a group per creator (and per value of any other
    dimension of `per`), each `min <= total(metric over its cells) <= max`.

    A roster of a million creators makes a million groups; they are held as arrays (the
    cells of group g are `cells[starts[g]:starts[g + 1]]`, its key `keys[d][g]` for each
    dimension d of `per`) and named only when a report asks (`name`, `names`), or made into
    `Constraint`s one by one (`constraint`) for the analyses of small rosters."""

    rule: str
    metric: str
    suffix: str
    """`.metric` where the limit bounds several metrics, else empty."""
    per: tuple[str, ...]
    cells: np.ndarray
    starts: np.ndarray
    keys: tuple[np.ndarray, ...]
    min: float | None
    max: float | None
    kind: Kind = "limit"
    base: None = None

    def __len__(self) -> int:
        return len(self.starts) - 1

    @property
    def selected(self) -> np.ndarray:
        """Every cell of every group (positions)."""
        return self.cells

    @property
    def owner(self) -> np.ndarray:
        """The group of each entry of `cells`."""
        return np.repeat(np.arange(len(self)), np.diff(self.starts))

    def key(self, group: int) -> tuple[str, ...]:
        return tuple(str(values[group]) for values in self.keys)

    def name(self, group: int) -> str:
        return f"{self.rule}[{','.join(self.key(group))}]{self.suffix}"

    def names(self) -> list[str]:
        """Every group's name, as `name` gives it."""
        joined = self.keys[0].astype(str)
        for values in self.keys[1:]:
            joined = np.char.add(np.char.add(joined, ","), values.astype(str))
        return [f"{self.rule}[{key}]{self.suffix}" for key in joined.tolist()]

    def group(self, group: int) -> dict[str, str]:
        return dict(zip(self.per, self.key(group), strict=True))

    def constraint(self, group: int) -> Constraint:
        """Group `group` as a constraint of its own."""
        cells = self.cells[self.starts[group] : self.starts[group + 1]]
        return Constraint(
            self.name(group),
            self.rule,
            "limit",
            self.metric,
            cells,
            None,
            self.min,
            self.max,
            self.group(group),
        )

    def constraints(self) -> list[Constraint]:
        return [self.constraint(group) for group in range(len(self))]

    def totals(self, figures: np.ndarray) -> np.ndarray:
        """Each group's total of a per-cell figure."""
        if not len(self):
            return np.zeros(0)
        return np.add.reduceat(np.asarray(figures, dtype=float)[self.cells], self.starts[:-1])


Rule = Constraint | CreatorLimit
"""One constraint, or a block of them (a limit per creator)."""


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The scenario's rules in order: constraints, and limits per creator as blocks."""

    parts: list[Rule]
    skipped: list[SkippedRule]

    @property
    def count(self) -> int:
        """How many constraints, a block counting one per group."""
        return sum(len(part) if isinstance(part, CreatorLimit) else 1 for part in self.parts)

    @property
    def plain(self) -> list[Constraint]:
        """The constraints that are not in a block."""
        return [part for part in self.parts if isinstance(part, Constraint)]

    def constraint(self, number: int) -> Constraint:
        """The constraint at `number` in `constraints`, made alone where it is a block's."""
        if "constraints" in self.__dict__:
            return self.constraints[number]
        start = 0
        for part in self.parts:
            size = len(part) if isinstance(part, CreatorLimit) else 1
            if number < start + size:
                return part.constraint(number - start) if isinstance(part, CreatorLimit) else part
            start += size
        raise IndexError(number)

    @cached_property
    def constraints(self) -> list[Constraint]:
        """Every constraint, each block's groups one by one (made on first use)."""
        out: list[Constraint] = []
        for part in self.parts:
            if isinstance(part, CreatorLimit):
                out.extend(part.constraints())
            else:
                out.append(part)
        return out


def collect_constraints(scenario: Scenario, cells: Cells) -> RuleSet:
    """Budget first, then presets, then the scenario's own shares and limits, in file order."""
    constraints: list[Rule] = list(_budget(scenario, cells))
    skipped: list[SkippedRule] = []
    tolerance = scenario.rules.tolerance
    for preset in dict.fromkeys(scenario.rules.presets):
        for preset_rule in PRESETS[preset].rules:
            rule = preset_rule.expand(tolerance)
            reason = _missing(rule.select, scenario, cells)
            if reason:
                skipped.append(SkippedRule(rule.name, reason))
            else:
                constraints += _share(rule, cells)
    for share in scenario.rules.shares:
        constraints += _share(share, cells)
    for limit in scenario.rules.limits:
        constraints += _limit(limit, cells)
    return RuleSet(constraints, skipped)


def _missing(select: Select, scenario: Scenario, cells: Cells) -> str | None:
    absent = [p for p in select.periods or () if p not in scenario.periods]
    if absent:
        return f"the scenario has no period {', '.join(absent)}"
    if not cells.select(select).any():
        return "no offer matches its selection"
    return None


def _budget(scenario: Scenario, cells: Cells) -> list[Constraint]:
    everything = np.ones(len(cells), dtype=bool)
    constraints = []
    if scenario.budget.total is not None:
        constraints.append(
            Constraint(
                "budget", "budget", "budget", "spend", everything, None, None, scenario.budget.total
            )
        )
    periods = cells.level("period")
    for period in scenario.periods:
        bounds = scenario.budget.periods.get(period)
        if bounds is not None and (bounds.min is not None or bounds.max is not None):
            name = f"budget:{period}"
            constraints.append(
                Constraint(
                    name,
                    name,
                    "budget",
                    "spend",
                    periods == period,
                    None,
                    bounds.min,
                    bounds.max,
                    {"period": period},
                )
            )
    return constraints


def _share(rule: ShareRule, cells: Cells) -> list[Constraint]:
    selected = cells.select(rule.select)
    if rule.within == "total":
        everything = np.ones(len(cells), dtype=bool)
        return [
            Constraint(
                rule.name, rule.name, "share", rule.of, selected, everything, rule.min, rule.max
            )
        ]
    periods = cells.level("period")
    constraints = []
    for period in dict.fromkeys(periods):
        if rule.select.periods is not None and period not in rule.select.periods:
            continue
        in_period = periods == period
        constraints.append(
            Constraint(
                f"{rule.name}[{period}]",
                rule.name,
                "share",
                rule.of,
                selected & in_period,
                in_period,
                rule.min,
                rule.max,
                {"period": period},
            )
        )
    return constraints


def _limit(rule: LimitRule, cells: Cells) -> list[Rule]:
    selected = cells.select(rule.select)
    if "creator" in rule.per:
        return _creator_limit(rule, cells, selected)
    levels = [cells.level(dimension) for dimension in rule.per]
    values = [list(dict.fromkeys(level[selected])) for level in levels]
    constraints: list[Rule] = []
    for key in product(*values) if rule.per else [()]:
        mask = selected.copy()
        for level, value in zip(levels, key, strict=True):
            mask &= level == value
        # `per` forms groups from the selected cells, so an empty combination is no group;
        # without `per` the selection is the one group even when empty (a min then fails).
        if rule.per and not mask.any():
            continue
        constraints += _limit_group(rule, mask, key)
    return constraints


def _limit_group(rule: LimitRule, selected: np.ndarray, key: tuple[str, ...]) -> list[Constraint]:
    bounds = rule.bounds()
    group: dict[str, str] = dict(zip(rule.per, key, strict=True))
    label = rule.name + (f"[{','.join(key)}]" if key else "")
    return [
        Constraint(
            f"{label}.{metric}" if len(bounds) > 1 else label,
            rule.name,
            "limit",
            metric,
            selected,
            None,
            bound.min,
            bound.max,
            group,
        )
        for metric, bound in bounds.items()
    ]


def _creator_limit(rule: LimitRule, cells: Cells, selected: np.ndarray) -> list[Rule]:
    """A limit `per` creator (and maybe other dimensions) as one block per bounded metric:
    a group per creator, holding its own cells' positions (a few, one per period) rather
    than a mask over every cell, so that a roster of a million creators makes a million
    small rows from a few arrays. Offers have no creator: a group per creator holds roster
    cells only. Groups come in the order of `per`'s values as they first appear, as for
    other limits."""
    import pandas as pd

    positions = np.flatnonzero(selected & (cells.level("creator") != ""))
    if not len(positions):
        return []
    codes = []
    names = []
    for dimension in rule.per:
        code, uniques = pd.factorize(cells.level(dimension)[positions], sort=False)
        codes.append(code.astype(np.int64))
        names.append(np.asarray(uniques, dtype=object))
    order = np.lexsort(tuple(reversed(codes))) if len(codes) > 1 else None
    if order is None:
        order = np.argsort(codes[0], kind="stable")
    stacked = np.stack([code[order] for code in codes])
    change = np.flatnonzero((stacked[:, 1:] != stacked[:, :-1]).any(axis=0)) + 1
    starts = np.concatenate([[0], change, [len(order)]]).astype(np.int64)
    # positions stay in cell order within a group: the sort is stable
    ordered = positions[order]
    keys = tuple(names[d][stacked[d, starts[:-1]]] for d in range(len(rule.per)))
    bounds = rule.bounds()
    return [
        CreatorLimit(
            rule.name,
            metric,
            f".{metric}" if len(bounds) > 1 else "",
            tuple(rule.per),
            ordered,
            starts,
            keys,
            bound.min,
            bound.max,
        )
        for metric, bound in bounds.items()
    ]
