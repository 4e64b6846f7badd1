"""Seeded rosters of named creators over four quarters, for the roster benchmarks.

The creators are drawn by the generator of the shipped roster,
`scenarios/rosters/make_creators.py` (its docstring gives every figure): platform, tier
and followers, a price, engagement, conversion and reach rates around the built-in rate
card's for the platform and tier, and now and then quarters a creator cannot post in, more
than one post a quarter, a `must` or an `exclude`. The benchmarks add LinkedIn (an emerging
platform here) to the shipped roster's TikTok, Instagram and YouTube.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pandas as pd
import yaml

PLATFORMS = ("tiktok", "instagram", "youtube", "linkedin")
SHARES = dict(zip(PLATFORMS, (0.4, 0.35, 0.2, 0.05), strict=True))
"""The share of creators on each platform."""
GENERATOR = Path(__file__).resolve().parent.parent / "scenarios" / "rosters" / "make_creators.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_creators", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def roster_frame(creators: int, seed: int = 0) -> pd.DataFrame:
    """`creators` rows of a roster CSV file."""
    frame: pd.DataFrame = _generator().creators_frame(creators, seed, SHARES)
    return frame


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
    roster_frame(creators, seed).to_csv(
        directory / "creators.csv", index=False, lineterminator="\n"
    )
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
