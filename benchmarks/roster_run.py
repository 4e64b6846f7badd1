"""One roster case in a process of its own, so its peak memory is its own: load (and, unless
`--load-only`, build and solve) a scenario, then print the times, the result and the peak
resident memory as JSON.

    python benchmarks/roster_run.py SCENARIO [--load-only] [--method auto|mip|decomposition]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def peak_mb() -> float:
    """This process's peak resident memory: Linux's VmHWM, which starts afresh at exec (the
    rusage maximum would carry the forking parent's, such as pytest's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--method", default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    import optimizer
    from optimizer.model.linear import build_model
    from optimizer.roster.reading import csv_engine

    imported = time.perf_counter()
    scenario = optimizer.load_scenario(args.scenario)
    if args.method and scenario.roster is not None:
        roster = scenario.roster.model_copy(update={"method": args.method})
        scenario = scenario.model_copy(update={"roster": roster})
    loaded = time.perf_counter()
    out: dict[str, object] = {
        "engine": csv_engine(),
        "import_seconds": imported - started,
        "load_seconds": loaded - imported,
    }
    if not args.load_only:
        model = build_model(scenario)
        built = time.perf_counter()
        plan = optimizer.solve(scenario, model=model)
        solved = time.perf_counter()
        out.update(
            build_seconds=built - loaded,
            solve_seconds=solved - built,
            columns=model.num_cols,
            rows=model.num_rows,
            status=str(plan.status),
            method=plan.method,
            objective=plan.objective,
            bound=plan.bound,
            gap=plan.gap,
            creators_booked=len(
                plan.allocation.reset_index().query("creator != ''").creator.unique()
            ),
        )
    out["total_seconds"] = time.perf_counter() - started
    out["peak_mb"] = peak_mb()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
