"""Ledger core use cases: accounts, postings, payments with allocation, reversal. Statements and
account lists are in `ledger_read` and available here as well (`ledger.statement`, …)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import check_length
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.receivables import AllocationRule, OpenItem, propose_allocation
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Organization, Person, Posting
from sollhaben.services.dto import AccountDTO
from sollhaben.services.ledger_read import (  # noqa: F401  (the ledger's reading half, used as ledger.*)
    _account_dto, _allocated, _posting_dtos, get_account, get_account_in, list_accounts, statement,
)
from sollhaben.services.receivables.receipts_rules import ReceiptRules, receipt_rules_for
from sollhaben.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class NewPosting:
    """A receivable (positive) or credit (negative) to post."""

    account_id: int
    booking_date: date
    category: str
    amount: Money
    text: str = ""
    value_month: Month | None = None
    due_date: date | None = None
    source: PostingSource = PostingSource.MANUAL
    source_id: int | None = None
    reference: str = ""
    detail: dict | None = None
    idempotency_key: str | None = None


def _user(session: Session) -> str:
    return session.info.get("user", "system")


def lock_account(session: Session, account_id: int) -> Account:
    """Serialize allocations per account: two clerks cannot over-allocate the same item."""
    account = session.scalar(select(Account).where(Account.id == account_id).with_for_update())
    if account is None:
        raise NotFoundError(f"Konto {account_id} gibt es nicht.")
    return account


def open_account(db: Database, organization_id: int, holder_id: int, key: str = "main",
                 label: str = "", module: str = "", parent_id: int | None = None) -> AccountDTO:
    """Return the holder's account with this key, creating it on first use."""
    with unit_of_work(db) as session:
        holder = session.get(Person, holder_id)
        org = session.get(Organization, organization_id)
        if holder is None or org is None or holder.organization_id != organization_id:
            raise NotFoundError("Kontoinhaber gibt es in dieser Organisation nicht.")
        name = f"{holder.last_name}, {holder.first_name}" if holder.first_name else holder.last_name
        account = session.scalar(select(Account).where(
            Account.organization_id == organization_id, Account.holder_id == holder_id, Account.key == key))
        if account is None:
            account = Account(organization_id=organization_id, holder_id=holder_id, key=key, label=label,
                              module=module, parent_id=parent_id, currency=org.currency)
            session.add(account)
            session.flush()
            account.number = f"{holder_id:06d}-{account.id:04d}" if key != "main" else f"{holder_id:06d}"
        return _account_dto(account, name)


def _insert_posting(session: Session, posting: NewPosting, currency: str,
                    reverses_id: int | None = None) -> Posting:
    if posting.amount.minor == 0:
        raise ValidationError("Betrag: Eine Buchung über 0.00 gibt es nicht.", "amount")
    if posting.amount.currency.value != currency:
        raise ValidationError(f"Betrag: Das Konto führt {currency}, nicht {posting.amount.currency.value}.", "amount")
    if not posting.category.strip():
        raise ValidationError("Kategorie: Bitte eine Kategorie angeben.", "category")
    errors = ErrorCollector()
    check_length(errors, "category", "Kategorie", posting.category, 40)
    check_length(errors, "reference", "Referenz", posting.reference, 35)
    check_length(errors, "idempotency_key", "Schlüssel", posting.idempotency_key or "", 160)
    errors.raise_if_any()
    row = Posting(
        account_id=posting.account_id, booking_date=posting.booking_date, value_month=posting.value_month,
        due_date=posting.due_date, category=posting.category, amount_minor=posting.amount.minor,
        currency=currency, source=posting.source.value, source_id=posting.source_id,
        reference=posting.reference, text=posting.text[:200], detail=posting.detail or {},
        idempotency_key=posting.idempotency_key, reverses_id=reverses_id, created_by=_user(session))
    session.add(row)
    session.flush()
    return row


def _already_posted(session: Session, key: str | None, account_id: int, amount_minor: int) -> int | None:
    """A repeated run or import finds its posting by the idempotency key and posts nothing again.
    The key names one posting: reusing it for another account or amount is an error."""
    if key is None:
        return None
    row = session.scalar(select(Posting).where(Posting.idempotency_key == key))
    if row is None:
        return None
    if row.account_id != account_id or row.amount_minor != amount_minor:
        raise ValidationError(f"Schlüssel: „{key}“ wurde bereits für eine andere Buchung verwendet.",
                              "idempotency_key")
    return row.id


def post(db: Database, posting: NewPosting) -> int:
    """Post one receivable or credit; returns its id. A credit stays unallocated (see book_payment).
    Posting again with the same idempotency key returns the first posting's id."""
    with unit_of_work(db) as session:
        account = lock_account(session, posting.account_id)
        existing = _already_posted(session, posting.idempotency_key, account.id, posting.amount.minor)
        if existing is not None:
            return existing
        return _insert_posting(session, posting, account.currency).id


def _open_items(session: Session, account_id: int) -> list[tuple[Posting, int]]:
    items = session.scalars(select(Posting).where(Posting.account_id == account_id, Posting.amount_minor > 0)
                            .order_by(Posting.due_date, Posting.id)).all()
    allocated = _allocated(session, Allocation.item_id, [p.id for p in items])
    return [(p, p.amount_minor - allocated.get(p.id, 0)) for p in items
            if p.amount_minor - allocated.get(p.id, 0) > 0]


def _allocate(session: Session, credit: Posting, item: Posting, amount: int) -> None:
    if amount == 0:
        return
    session.add(Allocation(credit_id=credit.id, item_id=item.id, amount_minor=amount, created_by=_user(session)))


def rules_of(session: Session, account: Account) -> ReceiptRules:
    """The receipt rules of the account's module; a sub-account without a module uses its parent's."""
    module = account.module
    if not module and account.parent_id is not None:
        module = session.scalar(select(Account.module).where(Account.id == account.parent_id)) or ""
    return receipt_rules_for(module)


def allocator_items(account: Account, rules: ReceiptRules,
                    open_items: list[tuple[Posting, int]]) -> list[OpenItem]:
    """The open items as the allocator sees them. An item without a due date is due when it was booked."""
    return [OpenItem(p.id, p.due_date or p.booking_date, p.category, Money(open_minor, p.currency),
                     rules.enforcement_case(account.key, p.detail))
            for p, open_minor in open_items]


def open_items_of(session: Session, account_id: int) -> list[tuple[Posting, int]]:
    """(posting, open amount in minor units) of the account's open items, by due date."""
    return _open_items(session, account_id)


def book_payment(db: Database, account_id: int, booking_date: date, amount: Money, text: str = "Zahlung",
                 allocations: list[tuple[int, Money]] | None = None, source: PostingSource = PostingSource.PAYMENT,
                 reference: str = "", idempotency_key: str | None = None, designation: Sequence[int] = (),
                 rule: AllocationRule | None = None, detail: dict | None = None) -> int:
    """Book a receipt and allocate it: as given by the clerk, else by the proposal of the account's
    module rule (see `receipts_rules`; `rule` overrides it), the items the payer designated first.
    What is not allocated stays as credit balance on the account. Booking again with the same
    idempotency key (a bank entry imported twice) returns the first payment and books nothing."""
    if amount.minor <= 0:
        raise ValidationError("Betrag: Eine Zahlung muss grösser als 0.00 sein.", "amount")
    with unit_of_work(db) as session:
        account = lock_account(session, account_id)
        existing = _already_posted(session, idempotency_key, account.id, -amount.minor)
        if existing is not None:
            return existing
        check_currency(amount, account.currency, "amount", "Betrag")
        found = _open_items(session, account_id)
        open_items = {p.id: (p, open_minor) for p, open_minor in found}
        if allocations is None:
            rules = rules_of(session, account)
            proposal = propose_allocation(amount, booking_date, allocator_items(account, rules, found),
                                          designation=list(designation), rule=rule or rules.allocation)
            plan = [(a.item_id, a.amount.minor) for a in proposal.allocations]
        else:
            for _item_id, part in allocations:
                check_currency(part, account.currency)
            plan = [(item_id, part.minor) for item_id, part in allocations]
        _check_plan(plan, open_items, amount.minor)
        credit = _insert_posting(session, NewPosting(
            account_id=account_id, booking_date=booking_date, category="PAYMENT", amount=-amount, text=text,
            source=source, reference=reference, detail=detail, idempotency_key=idempotency_key), account.currency)
        for item_id, part in plan:
            _allocate(session, credit, open_items[item_id][0], part)
        return credit.id


def check_currency(amount: Money, currency: str, field: str = "allocations", name: str = "Zuordnung") -> None:
    if amount.currency.value != currency:
        if field == "amount":
            raise ValidationError(f"Betrag: Das Konto führt {currency}, nicht {amount.currency.value}.", field)
        raise ValidationError(f"{name}: Beträge in {currency} erwartet, nicht {amount.currency.value}.", field)


def _check_plan(plan: list[tuple[int, int]], open_items: dict, credit_minor: int) -> None:
    total = 0
    per_item: dict[int, int] = {}  # an item named twice must not get more than is open
    for item_id, part in plan:
        if item_id not in open_items:
            raise ValidationError(f"Zuordnung: Posten {item_id} ist auf diesem Konto nicht offen.", "allocations")
        if part <= 0:
            raise ValidationError("Zuordnung: Zugeordnete Beträge müssen grösser als 0.00 sein.", "allocations")
        per_item[item_id] = per_item.get(item_id, 0) + part
        if per_item[item_id] > open_items[item_id][1]:
            raise ValidationError(f"Zuordnung: Posten {item_id} ist nur noch mit "
                                  f"{Money(open_items[item_id][1], open_items[item_id][0].currency)} offen.",
                                  "allocations")
        total += part
    if total > credit_minor:
        raise ValidationError("Zuordnung: Es ist mehr zugeordnet als gezahlt wurde.", "allocations")


def reverse(db: Database, posting_id: int, booking_date: date, text: str = "", reason: str = "") -> int:
    """Reverse a posting with a counter-posting that names it. Allocations that touched the
    original are released first; then original and reversal settle each other. A reason is kept
    in the reversal's detail."""
    with unit_of_work(db) as session:
        original = session.get(Posting, posting_id)
        if original is None:
            raise NotFoundError(f"Buchung {posting_id} gibt es nicht.")
        account = lock_account(session, original.account_id)
        if original.reverses_id is not None:
            raise ValidationError("Storno: Eine Stornobuchung kann nicht storniert werden.", "posting")
        if session.scalar(select(Posting.id).where(Posting.reverses_id == posting_id)) is not None:
            raise ValidationError("Storno: Diese Buchung ist bereits storniert.", "posting")
        column, other = ((Allocation.item_id, "credit_id") if original.amount_minor > 0
                         else (Allocation.credit_id, "item_id"))
        pairs = session.execute(select(getattr(Allocation, other), func.sum(Allocation.amount_minor))
                                .where(column == posting_id).group_by(getattr(Allocation, other))).all()
        user = _user(session)
        for partner_id, amount in pairs:
            if amount:
                credit_id, item_id = ((partner_id, posting_id) if original.amount_minor > 0
                                      else (posting_id, partner_id))
                session.add(Allocation(credit_id=credit_id, item_id=item_id, amount_minor=-int(amount), created_by=user))
        reversal = _insert_posting(session, NewPosting(
            account_id=original.account_id, booking_date=booking_date, category=original.category,
            amount=Money(-original.amount_minor, original.currency),
            text=text or f"Storno: {original.text}"[:200], value_month=original.value_month,
            due_date=original.due_date, source=PostingSource.REVERSAL,
            detail={"reverses": posting_id, **({"reason": reason} if reason else {})}),
            account.currency, reverses_id=posting_id)
        credit, item = (reversal, original) if original.amount_minor > 0 else (original, reversal)
        _allocate(session, credit, item, abs(original.amount_minor))
        return reversal.id


def allocate(db: Database, credit_id: int, item_id: int, amount: Money) -> None:
    """Allocate unallocated credit to an open item of the same account (manual change)."""
    with unit_of_work(db) as session:
        credit, item = session.get(Posting, credit_id), session.get(Posting, item_id)
        if credit is None or item is None or credit.account_id != item.account_id:
            raise ValidationError("Zuordnung: Gutschrift und Posten gehören nicht zum selben Konto.", "allocations")
        account = lock_account(session, credit.account_id)
        check_currency(amount, account.currency)
        if credit.amount_minor >= 0 or item.amount_minor <= 0:
            raise ValidationError("Zuordnung: Nur Gutschriften können offenen Posten zugeordnet werden.", "allocations")
        rest = -credit.amount_minor - _allocated(session, Allocation.credit_id, [credit_id]).get(credit_id, 0)
        open_minor = item.amount_minor - _allocated(session, Allocation.item_id, [item_id]).get(item_id, 0)
        if amount.minor <= 0 or amount.minor > min(rest, open_minor):
            raise ValidationError(f"Zuordnung: höchstens {Money(min(rest, open_minor), credit.currency)} möglich.",
                                  "allocations")
        _allocate(session, credit, item, amount.minor)
