"""The model written the straightforward way: PuLP `lpSum` loops over cells, solved by CBC.

It follows the scenario format's sections 4-6 directly, with segment-order binaries on every
saturated cell, so it is both the speed baseline of the benchmarks and an independent
formulation whose optimum the fast path must match.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import pulp

from optimizer import Scenario, derive_cells
from optimizer.scenario.presets import PRESETS

SATURATED = ("reach", "engagements", "conversions", "revenue")


@dataclass(frozen=True)
class NaiveResult:
    status: str
    objective: float | None
    build_seconds: float
    solve_seconds: float
    certified: bool
    """CBC closed the gap (not stopped by the time limit with a plan in hand)."""


def build_naive(scenario: Scenario) -> pulp.LpProblem:
    cells = derive_cells(scenario)
    table = cells.table
    keys = list(table.index)
    maximize = scenario.objective.sense == "maximize"
    problem = pulp.LpProblem("naive", pulp.LpMaximize if maximize else pulp.LpMinimize)
    category = "Integer" if scenario.integer else "Continuous"
    n, outcome_scale = {}, {}
    for position, key in enumerate(keys):
        row = table.loc[key]
        upper = None if row["upper"] == float("inf") else row["upper"]
        name = "n_" + "_".join(key)
        n[key] = problem.add_variable(name, row["lower"], upper, cat=category)
        segments = cells.segments[cells.segments["cell"] == position]
        parts = []
        previous = None
        for segment in segments.itertuples():
            width = None if segment.width == float("inf") else segment.width
            s = problem.add_variable(f"s_{name}_{segment.segment}", 0, width)
            parts.append((s, segment.factor, width))
            if previous is not None:
                # segment k+1 only fills once segment k is full
                z = problem.add_variable(f"z_{name}_{segment.segment}", 0, 1, cat="Binary")
                s_prev, _, width_prev = previous
                problem += s_prev >= width_prev * z
                problem += s <= (width if width is not None else 10**6) * z
            previous = (s, segment.factor, width)
        problem += n[key] == pulp.lpSum(s for s, _, _ in parts)
        outcome_scale[key] = pulp.lpSum(factor * s for s, factor, _ in parts)

    def total(metric: str, mask: list[bool]) -> pulp.LpAffineExpression:
        terms = []
        for key, selected in zip(keys, mask, strict=True):
            if not selected:
                continue
            if metric == "count":
                terms.append(n[key])
            elif metric == "spend":
                terms.append(table.loc[key, "cost"] * n[key])
            else:
                terms.append(table.loc[key, metric] * outcome_scale[key])
        return pulp.lpSum(terms)

    everything = [True] * len(keys)
    periods = [key[0] for key in keys]
    metric = scenario.objective.metric
    if metric == "profit":
        problem += total("revenue", everything) - total("spend", everything)
    else:
        problem += total(metric, everything)
    if scenario.budget.total is not None:
        problem += total("spend", everything) <= scenario.budget.total
    for period, bounds in scenario.budget.periods.items():
        in_period = [p == period for p in periods]
        if bounds.min is not None:
            problem += total("spend", in_period) >= bounds.min
        if bounds.max is not None:
            problem += total("spend", in_period) <= bounds.max

    shares = []
    for preset in dict.fromkeys(scenario.rules.presets):
        for preset_rule in PRESETS[preset].rules:
            rule = preset_rule.expand(scenario.rules.tolerance)
            periods_known = all(p in scenario.periods for p in rule.select.periods or ())
            if periods_known and cells.select(rule.select).any():
                shares.append(rule)
    shares += scenario.rules.shares
    for rule in shares:
        selected = list(cells.select(rule.select))
        groups = [everything]
        if rule.within == "period":
            wanted = rule.select.periods or scenario.periods
            groups = [[p == period for p in periods] for period in wanted]
        for group in groups:
            inside = [a and b for a, b in zip(selected, group, strict=True)]
            if rule.min is not None:
                problem += total(rule.of, inside) >= rule.min * total(rule.of, group)
            if rule.max is not None:
                problem += total(rule.of, inside) <= rule.max * total(rule.of, group)

    for limit in scenario.rules.limits:
        selected = list(cells.select(limit.select))
        levels = {"period": 0, "platform": 1, "tier": 2}
        values = [
            sorted({key[levels[d]] for key, s in zip(keys, selected, strict=True) if s})
            for d in limit.per
        ]
        for combination in itertools.product(*values):
            group = [
                s and all(key[levels[d]] == v for d, v in zip(limit.per, combination, strict=True))
                for key, s in zip(keys, selected, strict=True)
            ]
            if not any(group) and limit.per:  # without `per`, one group even when empty
                continue
            for metric_name, bound in limit.bounds().items():
                if bound.min is not None:
                    problem += total(metric_name, group) >= bound.min
                if bound.max is not None:
                    problem += total(metric_name, group) <= bound.max
    return problem


def solve_naive(scenario: Scenario, gap: float = 1e-4, time_limit: float = 600) -> NaiveResult:
    from optimizer.solvers.pulp_backend import cbc_path

    started = time.perf_counter()
    problem = build_naive(scenario)
    built = time.perf_counter()
    solver = pulp.COIN_CMD(path=cbc_path(), msg=False, gapRel=gap, timeLimit=time_limit)
    problem.solve(solver)
    solved = time.perf_counter()
    status = pulp.LpStatus[problem.status].lower()
    objective = pulp.value(problem.objective) if problem.status == pulp.LpStatusOptimal else None
    # PuLP reports "Optimal" for a plan found before the time limit; sol_status tells them apart.
    certified = problem.sol_status == pulp.LpSolutionOptimal
    return NaiveResult(status, objective, built - started, solved - built, certified)


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.naive FILE --gap G --time-limit T`: the naive way as a whole
    process, printing one JSON line {"status", "objective", "seconds"}, the seconds being
    those of loading, building and solving (time the process from outside for the rest)."""
    import argparse
    import json

    from optimizer import load_scenario

    parser = argparse.ArgumentParser(description="Solve a scenario file the naive way (CBC).")
    parser.add_argument("file", help="scenario file (.yaml, .json, .toml)")
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--time-limit", type=float, default=600.0)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    result = solve_naive(load_scenario(arguments.file), arguments.gap, arguments.time_limit)
    status = result.status
    if status == "optimal" and not result.certified:
        status = "feasible"  # stopped by the time limit with a plan in hand
    document = {"status": status, "objective": result.objective}
    document["seconds"] = time.perf_counter() - started
    print(json.dumps(document), flush=True)


if __name__ == "__main__":
    main()
