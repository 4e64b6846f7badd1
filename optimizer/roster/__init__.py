"""Rosters: named creators as cells of their own (section 9 of scenario format v2).

`reading` reads and checks the CSV file as columns; `cells` turns creators into cells of the
one model; `decomposition` solves rosters too large for branch and bound; `tables` gives the
shortlist, the top creators and the marginal ones for reports.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from optimizer.roster.reading import MAX_CREATORS, Roster, read_roster
from optimizer.scenario.schema import Scenario, Uncertainty

__all__ = ["MAX_CREATORS", "Roster", "read_roster", "roster_of"]

_KEPT = 4
_cache: dict[tuple[object, ...], Roster] = {}
_lock = threading.Lock()


def roster_of(scenario: Scenario, source: str | Path = "<scenario>") -> Roster:
    """The scenario's roster, read once per file version and scenario settings it depends on
    (platforms, tiers, periods, posts), then kept: a sweep's points share one read."""
    settings = scenario.roster
    if settings is None:
        raise ValueError("the scenario has no roster")
    path = Path(settings.file)
    try:
        stat = path.stat()
        version: tuple[object, ...] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = (None, None)
    key = (
        str(path),
        *version,
        settings.posts,
        tuple(scenario.periods),
        json.dumps({name: spec.emerging for name, spec in scenario.platforms.items()}),
        json.dumps({name: tier.model_dump() for name, tier in scenario.tiers.items()}),
    )
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    roster = read_roster(scenario, source)
    with _lock:
        while len(_cache) >= _KEPT:
            _cache.pop(next(iter(_cache)))
        _cache[key] = roster
    return roster


UNCERTAIN_VALUES = 20_000_000
"""Most creators x draws a roster may have under `uncertainty`: each creator's figures are
drawn on their own (each draw's row of the risk model has an entry per creator), so 20,000
creators at 1,000 draws, about 640 MB of multipliers."""


def _check_uncertain_size(scenario: Scenario, roster: Roster, source: str | Path) -> None:
    from optimizer.errors import Problem, ScenarioError

    settings = scenario.uncertainty or Uncertainty()  # a risk or target alone: the defaults
    if settings.draws_file is not None:
        return  # a draws file moves creators with their offer's rows: no draws of their own
    draws = settings.draws
    if len(roster) * draws > UNCERTAIN_VALUES:
        most = UNCERTAIN_VALUES // draws
        raise ScenarioError(
            source,
            [
                Problem(
                    "uncertainty.draws",
                    f"{len(roster):,} creators x {draws:,} draws is more than"
                    f" {UNCERTAIN_VALUES:,}: plan a roster of at most {most:,} creators with"
                    " uncertainty at this many draws, or give fewer draws",
                )
            ],
        )


def check_roster(scenario: Scenario, source: str | Path = "<scenario>") -> Roster:
    """Read the scenario's roster (raising ScenarioError with its problems) and check that
    the creators its rules name are in it."""
    from optimizer.errors import Problem, ScenarioError

    roster = roster_of(scenario, source)
    if scenario.uncertainty is not None or scenario.objective.uncertain:
        _check_uncertain_size(scenario, roster, source)
    named = [
        (f"rules.shares[{i}]", rule.select.creators)
        for i, rule in enumerate(scenario.rules.shares)
        if rule.select.creators
    ] + [
        (f"rules.limits[{i}]", rule.select.creators)
        for i, rule in enumerate(scenario.rules.limits)
        if rule.select.creators
    ]
    if not named:
        return roster
    known = set(roster.creator.tolist())
    problems = []
    for path, creators in named:
        missing = [creator for creator in creators if creator not in known]
        if missing:
            shown = ", ".join(repr(creator) for creator in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            problems.append(
                Problem(
                    f"{path}.select.creators",
                    f"unknown creator {shown}{more}; not in {roster.source.name}",
                )
            )
    if problems:
        raise ScenarioError(source, problems)
    return roster
