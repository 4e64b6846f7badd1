"""Where and in which format a command writes its result, checked before any solving."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.cli.common import _emit, _fail, _writing, errors

if TYPE_CHECKING:
    from optimizer.report.document import Report


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"
    xlsx = "xlsx"


def _output_format(format: Format | None, output: Path | None, inputs: Sequence[Path]) -> Format:
    """The format asked for, else the one the output file's ending names, else a table; and
    an output that can be written without harm."""
    ending = output.suffix.lower().lstrip(".") if output is not None else ""
    named = {"txt": Format.table, **{member.value: member for member in Format}}.get(ending)
    if format is not None and named is not None and named is not format:
        raise _fail(
            f"--output {output}: the name ends in .{ending} but --format is {format.value};"
            " make them agree, or leave out --format"
        )
    if format is None:
        if ending not in ("", "txt", *Format.__members__):
            # plan.xls or plan.pdf would get the terminal's text under a misleading name
            raise _fail(
                f"--output {output}: no format is written as .{ending}; end the name in .txt"
                " (the table), .json, .csv, .md, .html or .xlsx, or give --format"
            )
        format = Format(ending) if ending in Format.__members__ else Format.table
    if format is Format.xlsx and output is None:
        raise _fail("--format xlsx writes a workbook: give --output FILE.xlsx")
    _check_writable("--output", output)
    if output is not None:
        from optimizer.scenario.loading import trace

        for path in inputs:
            for read in trace(path).files:
                reads = "" if read.resolve() == path.resolve() else f" ({path} reads it)"
                if output.resolve() == read.resolve():
                    raise _fail(
                        f"--output {output}: that is an input file{reads}; give another name"
                    )
    return format


def _check_writable(option: str, path: Path | None) -> None:
    """Refuse an output that cannot be written before solving, not after."""
    if path is None:
        return
    if path.is_dir():
        raise _fail(f"{option} {path}: is a directory, give a file name")
    if not path.parent.is_dir():
        raise _fail(f"{option} {path}: directory {path.parent} does not exist")


def _charts_in(format: Format) -> bool:
    """Only pages show charts: CSV files and workbooks hold the tables alone."""
    return format in (Format.md, Format.html)


def _write_report(
    report: Report, format: Format, output: Path | None, inputs: Sequence[Path]
) -> None:
    """csv, md, html and xlsx: the same report document in each format; no file written
    over one of the `inputs` or a file they read."""
    from optimizer.report import writers
    from optimizer.scenario.loading import trace

    if format is Format.xlsx:
        assert output is not None
        with _writing():
            writers.write_xlsx(report, output)
        errors.print(f"wrote {output}")
    elif format in (Format.csv, Format.md) and output is not None:
        # both write side files (tables, charts) beside the output, never over an input
        write = writers.write_csv if format is Format.csv else writers.write_markdown
        read = [file for path in inputs for file in trace(path).files]
        with _writing():
            written = write(report, output, keep=read)
        for path in written:
            errors.print(f"wrote {path}")
    elif format is Format.csv:
        _emit(writers.to_csv(report), None)
    elif format is Format.md:
        _emit(writers.to_markdown(report), None)
        if any(chart.svg is not None for chart in report.charts):
            errors.print(
                "note: charts are written only with -o FILE.md, as SVG files beside it",
                style="yellow",
            )
    else:
        _emit(writers.to_html(report), output)
