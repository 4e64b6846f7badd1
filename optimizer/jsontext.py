"""JSON text as the commands print it: objects indented, each row of a list on a line of its own.

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
