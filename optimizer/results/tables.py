"""Reading exported tables: CSV or XLSX files whose headers and cells are written by people
and ad platforms, not by this program.

Headers match case- and space-insensitively (`Amount Spent`, `amount_spent`), or by the
names a `--columns` mapping gives. Figures may carry a currency (`$1,234.50`, `USD 1234`),
thousands separators and a percent sign (`3.5%` is 0.035). A cell that is not a figure
where one belongs is reported with its file, line (or sheet row) and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import OptimizerError

MAX_SHOWN = 10
"""Bad cells listed one by one; the rest are counted."""


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: where it is and what is wrong."""

    row: str
    """`line 5` of a CSV file, `row 5` of a workbook's sheet."""
    column: str
    """The column's header as the file writes it."""
    message: str

    def __str__(self) -> str:
        return f"{self.row}, column {self.column!r}: {self.message}"


class TableError(OptimizerError):
    """A table that cannot be used: unreadable, a missing column, or bad cells (each listed)."""

    def __init__(self, source: str | Path, problems: Sequence[CellProblem | str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(self.describe())

    def __reduce__(self) -> tuple[type[TableError], tuple[str, list[CellProblem | str]]]:
        return type(self), (self.source, self.problems)

    def lines(self) -> list[str]:
        shown = [
            f"{self.source}{'' if str(problem).startswith(':') else ' '}{problem}"
            for problem in self.problems[:MAX_SHOWN]
        ]
        if len(self.problems) > MAX_SHOWN:
            shown.append(f"{self.source}: and {len(self.problems) - MAX_SHOWN} more bad cells")
        return shown

    def describe(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text (or numbers, from a workbook), with where each row was."""

    source: str
    headers: list[str]
    frame: pd.DataFrame
    """One column per header, by position (`0`, `1`, ...), of str or numbers."""
    rows: np.ndarray
    """The line (CSV) or sheet row (XLSX) of each row of `frame`."""
    row_word: str
    """`line` or `row`."""
    textual: bool = True
    """Every cell is text (a CSV file); a workbook's cells may be numbers."""

    def where(self, position: int | np.integer) -> str:
        return f"{self.row_word} {int(self.rows[position])}"


def normalised(name: str) -> str:
    """A header as it is compared: lower case, without spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def read_table(path: str | Path, header_hint: str | None = None) -> RawTable:
    """A CSV or XLSX file (by its ending; the first sheet of a workbook). `header_hint` names
    a column the header row has: rows above it (a title) are skipped."""
    path = Path(path)
    if not path.is_file():
        raise TableError(path, [": no such file"])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, header_hint)
    return _read_csv(path, header_hint)


def _read_csv(path: Path, header_hint: str | None) -> RawTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TableError(path, [f": cannot be read as UTF-8 text: {error}"]) from None
    lines = text.splitlines()
    skip = 0
    if header_hint is not None:
        wanted = normalised(header_hint)
        for number, line in enumerate(lines[:20]):
            cells = next(csv.reader([line]), [])
            if wanted in {normalised(cell) for cell in cells}:
                skip = number
                break
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skiprows=skip,
            header=None,
            skip_blank_lines=False,
            sep=None if _semicolons(lines[skip] if len(lines) > skip else "") else ",",
            engine="python" if _semicolons(lines[skip] if len(lines) > skip else "") else "c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise TableError(path, [f": not a readable CSV file: {error}"]) from None
    if frame.empty:
        raise TableError(path, [": is empty; the first line must name the columns"])
    headers = [str(value).strip() for value in frame.iloc[0]]
    body = frame.iloc[1:]
    rows = np.arange(len(body)) + skip + 2
    blank = (body == "").all(axis=1).to_numpy()
    body, rows = body[~blank], rows[~blank]
    body.columns = range(len(headers))
    return RawTable(str(path), headers, body.reset_index(drop=True), rows, "line")


def _semicolons(line: str) -> bool:
    """A header line separated by semicolons, as spreadsheets of some locales write CSV."""
    return line.count(";") > line.count(",")


def _read_xlsx(path: Path, header_hint: str | None) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise TableError(path, [f": not a readable workbook: {error}"]) from None
    try:
        sheet = workbook.worksheets[0]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    start = 0
    if header_hint is not None:
        wanted = normalised(header_hint)
        for number, row in enumerate(values[:20]):
            if wanted in {normalised(str(cell)) for cell in row if cell is not None}:
                start = number
                break
    if len(values) <= start:
        raise TableError(path, [": the first sheet is empty; its first row must name the columns"])
    headers = ["" if cell is None else str(cell).strip() for cell in values[start]]
    width = len(headers)
    body = [
        [("" if cell is None else cell) for cell in (row + [None] * width)[:width]]
        for row in values[start + 1 :]
    ]
    rows = np.arange(len(body)) + start + 2
    keep = np.array([any(cell != "" for cell in row) for row in body], dtype=bool)
    frame = pd.DataFrame(body, columns=range(width), dtype=object)
    frame, rows = frame[keep].reset_index(drop=True), rows[keep] if len(body) else rows
    return RawTable(f"{path} ({sheet.title})", headers, frame, rows, "row", textual=False)


def parse_mapping(text: str | None, known: Sequence[str]) -> dict[str, str]:
    """`--columns spend="Amount spent",conversions=Purchases` as {field: header}."""
    if not text:
        return {}
    out: dict[str, str] = {}
    for item in next(csv.reader([text], skipinitialspace=True)):
        if not item.strip():
            continue
        name, equals, header = item.partition("=")
        name, header = name.strip(), header.strip().strip("\"'")
        if not equals or not header:
            raise OptimizerError(
                f"--columns {text}: write FIELD=HEADER pairs separated by commas, such as"
                ' spend="Amount spent",conversions=Purchases'
            )
        key = normalised(name)
        match = next((field for field in known if normalised(field) == key), None)
        if match is None:
            raise OptimizerError(
                f"--columns: {name!r} is no results column; choose from {', '.join(known)}"
            )
        out[match] = header
    return out


ALIASES = {
    "code": ("discountcode", "promocode", "couponcode", "coupon", "utmcontent"),
    "spend": ("amountspent", "cost"),
    "conversions": ("purchases", "orders"),
    "engagements": ("interactions",),
    "creator": ("handle", "influencer"),
}
"""Headers exports often use for a field, read when the field's own name is not there."""


def locate_columns(
    table: RawTable, known: Sequence[str], mapping: Mapping[str, str]
) -> dict[str, int]:
    """Where each known field is in the table: by the mapping's header, else by its own name
    (or one of its `ALIASES`), matched case- and space-insensitively. Unknown headers are
    left alone."""
    positions: dict[str, list[int]] = {}
    for position, header in enumerate(table.headers):
        positions.setdefault(normalised(header), []).append(position)
    found: dict[str, int] = {}
    problems: list[str] = []
    mapped = {normalised(header) for header in mapping.values()}
    for field in known:
        given = mapping.get(field)
        key = normalised(given if given is not None else field)
        if given is None and key in mapped:
            continue  # that header was given to another field
        at = positions.get(key, [])
        if given is None and not at:
            names = [name for name in ALIASES.get(field, ()) if name not in mapped]
            at = next((positions[name] for name in names if name in positions), [])
        if given is not None and not at:
            problems.append(
                f": --columns {field}={given!r}: no such column; the columns are"
                f" {', '.join(repr(h) for h in table.headers if h)}"
            )
        elif len(at) > 1:
            problems.append(
                f": columns {', '.join(repr(table.headers[i]) for i in at)} all read as"
                f" {field}; rename one or map it with --columns"
            )
        elif at:
            found[field] = at[0]
    if problems:
        raise TableError(table.source, problems)
    return found


_SIGNS = (" ", ",", "_", "$", "€", "£", "¥", "\u00a0")
_CODE = re.compile(r"^[A-Za-z]{3}(?=[\d.(+-])|(?<=[\d.)])[A-Za-z]{3}$")


def _cleaned(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Figures of text cells that are not plain numbers: money signs, currency codes and
    thousands separators dropped, `(12)` negative, `3.5%` a fraction. Also whether each
    had a percent sign."""
    has_percent = text.str.endswith("%").to_numpy(dtype=bool)
    cleaned = text.str.removesuffix("%")
    for sign in _SIGNS:
        cleaned = cleaned.str.replace(sign, "", regex=False)
    cleaned = cleaned.str.replace(_CODE, "", regex=True)
    negative = (cleaned.str.startswith("(") & cleaned.str.endswith(")")).to_numpy(dtype=bool)
    cleaned = cleaned.str.strip("()")
    parsed = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    parsed = np.where(negative, -parsed, parsed)
    return np.where(has_percent, parsed / 100.0, parsed), has_percent


def parse_figures(
    table: RawTable,
    column: int,
    field: str,
    problems: list[CellProblem],
    percent: bool = False,
    positive: bool = False,
) -> np.ndarray:
    """The column's figures as floats (NaN where a cell is empty). Money signs, currency
    codes and thousands separators are dropped; `3.5%` is 0.035 where `percent` allows it.
    A cell that is no figure, or is negative (zero too where `positive`), is a problem."""
    values = table.frame[column]
    header = table.headers[column]
    out = np.full(len(values), np.nan)
    if table.textual:
        textual = np.arange(len(values))
        text = values.str.strip()
    else:
        numeric = np.array(
            [isinstance(v, int | float) and not isinstance(v, bool) for v in values], dtype=bool
        )
        out[numeric] = values[numeric].astype(float).to_numpy()
        textual = np.flatnonzero(~numeric)
        text = values[~numeric].astype(str).str.strip()
    if len(text):
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
        empty = (text == "").to_numpy(dtype=bool)
        odd = np.flatnonzero(~empty & ~np.isfinite(parsed))
        has_percent = np.zeros(len(text), dtype=bool)
        if len(odd):
            parsed[odd], has_percent[odd] = _cleaned(text.iloc[odd])
        bad = ~empty & ~np.isfinite(parsed)
        wrong_percent = has_percent & ~bad & (not percent)
        for position in np.flatnonzero(bad):
            problems.append(
                CellProblem(
                    table.where(textual[position]),
                    header,
                    f"{text.iloc[position]!r} is not a number",
                )
            )
        for position in np.flatnonzero(wrong_percent):
            problems.append(
                CellProblem(
                    table.where(textual[position]),
                    header,
                    f"{text.iloc[position]!r} is a percentage; {field} is a count or an amount",
                )
            )
        parsed[empty | bad | wrong_percent] = np.nan
        out[textual] = parsed
    finite = np.isfinite(out)
    low = finite & ((out <= 0) if positive else (out < 0))
    for position in np.flatnonzero(low):
        wanted = "more than 0" if positive else "0 or more"
        problems.append(
            CellProblem(
                table.where(position), header, f"must be {wanted}, got {_shown(out[position])}"
            )
        )
    out[low] = np.nan
    return out


def _shown(value: float) -> str:
    return f"{value:g}"


def text_column(table: RawTable, column: int) -> np.ndarray:
    """The column's cells as stripped text ('' where empty), as an object array."""
    values = table.frame[column]
    if table.textual:
        return values.str.strip().to_numpy(dtype=object)
    return np.array(
        [
            (f"{v:g}" if isinstance(v, float) else str(v)).strip() if v is not None else ""
            for v in values
        ],
        dtype=object,
    )
