"""What the uncertain solve costs: the risk model started from the midpoint plan or not, and
the chance-target model as its draws grow.

    .venv/bin/python -m benchmarks.uncertainty start      # CVaR: with and without the start
    .venv/bin/python -m benchmarks.uncertainty chance     # chance target, 200/500/1000 draws

`start` solves scenarios/uncertainty.yaml and two generated cases given the same
uncertainty (200 PERT draws, +-25% conversion and +-15% engagement rates, half mean, half
CVaR 10%, gap 0.1%) over HiGHS seeds, with the risk model's search started from the midpoint
plan and without; each line gives the whole uncertain solve (midpoint plan, risk model,
report) and the risk model's own search (seconds, nodes). `chance` solves a 12-month case
for the least spend that reaches 90% of its v1 conversions in 90% of the draws, with a
60 s limit, and prints time, nodes and gap per number of draws.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.cases import case, generated
from optimizer import scenario_from_dict, solve
from optimizer.model.linear import build_model
from optimizer.scenario.loading import load_scenario
from optimizer.scenario.schema import Scenario
from optimizer.solvers import SolveOptions, run_solver
from optimizer.solvers import highs as highs_module
from optimizer.uncertainty import settings_of
from optimizer.uncertainty.draws import scenario_draws
from optimizer.uncertainty.model import chance_model
from optimizer.uncertainty.solve import solve_uncertain

UNCERTAINTY = {
    "draws": 200,
    "seed": 7,
    "shape": "pert",
    "spread": {"conversion_rate": 0.25, "engagement_rate": 0.15},
}
RISK = {"maximize": "conversions", "risk": {"cvar": 0.10, "weight": 0.5}}


def uncertain_case(name: str, **extra: Any) -> Scenario:
    """A generated case with the uncertainty of scenarios/uncertainty.yaml."""
    periods, platforms, tiers, segments = name.split("-")
    document = generated(periods, int(platforms[1:]), int(tiers[1:]), int(segments[1:]))
    document.update({"objective": RISK, "uncertainty": UNCERTAINTY, **extra})
    return scenario_from_dict(document, source=name)


def _seeded(seed: int) -> Callable[[], None]:
    """HiGHS's random seed set on every search made while the returned undo is not called."""
    original = highs_module.to_highs

    def seeded(model: Any, *, names: bool = False) -> Any:
        highs = original(model, names=names)
        highs.setOptionValue("random_seed", seed)
        return highs

    highs_module.to_highs = seeded

    def undo() -> None:
        highs_module.to_highs = original

    return undo


def start(seeds: int) -> None:
    cases = {
        "uncertainty.yaml": lambda: load_scenario("scenarios/uncertainty.yaml"),
        "q4-p6-t4-s3": lambda: uncertain_case("q4-p6-t4-s3", solver={"gap": 0.001}),
        "m12-p8-t4-s1": lambda: uncertain_case("m12-p8-t4-s1", solver={"gap": 0.001}),
    }
    print(f"{'case':18} {'start':6} {'whole s':>8} {'risk s':>8} {'nodes':>7} {'objective':>14}")
    for name, make in cases.items():
        scenario = make()
        model = build_model(scenario)
        options = SolveOptions(time_limit=60.0, gap=scenario.solver.gap)
        for use in (False, True):
            wholes, risks, nodes = [], [], []
            for seed in range(seeds):
                undo = _seeded(seed)
                try:
                    started = time.perf_counter()
                    plan = solve_uncertain(
                        scenario, model, "highs", options, start_from_midpoint=use
                    )
                    wholes.append(time.perf_counter() - started)
                finally:
                    undo()
                risks.append(plan.seconds)
                nodes.append(plan.nodes or 0)
            print(
                f"{name:18} {'yes' if use else 'no':6} {statistics.mean(wholes):8.2f}"
                f" {statistics.mean(risks):8.2f} {statistics.mean(nodes):7.0f}"
                f" {plan.objective:14,.1f}"
            )


def chance(name: str, counts: list[int]) -> None:
    v1 = solve(case(name))
    goal = round(0.9 * v1.totals["conversions"])
    print(f"{name}: least spend reaching {goal:,} conversions in 90% of draws (60 s limit)")
    print(f"{'draws':>6} {'build s':>8} {'solve s':>8} {'nodes':>8} {'gap':>8} {'status':>12}")
    for n in counts:
        scenario = uncertain_case(
            name,
            objective={"minimize": "spend", "target": {"conversions": goal, "probability": 0.9}},
            uncertainty={**UNCERTAINTY, "draws": n},
        )
        model = build_model(scenario)
        settings = settings_of(scenario)
        assert settings is not None
        started = time.perf_counter()
        extended = chance_model(
            model, scenario_draws(scenario, model.cells, settings), _t(scenario)
        )
        built = time.perf_counter() - started
        solution = run_solver(extended, "highs", SolveOptions(time_limit=60.0, gap=1e-4))
        gap = (
            abs(solution.objective - solution.bound) / max(abs(solution.objective), 1e-9)
            if solution.objective is not None and solution.bound is not None
            else float("nan")
        )
        print(
            f"{n:6} {built:8.2f} {solution.seconds:8.2f} {solution.nodes or 0:8}"
            f" {gap:8.2%} {solution.status!s:>12}"
        )


def _t(scenario: Scenario) -> Any:
    assert scenario.objective.target is not None
    return scenario.objective.target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["start", "chance"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--case", default="m12-p8-t4-s1")
    parser.add_argument("--draws", default="200,500,1000")
    arguments = parser.parse_args()
    if arguments.what == "start":
        start(arguments.seeds)
    else:
        chance(arguments.case, [int(n) for n in arguments.draws.split(",")])


if __name__ == "__main__":
    main()
