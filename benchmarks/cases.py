"""The benchmark cases: every shipped scenario and a seeded scale family.

A generated case is named `<periods>-p<platforms>-t<tiers>-s<segments>[-<seed>]`, periods
being `q4` (quarters), `m12` (months) or `w52` (weeks). Its rate card is drawn around the
`benchmarks-2026` figures with a seeded generator, so a name always means the same model:
per-period pools and saturation breakpoints scale with the period's length, seasonality
lifts Q4 and dips Q1, and every case carries the 70-20-10 preset, a per-period micro floor,
a per-period mega cap, a per-platform spend cap and per-period budget caps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optimizer import Scenario, load_scenario
from optimizer.scenario.loading import scenario_from_dict

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# Twelve platforms; the fourth, eighth and eleventh are emerging, so every case from four
# platforms up has an emerging platform for 70-20-10's emerging-tests rule.
PLATFORMS = (
    "tiktok", "instagram", "youtube", "threads", "linkedin", "pinterest",
    "snapchat", "twitch", "x", "facebook", "reddit", "podcasts",
)  # fmt: skip
EMERGING = {"threads", "twitch", "reddit"}

TIERS_BY_COUNT = {
    3: ("micro", "macro", "mega"),
    4: ("nano", "micro", "macro", "mega"),
    5: ("nano", "micro", "mid", "macro", "mega"),
}


@dataclass(frozen=True)
class TierProfile:
    followers: float
    cost_per_1k: float
    engagement_rate: float
    conversion_rate: float
    reach_rate: float
    pool_per_year: float


# Midpoints in the spirit of `benchmarks-2026` (see `optimizer/data/benchmarks-2026.yaml`).
PROFILES = {
    "nano": TierProfile(5_000, 10.0, 0.06, 0.020, 0.30, 400),
    "micro": TierProfile(50_000, 28.0, 0.045, 0.020, 0.25, 160),
    "mid": TierProfile(200_000, 60.0, 0.025, 0.010, 0.20, 50),
    "macro": TierProfile(400_000, 110.0, 0.018, 0.005, 0.18, 20),
    "mega": TierProfile(3_000_000, 27.0, 0.010, 0.003, 0.15, 6),
}

# Breakpoints (fractions of a cell's pool) and factors of 1 to 4 saturation segments.
SEGMENTS = {
    1: ((), (1.0,)),
    2: ((0.4,), (1.0, 0.7)),
    3: ((0.3, 0.6), (1.0, 0.8, 0.6)),
    4: ((0.25, 0.5, 0.75), (1.0, 0.85, 0.7, 0.55)),
}

PERIODS = {
    "q4": [f"Q{i}" for i in range(1, 5)],
    "m12": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "w52": [f"W{i:02d}" for i in range(1, 53)],
}

# 4 to 12 platforms (three of them emerging), 3 to 5 tiers, 1 to 4 segments, an optional seed.
NAME = re.compile(r"^(q4|m12|w52)-p([4-9]|1[0-2])-t([345])-s([1-4])(?:-(\d+))?$")


def generated(
    periods: str, platforms: int, tiers: int, segments: int, seed: int = 0
) -> dict[str, Any]:
    """The scenario document of one case of the scale family."""
    rng = np.random.default_rng([platforms, tiers, segments, len(PERIODS[periods]), seed])
    names = PERIODS[periods]
    fraction = 1 / len(names)
    tier_names = TIERS_BY_COUNT[tiers]
    budget = 150_000.0 * platforms

    def noisy(value: float) -> float:
        return float(round(value * rng.lognormal(0.0, 0.15), 6))

    offers: dict[str, Any] = {}
    for platform in PLATFORMS[:platforms]:
        card = {}
        for tier in tier_names:
            profile = PROFILES[tier]
            followers = noisy(profile.followers)
            pool = max(1, round(profile.pool_per_year * fraction * rng.uniform(0.6, 1.4)))
            card[tier] = {
                "followers": followers,
                "cost_per_post": round(noisy(profile.cost_per_1k) * followers / 1000, 2),
                "engagement_rate": min(noisy(profile.engagement_rate), 0.5),
                "conversion_rate": min(noisy(profile.conversion_rate), 0.5),
                "reach_rate": min(noisy(profile.reach_rate), 1.0),
                "available": pool,
                "saturation": _saturation(pool, segments),
            }
        offers[platform] = {"emerging": platform in EMERGING, "tiers": card}

    seasonality = {}
    for number, period in enumerate(names):
        middle = (number + 0.5) * fraction  # position in the year, 0 to 1
        holiday = math.exp(-(((middle - 0.9) / 0.08) ** 2))
        january = math.exp(-(((middle - 0.04) / 0.06) ** 2))
        seasonality[period] = {
            "cost": round(1 + 0.2 * holiday - 0.1 * january, 4),
            "conversions": round(1 + 0.3 * holiday - 0.1 * january, 4),
        }

    # A period's cap leaves room to spread spend, and (weeks being short) for one post of the
    # priciest offer, or 70-20-10's macro share could only be met by buying nothing.
    priciest = max(o["cost_per_post"] for card in offers.values() for o in card["tiers"].values())
    period_cap = round(max(1.6 * budget * fraction, 1.2 * priciest), 2)
    mega_cap = max(1, math.ceil(PROFILES["mega"].pool_per_year * fraction * platforms / 4))
    return {
        "name": f"{periods}-p{platforms}-t{tiers}-s{segments}-{seed}",
        "periods": names,
        "budget": {"total": budget, "periods": {p: {"max": period_cap} for p in names}},
        "objective": "conversions",
        "tiers": {
            "nano": {"min_followers": 1_000, "max_followers": 10_000},
            "micro": {"min_followers": 10_000, "max_followers": 100_000},
            "mid": {"min_followers": 100_000, "max_followers": 300_000},
            "macro": {"min_followers": 300_000, "max_followers": 1_000_000},
            "mega": {"min_followers": 1_000_000},
        },
        "seasonality": seasonality,
        "platforms": offers,
        "rules": {
            "presets": ["70-20-10"],
            "shares": [
                {
                    "name": "micro-every-period",
                    "select": {"tiers": [t for t in tier_names if t in ("nano", "micro")]},
                    "within": "period",
                    "min": 0.4,
                }
            ],
            "limits": [
                {
                    "name": "mega-per-period",
                    "select": {"tiers": ["mega"]},
                    "per": ["period"],
                    "count": {"max": mega_cap},
                },
                {
                    "name": "platform-cap",
                    "per": ["platform"],
                    "spend": {"max": round(max(0.35, 2 / platforms) * budget, 2)},
                },
            ],
        },
    }


def _saturation(pool: int, segments: int) -> list[dict[str, Any]] | None:
    if segments == 1:
        return None
    breakpoints, factors = SEGMENTS[segments]
    out: list[dict[str, Any]] = []
    previous = 0
    for share, factor in zip(breakpoints, factors, strict=False):
        up_to = max(previous + 1, math.ceil(pool * share))
        out.append({"up_to": up_to, "factor": factor})
        previous = up_to
    out.append({"factor": factors[-1]})
    return out


def case(name: str) -> Scenario:
    """The scenario of a case: a shipped scenario's file stem or a scale-family name."""
    match = NAME.match(name)
    if match:
        periods, platforms, tiers, segments, seed = match.groups()
        document = generated(periods, int(platforms), int(tiers), int(segments), int(seed or 0))
        return scenario_from_dict(document, source=name)
    path = SCENARIOS / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"no benchmark case {name!r}")
    return load_scenario(path)


SHIPPED = sorted(path.stem for path in SCENARIOS.glob("*.yaml"))

# From the smallest quarterly model up to the weekly one.
SCALE = [
    "q4-p4-t3-s1",
    "q4-p6-t4-s3",
    "q4-p8-t4-s2",
    "q4-p12-t5-s4",
    "m12-p8-t4-s1",
    "m12-p8-t4-s2",
    "m12-p8-t4-s3",
    "m12-p8-t4-s4",
    "w52-p8-t4-s2",
    "w52-p12-t5-s4",
]


def gap_of(name: str) -> float:
    """The gap a case is held to: 0.1% for weekly cases, the default 1e-4 for the rest."""
    return 1e-3 if name.startswith("w52") else 1e-4


# Every case `measure.py` runs by default, in the order of its table.
REGISTRY = [*SHIPPED, *SCALE]
