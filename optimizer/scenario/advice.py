"""What a valid scenario may not mean: offers `validate` warns of without refusing them.

An offer whose followers lie outside its tier's range is most likely filed under the wrong
tier (or the tier's range is off), so every rule on that tier counts it wrongly. An offer
without `available` has no pool: the plan may engage any number of its creators each period.
"""

from __future__ import annotations

from optimizer.errors import Problem
from optimizer.scenario.schema import Estimate, Scenario, TierDef


def offer_warnings(scenario: Scenario) -> list[Problem]:
    """One problem per doubtful offer field, in file order; the scenario stays valid."""
    found = []
    for platform, tier, offer in scenario.offers():
        path = f"platforms.{platform}.tiers.{tier}"
        definition = scenario.tiers.get(tier)
        if definition is not None and not _within(offer.followers, definition):
            found.append(
                Problem(
                    f"{path}.followers",
                    f"{_figure(offer.followers)} followers lie outside the {tier} tier's range"
                    f" ({_range(definition)}): file the offer under the tier its creators"
                    f" are in, or set the range under tiers.{tier}",
                )
            )
        if offer.available is None:
            found.append(
                Problem(
                    f"{path}.available",
                    f"not given, so the plan may engage any number of {platform} {tier}"
                    " creators each period; give the pool (available: N) to cap it",
                )
            )
    return found


def _within(followers: Estimate, tier: TierDef) -> bool:
    ends = followers if isinstance(followers, tuple) else (followers,)
    high = tier.max_followers
    return all(tier.min_followers <= end and (high is None or end <= high) for end in ends)


def _figure(value: Estimate) -> str:
    if isinstance(value, tuple):
        return f"{value[0]:,.0f} to {value[1]:,.0f}"
    return f"{value:,.0f}"


def _range(tier: TierDef) -> str:
    if tier.max_followers is None:
        return f"{tier.min_followers:,.0f} or more"
    return f"{tier.min_followers:,.0f} to {tier.max_followers:,.0f}"
