"""The payout run on SQLite and PostgreSQL: CH and DE files valid against the XSD (and the Swiss
restrictions), orders filed once, exact control sums, and nothing half-stored or half-written when
a run is refused, fails or is cancelled."""
from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from sollhaben.banking.pain001 import NAMESPACE
from sollhaben.banking.pain001_ch import swiss_problems
from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import OrderStatus, SourceKind
from sollhaben.services.receivables import payout_orders, payout_refunds, payout_run
from tests.integration.receivables.test_payout_support import (
    CH_PAYER_IBAN, DE_PAYER_IBAN, TODAY, ch_organization, counts, de_organization, payer, with_credit,
)

NS = {"p": NAMESPACE}
EXECUTION = date(2026, 11, 27)


@pytest.fixture
def out(tmp_path):
    """The folder files are saved to (the SQLite test database lives in tmp_path itself)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def refunds(db, org, iban: str, amounts: list[str]) -> list[int]:
    ids = []
    for i, amount in enumerate(amounts):
        account = payer(db, org, f"Zahler{i:02d}", "Eva", iban)
        with_credit(db, account, amount)
        ids.append(payout_refunds.create_refund_order(db, org.id, account.id, booking_date=TODAY))
    return ids


def test_swiss_run_files_the_open_orders_into_a_valid_file(db, out):
    org = ch_organization(db)
    ids = refunds(db, org, CH_PAYER_IBAN, ["10.10", "20.20", "0.05", "1234567.89"])
    preview = payout_run.preview_payout_run(db, org.id)
    assert (preview.kind.value, preview.debtor_iban, preview.problems) == ("CH", "CH9300762011623852957", ())
    assert preview.total == Money.of("1234598.24", "CHF") and len(preview.orders) == 4
    target = out / "auszahlung.xml"
    steps = []
    result = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=target, today=TODAY,
                                           progress=lambda done, total, text: steps.append((done, total)))
    content = target.read_bytes()
    assert schema_problems(content, "pain.001.001.09.xsd") == [] and swiss_problems(content) == []
    root = etree.fromstring(content)
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "1234598.24"
    assert sum(Decimal(e.text) for e in root.iterfind(".//p:InstdAmt", NS)) == Decimal("1234598.24")
    assert root.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=NS) == "2026-11-27"
    assert root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "CH9300762011623852957"
    assert (result.count, result.total, result.kind, result.file_name) == (4, preview.total, "CH", "auszahlung.xml")
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    assert steps[-1] == (6, 6)
    orders = {o.id: o for o in payout_orders.list_payout_orders(db, org.id)}
    assert all(orders[i].status is OrderStatus.IN_FILE and orders[i].file_id == result.id for i in ids)
    assert [f.id for f in payout_run.list_payout_files(db, org.id)] == [result.id]
    assert list(out.iterdir()) == [target]  # no temporary file left behind
    with pytest.raises(ValidationError):  # filed orders can no longer be cancelled …
        payout_orders.cancel_payout_order(db, ids[0])
    with pytest.raises(ValidationError) as exc:  # … nor filed twice
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "b.xml",
                                      order_ids=[ids[0]], today=TODAY)
    assert "nicht (mehr) offen" in str(exc.value)
    copy = out / "kopie.xml"
    payout_run.save_payout_file(db, result.id, copy)
    assert copy.read_bytes() == content


def test_marked_orders_only(db, out):
    org = ch_organization(db)
    ids = refunds(db, org, CH_PAYER_IBAN, ["10.00", "20.00", "30.00"])
    result = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "a.xml",
                                           order_ids=[ids[0], ids[2]], today=TODAY)
    assert (result.count, result.total) == (2, Money.of("40.00", "CHF"))
    open_now = payout_orders.list_payout_orders(db, org.id, status=OrderStatus.OPEN)
    assert [o.id for o in open_now] == [ids[1]]


def test_german_run_writes_a_valid_sepa_file(db, out):
    org = de_organization(db)
    account = payer(db, org, "Çelik", "Zoé", DE_PAYER_IBAN, town="Stuttgart")
    with_credit(db, account, "80.00", owed="45.55")
    payout_refunds.create_refund_order(db, org.id, account.id, booking_date=TODAY)
    target = out / "sepa.xml"
    result = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=target, today=TODAY)
    content = target.read_bytes()
    assert schema_problems(content, "pain.001.001.09.xsd") == []
    root = etree.fromstring(content)
    assert root.findtext(".//p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert root.findtext(".//p:Cdtr/p:Nm", namespaces=NS) == "Zoe Celik"
    assert root.findtext(".//p:InstdAmt", namespaces=NS) == "34.45"
    assert (result.kind, result.total) == ("DE", Money.of("34.45", "EUR"))


def test_qr_iban_as_default_account_is_refused_and_nothing_is_stored(db, out):
    org = ch_organization(db, default_qr=True)
    refunds(db, org, CH_PAYER_IBAN, ["10.00"])
    preview = payout_run.preview_payout_run(db, org.id)
    assert preview.problems and preview.problems[0].field == "debtor_iban"
    assert preview.debtor_iban == "CH4431999123000889012"  # the refused account is shown with its problem
    before = counts(db)
    with pytest.raises(ValidationError) as exc:
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "x.xml",
                                      today=TODAY)
    assert "QR-IBAN" in str(exc.value) and exc.value.errors[0].field == "debtor_iban"
    assert counts(db) == before and list(out.iterdir()) == []
    assert all(o.status is OrderStatus.OPEN for o in payout_orders.list_payout_orders(db, org.id))


def test_refused_run_leaves_no_file_and_no_half_stored_state(db, out):
    org = ch_organization(db)
    refunds(db, org, CH_PAYER_IBAN, ["10.00", "20.00"])
    before = counts(db)
    with pytest.raises(ValidationError) as exc:
        payout_run.create_payout_file(db, org.id, execution_date=date(2026, 11, 1), target_path=out / "x.xml",
                                      today=TODAY)
    assert exc.value.errors[0].field == "execution_date"
    with pytest.raises(ValidationError) as exc:
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "x.xml",
                                      order_ids=[], today=TODAY)
    assert exc.value.errors[0].field == "orders"
    assert counts(db) == before and list(out.iterdir()) == []


def test_cancelled_run_stores_nothing_and_writes_nothing(db, out):
    org = ch_organization(db)
    refunds(db, org, CH_PAYER_IBAN, ["10.00", "20.00", "30.00"])
    before = counts(db)
    calls = iter(range(100))
    with pytest.raises(payout_run.PayoutRunCancelled):
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "x.xml",
                                      today=TODAY, cancelled=lambda: next(calls) >= 2)
    assert counts(db) == before and list(out.iterdir()) == []
    # cancelled after the file was written under its temporary name: still nothing left
    calls = iter(range(100))
    with pytest.raises(payout_run.PayoutRunCancelled):
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "x.xml",
                                      today=TODAY, cancelled=lambda: next(calls) >= 3)
    assert counts(db) == before and list(out.iterdir()) == []


def test_unwritable_target_rolls_the_run_back(db, out):
    org = ch_organization(db)
    refunds(db, org, CH_PAYER_IBAN, ["10.00"])
    before = counts(db)
    with pytest.raises(OSError):
        payout_run.create_payout_file(db, org.id, execution_date=EXECUTION,
                                      target_path=out / "fehlt" / "x.xml", today=TODAY)
    assert counts(db) == before
    assert [o.status for o in payout_orders.list_payout_orders(db, org.id)] == [OrderStatus.OPEN]


def test_module_and_refund_orders_share_one_file(db, out):
    org = ch_organization(db)
    refunds(db, org, CH_PAYER_IBAN, ["10.00"])
    creditor = payer(db, org, "Gerber", "Anna", CH_PAYER_IBAN)
    payout_orders.create_payout_order(db, organization_id=org.id, account_id=creditor.id,
                                      recipient=creditor.holder_id, iban=CH_PAYER_IBAN,
                                      amount=Money.of("420.00", "CHF"), purpose="Unterhalt März 2026",
                                      reference="RF18539007547034", source_kind=SourceKind.MODULE, source_id=5)
    result = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "a.xml",
                                           today=TODAY)
    assert (result.count, result.total) == (2, Money.of("430.00", "CHF"))
    root = etree.fromstring((out / "a.xml").read_bytes())
    assert root.findtext(".//p:CdtrRefInf/p:Ref", namespaces=NS) == "RF18539007547034"
    assert root.findtext(".//p:AddtlRmtInf", namespaces=NS) == "Unterhalt März 2026"


def test_a_file_the_bank_did_not_execute_is_withdrawn_and_its_orders_are_open_again(db, out):
    org = ch_organization(db)
    ids = refunds(db, org, CH_PAYER_IBAN, ["10.00", "20.00"])
    first = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "a.xml",
                                          today=TODAY)
    before = counts(db)
    with pytest.raises(ValidationError) as exc:
        payout_run.withdraw_payout_file(db, first.id, "  ")
    assert exc.value.errors[0].field == "reason" and counts(db) == before
    assert payout_run.withdraw_payout_file(db, first.id, "Von der Bank abgelehnt (Datei nicht lesbar)") == 2
    withdrawn = payout_run.list_payout_files(db, org.id)[0]
    assert withdrawn.withdrawn and withdrawn.withdraw_reason == "Von der Bank abgelehnt (Datei nicht lesbar)"
    assert withdrawn.withdrawn_by == "test"
    orders = payout_orders.list_payout_orders(db, org.id)
    assert {(o.status, o.file_id) for o in orders} == {(OrderStatus.OPEN, None)}
    with pytest.raises(ValidationError):
        payout_run.withdraw_payout_file(db, first.id, "nochmals")
    with pytest.raises(ValidationError) as exc:
        payout_run.save_payout_file(db, first.id, out / "kopie.xml")
    assert "zurückgenommen" in str(exc.value) and not (out / "kopie.xml").exists()
    # the orders go into a new file (a new message id), or are cancelled
    payout_orders.cancel_payout_order(db, ids[0], booking_date=TODAY)
    second = payout_run.create_payout_file(db, org.id, execution_date=EXECUTION, target_path=out / "b.xml",
                                           today=TODAY)
    assert (second.count, second.total) == (1, Money.of("20.00", "CHF"))
    assert second.message_id != first.message_id
