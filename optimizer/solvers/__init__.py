"""Backends: a LinearModel in, a Solution out."""

from __future__ import annotations

from optimizer.model.linear import LinearModel
from optimizer.solvers.base import Solution, SolveOptions, Status

__all__ = ["Solution", "SolveOptions", "Status", "run_solver"]


def run_solver(model: LinearModel, name: str, options: SolveOptions) -> Solution:
    """Solve with HiGHS in memory (`highs`) or through PuLP (`cbc` or any PuLP solver name),
    in any case (`CBC`, `gurobi`; PuLP's own HiGHS interface is `HiGHS`)."""
    name = "cbc" if name.lower() == "cbc" else name
    if name == "highs":
        from optimizer.solvers.highs import solve_highs

        return solve_highs(model, options)
    from optimizer.solvers.pulp_backend import solve_pulp

    return solve_pulp(model, options, name)
