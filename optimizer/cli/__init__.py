"""The `optimizer` command: thin typer commands over the library, one module each.

Each command imports what it uses inside its function, for start-up time: a planner pays for
every module the process loads, and `--help`, `schema` or `presets` need no pandas, `validate`
no solver, `solve` none of the plotting and spreadsheet libraries of the other formats.
"""

from __future__ import annotations

from optimizer.cli.application import app

# Each command registers on `app` when its module is imported, and `optimizer --help` lists
# them in this order.
# isort: off
from optimizer.cli import init, solve, explain, compare, sweep, simulate, brief  # noqa: F401
from optimizer.cli import calibrate  # noqa: F401
from optimizer.cli import validate, schema, presets, serve  # noqa: F401
# isort: on

# Kept importable from `optimizer.cli`, where callers have found it.
from optimizer.cli.common import _no_plan  # noqa: F401

__all__ = ["app", "main"]


def main() -> None:
    app()
