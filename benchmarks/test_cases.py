"""Every registered case (`cases.py`), built and solved our way and the naive way.

    .venv/bin/python -m pytest benchmarks/test_cases.py
    BENCH_CASES=m12-p8-t4-s1,w52-p12-t5-s4 .venv/bin/python -m pytest benchmarks/test_cases.py

By default the shipped scenarios and the two smallest quarterly cases run; `BENCH_CASES`
names others (`all` for the whole registry, which takes about half an hour). The naive
solve is measured once per case in the same run, so `extra_info` holds ratios; both optima
must agree within the gap when both solvers closed it, and CBC's plan may never pass the
bound HiGHS proved.
"""

from __future__ import annotations

import os
import time

import pytest
from cases import REGISTRY, SHIPPED, case, gap_of
from naive import build_naive, solve_naive

from optimizer import build_model
from optimizer.solvers import SolveOptions, Status, run_solver

DEFAULT = [*SHIPPED, "q4-p4-t3-s1", "q4-p6-t4-s3"]
chosen = os.environ.get("BENCH_CASES", "")
CASES = list(REGISTRY) if chosen == "all" else (chosen.split(",") if chosen else DEFAULT)
NAIVE_LIMIT = 120.0


@pytest.mark.parametrize("name", CASES)
def test_build(benchmark, name: str) -> None:
    scenario = case(name)
    model = benchmark(build_model, scenario)
    started = time.perf_counter()
    naive = build_naive(scenario)
    naive_seconds = time.perf_counter() - started
    benchmark.extra_info.update(
        columns=model.num_cols,
        rows=model.num_rows,
        naive_build_seconds=round(naive_seconds, 4),
        speedup=round(naive_seconds / benchmark.stats.stats.min, 1),
    )
    assert len(naive.variables()) >= len(model.cells)


@pytest.mark.parametrize("name", CASES)
def test_solve(benchmark, name: str) -> None:
    scenario = case(name)
    gap = gap_of(name)
    model = build_model(scenario)
    options = SolveOptions(time_limit=NAIVE_LIMIT, gap=gap)
    solution = benchmark.pedantic(run_solver, args=(model, "highs", options), rounds=1)
    naive = solve_naive(scenario, gap=gap, time_limit=NAIVE_LIMIT)
    benchmark.extra_info.update(
        nodes=solution.nodes,
        objective=solution.objective,
        naive_objective=naive.objective,
        naive_seconds=round(naive.solve_seconds, 3),
        naive_certified=naive.certified,
        speedup=round(naive.solve_seconds / solution.seconds, 2),
    )
    # Weekly cases may stop at the limit with a plan; every other case must be certified.
    assert solution.status is Status.OPTIMAL or (
        name.startswith("w52") and solution.status is Status.FEASIBLE
    )
    assert solution.objective is not None and solution.bound is not None
    if naive.certified and solution.status is Status.OPTIMAL:
        assert solution.objective == pytest.approx(naive.objective, rel=2 * gap, abs=1e-6)
    elif naive.objective is not None:
        # No plan of CBC's can pass our proven bound.
        beyond = naive.objective - solution.bound
        if model.sense == "minimize":
            beyond = -beyond
        assert beyond <= gap * abs(solution.bound) + 1e-6
