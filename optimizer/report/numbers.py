"""How figures read in every report."""

from __future__ import annotations

import math
from typing import Literal

from optimizer.constants import MONEY_METRICS

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def missing(value: float | None) -> bool:
    """No figure: None, or NaN (how pandas keeps a missing number)."""
    return value is None or value != value


def counted(number: int, noun: str) -> str:
    """`1 constraint`, `3 constraints`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def money(value: float | None, currency: str = "USD") -> str:
    """Whole units from 100 up and for whole amounts ($4,950, $50), cents below ($41.68);
    halves round up, as in accounting ($18,562.50 reads $18,563)."""
    if missing(value):
        return "-"
    assert value is not None
    symbol = SYMBOLS.get(currency)
    sign = "-" if value < 0 and round(value, 2) != 0 else ""
    size = round(abs(value), 6)  # 20872.499999999996 is a sum's float noise for 20872.5
    if 0 < value < 0.005:  # a cost per engagement of $0.0001 is not free
        return f"<{symbol}0.01" if symbol else f"<0.01 {currency}"
    whole = math.floor(size + 0.5)
    amount = f"{whole:,}" if size >= 100 or abs(size - whole) < 0.005 else f"{size:,.2f}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


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


def objective_figure(value: float | None, metric: str, currency: str = "USD") -> str:
    """An objective's value in its metric's unit: money, or a quantity."""
    if objective_unit(metric) in MONEY_METRICS:
        return money(value, currency)
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


def bound(value: float | None, kind: str, currency: str = "USD", metric: str = "") -> str:
    """A rule's value or bound in its own unit."""
    if value is None:
        return "-"
    unit = rule_unit(kind, metric)
    if unit == "percent":
        return percent(value)
    if unit == "money":
        return money(value, currency)
    return quantity(value)
