"""The tab „Rücklastschriften“ of the page Zahlungseingänge (pytest-qt, SQLite): a bank file with a
returned collection is imported; the line shows with its reason and account, „Als Rücklastschrift
buchen …“ opens the dialog filled from the line and books it with the default fee."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sollhaben.banking.return_info import add_return_info
from sollhaben.services import ledger, organizations
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.bank_page import BankFilesPage
from tests.conftest import make_org_input
from tests.integration.receivables.test_bank_returns import RETURNED, bank_file, debit
from tests.integration.receivables.test_sepa_collection import DUE, IBANS, _collected, eur, fee, mandate, payer

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def setup(qtbot, sqlite_db, tmp_path):
    db = sqlite_db
    data = make_org_input("DE")
    org = organizations.create_organization(db, replace(data, options={"sepa.return_debit_fee": "3.00"}))
    person, account = payer(db, org, "Öztürk", iban=IBANS[1])
    mandate(db, org, person, "KITA-0001", iban=IBANS[1])
    fee(db, account, "180.50", DUE)
    item = _collected(db, org)["Öztürk, Anna"]
    path = tmp_path / "avis.xml"
    path.write_bytes(add_return_info(bank_file([debit("180.50", "R1", item.end_to_end_id, IBANS[1], "Anna Öztürk"),
                                                debit("4.90", "FEE", text="Kontoführung")]),
                                     {item.end_to_end_id: ("AC04", "")}))
    context = AppContext(db)
    context.set_organization(org)
    page = BankFilesPage(context)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.returns.today = lambda: date(2026, 12, 5)
    return page, account, item, path


def test_a_returned_collection_from_the_file_is_booked_from_its_tab(qtbot, setup):
    page, account, item, path = setup
    tab = page.returns
    assert page.tabs.tabText(tab.index) == "Rücklastschriften (0)"
    page.read_file(path, show_dialog=False)
    assert any(line.note.startswith("Rücklastschrift AC04") for line in page.preview_dialog.preview.lines)
    page.book(page.preview_dialog.preview, path.read_bytes())
    assert page.tabs.tabText(tab.index) == "Rücklastschriften (1)"
    [line] = tab.list.model.rows()  # the bank's charge of 4.90 is not offered
    assert (line.reason_code, line.end_to_end_id, line.amount) == ("AC04", item.end_to_end_id, eur("180.50"))
    qtbot.waitUntil(lambda: "1 Rücklastschrift(en) erkannt" in page.status.text(), timeout=2000)
    assert not tab.book_button.isEnabled()
    assert tab.list.select(lambda r: r.entry_id == line.entry_id)
    assert tab.book_button.isEnabled()
    dialog = tab.book()
    qtbot.addWidget(dialog)
    assert dialog.returned_on.text() == RETURNED.strftime("%d.%m.%Y")
    assert dialog.reason_code() == "AC04" and dialog.fee.text() == "3,00"
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.result_debit.fee_posting_id is not None
    open_items = ledger.statement(page.context.db, account.id).open_items
    assert sum(p.open_amount.minor for p in open_items) == 18050 + 300
    assert page.tabs.tabText(tab.index) == "Rücklastschriften (0)" and tab.list.model.rows() == []
    tab.show_done.setChecked(True)
    assert [r.state for r in tab.list.model.rows()] == ["gebucht am 04.12.2026"]
    assert not tab.book_button.isEnabled()
