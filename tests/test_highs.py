"""The HiGHS backend's process-wide state: its banner and its thread pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from benchmark_modules import benchmark_module

from optimizer import build_model, load_scenario
from optimizer.solvers.highs import ONE_THREAD_MIP

ROOT = Path(__file__).resolve().parent.parent

# Solves the named models in order, in the main thread or in one other thread, and prints
# what HiGHS said of each: its status and the threads it searched on.
SOLVE_IN_ORDER = """
import json, re, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
sys.path.insert(0, "tests")
from benchmark_modules import benchmark_module
from optimizer import build_model
from optimizer.solvers.highs import to_highs

cases = benchmark_module("cases")
report = []

def solve(name):
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


def solve_in_order(*steps: str) -> list[tuple[str, int]]:
    done = subprocess.run(
        [sys.executable, "-c", SOLVE_IN_ORDER, *steps],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return [(status, threads) for status, threads in json.loads(done.stdout)]


def test_the_sizes_compared_are_on_either_side_of_the_threshold() -> None:
    small = build_model(load_scenario(ROOT / "scenarios" / f"{SMALL}.yaml"))
    large = build_model(benchmark_module("cases").case(LARGE))
    assert int(small.integrality.sum()) <= ONE_THREAD_MIP < int(large.integrality.sum())


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every model gets one thread")
@pytest.mark.parametrize(
    ("first", "threads"), [(SMALL, lambda n: n == 1), (LARGE, lambda n: n > 1)]
)
def test_a_threads_first_model_sizes_its_pool_and_every_later_solve_runs(
    first: str, threads: Callable[[int], bool]
) -> None:
    """Each thread has a pool of its own: the main thread's and the others' first models
    differ here, and neither thread's later solve of the other size may fail."""
    other = LARGE if first == SMALL else SMALL
    report = solve_in_order(f"main:{first}", f"thread:{other}", f"main:{other}", f"thread:{first}")
    assert {status for status, _ in report} <= {
        "HighsModelStatus.kOptimal",
        "HighsModelStatus.kTimeLimit",
    }, report
    main, worker = [count for _, count in report[::2]], [count for _, count in report[1::2]]
    assert len(set(main)) == 1 and threads(main[0]), report
    assert len(set(worker)) == 1 and not threads(worker[0]), report


def test_the_banner_stays_off_standard_output() -> None:
    script = "from optimizer.solvers.highs import new_highs; new_highs(); print('only this')"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "only this\n"
