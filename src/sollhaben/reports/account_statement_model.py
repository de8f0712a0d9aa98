"""What the account statement PDF consists of: frozen data handed to `reports.account_statement`
(built by `services.receivables.statement_print`; no database, no Qt)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.letter_model import Letter


@dataclass(frozen=True)
class StatementRow:
    """One posting: debit when the amount is positive, credit when negative; `marks` are printed
    small below the text (reversal, pending direct debit)."""

    booking_date: date
    number: int
    month: Month | None
    text: str
    amount: Money
    balance: Money
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRow:
    """Open items of one month and category."""

    month: Month
    category: str
    count: int
    amount: Money


@dataclass(frozen=True)
class StatementDocument:
    """`letter` holds the head (sender, recipient, date, subject) and the QR-bill, if any; its body
    is unused. `notes` are paragraphs after the tables (pending debits, payment, why no bill)."""

    letter: Letter
    account_line: str  # "Konto 000123 – Muster, Max"
    period_line: str  # "Zeitraum 01.01.2016 – 31.12.2025"
    opening_label: str
    opening: Money
    rows: tuple[StatementRow, ...]
    closing_label: str
    closing: Money
    groups: tuple[GroupRow, ...]
    open_total: Money
    credit: Money
    balance: Money
    notes: tuple[str, ...] = ()
