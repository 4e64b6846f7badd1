"""A roster of named creators read from CSV as columns and checked (section 9 of format v2).

Every column is read as text and checked as a whole array, so a million rows take seconds,
not minutes: numbers and `[low, high]` or `low-high` ranges (the midpoint is used), flags,
the `;`-separated periods. Problems name the file, the line and the column; the first ten
are listed and the rest counted.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from optimizer.constants import MAX_FIGURE
from optimizer.errors import Problem, ScenarioError
from optimizer.scenario.schema import ONE_OF, Scenario

if TYPE_CHECKING:
    import pandas as pd

MAX_CREATORS = 1_000_000
"""Most rows a roster may hold."""
MAX_PROBLEMS = 10
"""Problems listed one by one; the rest are counted."""
COLUMNS = (
    "creator",
    "platform",
    "followers",
    "cost_per_post",
    "cost_per_1k_followers",
    "engagement_rate",
    "cost_per_engagement",
    "conversion_rate",
    "reach_rate",
    "tier",
    "emerging",
    "max_posts",
    "periods",
    "must",
    "exclude",
)
REQUIRED = ("creator", "platform", "followers", "conversion_rate")
FIGURES = COLUMNS[2:9]
"""The figure columns, in the order of the offers' figures that draws move."""
_FIGURES = (*FIGURES, "max_posts")
_POSITIVE = ("followers", "cost_per_post", "cost_per_1k_followers", "cost_per_engagement")
_RATES = ("engagement_rate", "conversion_rate")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = rf"^\[?\s*({_NUMBER})\s*(?:,|-)\s*({_NUMBER})\s*\]?$"
PATH = "roster.file"


@dataclass(frozen=True, eq=False)
class Roster:
    """The creators of a roster as arrays in file order: the per-post figures before
    seasonality (section 3 of the format), their bounds and flags."""

    source: Path
    creator: np.ndarray
    """Each creator's id (text)."""
    platform: np.ndarray
    tier: np.ndarray
    followers: np.ndarray
    cost: np.ndarray
    """Price of one post."""
    engagements: np.ndarray
    """Engagements of one post."""
    conversions: np.ndarray
    """Conversions of one post."""
    reach: np.ndarray
    """People one post reaches."""
    platform_emerging: np.ndarray
    tier_emerging: np.ndarray
    max_posts: np.ndarray
    """Most posts per period."""
    periods: np.ndarray
    """(creators, periods) flags: in which of the scenario's periods each creator may post."""
    must: np.ndarray
    exclude: np.ndarray
    line: np.ndarray
    """The file's line of each creator (the header is line 1)."""
    figures: dict[str, np.ndarray] = field(default_factory=dict)
    """Each figure column as given (`FIGURES`; a range's midpoint), NaN where not given:
    what draws move (section 8 of the format)."""
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """(low, high) of each figure column some creator gives as a range; a number's ends
    are the number itself, NaN where not given."""

    def __len__(self) -> int:
        return len(self.creator)


def csv_engine() -> str:
    """pandas' pyarrow CSV reader when pyarrow is installed (about four times as fast on a
    million rows), else its C reader."""
    return "pyarrow" if importlib.util.find_spec("pyarrow") is not None else "c"


class _Problems:
    """Problems found, by line and column, kept to what is shown plus a count."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, int, Problem]] = []
        self.total = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        where = f"{self.name} line {line}" + (f", column {column!r}" if column else "")
        order = COLUMNS.index(column) if column in COLUMNS else -1
        self.found.append((line, order, Problem(f"{PATH} ({where})", message)))
        self.total += 1

    def rows(
        self, lines: np.ndarray, mask: np.ndarray, column: str | None, say: Callable[[int], str]
    ) -> None:
        """A problem for each row of `mask`; only the first few are worded."""
        positions = np.flatnonzero(mask)
        for position in positions[:MAX_PROBLEMS]:
            self.add(int(lines[position]), column, say(int(position)))
        self.total += max(len(positions) - MAX_PROBLEMS, 0)

    def raise_any(self, scenario_path: str | Path) -> None:
        if not self.total:
            return
        ordered = [problem for _, _, problem in sorted(self.found, key=lambda f: f[:2])]
        shown = ordered[:MAX_PROBLEMS]
        more = self.total - len(shown)
        if more:
            shown.append(Problem(PATH, f"{more} more problem{'s' * (more != 1)} in {self.name}"))
        raise ScenarioError(scenario_path, shown)


def read_roster(scenario: Scenario, source: str | Path = "<scenario>") -> Roster:
    """The scenario's roster, read and checked against its platforms, tiers and periods;
    raises ScenarioError with every problem (the first ten, then a count)."""
    settings = scenario.roster
    if settings is None:
        raise ValueError("the scenario has no roster")
    path = Path(settings.file)
    frame = _read_frame(path, source)
    problems = _Problems(path.name)
    n = len(frame)
    lines = np.arange(2, n + 2)
    columns = [str(column).strip() for column in frame.columns]
    frame.columns = columns
    unknown = [column for column in columns if column not in COLUMNS]
    missing = [column for column in REQUIRED if column not in columns]
    for column in unknown:
        problems.add(1, column, f"unknown column; the columns are {', '.join(COLUMNS)}")
    for column in missing:
        problems.add(
            1, None, f"column {column!r} is missing; every roster has {', '.join(REQUIRED)}"
        )
    if n > MAX_CREATORS:
        problems.add(1, None, f"{n:,} creators: a roster holds at most {MAX_CREATORS:,}")
    problems.raise_any(source)

    def text(column: str) -> pd.Series:
        if column not in frame:
            return _empty_text(n)
        return frame[column].fillna("").astype(str).str.strip()

    creator = text("creator")
    _check_creators(creator, lines, problems)
    platform = text("platform")
    known_platforms = list(scenario.platforms)
    bad = (platform != "") & ~platform.isin(known_platforms)
    problems.rows(
        lines,
        bad.to_numpy(),
        "platform",
        lambda i: (
            f"unknown platform {platform.iat[i]!r}; the scenario has"
            f" {', '.join(known_platforms) or 'none'}"
        ),
    )
    problems.rows(lines, (platform == "").to_numpy(), "platform", lambda i: "give the platform")

    numbers, given, ranges = {}, {}, {}
    for column in FIGURES:
        raw = frame.get(column)
        numbers[column], given[column], ends = _numbers(raw, n, column, lines, problems)
        if ends is not None:
            ranges[column] = ends
    for column in REQUIRED[2:]:
        problems.rows(lines, ~given[column], column, lambda i: "give a number")
    for first, second in ONE_OF:
        pair = f"give exactly one of {first} and {second}"
        problems.rows(lines, given[first] == given[second], None, pair.format)
    followers = numbers["followers"]

    tier = _tiers(text("tier"), followers, scenario, lines, problems)
    emerging_given = _flags(text("emerging"), "emerging", lines, problems)
    must = _flags(text("must"), "must", lines, problems) == 1
    exclude = _flags(text("exclude"), "exclude", lines, problems) == 1
    problems.rows(
        lines, must & exclude, "exclude", lambda i: "a creator cannot be both must and exclude"
    )
    max_posts = _max_posts(frame.get("max_posts"), n, settings.posts, lines, problems)
    periods = _periods(text("periods"), scenario.periods, lines, problems)
    problems.raise_any(source)

    platform_emerging = np.array(
        [scenario.platforms[name].emerging for name in known_platforms], dtype=bool
    )[pd_codes(platform, known_platforms)]
    platform_emerging = np.where(emerging_given >= 0, emerging_given == 1, platform_emerging)
    tier_names = list(scenario.tiers)
    tier_emerging = np.array([scenario.tiers[t].emerging for t in tier_names], dtype=bool)[
        pd_codes(tier, tier_names)
    ]
    cost = np.where(
        np.isnan(numbers["cost_per_post"]),
        numbers["cost_per_1k_followers"] * followers / 1000,
        numbers["cost_per_post"],
    )
    engagements = np.where(
        np.isnan(numbers["engagement_rate"]),
        cost / numbers["cost_per_engagement"],
        followers * numbers["engagement_rate"],
    )
    reach_rate = np.where(np.isnan(numbers["reach_rate"]), 1.0, numbers["reach_rate"])
    return Roster(
        source=path,
        creator=creator.to_numpy(dtype=object),
        platform=platform.to_numpy(dtype=object),
        tier=tier,
        followers=followers,
        cost=cost,
        engagements=engagements,
        conversions=engagements * numbers["conversion_rate"],
        reach=followers * reach_rate,
        platform_emerging=platform_emerging,
        tier_emerging=tier_emerging,
        max_posts=max_posts,
        periods=periods,
        must=must,
        exclude=exclude,
        line=lines,
        figures=numbers,
        ranges=ranges,
    )


def pd_codes(values: pd.Series | np.ndarray, names: list[str]) -> np.ndarray:
    """Each value's position in `names` (all values are known names)."""
    import pandas as pd

    return np.asarray(pd.Categorical(values, categories=names).codes, dtype=np.int64)


def _read_frame(path: Path, source: str | Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        what = "not found" if not path.exists() else "not a regular file"
        raise ScenarioError(source, [Problem(PATH, f"roster {str(path)!r}: {what}")])
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        # names, flags and lists as text; the figures as numbers where every cell is one
        # (the reader parses those far faster), else as text checked below (ranges, typos)
        text = {column: str for column in header if str(column).strip() not in _FIGURES}
        engine = csv_engine()
        return pd.read_csv(
            path,
            dtype=text,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            engine=engine,
            # arrow's columns keep a whole-number column with empty cells as numbers
            dtype_backend="pyarrow" if engine == "pyarrow" else "numpy_nullable",
        )
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ScenarioError(
            source, [Problem(PATH, f"cannot read roster {str(path)!r}: {message}")]
        ) from None
    except pd.errors.EmptyDataError:
        raise ScenarioError(source, [Problem(PATH, f"roster {str(path)!r} is empty")]) from None


def _empty_text(n: int) -> pd.Series:
    import pandas as pd

    return pd.Series([""] * n, dtype=object)


def _check_creators(creator: pd.Series, lines: np.ndarray, problems: _Problems) -> None:
    problems.rows(lines, (creator == "").to_numpy(), "creator", lambda i: "give the creator's id")
    duplicated = (creator.duplicated(keep=False) & (creator != "")).to_numpy()
    if duplicated.any():
        first_line: dict[str, int] = {}
        for position in np.flatnonzero(duplicated):
            first_line.setdefault(creator.iat[position], int(lines[position]))
        later = duplicated & creator.duplicated(keep="first").to_numpy()
        problems.rows(
            lines,
            later,
            "creator",
            lambda i: (
                f"duplicate creator {creator.iat[i]!r} (also on line {first_line[creator.iat[i]]})"
            ),
        )


def _numbers(
    raw: pd.Series | None, n: int, column: str, lines: np.ndarray, problems: _Problems
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The column's figures (the midpoint of a range), NaN where not given; where each is
    given; and (low, high) where some row gives a range, else None. Problems for text,
    negative, too large or out-of-range figures. A column the reader found all numbers is
    checked as numbers; one with text (ranges) as text."""
    import pandas as pd

    if raw is None or raw.isna().all():
        # absent, or present with every cell empty (which pyarrow's reader types as null)
        return np.full(n, np.nan), np.zeros(n, dtype=bool), None
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        value = np.array(raw.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        given = ~np.isnan(value)
        text = pd.Series(value)
        checked = _checked(value, value, value, given, text, column, lines, problems)
        return checked, given, None
    text = raw.fillna("").astype(str).str.strip()
    given = (text != "").to_numpy()
    value = np.array(pd.to_numeric(text.where(text != ""), errors="coerce"), dtype=float)
    low = high = value
    rest = given & np.isnan(value)
    crossed = np.zeros(len(text), dtype=bool)
    if rest.any():
        ends = text[rest].str.extract(_RANGE)
        low, high = value.copy(), value.copy()
        low[rest] = pd.to_numeric(ends[0], errors="coerce").to_numpy(dtype=float)
        high[rest] = pd.to_numeric(ends[1], errors="coerce").to_numpy(dtype=float)
        crossed = rest & (low > high)
        value = np.where(rest & ~crossed, (low + high) / 2, value)
    not_number = given & np.isnan(value) & ~crossed
    problems.rows(
        lines,
        not_number,
        column,
        lambda i: f"must be a number or a range [low, high], got {text.iat[i]!r}",
    )
    problems.rows(
        lines,
        crossed,
        column,
        lambda i: f"a range needs low <= high, got {text.iat[i]!r}",
    )
    checked = given & ~not_number & ~crossed
    value = _checked(value, low, high, checked, text, column, lines, problems)
    ranged = checked & (low < high)
    if not ranged.any():
        return value, given, None
    return value, given, (np.where(ranged, low, value), np.where(ranged, high, value))


def _checked(
    value: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    checked: np.ndarray,
    text: pd.Series,
    column: str,
    lines: np.ndarray,
    problems: _Problems,
) -> np.ndarray:
    """The figures with those out of their column's range made NaN, each a problem."""
    value = value.copy()
    with np.errstate(invalid="ignore"):
        ends_min = np.fmin(low, high)
        ends_max = np.fmax(low, high)
        infinite = checked & ~np.isfinite(ends_max + ends_min)
        too_large = checked & ~infinite & (np.abs(ends_max) > MAX_FIGURE)
        if column in _POSITIVE:
            wrong, wanted = checked & ~infinite & (ends_min <= 0), "greater than 0"
        elif column in _RATES:
            wrong = checked & ~infinite & ((ends_min < 0) | (ends_max > 1))
            wanted = "at least 0 and at most 1"
        else:
            wrong, wanted = checked & ~infinite & (ends_min < 0), "at least 0"
    problems.rows(lines, infinite, column, lambda i: f"must be finite, got {text.iat[i]}")
    problems.rows(
        lines, too_large, column, lambda i: f"must be at most {MAX_FIGURE:,.0f}, got {text.iat[i]}"
    )
    problems.rows(lines, wrong, column, lambda i: f"must be {wanted}, got {text.iat[i]}")
    value[infinite | too_large | wrong] = np.nan
    return value


def _flags(text: pd.Series, column: str, lines: np.ndarray, problems: _Problems) -> np.ndarray:
    """1 for true, 0 for false, -1 where not given."""
    lowered = text.str.lower()
    out = np.full(len(text), -1, dtype=np.int8)
    out[lowered.isin(_TRUE).to_numpy()] = 1
    out[lowered.isin(_FALSE).to_numpy()] = 0
    bad = (text != "").to_numpy() & (out < 0)
    problems.rows(lines, bad, column, lambda i: f"must be true or false, got {text.iat[i]!r}")
    return out


def _max_posts(
    raw: pd.Series | None, n: int, default: int, lines: np.ndarray, problems: _Problems
) -> np.ndarray:
    import pandas as pd

    if raw is None or raw.isna().all():
        # absent, or present with every cell empty (which pyarrow's reader types as null)
        return np.full(n, float(default))
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        value = np.array(raw.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        given = ~np.isnan(value)
        text = pd.Series(value)
    else:
        text = raw.fillna("").astype(str).str.strip()
        value = np.array(pd.to_numeric(text.where(text != ""), errors="coerce"), dtype=float)
        given = (text != "").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = given & ~(np.isfinite(value) & (value >= 0) & (value == np.round(value)))
        bad |= given & ~bad & (value > MAX_FIGURE)
    problems.rows(
        lines, bad, "max_posts", lambda i: f"must be a whole number of posts, got {text.iat[i]!r}"
    )
    return np.where(given & ~bad, value, float(default))


def _periods(
    text: pd.Series, periods: list[str], lines: np.ndarray, problems: _Problems
) -> np.ndarray:
    """(creators, periods) flags; all periods where the column is empty."""
    out = np.ones((len(text), len(periods)), dtype=bool)
    given = np.flatnonzero((text != "").to_numpy())
    if not len(given):
        return out
    out[given] = False
    entries = text.iloc[given].str.split(";").explode().str.strip()
    entries = entries[entries != ""]
    rows = entries.index.to_numpy(dtype=np.int64)  # positions: the frame's index is 0..n-1
    known = entries.isin(periods).to_numpy()
    unknown_rows, unknown_names = rows[~known], entries[~known]
    for row, name in zip(unknown_rows[:MAX_PROBLEMS], unknown_names[:MAX_PROBLEMS], strict=True):
        problems.add(
            int(lines[row]),
            "periods",
            f"unknown period {name!r}; the scenario has {', '.join(periods)}",
        )
    problems.total += max(len(unknown_rows) - MAX_PROBLEMS, 0)
    out[rows[known], pd_codes(entries[known], periods)] = True
    return out


def _tiers(
    text: pd.Series,
    followers: np.ndarray,
    scenario: Scenario,
    lines: np.ndarray,
    problems: _Problems,
) -> np.ndarray:
    """Each creator's tier: as given, else the first of the scenario's tiers whose follower
    range holds the creator's followers."""
    names = list(scenario.tiers)
    given = (text != "").to_numpy()
    unknown = given & ~text.isin(names).to_numpy()
    problems.rows(
        lines,
        unknown,
        "tier",
        lambda i: f"unknown tier {text.iat[i]!r}; the scenario has {', '.join(names)}",
    )
    tier = text.to_numpy(dtype=object).copy()
    open_rows = ~given & ~np.isnan(followers)
    for name, spec in scenario.tiers.items():
        high = np.inf if spec.max_followers is None else spec.max_followers
        inside = open_rows & (followers >= spec.min_followers) & (followers < high)
        tier[inside] = name
        open_rows &= ~inside
    problems.rows(
        lines,
        open_rows,
        "tier",
        lambda i: f"no tier holds {followers[i]:g} followers: give the tier",
    )
    return tier
