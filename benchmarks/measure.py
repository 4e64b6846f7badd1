"""Measure every benchmark case, ours against the naive way, and write the figures.

    .venv/bin/python -m benchmarks.measure                  # every case (about 30 minutes)
    .venv/bin/python -m benchmarks.measure q4-p4-t3-s1 saturation --naive-limit 30

Each case runs in a child process of its own, so its peak memory (resident set size) is its
own: the model built and solved our way (HiGHS, in memory), its linear relaxation (the
floor no certified solve can beat), the same scenario built with PuLP `lpSum` loops and
solved by CBC at the same gap (`naive.py`), and for shipped scenarios the whole
`optimizer solve` process. Writes `results.json`, `results.md` (the table in the README)
and `scaling.svg` next to this file, each moved into place only once complete; cases
measured earlier and not named again keep their figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD_ROUNDS = 3
WHOLE_PROCESS_ROUNDS = 5


def measure_case(name: str, time_limit: float, naive_limit: float) -> dict[str, Any]:
    """Every figure of one case, measured in this process."""
    from benchmarks.cases import SHIPPED, case, gap_of
    from benchmarks.naive import solve_naive
    from optimizer import build_model
    from optimizer.solvers import SolveOptions, run_solver

    scenario = case(name)
    gap = gap_of(name)
    builds = []
    for _ in range(BUILD_ROUNDS):
        started = time.perf_counter()
        model = build_model(scenario)
        builds.append(time.perf_counter() - started)
    options = SolveOptions(time_limit=time_limit, gap=gap)
    relaxation = run_solver(
        replace(model, integrality=np.zeros(model.num_cols, dtype=bool)), "highs", options
    )
    solution = run_solver(model, "highs", options)
    naive = solve_naive(scenario, gap=gap, time_limit=naive_limit)
    figures: dict[str, Any] = {
        "case": name,
        "columns": model.num_cols,
        "rows": model.num_rows,
        "integers": int(model.integrality.sum()),
        "gap_target": gap,
        "build": min(builds),
        "lp": relaxation.seconds,
        "solve": solution.seconds,
        "status": str(solution.status),
        "sense": model.sense,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": _gap(solution.objective, solution.bound),
        "nodes": solution.nodes,
        "naive_build": naive.build_seconds,
        "naive_solve": naive.solve_seconds,
        "naive_certified": naive.certified,
        "naive_objective": naive.objective,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if name in SHIPPED:
        optimizer_command = str(Path(sys.executable).with_name("optimizer"))
        path = ROOT / "scenarios" / f"{name}.yaml"
        figures["process"] = median_seconds(
            [optimizer_command, "solve", str(path), "--format", "json"]
        )
    return figures


def _gap(objective: float | None, bound: float | None) -> float | None:
    from optimizer.solvers.base import relative_gap

    if objective is None or bound is None:
        return None
    return relative_gap(objective, bound)


def median_seconds(command: list[str], rounds: int = WHOLE_PROCESS_ROUNDS) -> float:
    """Median wall time of running `command` as a whole process, start-up included."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _in_child(name: str, time_limit: float, naive_limit: float) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "benchmarks.measure", "--child", name,
        "--time-limit", str(time_limit), "--naive-limit", str(naive_limit),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise CaseFailed(f"{name}: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


class CaseFailed(Exception):
    """A case's child process failed; the message ends with its last line of stderr."""


def ratio(naive: float, ours: float) -> float:
    return naive / ours if ours > 0 else float("inf")


def table(results: list[dict[str, Any]]) -> str:
    """The README's two markdown tables: building, then solving; ratios are naive / ours."""
    build = [
        "| case | columns | rows | integers | build | naive build | ratio | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    solve = [
        "| case | LP floor | solve | nodes | gap | naive solve | ratio "
        "| build + solve ratio | same optimum | `optimizer solve` |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        build.append(
            f"| {r['case']} | {r['columns']:,} | {r['rows']:,} | {r['integers']:,} "
            f"| {_seconds(r['build'])} | {_seconds(r['naive_build'])} "
            f"| {ratio(r['naive_build'], r['build']):.0f}x | {r['peak_mb']:.0f} |"
        )
        # A naive solve stopped by its time limit only gives a lower bound on the ratio.
        at_least = "" if r["naive_certified"] else ">"
        certified = r["status"] == "optimal"
        ours_total = r["build"] + r["solve"]
        naive_total = r["naive_build"] + r["naive_solve"]
        solve.append(
            f"| {r['case']} | {_seconds(r['lp'])} "
            f"| {_seconds(r['solve'])}{'' if certified else ' (limit)'} | {r['nodes']:,} "
            f"| {r['gap']:.1e} | {at_least}{_seconds(r['naive_solve'])} "
            f"| {_ratio(at_least, r['naive_solve'], r['solve'], certified)} "
            f"| {_ratio(at_least, naive_total, ours_total, certified)} | {_same(r)} "
            f"| {_seconds(r['process']) if 'process' in r else '-'} |"
        )
    return "\n".join(build) + "\n\n" + "\n".join(solve) + "\n"


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(at_least: str, naive: float, ours: float, certified: bool) -> str:
    if not certified:  # both stopped by their limits: no ratio to speak of
        return "-"
    return f"{at_least}{ratio(naive, ours):.1f}x"


def _same(r: dict[str, Any]) -> str:
    """Whether both ways reach the same optimum within the gap; CBC's plan when it stopped."""
    ours, theirs = r["objective"], r["naive_objective"]
    if ours is None or theirs is None:
        return "-"
    close = abs(ours - theirs) <= 2 * r["gap_target"] * abs(ours) + 1e-6
    if r["naive_certified"]:
        return "yes" if close else "**no**"
    if close:
        return "CBC's plan as good"
    maximize = r.get("sense", "maximize" if r["bound"] >= ours else "minimize") == "maximize"
    return "CBC's plan worse" if (theirs < ours) == maximize else "**CBC's plan better**"


def scaling_plot(results: list[dict[str, Any]], path: Path) -> None:
    """Seconds per scale-family case, smallest model first (log scale): build, LP floor and
    solve, ours and naive; a hollow marker is a solve stopped by its time limit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    family = sorted((r for r in results if "-p" in r["case"]), key=lambda r: r["columns"])
    positions = list(range(len(family)))
    figure, axes = plt.subplots(figsize=(9, 5))
    series = [
        ("naive solve (PuLP + CBC)", "naive_solve", "tab:orange", "-", "naive_certified"),
        ("solve (HiGHS)", "solve", "tab:blue", "-", None),
        ("naive build (PuLP)", "naive_build", "tab:orange", "--", None),
        ("build", "build", "tab:blue", "--", None),
        ("LP relaxation (the floor)", "lp", "tab:gray", ":", None),
    ]
    for label, key, colour, style, certified_key in series:
        values = [r[key] for r in family]
        axes.plot(positions, values, style, color=colour, label=label)
        for x, r in zip(positions, family, strict=True):
            certified = (
                r[certified_key] if certified_key else key != "solve" or (r["status"] == "optimal")
            )
            axes.plot(
                x, r[key], "o", color=colour, markerfacecolor=colour if certified else "white"
            )
    axes.set_xticks(positions)
    axes.set_xticklabels(
        [f"{r['case']}\n{r['columns']:,} cols" for r in family], rotation=35, ha="right",
        fontsize=8,
    )  # fmt: skip
    axes.set_yscale("log")
    axes.set_ylabel("seconds")
    axes.set_title("Scale family: build and solve time (hollow: stopped at the time limit)")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3)
    figure.tight_layout()
    save_svg(figure, path)
    plt.close(figure)


def save_svg(figure: Any, path: Path) -> None:
    """Write a matplotlib figure as SVG, replacing `path` only once complete. No date and
    fixed element ids: a re-run that changes no figure changes no byte."""
    import matplotlib

    from optimizer.files import atomic_path

    with atomic_path(path) as temporary, matplotlib.rc_context({"svg.hashsalt": "optimizer"}):
        figure.savefig(temporary, format="svg", metadata={"Date": None})


def main(argv: list[str] | None = None) -> None:
    from benchmarks.cases import NAME, REGISTRY
    from optimizer.files import write_text

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: every registered case)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--naive-limit", type=float, default=120.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--render", action="store_true", help="only rewrite results.md and scaling.svg"
    )
    arguments = parser.parse_args(argv)
    if arguments.child:
        figures = measure_case(arguments.child, arguments.time_limit, arguments.naive_limit)
        print(json.dumps(figures))
        return
    names = [] if arguments.render else arguments.cases or list(REGISTRY)
    unknown = [name for name in names if name not in REGISTRY and not NAME.match(name)]
    if unknown:
        parser.error(
            f"unknown case {', '.join(unknown)}: give a shipped scenario's name or "
            "<q4|m12|w52>-p<4-12>-t<3-5>-s<1-4>[-<seed>]"
        )
    # Cases measured before and not named now are kept, so one case can be re-measured.
    stored = HERE / "results.json"
    by_case = {r["case"]: r for r in json.loads(stored.read_text())} if stored.exists() else {}
    failed = []
    for number, name in enumerate(names, 1):
        print(f"[{number}/{len(names)}] {name}", file=sys.stderr, flush=True)
        try:
            by_case[name] = _in_child(name, arguments.time_limit, arguments.naive_limit)
        except CaseFailed as error:  # the other cases' figures are still written
            print(f"failed: {error}", file=sys.stderr, flush=True)
            failed.append(name)
    # Registered cases in registry order, then any other generated case as measured.
    results = [by_case[name] for name in dict.fromkeys([*REGISTRY, *by_case]) if name in by_case]
    write_text(HERE / "results.json", json.dumps(results, indent=2) + "\n")
    write_text(HERE / "results.md", table(results))
    scaling_plot(results, HERE / "scaling.svg")
    print(table(results))
    if failed:
        sys.exit(f"not measured: {', '.join(failed)}")


if __name__ == "__main__":
    main()
