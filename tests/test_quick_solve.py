"""The quick `solve` path: a plain command line runs without typer and ends exactly as typer's.

Each command line runs twice in child processes, as `python -m optimizer` (which takes the
quick path where it can) and through the typer app itself; standard output, standard error,
the exit code and any file written must agree, apart from the seconds a solve took.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from child_process import _python

from optimizer.cli.output import Format
from optimizer.cli.quick import plain_solve

THROUGH_TYPER = """
import sys
from optimizer.cli import app
app(sys.argv[1:], prog_name="optimizer")
"""

SCENARIO = "scenarios/csv-rate-card.yaml"


def _without_seconds(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_seconds(v) for v in value]
    return value


def _same_text(text: str) -> Any:
    """JSON without its timings; any other text as it is."""
    try:
        return _without_seconds(json.loads(text))
    except json.JSONDecodeError:
        return text


def _both(args: list[str], tmp_path: Path) -> list[tuple[int, Any, str, Any]]:
    """(exit code, output, standard error, file written) of each way, each in its own folder
    so that `-o` names a fresh file."""
    runs = []
    for way, prefix in (("quick", ["-m", "optimizer"]), ("typer", ["-c", THROUGH_TYPER])):
        folder = tmp_path / way
        folder.mkdir()
        here = [a.replace("OUT", str(folder)) for a in args]
        done = _python([*prefix, *here], check=False)
        written = sorted(folder.iterdir())
        files = [(p.name, _same_text(p.read_text())) for p in written]
        errors = done.stderr.replace(str(folder), "OUT")
        runs.append((done.returncode, _same_text(done.stdout), errors, files))
    return runs


@pytest.mark.parametrize(
    "args",
    [
        ["solve", SCENARIO, "-f", "json"],
        ["solve", SCENARIO, "--format=json", "--output", "OUT/plan.json"],
        ["solve", SCENARIO, "-o", "OUT/plan.csv"],
        ["solve", SCENARIO, "scenarios/min-spend-target.yaml", "--format", "json"],
        ["solve", "scenarios/infeasible/holiday-push.yaml", "-f", "json"],
        ["solve", "scenarios/missing.yaml"],
        ["solve", SCENARIO, "-f", "xlsx"],
        ["solve", SCENARIO, "-o", "OUT/plan.pdf"],
        ["solve", SCENARIO, "-f", "md", "-o", "OUT/plan.json"],
        ["solve", SCENARIO, "-o", SCENARIO],
        ["solve", SCENARIO, "--gap", "0.01", "--time-limit", "30", "--solver", "cbc", "-f", "json"],
        ["solve", SCENARIO, "--solver", "nosuch", "-f", "json"],
    ],
    ids=[
        "json",
        "json-file",
        "csv-files",
        "two-files",
        "infeasible",
        "missing-file",
        "xlsx-to-screen",
        "unknown-ending",
        "format-against-ending",
        "over-its-input",
        "gap-time-limit-cbc",
        "unknown-solver",
    ],
)
def test_the_quick_path_ends_as_typer_does(args: list[str], tmp_path: Path) -> None:
    assert plain_solve([a.replace("OUT", "out") for a in args]) is not None
    quick, typer = _both(args, tmp_path)
    assert quick == typer
    assert quick[0] in (0, 1, 2)


def test_the_quick_path_loads_no_typer() -> None:
    script = """
import sys
from optimizer.cli import main
sys.argv = ["optimizer", "solve", sys.argv[1], "-f", "json"]
try:
    main()
except SystemExit as done:
    print("exit", done.code)
print(sorted({name.split(".")[0] for name in sys.modules} & {"typer", "click"}))
"""
    last = _python(["-c", script, SCENARIO], check=True).stdout.splitlines()[-2:]
    assert last == ["exit 0", "[]"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["solve", "a.yaml"], ([Path("a.yaml")], {})),
        (
            ["solve", "a.yaml", "b.yaml", "-f", "csv"],
            ([Path("a.yaml"), Path("b.yaml")], {"format": Format.csv}),
        ),
        (["solve", "-o", "p.xlsx", "a.yaml"], ([Path("a.yaml")], {"output": Path("p.xlsx")})),
        (
            ["solve", "a.yaml", "--output=p.md", "--format=md", "--solver", "cbc"],
            ([Path("a.yaml")], {"output": Path("p.md"), "format": Format.md, "solver": "cbc"}),
        ),
        (
            ["solve", "a.yaml", "--gap", "1e-4", "--time-limit=60"],
            ([Path("a.yaml")], {"gap": 1e-4, "time_limit": 60.0}),
        ),
        (["solve", "a.yaml", "--gap", "1"], ([Path("a.yaml")], {"gap": 1.0})),
    ],
)
def test_a_plain_command_line_is_read(argv: list[str], expected: tuple[Any, ...]) -> None:
    assert plain_solve(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["solve"],  # typer names the missing FILE
        ["validate", "a.yaml"],
        ["solve", "a.yaml", "--workers", "2"],  # any other option
        ["solve", "a.yaml", "--explain"],
        ["solve", "a.yaml", "--help"],
        ["solve", "a.yaml", "-f", "JSON"],  # typer's error names the choices
        ["solve", "a.yaml", "-f", "pdf"],
        ["solve", "a.yaml", "-f"],  # typer's error: the option needs a value
        ["solve", "a.yaml", "-o", "--format"],
        ["solve", "a.yaml", "-f=json"],  # click reads the value "=json"
        ["solve", "a.yaml", "-fjson"],
        ["solve", "a.yaml", "-f", "json", "-f", "csv"],  # repeated
        ["solve", "--", "a.yaml"],
        ["solve", "a.yaml", "--output="],
        ["solve", "a.yaml", "--gap", "2"],  # out of range: typer says so
        ["solve", "a.yaml", "--gap", "-0.1"],
        ["solve", "a.yaml", "--gap", "nan"],
        ["solve", "a.yaml", "--gap", "tight"],
        ["solve", "a.yaml", "--time-limit", "0"],
    ],
)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert plain_solve(argv) is None


def test_the_quick_path_and_typer_take_the_same_defaults() -> None:
    """The quick path leaves every other option to `solve_files`' defaults, which must be
    the command's."""
    import inspect

    from optimizer.cli.solve import solve
    from optimizer.cli.solving import solve_files

    command = inspect.signature(solve).parameters
    function = inspect.signature(solve_files).parameters
    assert list(command) == list(function)
    for name in list(command)[1:]:
        assert command[name].default == function[name].default, name
