"""HiGHS searches run off the main thread: watched, stoppable with Ctrl-C, and raced.

HiGHS releases Python's lock while it searches, so the main thread stays free to show
progress and to take Ctrl-C at once (a signal reaches Python only in the main thread, and only
between bytecodes, never inside a C call). Stopping is cooperative: every search checks a flag
from HiGHS's interrupt callback and ends with the best plan in hand.

A race runs two searches of the same column layout (another formulation or random seed) on
the two cores; the first to finish with a proof wins and the other is stopped. Both are held
to the same gap, so the plan returned is within the gap of the optimum whichever wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace

import highspy

from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions

WATCH_INTERVAL = 0.1
"""Seconds between looks at a running search: how soon progress shows and Ctrl-C acts."""


@dataclass(frozen=True)
class Progress:
    """Where a running search stands: the best plan's objective, the proven bound, the gap."""

    seconds: float
    objective: float | None
    bound: float | None
    gap: float | None
    nodes: int


ProgressCallback = Callable[[Progress], None]


class _Search:
    """One HiGHS instance, its model and a flag that stops it."""

    def __init__(self, highs: highspy.Highs, model: LinearModel) -> None:
        self.highs = highs
        self.model = model
        self.stop = False
        self.latest: Progress | None = None
        self.started = time.perf_counter()
        highs.cbMipInterrupt.subscribe(self._check)
        if not model.is_mip:
            # An LP checks between simplex iterations; a MIP's nodes are check enough, and a
            # call back into Python per iteration would cost a MIP's LPs time.
            highs.cbSimplexInterrupt.subscribe(self._check)
            highs.cbIpmInterrupt.subscribe(self._check)

    def _check(self, event: highspy.highs.HighsCallbackEvent) -> None:
        out = event.data_out
        if event.callback_type == highspy.cb.HighsCallbackType.kCallbackMipInterrupt:
            self.latest = Progress(
                seconds=time.perf_counter() - self.started,
                objective=_finite(out.mip_primal_bound),
                bound=_finite(out.mip_dual_bound),
                gap=_finite(out.mip_gap),
                nodes=int(out.mip_node_count),
            )
        if self.stop:
            event.interrupt()

    def run(self) -> Solution:
        from optimizer.solvers.highs import read_solution, start_one_thread_pool

        start_one_thread_pool()
        self.started = time.perf_counter()
        self.highs.run()
        return read_solution(self.highs, self.model, time.perf_counter() - self.started)


def _finite(value: float) -> float | None:
    return value if abs(value) < 1e300 else None


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _workers() -> ThreadPoolExecutor:
    """Two long-lived worker threads: HiGHS keeps a thread pool per calling thread, so
    reusing the same threads keeps that to two pools for the whole process."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="highs")
        return _executor


def run_searches(
    searches: Sequence[tuple[highspy.Highs, LinearModel]],
    options: SolveOptions,
    progress: ProgressCallback | None = None,
) -> tuple[Solution, int]:
    """Run one search, or race two; the solution and which search it came from.

    The first search to end with a proof (optimal, infeasible, unbounded) wins and stops the
    other. Ctrl-C stops every search, and the best plan in hand is returned (as `feasible`
    with its gap); a second Ctrl-C while they wind down is the usual KeyboardInterrupt.
    """
    from optimizer.solvers.highs import set_limits

    runs = []
    for highs, model in searches:
        set_limits(highs, options.time_limit, options.gap, options.node_limit)
        runs.append(_Search(highs, model))
    futures: list[Future[Solution]] = [_workers().submit(run.run) for run in runs]
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=WATCH_INTERVAL, return_when=FIRST_COMPLETED)
            for future in done:
                solution = future.result()
                if solution.status.is_proof:
                    # The other search stops at its next check; waiting for it would only
                    # add its last node's time (the worker threads are the pool's own).
                    _stop(runs)
                    return solution, futures.index(future)
            if progress is not None:
                latest = [run.latest for run in runs if run.latest is not None]
                if latest:
                    progress(_best(latest, runs[0].model.sense == "maximize"))
    except KeyboardInterrupt:
        _stop(runs)
        _settle(futures)
        solution, winner = _best_solution(futures, runs[0].model.sense == "maximize")
        if not solution.status.is_proof:
            solution = replace(solution, interrupted=True)
        return solution, winner
    return _best_solution(futures, runs[0].model.sense == "maximize")


def _stop(runs: list[_Search]) -> None:
    for run in runs:
        run.stop = True


def _settle(futures: list[Future[Solution]]) -> None:
    wait(futures)


def _best(latest: list[Progress], maximize: bool) -> Progress:
    def key(p: Progress) -> float:
        if p.objective is None:
            return float("inf")
        return -p.objective if maximize else p.objective

    return min(latest, key=key)


def _best_solution(futures: list[Future[Solution]], maximize: bool) -> tuple[Solution, int]:
    """Of searches that all stopped without a proof, the one with the best plan."""
    solutions = [future.result() for future in futures]

    def key(solution: Solution) -> tuple[int, float]:
        if solution.objective is None:
            return (1, 0.0)
        return (0, -solution.objective if maximize else solution.objective)

    best = min(range(len(solutions)), key=lambda i: key(solutions[i]))
    # every search's bound holds for the model; the tightest is the best proof
    bounds = [s.bound for s in solutions if s.bound is not None]
    solution = solutions[best]
    if bounds and solution.objective is not None:
        solution = replace(solution, bound=min(bounds) if maximize else max(bounds))
    return solution, best
