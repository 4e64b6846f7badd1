"""Progress bars on standard error for runs of many solves."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from optimizer.cli.common import _fail, errors
from optimizer.errors import OptimizerError

if TYPE_CHECKING:
    from rich.progress import Progress

    from optimizer.plan import Plan

# Analyses with at least this many re-solves show a progress bar on standard error.
MANY_SOLVES = 5


def _progress(disable: bool = False) -> Progress:
    """A progress bar on standard error, where a person watches it: piped or redirected
    output gets none (rich would still leave an empty line there)."""
    from rich.progress import Progress

    return Progress(console=errors.real, transient=True, disable=disable or not errors.is_terminal)


@contextmanager
def _analysis_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback; the bar shows on standard error once there are many re-solves."""
    with _progress() as progress:
        task = progress.add_task(label, total=None, visible=False)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, visible=total >= MANY_SOLVES)

        yield update


SHOW_AFTER = 1.0
"""Seconds a run of steps takes before `_timed_progress` shows its bar."""


@contextmanager
def _timed_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback `(done, total)` for a run of quick steps (draws judged a part at
    a time): a bar on standard error once the run has taken `SHOW_AFTER` seconds, where a
    person watches. rich.progress loads only then: a quick run never shows one."""
    started = time.perf_counter()
    shown: list[tuple[Progress, Any]] = []

    def update(done: int, total: int) -> None:
        if not shown:
            if time.perf_counter() - started < SHOW_AFTER or not errors.is_terminal:
                return
            progress = _progress()
            progress.start()
            shown.append((progress, progress.add_task(label, total=total)))
        progress, task = shown[0]
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if shown:
            shown[0][0].stop()


def _without_failed(loaded: list[Any], plans: list[Any]) -> tuple[list[Any], list[Plan]]:
    from optimizer.plan import Plan

    pairs = zip(loaded, plans, strict=True)
    kept = [(item, plan) for item, plan in pairs if isinstance(plan, Plan)]
    return [item for item, _ in kept], [plan for _, plan in kept]


def _map_with_progress(
    function: Callable[[Any], Any],
    items: list[Any],
    workers: int,
    label: str,
    dask: str | None = None,
    adaptive: bool = False,
) -> list[Any]:
    """Results in the order of `items` (a `Failed` where a job kept failing), with a progress
    bar on standard error for several. `adaptive`: with local workers, the first job runs
    here and times the rest; where starting workers would cost more than they save, the
    rest run here too, and standard error says so."""
    from optimizer.executors import executor_for

    try:
        if len(items) < 2:
            # One job shows no bar: rich.progress is not even loaded for it.
            return executor_for(workers, dask).map(function, items)
        with _progress() as progress:
            task = progress.add_task(label, total=len(items))
            done: list[Any] = []
            if adaptive and workers > 1 and dask is None:
                started = time.perf_counter()
                done = executor_for(1).map(function, items[:1])
                progress.advance(task)
                each = time.perf_counter() - started
                if not workers_pay(each, len(items) - 1, workers):
                    errors.print(
                        f"--workers {workers} would not pay: a solve takes about {each:.2f} s"
                        f" and starting workers about {WORKER_START:.1f} s; solving in this"
                        " process"
                    )
                    workers = 1
            rest = executor_for(workers, dask).map(
                function, items[len(done) :], lambda _: progress.advance(task)
            )
            return done + rest
    except OptimizerError as error:
        raise _fail(str(error)) from None


WORKER_START = 0.6
"""Seconds to start a pool of local workers (each imports the solver), measured on two cores
(`solve --workers 2` of four small scenarios took 0.3-0.6 s longer than one worker)."""


def workers_pay(each: float, remaining: int, workers: int) -> bool:
    """Whether `remaining` jobs of `each` seconds finish sooner on `workers` processes,
    counting the time to start them."""
    saved = remaining * each * (1 - 1 / min(workers, remaining))
    return saved > WORKER_START
