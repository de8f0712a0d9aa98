"""Exports of the open-item list, the ageing and the collections: one table report (XLSX: a sheet
each; PDF possible with `reports.table_pdf`) and CSV of one table.

CSV (docs/statements.md → "CSV"): UTF-8 with byte order mark, semicolon, CRLF line ends, a head
row with the column titles; amounts exact, without thousands separators, with the decimal sign of
the organization's country (DE 1234,50; CH 1234.50 — what a spreadsheet there reads as a number);
dates TT.MM.JJJJ, months MM.JJJJ; total rows at the end.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Sequence

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.table_model import Cell, ReportColumn, ReportSection, TableReport
from sollhaben.services.receivables.open_items import CollectionMonth, OpenItemList
from sollhaben.services.receivables.open_items_rules import BUCKET_LABELS, BUCKETS
from sollhaben.services.receivables.statement_labels import category_label


def decimal_text(minor: int, decimal_sign: str = ".") -> str:
    """Minor units as an exact decimal: -1234.50 (no thousands separator)."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}{decimal_sign}{cents:02d}"


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with BOM, semicolon, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_cell(value: Cell, country: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return decimal_text(value.minor, "," if country == "DE" else ".")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, Decimal):
        return str(value).replace(".", "," if country == "DE" else ".")
    return str(value)


def section_csv(section: ReportSection, country: str) -> bytes:
    rows = [[csv_cell(v, country) for v in row] for row in (*section.rows, *section.totals)]
    return csv_bytes([c.title for c in section.columns], rows)


def items_section(result: OpenItemList) -> ReportSection:
    columns = (ReportColumn("Konto", 9), ReportColumn("Inhaber/in", 22), ReportColumn("Nr.", 7, True),
               ReportColumn("Fällig", 11), ReportColumn("Monat", 8), ReportColumn("Kategorie", 14),
               ReportColumn("Text", 23), ReportColumn("Betrag", 11, True), ReportColumn("Offen", 11, True),
               ReportColumn("Tage", 6, True), ReportColumn("Altersklasse", 13))
    rows = [[r.account_number, r.holder_name, r.item_id, r.due_date, r.value_month, category_label(r.category),
             r.text, r.amount, r.open_amount, r.days_overdue, BUCKET_LABELS[r.bucket]] for r in result.items]
    totals = [["", "Summe", None, None, None, "", "", None, result.total.open_total, None, ""]]
    return ReportSection("Offene Posten", columns, rows, totals)


def ageing_section(result: OpenItemList) -> ReportSection:
    columns = (ReportColumn("Konto", 9), ReportColumn("Inhaber/in", 22),
               *(ReportColumn(BUCKET_LABELS[b], 11, True) for b in BUCKETS),
               ReportColumn("Summe offen", 13, True), ReportColumn("Guthaben", 11, True),
               ReportColumn("Saldo", 11, True))

    def cells(a):
        return [a.account_number, a.holder_name, *a.buckets, a.open_total, a.credit, a.balance]
    return ReportSection("Altersstruktur", columns, [cells(a) for a in result.ageing], [cells(result.total)])


def collections_section(months: Sequence[CollectionMonth], year: int) -> ReportSection:
    columns = (ReportColumn("Monat", 10), ReportColumn("Zahlungseingänge", 14, True),
               ReportColumn("Stornos/Rücklastschriften", 16, True), ReportColumn("Netto", 14, True))
    rows = [[m.month, m.received, m.reversed, m.net] for m in months]
    totals = []
    if months:
        currency = months[0].received.currency
        received = Money(sum(m.received.minor for m in months), currency)
        undone = Money(sum(m.reversed.minor for m in months), currency)
        totals = [["Summe", received, undone, received - undone]]
    return ReportSection(f"Zahlungseingänge {year}", columns, rows, totals)


def list_report(result: OpenItemList, collections: Sequence[CollectionMonth] = (),
                year: int | None = None) -> TableReport:
    """The lists as one report: open items, ageing, and the collections when given."""
    sections = [items_section(result), ageing_section(result)]
    if collections:
        sections.append(collections_section(collections, year or collections[0].month.year))
    flt = result.filter
    parts = [f"Stichtag {flt.key_date.strftime('%d.%m.%Y')}"]
    if flt.categories:
        parts.append("Kategorien: " + ", ".join(category_label(c) for c in flt.categories))
    if flt.overdue_only:
        parts.append("nur überfällige")
    if flt.minimum is not None and flt.minimum.minor:
        parts.append(f"ab {decimal_text(flt.minimum.minor, ',' if result.country == 'DE' else '.')} je Konto")
    return TableReport("Offene Posten", result.organization, result.country, tuple(sections),
                       subtitle=" · ".join(parts), landscape=True)
