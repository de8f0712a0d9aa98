"""Return debits (Rücklastschriften) found in imported bank files, booked from the page
Zahlungseingänge.

The import stores every debit as „Nicht gebucht“ (status SKIPPED, see docs/bank-files.md). A debit
is a return of one of our SEPA collections when

1. the file names the collection: its `EndToEndId` is an item of one of the organization's runs
   (`note_return_details` reads that, with the reason `RtrInf/Rsn/Cd`, right after the import and
   writes it into the line's note: „Rücklastschrift AC04 (Konto erloschen) – Lastschrift <id>“), or
2. without it (a file imported by another way, a bank that leaves the id out): exactly one collected,
   not yet returned item of the organization has the line's amount and the debtor's IBAN as its
   mandate's IBAN, and was due on or before the line's booking date.

`list_return_debits` offers those lines; `book_return_debit` books one with
`sepa_returns.record_return_debit` (reversal of the collected payment, optional fee) and marks the
line as booked in its note — one unit of work. Debits that are neither (bank charges, transfers)
are not listed. The import's own rows stay as they are otherwise (status SKIPPED, no payment).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sollhaben.banking.return_info import read_return_details
from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.sepa_collection_rules import reason_label
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    Account,
    BankEntry,
    BankImport,
    Person,
    SepaCollection,
    SepaCollectionItem,
    SepaMandate,
    SepaReturnDebit,
)
from sollhaben.services.receivables import sepa_returns
from sollhaben.services.receivables.bank_dto import BankFilePreview
from sollhaben.services.receivables.sepa_dto import ReturnDebitResult
from sollhaben.services.unit_of_work import read_only, unit_of_work

BOOKED_MARK = "als Rücklastschrift gebucht"


def return_note(code: str, end_to_end_id: str, reason_text: str = "") -> str:
    """The line's note for a recognised return; `parse_return_note` reads it back."""
    head = f"Rücklastschrift {code} ({reason_label(code)})" if code else "Rücklastschrift"
    tail = f" – Lastschrift {end_to_end_id}" if end_to_end_id else ""
    extra = f" – {reason_text}" if reason_text else ""
    return (head + tail + extra)[:500]


def parse_return_note(note: str) -> tuple[str, str] | None:
    """(reason code, end-to-end id) from a note written by `return_note`; None for other notes."""
    if not note.startswith("Rücklastschrift"):
        return None
    code = re.match(r"^Rücklastschrift ([A-Z0-9]{4}) \(", note)
    e2e = re.search(r" – Lastschrift (\S+)", note)
    return (code.group(1) if code else "", e2e.group(1) if e2e else "")


@dataclass(frozen=True)
class ReturnDebitLine:
    """A debit line of a bank file recognised as a return of one collected item."""

    entry_id: int
    booking_date: date | None
    amount: Money
    debtor_name: str
    debtor_iban: str
    text: str
    file_name: str
    reason_code: str  # from the file ("" when it gave none: the clerk chooses)
    item_id: int | None  # the collected item (None: the file names a collection we do not know)
    end_to_end_id: str
    account_id: int | None
    account_label: str
    collected: Money | None  # the item's amount
    via: str  # "Lastschrift-ID" or "IBAN und Betrag"
    returned_on: date | None  # set once booked

    @property
    def booked(self) -> bool:
        return self.returned_on is not None

    @property
    def state(self) -> str:
        if self.booked:
            return f"gebucht am {self.returned_on:%d.%m.%Y}"
        if self.item_id is None:
            return "Lastschrift unbekannt"
        return "offen"


def _return_notes(session: Session, organization_id: int, content: bytes) -> dict[str, str]:
    """Servicer key → note for the file's debit lines that return a collection of ours or carry a
    return reason."""
    details = {d.key[:80]: d for d in read_return_details(content)}
    items = _items_by_e2e(session, organization_id, [d.end_to_end_id for d in details.values() if d.end_to_end_id])
    return {key: return_note(d.reason_code, d.end_to_end_id, d.reason_text) for key, d in details.items()
            if d.reason_code or d.end_to_end_id in items}


def with_return_notes(db: Database, organization_id: int, preview: BankFilePreview,
                      content: bytes) -> BankFilePreview:
    """The preview with its return debits named („Rücklastschrift … – Lastschrift …“) instead of
    „Belastung – nicht gebucht“, so the clerk sees them before booking the file."""
    with read_only(db) as session:
        notes = _return_notes(session, organization_id, content)
    if not notes:
        return preview
    lines = tuple(line._replace(note=f"{notes[line.key[:80]]} – buchen im Reiter „Rücklastschriften“")
                  if not line.credit and line.key[:80] in notes else line for line in preview.lines)
    return replace(preview, lines=lines)


def note_return_details(db: Database, organization_id: int, content: bytes) -> int:
    """After an import: write what the file says about returned collections into the notes of the
    stored debit lines (those still „Nicht gebucht“ and not yet noted). Returns how many."""
    noted = 0
    with unit_of_work(db, "Die Bankzeile") as session:
        notes = _return_notes(session, organization_id, content)  # debits naming nothing of ours are left
        if not notes:
            return 0
        entries = session.scalars(select(BankEntry).where(
            BankEntry.organization_id == organization_id, BankEntry.credit.is_(False), BankEntry.status == "SKIPPED",
            BankEntry.servicer_reference.in_(list(notes)))).all()
        for entry in entries:
            if parse_return_note(entry.note) is not None:
                continue  # noted already
            entry.note = notes[entry.servicer_reference]
            entry.updated_by = session.info.get("user", "system")
            entry.updated_at = utcnow()
            noted += 1
    return noted


def _items_by_e2e(session: Session, organization_id: int, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = session.execute(select(SepaCollectionItem.end_to_end_id, SepaCollectionItem.id)
                           .join(SepaCollection, SepaCollection.id == SepaCollectionItem.collection_id)
                           .where(SepaCollection.organization_id == organization_id,
                                  SepaCollectionItem.end_to_end_id.in_(ids)))
    return dict(rows.all())


def _collected_items(session: Session, organization_id: int, entries: list[BankEntry]) -> list:
    """The organization's collected items the debit lines can name — by a noted end-to-end id, or
    by amount and the mandate's IBAN — with account, holder, mandate IBAN, due date and return. Only
    those: an organization collects thousands of items a month, and the tab reloads often."""
    ids = {parse_return_note(e.note)[1] for e in entries if parse_return_note(e.note)} - {""}
    amounts = {e.amount_minor for e in entries if e.debtor_iban}
    ibans = {e.debtor_iban.replace(" ", "").upper() for e in entries if e.debtor_iban}
    wanted = [SepaCollectionItem.end_to_end_id.in_(ids)] if ids else []
    if ibans:
        wanted.append(and_(SepaCollectionItem.amount_minor.in_(amounts), SepaMandate.iban.in_(ibans)))
    if not wanted:
        return []
    return session.execute(
        select(SepaCollectionItem.id, SepaCollectionItem.end_to_end_id, SepaCollectionItem.amount_minor,
               SepaCollectionItem.currency, SepaCollectionItem.account_id, SepaCollection.due_date, SepaMandate.iban,
               Account.number, Person.last_name, Person.first_name, SepaReturnDebit.returned_on)
        .join(SepaCollection, SepaCollection.id == SepaCollectionItem.collection_id)
        .join(SepaMandate, SepaMandate.id == SepaCollectionItem.mandate_id)
        .join(Account, Account.id == SepaCollectionItem.account_id)
        .join(Person, Person.id == Account.holder_id)
        .outerjoin(SepaReturnDebit, SepaReturnDebit.collection_item_id == SepaCollectionItem.id)
        .where(SepaCollection.organization_id == organization_id, or_(*wanted))).all()


def _open_by_iban_and_amount(items: list) -> dict[tuple[str, int, str], list]:
    """Not yet returned items by (mandate IBAN, amount, currency): one look-up per debit line."""
    found: dict[tuple[str, int, str], list] = {}
    for i in items:
        if i.returned_on is None:
            found.setdefault((i.iban.replace(" ", "").upper(), i.amount_minor, i.currency), []).append(i)
    return found


def _by_iban_and_amount(open_items: dict, entry: BankEntry) -> list:
    iban = entry.debtor_iban.replace(" ", "").upper()
    if not iban:
        return []
    return [i for i in open_items.get((iban, entry.amount_minor, entry.currency), ())
            if entry.booking_date is None or i.due_date <= entry.booking_date]


def list_return_debits(db: Database, organization_id: int, include_done: bool = False) -> list[ReturnDebitLine]:
    """The organization's debit lines recognised as return debits, open ones (and booked ones with
    `include_done`), newest first."""
    with read_only(db) as session:
        rows = session.execute(select(BankEntry, BankImport.file_name)
                               .join(BankImport, BankImport.id == BankEntry.import_id)
                               .where(BankEntry.organization_id == organization_id, BankEntry.credit.is_(False),
                                      BankEntry.status == "SKIPPED")).all()
        if not rows:
            return []
        items = _collected_items(session, organization_id, [entry for entry, _name in rows])
        by_e2e = {i.end_to_end_id: i for i in items}
        open_items = _open_by_iban_and_amount(items)
        lines = []
        for entry, file_name in rows:
            noted = parse_return_note(entry.note)
            code, e2e = noted or ("", "")
            item = by_e2e.get(e2e) if e2e else None
            via = "Lastschrift-ID" if item is not None else ""
            if item is None and not e2e:  # the file named no collection: the debtor's IBAN and the amount
                candidates = _by_iban_and_amount(open_items, entry)
                if len(candidates) == 1:
                    item, via = candidates[0], "IBAN und Betrag"
            if item is None and noted is None:
                continue  # a debit that is not a return of ours (bank charges, a transfer …)
            lines.append(_line(entry, file_name, code, e2e, item, via))
    lines = [line for line in lines if include_done or not line.booked]
    lines.sort(key=lambda line: (line.booking_date or date.min, line.entry_id), reverse=True)
    return lines


def _line(entry: BankEntry, file_name: str, code: str, e2e: str, item, via: str) -> ReturnDebitLine:
    currency = entry.currency
    label = ""
    if item is not None:
        name = f"{item.last_name}, {item.first_name}" if item.first_name else item.last_name
        label = f"{item.number} {name}"
    return ReturnDebitLine(
        entry.id, entry.booking_date, Money(entry.amount_minor, currency), entry.debtor_name, entry.debtor_iban,
        entry.text, file_name, code, item.id if item else None, item.end_to_end_id if item else e2e,
        item.account_id if item else None, label, Money(item.amount_minor, item.currency) if item else None,
        via if item else "", item.returned_on if item else None)


def book_return_debit(db: Database, organization_id: int, entry_id: int, item_id: int, returned_on: date,
                      reason_code: str, fee: Money | None = None, note: str = "", user: str = "",
                      today: date | None = None) -> ReturnDebitResult:
    """Book the line as the return of the collected item (see `sepa_returns.record_return_debit`) and
    mark the line booked; one unit of work: both or nothing."""
    with unit_of_work(db, "Die Rücklastschrift") as session:
        entry = session.scalar(select(BankEntry).where(BankEntry.id == entry_id).with_for_update())
        if entry is None or entry.organization_id != organization_id:
            raise NotFoundError(f"Bankzeile {entry_id} gibt es nicht.")
        if entry.credit or entry.status != "SKIPPED":
            raise ValidationError("Bankzeile: Nur eine nicht gebuchte Belastung kann eine Rücklastschrift sein.",
                                  "entry")
        if BOOKED_MARK in entry.note:
            raise ValidationError("Bankzeile: Diese Belastung ist bereits als Rücklastschrift gebucht.", "entry")
        item = session.get(SepaCollectionItem, item_id)
        collection = session.get(SepaCollection, item.collection_id) if item is not None else None
        if collection is None or collection.organization_id != organization_id:
            raise NotFoundError(f"Lastschrift {item_id} gibt es nicht.")
        if entry.currency != item.currency or entry.amount_minor < item.amount_minor:
            raise ValidationError(
                f"Betrag: Die Belastung ({format_money(Money(entry.amount_minor, entry.currency), 'DE', True)}) ist "
                f"kleiner als die Lastschrift ({format_money(Money(item.amount_minor, item.currency), 'DE', True)}).",
                "amount")
        file_name = session.scalar(select(BankImport.file_name).where(BankImport.id == entry.import_id)) or ""
        origin = f"Bankdatei {file_name}, Belastung vom {entry.booking_date:%d.%m.%Y}" if entry.booking_date else \
            f"Bankdatei {file_name}"
        result = sepa_returns.record_return_debit(db, item_id, returned_on, reason_code, fee,
                                                  f"{origin}. {note}".strip(), user=user, today=today)
        code = reason_code.strip().upper()
        entry.note = f"{return_note(code, item.end_to_end_id)} – {BOOKED_MARK}"[:500]
        entry.updated_by = user or session.info.get("user", "system")
        entry.updated_at = utcnow()
        session.flush()
        return result
