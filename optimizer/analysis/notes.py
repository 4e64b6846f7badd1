"""What a result says beside its figures: a plan that buys nothing, and share rules that only
an empty plan (or an empty period) can meet together.

A share rule holds when nothing is bought (0 of 0, section 6 of the format), so two share
rules that contradict each other do not make a scenario infeasible: its optimum is simply to
buy nothing. These notes say so in every report, naming the two rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.model.constraints import Constraint

EMPTY_PLAN = (
    "The plan buys nothing. Common causes: the budget buys no creator, no offer has creators"
    " available, every creator loses money (a profit objective), or share rules that only an"
    " empty plan meets together (a minimum share of a selection no offer is in, or minimums"
    " that add up to more than 100%): check their bounds, or run `optimizer explain`."
)
"""The note on a maximising plan with no creator in it: valid, and almost never meant."""

# Share bounds closer than this are equal: 0.8 and 0.8000000001 do not contradict.
SHARE_TOLERANCE = 1e-9


def buys_nothing(has_plan: bool, sense: str, totals: Mapping[str, float]) -> bool:
    """A maximising plan with no creator in it (a plan minimising spend may rightly be empty)."""
    return has_plan and sense == "maximize" and totals["count"] == 0


@dataclass(frozen=True)
class Contradiction:
    """Two share rules (or one) that no plan buying anything in their scope can meet."""

    rules: tuple[str, ...]
    """The scenario's rule names, as the file (or the preset) names them."""
    periods: tuple[str, ...]
    """The periods in which they contradict, for rules `within: period`; empty for the total."""
    message: str


def contradictions(constraints: Sequence[Constraint]) -> list[Contradiction]:
    """Share rules that cannot hold together once anything is bought, in rule order.

    Two shares of one metric within one scope (the whole plan, or one period) contradict when
    their selections nest and the inner one's minimum exceeds the outer one's maximum (the
    same selection is the direct case), when they do not overlap and their minimums add up to
    more than 100%, or when together they cover the scope and their maximums add up to less.
    One share contradicts itself when it asks for a minimum of a selection with no offer.
    """
    found: dict[tuple[str, ...], tuple[list[str], str, str]] = {}
    scopes: dict[tuple[str, bytes], list[Constraint]] = {}
    for constraint in constraints:
        if constraint.kind == "share" and constraint.base is not None:
            key = (constraint.metric, np.packbits(constraint.base).tobytes())
            scopes.setdefault(key, []).append(constraint)
    for members in scopes.values():
        for position, first in enumerate(members):
            if _empty(first) and (first.min or 0.0) > SHARE_TOLERANCE:
                at_least = share_text(first.min or 0.0)
                reason = (
                    f"{first.rule} asks for at least {at_least} of {first.metric} from a"
                    " selection no offer is in"
                )
                _add(found, (first.rule,), first, reason)
            for second in members[position + 1 :]:
                if first.rule == second.rule or _empty(first) or _empty(second):
                    continue
                why = _pair(first, second)
                if why is not None:
                    _add(found, (first.rule, second.rule), first, why)
    return [
        Contradiction(rules, tuple(periods), _sentence(rules, periods, metric, reason))
        for rules, (periods, metric, reason) in found.items()
    ]


def _empty(constraint: Constraint) -> bool:
    assert constraint.base is not None
    return not (constraint.selected & constraint.base).any()


def _pair(first: Constraint, second: Constraint) -> str | None:
    """Why two shares of one scope cannot both hold for a positive total, or None."""
    assert first.base is not None
    one = first.selected & first.base
    other = second.selected & first.base
    for inner, outer, small, large in (
        (first, second, one, other),
        (second, first, other, one),
    ):
        if _within(small, large) and _above(inner.min, outer.max):
            assert inner.min is not None and outer.max is not None
            where = (
                "the same selection"
                if np.array_equal(small, large)
                else f"a selection that holds all of {inner.rule}'s"
            )
            return (
                f"{inner.rule} needs at least {share_text(inner.min)} of {inner.metric} on its"
                f" selection, {outer.rule} allows at most {share_text(outer.max)} on {where}"
            )
    if not (one & other).any() and _above((first.min or 0.0) + (second.min or 0.0), 1.0):
        total = (first.min or 0.0) + (second.min or 0.0)
        return (
            f"their selections do not overlap, yet their minimums add up to {share_text(total)} of"
            f" {first.metric}"
        )
    if first.max is None or second.max is None or (first.base & ~(one | other)).any():
        return None
    if _above(1.0, first.max + second.max):
        return (
            "together their selections hold every offer, yet their maximums add up to only"
            f" {share_text(first.max + second.max)} of {first.metric}"
        )
    return None


def _within(small: np.ndarray, large: np.ndarray) -> bool:
    return not (small & ~large).any()


def _above(value: float | None, limit: float | None) -> bool:
    return value is not None and limit is not None and value > limit + SHARE_TOLERANCE


def _add(
    found: dict[tuple[str, ...], tuple[list[str], str, str]],
    rules: tuple[str, ...],
    constraint: Constraint,
    reason: str,
) -> None:
    """One entry per pair of rules: a rule `within: period` adds the period it fails in."""
    periods, _, _ = found.setdefault(rules, ([], constraint.metric, reason))
    period = constraint.group.get("period")
    if period is not None and period not in periods:
        periods.append(period)


def _sentence(rules: tuple[str, ...], periods: list[str], metric: str, reason: str) -> str:
    names = " and ".join(rules)
    verb = "cannot hold" if len(rules) == 1 else "cannot both hold"
    bought = "anything is bought" if metric in ("spend", "count") else f"the plan has any {metric}"
    where = f" in {_listed(periods)}" if periods else ""
    outcome = (
        f"only a plan that buys nothing in {_listed(periods)} meets "
        if periods
        else "only a plan that buys nothing meets "
    ) + ("it" if len(rules) == 1 else "both")
    return f"{names} {verb} once {bought}{where}: {reason}; {outcome}."


def _listed(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def share_text(value: float) -> str:
    """A share as a planner writes it: 0.15 is 15%, 0.125 is 12.5%."""
    return f"{round(value * 100, 4):g}%"


def plan_notes(
    constraints: Sequence[Constraint], has_plan: bool, sense: str, totals: Mapping[str, float]
) -> list[str]:
    """The notes of a result: a plan that buys nothing, then each contradiction of shares."""
    notes = [EMPTY_PLAN] if buys_nothing(has_plan, sense, totals) else []
    return notes + [contradiction.message for contradiction in contradictions(constraints)]
