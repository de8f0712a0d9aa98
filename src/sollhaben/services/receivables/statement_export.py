"""The account statement as a table report (`reports.table_model`), written as XLSX: sheets
„Buchungen“ (opening balance, postings with running balance and marks, closing balance),
„Offene Posten“ (each open item at the end date) and „Nach Monat und Kategorie“ (the sums, the
unallocated credit and the balance). Amounts are numbers with two decimals, dates are dates."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.money import Money
from sollhaben.persistence.database import Database
from sollhaben.reports.table_model import ReportColumn, ReportSection, TableReport
from sollhaben.reports.table_xlsx import render_table_xlsx
from sollhaben.services.receivables.statement import AccountStatement, load_statement
from sollhaben.services.receivables.statement_labels import category_label, pending_mark, reversal_mark
from sollhaben.services.receivables.statement_print import end_date, period_text


def _postings(s: AccountStatement) -> ReportSection:
    columns = (ReportColumn("Datum", 10), ReportColumn("Nr.", 7, True), ReportColumn("Monat", 8),
               ReportColumn("Kategorie", 14), ReportColumn("Text", 30), ReportColumn("Soll", 11, True),
               ReportColumn("Haben", 11, True), ReportColumn("Saldo", 12, True), ReportColumn("Vermerk", 28))
    rows = [[s.date_from, None, None, None, "Anfangssaldo", None, None, s.opening_balance, ""]]
    for line in s.lines:
        p = line.posting
        marks = "; ".join(m for m in (reversal_mark(p.reverses_id, p.reversed_by_id),
                                      pending_mark(getattr(p, "pending_until", None))) if m)
        rows.append([p.booking_date, p.id, p.value_month, category_label(p.category), p.text,
                     p.amount if p.amount.minor > 0 else None, -p.amount if p.amount.minor < 0 else None,
                     line.balance, marks])
    totals = [[end_date(s), None, None, None, "Saldo", None, None, s.closing_balance, ""]]
    return ReportSection("Buchungen", columns, rows, totals)


def _open_items(s: AccountStatement) -> ReportSection:
    columns = (ReportColumn("Fällig", 10), ReportColumn("Nr.", 7, True), ReportColumn("Monat", 8),
               ReportColumn("Kategorie", 14), ReportColumn("Text", 30), ReportColumn("Betrag", 11, True),
               ReportColumn("Offen", 11, True))
    rows = [[p.due_date, p.id, p.value_month, category_label(p.category), p.text, p.amount, p.open_amount]
            for p in s.open_items]
    return ReportSection("Offene Posten", columns, rows,
                         [[None, None, None, None, "Summe offene Posten", None, s.open_total]])


def _groups(s: AccountStatement) -> ReportSection:
    columns = (ReportColumn("Monat", 10), ReportColumn("Kategorie", 20), ReportColumn("Posten", 8, True),
               ReportColumn("Offen", 12, True))
    rows = [[g.month, category_label(g.category), g.count, g.open_amount] for g in s.groups]
    currency = s.account.currency
    totals = [[None, "Summe offene Posten", sum(g.count for g in s.groups), s.open_total],
              [None, "Unzugeordnetes Guthaben", None, Money(-s.unallocated_credit.minor, currency)],
              [None, "Saldo", None, s.closing_balance]]
    return ReportSection("Nach Monat und Kategorie", columns, rows, totals)


def statement_report(s: AccountStatement, organization: str = "") -> TableReport:
    account = s.account
    return TableReport(f"Kontoauszug {account.number} – {account.holder_name}", organization, s.country,
                       (_postings(s), _open_items(s), _groups(s)), subtitle=f"Zeitraum: {period_text(s)}")


def statement_xlsx(db: Database, account_id: int, date_from: date | None = None, date_to: date | None = None,
                   today: date | None = None) -> bytes:
    return render_table_xlsx(statement_report(load_statement(db, account_id, date_from, date_to, today)))
