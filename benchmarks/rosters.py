"""Seeded rosters of named creators over four quarters, for the roster benchmarks.

Each creator gets a platform, followers drawn log-uniformly from 500 to 5 million (so the
tier table spreads them over nano, micro, macro and mega), a price per post near the market
rate for the audience, engagement and conversion rates, and now and then a quarter they
cannot post in, a second post, a `must` or an `exclude`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

PLATFORMS = ("tiktok", "instagram", "youtube", "linkedin")


def roster_frame(creators: int, seed: int = 0) -> pd.DataFrame:
    """`creators` rows of a roster CSV file."""
    rng = np.random.default_rng(seed)
    followers = np.round(np.exp(rng.uniform(np.log(500), np.log(5_000_000), creators)))
    platform = rng.choice(PLATFORMS, creators, p=[0.4, 0.35, 0.2, 0.05])
    per_1k = rng.lognormal(np.log(18), 0.45, creators)
    cost = np.round(np.maximum(25, followers / 1000 * per_1k), 2)
    engagement = np.clip(
        rng.lognormal(np.log(0.05), 0.5, creators) * (followers / 1e4) ** -0.12, 0.002, 0.4
    )
    conversion = np.clip(rng.lognormal(np.log(0.015), 0.6, creators), 0.0005, 0.2)
    by_1k = rng.random(creators) < 0.2
    periods = np.where(
        rng.random(creators) < 0.1, rng.choice(["Q1;Q2", "Q3;Q4", "Q2;Q3;Q4"], creators), ""
    )
    # a few micro creators the brand has promised a post
    must = np.where(
        (rng.random(creators) < 10 / max(creators, 1)) & (followers < 50_000) & (periods == ""),
        "true",
        "",
    )
    exclude = np.where((must == "") & (rng.random(creators) < 0.01), "true", "")
    max_posts = np.where(rng.random(creators) < 0.05, "2", "")
    return pd.DataFrame(
        {
            "creator": [f"creator-{seed}-{i:07d}" for i in range(creators)],
            "platform": platform,
            "followers": followers.astype(np.int64),
            "cost_per_post": np.where(by_1k, "", cost.astype(str)),
            "cost_per_1k_followers": np.where(by_1k, np.round(per_1k, 2).astype(str), ""),
            "engagement_rate": np.round(engagement, 4),
            "conversion_rate": np.round(conversion, 4),
            "max_posts": max_posts,
            "periods": periods,
            "must": must,
            "exclude": exclude,
        }
    )


CREATOR_CAP = 20_000.0
"""The most any one creator may be paid over the year in the benchmark scenarios."""


def write_roster_scenario(
    directory: Path, creators: int, seed: int = 0, creator_cap: float | None = CREATOR_CAP
) -> Path:
    """A four-quarter scenario over a seeded roster of `creators`: a budget of about $30 a
    creator, Q4 dearer and converting better, the 70-20-10 preset, a cap on mega creators
    per quarter, a platform cap (YouTube at most a quarter of the budget) and, unless
    `creator_cap` is None, a limit per creator on spend (`per: [creator]`)."""
    directory.mkdir(parents=True, exist_ok=True)
    roster_frame(creators, seed).to_csv(directory / "creators.csv", index=False)
    total = float(max(200_000, 30 * creators))
    limits: list[dict[str, object]] = [
        {
            "name": "mega-per-quarter",
            "select": {"tiers": ["mega"]},
            "per": ["period"],
            "count": {"max": 3},
        },
        {"name": "youtube-cap", "select": {"platforms": ["youtube"]}, "spend": {"max": total / 4}},
    ]
    if creator_cap is not None:
        limits.append({"name": "creator-cap", "per": ["creator"], "spend": {"max": creator_cap}})
    scenario = {
        "name": f"roster of {creators:,} creators",
        "periods": ["Q1", "Q2", "Q3", "Q4"],
        "budget": {
            "total": total,
            "periods": {"Q4": {"max": float(max(80_000, 12 * creators))}},
        },
        "objective": "conversions",
        "seasonality": {"Q4": {"cost": 1.15, "conversions": 1.3}},
        "platforms": {name: {"emerging": name == "linkedin"} for name in PLATFORMS},
        "roster": {"file": "creators.csv"},
        "rules": {
            "presets": ["70-20-10"],
            "limits": limits,
        },
        "solver": {"gap": 0.01, "time_limit": 60},
    }
    path = directory / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path
