"""Campaign results back into the plan: briefs with discount codes and tracking links for
every post slot (section 11 of the format), results read and matched to offers, and
calibrated scenarios that pool the results with the planned figures (section 10)."""

from __future__ import annotations

from optimizer.results.brief import Brief, make_brief, read_brief, read_codes, write_brief
from optimizer.results.calibration import Calibration, calibrate
from optimizer.results.results import Results, read_results
from optimizer.results.tables import TableError
from optimizer.results.writing import calibrated_yaml

__all__ = [
    "Brief",
    "Calibration",
    "Results",
    "TableError",
    "calibrate",
    "calibrated_yaml",
    "make_brief",
    "read_brief",
    "read_codes",
    "read_results",
    "write_brief",
]
