"""How figures read in every report."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

from optimizer.constants import MONEY_METRICS

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def missing(value: float | None) -> bool:
    """No figure: None, or NaN (how pandas keeps a missing number)."""
    return value is None or value != value


def counted(number: int, noun: str) -> str:
    """`1 constraint`, `3 constraints`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


CENTS_BELOW = 100.0
"""Amounts under this many units show their cents; larger ones read in whole units."""


def _has_cents(value: float) -> bool:
    """An amount that whole units would misstate: cents under 100 ($41.68), or under a cent
    and above zero (<$0.01)."""
    size = abs(round(value, 6))
    return (size < CENTS_BELOW and abs(size - math.floor(size + 0.5)) >= 0.005) or (
        0 < value < 0.005
    )


def needs_cents(values: Iterable[float | None]) -> bool:
    """Whether a column of amounts shows cents: as soon as one amount has any (so $39.00
    sits above $38.98, not $39); a column of whole or large amounts reads in whole units.
    Workbooks and every text report decide by this one rule."""
    return any(value is not None and not missing(value) and _has_cents(value) for value in values)


def money(value: float | None, currency: str = "USD", cents: bool | None = None) -> str:
    """An amount in the currency. `cents`: show them (True) or round to whole units (False),
    as its column does (`money_column`); left out, an amount alone: whole units from 100 up
    and for whole amounts ($4,950, $50), cents below ($41.68). Halves round up, as in
    accounting ($18,562.50 reads $18,563); under a cent above zero reads <$0.01."""
    if missing(value):
        return "-"
    assert value is not None
    if cents is None:
        cents = _has_cents(value)
    symbol = SYMBOLS.get(currency)
    sign = "-" if value < 0 and round(value, 2 if cents else 0) != 0 else ""
    size = round(abs(value), 6)  # 20872.499999999996 is a sum's float noise for 20872.5
    if 0 < value < 0.005:  # a cost per engagement of $0.0001 is not free
        return f"<{symbol}0.01" if symbol else f"<0.01 {currency}"
    if cents:
        amount = f"{math.floor(size * 100 + 0.5) / 100:,.2f}"
    else:
        amount = f"{math.floor(size + 0.5):,}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def money_column(values: Iterable[float | None], currency: str = "USD") -> list[str]:
    """A column of amounts at one precision: all with cents when any needs them."""
    values = list(values)
    cents = needs_cents(values)
    return [money(value, currency, cents) for value in values]


def unsigned_zero(text: str) -> str:
    """A figure that rounds to zero without its minus: -0.0 (a minimised zero, a rounding
    remainder) reads as 0.0."""
    return text.removeprefix("-") if text.strip("-0.,%") == "" else text


def quantity(value: float | None) -> str:
    if missing(value):
        return "-"
    assert value is not None
    whole = abs(value - round(value)) < 1e-9 or abs(value) >= 100
    return unsigned_zero(f"{value:,.0f}" if whole else f"{value:,.1f}")


def objective_unit(metric: str) -> str:
    """The metric an objective's figure counts: `min spend` (a minimised objective, as plans
    of different senses are labelled side by side) counts spend."""
    return metric.removeprefix("min ")


def objective_figure(
    value: float | None, metric: str, currency: str = "USD", cents: bool | None = None
) -> str:
    """An objective's value in its metric's unit: money (`cents` as `money` takes it), or a
    quantity."""
    if objective_unit(metric) in MONEY_METRICS:
        return money(value, currency, cents)
    return quantity(value)


def percent(value: float | None, digits: int = 1) -> str:
    if missing(value):
        return "-"
    assert value is not None
    return unsigned_zero(f"{100 * value:.{digits}f}%")


def rule_unit(kind: str, metric: str) -> Literal["percent", "money", "count"]:
    """The unit of a rule's value and bounds: a share, money, or a quantity."""
    if kind == "share":
        return "percent"
    if metric in MONEY_METRICS:
        return "money"
    return "count"


def shadow_step(kind: str, metric: str, currency: str = "USD") -> tuple[float, str]:
    """The step a planner thinks of a rule's bound in, for shadow prices: (its size in the
    rule's own unit, its name): a point of share, 1,000 of money, one influencer."""
    unit = rule_unit(kind, metric)
    if unit == "percent":
        return 0.01, "point of share"
    if unit == "money":
        return 1000.0, money(1000, currency)
    if metric == "count":
        return 1.0, "influencer"
    return 1.0, f"unit of {metric}"


def bound(
    value: float | None,
    kind: str,
    currency: str = "USD",
    metric: str = "",
    *,
    cents: bool | None = None,
) -> str:
    """A rule's value or bound in its own unit; `cents` as `money` takes it."""
    if value is None:
        return "-"
    unit = rule_unit(kind, metric)
    if unit == "percent":
        return percent(value)
    if unit == "money":
        return money(value, currency, cents)
    return quantity(value)
