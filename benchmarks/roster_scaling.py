"""Rosters from 1,000 to 1,000,000 creators: ours against HiGHS on the whole model.

    .venv/bin/python -m benchmarks.roster_scaling                          # every size
    .venv/bin/python -m benchmarks.roster_scaling --sizes 1000,3000 --time-limit 60
    .venv/bin/python -m benchmarks.roster_scaling --render                 # SVG and table

For each size, a seeded roster scenario (`rosters.py`: `write_roster_scenario(dir, n,
seed=1)`, four quarters, 70-20-10, a Q4 budget, a platform cap and $20,000 per creator), then
one process after another, each alone so its peak memory is its own:

- **ours**: `optimizer solve SCENARIO --format json`, the whole process (wall time and peak
  resident memory), and `roster_run.py SCENARIO`, the same solve timed in process as
  loading, building and solving;
- **generic MIP**: the same model (the project's builder) handed whole to HiGHS with its
  defaults and a time limit (`plain_highs.plain_highs`, at the scenario's 1% gap;
  `--time-limit`, 120 s);
- **generic LP**: its linear relaxation, handed whole to HiGHS likewise (`--lp-time-limit`,
  600 s).

A generic run stopped by its time limit, ended from outside (its limit plus `--margin` for
the building and handing over around it: HiGHS does not always stop at its limit) or out
of memory (`--memory-limit`, a limit on its address space, which runs above its resident
memory, so that it cannot take the machine's) is recorded as not finished, with what it
had. Results are merged into `roster-scaling.json` by size (sizes not measured again keep
theirs), each with the commit it was measured at; `--render` draws `roster-scaling.svg`
from that file and prints the README's table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "roster-scaling.json"
PLOT = HERE / "roster-scaling.svg"
SIZES = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
SEED = 1
MARGIN = 300.0
"""Seconds a generic run may take past its solver's time limit (reading, building, handing
the model over) before it is ended from outside (`--margin`)."""
OURS_LIMIT = 1_800.0
"""Seconds `optimizer solve` and `roster_run.py` may take at any size before they are ended."""


def run_process(
    command: list[str], timeout: float, stdout: Path | None = None, memory_gb: float | None = None
) -> dict[str, Any]:
    """Run `command` alone: wall seconds, peak resident memory (MB), exit status and output
    (stdout to a file where given); ended, with its children, after `timeout` seconds."""

    def limit() -> None:  # in the child, before exec
        if memory_gb is not None:
            size = int(memory_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    with tempfile.TemporaryFile() as errors:
        out = stdout.open("wb") if stdout is not None else subprocess.PIPE
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=out,
            stderr=errors,
            start_new_session=True,
            preexec_fn=limit,
        )
        ended = threading.Event()

        def end() -> None:
            ended.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, end)
        timer.start()
        text = process.stdout.read() if process.stdout is not None else b""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip().splitlines()[-1:]
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": process.returncode,
        "ended": ended.is_set(),
        "stdout": text.decode(),
        "error": message[0] if message else "",
    }


# --- the generic runs (a child process each) --------------------------------------------------


def generic(path: str, relax: bool, time_limit: float) -> dict[str, Any]:
    """The scenario's model handed whole to default HiGHS: build, hand over and solve."""
    from dataclasses import replace

    import numpy as np

    from benchmarks.plain_highs import plain_highs, plain_model
    from benchmarks.roster_run import peak_mb
    from optimizer.scenario.loading import load_scenario
    from optimizer.solvers.base import relative_gap

    started = time.perf_counter()
    model = plain_model(path)
    if relax:
        model = replace(model, integrality=np.zeros(model.num_cols, dtype=bool))
    built = time.perf_counter()
    gap = load_scenario(path).solver.gap
    highs = plain_highs(model, time_limit, gap)
    handed = time.perf_counter()
    highs.run()
    solved = time.perf_counter()
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus())
    has_plan = info.primal_solution_status == 2
    objective = float(info.objective_function_value) if has_plan else None
    bound = None if relax else float(info.mip_dual_bound)
    if bound is not None and not math.isfinite(bound):  # no bound found: JSON has no inf
        bound = None
    finished = status == "Optimal"
    return {
        "columns": model.num_cols,
        "rows": model.num_rows,
        "build_seconds": built - started,
        "hand_over_seconds": handed - built,
        "solve_seconds": solved - handed,
        "status": status,
        "finished": finished,
        "objective": objective,
        "bound": objective if relax and finished else bound,
        "gap": (
            relative_gap(objective, bound)
            if not relax and objective is not None and bound is not None
            else None
        ),
        "simplex_iterations": int(info.simplex_iteration_count),
        "ipm_iterations": int(info.ipm_iteration_count),
        "peak_mb": peak_mb(),
    }


# --- one size ----------------------------------------------------------------------------------


def measure(
    creators: int,
    folder: Path,
    limits: tuple[float, float],
    memory_gb: float,
    margin: float = MARGIN,
) -> dict[str, Any]:
    """Every figure of one size; `limits` are the generic MIP's and LP's time limits."""
    from benchmarks.rosters import write_roster_scenario

    scenario = write_roster_scenario(folder / str(creators), creators, seed=SEED)
    figures: dict[str, Any] = {
        "creators": creators,
        "seed": SEED,
        "time_limits": {"generic_mip": limits[0], "generic_lp": limits[1]},
        **_provenance(),
    }
    optimizer = str(Path(sys.executable).with_name("optimizer"))
    answer = folder / f"{creators}.json"
    log(f"{creators:,} creators: optimizer solve")
    whole = run_process(
        [optimizer, "solve", str(scenario), "--format", "json"], OURS_LIMIT, stdout=answer
    )
    ours: dict[str, Any] = {
        "seconds": whole["seconds"],
        "peak_mb": whole["peak_mb"],
        "finished": whole["exit"] == 0,
    }
    if whole["exit"] == 0:
        plan = json.loads(answer.read_text())
        ours.update(
            status=plan["status"],
            objective=plan["objective"]["value"],
            bound=plan["objective"].get("bound"),
            gap=plan["objective"].get("gap"),
            method=plan["solver"].get("method"),
        )
    else:
        ours["stopped"] = _stopped(whole, OURS_LIMIT)
    answer.unlink(missing_ok=True)
    figures["ours"] = ours
    log(f"{creators:,} creators: roster_run.py (load, build, solve)")
    split = run_process([sys.executable, str(HERE / "roster_run.py"), str(scenario)], OURS_LIMIT)
    if split["exit"] == 0:
        timed = json.loads(split["stdout"])
        figures["split"] = {
            key: timed[key]
            for key in (
                "engine",
                "import_seconds",
                "load_seconds",
                "build_seconds",
                "solve_seconds",
                "total_seconds",
                "peak_mb",
                "method",
                "gap",
            )
        }
        figures["columns"], figures["rows"] = timed["columns"], timed["rows"]
    else:
        figures["split"] = {"stopped": _stopped(split, OURS_LIMIT)}
    for (name, relax), time_limit in zip(
        (("generic_mip", False), ("generic_lp", True)), limits, strict=True
    ):
        log(f"{creators:,} creators: {name} (time limit {time_limit:g} s)")
        command = [sys.executable, "-m", "benchmarks.roster_scaling", "--child", str(scenario)]
        command += ["--time-limit", str(time_limit)] + (["--relax"] if relax else [])
        run = run_process(command, time_limit + margin, memory_gb=memory_gb)
        if run["exit"] == 0:
            result = json.loads(run["stdout"])
            result["process_seconds"] = run["seconds"]
            if not result["finished"]:
                result["stopped"] = f"stopped at its {time_limit:g} s limit"
                if result["objective"] is None:
                    result["stopped"] += ", no plan" if not relax else ", no LP optimum"
        else:
            result = {
                "finished": False,
                "process_seconds": run["seconds"],
                "peak_mb": run["peak_mb"],
                "stopped": _stopped(run, time_limit + margin, memory_gb, time_limit),
            }
        figures[name] = result
    return figures


def _stopped(
    run: dict[str, Any],
    timeout: float,
    memory_gb: float | None = None,
    time_limit: float | None = None,
) -> str:
    """Why a process gave no answer, in words."""
    if run["ended"]:
        past = f", past its {time_limit:g} s limit," if time_limit is not None else ""
        return f"no answer in {timeout:g} s{past} so ended"
    if memory_gb is not None and re.search(r"memory|alloc", run["error"], re.IGNORECASE):
        return f"out of memory ({memory_gb:g} GB limit)"
    return f"failed (exit {run['exit']}): {run['error']}"


def _provenance() -> dict[str, Any]:
    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(
            git("status", "--porcelain", "--untracked-files=no", "--", "optimizer", "benchmarks")
        ),
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the plot and the table --------------------------------------------------------------------


def render(results: list[dict[str, Any]], path: Path) -> None:
    """Seconds (left) and peak memory (right) by roster size, log scales: ours whole and
    its parts, HiGHS's solve alone of the generic MIP and LP; a hollow marker is a run that
    did not finish, drawn at the time it was stopped."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    from benchmarks.measure import save_svg

    rows = sorted(results, key=lambda r: r["creators"])
    figure, (times, memory) = plt.subplots(1, 2, figsize=(11, 6.5), width_ratios=(3, 2))
    ours = [
        ("ours: whole `optimizer solve`", lambda r: r["ours"].get("seconds"), "tab:blue", "-"),
        ("ours: load", lambda r: r["split"].get("load_seconds"), "tab:cyan", ":"),
        ("ours: build", lambda r: r["split"].get("build_seconds"), "tab:cyan", "--"),
        ("ours: solve", lambda r: r["split"].get("solve_seconds"), "tab:cyan", "-."),
    ]
    for label, value, colour, style in ours:
        points = [(r["creators"], value(r)) for r in rows if value(r) is not None]
        times.plot(*zip(*points, strict=True), style, marker="o", color=colour, label=label)
    memory.plot(
        [r["creators"] for r in rows],
        [r["ours"]["peak_mb"] / 1024 for r in rows],
        "o-",
        color="tab:blue",
        label="ours: whole `optimizer solve`",
    )
    for key, label, colour in (
        ("generic_mip", "generic MIP: HiGHS's solve of the whole model", "tab:orange"),
        ("generic_lp", "generic LP relaxation: HiGHS's solve, whole model", "tab:gray"),
    ):
        runs = [(r["creators"], r[key]) for r in rows if key in r]
        seconds = [(n, run.get("solve_seconds", run["process_seconds"])) for n, run in runs]
        times.plot(*zip(*seconds, strict=True), "-", color=colour, label=label)
        for (n, run), (_, value) in zip(runs, seconds, strict=True):
            face = colour if run["finished"] else "white"
            times.plot(n, value, "s", color=colour, markerfacecolor=face)
        memory.plot(
            [n for n, _ in runs],
            [run["peak_mb"] / 1024 for _, run in runs],
            "s-",
            color=colour,
            label=label.split(":")[0] + " (the process)",
        )
    sizes = [r["creators"] for r in rows]
    for axes in (times, memory):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xticks(sizes)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _short(v)))
        axes.xaxis.set_minor_formatter(NullFormatter())
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axes.set_xlabel("creators (x 4 quarters)")
        axes.grid(True, which="major", alpha=0.3)
    low, high = memory.get_ylim()
    memory.set_yticks([t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if low <= t <= high])
    memory.yaxis.set_minor_formatter(NullFormatter())
    times.set_ylabel("seconds")
    times.set_title("Time (hollow: did not finish, drawn where it was stopped)", fontsize=10)
    memory.set_ylabel("peak resident memory, GB")
    memory.set_title("Peak memory of each process", fontsize=10)
    times.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    memory.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    commits = sorted({r["commit"] + ("+" if r["uncommitted_changes"] else "") for r in rows})
    figure.suptitle(
        f"Rosters: ours against HiGHS on the whole model (commit {', '.join(commits)}, "
        f"{rows[0]['cores']} cores)"
    )
    figure.tight_layout()
    save_svg(figure, path)
    plt.close(figure)


def _short(creators: float) -> str:
    """1k, 30k, 1M: a roster's size on an axis."""
    if creators >= 1_000_000:
        return f"{creators / 1_000_000:g}M"
    return f"{creators / 1000:g}k"


def table(results: list[dict[str, Any]]) -> str:
    """The README's table: one row per size."""
    lines = [
        "| creators | columns | ours: whole process | load | build | solve | gap | peak memory "
        "| generic MIP | generic LP |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in sorted(results, key=lambda r: r["creators"]):
        ours, split = r["ours"], r["split"]
        lines.append(
            f"| {r['creators']:,} | {r.get('columns', 0):,} "
            f"| {_seconds(ours.get('seconds'))} | {_seconds(split.get('load_seconds'))} "
            f"| {_seconds(split.get('build_seconds'))} | {_seconds(split.get('solve_seconds'))} "
            f"| {_percent(ours.get('gap'))} | {ours['peak_mb'] / 1024:.2f} GB "
            f"| {_generic(r['generic_mip'])} | {_generic(r['generic_lp'])} |"
        )
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _generic(run: dict[str, Any]) -> str:
    if run["finished"]:
        return f"{_seconds(run['solve_seconds'])}" + (
            f" (gap {_percent(run['gap'])})" if run.get("gap") is not None else ""
        )
    found = f", its plan {_percent(run['gap'])} from its bound" if run.get("gap") else ""
    return run["stopped"] + found


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", help="creators, comma-separated (default: 1,000 to 1,000,000)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="generic MIP, seconds")
    parser.add_argument("--lp-time-limit", type=float, default=600.0, help="generic LP, seconds")
    parser.add_argument("--memory-limit", type=float, default=14.0, help="generic runs, GB")
    parser.add_argument(
        "--margin", type=float, default=MARGIN, help="generic runs: seconds past the limit"
    )
    parser.add_argument("--folder", type=Path, help="where the rosters go (default: temporary)")
    parser.add_argument("--render", action="store_true", help="only draw the SVG and the table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--relax", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child:
        print(json.dumps(generic(arguments.child, arguments.relax, arguments.time_limit)))
        return
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    by_size = {r["creators"]: r for r in stored}
    if not arguments.render:
        sizes = [int(s) for s in arguments.sizes.split(",")] if arguments.sizes else SIZES
        with tempfile.TemporaryDirectory() as temporary:
            folder = arguments.folder or Path(temporary)
            for creators in sizes:
                by_size[creators] = measure(
                    creators,
                    folder,
                    (arguments.time_limit, arguments.lp_time_limit),
                    arguments.memory_limit,
                    arguments.margin,
                )
                # written after every size, so a long run keeps what it has measured
                RESULTS.write_text(json.dumps(sorted(by_size.values(), key=_size), indent=1))
    results = sorted(by_size.values(), key=_size)
    render(results, PLOT)
    print(table(results))


def _size(result: dict[str, Any]) -> int:
    return int(result["creators"])


if __name__ == "__main__":
    main()
