"""Calibration: a scenario's offers pooled with campaign results (section 10 of the format).

Each figure of an offer with results is a conjugate update of the parent's figure (the
prior) by the offer's results (the data), on base figures (observed figures divided by their
period's seasonality multipliers):

- conversion rate (conversions per engagement): beta prior, binomial data;
- engagement rate (engagements per follower-post) and reach rate (reach per follower-post):
  gamma prior, Poisson data;
- price (cost per post, per 1,000 followers, or per engagement): log-normal prior on the
  figure, normal data on the log of the observed average price.

The prior's spread comes from the parent's figure: a range [low, high] is read as its 95%
interval, so its sd is (high - low) / 4 (`RANGE_SDS`); a single number has the relative
spread `uncertainty.spread` gives it, read the same way, or else `POINT_CV` of itself. The
prior is a spread, not a bound: data move a figure outside the parent's range.

Creators differ far more than counting noise says: the data of an offer count for less when
its rows spread more than a Poisson or binomial count would (the quasi-likelihood dispersion
`phi`, the Pearson statistic over the rows' degrees of freedom, at least 1), so an interval
is as wide as the spread between creators makes it.

Partial pooling (`borrow=True`): an offer's prior is moved by how far the same tier's
results on the other platforms lie from their parent figures (a weighted mean of their log
ratios, shrunk towards none), so a tier that converts half as well as planned on TikTok and
Instagram starts lower on YouTube too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from optimizer.scenario.schema import midpoint

if TYPE_CHECKING:
    from optimizer.plan import Plan
    from optimizer.results.results import Results
    from optimizer.scenario.schema import Offer, Scenario

CREDIBLE = 0.80
"""The central credible interval each calibrated range holds."""
Z = 1.2815515655446004
"""The standard normal quantile of 0.9: an 80% interval is +-Z sd."""
RANGE_SDS = 4.0
"""A parent range [low, high] spans this many prior sds (its 95% interval)."""
POINT_CV = 0.5
"""Relative prior sd of a figure given as one number without `uncertainty.spread`."""
PRICE_SPREAD = 0.3
"""Prior guess of the sd of one post's log price around the offer's price, and ..."""
PRICE_SPREAD_WEIGHT = 2.0
"""... how many rows' worth of evidence that guess counts for."""
PLATFORM_SPREAD = 0.3
"""Partial pooling: sd of the log ratio (results over parent) between platforms of a tier."""
TIER_SHIFT_SD = 0.5
"""Partial pooling: prior sd of a tier's log ratio (no shift expected)."""
TEST_SHARE = 0.10
"""The emerging-test share of 70-20-10: the budget that buys tests of what to learn, taken
of `budget.total` when no plan says what it spends on emerging tests."""
FROM_PLAN = "plan"
"""Learning's test budget is what the plan spends on emerging tests (70-20-10's
emerging-tests selection: an emerging platform or an emerging tier)."""
FROM_BUDGET = "budget"
"""Learning's test budget is `TEST_SHARE` of `budget.total` (no plan given)."""

Kind = Literal["beta", "gamma", "lognormal"]
RATE_FIGURES = ("engagement_rate", "conversion_rate", "reach_rate")
KINDS: dict[str, Kind] = {
    "engagement_rate": "gamma",
    "reach_rate": "gamma",
    "conversion_rate": "beta",
    "cost_per_post": "lognormal",
    "cost_per_1k_followers": "lognormal",
    "cost_per_engagement": "lognormal",
}
UPPER = {"engagement_rate": 1.0, "conversion_rate": 1.0}
"""Figures that are shares and cannot pass 1."""


@dataclass(frozen=True)
class Prior:
    mean: float
    sd: float


@dataclass(frozen=True)
class Evidence:
    """What an offer's rows say of one figure: the sums the figure is a ratio of."""

    rows: int
    posts: float
    numerator: float
    """Base (de-seasonalised) engagements, conversions, reach or spend."""
    denominator: float
    """Follower-posts, engagements, posts or thousands of follower-posts."""
    dispersion: float
    """phi: how much more the rows spread than counts would (1: as counts)."""
    amounts: dict[str, float]
    """The observed totals it rests on, as the file gives them (posts, spend, ...)."""
    log_spread: float = PRICE_SPREAD
    """Prices: sd of one post's log price, from the rows and the prior guess."""

    @property
    def observed(self) -> float | None:
        return self.numerator / self.denominator if self.denominator > 0 else None


@dataclass(frozen=True)
class Posterior:
    kind: Kind
    params: tuple[float, float]
    """beta (a, b); gamma (shape, rate); lognormal (mu, sigma) of the log figure."""

    @property
    def mean(self) -> float:
        a, b = self.params
        if self.kind == "beta":
            return a / (a + b)
        if self.kind == "gamma":
            return a / b
        return math.exp(a)  # the median: the average price, as observed, with much data

    def quantiles(self, low: float, high: float) -> tuple[float, float]:
        from scipy import special  # scipy.stats takes a second to import; this a tenth

        a, b = self.params
        points = np.array([low, high])
        if self.kind == "beta":
            values = special.betaincinv(a, b, points)
        elif self.kind == "gamma":
            values = special.gammaincinv(a, points) / b
        else:
            values = np.exp(a + b * special.ndtri(points))
        return float(values[0]), float(values[1])

    def interval(self) -> tuple[float, float]:
        tail = (1.0 - CREDIBLE) / 2
        return self.quantiles(tail, 1.0 - tail)


@dataclass(frozen=True)
class Figure:
    """One calibrated figure of an offer."""

    name: str
    planned: float
    """The parent's figure (the midpoint of its range)."""
    planned_range: tuple[float, float] | None
    prior_interval: tuple[float, float]
    observed: float | None
    calibrated: float
    interval: tuple[float, float]
    """The central 80% credible interval."""
    range: tuple[float, float]
    """What the scenario gets: centred on `calibrated`, holding `interval` (cut at the
    figure's bounds where it would pass them: then `cut` is true)."""
    cut: bool
    evidence: Evidence
    borrowed: float | None = None
    """The factor partial pooling moved the prior by (None: no pooling)."""
    posterior: Posterior | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure": self.name,
            "planned": self.planned,
            "planned_range": list(self.planned_range) if self.planned_range else None,
            "prior_interval": list(self.prior_interval),
            "observed": self.observed,
            "calibrated": self.calibrated,
            "interval": list(self.interval),
            "range": list(self.range),
            "cut": self.cut,
            "dispersion": self.evidence.dispersion,
            "borrowed": self.borrowed,
            "rests_on": {"rows": self.evidence.rows, **self.evidence.amounts},
        }


@dataclass(frozen=True)
class Learning:
    """What it takes to know an offer's conversion rate to +-`width` (its 80% interval)."""

    width: float
    current: float | None
    """Half the 80% interval now, relative to the figure."""
    posts_needed: int | None
    cost: float | None
    test_budget: float | None
    """The emerging-test budget: the plan's spend on emerging tests, or else 10% of
    `budget.total` (`test_budget_from` says which)."""
    affordable: int | None
    """Posts of this offer the test budget buys."""
    test_budget_from: str = FROM_BUDGET
    """`plan` (the plan's spend on emerging platforms and tiers) or `budget` (10% of
    `budget.total`)."""

    @property
    def buys(self) -> bool | None:
        if self.posts_needed is None or self.affordable is None:
            return None
        return self.affordable >= self.posts_needed

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "current": self.current,
            "posts_needed": self.posts_needed,
            "cost": self.cost,
            "test_budget": self.test_budget,
            "test_budget_from": self.test_budget_from,
            "affordable_posts": self.affordable,
            "budget_buys_it": self.buys,
        }


@dataclass(frozen=True)
class OfferCalibration:
    platform: str
    tier: str
    rows: int
    posts: float
    periods: list[str]
    figures: dict[str, Figure]
    """Calibrated figures by field name; empty for an offer without results."""
    learning: Learning

    @property
    def has_results(self) -> bool:
        return bool(self.figures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "tier": self.tier,
            "rows": self.rows,
            "posts": self.posts,
            "periods": self.periods,
            "figures": {name: figure.to_dict() for name, figure in self.figures.items()},
            "learning": self.learning.to_dict(),
        }


@dataclass(frozen=True)
class Calibration:
    scenario: Scenario
    offers: list[OfferCalibration]
    results: Results
    borrow: bool
    width: float
    test_budget: float | None = None
    """Learning's emerging-test budget (see `test_budget_from`)."""
    test_budget_from: str = FROM_BUDGET

    @property
    def calibrated(self) -> list[OfferCalibration]:
        return [offer for offer in self.offers if offer.has_results]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "results": self.results.source,
            "rows": self.results.total_rows,
            "matched_rows": len(self.results.rows),
            "unmatched": [row.to_dict() for row in self.results.unmatched],
            "notes": self.results.notes,
            "credible": CREDIBLE,
            "borrow": self.borrow,
            "test_budget": self.test_budget,
            "test_budget_from": self.test_budget_from,
            "offers": [offer.to_dict() for offer in self.offers],
        }


# Priors


def figure_fields(offer: Offer) -> list[str]:
    """The offer's figures calibration can update, as the offer gives them."""
    price = "cost_per_post" if offer.cost_per_post is not None else "cost_per_1k_followers"
    engagement = "engagement_rate" if offer.engagement_rate is not None else "cost_per_engagement"
    return [engagement, "conversion_rate", "reach_rate", price]


def prior_of(scenario: Scenario, offer: Offer, name: str) -> Prior:
    """The parent's figure as a prior: its midpoint, and an sd from its range's width (a
    quarter of it), else from `uncertainty.spread`, else `POINT_CV` of it."""
    value = getattr(offer, name)
    mean = float(midpoint(value))
    if isinstance(value, tuple) and value[1] > value[0]:
        sd = (value[1] - value[0]) / RANGE_SDS
    else:
        uncertainty = getattr(scenario, "uncertainty", None)
        spread = getattr(uncertainty, "spread", None) or {}
        share = spread.get(name)
        sd = 2 * share * mean / RANGE_SDS if share else POINT_CV * mean
    tiny = 1e-9
    mean = max(mean, tiny)
    sd = max(sd, tiny * 1e-3)
    if name in UPPER:
        mean = min(mean, 1 - tiny)
        sd = min(sd, 0.99 * math.sqrt(mean * (1 - mean)))
    return Prior(mean, sd)


def _prior_posterior(kind: Kind, prior: Prior) -> Posterior:
    m, s = prior.mean, prior.sd
    if kind == "beta":
        n = m * (1 - m) / s**2 - 1
        return Posterior(kind, (m * n, (1 - m) * n))
    if kind == "gamma":
        return Posterior(kind, (m**2 / s**2, m / s**2))
    tau = math.sqrt(math.log1p((s / m) ** 2))
    return Posterior(kind, (math.log(m), tau))


def update(kind: Kind, prior: Prior, evidence: Evidence | None) -> Posterior:
    """The conjugate posterior of a figure given its prior and its offer's evidence."""
    start = _prior_posterior(kind, prior)
    if evidence is None or evidence.denominator <= 0:
        return start
    a, b = start.params
    phi = evidence.dispersion
    if kind == "beta":
        hits = min(evidence.numerator, evidence.denominator)
        return Posterior(kind, (a + hits / phi, b + (evidence.denominator - hits) / phi))
    if kind == "gamma":
        return Posterior(kind, (a + evidence.numerator / phi, b + evidence.denominator / phi))
    if evidence.numerator <= 0:
        return start
    observed = math.log(evidence.numerator / evidence.denominator)
    prior_precision = 1 / b**2
    data_precision = evidence.posts / evidence.log_spread**2
    precision = prior_precision + data_precision
    mu = (a * prior_precision + observed * data_precision) / precision
    return Posterior(kind, (mu, 1 / math.sqrt(precision)))


# Evidence


def base_rows(results: Results, scenario: Scenario) -> pd.DataFrame:
    """The matched rows with base figures: each observed figure divided by its period's
    seasonality multiplier (1 for a row without a period)."""
    rows = results.rows
    periods = rows["period"].to_numpy()
    out = pd.DataFrame(
        {
            "platform": rows["platform"].to_numpy(),
            "tier": rows["tier"].to_numpy(),
            "period": periods,
            "posts": rows["posts"].to_numpy(dtype=float),
            "followers": rows["followers"].to_numpy(dtype=float),
        }
    )
    for metric, multiplier in (
        ("spend", "cost"),
        ("engagements", "engagements"),
        ("conversions", "conversions"),
        ("reach", "reach"),
    ):
        factors = {
            name: getattr(season, multiplier) for name, season in scenario.seasonality.items()
        }
        factor = pd.Series(periods).map(factors).fillna(1.0).to_numpy(dtype=float)
        observed = rows[metric].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[metric] = np.where(factor > 0, observed / factor, np.nan)
        out[f"observed_{metric}"] = observed
    return out


def _group_sums(codes: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size)


def collect_evidence(
    rows: pd.DataFrame, scenario: Scenario
) -> dict[tuple[str, str], dict[str, Evidence]]:
    """Each offer's evidence on each figure it gives, from its base rows."""
    offers = {(platform, tier): offer for platform, tier, offer in scenario.offers()}
    keys = pd.Series(rows["platform"].astype(str) + "\x1f" + rows["tier"].astype(str))
    codes, distinct = pd.factorize(keys)
    size = len(distinct)
    names = [tuple(key.split("\x1f")) for key in distinct]
    posts = rows["posts"].to_numpy()
    exposure = posts * rows["followers"].to_numpy()
    column = {
        name: rows[name].to_numpy() for name in ("spend", "engagements", "conversions", "reach")
    }
    raw = {name: rows[f"observed_{name}"].to_numpy() for name in column}
    out: dict[tuple[str, str], dict[str, Evidence]] = {name: {} for name in names}

    def sums(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        return _group_sums(codes[mask], values[mask], size)

    def counts(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=size)

    def dispersion(
        mask: np.ndarray, y: np.ndarray, x: np.ndarray, rate: np.ndarray, binomial: bool
    ) -> np.ndarray:
        """phi per offer: Pearson's statistic over the rows' degrees of freedom, at least 1."""
        r = rate[codes[mask]]
        expected = r * x[mask]
        variance = expected * (1 - r) if binomial else expected
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(variance > 0, (y[mask] - expected) ** 2 / variance, 0.0)
        statistic = _group_sums(codes[mask], terms, size)
        rows_of = counts(mask)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = np.where(rows_of > 1, statistic / np.maximum(rows_of - 1, 1), 1.0)
        return np.maximum(phi, 1.0)

    def count_evidence(
        figure: str,
        mask: np.ndarray,
        y: np.ndarray,
        x: np.ndarray,
        amounts: dict[str, np.ndarray],
        binomial: bool = False,
    ) -> None:
        numerator, denominator = sums(mask, y), sums(mask, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(denominator > 0, numerator / denominator, 0.0)
        phi = dispersion(mask, y, x, rate, binomial)
        rows_of, posts_of = counts(mask), sums(mask, posts)
        totals = {name: sums(mask, values) for name, values in amounts.items()}
        for index, name in enumerate(names):
            if rows_of[index] == 0 or figure not in figure_fields(offers[name]):
                continue
            out[name][figure] = Evidence(
                rows=int(rows_of[index]),
                posts=float(posts_of[index]),
                numerator=float(numerator[index]),
                denominator=float(denominator[index]),
                dispersion=float(phi[index]),
                amounts={"posts": float(posts_of[index])}
                | {key: float(value[index]) for key, value in totals.items()},
            )

    engaged = np.isfinite(column["engagements"])
    count_evidence(
        "engagement_rate",
        engaged,
        column["engagements"],
        exposure,
        {"follower_posts": exposure, "engagements": raw["engagements"]},
    )
    converted = np.isfinite(column["conversions"]) & engaged & (column["engagements"] > 0)
    count_evidence(
        "conversion_rate",
        converted,
        column["conversions"],
        column["engagements"],
        {"engagements": raw["engagements"], "conversions": raw["conversions"]},
        binomial=True,
    )
    reached = np.isfinite(column["reach"])
    count_evidence(
        "reach_rate",
        reached,
        column["reach"],
        exposure,
        {"follower_posts": exposure, "reach": raw["reach"]},
    )
    spent = np.isfinite(column["spend"])
    thousands = exposure / 1000
    for figure, mask, units, amounts in (
        ("cost_per_post", spent, posts, {"spend": raw["spend"]}),
        (
            "cost_per_1k_followers",
            spent,
            thousands,
            {"spend": raw["spend"], "follower_posts": exposure},
        ),
        (
            "cost_per_engagement",
            spent & engaged & (column["engagements"] > 0),
            np.where(engaged, column["engagements"], 0.0),
            {"spend": raw["spend"], "engagements": raw["engagements"]},
        ),
    ):
        _price_evidence(
            out, names, offers, codes, size, figure, mask, column["spend"], units, posts, amounts
        )
    return out


def _price_evidence(
    out: dict[tuple[str, str], dict[str, Evidence]],
    names: list[Any],
    offers: Mapping[tuple[str, str], Offer],
    codes: np.ndarray,
    size: int,
    figure: str,
    mask: np.ndarray,
    spend: np.ndarray,
    units: np.ndarray,
    posts: np.ndarray,
    amounts: dict[str, np.ndarray],
) -> None:
    """A price's evidence: the average price (spend over units) and the spread of one
    post's log price, from the rows' log prices weighted by their posts and a prior guess
    (`PRICE_SPREAD`, worth `PRICE_SPREAD_WEIGHT` rows)."""
    mask = mask & (units > 0)
    c = codes[mask]
    spend_sum = _group_sums(c, spend[mask], size)
    unit_sum = _group_sums(c, units[mask], size)
    priced = spend[mask] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(priced, np.log(spend[mask] / units[mask]), 0.0)
    weights = np.where(priced, posts[mask], 0.0)
    weight_sum = _group_sums(c, weights, size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_log = np.where(weight_sum > 0, _group_sums(c, weights * logs, size) / weight_sum, 0.0)
    squares = _group_sums(c, weights * (logs - mean_log[c]) ** 2, size)
    priced_rows = np.bincount(c[priced], minlength=size)
    spread = np.sqrt(
        (squares + PRICE_SPREAD_WEIGHT * PRICE_SPREAD**2)
        / (np.maximum(priced_rows - 1, 0) + PRICE_SPREAD_WEIGHT)
    )
    rows_of = np.bincount(c, minlength=size)
    posts_of = _group_sums(c, posts[mask], size)
    totals = {name: _group_sums(c, values[mask], size) for name, values in amounts.items()}
    for index, name in enumerate(names):
        if rows_of[index] == 0 or figure not in figure_fields(offers[name]):
            continue
        out[name][figure] = Evidence(
            rows=int(rows_of[index]),
            posts=float(posts_of[index]),
            numerator=float(spend_sum[index]),
            denominator=float(unit_sum[index]),
            dispersion=1.0,
            amounts={"posts": float(posts_of[index])}
            | {key: float(value[index]) for key, value in totals.items()},
            log_spread=float(spread[index]),
        )


# Calibration


def calibrate(
    scenario: Scenario,
    results: Results,
    borrow: bool = False,
    width: float = 0.2,
    plan: Plan | Mapping[str, Any] | None = None,
) -> Calibration:
    """Every offer of the scenario, its figures pooled with its results (none for an offer
    without results), and what it takes to learn its conversion rate to +-`width`.

    The emerging-test budget that learning weighs the posts against is what `plan` (a `Plan`
    or a saved plan's JSON data) spends on emerging tests, the selection of 70-20-10's
    emerging-tests rule (an emerging platform or an emerging tier); without a plan it is
    10% of `budget.total`."""
    if plan is not None:
        test_budget: float | None = emerging_spend(scenario, plan)
        source = FROM_PLAN
    else:
        total = scenario.budget.total
        test_budget = TEST_SHARE * total if total is not None else None
        source = FROM_BUDGET
    rows = base_rows(results, scenario)
    evidence = collect_evidence(rows, scenario)
    periods_of = (
        rows[rows["period"] != ""].groupby(["platform", "tier"])["period"].unique().to_dict()
        if len(rows)
        else {}
    )
    rows_of = rows.groupby(["platform", "tier"]).size().to_dict() if len(rows) else {}
    posts_of = rows.groupby(["platform", "tier"])["posts"].sum().to_dict() if len(rows) else {}
    shifts = _tier_shifts(scenario, evidence) if borrow else {}
    offers = []
    phis = [
        found["conversion_rate"].dispersion
        for found in evidence.values()
        if "conversion_rate" in found and found["conversion_rate"].rows > 1
    ]
    typical_phi = float(np.median(phis)) if phis else 1.0
    for platform, tier, offer in scenario.offers():
        key = (platform, tier)
        figures: dict[str, Figure] = {}
        for name in figure_fields(offer):
            found = evidence.get(key, {}).get(name)
            if found is None:
                continue
            shift = shifts.get((key, name))
            figures[name] = _figure(scenario, offer, name, found, shift)
        order = scenario.periods
        periods = sorted(periods_of.get(key, []), key=lambda p: order.index(p) if p in order else 0)
        offers.append(
            OfferCalibration(
                platform=platform,
                tier=tier,
                rows=int(rows_of.get(key, 0)),
                posts=float(posts_of.get(key, 0.0)),
                periods=list(periods),
                figures=figures,
                learning=_learning(
                    scenario,
                    offer,
                    figures,
                    evidence.get(key, {}),
                    typical_phi,
                    width,
                    test_budget,
                    source,
                ),
            )
        )
    return Calibration(scenario, offers, results, borrow, width, test_budget, source)


def emerging_spend(scenario: Scenario, plan: Plan | Mapping[str, Any]) -> float:
    """What a plan spends on emerging tests: its allocation rows on an emerging platform or
    of an emerging tier (the selection of 70-20-10's emerging-tests rule, `emerging: true`).
    A row whose platform or tier the scenario does not have is an error: the plan is of
    another scenario."""
    from optimizer.errors import OptimizerError
    from optimizer.plan import Plan

    data = plan.to_dict() if isinstance(plan, Plan) else plan
    total = 0.0
    for row in data.get("allocation", []):
        platform, tier = str(row.get("platform")), str(row.get("tier"))
        spec = scenario.platforms.get(platform)
        if spec is None or tier not in spec.tiers:
            raise OptimizerError(
                f"the plan buys {platform} {tier}, which {scenario.name} has no offer for:"
                " give the plan of this scenario"
            )
        tier_spec = scenario.tiers.get(tier)
        if spec.emerging or (tier_spec is not None and tier_spec.emerging):
            total += float(row.get("spend") or 0.0)
    return total


def _figure(
    scenario: Scenario, offer: Offer, name: str, evidence: Evidence, shift: float | None
) -> Figure:
    kind = KINDS[name]
    prior = prior_of(scenario, offer, name)
    planned = float(midpoint(getattr(offer, name)))
    value = getattr(offer, name)
    planned_range = (float(value[0]), float(value[1])) if isinstance(value, tuple) else None
    prior_interval = _prior_posterior(kind, prior).interval()
    if shift is not None:
        moved = prior.mean * shift
        if name in UPPER:
            moved = min(moved, 1 - 1e-9)
        prior = Prior(moved, prior.sd * moved / prior.mean)
        if name in UPPER:
            prior = Prior(prior.mean, min(prior.sd, 0.99 * math.sqrt(moved * (1 - moved))))
    posterior = update(kind, prior, evidence)
    calibrated = posterior.mean
    interval = posterior.interval()
    ends, cut = centred_range(name, calibrated, interval)
    return Figure(
        name=name,
        planned=planned,
        planned_range=planned_range,
        prior_interval=prior_interval,
        observed=evidence.observed,
        calibrated=calibrated,
        interval=interval,
        range=ends,
        cut=cut,
        evidence=evidence,
        borrowed=shift,
        posterior=posterior,
    )


def centred_range(
    name: str, centre: float, interval: tuple[float, float]
) -> tuple[tuple[float, float], bool]:
    """[low, high] centred on `centre` and holding `interval`, its ends rounded so that its
    midpoint is `centre` to six significant figures; where it would pass the figure's bounds
    (below 0, above 1 for a share) its half-width is cut to fit, and `cut` says so."""
    half = max(centre - interval[0], interval[1] - centre, 0.0)
    limit = min(centre, UPPER.get(name, math.inf) - centre)
    cut = half > limit
    if cut:
        half = limit * 0.999  # a price or rate stays above 0 once rounded
    digits = max(0, 5 - math.floor(math.log10(abs(centre)))) if centre > 0 else 6
    unit = 10.0**digits
    whole = round(centre * unit)  # the centre to six significant figures, in units
    # the half-width in whole units, wide enough for the centre's rounding too (or, cut,
    # never past the bound)
    slack = half + abs(centre - whole / unit)
    units = math.floor(half * unit) if cut else math.ceil(slack * unit - 1e-9)
    low, high = (whole - units) / unit, (whole + units) / unit
    return (low, high), cut


def _tier_shifts(
    scenario: Scenario, evidence: dict[tuple[str, str], dict[str, Evidence]]
) -> dict[tuple[tuple[str, str], str], float]:
    """Partial pooling: for each offer and rate, the factor its prior moves by, from the same
    tier's results on the other platforms (leaving its own out)."""
    offers = {(platform, tier): offer for platform, tier, offer in scenario.offers()}
    ratios: dict[tuple[str, str], dict[tuple[str, str], tuple[float, float]]] = {}
    for key, found in evidence.items():
        for name, item in found.items():
            if name not in RATE_FIGURES:
                continue
            kind = KINDS[name]
            prior = prior_of(scenario, offers[key], name)
            posterior = update(kind, prior, item)
            low, high = posterior.interval()
            spread = (math.log(max(high, 1e-300)) - math.log(max(low, 1e-300))) / (2 * Z)
            ratios.setdefault((key[1], name), {})[key] = (
                math.log(posterior.mean / prior.mean),
                spread**2,
            )
    shifts = {}
    for (_, name), by_offer in ratios.items():
        for key in by_offer:
            others = [value for other, value in by_offer.items() if other != key]
            if not others:
                continue
            weights = [1 / (variance + PLATFORM_SPREAD**2) for _, variance in others]
            total = sum(w * ratio for w, (ratio, _) in zip(weights, others, strict=True))
            shifts[(key, name)] = math.exp(total / (sum(weights) + 1 / TIER_SHIFT_SD**2))
    return shifts


def _learning(
    scenario: Scenario,
    offer: Offer,
    figures: Mapping[str, Figure],
    evidence: Mapping[str, Evidence],
    typical_phi: float,
    width: float,
    test_budget: float | None,
    source: str,
) -> Learning:
    """Posts of this offer that narrow its conversion rate's 80% interval to +-`width` of the
    figure (normal approximation of the beta: its pseudo-count must reach
    (Z / width)^2 (1 - p) / p - 1), each post adding its engagements over the offer's
    dispersion; and whether the emerging-test budget (`test_budget`) buys them."""
    if "conversion_rate" in figures and figures["conversion_rate"].posterior is not None:
        posterior = figures["conversion_rate"].posterior
    else:
        posterior = _prior_posterior("beta", prior_of(scenario, offer, "conversion_rate"))
    a, b = posterior.params
    p = a / (a + b)
    current = Z * math.sqrt(p * (1 - p) / (a + b + 1)) / p
    found = evidence.get("conversion_rate")
    phi = found.dispersion if found is not None and found.rows > 1 else typical_phi
    price = _figure_value(offer, figures, "cost_per_post", "cost_per_1k_followers")
    followers = float(midpoint(offer.followers))
    cost = price if offer.cost_per_post is not None else price * followers / 1000
    if offer.engagement_rate is not None:
        engagements = followers * _figure_value(offer, figures, "engagement_rate")
    else:
        engagements = cost / _figure_value(offer, figures, "cost_per_engagement")
    needed_count = (Z / width) ** 2 * (1 - p) / p - 1
    missing = max(0.0, needed_count - (a + b))
    posts = math.ceil(missing * phi / engagements) if engagements > 0 else None
    affordable = (
        math.floor(test_budget / cost + 1e-9) if test_budget is not None and cost > 0 else None
    )
    return Learning(
        width=width,
        current=current,
        posts_needed=posts,
        cost=None if posts is None else posts * cost,
        test_budget=test_budget,
        affordable=affordable,
        test_budget_from=source,
    )


def _figure_value(offer: Offer, figures: Mapping[str, Figure], *names: str) -> float:
    for name in names:
        if name in figures:
            return figures[name].calibrated
        value = getattr(offer, name)
        if value is not None:
            return float(midpoint(value))
    return 0.0
