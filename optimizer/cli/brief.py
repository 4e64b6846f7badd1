"""`optimizer brief`: one row per post slot of a plan, with its discount code and link."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import (
    EXIT_INVALID,
    EXIT_NO_PLAN,
    _fail,
    _load_all,
    _no_plan,
    _writing,
    errors,
)
from optimizer.cli.options import GapOption, SolverOption, TimeLimitOption
from optimizer.cli.output import _check_writable
from optimizer.errors import OptimizerError


@app.command(cls=_Command)
def brief(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A scenario (solved first) or a saved plan JSON."),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="brief.csv or brief.xlsx."),
    ],
    url: Annotated[
        str,
        typer.Option(metavar="URL", help="The landing page each tracking link leads to."),
    ],
    campaign: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="utm_campaign and the codes' seed (default: the scenario's name as a slug).",
        ),
    ] = None,
    existing: Annotated[
        Path | None,
        typer.Option(
            metavar="CODES.csv",
            help="Codes already handed out (a code column, or one per line): never reused.",
        ),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="With a saved plan: its scenario, for each slot's figures under saturation.",
        ),
    ] = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    gap: GapOption = None,
) -> None:
    """List every post slot of a plan with a unique discount code and a tracking link.

    One row per post (a cell engaging 3 creators gives 3 rows) with its code, period,
    platform, tier, creator, expected spend, engagements and conversions, and the URL with
    utm_source, utm_medium=influencer, utm_campaign and utm_content=<code>. The same plan
    and campaign give the same codes. Exit code 0 with a brief, 1 when FILE has no plan, 2
    when the input is invalid.
    """
    from optimizer.cli.compare import _saved_result
    from optimizer.results.brief import make_brief, read_codes, write_brief
    from optimizer.results.codes import check_url

    if output.suffix.lower() not in (".csv", ".xlsx"):
        raise _fail(f"--output {output}: a brief is written as .csv or .xlsx")
    _check_writable("--output", output)
    inputs = [p for p in (file, existing, scenario) if p is not None]
    if any(output.resolve() == p.resolve() for p in inputs):
        raise _fail(f"--output {output}: that is an input file; give another name")
    try:
        check_url(url)
        taken = read_codes(existing) if existing is not None else set()
    except OptimizerError as error:
        raise _fail(str(error)) from None
    if _saved_result(file) == "plan":
        from optimizer.analysis.compare import load_result

        try:
            plan: object = load_result(file)
        except OptimizerError as error:
            raise _fail(str(error)) from None
        with_scenario = None
        if scenario is not None:
            loaded, invalid = _load_all([scenario])
            if invalid:
                raise typer.Exit(EXIT_INVALID)
            with_scenario = loaded[0][1]
    else:
        if scenario is not None:
            raise _fail("--scenario goes with a saved plan; FILE is a scenario already")
        from optimizer.cli.solving import _solve_one, _SolveSettings

        loaded, invalid = _load_all([file])
        if invalid:
            raise typer.Exit(EXIT_INVALID)
        solved = _solve_one((loaded[0][1], _SolveSettings(solver, time_limit, gap)))
        if not solved.has_plan:
            errors.print(_no_plan(str(file), solved.status))
            raise typer.Exit(EXIT_NO_PLAN)
        plan, with_scenario = solved, None
    try:
        made = make_brief(plan, url, campaign, taken, with_scenario)  # type: ignore[arg-type]
    except OptimizerError as error:
        raise _fail(str(error)) from None
    for note in made.notes:
        errors.print(f"note: {note}", style="yellow", soft_wrap=True)
    with _writing():
        write_brief(made, output)
    totals = made.totals()
    errors.print(
        f"wrote {output}: {len(made.rows):,} slots of campaign {made.campaign},"
        f" {totals['spend']:,.2f} {made.currency} expected spend"
    )
