"""Read scenario files (YAML, JSON, TOML), resolve `extends` and CSV rate cards, validate."""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from optimizer.errors import OptimizerError, Problem, ScenarioError
from optimizer.scenario.checks import check_scenario
from optimizer.scenario.schema import Offer, Platform, Scenario, pairs_problems

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "data"
SUFFIXES = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON", ".toml": "TOML"}
CSV_KEY_COLUMNS = ("platform", "tier")
CSV_COLUMNS = (*CSV_KEY_COLUMNS, "emerging", *Offer.model_fields)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML that reads `1e5` as a number, as JSON and TOML do; YAML 1.1 wants `1.0e5`.

    libyaml's parser where PyYAML has it (its wheels do): a scenario parses in a tenth of
    the pure-Python parser's time, which a whole `optimizer solve` process feels."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def builtin_names() -> list[str]:
    """Names usable in `extends` without a path."""
    return sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml"))


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate one scenario file; raises ScenarioError listing every problem."""
    return load_traced(path)[0]


def scenario_of(scenario: Scenario | str | Path, caller: str) -> Scenario:
    """The scenario a public function was given: itself, or the one a file path holds."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise OptimizerError(
        f"{caller} takes a Scenario or a file path, not {type(scenario).__name__}:"
        " build one from data with scenario_from_dict"
    )


def load_traced(path: str | Path) -> tuple[Scenario, Trace]:
    """`load_scenario`, with the trace of what loading read and replaced."""
    if not isinstance(path, str | Path):
        raise OptimizerError(f"load_scenario takes a file path, not {type(path).__name__}")
    path = Path(path)
    trace = Trace()
    data = _resolve(path, chain=(), trace=trace)
    try:
        scenario = scenario_from_dict(data, source=path)
    except ScenarioError as error:
        own = read_document(path)
        problems = [_located(problem, own, data, trace) for problem in error.problems]
        raise ScenarioError(path, problems) from None
    _check_roster(scenario, path)  # first: the draws file's cells include the roster's
    _check_draws_file(scenario)
    return scenario, trace


def _check_roster(scenario: Scenario, path: Path) -> None:
    """A roster's problems, each with the file, row and column, when the scenario is loaded;
    the roster read is kept for the solve."""
    if scenario.roster is None:
        return
    from optimizer.roster import check_roster

    check_roster(scenario, path)


def _check_draws_file(scenario: Scenario) -> None:
    """A draws file's problems, with the file and line, when the scenario is loaded."""
    uncertainty = scenario.uncertainty
    if uncertainty is None or uncertainty.draws_file is None:
        return
    from optimizer.model.cells import derive_cells
    from optimizer.uncertainty.draws import read_draws_file

    read_draws_file(Path(uncertainty.draws_file), scenario, derive_cells(scenario))


def _located(
    problem: Problem, own: Mapping[str, Any], merged: Mapping[str, Any], trace: Trace
) -> Problem:
    """The problem, saying where its value was written when that is not this file: a rate
    card's row, or the file this one extends."""
    parts = re.findall(r"[^.\[\]]+", problem.path)
    if not _holds(own, parts):
        for offer, row in trace.rows.items():
            if problem.path == offer or problem.path.startswith(f"{offer}."):
                return Problem(problem.path, f"{problem.message} (from {row})")
    if "extends" in own:
        return _new_offer(_inherited(problem, own, merged), own, merged)
    return problem


def _new_offer(problem: Problem, own: Mapping[str, Any], merged: Mapping[str, Any]) -> Problem:
    """The problem of an offer the files extended do not have, saying so: a child's
    `tiktk: {tiers: {micro: {available: 10}}}` is a new offer missing its fields, and most
    likely a misspelt name."""
    parts = re.findall(r"[^.\[\]]+", problem.path)
    if len(parts) < 4 or parts[0] != "platforms" or parts[2] != "tiers":
        return problem
    platform, tier = parts[1], parts[3]
    mine, theirs = (_node(document, parts[:4]) for document in (own, merged))
    mine_tiers, their_tiers = (_node(document, parts[:3]) for document in (own, merged))
    platforms = _node(merged, ["platforms"])
    found = (mine, theirs, mine_tiers, their_tiers, platforms)
    if not all(isinstance(node, Mapping) for node in found):
        return problem  # a shape the validation messages speak of already
    if set(theirs) != {key for key, value in mine.items() if value is not None}:
        return problem  # the files extended give some of its fields: not a new offer
    if set(their_tiers) <= set(mine_tiers):  # the whole platform is new here
        names, name = [name for name in platforms if name != platform], platform
    else:
        names, name = [name for name in their_tiers if name not in mine_tiers], tier
    import difflib  # only a misspelt offer needs it

    close = difflib.get_close_matches(name, names, n=1)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    return Problem(
        problem.path,
        f"{problem.message} (the files it extends have no {platform} {tier} offer, so this"
        f" one needs every field{guess})",
    )


@dataclass
class Trace:
    """What loading a file did beyond its own text."""

    files: list[Path] = field(default_factory=list)
    """Every file read: the file, the files it extends and their CSV rate cards."""
    replaced: list[str] = field(default_factory=list)
    """Paths of lists the file gives in place of a list of the file it extends
    (`rules.limits`): lists are values, replaced whole, not merged entry by entry."""
    rows: dict[str, str] = field(default_factory=dict)
    """Where each offer read from a CSV rate card was written: `platforms.tiktok.tiers.micro`
    to `rates.csv line 3`."""
    idle_nulls: list[str] = field(default_factory=list)
    """What each null that removes nothing says: a platform, tier or period the files it
    extends lack (`platforms.linkdin`) is most likely a misspelt name."""


def trace(path: str | Path) -> Trace:
    """What loading `path` reads and replaces, as far as its files can be read."""
    out = Trace()
    with contextlib.suppress(ScenarioError):
        _resolve(Path(path), chain=(), trace=out)
    return out


INHERITED = "inherited from the file this one extends: override it here, or remove it with null"


def _inherited(problem: Problem, own: Mapping[str, Any], merged: Mapping[str, Any]) -> Problem:
    """The problem, saying so when its field comes from the file this one extends: a planner
    looks for it in this file and finds nothing."""
    parts = re.findall(r"[^.\[\]]+", problem.path)
    platforms = own.get("platforms")
    if parts[:1] == ["platforms"] and isinstance(platforms, Mapping) and "from_csv" in platforms:
        return problem  # this file's own rate card may hold it
    if _holds(merged, parts) and not _holds(own, parts):
        return Problem(problem.path, f"{problem.message} ({INHERITED})")
    return problem


def _node(document: Any, parts: list[str]) -> Any:
    """The value at the path's parts of nested mappings, None where there is none."""
    node = document
    for part in parts:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _holds(document: Any, parts: list[str]) -> bool:
    """Whether the document has a value at the path's parts."""
    node = document
    for part in parts:
        key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
        found = (isinstance(node, Mapping) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and key < len(node)
        )
        if not found:
            return False
        node = node[key]
    return True


def scenario_from_dict(data: Mapping[str, Any], source: str | Path = "<scenario>") -> Scenario:
    """Validate an already-read scenario. `extends` may name a built-in rate card
    (`benchmarks-2026`); files, an `extends` path or a `from_csv` rate card, are read by
    `load_scenario` only, so data from a request never opens one."""
    if isinstance(data, Mapping):
        data = _with_builtin_parent(data, source)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = [problem_of(item) for item in error.errors()]
        raise ScenarioError(source, problems + _pair_problems(data, problems)) from None
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def _with_builtin_parent(data: Mapping[str, Any], source: str | Path) -> Mapping[str, Any]:
    platforms = data.get("platforms")
    if isinstance(platforms, Mapping) and "from_csv" in platforms:
        message = "a CSV rate card is read by load_scenario; in data, give the platforms"
        raise ScenarioError(source, [Problem("platforms.from_csv", message)])
    parent = data.get("extends")
    if parent is None:
        return merge({}, data)
    if not isinstance(parent, str) or parent not in builtin_names():
        message = (
            f"in data, extends names a built-in ({', '.join(builtin_names())});"
            " a file is extended by load_scenario"
        )
        raise ScenarioError(source, [Problem("extends", message)])
    base = _resolve(BUILTIN_DIR / f"{parent}.yaml", chain=())
    return merge(base, {key: value for key, value in data.items() if key != "extends"})


def _pair_problems(data: Mapping[str, Any], found: list[Problem]) -> list[Problem]:
    """An offer's missing or doubled pairs, which its own checks only see once every field is
    valid: reported with the other problems, so that one round of fixes is enough."""
    platforms = data.get("platforms") if isinstance(data, Mapping) else None
    out = []
    for platform, entry in platforms.items() if isinstance(platforms, Mapping) else ():
        tiers = entry.get("tiers") if isinstance(entry, Mapping) else None
        for tier, offer in tiers.items() if isinstance(tiers, Mapping) else ():
            if not isinstance(offer, Mapping):
                continue
            path = f"platforms.{platform}.tiers.{tier}"
            given = {field for field, value in offer.items() if value is not None}
            for message in pairs_problems(given.__contains__):
                if not any(p.path == path and message in p.message for p in found):
                    out.append(Problem(path, message))
    return out


def merge(
    base: Mapping[str, Any],
    override: Mapping[str, Any],
    replaced: list[str] | None = None,
    at: str = "",
) -> dict[str, Any]:
    """Override `base` key by key, recursing into mappings; a null value removes the key, in
    a mapping `base` lacks too (a null means "not given" wherever it is written).
    `replaced` collects the paths where a list of `override` replaces a different one."""
    merged = dict(base)
    for key, value in override.items():
        path = f"{at}.{key}" if at else str(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping):
            previous = merged.get(key)
            below = previous if isinstance(previous, Mapping) else {}
            merged[key] = merge(below, value, replaced, path)
        else:
            previous = merged.get(key)
            changed = _entries(previous) and _entries(value) and previous != value
            if replaced is not None and changed:
                replaced.append(path)
            merged[key] = value
    return merged


def _entries(value: Any) -> bool:
    """A list of entries (periods, presets, rules, segments), not a `[low, high]` range."""
    return isinstance(value, list) and any(not isinstance(item, int | float) for item in value)


def _resolve(path: Path, chain: tuple[Path, ...], trace: Trace | None = None) -> dict[str, Any]:
    """The file's fields merged over those of the files it extends; `trace` records what was
    read and which lists were replaced."""
    if trace is not None:
        trace.files.append(path)  # before reading: a file that does not parse is still read
    data = read_document(path)
    platforms = data.get("platforms")
    if isinstance(platforms, Mapping) and "from_csv" in platforms:
        rest = {key: value for key, value in platforms.items() if key != "from_csv"}
        if trace is not None and isinstance(platforms["from_csv"], str):
            trace.files.append(path.parent / platforms["from_csv"])
        card = _read_rate_card(path, platforms["from_csv"], None if trace is None else trace.rows)
        # a null for a platform the card lacks is for the file this one extends
        for_parent = {key: None for key, value in rest.items() if value is None and key not in card}
        data["platforms"] = {**merge(card, rest), **for_parent}
    _draws_file_beside(path, data, trace)
    _roster_file_beside(path, data, trace)
    parent = data.pop("extends", None)
    if parent is None:
        return _merged({}, data, trace)
    if not isinstance(parent, str):
        raise ScenarioError(path, [Problem("extends", "must be a file path or a built-in name")])
    parent_path = _find_parent(path, parent)
    chain = (*chain, path.resolve())
    if parent_path.resolve() in chain:
        cycle = " -> ".join(str(p) for p in (*chain, parent_path.resolve()))
        raise ScenarioError(path, [Problem("extends", f"extends itself in a cycle: {cycle}")])
    base = _resolve(parent_path, chain, trace)
    return _merged(base, data, trace)


def _draws_file_beside(path: Path, data: dict[str, Any], trace: Trace | None) -> None:
    """`uncertainty.draws_file` as a path from here: it is written relative to its file."""
    uncertainty = data.get("uncertainty")
    name = uncertainty.get("draws_file") if isinstance(uncertainty, Mapping) else None
    if isinstance(name, str) and name and not Path(name).is_absolute():
        assert isinstance(uncertainty, Mapping)
        data["uncertainty"] = {**uncertainty, "draws_file": str(path.parent / name)}
    if isinstance(name, str) and name and trace is not None:
        trace.files.append(Path(data["uncertainty"]["draws_file"]))


def _roster_file_beside(path: Path, data: dict[str, Any], trace: Trace | None) -> None:
    """`roster.file` as a full path: it is written relative to its file, and a scenario
    written back (a sweep's points) must still find it."""
    roster = data.get("roster")
    name = roster.get("file") if isinstance(roster, Mapping) else None
    if isinstance(name, str) and name:
        assert isinstance(roster, Mapping)
        data["roster"] = {**roster, "file": str((path.parent / name).resolve())}
        if trace is not None:
            trace.files.append(Path(data["roster"]["file"]))


# Mappings whose keys are the scenario's own names: platforms, tiers, periods.
_NAMED = re.compile(r"platforms|tiers|seasonality|budget\.periods|platforms\.[^.]+\.tiers")


def _merged(
    base: Mapping[str, Any], data: Mapping[str, Any], trace: Trace | None
) -> dict[str, Any]:
    """`merge`, noting in `trace` each null for a platform, tier or period that `base` lacks:
    it removes nothing, so it is most likely a misspelt name or an entry left empty."""
    if trace is not None:
        lacks = "the files it extends have none of this name" if base else "it extends no file"
        trace.idle_nulls += [
            f"{where}: null removes nothing, as {lacks}; check the name"
            for where in _nulls_without_a_target(base, data)
        ]
    return merge(base, data, None if trace is None else trace.replaced)


def _nulls_without_a_target(
    base: Mapping[str, Any], data: Mapping[str, Any], at: str = ""
) -> list[str]:
    """Paths of the nulls in `data` for a named entry that `base` does not have."""
    found = []
    for key, value in data.items():
        path = f"{at}.{key}" if at else str(key)
        if value is None and key not in base and _NAMED.fullmatch(at):
            found.append(path)
        elif isinstance(value, Mapping):
            below = base.get(key)
            found += _nulls_without_a_target(
                below if isinstance(below, Mapping) else {}, value, path
            )
    return found


def _find_parent(path: Path, name: str) -> Path:
    relative = path.parent / name
    if relative.is_file():
        return relative
    builtin = BUILTIN_DIR / f"{name}.yaml"
    if "/" not in name and builtin.is_file():
        return builtin
    raise ScenarioError(
        path,
        [
            Problem(
                "extends",
                f"no file {str(relative)!r} and no built-in named {name!r};"
                f" built-ins: {', '.join(builtin_names())}",
            )
        ],
    )


def read_document(path: Path) -> dict[str, Any]:
    """Parse one file by its ending into a mapping; syntax errors name the line."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ScenarioError(
            path, [Problem("", "unknown file type: use .yaml, .yml, .json or .toml")]
        )
    unfit = _unfit_file(path)
    if unfit:
        raise ScenarioError(path, [Problem("", unfit)])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, [Problem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, [Problem("", f"cannot read the file: {error}")]) from None
    try:
        if kind == "YAML":
            data = yaml.load(text, Loader=_Loader)
        elif kind == "JSON":
            data = json.loads(text)
        else:
            data = _toml_data(path, text)
    except yaml.YAMLError as error:
        raise ScenarioError(path, [Problem("", _yaml_message(error))]) from None
    except json.JSONDecodeError as error:
        message = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise ScenarioError(path, [Problem("", message)]) from None
    if kind == "YAML" and _expanded_items(data, {}) > MAX_ITEMS:
        # YAML aliases can nest a short file into billions of items (a "billion laughs")
        message = f"the file expands to more than {MAX_ITEMS:,} items through YAML aliases"
        raise ScenarioError(path, [Problem("", message)])
    if not isinstance(data, dict):
        raise ScenarioError(
            path, [Problem("", f"the file must hold a mapping of fields, not {_kind_of(data)}")]
        )
    return data


def _toml_data(path: Path, text: str) -> Any:
    # tomllib compiles its patterns on import, a hundredth of a solve's start-up: only TOML
    # files pay for it
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, [Problem("", f"invalid TOML: {error}")]) from None


# A scenario or rate card is a few kilobytes; a file of more is not one (and is not read).
MAX_FILE_BYTES = 10_000_000
# Items (mappings, lists, values) a scenario may expand to: a 52-week, 12-platform one has
# a few thousand.
MAX_ITEMS = 1_000_000


def _expanded_items(node: Any, counted: dict[int, int]) -> int:
    """How many items the document holds once every alias is expanded, counting each shared
    node once per use without expanding it again."""
    if id(node) in counted:
        return counted[id(node)]
    if not isinstance(node, dict | list):
        return 1
    # A node that holds itself (`&a [*a]`) expands without end: while it is being counted,
    # meeting it again counts as too many.
    counted[id(node)] = MAX_ITEMS + 1
    values = node.values() if isinstance(node, dict) else node
    counted[id(node)] = 1 + sum(_expanded_items(value, counted) for value in values)
    return counted[id(node)]


def _unfit_file(path: Path) -> str | None:
    """Why a path cannot be a scenario or rate card file (a device, a pipe, a huge file)."""
    if not path.exists():
        return None  # reading says "not found"
    if not path.is_file():
        return "not a regular file"
    if path.stat().st_size > MAX_FILE_BYTES:
        return f"{path.stat().st_size:,} bytes: larger than any scenario or rate card"
    return None


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"invalid YAML: {problem}"
    return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _kind_of(value: object) -> str:
    return "an empty file" if value is None else f"a {type(value).__name__}"


def _read_rate_card(
    scenario_path: Path, name: object, rows_at: dict[str, str] | None = None
) -> dict[str, Any]:
    """Offers from a CSV file with one row per (platform, tier); empty cells are not given.
    `rows_at` collects each offer's row (`platforms.tiktok.tiers.micro`: `rates.csv line 3`)."""
    if not isinstance(name, str):
        raise ScenarioError(scenario_path, [Problem("platforms.from_csv", "must be a file path")])
    path = scenario_path.parent / name
    unfit = _unfit_file(path)
    if unfit:
        problem = Problem("platforms.from_csv", f"rate card {str(path)!r}: {unfit}")
        raise ScenarioError(scenario_path, [problem])
    try:
        # utf-8-sig: Excel starts a CSV saved as UTF-8 with a byte-order mark
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            columns = [column.strip() for column in reader.fieldnames or []]
    except FileNotFoundError:
        raise ScenarioError(
            scenario_path, [Problem("platforms.from_csv", f"rate card {str(path)!r} not found")]
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ScenarioError(
            scenario_path,
            [Problem("platforms.from_csv", f"cannot read rate card {str(path)!r}: {error}")],
        ) from None
    # Checked once per column: otherwise every row repeats the problem at a path that is
    # not in the scenario file.
    if len(columns) == 1 and ";" in columns[0]:  # Excel in many locales saves with ";"
        raise ScenarioError(
            scenario_path,
            [
                Problem(
                    "platforms.from_csv",
                    f"rate card {str(path)!r} separates its columns with ';': save it as"
                    " comma-separated values",
                )
            ],
        )
    problems = [
        Problem(
            f"platforms.from_csv ({name} column {column!r})",
            f"unknown column; the columns are {', '.join(CSV_COLUMNS)}",
        )
        for column in columns
        if column not in CSV_COLUMNS
    ]
    platforms: dict[str, Any] = {}
    for line, raw in enumerate(rows, start=2):
        where = f"platforms.from_csv ({name} line {line})"
        # `platform, tier, ...`: spaces after the commas do not make other columns
        row = {column.strip() if column else column: text for column, text in raw.items()}
        if None in row:
            extra = ", ".join(repr(text) for text in row[None])
            message = f"more cells than the {len(columns)} header columns: {extra} left over"
            problems.append(Problem(f"{where[:-1]}, column {len(columns) + 1})", message))
            continue
        platform, tier = (str(row.get(column) or "").strip() for column in CSV_KEY_COLUMNS)
        if not platform or not tier:
            problems.append(Problem(where, "every row needs a platform and a tier"))
            continue
        values = {
            column: _csv_value(text)
            for column, text in row.items()
            if column not in CSV_KEY_COLUMNS and text is not None and text.strip()
        }
        problems += _cell_problems(where, values)
        entry = platforms.setdefault(platform, {"tiers": {}})
        if "emerging" in values:
            emerging = values.pop("emerging")
            if rows_at is not None:
                rows_at.setdefault(f"platforms.{platform}.emerging", f"{name} line {line}")
            if entry.setdefault("emerging", emerging) != emerging:
                problems.append(
                    Problem(where, f"emerging differs between rows of platform {platform!r}")
                )
        if tier in entry["tiers"]:
            problems.append(Problem(where, f"a second row for {platform}/{tier}"))
        entry["tiers"][tier] = values
        if rows_at is not None:
            rows_at[f"platforms.{platform}.tiers.{tier}"] = f"{name} line {line}"
    if len(problems) > MAX_CARD_PROBLEMS:
        more = len(problems) - MAX_CARD_PROBLEMS
        counted = Problem("platforms.from_csv", f"{more} more problem{'s' * (more != 1)} in {name}")
        problems = [*problems[:MAX_CARD_PROBLEMS], counted]
    if problems:
        raise ScenarioError(scenario_path, problems)
    return platforms


MAX_CARD_PROBLEMS = 10
"""Problems of a rate card listed one by one; the rest are counted (a card pasted with its
columns shifted has one on every row)."""


def _cell_problems(where: str, values: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a row's cells on their own, each naming its column. Read with the
    other rows' problems, so that a row too long does not hide a bad value above it; what
    depends on fields the scenario may give beside the card (a missing field, a pair) is
    checked once the offer is whole."""
    found = []
    for model in (Offer, Platform):
        cells = {column: value for column, value in values.items() if column in model.model_fields}
        try:
            model.model_validate(cells)
        except ValidationError as error:
            found += [
                Problem(f"{where[:-1]}, column {item['loc'][0]!r})", problem_of(item).message)
                for item in error.errors()
                if item["loc"] and item["type"] != "missing"
            ]
    return found


def _csv_value(text: str) -> Any:
    """A cell as YAML would read it: numbers, true/false and `[low, high]` ranges."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return text


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for i, part in enumerate(loc):
        # pydantic marks a bad mapping key as (..., key, "[key]"): the key is a name, not an index
        if part == "[key]":
            continue
        if isinstance(part, int) and loc[i + 1 : i + 2] != ("[key]",):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(value: Any, most: int = 60) -> str:
    """A value as a message quotes it: its repr, cut short when long (a whole list given where
    a mapping belongs would fill the screen)."""
    text = repr(value)
    return text if len(text) <= most else f"{text[: most - 3]}..."


def problem_of(error: Any) -> Problem:
    """One of pydantic's validation errors as a planner reads it: the field's path and the fix."""
    loc = tuple(error["loc"])
    kind = error["type"]
    message = error["msg"]
    if kind == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}; check its spelling (`optimizer schema` lists fields)"
    elif kind == "missing":
        message = "required field is missing"
    elif loc and loc[-1] == "[key]":
        message = f"a name must be text, got {error.get('input')!r}; put it in quotes"
    elif kind == "too_short":
        least = error["ctx"]["min_length"]
        message = (
            f"give at least {least} item{'s' * (least != 1)}, got {_shown(error.get('input'))}"
        )
    elif kind == "model_type":
        # pydantic names the model class here, which means nothing in a file
        message = f"input should be a valid dictionary of fields, got {_shown(error.get('input'))}"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    else:
        given = error.get("input")
        message = f"{message[0].lower()}{message[1:]}, got {_shown(given)}"
        a_percentage = isinstance(given, int | float) and 1 < given <= 100
        bound = error.get("ctx", {})
        is_share = bound.get("le") == 1 or bound.get("lt") == 1
        fix = _FIXES.get(_path(loc)) if kind in _BOUND_ERRORS else None
        if fix is None and kind in _BOUND_ERRORS and loc and loc[-1] == "factor":
            fix = _FACTOR_FIX
        if fix is not None:
            message += f"; {fix}"
        bounded = kind in ("less_than_equal", "less_than") and is_share
        if bounded and a_percentage and fix is None:
            message += f"; shares are fractions: {given / 100:g} for {given:g}%"
    return Problem(_path(loc), message)


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_FIXES = {
    "objective.risk.cvar": "cvar is the share of worst draws averaged, 0 < A <= 1: 0.1 for the"
    " worst 10%, 1 for the mean",
    "objective.risk.weight": "weight mixes the mean (0) with CVaR (1): give 0 <= W <= 1",
    "objective.target.probability": "give the share of draws that must reach the target,"
    " 0 < p < 1: 0.9 for 90%",
    "uncertainty.draws": "give from 1 to 100,000 draws (1000 by default)",
}
"""How to mend a field of section 8 given out of its bounds."""
_FACTOR_FIX = (
    "a saturation factor is what a post in that segment is worth against the first,"
    " 0 < factor <= 1: 0.5 for half"
)
"""How to mend a saturation segment's `factor` (scenario-wide or an offer's own)."""
