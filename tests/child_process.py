"""The command line as a planner runs it: `python -m optimizer` in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(*args: Any) -> subprocess.CompletedProcess[str]:
    """`python -m optimizer ARGS` in a child process, from the repository's root."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )
