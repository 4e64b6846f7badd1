"""How a long solve stands, on standard error while it runs: elapsed time, best plan, gap.

Shown only where a person watches (standard error is a terminal) and only once a search has
run for `SHOW_AFTER` seconds, so quick solves and piped output stay as they were.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from optimizer.cli.common import errors

if TYPE_CHECKING:
    from optimizer.solvers.search import Progress, ProgressCallback

SHOW_AFTER = 1.0
"""Seconds before the status line appears."""


def status_text(source: str, metric: str, progress: Progress) -> str:
    """One line: `file: 12 s, best plan 45,123 conversions, bound 45,300, gap 0.39%`."""
    parts = [f"{source}: {progress.seconds:.0f} s"]
    if progress.objective is None:
        parts.append("no plan yet")
    else:
        parts.append(f"best plan {progress.objective:,.6g} {metric}")
    if progress.bound is not None:
        parts.append(f"bound {progress.bound:,.6g}")
    if progress.objective is not None and progress.gap is not None:
        parts.append(f"gap {progress.gap:.2%}")
    return ", ".join(parts) + " (Ctrl-C keeps the best plan)"


@contextmanager
def search_status(source: str, metric: str) -> Iterator[ProgressCallback | None]:
    """A progress callback that keeps one status line up to date, or None where nobody
    watches (a worker process, or standard error not a terminal)."""
    # sys.stderr itself, not the rich console, whose import a JSON run need not pay for;
    # and multiprocessing only where a terminal watches
    if not sys.stderr.isatty():
        yield None
        return
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        yield None
        return
    shown: list[Any] = []

    def show(progress: Progress) -> None:
        if progress.seconds < SHOW_AFTER:
            return
        text = status_text(source, metric, progress)
        if not shown:
            shown.append(errors.status(text))
            shown[0].start()
        else:
            shown[0].update(text)

    try:
        yield show
    finally:
        if shown:
            shown[0].stop()
