"""Where independent jobs run: here, in local processes, or on a Dask cluster.

Batch solves and sweep points are independent jobs. Every executor returns results in the
order of the jobs; a job that raises is run again, and if it fails every time its error
comes back in its place as a `Failed`, so one bad point never loses the others. An
`OptimizerError` (bad input, an unknown solver) is not transient: it is raised at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from optimizer.errors import OptimizerError

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

# How many times a failed job is run again before its error is reported.
RETRIES = 1

OnDone = Callable[[int], None]
"""Called with the index of each job as it finishes (or finally fails), for progress bars."""


@dataclass(frozen=True)
class Failed:
    """A job that failed on every try: where it stands in the results, and why."""

    error: str
    tries: int


class Executor(Protocol):
    def map(
        self, function: Callable[[Any], Any], jobs: Sequence[Any], on_done: OnDone | None = None
    ) -> list[Any]:
        """`function(job)` for every job, in order; a `Failed` where a job kept failing."""
        ...


def _describe(error: BaseException) -> str:
    if isinstance(error, OptimizerError):
        return str(error)
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(error, BrokenProcessPool):
        # Python's own words do not say why; these are the causes seen in practice
        return (
            "BrokenProcessPool: a worker process ended abruptly (out of memory, a crash, or a"
            ' script that starts workers outside `if __name__ == "__main__":`)'
        )
    return f"{type(error).__name__}: {error}"


def start_method() -> BaseContext:
    """Workers start from a clean process, never forked from this one.

    A process that has solved with HiGHS holds its thread pool; a forked copy inherits the
    pool's state without its threads and spins forever on the first solve. The fork server
    (where the platform has one) keeps start-up cheap: it imports optimizer once and forks
    the workers from itself.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["optimizer.solving"])
        return context
    return multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class LocalExecutor:
    """Jobs in this process (`workers=1`) or in a pool of local processes."""

    workers: int = 1
    retries: int = RETRIES

    def map(
        self, function: Callable[[Any], Any], jobs: Sequence[Any], on_done: OnDone | None = None
    ) -> list[Any]:
        results: list[Any] = [None] * len(jobs)
        pending = list(range(len(jobs)))
        for attempt in range(1, self.retries + 2):
            failed = []
            for index, value, error in self._run(function, jobs, pending, attempt > 1):
                if isinstance(error, OptimizerError):
                    raise error
                if error is None:
                    results[index] = value
                elif attempt <= self.retries:
                    failed.append(index)
                    continue
                else:
                    results[index] = Failed(_describe(error), attempt)
                if on_done:
                    on_done(index)
            pending = sorted(failed)
            if not pending:
                break
        return results

    def _run(
        self, function: Callable[[Any], Any], jobs: Sequence[Any], indices: list[int], retry: bool
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """(index, result, error) for each job, as each finishes."""
        if self.workers <= 1:
            for index in indices:
                try:
                    yield index, function(jobs[index]), None
                except Exception as error:  # reported per job, not raised
                    yield index, None, error
            return
        # A worker that dies (a crash, the out-of-memory killer) takes its whole pool down,
        # and every job still in it fails with it. So a retry runs each job alone, in a
        # process of its own: the jobs that only shared a pool with the culprit then finish,
        # and a job that kills its process never runs in this one.
        from concurrent.futures import ProcessPoolExecutor, as_completed

        batches = [[index] for index in indices] if retry else [indices]
        for batch in batches:
            workers = min(self.workers, len(batch))
            with ProcessPoolExecutor(max_workers=workers, mp_context=start_method()) as pool:
                futures: dict[Future[Any], int] = {
                    pool.submit(function, jobs[index]): index for index in batch
                }
                for future in as_completed(futures):
                    try:
                        yield futures[future], future.result(), None
                    except Exception as error:  # reported per job, not raised
                        yield futures[future], None, error


@dataclass(frozen=True)
class DaskExecutor:
    """Jobs on a Dask distributed cluster, whose scheduler listens at `address`.

    Every worker needs optimizer installed (`pip install "optimizer[dask]"`). Dask itself
    runs a failed job again on another worker, `retries` times.
    """

    address: str
    retries: int = RETRIES
    connect_timeout: float = 30.0

    def map(
        self, function: Callable[[Any], Any], jobs: Sequence[Any], on_done: OnDone | None = None
    ) -> list[Any]:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise OptimizerError(
                'running on Dask needs the dask extra: pip install "optimizer[dask]"'
            ) from None
        _check_address(self.address)
        try:
            client = Client(self.address, timeout=self.connect_timeout)
        except OSError as error:
            raise OptimizerError(
                f"cannot reach the Dask scheduler at {self.address}: {error}"
            ) from None
        with client:
            futures = client.map(function, list(jobs), pure=False, retries=self.retries)
            position = {future.key: index for index, future in enumerate(futures)}
            results: list[Any] = [None] * len(jobs)
            for future in dask_completed(futures):
                index = position[future.key]
                try:
                    results[index] = future.result()
                except OptimizerError:
                    raise
                except Exception as error:  # reported per job, not raised
                    results[index] = Failed(_describe(error), self.retries + 1)
                if on_done:
                    on_done(index)
        return results


def _check_address(address: str) -> None:
    """Refuse an address Dask cannot read before a client is made: a client that fails on
    one leaves Dask's event loop unusable for the next in the same process."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as error:
        raise OptimizerError(
            f"cannot reach the Dask scheduler at {address}: {error}; write it as tcp://HOST:PORT"
        ) from None


def executor_for(workers: int = 1, dask: str | None = None) -> Executor:
    """The executor the command line's `--workers N` and `--dask ADDRESS` ask for."""
    return DaskExecutor(dask) if dask else LocalExecutor(workers)
