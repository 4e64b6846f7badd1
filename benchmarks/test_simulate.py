"""`simulate` of 10,000 draws of the largest weekly case (w52-p12-t5-s4: 3,120 cells), the
plan given, each measure in a process of its own so that its peak memory is its own:

- `outcomes`: the draws and the plan's outcomes in them (the target: under a second of
  CPU, under 1 GB);
- `report`: the whole `uncertainty` object `optimizer simulate --plan` writes, the midpoint
  plan given: the draws, the plan and the midpoint plan on them, and the plan on 10,000
  independent draws (the next seed). The midpoint plan's solve (a whole solve of the case)
  is not in it.

    .venv/bin/python -m pytest benchmarks/test_simulate.py -s
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

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
from optimizer.uncertainty.simulate import judge

what, case, draws = sys.argv[1], sys.argv[2], int(sys.argv[3])
scenario = uncertain_case(case, objective={"maximize": "conversions"})
settings = scenario.uncertainty.model_copy(update={"draws": draws})
scenario = scenario.model_copy(update={"uncertainty": settings})
model = build_model(scenario)
counts = np.floor(model.cells.column("upper") / 2)  # any plan: half of every pool
midpoint = np.floor(model.cells.column("upper") / 3)  # and a second one
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
if what == "outcomes":
    drawn = scenario_draws(scenario, model.cells, settings)
    result = evaluate(scenario, model.cells, model.constraints, counts, drawn)
    groups = drawn.groups
else:
    result = judge(scenario, model, counts, midpoint).plan
    groups = None
print(json.dumps({
    "what": what,
    "seconds": time.perf_counter() - started,
    "cpu_seconds": time.process_time() - cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "mb_before": before / 1024,
    "cells": len(model.cells),
    "groups": groups,
    "p50": result.outcomes["conversions"]["p50"],
}))
"""


def run(what: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, what, CASE, str(DRAWS)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("what", ["outcomes", "report"])
def test_simulate_ten_thousand_draws_of_the_largest_weekly_case(benchmark: Any, what: str) -> None:
    result = benchmark.pedantic(run, args=(what,), rounds=1)
    benchmark.extra_info.update(result)
    print(json.dumps(result))
    assert result["cpu_seconds"] < 1.0
    assert result["peak_mb"] < 1024
