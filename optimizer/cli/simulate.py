"""`optimizer simulate`: a plan judged on the scenario's draws, without re-optimising."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    _emit,
    _fail,
    _load_all,
    _no_plan,
    _report_invalid,
    errors,
)
from optimizer.cli.live import search_status
from optimizer.cli.options import (
    FormatOption,
    GapOption,
    OutputOption,
    SolverOption,
    TimeLimitOption,
)
from optimizer.cli.output import Format, _charts_in, _output_format, _write_report
from optimizer.cli.progress import _timed_progress
from optimizer.errors import OptimizerError, ScenarioError
from optimizer.jsontext import json_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from optimizer.uncertainty.simulate import Simulation


@app.command(cls=_Command)
def simulate(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            metavar="PLAN.json",
            help="A saved plan (solve --format json) to judge; by default the plan solve"
            " returns for FILE.",
        ),
    ] = None,
    format: FormatOption = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            metavar="N",
            min=1,
            max=100_000,
            help="Judge the plan on N fresh draws (1 to 100,000) instead of the file's.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="S",
            min=0,
            max=2**62,
            help="Seed of the fresh draws; another seed gives an independent set.",
        ),
    ] = None,
    draws_file: Annotated[
        Path | None,
        typer.Option(
            "--draws-file",
            metavar="F.csv",
            help="Judge the plan on these draws (section 8.2 of the format) instead.",
        ),
    ] = None,
    output: OutputOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
) -> None:
    """Judge a plan on the scenario's draws (section 8 of the format; the default draws
    where the file has no `uncertainty`): P10, P50 and P90 of every figure, how often it
    reaches each target and how often it spends above the budget.

    Exit code 0 with a plan, 1 when FILE has none, 2 when the input is invalid.
    """
    from optimizer.uncertainty.simulate import read_saved_plan
    from optimizer.uncertainty.simulate import simulate as run

    if draws_file is not None and (draws is not None or seed is not None):
        raise _fail("--draws-file gives the draws themselves: leave out --draws and --seed")
    chosen = _output_format(format, output, [file])
    read = {p.resolve() for p in (plan, draws_file) if p}
    if output is not None and output.resolve() in read:
        raise _fail(f"--output {output}: that is an input file; give another name")
    loaded, invalid = _load_all([file])
    if invalid or not loaded:
        raise typer.Exit(EXIT_INVALID)
    _, scenario = loaded[0]
    try:
        counts = None if plan is None else read_saved_plan(plan, scenario)
        with (
            search_status(scenario.name, scenario.objective.metric) as progress,
            _timed_progress("judging the draws") as on_draws,
        ):
            simulation = run(
                scenario,
                counts,
                plan_source="solve" if plan is None else str(plan),
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                draws=draws,
                seed=seed,
                draws_file=draws_file,
                progress=progress,
                on_draws=on_draws,
            )
    except ScenarioError as error:
        _report_invalid(error)
        raise typer.Exit(EXIT_INVALID) from None
    except OptimizerError as error:
        raise _fail(str(error)) from None
    if not simulation.has_plan:
        errors.print(_no_plan(str(file), str(simulation.status)))
        raise typer.Exit(EXIT_NO_PLAN)
    if chosen is Format.json:
        _emit(json_text(simulation.to_dict()) + "\n", output)
    elif chosen is Format.table:
        _emit(_view(simulation), output)
    else:
        from optimizer.report.document import simulation_report

        report = simulation_report(simulation, with_charts=_charts_in(chosen))
        _write_report(report, chosen, output, [p for p in (file, plan, draws_file) if p])


def _view(simulation: Simulation) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from optimizer.report.uncertainty import uncertainty_lines, uncertainty_table

    assert simulation.uncertainty is not None
    shown = simulation.to_dict()
    scenario = simulation.scenario
    allocation = Table(title="Plan", title_justify="left")
    for heading in ("Period", "Platform", "Tier", "Count"):
        allocation.add_column(heading, justify="right" if heading == "Count" else "left")
    for row in shown["allocation"]:
        allocation.add_row(row["period"], row["platform"], row["tier"], f"{row['count']:g}")
    uncertainty = shown["uncertainty"]
    lines = uncertainty_lines(uncertainty, scenario.objective.metric, scenario.currency)
    return Group(
        Text(f"{scenario.name}  plan from {simulation.plan}", style="bold"),
        allocation,
        uncertainty_table(uncertainty, simulation.totals, scenario.currency),
        *(Text(line) for line in lines),
    )
