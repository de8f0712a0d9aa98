"""Importing a camt.053 / camt.054 file: preview (read and match, nothing written) and import
(all-or-nothing: any problem in the file and nothing is stored).

Per transaction (see `domain.receivables.bank_matching` for the order): matched credits are booked
as payments (source BANK_FILE, source id = the import) and allocated by the account's module rule
with the designation of the reference; unmatched credits wait in the clearing list; debits,
reversals and batches without details are stored as not booked; pending lines and lines imported
before are only reported. The servicer key (`banking.camt_keys`) is unique per organization, so a
transaction is never booked twice — not by importing the file again, nor via another file.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import CancelledError
from dataclasses import dataclass
from datetime import date
from typing import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sollhaben.banking.camt import read_camt
from sollhaben.banking.camt_model import CamtDocument, CamtEntry, CamtProblem, CamtTransaction
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.bank_matching import BankLine, LineMatch, LineStatus, ReferenceTarget, match_line
from sollhaben.domain.references import format_iban
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import BankImport
from sollhaben.services.receivables import bank_lookup as lookup
from sollhaben.services.receivables.bank_booking import (
    PaymentToBook,
    insert_entries,
    insert_payments,
    plan_allocations,
    take_posting_ids,
)
from sollhaben.services.receivables.bank_dto import BankFileError, BankFilePreview, BankImportResult, BankLineDTO
from sollhaben.services.unit_of_work import read_only, unit_of_work

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class BankImportCancelled(CancelledError):
    """The clerk cancelled the import; nothing was stored."""


@dataclass(frozen=True)
class _Line:
    entry: CamtEntry
    tx: CamtTransaction


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise BankImportCancelled("Einlesen abgebrochen – nichts gebucht.")


def _organization_problems(session: Session, organization_id: int, document: CamtDocument) -> list[CamtProblem]:
    """The file must be a statement of one of the organization's accounts, in its currency."""
    currency, ibans = lookup.organization_accounts(session, organization_id)
    problems = []
    for statement in document.statements:
        if statement.account_iban and ibans and statement.account_iban not in ibans:
            problems.append(CamtProblem(statement.line, f"{statement.position}/Acct",
                                        f"Das Konto {format_iban(statement.account_iban)} ist kein Bankkonto "
                                        "dieser Organisation (Einstellungen → Bankkonten)."))
        foreign = [e for e in statement.entries if e.amount.minor and e.amount.currency.value != currency]
        if foreign:  # once per statement, at the first such entry (not 20 000 times)
            first = foreign[0]
            count = f" ({len(foreign)} Buchungen)" if len(foreign) > 1 else ""
            problems.append(CamtProblem(first.line, first.position,
                                        f"Währung {first.amount.currency.value}{count}: Die Organisation führt "
                                        f"ihre Konten in {currency}."))
    return problems


def _read(session: Session, organization_id: int, content: bytes) -> tuple[CamtDocument | None, list[CamtProblem]]:
    result = read_camt(content)
    problems = list(result.problems)
    if result.document is not None:
        problems += _organization_problems(session, organization_id, result.document)
    return result.document, problems


def _booking_date(entry: CamtEntry, document: CamtDocument) -> date:
    return entry.booking_date or entry.value_date or (document.created_at.date() if document.created_at
                                                      else date.today())


def _match(session: Session, organization_id: int, lines: list[_Line],
           targets: dict[str, ReferenceTarget]) -> list[LineMatch]:
    keys = [line.tx.key for line in lines if line.entry.booked]
    known = lookup.imported_keys(session, organization_id, keys)
    by_iban = lookup.accounts_by_iban(session, organization_id, [line.tx.debtor_iban for line in lines])
    several = {a for accounts in by_iban.values() if len(accounts) > 1 for a in accounts}
    labels = lookup.account_labels(session, several)
    result = []
    for line in lines:
        entry, tx = line.entry, line.tx
        bank_line = BankLine(tx.key, entry.booked, tx.credit, tx.reference, tx.debtor_iban, entry.reversal,
                             entry.batch_without_details, tx.amount.minor == 0, entry.status == "INFO")
        result.append(match_line(bank_line, targets, by_iban, known, labels))
    return result


def _payments(document: CamtDocument, lines: list[_Line], matches: list[LineMatch]) -> list[PaymentToBook]:
    payments = []
    for index, (line, match) in enumerate(zip(lines, matches)):
        if match.status is LineStatus.MATCHED:
            booked = _booking_date(line.entry, document)
            payments.append(PaymentToBook(index, match.account_id, line.tx.amount, booked,
                                          line.entry.value_date or booked, match.designation))
    return payments


def _dtos(session: Session, lines: list[_Line], matches: list[LineMatch],
          plans: dict[int, list[tuple[int, int]]]) -> tuple[BankLineDTO, ...]:
    labels = lookup.account_labels(session, [m.account_id for m in matches if m.account_id])
    result = []
    for index, (line, match) in enumerate(zip(lines, matches)):
        entry, tx = line.entry, line.tx
        plan = plans.get(index)
        allocated = Money(sum([m for _i, m in plan]), tx.amount.currency) if plan is not None else None
        result.append(BankLineDTO(
            tx.position, tx.line, tx.key, match.status, tx.amount, tx.credit, entry.booking_date, entry.value_date,
            tx.debtor_name, tx.debtor_iban, tx.reference, tx.text, match.account_id,
            labels.get(match.account_id, "") if match.account_id else "", match.via, match.note, allocated))
    return tuple(result)


def _preview(session: Session, organization_id: int, content: bytes, file_name: str, lock: bool,
             progress: Progress | None = None, cancelled: Cancelled | None = None):
    sha = hashlib.sha256(content).hexdigest()
    if progress:
        progress(0, 3, "Datei lesen …")
    document, problems = _read(session, organization_id, content)
    _check(cancelled)
    if document is None or problems:
        return BankFilePreview(file_name, sha, document.kind if document else "", document.version if document else "",
                               document.message_id if document else "", document.currency if document else "",
                               (), tuple(problems)), None, [], [], {}
    lines = [_Line(entry, tx) for entry in document.entries for tx in entry.transactions]
    if progress:
        progress(1, 3, f"{len(lines)} Transaktionen zuordnen …")
    targets = lookup.reference_targets(session, organization_id, [line.tx.reference for line in lines])
    matches = _match(session, organization_id, lines, targets)
    _check(cancelled)
    payments = _payments(document, lines, matches)
    plans = plan_allocations(session, organization_id, payments, lock)
    _check(cancelled)
    preview = BankFilePreview(file_name, sha, document.kind, document.version, document.message_id,
                              document.currency, _dtos(session, lines, matches, plans), (),
                              lookup.same_file_imports(session, organization_id, sha))
    return preview, document, lines, payments, plans


def preview_import(db: Database, organization_id: int, content: bytes, file_name: str,
                   progress: Progress | None = None, cancelled: Cancelled | None = None) -> BankFilePreview:
    """Read and match the file; nothing is written. Problems are in `preview.problems`."""
    with read_only(db) as session:
        preview, *_ = _preview(session, organization_id, content, file_name, False, progress, cancelled)
        return preview


def import_bank_file(db: Database, organization_id: int, content: bytes, file_name: str,
                     progress: Progress | None = None, cancelled: Cancelled | None = None) -> BankImportResult:
    """Import the file in one transaction. Raises `BankFileError` (every problem with its place)
    and stores nothing when the file has any problem; `BankImportCancelled` when cancelled."""
    try:
        with unit_of_work(db, "Bankdatei") as session:
            preview, document, lines, payments, plans = _preview(session, organization_id, content, file_name,
                                                                 True, progress, cancelled)
            if preview.problems:
                raise BankFileError(preview.problems)
            stored = [d for d in preview.lines if d.status not in (LineStatus.PENDING, LineStatus.DUPLICATE)]
            if not stored:
                return BankImportResult(None, preview)
            return BankImportResult(_store(session, organization_id, preview, document, payments, plans,
                                           progress, cancelled), preview)
    except IntegrityError:
        # another import of the same transactions committed in between: nothing of ours is stored
        raise BankFileError([CamtProblem(0, "", "Diese Buchungen wurden soeben von jemand anderem eingelesen. "
                                                "Bitte die Datei nochmals einlesen (Vorschau).")]) from None


def _store(session: Session, organization_id: int, preview: BankFilePreview, document: CamtDocument,
           payments: list[PaymentToBook], plans, progress: Progress | None, cancelled: Cancelled | None) -> int:
    user = session.info.get("user", "system")
    lines = list(preview.lines)
    row = BankImport(
        organization_id=organization_id, file_name=preview.file_name[:255], sha256=preview.sha256,
        message_id=preview.message_id[:35], kind=preview.kind, version=preview.version, currency=preview.currency,
        imported_by=user, matched_count=preview.count(LineStatus.MATCHED),
        matched_minor=preview.total(LineStatus.MATCHED).minor, clearing_count=preview.count(LineStatus.CLEARING),
        clearing_minor=preview.total(LineStatus.CLEARING).minor, skipped_count=preview.count(LineStatus.SKIPPED)
        + preview.count(LineStatus.PENDING), duplicate_count=preview.count(LineStatus.DUPLICATE))
    session.add(row)
    session.flush()
    total = len(payments) + 1
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total, f"{done} von {len(payments)} Zahlungen gebucht …")
        _check(cancelled)

    texts = {p.index: (lines[p.index].key, lines[p.index].reference, _posting_text(lines[p.index]))
             for p in payments}
    ids = take_posting_ids(session, len(payments))
    posting_ids = insert_payments(session, organization_id, row.id, payments, plans, texts, user, tick, ids)
    insert_entries(session, [_entry_row(organization_id, row.id, index, line, posting_ids.get(index), user, document)
                             for index, line in enumerate(lines)
                             if line.status not in (LineStatus.PENDING, LineStatus.DUPLICATE)])
    if progress:
        progress(total, total, "Fertig")
    return row.id


def _posting_text(line: BankLineDTO) -> str:
    head = f"Zahlung {line.debtor_name}".strip()
    return f"{head} – {line.text}" if line.text else head


_STORED_STATUS = {LineStatus.MATCHED: "MATCHED", LineStatus.CLEARING: "CLEARING", LineStatus.SKIPPED: "SKIPPED"}


def _entry_row(organization_id: int, import_id: int, index: int, line: BankLineDTO, payment_id: int | None,
               user: str, document: CamtDocument) -> dict:
    return dict(organization_id=organization_id, import_id=import_id, position=line.position[:60], line=line.line,
                servicer_reference=line.key[:80], credit=line.credit, amount_minor=line.amount.minor,
                currency=line.amount.currency.value, booking_date=line.booking_date, value_date=line.value_date,
                debtor_name=line.debtor_name[:140], debtor_iban=line.debtor_iban[:34], reference=line.reference[:35],
                text=line.text[:500], status=_STORED_STATUS[line.status],
                account_id=line.account_id if line.status is LineStatus.MATCHED else None,
                payment_id=payment_id, note=line.note[:500], updated_by=user, updated_at=None)
