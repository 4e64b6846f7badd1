"""Child processes from the repository's root: the command line as a planner runs it
(`python -m optimizer`), and scripts that need a process of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(*args: Any) -> subprocess.CompletedProcess[str]:
    """`python -m optimizer ARGS` in a child process, from the repository's root."""
    return run_module("optimizer", *args)


def run_module(module: str, *args: Any) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS` in a child process, from the repository's root."""
    return _python(["-m", module, *map(str, args)], check=False)


def run_script(script: str, *args: str) -> str:
    """`python -c SCRIPT ARGS` in a child process, which must succeed: its standard output.

    For what a test process cannot do to itself: start HiGHS's thread pools afresh, or see
    what a process prints on its own standard output."""
    return _python(["-c", script, *args], check=True).stdout


def run_file(script: Path) -> subprocess.CompletedProcess[str]:
    """`python SCRIPT` in a child process from the script's own folder, as a developer runs a
    script of their own."""
    return _python([str(script)], check=False, cwd=script.parent, timeout=300)


def _python(
    arguments: list[str], *, check: bool, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"},
        timeout=timeout,
        check=check,
    )
