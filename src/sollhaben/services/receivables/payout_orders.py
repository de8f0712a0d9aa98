"""Payout orders: refunds of credit balances and the payouts of modules, until a run files them.

- `create_payout_order` is the one entry for every order (the alimony module forwards maintenance
  to a creditor through it, source MODULE). The order is checked at once by the rules of the file
  it will go into (CH: Swiss Payment Standards, DE: SEPA), so a problem shows at the field.
- A refund (source CREDIT_BALANCE) also posts a REFUND receivable (source PAYOUT) on the account
  and allocates the account's unallocated credits to it, oldest first: the credit balance is used
  up and the statement shows the refund. Both happen in the order's unit of work.
- `cancel_payout_order` cancels an OPEN order; a refund's posting is reversed
  (`services.ledger.reverse`), which releases the allocations, so the credit balance is back.

Functions taking `session_or_db` join the caller's unit of work when given its session (nothing is
committed here) and open their own when given the Database.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sollhaben.domain.errors import ErrorCollector, NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import (
    REFUND_CATEGORY, FileKind, OrderStatus, Party, SourceKind, Transfer, check_transfer,
)
from sollhaben.persistence.base import utcnow
from sollhaben.persistence.database import Database
from sollhaben.persistence.models import Account, Allocation, Organization, PayoutOrder, Person, Posting
from sollhaben.services import ledger
from sollhaben.services import unit_of_work as uow
from sollhaben.services.receivables.payout_dto import PayoutOrderDTO, order_dto
from sollhaben.services.unit_of_work import read_only, unit_of_work


@contextmanager
def writing(session_or_db: Database | Session) -> Iterator[tuple[Database, Session]]:
    """(database, session) of the caller's unit of work, or of a new one for a Database.

    The ledger's services take the Database and join the unit of work open for it in this thread;
    a caller's session must therefore be the one of its active `unit_of_work`."""
    if isinstance(session_or_db, Session):
        current = uow._CURRENT.get()  # the unit of work open in this thread: (database, session)
        if current is None or current[1] is not session_or_db:
            raise RuntimeError("payout orders join a session only inside its unit_of_work")
        yield current[0], session_or_db
        return
    with unit_of_work(session_or_db, "Auszahlungsauftrag") as session:
        yield session_or_db, session


def _user(session: Session) -> str:
    return session.info.get("user", "system")


def file_kind(organization: Organization) -> FileKind:
    """The organization's country decides the file: CH → Swiss Payment Standards, else SEPA."""
    return FileKind.CH if organization.legal_country == "CH" else FileKind.DE


def person_party(person, account_holder: str = "") -> Party:
    """The recipient as the bank knows them: the bank account's holder when recorded (the name
    the payee check compares with the IBAN), else the person's name; the person's address.
    `person`: a Person or a row with its name and address columns."""
    name = account_holder.strip() or " ".join(p for p in (person.first_name, person.last_name) if p)
    return Party(name, person.street, person.house_number, person.postal_code, person.town, person.country)


def unallocated_credits(session: Session, account_id: int) -> list[tuple[int, int]]:
    """(credit posting id, unallocated rest) of the account, oldest first."""
    credits = session.execute(select(Posting.id, Posting.amount_minor)
                              .where(Posting.account_id == account_id, Posting.amount_minor < 0)
                              .order_by(Posting.booking_date, Posting.id)).all()
    if not credits:
        return []
    done = dict(session.execute(select(Allocation.credit_id, func.sum(Allocation.amount_minor))
                                .where(Allocation.credit_id.in_([pid for pid, _amount in credits]))
                                .group_by(Allocation.credit_id)).all())
    rests = [(pid, -int(amount) - int(done.get(pid) or 0)) for pid, amount in credits]
    return [(pid, rest) for pid, rest in rests if rest > 0]


def create_payout_order(session_or_db: Database | Session, *, organization_id: int, account_id: int,
                        recipient: Party | int, iban: str, amount: Money, purpose: str,
                        reference: str | None = None, source_kind: SourceKind | str, source_id: int | None,
                        bic: str = "", booking_date: date | None = None) -> int:
    """Record an OPEN payout order and return its id.

    `recipient` is a `Party` (name and structured address) or the id of a person of the
    organization. CREDIT_BALANCE orders post the refund and use up that much credit balance
    (at most the account's unallocated credit); MODULE orders post nothing — the module keeps its
    own books and finds its order again by (source_kind, source_id)."""
    kind_of_source = SourceKind(source_kind)
    with writing(session_or_db) as (db, session):
        organization = session.get(Organization, organization_id)
        account = session.scalar(select(Account).where(Account.id == account_id).with_for_update())
        if organization is None or account is None or account.organization_id != organization_id:
            raise NotFoundError("Konto gibt es in dieser Organisation nicht.")
        if isinstance(recipient, int):
            person = session.get(Person, recipient)
            if person is None or person.organization_id != organization_id:
                raise NotFoundError("Empfänger/in gibt es in dieser Organisation nicht.")
            recipient = person_party(person)
        kind = file_kind(organization)
        checked = check_transfer(kind, Transfer(0, amount, recipient, iban, bic, reference or "", purpose))
        credits = []
        if kind_of_source is SourceKind.CREDIT_BALANCE:
            credits = unallocated_credits(session, account_id)
            available = sum(rest for _pid, rest in credits)
            if amount.minor > available:
                raise ValidationError(f"Betrag: Das Konto hat nur {Money(available, account.currency)} "
                                      "nicht zugeordnetes Guthaben.", "amount")
        party = checked.creditor
        order = PayoutOrder(
            organization_id=organization_id, account_id=account_id, recipient_name=party.name,
            street=party.street, house_number=party.house_number, postal_code=party.postal_code,
            town=party.town, country=party.country, iban=checked.iban, bic=checked.bic,
            amount_minor=amount.minor, currency=amount.currency.value, purpose=checked.purpose,
            reference=checked.reference, source_kind=kind_of_source.value, source_id=source_id,
            status=OrderStatus.OPEN.value, created_by=_user(session))
        session.add(order)
        session.flush()
        if kind_of_source is SourceKind.CREDIT_BALANCE:
            order.payout_posting_id = _post_refund(db, order, credits, booking_date or date.today())
        return order.id


def _post_refund(db: Database, order: PayoutOrder, credits: list[tuple[int, int]], booking_date: date) -> int:
    """The REFUND receivable, settled by the credits it pays back (oldest first)."""
    amount = Money(order.amount_minor, order.currency)
    item_id = ledger.post(db, ledger.NewPosting(
        account_id=order.account_id, booking_date=booking_date, category=REFUND_CATEGORY, amount=amount,
        text=f"Rückzahlung Guthaben an {order.recipient_name}"[:200], due_date=booking_date,
        source=PostingSource.PAYOUT, source_id=order.id, detail={"payout_order": order.id}))
    remaining = order.amount_minor
    for credit_id, rest in credits:
        if remaining == 0:
            break
        part = min(rest, remaining)
        ledger.allocate(db, credit_id, item_id, Money(part, order.currency))
        remaining -= part
    return item_id


def cancel_payout_order(session_or_db: Database | Session, order_id: int, *, booking_date: date | None = None,
                        reason: str = "") -> None:
    """Cancel an OPEN order; a refund's posting is reversed so the credit balance is back."""
    with writing(session_or_db) as (db, session):
        order = session.scalar(select(PayoutOrder).where(PayoutOrder.id == order_id).with_for_update())
        if order is None:
            raise NotFoundError(f"Auszahlungsauftrag {order_id} gibt es nicht.")
        if order.status != OrderStatus.OPEN.value:
            state = OrderStatus(order.status).label
            raise ValidationError(f"Stornieren: Der Auftrag ist {state}; nur offene Aufträge lassen sich "
                                  "stornieren.", "status")
        if order.payout_posting_id is not None:
            text = f"Storno Rückzahlung an {order.recipient_name}" + (f": {reason}" if reason else "")
            order.cancel_posting_id = ledger.reverse(db, order.payout_posting_id, booking_date or date.today(),
                                                     text[:200])
        order.status = OrderStatus.CANCELLED.value
        order.cancelled_by = _user(session)
        order.cancelled_at = utcnow()


def list_payout_orders(db: Database, organization_id: int, status: OrderStatus | None = None,
                       source_kind: SourceKind | None = None, source_id: int | None = None) -> list[PayoutOrderDTO]:
    """Orders of the organization, newest first; filtered by status and by source when given."""
    query = (select(PayoutOrder, Account.number).join(Account, Account.id == PayoutOrder.account_id)
             .where(PayoutOrder.organization_id == organization_id))
    if status is not None:
        query = query.where(PayoutOrder.status == status.value)
    if source_kind is not None:
        query = query.where(PayoutOrder.source_kind == source_kind.value)
    if source_id is not None:
        query = query.where(PayoutOrder.source_id == source_id)
    with read_only(db) as session:
        rows = session.execute(query.order_by(PayoutOrder.id.desc())).all()
        return [order_dto(order, number) for order, number in rows]


def get_payout_order(db: Database, order_id: int) -> PayoutOrderDTO:
    with read_only(db) as session:
        row = session.execute(select(PayoutOrder, Account.number).join(Account, Account.id == PayoutOrder.account_id)
                              .where(PayoutOrder.id == order_id)).first()
        if row is None:
            raise NotFoundError(f"Auszahlungsauftrag {order_id} gibt es nicht.")
        return order_dto(*row)


def check_order_input(errors: ErrorCollector, kind: FileKind, party: Party, iban: str, bic: str, amount: Money,
                      reference: str, purpose: str) -> None:
    """The rules of the order's file, collected (for the refund proposals' problem lists)."""
    try:
        check_transfer(kind, Transfer(0, amount, party, iban, bic, reference, purpose))
    except ValidationError as exc:
        errors.errors.extend(exc.errors)
