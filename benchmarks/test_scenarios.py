"""Each shipped scenario: model build and solve timed separately, HiGHS and CBC side by side.

The CBC figures are measured in the same run, so `benchmarks/README.md` can report ratios
rather than absolute times that depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer import build_model, load_scenario
from optimizer.solvers import SolveOptions, Status, run_solver

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))
OPTIONS = SolveOptions(time_limit=60.0, gap=1e-4)


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_build(benchmark, path: Path) -> None:
    scenario = load_scenario(path)
    model = benchmark(build_model, scenario)
    benchmark.extra_info.update(columns=model.num_cols, rows=model.num_rows)
    assert model.num_cols >= len(model.cells)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_solve(benchmark, path: Path, solver: str) -> None:
    model = build_model(load_scenario(path))
    solution = benchmark.pedantic(run_solver, args=(model, solver, OPTIONS), rounds=3, iterations=1)
    benchmark.extra_info.update(objective=solution.objective, nodes=solution.nodes)
    assert solution.status is Status.OPTIMAL
