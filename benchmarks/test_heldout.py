"""A few held-out family cases (`family.py`), ours against the naive way, each as a whole
process timed from outside.

    .venv/bin/python -m pytest benchmarks/test_heldout.py
    BENCH_HELDOUT=fam-003,fam-021 .venv/bin/python -m pytest benchmarks/test_heldout.py

The case is written as a YAML file and solved by `optimizer solve FILE --format json`
(measured) and by `python -m benchmarks.naive FILE` (once, in the same run), both at the
case's gap; `extra_info` holds the naive seconds and naive / ours. Both must reach the same
optimum within the gap when both closed it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from family import HELD_OUT, gap_of, write_family
from heldout import run_ours, run_script

DEFAULT = ["fam-001", "fam-003", "fam-013", "fam-031", "fam-049"]
chosen = os.environ.get("BENCH_HELDOUT", "")
CASES = list(HELD_OUT) if chosen == "all" else (chosen.split(",") if chosen else DEFAULT)
TIME_LIMIT = 60.0


@pytest.mark.parametrize("name", CASES)
def test_whole_process(benchmark, tmp_path: Path, name: str) -> None:
    (path,) = write_family(tmp_path, [name])
    gap = gap_of(name)
    ours = benchmark.pedantic(run_ours, args=(path, gap, TIME_LIMIT), rounds=1)
    naive = run_script("benchmarks.naive", path, gap, TIME_LIMIT)
    benchmark.extra_info.update(
        seconds=round(ours["seconds"], 3),
        objective=ours["objective"],
        naive_seconds=round(naive["seconds"], 3),
        naive_objective=naive["objective"],
        naive_status=naive["status"],
        speedup=round(naive["seconds"] / ours["seconds"], 2),
    )
    assert ours["status"] == "optimal", ours
    if naive["status"] == "optimal":
        assert ours["objective"] == pytest.approx(naive["objective"], rel=2 * gap, abs=1e-6)
