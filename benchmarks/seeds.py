"""How the solve of a case fares over HiGHS's random seeds, with the project's settings and
any extra HiGHS options: the tool behind the "what was tried" table of the README.

    .venv/bin/python -m benchmarks.seeds ecommerce-dtc --seeds 5
    .venv/bin/python -m benchmarks.seeds ecommerce-dtc q4-p4-t3-s1 --seeds 5 \\
        --option mip_heuristic_run_root_reduced_cost=false
    .venv/bin/python -m benchmarks.seeds ecommerce-dtc --without tiktok-at-most-half
    .venv/bin/python -m benchmarks.seeds ecommerce-dtc --from-optimum

`--without RULE` drops a rule's rows (named as in the Rules table of `optimizer solve`), to
find which rules make a solve hard; `--from-optimum` hands every run the optimum (found
first at gap 0) as its starting plan, which bounds what any better start or heuristic could
save: what is left is the work of proving the bound.

A MIP's running time can change several-fold with the random seed alone, so one run says
little about a setting: compare means over the same seeds. Prints one line per run and a
summary per case: mean and slowest time, mean nodes, and how many runs reached the case's
gap (1e-4, or 0.1% for weekly cases) within the time limit.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import highspy

from benchmarks.cases import case, gap_of
from optimizer import build_model
from optimizer.solvers.highs import set_limits, to_highs


@dataclass(frozen=True)
class Run:
    seed: int
    seconds: float
    nodes: int
    gap: float
    objective: float


def option_value(text: str) -> bool | int | float | str:
    """A HiGHS option's value as typed on the command line: true/false, a number or text."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def run_seeds(
    name: str,
    seeds: list[int],
    time_limit: float,
    options: dict[str, bool | int | float | str],
    without: Sequence[str] = (),
    from_optimum: bool = False,
) -> list[Run]:
    model = build_model(case(name))
    blocks = {block.name: block for block in model.blocks}
    dropped: list[int] = []
    for rule in without:
        if rule not in blocks:
            raise ValueError(f"{name} has no rule {rule!r}; its rules: {', '.join(blocks)}")
        dropped += range(blocks[rule].start, blocks[rule].stop)

    def instance(seed: int, gap: float) -> highspy.Highs:
        highs = to_highs(model)
        for row in dropped:
            highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
        set_limits(highs, time_limit, gap)
        for option, value in {"random_seed": seed, **options}.items():
            if highs.setOptionValue(option, value) != highspy.HighsStatus.kOk:
                raise ValueError(f"HiGHS refused option {option}={value!r}")
        return highs

    start = None
    if from_optimum:
        highs = instance(0, 0.0)
        highs.run()
        start = highs.getSolution()
    runs = []
    for seed in seeds:
        highs = instance(seed, gap_of(name))
        if start is not None:
            highs.setSolution(start)
        started = time.perf_counter()
        highs.run()
        seconds = time.perf_counter() - started
        info = highs.getInfo()
        runs.append(
            Run(
                seed,
                seconds,
                int(info.mip_node_count),
                float(info.mip_gap),
                float(info.objective_function_value),
            )
        )
    return runs


def summary(name: str, runs: list[Run]) -> str:
    target = gap_of(name)
    reached = sum(run.gap <= target * (1 + 1e-9) for run in runs)
    seconds = [run.seconds for run in runs]
    return (
        f"{name}: mean {1000 * statistics.mean(seconds):.0f} ms,"
        f" slowest {1000 * max(seconds):.0f} ms,"
        f" mean {statistics.mean(run.nodes for run in runs):.0f} nodes,"
        f" gap {target:g} reached in {reached} of {len(runs)}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("cases", nargs="+", help="case names (benchmarks/cases.py)")
    parser.add_argument("--seeds", type=int, default=5, help="random seeds 0 to N-1")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a HiGHS option on top of the project's settings (repeatable)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="RULE",
        help="drop this rule, named as in the Rules table of `optimizer solve` (repeatable)",
    )
    parser.add_argument(
        "--from-optimum",
        action="store_true",
        help="start every run from the optimum, found first at gap 0",
    )
    arguments = parser.parse_args(argv)
    if arguments.seeds < 1:
        parser.error("--seeds must be at least 1")
    if not arguments.time_limit > 0:
        parser.error("--time-limit must be a number of seconds above 0")
    options = {}
    for item in arguments.option:
        name, equals, value = item.partition("=")
        if not equals or not name:
            parser.error(f"--option {item!r}: write NAME=VALUE")
        if name in ("random_seed", "time_limit", "mip_rel_gap"):
            parser.error(f"--option {name}: set by --seeds, --time-limit and the case's gap")
        options[name] = option_value(value)
    for name in arguments.cases:
        try:
            runs = run_seeds(
                name,
                list(range(arguments.seeds)),
                arguments.time_limit,
                options,
                arguments.without,
                arguments.from_optimum,
            )
        except KeyError as error:
            parser.error(str(error.args[0]))
        except ValueError as error:
            parser.error(str(error))
        for run in runs:
            print(
                f"{name} seed {run.seed}: {1000 * run.seconds:.0f} ms, {run.nodes} nodes,"
                f" gap {run.gap:.2e}, objective {run.objective:,.2f}"
            )
        print(summary(name, runs), flush=True)


if __name__ == "__main__":
    main()
