"""Budget frontiers and parameter sweeps.

Points that differ only in budget share one built model: the budget row's bound changes and
each solve starts from the neighbouring point's plan. Points that change a coefficient
(`--param`) rebuild the model, which takes milliseconds; solving is the cost.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.constants import METRICS
from optimizer.errors import OptimizerError
from optimizer.executors import Executor, Failed, LocalExecutor, start_method
from optimizer.jsontext import json_count, json_number, json_text
from optimizer.model.constraints import Constraint
from optimizer.model.linear import LinearModel, build_model
from optimizer.plan import Plan, extract_plan
from optimizer.scenario.loading import scenario_from_dict, scenario_of
from optimizer.scenario.schema import Scenario
from optimizer.solvers import SolveOptions, roster_method, run_solver
from optimizer.solvers.base import is_number
from optimizer.solving import solve_options

Param = tuple[str, list[float]]


@dataclass(frozen=True)
class Sweep:
    """The points of a sweep, in order: one row each in `points`."""

    scenario: str
    budgets: list[float] | None
    params: list[Param]
    points: pd.DataFrame
    chosen_budget: float | None
    metric: str
    currency: str = "USD"

    @property
    def risk_axes(self) -> list[str]:
        """The swept parameters that set the objective's risk (`objective.risk.cvar`,
        `objective.risk.weight`)."""
        return [name for name, _ in self.params if name.startswith("objective.risk.")]

    def to_dict(self) -> dict[str, Any]:
        """The sweep as JSON data: the scenario, its metric and one record per point."""
        out = []
        for row in self.points.to_dict(orient="records"):
            totals = {metric: json_number(row.get(metric)) for metric in METRICS}
            totals["count"] = json_count(row.get("count"))  # whole unless `integer: false`
            point = {
                "budget": row["budget"],
                "params": {name: row[name] for name, _ in self.params},
                "status": row["status"],
                "objective": json_number(row.get("objective")),
                "gap": json_number(row.get("gap")),
                "totals": totals,
                "cpa": json_number(row.get("cpa")),
                "marginal_cpa": json_number(row["marginal_cpa"]),
                "tier_shares": {
                    key.removeprefix("share:"): json_number(value)
                    for key, value in row.items()
                    if key.startswith("share:")
                },
            }
            if isinstance(row.get("error"), str):
                point["error"] = row["error"]
            if "risk_mean" in row and is_number(row["risk_mean"]):
                point["risk"] = {key: json_number(row[f"risk_{key}"]) for key in RISK_FIGURES}
            out.append(point)
        return {"scenario": self.scenario, "metric": self.metric, "points": out}

    def to_json(self, indent: int | None = 2) -> str:
        """`to_dict` as JSON text (what `optimizer sweep --format json` prints)."""
        return json_text(self.to_dict(), indent)


MAX_POINTS = 1000
"""Most values on one axis of a sweep: beyond that a range's step is almost surely a typo."""


def parse_range(text: str) -> list[float]:
    """`50000:500000:25000` (start:stop:step, stop included) or `1,2,3`."""
    try:
        if ":" in text:
            start, stop, step = (float(part) for part in text.split(":"))
            if start > stop:
                raise OptimizerError(f"{text!r}: start must not exceed stop (start:stop:step)")
            if not (step > 0 and np.isfinite([start, stop, step]).all()):
                raise ValueError
            count = int(np.floor((stop - start) / step + 1e-9)) + 1
            if count > MAX_POINTS:
                raise OptimizerError(
                    f"{text!r} has {count:,} values; at most {MAX_POINTS:,}: take a larger step"
                )
            values = [start + i * step for i in range(count)]
        else:
            values = [float(part) for part in text.split(",")]  # "" (1,,2) is refused
        if not values or not np.isfinite(values).all() or len(values) > MAX_POINTS:
            raise ValueError
        return values
    except ValueError:
        percent = "; write a share as a fraction, 0.05 for 5%" if "%" in text else ""
        raise OptimizerError(
            f"cannot read {text!r}: write start:stop:step (step > 0) or a list like 1,2,3"
            f" (finite numbers, at most {MAX_POINTS:,}){percent}"
        ) from None


def parse_param(text: str) -> Param:
    """`PATH=V1,V2,...` for any numeric field of the scenario."""
    path, sep, values = text.partition("=")
    if not sep or not path.strip():
        raise OptimizerError(f"--param {text!r}: write PATH=V1,V2,... e.g. rules.tolerance=0,0.05")
    # `rules.shares[0].max`, as validation messages write a path, is `rules.shares.0.max`
    return re.sub(r"\[(\d+)\]", r".\1", path.strip()), parse_range(values)


def _param(param: Param | str) -> Param:
    """A swept parameter as `(path, values)`, given so or as the command line writes it."""
    if isinstance(param, str):
        return parse_param(param)
    if (
        isinstance(param, tuple | list)
        and len(param) == 2
        and isinstance(param[0], str)
        and isinstance(param[1], Iterable)
        and not isinstance(param[1], str | bytes)
    ):
        values = list(param[1])
        if values and all(is_number(value) for value in values):
            return param[0], [float(value) for value in values]
    raise OptimizerError(
        f"params must be (path, numbers) pairs or 'PATH=V1,V2' texts, got {param!r}"
    )


def _point_source(params: dict[str, float]) -> str:
    """A sweep point as messages name it: `sweep point rules.tolerance=0.1`."""
    return "sweep point " + ", ".join(f"{path}={value:g}" for path, value in params.items())


def with_value(data: dict[str, Any], path: str, value: float) -> dict[str, Any]:
    """A copy of scenario data with the field at a dotted path set. A list item is named by
    its `name` (`rules.shares.tiktok-cap.max`) or its index (`rules.shares.0.max`)."""
    data = json.loads(json.dumps(data))
    parts = path.split(".")
    node: Any = data
    depth = 0
    while depth < len(parts):
        part = parts[depth]
        key: Any = part
        if isinstance(node, list):
            key, depth = _list_item(node, parts, depth, path)
        elif not (isinstance(node, dict) and (part in node or depth == len(parts) - 1)):
            raise OptimizerError(_no_field(path, parts[:depth], part, node))
        if depth == len(parts) - 1:
            node[key] = value
        else:
            node = node[key]
        depth += 1
    return data


def _list_item(items: list[Any], parts: list[str], depth: int, path: str) -> tuple[int, int]:
    """The index of the list item that `parts[depth:]` starts with, and the depth of its last
    part: a name may hold dots (`tiktok.cap`), so the longest name that matches is taken."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    for end in range(len(parts), depth, -1):
        name = ".".join(parts[depth:end])
        if name in names:
            return names.index(name), end - 1
    part = parts[depth]
    if part.isdigit() and int(part) < len(items):
        return int(part), depth
    where = ".".join(parts[:depth])
    named = [name for name in names if isinstance(name, str)]
    indices = f"INDEX 0 to {len(items) - 1}" if items else "it is empty"
    field = ".FIELD" if any(isinstance(item, dict) for item in items) else ""
    hint = f"write {where}.INDEX{field} ({indices})"
    if named:
        hint = f"write {where}.NAME{field} (NAME one of {', '.join(named)}) or {hint[6:]}"
    item = "rule" if where.startswith("rules.") else "item"
    kind = f"no {item}" if part.isdigit() else f"no {item} named"
    preset = " (preset rules take their bounds from rules.tolerance)" if ":" in part else ""
    raise OptimizerError(f"--param {path}: {where} has {kind} {part!r}{preset}; {hint}")


def _no_field(path: str, walked: list[str], part: str, node: Any) -> str:
    message = f"--param {path}: the scenario has no field {part!r} there"
    if isinstance(node, dict) and node:
        where = ".".join(walked) or "the scenario"
        message += f"; {where} has {', '.join(map(str, node))}"
    return message


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    return json.loads(scenario.model_dump_json())


@dataclass(frozen=True)
class _Job:
    data: dict[str, Any]
    params: dict[str, float]
    budgets: list[float] | None
    solver: str
    options: SolveOptions
    report: Callable[[], Any] | None = None
    """Called as each of the job's points is solved, for progress by points, not jobs."""


def _budget_model(model: LinearModel, scenario: Scenario) -> LinearModel:
    """The model of `scenario`, which differs from the model's own in its total budget only:
    only the budget row and its report change."""
    budget = scenario.budget.total
    block = next(block for block in model.blocks if block.name == "budget")
    row_upper = model.row_upper.copy()
    row_upper[block.start] = budget
    parts = [
        replace(part, max=budget)
        if isinstance(part, Constraint) and part.name == "budget"
        else part
        for part in model.rule_set.parts
    ]
    rule_set = replace(model.rule_set, parts=parts)
    return replace(model, row_upper=row_upper, rule_set=rule_set, scenario=scenario)


def _uncertain(scenario: Scenario) -> bool:
    """Whether the scenario's objective is taken over draws (section 8 of the format)."""
    return scenario.uncertainty is not None or scenario.objective.uncertain


def _run_uncertain(job: _Job, scenario: Scenario) -> list[dict[str, Any]]:
    """A point (or a run of budgets) of a scenario with uncertainty: each solved whole, the
    risk model and the midpoint plan, so each point has its outcomes over the draws."""
    from optimizer.solving import solve

    points = []
    budgets: list[float | None] = list(job.budgets) if job.budgets else [None]
    for budget in budgets:
        at_budget = scenario
        if budget is not None:
            spec = scenario.budget.model_copy(update={"total": budget})
            at_budget = scenario.model_copy(update={"budget": spec})
        plan = solve(
            at_budget,
            solver=job.solver,
            time_limit=job.options.time_limit,
            gap=job.options.gap,
        )
        points.append(_point(plan, budget, job.params))
        if job.report is not None:
            job.report()
    return points


def _run_job(job: _Job) -> list[dict[str, Any]]:
    source = _point_source(job.params) if job.params else "sweep"
    first = scenario_from_dict(job.data, source=source)
    if _uncertain(first):
        return _run_uncertain(job, first)
    if job.budgets is None:
        model = build_model(first)
        plan = extract_plan(first, model, run_solver(model, job.solver, job.options))
        if job.report is not None:
            job.report()
        return [_point(plan, None, job.params)]
    top = scenario_from_dict(with_value(job.data, "budget.total", max(job.budgets)), source=source)
    # Built once at the largest budget: its implied count caps hold at every smaller one.
    model = build_model(top)
    session = None
    # a large roster's points are each solved by decomposition, not by one kept search
    if job.solver == "highs" and roster_method(model) != "decomposition":
        from optimizer.solvers.highs import HighsSession

        session = HighsSession(model)
    points: list[dict[str, Any]] = []
    start: np.ndarray | None = None
    last_budget: float | None = None
    budget_row = next(block.start for block in model.blocks if block.name == "budget")
    for budget in job.budgets:
        budget_spec = top.budget.model_copy(update={"total": budget})
        scenario = top.model_copy(update={"budget": budget_spec})
        at_budget = _budget_model(model, scenario)
        # A plan for a smaller budget is feasible for a larger one: a warm start.
        warm = start if last_budget is not None and budget >= last_budget else None
        if session is not None:
            session.set_row_upper(budget_row, budget)
            solution = session.solve(job.options, warm)
        else:
            solution = run_solver(at_budget, job.solver, job.options)
        plan = extract_plan(scenario, at_budget, solution)
        points.append(_point(plan, budget, job.params))
        if job.report is not None:
            job.report()
        start = solution.values
        last_budget = budget
    return points


def _point(plan: Plan, budget: float | None, params: dict[str, float]) -> dict[str, Any]:
    totals = plan.totals
    spend = plan.allocation.groupby(level="tier", sort=False)["spend"].sum()
    shares = (
        {f"share:{tier}": value / spend.sum() for tier, value in spend.items()}
        if (spend.sum() > 0)
        else {}
    )
    return {
        "budget": budget if budget is not None else plan.scenario.budget.total,
        **params,
        "status": str(plan.status),
        "objective": plan.objective,
        "gap": plan.gap,
        # A point without a plan has no totals: zero spend would read as a plan.
        **(totals if plan.has_plan else dict.fromkeys(totals)),
        "cpa": totals["spend"] / totals["conversions"] if totals["conversions"] > 0 else None,
        **shares,
        "seconds": plan.seconds,
        **_risk_figures(plan),
    }


RISK_FIGURES = ("mean", "p10", "p90", "cvar10")
"""What a sweep point of a scenario with uncertainty gives of its objective's outcome over
the draws, as `risk_mean`, `risk_p10`, `risk_p90` and `risk_cvar10` (the worst-10% mean)."""


def _risk_figures(plan: Plan) -> dict[str, float]:
    report = plan.uncertainty
    if report is None:
        return {}
    figures = report.plan.outcomes[report.metric or plan.metric]
    return {f"risk_{key}": figures[key] for key in RISK_FIGURES}


def sweep(
    scenario: Scenario | str | Path,
    budgets: Iterable[float] | None = None,
    params: Sequence[Param | str] = (),
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    on_point: Callable[[int], None] | None = None,
) -> Sweep:
    """Solve the scenario at every combination of budgets and parameter values.

    At most two axes (the budget counts as one). `on_point(n)` is called as n more points
    finish (one at a time, except on a Dask cluster, where a run reports its points as it
    ends), for progress bars. With `workers > 1` points are solved in parallel processes,
    split into that many runs; `executor` (default: local processes) says where they run,
    e.g. `optimizer.executors.DaskExecutor(address)`.
    """
    scenario = scenario_of(scenario, "sweep")
    if budgets is not None:
        if isinstance(budgets, str | bytes) or not isinstance(budgets, Iterable):
            raise OptimizerError(f"budgets must be a list of numbers, got {budgets!r}")
        budgets = list(budgets)
        if not all(is_number(budget) for budget in budgets):
            raise OptimizerError(f"budgets must be finite numbers, got {budgets!r}")
    swept = [_param(param) for param in params]
    paths = [path for path, _ in swept]
    if len(set(paths)) < len(paths):
        raise OptimizerError(f"each parameter can be swept once, got {', '.join(paths)}")
    if "budget.total" in paths and budgets:
        raise OptimizerError("give the budgets with --budget or --param budget.total, not both")
    if "budget.total" in paths and scenario.budget.total is not None:
        # the budget as a parameter is the budget axis: money, marginal CPA, one warm model
        budgets = next(values for path, values in swept if path == "budget.total")
        swept = [(path, values) for path, values in swept if path != "budget.total"]
    if not (isinstance(workers, Integral) and not isinstance(workers, bool) and workers >= 1):
        raise OptimizerError(
            f"workers must be a whole number of processes, 1 or more, got {workers!r}"
        )
    workers = int(workers)
    axes = (1 if budgets else 0) + len(swept)
    if axes == 0:
        raise OptimizerError("give budgets, params or both (--budget, --param on the command line)")
    if axes > 2:
        raise OptimizerError("sweep at most two parameters at a time (the budget counts as one)")
    if budgets and scenario.budget.total is None:
        raise OptimizerError("a budget sweep needs budget.total in the scenario")
    if budgets and min(budgets) <= 0:
        raise OptimizerError(f"every budget must be above 0, got {min(budgets):g}")
    data = scenario_data(scenario)
    if any(path.startswith("objective.risk.") for path in paths) and (
        data["objective"].get("risk") is None
    ):
        # a risk swept on a scenario taking the mean: the risk starts as the mean's
        data["objective"]["risk"] = {"cvar": None, "weight": 1.0}
    options = solve_options(scenario, time_limit, gap)
    name = solver or scenario.solver.name
    names = [path for path, _ in swept]
    jobs = []
    for combination in itertools.product(*(values for _, values in swept)):
        point_params = dict(zip(names, combination, strict=True))
        point_data = data
        for path, value in point_params.items():
            point_data = with_value(point_data, path, value)
        scenario_from_dict(point_data, source=_point_source(point_params))
        budget_list = list(budgets) if budgets else None
        jobs.extend(_split(point_data, point_params, budget_list, name, options, workers))
    rows = _run_all(jobs, executor or LocalExecutor(workers), on_point)
    points = pd.DataFrame(rows)
    points["marginal_cpa"] = _marginal_cpa(points, names)
    # A tier a point's plan leaves out has a share of 0, not a missing one.
    shares = [column for column in points.columns if column.startswith("share:")]
    if shares and "spend" in points:
        spent = points["spend"].fillna(0.0) > 0
        points.loc[spent, shares] = points.loc[spent, shares].fillna(0.0)
    if scenario.average_order_value is None and "average_order_value" not in names:
        points["revenue"] = np.nan  # missing, not zero: no average order value gives one
    return Sweep(
        scenario=scenario.name,
        budgets=list(budgets) if budgets else None,
        params=[(path, list(values)) for path, values in swept],
        points=points,
        chosen_budget=scenario.budget.total,
        metric=scenario.objective.metric,
        currency=scenario.currency,
    )


def _split(
    data: dict[str, Any],
    params: dict[str, float],
    budgets: list[float] | None,
    solver: str,
    options: SolveOptions,
    workers: int,
) -> list[_Job]:
    """Contiguous runs of budgets, one per worker, so warm starts follow each run."""
    if budgets is None or workers <= 1:
        return [_Job(data, params, budgets, solver, options)]
    size = -(-len(budgets) // workers)
    return [
        _Job(data, params, budgets[i : i + size], solver, options)
        for i in range(0, len(budgets), size)
    ]


def _run_all(
    jobs: list[_Job], executor: Executor, on_point: Callable[[int], None] | None
) -> list[dict[str, Any]]:
    if on_point is None:
        results = executor.map(_run_job, jobs)
    else:
        with _PointProgress(jobs, executor, on_point) as progress:
            results = executor.map(_run_job, progress.jobs, progress.finished)
    rows: list[dict[str, Any]] = []
    for job, result in zip(jobs, results, strict=True):
        rows += _failed_points(job, result) if isinstance(result, Failed) else result
    return rows


class _PointProgress:
    """`on_point(1)` as each point is solved, not `on_point(n)` as a job of n points ends: a
    sweep on one worker is one job. Jobs in this process report by a call; jobs in local
    worker processes through a queue read by a thread here; elsewhere (a Dask cluster) a job
    reports its points as it ends. A job never counts more than its points (a job run again
    after a failure reports them twice), and always all of them once it ends."""

    def __init__(
        self, jobs: list[_Job], executor: Executor, on_point: Callable[[int], None]
    ) -> None:
        self.sizes = [len(job.budgets or [None]) for job in jobs]
        self.counted = [0] * len(jobs)
        self.on_point = on_point
        self.lock = threading.Lock()
        self.manager: Any = None
        self.reader: threading.Thread | None = None
        self.jobs = jobs
        if isinstance(executor, LocalExecutor) and executor.workers <= 1:
            self.jobs = [
                replace(job, report=functools.partial(self.point, index))
                for index, job in enumerate(jobs)
            ]
        elif isinstance(executor, LocalExecutor) and executor.workers > 1:
            self.manager = start_method().Manager()
            self.queue = self.manager.Queue()
            self.jobs = [
                replace(job, report=functools.partial(self.queue.put, index))
                for index, job in enumerate(jobs)
            ]
            self.reader = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> _PointProgress:
        if self.reader is not None:
            self.reader.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.reader is not None:
            self.queue.put(None)
            self.reader.join()
        if self.manager is not None:
            self.manager.shutdown()

    def _read(self) -> None:
        while (index := self.queue.get()) is not None:
            self.point(index)

    def point(self, index: int) -> None:
        with self.lock:
            if self.counted[index] >= self.sizes[index]:
                return
            self.counted[index] += 1
        self.on_point(1)

    def finished(self, index: int) -> None:
        with self.lock:
            left = self.sizes[index] - self.counted[index]
            self.counted[index] = self.sizes[index]
        if left > 0:
            self.on_point(left)


def _failed_points(job: _Job, failure: Failed) -> list[dict[str, Any]]:
    """A job that kept failing still has its points, with status `error` and the reason."""
    return [
        {"budget": budget, **job.params, "status": "error", "error": failure.error}
        for budget in (job.budgets or [job.data.get("budget", {}).get("total")])
    ]


def _marginal_cpa(points: pd.DataFrame, params: list[str]) -> pd.Series:
    """Extra spend per extra conversion from the previous budget of the same parameters
    (none after a budget without a plan)."""
    if points.empty or "spend" not in points:
        return pd.Series(np.nan, index=points.index, dtype=float)
    groups = points.groupby(params, sort=False) if params else [((), points)]
    out = pd.Series(np.nan, index=points.index, dtype=float)
    for _, group in groups:
        spend = group["spend"].astype(float).diff()
        conversions = group["conversions"].astype(float).diff()
        out.loc[group.index] = (spend / conversions.where(conversions > 1e-9)).to_numpy()
    return out
