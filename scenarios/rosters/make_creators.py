"""A discovery platform's shortlist of skincare creators, drawn with a fixed seed around the
figures of the built-in rate card, so `roster.yaml`'s roster is one anyone can make again.

    python scenarios/rosters/make_creators.py                       # writes creators.csv
    python scenarios/rosters/make_creators.py --creators 100000 --seed 1 -o big.csv

writes `creators.csv` beside this script: 360 creators with seed 2026 (the roster benchmarks
of `benchmarks/rosters.py` draw theirs with the same code, with LinkedIn added). Each row is
one creator, in the columns of section 9 of the format:

- **platform**: TikTok 45%, Instagram 35%, YouTube 20% (a skincare brand's platforms);
- **tier** (not written: the optimizer derives it from the followers): nano 8%, micro 62%,
  macro 22%, mega 8% among the tiers the rate card has on the platform (nano is TikTok's
  only); followers log-uniform within the tier (nano 500-1K, micro 1K-100K and macro
  100K-1M, the tiers the industry benchmarks quoted for 2026 give; mega 1M-8M, an
  assumption);
- **price**: the card's price per 1,000 followers for micro and macro (micro $10-$100,
  macro $100-$200: the quoted $100-$500, lower part, as the card explains), each creator's
  rate log-uniform in that range; the card's flat fee for nano and mega, scaled by the
  square root of the followers over the card's typical account for mega (fees flatten
  with audience size; an assumption). Four in five quote a round price per post, one in
  five (micro and macro) a rate per 1,000 followers as a range (`"[25, 33]"`);
- **engagement, conversion and reach rates**: the card's midpoint for the platform and tier
  (micro engagement about 60% above macro and micro conversion 3-4x macro, as quoted)
  times a log-normal creator effect (sd 35%, 40% and 20%): creators differ, which is what
  picking them by name is for. No cost per engagement: the quoted figures contradict the
  quoted prices (see the card's header);
- **availability**: one in ten can post only in some quarters (`periods`), one in ten up to
  two posts a quarter and one in fifty three (`max_posts`); about one in a hundred (at
  least 3, at most 10) micro creators available all year are promised a post (`must`) and
  one in a hundred others are left out after vetting (`exclude`, at least 2).

Names are handles made of skincare words and first names, a number added where one repeats.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from optimizer.scenario.loading import BUILTIN_DIR

HERE = Path(__file__).resolve().parent
CARD = BUILTIN_DIR / "benchmarks-2026.yaml"
SEED = 2026
CREATORS = 360
SHARES = {"tiktok": 0.45, "instagram": 0.35, "youtube": 0.20}
"""Platforms and the share of creators on each."""

TIERS = {  # share of creators, and the follower range drawn from (log-uniform)
    "nano": (0.08, 500, 1_000),
    "micro": (0.62, 1_000, 100_000),
    "macro": (0.22, 100_000, 1_000_000),
    "mega": (0.08, 1_000_000, 8_000_000),
}
SPREAD = {"engagement_rate": 0.35, "conversion_rate": 0.40, "reach_rate": 0.20}
"""Each creator's figure is the card's midpoint times a log-normal effect of this sd."""
PERIODS = ["Q1;Q2", "Q3;Q4", "Q2;Q3;Q4", "Q4", "Q1;Q2;Q3"]
COLUMNS = [
    "creator",
    "platform",
    "followers",
    "cost_per_post",
    "cost_per_1k_followers",
    "engagement_rate",
    "conversion_rate",
    "reach_rate",
    "max_posts",
    "periods",
    "must",
    "exclude",
]
WORDS = [
    "glow",
    "dewy",
    "skin",
    "serum",
    "glass",
    "bare",
    "clean",
    "calm",
    "peel",
    "spf",
    "toner",
    "balm",
    "cica",
    "retinol",
    "hydra",
    "lash",
    "brow",
    "lip",
    "pore",
    "mask",
    "tint",
    "oil",
    "vita",
    "ritual",
    "routine",
    "niacin",
    "ampoule",
    "sun",
    "cream",
    "face",
    "acid",
]
NAMES = [
    "mia",
    "leo",
    "dana",
    "tina",
    "bea",
    "sam",
    "lu",
    "marco",
    "hana",
    "rae",
    "clara",
    "dev",
    "ruby",
    "noa",
    "priya",
    "fin",
    "gus",
    "bianca",
    "oli",
    "paz",
    "stu",
    "vera",
    "jo",
    "tess",
    "cole",
    "mo",
    "linh",
    "bo",
    "rio",
    "ada",
    "eli",
    "carla",
    "ned",
    "kai",
    "zoe",
    "amir",
]
JOINS = ["", "", "with", "by", "_", "and"]


def _midpoint(value: Any) -> float:
    return float(sum(value) / 2) if isinstance(value, list) else float(value)


def _card() -> dict[str, dict[str, dict[str, Any]]]:
    platforms = yaml.safe_load(CARD.read_text(encoding="utf-8"))["platforms"]
    return {name: spec["tiers"] for name, spec in platforms.items()}


def _round_price(price: np.ndarray) -> np.ndarray:
    """Prices as creators quote them: to $5 under $1,000, $50 under $10,000, else $500."""
    step = np.where(price < 1_000, 5, np.where(price < 10_000, 50, 500))
    return np.maximum(step, np.round(price / step) * step)


def _handles(rng: np.random.Generator, n: int) -> np.ndarray:
    handle = pd.Series(
        np.char.add(np.char.add(rng.choice(WORDS, n), rng.choice(JOINS, n)), rng.choice(NAMES, n))
    )
    seen = handle.groupby(handle).cumcount().to_numpy()
    return np.where(seen == 0, handle, handle + (seen + 1).astype(str))


def creators_frame(
    creators: int = CREATORS, seed: int = SEED, shares: Mapping[str, float] = SHARES
) -> pd.DataFrame:
    """`creators` rows of a roster CSV file, as text (empty where not given)."""
    card = _card()
    rng = np.random.default_rng(seed)
    n = creators
    names = list(shares)
    platform = rng.choice(len(names), n, p=np.array(list(shares.values())) / sum(shares.values()))
    tier = np.empty(n, dtype=object)
    draw = rng.random(n)
    for index, name in enumerate(names):
        offered = [t for t in TIERS if t in card[name]]
        weights = np.array([TIERS[t][0] for t in offered])
        edges = np.cumsum(weights / weights.sum())
        chosen = np.minimum(np.searchsorted(edges, draw), len(offered) - 1)
        mine = platform == index
        tier[mine] = np.array(offered, dtype=object)[chosen[mine]]
    low = pd.Series(tier).map({t: spec[1] for t, spec in TIERS.items()}).to_numpy(float)
    high = pd.Series(tier).map({t: spec[2] for t, spec in TIERS.items()}).to_numpy(float)
    followers = np.floor(np.exp(rng.uniform(np.log(low), np.log(high)))).astype(np.int64)
    followers = np.clip(followers, low.astype(np.int64), high.astype(np.int64) - 1)
    u = rng.random(n)  # where in the card's price range each creator sits
    effects = {column: rng.normal(0, sd, n) for column, sd in SPREAD.items()}
    price = np.empty(n)
    per_1k = np.full(n, np.nan)
    figures = {column: np.empty(n) for column in SPREAD}
    for index, name in enumerate(names):
        for tier_name, offer in card[name].items():
            mine = (platform == index) & (tier == tier_name)
            if not mine.any():
                continue
            if "cost_per_1k_followers" in offer:
                lo, hi = offer["cost_per_1k_followers"]
                per_1k[mine] = np.exp(np.log(lo) + u[mine] * np.log(hi / lo))
                price[mine] = followers[mine] / 1000 * per_1k[mine]
            else:
                lo, hi = offer["cost_per_post"]
                fee = np.exp(np.log(lo) + u[mine] * np.log(hi / lo))
                if tier_name == "mega":
                    fee *= np.sqrt(followers[mine] / offer["followers"])
                price[mine] = fee
            for column in SPREAD:
                figures[column][mine] = _midpoint(offer[column]) * np.exp(effects[column][mine])
    as_range = ~np.isnan(per_1k) & (rng.random(n) < 0.2)
    rate = np.where(as_range, per_1k, 0)
    width = np.maximum(2, np.round(rate * 0.15))
    rate_low, rate_high = np.round(rate) - width, np.round(rate) + width
    ranged = np.char.add(
        np.char.add("[", rate_low.astype(np.int64).astype(str)),
        np.char.add(", ", np.char.add(rate_high.astype(np.int64).astype(str), "]")),
    )
    posted = _round_price(price).astype(np.int64).astype(str)
    restricted = rng.random(n) < 0.1
    periods = np.where(restricted, rng.choice(PERIODS, n), "")
    posts = rng.random(n)
    max_posts = np.where(posts < 0.02, "3", np.where(posts < 0.12, "2", ""))
    must = np.zeros(n, dtype=bool)
    promised = np.flatnonzero((tier == "micro") & ~restricted)
    wanted = min(len(promised), int(np.clip(round(n / 100), 3, 10)))
    must[rng.choice(promised, wanted, replace=False)] = True
    exclude = np.zeros(n, dtype=bool)
    others = np.flatnonzero(~must)
    exclude[rng.choice(others, min(len(others), max(2, round(n / 100))), replace=False)] = True
    return pd.DataFrame(
        {
            "creator": _handles(rng, n),
            "platform": np.array(names)[platform],
            "followers": followers.astype(str),
            "cost_per_post": np.where(as_range, "", posted),
            "cost_per_1k_followers": np.where(as_range, ranged, ""),
            "engagement_rate": _decimals(figures["engagement_rate"], 0.002, 0.4, 4),
            "conversion_rate": _decimals(figures["conversion_rate"], 0.0002, 0.2, 4),
            "reach_rate": _decimals(figures["reach_rate"], 0.05, 2.0, 2),
            "max_posts": max_posts,
            "periods": periods,
            "must": np.where(must, "true", ""),
            "exclude": np.where(exclude, "true", ""),
        },
        columns=COLUMNS,
    )


def _decimals(values: np.ndarray, low: float, high: float, places: int) -> np.ndarray:
    """Figures clipped to a plausible range and written with at most `places` decimals."""
    rounded = np.round(np.clip(values, low, high), places)
    return np.array([f"{value:.{places}f}".rstrip("0").rstrip(".") for value in rounded])


def write(output: Path, creators: int = CREATORS, seed: int = SEED, **options: Any) -> int:
    """Write the roster to `output`; the number of creators written."""
    frame = creators_frame(creators, seed, **options)
    frame.to_csv(output, index=False, lineterminator="\n")
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creators", type=int, default=CREATORS, help=f"default {CREATORS}")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--output", "-o", type=Path, default=HERE / "creators.csv")
    arguments = parser.parse_args()
    count = write(arguments.output, arguments.creators, arguments.seed)
    shown = os.path.relpath(arguments.output)
    print(f"wrote {shown}: {count} creators, seed {arguments.seed}")


if __name__ == "__main__":
    main()
