"""`solve --workers N` uses workers only where they pay for their start."""

from __future__ import annotations

import json

from child_process import run

from optimizer.cli.progress import WORKER_START, workers_pay


def test_workers_pay_only_for_enough_work() -> None:
    assert not workers_pay(0.05, 3, 2)  # 0.075 s saved against the start
    assert workers_pay(2.0, 3, 2)  # 3 s saved
    # a second worker halves the rest at best: the break-even is twice the start
    assert not workers_pay(WORKER_START, 2, 2)
    assert workers_pay(WORKER_START * 1.01, 2, 2)
    assert not workers_pay(10.0, 1, 4)  # one job left: nothing to share


def test_small_scenarios_are_solved_here_and_say_so() -> None:
    files = ["scenarios/csv-rate-card.yaml", "scenarios/b2b-saas.yaml"]
    two = run("solve", *files, "--format", "json", "--workers", "2")
    one = run("solve", *files, "--format", "json")
    assert two.returncode == 0, two.stderr
    assert "--workers 2 would not pay" in two.stderr
    assert "would not pay" not in one.stderr
    objectives = [[p["objective"]["value"] for p in json.loads(r.stdout)] for r in (one, two)]
    assert objectives[0] == objectives[1]
