"""The posting export for the general ledger (Buchungsexport für die Finanzbuchhaltung): every
posting of the organization booked in a date range, as CSV with documented columns
(docs/statements.md → "Posting export").

A machine format: UTF-8 with byte order mark, semicolon, CRLF; dates ISO 8601 (2026-11-25),
value month 2026-11, amounts exact with a decimal point and a sign (+ receivable, − payment or
credit), timestamps ISO 8601 in UTC. Sorted by booking date and posting id. Written to a
temporary file next to the target and renamed at the end: a cancelled or failed export leaves no
half file.
"""
from __future__ import annotations

import os
from concurrent.futures import CancelledError
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from sollhaben.domain.errors import NotFoundError
from sollhaben.domain.months import Month
from sollhaben.persistence.bulk_read import fetch_tuples
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Organization, Person, Posting
from sollhaben.services.receivables.open_items_export import csv_bytes, decimal_text
from sollhaben.services.receivables.statement import check_period

COLUMNS = ("posting_id", "booking_date", "value_month", "due_date", "account_id", "account_number", "holder",
           "category", "amount", "currency", "source", "source_id", "reverses_id", "reference", "text",
           "created_by", "created_at")
_CHUNK = 5000  # rows between two progress reports / cancel checks


@dataclass(frozen=True)
class ExportResult:
    path: str
    rows: int
    date_from: date
    date_to: date


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return stamp.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else text  # SQLite returns ISO text


def _timestamp(value) -> str:
    if value is None or isinstance(value, datetime):
        return _iso(value)
    return _iso(datetime.fromisoformat(str(value)))


def _statement(organization_id: int, date_from: date, date_to: date):
    return (select(Posting.id, Posting.booking_date, Posting.value_month, Posting.due_date, Account.id,
                   Account.number, Person.last_name, Person.first_name, Posting.category, Posting.amount_minor,
                   Posting.currency, Posting.source, Posting.source_id, Posting.reverses_id, Posting.reference,
                   Posting.text, Posting.created_by, Posting.created_at)
            .join(Account, Account.id == Posting.account_id).join(Person, Person.id == Account.holder_id)
            .where(Account.organization_id == organization_id, Posting.booking_date >= date_from,
                   Posting.booking_date <= date_to)
            .order_by(Posting.booking_date, Posting.id))


def posting_rows(db: Database, organization_id: int, date_from: date, date_to: date) -> list[list[str]]:
    """The export's rows as text (the columns of `COLUMNS`)."""
    check_period(date_from, date_to)
    with db.engine.connect() as connection:
        if connection.execute(select(Organization.id).where(Organization.id == organization_id)).first() is None:
            raise NotFoundError(f"Organisation {organization_id} gibt es nicht.")
        raw = fetch_tuples(connection, _statement(organization_id, date_from, date_to))
    rows = []
    for (pid, booked, month, due, account_id, number, last, first, category, amount, currency, source, source_id,
         reverses_id, reference, text, created_by, created_at) in raw:
        rows.append([str(pid), _iso(booked), Month.from_index(int(month)).iso() if month is not None else "",
                     _iso(due), str(account_id), number, f"{last}, {first}" if first else last, category,
                     decimal_text(int(amount)), currency, source, "" if source_id is None else str(source_id),
                     "" if reverses_id is None else str(reverses_id), reference or "", text or "", created_by,
                     _timestamp(created_at)])
    return rows


def export_postings(db: Database, organization_id: int, date_from: date, date_to: date, path: str | Path,
                    progress: Callable[[int, int, str], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write the CSV to `path` (all or nothing); returns the path and the number of rows."""
    rows = posting_rows(db, organization_id, date_from, date_to)
    target = Path(path)
    temporary = target.with_name(f".{target.name}.part")
    chunks = []
    for start in range(0, len(rows), _CHUNK):
        if cancelled is not None and cancelled():
            raise CancelledError("Export abgebrochen")
        chunks.append(rows[start:start + _CHUNK])
        if progress is not None:
            progress(min(start + _CHUNK, len(rows)), len(rows), "Buchungen schreiben")
    data = csv_bytes(COLUMNS, (row for chunk in chunks for row in chunk))
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return ExportResult(str(target), len(rows), date_from, date_to)
