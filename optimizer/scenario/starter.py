"""A starter scenario: a commented YAML file that extends the built-in rate card, for
`optimizer init` and for callers who write one from Python.

Every key the planner is likely to change is written out with a comment that says what it
does; the rest of the format shows as commented-out examples. The text is checked before it
is returned, so what `init` writes always validates.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence

import yaml

from optimizer.constants import (
    DEFAULT_GAP,
    DEFAULT_PERIODS,
    DEFAULT_TIME_LIMIT,
    DEFAULT_TOLERANCE,
    MAX_FIGURE,
    OBJECTIVES,
    PRESET_NAMES,
)
from optimizer.errors import OptimizerError

RATE_CARD = "benchmarks-2026"
"""The built-in rate card a starter extends."""
DEFAULT_PRESET = "70-20-10"
DEFAULT_PLATFORMS = ("tiktok", "instagram", "youtube")
DEFAULT_BUDGET = 250_000.0
DEFAULT_OBJECTIVE = "conversions"
NO_PRESET = "none"
ORDER_VALUE = 50
"""The average order value a revenue or profit starter writes, for the planner to replace."""


def rate_card_platforms() -> list[str]:
    """The platforms of the built-in rate card, in its order."""
    from optimizer.scenario.loading import BUILTIN_DIR, read_document

    platforms = read_document(BUILTIN_DIR / f"{RATE_CARD}.yaml")["platforms"]
    return list(platforms)


def starter_scenario(
    *,
    name: str = "New plan",
    preset: str = DEFAULT_PRESET,
    platforms: Sequence[str] = DEFAULT_PLATFORMS,
    budget: float = DEFAULT_BUDGET,
    periods: Sequence[str] = DEFAULT_PERIODS,
    objective: str = DEFAULT_OBJECTIVE,
) -> str:
    """The text of a commented starter scenario file (YAML) that validates and solves.

    `preset` is one of the built-in presets or "none"; `platforms` a subset of the rate
    card's (the others are removed with `null`); `budget` the total; `periods` the planning
    buckets; `objective` the outcome to maximise. Raises OptimizerError for a value the
    starter cannot use, naming the choices."""
    card = rate_card_platforms()
    chosen = _platforms(platforms, card)
    periods = _periods(periods)
    budget = _budget(budget)
    if preset not in (*PRESET_NAMES, NO_PRESET):
        raise OptimizerError(
            f"unknown preset {preset!r}; choose from {', '.join(PRESET_NAMES)} or {NO_PRESET}"
        )
    if objective not in OBJECTIVES:
        raise OptimizerError(
            f"unknown objective {objective!r}; choose from {', '.join(OBJECTIVES)}"
        )
    if not isinstance(name, str) or not name.strip():
        raise OptimizerError("the scenario needs a name")
    text = _text(name.strip(), preset, chosen, card, budget, periods, objective)
    _check(text)
    return text


def _platforms(platforms: Sequence[str] | str, card: list[str]) -> list[str]:
    names = _names(platforms)
    unknown = [platform for platform in names if platform not in card]
    if unknown:
        raise OptimizerError(
            f"the {RATE_CARD} rate card has no platform {', '.join(map(repr, unknown))};"
            f" choose from {', '.join(card)} (add others to the file once it is written)"
        )
    if not names:
        raise OptimizerError(f"give at least one platform: {', '.join(card)}")
    return [platform for platform in card if platform in names]  # the rate card's order


def _periods(periods: Sequence[str] | str) -> list[str]:
    names = _names(periods)
    if not names:
        raise OptimizerError("give at least one period, such as Q1,Q2,Q3,Q4")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise OptimizerError(f"periods must be unique; repeated: {', '.join(repeated)}")
    return names


def _names(values: Sequence[str] | str) -> list[str]:
    """Names from a list or from text such as "tiktok, instagram"."""
    if isinstance(values, str):
        values = values.split(",")
    return [str(value).strip() for value in values if str(value).strip()]


def _budget(budget: float) -> float:
    if isinstance(budget, bool) or not isinstance(budget, int | float):
        raise OptimizerError(f"the budget must be a number, got {budget!r}")
    if not (math.isfinite(budget) and 0 < budget <= MAX_FIGURE):
        raise OptimizerError(f"the budget must be above 0 and at most 1e12, got {budget:g}")
    return float(budget)


def _scalar(text: str) -> str:
    """A name as YAML reads it back unchanged: bare where that is safe, else quoted."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ -]*[A-Za-z0-9_]|[A-Za-z_]", text)
    if plain and yaml.safe_load(text) == text:
        return text
    return json.dumps(text)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _flow(names: Sequence[str]) -> str:
    return "[" + ", ".join(map(_scalar, names)) + "]"


def _line(code: str, comment: str, column: int = 32) -> str:
    """A line of YAML with its comment lined up (or one space after a long line)."""
    return f"{code.ljust(column - 1)} # {comment}" if comment else code


def _text(
    name: str,
    preset: str,
    chosen: list[str],
    card: list[str],
    budget: float,
    periods: list[str],
    objective: str,
) -> str:
    from optimizer.scenario.presets import PRESETS

    removed = [platform for platform in card if platform not in chosen]
    # The rate card makes Q1 cheaper and Q4 dearer; a period this plan lacks is removed.
    seasonal = [period for period in ("Q1", "Q4") if period not in periods]
    example = periods[-1]
    lines = [
        "# A starter scenario: the built-in rate card with your platforms, budget and rules.",
        "# Check it with `optimizer validate FILE`, plan with `optimizer solve FILE`. The format",
        "# is docs/scenario-format.md; `optimizer schema` gives the JSON Schema for editors.",
        "",
        _line(f"name: {_scalar(name)}", "shown in reports"),
        _line(f"extends: {RATE_CARD}", "start from the built-in rate card (industry"),
        _line("", "benchmarks quoted for 2026); every key below"),
        _line("", "overrides it, key by key; null removes a key"),
        _line(f"periods: {_flow(periods)}", "planning buckets, in order"),
        "",
        "budget:",
        _line(f"  total: {_number(budget)}", "most to spend over all periods, in USD"),
        _line("  # periods:", "bounds on one period's spend, e.g."),
        f"  #   {_scalar(example)}: {{min: {_number(budget / (2 * len(periods)))}}}",
        "",
        _line(f"objective: {objective}", "what to maximise: " + " | ".join(OBJECTIVES[:3]) + " |"),
        _line("", " | ".join(OBJECTIVES[3:]) + "; or {minimize: spend}"),
    ]
    order_value = "average_order_value: " + str(ORDER_VALUE)
    if objective in ("revenue", "profit"):
        lines.append(_line(order_value, "revenue per conversion: put your own figure"))
    else:
        lines.append(_line("# " + order_value, "revenue per conversion, for revenue or profit"))
    lines.append("")
    platforms_comment = f"the rate card's platforms: {', '.join(card)}"
    indent = "  #" if removed else "#  "
    example_lines = [
        _line(f"{indent} {chosen[0]}:", "change an offer key by key, e.g. your own"),
        _line(f"{indent}   tiers:", "pool of creators and price per post:"),
        f"{indent}     micro: {{available: 20, cost_per_post: 1500}}",
    ]
    if removed:
        lines.append(_line("platforms:", platforms_comment))
        lines += [_line(f"  {platform}: null", "left out of this plan") for platform in removed]
    else:
        lines.append(_line("# platforms:", platforms_comment))
    lines += example_lines
    lines.append("")
    if seasonal:
        lines.append(_line("seasonality:", "the rate card's multipliers name quarters"))
        lines += [_line(f"  {period}: null", "not a period of this plan") for period in seasonal]
    else:
        lines.append(_line("# seasonality:", "multipliers per period (the rate card makes"))
        lines.append(
            _line(f"#   {_scalar(periods[0])}: {{cost: 0.9}}", "Q1 10% cheaper, Q4 15% dearer)")
        )
    lines += [
        _line("# saturation:", "diminishing returns as a cell fills up:"),
        _line("#   - {up_to: 10, factor: 1.0}", "the first 10 creators count fully,"),
        _line("#   - {factor: 0.7}", "the rest at 70%"),
        "",
        "rules:",
    ]
    if preset == NO_PRESET:
        lines.append(_line("  presets: []", "built-in rule sets: `optimizer presets`"))
    else:
        lines.append(f"  # {preset}: {PRESETS[preset].description}")
        lines.append(
            _line(f"  presets: [{json.dumps(preset)}]", "built-in rule sets: `optimizer presets`")
        )
    lines += [
        _line(f"  tolerance: {DEFAULT_TOLERANCE:g}", "+- width around a preset's targets"),
        _line("  # shares:", "a selection's share of spend (or count,"),
        _line("", "reach, engagements, conversions):"),
        f"  #   - {{name: {chosen[0]}-cap, select: {{platforms: [{chosen[0]}]}}, of: spend,"
        " max: 0.5}",
        _line("  # limits:", "bounds on totals, e.g. one mega creator a period:"),
        "  #   - {name: mega-per-period, select: {tiers: [mega]}, per: [period], count: {max: 1}}",
        "",
        "solver:",
        _line(f"  time_limit: {DEFAULT_TIME_LIMIT:g}", "seconds at most"),
        _line(f"  gap: {DEFAULT_GAP:g}", f"stop within {DEFAULT_GAP:.2%} of the best possible"),
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _check(text: str) -> None:
    """What the starter writes must validate: a name or period YAML cannot hold is refused."""
    from optimizer.errors import ScenarioError
    from optimizer.scenario.loading import scenario_from_dict

    try:
        scenario_from_dict(yaml.safe_load(text), source="the starter scenario")
    except ScenarioError as error:
        raise OptimizerError(str(error)) from None
