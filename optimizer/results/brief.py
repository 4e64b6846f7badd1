"""A brief: one row per post slot of a plan, each with its discount code and tracking link
(section 11 of the format)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.files import atomic_path, write_text
from optimizer.results.codes import check_url, make_codes, slug, tracking_url

if TYPE_CHECKING:
    from optimizer.model.cells import Cells
    from optimizer.plan import Plan
    from optimizer.scenario.schema import Scenario

BRIEF_COLUMNS = (
    "code",
    "period",
    "platform",
    "tier",
    "creator",
    "slot",
    "spend",
    "engagements",
    "conversions",
    "url",
)
"""The columns of a brief, in order. `slot` numbers a cell's posts from 1, in the order
saturation counts them."""


@dataclass(frozen=True)
class Brief:
    """The slots of a plan: `rows` holds one dict per slot with the keys of `BRIEF_COLUMNS`."""

    campaign: str
    scenario: str
    currency: str
    rows: list[dict[str, Any]]
    notes: list[str]

    def totals(self) -> dict[str, float]:
        return {
            name: float(sum(row[name] for row in self.rows))
            for name in ("spend", "engagements", "conversions")
        }


def make_brief(
    plan: Plan | Mapping[str, Any],
    url: str,
    campaign: str | None = None,
    existing: Collection[str] = (),
    scenario: Scenario | None = None,
) -> Brief:
    """The brief of a plan (a `Plan`, or a saved plan's JSON data with `scenario` giving the
    figures of its cells). Each slot's spend is its cell's cost per post; its engagements and
    conversions are the cell's per-post figures times the saturation factor of the slot's
    place in the cell (section 4), so a cell's slots add up to its allocation row."""
    from optimizer.plan import Plan

    check_url(url)
    notes: list[str] = []
    if isinstance(plan, Plan):
        data = plan.to_dict()
        scenario = plan.scenario
    else:
        data = dict(plan)
    name = str(data.get("scenario", "")) or "campaign"
    campaign = campaign if campaign else slug(name)
    if data.get("status") not in ("optimal", "feasible", "spreadsheet", None):
        raise OptimizerError(f"{name}: the plan has no allocation (status {data.get('status')})")
    cells = None
    if scenario is not None:
        from optimizer.model.cells import derive_cells

        cells = derive_cells(scenario)
    slots: list[dict[str, Any]] = []
    even = False
    for row in data.get("allocation", []):
        made, split_evenly = _slots_of(row, cells)
        even |= split_evenly
        slots.extend(made)
    if even:
        notes.append(
            "the plan was read without its scenario: each cell's engagements and conversions"
            " are split evenly over its posts (give --scenario to apply saturation per slot)"
        )
    if not slots:
        notes.append("the plan buys nothing: the brief has no slots")
    keys = [
        (
            "\x1f".join((s["period"], s["platform"], s["tier"], s["creator"], str(s["slot"]))),
            s["platform"],
            s["tier"],
        )
        for s in slots
    ]
    codes = make_codes(campaign, keys, existing)
    rows = []
    for slot, code in zip(slots, codes, strict=True):
        rows.append(
            {
                "code": code,
                **{key: slot[key] for key in ("period", "platform", "tier", "creator", "slot")},
                "spend": slot["spend"],
                "engagements": slot["engagements"],
                "conversions": slot["conversions"],
                "url": tracking_url(url, slot["platform"], campaign, code),
            }
        )
    currency = scenario.currency if scenario is not None else "USD"
    return Brief(campaign=campaign, scenario=name, currency=currency, rows=rows, notes=notes)


def _slots_of(row: Mapping[str, Any], cells: Cells | None) -> tuple[list[dict[str, Any]], bool]:
    count = float(row.get("count") or 0.0)
    if count <= 1e-9:
        return [], False
    key = (str(row["period"]), str(row["platform"]), str(row["tier"]))
    creator = str(row.get("creator") or "")
    whole = math.floor(count + 1e-9)
    places = [1.0] * whole
    if count - whole > 1e-9:
        places.append(count - whole)  # a fractional count (integer: false) ends in part of a post
    spend_per_post = float(row["spend"]) / count
    position = None
    if cells is not None and not creator:
        try:
            position = cells.keys.index(key)
        except ValueError:
            position = None
    out = []
    before = 0.0
    if position is not None:
        assert cells is not None
        segments = cells.segment_columns
        mine = segments["cell"] == position
        start, width, factor = (segments[n][mine] for n in ("start", "width", "factor"))

        def effective(n: float) -> float:
            return float((np.clip(n - start, 0.0, width) * factor).sum())

        per_post = {m: float(cells.column(m)[position]) for m in ("engagements", "conversions")}
    for number, part in enumerate(places, start=1):
        if position is not None:
            weight = effective(before + part) - effective(before)
            figures = {m: per_post[m] * weight for m in per_post}
        else:
            figures = {m: float(row[m]) * part / count for m in ("engagements", "conversions")}
        out.append(
            {
                "period": key[0],
                "platform": key[1],
                "tier": key[2],
                "creator": creator,
                "slot": number,
                "spend": spend_per_post * part,
                **figures,
            }
        )
        before += part
    return out, position is None and not creator


def brief_csv(brief: Brief) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BRIEF_COLUMNS)
    for row in brief.rows:
        writer.writerow([_csv_value(row[column], column) for column in BRIEF_COLUMNS])
    return buffer.getvalue()


def _csv_value(value: Any, column: str) -> Any:
    """Spend to the cent, expected figures to four places, trailing zeros left out."""
    if isinstance(value, float):
        text = f"{value:.{2 if column == 'spend' else 4}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def write_brief(brief: Brief, path: str | Path) -> None:
    """The brief as CSV or as a workbook, by the file's ending."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(brief, path)
    elif path.suffix.lower() == ".csv":
        write_text(path, brief_csv(brief))
    else:
        raise OptimizerError(f"-o {path}: a brief is written as .csv or .xlsx")


_WIDTHS = {
    "code": 12,
    "period": 8,
    "platform": 12,
    "tier": 8,
    "creator": 18,
    "slot": 6,
    "spend": 12,
    "engagements": 13,
    "conversions": 12,
    "url": 70,
}
_HEADINGS = {
    "code": "Code",
    "period": "Period",
    "platform": "Platform",
    "tier": "Tier",
    "creator": "Creator",
    "slot": "Slot",
    "spend": "Spend",
    "engagements": "Exp. engagements",
    "conversions": "Exp. conversions",
    "url": "Tracking link",
}


def _write_xlsx(brief: Brief, path: Path) -> None:
    """A sheet to hand out: a title, one row per slot under a styled header row (frozen, with
    filters), the code in bold, the link clickable, totals as formulas; landscape, one page
    wide, the header row on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from optimizer.report.numbers import SYMBOLS
    from optimizer.report.workbook import FONT

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Brief"
    title = f"Brief: {brief.campaign}"
    sheet.append([title])
    sheet["A1"].font = Font(name=FONT, bold=True, size=14)
    sheet.append(
        [
            f"Plan: {brief.scenario}. One row per post: give each creator their code and"
            " link; results come back joined by the code."
        ]
    )
    sheet["A2"].font = Font(name=FONT, italic=True, color="555555")
    header_row = 3
    sheet.append([_HEADINGS[column] for column in BRIEF_COLUMNS])
    fill = PatternFill("solid", fgColor="DDE7F0")
    for cell in sheet[header_row]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    symbol = SYMBOLS.get(brief.currency, "")
    money = f'"{symbol}"#,##0.00' if symbol else '#,##0.00 "' + brief.currency + '"'
    formats = {"spend": money, "engagements": "#,##0", "conversions": "#,##0.0", "slot": "0"}
    body = Font(name=FONT)
    for row in brief.rows:
        sheet.append([row[column] for column in BRIEF_COLUMNS])
        line = sheet.max_row
        for index, column in enumerate(BRIEF_COLUMNS, start=1):
            cell = sheet.cell(line, index)
            cell.font = body
            if column in formats:
                cell.number_format = formats[column]
            if column == "code":
                cell.font = Font(name="Consolas", bold=True)
            if column == "url":
                cell.hyperlink = str(row["url"])
                cell.font = Font(name=FONT, color="1F4E9A", underline="single")
    last = sheet.max_row
    if brief.rows:
        sheet.append(["Total"])
        total = sheet.max_row
        sheet.cell(total, 1).font = Font(name=FONT, bold=True)
        for column in ("spend", "engagements", "conversions"):
            index = BRIEF_COLUMNS.index(column) + 1
            letter = get_column_letter(index)
            cell = sheet.cell(total, index, f"=SUM({letter}{header_row + 1}:{letter}{last})")
            cell.number_format = formats[column]
            cell.font = Font(name=FONT, bold=True)
    for index, column in enumerate(BRIEF_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[column]
    sheet.freeze_panes = f"B{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(BRIEF_COLUMNS))}{last}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    assert sheet.oddHeader is not None and sheet.oddFooter is not None
    sheet.oddHeader.left.text = title.replace("&", "&&")[:100]
    sheet.oddFooter.center.text = "Page &P of &N"
    with atomic_path(path) as temporary:
        workbook.save(temporary)


@dataclass(frozen=True)
class BriefSlots:
    """A brief read back: each code's period, platform, tier and creator."""

    source: str
    slots: dict[str, dict[str, str]]


def read_brief(path: str | Path) -> BriefSlots:
    """The codes of a brief written by `write_brief` (CSV or workbook, any column order)."""
    from optimizer.results.tables import TableError, locate_columns, read_table, text_column

    table = read_table(path, header_hint="code")
    fields = ("code", "period", "platform", "tier", "creator")
    headings = {field: _HEADINGS[field] for field in fields}
    found = locate_columns(table, fields, {})
    if "code" not in found:  # a workbook heads its columns with words
        found = locate_columns(table, fields, headings)
    if "code" not in found:
        raise TableError(table.source, [": a brief needs a code column"])
    values = {field: text_column(table, position) for field, position in found.items()}
    slots: dict[str, dict[str, str]] = {}
    for position, code in enumerate(values["code"]):
        code = str(code).upper()
        if not code or code == "TOTAL":
            continue
        slots[code] = {
            field: str(values[field][position]) for field in fields[1:] if field in values
        }
    return BriefSlots(table.source, slots)


def read_codes(path: str | Path) -> set[str]:
    """Codes already handed out: a file with a `code` column (a brief, an export), or one
    code per line."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return set(read_brief(path).slots)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise OptimizerError(f"--existing {path}: cannot be read: {error}") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return set()
    from optimizer.results.tables import normalised

    header = [normalised(cell) for cell in rows[0]]
    column = header.index("code") if "code" in header else None
    body: Sequence[list[str]] = rows[1:] if column is not None else rows
    position = column or 0
    return {row[position].strip().upper() for row in body if len(row) > position and row[position]}
