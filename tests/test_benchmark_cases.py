"""The benchmark registry (`benchmarks/cases.py`): seeded, valid, and carrying every rule kind.

The benchmarks run apart from the tests; these checks keep their cases from drifting into
scenarios the package would reject, or into models without the rules they are meant to time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from benchmark_modules import benchmark_module
from child_process import run_module
from plan_checks import check_plan

import optimizer

cases = benchmark_module("cases")


def test_a_name_always_means_the_same_scenario() -> None:
    assert cases.generated("m12", 8, 4, 2) == cases.generated("m12", 8, 4, 2)
    assert cases.generated("m12", 8, 4, 2, seed=1) != cases.generated("m12", 8, 4, 2)


def test_unknown_case_is_refused() -> None:
    with pytest.raises(KeyError, match="no benchmark case 'q5-p4-t3-s1'"):
        cases.case("q5-p4-t3-s1")


@pytest.mark.parametrize("name", cases.SCALE)
def test_scale_case_has_its_shape_and_every_rule_kind(name: str) -> None:
    periods, platforms, tiers, segments = name.split("-")
    model = optimizer.build_model(cases.case(name))
    assert len(model.cells) == len(cases.PERIODS[periods]) * int(platforms[1:]) * int(tiers[1:])
    per_cell = model.cells.segments.groupby("cell").size()
    assert per_cell.max() == int(segments[1:])
    rules = {constraint.rule for constraint in model.constraints}
    assert {"budget", "micro-every-period", "mega-per-period", "platform-cap"} <= rules
    assert {"70-20-10:proven-micro", "70-20-10:emerging-tests"} <= rules
    per_period = [c for c in model.constraints if c.rule == "micro-every-period"]
    assert len(per_period) == len(cases.PERIODS[periods])
    assert model.skipped == []


def test_smallest_case_plan_keeps_every_rule() -> None:
    scenario = cases.case("q4-p4-t3-s1")
    plan = optimizer.solve(scenario)
    assert plan.status == "optimal"
    assert check_plan(scenario, plan) == []


def test_seed_runs_report_every_seed_and_how_many_reached_the_gap() -> None:
    done = run_module(
        "benchmarks.seeds", "csv-rate-card", "--seeds", "2", "--option", "mip_heuristic_effort=0"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == [
        "csv-rate-card seed 0",
        "csv-rate-card seed 1",
    ]
    objective = optimizer.solve(cases.case("csv-rate-card")).objective
    assert all(f"objective {objective:,.2f}" in line for line in lines[:2])
    assert lines[2].startswith("csv-rate-card: mean ")
    assert lines[2].endswith("gap 0.0001 reached in 2 of 2")


def objectives(stdout: str) -> list[float]:
    return [
        float(line.rpartition("objective ")[2].replace(",", ""))
        for line in stdout.splitlines()[:-1]
    ]


def test_seed_runs_without_a_rule_solve_the_scenario_without_it(tmp_path: Path) -> None:
    document = yaml.safe_load((cases.SCENARIOS / "ecommerce-dtc.yaml").read_text())
    del document["rules"]["shares"]  # the one rule named tiktok-at-most-half
    (tmp_path / "uncapped.yaml").write_text(yaml.safe_dump(document))
    uncapped = optimizer.solve(tmp_path / "uncapped.yaml").objective
    capped = optimizer.solve(cases.case("ecommerce-dtc")).objective
    assert uncapped > capped * 1.05  # the cap matters, so dropping it shows

    done = run_module(
        "benchmarks.seeds", "ecommerce-dtc", "--seeds", "2", "--without", "tiktok-at-most-half"
    )
    assert done.returncode == 0, done.stderr
    assert objectives(done.stdout) == pytest.approx([uncapped] * 2, rel=1e-4)


def test_seed_runs_from_the_optimum_report_the_optimum() -> None:
    optimum = optimizer.solve(cases.case("ecommerce-dtc"), gap=0).objective
    done = run_module("benchmarks.seeds", "ecommerce-dtc", "--seeds", "2", "--from-optimum")
    assert done.returncode == 0, done.stderr
    # From a cold start HiGHS may stop at any plan within the 1e-4 gap (here $38) of the
    # optimum; started from it, it keeps it. The lines print cents.
    assert objectives(done.stdout) == pytest.approx([optimum] * 2, abs=0.005)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["csv-rate-card", "--option", "no_such_option=1"], "HiGHS refused option"),
        (["csv-rate-card", "--option", "effort"], "write NAME=VALUE"),
        (["q5-p4-t3-s1"], "no benchmark case"),
        (["csv-rate-card", "--without", "no-such-rule"], "has no rule 'no-such-rule'; its rules:"),
        (["csv-rate-card", "--option", "random_seed=7"], "set by --seeds"),
        (["csv-rate-card", "--time-limit", "-1"], "--time-limit must be"),
        (["q4-p3-t3-s1"], "no benchmark case"),  # 4 to 12 platforms
        (["q4-p99-t3-s1"], "no benchmark case"),
    ],
)
def test_seed_runs_refuse_bad_input(arguments: list[str], message: str) -> None:
    done = run_module("benchmarks.seeds", *arguments)
    assert done.returncode == 2
    assert message in done.stderr


def test_a_case_whose_child_process_fails_raises_case_failed_with_its_name() -> None:
    measure = benchmark_module("measure")
    with pytest.raises(measure.CaseFailed, match="no-such-case"):
        measure._in_child("no-such-case", 1.0, 1.0)
