"""Uncertain figures (section 8 of the format): Monte Carlo draws of the offers' ranges, the
risk model built on the v1 model, and what a plan's outcomes look like over the draws.

- `draws`: multipliers `m[s, cell, k]` for k = cost, engagements, conversions, reach, drawn
  from the scenario's ranges or read from a draws file, kept once per group of cells that
  move together (by default an offer's cells in every period);
- `model`: the v1 model with the objective taken over the draws (expected value, CVaR, or the
  least spend that reaches a target with a probability);
- `outcomes`: a plan's outcomes in every draw and their summary (mean, percentiles, CVaR);
- `solve`: the uncertain solve that `optimizer.solve` hands a scenario with uncertainty to.
"""

from __future__ import annotations

from optimizer.scenario.schema import Scenario, Uncertainty


def settings_of(scenario: Scenario) -> Uncertainty | None:
    """The scenario's uncertainty settings: its `uncertainty`, the defaults where only the
    objective asks for draws (a risk or a target), else None (a v1 scenario)."""
    if scenario.uncertainty is not None:
        return scenario.uncertainty
    if scenario.objective.uncertain:
        return Uncertainty()
    return None


__all__ = ["settings_of"]
