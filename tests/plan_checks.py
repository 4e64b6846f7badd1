"""An independent check of a plan against the scenario format, worked out by hand.

Nothing here reuses the package's model code: the per-partnership metrics (section 3),
saturation (section 4), the presets (section 5 table) and the rules (section 6) are written
again from the format. Only the validated `Scenario` and the plan's counts come from the
package. `check_plan` returns every violation and every figure of the plan that disagrees
with the recomputation; an empty list means the plan is right.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Key = tuple[str, str, str]
"""(period, platform, tier)"""

METRICS = ("count", "spend", "reach", "engagements", "conversions", "revenue")
SATURATED = ("reach", "engagements", "conversions", "revenue")

# Relative tolerance of every comparison: solvers accept rows a hair outside their bounds.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Cell:
    """One (period, platform, tier) with its per-partnership figures after seasonality."""

    key: Key
    cost: float
    reach: float
    engagements: float
    conversions: float
    revenue: float
    lower: float
    upper: float
    platform_emerging: bool
    tier_emerging: bool
    segments: tuple[tuple[float, float], ...]
    """(up_to, factor) per segment; up_to is inf for the last."""

    @property
    def period(self) -> str:
        return self.key[0]

    @property
    def platform(self) -> str:
        return self.key[1]

    @property
    def tier(self) -> str:
        return self.key[2]


def mid(value: Any) -> float:
    """A number, or the midpoint of a [low, high] range."""
    if isinstance(value, list | tuple):
        low, high = value
        return (float(low) + float(high)) / 2
    return float(value)


def _segments(raw: Iterable[Any] | None) -> tuple[tuple[float, float], ...]:
    if not raw:
        return ((math.inf, 1.0),)
    return tuple(
        (math.inf if segment.up_to is None else float(segment.up_to), float(segment.factor))
        for segment in raw
    )


def cells_of(scenario: Any) -> dict[Key, Cell]:
    """Every cell of the scenario with its section 3 metrics, in no particular order."""
    aov = scenario.average_order_value or 0.0
    cells: dict[Key, Cell] = {}
    for period in scenario.periods:
        season = scenario.seasonality.get(period)
        s_cost = season.cost if season else 1.0
        s_eng = season.engagements if season else 1.0
        s_conv = season.conversions if season else 1.0
        s_reach = season.reach if season else 1.0
        for platform, spec in scenario.platforms.items():
            for tier, offer in spec.tiers.items():
                followers = mid(offer.followers)
                if offer.cost_per_post is not None:
                    c_base = mid(offer.cost_per_post)
                else:
                    c_base = mid(offer.cost_per_1k_followers) * followers / 1000
                if offer.engagement_rate is not None:
                    e_base = followers * mid(offer.engagement_rate)
                else:
                    e_base = c_base / mid(offer.cost_per_engagement)
                conversions = e_base * mid(offer.conversion_rate) * s_conv
                tier_def = scenario.tiers.get(tier)
                cells[(period, platform, tier)] = Cell(
                    key=(period, platform, tier),
                    cost=c_base * s_cost,
                    reach=followers * mid(offer.reach_rate) * s_reach,
                    engagements=e_base * s_eng,
                    conversions=conversions,
                    revenue=conversions * aov,
                    lower=float(offer.min),
                    upper=math.inf if offer.available is None else float(offer.available),
                    platform_emerging=bool(spec.emerging),
                    tier_emerging=bool(tier_def.emerging) if tier_def else False,
                    segments=_segments(offer.saturation or scenario.saturation),
                )
    return cells


def effective(count: float, segments: tuple[tuple[float, float], ...]) -> float:
    """Influencers weighted by their segment's factor, filling segment 1 first (section 4)."""
    total = 0.0
    start = 0.0
    for up_to, factor in segments:
        inside = min(max(count - start, 0.0), up_to - start)
        total += factor * inside
        start = up_to
        if count <= start:
            break
    return total


def outcomes(cells: Mapping[Key, Cell], counts: Mapping[Key, float]) -> dict[Key, dict[str, float]]:
    """count, spend and the saturated metrics of every cell (absent counts are zero)."""
    result = {}
    for key, cell in cells.items():
        n = float(counts.get(key, 0.0))
        weight = effective(n, cell.segments)
        figures = {"count": n, "spend": n * cell.cost}
        for metric in SATURATED:
            figures[metric] = weight * getattr(cell, metric)
        result[key] = figures
    return result


def totals_of(figures: Mapping[Key, Mapping[str, float]]) -> dict[str, float]:
    return {metric: sum(row[metric] for row in figures.values()) for metric in METRICS}


def objective_of(scenario: Any, totals: Mapping[str, float]) -> float:
    metric = scenario.objective.metric
    if metric == "profit":
        return totals["revenue"] - totals["spend"]
    return totals[metric]


def _matches(select: Any, cell: Cell) -> bool:
    """Section 6: a cell is kept when it matches every given key of `select`."""
    for names, value in (
        (select.platforms, cell.platform),
        (select.tiers, cell.tier),
        (select.periods, cell.period),
    ):
        if names is not None and value not in names:
            return False
    if select.emerging is not None:
        emerging = cell.platform_emerging or cell.tier_emerging
        if emerging != select.emerging:
            return False
    platform_emerging = getattr(select, "platform_emerging", None)
    return platform_emerging is None or cell.platform_emerging == platform_emerging


# --- presets, from the table of section 5 ------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A share rule on one metric: `picks` chooses the cells, `periods` limits `within`."""

    name: str
    picks: Callable[[Cell], bool]
    metric: str
    within: str
    periods: tuple[str, ...] | None
    low: float | None
    high: float | None


def _tiers(*names: str) -> Callable[[Cell], bool]:
    return lambda cell: cell.tier in names


def _established(test: Callable[[Cell], bool]) -> Callable[[Cell], bool]:
    # Section 5: "established" cells are those whose platform is not emerging.
    return lambda cell: test(cell) and not cell.platform_emerging


def _emerging(cell: Cell) -> bool:
    return cell.platform_emerging or cell.tier_emerging


def _around(target: float, tolerance: float) -> tuple[float, float]:
    return max(0.0, target - tolerance), min(1.0, target + tolerance)


PresetRow = tuple[str, Callable[[Cell], bool], str | None, float | None, float | None]
"""name, which cells, the period of a within-period rule, min, max"""


def preset_shares(preset: str, tolerance: float) -> list[Share]:
    """The share rules (on spend) of one preset, as the format's table states them."""
    micro, big = _tiers("micro"), _tiers("macro", "mega")
    table: dict[str, list[PresetRow]] = {
        "70-20-10": [
            ("70-20-10:proven-micro", _established(micro), None, *_around(0.70, tolerance)),
            ("70-20-10:macro-experiments", _established(big), None, *_around(0.20, tolerance)),
            ("70-20-10:emerging-tests", _emerging, None, *_around(0.10, tolerance)),
        ],
        "ecommerce": [("ecommerce:micro", micro, None, 0.80, 0.90)],
        "b2b-saas": [("b2b-saas:macro", big, None, 0.60, 0.70)],
        "consumer-app": [
            ("consumer-app:micro", micro, None, *_around(0.50, tolerance)),
            ("consumer-app:macro", big, None, *_around(0.50, tolerance)),
        ],
        "seasonal": [
            ("seasonal:q4-reach", big, "Q4", 0.30, None),
            ("seasonal:q1-micro", micro, "Q1", 0.75, None),
        ],
    }
    shares = []
    for name, picks, period, low, high in table[preset]:
        if period is None:
            shares.append(Share(name, picks, "spend", "total", None, low, high))
        else:
            in_period = _in_period(picks, period)
            shares.append(Share(name, in_period, "spend", "period", (period,), low, high))
    return shares


def _in_period(test: Callable[[Cell], bool], period: str) -> Callable[[Cell], bool]:
    return lambda cell: test(cell) and cell.period == period


def active_presets(scenario: Any, cells: Mapping[Key, Cell]) -> tuple[list[Share], list[str]]:
    """Preset share rules that apply, and the names of those left out (no period or no cell)."""
    active: list[Share] = []
    skipped: list[str] = []
    for preset in dict.fromkeys(scenario.rules.presets):
        for share in preset_shares(preset, scenario.rules.tolerance):
            missing_period = any(p not in scenario.periods for p in share.periods or ())
            if missing_period or not any(share.picks(cell) for cell in cells.values()):
                skipped.append(share.name)
            else:
                active.append(share)
    return active, skipped


def _own_shares(scenario: Any) -> list[Share]:
    shares = []
    for rule in scenario.rules.shares:
        select = rule.select
        periods = tuple(select.periods) if select.periods is not None else None
        shares.append(
            Share(
                rule.name,
                lambda cell, select=select: _matches(select, cell),
                rule.of,
                rule.within,
                periods,
                rule.min,
                rule.max,
            )
        )
    return shares


# --- constraint checks --------------------------------------------------------------------


def _slack(*scales: float) -> float:
    return TOLERANCE * max(1.0, *(abs(s) for s in scales if math.isfinite(s)))


def _bounds(name: str, value: float, low: float | None, high: float | None) -> list[str]:
    problems = []
    if low is not None and value < low - _slack(low, value):
        problems.append(f"{name}: {value:.9g} below its min {low:.9g}")
    if high is not None and value > high + _slack(high, value):
        problems.append(f"{name}: {value:.9g} above its max {high:.9g}")
    return problems


def _share_problems(
    share: Share,
    cells: Mapping[Key, Cell],
    figures: Mapping[Key, Mapping[str, float]],
    periods: list[str],
) -> list[str]:
    """sum(selected) >= min * sum(base) and <= max * sum(base): holds when nothing is bought."""
    if share.within == "total":
        groups = [(share.name, list(cells))]
    else:
        wanted = [p for p in periods if share.periods is None or p in share.periods]
        groups = [(f"{share.name}[{p}]", [k for k in cells if k[0] == p]) for p in wanted]
    problems = []
    for label, base in groups:
        whole = sum(figures[k][share.metric] for k in base)
        part = sum(figures[k][share.metric] for k in base if share.picks(cells[k]))
        slack = _slack(whole)
        if share.low is not None and part < share.low * whole - slack:
            problems.append(f"{label}: share {part:.9g}/{whole:.9g} below {share.low:g}")
        if share.high is not None and part > share.high * whole + slack:
            problems.append(f"{label}: share {part:.9g}/{whole:.9g} above {share.high:g}")
    return problems


def _limit_groups(rule: Any, cells: Mapping[Key, Cell]) -> dict[tuple[str, ...], list[Key]]:
    """Selected cells split by `per`; without `per` one group, even when it is empty."""
    position = {"period": 0, "platform": 1, "tier": 2}
    groups: dict[tuple[str, ...], list[Key]] = {} if rule.per else {(): []}
    for key, cell in cells.items():
        if _matches(rule.select, cell):
            group = tuple(key[position[d]] for d in rule.per)
            groups.setdefault(group, []).append(key)
    return groups


def _limit_problems(
    rule: Any, cells: Mapping[Key, Cell], figures: Mapping[Key, Mapping[str, float]]
) -> list[str]:
    problems = []
    for group, keys in _limit_groups(rule, cells).items():
        label = rule.name + (f"[{','.join(group)}]" if group else "")
        for metric in METRICS:
            bound = getattr(rule, metric)
            if bound is None:
                continue
            value = sum(figures[k][metric] for k in keys)
            problems += _bounds(f"{label}.{metric}", value, bound.min, bound.max)
    return problems


def _offer_problems(
    scenario: Any, cells: Mapping[Key, Cell], counts: Mapping[Key, float]
) -> list[str]:
    problems = []
    for key, cell in cells.items():
        n = float(counts.get(key, 0.0))
        name = f"platforms.{cell.platform}.tiers.{cell.tier}[{cell.period}]"
        if n < cell.lower - TOLERANCE:
            problems.append(f"{name}.min: count {n:g} below {cell.lower:g}")
        if n > cell.upper + TOLERANCE:
            problems.append(f"{name}.available: count {n:g} above {cell.upper:g}")
        if scenario.integer and abs(n - round(n)) > TOLERANCE:
            problems.append(f"{name}: count {n!r} is not whole")
    unknown = [key for key in counts if key not in cells]
    problems += [f"count for {key}, which is not a cell" for key in unknown]
    return problems


def violations(
    scenario: Any, counts: Mapping[Key, float], cells: Mapping[Key, Cell] | None = None
) -> list[str]:
    """Every rule of sections 5 and 6 (and the offers' bounds) that the counts break."""
    cells = cells_of(scenario) if cells is None else cells
    figures = outcomes(cells, counts)
    problems = _offer_problems(scenario, cells, counts)
    spend = sum(row["spend"] for row in figures.values())
    if scenario.budget.total is not None:
        problems += _bounds("budget", spend, None, scenario.budget.total)
    for period, bounds in scenario.budget.periods.items():
        in_period = sum(figures[k]["spend"] for k in cells if k[0] == period)
        problems += _bounds(f"budget:{period}", in_period, bounds.min, bounds.max)
    presets, _ = active_presets(scenario, cells)
    for share in presets + _own_shares(scenario):
        problems += _share_problems(share, cells, figures, scenario.periods)
    for rule in scenario.rules.limits:
        problems += _limit_problems(rule, cells, figures)
    return problems


def evaluate(
    scenario: Any, counts: Mapping[Key, float], cells: Mapping[Key, Cell] | None = None
) -> tuple[list[str], float]:
    """Violations and objective value of a set of counts (what brute force needs)."""
    cells = cells_of(scenario) if cells is None else cells
    figures = outcomes(cells, counts)
    return violations(scenario, counts, cells), objective_of(scenario, totals_of(figures))


def brute_force(
    scenario: Any, most: int | None = None
) -> tuple[float | None, list[dict[Key, float]]]:
    """The best objective over every combination of whole counts, and every plan reaching it.

    Each cell's count runs from its `min` to its `available`, or to `most` when that is
    smaller (one of the two must be given). Returns (None, []) when no combination keeps
    every rule.
    """
    cells = cells_of(scenario)
    keys = list(cells)
    tops = {k: min(cells[k].upper, math.inf if most is None else most) for k in keys}
    ranges = {k: range(int(cells[k].lower), int(tops[k]) + 1) for k in keys}
    best: float | None = None
    winners: list[dict[Key, float]] = []
    sign = 1.0 if scenario.objective.sense == "maximize" else -1.0
    for combination in itertools.product(*(list(ranges[k]) for k in keys)):
        counts = dict(zip(keys, map(float, combination), strict=True))
        problems, value = evaluate(scenario, counts, cells)
        if problems:
            continue
        if best is None or sign * value > sign * best + 1e-9 * max(1.0, abs(best)):
            best, winners = value, [counts]
        elif abs(value - best) <= 1e-9 * max(1.0, abs(best)):
            winners.append(counts)
    return best, winners


# --- the plan's own figures ---------------------------------------------------------------


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def plan_counts(plan: Any) -> dict[Key, float]:
    """The plan's counts by cell, read from its allocation (cells left out hold zero)."""
    return {
        (str(period), str(platform), str(tier)): float(row["count"])
        for (period, platform, tier), row in plan.allocation.iterrows()
    }


def _figure_problems(
    plan: Any, cells: Mapping[Key, Cell], figures: Mapping[Key, Mapping[str, float]]
) -> list[str]:
    problems = []
    allocation = plan.allocation
    if list(allocation.index.names) != ["period", "platform", "tier"]:
        problems.append(f"allocation index is {allocation.index.names}")
    for (period, platform, tier), row in allocation.iterrows():
        key = (period, platform, tier)
        if key not in cells:
            continue
        if not row["count"] > 0:
            problems.append(f"allocation lists {key} with count {row['count']}")
        for metric in METRICS:
            if not _close(float(row[metric]), figures[key][metric]):
                problems.append(
                    f"allocation {key} {metric}: plan says {row[metric]!r},"
                    f" recomputed {figures[key][metric]!r}"
                )
    mine = totals_of(figures)
    for metric in METRICS:
        reported = plan.totals.get(metric)
        if reported is None or not _close(float(reported), mine[metric]):
            problems.append(f"totals {metric}: plan says {reported!r}, recomputed {mine[metric]!r}")
        summed = float(allocation[metric].sum()) if len(allocation) else 0.0
        if not _close(summed, mine[metric]):
            problems.append(f"allocation {metric} adds up to {summed!r}, not {mine[metric]!r}")
    return problems


def _rule_report_problems(
    scenario: Any, plan: Any, cells: Mapping[Key, Cell], skipped: list[str]
) -> list[str]:
    """The plan reports each rule it enforced, and only those; each report is in bounds."""
    problems = []
    if sorted(rule.name for rule in plan.skipped) != sorted(skipped):
        problems.append(f"skipped rules {[r.name for r in plan.skipped]}, expected {skipped}")
    presets, _ = active_presets(scenario, cells)
    expected = {share.name for share in presets}
    expected |= {rule.name for rule in scenario.rules.shares}
    expected |= {rule.name for rule in scenario.rules.limits if _limit_groups(rule, cells)}
    if scenario.budget.total is not None:
        expected.add("budget")
    expected |= {
        f"budget:{p}"
        for p, b in scenario.budget.periods.items()
        if b.min is not None or b.max is not None
    }
    reported = {rule.rule for rule in plan.rules}
    if reported != expected:
        problems.append(f"rules reported {sorted(reported)}, expected {sorted(expected)}")
    for rule in plan.rules:
        if rule.value is not None:
            wrong = _bounds(rule.name, rule.value, rule.min, rule.max)
            problems += [f"report of {p}" for p in wrong]
    return problems


def check_plan(scenario: Any, plan: Any) -> list[str]:
    """Everything wrong with a plan that claims to have one: broken rules and wrong figures."""
    if not plan.status.has_plan:
        return [f"status {plan.status} has no plan"]
    cells = cells_of(scenario)
    counts = plan_counts(plan)
    figures = outcomes(cells, counts)
    problems = violations(scenario, counts)
    problems += _figure_problems(plan, cells, figures)
    objective = objective_of(scenario, totals_of(figures))
    if plan.objective is None or not _close(float(plan.objective), objective):
        problems.append(f"objective: plan says {plan.objective!r}, recomputed {objective!r}")
    if plan.metric != scenario.objective.metric or plan.sense != scenario.objective.sense:
        problems.append(f"plan optimises {plan.sense} {plan.metric}")
    _, skipped = active_presets(scenario, cells)
    problems += _rule_report_problems(scenario, plan, cells, skipped)
    return problems
