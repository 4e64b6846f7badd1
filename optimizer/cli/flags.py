"""The names and bounds of the options the quick `solve` path reads without typer
(`optimizer.cli.quick`); `options.py` declares typer's options from the same values."""

from __future__ import annotations

FORMAT = ("--format", "-f")
OUTPUT = ("--output", "-o")
SOLVER = ("--solver",)
TIME_LIMIT = ("--time-limit",)
GAP = ("--gap",)

TIME_LIMIT_MIN = 0.001
GAP_MIN, GAP_MAX = 0.0, 1.0
