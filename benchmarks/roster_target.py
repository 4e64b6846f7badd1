"""The roster targets of issue 16 for one size, ours and the yardstick in the same run.

    .venv/bin/python -m benchmarks.roster_target --creators 100000 --seed 0 --repeat 3
    .venv/bin/python -m benchmarks.roster_target --creators 1000000 --seed 1 --repeat 1 \\
        --lp-solvers none

A seeded roster scenario (`rosters.py`: `write_roster_scenario(dir, n, seed)`, four
quarters, 70-20-10, a Q4 budget, a platform cap and $20,000 per creator), then one process
after another, each alone, timed from outside (wall and CPU seconds from the process's own
resource usage, peak resident memory):

- **ours**: `optimizer solve SCENARIO --format json` (`--repeat` times), its status, plan,
  bound, gap, method and bound method; then once the same steps by hand in a process
  (`--phases-child`), each timed: import, read, build, solve, extract and write the JSON;
- **yardstick**: the scenario's model built by the project's builder, its integrality
  dropped, handed whole to a default HiGHS with `solver` set (`--lp-solvers`, interior
  point and simplex by default), and the seconds of `run()` alone: "plain HiGHS solving
  only the LP relaxation". Its optimum is the LP bound.

Prints one JSON object: every run, and the ratios of ours (whole process, median wall) to
each LP solve.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timed(command: list[str]) -> dict[str, Any]:
    """Run `command` alone: wall and CPU seconds, peak resident memory (MB), exit status and
    standard output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        errors.seek(0)
        return {
            "wall_seconds": wall,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
            "exit": process.returncode,
            "stdout": out.read().decode(),
            "stderr": errors.read().decode()[-2000:],
        }


def ours(scenario: Path) -> dict[str, Any]:
    run = timed([sys.executable, "-m", "optimizer", "solve", str(scenario), "--format", "json"])
    result = json.loads(run.pop("stdout"))
    run.pop("stderr")
    objective = result["objective"]
    return {
        **run,
        "status": result["status"],
        "objective": objective["value"],
        "bound": objective["bound"],
        "gap": objective["gap"],
        "method": result["solver"]["method"],
        "bound_method": result["solver"].get("bound_method"),
    }


def phases_child(scenario: str, target: str) -> None:
    """In a process of its own: where the time goes, wall and CPU seconds of each step of
    `optimizer solve SCENARIO -o plan.json` done by hand: import, read (the scenario and its
    roster), build, solve, extract (the plan and its rule report) and write the JSON."""
    marks: list[tuple[str, float, float]] = [("start", time.perf_counter(), time.process_time())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter(), time.process_time()))

    import optimizer
    from optimizer.model.linear import build_model
    from optimizer.plan import extract_plan
    from optimizer.solvers import run_solver
    from optimizer.solving import solve_options

    mark("import")
    scenario_ = optimizer.load_scenario(scenario)
    mark("read")
    model = build_model(scenario_)
    mark("build")
    solution = run_solver(model, "highs", solve_options(scenario_))
    mark("solve")
    plan = extract_plan(scenario_, model, solution)
    mark("extract")
    Path(target).write_text(plan.to_json())
    mark("write")
    from benchmarks.roster_run import peak_mb

    steps = {
        name: {"wall_seconds": wall - marks[i][1], "cpu_seconds": cpu - marks[i][2]}
        for i, (name, wall, cpu) in enumerate(marks[1:])
    }
    print(json.dumps({"steps": steps, "gap": plan.gap, "peak_mb": peak_mb()}))


def phases(scenario: Path, folder: Path) -> dict[str, Any]:
    target = folder / "plan.json"
    run = timed(
        [
            sys.executable,
            "-m",
            "benchmarks.roster_target",
            "--phases-child",
            str(scenario),
            str(target),
        ]
    )
    run.pop("stderr")
    return {**json.loads(run.pop("stdout")), **run, "bytes": target.stat().st_size}


def lp_child(scenario: str, solver: str) -> None:
    """In a process of its own: build, relax, hand to HiGHS, solve; print the timings."""
    from dataclasses import replace

    import numpy as np

    from benchmarks.plain_highs import plain_highs, plain_model

    started = time.perf_counter()
    model = plain_model(scenario)
    model = replace(model, integrality=np.zeros(model.num_cols, dtype=bool))
    built = time.perf_counter()
    highs = plain_highs(model, 3600.0, 0.0)
    highs.setOptionValue("solver", solver)
    handed = time.perf_counter()
    cpu = time.process_time()
    highs.run()
    solved = time.perf_counter()
    info = highs.getInfo()
    print(
        json.dumps(
            {
                "solver": solver,
                "build_seconds": built - started,
                "hand_over_seconds": handed - built,
                "solve_seconds": solved - handed,
                "solve_cpu_seconds": time.process_time() - cpu,
                "status": highs.modelStatusToString(highs.getModelStatus()),
                "lp_bound": float(info.objective_function_value),
                "simplex_iterations": int(info.simplex_iteration_count),
                "ipm_iterations": int(info.ipm_iteration_count),
            }
        )
    )


def yardstick(scenario: Path, solver: str) -> dict[str, Any]:
    run = timed(
        [sys.executable, "-m", "benchmarks.roster_target", "--lp-child", str(scenario), solver]
    )
    run.pop("stderr")
    return {**json.loads(run.pop("stdout")), **run}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="whole processes of ours")
    parser.add_argument("--lp-solvers", default="ipm,simplex", help="or none")
    parser.add_argument("--folder", type=Path, help="where the roster goes (default: temporary)")
    parser.add_argument("--lp-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--phases-child", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.lp_child:
        lp_child(*arguments.lp_child)
        return
    if arguments.phases_child:
        phases_child(*arguments.phases_child)
        return
    sys.path.insert(0, str(HERE))
    from rosters import write_roster_scenario

    with tempfile.TemporaryDirectory() as temporary:
        folder = arguments.folder or Path(temporary)
        scenario = write_roster_scenario(folder, arguments.creators, seed=arguments.seed)
        runs = [ours(scenario) for _ in range(arguments.repeat)]
        steps = phases(scenario, folder)
        solvers = [] if arguments.lp_solvers == "none" else arguments.lp_solvers.split(",")
        lps = [yardstick(scenario, solver) for solver in solvers]
    wall = statistics.median(run["wall_seconds"] for run in runs)
    cpu = statistics.median(run["cpu_seconds"] for run in runs)
    print(
        json.dumps(
            {
                "creators": arguments.creators,
                "seed": arguments.seed,
                "ours": runs,
                "ours_median_wall_seconds": wall,
                "ours_median_cpu_seconds": cpu,
                "steps": steps,
                "lp": lps,
                "ratios": {
                    lp["solver"]: {
                        "wall": wall / lp["solve_seconds"],
                        "cpu": cpu / lp["solve_cpu_seconds"],
                        "lp_bound_over_ours": lp["lp_bound"] / runs[0]["objective"] - 1,
                    }
                    for lp in lps
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
