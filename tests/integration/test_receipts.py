"""The booking window's services on SQLite and PostgreSQL: proposal grouped by month, category and
enforcement case; designation; § 367 BGB; the clerk's allocation; over-allocation refused naming the
row; credit balance and its later use; reversal of a wrong receipt; nothing half-stored."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.receivables import AllocationRule
from sollhaben.persistence.models import Allocation, Posting
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import receipts
from sollhaben.services.receivables.receipts_rules import (ReceiptRules, register_receipt_rules,
                                                           unregister_receipt_rules)
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("DE"))


@pytest.fixture
def holder(db, org):
    return persons.save_person(db, org.id, PersonInput("NATURAL", "Becker", "Anna"), today=TODAY)


@pytest.fixture
def account(db, org, holder):
    return ledger.open_account(db, org.id, holder.id, module="kita")


def item(db, account, amount: str, month: Month, category: str = "KITA_FEE", due_day: int = 1, **kw) -> int:
    due = date(month.year, month.month, due_day)
    return ledger.post(db, NewPosting(account.id, month.first_day, category, eur(amount), text=f"{category} {month}",
                                      value_month=month, due_date=due, source=PostingSource.BILLING_RUN, **kw))


def counts(db) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Posting)),
                session.scalar(select(func.count()).select_from(Allocation)))


def open_of(db, account) -> dict[int, int]:
    return {p.id: p.open_amount.minor for p in ledger.statement(db, account.id).open_items}


JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)


# --- the proposal -------------------------------------------------------------------------------

def test_proposal_groups_by_month_category_and_enforcement_case(db, account):
    jan_fee = item(db, account, "300.00", JAN)
    jan_meals = item(db, account, "60.00", JAN, "MEALS")
    jan_reminder = item(db, account, "5.00", JAN, "REMINDER_FEE", due_day=20)
    feb_fee = item(db, account, "300.00", FEB)
    case_cost = item(db, account, "73.30", FEB, "ENFORCEMENT_COST", detail={"enforcement_case": "B-17"})
    case_cost_2 = item(db, account, "20.00", FEB, "ENFORCEMENT_COST", due_day=2, detail={"enforcement_case": "B-17"})
    p = receipts.receipt_proposal(db, account.id, eur("500.00"), date(2026, 3, 1))
    assert [(g.value_month, g.category, g.enforcement_case, [l.item_id for l in g.lines]) for g in p.groups] == [
        (JAN, "REMINDER_FEE", None, [jan_reminder]),  # § 367: fees before the principal, also in the list
        (JAN, "KITA_FEE", None, [jan_fee]),
        (JAN, "MEALS", None, [jan_meals]),
        (FEB, "ENFORCEMENT_COST", "B-17", [case_cost, case_cost_2]),
        (FEB, "KITA_FEE", None, [feb_fee])]
    proposed = {l.item_id: l.proposed.minor for l in p.lines}
    # oldest due first: 01.01. (fee, meals: principal by id), 20.01. reminder, then on 01.02. the
    # costs before the fee (§ 367); the costs due 02.02. get nothing
    assert proposed == {jan_fee: 30000, jan_meals: 6000, jan_reminder: 500, case_cost: 7330,
                        feb_fee: 6170, case_cost_2: 0}
    assert (p.allocated, p.credit, p.existing_credit, p.rule_name) == (eur("500.00"), eur("0.00"), eur("0.00"), "Kita")
    assert p.groups[3].open_amount == eur("93.30") and p.groups[3].proposed == eur("73.30")
    assert p.account.id == account.id and p.notes == ()


def test_proposal_of_a_sub_account_groups_its_items_under_its_case(db, org, holder, account):
    sub = ledger.open_account(db, org.id, holder.id, key="enforcement:B-9", label="Betreibung B-9",
                              parent_id=account.id)
    cost = item(db, sub, "100.00", JAN, "ENFORCEMENT_COST")
    p = receipts.receipt_proposal(db, sub.id, eur("40.00"), date(2026, 2, 1))
    assert [(g.enforcement_case, g.open_amount, g.proposed) for g in p.groups] == [("B-9", eur("100.00"), eur("40.00"))]
    assert p.allocations() == [(cost, eur("40.00"))]


def test_proposal_without_amount_lists_the_items_and_refuses_a_negative_one(db, account):
    fee = item(db, account, "300.00", JAN)
    p = receipts.receipt_proposal(db, account.id, eur("0.00"), date(2026, 2, 1))
    assert [(l.item_id, l.proposed) for l in p.lines] == [(fee, eur("0.00"))]
    assert (p.allocated, p.credit) == (eur("0.00"), eur("0.00"))
    with pytest.raises(ValidationError, match="Betrag: Ein Zahlungseingang kann nicht negativ sein"):
        receipts.receipt_proposal(db, account.id, eur("-1.00"), date(2026, 2, 1))
    with pytest.raises(ValidationError, match="Das Konto führt EUR, nicht CHF"):
        receipts.receipt_proposal(db, account.id, Money.of("1.00", "CHF"), date(2026, 2, 1))
    with pytest.raises(NotFoundError):
        receipts.receipt_proposal(db, 9999, eur("1.00"), date(2026, 2, 1))


def test_designation_first_and_a_named_item_that_is_not_open_is_noted(db, account):
    jan = item(db, account, "300.00", JAN)
    feb = item(db, account, "300.00", FEB)
    mar = item(db, account, "300.00", MAR)
    p = receipts.receipt_proposal(db, account.id, eur("400.00"), date(2026, 3, 10), designation=[mar, 4711])
    assert {l.item_id: l.proposed.minor for l in p.lines} == {jan: 10000, feb: 0, mar: 30000}
    assert [l.item_id for l in p.lines if l.designated] == [mar]
    two = receipts.receipt_proposal(db, account.id, eur("400.00"), date(2026, 3, 10), designation=[mar, 4711, feb])
    assert two.designation == (mar, feb)  # the order named, open items only
    assert {l.item_id: l.proposed.minor for l in two.lines} == {jan: 0, feb: 10000, mar: 30000}
    assert p.notes == ("Der Verwendungszweck nennt „4711“, das ist kein offener Posten dieses Kontos.",)
    payment = ledger.book_payment(db, account.id, date(2026, 3, 10), eur("400.00"), designation=[mar])
    assert open_of(db, account) == {jan: 20000, feb: 30000}
    assert payment


def test_section_367_costs_fees_interest_before_principal_on_one_due_date(db, account):
    principal = item(db, account, "300.00", FEB)
    interest = item(db, account, "4.00", FEB, "INTEREST")
    fee = item(db, account, "5.00", FEB, "REMINDER_FEE")
    cost = item(db, account, "30.00", FEB, "ENFORCEMENT_COST")
    p = receipts.receipt_proposal(db, account.id, eur("37.00"), date(2026, 3, 1))
    assert {l.item_id: l.proposed.minor for l in p.lines} == {cost: 3000, fee: 500, interest: 200, principal: 0}


# --- booking with the clerk's allocation -----------------------------------------------------------

def test_the_clerk_changes_the_proposal_and_the_rest_is_credit(db, account):
    jan = item(db, account, "300.00", JAN)
    feb = item(db, account, "300.00", FEB)
    proposal = receipts.receipt_proposal(db, account.id, eur("350.00"), date(2026, 2, 10))
    assert proposal.allocations() == [(jan, eur("300.00")), (feb, eur("50.00"))]
    payment = receipts.book_receipt(db, account.id, date(2026, 2, 10), eur("350.00"), "  ",
                                    [(jan, eur("0.00")), (feb, eur("300.00"))])
    statement = ledger.statement(db, account.id)
    assert open_of(db, account) == {jan: 30000}
    assert statement.unallocated_credit == eur("50.00") and statement.closing_balance == eur("250.00")
    line = next(l.posting for l in statement.lines if l.posting.id == payment)
    assert (line.text, line.source, line.category, line.amount) == ("Zahlung", "PAYMENT", "PAYMENT", eur("-350.00"))


def test_nothing_allocated_is_all_credit(db, account):
    item(db, account, "300.00", JAN)
    receipts.book_receipt(db, account.id, date(2026, 2, 10), eur("120.00"), "Überweisung", [])
    assert ledger.statement(db, account.id).unallocated_credit == eur("120.00")


@pytest.mark.parametrize("rows, field, message", [
    (lambda a, b: [(a, eur("100.00")), (b, eur("300.01"))], "allocations[1].amount",
     "Zuordnung Zeile 2 (Nr. {b}, Kita-Beitrag 02.2026): Offen sind nur 300,00 EUR, zugeordnet 300,01 EUR."),
    (lambda a, b: [(a, eur("200.00")), (a, eur("100.01"))], "allocations[1].amount",
     "Zuordnung Zeile 2 (Nr. {a}, Kita-Beitrag 01.2026): Offen sind nur 300,00 EUR, zugeordnet 300,01 EUR."),
    (lambda a, b: [(a, eur("-1.00"))], "allocations[0].amount",
     "Zuordnung Zeile 1 (Nr. {a}, Kita-Beitrag 01.2026): Eine Zuordnung kann nicht negativ sein."),
    (lambda a, b: [(9999, eur("1.00"))], "allocations[0].amount",
     "Zuordnung Zeile 1: Posten Nr. 9999 ist auf diesem Konto nicht offen."),
    (lambda a, b: [(a, Money.of("1.00", "CHF"))], "allocations[0].amount",
     "Zuordnung Zeile 1 (Nr. {a}, Kita-Beitrag 01.2026): Betrag in EUR erwartet, nicht CHF."),
    (lambda a, b: [(a, eur("300.00")), (b, eur("200.01"))], "allocations",
     "Zuordnung: Zugeordnet sind 500,01 EUR, gezahlt wurden nur 500,00 EUR."),
])
def test_over_allocation_is_refused_naming_the_row_and_nothing_is_stored(db, account, rows, field, message):
    a = item(db, account, "300.00", JAN)
    b = item(db, account, "300.00", FEB)
    with pytest.raises(ValidationError) as caught:
        receipts.book_receipt(db, account.id, date(2026, 2, 10), eur("500.00"), "Zahlung", rows(a, b))
    assert [(e.field, e.message) for e in caught.value.errors] == [(field, message.format(a=a, b=b))]
    assert counts(db) == (2, 0)


def test_receipt_fields_are_checked_together(db, account):
    a = item(db, account, "300.00", JAN)
    with pytest.raises(ValidationError) as caught:
        receipts.book_receipt(db, account.id, None, eur("0.00"), "x" * 201, [(a, eur("400.00"))])
    assert [e.field for e in caught.value.errors] == ["booking_date", "amount", "text", "allocations[0].amount"]
    assert counts(db) == (1, 0)


def test_an_item_of_another_account_cannot_be_paid(db, org, account):
    other_holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Yilmaz", "Deniz"), today=TODAY)
    other = ledger.open_account(db, org.id, other_holder.id)
    foreign = item(db, other, "300.00", JAN)
    with pytest.raises(ValidationError, match=f"Posten Nr. {foreign} ist auf diesem Konto nicht offen"):
        receipts.book_receipt(db, account.id, date(2026, 2, 1), eur("300.00"), "", [(foreign, eur("300.00"))])
    assert open_of(db, other) == {foreign: 30000}


# --- credit balance used later ------------------------------------------------------------------------

def test_credit_is_allocated_later_by_proposal_oldest_credit_first(db, account):
    first = receipts.book_receipt(db, account.id, date(2026, 1, 5), eur("100.00"), "Vorauszahlung", [])
    second = receipts.book_receipt(db, account.id, date(2026, 1, 6), eur("250.00"), "Vorauszahlung", [])
    jan = item(db, account, "300.00", JAN)
    feb = item(db, account, "300.00", FEB)
    assert open_of(db, account) == {jan: 30000, feb: 30000}  # a new item is not settled by itself
    proposal = receipts.credit_proposal(db, account.id, date(2026, 2, 1))
    assert (proposal.amount, proposal.existing_credit) == (eur("350.00"), eur("350.00"))
    assert proposal.allocations() == [(jan, eur("300.00")), (feb, eur("50.00"))]
    done = receipts.allocate_credit(db, account.id, value_date=date(2026, 2, 1))
    assert [(d.credit_id, d.item_id, d.amount) for d in done] == [
        (first, jan, eur("100.00")), (second, jan, eur("200.00")), (second, feb, eur("50.00"))]
    statement = ledger.statement(db, account.id)
    assert open_of(db, account) == {feb: 25000} and statement.unallocated_credit == eur("0.00")
    assert receipts.allocate_credit(db, account.id, value_date=date(2026, 2, 1)) == []


def test_credit_allocated_by_hand_and_more_than_the_credit_is_refused(db, account):
    receipts.book_receipt(db, account.id, date(2026, 1, 5), eur("100.00"), "", [])
    jan = item(db, account, "300.00", JAN)
    feb = item(db, account, "300.00", FEB)
    with pytest.raises(ValidationError) as caught:
        receipts.allocate_credit(db, account.id, [(jan, eur("60.00")), (feb, eur("40.01"))])
    assert caught.value.errors[0].message == ("Zuordnung: Zugeordnet sind 100,01 EUR, "
                                              "das Guthaben beträgt nur 100,00 EUR.")
    assert counts(db) == (3, 0)
    receipts.allocate_credit(db, account.id, [(feb, eur("60.00"))])
    assert open_of(db, account) == {jan: 30000, feb: 24000}
    assert ledger.statement(db, account.id).unallocated_credit == eur("40.00")


# --- reversal of a wrong receipt ---------------------------------------------------------------------------

def test_reversal_releases_the_allocations_and_the_statement_shows_both(db, account):
    jan = item(db, account, "300.00", JAN)
    feb = item(db, account, "300.00", FEB)
    payment = receipts.book_receipt(db, account.id, date(2026, 2, 10), eur("400.00"), "Überweisung Becker",
                                    [(jan, eur("300.00")), (feb, eur("100.00"))])
    reversal = receipts.reverse_receipt(db, payment, date(2026, 2, 12), "  Falsches Konto  ")
    statement = ledger.statement(db, account.id)
    assert open_of(db, account) == {jan: 30000, feb: 30000}
    by_id = {l.posting.id: l.posting for l in statement.lines}
    assert by_id[payment].reversed_by_id == reversal and by_id[reversal].reverses_id == payment
    assert by_id[reversal].amount == eur("400.00") and by_id[reversal].source == "REVERSAL"
    assert by_id[reversal].text == f"Storno Zahlung Nr. {payment}: Falsches Konto"
    assert statement.closing_balance == eur("600.00") and statement.unallocated_credit == eur("0.00")
    with db.session() as session:
        assert session.get(Posting, reversal).detail == {"reverses": payment, "reason": "Falsches Konto"}


def test_a_receipt_from_a_bank_file_may_be_reversed_too(db, account):
    jan = item(db, account, "300.00", JAN)
    payment = ledger.book_payment(db, account.id, date(2026, 2, 1), eur("300.00"), source=PostingSource.BANK_FILE,
                                  idempotency_key="camt:TEST-1")
    receipts.reverse_receipt(db, payment, date(2026, 2, 3), "Zahlung gehört zu anderem Kind")
    assert open_of(db, account) == {jan: 30000}


def test_reversal_refused_twice_without_reason_for_a_receivable_and_before_the_receipt(db, account):
    jan = item(db, account, "300.00", JAN)
    payment = receipts.book_receipt(db, account.id, date(2026, 2, 10), eur("300.00"), "", [(jan, eur("300.00"))])
    before = counts(db)
    for reason, day, field, message in (
            ("   ", date(2026, 2, 12), "reason", "Grund: Bitte angeben, warum die Zahlung storniert wird."),
            ("x" * 151, date(2026, 2, 12), "reason", "Grund: höchstens 150 Zeichen erlaubt."),
            ("Irrtum", date(2026, 2, 9), "booking_date",
             "Buchungsdatum: Das Storno kann nicht vor der Zahlung (10.02.2026) liegen.")):
        with pytest.raises(ValidationError) as caught:
            receipts.reverse_receipt(db, payment, day, reason)
        assert [(e.field, e.message) for e in caught.value.errors] == [(field, message)]
    with pytest.raises(ValidationError, match=f"Buchung Nr. {jan} ist kein Zahlungseingang"):
        receipts.reverse_receipt(db, jan, date(2026, 2, 12), "Irrtum")
    assert counts(db) == before
    reversal = receipts.reverse_receipt(db, payment, date(2026, 2, 12), "Irrtum")
    with pytest.raises(ValidationError, match=f"Die Zahlung Nr. {payment} ist bereits storniert"):
        receipts.reverse_receipt(db, payment, date(2026, 2, 13), "noch einmal")
    with pytest.raises(ValidationError, match="kein Zahlungseingang"):
        receipts.reverse_receipt(db, reversal, date(2026, 2, 13), "Storno des Stornos")
    with pytest.raises(NotFoundError):
        receipts.reverse_receipt(db, 9999, date(2026, 2, 13), "Irrtum")
    assert counts(db) == (before[0] + 1, before[1] + 2)  # reversal; release + settlement


def test_a_credit_note_is_not_a_receipt(db, account):
    note = ledger.post(db, NewPosting(account.id, date(2026, 1, 1), "CREDIT_NOTE", eur("-20.00")))
    with pytest.raises(ValidationError, match="kein Zahlungseingang"):
        receipts.reverse_receipt(db, note, date(2026, 1, 2), "Irrtum")


# --- a module's own rule ------------------------------------------------------------------------------------

def test_a_module_plugs_in_its_rule_for_its_accounts_and_their_sub_accounts(db, org, holder):
    """Maintenance: the months' claims of several children served pro rata (the module's rule)."""
    rule = AllocationRule("Unterhalt (test)", key=lambda i, _d: (i.due_date, i.id),
                          pro_rata_key=lambda i: i.due_date)
    register_receipt_rules("alimony-test", ReceiptRules(rule))
    try:
        main = ledger.open_account(db, org.id, holder.id, key="alimony", module="alimony-test")
        sub = ledger.open_account(db, org.id, holder.id, key="enforcement:7", parent_id=main.id)
        for account in (main, sub):
            a = item(db, account, "300.00", JAN, "MAINTENANCE")
            b = item(db, account, "100.00", JAN, "MAINTENANCE")
            p = receipts.receipt_proposal(db, account.id, eur("200.00"), date(2026, 2, 1))
            assert p.rule_name == "Unterhalt (test)"
            assert p.allocations() == [(a, eur("150.00")), (b, eur("50.00"))]
            payment = ledger.book_payment(db, account.id, date(2026, 2, 1), eur("200.00"))
            assert open_of(db, account) == {a: 15000, b: 5000}
            assert payment
    finally:
        unregister_receipt_rules("alimony-test")


def test_accounts_without_a_registered_module_rule_use_the_standard_order(db, org, holder, account):
    plain = ledger.open_account(db, org.id, holder.id, key="other")
    late = item(db, plain, "100.00", FEB)
    early = item(db, plain, "100.00", JAN)
    p = receipts.receipt_proposal(db, plain.id, eur("150.00"), date(2026, 3, 1))
    assert p.rule_name == "Standard" and p.allocations() == [(early, eur("100.00")), (late, eur("50.00"))]
    assert receipts.receipt_proposal(db, account.id, eur("1.00"), date(2026, 3, 1)).rule_name == "Kita"


def test_two_clerks_booking_the_same_item_at_once_cannot_over_allocate_it(db, account):
    """Both windows proposed the whole item; the second save finds it paid (under the account lock)."""
    import threading

    fee = item(db, account, "300.00", JAN)
    barrier, outcomes = threading.Barrier(2), []

    def clerk(name: str) -> None:
        barrier.wait()
        try:
            outcomes.append(receipts.book_receipt(db, account.id, date(2026, 2, 1), eur("300.00"), name,
                                                  [(fee, eur("300.00"))]))
        except ValidationError as exc:
            outcomes.append(exc.errors[0].message)

    threads = [threading.Thread(target=clerk, args=(name,)) for name in ("Zahlung A", "Zahlung B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(type(o).__name__ for o in outcomes) == ["int", "str"]
    assert next(o for o in outcomes if isinstance(o, str)) == (
        f"Zuordnung Zeile 1: Posten Nr. {fee} ist nicht mehr offen (inzwischen ausgeglichen). "
        "Bitte „Vorschlag“ oder die Zuordnung anpassen.")
    assert open_of(db, account) == {} and counts(db) == (2, 1)


def test_a_payers_reference_resolves_to_the_account_and_the_items_it_was_issued_for(db, org, account):
    from sollhaben.domain.references import make_document_creditor_reference
    from sollhaben.services.receivables.references import register_issued_reference
    from sollhaben.services.unit_of_work import unit_of_work

    fee = item(db, account, "300.00", JAN)
    reference = make_document_creditor_reference(account.id, 2)
    with unit_of_work(db) as session:
        register_issued_reference(session, organization_id=org.id, account_id=account.id, reference=reference,
                                  kind="INVOICE", item_ids=[fee])
    found = receipts.resolve_payer_reference(db, org.id, reference.lower())
    assert (found.account_id, found.item_ids) == (account.id, (fee,))
    assert receipts.resolve_payer_reference(db, org.id, "RF18539007547034") is None
