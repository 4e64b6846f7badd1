"""What the analyses return: conflicts when no plan exists, an explanation when one does.

Plain dataclasses with their JSON form, so the plan can carry them without importing the
analyses that compute them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from optimizer.jsontext import json_count, json_number, json_text

if TYPE_CHECKING:
    from optimizer.roster.tables import MarginalCreator
    from optimizer.scenario.schema import Objective


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


def no_conflict_found(objective: Objective) -> str:
    """Why no plan exists when no set of rules conflicts. The search checks the rules at
    their point figures, where a chance target is no rule: its draws alone can rule out
    every plan."""
    target = objective.target
    if target is None:
        return NO_CONFLICT_FOUND
    return (
        f"No plan reaches {target.value:,g} {target.metric} in at least"
        f" {target.probability * 100:g}% of the draws, though the rules hold together"
        " without the target: lower the target or its probability, or loosen the limits"
        f" that cap {target.metric} (offers' `available`, the budget)."
    )


OTHER_CONFLICTS = (
    "Other conflicting sets exist: with this one fixed there is still no plan; solve again to"
    " see the next."
)
"""What a conflict report adds when the set it names is not the only one."""


@dataclass(frozen=True)
class ConflictReport:
    """An irreducible set of rules that cannot hold together, as `Conflict`s.

    `proven` is False when a sub-solve hit its time limit: the set still cannot hold, but
    a member might be droppable. Where several sets exist, this is the smallest of those
    found, the one of the planner's own rules before offer bounds and the budget.
    """

    conflicts: list[Conflict]
    proven: bool = True
    others: bool = False
    """Whether other conflicting sets exist: fixing this one leaves the scenario without a
    plan still."""

    def to_dict(self) -> dict[str, Any]:
        """As a plan's JSON carries it: `conflicts`, `conflicts_proven` when false and
        `other_conflicts` when true."""
        out: dict[str, Any] = {"conflicts": [conflict.to_dict() for conflict in self.conflicts]}
        if not self.proven:
            out["conflicts_proven"] = False
        if self.others:
            out["other_conflicts"] = True
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json_text(self.to_dict(), indent)


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
class RequiredPost:
    """The cheapest post a share rule's minimum makes any plan buy once it buys anything
    (in the rule's period, for a rule `within: period`)."""

    rule: str
    """The constraint's name (`70-20-10:macro-experiments`, `seasonal:q4-reach[Q4]`)."""
    min: float
    metric: str
    period: str
    platform: str
    tier: str
    cost: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "min": json_number(self.min),
            "metric": self.metric,
            "period": self.period,
            "platform": self.platform,
            "tier": self.tier,
            "cost": json_number(self.cost),
            "message": self.message,
        }


@dataclass(frozen=True)
class EmptyPlan:
    """Why an optimal plan buys nothing: the purchases the share rules require once anything
    is bought, and the smallest budget from which a plan that buys something exists."""

    required: list[RequiredPost]
    """One per share rule with a minimum, the dearest first."""
    smallest_spend: float | None
    """The spend of the cheapest plan that buys at least one creator under every rule but
    `budget.total`; None when no such plan exists (other rules allow only an empty plan)."""
    budget_needed: float | None
    """`smallest_spend` rounded up to the cent: the least `budget.total` that buys anything
    (None when no budget is enough, or when the budget is not what keeps the plan empty)."""
    proven: bool
    """False when the search for the cheapest plan stopped at its time limit: a plan that
    spends `smallest_spend` exists, a cheaper one may too."""
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "required": [post.to_dict() for post in self.required],
            "smallest_spend": json_number(self.smallest_spend),
            "budget_needed": json_number(self.budget_needed),
            "proven": self.proven,
            "message": self.message,
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
    empty_plan: EmptyPlan | None = None
    """Why the plan buys nothing, when it is a maximising plan that buys nothing."""
    creators: list[MarginalCreator] = field(default_factory=list)
    """A roster's creators left out that come nearest to entering, with the price per post
    at which each would (in the JSON as `marginal_creators`)."""

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
            **({"empty_plan": self.empty_plan.to_dict()} if self.empty_plan else {}),
            **(
                {"marginal_creators": [creator.to_dict() for creator in self.creators]}
                if self.creators
                else {}
            ),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json_text(self.to_dict(), indent)
