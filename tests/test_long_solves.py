"""Long solves: progress while they run, and Ctrl-C stops them with the best plan in hand."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from benchmark_modules import benchmark_module
from child_process import ROOT

import optimizer
from optimizer.cli.live import status_text
from optimizer.scenario.loading import scenario_from_dict
from optimizer.solvers.search import Progress


def weekly_case() -> dict:
    """A 52-week case whose proof takes far longer than the test waits."""
    document = benchmark_module("cases").generated("w52", 12, 5, 4)
    return {**document, "solver": {"time_limit": 120, "gap": 0.0}}


def test_progress_is_reported_while_the_search_runs() -> None:
    heard: list[Progress] = []
    document = benchmark_module("cases").generated("q4", 6, 4, 3)
    scenario = scenario_from_dict({**document, "solver": {"gap": 0.0, "time_limit": 30}})
    plan = optimizer.solve(scenario, progress=heard.append)
    assert plan.has_plan
    # a search of this size takes well over the 0.1 s between reports
    assert heard, "no progress reported"
    seconds = [p.seconds for p in heard]
    assert seconds == sorted(seconds)
    with_plan = [p for p in heard if p.objective is not None and p.bound is not None]
    assert with_plan
    for p in with_plan:  # a maximisation: no plan beats the bound, nor the final optimum
        assert p.objective <= p.bound + 1e-6 * abs(p.bound)
        assert p.objective <= plan.objective + 1e-6 * abs(plan.objective)


def test_the_status_line_says_where_the_search_stands() -> None:
    line = status_text("plan.yaml", "conversions", Progress(12.4, 45123.0, 45300.0, 0.0039, 812))
    assert line.startswith("plan.yaml: 12 s, best plan 45,123 conversions, bound 45,300, gap 0.39%")
    assert "no plan yet" in status_text("p", "reach", Progress(3.0, None, 9.0, None, 0))


def _read_until(master: int, text: str, seconds: float, seen: bytearray) -> bool:
    """Read the terminal's output into `seen` until it holds `text` or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:  # the child closed the terminal
                return text.encode() in seen
    return True


def test_ctrl_c_stops_the_search_and_returns_the_best_plan(tmp_path: Path) -> None:
    """Ctrl-C once the status line shows a plan (standard error is a terminal here, as a
    planner's is), however long start-up and the root node took on this machine."""
    path = tmp_path / "weekly.yaml"
    path.write_text(yaml.safe_dump(weekly_case()))
    master, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "solve", str(path), "--format", "json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        # a shell starting the tests in the background hands them Ctrl-C ignored, and a
        # child inherits that: the planner's terminal delivers it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(terminal)
    seen = bytearray()
    try:
        assert _read_until(master, "best plan", 90, seen), seen.decode(errors="replace")
        interrupted = time.perf_counter()
        child.send_signal(signal.SIGINT)
        drain = threading.Thread(target=_read_until, args=(master, "\0", 60, seen))
        drain.start()  # a full terminal would block the child's last messages
        stdout, _ = child.communicate(timeout=60)
        stopped_in = time.perf_counter() - interrupted
        drain.join()
    finally:
        child.kill()
        child.communicate()
        os.close(master)
    stderr = seen.decode(errors="replace")
    assert child.returncode == 0, stderr
    assert stopped_in < 10, stopped_in  # at once, not at the 120 s time limit
    result = json.loads(stdout)
    assert result["status"] == "feasible"
    assert result["solver"]["interrupted"] is True
    assert result["objective"]["gap"] > 0
    assert "stopped by Ctrl-C" in stderr


def test_ctrl_c_before_any_plan_says_so() -> None:
    from optimizer.cli.common import _no_plan

    assert _no_plan("w.yaml", "time_limit", interrupted=True) == (
        "w.yaml: no plan: stopped by Ctrl-C before any plan was found"
    )
