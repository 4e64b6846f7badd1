"""Every report tells the whole truth: a plan that buys nothing says so in every format, and
`explain` says why; share rules that only an empty plan meets together are named; a
scenario with several conflicting sets reports the one a planner can act on.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rich.console import Console

from optimizer import scenario_from_dict, solve
from optimizer.analysis.conflicts import find_conflicts
from optimizer.analysis.notes import EMPTY_PLAN, contradictions
from optimizer.analysis.prices import explain_plan
from optimizer.model.cells import derive_cells
from optimizer.model.constraints import collect_constraints
from optimizer.plan import Plan
from optimizer.report.document import plan_report
from optimizer.report.terminal import explanation_view, plan_view
from optimizer.report.writers import to_html, to_markdown, write_csv, write_xlsx

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# The 70-20-10 preset wants 15-25% of spend on macro and mega creators; the cheapest macro
# post of the rate card (LinkedIn, Q1) is $20,250, so any plan spends at least $81,000.
SMALL_70_20_10 = {
    "name": "small 70-20-10",
    "extends": "benchmarks-2026",
    "budget": {"total": 60_000},
    "rules": {"presets": ["70-20-10"]},
}
CHEAPEST_MACRO = 20_250
LEAST_BUDGET = 81_000


def plan_of(data: dict[str, Any]) -> Plan:
    return solve(scenario_from_dict(data))


def rendered(renderable: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=400).print(renderable)
    return buffer.getvalue()


def with_budget(data: dict[str, Any], total: float) -> dict[str, Any]:
    return {**data, "budget": {"total": total}}


def shares(*rules: dict[str, Any], presets: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "name": "shares",
        "extends": "benchmarks-2026",
        "budget": {"total": 250_000},
        "rules": {"presets": list(presets), "shares": list(rules)},
    }


def share(name: str, select: dict[str, Any], **bounds: Any) -> dict[str, Any]:
    return {"name": name, "select": select, **bounds}


def contradicting(data: dict[str, Any]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    scenario = scenario_from_dict(data)
    constraints = collect_constraints(scenario, derive_cells(scenario)).constraints
    return [(found.rules, found.periods) for found in contradictions(constraints)]


# --- a plan that buys nothing, in every format ---------------------------------------------


def test_a_plan_that_buys_nothing_says_so_in_every_format(tmp_path: Path) -> None:
    plan = plan_of(SMALL_70_20_10)
    assert plan.status == "optimal" and plan.totals["count"] == 0
    assert plan.to_dict()["notes"] == [EMPTY_PLAN]
    report = plan_report(plan, with_charts=False)
    assert EMPTY_PLAN in to_markdown(report)
    assert EMPTY_PLAN in to_html(report)
    write_csv(report, tmp_path / "plan.csv")
    summary = list(csv.reader(io.StringIO((tmp_path / "plan-summary.csv").read_text("utf-8"))))
    assert ["note", EMPTY_PLAN] in summary
    write_xlsx(report, tmp_path / "plan.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    about = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert EMPTY_PLAN in about
    assert ("note", EMPTY_PLAN) in list(workbook["Summary"].iter_rows(values_only=True))
    assert EMPTY_PLAN in rendered(plan_view(plan))


def test_a_plan_that_buys_something_has_no_notes() -> None:
    plan = plan_of(with_budget(SMALL_70_20_10, LEAST_BUDGET))
    assert plan.totals["count"] > 0
    assert plan.notes == [] and "notes" not in plan.to_dict()
    assert "note" not in set(plan_report(plan, with_charts=False).tables[0].frame["metric"])


# --- explain says why a plan buys nothing --------------------------------------------------


def test_explain_names_the_purchase_a_rule_requires_and_the_budget_that_buys_one() -> None:
    scenario = scenario_from_dict(SMALL_70_20_10)
    plan = solve(scenario)
    empty = explain_plan(scenario, plan).empty_plan
    assert empty is not None and empty.proven
    dearest = empty.required[0]
    assert dearest.rule == "70-20-10:macro-experiments"
    assert (dearest.platform, dearest.tier, dearest.cost) == ("linkedin", "macro", CHEAPEST_MACRO)
    assert empty.smallest_spend == LEAST_BUDGET and empty.budget_needed == LEAST_BUDGET
    # independent solves: the budget found is the least that buys anything
    assert plan_of(with_budget(SMALL_70_20_10, LEAST_BUDGET)).totals["count"] > 0
    assert plan_of(with_budget(SMALL_70_20_10, LEAST_BUDGET - 1)).totals["count"] == 0
    # the re-solve left the model as built: the budget step is priced on it as before
    explained = explain_plan(scenario, plan)
    assert explained.gain == 0 and explained.empty_plan == empty


def test_explain_text_of_an_empty_plan_says_why_not_that_every_rule_is_free() -> None:
    scenario = scenario_from_dict(SMALL_70_20_10)
    plan = solve(scenario)
    explained = replace(plan, explanation=explain_plan(scenario, plan))
    text = " ".join(rendered(explanation_view(explained)).split())
    assert "Free to drop" not in text and "Raising budget.total" not in text
    assert "The smallest plan that buys anything spends $81,000" in text
    assert "budget.total at $81,000 or more" in text
    assert "70-20-10:macro-experiments needs at least 15% of spend" in text
    assert "linkedin macro in Q1 at $20,250" in text
    assert EMPTY_PLAN not in text  # its "run optimizer explain" has no place in explain
    page = to_markdown(plan_report(explained, with_charts=False))
    assert "The smallest plan that buys anything spends $81,000" in page
    assert explained.to_dict()["explanation"]["empty_plan"]["budget_needed"] == LEAST_BUDGET


def test_an_empty_plan_no_budget_can_fill_says_so() -> None:
    data = shares(presets=("ecommerce", "b2b-saas"))
    scenario = scenario_from_dict(data)
    empty = explain_plan(scenario, solve(scenario)).empty_plan
    assert empty is not None and empty.proven
    assert empty.smallest_spend is None and empty.budget_needed is None
    assert empty.message.startswith("No budget is enough")


# --- a placeholder inside a sentence -------------------------------------------------------

# Q4 may spend $5,000, below any macro post, and the seasonal preset wants 30% of Q4 on
# macro creators: Q4 buys nothing, and its share rule holds only as 0 of 0, yet costs.
Q4_CAPPED = {
    "name": "Q4 capped",
    "extends": "benchmarks-2026",
    "budget": {"total": 100_000, "periods": {"Q4": {"max": 5_000}}},
    "rules": {"presets": ["seasonal"]},
}


def test_a_share_of_nothing_is_told_in_words_not_a_dash() -> None:
    scenario = scenario_from_dict(Q4_CAPPED)
    plan = solve(scenario)
    explained = replace(plan, explanation=explain_plan(scenario, plan))
    report = next(rule for rule in plan.rules if rule.name == "seasonal:q4-reach[Q4]")
    assert report.value is None  # nothing bought in Q4
    text = " ".join(rendered(explanation_view(explained)).split())
    assert "(- left)" not in text and "(-" not in text
    assert (
        "seasonal:q4-reach[Q4] holds only because nothing is bought in Q4 (a share of"
        " nothing), yet limits the plan" in text
    )


# --- share rules that contradict each other ------------------------------------------------


def test_two_shares_of_one_selection_contradict() -> None:
    tiktok = {"platforms": ["tiktok"]}
    data = shares(share("tiktok-floor", tiktok, min=0.8), share("tiktok-cap", tiktok, max=0.6))
    assert contradicting(data) == [(("tiktok-floor", "tiktok-cap"), ())]
    plan = plan_of(data)
    assert plan.totals["count"] == 0
    notes = plan.to_dict()["notes"]
    assert notes[0] == EMPTY_PLAN
    assert notes[1].startswith(
        "tiktok-floor and tiktok-cap cannot both hold once anything is bought: tiktok-floor"
        " needs at least 80% of spend on its selection, tiktok-cap allows at most 60% on the"
        " same selection"
    )


def test_a_nested_selection_contradicts_the_one_around_it() -> None:
    data = shares(
        share("tiktok-cap", {"platforms": ["tiktok"]}, max=0.6),
        share("tiktok-micro-floor", {"platforms": ["tiktok"], "tiers": ["micro"]}, min=0.7),
    )
    assert contradicting(data) == [(("tiktok-cap", "tiktok-micro-floor"), ())]
    assert "a selection that holds all of tiktok-micro-floor's" in plan_of(data).notes[1]
    # the other way round (the inner one capped below the outer one's floor) is no conflict
    fine = shares(
        share("tiktok-floor", {"platforms": ["tiktok"]}, min=0.7),
        share("tiktok-micro-cap", {"platforms": ["tiktok"], "tiers": ["micro"]}, max=0.6),
    )
    assert contradicting(fine) == []


def test_a_preset_against_an_own_rule() -> None:
    data = shares(share("micro-cap", {"tiers": ["micro"]}, max=0.5), presets=("70-20-10",))
    assert contradicting(data) == [(("70-20-10:proven-micro", "micro-cap"), ())]


def test_shares_per_period_contradict_in_the_periods_named() -> None:
    data = shares(
        share("micro-cap", {"tiers": ["micro"]}, max=0.5, within="period"), presets=("seasonal",)
    )
    assert contradicting(data) == [(("seasonal:q1-micro", "micro-cap"), ("Q1",))]
    plan = plan_of(data)
    assert plan.totals["count"] > 0 and plan.notes[0].startswith(
        "seasonal:q1-micro and micro-cap cannot both hold once anything is bought in Q1"
    )
    assert "only a plan that buys nothing in Q1 meets both" in plan.notes[0]
    assert "Q1" not in set(plan.allocation.index.get_level_values("period"))


def test_minimums_of_disjoint_selections_over_100_percent_contradict() -> None:
    data = shares(presets=("ecommerce", "b2b-saas"))
    assert contradicting(data) == [(("ecommerce:micro", "b2b-saas:macro"), ())]


def test_rules_that_can_hold_together_are_not_flagged() -> None:
    assert contradicting(shares(presets=("70-20-10",))) == []
    both = shares(
        share("tiktok-floor", {"platforms": ["tiktok"]}, min=0.6),
        share("tiktok-cap", {"platforms": ["tiktok"]}, max=0.6),
    )
    assert contradicting(both) == []


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda path: path.stem)
def test_shipped_scenarios_have_no_contradictions(path: Path) -> None:
    from optimizer import load_scenario

    scenario = load_scenario(path)
    assert contradictions(collect_constraints(scenario, derive_cells(scenario)).constraints) == []


# --- several conflicting sets --------------------------------------------------------------


def conflicts(data: dict[str, Any]) -> tuple[set[str], bool]:
    report = find_conflicts(scenario_from_dict(data))
    return {conflict.name for conflict in report.conflicts}, report.others


def limit(name: str, select: dict[str, Any], **bounds: Any) -> dict[str, Any]:
    return {"name": name, "select": select, **bounds}


TWO_SETS = {
    "name": "two sets",
    "extends": "benchmarks-2026",
    "budget": {"total": 50_000},
    "rules": {
        "limits": [
            # a mega post costs more than the whole budget ...
            limit("mega-floor", {"tiers": ["mega"]}, count={"min": 1}),
            # ... and TikTok is both required and shut out
            limit("tiktok-floor", {"platforms": ["tiktok"]}, count={"min": 5}),
        ],
        "shares": [share("tiktok-cap", {"platforms": ["tiktok"]}, max=0)],
    },
}


def test_of_two_sets_alike_the_planners_own_rules_are_reported() -> None:
    names, others = conflicts(TWO_SETS)
    assert names == {"tiktok-floor", "tiktok-cap"}
    assert others


def test_of_two_sets_the_smaller_is_reported() -> None:
    data = {
        "name": "a set of three and one of two",
        "extends": "benchmarks-2026",
        "budget": {"total": 50_000},
        "rules": {
            "limits": [
                limit("tiktok-floor", {"platforms": ["tiktok"]}, count={"min": 5}),
                limit("instagram-floor", {"platforms": ["instagram"]}, count={"min": 5}),
                limit("social-cap", {"platforms": ["tiktok", "instagram"]}, count={"max": 9}),
                limit("mega-floor", {"tiers": ["mega"]}, count={"min": 1}),
            ]
        },
    }
    names, others = conflicts(data)
    assert names == {"budget", "mega-floor"}
    assert others


def test_a_single_set_says_no_other_exists() -> None:
    report = find_conflicts(SCENARIOS / "infeasible" / "holiday-push.yaml")
    assert [c.name for c in report.conflicts] == ["youtube-mega-in-q4", "budget:Q4"]
    assert not report.others and "other_conflicts" not in report.to_dict()


def test_reports_say_that_other_sets_exist() -> None:
    from optimizer.analysis.results import OTHER_CONFLICTS

    scenario = scenario_from_dict(TWO_SETS)
    plan = solve(scenario)
    report = find_conflicts(scenario)
    told = replace(plan, conflicts=report)
    assert told.to_dict()["other_conflicts"] is True
    assert OTHER_CONFLICTS in " ".join(rendered(plan_view(told)).split())
    assert OTHER_CONFLICTS in to_markdown(plan_report(told, with_charts=False))
    assert json.loads(report.to_json())["other_conflicts"] is True


# --- the command line ----------------------------------------------------------------------


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_validate_and_solve_warn_of_contradicting_shares(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli import app

    tiktok = {"platforms": ["tiktok"]}
    path = write(
        tmp_path,
        shares(share("tiktok-floor", tiktok, min=0.8), share("tiktok-cap", tiktok, max=0.6)),
    )
    warning = f"warning: {path}: tiktok-floor and tiktok-cap cannot both hold"
    checked = CliRunner().invoke(app, ["validate", str(path)])
    assert checked.exit_code == 0 and warning in " ".join(checked.stderr.split())
    solved = CliRunner().invoke(app, ["solve", str(path), "--format", "json"])
    assert solved.exit_code == 0
    assert warning in " ".join(solved.stderr.split())
    assert f"note: {path}: The plan buys nothing" in solved.stderr
    notes = json.loads(solved.stdout)["notes"]
    assert len(notes) == 2 and "tiktok-floor and tiktok-cap cannot both hold" in notes[1]
    table = CliRunner().invoke(app, ["solve", str(path)])
    assert "tiktok-floor and tiktok-cap cannot both hold" in " ".join(table.stdout.split())
    fine = CliRunner().invoke(app, ["validate", str(write(tmp_path, SMALL_70_20_10))])
    assert fine.exit_code == 0 and "cannot" not in fine.stderr


def test_explain_of_an_empty_plan_on_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from optimizer.cli import app

    result = CliRunner().invoke(app, ["explain", str(write(tmp_path, SMALL_70_20_10))])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "with budget.total at $81,000 or more a plan buys something" in text
    assert "Free to drop" not in text and "gains 0 conv." not in text
