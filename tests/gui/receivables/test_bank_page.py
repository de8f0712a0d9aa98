"""The page „Zahlungseingänge“: reading a file into the preview, booking it, a bad file's problems,
the clearing list with „Zuordnen …“ and „Nicht zuordenbar …“ (pytest-qt, SQLite)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QTimer

from sollhaben.banking.camt_writer import EntrySpec, FileSpec, TxSpec, write_camt
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.bank_matching import LineStatus
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import bank_clearing
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.bank_clearing_dialogs import AssignDialog, UnassignableDialog
from sollhaben.ui.receivables.bank_page import BankFilesPage
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
IBAN = "CH9300762011623852957"


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def setup(qtbot, sqlite_db, tmp_path):
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("CH"))
    gerber = persons.save_person(db, org.id, PersonInput("NATURAL", "Gerber", "Reto",
                                                         bank_accounts=(BankAccountInput(IBAN),)),
                                 today=date(2026, 11, 24))
    account = ledger.open_account(db, org.id, gerber.id)
    items = [ledger.post(db, NewPosting(account.id, date(2026, m, 1), "KITA_FEE", chf("200.00"),
                                        text=f"Beitrag {m}.2026", due_date=date(2026, m, 28))) for m in (9, 10)]
    context = AppContext(db)
    context.set_organization(org)
    page = BankFilesPage(context)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    path = tmp_path / "avis.xml"
    path.write_bytes(write_camt(FileSpec("054", "001.04", "CH4431999123000889012", "M-1", datetime(2026, 11, 24),
                                         (EntrySpec(chf("230.00"), date(2026, 11, 24), "E1", transactions=(
                                             TxSpec(chf("150.00"), "T1", debtor_name="Reto Gerber", debtor_iban=IBAN),
                                             TxSpec(chf("80.00"), "T2", debtor_name="Unbekannt", text="Spende?"))),
                                          EntrySpec(chf("9.00"), date(2026, 11, 24), "E2", status="PDNG")))))
    return page, account, items, path


def test_read_preview_and_book(setup):
    page, account, _items, path = setup
    page.read_file(path, show_dialog=False)
    dialog = page.preview_dialog
    assert dialog.findChild(type(page.status), "count_MATCHED").text() == "1"
    assert dialog.findChild(type(page.status), "total_CLEARING").text() == "80.00 CHF"
    assert dialog.findChild(type(page.status), "count_PENDING").text() == "1"
    assert dialog.book_button.isEnabled()
    statuses = [r.status for r in dialog.lines.model.rows()]
    assert statuses == [LineStatus.MATCHED, LineStatus.CLEARING, LineStatus.PENDING]
    page.book(dialog.preview, path.read_bytes())
    assert page.last_result.import_id is not None
    assert page.tabs.tabText(0) == "Klärung (1)" and page.tabs.currentIndex() == 0
    assert [r.amount for r in page.clearing.model.rows()] == [chf("80.00")]
    assert len(page.imports.model.rows()) == 1
    assert "1 zugeordnet" in page.status.text()
    statement = ledger.statement(page.context.db, account.id)
    assert [p.open_amount for p in statement.open_items] == [chf("50.00"), chf("200.00")]
    # the same file again: everything known, nothing to book
    page.read_file(path, show_dialog=False)
    assert not page.preview_dialog.book_button.isEnabled()
    assert page.preview_dialog.findChild(type(page.status), "importedBefore") is not None


def test_a_bad_file_shows_its_problems_and_cannot_be_booked(setup, tmp_path):
    page, _account, _items, path = setup
    bad = tmp_path / "bad.xml"
    bad.write_text(path.read_text().replace('<Amt Ccy="CHF">80.00</Amt>', '<Amt Ccy="CHF">81.00</Amt>', 1))
    page.read_file(bad, show_dialog=False)
    dialog = page.preview_dialog
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert len(problems) == 1 and "Ntry[1]: Die Summe der 2 Transaktionen (231.00 CHF)" in problems[0]
    assert not dialog.book_button.isEnabled()
    assert "1 Fehler – nichts gebucht" in page.status.text()


def test_assign_from_the_clearing_list_to_an_account_and_item(setup, qtbot):
    page, account, items, path = setup
    page.read_file(path, show_dialog=False)
    page.book(page.preview_dialog.preview, path.read_bytes())
    assert page.clearing.select(lambda r: r.amount == chf("80.00"))
    dialog = AssignDialog(page.context, page.clearing.current_row(), page)
    qtbot.addWidget(dialog)
    assert not dialog.save() and "Konto: Bitte ein Konto wählen." in dialog.summary.text()
    assert dialog.choose_account(account.id)
    assert [r.id for r in dialog.items.model.rows()] == items  # 50.00 left on September, October open
    assert dialog.items.select(lambda r: r.id == items[1])
    QTimer.singleShot(0, dialog.accept)
    page.assign(dialog)
    assert dialog.payment_id is not None
    open_by_id = {p.id: p.open_amount for p in ledger.statement(page.context.db, account.id).open_items}
    assert open_by_id == {items[0]: chf("50.00"), items[1]: chf("120.00")}
    assert page.tabs.tabText(0) == "Klärung (0)"


def test_mark_unassignable_needs_a_note(setup, qtbot):
    page, _account, _items, path = setup
    page.read_file(path, show_dialog=False)
    page.book(page.preview_dialog.preview, path.read_bytes())
    assert page.clearing.select(lambda r: True)
    dialog = UnassignableDialog(page.context, page.clearing.current_row(), page)
    qtbot.addWidget(dialog)
    assert not dialog.save() and "Notiz" in dialog.summary.text()
    dialog.note.setPlainText("Am 25.11. an Absender zurücküberwiesen")
    QTimer.singleShot(0, dialog.accept)
    page.mark_unassignable(dialog)
    assert page.clearing.model.rows() == []
    page.show_done.setChecked(True)
    done = page.clearing.model.rows()
    assert len(done) == 1 and done[0].status_label == "Nicht zuordenbar"
    entries = bank_clearing.list_clearing(page.context.db, page.context.organization_id, include_done=True)
    assert entries[0].note.endswith("zurücküberwiesen")


def test_reading_and_booking_run_on_the_worker(setup, qtbot):
    from sollhaben.workers.jobs import JobRunner

    first, account, _items, path = setup
    runner = JobRunner()
    try:
        context = AppContext(first.context.db, first.context.organization, worker=runner)
        page = BankFilesPage(context)
        qtbot.addWidget(page)
        page.read_file(path, show_dialog=False)
        assert not page.read_button.isEnabled()  # busy while the worker reads
        qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=20_000)
        page.book(page.preview_dialog.preview, path.read_bytes())
        qtbot.waitUntil(lambda: page.last_result is not None, timeout=20_000)
        assert page.read_button.isEnabled()
        statement = ledger.statement(context.db, account.id)
        assert [p.open_amount for p in statement.open_items] == [chf("50.00"), chf("200.00")]
    finally:
        runner.shutdown()
