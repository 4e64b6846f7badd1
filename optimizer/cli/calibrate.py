"""`optimizer calibrate`: a scenario whose offers are pooled with campaign results."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.application import _Command, app
from optimizer.cli.common import EXIT_INVALID, _emit, _error, _fail, _load_all, _writing, errors
from optimizer.cli.output import _check_writable
from optimizer.errors import OptimizerError, ScenarioError
from optimizer.jsontext import json_text

SHOWN_UNMATCHED = 20
"""Unmatched rows named on standard error; the report lists every one."""


class CalibrateFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    md = "md"
    html = "html"
    xlsx = "xlsx"


@app.command(cls=_Command)
def calibrate(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="The planned scenario.")],
    results: Annotated[
        Path,
        typer.Argument(metavar="RESULTS", help="Campaign results (.csv or .xlsx), a row per post."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="CALIBRATED.yaml", help="The calibrated scenario to write."
        ),
    ],
    brief: Annotated[
        Path | None,
        typer.Option(metavar="BRIEF", help="The brief (csv or xlsx) whose codes rows carry."),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            metavar="FIELD=HEADER,...",
            help='Headers of other names: spend="Amount spent",conversions=Purchases.',
        ),
    ] = None,
    format: Annotated[
        CalibrateFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, json, markdown, html or xlsx (default: table, or --report's ending).",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the report here (xlsx needs it)."),
    ] = None,
    width: Annotated[
        float,
        typer.Option(
            min=0.001, max=1.0, metavar="W", help="Learning: +-W of the conversion rate to aim at."
        ),
    ] = 0.2,
    plan: Annotated[
        Path | None,
        typer.Option(
            metavar="PLAN.json",
            help="The saved plan (solve --format json): learning weighs the posts against"
            " what it spends on emerging tests (default: 10% of budget.total).",
        ),
    ] = None,
    borrow: Annotated[
        bool,
        typer.Option(
            "--borrow/--no-borrow",
            help="Let an offer's prior borrow from the same tier on other platforms.",
        ),
    ] = False,
) -> None:
    """Pool a scenario's offers with campaign results and write the calibrated scenario.

    The file written extends SCENARIO by a relative path and overrides only the figures of
    offers with results: each a range centred on the calibrated figure that holds its
    central 80% credible interval, with a comment saying what it rests on. The report shows
    planned, observed and calibrated figures per offer and the posts it takes to know each
    conversion rate to +-W, and whether the plan's spend on emerging tests (--plan; else
    10% of budget.total) buys them. Exit code 0 when written, 2 when the input is invalid (a bad
    cell names its row and column).
    """
    from optimizer.files import write_text
    from optimizer.results import TableError
    from optimizer.results.brief import read_brief
    from optimizer.results.calibration import calibrate as run
    from optimizer.results.results import RESULT_FIELDS, read_results
    from optimizer.results.tables import parse_mapping
    from optimizer.results.writing import calibrated_yaml

    chosen = _format(format, report)
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise _fail(f"--output {output}: the calibrated scenario is YAML: end it in .yaml")
    for option, path in (("--output", output), ("--report", report)):
        _check_writable(option, path)
        inputs = [p for p in (scenario, results, brief, plan) if p is not None]
        if path is not None and any(path.resolve() == p.resolve() for p in inputs):
            raise _fail(f"{option} {path}: that is an input file; give another name")
    try:
        mapping = parse_mapping(columns, RESULT_FIELDS)
    except OptimizerError as error:
        raise _fail(str(error)) from None
    loaded, invalid = _load_all([scenario])
    if invalid:
        raise typer.Exit(EXIT_INVALID)
    planned = loaded[0][1]
    try:
        slots = read_brief(brief) if brief is not None else None
        read = read_results(results, planned, mapping, slots)
    except TableError as error:
        for line in error.lines():
            _error(line)
        raise typer.Exit(EXIT_INVALID) from None
    except OptimizerError as error:
        raise _fail(str(error)) from None
    for row in read.unmatched[:SHOWN_UNMATCHED]:
        errors.print(f"warning: {read.source} {row.row}: not used: {row.reason}", soft_wrap=True)
    if len(read.unmatched) > SHOWN_UNMATCHED:
        errors.print(
            f"warning: and {len(read.unmatched) - SHOWN_UNMATCHED:,} more unmatched rows"
            " (the report lists every one)"
        )
    saved = None
    if plan is not None:
        from optimizer.analysis.compare import load_result

        try:
            saved = load_result(plan)
        except OptimizerError as error:
            raise _fail(f"--plan {error}") from None
    try:
        calibration = run(planned, read, borrow=borrow, width=width, plan=saved)
    except OptimizerError as error:
        raise _fail(f"--plan {plan}: {error}") from None
    text = calibrated_yaml(calibration, scenario, output)
    with _writing():
        write_text(output, text)
    try:  # what is written must load and extend its parent
        from optimizer.scenario.loading import load_scenario

        load_scenario(output)
    except ScenarioError as error:  # pragma: no cover - a bug, not an input error
        raise _fail(f"{output} was written but does not load: {error}") from None
    errors.print(
        f"wrote {output}: {len(calibration.calibrated)} offers calibrated from"
        f" {len(read.rows):,} rows"
    )
    _write_report(calibration, chosen, report)


def _format(format: CalibrateFormat | None, report: Path | None) -> CalibrateFormat:
    ending = report.suffix.lower().lstrip(".") if report is not None else ""
    named = {"txt": CalibrateFormat.table, **{m.value: m for m in CalibrateFormat}}.get(ending)
    if format is None:
        format = named or CalibrateFormat.table
    elif (
        named is not None
        and named is not format
        and {named, format}
        != {
            CalibrateFormat.md,
            CalibrateFormat.markdown,
        }
    ):
        raise _fail(f"--report {report}: the name ends in .{ending} but --format is {format}")
    if format is CalibrateFormat.xlsx and report is None:
        raise _fail("--format xlsx writes a workbook: give --report FILE.xlsx")
    return CalibrateFormat.md if format is CalibrateFormat.markdown else format


def _write_report(calibration: object, format: CalibrateFormat, report: Path | None) -> None:
    from optimizer.results.calibration import Calibration

    assert isinstance(calibration, Calibration)
    if format is CalibrateFormat.json:
        _emit(json_text(calibration.to_dict()) + "\n", report)
        return
    if format is CalibrateFormat.table:
        from optimizer.results.report import calibration_view

        _emit(calibration_view(calibration), report)
        return
    from optimizer.report import writers
    from optimizer.results.report import calibration_report

    document = calibration_report(calibration, with_charts=format is not CalibrateFormat.xlsx)
    with _writing():
        if format is CalibrateFormat.xlsx:
            assert report is not None
            writers.write_xlsx(document, report)
            errors.print(f"wrote {report}")
        elif format is CalibrateFormat.html:
            _emit(writers.to_html(document), report)
        elif report is not None:
            for path in writers.write_markdown(document, report):
                errors.print(f"wrote {path}")
        else:
            _emit(writers.to_markdown(document), None)
