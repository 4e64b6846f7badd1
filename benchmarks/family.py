"""A seeded family of varied scenarios: even seeds to tune on, odd seeds to judge on.

    .venv/bin/python -m benchmarks.family                  # list the cases and their shape
    .venv/bin/python -m benchmarks.family --check          # solve each once (feasible, time)
    .venv/bin/python -m benchmarks.family --write DIR      # one YAML file per case

The scale family of `cases.py` varies size only: every case there has the same rules, so
settings tuned on it may fit those rules and nothing else. Here each case `fam-NNN` draws its
structure from `numpy.random.default_rng(NNN)`: 4 quarters, 12 months or (about one case in
eight) 52 weeks; 2 to 12 platforms (2 to 3 for weekly plans, up to 5 for monthly ones), some
emerging; 3 or 4 tiers with rate cards around the `benchmarks-2026` figures, costs per post
or per 1,000 followers, engagement rates or costs per engagement, sometimes ranges; no
preset, one, or one with `seasonal`; share rules on spend, count and reach of the whole plan
or of each period; limits per period, platform and tier on count and spend; saturation of 1
to 4 segments for the whole scenario or per offer; every objective (the least spend for a
conversions floor among them); budgets from tight to loose, sometimes with per-period bounds.

Every lower bound that could leave no plan (a period's minimum spend, a count floor, the
conversions target of a least-spend case) is drawn well inside what the pools afford, so
every case has a plan without any redrawing; `--check` solves each case once to confirm it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

SIZE = 64
"""Cases fam-000 to fam-063."""

PLATFORMS = (
    "tiktok", "instagram", "youtube", "linkedin", "pinterest", "snapchat",
    "threads", "twitch", "x", "facebook", "reddit", "podcasts",
)  # fmt: skip

PERIOD_NAMES = {
    4: ["Q1", "Q2", "Q3", "Q4"],
    12: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    52: [f"W{i:02d}" for i in range(1, 53)],
}

# Ranges per tier in the spirit of `optimizer/data/benchmarks-2026.yaml`: followers, the
# price (per post for nano and mega, per 1,000 followers for micro and macro), engagement,
# conversion and reach rates, and the pool of a quarter.
RATES: dict[str, dict[str, tuple[float, float]]] = {
    "nano": {
        "followers": (300, 950),
        "price": (25, 75),
        "engagement": (0.07, 0.12),
        "conversion": (0.008, 0.02),
        "reach": (0.6, 1.4),
        "pool": (20, 60),
    },
    "micro": {
        "followers": (5_000, 90_000),
        "price": (10, 100),
        "engagement": (0.03, 0.09),
        "conversion": (0.012, 0.035),
        "reach": (0.2, 1.2),
        "pool": (15, 60),
    },
    "macro": {
        "followers": (120_000, 500_000),
        "price": (80, 200),
        "engagement": (0.02, 0.05),
        "conversion": (0.004, 0.01),
        "reach": (0.3, 0.9),
        "pool": (3, 10),
    },
    "mega": {
        "followers": (1_200_000, 5_000_000),
        "price": (40_000, 140_000),
        "engagement": (0.008, 0.02),
        "conversion": (0.001, 0.0025),
        "reach": (0.25, 0.5),
        "pool": (1, 3),
    },
}
PER_POST = {"nano", "mega"}
"""Tiers priced per post; the others per 1,000 followers."""

OBJECTIVES = ("conversions", "revenue", "profit", "reach", "engagements", "spend")
"""Cycled by seed (a pair of seeds each), so both halves hold every objective."""

# Presets that can hold together; `seasonal` only where the periods are quarters.
PRESET_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("70-20-10",),
    ("ecommerce",),
    ("b2b-saas",),
    ("consumer-app",),
    ("seasonal",),
    ("70-20-10", "seasonal"),
    ("ecommerce", "seasonal"),
    ("b2b-saas", "seasonal"),
    ("consumer-app", "seasonal"),
)
# Presets whose macro and mega share has a floor: a plan that spends at all buys a macro post.
MACRO_FLOOR = {"70-20-10", "b2b-saas", "consumer-app"}


def name_of(seed: int) -> str:
    return f"fam-{seed:03d}"


def seed_of(name: str) -> int:
    prefix, _, number = name.partition("-")
    if prefix != "fam" or not number.isdigit() or not 0 <= int(number) < SIZE:
        raise KeyError(f"no family case {name!r}: fam-000 to fam-{SIZE - 1:03d}")
    return int(number)


CASES = [name_of(seed) for seed in range(SIZE)]
TUNING = [name_of(seed) for seed in range(0, SIZE, 2)]
"""Even seeds: the cases settings and formulations may be chosen on."""
HELD_OUT = [name_of(seed) for seed in range(1, SIZE, 2)]
"""Odd seeds: the cases a choice is judged on, never tuned on."""


def period_count(seed: int) -> int:
    """52 weeks for two seeds in sixteen (one even, one odd), else quarters or months."""
    if seed % 16 in (5, 10):
        return 52
    return 4 if np.random.default_rng([seed, 1]).random() < 0.55 else 12


def gap_of(name: str) -> float:
    """The gap a case is held to: 1e-3 for weekly plans, 1e-4 for the rest."""
    return 1e-3 if period_count(seed_of(name)) == 52 else 1e-4


def _r(value: float, digits: int = 4) -> float:
    """A figure rounded to `digits` significant digits, as a planner would write it."""
    if value == 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))


def document(seed: int) -> dict[str, Any]:
    """The scenario document of case `fam-<seed>`; the same seed always gives the same one."""
    rng = np.random.default_rng(seed)
    periods = PERIOD_NAMES[period_count(seed)]
    fraction = 4 / len(periods)  # of a quarter
    objective = OBJECTIVES[(seed // 2) % len(OBJECTIVES)]
    most_platforms = {4: 12, 12: 5, 52: 3}[len(periods)]
    platform_count = int(rng.integers(2, most_platforms + 1))
    names = [str(p) for p in rng.choice(PLATFORMS, platform_count, replace=False)]
    tiers = ["nano", "micro", "macro", "mega"] if rng.random() < 0.5 else ["micro", "macro", "mega"]
    presets = PRESET_SETS[int(rng.integers(len(PRESET_SETS)))]
    if len(periods) != 4:
        presets = tuple(p for p in presets if p != "seasonal")

    # Saturation: none, one list for the scenario, or lists per offer (mixed with none).
    segments = int(rng.integers(1, 5))
    saturation_mode = str(rng.choice(["scenario", "offer", "offer", "none"]))

    def saturation(pool: int, count: int) -> list[dict[str, Any]] | None:
        if count == 1:
            return None if rng.random() < 0.5 else [{"factor": _r(rng.uniform(0.7, 1.0), 2)}]
        # breakpoints at growing fractions of the pool, factors falling from 1
        cuts = np.sort(rng.uniform(0.1, 0.9, count - 1))
        out: list[dict[str, Any]] = []
        factor, previous = 1.0, 0
        for cut in cuts:
            up_to = max(previous + 1, math.ceil(pool * cut))
            out.append({"up_to": int(up_to), "factor": _r(factor, 2)})
            previous = up_to
            factor *= rng.uniform(0.5, 0.9)
        out.append({"factor": _r(factor, 2)})
        return out

    platforms: dict[str, Any] = {}
    for platform in names:
        card: dict[str, Any] = {}
        for tier in tiers:
            if tier == "mega" and rng.random() < 0.25:
                continue  # not every platform offers every tier
            rates = RATES[tier]
            followers = _r(rng.uniform(*rates["followers"]), 3)
            price = rng.uniform(*rates["price"])
            cost = price if tier in PER_POST else price * followers / 1000
            pool = max(1, round(rng.uniform(*rates["pool"]) * fraction))
            engagement = rng.uniform(*rates["engagement"])
            offer: dict[str, Any] = {"followers": followers}
            if tier in PER_POST or rng.random() < 0.3:
                offer["cost_per_post"] = _r(cost)
            else:
                offer["cost_per_1k_followers"] = _r(price, 3)
            if rng.random() < 0.25:
                offer["cost_per_engagement"] = _r(cost / (followers * engagement))
            else:
                offer["engagement_rate"] = _r(engagement, 3)
            offer["conversion_rate"] = _r(rng.uniform(*rates["conversion"]), 3)
            offer["reach_rate"] = _r(rng.uniform(*rates["reach"]), 2)
            offer["available"] = pool
            if rng.random() < 0.15:  # a range, whose midpoint the model uses
                low = _r(offer["conversion_rate"] * 0.8, 3)
                offer["conversion_rate"] = [low, _r(2 * offer["conversion_rate"] - low, 3)]
            if saturation_mode == "offer" and rng.random() < 0.8:
                own = saturation(pool, int(rng.integers(1, segments + 1)))
                if own is not None:
                    offer["saturation"] = own
            card[tier] = offer
        platforms[platform] = {"emerging": bool(rng.random() < 0.25), "tiers": card}
    if "70-20-10" in presets and "nano" not in tiers:
        # Without an emerging offer the 70% and 20% bands would pin spend to exactly 75:25,
        # an equation in whole posts that no plan but the empty one meets.
        platforms[names[-1]]["emerging"] = True

    # What the pools afford: every cell's pool bought in every period, without seasonality.
    def offer_cost(offer: dict[str, Any]) -> float:
        if "cost_per_post" in offer:
            return float(offer["cost_per_post"])
        return float(offer["cost_per_1k_followers"]) * float(offer["followers"]) / 1000

    offers = [(p, t, o) for p, card in platforms.items() for t, o in card["tiers"].items()]
    capacity = len(periods) * sum(offer_cost(o) * o["available"] for _, _, o in offers)
    macro_posts = [offer_cost(o) for _, t, o in offers if t in ("macro", "mega")]
    small_spend = len(periods) * sum(
        offer_cost(o) * o["available"] for _, t, o in offers if t in ("nano", "micro")
    )

    doc: dict[str, Any] = {"name": name_of(seed), "periods": periods}
    # Budget from tight to loose: a share of what the pools afford, and room for a few of the
    # cheapest macro posts where a preset asks for macro spend.
    budget = capacity * float(np.exp(rng.uniform(np.log(0.04), np.log(0.7))))
    if MACRO_FLOOR & set(presets):
        budget = max(budget, 8 * min(macro_posts))
    budget = _r(budget, 3)
    reference = budget  # what spend limits are drawn against
    budget_doc: dict[str, Any] = {}
    if objective == "spend":
        budget = _r(capacity * 0.8, 3)  # a loose cap: the conversions target is the rule
    if objective != "spend" or rng.random() < 0.5:
        budget_doc["total"] = budget
    period_bounds: dict[str, Any] = {}
    if objective != "spend" and rng.random() < 0.45:
        cap = max(budget / len(periods) * rng.uniform(1.3, 3.0), 1.5 * max(macro_posts))
        for period in periods:
            if rng.random() < 0.7:
                period_bounds[period] = {"max": _r(cap * rng.uniform(0.9, 1.1), 3)}
        # Minimums only where the small creators of that period alone could meet them, and
        # not in the quarters the `seasonal` preset gives a floor or a macro share.
        if not MACRO_FLOOR & set(presets) and rng.random() < 0.6:
            room = min(small_spend / len(periods), budget / len(periods))
            for period in rng.choice(periods, min(3, len(periods)), replace=False):
                if "seasonal" in presets and period in ("Q1", "Q4"):
                    continue
                period_bounds.setdefault(str(period), {})["min"] = _r(
                    room * rng.uniform(0.05, 0.25), 3
                )
    if period_bounds:
        budget_doc["periods"] = period_bounds
    doc["budget"] = budget_doc

    doc["objective"] = {"minimize": "spend"} if objective == "spend" else objective
    if objective in ("revenue", "profit"):
        # high enough that some offers pay for themselves, which makes profit a real choice
        doc["average_order_value"] = _r(rng.uniform(60, 260), 3)
    if saturation_mode == "scenario":
        typical = int(np.median([o["available"] for _, _, o in offers]))
        doc["saturation"] = saturation(max(typical, 2), segments) or [{"factor": 1.0}]

    if rng.random() < 0.6:
        seasonality: dict[str, Any] = {}
        lift, dip = rng.uniform(0.05, 0.3), rng.uniform(0.0, 0.15)
        for number, period in enumerate(periods):
            middle = (number + 0.5) / len(periods)  # position in the year, 0 to 1
            holiday = math.exp(-(((middle - 0.9) / 0.1) ** 2))
            january = math.exp(-(((middle - 0.04) / 0.08) ** 2))
            if holiday > 0.05 or january > 0.05:
                seasonality[period] = {
                    "cost": _r(1 + 0.7 * lift * holiday - dip * january, 3),
                    "conversions": _r(1 + lift * holiday - dip * january, 3),
                }
        doc["seasonality"] = seasonality

    doc["platforms"] = platforms
    rules: dict[str, Any] = {}
    if presets:
        rules["presets"] = list(presets)
        if rng.random() < 0.3:
            rules["tolerance"] = _r(rng.uniform(0.05, 0.1), 2)
    shares = _shares(rng, names, platforms, tiers, presets, len(periods))
    if shares:
        rules["shares"] = shares
    limits = _limits(rng, names, reference, len(periods))
    if objective == "spend":
        limits.append(_conversions_floor(rng, doc, offers, len(periods)))
    if limits:
        rules["limits"] = limits
    if rules:
        doc["rules"] = rules
    return doc


def _shares(
    rng: np.random.Generator,
    names: list[str],
    platforms: dict[str, Any],
    tiers: list[str],
    presets: tuple[str, ...],
    periods: int,
) -> list[dict[str, Any]]:
    """Zero to three share rules; none of them has a floor a plan of small creators misses.

    Caps on a share of reach need segment-order binaries wherever saturation applies, which
    made monthly plans of four or more platforms take minutes: they are drawn for quarterly
    plans and small monthly ones only."""
    emerging = [p for p in names if platforms[p]["emerging"]]
    lead_cap = rng.uniform(0.35, 0.65) if len(names) > 2 else rng.uniform(0.6, 0.8)
    if len(names) == 2 and "70-20-10" in presets:
        lead_cap = 0.86 + (lead_cap - 0.6)  # the other platform may be the emerging 5-15%
    reach_caps = periods == 4 or (periods == 12 and len(names) <= 3)
    candidates: list[dict[str, Any]] = [
        {
            "name": "lead-platform-cap",
            "select": {"platforms": [names[0]]},
            "of": "spend",
            "within": "total",
            "max": _r(lead_cap, 2),
        },
        {
            "name": "small-creators-by-count",
            "select": {"tiers": [t for t in tiers if t in ("nano", "micro")]},
            "of": "count",
            "within": "period",
            "min": _r(rng.uniform(0.4, 0.8), 2),
        },
        {
            "name": "micro-every-period",
            "select": {"tiers": ["micro"]},
            "of": "spend",
            "within": "period",
            "min": _r(rng.uniform(0.15, 0.35), 2),
        },
    ]
    reach_cap = rng.uniform(0.5, 0.8)
    if reach_caps:
        candidates.append(
            {
                "name": "platform-reach-cap",
                "select": {"platforms": [names[-1]]},
                "of": "reach",
                "within": "total",
                "max": _r(reach_cap, 2),
            }
        )
    if "b2b-saas" not in presets and "consumer-app" not in presets:
        candidates.append(
            {
                "name": "big-creators-cap",
                "select": {"tiers": ["macro", "mega"]},
                "of": "spend",
                "within": "total",
                "max": _r(rng.uniform(0.3, 0.6), 2),
            }
        )
    if emerging and reach_caps:
        candidates.append(
            {
                "name": "emerging-reach-cap",
                "select": {"platform_emerging": True},
                "of": "reach",
                "within": "total",
                "max": _r(rng.uniform(0.2, 0.4), 2),
            }
        )
    count = int(rng.integers(0, 4))
    picked = rng.choice(len(candidates), min(count, len(candidates)), replace=False)
    return [candidates[int(i)] for i in sorted(picked)]


def _limits(
    rng: np.random.Generator,
    names: list[str],
    reference: float,
    periods: int,
) -> list[dict[str, Any]]:
    """Zero to three limits, all of them caps: per period, platform and tier, count and spend."""
    candidates: list[dict[str, Any]] = [
        {
            "name": "mega-per-period",
            "select": {"tiers": ["mega"]},
            "per": ["period"],
            "count": {"max": int(rng.integers(1, 3))},
        },
        {
            "name": "platform-spend-cap",
            "per": ["platform"],
            "spend": {"max": _r(reference * max(rng.uniform(0.3, 0.7), 1.2 / len(names)), 3)},
        },
        {
            "name": "macro-per-period-and-platform",
            "select": {"tiers": ["macro"]},
            "per": ["period", "platform"],
            "count": {"max": 1 if periods == 52 else int(rng.integers(1, 4))},
        },
        {
            "name": "micro-spend-per-period",
            "select": {"tiers": ["micro"]},
            "per": ["period"],
            "spend": {"max": _r(reference * rng.uniform(0.3, 0.8) * min(1, 8 / periods), 3)},
        },
    ]
    # A year's count cap per tier couples every period of a monthly or weekly plan into one
    # knapsack, which took minutes to certify; there the cap is per period and tier.
    yearly = int(rng.integers(40, 200))
    candidates.append(
        {"name": "tier-count-cap", "per": ["tier"], "count": {"max": yearly}}
        if periods == 4
        else {
            "name": "tier-count-cap",
            "per": ["period", "tier"],
            "count": {"max": max(2, round(yearly * 4 / periods))},
        }
    )
    count = int(rng.integers(0, 4))
    picked = rng.choice(len(candidates), count, replace=False)
    return [candidates[int(i)] for i in sorted(picked)]


def _conversions_floor(
    rng: np.random.Generator, doc: dict[str, Any], offers: list[Any], periods: int
) -> dict[str, Any]:
    """The target of a least-spend case: a small share of the conversions every pool would
    bring at full saturation, so that rules and caps still leave a plan that reaches it."""
    whole: list[dict[str, Any]] | None = doc.get("saturation")
    most = 0.0
    for _, _, offer in offers:
        if "cost_per_post" in offer:
            cost = offer["cost_per_post"]
        else:
            cost = offer["cost_per_1k_followers"] * offer["followers"] / 1000
        if "engagement_rate" in offer:
            engagements = offer["followers"] * offer["engagement_rate"]
        else:
            engagements = cost / offer["cost_per_engagement"]
        rate = offer["conversion_rate"]
        rate = sum(rate) / 2 if isinstance(rate, list) else rate
        most += engagements * rate * _saturated(offer.get("saturation", whole), offer["available"])
    return {
        "name": "conversions-target",
        "conversions": {"min": _r(most * periods * rng.uniform(0.03, 0.1), 3)},
    }


def _saturated(segments: list[dict[str, Any]] | None, pool: int) -> float:
    """Influencers of a full pool weighted by their segments' factors."""
    if not segments:
        return float(pool)
    total, previous = 0.0, 0
    for segment in segments:
        upper = min(segment.get("up_to", pool), pool)
        total += max(0, upper - previous) * segment["factor"]
        previous = max(previous, upper)
    return total


def segments_of(doc: dict[str, Any]) -> int:
    """The most saturation segments of any cell of a case (1 without saturation)."""
    lists = [doc.get("saturation")] + [
        offer.get("saturation")
        for platform in doc["platforms"].values()
        for offer in platform["tiers"].values()
    ]
    return max([len(s) for s in lists if s] or [1])


def case(name: str) -> Any:
    """The validated scenario of a family case."""
    from optimizer.scenario.loading import scenario_from_dict

    return scenario_from_dict(document(seed_of(name)), source=name)


def write_family(directory: Path | str, names: list[str] | None = None) -> list[Path]:
    """Write each case (all by default) as `<name>.yaml` into `directory`; the paths."""
    import yaml

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names or CASES:
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document(seed_of(name)), sort_keys=False), "utf-8")
        paths.append(path)
    return paths


def describe(name: str) -> str:
    """One line on a case's shape."""
    doc = document(seed_of(name))
    objective = doc["objective"] if isinstance(doc["objective"], str) else "min spend"
    rules = doc.get("rules", {})
    return (
        f"{name}: {len(doc['periods'])} periods, {len(doc['platforms'])} platforms,"
        f" {objective}, presets {'+'.join(rules.get('presets', [])) or '-'},"
        f" {len(rules.get('shares', []))} shares, {len(rules.get('limits', []))} limits,"
        f" up to {segments_of(doc)} segments"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: every case)")
    parser.add_argument("--check", action="store_true", help="solve each case once")
    parser.add_argument("--write", metavar="DIR", help="write the cases as YAML files")
    parser.add_argument("--time-limit", type=float, default=60.0)
    arguments = parser.parse_args(argv)
    try:
        names = [name_of(seed_of(name)) for name in arguments.cases] or CASES
    except KeyError as error:
        parser.error(str(error.args[0]))
    if arguments.write:
        for path in write_family(arguments.write, names):
            print(path)
        return
    if not arguments.check:
        for name in names:
            print(describe(name))
        return
    from optimizer import build_model
    from optimizer.solvers import SolveOptions, run_solver

    failed = []
    for name in names:
        model = build_model(case(name))
        options = SolveOptions(time_limit=arguments.time_limit, gap=gap_of(name))
        started = time.perf_counter()
        solution = run_solver(model, "highs", options)
        seconds = time.perf_counter() - started
        print(
            f"{describe(name)}: {solution.status} in {seconds:.2f} s,"
            f" {int(model.integrality.sum())} integers, objective {solution.objective}",
            flush=True,
        )
        if str(solution.status) != "optimal" or not solution.objective:
            failed.append(name)
    if failed:
        sys.exit(f"not solved to the gap, or an empty plan: {', '.join(failed)}")


if __name__ == "__main__":
    main()
