"""`optimizer validate`: scenario files checked without solving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import EXIT_INVALID, _load_all, errors


@app.command(cls=_Command)
def validate(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Scenario files to check.")
    ],
) -> None:
    """Check scenario files without solving; list every problem found, and warn of share
    rules that only a plan buying nothing can meet together, of offers filed under a tier
    their followers are not in and of offers without a pool (`available`)."""
    from optimizer.analysis.notes import contradictions
    from optimizer.model.cells import derive_cells
    from optimizer.model.constraints import collect_constraints
    from optimizer.report.numbers import counted
    from optimizer.scenario.advice import offer_warnings

    loaded, invalid = _load_all(files)
    for path, scenario in loaded:
        cells = derive_cells(scenario)
        rules = collect_constraints(scenario, cells)
        figures = [
            counted(len(scenario.periods), "period"),
            counted(len(scenario.offers()), "offer"),
            counted(len(cells), "cell"),
            counted(rules.count, "constraint"),
        ]
        typer.echo(f"ok: {path}: {scenario.name!r}, {', '.join(figures)}")
        for doubt in offer_warnings(scenario):
            errors.print(f"warning: {path}: {doubt}", style="yellow", soft_wrap=True)
        for skipped in rules.skipped:
            typer.echo(f"  left out {skipped.name}: {skipped.reason}")
        for contradiction in contradictions(rules.plain):
            message = f"warning: {path}: {contradiction.message}"
            errors.print(message, style="yellow", soft_wrap=True)
    if invalid:
        raise typer.Exit(EXIT_INVALID)
