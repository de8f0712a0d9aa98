"""Tabular reports (run lists, subsidy lists, open-item lists …) as data: one model, two writers.

A `TableReport` holds typed cell values (text, int, Decimal, Money, date, Month); the PDF writer
formats them for the organization's country, the XLSX writer stores numbers as numbers and dates
as dates, so a clerk can sum and filter in a spreadsheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence, Union

from sollhaben.domain.formatting import format_date, format_money, format_number_minor
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month

Cell = Union[str, int, Decimal, Money, date, Month, None]


@dataclass(frozen=True)
class ReportColumn:
    title: str
    width: float  # relative width; the writer scales the columns to the page
    numeric: bool = False  # right-aligned; summed by totals where the caller asks


@dataclass(frozen=True)
class ReportSection:
    """One table: a heading, its rows and optional total rows (printed bold)."""

    heading: str
    columns: tuple[ReportColumn, ...]
    rows: Sequence[Sequence[Cell]]
    totals: Sequence[Sequence[Cell]] = ()


@dataclass(frozen=True)
class TableReport:
    title: str
    organization: str
    country: str  # DE or CH: number and date formats
    sections: tuple[ReportSection, ...]
    subtitle: str = ""
    created: datetime = field(default_factory=datetime.now)
    landscape: bool = False
    notes: tuple[str, ...] = ()  # lines printed after the last section


def cell_text(value: Cell, country: str) -> str:
    """A cell as printed: money and numbers in the country's format, dates as TT.MM.JJJJ."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return format_money(value, country)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        minor = int((value * 100).to_integral_value())
        return format_number_minor(minor, country)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    return str(value)
