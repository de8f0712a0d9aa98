"""The clearing list and the list of imports.

A credit the import could not match waits with status CLEARING. The clerk either assigns it to an
account (optionally naming items) — it is booked as a payment then, by the account's module rule
with the named items first — or marks it „nicht zuordenbar“ with a note (e.g. sent back to the
payer). Nothing is deleted; the entry keeps who did what and when.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, BankEntry, BankImport
from sollhaben.services import ledger
from sollhaben.services.receivables.bank_dto import BankEntryDTO, BankImportDTO
from sollhaben.services.receivables.bank_lookup import account_labels
from sollhaben.services.unit_of_work import read_only, unit_of_work


def list_imports(db: Database, organization_id: int) -> list[BankImportDTO]:
    """The organization's imports, newest first, with how many clearing lines still wait."""
    with read_only(db) as session:
        waiting = dict(session.execute(select(BankEntry.import_id, func.count()).where(
            BankEntry.organization_id == organization_id, BankEntry.status == "CLEARING")
            .group_by(BankEntry.import_id)).all())
        rows = session.scalars(select(BankImport).where(BankImport.organization_id == organization_id)
                               .order_by(BankImport.imported_at.desc(), BankImport.id.desc())).all()
        return [BankImportDTO(r.id, r.file_name, r.kind, r.version, r.message_id, r.imported_at, r.imported_by,
                              r.matched_count, Money(r.matched_minor, r.currency), r.clearing_count,
                              Money(r.clearing_minor, r.currency), r.skipped_count, r.duplicate_count,
                              int(waiting.get(r.id, 0))) for r in rows]


def _dtos(session: Session, rows: Sequence[BankEntry]) -> list[BankEntryDTO]:
    labels = account_labels(session, [r.account_id for r in rows if r.account_id])
    files = dict(session.execute(select(BankImport.id, BankImport.file_name)
                                 .where(BankImport.id.in_({r.import_id for r in rows}))).all()) if rows else {}
    return [BankEntryDTO(r.id, r.import_id, r.position, r.servicer_reference, Money(r.amount_minor, r.currency),
                         r.credit, r.booking_date, r.value_date, r.debtor_name, r.debtor_iban, r.reference, r.text,
                         r.status, r.account_id, labels.get(r.account_id, "") if r.account_id else "", r.payment_id,
                         r.note, files.get(r.import_id, "")) for r in rows]


def list_clearing(db: Database, organization_id: int, include_done: bool = False) -> list[BankEntryDTO]:
    """Credits waiting for the clerk (oldest first); with `include_done` also those cleared or
    marked „nicht zuordenbar“ from the clearing list."""
    statuses = ("CLEARING", "CLEARED", "UNASSIGNABLE") if include_done else ("CLEARING",)
    with read_only(db) as session:
        rows = session.scalars(select(BankEntry).where(BankEntry.organization_id == organization_id,
                                                       BankEntry.status.in_(statuses))
                               .order_by(BankEntry.booking_date, BankEntry.id)).all()
        return _dtos(session, rows)


def list_entries(db: Database, import_id: int) -> list[BankEntryDTO]:
    """Every stored line of one import, in file order."""
    with read_only(db) as session:
        rows = session.scalars(select(BankEntry).where(BankEntry.import_id == import_id)
                               .order_by(BankEntry.id)).all()
        return _dtos(session, rows)


def _waiting_entry(session: Session, organization_id: int, entry_id: int) -> BankEntry:
    entry = session.scalar(select(BankEntry).where(BankEntry.id == entry_id).with_for_update())
    if entry is None or entry.organization_id != organization_id:
        raise NotFoundError(f"Zahlungseingang {entry_id} gibt es nicht.")
    if entry.status != "CLEARING":
        raise ValidationError("Zahlungseingang: Er ist bereits erledigt (zugeordnet oder nicht zuordenbar).",
                              "entry")
    return entry


def assign_clearing_entry(db: Database, organization_id: int, entry_id: int, account_id: int,
                          item_ids: Sequence[int] = (), booking_date: date | None = None) -> int:
    """Book the waiting credit as a payment on `account_id`, the named items first; returns the
    payment posting id. The entry becomes CLEARED."""
    with unit_of_work(db, "Zahlungseingang") as session:
        entry = _waiting_entry(session, organization_id, entry_id)
        account = session.get(Account, account_id)
        if account is None or account.organization_id != organization_id:
            raise ValidationError("Konto: Bitte ein Konto dieser Organisation wählen.", "account")
        text = f"Zahlung {entry.debtor_name}".strip() + (f" – {entry.text}" if entry.text else "")
        payment_id = ledger.book_payment(
            db, account_id, booking_date or entry.booking_date or date.today(),
            Money(entry.amount_minor, entry.currency),
            text=text[:200], source=PostingSource.BANK_FILE, reference=entry.reference[:35],
            idempotency_key=f"BANK:{organization_id}:{entry.servicer_reference}", designation=list(item_ids),
            detail={"bank_entry": entry.servicer_reference, "cleared": True})
        entry.status, entry.account_id, entry.payment_id = "CLEARED", account_id, payment_id
        entry.updated_by, entry.updated_at = session.info.get("user", "system"), utcnow()
        return payment_id


def mark_unassignable(db: Database, organization_id: int, entry_id: int, note: str) -> None:
    """„Nicht zuordenbar“: the credit stays unbooked with the clerk's note (e.g. returned to sender)."""
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError("Notiz: Bitte angeben, was mit dem Betrag geschieht (z. B. zurücküberwiesen).", "note")
    if len(note) > 500:
        raise ValidationError("Notiz: höchstens 500 Zeichen.", "note")
    with unit_of_work(db, "Zahlungseingang") as session:
        entry = _waiting_entry(session, organization_id, entry_id)
        # the import's note (why it was not matched) stays in front of the clerk's
        entry.status = "UNASSIGNABLE"
        entry.note = (f"{entry.note} | " if entry.note else "") + f"Nicht zuordenbar: {note}"
        entry.note = entry.note[:500]
        entry.updated_by, entry.updated_at = session.info.get("user", "system"), utcnow()
