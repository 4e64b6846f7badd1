"""Every bad scenario gets a clear error: the file, the field's path and what to fix.

Errors are checked by their text, the way a planner reads them: each problem is one line
`FILE: PATH: MESSAGE` (or `FILE: MESSAGE` when the whole file is at fault). The same
errors are then checked on the command line: exit code 2, the file and path on standard
error, no traceback and no output file left behind.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from child_process import run
from typer.testing import CliRunner, Result

import optimizer
from optimizer.cli import app
from optimizer.constants import PRESET_NAMES
from optimizer.errors import Problem, ScenarioError
from optimizer.model.linear import build_model
from optimizer.scenario.loading import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios").glob("*/*.yaml")
)

OFFER = "platforms.tiktok.tiers.micro"
MICRO = {
    "followers": 30_000,
    "cost_per_post": 1_200,
    "engagement_rate": 0.06,
    "conversion_rate": 0.02,
}
DELETE = object()  # as a value in an edit: remove the key


def valid() -> dict[str, Any]:
    """The smallest scenario that loads: one offer, a budget and the default quarters."""
    return {
        "name": "validation test",
        "budget": {"total": 10_000},
        "platforms": {"tiktok": {"tiers": {"micro": copy.deepcopy(MICRO)}}},
    }


def edited(edits: dict[str, Any]) -> dict[str, Any]:
    """`valid()` with each dotted path set to its value (or removed, for DELETE)."""
    data = valid()
    for dotted, value in edits.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return data


def write(directory: Path, data: dict[str, Any], name: str = "scenario.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def error_of(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def lines_of(error: ScenarioError) -> list[str]:
    """The error as the planner reads it, one problem a line."""
    text = str(error)
    assert text == error.describe()
    return text.splitlines()


def assert_one_problem(path: Path, field: str, fragment: str) -> str:
    """Loading `path` fails with exactly one problem, at `field`, saying `fragment`."""
    error = error_of(path)
    lines = lines_of(error)
    assert len(lines) == 1, lines
    line = lines[0]
    where = f"{path}: {field}: " if field else f"{path}: "
    assert line.startswith(where), line
    assert fragment in line.removeprefix(where), line
    assert [problem.path for problem in error.problems] == [field]
    return line


def write_text(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: Any) -> Result:
    """The command line in this process; an uncaught exception fails the test."""
    return CliRunner().invoke(app, [str(arg) for arg in args], catch_exceptions=False)


# Files that cannot be read at all: the message names the file and, for syntax, the line.


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        pytest.param(
            "broken.yaml",
            "name: x\nbudget:\n  total: 5\n    extra: 1\n",
            "invalid YAML at line 4, column 10",
            id="yaml",
        ),
        pytest.param(
            "broken.yml",
            "name: x\nplatforms: {tiktok: [1, 2}\n",
            "invalid YAML at line 2",
            id="yml",
        ),
        pytest.param(
            "broken.json",
            '{"name": "x",\n "budget": }\n',
            "invalid JSON at line 2, column 12",
            id="json",
        ),
        pytest.param(
            "broken.toml", 'name = "x"\nbudget = \n', "invalid TOML: Invalid value", id="toml"
        ),
        pytest.param("twice.toml", 'name = "x"\nname = "y"\n', "invalid TOML", id="toml-key-twice"),
        pytest.param(
            "list.yaml",
            "- name: x\n",
            "the file must hold a mapping of fields, not a list",
            id="not-a-mapping",
        ),
        pytest.param(
            "list.json",
            "[1, 2]",
            "the file must hold a mapping of fields, not a list",
            id="json-list",
        ),
        pytest.param("empty.yaml", "", "not an empty file", id="empty"),
        pytest.param(
            "scenario.txt",
            "name: x\n",
            "unknown file type: use .yaml, .yml, .json or .toml",
            id="unsupported-ending",
        ),
        pytest.param("scenario.yaml.bak", "name: x\n", "unknown file type", id="backup-ending"),
    ],
)
def test_unreadable_file_names_the_file_and_what_is_wrong(
    tmp_path: Path, name: str, text: str, fragment: str
) -> None:
    assert_one_problem(write_text(tmp_path, name, text), "", fragment)


def test_syntax_error_names_the_line_it_is_on(tmp_path: Path) -> None:
    """The line of the mistake, not the end of the file where the parser gave up."""
    lines = ["name: x", "budget:", "  total: 5: 6", "platforms:", "  tiktok: {}", "rules: {}"]
    path = tmp_path / "scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_problem(
        path, "", "invalid YAML at line 3, column 11: mapping values are not allowed"
    )


def test_missing_file_says_so(tmp_path: Path) -> None:
    assert_one_problem(tmp_path / "nowhere.yaml", "", "file not found")


def test_file_that_is_not_text_says_it_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_bytes("name: x\n".encode("utf-16"))
    assert_one_problem(path, "", "cannot read the file")


def test_directory_named_like_a_scenario_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.mkdir()
    assert_one_problem(path, "", "not a regular file")


# One wrong field: the exact path and a message that says what to write instead.

FIELD_CASES = [
    # unknown fields
    pytest.param(
        {"nmae": "x"}, "nmae", "unknown field 'nmae'; check its spelling", id="unknown-top"
    ),
    pytest.param(
        {f"{OFFER}.folowers": 3},
        f"{OFFER}.folowers",
        "unknown field 'folowers'; check its spelling",
        id="unknown-in-offer",
    ),
    pytest.param(
        {"budget.maximum": 3}, "budget.maximum", "unknown field 'maximum'", id="unknown-in-budget"
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "cap", "maximum": 0.5, "max": 0.5}]}},
        "rules.shares[0].maximum",
        "unknown field 'maximum'",
        id="unknown-in-rule",
    ),
    # missing fields
    pytest.param({"name": DELETE}, "name", "required field is missing", id="no-name"),
    pytest.param(
        {f"{OFFER}.followers": DELETE},
        f"{OFFER}.followers",
        "required field is missing",
        id="no-followers",
    ),
    pytest.param(
        {f"{OFFER}.conversion_rate": DELETE},
        f"{OFFER}.conversion_rate",
        "required field is missing",
        id="no-conversion-rate",
    ),
    pytest.param(
        {"platforms": DELETE}, "platforms", "required field is missing", id="no-platforms"
    ),
    # wrong types
    pytest.param(
        {f"{OFFER}.followers": "many"},
        f"{OFFER}.followers",
        "must be a number or a range [low, high], got 'many'",
        id="followers-text",
    ),
    pytest.param(
        {f"{OFFER}.followers": True},
        f"{OFFER}.followers",
        "must be a number or a range [low, high], got true",
        id="followers-boolean",
    ),
    pytest.param(
        {f"{OFFER}.available": "lots"},
        f"{OFFER}.available",
        "must be a number or a range [low, high], got 'lots'",
        id="available-text",
    ),
    pytest.param({"integer": "maybe"}, "integer", "valid boolean", id="integer-not-boolean"),
    pytest.param({"name": 5}, "name", "valid string, got 5", id="name-number"),
    pytest.param({"name": ""}, "name", "at least 1 character, got ''", id="name-empty"),
    pytest.param({"periods": "Q1"}, "periods", "valid list, got 'Q1'", id="periods-text"),
    pytest.param({"periods": ["Q1", 2]}, "periods[1]", "valid string, got 2", id="period-number"),
    pytest.param({"platforms": ["tiktok"]}, "platforms", "valid dictionary", id="platforms-list"),
    pytest.param({"budget": 5000}, "budget", "valid dictionary", id="budget-number"),
    pytest.param(
        {"platforms.tiktok.tiers": {1: MICRO}},
        "platforms.tiktok.tiers.1",
        "a name must be text, got 1; put it in quotes",
        id="tier-name-number",
    ),
    pytest.param(
        {OFFER: None},
        "platforms",
        "give at least one platform with at least one tier",
        id="offer-null-removes-the-only-offer",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "a", "select": {"platforms": "tiktok"}, "max": 0.5}]}},
        "rules.shares[0].select.platforms",
        "valid list, got 'tiktok'",
        id="select-not-a-list",
    ),
    pytest.param(
        {"objective": "sales"},
        "objective",
        "unknown objective 'sales'; choose one of conversions, revenue, profit, reach,"
        " engagements or {minimize: spend}",
        id="objective-unknown",
    ),
    pytest.param(
        {"objective": {"minimize": "reach"}},
        "objective",
        "only spend can be minimised: write {minimize: spend}",
        id="objective-minimize-reach",
    ),
    pytest.param(
        {"objective": {"maximise": "reach"}},
        "objective",
        "must be one of conversions, revenue, profit, reach, engagements, {maximize: METRIC",
        id="objective-maximize-key",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "a", "of": "revenue", "max": 0.5}]}},
        "rules.shares[0].of",
        "'spend', 'count', 'reach', 'engagements' or 'conversions', got 'revenue'",
        id="share-of-unknown",
    ),
    pytest.param(
        {"rules": {"limits": [{"name": "a", "per": ["week"], "count": {"max": 1}}]}},
        "rules.limits[0].per[0]",
        "'period', 'platform', 'tier' or 'creator', got 'week'",
        id="per-unknown",
    ),
    # out-of-range figures
    pytest.param(
        {f"{OFFER}.conversion_rate": 1.5},
        f"{OFFER}.conversion_rate",
        "must be at least 0 and at most 1, got 1.5",
        id="conversion-rate-above-1",
    ),
    pytest.param(
        {f"{OFFER}.engagement_rate": -0.1},
        f"{OFFER}.engagement_rate",
        "must be at least 0 and at most 1, got -0.1",
        id="engagement-rate-negative",
    ),
    pytest.param(
        {f"{OFFER}.followers": 0},
        f"{OFFER}.followers",
        "must be greater than 0, got 0",
        id="followers-zero",
    ),
    pytest.param(
        {f"{OFFER}.followers": -5},
        f"{OFFER}.followers",
        "must be greater than 0, got -5",
        id="followers-negative",
    ),
    pytest.param(
        {f"{OFFER}.followers": float("inf")},
        f"{OFFER}.followers",
        "must be a finite number, got inf",
        id="followers-infinite",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": 0},
        f"{OFFER}.cost_per_post",
        "must be greater than 0, got 0",
        id="free-post",
    ),
    pytest.param(
        {f"{OFFER}.reach_rate": -1},
        f"{OFFER}.reach_rate",
        "must be at least 0, got -1",
        id="reach-rate-negative",
    ),
    pytest.param(
        {f"{OFFER}.available": -1},
        f"{OFFER}.available",
        "must be at least 0, got -1",
        id="available-negative",
    ),
    pytest.param(
        {f"{OFFER}.min": 5, f"{OFFER}.available": 2},
        OFFER,
        "min (5) must not exceed available (2)",
        id="min-above-available",
    ),
    pytest.param(
        {f"{OFFER}.min": 1, f"{OFFER}.available": 0},
        OFFER,
        "min (1) must not exceed available (0)",
        id="min-above-an-empty-pool",
    ),
    pytest.param(
        {"budget.total": "10000"},
        "budget.total",
        "must be a number, got '10000'; write it without quotes",
        id="budget-in-quotes",
    ),
    pytest.param(
        {f"{OFFER}.followers": "30000"},
        f"{OFFER}.followers",
        "must be a number or a range [low, high], got '30000'; write it without quotes",
        id="followers-in-quotes",
    ),
    pytest.param(
        {f"{OFFER}.conversion_rate": "2%"},
        f"{OFFER}.conversion_rate",
        "write shares as fractions: 0.02 for 2%",
        id="rate-as-a-percentage",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "s", "select": {"tiers": ["micro"]}, "min": 45}]}},
        "rules.shares[0].min",
        "less than or equal to 1, got 45; shares are fractions: 0.45 for 45%",
        id="share-as-a-whole-percentage",
    ),
    pytest.param(
        {"saturation": [{"up_to": 2, "factor": 1.2}, {"factor": 0.5}]},
        "saturation[0].factor",
        "got 1.2; a saturation factor is what a post in that segment is worth against the"
        " first, 0 < factor <= 1: 0.5 for half",
        id="saturation-factor-above-one-is-no-percentage",
    ),
    pytest.param({"budget.total": 0}, "budget.total", "greater than 0, got 0", id="budget-zero"),
    pytest.param(
        {"budget.total": -100}, "budget.total", "greater than 0, got -100", id="budget-negative"
    ),
    pytest.param(
        {"budget.periods": {"Q1": {"min": 5000, "max": 1000}}},
        "budget.periods.Q1",
        "min (5000) must not exceed max (1000)",
        id="period-budget-min-above-max",
    ),
    pytest.param(
        {"average_order_value": 0},
        "average_order_value",
        "greater than 0, got 0",
        id="order-value-zero",
    ),
    pytest.param(
        {"rules": {"tolerance": 0.9}},
        "rules.tolerance",
        "less than or equal to 0.5, got 0.9",
        id="tolerance-too-wide",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "a", "max": 1.5}]}},
        "rules.shares[0].max",
        "less than or equal to 1, got 1.5",
        id="share-above-1",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "a", "min": 0.6, "max": 0.5}]}},
        "rules.shares[0]",
        "min (0.6) must not exceed max (0.5)",
        id="share-min-above-max",
    ),
    pytest.param(
        {"rules": {"shares": [{"name": "a"}]}},
        "rules.shares[0]",
        "give min, max or both",
        id="share-without-bounds",
    ),
    pytest.param(
        {"rules": {"limits": [{"name": "a"}]}},
        "rules.limits[0]",
        "bound at least one of count, spend, reach, engagements, conversions, revenue",
        id="limit-without-bounds",
    ),
    pytest.param(
        {"rules": {"limits": [{"name": "a", "per": ["tier", "tier"], "count": {"max": 1}}]}},
        "rules.limits[0]",
        "per lists a dimension twice",
        id="per-twice",
    ),
    pytest.param(
        {"objective": {"sense": "minimize", "metric": "conversions"}},
        "objective",
        "minimize conversions is no objective: maximise one of conversions",
        id="objective-minimise-an-outcome",
    ),
    pytest.param(
        {"objective": {"sense": "maximize", "metric": "spend"}},
        "objective",
        "maximize spend is no objective",
        id="objective-maximise-spend",
    ),
    pytest.param(
        {"tiers": {"micro": {"min_followers": 1000, "max_followers": 500}}},
        "tiers.micro",
        "max_followers (500) must exceed min_followers (1000)",
        id="tier-bounds-reversed",
    ),
    pytest.param(
        {"currency": "banana"},
        "currency",
        "must be a three-letter currency code such as USD or EUR, got 'banana'",
        id="currency-not-a-code",
    ),
    pytest.param(
        {"solver": {"name": "foo"}},
        "solver.name",
        "input should be 'highs' or 'cbc', got 'foo'",
        id="solver-unknown",
    ),
    pytest.param(
        {"solver": {"time_limit": -1}},
        "solver.time_limit",
        "greater than 0, got -1",
        id="time-limit-negative",
    ),
    # YAML reads .inf, .nan and true as values; none of them is an amount
    pytest.param(
        {"budget.total": float("inf")}, "budget.total", "finite number", id="budget-infinite"
    ),
    pytest.param(
        {"budget.periods": {"Q4": {"max": float("nan")}}},
        "budget.periods.Q4.max",
        "finite number",
        id="period-bound-nan",
    ),
    pytest.param({"budget.total": True}, "budget.total", "must be a number, got true", id="bool"),
    pytest.param(
        {f"{OFFER}.available": True},
        f"{OFFER}.available",
        "must be a number or a range [low, high], got true",
        id="pool-bool",
    ),
    pytest.param(
        {"rules": {"tolerance": float("nan")}}, "rules.tolerance", "finite number", id="nan"
    ),
    # exactly one of two ways to give a cost and an engagement figure
    pytest.param(
        {f"{OFFER}.cost_per_1k_followers": 40},
        OFFER,
        "give exactly one of cost_per_post and cost_per_1k_followers",
        id="both-costs",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": DELETE},
        OFFER,
        "give exactly one of cost_per_post and cost_per_1k_followers",
        id="neither-cost",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_engagement": 0.1},
        OFFER,
        "give exactly one of engagement_rate and cost_per_engagement",
        id="both-engagement-figures",
    ),
    pytest.param(
        {f"{OFFER}.engagement_rate": DELETE},
        OFFER,
        "give exactly one of engagement_rate and cost_per_engagement",
        id="neither-engagement-figure",
    ),
    # ranges [low, high]
    pytest.param(
        {f"{OFFER}.followers": [5000, 1000]},
        f"{OFFER}.followers",
        "a range [low, high] needs low <= high, got [5000, 1000]",
        id="range-reversed",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": [1, 2, 3]},
        f"{OFFER}.cost_per_post",
        "must be a number or a range [low, high], got [1, 2, 3]",
        id="range-of-three",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": [1000]},
        f"{OFFER}.cost_per_post",
        "must be a number or a range [low, high], got [1000]",
        id="range-of-one",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": []},
        f"{OFFER}.cost_per_post",
        "must be a number or a range [low, high], got []",
        id="range-empty",
    ),
    pytest.param(
        {f"{OFFER}.cost_per_post": ["low", "high"]},
        f"{OFFER}.cost_per_post",
        "must be a number or a range [low, high], got ['low', 'high']",
        id="range-of-text",
    ),
    pytest.param(
        {f"{OFFER}.conversion_rate": [0.1, 1.5]},
        f"{OFFER}.conversion_rate",
        "must be at least 0 and at most 1, got 1.5",
        id="range-end-out-of-bounds",
    ),
    pytest.param(
        {f"{OFFER}.followers": [-10, 10]},
        f"{OFFER}.followers",
        "must be greater than 0, got -10",
        id="range-start-out-of-bounds",
    ),
]


@pytest.mark.parametrize(("edits", "field", "fragment"), FIELD_CASES)
def test_wrong_field_is_named_with_what_to_fix(
    tmp_path: Path, edits: dict[str, Any], field: str, fragment: str
) -> None:
    assert_one_problem(write(tmp_path, edited(edits)), field, fragment)


# Saturation (section 4): factors in (0, 1], not increasing; up_to positive integers,
# strictly increasing; only the last segment, and it alone, leaves up_to out.

SATURATION_CASES = [
    pytest.param(
        [{"up_to": 5, "factor": 0.5}, {"factor": 0.8}],
        "",
        "factors must not increase: segment 2 has 0.8 after 0.5",
        id="increasing-factor",
    ),
    pytest.param(
        [{"up_to": 5, "factor": 1.0}, {"factor": 0}],
        "[1].factor",
        "greater than 0, got 0",
        id="factor-zero",
    ),
    pytest.param(
        [{"up_to": 5, "factor": 1.2}, {"factor": 0.5}],
        "[0].factor",
        "less than or equal to 1, got 1.2",
        id="factor-above-1",
    ),
    pytest.param(
        [{"up_to": 5, "factor": 1.0}, {"up_to": 5, "factor": 0.8}, {"factor": 0.5}],
        "",
        "up_to must strictly increase: segment 2 has 5 after 5",
        id="up-to-repeated",
    ),
    pytest.param(
        [{"up_to": 10, "factor": 1.0}, {"up_to": 5, "factor": 0.8}, {"factor": 0.5}],
        "",
        "up_to must strictly increase: segment 2 has 5 after 10",
        id="up-to-decreasing",
    ),
    pytest.param(
        [{"factor": 1.0}, {"up_to": 5, "factor": 0.8}, {"factor": 0.5}],
        "",
        "only the last segment may leave out up_to (segment 1 does)",
        id="open-segment-not-last",
    ),
    pytest.param(
        [{"up_to": 5, "factor": 1.0}, {"up_to": 10, "factor": 0.8}],
        "",
        "the last segment must leave out up_to: it is unbounded",
        id="last-segment-bounded",
    ),
    pytest.param(
        [{"up_to": 0, "factor": 1.0}, {"factor": 0.5}],
        "[0].up_to",
        "greater than 0, got 0",
        id="up-to-zero",
    ),
    pytest.param(
        [{"up_to": 2.5, "factor": 1.0}, {"factor": 0.5}],
        "[0].up_to",
        "valid integer, got a number with a fractional part, got 2.5",
        id="up-to-fraction",
    ),
    pytest.param([], "", "give at least one segment, or leave saturation out", id="empty"),
    pytest.param(
        [{"up_to": 5, "factor": 1.0, "facter": 0.5}, {"factor": 0.5}],
        "[0].facter",
        "unknown field 'facter'",
        id="unknown-field",
    ),
]


@pytest.mark.parametrize("where", ["saturation", f"{OFFER}.saturation"])
@pytest.mark.parametrize(("segments", "suffix", "fragment"), SATURATION_CASES)
def test_bad_saturation_is_named_with_what_to_fix(
    tmp_path: Path, where: str, segments: list[dict[str, Any]], suffix: str, fragment: str
) -> None:
    """The same rules hold for the scenario's list and an offer's own list."""
    path = write(tmp_path, edited({where: segments}))
    assert_one_problem(path, where + suffix, fragment)


def test_saturation_as_the_format_writes_it_loads(tmp_path: Path) -> None:
    segments = [{"up_to": 10, "factor": 1.0}, {"up_to": 25, "factor": 0.8}, {"factor": 0.6}]
    scenario = load_scenario(write(tmp_path, edited({"saturation": segments})))
    assert scenario.saturation is not None
    assert [segment.up_to for segment in scenario.saturation] == [10, 25, None]


# Problems between fields: references, companions and unique names.

SHARE = {"name": "cap", "max": 0.5}
LIMIT = {"name": "few", "count": {"max": 2}}

CROSS_CASES = [
    pytest.param(
        {"rules": {"presets": ["70-30"]}},
        "rules.presets[0]",
        "unknown preset '70-30'; choose from 70-20-10, ecommerce, b2b-saas, consumer-app, seasonal",
        id="unknown-preset",
    ),
    pytest.param(
        {"rules": {"shares": [{**SHARE, "select": {"platforms": ["tiktk"]}}]}},
        "rules.shares[0].select.platforms",
        "unknown platform 'tiktk'; the scenario has tiktok",
        id="rule-unknown-platform",
    ),
    pytest.param(
        {"rules": {"limits": [{**LIMIT, "select": {"tiers": ["giga"]}}]}},
        "rules.limits[0].select.tiers",
        "unknown tier 'giga'; the scenario has nano, micro, macro, mega",
        id="rule-unknown-tier",
    ),
    pytest.param(
        {"rules": {"shares": [{**SHARE, "select": {"periods": ["Q5"]}}]}},
        "rules.shares[0].select.periods",
        "unknown period 'Q5'; the scenario has Q1, Q2, Q3, Q4",
        id="rule-unknown-period",
    ),
    pytest.param(
        {"periods": ["H1", "H2"], "rules": {"limits": [{**LIMIT, "select": {"periods": ["Q4"]}}]}},
        "rules.limits[0].select.periods",
        "unknown period 'Q4'; the scenario has H1, H2",
        id="rule-default-period-after-own-periods",
    ),
    pytest.param(
        {"rules": {"shares": [SHARE, {**SHARE, "max": 0.6}]}},
        "rules.shares[1].name",
        "duplicate rule name 'cap' (also rules.shares[0]); rule names must be unique",
        id="duplicate-share-names",
    ),
    pytest.param(
        {"rules": {"limits": [LIMIT, LIMIT]}},
        "rules.limits[1].name",
        "duplicate rule name 'few' (also rules.limits[0])",
        id="duplicate-limit-names",
    ),
    pytest.param(
        {"rules": {"shares": [SHARE], "limits": [{**LIMIT, "name": "cap"}]}},
        "rules.limits[0].name",
        "duplicate rule name 'cap' (also rules.shares[0])",
        id="duplicate-across-shares-and-limits",
    ),
    pytest.param(
        {"rules": {"presets": ["ecommerce"], "shares": [{**SHARE, "name": "ecommerce:micro"}]}},
        "rules.shares[0].name",
        "duplicate rule name 'ecommerce:micro' (also preset ecommerce)",
        id="duplicate-of-a-preset-rule",
    ),
    pytest.param(
        {"rules": {"limits": [{**LIMIT, "name": "budget:Q1"}]}},
        "rules.limits[0].name",
        "duplicate rule name 'budget:Q1' (also the budget)",
        id="name-of-the-budget",
    ),
    pytest.param(
        {"periods": ["Q1", "Q2", "Q1"]},
        "periods",
        "periods must be unique; repeated: Q1",
        id="duplicate-periods",
    ),
    pytest.param({"periods": []}, "periods", "give at least 1 item, got []", id="empty-periods"),
    pytest.param(
        {"budget.periods": {"Q5": {"max": 1000}}},
        "budget.periods.Q5",
        "unknown period 'Q5'; the scenario has Q1, Q2, Q3, Q4",
        id="budget-unknown-period",
    ),
    pytest.param(
        {"seasonality": {"Q9": {"cost": 1.1}}},
        "seasonality.Q9",
        "unknown period 'Q9'",
        id="seasonality-unknown-period",
    ),
    pytest.param(
        {"objective": "revenue"},
        "average_order_value",
        "required when the objective is revenue: give the revenue per conversion",
        id="revenue-without-order-value",
    ),
    pytest.param(
        {"objective": "profit"},
        "average_order_value",
        "required when the objective is profit",
        id="profit-without-order-value",
    ),
    pytest.param(
        {"rules": {"limits": [{"name": "sales", "revenue": {"min": 1000}}]}},
        "rules.limits[0].revenue",
        "a revenue limit needs average_order_value",
        id="revenue-limit-without-order-value",
    ),
    pytest.param(
        {"budget.total": DELETE},
        "budget.total",
        "required unless the objective is {minimize: spend}",
        id="no-budget-when-maximising",
    ),
    pytest.param(
        {"budget.total": DELETE, "objective": "reach"},
        "budget.total",
        "required unless the objective is {minimize: spend}",
        id="no-budget-for-reach",
    ),
    pytest.param(
        {"platforms.tiktok.tiers.giga": MICRO},
        "platforms.tiktok.tiers.giga",
        "unknown tier 'giga': define it under tiers",
        id="offer-of-unknown-tier",
    ),
    pytest.param(
        {"platforms": {"tiktok": {"tiers": {}}}},
        "platforms",
        "give at least one platform with at least one tier",
        id="no-offers",
    ),
    pytest.param(
        {f"{OFFER}.min": 2.5, f"{OFFER}.available": 2.7},
        f"{OFFER}.available",
        "no whole number of influencers lies between min (2.5, at least 3) and available"
        " (2.7, at most 2)",
        id="min-and-pool-without-a-whole-number-between",
    ),
    pytest.param(
        {f"{OFFER}.min": [0, 1], f"{OFFER}.available": [0, 1]},
        f"{OFFER}.available",
        "between min (0.5, at least 1) and available (0.5, at most 0)",
        id="ranges-without-a-whole-number-between",
    ),
]


@pytest.mark.parametrize(("edits", "field", "fragment"), CROSS_CASES)
def test_inconsistent_fields_are_named_with_what_to_fix(
    tmp_path: Path, edits: dict[str, Any], field: str, fragment: str
) -> None:
    assert_one_problem(write(tmp_path, edited(edits)), field, fragment)


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param({"budget.total": DELETE, "objective": {"minimize": "spend"}}, id="min-spend"),
        pytest.param({"objective": "revenue", "average_order_value": 40}, id="revenue-with-aov"),
        pytest.param({"periods": ["H1", "H2"], "rules": {"presets": ["seasonal"]}}, id="presets"),
        pytest.param({f"{OFFER}.followers": [20_000, 40_000]}, id="range"),
        # section 6: a selection may be empty; a built-in tier without offers is still a tier
        pytest.param(
            {"rules": {"limits": [{**LIMIT, "select": {"tiers": ["mega"]}}]}},
            id="rule-tier-without-offers",
        ),
        pytest.param({f"{OFFER}.followers": [30_000, 30_000]}, id="range-of-one-value"),
        pytest.param(
            {f"{OFFER}.min": 2.5, f"{OFFER}.available": 2.7, "integer": False},
            id="fractional-counts-between-min-and-pool",
        ),
        pytest.param({f"{OFFER}.min": 2.5, f"{OFFER}.available": 3}, id="min-rounds-up-to-pool"),
        pytest.param(
            {"tiers": {"giga": {"min_followers": 5e6}}, "platforms.tiktok.tiers.giga": MICRO},
            id="own-tier",
        ),
    ],
)
def test_near_misses_are_valid(tmp_path: Path, edits: dict[str, Any]) -> None:
    """The checks above reject what they should and nothing next to it."""
    assert load_scenario(write(tmp_path, edited(edits))).name == "validation test"


@pytest.mark.parametrize(
    ("available", "fewest", "integer", "bounds"),
    [
        ([2, 5], [0, 3], True, (2.0, 3.0)),  # midpoints 3.5 and 1.5, whole: 2 to 3
        ([2, 5], [0, 3], False, (1.5, 3.5)),
        (2.5, 0.5, True, (1.0, 2.0)),
    ],
)
def test_pool_and_minimum_take_ranges_and_fractions_like_every_offer_field(
    tmp_path: Path, available: Any, fewest: Any, integer: bool, bounds: tuple[float, float]
) -> None:
    edits = {f"{OFFER}.available": available, f"{OFFER}.min": fewest, "integer": integer}
    model = build_model(load_scenario(write(tmp_path, edited(edits))))
    micro = [i for i, label in enumerate(model.col_names) if label.endswith(",tiktok,micro]")]
    assert {(model.col_lower[i], model.col_upper[i]) for i in micro} == {bounds}


@pytest.mark.parametrize(
    ("nano", "emerging", "follower_range"),
    [
        ({"max_followers": 5_000}, True, (0, 5_000)),
        ({"emerging": False}, False, (0, 1_000)),
        ({"min_followers": 100, "max_followers": 2_000, "emerging": True}, True, (100, 2_000)),
        ({"min_followers": 500}, True, (500, 1_000)),  # the other end stays the built-in one
    ],
)
def test_a_built_in_tier_given_again_changes_only_the_keys_given(
    tmp_path: Path, nano: dict[str, Any], emerging: bool, follower_range: tuple[float, float]
) -> None:
    """Like `extends`, key by key: widening nano's range keeps it the emerging tier that
    70-20-10's emerging-tests rule selects."""
    edits = {
        "tiers": {"nano": nano},
        "platforms.tiktok.tiers.nano": {**MICRO, "followers": 800},
        "rules": {"presets": ["70-20-10"]},
    }
    scenario = load_scenario(write(tmp_path, edited(edits)))
    tier = scenario.tiers["nano"]
    assert (tier.emerging, (tier.min_followers, tier.max_followers)) == (emerging, follower_range)
    assert scenario.tiers["micro"].max_followers == 100_000
    skipped = {rule.name for rule in build_model(scenario).skipped}
    assert ("70-20-10:emerging-tests" in skipped) is not emerging


def test_null_means_not_given_in_any_file(tmp_path: Path) -> None:
    """Not only where it removes what a parent gives: in a file of its own, and in an offer
    that a child adds, a field left null takes its default."""
    nulls = {"reach_rate": None, "min": None, "available": None, "cost_per_1k_followers": None}
    own = edited(
        {
            "currency": None,
            "platforms.tiktok.emerging": None,
            **{f"{OFFER}.{field}": value for field, value in nulls.items()},
        }
    )
    for scenario in (
        load_scenario(write(tmp_path, own, "own.yaml")),
        scenario_from_dict(own),
        load_scenario(
            write(
                tmp_path,
                {
                    "extends": "own.yaml",
                    "platforms": {"youtube": {"tiers": {"micro": {**MICRO, **nulls}}}},
                },
                "child.yaml",
            )
        ),
    ):
        assert scenario.currency == "USD" and not scenario.platforms["tiktok"].emerging
        for platform in scenario.platforms.values():
            offer = platform.tiers["micro"]
            assert (offer.reach_rate, offer.min, offer.available) == (1.0, 0, None)


def test_a_currency_code_reads_in_any_case(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, edited({"currency": "eur"}))).currency == "EUR"


def test_numbers_in_exponent_notation_are_numbers(tmp_path: Path) -> None:
    """YAML 1.1 would read `3e4` as text; JSON and TOML read it as a number, and so must we."""
    path = tmp_path / "scenario.yaml"
    text = yaml.safe_dump(valid(), sort_keys=False)
    path.write_text(text.replace("30000", "3e4").replace("10000", "1E+4"), encoding="utf-8")
    assert "3e4" in path.read_text(encoding="utf-8")
    scenario = load_scenario(path)
    offer = scenario.platforms["tiktok"].tiers["micro"]
    assert offer.followers == 30_000 and scenario.budget.total == 10_000


# The same fields in every file format.


def test_json_and_toml_name_the_same_path_as_yaml(tmp_path: Path) -> None:
    data = edited({f"{OFFER}.conversion_rate": 1.5})
    json_path = tmp_path / "scenario.json"
    json_path.write_text(json.dumps(data), encoding="utf-8")
    toml_path = tmp_path / "scenario.toml"
    toml_path.write_text(
        'name = "validation test"\n[budget]\ntotal = 10000\n'
        "[platforms.tiktok.tiers.micro]\nfollowers = 30000\ncost_per_post = 1200\n"
        "engagement_rate = 0.06\nconversion_rate = 1.5\n",
        encoding="utf-8",
    )
    for path in (json_path, toml_path, write(tmp_path, data)):
        assert_one_problem(path, f"{OFFER}.conversion_rate", "at most 1, got 1.5")


def test_scenario_from_dict_names_its_source() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(edited({"budget.total": 0}), source="sweep point 3")
    assert lines_of(caught.value) == [
        "sweep point 3: budget.total: input should be greater than 0, got 0"
    ]


def test_problem_without_a_path_reads_as_its_message() -> None:
    error = ScenarioError("plan.yaml", [Problem("", "file not found"), Problem("a.b", "bad")])
    assert lines_of(error) == ["plan.yaml: file not found", "plan.yaml: a.b: bad"]


# extends


def test_extends_a_missing_file_names_the_file_and_the_built_ins(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"extends": "parent.yaml"}))
    line = assert_one_problem(path, "extends", "no file")
    assert str(tmp_path / "parent.yaml") in line
    assert "no built-in named 'parent.yaml'; built-ins: benchmarks-2026" in line


def test_extends_an_unknown_built_in_lists_the_built_ins(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"extends": "benchmarks-2025"}))
    assert_one_problem(
        path, "extends", "no built-in named 'benchmarks-2025'; built-ins: benchmarks-2026"
    )


def test_extends_that_is_not_a_name_says_what_it_must_be(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"extends": ["benchmarks-2026"]}))
    assert_one_problem(path, "extends", "must be a file path or a built-in name")


def test_extends_in_a_cycle_lists_every_file_of_the_cycle(tmp_path: Path) -> None:
    first = write(tmp_path, edited({"extends": "b.yaml"}), "a.yaml")
    second = write(tmp_path, edited({"extends": "a.yaml"}), "b.yaml")
    a, b = first.resolve(), second.resolve()
    error = error_of(first)
    # reported where the cycle closes: b.yaml extends a.yaml, which is already being read
    assert lines_of(error) == [f"{second}: extends: extends itself in a cycle: {a} -> {b} -> {a}"]


def test_extends_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"extends": "scenario.yaml"}))
    assert_one_problem(path, "extends", f"extends itself in a cycle: {path.resolve()} -> ")


def test_problem_in_the_file_extended_names_that_file(tmp_path: Path) -> None:
    parent = tmp_path / "parent.yaml"
    parent.write_text("name: parent\nplatforms: {tiktok: [\n", encoding="utf-8")
    path = write(tmp_path, {"extends": "parent.yaml", "budget": {"total": 5}})
    error = error_of(path)
    (line,) = lines_of(error)
    assert line.startswith(f"{parent}: invalid YAML at line 3")


def test_extending_the_built_in_reports_the_overriding_field(tmp_path: Path) -> None:
    data = {
        "name": "override",
        "extends": "benchmarks-2026",
        "budget": {"total": 100_000},
        "platforms": {"youtube": {"tiers": {"macro": {"conversion_rate": 2}}}},
    }
    path = write(tmp_path, data)
    assert_one_problem(path, "platforms.youtube.tiers.macro.conversion_rate", "at most 1, got 2")


def test_a_problem_with_an_inherited_field_says_where_it_comes_from(tmp_path: Path) -> None:
    """The built-in rate card has seasonality for Q1-Q4; months leave it pointing nowhere."""
    data = {
        "name": "months",
        "extends": "benchmarks-2026",
        "periods": ["jan", "feb"],
        "budget": {"total": 100_000},
        "rules": {"shares": [{"name": "x", "select": {"platforms": ["tiktk"]}, "max": 0.5}]},
    }
    lines = lines_of(error_of(write(tmp_path, data)))
    inherited = [line for line in lines if ": seasonality.Q1: " in line]
    assert inherited and inherited[0].endswith(
        "(inherited from the file this one extends: override it here, or remove it with null)"
    )
    (own,) = [line for line in lines if ": rules.shares[0].select.platforms: " in line]
    assert "inherited" not in own


def test_a_field_missing_from_every_file_is_not_called_inherited(tmp_path: Path) -> None:
    data = {
        "name": "revenue without a basket",
        "extends": "benchmarks-2026",
        "budget": {"total": 100_000},
        "objective": "revenue",
    }
    (line,) = [
        line for line in lines_of(error_of(write(tmp_path, data))) if "average_order_value" in line
    ]
    assert "required when the objective is revenue" in line
    assert "inherited" not in line


def test_a_scenario_that_is_not_a_mapping_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict([1, 2])  # type: ignore[arg-type]
    assert caught.value.problems


def test_extending_the_built_in_with_a_good_override_loads(tmp_path: Path) -> None:
    data = {"name": "override", "extends": "benchmarks-2026", "budget": {"total": 100_000}}
    scenario = load_scenario(write(tmp_path, data))
    assert scenario.budget.total == 100_000 and "linkedin" in scenario.platforms


# from_csv rate cards

HEADER = "platform,tier,followers,cost_per_post,engagement_rate,conversion_rate"


def with_rate_card(tmp_path: Path, csv_text: str, name: str = "rates.csv") -> Path:
    (tmp_path / name).write_text(csv_text, encoding="utf-8")
    return write(tmp_path, edited({"platforms": {"from_csv": name}}))


def test_missing_rate_card_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"platforms": {"from_csv": "rates.csv"}}))
    line = assert_one_problem(path, "platforms.from_csv", "rate card")
    assert line.endswith(f"{str(tmp_path / 'rates.csv')!r} not found")


def test_rate_card_that_is_not_a_name_says_what_it_must_be(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"platforms": {"from_csv": 7}}))
    assert_one_problem(path, "platforms.from_csv", "must be a file path")


@pytest.mark.parametrize("kind", ["not-utf-8", "directory"])
def test_unreadable_rate_card_is_named(tmp_path: Path, kind: str) -> None:
    card = tmp_path / "rates.csv"
    if kind == "directory":
        card.mkdir()
    else:
        card.write_bytes(HEADER.encode("utf-16"))
    path = write(tmp_path, edited({"platforms": {"from_csv": "rates.csv"}}))
    why = {"directory": f"rate card {str(card)!r}: not a regular file"}
    assert_one_problem(
        path, "platforms.from_csv", why.get(kind, f"cannot read rate card {str(card)!r}")
    )


def test_a_device_or_huge_file_is_not_read(tmp_path: Path) -> None:
    """A service passing request data along must not hang on a pipe or fill memory."""
    path = write(tmp_path, edited({"platforms": {"from_csv": "/dev/zero"}}))
    assert_one_problem(path, "platforms.from_csv", "'/dev/zero': not a regular file")
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(10_000_001)
    assert_one_problem(huge, "", "10,000,001 bytes: larger than any scenario or rate card")


@pytest.mark.parametrize(
    ("rows", "field", "fragment"),
    [
        pytest.param(
            f"{HEADER},colour\ntiktok,micro,3000,100,0.05,0.02,red\n"
            "instagram,micro,3000,100,0.05,0.02,blue\n",
            "platforms.from_csv (rates.csv column 'colour')",
            "unknown column; the columns are platform, tier, emerging, followers,",
            id="unknown-column",
        ),
        pytest.param(
            f"{HEADER}\ntiktok,micro,3000,1OO,0.05,0.02\n",
            "platforms.from_csv (rates.csv line 2, column 'cost_per_post')",
            "must be a number or a range [low, high], got '1OO'",
            id="bad-number",
        ),
        pytest.param(
            f'{HEADER}\ntiktok,micro,3000,"[200, 100]",0.05,0.02\n',
            "platforms.from_csv (rates.csv line 2, column 'cost_per_post')",
            "a range [low, high] needs low <= high, got [200, 100]",
            id="reversed-range",
        ),
        pytest.param(
            f'{HEADER}\ntiktok,micro,3000,"[1,",0.05,0.02\n',
            "platforms.from_csv (rates.csv line 2, column 'cost_per_post')",
            "must be a number or a range [low, high], got '[1,'",
            id="broken-range",
        ),
        pytest.param(
            f"{HEADER}\ntiktok,micro,3000,100,0.05,2\n",
            "platforms.from_csv (rates.csv line 2, column 'conversion_rate')",
            "at most 1, got 2",
            id="rate-out-of-range",
        ),
        pytest.param(
            f"{HEADER}\ntiktok,micro,3000,100,0.05,\n",
            f"{OFFER}.conversion_rate",
            "required field is missing",
            id="empty-cell-of-required-field",
        ),
        pytest.param(
            f"{HEADER}\ntiktok,micro,3000,100,0.05,0.02\ntiktok,micro,3000,100,0.05,0.02,9\n",
            "platforms.from_csv (rates.csv line 3, column 7)",
            "more cells than the 6 header columns: '9' left over",
            id="extra-cell",
        ),
        pytest.param(
            f"{HEADER}\ntiktok,micro,3000,100,0.05,0.02\ntiktok,micro,4000,100,0.05,0.02\n",
            "platforms.from_csv (rates.csv line 3)",
            "a second row for tiktok/micro",
            id="second-row",
        ),
        pytest.param(
            f"{HEADER}\n,micro,3000,100,0.05,0.02\n",
            "platforms.from_csv (rates.csv line 2)",
            "every row needs a platform and a tier",
            id="no-platform",
        ),
        pytest.param(
            f"emerging,{HEADER}\ntrue,tiktok,micro,3000,100,0.05,0.02\n"
            "false,tiktok,macro,300000,9000,0.05,0.02\n",
            "platforms.from_csv (rates.csv line 3)",
            "emerging differs between rows of platform 'tiktok'",
            id="emerging-differs",
        ),
        pytest.param(
            f"{HEADER}\n",
            "platforms",
            "give at least one platform with at least one tier",
            id="no-rows",
        ),
    ],
)
def test_bad_rate_card_names_the_row_column_or_field(
    tmp_path: Path, rows: str, field: str, fragment: str
) -> None:
    assert_one_problem(with_rate_card(tmp_path, rows), field, fragment)


def test_rate_card_reads_ranges_exponents_and_empty_cells(tmp_path: Path) -> None:
    header = f"{HEADER},cost_per_1k_followers,available"
    path = with_rate_card(tmp_path, f'{header}\ntiktok,micro,3e4,,"[0.04, 0.08]",0.02,40,5\n')
    offer = load_scenario(path).platforms["tiktok"].tiers["micro"]
    assert offer.followers == 30_000 and offer.cost_per_post is None
    assert offer.engagement_rate == (0.04, 0.08) and offer.available == 5


def test_rate_card_saved_by_excel_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = with_rate_card(tmp_path, f"\ufeff{HEADER}\ntiktok,micro,30000,1200,0.05,0.02\n")
    assert load_scenario(path).platforms["tiktok"].tiers["micro"].cost_per_post == 1200


def test_every_problem_of_a_rate_card_is_reported_together(tmp_path: Path) -> None:
    rows = (
        f"{HEADER},colour,size\n"
        "tiktok,micro,3000,100,0.05,0.02,red,\n"
        "tiktok,micro,3000,100,0.05,0.02,red,\n"
        ",macro,3000,100,0.05,0.02,,\n"
    )
    error = error_of(with_rate_card(tmp_path, rows))
    assert [problem.path for problem in error.problems] == [
        "platforms.from_csv (rates.csv column 'colour')",
        "platforms.from_csv (rates.csv column 'size')",
        "platforms.from_csv (rates.csv line 3)",
        "platforms.from_csv (rates.csv line 4)",
    ]


def test_a_long_row_does_not_hide_a_bad_value_above_it(tmp_path: Path) -> None:
    rows = (
        f"{HEADER},emerging\n"
        "tiktok,micro,3000,1OO,0.05,0.02,false\n"
        "tiktok,macro,300000,9000,0.05,0.02,false,9\n"
        'instagram,micro,3000,"[200, 100]",0.05,2,maybe\n'
    )
    path = with_rate_card(tmp_path, rows)
    assert lines_of(error_of(path)) == [
        f"{path}: platforms.from_csv (rates.csv line 2, column 'cost_per_post'): must be a"
        " number or a range [low, high], got '1OO'",
        f"{path}: platforms.from_csv (rates.csv line 3, column 8): more cells than the 7"
        " header columns: '9' left over",
        f"{path}: platforms.from_csv (rates.csv line 4, column 'cost_per_post'): a range"
        " [low, high] needs low <= high, got [200, 100]",
        f"{path}: platforms.from_csv (rates.csv line 4, column 'conversion_rate'): must be at"
        " least 0 and at most 1, got 2",
        f"{path}: platforms.from_csv (rates.csv line 4, column 'emerging'): input should be a"
        " valid boolean, unable to interpret input, got 'maybe'",
    ]


def test_a_rate_card_with_many_problems_lists_ten_and_counts_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"tiktok,tier{n},3000,-{n + 1},0.05,0.02\n" for n in range(13))
    error = error_of(with_rate_card(tmp_path, f"{HEADER}\n{rows}"))
    assert len(error.problems) == 11
    assert [problem.path for problem in error.problems[:10]] == [
        f"platforms.from_csv (rates.csv line {line}, column 'cost_per_post')"
        for line in range(2, 12)
    ]
    assert str(error.problems[-1]) == "platforms.from_csv: 3 more problems in rates.csv"


def test_a_field_the_rate_card_leaves_to_the_scenario_is_checked_on_the_whole_offer(
    tmp_path: Path,
) -> None:
    """A row may leave a field out, or give both of a pair, for the scenario to settle."""
    (tmp_path / "rates.csv").write_text(f"{HEADER}\ntiktok,micro,3000,100,,0.02\n")
    offer = {"tiers": {"micro": {"engagement_rate": 0.05}}}
    data = edited({"platforms": {"from_csv": "rates.csv", "tiktok": offer}})
    assert load_scenario(write(tmp_path, data)).platforms["tiktok"].tiers["micro"].followers == 3000


# Several problems in one file: all of them at once, each on its own line.


def test_every_field_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = edited(
        {
            "nmae": "typo",
            "budget.total": -1,
            f"{OFFER}.followers": 0,
            f"{OFFER}.conversion_rate": 2,
            f"{OFFER}.cost_per_1k_followers": 40,
            "saturation": [{"factor": 0.5}, {"factor": 0.8}],
        }
    )
    path = write(tmp_path, data)
    error = error_of(path)
    lines = lines_of(error)
    expected = {
        "nmae": "unknown field 'nmae'",
        "budget.total": "greater than 0, got -1",
        f"{OFFER}.followers": "greater than 0, got 0",
        f"{OFFER}.conversion_rate": "at most 1, got 2",
        "saturation": "only the last segment may leave out up_to",
        # a pair is checked on the file as written, not only once every field is valid
        OFFER: "give exactly one of cost_per_post and cost_per_1k_followers",
    }
    assert len(lines) == len(expected) == len(error.problems)
    for field, fragment in expected.items():
        assert any(line.startswith(f"{path}: {field}: ") and fragment in line for line in lines), (
            field,
            lines,
        )


def test_every_cross_field_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = edited(
        {
            "objective": "revenue",
            "budget.periods": {"Q5": {"max": 1}},
            "rules": {
                "presets": ["ecommerce"],
                "shares": [SHARE, {**SHARE, "select": {"platforms": ["tiktk"]}}],
                "limits": [{**LIMIT, "name": "ecommerce:micro", "select": {"periods": ["Q0"]}}],
            },
        }
    )
    path = write(tmp_path, data)
    error = error_of(path)
    assert sorted(problem.path for problem in error.problems) == sorted(
        [
            "average_order_value",
            "budget.periods.Q5",
            "rules.shares[1].name",
            "rules.shares[1].select.platforms",
            "rules.limits[0].name",
            "rules.limits[0].select.periods",
        ]
    )
    assert all(line.startswith(f"{path}: ") for line in lines_of(error))


# The command line: exit code 2, file and path on standard error, never a traceback.

BAD_FILES: list[Any] = [
    pytest.param(
        lambda d: write(d, edited({f"{OFFER}.followers": 0}), "followers.yaml"),
        f"{OFFER}.followers: must be greater than 0",
        id="field",
    ),
    pytest.param(
        lambda d: write(d, edited({"rules": {"shares": [SHARE, SHARE]}}), "rules.yaml"),
        "rules.shares[1].name: duplicate rule name 'cap'",
        id="cross-field",
    ),
    pytest.param(
        lambda d: write(d, edited({"extends": "benchmarks-2025"}), "extends.yaml"),
        "extends: no file",
        id="extends",
    ),
    pytest.param(
        lambda d: write(d, edited({"platforms": {"from_csv": "none.csv"}}), "card.yaml"),
        "platforms.from_csv: rate card",
        id="rate-card",
    ),
    pytest.param(
        lambda d: write_text(d, "syntax.json", '{"name": '),
        "invalid JSON at line 1",
        id="syntax",
    ),
    pytest.param(lambda d: d / "nowhere.yaml", "file not found", id="missing"),
]


@pytest.mark.parametrize("command", ["validate", "solve"])
@pytest.mark.parametrize(("make", "expected"), BAD_FILES)
def test_command_exits_2_with_file_and_path_and_no_traceback(
    tmp_path: Path, command: str, make: Callable[[Path], Path], expected: str
) -> None:
    path = make(tmp_path)
    result = invoke(command, path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"error: {path}: {expected}" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_is_printed_on_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, edited({"budget.total": 0, f"{OFFER}.followers": -1, "nmae": 1}))
    result = invoke("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith(f"error: {path}: ") for line in lines)


def test_validate_reports_every_bad_file_and_still_passes_good_ones(tmp_path: Path) -> None:
    first = write(tmp_path, edited({f"{OFFER}.followers": 0}), "first.yaml")
    second = write(tmp_path, edited({"objective": "profit"}), "second.yaml")
    good = ROOT / "scenarios" / "b2b-saas.yaml"
    result = invoke("validate", first, good, second)
    assert result.exit_code == 2
    assert result.stdout.startswith(f"ok: {good}")
    assert f"{first}: {OFFER}.followers" in result.stderr
    assert f"{second}: average_order_value" in result.stderr


@pytest.mark.parametrize("format", ["json", "csv", "md"])
def test_solve_leaves_no_output_file_for_a_bad_scenario(tmp_path: Path, format: str) -> None:
    path = write(tmp_path, edited({f"{OFFER}.conversion_rate": 1.5}))
    target = tmp_path / f"out.{format}"
    result = invoke("solve", path, "--format", format, "-o", target)
    assert result.exit_code == 2
    assert f"{path}: {OFFER}.conversion_rate" in result.stderr
    # nothing written, not even a temporary file beside the target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_message_text_in_square_brackets_reaches_the_terminal(tmp_path: Path) -> None:
    path = write(tmp_path, edited({f"{OFFER}.followers": [5000, 1000]}))
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "a range [low, high] needs low <= high" in result.stderr


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_child_process_exits_2_without_traceback(tmp_path: Path, command: str) -> None:
    """What a planner sees in a shell, including an unreadable rate card."""
    (tmp_path / "rates.csv").write_bytes(HEADER.encode("utf-16"))
    card = write(tmp_path, edited({"platforms": {"from_csv": "rates.csv"}}), "card.yaml")
    field = write(tmp_path, edited({f"{OFFER}.available": -1}), "field.yaml")
    options = ["--format", "json"] if command == "solve" else []
    done = run(command, card, field, *options)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert f"{card}: platforms.from_csv: cannot read rate card" in done.stderr
    assert f"{field}: {OFFER}.available: must be at least 0, got -1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_validate_accepts_each_shipped_scenario(path: Path) -> None:
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {path}: ")
    assert result.stderr == ""


def test_a_list_that_replaces_the_parents_is_noted(tmp_path: Path) -> None:
    """Lists are values: a child's `rules.limits` replaces the parent's whole list. The planner
    who adds one limit is told, so the parent's do not vanish unnoticed; ranges are values too
    and pass without a note."""
    limit = {"select": {"platforms": ["youtube"], "tiers": ["macro"]}, "count": {"min": 1}}
    parent = {
        "name": "parent",
        "extends": "benchmarks-2026",
        "budget": {"total": 600_000},
        "rules": {"limits": [{"name": "youtube-macro-year", **limit}]},
    }
    (tmp_path / "parent.yaml").write_text(yaml.safe_dump(parent))
    child = {
        "extends": "parent.yaml",
        "name": "child",
        "rules": {"limits": [{"name": "youtube-macro-q4", **limit}]},
        "platforms": {"tiktok": {"tiers": {"micro": {"conversion_rate": [0.01, 0.02]}}}},
    }
    result = run("validate", write(tmp_path, child, "child.yaml"))
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "rules.limits replaces the list" in notes[0]
    names = {c.rule for c in build_model(load_scenario(tmp_path / "child.yaml")).constraints}
    assert "youtube-macro-q4" in names and "youtube-macro-year" not in names


def test_a_rate_card_saved_with_semicolons_says_so(tmp_path: Path) -> None:
    rows = HEADER.replace(",", ";") + "\ntiktok;micro;3000;100;0.05;0.02\n"
    path = with_rate_card(tmp_path, rows)
    assert_one_problem(path, "platforms.from_csv", "separates its columns with ';'")


def test_a_share_written_as_a_percentage_is_shown_as_a_fraction(tmp_path: Path) -> None:
    share = {"name": "cap", "select": {"platforms": ["tiktok"]}, "max": "45%"}
    path = write(tmp_path, edited({"rules": {"shares": [share]}}))
    line = assert_one_problem(path, "rules.shares[0].max", "45%")
    assert line.endswith("write shares as fractions: 0.45 for 45%")


@pytest.mark.parametrize("field", ["average_order_value", "budget.total"])
def test_a_figure_beyond_1e12_is_refused(tmp_path: Path, field: str) -> None:
    data = edited({"objective": "revenue", "average_order_value": 60, field: 1e300})
    message = "must be at most 1,000,000,000,000, got 1e+300"
    assert_one_problem(write(tmp_path, data), field, message)


@pytest.mark.parametrize(
    "field",
    [
        "budget.total",
        f"{OFFER}.followers",
        f"{OFFER}.available",
        "budget.periods.Q1.max",
        "seasonality.Q1.cost",
        "solver.time_limit",
    ],
)
def test_a_whole_number_too_large_for_a_float_is_refused(tmp_path: Path, field: str) -> None:
    """JSON and YAML read a whole number of any length; Python cannot make it a float."""
    huge = int("9" * 400)
    data = edited({field: huge})
    message = "must be at most 1,000,000,000,000, got a number too large to hold"
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_one_problem(path, field, message)
    with pytest.raises(ScenarioError):
        scenario_from_dict(data)
    result = invoke("validate", path)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_data_extends_a_built_in_but_never_opens_a_file(tmp_path: Path) -> None:
    """scenario_from_dict is what a service hands request data to: built-in rate cards
    resolve, file paths and CSV rate cards are refused rather than read."""
    data = {"name": "request", "extends": "benchmarks-2026", "budget": {"total": 100_000}}
    scenario = scenario_from_dict(data)
    assert scenario == load_scenario(write(tmp_path, data))
    secret = tmp_path / "secret.yaml"
    secret.write_text("api_key: hunter2\n")
    for edit in ({"extends": str(secret)}, {"platforms": {"from_csv": str(secret)}}):
        with pytest.raises(ScenarioError) as caught:
            scenario_from_dict({**data, **edit})
        assert "load_scenario" in str(caught.value) and "api_key" not in str(caught.value)


def test_yaml_aliases_that_expand_without_end_are_refused(tmp_path: Path) -> None:
    """Nine lines of nested aliases make 387 million items; the file is refused at once."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = write_text(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert_one_problem(bomb, "", "expands to more than 1,000,000 items through YAML aliases")
    offer = "&micro {followers: 30000, engagement_rate: 0.06}"
    reused = write_text(
        tmp_path,
        "reused.yaml",
        "name: aliases\nextends: benchmarks-2026\nbudget: {total: 100000}\nplatforms:\n"
        f"  tiktok: {{tiers: {{micro: {offer}}}}}\n"
        "  instagram: {tiers: {micro: *micro}}\n",
    )
    assert load_scenario(reused).platforms["instagram"].tiers["micro"].followers == 30000


def test_a_bad_value_from_a_rate_card_names_its_row_and_column(tmp_path: Path) -> None:
    rows = f"{HEADER}\ntiktok,micro,3000,100,0.05,0.02\ninstagram,micro,3000,15 25,0.05,0.02\n"
    path = with_rate_card(tmp_path, rows)
    where = "platforms.from_csv (rates.csv line 3, column 'cost_per_post')"
    assert_one_problem(path, where, "got '15 25'")


def test_a_whole_offer_problem_from_a_rate_card_names_its_row(tmp_path: Path) -> None:
    rows = (
        f"{HEADER},cost_per_1k_followers\ntiktok,micro,3000,100,0.05,0.02,\n"
        "instagram,micro,3000,100,0.05,0.02,40\n"
    )
    path = with_rate_card(tmp_path, rows)
    line = assert_one_problem(
        path, "platforms.instagram.tiers.micro", "exactly one of cost_per_post and"
    )
    assert line.endswith("(from rates.csv line 3)")


def test_a_yaml_node_that_holds_itself_is_refused(tmp_path: Path) -> None:
    text = "name: x\nbudget: {total: 1000}\nperiods: &a [Q1, *a]\n"
    path = write_text(tmp_path, "loop.yaml", text)
    assert_one_problem(path, "", "expands to more than 1,000,000 items through YAML aliases")
    result = run("validate", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_the_presets_cannot_be_changed_by_a_caller() -> None:
    """Every later load in the process expands them: a caller's change would leak."""
    with pytest.raises(TypeError):
        optimizer.PRESETS["70-20-10"] = None  # type: ignore[index]
    assert "70-20-10" in optimizer.PRESETS


def test_a_scenario_accepts_exactly_the_presets_there_are() -> None:
    """Validation knows presets by name only, so that the schema need not import them."""
    assert tuple(optimizer.PRESETS) == PRESET_NAMES


def test_a_rate_card_header_with_spaces_after_its_commas_reads_as_without(
    tmp_path: Path,
) -> None:
    rows = HEADER.replace(",", ", ") + "\ntiktok, micro, 3000, 100, 0.05, 0.02\n"
    scenario = load_scenario(with_rate_card(tmp_path, rows))
    assert scenario.platforms["tiktok"].tiers["micro"].cost_per_post == 100


def test_a_bad_emerging_cell_names_its_row(tmp_path: Path) -> None:
    rows = (
        f"{HEADER},emerging\ntiktok,micro,3000,100,0.05,0.02,maybe\n"
        "tiktok,macro,300000,4000,0.03,0.01,maybe\n"
    )
    error = error_of(with_rate_card(tmp_path, rows))
    assert [problem.path for problem in error.problems] == [
        "platforms.from_csv (rates.csv line 2, column 'emerging')",
        "platforms.from_csv (rates.csv line 3, column 'emerging')",
    ]
    assert error.problems[0].message.endswith("got 'maybe'")


def test_a_null_that_removes_nothing_is_noted_as_a_likely_misspelling(tmp_path: Path) -> None:
    """`linkdin: null` in a child of the built-in rate card removed nothing, silently. It
    loads (a null repeated down a chain is harmless), with a note that names it."""
    data = {"extends": "benchmarks-2026", "name": "child", "budget": {"total": 100_000}}
    for platforms, where in (
        ({"linkdin": None}, "platforms.linkdin"),
        ({"tiktok": {"tiers": {"mikro": None}}}, "platforms.tiktok.tiers.mikro"),
    ):
        result = invoke("validate", write(tmp_path, {**data, "platforms": platforms}))
        assert result.exit_code == 0, result.output
        note = f"{where}: null removes nothing, as the files it extends have none of this name"
        assert note in result.stderr
    result = invoke("validate", write(tmp_path, {**data, "platforms": {"linkedin": None}}))
    assert result.exit_code == 0 and result.stderr == ""
    alone = invoke("validate", write(tmp_path, edited({"platforms.youtube": None})))
    assert alone.exit_code == 0
    assert "platforms.youtube: null removes nothing, as it extends no file" in alone.stderr


def test_a_null_beside_a_csv_rate_card_removes_the_parents_entry(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(HEADER + "\nthreads,micro,3000,100,0.05,0.02\n")
    data = {
        "extends": "benchmarks-2026",
        "name": "card over the built-in",
        "budget": {"total": 100_000},
        "platforms": {"from_csv": "rates.csv", "linkedin": None},
    }
    scenario = load_scenario(write(tmp_path, data))
    assert "linkedin" not in scenario.platforms and "tiktok" in scenario.platforms
    assert scenario.platforms["threads"].tiers["micro"].cost_per_post == 100


def test_a_new_offer_in_a_child_says_it_is_new_and_guesses_the_name_meant(
    tmp_path: Path,
) -> None:
    """`tiktk` in a child of the built-in rate card read as a new, incomplete offer: four
    lines of missing fields and nothing about the spelling."""
    data = {
        "extends": "benchmarks-2026",
        "name": "child",
        "budget": {"total": 100_000},
        "platforms": {"tiktk": {"tiers": {"micro": {"available": 10}}}},
    }
    error = error_of(write(tmp_path, data))
    assert error.problems and all(
        problem.path.startswith("platforms.tiktk.tiers.micro")
        and problem.message.endswith(
            "(the files it extends have no tiktk micro offer, so this one needs every field;"
            " did you mean 'tiktok'?)"
        )
        for problem in error.problems
    )
    # an offer the parent has, with one field wrong, is not called new
    data["platforms"] = {"tiktok": {"tiers": {"micro": {"conversion_rate": 2}}}}
    (problem,) = error_of(write(tmp_path, data)).problems
    assert "no tiktok micro offer" not in problem.message


# Valid, but most likely not meant: validate warns on standard error and exits 0.


def test_validate_warns_of_followers_outside_the_tier_and_of_an_offer_without_a_pool(
    tmp_path: Path,
) -> None:
    data = edited({f"{OFFER}.followers": 250_000})
    data["platforms"]["instagram"] = {
        "tiers": {"macro": {**MICRO, "followers": [80_000, 300_000], "available": 4}}
    }
    path = write(tmp_path, data)
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {path}")
    assert result.stderr.splitlines() == [
        f"warning: {path}: {OFFER}.followers: 250,000 followers lie outside the micro tier's"
        " range (1,000 to 100,000): file the offer under the tier its creators are in, or set"
        " the range under tiers.micro",
        f"warning: {path}: {OFFER}.available: not given, so the plan may engage any number of"
        " tiktok micro creators each period; give the pool (available: N) to cap it",
        f"warning: {path}: platforms.instagram.tiers.macro.followers: 80,000 to 300,000"
        " followers lie outside the macro tier's range (100,000 to 1,000,000): file the offer"
        " under the tier its creators are in, or set the range under tiers.macro",
    ]


def test_validate_warns_of_nothing_in_an_offer_inside_its_tier_with_a_pool(
    tmp_path: Path,
) -> None:
    data = edited({f"{OFFER}.available": 10, "tiers": {"micro": {"max_followers": 30_000}}})
    result = invoke("validate", write(tmp_path, data))
    assert result.exit_code == 0 and result.stderr == ""
    mega = edited({"platforms.tiktok.tiers": {"mega": {**MICRO, "followers": 5e6, "available": 1}}})
    result = invoke("validate", write(tmp_path, mega))
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_no_shipped_scenario_draws_a_warning(path: Path) -> None:
    result = invoke("validate", path)
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr
