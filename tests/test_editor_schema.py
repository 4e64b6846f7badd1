"""The JSON Schema editors check files with says what `validate` says: a document the schema
refuses is one validation refuses, and the other way round, for the checks a schema can state
(types, ranges, the +-1e12 limit on figures, exactly one of each price and engagement pair).

What a schema cannot see (a rule naming a platform the file lacks, a pair completed by the file
extended) is left to `validate`, and not tested here.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import best_match

from optimizer.constants import MAX_FIGURE
from optimizer.errors import ScenarioError
from optimizer.scenario.editor_schema import editor_schema
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios").glob("*/*.yaml")
)
VALIDATOR = jsonschema.Draft202012Validator(editor_schema())

MICRO = {"followers": 30_000, "cost_per_post": 1_200, "engagement_rate": 0.06}
MICRO["conversion_rate"] = 0.02
TOO_LARGE = 2 * MAX_FIGURE


def complete(**edits: Any) -> dict[str, Any]:
    """A complete scenario (no extends) with each dotted path set to its value."""
    return edited(
        {
            "name": "schema test",
            "budget": {"total": 10_000},
            "platforms": {"tiktok": {"tiers": {"micro": copy.deepcopy(MICRO)}}},
        },
        edits,
    )


def child(**edits: Any) -> dict[str, Any]:
    """A file extending the built-in rate card, with each dotted path set."""
    return edited({"extends": "benchmarks-2026", "name": "child", "budget": {"total": 1e5}}, edits)


def edited(data: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in edits.items():
        *parents, last = dotted.split("__")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return data


def schema_accepts(document: dict[str, Any]) -> bool:
    return VALIDATOR.is_valid(document)


def validate_accepts(document: dict[str, Any], directory: Path) -> bool:
    path = directory / "scenario.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError:
        return False
    return True


OFFER = "platforms__tiktok__tiers__micro"
BOTH_PRICES = {**MICRO, "cost_per_1k_followers": 40}
NO_PRICE = {key: value for key, value in MICRO.items() if key != "cost_per_post"}
BOTH_ENGAGEMENTS = {**MICRO, "cost_per_engagement": 0.1}
BENCHMARK_OFFER = "platforms__tiktok__tiers__micro"

AGREEMENT = [
    # (document, accepted by both)
    pytest.param(complete(), True, id="complete"),
    pytest.param(complete(**{OFFER: BOTH_PRICES}), False, id="both-prices"),
    pytest.param(complete(**{OFFER: NO_PRICE}), False, id="no-price"),
    pytest.param(complete(**{OFFER: BOTH_ENGAGEMENTS}), False, id="both-engagements"),
    pytest.param(
        complete(**{OFFER: {**MICRO, "cost_per_1k_followers": None}}), True, id="price-and-null"
    ),
    pytest.param(
        complete(**{OFFER: {**NO_PRICE, "cost_per_post": None, "cost_per_1k_followers": 40}}),
        True,
        id="other-price",
    ),
    pytest.param(complete(budget__total=MAX_FIGURE), True, id="budget-at-the-limit"),
    pytest.param(complete(budget__total=TOO_LARGE), False, id="budget-too-large"),
    pytest.param(complete(budget__total=-5), False, id="budget-negative"),
    pytest.param(complete(**{f"{OFFER}__followers": TOO_LARGE}), False, id="followers"),
    pytest.param(
        complete(**{f"{OFFER}__followers": [1000, TOO_LARGE]}), False, id="followers-range"
    ),
    pytest.param(complete(**{f"{OFFER}__available": TOO_LARGE}), False, id="available"),
    pytest.param(complete(budget__periods={"Q1": {"min": -TOO_LARGE}}), False, id="bound-min"),
    pytest.param(complete(budget__periods={"Q1": {"max": TOO_LARGE}}), False, id="bound-max"),
    pytest.param(complete(seasonality={"Q4": {"cost": TOO_LARGE}}), False, id="seasonality"),
    pytest.param(complete(saturation=[{"up_to": int(TOO_LARGE), "factor": 1}]), False, id="up-to"),
    pytest.param(complete(solver={"time_limit": TOO_LARGE}), False, id="time-limit"),
    pytest.param(complete(tiers={"big": {"max_followers": TOO_LARGE}}), False, id="tier-range"),
    pytest.param(
        complete(objective="revenue", average_order_value=TOO_LARGE), False, id="order-value"
    ),
    pytest.param(
        complete(rules={"limits": [{"name": "cap", "spend": {"max": TOO_LARGE}}]}),
        False,
        id="limit",
    ),
    pytest.param(child(budget__total=250_000), True, id="child"),
    pytest.param(child(budget__total=TOO_LARGE), False, id="child-budget-too-large"),
    pytest.param(child(**{BENCHMARK_OFFER: BOTH_PRICES}), False, id="child-both-prices"),
    pytest.param(
        child(**{BENCHMARK_OFFER: {"cost_per_post": 900, "cost_per_1k_followers": None}}),
        True,
        id="child-other-price",
    ),
    pytest.param(
        child(**{BENCHMARK_OFFER: {"engagement_rate": 0.05, "cost_per_engagement": 0.1}}),
        False,
        id="child-both-engagements",
    ),
]


@pytest.mark.parametrize(("document", "accepted"), AGREEMENT)
def test_the_schema_and_validate_agree(
    document: dict[str, Any], accepted: bool, tmp_path: Path
) -> None:
    assert validate_accepts(document, tmp_path) is accepted
    assert schema_accepts(document) is accepted, [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(document)
    ]


def test_an_offer_beside_a_rate_card_may_give_only_what_it_changes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "scenarios" / "rates" / "agency-rates.csv", tmp_path / "rates.csv")
    document = complete(platforms={"from_csv": "rates.csv", "tiktok": {"tiers": {"micro": {}}}})
    document["platforms"]["tiktok"]["tiers"]["micro"]["available"] = 12
    document["platforms"]["youtube"] = None
    assert validate_accepts(document, tmp_path) and schema_accepts(document)
    document["platforms"]["tiktok"]["tiers"]["micro"]["available"] = TOO_LARGE
    assert not validate_accepts(document, tmp_path) and not schema_accepts(document)


@pytest.mark.parametrize("document", [complete(), child()], ids=["complete", "child"])
def test_a_negative_budget_is_the_best_match_with_its_bound(document: dict[str, Any]) -> None:
    """Editors show the error jsonschema ranks first: it must name the field and the bound,
    not that the budget "is not valid under any of the given schemas"."""
    document = edited(document, {"budget__total": -5})
    error = best_match(VALIDATOR.iter_errors(document))
    assert error is not None
    assert list(error.absolute_path) == ["budget", "total"]
    assert error.message == "-5 is less than or equal to the minimum of 0"


@pytest.mark.parametrize("document", [complete(), child()], ids=["complete", "child"])
def test_a_doubled_price_is_the_best_match_at_its_offer(document: dict[str, Any]) -> None:
    document = edited(document, {OFFER: BOTH_PRICES})
    error = best_match(VALIDATOR.iter_errors(document))
    assert error is not None
    assert list(error.absolute_path) == ["platforms", "tiktok", "tiers", "micro"]


def test_every_number_without_a_bound_of_its_own_has_validations_limit() -> None:
    def numbers(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, list):
            return [found for item in node for found in numbers(item)]
        if not isinstance(node, dict):
            return []
        own = [node] if node.get("type") in ("number", "integer") else []
        return own + [found for value in node.values() for found in numbers(value)]

    found = numbers(editor_schema())
    assert len(found) > 40
    for number in found:
        assert "maximum" in number or "exclusiveMaximum" in number, number
        assert "minimum" in number or "exclusiveMinimum" in number, number
        assert number.get("maximum", 0) <= 2**62  # a seed's own bound is the largest


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_scenario_passes_the_schema_and_validate(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [error.message for error in VALIDATOR.iter_errors(document)]
    assert errors == []
    load_scenario(path)
