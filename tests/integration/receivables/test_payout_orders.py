"""Refunds of credit balances and module payout orders on SQLite and PostgreSQL: the refund posting
uses the credit balance up, cancelling gives it back, the ledger invariant holds throughout, and a
refused order stores nothing."""
from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import OrderStatus, Party, SourceKind
from sollhaben.services import ledger
from sollhaben.services.receivables import payout_orders, payout_refunds
from sollhaben.services.unit_of_work import unit_of_work
from tests.integration.receivables.test_payout_support import (
    CH_PAYER_IBAN, QR_IBAN, TODAY, ch_organization, counts, invariant_problems, payer, with_credit,
)


_SEQUENCE = itertools.count(1)


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def org(db):
    return ch_organization(db)


def test_credit_balances_list_the_refund_proposal_and_what_stops_it(db, org):
    ready = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN, holder="Reto und Anna Gerber")
    no_iban = payer(db, org, "Amsler", "Eva", None)
    no_town = payer(db, org, "Zürcher", "Ueli", CH_PAYER_IBAN, town="")
    settled = payer(db, org, "Bühler", "Max", CH_PAYER_IBAN)
    with_credit(db, ready, "150.00", owed="100.00")
    with_credit(db, no_iban, "20.00")
    with_credit(db, no_town, "5.00")
    with_credit(db, settled, "80.00", owed="80.00")
    rows = payout_refunds.list_credit_balances(db, org.id)
    assert [(r.holder_name, r.credit) for r in rows] == [
        ("Amsler, Eva", chf("20.00")), ("Gerber, Reto", chf("50.00")), ("Zürcher, Ueli", chf("5.00"))]
    amsler, gerber, zuercher = rows
    assert gerber.ready and gerber.recipient.name == "Reto und Anna Gerber"  # the bank account's holder
    assert gerber.iban == "CH5604835012345678009"
    assert not amsler.ready and amsler.problems[0].field == "iban"
    assert "keine Bankverbindung" in amsler.problem_text
    assert not zuercher.ready and "mindestens Ort und Land" in zuercher.problem_text


def test_refund_posts_and_allocates_so_the_credit_is_used_up(db, org):
    account = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    credit_id = with_credit(db, account, "150.00", owed="100.00")
    order_id = payout_refunds.create_refund_order(db, org.id, account.id, booking_date=TODAY)
    order = payout_orders.get_payout_order(db, order_id)
    assert (order.status, order.amount, order.source_kind) == (OrderStatus.OPEN, chf("50.00"),
                                                               SourceKind.CREDIT_BALANCE)
    assert order.purpose == f"Rückzahlung Guthaben Konto {account.number}"
    statement = ledger.statement(db, account.id)
    refund = [line.posting for line in statement.lines if line.posting.category == "REFUND"]
    assert len(refund) == 1 and refund[0].id == order.payout_posting_id
    assert refund[0].amount == chf("50.00") and refund[0].source == "PAYOUT"
    assert refund[0].open_amount == chf("0.00")
    assert statement.unallocated_credit == chf("0.00") and statement.closing_balance == chf("0.00")
    assert payout_refunds.list_credit_balances(db, org.id) == []
    assert invariant_problems(db, account.id) == []
    assert credit_id  # the payment is the credit the refund paid back


def test_partial_refund_and_the_oldest_credit_first(db, org):
    account = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    first = with_credit(db, account, "30.00")
    second = ledger.book_payment(db, account.id, date(2026, 11, 2), chf("40.00"))
    payout_refunds.create_refund_order(db, org.id, account.id, amount=chf("45.00"), booking_date=TODAY)
    statement = ledger.statement(db, account.id)
    rest = {line.posting.id: line.posting.open_amount for line in statement.lines}
    assert rest[first] == chf("0.00") and rest[second] == chf("25.00")
    assert statement.unallocated_credit == chf("25.00")
    assert invariant_problems(db, account.id) == []


def test_cancel_reverses_the_refund_and_gives_the_credit_back(db, org):
    account = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    with_credit(db, account, "150.00", owed="100.00")
    order_id = payout_refunds.create_refund_order(db, org.id, account.id, booking_date=TODAY)
    payout_orders.cancel_payout_order(db, order_id, booking_date=TODAY, reason="IBAN falsch")
    order = payout_orders.get_payout_order(db, order_id)
    assert order.status is OrderStatus.CANCELLED and order.cancel_posting_id is not None
    statement = ledger.statement(db, account.id)
    lines = {line.posting.id: line.posting for line in statement.lines}
    assert lines[order.cancel_posting_id].reverses_id == order.payout_posting_id
    assert lines[order.cancel_posting_id].text == "Storno Rückzahlung an Reto Gerber: IBAN falsch"
    assert statement.unallocated_credit == chf("50.00") and statement.closing_balance == chf("-50.00")
    assert invariant_problems(db, account.id) == []
    assert [r.credit for r in payout_refunds.list_credit_balances(db, org.id)] == [chf("50.00")]
    with pytest.raises(ValidationError) as exc:
        payout_orders.cancel_payout_order(db, order_id)
    assert "storniert" in str(exc.value)
    # the credit can be refunded again
    again = payout_refunds.create_refund_order(db, org.id, account.id, booking_date=TODAY)
    assert payout_orders.get_payout_order(db, again).amount == chf("50.00")
    assert invariant_problems(db, account.id) == []


def test_refused_orders_store_nothing(db, org):
    account = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    with_credit(db, account, "50.00")
    before = counts(db)
    with pytest.raises(ValidationError) as exc:
        payout_refunds.create_refund_order(db, org.id, account.id, amount=chf("50.01"))
    assert exc.value.errors[0].field == "amount" and "50.00" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # a QR-IBAN needs a QR reference
        payout_orders.create_payout_order(db, organization_id=org.id, account_id=account.id,
                                          recipient=Party("Gerber Reto", town="Bern", country="CH"), iban=QR_IBAN,
                                          amount=chf("10.00"), purpose="x", source_kind=SourceKind.CREDIT_BALANCE,
                                          source_id=None)
    assert exc.value.errors[0].field == "reference"
    no_iban = payer(db, org, "Amsler", "Eva", None)
    with_credit(db, no_iban, "20.00")
    before = counts(db)
    with pytest.raises(ValidationError) as exc:
        payout_refunds.create_refund_order(db, org.id, no_iban.id)
    assert exc.value.errors[0].field == "iban"
    assert counts(db) == before
    assert invariant_problems(db, account.id) == []


def test_module_payout_joins_the_callers_unit_of_work_and_posts_nothing(db, org):
    creditor = payer(db, org, "Gerber", "Anna", CH_PAYER_IBAN)
    before = counts(db)
    with unit_of_work(db) as session:
        order_id = payout_orders.create_payout_order(
            session, organization_id=org.id, account_id=creditor.id, recipient=creditor.holder_id,
            iban=CH_PAYER_IBAN, amount=chf("420.00"), purpose="Unterhalt März 2026 für Lea",
            source_kind="MODULE", source_id=77)
    posted, allocated, orders, files = counts(db)
    assert (posted, allocated, orders, files) == (before[0], before[1], before[2] + 1, before[3])
    found = payout_orders.list_payout_orders(db, org.id, source_kind=SourceKind.MODULE, source_id=77)
    assert [o.id for o in found] == [order_id]
    assert found[0].recipient.name == "Anna Gerber" and found[0].payout_posting_id is None
    # a failure later in the caller's unit of work takes the order with it
    with pytest.raises(RuntimeError):
        with unit_of_work(db) as session:
            payout_orders.create_payout_order(
                session, organization_id=org.id, account_id=creditor.id, recipient=creditor.holder_id,
                iban=CH_PAYER_IBAN, amount=chf("1.00"), purpose="x", source_kind="MODULE", source_id=78)
            raise RuntimeError("module failed afterwards")
    assert payout_orders.list_payout_orders(db, org.id, source_id=78) == []
    payout_orders.cancel_payout_order(db, order_id)
    assert payout_orders.get_payout_order(db, order_id).status is OrderStatus.CANCELLED


def test_orders_belong_to_the_organization(db, org):
    account = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    with pytest.raises(NotFoundError):
        payout_refunds.create_refund_order(db, org.id + 1, account.id)
    with pytest.raises(RuntimeError):  # a bare session is not a unit of work
        with db.session() as session:
            payout_orders.create_payout_order(session, organization_id=org.id, account_id=account.id,
                                              recipient=account.holder_id, iban=CH_PAYER_IBAN, amount=chf("1.00"),
                                              purpose="x", source_kind="MODULE", source_id=1)


# --- the ledger invariant over random histories with refunds and cancellations -------------------

OPERATIONS = st.lists(st.tuples(st.sampled_from(["receivable", "payment", "refund", "cancel"]),
                                st.integers(min_value=1, max_value=50_000)), min_size=1, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_invariant_holds_over_random_histories_with_refunds(db, org, operations):
    account = payer(db, org, f"Zufall{next(_SEQUENCE)}", "Eva", CH_PAYER_IBAN)
    open_orders: list[int] = []
    for operation, minor in operations:
        amount = Money(minor, "CHF")
        if operation == "receivable":
            ledger.post(db, ledger.NewPosting(account.id, TODAY, "FEE", amount, text="Beitrag", due_date=TODAY))
        elif operation == "payment":
            ledger.book_payment(db, account.id, TODAY, amount)
        elif operation == "refund":
            credit = ledger.statement(db, account.id).unallocated_credit
            if credit.minor == 0:
                continue
            part = Money(min(minor, credit.minor), "CHF")
            open_orders.append(payout_refunds.create_refund_order(db, org.id, account.id, amount=part,
                                                                  booking_date=TODAY))
        elif open_orders:
            payout_orders.cancel_payout_order(db, open_orders.pop(minor % len(open_orders)), booking_date=TODAY)
        assert invariant_problems(db, account.id) == []
    statement = ledger.statement(db, account.id)
    refunded = sum(o.amount.minor for o in payout_orders.list_payout_orders(db, org.id, status=OrderStatus.OPEN)
                   if o.account_id == account.id)
    open_minor = sum(p.open_amount.minor for p in statement.open_items)
    assert statement.closing_balance.minor == open_minor - statement.unallocated_credit.minor
    standing = sum(line.posting.amount.minor for line in statement.lines
                   if line.posting.category == "REFUND" and line.posting.amount.minor > 0
                   and line.posting.reversed_by_id is None)
    assert standing == refunded  # every open order has its refund posting; cancelled ones are reversed
