"""Executors: results in order, failed jobs retried, errors reported in place, on a real
local Dask cluster the test starts itself."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from child_process import run_script

from optimizer import load_scenario, solve, sweep
from optimizer.executors import DaskExecutor, Failed, LocalExecutor

ROOT = Path(__file__).resolve().parent.parent


def square(value: int) -> int:
    return value * value


def fails_once(job: tuple[str, int]) -> int:
    """Fails the first time it sees its marker file missing, then works."""
    marker, value = Path(job[0]), job[1]
    if not marker.exists():
        marker.touch()
        raise RuntimeError(f"first try of {value}")
    return value * 10


def always_fails(value: int) -> int:
    if value == 3:
        raise ValueError("three is broken")
    return value


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    # A dashboard on any free port: the default 8787 may be another run's, and taking
    # another port then is a warning, which this suite treats as an error.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("workers", [1, 2])
def test_local_results_come_back_in_order(workers: int) -> None:
    done: list[int] = []
    results = LocalExecutor(workers).map(square, list(range(7)), done.append)
    assert results == [value * value for value in range(7)]
    assert sorted(done) == list(range(7))


@pytest.mark.parametrize("workers", [1, 2])
def test_local_retries_a_failed_job(tmp_path: Path, workers: int) -> None:
    jobs = [(str(tmp_path / f"marker-{i}"), i) for i in range(4)]
    (tmp_path / "marker-0").touch()  # job 0 works the first time, the others fail once
    assert LocalExecutor(workers).map(fails_once, jobs) == [0, 10, 20, 30]


def test_workers_start_clean_after_this_process_has_solved() -> None:
    """A worker forked from a process that has run HiGHS would spin forever on its solve."""
    script = (
        "from optimizer import solve; from optimizer.executors import LocalExecutor;"
        f"files = [{str(ROOT / 'scenarios' / 'b2b-saas.yaml')!r}] * 2;"
        "alone = solve(files[0]).objective;"
        "print([plan.objective == alone for plan in LocalExecutor(2).map(solve, files)])"
    )
    assert run_script(script).strip() == "[True, True]"


@pytest.mark.parametrize("workers", [1, 2])
def test_local_reports_a_job_that_keeps_failing(workers: int) -> None:
    results = LocalExecutor(workers, retries=2).map(always_fails, [1, 2, 3, 4])
    assert results[:2] == [1, 2] and results[3] == 4
    assert results[2] == Failed("ValueError: three is broken", 3)


def test_dask_results_come_back_in_order(cluster: str) -> None:
    done: list[int] = []
    results = DaskExecutor(cluster).map(square, list(range(9)), done.append)
    assert results == [value * value for value in range(9)]
    assert sorted(done) == list(range(9))


def test_dask_retries_and_reports(cluster: str, tmp_path: Path) -> None:
    jobs = [(str(tmp_path / f"marker-{i}"), i) for i in range(3)]
    assert DaskExecutor(cluster).map(fails_once, jobs) == [0, 10, 20]
    results = DaskExecutor(cluster, retries=0).map(always_fails, [2, 3])
    assert results[0] == 2
    assert isinstance(results[1], Failed) and "three is broken" in results[1].error


def test_dask_sweep_equals_independent_solves(cluster: str) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "saturation.yaml")
    budgets = [200_000.0, 300_000.0, 400_000.0]
    result = sweep(scenario, budgets, executor=DaskExecutor(cluster), workers=2)
    for budget, objective in zip(budgets, result.points["objective"], strict=True):
        budget_spec = scenario.budget.model_copy(update={"total": budget})
        alone = solve(scenario.model_copy(update={"budget": budget_spec}))
        assert objective == pytest.approx(alone.objective, rel=2 * scenario.solver.gap)


@pytest.mark.parametrize(
    ("address", "hint"),
    [
        ("tcp://127.0.0.1:9", ""),
        ("notanaddress", "write it as tcp://HOST:PORT"),
        ("http://127.0.0.1:8786", "write it as tcp://HOST:PORT"),
    ],
)
def test_an_unreachable_or_malformed_scheduler_is_a_clear_error(address: str, hint: str) -> None:
    pytest.importorskip("distributed")
    from optimizer.errors import OptimizerError

    with pytest.raises(OptimizerError, match="cannot reach the Dask scheduler") as caught:
        DaskExecutor(address, connect_timeout=2).map(square, [1])
    assert ("write it as tcp://HOST:PORT" in str(caught.value)) == bool(hint)


class LosesSecondJob:
    """Runs jobs here, but job 1 fails on every try (a worker that keeps dying)."""

    def map(self, function, jobs, on_done=None):  # type: ignore[no-untyped-def]
        results = LocalExecutor().map(function, jobs, on_done)
        results[1] = Failed("worker lost", 2)
        return results


def test_a_sweep_point_that_keeps_failing_is_reported_not_lost() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "saturation.yaml")
    budgets = [200_000.0, 250_000.0, 300_000.0, 350_000.0]
    result = sweep(scenario, budgets, executor=LosesSecondJob(), workers=4)
    points = result.points
    assert points["budget"].tolist() == budgets
    assert points["status"].tolist() == ["optimal", "error", "optimal", "optimal"]
    assert points.loc[1, "error"] == "worker lost"
    assert points["objective"].notna().tolist() == [True, False, True, True]
    as_json = result.to_dict()["points"]
    assert as_json[1]["error"] == "worker lost" and as_json[1]["objective"] is None
    assert "error" not in as_json[0] and as_json[0]["totals"]["count"] > 0


def test_a_scenario_error_travels_back_from_a_worker() -> None:
    import pickle

    from optimizer.errors import Problem, ScenarioError

    error = pickle.loads(pickle.dumps(ScenarioError("a.yaml", [Problem("budget", "bad")])))
    assert error.source == "a.yaml" and error.problems == [Problem("budget", "bad")]


def dies_or_waits(job: str) -> str:
    """`die` ends its process as a crash would, at once or after a while; `wait` is a
    healthy job that takes a while, `quick` one that does not."""
    if job == "die-late":
        time.sleep(0.5)
    if job.startswith("die"):
        os._exit(3)
    if job == "wait":
        time.sleep(0.5)
    return job


def test_a_crashing_job_loses_no_other_job() -> None:
    # The crash takes the pool down with the waiting jobs in it; the retry runs each alone.
    results = LocalExecutor(2).map(dies_or_waits, ["die", "wait", "wait"])
    assert results[1:] == ["wait", "wait"]
    assert isinstance(results[0], Failed) and results[0].tries == 2
    assert results[0].error.startswith("BrokenProcessPool: a worker process ended abruptly")
    assert 'if __name__ == "__main__":' in results[0].error


def test_a_crashing_job_is_never_retried_in_the_calling_process() -> None:
    """Left as the only job to retry, it still runs in a worker: the caller lives on."""
    printed = run_script(
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_executors import dies_or_waits;"
        "from optimizer.executors import LocalExecutor;"
        "print(LocalExecutor(2).map(dies_or_waits, ['quick', 'die-late']))",
        str(Path(__file__).parent),
    )
    assert printed.startswith("['quick', Failed(error='BrokenProcessPool")
