"""A report as an XLSX workbook finance can read, recompute and print.

An About sheet says what the workbook holds; a Charts sheet draws the report's charts
natively, each beside the figures it draws; then one sheet per table. Every sheet prints
landscape, one page wide, with its header row repeated on each page. Figures keep one
precision per column (a plan's spend in whole units, CPA in cents, as the other reports
read them); additive columns end in a total row of formulas, so an edited figure moves the
totals.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.drawing.text import Font as TextFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from optimizer.files import atomic_path
from optimizer.report import charts
from optimizer.report.document import Chart, Format, Report, Table
from optimizer.report.numbers import SYMBOLS
from optimizer.report.writers import plain

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FONT = "Calibri"
"""Named on every style written: a font left unnamed is a serif in some spreadsheets."""
HEADER = Font(name=FONT, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
BODY = Font(name=FONT)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TOTAL_FILL = PatternFill("solid", fgColor="F3F6F9")
RULE = Side(style="thin", color="8DA2B5")
LINE_HEIGHT = 15.0
"""Points per line of 11-point text: the height of a row that wraps is a multiple of it."""
WIDEST = 40
"""Column width cap, in characters; longer headers wrap, longer names are cut on screen."""
HEADER_WIDTH = 18
"""Headers up to this long stay on one line; longer ones wrap over narrower figures."""
ABOUT_WIDTH = 110
CHART_ROWS = 18
"""Rows a chart covers (8 cm at 15 points a row), so the next one starts below it."""


def write_workbook(report: Report, path: str | Path) -> None:
    workbook = Workbook()
    _about_sheet(workbook.worksheets[0], report)
    if any(_drawable(chart) for chart in report.charts):
        _charts_sheet(workbook.create_sheet("Charts"), report)
    for table in report.tables:
        _table_sheet(workbook.create_sheet(table.name[:31]), table, report.currency)
    for sheet in workbook.worksheets:
        _print_layout(sheet, report.title)
    with atomic_path(path) as temporary:
        workbook.save(temporary)


def _about_sheet(sheet: Worksheet, report: Report) -> None:
    """The title and the report's lines (scenario, objective, status, solver, conflicts),
    wrapped to one printed page width, so the workbook reads on its own."""
    sheet.title = "About"
    sheet.column_dimensions["A"].width = ABOUT_WIDTH
    for text, font in [(report.title, TITLE), *((line, BODY) for line in report.lines)]:
        _append(sheet, [text])
        cell = sheet.cell(sheet.max_row, 1)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = len(textwrap.wrap(str(cell.value), ABOUT_WIDTH - 2)) or 1
        sheet.row_dimensions[sheet.max_row].height = lines * LINE_HEIGHT * (font.size or 11) / 11


# Tables


def _table_sheet(sheet: Worksheet, table: Table, currency: str) -> None:
    """The table under a header row, each figure in its column's format, a total row where
    the table has additive columns; frozen header, autofilter."""
    frame = table.frame
    columns = [str(column) for column in frame.columns]
    formats = _number_formats(table, currency)
    kinds = table.cell_formats()
    _append(sheet, columns)
    for row, row_kinds, row_formats in zip(
        frame.itertuples(index=False), kinds, formats, strict=True
    ):
        _append(
            sheet, [_excel_value(value, kind) for value, kind in zip(row, row_kinds, strict=True)]
        )
        for cell, number_format in zip(sheet[sheet.max_row], row_formats, strict=True):
            cell.number_format = number_format
    last = sheet.max_row
    if table.totals and len(frame):
        _total_row(sheet, table, formats[0], last)
    numeric = [any(row[i] not in ("text", "bool") for row in kinds) for i in range(len(columns))]
    _header_style(sheet, numeric)
    _space_after_figures(sheet, numeric)
    _fit_columns(sheet, columns, table, formats)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    sheet.print_title_rows = "1:1"


def _total_row(sheet: Worksheet, table: Table, formats: Sequence[str], last: int) -> None:
    """`=SUM()` under each additive column holding any figure, ratios (CPA) as one total
    over another; in the column's format."""
    row = last + 1
    columns = [str(column) for column in table.frame.columns]
    letter = {name: get_column_letter(i) for i, name in enumerate(columns, start=1)}
    sheet.cell(row, 1, "Total")
    summed = [name for name in table.totals if table.frame[name].notna().any()]
    for name in summed:
        sheet[f"{letter[name]}{row}"] = f"=SUM({letter[name]}2:{letter[name]}{last})"
    for name, (numerator, denominator) in table.ratios.items():
        if numerator in summed and denominator in summed:
            top, bottom = f"{letter[numerator]}{row}", f"{letter[denominator]}{row}"
            sheet[f"{letter[name]}{row}"] = f'=IF({bottom}>0,{top}/{bottom},"")'
    for cell, number_format in zip(sheet[row], formats, strict=True):
        cell.number_format = number_format
        cell.font = HEADER
        cell.fill = TOTAL_FILL
        cell.border = Border(top=RULE)


def _header_style(sheet: Worksheet, numeric: Sequence[bool], row: int = 1) -> None:
    """Bold on a tinted band, numbers' headers flush right over them, long ones wrapped."""
    for cell, flush in zip(sheet[row], numeric, strict=False):
        cell.font = HEADER
        cell.fill = HEADER_FILL
        cell.border = Border(bottom=RULE)
        cell.alignment = Alignment(
            horizontal="right" if flush else "left", vertical="bottom", wrap_text=True
        )


def _space_after_figures(sheet: Worksheet, numeric: Sequence[bool]) -> None:
    """Text right of a column of figures starts a space in: `$50,000 infeasible`, not
    `$50,000infeasible`."""
    for index in range(1, len(numeric)):
        if numeric[index - 1] and not numeric[index]:
            for (cell,) in sheet.iter_rows(min_col=index + 1, max_col=index + 1):
                wrap = cell.alignment.wrap_text
                cell.alignment = Alignment(horizontal="left", indent=1, wrap_text=wrap)


def _fit_columns(
    sheet: Worksheet, columns: Sequence[str], table: Table, formats: Sequence[Sequence[str]]
) -> None:
    """Each column as wide as its widest figure as shown (a total included), its header
    wrapped onto as many lines as it needs; the header row as high as those lines."""
    lines = 1
    for index, name in enumerate(columns, start=1):
        cells = [row[index - 1] for row in sheet.iter_rows(min_row=2)]
        values = [
            _width(cell.value, number_format)
            for cell, number_format in zip(cells, [row[index - 1] for row in formats], strict=False)
        ]
        total = _total_width(table, name, formats[0][index - 1]) if formats else 0
        figures = max([*values, total])
        indent = int(sheet.cell(1, index).alignment.indent or 0)  # a space in: its width
        width = _column_width(name, figures) + 2 * indent
        sheet.column_dimensions[get_column_letter(index)].width = width
        lines = max(lines, _header_lines(name, width - 2 - 2 * indent))
    sheet.row_dimensions[1].height = lines * LINE_HEIGHT


def _header_lines(header: str, width: int) -> int:
    """Lines a header wraps onto in a column this many characters wide."""
    return len(textwrap.wrap(header, width)) or 1


def _column_width(header: str, figures: int) -> int:
    """Wide enough for the figures and the header's longest word, for a short header whole."""
    words = max((len(word) for word in header.split()), default=0)
    return min(WIDEST, max(8, figures, words, min(len(header), HEADER_WIDTH)) + 2)


def _total_width(table: Table, name: str, number_format: str) -> int:
    """Characters a column's total takes, when the table has a total row."""
    if name not in table.totals or table.frame.empty:
        return 0
    return _width(float(table.frame[name].sum()), number_format)


# Figures


def _number_formats(table: Table, currency: str) -> list[list[str]]:
    """Every cell's number format: one precision per column where the column has one unit,
    each cell its own where the unit changes from row to row (a summary's value column)."""
    kinds = table.cell_formats()
    frame = table.frame
    columns: list[list[str]] = []
    for position, name in enumerate(frame.columns):
        values = [plain(value) for value in frame.iloc[:, position]]
        column_kinds = [row[position] for row in kinds]
        if str(name) in table.row_formats:
            column = [
                _excel_format(kind, _digits(kind, [value]), currency)
                for value, kind in zip(values, column_kinds, strict=True)
            ]
        else:
            kind = column_kinds[0] if column_kinds else table.format_of(str(name))
            column = [_excel_format(kind, _digits(kind, values), currency)] * len(values)
        columns.append(column)
    return [list(row) for row in zip(*columns, strict=True)]


def _digits(kind: Format, values: Iterable[Any]) -> int:
    """Decimals the figures need, as the other reports round them: money in cents below 100,
    plain numbers to two places below 1,000, counts to one below 100, percentages to one
    place (a gap to two)."""
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    numbers = [v for v in numbers if math.isfinite(v)]

    def fractional(below: float, step: float) -> bool:
        return any(abs(v) < below and abs(v - round(v)) >= step for v in numbers)

    if kind == "percent":
        return 1
    if kind == "gap":
        return 2
    if kind == "money":  # and a price under a cent above zero, which reads <$0.01
        return 2 if fractional(100, 0.005) or any(0 < v < 0.005 for v in numbers) else 0
    if kind == "number":
        return 2 if fractional(1000, 0.005) else 0
    if kind == "count":
        return 1 if fractional(100, 1e-9) else 0
    return 0


def _excel_format(kind: Format, digits: int, currency: str) -> str:
    """The number format of a figure: money with the currency's symbol (or code), whole
    figures with thousands separators, shares as percentages; text as General."""
    decimals = "." + "0" * digits if digits else ""
    if kind in ("percent", "gap"):
        return f"0{decimals}%"
    if kind not in ("money", "count", "number"):
        return "General"
    figure = f"#,##0{decimals}"
    if kind != "money":
        return figure
    symbol = SYMBOLS.get(currency)
    return f'"{symbol}"{figure}' if symbol else f'{figure} "{currency}"'


def _width(value: Any, number_format: str) -> int:
    """Characters a value takes shown in its number format (near enough to size a column);
    a formula's width is its result's, sized elsewhere."""
    if value is None or (isinstance(value, str) and value.startswith("=")):
        return 0
    if not isinstance(value, int | float) or number_format == "General":
        return len(str(value))
    digits = number_format.partition(".")[2].count("0")
    if number_format.endswith("%"):
        return len(f"{100 * value:.{digits}f}%")
    affix = sum(len(text) for text in number_format.split('"')[1::2])  # "$", " EUR"
    return len(f"{value:,.{digits}f}") + affix + (1 if affix > 1 else 0)


def _excel_value(value: Any, kind: Format) -> Any:
    """A cell's value as the workbook keeps it: yes/no for a flag (never 1/0), text without
    the control characters a workbook refuses."""
    value = plain(value)
    if kind == "bool" and value is not None:
        return "yes" if value else "no"
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """A row of plain values under the last one; text stays text, as `_put` keeps it."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """A plain value; text stays text, even when a name starts with `=`."""
    cell = sheet.cell(row, column, value)
    if cell.data_type == "f":  # openpyxl reads "=SUM(A1)" as a formula: never run names
        cell.data_type = "s"
    return cell


# Charts


def _charts_sheet(sheet: Worksheet, report: Report) -> None:
    """Each chart with a native form beside the figures it draws, one under the other, the
    charts lined up in one column right of the widest table of figures."""
    drawable = [chart for chart in report.charts if _drawable(chart)]
    column = get_column_letter(
        max(len(chart.data.columns) for chart in drawable if chart.data is not None) + 3
    )
    row = 1
    for chart in drawable:
        last = _chart_data(sheet, chart, row, report.currency)
        sheet.add_chart(
            _native_chart(sheet, chart, row + 1, last, report.currency), f"{column}{row}"
        )
        row = max(last, row + CHART_ROWS) + 2


def _drawable(chart: Chart) -> bool:
    """A chart with figures to draw natively."""
    return chart.data is not None and not chart.data.empty


def _chart_data(sheet: Worksheet, chart: Chart, top: int, currency: str) -> int:
    """The chart's title, then its figures as a small table; returns the table's last row."""
    assert chart.data is not None
    data = chart.data
    sheet.cell(top, 1, chart.title).font = HEADER
    header = [str(data.index.name or ""), *(str(column) for column in data.columns)]
    index_format = _excel_format("money" if chart.money_index else "text", 0, currency)
    unit_format = _excel_format(chart.unit, _digits(chart.unit, data.to_numpy().ravel()), currency)
    formats = [index_format, *[unit_format] * len(data.columns)]
    rows = [
        [label, *values] for label, values in zip(data.index, data.to_numpy().tolist(), strict=True)
    ]
    for offset, values in enumerate([header, *rows]):
        for position, value in enumerate(values, start=1):
            cell = _put(sheet, top + 1 + offset, position, _excel_value(value, "text"))
            cell.number_format = formats[position - 1] if offset else "General"
    _header_style(sheet, [False] + [True] * len(data.columns), row=top + 1)
    lines = 1
    for position, text in enumerate(header, start=1):
        letter = get_column_letter(position)
        shown = max(_width(row[position - 1], formats[position - 1]) for row in rows)
        width = max(sheet.column_dimensions[letter].width or 0, _column_width(text, shown))
        sheet.column_dimensions[letter].width = width
        lines = max(lines, _header_lines(text, int(width) - 2))
    sheet.row_dimensions[top + 1].height = lines * LINE_HEIGHT
    return top + 1 + len(data)


def _native_chart(
    sheet: Worksheet, chart: Chart, header: int, last: int, currency: str
) -> BarChart | ScatterChart:
    """Stacked or clustered columns, or a line through the points (x a budget), in the tier
    colours of the report's other charts."""
    assert chart.data is not None
    columns = [str(column) for column in chart.data.columns]
    colours = charts.tier_colours(columns) if chart.tiers else {}
    value_format = _excel_format(chart.unit, 0, currency)
    native: BarChart | ScatterChart
    if chart.kind == "line":
        native = ScatterChart(scatterStyle="lineMarker")
        xs = Reference(sheet, min_col=1, min_row=header + 1, max_row=last)
        for position in range(2, len(columns) + 2):
            ys = Reference(sheet, min_col=position, min_row=header, max_row=last)
            native.series.append(Series(ys, xs, title_from_data=True))
        native.x_axis.number_format = _excel_format(
            "money" if chart.money_index else "number", 0, currency
        )
        native.x_axis.title = chart.x_label
    else:
        native = BarChart()
        native.type = "col"
        if chart.kind == "stacked":
            native.grouping = "stacked"
            native.overlap = 100
        data = Reference(sheet, min_col=2, max_col=len(columns) + 1, min_row=header, max_row=last)
        native.add_data(data, titles_from_data=True)
        native.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    for position, (name, series) in enumerate(zip(columns, native.series, strict=True)):
        colour = colours.get(name, charts.PALETTE[position % len(charts.PALETTE)]).lstrip("#")
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
        if chart.kind == "line":
            series.marker.symbol = "circle"
            series.marker.graphicalProperties.solidFill = colour
            series.marker.graphicalProperties.line.solidFill = colour
            series.smooth = False
    native.title = _chart_title(chart.title)
    native.y_axis.number_format = value_format
    native.x_axis.delete = False  # drawn: openpyxl's default leaves Excel without axes
    native.y_axis.delete = False
    if native.legend is not None:
        native.legend.position = "b"
    native.width, native.height = 17, 8.5
    return native


def _chart_title(text: str) -> Title:
    """A chart's title in 12-point bold in the sheets' font (unnamed, it falls back)."""
    font = CharacterProperties(latin=TextFont(typeface=FONT), sz=1200, b=True)
    paragraph = Paragraph(
        pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(rPr=font, t=text)]
    )
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


# Printing


def _print_layout(sheet: Worksheet, title: str) -> None:
    """Landscape, one page wide (as many tall as it takes), the report's title and the sheet
    name at the top of each page, the page number at the foot."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(
        left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    header, footer = sheet.oddHeader, sheet.oddFooter
    assert header is not None and footer is not None
    header.left.text = _header_text(title)
    header.right.text = "&A"  # the sheet's name
    footer.center.text = "Page &P of &N"


def _header_text(text: str) -> str:
    """Text for a page header: `&` starts a code there, and the whole header must stay under
    255 characters."""
    text = " ".join(text.split())
    if len(text) > 100:
        text = text[:99] + "…"
    return text.replace("&", "&&")
