"""What every backend returns: a status, the column values and the proof of quality."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real

import numpy as np

from optimizer.errors import OptimizerError


class Status(StrEnum):
    """How a solve ended (section 7's `status`); compares equal to its text."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    """Stopped by the time limit with a plan in hand; the gap says how good it is."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    """Stopped by the time limit before any plan was found."""

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def is_proof(self) -> bool:
        """Whether the search ended by proving something, not by a limit or an interrupt."""
        return self in (Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED)


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float
    gap: float
    node_limit: int | None = None
    """Most branch-and-bound nodes (HiGHS and CBC): a limit that, unlike time, gives the
    same plan on every run."""
    race: bool | None = None
    """Whether HiGHS races the count formulation on the other core (`race_partner`); None
    races weekly-size models only. On the held-out half of the benchmark family (no model
    that large) a race of every model took 11.5 s in all against 5.5 s for integer segments
    alone; on the largest weekly case integer segments alone reached 1.2% in 60 s where the
    count formulation reaches 0.1%, and on the weekly tuning case fam-010 the count
    formulation stopped at 60 s where segments took 0.1 s: there each core runs one."""

    def __post_init__(self) -> None:
        # The file's settings are checked when it loads; these come from callers directly.
        if not (is_number(self.time_limit) and self.time_limit > 0):
            raise OptimizerError(
                f"time_limit must be a number of seconds above 0, got {self.time_limit!r}"
            )
        if not (is_number(self.gap) and 0 <= self.gap <= 1):
            raise OptimizerError(f"gap must be a fraction from 0 to 1, got {self.gap!r}")
        # numpy's numbers are taken, and kept as floats: they reach JSON and HiGHS's options
        object.__setattr__(self, "time_limit", float(self.time_limit))
        object.__setattr__(self, "gap", float(self.gap))


def is_number(value: object) -> bool:
    """A finite real number, numpy's included; not a bool."""
    # numbers.Real takes numpy's numbers too (np.int64 is not an int)
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Solution:
    status: Status
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    seconds: float
    solver: str
    nodes: int | None = None
    interrupted: bool = False
    """Stopped at the user's request (Ctrl-C), with the best plan found by then."""
    method: str | None = None
    """How the plan was found when not by the solver's own search of the whole model (a
    roster's `column-generation+core-mip`); None for that search."""
    bound_method: str | None = None
    """What proves `bound` when not the solver's own search: a roster's `lagrangian` (each
    creator's own rows kept whole) or `lp` (the LP relaxation); None for that search."""


def relative_gap(value: float, bound: float) -> float:
    """|bound - value| / |value|, as HiGHS and CBC define the MIP gap (0 when both are 0)."""
    difference = abs(bound - value)
    if difference <= 1e-12:
        return 0.0
    return difference / max(abs(value), 1e-10)
