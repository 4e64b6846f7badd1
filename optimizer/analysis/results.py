"""What the analyses return: conflicts when no plan exists, an explanation when one does.

Plain dataclasses with their JSON form, so the plan can carry them without importing the
analyses that compute them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal


def _finite(value: float | None) -> float | None:
    """The value as a float, None when missing (None, NaN) or infinite: JSON has neither."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return float(value)


def json_number(value: float | None) -> float | None:
    """A figure as JSON carries it: rounded to six places, None when missing or infinite."""
    number = _finite(value)
    return None if number is None else round(number, 6) + 0.0


def json_count(value: float | None) -> int | float | None:
    """A count as JSON carries it: an integer when whole; a fractional one (`integer: false`)
    keeps 12 significant digits, since every other figure is computed from it and 6 decimals
    of 0.0807551 would not reproduce them."""
    number = _finite(value)
    if number is None:
        return None
    if abs(number - round(number)) < 1e-6:
        return round(number)
    return float(f"{number:.12g}") + 0.0


@dataclass(frozen=True)
class Conflict:
    """One rule of an irreducible conflict and how far it must move for a plan to exist.

    `name` is the part that conflicts: the rule itself, one group of it (`cap[Q2]`) or one
    metric of a limit (`cap.spend`); `rule` is the scenario's rule (or offer field) it belongs
    to. `needed` is None when moving this rule alone cannot make a plan possible (another
    conflict remains once it is dropped).
    """

    name: str
    rule: str
    bound: Literal["min", "max"]
    current: float
    needed: float | None
    message: str
    kind: str = "offer"
    """The constraint's kind (budget, share, limit), or offer for an offer's min or pool."""
    metric: str = "count"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "rule": self.rule,
            "bound": self.bound,
            "current": json_number(self.current),
            "needed": json_number(self.needed),
            "message": self.message,
        }
        if self.name != self.rule:
            out["name"] = self.name
        return out


NO_CONFLICT_FOUND = (
    "No set of rules was found to conflict: every check found a plan that keeps them all"
    " within the solver's rounding tolerance, though the solve found none. Rules that hold"
    " only by a rounding, such as an exact share (`tolerance: 0`), do this: widen them."
)
"""What an infeasible scenario's report says when the search finds no conflicting set."""


@dataclass(frozen=True)
class ConflictReport:
    """An irreducible set of rules that cannot hold together, as `Conflict`s.

    `proven` is False when a sub-solve hit its time limit: the set still cannot hold, but
    a member might be droppable.
    """

    conflicts: list[Conflict]
    proven: bool = True

    def to_dict(self) -> dict[str, Any]:
        """As a plan's JSON carries it: `conflicts`, and `conflicts_proven` when false."""
        out: dict[str, Any] = {"conflicts": [conflict.to_dict() for conflict in self.conflicts]}
        if not self.proven:
            out["conflicts_proven"] = False
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


# How `Explanation.cut_short` names the re-solve of the next budget step.
BUDGET_STEP = "budget step"


@dataclass(frozen=True)
class RulePrice:
    """What one rule costs the plan."""

    name: str
    binding: bool
    slack: float | None
    """Distance of the rule's value from the bound that limits the plan (`shadow_bound`),
    else from its nearest bound."""
    price: float | None
    """Objective gained if this rule alone were dropped (exact re-solve); None when that
    re-solve found nothing (`unbounded` says whether the objective has no bound then)."""
    shadow_price: float | None
    """LP estimate: objective gained per unit of relaxing the bound the rule sits on."""
    shadow_bound: Literal["min", "max"] | None = None
    unbounded: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "binding": self.binding,
            "slack": json_number(self.slack),
            "price": json_number(self.price),
            "shadow_price": json_number(self.shadow_price),
            "shadow_bound": self.shadow_bound,
        }
        if self.unbounded:
            out["unbounded_without"] = True
        return out


@dataclass(frozen=True)
class Capacity:
    """A cell whose count sits at its offer's `available` pool."""

    period: str
    platform: str
    tier: str
    count: float
    available: float

    @property
    def rule(self) -> str:
        return f"platforms.{self.platform}.tiers.{self.tier}.available"

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "platform": self.platform,
            "tier": self.tier,
            "count": json_count(self.count),
            "available": json_count(self.available),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Explanation:
    """Why the plan is what it is: rule prices, the next budget step, full offers."""

    rules: list[RulePrice]
    budget_step: float | None
    gain: float | None
    """Objective gained by raising budget.total by `budget_step` (exact re-solve)."""
    at_capacity: list[Capacity]
    gap: float
    shadow_solver: str
    conventions: dict[str, str] = field(default_factory=dict)
    cut_short: list[str] = field(default_factory=list)
    """Rules (and `BUDGET_STEP`) whose re-solve stopped at its time limit: their gain is
    at least the one given, not proven."""

    def to_dict(self) -> dict[str, Any]:
        marginal = (
            None
            if self.budget_step is None
            else {"budget_step": json_number(self.budget_step), "gain": json_number(self.gain)}
        )
        return {
            "rules": [rule.to_dict() for rule in self.rules],
            "marginal": marginal,
            "at_capacity": [cell.to_dict() for cell in self.at_capacity],
            "gap": self.gap,
            "shadow_solver": self.shadow_solver,
            "conventions": self.conventions,
            **({"cut_short": self.cut_short} if self.cut_short else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)
