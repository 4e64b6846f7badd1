"""The whole process, start-up included, as a planner runs `optimizer solve` and `validate`.

    .venv/bin/python -m pytest benchmarks/test_startup.py

Each round is a fresh `optimizer` process. `python -c pass` is measured in the same run, so
`extra_info` holds the time over a bare interpreter as well as the wall time; beside the
solve it puts the in-process build and solve seconds of the same scenario, the figures the
other benchmarks report, so start-up can be read against them.

`python -c "import numpy, highspy"` is measured in the same run too: the least a solve must
load. The solve's `ratio_to_numpy_highspy` is its whole process as a multiple of that; the aim is
at most 3 (recorded, not asserted: timings vary with the machine and its load).
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
NUMPY_HIGHSPY = [sys.executable, "-c", "import numpy, highspy"]
START_UP_AIM = 3.0
"""Most a whole `optimizer solve --format json` should take, as a multiple of NUMPY_HIGHSPY."""
ROUNDS = 5


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def python_seconds() -> float:
    """Median wall time of `python -c pass` in this run: the floor under every command."""
    _run(PYTHON_PASS)  # warm the file cache
    return median_seconds(PYTHON_PASS, ROUNDS)


@pytest.fixture(scope="module")
def numpy_highspy_seconds() -> float:
    """Median wall time of `python -c "import numpy, highspy"` in this run."""
    _run(NUMPY_HIGHSPY)
    return median_seconds(NUMPY_HIGHSPY, ROUNDS)


def test_python_pass(benchmark) -> None:
    benchmark.pedantic(_run, args=(PYTHON_PASS,), rounds=ROUNDS, iterations=1, warmup_rounds=1)


def test_numpy_highspy(benchmark) -> None:
    benchmark.pedantic(_run, args=(NUMPY_HIGHSPY,), rounds=ROUNDS, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize(
    "args",
    [("validate", SCENARIO), ("solve", SCENARIO, "--format", "json")],
    ids=["validate", "solve-json"],
)
def test_whole_process(
    benchmark, python_seconds: float, numpy_highspy_seconds: float, args: tuple[str, ...]
) -> None:
    done = benchmark.pedantic(
        _run, args=([OPTIMIZER, *args],), rounds=ROUNDS, iterations=1, warmup_rounds=1
    )
    median = benchmark.stats.stats.median
    benchmark.extra_info.update(
        command=f"optimizer {' '.join(args)}",
        median_seconds=round(median, 4),
        python_seconds=round(python_seconds, 4),
        over_python_seconds=round(median - python_seconds, 4),
        numpy_highspy_seconds=round(numpy_highspy_seconds, 4),
        ratio_to_numpy_highspy=round(median / numpy_highspy_seconds, 2),
    )
    if args[0] == "solve":
        assert json.loads(done.stdout)["status"] == "optimal"
        benchmark.extra_info["start_up_aim"] = START_UP_AIM
        plans = [optimizer.solve(ROOT / SCENARIO) for _ in range(ROUNDS)]
        build = statistics.median(plan.build_seconds for plan in plans)
        solve = statistics.median(plan.seconds for plan in plans)
        benchmark.extra_info.update(
            in_process_build_seconds=round(build, 4),
            in_process_solve_seconds=round(solve, 4),
            start_up_and_output_seconds=round(median - build - solve, 4),
        )
