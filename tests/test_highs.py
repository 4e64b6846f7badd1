"""The HiGHS backend: settings by model size, the banner kept off stdout, thread pools."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmark_modules import benchmark_module
from child_process import run_script

import optimizer
from optimizer import build_model
from optimizer.solvers.highs import LARGE_MIP, race_partner, to_highs

ROOT = Path(__file__).resolve().parent.parent

# Solves the named models in order, in the main thread or in one other thread, and prints
# what HiGHS said of each: its status and the threads it searched on. `main:own-pool` is
# the caller's own HiGHS run, with HiGHS's default of every core, before any of ours.
SOLVE_IN_ORDER = """
import json, re, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import highspy
sys.path.insert(0, "tests")
from benchmark_modules import benchmark_module
from optimizer import build_model
from optimizer.solvers.highs import new_highs, to_highs

cases = benchmark_module("cases")
report = []

def own_pool():
    highs = new_highs()
    empty = highspy.HighsLp()
    empty.num_col_ = 1
    empty.col_cost_, empty.col_lower_, empty.col_upper_ = [0.0], [0.0], [1.0]
    highs.passModel(empty)
    highs.run()

def solve(name):
    if name == "own-pool":
        return own_pool()
    highs = to_highs(build_model(cases.case(name)))
    log = Path(tempfile.mkdtemp()) / "highs.log"
    for option, value in [("output_flag", True), ("log_to_console", False),
                          ("log_file", str(log)), ("time_limit", 0.2)]:
        highs.setOptionValue(option, value)
    highs.run()
    threads = re.search(r"across (\\d+) threads", log.read_text())
    report.append([str(highs.getModelStatus()), int(threads.group(1))])

with ThreadPoolExecutor(max_workers=1) as other_thread:
    for step in sys.argv[1:]:
        where, name = step.split(":")
        if where == "main":
            solve(name)
        else:
            other_thread.submit(solve, name).result()
print(json.dumps(report))
"""

SMALL, LARGE = "b2b-saas", "m12-p8-t4-s1"
RAN = {"HighsModelStatus.kOptimal", "HighsModelStatus.kTimeLimit"}


def solve_in_order(*steps: str) -> list[tuple[str, int]]:
    return [(status, threads) for status, threads in json.loads(run_script(SOLVE_IN_ORDER, *steps))]


def test_every_solve_in_every_thread_runs_on_one_thread() -> None:
    report = solve_in_order(f"main:{LARGE}", f"other:{SMALL}", f"main:{SMALL}", f"other:{LARGE}")
    assert {status for status, _ in report} <= RAN, report
    assert {threads for _, threads in report} == {1}, report


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every pool has one thread")
def test_solves_join_a_pool_the_caller_started_on_every_core() -> None:
    report = solve_in_order("main:own-pool", f"main:{SMALL}", f"main:{LARGE}", f"other:{SMALL}")
    assert {status for status, _ in report} <= RAN, report
    assert [threads > 1 for _, threads in report] == [True, True, False], report


@pytest.mark.parametrize(
    ("name", "effort"), [("b2b-saas", 0.05), ("m12-p8-t4-s1", 0.05), ("w52-p8-t4-s2", 0.3)]
)
def test_only_weekly_models_get_more_heuristic_effort(name: str, effort: float) -> None:
    model = build_model(benchmark_module("cases").case(name))
    assert (int(model.integrality.sum()) > LARGE_MIP) == (effort == 0.3)
    options = to_highs(model).getOptions()
    assert options.mip_heuristic_effort == effort
    for heuristic in ("rins", "rens", "feasibility_jump"):
        assert getattr(options, f"mip_heuristic_run_{heuristic}") is True


def test_a_race_pits_the_count_formulation_against_integer_segments() -> None:
    model = build_model(benchmark_module("cases").case("q4-p6-t4-s3"))
    partner = race_partner(model)
    assert partner is not None
    assert model.integrality[model.segment_columns].all()
    assert not partner.integrality[partner.segment_columns].any()
    saturated = np.unique(model.segment_cells)
    assert partner.integrality[saturated].all() and not model.integrality[saturated].any()
    # same columns and rows: a plan of one is a plan of the other
    assert partner.num_cols == model.num_cols and partner.num_rows == model.num_rows
    small = build_model(benchmark_module("cases").case("b2b-saas"))
    assert race_partner(small) is None


def test_the_banner_stays_off_standard_output() -> None:
    script = "from optimizer.solvers.highs import new_highs; new_highs(); print('only this')"
    assert run_script(script) == "only this\n"


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_limit": -1}, "time_limit must be a number of seconds above 0, got -1"),
        ({"time_limit": float("inf")}, "time_limit must be a number of seconds above 0"),
        ({"gap": -1}, "gap must be a fraction from 0 to 1, got -1"),
        ({"gap": float("nan")}, "gap must be a fraction from 0 to 1, got nan"),
        ({"gap": 5}, "gap must be a fraction from 0 to 1, got 5"),
        ({"time_limit": "5"}, "time_limit must be a number of seconds above 0, got '5'"),
    ],
)
def test_solve_refuses_options_no_solver_could_honour(
    solver: str, options: dict[str, float], message: str
) -> None:
    """Both backends refuse them alike (HiGHS used to ignore them, CBC to stop at once)."""
    with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
        optimizer.solve(benchmark_module("cases").case("csv-rate-card"), solver=solver, **options)


def test_a_model_highs_refuses_is_an_error_not_a_missing_plan() -> None:
    """A figure past HiGHS's range used to leave an empty model, reported as a time limit.
    Each input is within the scenario's 1e12, their product (a post's cost) is not."""
    data = benchmark_module("cases").generated("q4", 4, 3, 1)
    micro = data["platforms"]["tiktok"]["tiers"]["micro"]
    del micro["cost_per_post"]
    micro.update(cost_per_1k_followers=1e12, followers=1e9)
    scenario = optimizer.scenario_from_dict(data)
    with pytest.raises(optimizer.SolverError, match="HiGHS refused the model"):
        optimizer.solve(scenario)


def richer(scenario: optimizer.Scenario) -> optimizer.Scenario:
    """The scenario with twice its budget: the same cells, another model."""
    budget = scenario.budget.model_copy(update={"total": 2 * scenario.budget.total})
    return scenario.model_copy(update={"budget": budget})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, m: optimizer.solve({"name": "x"}), "solve takes a Scenario or a file path"),
        (lambda s, m: optimizer.solve(s, solver=123), "solver must be a name"),
        (lambda s, m: optimizer.solve(s, model=m), "built from another scenario"),
        (lambda s, m: optimizer.solve(s, model=build_model(richer(s))), "another scenario"),
        (lambda s, m: optimizer.explain_plan(s, optimizer.solve(s), m), "another scenario"),
        (
            lambda s, m: optimizer.explain_plan(richer(s), optimizer.solve(s)),
            "the plan was made for another scenario",
        ),
        (
            lambda s, m: optimizer.explain_plan(s, optimizer.solve(s), gap=5),
            "gap must be a fraction from 0 to 1, got 5",
        ),
        (
            lambda s, m: optimizer.explain_plan(s, optimizer.solve(s), time_limit=-5),
            "time_limit must be a number of seconds above 0, got -5",
        ),
        (
            lambda s, m: optimizer.explain_plan(s, optimizer.solve(s), budget_step=0),
            "budget_step must be an amount of money above 0, got 0",
        ),
        (
            lambda s, m: optimizer.explain_plan(s, optimizer.solve(s), budget_step="x"),
            "budget_step must be an amount of money above 0, got 'x'",
        ),
        (lambda s, m: optimizer.find_conflicts(s, time_limit=0), "time_limit must be a number"),
        (lambda s, m: optimizer.find_conflicts(s, m), "built from another scenario"),
        (lambda s, m: optimizer.sweep(s, budgets=["1e5"]), "budgets must be finite numbers"),
        (lambda s, m: optimizer.sweep(s), "give budgets, params or both"),
        (lambda s, m: optimizer.sweep(s, budgets=5), "budgets must be a list of numbers"),
        (lambda s, m: optimizer.sweep(s, budgets=[1e5], workers=0), "workers must be a whole"),
        (lambda s, m: optimizer.sweep(s, budgets=[1e5], workers="2"), "workers must be a whole"),
        (lambda s, m: optimizer.sweep(s, params=[("rules.tolerance",)]), "params must be"),
        (lambda s, m: optimizer.sweep(s, params=[("rules.tolerance", "0.05,0.1")]), "params must"),
        (lambda s, m: optimizer.sweep(s, params=[("rules.tolerance", [None])]), "params must"),
        (lambda s, m: optimizer.sweep(s, budgets=[1e5, float("nan")]), "budgets must be finite"),
        (
            lambda s, m: optimizer.sweep(s, params=["rules.tolerance=0.1", "rules.tolerance=0.2"]),
            "each parameter can be swept once",
        ),
        (lambda s, m: optimizer.build_model("x.yaml"), "build_model takes a Scenario"),
        (lambda s, m: optimizer.explain_plan({"name": "x"}, None), "takes a Scenario"),
        (lambda s, m: optimizer.find_conflicts(42), "takes a Scenario or a file path"),
        (lambda s, m: optimizer.load_scenario(None), "load_scenario takes a file path"),
        (lambda s, m: optimizer.compare(iter([])), "compare takes a list of plans"),
    ],
)
def test_api_arguments_a_request_could_get_wrong_are_optimizer_errors(
    call: Any, message: str
) -> None:
    cases = benchmark_module("cases")
    scenario, other = cases.case("csv-rate-card"), optimizer.build_model(cases.case("b2b-saas"))
    with pytest.raises(optimizer.OptimizerError, match=re.escape(message)):
        call(scenario, other)


def test_functions_take_a_scenario_file_as_solve_does_and_sweeps_take_numpy_and_cli_forms() -> None:
    scenario_file = ROOT / "scenarios" / "b2b-saas.yaml"
    scenario = optimizer.load_scenario(scenario_file)
    assert optimizer.find_conflicts(scenario_file).conflicts == []
    plan = optimizer.solve(scenario_file)
    assert optimizer.explain_plan(str(scenario_file), plan).rules
    import numpy as np

    by_array = optimizer.sweep(scenario_file, budgets=np.array([2e5, 3e5]))
    by_list = optimizer.sweep(scenario, budgets=[2e5, 3e5])
    assert by_array.points["objective"].tolist() == by_list.points["objective"].tolist()
    assert len(optimizer.sweep(scenario, budgets=[2e5], workers=np.int64(1)).points) == 1
    as_text = optimizer.sweep(scenario, params=["rules.tolerance=0.05,0.1"])
    as_pair = optimizer.sweep(scenario, params=[("rules.tolerance", [0.05, 0.1])])
    assert as_text.points["objective"].tolist() == as_pair.points["objective"].tolist()


def test_a_status_that_is_neither_a_proof_nor_a_limit_is_an_error() -> None:
    """HiGHS's "Unknown" without a plan is numerical trouble, not a search cut short."""
    from types import SimpleNamespace

    import highspy

    from optimizer.solvers.highs import read_solution

    model = optimizer.build_model(benchmark_module("cases").case("csv-rate-card"))

    def stub(status: highspy.HighsModelStatus) -> Any:
        return SimpleNamespace(
            getModelStatus=lambda: status,
            getInfo=lambda: SimpleNamespace(primal_solution_status=0),
            modelStatusToString=lambda _: "Unknown",
        )

    with pytest.raises(optimizer.SolverError, match=r"could not solve the model \(Unknown\)"):
        read_solution(stub(highspy.HighsModelStatus.kUnknown), model, 0.1)
    stopped = read_solution(stub(highspy.HighsModelStatus.kTimeLimit), model, 0.1)
    assert stopped.status is optimizer.Status.TIME_LIMIT


def test_a_raced_plan_is_the_optimum_within_the_gap() -> None:
    from optimizer.solvers import SolveOptions, run_solver

    model = build_model(benchmark_module("cases").case("q4-p6-t4-s3"))
    raced = run_solver(model, "highs", SolveOptions(60, 1e-4, race=True))
    alone = run_solver(model, "highs", SolveOptions(60, 1e-4))
    assert raced.status == alone.status == "optimal"
    assert raced.objective is not None and alone.objective is not None
    assert abs(raced.objective - alone.objective) <= 1e-4 * abs(alone.objective) + 1e-6
    # the bound reported is a bound of the plan
    assert raced.bound is not None and raced.bound >= raced.objective - 1e-6
