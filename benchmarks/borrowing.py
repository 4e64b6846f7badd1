"""Does partial pooling help? Simulated campaigns where one platform of each tier has
much data and the others little, scored by the error of the sparse offers' calibrated
figures against the truth, with and without borrowing.

`python benchmarks/borrowing.py` prints the table the README quotes. Two worlds: the truth
moves a whole tier away from the rate card (a tier effect, with a little platform noise),
or each offer on its own (platform noise alone)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from campaigns import Truth, simulate  # noqa: E402

from optimizer.results import calibrate, read_results  # noqa: E402
from optimizer.scenario.loading import scenario_from_dict  # noqa: E402
from optimizer.scenario.schema import midpoint  # noqa: E402

SCENARIO = {"name": "borrowing", "extends": "benchmarks-2026", "budget": {"total": 250000}}
FIGURES = ("engagement_rate", "conversion_rate")
RICH, SPARSE, SEEDS = 200, 3, 30


def trial(seed: int, tier_sd: float, platform_sd: float) -> dict[bool, list[float]]:
    scenario = scenario_from_dict(SCENARIO)
    rng = np.random.default_rng(seed)
    offers = [(p, t, o) for p, t, o in scenario.offers() if o.engagement_rate is not None]
    tiers = sorted({t for _, t, _ in offers})
    shift = {t: rng.lognormal(0, tier_sd) for t in tiers}
    truth, posts = {}, {}
    for platform, tier, offer in offers:
        factor = {f: shift[tier] * rng.lognormal(0, platform_sd) for f in FIGURES}
        truth[(platform, tier)] = Truth(
            min(0.5, float(midpoint(offer.engagement_rate)) * factor["engagement_rate"]),
            min(0.5, float(midpoint(offer.conversion_rate)) * factor["conversion_rate"]),
            float(midpoint(offer.reach_rate)),
            1000.0,
        )
    for tier in tiers:
        mates = [(p, t) for p, t, _ in offers if t == tier]
        rich = mates[rng.integers(len(mates))]
        for key in mates:
            posts[key] = RICH if key == rich else SPARSE
    rows = simulate(scenario, truth, posts, seed=seed, creator_spread=0.4)
    errors: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.csv"
        rows.to_csv(path, index=False)
        results = read_results(path, scenario)
        for borrow in (False, True):
            for offer in calibrate(scenario, results, borrow=borrow).calibrated:
                key = (offer.platform, offer.tier)
                if posts[key] != SPARSE:
                    continue
                for name in FIGURES:
                    true = getattr(truth[key], name)
                    errors[borrow].append(np.log(offer.figures[name].calibrated / true))
    return errors


def main() -> None:
    print("world | sparse offers' RMS log error without borrowing | with borrowing")
    for label, tier_sd, platform_sd in (
        ("tier effect (sd 0.5) + platform noise (0.15)", 0.5, 0.15),
        ("platform noise alone (0.5)", 0.0, 0.5),
    ):
        pooled: dict[bool, list[float]] = {False: [], True: []}
        for seed in range(SEEDS):
            for borrow, found in trial(seed, tier_sd, platform_sd).items():
                pooled[borrow] += found
        rms = {b: float(np.sqrt(np.mean(np.square(v)))) for b, v in pooled.items()}
        print(f"{label} | {rms[False]:.3f} | {rms[True]:.3f}")


if __name__ == "__main__":
    main()
