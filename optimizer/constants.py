"""Names of metrics, dimensions and defaults, in one place."""

from __future__ import annotations

from typing import Final, Literal

DIMENSIONS: Final = ("period", "platform", "tier")

# Outcomes that saturation (section 4 of the format) scales; cost and count are never scaled.
SATURATED_METRICS: Final = ("reach", "engagements", "conversions", "revenue")
# Every per-cell figure a rule, the objective or a report can name, in report order.
METRICS: Final = ("count", "spend", *SATURATED_METRICS)

ShareMetric = Literal["spend", "count", "reach", "engagements", "conversions"]
"""What a share rule can take a share of."""
Within = Literal["total", "period"]
"""A share of the whole plan, or one share per period."""
LIMIT_METRICS: Final = METRICS
OBJECTIVES: Final = ("conversions", "revenue", "profit", "reach", "engagements")
# Metrics counted in money: reports show them with the currency, conflicts to the cent.
MONEY_METRICS: Final = ("spend", "revenue", "profit")
# The built-in rule sets, in the order `optimizer presets` lists them. A scenario names them
# here, below the models `optimizer.scenario.presets` builds their rules from.
PRESET_NAMES: Final = ("70-20-10", "ecommerce", "b2b-saas", "consumer-app", "seasonal")

DEFAULT_PERIODS: Final = ("Q1", "Q2", "Q3", "Q4")
DEFAULT_TOLERANCE: Final = 0.05
DEFAULT_TIME_LIMIT: Final = 60.0
DEFAULT_GAP: Final = 1e-4
DEFAULT_SOLVER: Final = "highs"
SolverName = Literal["highs", "cbc"]
"""The solvers a scenario file can name."""

# A rule binds when its value is this close to a bound, relative to the bound's scale.
BINDING_TOLERANCE: Final = 1e-6

# The largest figure a scenario may give (budget, followers, price, order value).
MAX_FIGURE: Final = 1e12
