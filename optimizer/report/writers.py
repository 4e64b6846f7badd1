"""Render a Report as a self-contained HTML page, Markdown, an XLSX workbook or CSV files."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from optimizer.errors import OptimizerError
from optimizer.files import atomic_path
from optimizer.report.document import Format, Report, Table
from optimizer.report.numbers import (
    missing,
    money,
    needs_cents,
    percent,
    quantity,
    unsigned_zero,
)


def markdown_text(text: str) -> str:
    """Text from scenario files on one Markdown line: HTML shown, not run (`<b>`), and line
    breaks (a YAML folded name ends in one) as spaces."""
    return " ".join(html.escape(str(text), quote=False).splitlines())


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> str:
    """A GitHub-flavoured table; numbers right-aligned where `right` says so. A `|` in a cell
    (a rule's name may hold one) is escaped, or it would split the cell."""
    align = ["---:" if flush else "---" for flush in right]
    lines = [header, align, *rows]
    return "\n".join(
        "| " + " | ".join(markdown_text(cell).replace("|", "\\|") for cell in line) + " |"
        for line in lines
    )


def plain(value: Any) -> Any:
    """A cell's value as plain Python: None when missing (None, NaN, NA), numpy numbers as
    Python ones."""
    if value is pd.NA or missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def cell_text(value: Any, kind: Format, currency: str, cents: bool | None = None) -> str:
    """A cell as text in its format; `cents`: its column's precision for money (see
    `numbers.needs_cents`), left out: the amount's own."""
    value = plain(value)
    if value is None:
        return "-"
    if kind == "bool":
        return "yes" if value else ""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if kind == "money":
        return money(float(value), currency, cents)
    if kind == "percent":
        return percent(float(value))
    if kind == "gap":
        return percent(float(value), 2)
    if kind == "count":
        return quantity(float(value))
    return unsigned_zero(f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}")


def _figure(value: Any) -> float | None:
    value = plain(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _rows(table: Table, currency: str) -> list[list[str]]:
    """Every cell as text, a column at a time: the amounts of a column share one precision
    ($39.00 above $38.98), whatever else the column holds in other rows."""
    formats = table.cell_formats()
    columns = []
    for position in range(len(table.frame.columns)):
        values = table.frame.iloc[:, position].tolist()
        kinds = [row[position] for row in formats]
        amounts = [_figure(v) for v, kind in zip(values, kinds, strict=True) if kind == "money"]
        cents = needs_cents(amounts)
        columns.append(
            [cell_text(v, kind, currency, cents) for v, kind in zip(values, kinds, strict=True)]
        )
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _numeric(table: Table) -> list[bool]:
    """Columns to right-align: those with a number format in any row."""
    formats = table.cell_formats()
    return [
        any(kinds[position] not in ("text", "bool") for kinds in formats)
        for position in range(len(table.frame.columns))
    ]


def to_markdown(report: Report, charts: Mapping[str, str] | None = None) -> str:
    """The report as Markdown. Charts are images linked from `charts` (a chart's title to
    its file, relative to the Markdown's own: see `write_markdown`), not embedded: many
    renderers strip embedded images. Without `charts`, the text and tables alone."""
    parts = [f"# {markdown_text(report.title)}", ""]
    parts += [f"{markdown_text(line)}  " for line in report.lines]
    for chart in report.charts:
        if charts and chart.title in charts:
            link = quote(charts[chart.title])
            parts += ["", f"![{markdown_text(chart.title)}]({link})"]
            if chart.caption:
                parts += ["", f"*{markdown_text(chart.caption)}*"]
    for table in report.tables:
        parts += ["", f"## {table.title}", ""]
        parts.append(
            markdown_table(
                [table.heading(str(c)) for c in table.frame.columns],
                _rows(table, report.currency),
                _numeric(table),
            )
        )
    return "\n".join(parts) + "\n"


def chart_files(report: Report, path: str | Path) -> dict[str, Path]:
    """Where `write_markdown` puts each drawn chart: beside the Markdown, named after it and
    the chart (`plan.md` -> `plan.spend-by-tier-per-period.svg`)."""
    path = Path(path)
    files: dict[str, Path] = {}
    for chart in report.charts:
        if chart.svg is None:
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", chart.title.lower()).strip("-") or "chart"
        name, number = slug, 1
        while path.with_name(f"{path.stem}.{name}.svg") in files.values():
            number += 1
            name = f"{slug}-{number}"
        files[chart.title] = path.with_name(f"{path.stem}.{name}.svg")
    return files


def write_markdown(report: Report, path: str | Path, keep: Sequence[Path] = ()) -> list[Path]:
    """The Markdown at `path` and its charts as SVG files beside it, linked by relative
    paths: all of them, or (when one cannot be written, or is one of the files to `keep`)
    none. Returns the files written, the Markdown first."""
    path = Path(path)
    files = chart_files(report, path)
    targets = [path, *files.values()]
    _refuse_overwriting(path, targets, keep)
    text = to_markdown(report, {title: file.name for title, file in files.items()})
    with ExitStack() as stack:
        temporary = stack.enter_context(atomic_path(path))
        temporary.write_text(text, encoding="utf-8")
        for title, file in files.items():
            chart = next(chart for chart in report.charts if chart.title == title)
            assert chart.svg is not None
            temporary = stack.enter_context(atomic_path(file))
            temporary.write_text(chart.svg, encoding="utf-8")
    return targets


def _refuse_overwriting(path: Path, targets: Sequence[Path], keep: Sequence[Path]) -> None:
    """No file written beside `path` may be a directory or one of the files to `keep` (the
    inputs)."""
    kept = {file.resolve() for file in keep}
    for target in targets:
        if target.is_dir():
            raise OptimizerError(f"cannot write {target}: it is a directory")
        if target.resolve() in kept:
            raise OptimizerError(
                f"{path}: {target.name}, written beside it, is an input file; give another name"
            )


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#1d2733}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}p{max-width:70rem}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0;
font-variant-numeric:tabular-nums}
th,td{padding:.25rem .45rem;border-bottom:1px solid #dde3ea;text-align:left;
vertical-align:top}
th{background:#f3f6f9;position:sticky;top:0;vertical-align:bottom;font-weight:600;
min-width:3.5em;overflow-wrap:break-word}
.n{text-align:right}td.n,td:first-child{white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts figure{margin:0;max-width:540px}
.charts svg{width:100%;height:auto}figcaption{font-size:.85rem}
@media print{
@page{size:landscape;margin:12mm}
body{margin:0;font-size:9pt}
*{overflow:visible!important}
table{font-size:7.5pt;width:100%}
th{position:static}
thead{display:table-header-group}
tr,figure{break-inside:avoid;page-break-inside:avoid}
h2{break-after:avoid;page-break-after:avoid}
.charts figure{max-width:48%}
}
"""


def _cls(numeric: bool) -> str:
    return ' class="n"' if numeric else ""


def to_html(report: Report) -> str:
    """One page with inline CSS and SVG: opens anywhere, no network needed."""
    body = [f"<h1>{html.escape(report.title)}</h1>"]
    body += [f"<p>{html.escape(line)}</p>" for line in report.lines]
    drawn = [chart for chart in report.charts if chart.svg is not None]
    if drawn:
        body.append('<div class="charts">')
        for chart in drawn:
            caption = ". ".join(part for part in (chart.title, chart.caption) if part)
            body.append(
                f"<figure>{chart.svg}<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
        body.append("</div>")
    for table in report.tables:
        numeric = _numeric(table)
        header = "".join(
            f"<th{_cls(flush)}>{html.escape(table.heading(str(c)))}</th>"
            for c, flush in zip(table.frame.columns, numeric, strict=True)
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td{_cls(flush)}>{html.escape(cell)}</td>"
                for cell, flush in zip(row, numeric, strict=True)
            )
            + "</tr>"
            for row in _rows(table, report.currency)
        )
        body.append(
            f"<h2>{html.escape(table.title)}</h2>"
            f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_xlsx(report: Report, path: str | Path) -> None:
    """A workbook finance can use as is: formats, totals as formulas, native charts, and a
    print layout (see `optimizer.report.workbook`)."""
    from optimizer.report.workbook import write_workbook  # openpyxl loads only when needed

    write_workbook(report, path)


def to_csv(report: Report) -> str:
    """The report's main table as CSV."""
    return _csv_text(report.main_table)


# Text starting with these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(table: Table) -> str:
    """Whole counts without `.0`, and no float noise (2735.9999999999995 is 2736), cell by
    cell: a summary's value column holds a status beside counts and money."""
    # Written row by row, not through a DataFrame, which would make a count column with one
    # missing value float again (40.0).
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(column) for column in table.frame.columns])
    for row, kinds in zip(table.frame.itertuples(index=False), table.cell_formats(), strict=True):
        writer.writerow([_csv_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
    return buffer.getvalue()


def _csv_cell(value: Any, kind: Format) -> Any:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet opening the file must not run a name as a formula
    if isinstance(value, bool):  # as the `met` column reads, not Python's True
        return "yes" if value else "no"
    if not isinstance(value, float):
        return value
    value = round(value, 6) + 0.0
    return int(value) if kind == "count" and value.is_integer() else value


def write_csv(report: Report, path: str | Path, keep: Sequence[Path] = ()) -> list[Path]:
    """The main table at `path`, every other table beside it as `<stem>-<table>.csv`: all of
    them, or (when one cannot be written, or is one of the files to `keep`) none."""
    path = Path(path)
    targets = {report.main_table.name: path} | {
        table.name: path.with_name(f"{path.stem}-{table.name.lower()}{path.suffix}")
        for table in report.tables
        if table is not report.main_table
    }
    _refuse_overwriting(path, list(targets.values()), keep)
    with ExitStack() as stack:
        for table in report.tables:
            temporary = stack.enter_context(atomic_path(targets[table.name]))
            temporary.write_text(_csv_text(table), encoding="utf-8")
    return list(targets.values())
