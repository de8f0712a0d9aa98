"""Payment agreements on SQLite and PostgreSQL: created in one unit of work with blocks and a log
entry, kept by payments in time, broken by a missed instalment (blocks lifted, dunning resumes),
fulfilled, cancelled; nothing half-stored."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import AgreementStatus, AgreementTerms, InstalmentState, Interval
from sollhaben.persistence.models import Posting
from sollhaben.persistence.models.agreement import AgreementInstalment, AgreementItem, PaymentAgreement
from sollhaben.persistence.models.dunning import CollectionMeasure, DunningBlock
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import agreements, blocks, measures
from sollhaben.services.receivables.agreements import AgreementInput
from sollhaben.services.unit_of_work import read_only
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def setup(db):
    org = organizations.create_organization(db, make_org_input("DE"))
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Max"), today=TODAY)
    account = ledger.open_account(db, org.id, holder.id)
    items = [ledger.post(db, NewPosting(account.id, date(2026, m, 1), "KITA_FEE", eur(amount), f"Beitrag {m}.2026",
                                        due_date=date(2026, m, 15)))
             for m, amount in ((8, "120.00"), (9, "120.00"), (10, "60.50"))]
    ledger.book_payment(db, account.id, date(2026, 8, 20), eur("20.01"), "Teilzahlung")  # item 1: 99.99 open
    return db, org, account, items


def three_instalments(total: str = "280.49", **kw) -> AgreementTerms:
    return AgreementTerms(eur(total), date(2026, 12, 1), Interval.MONTHLY, instalment_count=3, **kw)


def count(db, model) -> int:
    with read_only(db) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_create_stores_schedule_items_blocks_and_a_log_entry(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(
        db, org.id, AgreementInput(account.id, three_instalments(grace_days=5), note="Telefonisch vereinbart"), TODAY)
    [dto] = agreements.list_agreements(db, account.id, TODAY)
    assert dto.id == agreement_id and dto.status is AgreementStatus.ACTIVE and dto.created_by == "test"
    assert [(i.due_date, i.amount) for i in dto.instalments] == [
        (date(2026, 12, 1), eur("93.50")), (date(2027, 1, 1), eur("93.50")), (date(2027, 2, 1), eur("93.49"))]
    assert sum(i.amount.minor for i in dto.instalments) == dto.total.minor == 28049
    assert all(i.state is InstalmentState.UPCOMING for i in dto.instalments)
    assert dto.item_ids == tuple(sorted(items))
    [blocked] = [agreements.coverable_items(db, account.id)[0].agreement_id]
    assert blocked == agreement_id
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, date(2027, 2, 6)) == (set(), set(items))  # last due + 5
        assert blocks.active_blocks(session, org.id, date(2027, 2, 7)) == (set(), set())
    [measure] = measures.list_measures(db, account.id)
    assert measure.kind == "AGREEMENT" and measure.ref_id == agreement_id and measure.occurred_on == TODAY
    assert measure.text == (f"Zahlungsvereinbarung Nr. {agreement_id} über 280,49 EUR (3 Posten): 3 Raten monatlich "
                            "ab 01.12.2026 (erste 93,50 EUR, letzte 93,49 EUR am 01.02.2027), 5 Karenztage. "
                            "Telefonisch vereinbart")


def test_chosen_items_only_and_an_item_is_in_one_running_agreement(setup):
    db, org, account, items = setup
    first = agreements.create_agreement(db, org.id, AgreementInput(
        account.id, three_instalments("60.50"), item_ids=(items[2],)), TODAY)
    with pytest.raises(ValidationError, match=f"gehört schon zur laufenden Zahlungsvereinbarung Nr. {first}"):
        agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments("160.50"),
                                                               item_ids=(items[0], items[2])), TODAY)
    # "all open items" takes those not yet covered
    second = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments("219.99")), TODAY)
    assert agreements.get_agreement(db, second, TODAY).item_ids == (items[0], items[1])


def test_refused_input_stores_nothing(setup):
    db, org, account, items = setup
    with pytest.raises(ValidationError) as caught:
        agreements.create_agreement(db, org.id, AgreementInput(
            account.id, AgreementTerms(eur("250.00"), date(2026, 11, 1), instalment_amount=eur("0.00"))), TODAY)
    assert {e.field for e in caught.value.errors} == {"total", "first_due", "instalment_amount"}
    assert "Gesamtbetrag: muss der Summe der gewählten offenen Posten (280.49 EUR) entsprechen" in str(caught.value)
    with pytest.raises(ValidationError, match="Posten 999999 ist auf diesem Konto nicht offen"):
        agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments("100.00"),
                                                               item_ids=(999999,)), TODAY)
    for model in (PaymentAgreement, AgreementInstalment, AgreementItem, DunningBlock, CollectionMeasure):
        assert count(db, model) == 0


@pytest.fixture
def log_refused(db):
    """The database refuses new log entries (a real failure at the last write of a creation)."""
    statements = {
        "sqlite": ("CREATE TRIGGER refuse_measure BEFORE INSERT ON collection_measure "
                   "BEGIN SELECT RAISE(ABORT, 'log refused'); END",),
        "postgresql": ("CREATE FUNCTION refuse_measure() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN RAISE EXCEPTION 'log refused'; END $$",
                       "CREATE TRIGGER refuse_measure BEFORE INSERT ON collection_measure "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_measure()"),
    }[db.engine.dialect.name]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    yield
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER refuse_measure" + (" ON collection_measure" if db.engine.dialect.name
                                                                 == "postgresql" else "")))
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("DROP FUNCTION refuse_measure()"))


def test_a_failure_at_the_last_write_leaves_nothing_half_stored(setup, log_refused):
    """The log entry is written last: when the database refuses it, agreement, instalments, items
    and blocks are gone too."""
    db, org, account, items = setup
    with pytest.raises(DBAPIError, match="log refused"):
        agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments()), TODAY)
    for model in (PaymentAgreement, AgreementInstalment, AgreementItem, DunningBlock, CollectionMeasure):
        assert count(db, model) == 0


def pay(db, account, day: date, amount: str) -> int:
    return ledger.book_payment(db, account.id, day, eur(amount), "Rate")


def test_payments_in_time_keep_it_and_the_last_one_fulfils_it(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments(grace_days=3)),
                                               TODAY)
    pay(db, account, date(2026, 12, 4), "93.50")  # on the deadline
    assert agreements.check_agreements(db, org.id, date(2026, 12, 20)).broken == ()
    dto = agreements.get_agreement(db, agreement_id, date(2026, 12, 20))
    assert [i.state for i in dto.instalments] == [InstalmentState.PAID, InstalmentState.UPCOMING,
                                                  InstalmentState.UPCOMING]
    assert dto.paid == eur("93.50") and dto.open == eur("186.99")
    pay(db, account, date(2027, 1, 2), "93.50")
    pay(db, account, date(2027, 1, 30), "93.49")
    result = agreements.check_agreements(db, org.id, date(2027, 1, 30))
    assert result.fulfilled == (agreement_id,) and result.broken == ()
    dto = agreements.get_agreement(db, agreement_id, date(2027, 1, 30))
    assert dto.status is AgreementStatus.FULFILLED and dto.closed_on == date(2027, 1, 30)
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, date(2027, 1, 31)) == (set(), set())
    [block, *_] = blocks.list_blocks(db, account.id)
    assert block.lift_reason == "Zahlungsvereinbarung erfüllt"
    last = measures.list_measures(db, account.id)[-1]
    assert last.text.startswith(f"Zahlungsvereinbarung Nr. {agreement_id} erfüllt: 280,49 EUR gezahlt")
    assert agreements.check_agreements(db, org.id, date(2027, 3, 1)).checked == 0  # no longer monitored


def test_a_missed_instalment_breaks_it_lifts_the_blocks_and_dunning_resumes(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments(grace_days=3)),
                                               TODAY)
    pay(db, account, date(2026, 12, 1), "93.50")
    pay(db, account, date(2027, 1, 5), "50.00")  # half of the second, too late anyway
    assert agreements.check_agreements(db, org.id, date(2027, 1, 4)).broken == ()  # still within the grace days
    result = agreements.check_agreements(db, org.id, date(2027, 1, 5))
    assert result.broken == (agreement_id,)
    dto = agreements.get_agreement(db, agreement_id, date(2027, 1, 5))
    assert dto.status is AgreementStatus.BROKEN and dto.broken_on == date(2027, 1, 5)
    assert [i.state for i in dto.instalments][:2] == [InstalmentState.PAID, InstalmentState.MISSED]
    with read_only(db) as session:  # the blocks would have run until 04.02.2027: lifted now
        assert blocks.active_blocks(session, org.id, date(2027, 1, 5)) == (set(), set())
    assert {b.lift_reason for b in blocks.list_blocks(db, account.id)} == {"Rate nicht gezahlt"}
    log = measures.list_measures(db, account.id)
    assert [m.occurred_on for m in log] == [TODAY, date(2027, 1, 5)]
    assert log[-1].text.startswith(f"Zahlungsvereinbarung Nr. {agreement_id} gebrochen: Rate 2 über 93,50 EUR, "
                                   "fällig 01.01.2027, nicht bis 04.01.2027 gezahlt")
    assert agreements.check_agreements(db, org.id, date(2027, 2, 1)) == agreements.CheckResult(0, (), ())
    # the items are free again for a new agreement
    assert all(i.agreement_id is None for i in agreements.coverable_items(db, account.id))


def test_a_returned_payment_counts_negative(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments()), TODAY)
    payment = pay(db, account, date(2026, 12, 1), "93.50")
    assert agreements.check_agreements(db, org.id, date(2026, 12, 2)).broken == ()
    ledger.reverse(db, payment, date(2026, 12, 8), "Rücklastschrift")
    assert agreements.get_agreement(db, agreement_id, date(2026, 12, 7)).paid == eur("93.50")  # until the return
    assert agreements.check_agreements(db, org.id, date(2026, 12, 8)).broken == (agreement_id,)
    assert agreements.get_agreement(db, agreement_id, date(2026, 12, 8)).broken_on == date(2026, 12, 8)


def test_payments_before_the_agreement_do_not_count(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(
        account.id, three_instalments("99.99"), item_ids=(items[0],)), TODAY)
    assert agreements.get_agreement(db, agreement_id, TODAY).paid == eur("0.00")  # the 20.00 of August


def test_cancel_lifts_the_blocks_and_logs_why(setup):
    db, org, account, items = setup
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments()), TODAY)
    version = agreements.get_agreement(db, agreement_id, TODAY).version
    with pytest.raises(ValidationError, match="Grund: Bitte angeben"):
        agreements.cancel_agreement(db, agreement_id, TODAY, " ")
    agreements.cancel_agreement(db, agreement_id, date(2026, 11, 25), "Neue Vereinbarung", expected_version=version)
    dto = agreements.get_agreement(db, agreement_id, TODAY)
    assert dto.status is AgreementStatus.CANCELLED and dto.close_reason == "Neue Vereinbarung"
    with read_only(db) as session:
        assert blocks.active_blocks(session, org.id, date(2026, 11, 26)) == (set(), set())
    assert measures.list_measures(db, account.id)[-1].text.endswith("aufgehoben: Neue Vereinbarung")
    with pytest.raises(ValidationError, match="Nur eine laufende"):
        agreements.cancel_agreement(db, agreement_id, TODAY, "nochmals")
    with pytest.raises(ConflictError):
        agreements.cancel_agreement(db, agreement_id, TODAY, "alt", expected_version=version)


def test_measures_of_the_account_in_order(setup):
    db, org, account, items = setup
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 11, 20), kind="CALL", text="Angerufen")
    agreement_id = agreements.create_agreement(db, org.id, AgreementInput(account.id, three_instalments()), TODAY)
    measures.add_measure(db, account_id=account.id, occurred_on=date(2026, 11, 30), kind="NOTE", text="Brief kam an")
    agreements.check_agreements(db, org.id, date(2026, 12, 2))
    log = measures.list_measures(db, account.id)
    assert [(m.occurred_on, m.kind) for m in log] == [(date(2026, 11, 20), "CALL"), (TODAY, "AGREEMENT"),
                                                      (date(2026, 11, 30), "NOTE"), (date(2026, 12, 2), "AGREEMENT")]
    assert "gebrochen" in log[-1].text and log[-1].ref_id == agreement_id
    with read_only(db) as session:  # the ledger is untouched: monitoring never posts
        assert session.scalar(select(func.count()).select_from(Posting)) == 4
