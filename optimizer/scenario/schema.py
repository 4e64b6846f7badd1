"""The scenario file as pydantic models: frozen, no unknown fields, a docstring on every field.

Checks that need more than one field at a time (references between rules, periods and
platforms) live in `optimizer.scenario.checks`, so that all of them are reported together.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from optimizer.constants import (
    DEFAULT_GAP,
    DEFAULT_PERIODS,
    DEFAULT_SOLVER,
    DEFAULT_TIME_LIMIT,
    DEFAULT_TOLERANCE,
    LIMIT_METRICS,
    MAX_FIGURE,
    OBJECTIVES,
    PRESET_NAMES,
    ShareMetric,
    SolverName,
    Within,
)

Estimate = float | tuple[float, float]
"""A number, or a range `(low, high)` whose midpoint the model uses."""


def midpoint(value: Estimate) -> float:
    """The figure the model uses for a number or a `[low, high]` range."""
    if isinstance(value, tuple):
        return (value[0] + value[1]) / 2
    return value


# Larger figures are typing slips, and their products (reach x rate x order value) pass the
# range in which the solver's arithmetic is exact.
_TOO_LARGE = f"must be at most {MAX_FIGURE:,.0f}, got {{:g}}"


def _as_float(value: float) -> float:
    """The number as a float; a whole number too large for one (JSON and YAML read any
    number of digits) is refused as too large, not with Python's OverflowError."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(
            f"must be at most {MAX_FIGURE:,.0f}, got a number too large to hold"
        ) from None


def _estimate(
    *, gt: float | None = None, ge: float | None = None, le: float | None = None
) -> tuple[BeforeValidator, WithJsonSchema]:
    """Validation and JSON Schema of a number or `[low, high]` range whose ends obey bounds."""
    limits = []
    if gt is not None:
        limits.append(f"greater than {gt:g}")
    if ge is not None:
        limits.append(f"at least {ge:g}")
    if le is not None:
        limits.append(f"at most {le:g}")
    wanted = " and ".join(limits)

    def check(number: float) -> None:
        if math.isinf(number):
            # an infinite audience or price makes every outcome of the plan meaningless
            raise ValueError(f"must be a finite number, got {number:g}")
        if abs(number) > MAX_FIGURE:
            raise ValueError(_TOO_LARGE.format(number))
        if (
            (gt is not None and not number > gt)
            or (ge is not None and not number >= ge)
            or (le is not None and not number <= le)
        ):
            raise ValueError(f"must be {wanted}, got {number:g}")

    def is_number(value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def validate(value: object) -> Estimate:
        if is_number(value):
            number = _as_float(value)  # type: ignore[arg-type]
            check(number)
            return number
        if isinstance(value, list | tuple) and len(value) == 2 and all(map(is_number, value)):
            low, high = _as_float(value[0]), _as_float(value[1])
            check(low)
            check(high)
            if low > high:
                raise ValueError(f"a range [low, high] needs low <= high, got [{low:g}, {high:g}]")
            return (low, high)
        if isinstance(value, str):
            raise ValueError(_text_for_a_number(value, "a number or a range [low, high]"))
        shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as YAML writes it
        raise ValueError(f"must be a number or a range [low, high], got {shown}")

    bounds: dict[str, float] = {}
    if gt is not None:
        bounds["exclusiveMinimum"] = gt
    if ge is not None:
        bounds["minimum"] = ge
    if le is not None:
        bounds["maximum"] = le
    number_schema = {"type": "number", **bounds}
    schema = {
        "anyOf": [
            number_schema,
            {"type": "array", "items": number_schema, "minItems": 2, "maxItems": 2},
        ]
    }
    return BeforeValidator(validate), WithJsonSchema(schema)


def _text_for_a_number(text: str, wanted: str = "a number") -> str:
    """What to say of text where a number belongs: quoted digits are text in YAML and JSON
    (their schema says number), and a share written `45%` is shown as the fraction."""
    message = f"must be {wanted}, got {text!r}"
    share = text.strip().removesuffix("%").strip()
    if text.strip().endswith("%"):
        with contextlib.suppress(ValueError):
            return f"{message}; write shares as fractions: {float(share) / 100:g} for {text}"
    with contextlib.suppress(ValueError):
        float(text)
        return f"{message}; write it without quotes"
    return message


def _plain_number(value: object) -> object:
    # YAML reads `yes` and `true` as booleans, and pydantic would take them for 1
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {str(value).lower()}")
    if isinstance(value, str):  # pydantic would read "10000", though an offer's fields do not
        raise ValueError(_text_for_a_number(value))
    if isinstance(value, int | float):
        number = _as_float(value)
        if math.isfinite(number) and abs(number) > MAX_FIGURE:
            raise ValueError(_TOO_LARGE.format(number))
    return value


PlainNumber = BeforeValidator(_plain_number)

_positive, _rate, _non_negative = _estimate(gt=0), _estimate(ge=0, le=1), _estimate(ge=0)
PositiveEstimate = Annotated[Estimate, _positive[0], _positive[1]]
RateEstimate = Annotated[Estimate, _rate[0], _rate[1]]
NonNegativeEstimate = Annotated[Estimate, _non_negative[0], _non_negative[1]]

PositiveFloat = Annotated[float, Field(gt=0), PlainNumber]
Number = Annotated[float, PlainNumber]
Fraction = Annotated[float, Field(ge=0, le=1), PlainNumber]
Name = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    # allow_inf_nan: YAML's .inf and .nan are numbers to a parser, never to a budget
    # The fields' docstrings become the JSON Schema's descriptions in `editor_schema`, which
    # reads them from this file; pydantic's `use_attribute_docstrings` would parse the source
    # of every model each time the package loads, a tenth of `optimizer solve`'s start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Bounds(Strict):
    """A lower and/or upper bound on a total."""

    min: Number | None = None
    """Lowest allowed value; no lower bound when left out."""
    max: Number | None = None
    """Highest allowed value; no upper bound when left out."""

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class TierDef(Strict):
    """An audience-size class of influencers."""

    min_followers: Annotated[float, Field(ge=0), PlainNumber] = 0
    """Fewest followers of an influencer in this tier."""
    max_followers: PositiveFloat | None = None
    """Most followers of an influencer in this tier; unbounded when left out."""
    emerging: bool = False
    """Whether this tier counts as emerging (the 10% of 70-20-10)."""

    @model_validator(mode="after")
    def _ordered(self) -> TierDef:
        if self.max_followers is not None and self.max_followers <= self.min_followers:
            raise ValueError(
                f"max_followers ({self.max_followers:g}) must exceed min_followers"
                f" ({self.min_followers:g})"
            )
        return self


class Seasonality(Strict):
    """Multipliers applied to one period's offers (1 where left out)."""

    cost: PositiveFloat = 1.0
    """Multiplier on the cost of a partnership in this period."""
    conversions: Annotated[float, Field(ge=0), PlainNumber] = 1.0
    """Multiplier on conversions (and so revenue) in this period."""
    reach: Annotated[float, Field(ge=0), PlainNumber] = 1.0
    """Multiplier on reach in this period."""
    engagements: Annotated[float, Field(ge=0), PlainNumber] = 1.0
    """Multiplier on engagements in this period."""


class Segment(Strict):
    """One step of diminishing returns: influencers up to `up_to` in a cell yield `factor`."""

    up_to: Annotated[int, Field(gt=0), PlainNumber] | None = None
    """Last influencer (1-based, per cell and period) in this segment; the last segment has none."""
    factor: Annotated[float, Field(gt=0, le=1), PlainNumber]
    """Share of the full outcome (reach, engagements, conversions, revenue) each one yields."""


def _check_saturation(segments: list[Segment] | None) -> list[Segment] | None:
    if segments is None:
        return None
    if not segments:
        raise ValueError("give at least one segment, or leave saturation out")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment.up_to is None and not last:
            raise ValueError(f"only the last segment may leave out up_to (segment {i + 1} does)")
        if segment.up_to is not None and last:
            raise ValueError("the last segment must leave out up_to: it is unbounded")
        if i and segment.factor > segments[i - 1].factor:
            raise ValueError(
                f"factors must not increase: segment {i + 1} has {segment.factor:g}"
                f" after {segments[i - 1].factor:g}"
            )
        previous = segments[i - 1].up_to if i else 0
        if i and segment.up_to is not None and previous is not None and segment.up_to <= previous:
            raise ValueError(
                f"up_to must strictly increase: segment {i + 1} has {segment.up_to}"
                f" after {previous}"
            )
    return segments


Saturation = Annotated[list[Segment] | None, AfterValidator(_check_saturation)]


ONE_OF = (("cost_per_post", "cost_per_1k_followers"), ("engagement_rate", "cost_per_engagement"))
"""Offer fields that come in pairs, exactly one of each pair given."""


def pairs_problems(given: Callable[[str], bool]) -> list[str]:
    """What is wrong with an offer's pairs, `given(field)` telling whether a field is there."""
    return [f"give exactly one of {a} and {b}" for a, b in ONE_OF if given(a) == given(b)]


class Offer(Strict):
    """What one influencer of a tier on a platform costs and yields for one partnership in one
    period."""

    followers: PositiveEstimate
    """Average followers of an influencer in this cell."""
    cost_per_post: PositiveEstimate | None = None
    """Price of one sponsored partnership; give this or cost_per_1k_followers."""
    cost_per_1k_followers: PositiveEstimate | None = None
    """Price per 1,000 followers; give this or cost_per_post."""
    engagement_rate: RateEstimate | None = None
    """Engagements per follower per post, in [0, 1]; give this or cost_per_engagement."""
    cost_per_engagement: PositiveEstimate | None = None
    """Price of one engagement; give this or engagement_rate."""
    conversion_rate: RateEstimate
    """Conversions per engagement, in [0, 1]."""
    reach_rate: NonNegativeEstimate = 1.0
    """People reached per follower (may exceed 1 where content travels beyond followers)."""
    available: NonNegativeEstimate | None = None
    """Most influencers of this cell per period (the pool); unlimited when left out. A range
    or a fractional number means its midpoint, rounded down when counts are whole."""
    min: NonNegativeEstimate = 0
    """Fewest influencers of this cell per period. A range or a fractional number means its
    midpoint, rounded up when counts are whole."""
    saturation: Saturation = None
    """Diminishing returns for this offer; overrides the scenario's list."""

    @model_validator(mode="after")
    def _one_of_each(self) -> Offer:
        problems = pairs_problems(lambda field: getattr(self, field) is not None)
        low = midpoint(self.min)
        high = math.inf if self.available is None else midpoint(self.available)
        if low > high:
            problems.append(f"min ({low:g}) must not exceed available ({high:g})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def count_bounds(self, integer: bool) -> tuple[float, float]:
        """(fewest, most) influencers per period as the model uses them: with whole
        influencers, `min` rounded up and `available` down."""
        low = midpoint(self.min)
        high = math.inf if self.available is None else midpoint(self.available)
        if integer:
            low = math.ceil(low - 1e-9)
            high = high if math.isinf(high) else math.floor(high + 1e-9)
        return float(low), float(high)


class Platform(Strict):
    """A platform and its offers per tier."""

    emerging: bool = False
    """Whether this platform is being tested (the 10% of 70-20-10)."""
    tiers: dict[str, Offer] = Field(default_factory=dict)
    """The offer of each tier on this platform."""


class Budget(Strict):
    """How much may be spent, in total and per period."""

    total: PositiveFloat | None = None
    """Most to spend over all periods; required unless the objective minimises spend."""
    periods: dict[str, Bounds] = Field(default_factory=dict)
    """Bounds on each period's spend, by period name."""


def _objective(value: object) -> object:
    if isinstance(value, str):
        if value not in OBJECTIVES:
            raise ValueError(
                f"unknown objective {value!r}; choose one of {', '.join(OBJECTIVES)}"
                " or {minimize: spend}"
            )
        return {"sense": "maximize", "metric": value}
    if isinstance(value, Objective):
        return value
    if isinstance(value, dict) and "minimize" in value:
        if "risk" in value:
            raise ValueError(
                "risk goes with {maximize: METRIC}; spend is planned under uncertainty with a"
                " chance target: {minimize: spend, target: {conversions: 5000, probability: 0.9}}"
            )
        _only_keys(value, ("minimize", "target"), "{minimize: spend, target: {...}}")
        if value["minimize"] != "spend":
            raise ValueError("only spend can be minimised: write {minimize: spend}")
        return {"sense": "minimize", "metric": "spend", "target": value.get("target")}
    if isinstance(value, dict) and "maximize" in value:
        _only_keys(value, ("maximize", "risk"), "{maximize: METRIC, risk: ...}")
        metric = value["maximize"]
        if metric not in OBJECTIVES:
            raise ValueError(
                f"unknown objective {metric!r} to maximise; choose one of {', '.join(OBJECTIVES)}"
            )
        return {"sense": "maximize", "metric": metric, "risk": value.get("risk")}
    if isinstance(value, dict) and {"sense", "metric"} <= set(value):
        return value
    raise ValueError(
        f"must be one of {', '.join(OBJECTIVES)}, {{maximize: METRIC, risk: ...}} or"
        f" {{minimize: spend}}, got {value!r}"
    )


def _only_keys(value: dict[object, object], keys: tuple[str, ...], form: str) -> None:
    unknown = [str(key) for key in value if key not in keys]
    if unknown:
        raise ValueError(
            f"unknown key {', '.join(map(repr, unknown))}; the form is {form}"
            f" (keys {', '.join(keys)})"
        )


TARGET_METRICS: tuple[str, ...] = ("conversions", "revenue", "reach", "engagements")
"""Metrics a chance target may name (the outcomes of section 3 of the format)."""


def _risk(value: object) -> object:
    # none given is no risk: {maximize: METRIC} alone is v1's objective, taken over draws only
    # where the scenario has `uncertainty`
    if value is None:
        return None
    if value == "expected":
        return {}
    if isinstance(value, str):
        raise ValueError(f"must be expected, {{cvar: A}} or {{cvar: A, weight: W}}, got {value!r}")
    if isinstance(value, dict) and "weight" in value and "cvar" not in value:
        raise ValueError("weight mixes the mean with CVaR: give cvar too, {cvar: A, weight: W}")
    return value


class Risk(Strict):
    """How the draws of an uncertain outcome are weighed: their mean (`expected`), or
    `(1 - weight) * mean + weight * CVaR_cvar` (the mean of the worst `cvar` share)."""

    cvar: Annotated[float, Field(gt=0, le=1), PlainNumber] | None = None
    """The share A of worst draws CVaR averages, 0 < A <= 1; none for the expected value."""
    weight: Annotated[float, Field(ge=0, le=1), PlainNumber] = 1.0
    """Weight W of CVaR against the mean, 0 <= W <= 1 (default 1: CVaR alone)."""

    @property
    def label(self) -> str:
        if self.cvar is None:
            return "expected"
        weighted = "" if self.weight == 1 else f", weight {self.weight:g}"
        return f"cvar {self.cvar:g}{weighted}"


def _target(value: object) -> object:
    if value is None or not isinstance(value, dict) or "metric" in value:
        return value
    metrics = [key for key in value if key != "probability"]
    if len(metrics) != 1 or metrics[0] not in TARGET_METRICS:
        raise ValueError(
            f"give one metric and its value, and the probability, such as {{conversions: 5000,"
            f" probability: 0.9}}; metrics: {', '.join(TARGET_METRICS)}; got"
            f" {', '.join(map(str, metrics)) or 'none'}"
        )
    if "probability" not in value:
        raise ValueError("give the probability of reaching the target, 0 < p < 1: 0.9 for 90%")
    metric = metrics[0]
    return {"metric": metric, "value": value[metric], "probability": value["probability"]}


class Target(Strict):
    """A chance target: reach `value` of `metric` in at least `probability` of the draws."""

    metric: Literal["conversions", "revenue", "reach", "engagements"]
    """The outcome to reach."""
    value: Annotated[float, Field(ge=0), PlainNumber]
    """How much of it."""
    probability: Annotated[float, Field(gt=0, lt=1), PlainNumber]
    """The least share of draws in which the plan reaches it, 0 < p < 1."""


class Objective(Strict):
    """What the plan optimises."""

    sense: Literal["maximize", "minimize"]
    """Maximise an outcome or minimise spend."""
    metric: Literal["conversions", "revenue", "profit", "reach", "engagements", "spend"]
    """The total being optimised; profit is revenue minus spend."""
    risk: Annotated[Risk | None, BeforeValidator(_risk)] = None
    """Over uncertain draws: expected (the mean), {cvar: A} or {cvar: A, weight: W}; none
    given means expected where the scenario has `uncertainty`."""
    target: Annotated[Target | None, BeforeValidator(_target)] = None
    """With {minimize: spend}: the outcome to reach with a probability over the draws."""

    @model_validator(mode="after")
    def _one_of_the_format(self) -> Objective:
        # The {sense, metric} form is how a loaded scenario writes itself back (sweeps do);
        # it may say no more than the file's own forms can.
        if (self.sense == "minimize") != (self.metric == "spend"):
            raise ValueError(
                f"{self.sense} {self.metric} is no objective: maximise one of"
                f" {', '.join(OBJECTIVES)}, or minimise spend"
            )
        if self.target is not None and self.sense != "minimize":
            raise ValueError("a target goes with {minimize: spend}")
        if self.risk is not None and self.sense != "maximize":
            raise ValueError("risk goes with {maximize: METRIC}; spend takes a target")
        return self

    @property
    def uncertain(self) -> bool:
        """Whether the objective is taken over draws (a risk or a target is given)."""
        return self.risk is not None or self.target is not None

    @property
    def label(self) -> str:
        return f"{self.sense} {self.metric}"


_RISK_SCHEMA = {
    "anyOf": [
        {"const": "expected"},
        {
            "type": "object",
            "properties": {
                "cvar": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "weight": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["cvar"],
            "additionalProperties": False,
        },
    ]
}
_TARGET_SCHEMA = {
    "type": "object",
    "properties": {
        **{metric: {"type": "number", "minimum": 0} for metric in TARGET_METRICS},
        "probability": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    },
    "required": ["probability"],
    "minProperties": 2,
    "maxProperties": 2,
    "additionalProperties": False,
}

ObjectiveField = Annotated[
    Objective,
    BeforeValidator(_objective),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": list(OBJECTIVES)},
                {
                    "type": "object",
                    "properties": {"minimize": {"const": "spend"}, "target": _TARGET_SCHEMA},
                    "required": ["minimize"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"maximize": {"enum": list(OBJECTIVES)}, "risk": _RISK_SCHEMA},
                    "required": ["maximize"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


UNCERTAIN_FIGURES: tuple[str, ...] = (
    "followers",
    "cost_per_post",
    "cost_per_1k_followers",
    "engagement_rate",
    "cost_per_engagement",
    "conversion_rate",
    "reach_rate",
)
"""Offer figures that draws move (section 8 of the format), in the order they are drawn."""


def _known_figures(spread: dict[str, float]) -> dict[str, float]:
    unknown = [name for name in spread if name not in UNCERTAIN_FIGURES]
    if unknown:
        raise ValueError(
            f"unknown figure {', '.join(map(repr, unknown))}; spread takes"
            f" {', '.join(UNCERTAIN_FIGURES)}"
        )
    return spread


def _whole_number(value: object) -> object:
    value = _plain_number(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        raise ValueError(f"must be a whole number, got {value:g}")
    return value


WholeNumber = BeforeValidator(_whole_number)


class Uncertainty(Strict):
    """Monte Carlo draws of the offers' figures: how sure a plan is (section 8 of the format)."""

    draws: Annotated[int, Field(ge=1, le=100_000), WholeNumber] = 1000
    """Number of Monte Carlo draws."""
    seed: Annotated[int, Field(ge=0, le=2**62), WholeNumber] = 0
    """Seed of the draws: the same file and seed give the same draws on every machine."""
    shape: Literal["uniform", "triangular", "pert"] = "triangular"
    """How a range [low, high] is drawn: uniform, triangular or PERT (beta, lambda 4), each
    peaked at (and with its mean at) the midpoint the model plans with."""
    shared_by: list[Literal["period", "platform", "tier"]] = Field(
        default_factory=lambda: ["platform", "tier"]  # type: ignore[arg-type]
    )
    """Cells that share these levels share one draw of each figure (default: one draw per
    offer, used in every period)."""
    spread: Annotated[
        dict[str, Annotated[float, Field(ge=0, lt=1), PlainNumber]],
        AfterValidator(_known_figures),
    ] = Field(default_factory=dict)
    """+- fraction for a figure given as one number (default: a number is certain)."""
    draws_file: str | None = None
    """A CSV of the draws themselves (relative to the scenario file); the keys above are then
    unused."""

    _unique_levels = field_validator("shared_by")(
        lambda levels: _unique("shared_by levels")(levels)
    )


class Select(Strict):
    """Which cells a rule covers: a cell is kept when it matches every key given."""

    platforms: list[str] | None = None
    """Platform names; any of them matches."""
    tiers: list[str] | None = None
    """Tier names; any of them matches."""
    periods: list[str] | None = None
    """Period names; any of them matches."""
    emerging: bool | None = None
    """true: an emerging platform or tier; false: neither is emerging."""
    platform_emerging: bool | None = None
    """true: an emerging platform; false: an established platform, whatever the tier."""
    creators: list[str] | None = None
    """Creator ids of the roster; any of them matches (offers have no creator)."""


class ShareRule(Strict):
    """Bounds on the share of a metric that the selected cells take."""

    name: Name
    """Unique name of the rule, used in reports and conflicts."""
    select: Select = Field(default_factory=Select)
    """The cells whose share is bounded."""
    of: ShareMetric = "spend"
    """The metric whose share is taken."""
    within: Within = "total"
    """total: one share of everything; period: one share per period."""
    min: Fraction | None = None
    """Lowest allowed share, in [0, 1]."""
    max: Fraction | None = None
    """Highest allowed share, in [0, 1]."""

    @model_validator(mode="after")
    def _bounded(self) -> ShareRule:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class LimitRule(Strict):
    """Bounds on totals of the selected cells, optionally per period, platform or tier."""

    name: Name
    """Unique name of the rule, used in reports and conflicts."""
    select: Select = Field(default_factory=Select)
    """The cells whose totals are bounded."""
    per: list[Literal["period", "platform", "tier", "creator"]] = Field(default_factory=list)
    """Split the selection into one group per value of these dimensions (`creator`: one
    group per creator of the roster)."""
    count: Bounds | None = None
    """Bounds on the number of influencers."""
    spend: Bounds | None = None
    """Bounds on spend."""
    reach: Bounds | None = None
    """Bounds on (saturated) reach."""
    engagements: Bounds | None = None
    """Bounds on (saturated) engagements."""
    conversions: Bounds | None = None
    """Bounds on (saturated) conversions."""
    revenue: Bounds | None = None
    """Bounds on (saturated) revenue; needs average_order_value."""

    @model_validator(mode="after")
    def _bounded(self) -> LimitRule:
        if not self.bounds():
            raise ValueError(f"bound at least one of {', '.join(LIMIT_METRICS)}")
        if len(set(self.per)) != len(self.per):
            raise ValueError("per lists a dimension twice")
        return self

    def bounds(self) -> dict[str, Bounds]:
        """The bounded metrics, in the order of `LIMIT_METRICS`."""
        return {
            metric: bound
            for metric in LIMIT_METRICS
            if (bound := getattr(self, metric)) is not None
            and (bound.min is not None or bound.max is not None)
        }


def _known_preset(name: str) -> str:
    if name not in PRESET_NAMES:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESET_NAMES)}")
    return name


class Rules(Strict):
    """Share rules and limits the plan must respect."""

    presets: list[Annotated[str, AfterValidator(_known_preset)]] = Field(default_factory=list)
    """Named rule sets (run `optimizer presets`): 70-20-10, ecommerce, b2b-saas, ..."""
    tolerance: Annotated[float, Field(ge=0, le=0.5), PlainNumber] = DEFAULT_TOLERANCE
    """Width around preset targets written as target +- T."""
    shares: list[ShareRule] = Field(default_factory=list)
    """Bounds on the share of a metric taken by selected cells."""
    limits: list[LimitRule] = Field(default_factory=list)
    """Bounds on totals of selected cells."""


class SolverSettings(Strict):
    """How to solve; the command line overrides these."""

    name: SolverName = DEFAULT_SOLVER
    """highs (default) or cbc; any other solver PuLP runs is chosen with --solver."""
    time_limit: PositiveFloat = DEFAULT_TIME_LIMIT
    """Seconds after which the search stops with the best plan found."""
    gap: Annotated[float, Field(ge=0, le=1), PlainNumber] = DEFAULT_GAP
    """Relative MIP gap at which the search stops."""
    formulation: Literal["auto", "count", "segments", "both"] = "auto"
    """Which columns of a saturated cell are integer: `count` (its count; segments
    continuous), `segments` (each saturation segment; the count follows), `both`, or `auto`
    (the rule measured on held-out benchmarks). Every choice has the same optimum."""
    tie_break: Literal["spread", "none"] = "spread"
    """Among plans as good as the optimum within the gap, even spend out over periods
    (`spread`: posts move from the costliest period to the leanest while every rule holds),
    or keep the solver's plan (`none`)."""


def _default_tiers() -> dict[str, TierDef]:
    return {
        "nano": TierDef(min_followers=0, max_followers=1_000, emerging=True),
        "micro": TierDef(min_followers=1_000, max_followers=100_000),
        "macro": TierDef(min_followers=100_000, max_followers=1_000_000),
        "mega": TierDef(min_followers=1_000_000),
    }


def _with_default_tiers(value: object) -> object:
    """The built-in tiers with the scenario's over them, key by key as `extends` merges: a
    built-in tier given again keeps every key not given (`nano: {max_followers: 5000}` is
    still emerging, and `macro: {max_followers: 50000}` is refused, being below macro's
    100,000 minimum)."""
    if not isinstance(value, dict):
        return value
    tiers: dict[object, object] = {
        name: tier.model_dump() for name, tier in _default_tiers().items()
    }
    for name, given in value.items():
        built_in = tiers.get(name)
        if isinstance(built_in, dict) and isinstance(given, dict):
            given = {**built_in, **given}
        tiers[name] = given
    return tiers


def _unique(kind: str) -> Callable[[list[str]], list[str]]:
    def check(values: list[str]) -> list[str]:
        seen = {value for value in values if values.count(value) > 1}
        if seen:
            raise ValueError(f"{kind} must be unique; repeated: {', '.join(sorted(seen))}")
        return values

    return check


class RosterSettings(Strict):
    """Named creators read from a CSV file, one row each (section 9 of format v2)."""

    file: Name
    """The CSV file of creators, relative to the scenario file."""
    posts: Annotated[int, Field(ge=1), PlainNumber] = 1
    """Most posts per creator per period, unless the creator's row gives max_posts."""
    method: Literal["auto", "mip", "decomposition"] = "auto"
    """How to solve: `mip` (branch and bound on every creator), `decomposition` (the linear
    relaxation by column generation, made whole and proven against its bound), or `auto`
    (mip up to a few thousand creators)."""


def _currency_code(value: object) -> object:
    if isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha():
        return value.upper()
    raise ValueError(f"must be a three-letter currency code such as USD or EUR, got {value!r}")


class Scenario(Strict):
    """A planning problem: what can be bought, what it yields and which rules hold."""

    name: Name
    """Name shown in reports."""
    currency: Annotated[str, BeforeValidator(_currency_code)] = "USD"
    """Currency of every amount in the file: a three-letter code such as USD, EUR or GBP."""
    periods: Annotated[list[Name], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_PERIODS)
    )
    """Planning buckets, in order; unique."""
    extends: str | None = None
    """Another scenario file (relative path) or built-in name this one overrides key by key."""
    budget: Budget = Field(default_factory=Budget)
    """Total and per-period spend bounds."""
    objective: ObjectiveField = Field(
        default_factory=lambda: Objective(sense="maximize", metric="conversions")
    )
    """conversions | revenue | profit | reach | engagements (maximised) or {minimize: spend};
    over uncertain draws {maximize: METRIC, risk: ...} or {minimize: spend, target: {...}}."""
    average_order_value: PositiveFloat | None = None
    """Revenue per conversion; required for revenue and profit."""
    integer: bool = True
    """Whole influencers (true) or fractional counts (false, a linear program)."""
    tiers: Annotated[dict[str, TierDef], BeforeValidator(_with_default_tiers)] = Field(
        default_factory=_default_tiers
    )
    """Tier definitions, added to the built-in nano, micro, macro and mega."""
    seasonality: dict[str, Seasonality] = Field(default_factory=dict)
    """Multipliers per period."""
    saturation: Saturation = None
    """Diminishing returns for every offer without its own list."""
    platforms: dict[str, Platform]
    """The rate card: each platform's offers per tier."""
    roster: RosterSettings | None = None
    """Named creators from a CSV file, beside or instead of the rate card's offers."""
    rules: Rules = Field(default_factory=Rules)
    """Presets, share rules and limits."""
    solver: SolverSettings = Field(default_factory=SolverSettings)
    """Solver, time limit and gap."""
    uncertainty: Uncertainty | None = None
    """How sure the figures are: Monte Carlo draws of the ranges (section 8 of the format)."""

    _unique_periods = field_validator("periods")(_unique("periods"))

    def offers(self) -> list[tuple[str, str, Offer]]:
        """(platform, tier, offer) for every offer, in file order."""
        return [
            (platform, tier, offer)
            for platform, spec in self.platforms.items()
            for tier, offer in spec.tiers.items()
        ]
