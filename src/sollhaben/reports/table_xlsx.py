"""A `TableReport` as an XLSX workbook: one sheet per section, numbers as numbers (two decimals),
dates as dates, bold heads and totals, frozen head row, column widths from the report."""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.table_model import Cell, ReportSection, TableReport

_BOLD = Font(bold=True)
_MONEY_FORMAT = "#,##0.00"
_DATE_FORMAT = "DD.MM.YYYY"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(heading: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("-", heading).strip()[:28] or "Tabelle"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def _cell(sheet, value: Cell, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, Money):
        cell = WriteOnlyCell(sheet, value=value.amount)
        cell.number_format = _MONEY_FORMAT
    elif isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.##" if value != value.to_integral_value() else "0"
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY HH:MM"
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, Month):
        cell = WriteOnlyCell(sheet, value=str(value))
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    return cell


def _section(workbook: Workbook, report: TableReport, section: ReportSection, used: set[str]) -> None:
    sheet = workbook.create_sheet(_sheet_title(section.heading, used))
    for index, column in enumerate(section.columns):
        letter = chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
        sheet.column_dimensions[letter].width = max(8, min(60, column.width * 1.2))
    sheet.freeze_panes = "A3"
    sheet.append([_cell(sheet, f"{report.title} – {section.heading}", bold=True)])
    sheet.append([_cell(sheet, column.title, bold=True) for column in section.columns])
    for row in section.rows:
        sheet.append([_cell(sheet, value) for value in row])
    for row in section.totals:
        sheet.append([_cell(sheet, value, bold=True) for value in row])


def render_table_xlsx(report: TableReport) -> bytes:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for section in report.sections:
        _section(workbook, report, section, used)
    if not report.sections:
        workbook.create_sheet("Leer")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
