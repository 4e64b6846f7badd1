"""The whole process, start-up included, as a planner runs `optimizer solve` and `validate`.

    .venv/bin/python -m pytest benchmarks/test_startup.py

Each round is a fresh `optimizer` process, `validate` of one scenario and `solve --format
json` of every shipped scenario (the infeasible one aside). `python -c pass` and `python -c
"import numpy, highspy"` (the least a solve must load) are measured in the same run. Each
solve's `extra_info` holds its whole process as a multiple of the latter
(`ratio_to_numpy_highspy`; the aim is at most 3, recorded, not asserted: timings vary with
the machine and its load) and, beside it, the work itself timed warm in this process (load,
build and solve), so that start-up and output (`start_up_and_output_seconds`, the whole
less the work) can be read apart from a solve that no start-up can shorten.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
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


SHIPPED = sorted(
    str(path.relative_to(ROOT))
    for path in (ROOT / "scenarios").rglob("*.yaml")
    if "infeasible" not in path.parts
)


@pytest.mark.parametrize(
    "args",
    [("validate", SCENARIO), *(("solve", path, "--format", "json") for path in SHIPPED)],
    ids=["validate", *(f"solve-json-{Path(path).stem}" for path in SHIPPED)],
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
        # The work itself, warm in this process: what no start-up can save.
        loads, plans = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            scenario = optimizer.load_scenario(ROOT / args[1])
            loads.append(time.perf_counter() - started)
            plans.append(optimizer.solve(scenario))
        work = statistics.median(
            load + plan.build_seconds + plan.seconds
            for load, plan in zip(loads, plans, strict=True)
        )
        benchmark.extra_info.update(
            in_process_work_seconds=round(work, 4),
            start_up_and_output_seconds=round(median - work, 4),
            start_up_ratio_to_numpy_highspy=round((median - work) / numpy_highspy_seconds, 2),
        )
