"""The family's cases (`family.py`) solved every way, each as a whole process, and compared.

    .venv/bin/python -m benchmarks.heldout --half held-out            # judge on unseen cases
    .venv/bin/python -m benchmarks.heldout --half tuning --in-process \\
        --formulations count,segments,both --seeds 2                  # choose on the others
    .venv/bin/python -m benchmarks.heldout --cases fam-001 fam-003 --ways ours,plain
    .venv/bin/python -m benchmarks.heldout --sweep                    # an 8-point budget sweep

Ways: `ours` is `optimizer solve FILE --format json` (once per formulation, from a copy of
the file with `solver: {formulation: X}`), `naive` the PuLP `lpSum` model solved by CBC
(`python -m benchmarks.naive`), `plain` the project's model with the count formulation
handed to default HiGHS (`python -m benchmarks.plain_highs`). Each runs as a process of its
own, timed from outside, start-up included, at the case's gap (1e-4; 1e-3 for weekly plans).
`--repeat N` runs ours and plain N times each, in turn, and keeps each one's median run: on a
shared machine one run of a half-second process can be off by a tenth of a second.

`--in-process` times only the build and the solve of each formulation in this process, once
per HiGHS random seed (`--seeds N`): far less noise, for choosing between formulations.
`plain` is then default HiGHS on the count model with the same seeds, and `naive` the CBC
solve, once.

Every run's optimum is checked against the others within the gap (a run stopped by its time
limit is marked, and only its plan checked against the bound of the others). Prints a
Markdown table per case and a summary per way: total seconds, the naive total over the
way's total, the worst case against naive, and how many cases run more than 10% slower than
plain. Writes the figures to `benchmarks/heldout-results/held-out.json` (or `--output`).
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FORMULATIONS = ("count", "segments", "both", "auto")
WAYS = ("ours", "naive", "plain")
SLOWER = 1.10
"""A way is "slower than plain" on a case when it takes more than this times plain's time."""


def formulations_supported() -> bool:
    """Whether scenarios take `solver.formulation` (and `build_model` a formulation)."""
    from optimizer.scenario.schema import SolverSettings

    return "formulation" in SolverSettings.model_fields


def optimizer_command() -> str:
    """The `optimizer` script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("optimizer"))


# --- whole processes -------------------------------------------------------------------


def timed(command: list[str], time_limit: float) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `command` from the repository's root; its wall time, start-up included."""
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=time_limit + 120, check=False
    )
    return time.perf_counter() - started, done


def run_ours(path: Path, gap: float, time_limit: float) -> dict[str, Any]:
    """`optimizer solve FILE --format json` as a whole process."""
    command = [
        optimizer_command(), "solve", str(path), "--format", "json",
        "--gap", repr(gap), "--time-limit", repr(time_limit),
    ]  # fmt: skip
    seconds, done = timed(command, time_limit)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        return _failed(seconds, done)
    result = json.loads(done.stdout)
    objective = result.get("objective") or {}
    return {
        "seconds": seconds,
        "status": result["status"],
        "objective": objective.get("value"),
        "bound": objective.get("bound"),
    }


def run_script(module: str, path: Path, gap: float, time_limit: float) -> dict[str, Any]:
    """`python -m MODULE FILE --gap G --time-limit T`, printing one JSON line."""
    command = [
        sys.executable, "-m", module, str(path), "--gap", repr(gap),
        "--time-limit", repr(time_limit),
    ]  # fmt: skip
    seconds, done = timed(command, time_limit)
    if done.returncode != 0 or not done.stdout.strip():
        return _failed(seconds, done)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "status": result["status"], "objective": result["objective"]}


def _failed(seconds: float, done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    last = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
    return {"seconds": seconds, "status": "error", "objective": None, "error": last[0]}


def variant(path: Path, formulation: str) -> Path:
    """A copy of the scenario file that asks for `formulation`."""
    import yaml

    document = yaml.safe_load(path.read_text("utf-8"))
    document["solver"] = {**document.get("solver", {}), "formulation": formulation}
    out = path.with_name(f"{path.stem}.{formulation}.yaml")
    out.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return out


def whole_process_case(
    path: Path,
    gap: float,
    ways: Sequence[str],
    formulations: Sequence[str],
    time_limit: float,
    repeat: int = 1,
) -> dict[str, dict[str, Any]]:
    """Every way's run of one case file: {way label: {seconds, status, objective}}. With
    `repeat`, ours and plain run that many times, in turn, and the run of median seconds
    is kept (its `runs` says how many); naive runs once, its times far from any target's
    edge."""
    tries: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(repeat):
        for way in ways:
            if way == "ours" and formulations:
                for formulation in formulations:
                    run = run_ours(variant(path, formulation), gap, time_limit)
                    tries.setdefault(f"ours:{formulation}", []).append(run)
            elif way == "ours":
                tries.setdefault("ours", []).append(run_ours(path, gap, time_limit))
            elif way == "naive" and round_ == 0:
                tries["naive"] = [run_script("benchmarks.naive", path, gap, time_limit)]
            elif way == "plain":
                run = run_script("benchmarks.plain_highs", path, gap, time_limit)
                tries.setdefault("plain", []).append(run)
    return {label: _median_run(runs) for label, runs in tries.items()}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return {**ordered[(len(ordered) - 1) // 2], "runs": len(runs)}


# --- in process ------------------------------------------------------------------------


def in_process_case(
    name: str,
    ways: Sequence[str],
    formulations: Sequence[str],
    seeds: int,
    time_limit: float,
    configs: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """Build and solve of each way in this process, once per HiGHS random seed; each run's
    seconds are the mean over the seeds, `runs` holds them one by one."""
    from benchmarks.family import case, gap_of
    from benchmarks.naive import solve_naive
    from benchmarks.plain_highs import plain_highs
    from optimizer import build_model
    from optimizer.solvers.highs import read_solution, set_limits, to_highs

    scenario = case(name)
    gap = gap_of(name)
    runs: dict[str, dict[str, Any]] = {}

    def seeded(label: str, build: Any, instance: Any) -> None:
        outcomes = []
        for seed in range(seeds):
            started = time.perf_counter()
            model = build()
            highs = instance(model)
            highs.setOptionValue("random_seed", seed)
            highs.run()
            seconds = time.perf_counter() - started
            solution = read_solution(highs, model, seconds)
            outcomes.append(
                {
                    "seed": seed,
                    "seconds": seconds,
                    "status": str(solution.status),
                    "objective": solution.objective,
                    "bound": solution.bound,
                    "nodes": solution.nodes,
                }
            )
        runs[label] = summarise_seeds(outcomes)

    def ours(model: Any) -> Any:
        highs = to_highs(model)
        set_limits(highs, time_limit, gap)
        return highs

    def raced(label: str, configs: list[str]) -> None:
        from optimizer.solvers import SolveOptions
        from optimizer.solvers.search import run_searches

        outcomes = []
        for seed in range(seeds):
            started = time.perf_counter()
            searches = []
            for config in configs:
                model = build_model(scenario, formulation=config.split("/")[0])
                highs = configured(model, config)
                highs.setOptionValue("random_seed", seed)
                searches.append((highs, model))
            solution, _ = run_searches(searches, SolveOptions(time_limit, gap))
            outcomes.append(
                {
                    "seed": seed,
                    "seconds": time.perf_counter() - started,
                    "status": str(solution.status),
                    "objective": solution.objective,
                    "bound": solution.bound,
                    "nodes": solution.nodes,
                }
            )
        runs[label] = summarise_seeds(outcomes)

    def configured(model: Any, config: str) -> Any:
        """`FORMULATION/tuned` (the project's options) or `FORMULATION/default` (HiGHS's)."""
        if config.endswith("/default"):
            return plain_highs(model, time_limit, gap)
        return ours(model)

    for config in configs:
        if config.startswith("race:"):
            raced(f"ours:{config}", config.removeprefix("race:").split("+"))
        else:
            seeded(
                f"ours:{config}",
                lambda config=config: build_model(scenario, formulation=config.split("/")[0]),
                lambda model, config=config: configured(model, config),
            )

    for way in ways:
        if way == "ours" and configs:
            continue
        if way == "ours":
            chosen: list[str | None] = list(formulations) or [None]
            for formulation in chosen:
                label = f"ours:{formulation}" if formulation else "ours"
                kwargs = {"formulation": formulation} if formulation else {}
                seeded(label, lambda kwargs=kwargs: build_model(scenario, **kwargs), ours)
        elif way == "plain":
            kwargs = {"formulation": "count"} if formulations_supported() else {}
            seeded(
                "plain",
                lambda kwargs=kwargs: build_model(scenario, **kwargs),
                lambda model: plain_highs(model, time_limit, gap),
            )
        elif way == "naive":
            naive = solve_naive(scenario, gap=gap, time_limit=time_limit)
            runs["naive"] = {
                "seconds": naive.build_seconds + naive.solve_seconds,
                "status": "optimal" if naive.certified else naive.status,
                "objective": naive.objective,
            }
            if naive.status == "optimal" and not naive.certified:
                runs["naive"]["status"] = "feasible"
    return runs


def summarise_seeds(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """One run's figures from its seeds: mean seconds, the status every seed reached (or the
    first that fell short), the best objective found and bound proved."""
    statuses = [o["status"] for o in outcomes]
    short = [s for s in statuses if s != "optimal"]
    best = next((o for o in outcomes if o["status"] == "optimal"), outcomes[0])
    return {
        "seconds": statistics.mean(o["seconds"] for o in outcomes),
        "slowest": max(o["seconds"] for o in outcomes),
        "status": short[0] if short else "optimal",
        "objective": best["objective"],
        "bound": best["bound"],
        "runs": outcomes,
    }


# --- checking and summing up -----------------------------------------------------------


def check_agreement(
    runs: dict[str, dict[str, Any]], gap: float, sense: str | None = None
) -> dict[str, str]:
    """Per way: `yes` when its optimum matches every certified one within the gap, `limit`
    when it stopped at its time limit (`limit, worse` / `limit, as good`), `**no**` when two
    certified optima differ, `-` without a plan."""
    certified = {
        way: run["objective"]
        for way, run in runs.items()
        if run["status"] == "optimal" and run["objective"] is not None
    }
    out = {}
    for way, run in runs.items():
        mine = run["objective"]
        if mine is None:
            out[way] = "-" if run["status"] != "error" else "error"
            continue
        others = [value for other, value in certified.items() if other != way]
        close = all(abs(mine - value) <= 2 * gap * max(abs(value), 1.0) for value in others)
        if run["status"] == "optimal":
            out[way] = "yes" if close else "**no**"
        elif not others:
            out[way] = "limit"
        else:
            out[way] = "limit, as good" if close else "limit, worse"
    return out


def case_table(name: str, runs: dict[str, dict[str, Any]], agreement: dict[str, str]) -> str:
    lines = [
        f"### {name}",
        "",
        "| way | seconds | status | objective | same optimum |",
        "|---|---:|---|---:|---|",
    ]
    for way, run in runs.items():
        objective = "-" if run["objective"] is None else f"{run['objective']:,.2f}"
        lines.append(
            f"| {way} | {run['seconds']:.3f} | {run['status']} | {objective} | {agreement[way]} |"
        )
    return "\n".join(lines) + "\n"


def summarise(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per way over every case: total seconds, the naive total over it, the worst case
    against naive (its seconds over naive's), cases more than 10% slower than plain, cases
    that stopped at a limit and cases whose optimum disagreed."""
    ways = list(dict.fromkeys(way for r in results for way in r["runs"]))
    out: dict[str, dict[str, Any]] = {}
    naive_total = sum(r["runs"]["naive"]["seconds"] for r in results if "naive" in r["runs"])
    for way in ways:
        rows = [r for r in results if way in r["runs"]]
        total = sum(r["runs"][way]["seconds"] for r in rows)
        figures: dict[str, Any] = {
            "cases": len(rows),
            "total_seconds": total,
            "slowest_case": max(rows, key=lambda r: r["runs"][way]["seconds"])["case"],
            "slowest_seconds": max(r["runs"][way]["seconds"] for r in rows),
            "at_limit": sum(r["runs"][way]["status"] != "optimal" for r in rows),
            "disagreeing": sum(r["agreement"][way] in ("**no**", "error") for r in rows),
        }
        if all("naive" in r["runs"] for r in rows):
            figures["naive_over_way"] = naive_total / total if total > 0 else None
            worst = max(
                rows, key=lambda r: r["runs"][way]["seconds"] / r["runs"]["naive"]["seconds"]
            )
            figures["worst_vs_naive_case"] = worst["case"]
            figures["worst_vs_naive"] = (
                worst["runs"][way]["seconds"] / worst["runs"]["naive"]["seconds"]
            )
        if all("plain" in r["runs"] for r in rows):
            slower = [
                r["case"]
                for r in rows
                if r["runs"][way]["seconds"] > SLOWER * r["runs"]["plain"]["seconds"]
            ]
            figures["slower_than_plain"] = len(slower)
            figures["slower_than_plain_cases"] = slower
        out[way] = figures
    return out


def summary_table(summary: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| way | cases | total s | naive / way | worst vs naive | >10% slower than plain "
        "| slowest | at limit | disagree |",
        "|---|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    for way, s in summary.items():
        ratio = "-" if s.get("naive_over_way") is None else f"{s['naive_over_way']:.2f}x"
        worst = (
            f"{s['worst_vs_naive_case']} ({s['worst_vs_naive']:.3f}x naive)"
            if "worst_vs_naive_case" in s
            else "-"
        )
        slower = s.get("slower_than_plain", "-")
        lines.append(
            f"| {way} | {s['cases']} | {s['total_seconds']:.3f} | {ratio} | {worst} | {slower} "
            f"| {s['slowest_case']} ({s['slowest_seconds']:.2f} s) | {s['at_limit']} "
            f"| {s['disagreeing']} |"
        )
    return "\n".join(lines) + "\n"


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON beside its final place, then move it there in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- sweep -----------------------------------------------------------------------------


def sweep_case() -> str:
    """The first 12-month tuning case that maximises an outcome under a total budget."""
    from benchmarks.family import TUNING, document, seed_of

    for name in TUNING:
        doc = document(seed_of(name))
        monthly = len(doc["periods"]) == 12
        if monthly and isinstance(doc["objective"], str) and "total" in doc["budget"]:
            return name
    raise LookupError("no 12-month case with a total budget")


def run_sweep(name: str, time_limit: float, directory: Path) -> dict[str, Any]:
    """An 8-point budget sweep (half to twice the case's budget): `optimizer sweep` as one
    process against the naive script run once per budget."""
    import yaml

    from benchmarks.family import document, gap_of, seed_of, write_family

    (path,) = write_family(directory, [name])
    gap = gap_of(name)
    total = float(document(seed_of(name))["budget"]["total"])
    budgets = [round(total * (0.5 + 1.5 * i / 7), 2) for i in range(8)]
    command = [
        optimizer_command(), "sweep", str(path), "--budget", ",".join(map(repr, budgets)),
        "--format", "json", "--gap", repr(gap), "--time-limit", repr(time_limit),
    ]  # fmt: skip
    ours_seconds, done = timed(command, 8 * time_limit)
    points = json.loads(done.stdout)["points"] if done.returncode == 0 else []
    naive_runs = []
    for number, budget in enumerate(budgets):
        doc = yaml.safe_load(path.read_text("utf-8"))
        doc["budget"]["total"] = budget
        point_path = directory / f"{name}.budget{number}.yaml"
        point_path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
        naive_runs.append(run_script("benchmarks.naive", point_path, gap, time_limit))
    naive_seconds = sum(run["seconds"] for run in naive_runs)
    agree = []
    for point, naive in zip(points, naive_runs, strict=False):
        ours, theirs = point.get("objective"), naive["objective"]
        agree.append(
            ours is not None
            and theirs is not None
            and abs(ours - theirs) <= 2 * gap * max(abs(theirs), 1.0)
        )
    return {
        "case": name,
        "budgets": budgets,
        "ours_seconds": ours_seconds,
        "ours_error": None if done.returncode == 0 else done.stderr.strip()[-500:],
        "naive_seconds": naive_seconds,
        "naive_over_ours": naive_seconds / ours_seconds,
        "points": [
            {
                "budget": budget,
                "objective": point.get("objective") if point else None,
                "naive_objective": naive["objective"],
                "naive_status": naive["status"],
                "naive_seconds": naive["seconds"],
                "same": same,
            }
            for budget, point, naive, same in zip(
                budgets,
                points or [None] * len(budgets),
                naive_runs,
                agree or [False] * 8,
                strict=False,
            )
        ],
    }


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from benchmarks.family import CASES, HELD_OUT, TUNING, gap_of, seed_of, write_family

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=["tuning", "held-out", "all"], default="held-out")
    parser.add_argument("--cases", nargs="+", metavar="NAME", help="these cases, not a half")
    parser.add_argument("--ways", default=",".join(WAYS), help="of ours,naive,plain")
    parser.add_argument(
        "--formulations",
        default=None,
        help="of count,segments,both,auto for `ours` (default: the scenario's own)",
    )
    parser.add_argument(
        "--configs",
        default="",
        help="in process: runs of ours as FORMULATION[/tuned|/default], or race:A+B (two"
        " searches on the two cores, the first proof wins), comma-separated",
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--repeat", type=int, default=1, help="whole-process runs of ours and plain (median)"
    )
    parser.add_argument("--in-process", action="store_true", help="time build and solve only")
    parser.add_argument("--seeds", type=int, default=1, help="HiGHS random seeds (in process)")
    parser.add_argument("--sweep", action="store_true", help="an 8-point budget sweep instead")
    parser.add_argument("--sweep-case", help="the case to sweep (default: a 12-month one)")
    parser.add_argument("--output", type=Path, default=HERE / "heldout-results" / "held-out.json")
    arguments = parser.parse_args(argv)

    ways = [w.strip() for w in arguments.ways.split(",") if w.strip()]
    if unknown := [w for w in ways if w not in WAYS]:
        parser.error(f"--ways: unknown {', '.join(unknown)}; choose from {', '.join(WAYS)}")
    formulations = [f.strip() for f in (arguments.formulations or "").split(",") if f.strip()]
    if unknown := [f for f in formulations if f not in FORMULATIONS]:
        parser.error(f"--formulations: unknown {', '.join(unknown)}")
    if formulations and not formulations_supported():
        print("note: no formulation choice yet; `ours` runs as shipped", file=sys.stderr)
        formulations = []
    if arguments.seeds < 1 or not arguments.time_limit > 0:
        parser.error("--seeds must be at least 1 and --time-limit above 0")
    try:
        names = (
            [f"fam-{seed_of(n):03d}" for n in arguments.cases]
            if arguments.cases
            else {"tuning": TUNING, "held-out": HELD_OUT, "all": CASES}[arguments.half]
        )
    except KeyError as error:
        parser.error(str(error.args[0]))

    if arguments.sweep:
        with tempfile.TemporaryDirectory() as directory:
            sweep = run_sweep(arguments.sweep_case or sweep_case(), arguments.time_limit,
                              Path(directory))  # fmt: skip
        print(
            f"sweep of {sweep['case']} over {len(sweep['budgets'])} budgets: optimizer sweep "
            f"{sweep['ours_seconds']:.2f} s, naive {sweep['naive_seconds']:.2f} s, "
            f"naive / ours {sweep['naive_over_ours']:.2f}x, "
            f"same optimum at {sum(p['same'] for p in sweep['points'])} of 8 points"
        )
        write_json(arguments.output, {"mode": "sweep", "sweep": sweep})
        return

    results = []
    with tempfile.TemporaryDirectory() as directory:
        paths = dict(zip(names, write_family(directory, names), strict=True))
        for number, name in enumerate(names, 1):
            print(f"[{number}/{len(names)}] {name}", file=sys.stderr, flush=True)
            gap = gap_of(name)
            if arguments.in_process:
                runs = in_process_case(
                    name,
                    ways,
                    formulations,
                    arguments.seeds,
                    arguments.time_limit,
                    [c.strip() for c in arguments.configs.split(",") if c.strip()],
                )
            else:
                runs = whole_process_case(
                    paths[name], gap, ways, formulations, arguments.time_limit, arguments.repeat
                )
            agreement = check_agreement(runs, gap)
            results.append({"case": name, "gap": gap, "runs": runs, "agreement": agreement})
            print(case_table(name, runs, agreement), flush=True)
    summary = summarise(results)
    print(summary_table(summary))
    write_json(
        arguments.output,
        {
            "mode": "in-process" if arguments.in_process else "whole-process",
            "seeds": arguments.seeds if arguments.in_process else None,
            "time_limit": arguments.time_limit,
            "repeat": arguments.repeat,
            "cases": names,
            "summary": summary,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
