"""JSON text as the commands print it: objects indented, each row of a list on a line of its own;
and figures as JSON carries them (`json_number`, `json_count`).

`json.dumps(..., indent=2)` runs Python's pure-Python encoder, a tenth of the speed of the C
one, and spreads every allocation row over a dozen lines. Here each object is indented and
each element of a list of rows is one compact line of the C encoder: the same data
(`json.loads` gives back what `json.dumps` would), in a tenth of the time, and a plan's
allocation reads as a table, one cell per line.
"""

from __future__ import annotations

import json
from typing import Any

_compact = json.JSONEncoder(separators=(", ", ": ")).encode


def json_text(data: Any, indent: int | None = 2) -> str:
    """`data` as JSON text; `indent=None` gives one line, as `json.dumps` does."""
    if indent is None:
        return json.dumps(data)
    return _text(data, 0, " " * indent)


def _finite(value: float | None) -> float | None:
    """The value as a float, None when missing (None, NaN) or infinite: JSON has neither."""
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return float(value)


def json_number(value: float | None) -> float | None:
    """A figure as JSON carries it: rounded to six places, None when missing or infinite."""
    number = _finite(value)
    return None if number is None else round(number, 6) + 0.0


def json_count(value: float | None) -> int | float | None:
    """A count as JSON carries it: an integer when whole; a fractional one (`integer: false`)
    keeps 12 significant digits, since every other figure is computed from it and 6 decimals
    of 0.0807551 would not reproduce them."""
    number = _finite(value)
    if number is None:
        return None
    if abs(number - round(number)) < 1e-6:
        return round(number)
    return float(f"{number:.12g}") + 0.0


def _text(value: Any, depth: int, step: str) -> str:
    inner, outer = step * (depth + 1), step * depth
    if isinstance(value, dict) and value:
        members = (
            f"{inner}{_key(key)}: {_text(item, depth + 1, step)}" for key, item in value.items()
        )
        return "{\n" + ",\n".join(members) + f"\n{outer}}}"
    if isinstance(value, list | tuple) and any(
        isinstance(item, dict | list | tuple) for item in value
    ):
        return "[\n" + ",\n".join(inner + _compact(item) for item in value) + f"\n{outer}]"
    return _compact(value)


def _key(key: Any) -> str:
    # JSON's own conversion of a key that is not a string (1 -> "1", True -> "true")
    return _compact({key: None})[1 : -len(": null}")]
