"""What the page edits, read from a scenario; and the edits written as a file that extends it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from optimizer.errors import ScenarioError
from optimizer.scenario.schema import midpoint
from optimizer.web.jobs import Job, problems_of, replace_objective
from optimizer.web.workspace import Loaded

if TYPE_CHECKING:
    from optimizer.scenario.schema import Bounds, Scenario


def describe(loaded: Loaded) -> dict[str, Any]:
    """The scenario as the page shows it: its merged fields (the lists the page restates
    when a rule's bound changes), the form's values, the presets; or its problems."""
    from optimizer.constants import OBJECTIVES
    from optimizer.scenario.loading import scenario_from_dict
    from optimizer.scenario.presets import PRESETS

    out: dict[str, Any] = {
        "path": loaded.path,
        "data": loaded.data,
        "presets": [
            {"name": preset.name, "description": preset.description} for preset in PRESETS.values()
        ],
        "objectives": [*OBJECTIVES, "minimize spend"],
    }
    try:
        scenario = scenario_from_dict(loaded.data, source=loaded.path)
    except ScenarioError as error:
        out["problems"] = problems_of(error)
        out["name"] = loaded.data.get("name") if isinstance(loaded.data.get("name"), str) else None
        return out
    out["name"] = scenario.name
    out["form"] = form_of(scenario)
    return out


def _bounds(bounds: Bounds | None) -> dict[str, float | None]:
    if bounds is None:
        return {"min": None, "max": None}
    return {"min": bounds.min, "max": bounds.max}


def form_of(scenario: Scenario) -> dict[str, Any]:
    objective = scenario.objective
    shown = "minimize spend" if objective.sense == "minimize" else objective.metric
    limits = []
    for rule in scenario.rules.limits:
        metrics = {
            metric: _bounds(getattr(rule, metric))
            for metric in ("count", "spend", "reach", "engagements", "conversions", "revenue")
            if getattr(rule, metric) is not None
        }
        limits.append({"name": rule.name, "per": list(rule.per), "bounds": metrics})
    offers = []
    for platform, entry in scenario.platforms.items():
        for tier, offer in entry.tiers.items():
            offers.append(
                {
                    "platform": platform,
                    "tier": tier,
                    "available": None if offer.available is None else midpoint(offer.available),
                    "min": midpoint(offer.min),
                }
            )
    return {
        "currency": scenario.currency,
        "periods": list(scenario.periods),
        "budget": {
            "total": scenario.budget.total,
            "periods": {
                period: _bounds(scenario.budget.periods.get(period)) for period in scenario.periods
            },
        },
        "objective": shown,
        "objective_detail": objective.risk is not None or objective.target is not None,
        "average_order_value": scenario.average_order_value,
        "presets": list(scenario.rules.presets),
        "tolerance": scenario.rules.tolerance,
        "shares": [
            {
                "name": rule.name,
                "of": rule.of,
                "within": rule.within,
                "min": rule.min,
                "max": rule.max,
                "select": {
                    key: value
                    for key, value in rule.select.model_dump().items()
                    if value is not None
                },
            }
            for rule in scenario.rules.shares
        ],
        "limits": limits,
        "offers": offers,
        "uncertainty": scenario.uncertainty is not None,
        "gap": scenario.solver.gap,
    }


def child_text(job: Job, scenario: Scenario, original: Path, target: Path) -> str:
    """The edits as a scenario file beside `target` that extends `original`: only what the
    page changed, so every other field still comes from the original."""
    extends = Path(os.path.relpath(original, target.parent)).as_posix()
    document: dict[str, Any] = {
        "name": f"{scenario.name} ({target.stem})",
        "extends": extends,
        **replace_objective(job.data, job.edits),
    }
    lines = [
        f"# {target.name}: {original.name} as edited on the planning page. Only the fields",
        "# changed are written; every other one comes from the file it extends. A list",
        "# (rules.shares, rules.limits, rules.presets) is restated whole.",
    ]
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return "\n".join(lines) + "\n" + body
