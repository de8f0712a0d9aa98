"""Return debits (Rücklastschriften): a collected item comes back from the bank.

One unit of work: the item's payment posting is reversed (`services.ledger.reverse`: its
allocations are released, so the collected items are open again and the next run collects them),
an optional fee is posted (category RETURN_DEBIT_FEE, source RETURN_DEBIT, due at once), the
return is recorded with its reason code, and a line is added to the mandate's note. A first
collection (FRST) that came back leaves the mandate at FRST when it has no other collection that
stands. An item is returned at most once.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money, parse_amount
from sollhaben.domain.receivables.mandates import sequence_after
from sollhaben.domain.receivables.sepa_collection_rules import (
    RETURN_DEBIT_FEE_CATEGORY,
    RETURN_FEE_OPTION,
    reason_label,
    reason_problem,
)
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Organization, SepaCollection, SepaCollectionItem, SepaMandate, SepaReturnDebit
from sollhaben.services import ledger
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.sepa_dto import ReturnDebitResult
from sollhaben.services.unit_of_work import read_only, unit_of_work


def default_fee(db: Database, organization_id: int) -> Money | None:
    """The organization's default fee passed on for a return debit (option "sepa.return_debit_fee")."""
    with read_only(db) as session:
        org = session.get(Organization, organization_id)
        value = (org.options or {}).get(RETURN_FEE_OPTION) if org else None
        currency = org.currency if org else "EUR"
    if not value:
        return None
    try:
        fee = Money.of(str(value), currency)
    except (ValidationError, ValueError, ArithmeticError):
        return None
    return fee if fee.minor > 0 else None


def record_return_debit(db: Database, item_id: int, returned_on: date, reason_code: str, fee: Money | None = None,
                        note: str = "", user: str = "", today: date | None = None) -> ReturnDebitResult:
    today = today or date.today()
    code = reason_code.strip().upper()
    with unit_of_work(db, "Die Rücklastschrift") as session:
        item = session.get(SepaCollectionItem, item_id)
        if item is None:
            raise NotFoundError(f"Lastschrift {item_id} gibt es nicht.")
        collection = session.get(SepaCollection, item.collection_id)
        _check(session, item, collection, returned_on, code, fee, today, note)
        reversal_id = ledger.reverse(db, item.payment_posting_id, returned_on,
                                     f"Rücklastschrift {code} ({reason_label(code)}) zu {item.end_to_end_id}")
        fee_id = None
        if fee is not None and fee.minor > 0:
            fee_id = ledger.post(db, NewPosting(
                item.account_id, returned_on, RETURN_DEBIT_FEE_CATEGORY, fee,
                text=f"Gebühr Rücklastschrift {returned_on:%d.%m.%Y} ({code})", due_date=returned_on,
                source=PostingSource.RETURN_DEBIT, source_id=item.id,
                detail={"sepa_collection_item": item.id, "reason_code": code},
                idempotency_key=f"sepa-return-fee:{item.id}"))
        record = SepaReturnDebit(collection_item_id=item.id, returned_on=returned_on, reason_code=code,
                                 reversal_posting_id=reversal_id, fee_posting_id=fee_id, note=note.strip(),
                                 created_by=user or session.info.get("user", "system"))
        session.add(record)
        session.flush()
        _update_mandate(session, item, returned_on, code)
        return ReturnDebitResult(record.id, reversal_id, fee_id)


def _check(session, item, collection, returned_on, code, fee, today, note) -> None:
    errors = ErrorCollector()
    if session.scalar(select(SepaReturnDebit.id).where(SepaReturnDebit.collection_item_id == item.id)) is not None:
        raise ValidationError("Rücklastschrift: Diese Lastschrift ist bereits als Rücklastschrift erfasst.", "item")
    if reason_problem(code):
        errors.add("reason_code", reason_problem(code))
    created = collection.created_at.date()
    if returned_on > today:
        errors.add("returned_on", "Datum: Eine Rücklastschrift kann nicht in der Zukunft liegen.")
    elif returned_on < created:
        errors.add("returned_on", f"Datum: Der Einzug wurde erst am {created:%d.%m.%Y} erstellt.")
    if fee is not None and (fee.minor < 0 or fee.currency.value != item.currency):
        errors.add("fee", f"Gebühr: Ein Betrag ab 0.00 in {item.currency}.")
    if len(note) > 500:
        errors.add("note", "Notiz: Höchstens 500 Zeichen.")
    errors.raise_if_any()


def _update_mandate(session, item: SepaCollectionItem, returned_on: date, code: str) -> None:
    mandate = session.get(SepaMandate, item.mandate_id)
    standing = session.scalar(
        select(SepaCollectionItem.id)
        .outerjoin(SepaReturnDebit, SepaReturnDebit.collection_item_id == SepaCollectionItem.id)
        .where(SepaCollectionItem.mandate_id == mandate.id, SepaReturnDebit.id.is_(None)).limit(1))
    mandate.sequence_type = sequence_after(returned_all=standing is None).value
    amount = format_money(Money(item.amount_minor, item.currency), "DE", with_currency=True)
    line = f"{returned_on:%d.%m.%Y}: Rücklastschrift {code} ({reason_label(code)}) über {amount}, {item.end_to_end_id}"
    mandate.note = f"{mandate.note}\n{line}".strip()


def fee_from_text(text: str, currency: str) -> Money | None:
    """The fee typed in a form ("" or 0 → no fee)."""
    if not text.strip():
        return None
    try:
        fee = parse_amount(text, currency, "Gebühr")
    except ValidationError as exc:
        raise ValidationError(exc.errors[0].message, "fee") from None
    if fee.minor < 0:
        raise ValidationError("Gebühr: Ein Betrag ab 0.00.", "fee")
    return fee if fee.minor else None
