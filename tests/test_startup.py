"""Start-up: each command loads only the libraries it uses.

A planner runs `optimizer` as a whole process, so every module imported is paid for on every
run. The child process is `python -m optimizer` with `PYTHONPROFILEIMPORTTIME` set, so
Python lists on standard error each module the command imported.
"""

from __future__ import annotations

import pytest
from child_process import run

SCENARIO = "scenarios/ecommerce-dtc.yaml"

# Only the other output formats and solvers, the analyses (SciPy) and a Dask cluster use these.
NOT_FOR_SOLVE = {"pulp", "scipy", "matplotlib", "openpyxl", "dask", "distributed"}
# Building and solving a model: needed by `solve`, not by checking a file.
NOT_FOR_VALIDATE = NOT_FOR_SOLVE | {"highspy"}
# validate derives the cells (a DataFrame) to count them; the other commands need no table.
NOT_FOR_LIGHT = NOT_FOR_VALIDATE | {"pandas", "numpy"}


def imported(*args: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The top-level packages `optimizer ARGS` imports; the command must succeed."""
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    result = run(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    # "import time:       512 |       1024 |     pandas.core"
    rows = [line.split("|") for line in result.stderr.splitlines()]
    names = {row[-1].strip() for row in rows if row[0].startswith("import time:") and len(row) == 3}
    return {name.split(".")[0] for name in names} - {"imported package"}


@pytest.mark.parametrize(
    ("args", "forbidden", "needed"),
    [
        # `python -m optimizer` imports the package first: its names load on first use.
        (("--help",), NOT_FOR_LIGHT | {"pydantic", "yaml"}, {"typer", "optimizer"}),
        (("schema",), NOT_FOR_LIGHT, {"pydantic"}),
        (("presets",), NOT_FOR_LIGHT, {"pydantic"}),
        (("validate", SCENARIO), NOT_FOR_VALIDATE, {"pydantic", "pandas"}),
        (("solve", SCENARIO), NOT_FOR_SOLVE, {"highspy", "pandas"}),
        (("solve", SCENARIO, "--format", "json"), NOT_FOR_SOLVE, {"highspy", "pandas"}),
        # CSV holds the tables alone: no chart is drawn
        (("solve", SCENARIO, "--format", "csv"), NOT_FOR_SOLVE, {"highspy", "pandas"}),
    ],
    ids=["help", "schema", "presets", "validate", "solve", "solve-json", "solve-csv"],
)
def test_command_imports_only_what_it_uses(
    args: tuple[str, ...],
    forbidden: set[str],
    needed: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded = imported(*args, monkeypatch=monkeypatch)
    # What the command needs shows up, so an empty listing cannot pass for a light start.
    assert needed <= loaded
    assert not forbidden & loaded, f"optimizer {' '.join(args)} imported {forbidden & loaded}"


def test_every_public_name_loads_on_first_use() -> None:
    import optimizer

    for name in optimizer.__all__:
        assert getattr(optimizer, name) is not None, name
    assert optimizer.solve.__module__ == "optimizer.solving"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = optimizer.nothing_here
