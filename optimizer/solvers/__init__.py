"""Backends: a LinearModel in, a Solution out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions, Status

if TYPE_CHECKING:
    import numpy as np

    from optimizer.solvers.search import ProgressCallback

__all__ = ["Solution", "SolveOptions", "Status", "run_solver"]


def run_solver(
    model: LinearModel,
    name: str,
    options: SolveOptions,
    progress: ProgressCallback | None = None,
    start: np.ndarray | None = None,
) -> Solution:
    """Solve with HiGHS in memory (`highs`) or through PuLP (`cbc` or any PuLP solver name),
    in any case (`CBC`, `gurobi`; PuLP's own HiGHS interface is `HiGHS`). `progress` hears
    how a HiGHS search stands about ten times a second; `start` is a plan (column values) to
    start the search from."""
    name = "cbc" if name.lower() == "cbc" else name
    if name == "highs":
        from optimizer.solvers.highs import solve_highs

        return solve_highs(model, options, progress, start)
    from optimizer.solvers.pulp_backend import solve_pulp

    return solve_pulp(model, options, name, start)
