"""SEPA direct debit on SQLite and PostgreSQL: mandates, the proposal and its error list, the run
(pending payments, pain.008 valid against the XSD, file written after the commit), return debits."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.ledger import PostingSource, check_account_invariant
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.persistence.models import Allocation, Posting, SepaCollection, SepaCollectionItem, SepaMandate
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import (
    receipts, sepa_collections, sepa_mandates, sepa_proposal, sepa_returns, sepa_run,
)
from tests.conftest import make_org_input

TODAY = date(2026, 11, 24)
DUE = date(2026, 12, 1)
IBANS = ["DE02120300000000202051", "DE02500105170137075030", "DE88100900001234567892", "DE12500105170648489890"]


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def out(tmp_path) -> Path:
    """A folder of its own for the files (tmp_path also holds the SQLite database)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def org(db):
    return organizations.create_organization(db, make_org_input("DE"))


def payer(db, org, last: str, first: str = "Anna", iban: str = IBANS[0]):
    person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first,
                                                         bank_accounts=(BankAccountInput(iban),)), today=TODAY)
    return person, ledger.open_account(db, org.id, person.id, module="kita")


def fee(db, account, amount: str, due: date, category: str = "FEE_GROUP") -> int:
    return ledger.post(db, NewPosting(account.id, date(due.year, due.month, 1), category, eur(amount),
                                      text=f"Beitrag {due:%m.%Y}", due_date=due, source=PostingSource.BILLING_RUN))


def mandate(db, org, person, reference: str, signed: date = date(2025, 3, 1), iban: str = IBANS[0], **kw):
    return sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, reference, signed,
                                                               f"{person.first_name} {person.last_name}", iban, **kw),
                                      today=TODAY)


@pytest.fixture
def family(db, org):
    """Three payers with mandates and open fees, one without a mandate."""
    made = {}
    for n, last in enumerate(["Weiß", "Öztürk", "Berger"]):
        person, account = payer(db, org, last, iban=IBANS[n])
        made[last] = (person, account, mandate(db, org, person, f"KITA-{n + 1:04d}", iban=IBANS[n]))
    fee(db, made["Weiß"][1], "250.00", date(2026, 11, 1))
    fee(db, made["Weiß"][1], "250.00", DUE)
    fee(db, made["Weiß"][1], "260.00", date(2027, 1, 1))  # not yet due: stays open
    fee(db, made["Öztürk"][1], "180.50", DUE)
    fee(db, made["Berger"][1], "99.99", DUE)
    transfer_person, transfer_account = payer(db, org, "Zander", iban=IBANS[3])
    fee(db, transfer_account, "100.00", DUE)  # pays by transfer: no mandate, not in the list
    return made


def open_minor(db, account_id: int) -> int:
    return sum(p.open_amount.minor for p in ledger.statement(db, account_id).open_items)


# mandates ---------------------------------------------------------------------------------------
def test_reference_unique_per_creditor_without_case(db, org, family):
    person, _account = payer(db, org, "Neu")
    with pytest.raises(ValidationError) as caught:
        mandate(db, org, person, "kita-0001")
    assert caught.value.errors[0].field == "reference" and "bereits vergeben" in caught.value.errors[0].message
    # another organization with the same creditor id: still unique
    other = organizations.create_organization(db, make_org_input("DE", name="Kita Zweigstelle"))
    stranger, _ = payer(db, other, "Fremd")
    with pytest.raises(ValidationError) as caught:
        mandate(db, other, stranger, "KITA-0002")
    assert "dieselbe Gläubiger-ID" in caught.value.errors[0].message


def test_one_usable_mandate_per_payer_and_fixed_fields_after_use(db, org, family):
    person, _account, first = family["Berger"]
    with pytest.raises(ValidationError) as caught:
        mandate(db, org, person, "KITA-NEU")
    assert caught.value.errors[0].field == "payer_id"
    sepa_mandates.revoke_mandate(db, first.id, first.version, date(2026, 11, 20), today=TODAY)
    second = mandate(db, org, person, "KITA-NEU", signed=date(2026, 11, 20), iban=IBANS[1])
    assert second.status == "VALID"
    with pytest.raises(ValidationError):
        sepa_mandates.revoke_mandate(db, first.id, None, date(2026, 11, 21), today=TODAY)
    stale = sepa_mandates.get_mandate(db, second.id, TODAY)
    sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, "KITA-NEU", date(2026, 11, 20), "Anna B.",
                                                        IBANS[1]), second.id, stale.version, today=TODAY)
    with pytest.raises(ConflictError):
        sepa_mandates.save_mandate(db, org.id, MandateInput(person.id, "KITA-NEU", date(2026, 11, 20), "X",
                                                            IBANS[1]), second.id, stale.version, today=TODAY)


def test_mandate_lookup_hook_gives_the_valid_mandate(db, org, family):
    from sollhaben.domain.months import Month
    from sollhaben.services.unit_of_work import read_only

    person, _account, made = family["Weiß"]
    with read_only(db) as session:
        found = sepa_mandates.mandate_lookup(session, org.id, [person.id, 999_999], Month(2026, 12))
    assert list(found) == [person.id]
    assert (found[person.id].reference, found[person.id].iban) == ("KITA-0001", IBANS[0])
    late, _account = payer(db, org, "Spät")
    mandate(db, org, late, "KITA-SPAET", signed=date(2026, 11, 20))  # signed within the month
    berger, _a, berger_mandate = family["Berger"]
    sepa_mandates.revoke_mandate(db, berger_mandate.id, None, date(2026, 11, 1), today=TODAY)
    with read_only(db) as session:
        november = sepa_mandates.mandate_lookup(session, org.id, [late.id, berger.id], Month(2026, 11))
        october = sepa_mandates.mandate_lookup(session, org.id, [late.id, berger.id], Month(2026, 10))
    assert list(november) == [late.id]
    assert list(october) == [berger.id]  # not yet signed (late); not yet revoked (Berger)


# proposal and error list --------------------------------------------------------------------------
def test_proposal_collects_due_items_of_payers_with_a_valid_mandate(db, org, family):
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    assert proposal.problems == ()
    assert [(line.holder_name, line.amount, line.sequence_type) for line in proposal.lines] == [
        ("Berger, Anna", eur("99.99"), "FRST"), ("Öztürk, Anna", eur("180.50"), "FRST"),
        ("Weiß, Anna", eur("500.00"), "FRST")]
    assert proposal.total == eur("780.49") and proposal.can_run


def test_error_list_before_the_run(db, org, family):
    weiss, _a, weiss_mandate = family["Weiß"]
    sepa_mandates.revoke_mandate(db, weiss_mandate.id, None, date(2026, 11, 1), today=TODAY)
    old, old_account = payer(db, org, "Alt")
    mandate(db, org, old, "KITA-ALT", signed=date(2023, 12, 1))  # 36 months unused on 1.12.2026
    fee(db, old_account, "50.00", DUE)
    rich, rich_account = payer(db, org, "Guthaben")
    mandate(db, org, rich, "KITA-GUT")
    fee(db, rich_account, "50.00", DUE)
    ledger.post(db, NewPosting(rich_account.id, TODAY, "PAYMENT", eur("-20.00"), source=PostingSource.PAYMENT))
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    messages = {p.subject: p.message for p in proposal.problems}
    assert "abgelaufen" in messages["Alt, Anna"] and "01.12.2026" in messages["Alt, Anna"]
    assert "widerrufen" in messages["Weiß, Anna"]
    assert "Guthaben" in messages["Guthaben, Anna"]
    assert not any(p.blocking for p in proposal.problems)
    assert [line.holder_name for line in proposal.lines] == ["Berger, Anna", "Öztürk, Anna"]


def test_organization_problems_block_the_run(db, org, family):
    proposal = sepa_proposal.propose(db, org.id, TODAY, TODAY)
    assert proposal.blocked and not proposal.can_run
    assert "Fälligkeit" in proposal.problems[0].message
    data = make_org_input("DE")
    current = organizations.get_organization(db, org.id)
    organizations.update_organization(db, org.id, current.version,
                                      type(data)(**{**data.__dict__, "sepa_creditor_id": ""}))
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    assert [p.message.split(":")[0] for p in proposal.problems if p.blocking] == ["Gläubiger-ID"]
    with pytest.raises(ValidationError) as caught:
        sepa_run.run_collection(db, proposal, "08", None, today=TODAY)
    assert "Gläubiger" in str(caught.value)


# the run -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["02", "08"])
def test_run_books_pending_payments_and_writes_a_valid_file(db, org, family, out, version):
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    target = out / "lastschrift.xml"
    seen = []
    result = sepa_run.run_collection(db, proposal, version, target, user="clerk", today=TODAY,
                                     progress=lambda d, t, text: seen.append((d, t, text)))
    assert result.file_written and result.count == 3 and result.total == eur("780.49")
    xml = target.read_bytes()
    assert schema_problems(xml, f"pain.008.001.{version}.xsd") == []
    assert list(out.iterdir()) == [target]  # no temporary file left
    root = etree.fromstring(xml)
    ns = {"p": root.nsmap[None]}
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", namespaces=ns) == result.message_id
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "780.49"
    assert seen[-1][2] == sepa_run.BEFORE_COMMIT
    weiss_account = family["Weiß"][1]
    assert open_minor(db, weiss_account.id) == 26000  # January stays open
    statement = ledger.statement(db, weiss_account.id)
    payment = next(line.posting for line in statement.lines if line.posting.source == "DIRECT_DEBIT")
    assert payment.amount == eur("-500.00") and payment.booking_date == DUE
    with db.session() as session:
        detail = session.get(Posting, payment.id).detail
        assert detail["pending_until"] == "2026-12-01" and detail["mandate_reference"] == "KITA-0001"
        mandate_row = session.scalar(select(SepaMandate).where(SepaMandate.reference == "KITA-0001"))
        assert (mandate_row.first_used_on, mandate_row.last_used_on, mandate_row.sequence_type) == (DUE, DUE, "RCUR")
        collection = session.get(SepaCollection, result.collection_id)
        assert collection.xml == xml and collection.created_by == "clerk" and collection.pain_version == version
    # a second run for the same date finds nothing left to collect
    again = sepa_proposal.propose(db, org.id, DUE, TODAY)
    assert again.lines == ()
    # the next month is RCUR
    later = sepa_proposal.propose(db, org.id, date(2027, 1, 1), TODAY)
    assert [(line.holder_name, line.sequence_type, line.amount) for line in later.lines] == [
        ("Weiß, Anna", "RCUR", eur("260.00"))]


def test_stale_proposal_is_refused_and_nothing_is_stored(db, org, family, out):
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    fee(db, family["Berger"][1], "1.00", DUE, category="EXTRA")  # changes Berger's amount
    target = out / "x.xml"
    with pytest.raises(ValidationError) as caught:
        sepa_run.run_collection(db, proposal, "08", target, today=TODAY)
    assert "neu erstellen" in str(caught.value)
    assert list(out.iterdir()) == []
    _nothing_stored(db)


def test_cancel_leaves_nothing_half_stored(db, org, family, out):
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    calls = iter([False, False, True])
    with pytest.raises(sepa_run.CollectionCancelled):
        sepa_run.run_collection(db, proposal, "02", out / "x.xml", today=TODAY, cancelled=lambda: next(calls))
    assert list(out.iterdir()) == []
    _nothing_stored(db)
    assert sepa_proposal.propose(db, org.id, DUE, TODAY).lines == proposal.lines


def test_failed_rename_keeps_the_booking_and_the_file_can_be_saved_again(db, org, family, out):
    proposal = sepa_proposal.propose(db, org.id, DUE, TODAY)
    target = out / "taken"
    target.mkdir()  # a directory under the target name: the rename fails after the commit
    result = sepa_run.run_collection(db, proposal, "08", target, today=TODAY)
    assert not result.file_written and "erneut speichern" in result.file_error
    assert [p.name for p in out.iterdir()] == ["taken"]
    saved = sepa_collections.save_collection_file(db, result.collection_id, out / "again.xml")
    assert schema_problems(saved.read_bytes(), "pain.008.001.08.xsd") == []
    [listed] = sepa_collections.list_collections(db, org.id)
    assert (listed.count, listed.total, listed.returned) == (3, eur("780.49"), 0)


def _nothing_stored(db) -> None:
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SepaCollection)) == 0
        assert session.scalar(select(func.count()).select_from(SepaCollectionItem)) == 0
        assert session.scalar(select(func.count()).select_from(Posting)
                              .where(Posting.source == "DIRECT_DEBIT")) == 0
        assert session.scalar(select(func.count()).select_from(SepaMandate)
                              .where(SepaMandate.first_used_on.is_not(None))) == 0


# return debits ---------------------------------------------------------------------------------------
def _collected(db, org):
    result = sepa_run.run_collection(db, sepa_proposal.propose(db, org.id, DUE, TODAY), "08", None, today=TODAY)
    return {i.holder_name: i for i in sepa_collections.collection_items(db, result.collection_id)}


def test_return_debit_with_fee_reopens_the_items_and_keeps_frst(db, org, family):
    items = _collected(db, org)
    item = items["Öztürk, Anna"]
    account = family["Öztürk"][1]
    assert open_minor(db, account.id) == 0
    later = date(2026, 12, 5)
    result = sepa_returns.record_return_debit(db, item.id, later, "am04", eur("3.00"), note="Anruf",
                                              today=later)
    assert open_minor(db, account.id) == 18050 + 300
    returned = {i.holder_name: i for i in sepa_collections.collection_items(db, item.collection_id)}
    assert (returned["Öztürk, Anna"].reason_code, returned["Öztürk, Anna"].fee) == ("AM04", eur("3.00"))
    with db.session() as session:
        fee_posting = session.get(Posting, result.fee_posting_id)
        assert (fee_posting.category, fee_posting.source, fee_posting.due_date) == ("RETURN_DEBIT_FEE",
                                                                                     "RETURN_DEBIT", later)
        row = session.scalar(select(SepaMandate).where(SepaMandate.reference == "KITA-0002"))
        assert row.sequence_type == "FRST" and "AM04" in row.note
        assert row.last_used_on == DUE  # a returned collection still counts as use (EPC)
    _invariant_holds(db, account.id)
    with pytest.raises(ValidationError) as caught:
        sepa_returns.record_return_debit(db, item.id, later, "AM04", today=later)
    assert "bereits" in str(caught.value)
    # the next run collects the reopened items with the fee, again as FRST
    proposal = sepa_proposal.propose(db, org.id, date(2026, 12, 15), today=later)
    assert [(line.holder_name, line.amount, line.sequence_type) for line in proposal.lines] == [
        ("Öztürk, Anna", eur("183.50"), "FRST")]


def test_return_debit_without_fee_and_refused_input(db, org, family):
    items = _collected(db, org)
    item = items["Berger, Anna"]
    with pytest.raises(ValidationError) as caught:
        sepa_returns.record_return_debit(db, item.id, date(2027, 1, 1), "A4", today=date(2026, 12, 5))
    assert {e.field for e in caught.value.errors} == {"reason_code", "returned_on"}
    result = sepa_returns.record_return_debit(db, item.id, date(2026, 12, 5), "MD06", None, today=date(2026, 12, 5))
    assert result.fee_posting_id is None
    assert open_minor(db, family["Berger"][1].id) == 9999
    _invariant_holds(db, family["Berger"][1].id)


def test_default_fee_from_the_organization(db, org):
    assert sepa_returns.default_fee(db, org.id) is None
    data = make_org_input("DE")
    current = organizations.get_organization(db, org.id)
    organizations.update_organization(db, org.id, current.version,
                                      type(data)(**{**data.__dict__, "options": {"sepa.return_debit_fee": "3.00"}}))
    assert sepa_returns.default_fee(db, org.id) == eur("3.00")
    assert sepa_returns.fee_from_text("3,50", "EUR") == eur("3.50")
    assert sepa_returns.fee_from_text("", "EUR") is None


def _invariant_holds(db, account_id: int) -> None:
    with db.session() as session:
        postings = dict(session.execute(select(Posting.id, Posting.amount_minor)
                                        .where(Posting.account_id == account_id)).all())
        allocations = session.execute(select(Allocation.credit_id, Allocation.item_id, Allocation.amount_minor)
                                      .where(Allocation.item_id.in_(list(postings)))).all()
    assert check_account_invariant(postings, [tuple(a) for a in allocations]) == []


def test_end_to_end_id_finds_the_item(db, org, family):
    items = _collected(db, org)
    found = sepa_collections.find_item_by_end_to_end_id(db, items["Weiß, Anna"].end_to_end_id)
    assert found.id == items["Weiß, Anna"].id
    assert sepa_collections.find_item_by_end_to_end_id(db, "nothing") is None



def test_a_saved_mandate_makes_the_fee_assessment_letter_a_direct_debit_letter(db):
    """The hook installed at start, with a mandate saved through the service (no fake lookup)."""
    from sollhaben.reports.kita_assessment_model import PaymentMethod
    from sollhaben.services.kita import fee_assessment
    from sollhaben.services.kita import fee_assessment_payment as payment
    from sollhaben.services.receivables import sepa_hook
    from tests.integration.kita.test_fee_assessment_family import MARCH, build_family

    family = build_family(db, "DE")
    today = date(2026, 2, 10)
    sepa_hook.install()
    try:
        before = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=today)
        assert before.payment.method is PaymentMethod.TRANSFER
        sepa_mandates.save_mandate(db, family.org, MandateInput(family.mother, "KITA-MUTTER-1", date(2026, 2, 1),
                                                                "Mutter", IBANS[1]), today=today)
        after = fee_assessment.assessment_for(db, family.facility, family.mother, MARCH, today=today)
    finally:
        payment.set_mandate_lookup(None)
    assert (after.payment.method, after.payment.mandate_reference) == (PaymentMethod.SEPA_DEBIT, "KITA-MUTTER-1")
    assert after.payment.iban == "DE02 5001 0517 0137 0750 30"


def test_a_collected_direct_debit_is_not_reversed_as_a_wrong_receipt(db, org, family):
    """It comes back as a return debit; a plain reversal would leave the collection and the
    mandate's sequence wrong and block the return debit later."""
    item = _collected(db, org)["Berger, Anna"]
    with pytest.raises(ValidationError) as caught:
        receipts.reverse_receipt(db, item.payment_posting_id, date(2026, 12, 5), "falsch eingezogen")
    assert "Rücklastschrift" in str(caught.value)
    result = sepa_returns.record_return_debit(db, item.id, date(2026, 12, 5), "MD06", None, today=date(2026, 12, 5))
    assert result.fee_posting_id is None
