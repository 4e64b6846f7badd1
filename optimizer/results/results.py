"""Campaign results read into rows matched to the scenario's offers (section 10 of the format).

Each row names its offer by platform and tier, or by the code of a brief it came from. Rows
that match no offer, or carry a code no brief holds, are kept in `unmatched` with the reason:
a report lists every one of them, none is dropped unsaid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.results.codes import is_valid
from optimizer.results.tables import (
    CellProblem,
    RawTable,
    TableError,
    locate_columns,
    parse_figures,
    read_table,
    text_column,
)

if TYPE_CHECKING:
    from optimizer.results.brief import BriefSlots
    from optimizer.scenario.schema import Scenario

TEXT_FIELDS = ("platform", "tier", "period", "creator", "code")
FIGURE_FIELDS = (
    "posts",
    "spend",
    "followers",
    "reach",
    "engagements",
    "clicks",
    "conversions",
    "revenue",
)
RATE_FIELDS = ("engagement_rate", "conversion_rate", "reach_rate")
"""Optional columns of rates (`3.5%`) for exports that give a rate in place of a count:
engagements are then rate x followers x posts, conversions rate x engagements, reach
rate x followers x posts."""
RESULT_FIELDS = (*TEXT_FIELDS, *FIGURE_FIELDS, *RATE_FIELDS)


@dataclass(frozen=True)
class Unmatched:
    """A row of the results that no offer takes, and why."""

    row: str
    reason: str
    values: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason, "values": self.values}


@dataclass(frozen=True)
class Results:
    """The matched rows, one per results row, with the figures of section 10."""

    source: str
    rows: pd.DataFrame
    """Columns: platform, tier, period ('' when not known), creator, code, row, and the
    figures of `FIGURE_FIELDS` (NaN where not given; posts 1 and followers the offer's where
    not given)."""
    total_rows: int
    unmatched: list[Unmatched] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_results(
    path: str | Path,
    scenario: Scenario,
    mapping: Mapping[str, str] | None = None,
    brief: BriefSlots | None = None,
) -> Results:
    """Read a results CSV or workbook, join codes to `brief`, match rows to offers. Bad cells
    raise `TableError`, each named by its row and column."""
    table = read_table(path)
    found = locate_columns(table, RESULT_FIELDS, mapping or {})
    if not ({"platform", "code"} & set(found)):
        raise TableError(
            table.source,
            [
                ": the results need a platform column (with tier) or a code column (with"
                f" --brief); the columns are {', '.join(repr(h) for h in table.headers if h)}"
            ],
        )
    problems: list[CellProblem] = []
    size = len(table.frame)
    figures: dict[str, np.ndarray] = {}
    for name in (*FIGURE_FIELDS, *RATE_FIELDS):
        if name in found:
            figures[name] = parse_figures(
                table,
                found[name],
                name,
                problems,
                percent=name in RATE_FIELDS,
                positive=name in ("posts", "followers"),
            )
        else:
            figures[name] = np.full(size, np.nan)
    if problems:
        problems.sort(key=lambda problem: (_row_number(problem.row), problem.column))
        raise TableError(table.source, problems)
    texts = {
        name: text_column(table, found[name]) if name in found else np.full(size, "", dtype=object)
        for name in TEXT_FIELDS
    }
    return _matched(table, scenario, texts, figures, brief)


def _row_number(row: str) -> int:
    return int(row.split()[-1])


def _matched(
    table: RawTable,
    scenario: Scenario,
    texts: dict[str, np.ndarray],
    figures: dict[str, np.ndarray],
    brief: BriefSlots | None,
) -> Results:
    from optimizer.scenario.schema import midpoint

    size = len(table.frame)
    notes: list[str] = []
    reasons = np.full(size, "", dtype=object)
    platform, tier, period = (texts[name].copy() for name in ("platform", "tier", "period"))
    creator = texts["creator"].copy()
    code = np.array([str(value).upper().replace(" ", "") for value in texts["code"]], dtype=object)
    # codes: fill what the row leaves out from the brief's slot
    unknown_codes = 0
    if code.any():
        slots = brief.slots if brief is not None else {}
        with_code = code != ""
        known = np.array([value in slots for value in code], dtype=bool)
        for position in np.flatnonzero(with_code & ~known):
            if platform[position] == "":
                reasons[position] = _code_reason(code[position], brief)
            else:
                unknown_codes += 1
        for name, values in (
            ("platform", platform),
            ("tier", tier),
            ("period", period),
            ("creator", creator),
        ):
            from_brief = np.array(
                [
                    slots[value].get(name, "") if ok else ""
                    for value, ok in zip(code, known, strict=True)
                ],
                dtype=object,
            )
            fill = (values == "") & (from_brief != "")
            values[fill] = from_brief[fill]
        if unknown_codes:
            notes.append(
                f"{unknown_codes} rows carry a code "
                + ("no brief was given for" if brief is None else f"that {brief.source} lacks")
                + "; they are matched by their platform and tier"
            )
    # names as the scenario writes them, whatever their case
    platforms = {name.lower(): name for name in scenario.platforms}
    periods = {name.lower(): name for name in scenario.periods}
    offers = {(p, t): offer for p, t, offer in scenario.offers()}
    tier_names = {name.lower(): name for _, name, _ in scenario.offers()}
    followers = figures["followers"]
    inferred = 0
    for position in np.flatnonzero((tier == "") & np.isfinite(followers) & (platform != "")):
        real = platforms.get(platform[position].lower())
        guess = None if real is None else _tier_of(scenario, real, float(followers[position]))
        if guess is not None:
            tier[position] = guess
            inferred += 1
    # each distinct (platform, tier, period) is resolved once: 100,000 rows hold few
    keys = pd.Series(platform + "\x1f" + tier + "\x1f" + period)
    codes, distinct = pd.factorize(keys)
    resolved = [_resolve(key, platforms, tier_names, periods, offers, scenario) for key in distinct]
    open_rows = reasons == ""
    for number, (names, reason) in enumerate(resolved):
        rows = open_rows & (codes == number)
        if reason:
            reasons[rows] = reason
        else:
            platform[rows], tier[rows], period[rows] = names
    if inferred:
        notes.append(f"{inferred} rows without a tier are filed by their followers")
    matched = reasons == ""
    unmatched = [
        Unmatched(
            table.where(position),
            str(reasons[position]),
            {
                header: _cell_text(table.frame.iat[position, column])
                for column, header in enumerate(table.headers)
                if header and _cell_text(table.frame.iat[position, column])
            },
        )
        for position in np.flatnonzero(~matched)
    ]
    frame = pd.DataFrame(
        {
            "platform": platform[matched],
            "tier": tier[matched],
            "period": period[matched],
            "creator": creator[matched],
            "code": code[matched],
            "row": table.rows[matched],
            **{name: values[matched] for name, values in figures.items()},
        }
    )
    posts = frame["posts"].to_numpy()
    frame["posts"] = np.where(np.isfinite(posts), posts, 1.0)
    missing = ~np.isfinite(frame["followers"].to_numpy())
    if missing.any():
        card = {key: float(midpoint(offer.followers)) for key, offer in offers.items()}
        keys = list(zip(frame["platform"], frame["tier"], strict=True))
        filled = np.array([card[key] for key in keys])
        frame["followers"] = np.where(missing, filled, frame["followers"].to_numpy())
        notes.append(
            f"{int(missing.sum())} rows give no followers: their offer's followers in the"
            " scenario stand in"
        )
    _rates_to_counts(frame, notes)
    return Results(
        source=table.source,
        rows=frame,
        total_rows=size,
        unmatched=unmatched,
        notes=notes,
    )


def _resolve(
    key: str,
    platforms: Mapping[str, str],
    tiers: Mapping[str, str],
    periods: Mapping[str, str],
    offers: Mapping[tuple[str, str], Any],
    scenario: Scenario,
) -> tuple[tuple[str, str, str], str]:
    """The scenario's names of a row's platform, tier and period, or why it has no offer."""
    platform, tier, period = key.split("\x1f")
    none = ("", "", "")
    if not platform:
        return none, "no platform (and no code of a brief)"
    real = platforms.get(platform.lower())
    if real is None:
        return none, f"platform {platform!r} has no offer in the scenario"
    if not tier:
        return none, "no tier (nor followers to tell it by)"
    tier = tiers.get(tier.lower(), tier)
    if (real, tier) not in offers:
        return none, f"{real} has no {tier} offer in the scenario"
    known = periods.get(period.lower(), "") if period else ""
    if period and not known:
        return (
            none,
            f"period {period!r} is not one of the scenario's ({', '.join(scenario.periods)})",
        )
    return (real, tier, known), ""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value).strip()


def _code_reason(code: str, brief: BriefSlots | None) -> str:
    if brief is None:
        return f"code {code} and no platform: give the brief with --brief"
    if not is_valid(code):
        return f"code {code} is not in {brief.source}, nor a valid code: mistyped?"
    return f"code {code} is not in {brief.source}"


def _tier_of(scenario: Scenario, platform: str, followers: float) -> str | None:
    """The tier of the platform's offers whose follower range holds `followers`."""
    for name in scenario.platforms[platform].tiers:
        definition = scenario.tiers.get(name)
        if definition is None:
            continue
        high = definition.max_followers
        if definition.min_followers <= followers and (high is None or followers < high):
            return name
    return None


def _rates_to_counts(frame: pd.DataFrame, notes: list[str]) -> None:
    """Counts from the rate columns where a row gives a rate and not the count."""
    exposure = frame["followers"].to_numpy() * frame["posts"].to_numpy()
    for count, rate, base in (
        ("engagements", "engagement_rate", exposure),
        ("reach", "reach_rate", exposure),
        ("conversions", "conversion_rate", None),
    ):
        given = frame[count].to_numpy()
        rates = frame[rate].to_numpy()
        scale = frame["engagements"].to_numpy() if base is None else base
        fill = ~np.isfinite(given) & np.isfinite(rates) & np.isfinite(scale)
        if fill.any():
            frame[count] = np.where(fill, rates * scale, given)
            notes.append(f"{int(fill.sum())} rows give {rate} in place of {count}")
    for rate in RATE_FIELDS:
        del frame[rate]
