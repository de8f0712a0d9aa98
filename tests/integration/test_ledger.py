"""The open-item ledger on SQLite and PostgreSQL: accounts, immutable postings, payments with
allocation, reversals, credit balance, idempotency, statements."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.ledger import CATEGORY_PRIORITY, PostingSource
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.persistence.models import Allocation, Posting
from sollhaben.services import demo, ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


def chf(text_: str) -> Money:
    return Money.of(text_, "CHF")


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("CH"))


@pytest.fixture
def holder(db, org):
    return persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Reto"), today=TODAY)


@pytest.fixture
def account(db, org, holder):
    return ledger.open_account(db, org.id, holder.id, module="alimony")


def receivable(db, account, amount: str, due: date, category: str = "MAINTENANCE", booked: date | None = None,
               **kw) -> int:
    return ledger.post(db, NewPosting(account.id, booked or date(due.year, due.month, 1), category, chf(amount),
                                      text=f"{category} {due:%m.%Y}", due_date=due, **kw))


def table_counts(db) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Posting)),
                session.scalar(select(func.count()).select_from(Allocation)))


def allocations_of(db, credit_id: int) -> dict[int, int]:
    with db.session() as session:
        rows = session.execute(select(Allocation.item_id, func.sum(Allocation.amount_minor))
                               .where(Allocation.credit_id == credit_id).group_by(Allocation.item_id)).all()
    return {item: int(total) for item, total in rows if total}


def open_of(db, account) -> dict[int, int]:
    return {p.id: p.open_amount.minor for p in ledger.statement(db, account.id).open_items}


# --- accounts ---------------------------------------------------------------------------------

def test_open_account_once_per_holder_and_key(db, org, holder, account):
    again = ledger.open_account(db, org.id, holder.id)
    assert again == account
    assert (account.holder_name, account.key, account.currency, account.number) == (
        "Gerber, Reto", "main", "CHF", f"{holder.id:06d}")
    sub = ledger.open_account(db, org.id, holder.id, key="enforcement:17", label="Betreibung 17",
                              parent_id=account.id)
    assert sub.id != account.id and sub.number == f"{holder.id:06d}-{sub.id:04d}" and sub.label == "Betreibung 17"
    assert ledger.get_account(db, sub.id) == sub


def test_account_holder_must_belong_to_the_organization(db, org, holder):
    other = organizations.create_organization(db, make_org_input("DE"))
    with pytest.raises(NotFoundError, match="Kontoinhaber"):
        ledger.open_account(db, other.id, holder.id)
    with pytest.raises(NotFoundError):
        ledger.open_account(db, org.id, 9999)
    with pytest.raises(NotFoundError):
        ledger.get_account(db, 9999)


def test_list_accounts_with_balances(db, org, holder, account):
    other_holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Amsler", "Beat"), today=TODAY)
    other = ledger.open_account(db, org.id, other_holder.id)
    receivable(db, account, "800.00", date(2026, 1, 1))
    ledger.book_payment(db, account.id, date(2026, 1, 5), chf("300.00"))
    assert [(a.holder_name, balance) for a, balance in ledger.list_accounts(db, org.id)] == [
        ("Amsler, Beat", chf("0.00")), ("Gerber, Reto", chf("500.00"))]
    assert other.currency == "CHF"


# --- postings and their validation ------------------------------------------------------------

def test_post_receivable_and_read_it_back(db, account):
    pid = receivable(db, account, "824.00", date(2026, 3, 1), value_month=Month(2026, 3), reference="RF18539007547034",
                     detail={"child": 7, "kind": "maintenance"}, source=PostingSource.BILLING_RUN)
    (line,) = ledger.statement(db, account.id).lines
    p = line.posting
    assert (p.id, p.booking_date, p.value_month, p.due_date, p.category) == (
        pid, date(2026, 3, 1), Month(2026, 3), date(2026, 3, 1), "MAINTENANCE")
    assert (p.amount, p.open_amount, p.source, p.reverses_id, p.reversed_by_id) == (
        chf("824.00"), chf("824.00"), "BILLING_RUN", None, None)
    with db.session() as session:
        row = session.get(Posting, pid)
        assert (row.created_by, row.detail, row.reference, row.currency) == (
            "test", {"child": 7, "kind": "maintenance"}, "RF18539007547034", "CHF")


@pytest.mark.parametrize("posting, message", [
    (dict(amount=Money(0, "CHF")), "Betrag: Eine Buchung über 0.00 gibt es nicht."),
    (dict(amount=Money(100, "EUR")), "Betrag: Das Konto führt CHF, nicht EUR."),
    (dict(category="  "), "Kategorie: Bitte eine Kategorie angeben."),
    (dict(category="K" * 41), "Kategorie: höchstens 40 Zeichen erlaubt."),
    (dict(reference="R" * 36), "Referenz: höchstens 35 Zeichen erlaubt."),
])
def test_invalid_postings_are_refused(db, account, posting, message):
    data = dict(account_id=account.id, booking_date=date(2026, 1, 1), category="MAINTENANCE", amount=chf("1.00"))
    data.update(posting)
    with pytest.raises(ValidationError) as caught:
        ledger.post(db, NewPosting(**data))
    assert str(caught.value) == message
    assert table_counts(db) == (0, 0)


def test_posting_to_an_unknown_account(db, account):
    with pytest.raises(NotFoundError):
        ledger.post(db, NewPosting(9999, date(2026, 1, 1), "MAINTENANCE", chf("1.00")))


# --- immutability in the database ---------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE posting SET amount_minor = 1 WHERE id = :posting",
    "UPDATE posting SET text = 'geändert' WHERE id = :posting",
    "DELETE FROM posting WHERE id = :posting",
    "UPDATE allocation SET amount_minor = 1 WHERE id = :allocation",
    "DELETE FROM allocation WHERE id = :allocation",
    "DELETE FROM allocation",
])
def test_postings_and_allocations_are_immutable_in_the_database(db, account, statement):
    item = receivable(db, account, "800.00", date(2026, 1, 1))
    credit = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("500.00"))
    with db.session() as session:
        allocation = session.scalar(select(Allocation.id).where(Allocation.credit_id == credit))
    with pytest.raises(Exception, match="immutable"):
        with db.engine.begin() as connection:
            connection.execute(text(statement), {"posting": item, "allocation": allocation})
    assert table_counts(db) == (2, 1)
    assert open_of(db, account) == {item: 30000}


def test_orm_changes_to_a_posting_are_refused_too(db, account):
    item = receivable(db, account, "800.00", date(2026, 1, 1))
    with pytest.raises(Exception, match="immutable"):
        with db.session() as session:
            session.get(Posting, item).amount_minor = 1
            session.commit()
    assert ledger.statement(db, account.id).closing_balance == chf("800.00")


# --- payments and the allocation proposal -----------------------------------------------------------

def test_payment_is_allocated_oldest_due_first(db, account):
    march = receivable(db, account, "800.00", date(2026, 3, 1))
    january = receivable(db, account, "800.00", date(2026, 1, 1))
    february = receivable(db, account, "800.00", date(2026, 2, 1))
    payment = ledger.book_payment(db, account.id, date(2026, 3, 10), chf("1000.00"), text="Zahlung Reto")
    assert allocations_of(db, payment) == {january: 80000, february: 20000}
    assert open_of(db, account) == {february: 60000, march: 80000}
    assert ledger.statement(db, account.id).unallocated_credit == chf("0.00")


def test_costs_interest_then_principal_within_one_due_date(db, account):
    """§ 367 BGB: a payment that does not cover everything settles costs, then interest, then the
    principal; an older due date still goes first."""
    due = date(2026, 5, 1)
    older = receivable(db, account, "100.00", date(2026, 4, 1))
    principal = receivable(db, account, "800.00", due, "MAINTENANCE")
    interest = receivable(db, account, "12.00", due, "INTEREST")
    fee = receivable(db, account, "30.00", due, "REMINDER_FEE")
    enforcement = receivable(db, account, "73.30", due, "ENFORCEMENT_COST")
    payment = ledger.book_payment(db, account.id, date(2026, 5, 20), chf("215.00"))
    assert allocations_of(db, payment) == {older: 10000, enforcement: 7330, fee: 3000, interest: 1170}
    assert open_of(db, account) == {interest: 30, principal: 80000}


def test_item_without_due_date_counts_as_due_when_booked(db, account):
    later = receivable(db, account, "50.00", date(2026, 6, 30))
    undated = ledger.post(db, NewPosting(account.id, date(2026, 9, 1), "MAINTENANCE", chf("70.00")))
    earlier = receivable(db, account, "40.00", date(2026, 2, 28))
    payment = ledger.book_payment(db, account.id, date(2026, 9, 5), chf("100.00"))
    assert allocations_of(db, payment) == {earlier: 4000, later: 5000, undated: 1000}


def test_manual_allocation_replaces_the_proposal(db, account):
    january = receivable(db, account, "800.00", date(2026, 1, 1))
    february = receivable(db, account, "800.00", date(2026, 2, 1))
    payment = ledger.book_payment(db, account.id, date(2026, 2, 10), chf("1000.00"),
                                  allocations=[(february, chf("800.00")), (january, chf("150.00"))])
    assert allocations_of(db, payment) == {february: 80000, january: 15000}
    statement = ledger.statement(db, account.id)
    assert {p.id: p.open_amount for p in statement.open_items} == {january: chf("650.00")}
    assert statement.unallocated_credit == chf("50.00")
    assert statement.closing_balance == chf("600.00")  # 650 open − 50 credit


@pytest.mark.parametrize("plan, message", [
    (lambda a, b: [(a, chf("800.01"))], "Zuordnung: Posten {a} ist nur noch mit 800.00 CHF offen."),
    (lambda a, b: [(a, chf("600.00")), (b, chf("500.00"))], "Zuordnung: Es ist mehr zugeordnet als gezahlt wurde."),
    (lambda a, b: [(a, chf("500.00")), (a, chf("500.00"))], "Zuordnung: Posten {a} ist nur noch mit 800.00 CHF offen."),
    (lambda a, b: [(a, chf("0.00"))], "Zuordnung: Zugeordnete Beträge müssen grösser als 0.00 sein."),
    (lambda a, b: [(a, chf("-5.00"))], "Zuordnung: Zugeordnete Beträge müssen grösser als 0.00 sein."),
    (lambda a, b: [(a, Money.of("5.00", "EUR"))], "Zuordnung: Beträge in CHF erwartet, nicht EUR."),
    (lambda a, b: [(9999, chf("5.00"))], "Zuordnung: Posten 9999 ist auf diesem Konto nicht offen."),
])
def test_over_allocation_is_refused_and_nothing_booked(db, account, plan, message):
    a = receivable(db, account, "800.00", date(2026, 1, 1))
    b = receivable(db, account, "800.00", date(2026, 2, 1))
    with pytest.raises(ValidationError) as caught:
        ledger.book_payment(db, account.id, date(2026, 2, 10), chf("1000.00"), allocations=plan(a, b))
    assert str(caught.value) == message.format(a=a)
    assert table_counts(db) == (2, 0)


def test_an_item_of_another_account_cannot_be_allocated(db, org, account):
    other_holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Amsler", "Beat"), today=TODAY)
    other = ledger.open_account(db, org.id, other_holder.id)
    foreign = receivable(db, other, "100.00", date(2026, 1, 1))
    with pytest.raises(ValidationError, match=f"Posten {foreign} ist auf diesem Konto nicht offen"):
        ledger.book_payment(db, account.id, date(2026, 1, 5), chf("100.00"), allocations=[(foreign, chf("100.00"))])
    own_credit = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("100.00"))
    with pytest.raises(ValidationError, match="nicht zum selben Konto"):
        ledger.allocate(db, own_credit, foreign, chf("10.00"))
    assert open_of(db, other) == {foreign: 10000}


def test_payment_amount_must_be_positive(db, account):
    for amount in (chf("0.00"), chf("-1.00")):
        with pytest.raises(ValidationError, match="Eine Zahlung muss grösser als 0.00 sein"):
            ledger.book_payment(db, account.id, date(2026, 1, 5), amount)
    with pytest.raises(ValidationError, match="Das Konto führt CHF, nicht EUR"):
        ledger.book_payment(db, account.id, date(2026, 1, 5), Money.of("1.00", "EUR"))
    assert table_counts(db) == (0, 0)


# --- credit balance and later allocation ----------------------------------------------------------------

def test_overpayment_stays_as_credit_and_can_be_allocated_later(db, account):
    january = receivable(db, account, "300.00", date(2026, 1, 1))
    payment = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("500.00"))
    statement = ledger.statement(db, account.id)
    assert statement.unallocated_credit == chf("200.00") and statement.closing_balance == chf("-200.00")
    assert statement.open_items == ()

    february = receivable(db, account, "300.00", date(2026, 2, 1))
    assert open_of(db, account) == {february: 30000}  # a new item is not settled by itself
    with pytest.raises(ValidationError, match="höchstens 200.00 CHF möglich"):
        ledger.allocate(db, payment, february, chf("200.01"))
    ledger.allocate(db, payment, february, chf("200.00"))
    assert allocations_of(db, payment) == {january: 30000, february: 20000}
    statement = ledger.statement(db, account.id)
    assert statement.unallocated_credit == chf("0.00") and statement.closing_balance == chf("100.00")
    with pytest.raises(ValidationError, match="höchstens 0.00 CHF möglich"):
        ledger.allocate(db, payment, february, chf("0.01"))


def test_allocate_checks_direction_and_amount(db, account):
    item = receivable(db, account, "100.00", date(2026, 1, 1))
    credit = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("50.00"), allocations=[])
    with pytest.raises(ValidationError, match="Nur Gutschriften"):
        ledger.allocate(db, item, credit, chf("10.00"))
    with pytest.raises(ValidationError, match="höchstens 50.00 CHF möglich"):
        ledger.allocate(db, credit, item, chf("0.00"))
    with pytest.raises(ValidationError, match="Beträge in CHF erwartet, nicht EUR"):
        ledger.allocate(db, credit, item, Money.of("10.00", "EUR"))
    with pytest.raises(ValidationError):
        ledger.allocate(db, credit, 9999, chf("10.00"))
    assert allocations_of(db, credit) == {}
    ledger.allocate(db, credit, item, chf("50.00"))
    assert open_of(db, account) == {item: 5000}


# --- reversal ---------------------------------------------------------------------------------------

def test_reversal_of_a_receivable_settles_both_and_the_statement_shows_both(db, account):
    wrong = receivable(db, account, "850.00", date(2026, 1, 1))
    reversal = ledger.reverse(db, wrong, date(2026, 1, 20))
    lines = ledger.statement(db, account.id).lines
    assert [(l.posting.id, l.posting.amount, l.posting.open_amount, l.balance) for l in lines] == [
        (wrong, chf("850.00"), chf("0.00"), chf("850.00")),
        (reversal, chf("-850.00"), chf("0.00"), chf("0.00"))]
    assert (lines[0].posting.reversed_by_id, lines[1].posting.reverses_id) == (reversal, wrong)
    assert lines[1].posting.source == "REVERSAL" and lines[1].posting.text == "Storno: MAINTENANCE 01.2026"
    assert lines[1].posting.category == "MAINTENANCE" and lines[1].posting.due_date == date(2026, 1, 1)
    statement = ledger.statement(db, account.id)
    assert statement.open_items == () and statement.unallocated_credit == chf("0.00")


def test_reversal_of_a_paid_receivable_releases_the_payment_as_credit(db, account):
    wrong = receivable(db, account, "850.00", date(2026, 1, 1))
    other = receivable(db, account, "100.00", date(2026, 2, 1))
    payment = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("900.00"))
    assert allocations_of(db, payment) == {wrong: 85000, other: 5000}
    ledger.reverse(db, wrong, date(2026, 1, 20), "Storno: falscher Betrag")
    assert allocations_of(db, payment) == {other: 5000}
    statement = ledger.statement(db, account.id)
    assert statement.unallocated_credit == chf("850.00")
    assert {p.id: p.open_amount for p in statement.open_items} == {other: chf("50.00")}
    assert statement.closing_balance == chf("-800.00")


def test_reversal_of_a_payment_reopens_its_items(db, account):
    item = receivable(db, account, "800.00", date(2026, 1, 1))
    payment = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("800.00"))
    assert open_of(db, account) == {}
    reversal = ledger.reverse(db, payment, date(2026, 1, 31), "Rücklastschrift")
    statement = ledger.statement(db, account.id)
    assert {p.id: p.open_amount for p in statement.open_items} == {item: chf("800.00")}
    by_id = {l.posting.id: l.posting for l in statement.lines}
    assert by_id[payment].open_amount == chf("0.00") and by_id[reversal].open_amount == chf("0.00")
    assert by_id[reversal].amount == chf("800.00") and by_id[reversal].reverses_id == payment
    assert statement.unallocated_credit == chf("0.00") and statement.closing_balance == chf("800.00")


def test_a_posting_is_reversed_at_most_once_and_a_reversal_never(db, account):
    item = receivable(db, account, "800.00", date(2026, 1, 1))
    reversal = ledger.reverse(db, item, date(2026, 1, 2))
    with pytest.raises(ValidationError, match="bereits storniert"):
        ledger.reverse(db, item, date(2026, 1, 3))
    with pytest.raises(ValidationError, match="Eine Stornobuchung kann nicht storniert werden"):
        ledger.reverse(db, reversal, date(2026, 1, 3))
    with pytest.raises(NotFoundError):
        ledger.reverse(db, 9999, date(2026, 1, 3))
    assert table_counts(db)[0] == 2


# --- idempotency ----------------------------------------------------------------------------------------

def test_the_same_run_twice_posts_once(db, account):
    def run() -> list[int]:
        return [ledger.post(db, NewPosting(account.id, date(2026, m, 1), "MAINTENANCE", chf("800.00"),
                                           due_date=date(2026, m, 1), source=PostingSource.BILLING_RUN,
                                           idempotency_key=f"alimony:2026-{m:02d}:line-1")) for m in (1, 2, 3)]
    first = run()
    second = run()
    assert first == second
    assert table_counts(db) == (3, 0)
    assert ledger.statement(db, account.id).closing_balance == chf("2400.00")


def test_the_same_payment_imported_twice_is_booked_once(db, account):
    item = receivable(db, account, "800.00", date(2026, 1, 1))
    first = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("500.00"), source=PostingSource.BANK_FILE,
                                idempotency_key="camt:ZKB-20260105-0001")
    second = ledger.book_payment(db, account.id, date(2026, 1, 5), chf("500.00"), source=PostingSource.BANK_FILE,
                                 idempotency_key="camt:ZKB-20260105-0001")
    assert first == second
    assert table_counts(db) == (2, 1)
    assert open_of(db, account) == {item: 30000}


def test_an_idempotency_key_cannot_be_reused_for_something_else(db, account):
    key = "alimony:2026-01:line-1"
    ledger.post(db, NewPosting(account.id, date(2026, 1, 1), "MAINTENANCE", chf("800.00"), idempotency_key=key))
    with pytest.raises(ValidationError, match="bereits für eine andere Buchung verwendet"):
        ledger.post(db, NewPosting(account.id, date(2026, 1, 1), "MAINTENANCE", chf("900.00"), idempotency_key=key))
    with pytest.raises(ValidationError, match="bereits für eine andere Buchung verwendet"):
        ledger.book_payment(db, account.id, date(2026, 1, 5), chf("800.00"), idempotency_key=key)
    assert table_counts(db) == (1, 0)


# --- statement --------------------------------------------------------------------------------------------

def test_statement_with_running_balance_and_date_range(db, account):
    jan = receivable(db, account, "800.00", date(2026, 1, 1))
    feb = receivable(db, account, "800.00", date(2026, 2, 1))
    pay1 = ledger.book_payment(db, account.id, date(2026, 2, 10), chf("1000.00"))
    mar = receivable(db, account, "800.00", date(2026, 3, 1))
    fee = receivable(db, account, "20.00", date(2026, 3, 15), "REMINDER_FEE", booked=date(2026, 3, 5))
    pay2 = ledger.book_payment(db, account.id, date(2026, 2, 10), chf("100.00"))  # same day as pay1: by id

    full = ledger.statement(db, account.id)
    assert [(l.posting.id, l.balance) for l in full.lines] == [
        (jan, chf("800.00")), (feb, chf("1600.00")), (pay1, chf("600.00")), (pay2, chf("500.00")),
        (mar, chf("1300.00")), (fee, chf("1320.00"))]
    assert full.opening_balance == chf("0.00") and full.closing_balance == chf("1320.00")
    assert [p.id for p in full.open_items] == [feb, mar, fee]  # by due date
    assert sum(p.open_amount.minor for p in full.open_items) - full.unallocated_credit.minor == 132000

    part = ledger.statement(db, account.id, date(2026, 2, 10), date(2026, 3, 1))
    assert (part.date_from, part.date_to) == (date(2026, 2, 10), date(2026, 3, 1))
    assert part.opening_balance == chf("1600.00")
    assert [(l.posting.id, l.balance) for l in part.lines] == [
        (pay1, chf("600.00")), (pay2, chf("500.00")), (mar, chf("1300.00"))]
    assert part.closing_balance == chf("1300.00")
    assert part.account.holder_name == "Gerber, Reto"


def test_statement_of_an_empty_and_an_unknown_account(db, account):
    empty = ledger.statement(db, account.id)
    assert (empty.lines, empty.open_items, empty.closing_balance, empty.unallocated_credit) == (
        (), (), chf("0.00"), chf("0.00"))
    with pytest.raises(NotFoundError):
        ledger.statement(db, 9999)


# The ledger invariant over random histories: tests/integration/test_ledger_invariant.py.


def test_demo_receivables_are_principal_claims_not_costs(sqlite_db):
    """Parents' fees and maintenance are the principal; as "FEE" they were settled like costs."""
    demo.load_demo(sqlite_db, size=20)
    with sqlite_db.session() as session:
        categories = set(session.scalars(select(Posting.category).distinct()
                                         .where(Posting.amount_minor > 0, Posting.source != "REVERSAL")))
    assert categories == {"KITA_FEE", "KITA_EXTRA", "MEALS", "MAINTENANCE"}  # Kita: from the billing runs
    assert not categories & set(CATEGORY_PRIORITY)
