"""Simulated campaigns: results rows drawn from a known truth, as a results CSV holds them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.scenario.schema import Scenario, midpoint


@dataclass(frozen=True)
class Truth:
    """An offer's true base figures."""

    engagement_rate: float
    conversion_rate: float
    reach_rate: float
    cost_per_post: float


def simulate(
    scenario: Scenario,
    truth: Mapping[tuple[str, str], Truth],
    posts: Mapping[tuple[str, str], int],
    seed: int = 0,
    creator_spread: float = 0.0,
    price_spread: float = 0.2,
) -> pd.DataFrame:
    """One row per post: each offer's posts spread over the scenario's periods in turn, with
    the period's seasonality on every figure as section 3 of the format has it. Engagements
    are Poisson (times a gamma creator effect of relative sd `creator_spread`), conversions
    binomial among them, spend log-normal around the price."""
    rng = np.random.default_rng(seed)
    frames = []
    for key, count in posts.items():
        platform, tier = key
        offer = scenario.platforms[platform].tiers[tier]
        true = truth[key]
        periods = [scenario.periods[i % len(scenario.periods)] for i in range(count)]
        season = [scenario.seasonality.get(p) for p in periods]
        m = {
            name: np.array([getattr(s, name) if s else 1.0 for s in season])
            for name in ("cost", "engagements", "conversions", "reach")
        }
        followers = np.round(float(midpoint(offer.followers)) * rng.lognormal(0, 0.3, count))
        effect = (
            rng.gamma(1 / creator_spread**2, creator_spread**2, count)
            if creator_spread
            else np.ones(count)
        )
        engagements = rng.poisson(followers * true.engagement_rate * m["engagements"] * effect)
        chance = np.clip(true.conversion_rate * m["conversions"] / m["engagements"], 0, 1)
        conversions = rng.binomial(engagements, chance)
        reach = rng.poisson(followers * true.reach_rate * m["reach"])
        spend = (
            true.cost_per_post
            * m["cost"]
            * rng.lognormal(-(price_spread**2) / 2, price_spread, count)
        )
        frames.append(
            pd.DataFrame(
                {
                    "platform": platform,
                    "tier": tier,
                    "period": periods,
                    "posts": 1,
                    "spend": np.round(spend, 2),
                    "followers": followers.astype(int),
                    "reach": reach,
                    "engagements": engagements,
                    "conversions": conversions,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
