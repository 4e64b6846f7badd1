"""The default backend: the model's arrays handed to HiGHS in memory through highspy."""

from __future__ import annotations

import os
import threading
import time

import highspy
import numpy as np

from optimizer.errors import SolverError
from optimizer.model.linear import LinearModel, formulated
from optimizer.solvers.base import Solution, SolveOptions, Status
from optimizer.solvers.search import ProgressCallback, run_searches

# HiGHS's own settings, on one thread. Options tuned on the first benchmark cases (more
# heuristic effort, no sub-MIP heuristics on small models) did not carry over: on the tuning
# half of the held-out family they were as often slower as faster (benchmarks/README.md,
# "Held-out family"). Weekly models keep their measured extra heuristic effort: they are
# solved to a looser gap, where better plans matter more than the bound (with effort 0.3 the
# largest weekly case reached 0.1% within 60 s in four of five seeded runs, two of five with
# the default). One thread: HiGHS's own parallel search gained nothing reliable here, and a
# plan then never depends on thread scheduling.
LARGE_MIP = 1000
"""More than this many integer columns: a large model, which spends more on heuristics."""
LARGE_MIP_OPTIONS = {"mip_heuristic_effort": 0.3}
RACE_FROM = 64
"""At least this many integer columns: a model that may be raced (`SolveOptions.race`; below
it, solves take milliseconds and a second search only adds its start)."""
NO_NODE_LIMIT = 2**31 - 1
"""HiGHS's own default for `mip_max_nodes`."""
HIGHS_LARGEST = 1e15
"""HiGHS refuses a model with a coefficient or bound this large (its `large_matrix_value`)."""

_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
}


# Statuses of a search stopped by a limit, with or without a plan in hand.
_STOPPED = {
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kInterrupt,
}


def highs_lp(model: LinearModel) -> highspy.HighsLp:
    """The model's arrays as HiGHS's LP (rows, bounds, sense, integrality), without names."""
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.objective
    lp.col_lower_ = model.col_lower
    lp.col_upper_ = model.col_upper
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.sense_ = (
        highspy.ObjSense.kMaximize if model.sense == "maximize" else highspy.ObjSense.kMinimize
    )
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = model.num_cols
    lp.a_matrix_.num_row_ = model.num_rows
    lp.a_matrix_.start_ = model.rows.indptr
    lp.a_matrix_.index_ = model.rows.indices
    lp.a_matrix_.value_ = model.rows.data
    if model.is_mip:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in model.integrality
        ]
    return lp


def to_highs(model: LinearModel, *, names: bool = False) -> highspy.Highs:
    """A silent Highs instance holding the model (names only when asked: they cost time)."""
    lp = highs_lp(model)
    if names:
        lp.col_names_ = list(model.col_names)
        lp.row_names_ = list(model.row_names)
    start_one_thread_pool()
    highs = new_highs()
    options = LARGE_MIP_OPTIONS if model.integrality.sum() > LARGE_MIP else {}
    for option, value in options.items():
        highs.setOptionValue(option, value)
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        # It would otherwise solve an empty model and report no plan for a wrong reason.
        raise SolverError(
            "HiGHS refused the model: a figure is out of its range (a cost, budget or"
            f" audience of {HIGHS_LARGEST:g} or more?); check the scenario's numbers"
        )
    return highs


_pools = threading.local()


def start_one_thread_pool() -> None:
    """Give this thread a HiGHS thread pool of one thread, unless it already has a pool.

    HiGHS keeps one pool per calling thread, sized by its first run, and every later run must
    leave `threads` at 0 to join it: another size fails the run, and retiring the pool breaks
    the runs of other threads. So the pool is sized here, by running an empty model, and
    every instance leaves `threads` at 0. Where the caller's own HiGHS runs came first, the
    solves join their pool.
    """
    if getattr(_pools, "started", False):
        return
    highs = new_highs()
    highs.setOptionValue("threads", 1)
    empty = highspy.HighsLp()
    empty.num_col_ = 1
    empty.col_cost_ = [0.0]
    empty.col_lower_ = [0.0]
    empty.col_upper_ = [0.0]
    highs.passModel(empty)
    highs.run()
    _pools.started = True


_banner_lock = threading.Lock()
_banner_printed = False


def new_highs() -> highspy.Highs:
    """A Highs instance with its log off.

    Since highspy 1.16 a process's first Highs prints a banner on standard output before any
    option can silence it; that would corrupt `--format json` on stdout. So the first one is
    made with file descriptor 1 itself pointed at the null device (HiGHS writes from C, past
    Python's `sys.stdout`), once, under a lock: two threads swapping it at once could leave
    it pointing there.
    """
    global _banner_printed
    with _banner_lock:
        if _banner_printed:
            highs = highspy.Highs()
        else:
            highs = _highs_without_stdout()
            _banner_printed = True
    highs.setOptionValue("output_flag", False)
    return highs


def _highs_without_stdout() -> highspy.Highs:
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to protect
        return highspy.Highs()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def set_limits(
    highs: highspy.Highs, time_limit: float, gap: float, node_limit: int | None = None
) -> None:
    """When a search stops: after `time_limit` seconds, at relative gap `gap`, or after
    `node_limit` branch-and-bound nodes."""
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.setOptionValue("mip_max_nodes", NO_NODE_LIMIT if node_limit is None else node_limit)


def solve_highs(
    model: LinearModel,
    options: SolveOptions,
    progress: ProgressCallback | None = None,
    start: np.ndarray | None = None,
) -> Solution:
    """Solve in memory: one search, or two raced (`options.race`; by default for
    weekly-size models) where `race_partner` finds a partner."""
    searches = [(to_highs(model), model)]
    if start is not None:
        set_start(searches[0][0], start)
    race = options.race if options.race is not None else model.integrality.sum() > LARGE_MIP
    partner = race_partner(model) if race else None
    if partner is not None:
        searches.append((to_highs(partner), partner))
    solution, _ = run_searches(searches, options, progress)
    return solution


def set_start(highs: highspy.Highs, values: np.ndarray) -> None:
    """Give the search a plan to start from."""
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    highs.setSolution(solution)


def race_partner(model: LinearModel) -> LinearModel | None:
    """The model to race against this one: the count formulation against integer segments,
    which win most cases and lose some to it (benchmarks/README.md, "Held-out family")."""
    if model.integrality.sum() < RACE_FROM:
        return None
    partner = formulated(model, "count")
    return None if np.array_equal(partner.integrality, model.integrality) else partner


def read_solution(highs: highspy.Highs, model: LinearModel, seconds: float) -> Solution:
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_values = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = _STATUS.get(model_status)
    if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        status = _infeasible_or_unbounded(model)
    if status is None and not has_values and model_status not in _STOPPED:
        # neither a proof nor a limit: numerical trouble, not a search cut short
        name = highs.modelStatusToString(model_status)
        raise SolverError(f"HiGHS could not solve the model ({name}); check the scenario's figures")
    if status is None:
        status = Status.FEASIBLE if has_values else Status.TIME_LIMIT
    if not status.has_plan:
        return Solution(status, None, None, None, seconds, "highs")
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if model.is_mip else objective
    nodes = int(info.mip_node_count) if model.is_mip else None
    return Solution(status, values, objective, bound, seconds, "highs", nodes)


def _infeasible_or_unbounded(model: LinearModel) -> Status:
    """HiGHS may not tell the two apart; a solve without objective does."""
    highs = to_highs(model)
    highs.changeColsCost(model.num_cols, np.arange(model.num_cols), np.zeros(model.num_cols))
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return Status.INFEASIBLE
    return Status.UNBOUNDED


class HighsSession:
    """One model kept in HiGHS across solves that change row bounds, warm-started from a plan.

    Sweeps use it so the model is handed over once, not once per point.
    """

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.highs = to_highs(model)

    def set_row_upper(self, row: int, upper: float) -> None:
        self.highs.changeRowBounds(row, float(self.model.row_lower[row]), float(upper))

    def solve(self, options: SolveOptions, start: np.ndarray | None = None) -> Solution:
        highs = self.highs
        set_limits(highs, options.time_limit, options.gap)
        if start is not None:
            set_start(highs, start)
        started = time.perf_counter()
        highs.run()
        result = read_solution(highs, self.model, time.perf_counter() - started)
        # The next solve must start from the model, not from this search's presolved state.
        highs.clearSolver()
        return result
