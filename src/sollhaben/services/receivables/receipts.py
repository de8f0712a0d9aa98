"""Receiving money by hand (the booking window): propose, book with the clerk's allocation, use
credit balance later, reverse a wrong receipt.

Every writing call is one unit of work: either the receipt and all its allocations are stored, or
nothing. The allocation rule is the account's module rule (`receipts_rules`; „Standard“ when the module
has none).
"""
from __future__ import annotations

from datetime import date
from typing import Hashable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.ledger import PostingSource, category_label
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.receivables import category_priority, propose_allocation
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Posting
from sollhaben.services import ledger
from sollhaben.services.receivables.receipts_dto import (CreditAllocation, ReceiptGroup, ReceiptLine,
                                                         ReceiptProposal)
from sollhaben.services.unit_of_work import read_only, unit_of_work

# Credits that are receipts of money (may be reversed as a wrong receipt); credit notes are not.
RECEIPT_SOURCES = frozenset({PostingSource.PAYMENT.value, PostingSource.BANK_FILE.value,
                             PostingSource.DIRECT_DEBIT.value})
TEXT_MAX = 200


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"Konto {account_id} gibt es nicht.")
    return account


def _value_month(posting: Posting) -> Month:
    return posting.value_month or Month.of(posting.due_date or posting.booking_date)


def _case_order(case: Hashable | None) -> tuple:
    return (0, "") if case is None else (1, str(case))


def money_text(amount: Money) -> str:
    """An amount in a message, in the notation of its currency's country: 1.234,50 EUR, 1'234.50 CHF."""
    return format_money(amount, "CH" if amount.currency.value == "CHF" else "DE", with_currency=True)


def item_label(posting: Posting) -> str:
    """How a message names an item: „Nr. 17, Kita-Beitrag 01.2026“."""
    return f"Nr. {posting.id}, {category_label(posting.category)} {_value_month(posting)}"


def credits_with_rest(session: Session, account_id: int) -> list[tuple[Posting, int]]:
    """The account's credits with unallocated rest (minor units), oldest first."""
    credits = session.scalars(select(Posting).where(Posting.account_id == account_id, Posting.amount_minor < 0)
                              .order_by(Posting.booking_date, Posting.id)).all()
    if not credits:
        return []
    allocated = dict(session.execute(select(Allocation.credit_id, func.sum(Allocation.amount_minor))
                                     .where(Allocation.credit_id.in_([c.id for c in credits]))
                                     .group_by(Allocation.credit_id)).all())
    rests = [(c, -c.amount_minor - int(allocated.get(c.id) or 0)) for c in credits]
    return [(c, rest) for c, rest in rests if rest > 0]


def _proposal(session: Session, account: Account, amount: Money, value_date: date,
              designation: Sequence[int]) -> ReceiptProposal:
    rules = ledger.rules_of(session, account)
    found = ledger.open_items_of(session, account.id)
    items = ledger.allocator_items(account, rules, found)
    notes: tuple[str, ...] = ()
    proposed: dict[int, Money] = {}
    if amount.minor > 0:
        result = propose_allocation(amount, value_date, items, designation=list(designation), rule=rules.allocation)
        proposed, notes = result.as_dict(), result.notes
    zero = Money.zero(account.currency)
    named = set(designation)
    lines = [ReceiptLine(p.id, _value_month(p), p.category, item.enforcement_case, p.due_date, p.text,
                         Money(p.amount_minor, p.currency), item.open_amount, proposed.get(p.id, zero),
                         p.id in named)
             for (p, _open), item in zip(found, items)]
    lines.sort(key=lambda l: (l.value_month, category_priority(l.category), l.category,
                              _case_order(l.enforcement_case), l.due_date or date.min, l.item_id))
    groups: list[ReceiptGroup] = []
    for line in lines:
        key = (line.value_month, line.category, line.enforcement_case)
        if groups and (groups[-1].value_month, groups[-1].category, groups[-1].enforcement_case) == key:
            last = groups[-1]
            groups[-1] = ReceiptGroup(*key, last.lines + (line,), last.open_amount + line.open_amount,
                                      last.proposed + line.proposed)
        else:
            groups.append(ReceiptGroup(*key, (line,), line.open_amount, line.proposed))
    allocated = Money(sum(m.minor for m in proposed.values()), account.currency)
    existing = sum(rest for _c, rest in credits_with_rest(session, account.id))
    return ReceiptProposal(ledger.get_account_in(session, account.id), amount, value_date, rules.allocation.name,
                           tuple(groups), allocated, amount - allocated if amount.minor > 0 else zero,
                           Money(existing, account.currency), notes,
                           tuple(dict.fromkeys(i for i in designation if i in {l.item_id for l in lines})))


def resolve_payer_reference(db: Database, organization_id: int, reference: str):
    """The account and items a reference from the payer's transfer text (QR reference, RF…) names,
    as issued with an invoice or reminder; None when it names nothing of this organization."""
    from sollhaben.services.receivables.references import resolve_reference

    with read_only(db) as session:
        return resolve_reference(session, organization_id, reference)


def receipt_proposal(db: Database, account_id: int, amount: Money, value_date: date,
                     designation: Sequence[int] = ()) -> ReceiptProposal:
    """The open items of the account, grouped, with the module rule's allocation of `amount` (the
    items in `designation` first). An amount of zero shows the open items without allocation."""
    if amount.minor < 0:
        raise ValidationError("Betrag: Ein Zahlungseingang kann nicht negativ sein.", "amount")
    with read_only(db) as session:
        account = _account(session, account_id)
        ledger.check_currency(amount, account.currency, "amount")
        return _proposal(session, account, amount, value_date, designation)


def _open_on_account(session: Session, account_id: int, allocations: Sequence[tuple[int, Money]]) -> tuple[dict, set]:
    """The account's open items (id → (posting, open minor)) and, of the rows' items, those of the
    account that are settled already (e.g. by another clerk's booking a moment ago)."""
    open_items = {p.id: (p, o) for p, o in ledger.open_items_of(session, account_id)}
    asked = [item_id for item_id, _part in allocations if item_id not in open_items]
    settled = set(session.scalars(select(Posting.id).where(
        Posting.account_id == account_id, Posting.amount_minor > 0, Posting.id.in_(asked)))) if asked else set()
    return open_items, settled


def _check_rows(errors: ErrorCollector, allocations: Sequence[tuple[int, Money]], open_items: dict,
                currency: str, settled: set = frozenset()) -> int:
    """Check the clerk's allocation row by row; returns the total in minor units."""
    total, per_item = 0, {}
    for index, (item_id, part) in enumerate(allocations):
        field, row = f"allocations[{index}].amount", f"Zuordnung Zeile {index + 1}"
        found = open_items.get(item_id)
        if found is None and item_id in settled and part.minor:
            errors.add(field, f"{row}: Posten Nr. {item_id} ist nicht mehr offen (inzwischen ausgeglichen). "
                              "Bitte „Vorschlag“ oder die Zuordnung anpassen.")
            continue
        if found is None:
            if item_id not in settled:
                errors.add(field, f"{row}: Posten Nr. {item_id} ist auf diesem Konto nicht offen.")
            continue
        posting, open_minor = found
        if part.currency.value != currency:
            errors.add(field, f"{row} ({item_label(posting)}): Betrag in {currency} erwartet, "
                              f"nicht {part.currency.value}.")
            continue
        if part.minor < 0:
            errors.add(field, f"{row} ({item_label(posting)}): Eine Zuordnung kann nicht negativ sein.")
            continue
        per_item[item_id] = per_item.get(item_id, 0) + part.minor
        if per_item[item_id] > open_minor:
            open_text, wanted = money_text(Money(open_minor, currency)), money_text(Money(per_item[item_id], currency))
            errors.add(field, f"{row} ({item_label(posting)}): Offen sind nur {open_text}, zugeordnet {wanted}.")
        total += part.minor
    return total


def _check_text(errors: ErrorCollector, text: str) -> str:
    text = (text or "").strip() or "Zahlung"
    if len(text) > TEXT_MAX:
        errors.add("text", f"Text: höchstens {TEXT_MAX} Zeichen erlaubt.")
    return text


def book_receipt(db: Database, account_id: int, booking_date: date, amount: Money, text: str,
                 allocations: Sequence[tuple[int, Money]], reference: str = "") -> int:
    """Book a receipt with the clerk's allocation (rows with 0.00 allocate nothing); what is not
    allocated stays as credit balance. Refuses (German, naming the row) an item over its open
    amount, an item not open on this account, a total above the receipt. Returns the posting id."""
    errors = ErrorCollector()
    if booking_date is None:
        errors.add("booking_date", "Buchungsdatum: Bitte ein Datum eingeben.")
    if amount.minor <= 0:
        errors.add("amount", "Betrag: Der Zahlungseingang muss grösser als 0.00 sein.")
    text = _check_text(errors, text)
    with unit_of_work(db) as session:
        account = ledger.lock_account(session, account_id)
        ledger.check_currency(amount, account.currency, "amount")
        open_items, settled = _open_on_account(session, account_id, allocations)
        total = _check_rows(errors, allocations, open_items, account.currency, settled)
        if amount.minor > 0 and total > amount.minor:
            errors.add("allocations", f"Zuordnung: Zugeordnet sind {money_text(Money(total, account.currency))}, "
                                      f"gezahlt wurden nur {money_text(amount)}.")
        errors.raise_if_any()
        plan = [(item_id, part) for item_id, part in allocations if part.minor > 0]  # 0.00 rows: nothing
        return ledger.book_payment(db, account_id, booking_date, amount, text=text, allocations=plan,
                                   reference=reference)


def credit_proposal(db: Database, account_id: int, value_date: date,
                    designation: Sequence[int] = ()) -> ReceiptProposal:
    """The open items with the module rule's allocation of the unallocated credit balance."""
    with read_only(db) as session:
        account = _account(session, account_id)
        credit = Money(sum(rest for _c, rest in credits_with_rest(session, account_id)), account.currency)
        return _proposal(session, account, credit, value_date, designation)


def allocate_credit(db: Database, account_id: int, allocations: Sequence[tuple[int, Money]] | None = None,
                    value_date: date | None = None) -> list[CreditAllocation]:
    """Use the account's unallocated credit for its open items (e.g. after a new receivable): as the
    clerk allocates it, else by the module rule's proposal at `value_date`. The oldest credit is used
    first. Refuses, naming the row, what `book_receipt` refuses; the total may not exceed the credit."""
    with unit_of_work(db) as session:
        account = ledger.lock_account(session, account_id)
        credits = credits_with_rest(session, account_id)
        available = sum(rest for _c, rest in credits)
        if allocations is None:
            proposal = _proposal(session, account, Money(available, account.currency),
                                 value_date or date.today(), ())
            allocations = proposal.allocations()
        errors = ErrorCollector()
        open_items, settled = _open_on_account(session, account_id, allocations)
        total = _check_rows(errors, allocations, open_items, account.currency, settled)
        if total > available:
            errors.add("allocations", f"Zuordnung: Zugeordnet sind {money_text(Money(total, account.currency))}, "
                                      f"das Guthaben beträgt nur {money_text(Money(available, account.currency))}.")
        errors.raise_if_any()
        done: list[CreditAllocation] = []
        queue = [[credit, rest] for credit, rest in credits]
        for item_id, part in allocations:
            wanted = part.minor
            while wanted > 0:
                entry = next(e for e in queue if e[1] > 0)
                take = min(wanted, entry[1])
                ledger.allocate(db, entry[0].id, item_id, Money(take, account.currency))
                done.append(CreditAllocation(entry[0].id, item_id, Money(take, account.currency)))
                entry[1] -= take
                wanted -= take
        return done


def is_receipt(posting: Posting) -> bool:
    return posting.amount_minor < 0 and (posting.category == "PAYMENT" or posting.source in RECEIPT_SOURCES)


def reverse_receipt(db: Database, posting_id: int, booking_date: date, reason: str) -> int:
    """Reverse a wrong receipt (booked by hand or from a bank file): a reversal posting that names
    it, with the reason; its allocations are released, so the items it paid are open again. Refused
    without a reason, for anything but a receipt, twice, dated before the receipt, or for a
    collected direct debit (that is a return debit: `sepa_returns.record_return_debit`). Returns the
    reversal's id."""
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", "Grund: Bitte angeben, warum die Zahlung storniert wird.")
    elif len(reason) > 150:
        errors.add("reason", "Grund: höchstens 150 Zeichen erlaubt.")
    if booking_date is None:
        errors.add("booking_date", "Buchungsdatum: Bitte ein Datum eingeben.")
    with unit_of_work(db) as session:
        original = session.get(Posting, posting_id)
        if original is None:
            raise NotFoundError(f"Buchung {posting_id} gibt es nicht.")
        ledger.lock_account(session, original.account_id)
        if not is_receipt(original):
            errors.add("posting", f"Storno: Buchung Nr. {posting_id} ist kein Zahlungseingang.")
        elif session.scalar(select(Posting.id).where(Posting.reverses_id == posting_id)) is not None:
            errors.add("posting", f"Storno: Die Zahlung Nr. {posting_id} ist bereits storniert.")
        elif (original.detail or {}).get("sepa_collection") is not None:
            # a collected direct debit comes back from the bank as a return debit, which also keeps
            # the mandate's sequence and the collection right; a plain reversal would block that
            errors.add("posting", f"Storno: Die Zahlung Nr. {posting_id} ist ein SEPA-Lastschrifteinzug. Bitte als "
                                  "Rücklastschrift buchen (Seite Lastschriften oder Zahlungseingänge).")
        if booking_date is not None and booking_date < original.booking_date:
            errors.add("booking_date", f"Buchungsdatum: Das Storno kann nicht vor der Zahlung "
                                       f"({format_date(original.booking_date)}) liegen.")
        errors.raise_if_any()
        return ledger.reverse(db, posting_id, booking_date, text=f"Storno Zahlung Nr. {posting_id}: {reason}",
                              reason=reason)
