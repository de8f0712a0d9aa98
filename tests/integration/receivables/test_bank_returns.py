"""Return debits from bank files (SQLite and PostgreSQL): a debit line naming a collected item by its
end-to-end id (with RtrInf reason) or matching it by IBAN and amount is offered as „Rücklastschrift“
and booked with the organization's fee; bank charges are not offered; nothing is booked twice."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from lxml import etree

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.banking.return_info import add_return_info, read_return_details
from sollhaben.domain.errors import ValidationError
from sollhaben.persistence.models import BankEntry, SepaReturnDebit
from sollhaben.services import organizations
from sollhaben.services.receivables import bank_returns, sepa_returns
from sollhaben.services.receivables.bank_import import import_bank_file, preview_import
from tests.conftest import make_org_input
from tests.integration.receivables.test_sepa_collection import (  # noqa: F401  (fixtures)
    IBANS,
    _collected,
    eur,
    family,
    open_minor,
    org,
)

RETURNED = date(2026, 12, 4)
ORG_IBAN = "DE89370400440532013000"


def bank_file(entries, message_id="RET-1") -> bytes:
    return write_camt(FileSpec("054", "001.08", ORG_IBAN, message_id, datetime(2026, 12, 4, 18, 0), tuple(entries)))


def debit(amount: str, key: str, e2e: str = "NOTPROVIDED", iban: str = "", name: str = "", text: str = "") -> EntrySpec:
    return EntrySpec(eur(amount), RETURNED, key, credit=False, transactions=(
        TxSpec(eur(amount), f"{key}-1", e2e, text=text, debtor_name=name, debtor_iban=iban, credit=False),))


@pytest.fixture
def collected(db, org, family):  # noqa: F811
    return _collected(db, org)


def test_the_reader_finds_end_to_end_id_and_reason(collected):
    item = collected["Öztürk, Anna"]
    content = add_return_info(bank_file([debit("180.50", "R1", item.end_to_end_id), debit("4.90", "FEE")]),
                              {item.end_to_end_id: ("AC04", "Konto aufgeloest")})
    assert etree.fromstring(content).find(".//{*}RtrInf/{*}Rsn/{*}Cd").text == "AC04"
    [detail] = read_return_details(content)
    assert (detail.end_to_end_id, detail.reason_code, detail.reason_text) == (item.end_to_end_id, "AC04",
                                                                              "Konto aufgeloest")


def test_a_return_named_by_its_end_to_end_id_is_offered_and_booked_once(db, org, family, collected):  # noqa: F811
    item = collected["Öztürk, Anna"]
    account = family["Öztürk"][1]
    content = add_return_info(bank_file([debit("180.50", "R1", item.end_to_end_id, IBANS[1], "Anna Öztürk"),
                                         debit("4.90", "FEE", text="Kontoführung")]),
                              {item.end_to_end_id: ("AC04", "")})
    preview = bank_returns.with_return_notes(db, org.id, preview_import(db, org.id, content, "avis.xml"), content)
    notes = {line.amount: line.note for line in preview.lines}
    assert notes[eur("180.50")].startswith(f"Rücklastschrift AC04 (Konto erloschen) – Lastschrift {item.end_to_end_id}")
    assert notes[eur("4.90")] == "Belastung – nicht gebucht"  # the bank's charge stays what it is
    import_bank_file(db, org.id, content, "avis.xml")
    assert bank_returns.note_return_details(db, org.id, content) == 1
    assert bank_returns.note_return_details(db, org.id, content) == 0  # noted once
    [line] = bank_returns.list_return_debits(db, org.id)  # the bank's fee is no return
    assert (line.item_id, line.reason_code, line.via, line.state, line.amount) == (
        item.id, "AC04", "Lastschrift-ID", "offen", eur("180.50"))
    assert line.account_id == account.id and "Öztürk" in line.account_label
    assert open_minor(db, account.id) == 0
    result = bank_returns.book_return_debit(db, org.id, line.entry_id, line.item_id, RETURNED, line.reason_code,
                                            eur("3.00"), user="mbe", today=RETURNED)
    assert open_minor(db, account.id) == 18050 + 300  # the items are open again, with the fee
    assert bank_returns.list_return_debits(db, org.id) == []
    [done] = bank_returns.list_return_debits(db, org.id, include_done=True)
    assert done.booked and done.state == "gebucht am 04.12.2026"
    with db.session() as session:
        record = session.get(SepaReturnDebit, result.return_id)
        assert record.reason_code == "AC04" and "Bankdatei avis.xml" in record.note
        entry = session.get(BankEntry, line.entry_id)
        assert entry.status == "SKIPPED" and entry.note.endswith(bank_returns.BOOKED_MARK)
    with pytest.raises(ValidationError) as caught:
        bank_returns.book_return_debit(db, org.id, line.entry_id, line.item_id, RETURNED, "AC04", today=RETURNED)
    assert "bereits" in str(caught.value)


def test_without_an_id_the_iban_and_amount_find_the_item(db, org, family, collected):  # noqa: F811
    item = collected["Berger, Anna"]
    content = bank_file([debit("99.99", "R2", iban=IBANS[2], name="Anna Berger"),
                         debit("99.99", "R3", iban="DE02500105170137075030", name="Wer anders")])
    import_bank_file(db, org.id, content, "auszug.xml")
    assert bank_returns.note_return_details(db, org.id, content) == 0  # the file says nothing about returns
    [line] = bank_returns.list_return_debits(db, org.id)  # the other IBAN's mandate collected 180.50, not 99.99
    assert (line.item_id, line.via, line.reason_code) == (item.id, "IBAN und Betrag", "")
    with pytest.raises(ValidationError) as caught:  # the clerk must name the reason
        bank_returns.book_return_debit(db, org.id, line.entry_id, item.id, RETURNED, "", today=RETURNED)
    assert caught.value.errors[0].field == "reason_code"
    bank_returns.book_return_debit(db, org.id, line.entry_id, item.id, RETURNED, "MD06",
                                   sepa_returns.default_fee(db, org.id), today=RETURNED)
    assert open_minor(db, family["Berger"][1].id) == 9999


def test_a_smaller_debit_or_another_organizations_item_is_refused_nothing_half_booked(
        db, org, family, collected):  # noqa: F811
    item = collected["Weiß, Anna"]
    content = add_return_info(bank_file([debit("10.00", "R4", item.end_to_end_id)]), {item.end_to_end_id: ("AM04", "")})
    import_bank_file(db, org.id, content, "avis.xml")
    bank_returns.note_return_details(db, org.id, content)
    [line] = bank_returns.list_return_debits(db, org.id)
    with pytest.raises(ValidationError) as caught:
        bank_returns.book_return_debit(db, org.id, line.entry_id, item.id, RETURNED, "AM04", today=RETURNED)
    assert caught.value.errors[0].field == "amount"
    other = organizations.create_organization(db, make_org_input("DE", name="Kita Zweigstelle"))
    with pytest.raises(Exception) as caught:
        bank_returns.book_return_debit(db, other.id, line.entry_id, item.id, RETURNED, "AM04", today=RETURNED)
    assert "gibt es nicht" in str(caught.value)
    with db.session() as session:
        assert session.query(SepaReturnDebit).count() == 0
        assert session.get(BankEntry, line.entry_id).note.startswith("Rücklastschrift AM04")
