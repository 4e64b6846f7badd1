"""What the uncertain solve costs: CVaR against the plain solve, the risk model started from
the midpoint plan or not, and the chance-target model as its draws grow.

    .venv/bin/python -m benchmarks.uncertainty cvar       # CVaR / plain, every shipped scenario
    .venv/bin/python -m benchmarks.uncertainty cvar --cases m12-p8-t4-s4 --seeds 2
    .venv/bin/python -m benchmarks.uncertainty size       # the risk models' rows and columns
    .venv/bin/python -m benchmarks.uncertainty start      # CVaR: with and without the start
    .venv/bin/python -m benchmarks.uncertainty chance     # chance target, 200/500/1000 draws

`cvar` solves each case twice per HiGHS seed in the same process, one after the other: its
plain (v1) solve, and its CVaR solve on 1,000 draws (`risk: {cvar: 0.1}`, or the scenario's
own risk), both whole (`optimizer.solve`: build, solve, tie-break, report; for CVaR also the
draws, the midpoint plan and its report), both held to gap 1e-4. A shipped scenario without
an `uncertainty` block gets that of scenarios/uncertainty.yaml. Times are the process's CPU
seconds (HiGHS runs on one thread), so that other work on the machine shows less; the claim
is the ratio. `--full` also solves the CVaR model with a row per draw (no clusters) and checks
that both optima agree within the gap. `size` prints, per case, the v1 model's and the risk
model's rows, columns and entries, and what a draw's row holds.

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
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.cases import SCENARIOS, case, generated
from optimizer import scenario_from_dict, solve
from optimizer.model.linear import build_model
from optimizer.scenario.loading import load_scenario
from optimizer.scenario.schema import Objective, Risk, Scenario, Uncertainty
from optimizer.solvers import SolveOptions, run_solver
from optimizer.solvers import highs as highs_module
from optimizer.uncertainty import model as model_module
from optimizer.uncertainty import settings_of
from optimizer.uncertainty import solve as solve_module
from optimizer.uncertainty.draws import scenario_draws
from optimizer.uncertainty.model import risk_model
from optimizer.uncertainty.solve import solve_uncertain, v1_scenario

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


BOUNDS = {
    "none": (False, False),
    "floors": (True, False),
    "both": (True, True),
}
"""The chance model's strengthening: neither, the quantile floors of its big-M rows, or those
and the least-spend bound (`optimizer.uncertainty.chance`) taken where the search stops short."""


def chance(name: str, counts: list[int], variants: list[str], time_limit: float) -> None:
    """The whole solve (`optimizer.solve`: the point-target plan, then the chance model
    started from it) per number of draws and per variant of `BOUNDS`."""
    v1 = solve(case(name))
    goal = round(0.9 * v1.totals["conversions"])
    print(
        f"{name}: least spend reaching {goal:,} conversions in 90% of draws"
        f" ({time_limit:g} s limit, gap 1e-4)"
    )
    print(
        f"{'draws':>6} {'bounds':>7} {'build s':>8} {'LP bound':>10} {'search s':>9}"
        f" {'cpu s':>7} {'nodes':>8} {'spend':>10} {'bound':>10} {'gap':>8} {'status':>9}"
        " stopped said  bound from"
    )
    saved = model_module.QUANTILE_DRAWS
    for n in counts:
        scenario = uncertain_case(
            name,
            objective={"minimize": "spend", "target": {"conversions": goal, "probability": 0.9}},
            uncertainty={**UNCERTAINTY, "draws": n},
        )
        model = build_model(scenario)
        settings = settings_of(scenario)
        assert settings is not None
        draws = scenario_draws(scenario, model.cells, settings)
        for variant in variants:
            floors, least = BOUNDS[variant]
            model_module.QUANTILE_DRAWS = saved if floors else 0
            solve_module.LEAST_SPEND = least
            try:
                started = time.perf_counter()
                extended = solve_module.uncertain_model(model, draws)
                built = time.perf_counter() - started
                relaxed = replace(extended, integrality=np.zeros(extended.num_cols, dtype=bool))
                lp = run_solver(relaxed, "highs", SolveOptions(time_limit=60.0, gap=1e-4))
                plan, cpu, _ = _timed(partial(solve, scenario, time_limit=time_limit, gap=1e-4))
            finally:
                model_module.QUANTILE_DRAWS = saved
                solve_module.LEAST_SPEND = True
            report = plan.uncertainty
            stopped = report is not None and report.stopped_by_time_limit
            said = any("time limit stopped" in note for note in plan.notes)
            print(
                f"{n:6} {variant:>7} {built:8.2f} {lp.objective or 0:10,.0f}"
                f" {plan.seconds:9.2f} {cpu:7.2f} {plan.nodes or 0:8} {plan.objective or 0:10,.0f}"
                f" {plan.bound or 0:10,.0f} {plan.gap or 0:8.2%} {plan.status!s:>9}"
                f" {'yes' if stopped else 'no':>7} {'yes' if said else 'no':>4}"
                f"  {plan.bound_method or 'search'}",
                flush=True,
            )


# The shipped scenarios: every file of scenarios/ and its folders but the infeasible one,
# whose rules no plan meets (so neither solve has a plan to time), and the least-spend one.
SKIPPED = {
    "infeasible/holiday-push": "no plan meets its rules",
    "min-spend-target": "its objective is a minimised spend: CVaR is of a maximised metric",
}
LARGEST_MONTHLY = "m12-p8-t4-s4"
"""The largest 12-month case of the registry: 8 platforms, 4 tiers, 4 saturation segments."""
DRAWS = 1000
SHARE = 0.10


def shipped() -> list[str]:
    """Every shipped scenario by name (its path under scenarios/, without `.yaml`)."""
    return sorted(
        str(path.relative_to(SCENARIOS).with_suffix("")) for path in SCENARIOS.rglob("*.yaml")
    )


def cvar_case(name: str, draws: int = DRAWS, gap: float = 1e-4) -> Scenario:
    """The case with 1,000 draws and a CVaR objective at gap `gap`: its own `uncertainty`
    (else that of scenarios/uncertainty.yaml) and its own risk (else CVaR 10% of its
    objective's metric)."""
    scenario = case(name)
    settings = scenario.uncertainty or Uncertainty.model_validate(UNCERTAINTY)
    objective = scenario.objective
    if objective.risk is None or objective.risk.cvar is None:
        objective = Objective(sense="maximize", metric=objective.metric, risk=Risk(cvar=SHARE))
    return scenario.model_copy(
        update={
            "uncertainty": settings.model_copy(update={"draws": draws}),
            "objective": objective,
            "solver": scenario.solver.model_copy(update={"gap": gap}),
        }
    )


def _timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What `run` returns, its CPU seconds (the process's, every thread) and wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = run()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def cvar(names: list[str], seeds: int, time_limit: float, full: bool, output: Path | None) -> None:
    runs: list[dict[str, Any]] = []
    print(
        f"{'case':24} {'seed':>4} {'plain cpu':>10} {'cvar cpu':>10} {'ratio':>6}"
        f" {'cvar wall':>10} {'nodes':>7} {'gap':>8} {'status':>8}"
    )
    for seed in range(seeds):
        for name in names:
            scenario = cvar_case(name)
            plain_scenario = v1_scenario(scenario)
            undo = _seeded(seed)
            try:
                plain, plain_cpu, plain_wall = _timed(
                    partial(solve, plain_scenario, time_limit=time_limit)
                )
                risk, risk_cpu, risk_wall = _timed(partial(solve, scenario, time_limit=time_limit))
                whole = None
                if full:
                    options = SolveOptions(time_limit=time_limit, gap=1e-4)
                    whole, full_cpu, full_wall = _timed(
                        partial(
                            solve_uncertain,
                            scenario,
                            build_model(scenario),
                            "highs",
                            options,
                            cluster_draws=False,
                        )
                    )
            finally:
                undo()
            run = {
                "case": name,
                "seed": seed,
                "plain": {"cpu": plain_cpu, "wall": plain_wall, "status": str(plain.status),
                          "objective": plain.objective, "gap": plain.gap},
                "cvar": {"cpu": risk_cpu, "wall": risk_wall, "status": str(risk.status),
                         "objective": risk.objective, "bound": risk.bound, "gap": risk.gap,
                         "nodes": risk.nodes, "search_seconds": risk.seconds},
                "ratio": risk_cpu / plain_cpu,
            }  # fmt: skip
            line = (
                f"{name:24} {seed:4} {plain_cpu:10.3f} {risk_cpu:10.3f} {run['ratio']:6.1f}"
                f" {risk_wall:10.3f} {risk.nodes or 0:7} {risk.gap or 0:8.1e}"
                f" {risk.status!s:>8}"
            )
            if whole is not None:
                same = (
                    abs(whole.objective - risk.objective) <= 1e-4 * abs(whole.objective) * 1.01
                    if whole.status == "optimal" and risk.status == "optimal"
                    else None
                )
                run["full"] = {"cpu": full_cpu, "wall": full_wall, "status": str(whole.status),
                               "objective": whole.objective, "gap": whole.gap,
                               "nodes": whole.nodes, "same_optimum": same}  # fmt: skip
                line += (
                    f"  full: {full_cpu:.3f} s cpu, {whole.status}, gap {whole.gap or 0:.1e},"
                    f" same optimum {same}"
                )
            print(line, flush=True)
            runs.append(run)
    print()
    print(f"{'case':24} {'plain cpu':>10} {'cvar cpu':>10} {'ratio: median, worst':>22} target")
    for name in names:
        mine = [r for r in runs if r["case"] == name]
        ratios = [r["ratio"] for r in mine]
        target = 10 if name.startswith("m12") else 5
        certified = all(r["cvar"]["status"] == "optimal" for r in mine)
        print(
            f"{name:24} {statistics.median(r['plain']['cpu'] for r in mine):10.3f}"
            f" {statistics.median(r['cvar']['cpu'] for r in mine):10.3f}"
            f" {statistics.median(ratios):14.1f} {max(ratios):7.1f} {target:>6}x"
            f"{'' if certified else '  (not certified in every run)'}"
        )
    if output is not None:
        output.write_text(json.dumps(runs, indent=1) + "\n")


def size(names: list[str]) -> None:
    """The v1 model's size and the risk model's: the columns and rows the draws add, and the
    entries of one draw's row (one per group total, u_s and t)."""
    print(
        f"{'case':24} {'cells':>6} {'offers':>6} {'v1 cols':>8} {'v1 rows':>8} {'groups':>6}"
        f" {'+cols':>6} {'+rows':>6} {'draw row':>8} {'+entries':>9}"
    )
    for name in names:
        scenario = cvar_case(name)
        model = build_model(scenario)
        settings = settings_of(scenario)
        assert settings is not None
        draws = scenario_draws(scenario, model.cells, settings)
        extended = risk_model(model, draws, scenario.objective.risk)
        blocks = {block.name: block for block in extended.blocks}
        total, risk_rows = blocks["uncertainty:total"], blocks["uncertainty:cvar"]
        rows = extended.rows
        lengths = np.diff(rows.indptr)[risk_rows.start : risk_rows.stop]
        offers = len({key[1:3] for key in model.cells.keys})
        print(
            f"{name:24} {len(model.cells):6} {offers:6} {model.num_cols:8} {model.num_rows:8}"
            f" {total.stop - total.start:6} {extended.num_cols - model.num_cols:6}"
            f" {extended.num_rows - model.num_rows:6} {int(lengths.max()):8}"
            f" {int(rows.indptr[-1] - model.rows.indptr[-1]):9}"
        )


def _t(scenario: Scenario) -> Any:
    assert scenario.objective.target is not None
    return scenario.objective.target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["cvar", "size", "start", "chance"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--case", default="m12-p8-t4-s1")
    parser.add_argument("--cases", help="for cvar and size: names, comma-separated")
    parser.add_argument("--draws", default="200,500,1000")
    parser.add_argument(
        "--bounds", default="none,floors,both", help="chance: of none, floors, both"
    )
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--full", action="store_true", help="cvar: also a row per draw")
    parser.add_argument("--output", type=Path, help="cvar: the runs as JSON")
    arguments = parser.parse_args()
    names = (
        arguments.cases.split(",")
        if arguments.cases
        else [name for name in shipped() if name not in SKIPPED]
    )
    if arguments.what == "cvar":
        cvar(names, arguments.seeds, arguments.time_limit, arguments.full, arguments.output)
    elif arguments.what == "size":
        size(names)
    elif arguments.what == "start":
        start(arguments.seeds)
    else:
        limit = 60.0 if arguments.time_limit == 600.0 else arguments.time_limit
        draws = [int(n) for n in arguments.draws.split(",")]
        chance(arguments.case, draws, arguments.bounds.split(","), limit)


if __name__ == "__main__":
    main()
