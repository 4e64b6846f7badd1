"""A simulated campaign export: what the brief's creators might report back, drawn from a
known truth with a fixed seed, so the README's loop (brief, results, calibrate, plan again)
runs on a file anyone can make again.

    python scenarios/campaign/simulate_results.py --seed 2026

reads `brief.csv` beside this script (the brief of `scenarios/70-20-10-seasonal.yaml`'s
plan) and writes `results.csv` beside it, one row per post, headed as a shop and ad
platform export would be (`Discount code`, `Amount spent`, `Purchases`, ...). Each row is
joined to its slot by the code alone. The truth is the parent's midpoint figure of each
offer times the factor in `TRUTH`; each post gets the period's seasonality (section 3 of
the format), a creator's followers spread by 30%, engagements Poisson around the true rate
times a creator effect (relative sd 30%), conversions binomial among them, reach Poisson,
spend log-normal around the true price (sd 15%). One more row carries a code that is in no
brief (a creator's own `SPRING10`): calibrate lists it as not used.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

import numpy as np

from optimizer.scenario.loading import load_scenario
from optimizer.scenario.schema import midpoint

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "70-20-10-seasonal.yaml"
SEED = 2026

TRUTH: dict[tuple[str, str], dict[str, float]] = {
    # factors on the parent's midpoint: what the campaign finds
    ("tiktok", "nano"): {},
    ("tiktok", "micro"): {"reach_rate": 0.6, "conversion_rate": 0.8},
    ("instagram", "micro"): {"reach_rate": 1.3, "engagement_rate": 1.1},
    ("instagram", "mega"): {"reach_rate": 0.9},
    ("threads", "micro"): {
        "reach_rate": 0.5,
        "engagement_rate": 1.2,
        "conversion_rate": 0.6,
        "cost_per_1k_followers": 0.8,
    },
}
"""Offers of the plan and how their true figures differ from the planned ones (1 where not
named)."""
FOLLOWER_SPREAD = 0.3
CREATOR_SPREAD = 0.3
PRICE_SPREAD = 0.15
HEADERS = [
    "Discount code",
    "Posts",
    "Amount spent",
    "Followers",
    "Reach",
    "Engagements",
    "Purchases",
]


def simulate(brief: Path, output: Path, seed: int = SEED) -> int:
    """Write the results of the brief's slots to `output`; the number of rows written."""
    scenario = load_scenario(SCENARIO)
    rng = np.random.default_rng(seed)
    with brief.open(encoding="utf-8", newline="") as handle:
        slots = list(csv.DictReader(handle))
    rows: list[list[object]] = []
    for slot in slots:
        key = (slot["platform"], slot["tier"])
        offer = scenario.platforms[key[0]].tiers[key[1]]
        factors = TRUTH.get(key, {})

        def true(name: str) -> float:
            return float(midpoint(getattr(offer, name))) * factors.get(name, 1.0)  # noqa: B023

        season = scenario.seasonality.get(slot["period"])
        cost, engaging, converting, reaching = (
            (season.cost, season.engagements, season.conversions, season.reach)
            if season is not None
            else (1.0, 1.0, 1.0, 1.0)
        )
        followers = round(float(midpoint(offer.followers)) * rng.lognormal(0, FOLLOWER_SPREAD))
        if offer.cost_per_post is not None:
            price = true("cost_per_post")
        else:
            price = true("cost_per_1k_followers") * followers / 1000
        spend = price * cost * rng.lognormal(-(PRICE_SPREAD**2) / 2, PRICE_SPREAD)
        effect = rng.gamma(1 / CREATOR_SPREAD**2, CREATOR_SPREAD**2)
        engagements = int(rng.poisson(followers * true("engagement_rate") * engaging * effect))
        chance = min(1.0, true("conversion_rate") * converting / engaging)
        purchases = int(rng.binomial(engagements, chance))
        reach = int(rng.poisson(followers * true("reach_rate") * reaching))
        rows.append(
            [slot["code"], 1, f"${spend:,.2f}", f"{followers:,}", reach, engagements, purchases]
        )
    rows.append(["SPRING10", 1, "$0.00", "", "", 35, 4])
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--brief", type=Path, default=HERE / "brief.csv")
    parser.add_argument("--output", "-o", type=Path, default=HERE / "results.csv")
    arguments = parser.parse_args()
    count = simulate(arguments.brief, arguments.output, arguments.seed)
    shown = os.path.relpath(arguments.output)
    print(f"wrote {shown}: {count} rows, seed {arguments.seed}")


if __name__ == "__main__":
    main()
