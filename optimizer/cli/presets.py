"""`optimizer presets`: the built-in rule presets and the share rules they expand to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import console

if TYPE_CHECKING:
    from optimizer.scenario.schema import Select


@app.command(cls=_Command)
def presets(
    tolerance: Annotated[
        float,
        typer.Option(min=0.0, max=0.5, metavar="SHARE", help="rules.tolerance to expand with."),
    ] = 0.05,
) -> None:
    """List the built-in rule presets and the share rules each expands to."""
    from rich.table import Table

    from optimizer.scenario.presets import PRESETS

    out = console()
    out.print(f"Presets, expanded with tolerance {tolerance:g}; all are shares of spend.")
    for preset in PRESETS.values():
        table = Table(title=f"{preset.name}: {preset.description}", title_justify="left")
        table.add_column("Rule")
        table.add_column("Share of spend on")
        table.add_column("Bounds", justify="right")
        for preset_rule in preset.rules:
            rule = preset_rule.expand(tolerance)
            scope = describe_select(rule.select)
            if rule.within == "period":
                scope += ", of that period's spend"
            low, high = rule.min, rule.max
            bounds = (
                f"at least {_percent(low or 0)}"
                if high is None
                else f"{_percent(low or 0)} to {_percent(high)}"
            )
            table.add_row(rule.name, scope, bounds)
        out.print(table)


def _percent(share: float) -> str:
    """67.5% stays 67.5%: whole percents would hide a tolerance such as 0.025."""
    return f"{share * 100:.4g}%"


def describe_select(select: Select) -> str:
    """A selection in words: "tiers macro, mega in Q4, established"."""
    parts = []
    for label, names in (("tier", select.tiers), ("platform", select.platforms)):
        if names:
            parts.append(f"{label}{'s' if len(names) > 1 else ''} {', '.join(names)}")
    if select.periods:
        parts.append(f"in {', '.join(select.periods)}")
    if select.emerging is True:
        parts.append("emerging platform or tier")
    elif select.emerging is False:
        parts.append("on neither an emerging platform nor tier")
    if select.platform_emerging is True:
        parts.append("on emerging platforms")
    elif select.platform_emerging is False:
        parts.append("on established platforms")
    return " ".join(parts) if parts else "all cells"
