"""Plain default HiGHS on the plain model: the baseline for what our settings add.

    .venv/bin/python -m benchmarks.plain_highs FILE --gap 1e-4 --time-limit 60

Loads the scenario, builds the project's model with the `count` formulation (an integer
count column per cell, saturation segments continuous) and hands its arrays to a fresh
`highspy.Highs()` with every option at its default except the log (off), the time limit
and `mip_rel_gap`: none of the project's tuned options, thread settings or formulation
rule. Prints one JSON line: {"status", "objective", "seconds"}, the seconds being those of
loading, building and solving (time the process from outside for the rest).
"""

from __future__ import annotations

import argparse
import inspect
import json
import time

import highspy

from optimizer import build_model, load_scenario
from optimizer.model.linear import LinearModel
from optimizer.solvers.highs import highs_lp, new_highs

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
}


def plain_model(path: str) -> LinearModel:
    """The scenario's model with an integer count column and continuous segments."""
    scenario = load_scenario(path)
    if "formulation" in inspect.signature(build_model).parameters:
        return build_model(scenario, formulation="count")
    return build_model(scenario)  # before formulations were a choice: the count one


def plain_highs(model: LinearModel, time_limit: float, gap: float) -> highspy.Highs:
    """A default Highs instance holding the model, silent, with the time limit and gap."""
    lp = highs_lp(model)
    highs = new_highs()  # HiGHS defaults: only the log is off (and its banner kept off stdout)
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.passModel(lp)
    return highs


def solve_plain(path: str, gap: float, time_limit: float) -> dict[str, object]:
    model = plain_model(path)
    highs = plain_highs(model, time_limit, gap)
    highs.run()
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = _STATUS.get(model_status, "feasible" if has_plan else "time_limit")
    objective = float(info.objective_function_value) if has_plan else None
    return {"status": status, "objective": objective}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="scenario file (.yaml, .json, .toml)")
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--time-limit", type=float, default=60.0)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    result = solve_plain(arguments.file, arguments.gap, arguments.time_limit)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
