"""Why no plan exists: an irreducible set of conflicting rules, by a deletion filter.

A group is what a planner can change as one setting: one constraint (`budget:Q4`,
`tiktok-cap`), an offer's `min` (its count columns' lower bounds in every period) or an
offer's `available` pool. The filter drops groups one at a time and keeps a group only
when the others can hold without it. Each check is a MIP feasibility solve, so conflicts
that only integrality causes (one creator costs more than the budget) are found too.

The filter keeps what it cannot drop, so the order decides which set it finds: offer bounds
and the budget are tried first, the planner's own rules last, so a conflict is told in the
rules a planner wrote where it can be.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optimizer.analysis.editing import ModelEditor, Outcome, Settings
from optimizer.analysis.groups import Group, groups_of, planner_first, rule_kind, without
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
    (default: the scenario's limit, at most `CHECK_TIME_LIMIT`). Where other sets exist
    (`others`), the filter runs a second time in the other order and the smaller set is
    kept; of two alike, the one with fewer offer bounds and budget rules.
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
    done, expected = 0, len(groups)

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, expected)

    members, proven = deletion_filter(editor, settings, groups, limit, tick)
    expected += len(members)
    others = another_set_exists(editor, settings, members, limit, tick)
    if others and len(members) > 1:
        # The filter keeps what it cannot drop: tried the other way round, it may keep a
        # smaller set. The smaller one is reported; of two alike, the one of more own rules.
        expected += len(groups)
        order = planner_first(model, groups)
        second, second_proven = deletion_filter(editor, settings, order, limit, tick)
        if _rank(model, second) < _rank(model, members):
            members, proven = second, second_proven
    expected += len(members)
    conflicts = []
    for group in _planner_order(model, groups, members):
        conflicts.append(move(editor, settings, group, limit, scenario.currency))
        tick()
    return ConflictReport(conflicts, proven, others)


def another_set_exists(
    editor: ModelEditor,
    settings: Settings,
    members: list[Group],
    time_limit: float,
    on_check: Callable[[], None] | None = None,
) -> bool:
    """Whether the scenario has a conflicting set besides `members`: one of them dropped
    alone, the rest still has no plan. (When every one of them dropped alone leaves a plan,
    every conflicting set holds all of them: this is the only one.)"""
    for group in members:
        outcome = editor.solve(without(settings, [group]), time_limit=time_limit).outcome
        if on_check:
            on_check()
        if outcome is Outcome.INFEASIBLE:
            return True
    return False


def _planner_order(model: LinearModel, groups: list[Group], members: list[Group]) -> list[Group]:
    """The set as it is told: the scenario's own rules first, then presets, the budget and
    offer bounds; within each, as the filter tries them."""
    order = {"own": 0, "preset": 1, "budget": 2, "offer": 3}
    position = {id(group): number for number, group in enumerate(groups)}
    return sorted(members, key=lambda group: (order[rule_kind(model, group)], position[id(group)]))


def _rank(model: LinearModel, members: list[Group]) -> tuple[int, int]:
    """Smaller first, then fewer offer bounds and budget rules."""
    settled = sum(rule_kind(model, group) in ("offer", "budget") for group in members)
    return len(members), settled
