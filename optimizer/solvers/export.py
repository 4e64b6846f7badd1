"""Write the model as .lp or .mps with names a reader can follow."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import highspy

from optimizer.errors import OptimizerError
from optimizer.files import atomic_path
from optimizer.model.linear import LinearModel
from optimizer.solvers.highs import to_highs

EXPORT_SUFFIXES = (".lp", ".mps")


def file_name(name: str, used: set[str]) -> str:
    """A name the LP and MPS formats accept: letters, digits and underscores, unique."""
    clean = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "x"
    if not clean[0].isalpha():
        clean = f"r_{clean}"
    candidate, number = clean, 2
    while candidate in used:
        candidate, number = f"{clean}_{number}", number + 1
    used.add(candidate)
    return candidate


def export_model(model: LinearModel, path: str | Path) -> Path:
    """Write the model to `path` (.lp or .mps by its ending), atomically."""
    path = Path(path)
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        raise OptimizerError(f"{path}: export needs a .lp or .mps file name")
    used: set[str] = set()
    renamed = replace(
        model,
        col_names=[file_name(name, used) for name in model.col_names],
        row_names=[file_name(name, used) for name in model.row_names],
    )
    highs = to_highs(renamed, names=True)
    with atomic_path(path) as temporary:
        if highs.writeModel(str(temporary)) != highspy.HighsStatus.kOk:
            raise OptimizerError(f"{path}: HiGHS could not write the model")
    return path
