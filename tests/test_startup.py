"""Start-up: each command loads only the libraries it uses.

A planner runs `optimizer` as a whole process, so every module imported is paid for on every
run. The child process is `python -m optimizer` with `PYTHONPROFILEIMPORTTIME` set, so
Python lists on standard error each module the command imported.
"""

from __future__ import annotations

import pytest
from child_process import run, run_script

SCENARIO = "scenarios/ecommerce-dtc.yaml"

# Only the other output formats and solvers, the analyses (SciPy) and a Dask cluster use these.
NOT_FOR_SOLVE = {"pulp", "scipy", "matplotlib", "openpyxl", "dask", "distributed"}
# The plan's JSON is written from its arrays: pandas only makes the tables of the reports, and
# a progress bar shows only for several files. A YAML file needs no TOML parser, a search
# nobody watches no check for worker processes, and a plan without conflicts or prices not
# their classes.
NOT_FOR_JSON = NOT_FOR_SOLVE | {
    "pandas",
    "rich.progress",
    "tomllib",
    "multiprocessing",
    "optimizer.analysis.results",
}
# Building and solving a model: needed by `solve`, not by checking a file.
NOT_FOR_VALIDATE = NOT_FOR_JSON | {"highspy"}
# A plain `solve` command line runs without typer (`optimizer.cli.quick`), nor click's
# spelling suggestions (difflib) for a valid scenario.
QUICK = {"typer", "difflib"}
# validate derives the cells (numpy arrays) to count them; the other commands need none.
NOT_FOR_LIGHT = NOT_FOR_VALIDATE | {"numpy"}


def imported(*args: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The modules `optimizer ARGS` imports, and their top-level packages; the command must
    succeed."""
    monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    result = run(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    # "import time:       512 |       1024 |     pandas.core"
    rows = [line.split("|") for line in result.stderr.splitlines()]
    names = {row[-1].strip() for row in rows if row[0].startswith("import time:") and len(row) == 3}
    return (names | {name.split(".")[0] for name in names}) - {"imported package"}


@pytest.mark.parametrize(
    ("args", "forbidden", "needed"),
    [
        # `python -m optimizer` imports the package first: its names load on first use.
        (("--help",), NOT_FOR_LIGHT | {"pydantic", "yaml"}, {"typer", "optimizer"}),
        (("schema",), NOT_FOR_LIGHT, {"pydantic"}),
        (("presets",), NOT_FOR_LIGHT, {"pydantic"}),
        (("validate", SCENARIO), NOT_FOR_VALIDATE, {"pydantic", "numpy"}),
        (("solve", SCENARIO), NOT_FOR_SOLVE | QUICK, {"highspy"}),
        (("solve", SCENARIO, "--format", "json"), NOT_FOR_JSON | QUICK, {"highspy", "numpy"}),
        # a risk plan is the plain plan with its figures replaced, its allocation as stored
        (
            ("solve", "scenarios/uncertainty.yaml", "--format", "json"),
            NOT_FOR_JSON | QUICK,
            {"highspy"},
        ),
        # any other option goes through typer
        (("solve", SCENARIO, "--workers", "1"), NOT_FOR_SOLVE, {"highspy", "typer"}),
        # CSV holds the tables alone: no chart is drawn
        (("solve", SCENARIO, "--format", "csv"), NOT_FOR_SOLVE, {"highspy", "pandas"}),
    ],
    ids=[
        "help",
        "schema",
        "presets",
        "validate",
        "solve",
        "solve-json",
        "solve-json-uncertain",
        "solve-typer",
        "solve-csv",
    ],
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


def test_a_plan_writes_json_without_pandas_and_makes_its_allocation_on_first_use() -> None:
    script = """
import json, sys
import optimizer
plan = optimizer.solve(sys.argv[1])
text = plan.to_json()
print("pandas" in sys.modules)
allocation = plan.allocation
print("pandas" in sys.modules)
keys = [(row["period"], row["platform"], row["tier"]) for row in json.loads(text)["allocation"]]
print(list(allocation.index) == keys, list(allocation.index.names))
print(plan.to_json() == text)
"""
    lines = run_script(script, SCENARIO).splitlines()
    assert lines == ["False", "True", "True ['period', 'platform', 'tier']", "True"]


def test_a_command_loads_its_own_module_and_no_other_command() -> None:
    """typer makes a click command of every registered function before it parses, so the
    process registers only the command it runs; `--help` lists every one."""
    script = """
import sys
from optimizer.cli import COMMANDS, main
try:
    main()
except SystemExit:
    pass
print(*sorted(set(COMMANDS) & {name.rsplit(".", 1)[-1] for name in sys.modules
                               if name.startswith("optimizer.cli.")}))
"""
    from optimizer.cli import COMMANDS

    assert run_script(script, "validate", SCENARIO).splitlines()[-1] == "validate"
    assert run_script(script, "--help").splitlines()[-1].split() == sorted(COMMANDS)
