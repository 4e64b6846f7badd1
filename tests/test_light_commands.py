"""`validate`, `schema`, `init` and `--help` load no table, solver or report library.

Each command runs in a child process of its own through a small wrapper that, once the command
has finished, prints which of those libraries `sys.modules` holds: whatever imported them
(the command, a check it calls, a module imported on the way) shows there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from child_process import run_script

HEAVY = ("pandas", "highspy", "scipy", "matplotlib", "openpyxl", "pulp")

WRAPPER = f"""
import json, sys
from optimizer.cli import app
try:
    app(sys.argv[1:])
except SystemExit as done:
    code = done.code or 0
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"exit": code, "heavy": loaded, "pydantic": "pydantic" in sys.modules}}))
"""


def heavy_modules(*args: str) -> tuple[int, list[str], bool]:
    """The exit code, the heavy libraries loaded and whether pydantic was (the command did
    its work, not only parse its options) for `optimizer ARGS`."""
    last = run_script(WRAPPER, *args).splitlines()[-1]
    report = json.loads(last)
    return report["exit"], report["heavy"], report["pydantic"]


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("validate", "--help"),
        ("schema",),
        ("init",),
        ("validate", "scenarios/ecommerce-dtc.yaml"),
        ("validate", "scenarios/csv-rate-card.yaml", "scenarios/infeasible/holiday-push.yaml"),
    ],
    ids=["help", "validate-help", "schema", "init", "validate", "validate-csv"],
)
def test_a_light_command_loads_no_table_or_solver_library(args: tuple[str, ...]) -> None:
    code, heavy, _ = heavy_modules(*args)
    assert code == 0
    assert heavy == [], f"optimizer {' '.join(args)} loaded {heavy}"


def test_validate_warning_and_failing_loads_none_either(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(
        "platform,tier,followers,cost_per_post,engagement_rate,conversion_rate\n"
        "tiktok,micro,300000,100,0.05,0.02\n"
    )
    doubtful = tmp_path / "doubtful.yaml"
    doubtful.write_text("name: d\nbudget: {total: 1000}\nplatforms: {from_csv: rates.csv}\n")
    code, heavy, loaded_pydantic = heavy_modules("validate", str(doubtful))
    assert (code, heavy, loaded_pydantic) == (0, [], True)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: b\nbudget: {total: -1}\nplatforms: {from_csv: rates.csv}\n")
    assert heavy_modules("validate", str(broken)) == (2, [], True)


def test_the_wrapper_sees_a_heavy_library_when_one_is_loaded() -> None:
    """So that an empty list means a light command, not a wrapper that sees nothing."""
    code, heavy, _ = heavy_modules("solve", "scenarios/ecommerce-dtc.yaml")
    assert code == 0 and "highspy" in heavy
