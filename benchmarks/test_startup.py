"""The whole process, start-up included, as a planner runs `optimizer solve` and `validate`.

    .venv/bin/python -m pytest benchmarks/test_startup.py

Each round is a fresh `optimizer` process. `python -c pass` is measured in the same run, so
`extra_info` holds the time over a bare interpreter as well as the wall time; beside the
solve it puts the in-process build and solve seconds of the same scenario, the figures the
other benchmarks report, so start-up can be read against them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from measure import median_seconds

import optimizer

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/ecommerce-dtc.yaml"
OPTIMIZER = str(Path(sys.executable).with_name("optimizer"))
PYTHON_PASS = [sys.executable, "-c", "pass"]
ROUNDS = 5


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def python_seconds() -> float:
    """Median wall time of `python -c pass` in this run: the floor under every command."""
    _run(PYTHON_PASS)  # warm the file cache
    return median_seconds(PYTHON_PASS, ROUNDS)


def test_python_pass(benchmark) -> None:
    benchmark.pedantic(_run, args=(PYTHON_PASS,), rounds=ROUNDS, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize(
    "args",
    [("validate", SCENARIO), ("solve", SCENARIO, "--format", "json")],
    ids=["validate", "solve-json"],
)
def test_whole_process(benchmark, python_seconds: float, args: tuple[str, ...]) -> None:
    done = benchmark.pedantic(
        _run, args=([OPTIMIZER, *args],), rounds=ROUNDS, iterations=1, warmup_rounds=1
    )
    median = benchmark.stats.stats.median
    benchmark.extra_info.update(
        command=f"optimizer {' '.join(args)}",
        median_seconds=round(median, 4),
        python_seconds=round(python_seconds, 4),
        over_python_seconds=round(median - python_seconds, 4),
    )
    if args[0] == "solve":
        assert json.loads(done.stdout)["status"] == "optimal"
        plans = [optimizer.solve(ROOT / SCENARIO) for _ in range(ROUNDS)]
        build = statistics.median(plan.build_seconds for plan in plans)
        solve = statistics.median(plan.seconds for plan in plans)
        benchmark.extra_info.update(
            in_process_build_seconds=round(build, 4),
            in_process_solve_seconds=round(solve, 4),
            start_up_and_output_seconds=round(median - build - solve, 4),
        )
