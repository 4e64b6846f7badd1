"""Checks that span several fields of a scenario: references, required companions, unique names."""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.errors import Problem
from optimizer.scenario.presets import PRESETS
from optimizer.scenario.schema import Scenario, Select, midpoint


def _unknown(kind: str, names: Iterable[str], known: Iterable[str]) -> str | None:
    known = list(known)
    missing = [name for name in names if name not in known]
    if not missing:
        return None
    listed = ", ".join(repr(name) for name in missing)
    return f"unknown {kind} {listed}; the scenario has {', '.join(known) or 'none'}"


def _select_problems(path: str, select: Select, scenario: Scenario) -> list[Problem]:
    # Any tier the scenario defines (the built-in ones too) may be selected, offered or not:
    # a rule written for mega creators still reads right for a rate card without them.
    checks = (
        ("platforms", "platform", select.platforms, list(scenario.platforms)),
        ("tiers", "tier", select.tiers, list(scenario.tiers)),
        ("periods", "period", select.periods, scenario.periods),
    )
    problems = []
    for field, kind, names, known in checks:
        if names is not None and (message := _unknown(kind, names, known)):
            problems.append(Problem(f"{path}.select.{field}", message))
    return problems


def check_scenario(scenario: Scenario) -> list[Problem]:
    """Every cross-field problem of a structurally valid scenario."""
    problems: list[Problem] = []
    objective = scenario.objective
    if objective.metric in ("revenue", "profit") and scenario.average_order_value is None:
        problems.append(
            Problem(
                "average_order_value",
                f"required when the objective is {objective.metric}: give the revenue per"
                " conversion",
            )
        )
    target = objective.target
    if target is not None and target.metric == "revenue" and scenario.average_order_value is None:
        problems.append(
            Problem(
                "average_order_value",
                "required for a revenue target: give the revenue per conversion",
            )
        )
    if objective.sense == "maximize" and scenario.budget.total is None:
        problems.append(
            Problem("budget.total", "required unless the objective is {minimize: spend}")
        )
    for field, keys in (
        ("budget.periods", scenario.budget.periods),
        ("seasonality", scenario.seasonality),
    ):
        for key in keys:
            if key not in scenario.periods:
                problems.append(
                    Problem(f"{field}.{key}", _unknown("period", [key], scenario.periods) or "")
                )
    if not scenario.offers() and scenario.roster is None:
        problems.append(Problem("platforms", "give at least one platform with at least one tier"))
    for platform, tier, offer in scenario.offers():
        fewest, most = offer.count_bounds(scenario.integer)
        if fewest > most:
            # the offer itself checks the midpoints; this is what rounding to whole people adds
            problems.append(
                Problem(
                    f"platforms.{platform}.tiers.{tier}.available",
                    f"no whole number of influencers lies between min ({midpoint(offer.min):g},"
                    f" at least {fewest:g}) and available ({midpoint(offer.available or 0):g},"
                    f" at most {most:g}); give a pool of at least {fewest:g}, or set"
                    " integer: false",
                )
            )
        if tier not in scenario.tiers:
            problems.append(
                Problem(
                    f"platforms.{platform}.tiers.{tier}",
                    f"unknown tier {tier!r}: define it under tiers (built in: nano, micro,"
                    " macro, mega)",
                )
            )

    rules = scenario.rules
    seen: dict[str, str] = {}
    for preset in dict.fromkeys(rules.presets):
        for preset_rule in PRESETS[preset].rules:
            seen.setdefault(preset_rule.name, f"preset {preset}")
    named = [(f"rules.shares[{i}]", r) for i, r in enumerate(rules.shares)] + [
        (f"rules.limits[{i}]", r) for i, r in enumerate(rules.limits)
    ]
    for path, rule in named:
        if rule.name in seen or rule.name == "budget" or rule.name.startswith("budget:"):
            problems.append(
                Problem(
                    f"{path}.name",
                    f"duplicate rule name {rule.name!r} (also {seen.get(rule.name, 'the budget')});"
                    " rule names must be unique",
                )
            )
        seen.setdefault(rule.name, path)
        problems.extend(_select_problems(path, rule.select, scenario))
        revenue_bound = getattr(rule, "revenue", None)
        if revenue_bound is not None and scenario.average_order_value is None:
            problems.append(
                Problem(
                    f"{path}.revenue",
                    "a revenue limit needs average_order_value (revenue per conversion)",
                )
            )
    return problems
