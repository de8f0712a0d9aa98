"""The SEPA collection run: confirm a proposal → pending payments booked, pain.008 written.

All of it is one unit of work: the collection row, one payment posting per account (source
DIRECT_DEBIT, allocated to the collected items, pending until the due date), the items and the
mandates' first/last use and sequence. The pain.008 document is built and validated against the
official XSD inside that unit of work, before anything is committed.

The file (decided; docs/sepa.md): the XML is written to a temporary file beside the target
before the commit, and renamed onto the target name only after the commit. A failed or cancelled
run therefore leaves no file under the target name; a committed run whose rename fails (disk full,
file open in another program) keeps its XML in the database, and "Datei speichern …" writes it
again (`save_collection_file`). A bank never gets a file whose payments were not booked.
"""
from __future__ import annotations

import concurrent.futures
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from sollhaben.banking.pain008 import Creditor, DirectDebit, DirectDebitMessage, build_pain008
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.sepa_collection_rules import end_to_end_id, message_id, pending_detail
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import (
    Account,
    Allocation,
    Organization,
    Posting,
    SepaCollection,
    SepaCollectionItem,
    SepaMandate,
)
from sollhaben.services.receivables.sepa_dto import CollectionResult, Proposal, ProposalLine
from sollhaben.services.receivables.sepa_proposal import build_proposal, creditor_account
from sollhaben.services.unit_of_work import unit_of_work

BEFORE_COMMIT = "Buchungen geschrieben, Datei geprüft"


class CollectionCancelled(concurrent.futures.CancelledError):
    """The clerk cancelled the run: nothing was booked and no file written."""


def _fingerprint(lines) -> set:
    return {(line.account_id, line.mandate_id, line.amount.minor, line.sequence_type,
             tuple((i.posting_id, i.open_amount.minor) for i in line.items)) for line in lines}


def _remittance(line: ProposalLine) -> str:
    months = sorted({i.due_date.strftime("%m.%Y") for i in line.items})
    shown = ", ".join(months[:6]) + (" …" if len(months) > 6 else "")
    return f"Konto {line.account_number} Faelligkeit {shown}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename (never a half-written file)."""
    temp = _write_temp(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write_temp(path: Path, data: bytes) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def run_collection(db: Database, proposal: Proposal, version: str, path: Path | str | None, user: str = "",
                   today: date | None = None, progress: Callable[[int, int, str], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> CollectionResult:
    """Collect exactly the confirmed proposal. Refused when the organization data block the run,
    or when the open items or mandates changed since the proposal (propose again)."""
    today = today or date.today()
    path = Path(path) if path is not None else None
    progress = progress or (lambda done, total, text: None)
    cancelled = cancelled or (lambda: False)
    temp: Path | None = None
    try:
        with unit_of_work(db, "Der Lastschrifteinzug") as session:
            ids = [line.account_id for line in proposal.lines]
            session.execute(select(Account.id).where(Account.id.in_(ids)).with_for_update()).all()
            current = build_proposal(session, proposal.organization_id, proposal.due_date, today)
            _check_runnable(current, proposal)
            collection, xml = _book(session, current, version, user, progress, cancelled)
            if path is not None:
                temp = _write_temp(path, xml)
                collection.file_name = str(path)[-255:]
            session.flush()
            progress(len(current.lines), len(current.lines), BEFORE_COMMIT)
            result = CollectionResult(collection.id, collection.message_id, collection.count,
                                      Money(collection.total_minor, collection.currency),
                                      str(path) if path else "", False)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    if temp is None:
        return result
    try:
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        return CollectionResult(result.collection_id, result.message_id, result.count, result.total, str(path),
                                False, f"Die Datei konnte nicht geschrieben werden ({exc.strerror or exc}). Die "
                                       "Lastschriften sind gebucht; bitte die Datei unter „Einzüge“ erneut speichern.")
    return CollectionResult(result.collection_id, result.message_id, result.count, result.total, str(path), True)


def _check_runnable(current: Proposal, confirmed: Proposal) -> None:
    blocking = [FieldError("organization", p.message) for p in current.problems if p.blocking]
    if blocking:
        raise ValidationError(blocking)
    if not current.lines:
        raise ValidationError("Einzug: Es gibt nichts einzuziehen (keine offenen Posten mit gültigem Mandat).",
                              "proposal")
    if _fingerprint(current.lines) != _fingerprint(confirmed.lines):
        raise ValidationError("Vorschlag: Seit dem Vorschlag haben sich offene Posten oder Mandate geändert. "
                              "Bitte den Vorschlag neu erstellen.", "proposal")


def _book(session, proposal: Proposal, version: str, user: str, progress, cancelled):
    """Insert the run: payments, allocations, items, mandate use — a few batched flushes, not three
    service calls per account (each would flush, and the audit listener scans the session on every
    flush: quadratic for thousands of debits). The accounts are locked and the open amounts were
    recomputed under that lock (`run_collection`), which is what `ledger.book_payment` checks."""
    org = session.get(Organization, proposal.organization_id)
    bank = creditor_account(session, org.id)
    created = utcnow()
    user = user or session.info.get("user", "system")
    collection = SepaCollection(organization_id=org.id, due_date=proposal.due_date, pain_version=version,
                                message_id=f"new-{org.id}-{created.timestamp()}"[:35], currency=org.currency,
                                created_by=user, created_at=created)
    session.add(collection)
    session.flush()
    local = datetime.now()
    collection.message_id = message_id(org.id, collection.id, local)
    total = len(proposal.lines)
    payments = []
    for done, line in enumerate(proposal.lines):
        if cancelled():
            raise CollectionCancelled("Lastschrifteinzug abgebrochen")
        progress(done, total, line.holder_name)
        e2e = end_to_end_id(collection.id, line.account_id)
        payments.append(Posting(
            account_id=line.account_id, booking_date=proposal.due_date, category="PAYMENT",
            amount_minor=-line.amount.minor, currency=line.amount.currency.value,
            source=PostingSource.DIRECT_DEBIT.value, source_id=collection.id,
            text=f"SEPA-Lastschrift {proposal.due_date:%d.%m.%Y} (Mandat {line.mandate_reference})",
            detail=pending_detail(proposal.due_date, collection.id, e2e, line.mandate_reference),
            idempotency_key=f"sepa:{collection.id}:{line.account_id}", created_by=user, created_at=created))
    session.add_all(payments)
    session.flush()
    mandates = {m.id: m for m in session.scalars(select(SepaMandate).where(
        SepaMandate.id.in_([line.mandate_id for line in proposal.lines])))}
    transactions, rows = [], []
    for line, payment in zip(proposal.lines, payments):
        rows += [Allocation(credit_id=payment.id, item_id=item.posting_id, amount_minor=item.open_amount.minor,
                            created_by=user, created_at=created) for item in line.items]
        e2e = payment.detail["end_to_end_id"]
        rows.append(SepaCollectionItem(collection_id=collection.id, mandate_id=line.mandate_id,
                                       account_id=line.account_id, payment_posting_id=payment.id,
                                       amount_minor=line.amount.minor, currency=line.amount.currency.value,
                                       end_to_end_id=e2e, sequence_type=line.sequence_type))
        mandate = mandates[line.mandate_id]
        transactions.append(DirectDebit(e2e, line.amount, proposal.due_date, line.sequence_type, mandate.reference,
                                        mandate.signed_on, mandate.debtor_name, mandate.iban, mandate.bic,
                                        _remittance(line)))
        mandate.first_used_on = mandate.first_used_on or proposal.due_date
        mandate.last_used_on = max(mandate.last_used_on or proposal.due_date, proposal.due_date)
        mandate.sequence_type = "RCUR"
    session.add_all(rows)
    if cancelled():
        raise CollectionCancelled("Lastschrifteinzug abgebrochen")
    progress(total, total, "pain.008 wird erstellt und gegen das XSD geprüft")
    collection.count = len(transactions)
    collection.total_minor = sum(t.amount.minor for t in transactions)
    message = DirectDebitMessage(collection.message_id, local,
                                 Creditor(org.name, bank.iban, org.sepa_creditor_id, bank.bic), tuple(transactions))
    collection.xml = build_pain008(message, version)
    return collection, collection.xml
