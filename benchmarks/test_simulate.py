"""`simulate` of 10,000 draws of the largest weekly case (w52-p12-t5-s4: 3,120 cells), the
plan given: the draws and the plan's outcomes in them, in a process of its own so that its
peak memory is its own. The midpoint plan (a whole solve of the case) is timed apart.

    .venv/bin/python -m pytest benchmarks/test_simulate.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

CASE = "w52-p12-t5-s4"
DRAWS = 10_000

RUN = """
import json, resource, sys, time
sys.path.insert(0, ".")
import numpy as np
from benchmarks.uncertainty import uncertain_case
from optimizer.model.linear import build_model
from optimizer.uncertainty.draws import scenario_draws
from optimizer.uncertainty.outcomes import evaluate

scenario = uncertain_case(sys.argv[1], objective={"maximize": "conversions"})
settings = scenario.uncertainty.model_copy(update={"draws": int(sys.argv[2])})
model = build_model(scenario)
counts = np.floor(model.cells.column("upper") / 2)  # any plan: half of every pool
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
draws = scenario_draws(scenario, model.cells, settings)
result = evaluate(scenario, model.cells, model.constraints, counts, draws)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "cpu_seconds": time.process_time() - cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "mb_before": before / 1024,
    "cells": len(model.cells),
    "p50": result.outcomes["conversions"]["p50"],
}))
"""


def run() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, CASE, str(DRAWS)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_simulate_ten_thousand_draws_of_the_largest_weekly_case(benchmark: Any) -> None:
    result = benchmark.pedantic(run, rounds=1)
    benchmark.extra_info.update(result)
    print(json.dumps(result))
    assert result["cpu_seconds"] < 1.0
    assert result["peak_mb"] < 1024
