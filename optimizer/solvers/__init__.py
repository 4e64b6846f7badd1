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
    if start is None and roster_method(model) == "decomposition":
        from optimizer.roster.decomposition import solve_decomposed

        solution = solve_decomposed(model, options)
        if solution is not None:
            return solution
        # the relaxation found no plan: the whole model's search says why
    if name == "highs":
        from optimizer.solvers.highs import solve_highs

        return solve_highs(model, options, progress, start)
    from optimizer.solvers.pulp_backend import solve_pulp

    return solve_pulp(model, options, name, start)


AUTO_MIP_CELLS = 8_000
"""Roster cells (creators x periods) up to which `roster.method: auto` searches the whole
MIP; above it, column generation and a core MIP (benchmarks/README.md)."""


def roster_method(model: LinearModel) -> str | None:
    """`mip` or `decomposition` for a model with a roster, None without one."""
    roster = model.scenario.roster
    if roster is None:
        return None
    if roster.method != "auto":
        return roster.method
    creators = int((model.cells.level("creator") != "").sum())
    return "mip" if creators <= AUTO_MIP_CELLS else "decomposition"
