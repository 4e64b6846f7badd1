"""The JSON the commands print: the data `json.dumps` would give, one row per line."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from optimizer.jsontext import json_text

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_it_reads_back_as_the_data(value: object) -> None:
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


def test_objects_are_indented_and_each_row_of_a_list_is_one_line() -> None:
    plan = {
        "status": "optimal",
        "totals": {"count": 3, "spend": 900.0},
        "allocation": [{"period": "Q1", "count": 1}, {"period": "Q2", "count": 2}],
        "periods": ["Q1", "Q2"],
    }
    assert json_text(plan).splitlines() == [
        "{",
        '  "status": "optimal",',
        '  "totals": {',
        '    "count": 3,',
        '    "spend": 900.0',
        "  },",
        '  "allocation": [',
        '    {"period": "Q1", "count": 1},',
        '    {"period": "Q2", "count": 2}',
        "  ],",
        '  "periods": ["Q1", "Q2"]',
        "}",
    ]


def test_no_indent_is_one_line_and_keys_convert_as_json_does() -> None:
    assert json_text({"a": [1, {"b": None}]}, None) == '{"a": [1, {"b": null}]}'
    assert json.loads(json_text({1: 2.5, None: math.inf})) == {"1": 2.5, "null": math.inf}
