"""Why no plan exists: an irreducible set of conflicting rules, by a deletion filter.

A group is what a planner can change as one setting: one constraint (`budget:Q4`,
`tiktok-cap`), an offer's `min` (its count columns' lower bounds in every period) or an
offer's `available` pool. The filter drops groups one at a time and keeps a group only
when the others can hold without it. Each check is a MIP feasibility solve, so conflicts
that only integrality causes (one creator costs more than the budget) are found too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optimizer.analysis.editing import ModelEditor, Outcome, Settings
from optimizer.analysis.groups import Group, groups_of, without
from optimizer.analysis.moves import move
from optimizer.analysis.results import ConflictReport
from optimizer.model.linear import LinearModel, model_for
from optimizer.scenario.loading import scenario_of
from optimizer.scenario.schema import Scenario
from optimizer.solving import solve_options

# Seconds a single feasibility check may take; a conflict search makes dozens of them.
CHECK_TIME_LIMIT = 10.0

Progress = Callable[[int, int], None]
"""Called with (checks done, checks expected so far); the expected count may grow."""


def deletion_filter(
    editor: ModelEditor,
    settings: Settings,
    groups: list[Group],
    time_limit: float,
    on_check: Callable[[], None] | None = None,
) -> tuple[list[Group], bool]:
    """The groups of an irreducible infeasible subset, and whether every check was decided.

    A group whose removal leaves the rest infeasible is not needed for the conflict and is
    dropped for good; an undecided check keeps the group (the set stays infeasible).
    """
    members = list(groups)
    proven = True
    for group in groups:
        rest = [other for other in members if other is not group]
        trial = without(settings, [g for g in groups if g not in rest])
        outcome = editor.solve(trial, time_limit=time_limit).outcome
        if outcome is Outcome.INFEASIBLE:
            members = rest
        elif outcome is Outcome.UNKNOWN:
            proven = False
        if on_check:
            on_check()
    return members, proven


def find_conflicts(
    scenario: Scenario | str | Path,
    model: LinearModel | None = None,
    *,
    time_limit: float | None = None,
    on_progress: Progress | None = None,
) -> ConflictReport:
    """An irreducible set of rules that cannot hold together, each with how far it must move.

    Empty when the scenario has a plan. `time_limit` bounds each of the many small solves
    (default: the scenario's limit, at most `CHECK_TIME_LIMIT`).
    """
    scenario = scenario_of(scenario, "find_conflicts")
    model = model_for(scenario, model)
    if time_limit is None:
        time_limit = min(scenario.solver.time_limit, CHECK_TIME_LIMIT)
    limit = solve_options(scenario, time_limit).time_limit
    editor = ModelEditor(model)
    settings = Settings.of(model)
    if editor.solve(settings, time_limit=limit).has_solution:
        return ConflictReport([])
    groups = groups_of(model)
    done = 0

    def tick(extra: int = 0) -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, len(groups) + extra)

    members, proven = deletion_filter(editor, settings, groups, limit, tick)
    conflicts = []
    for group in members:
        conflicts.append(move(editor, settings, group, limit, scenario.currency))
        tick(len(members))
    return ConflictReport(conflicts, proven)
