"""The page „Auszahlungen“: credit balances, a refund through its dialog, cancelling, the payout
run's dialog with its field errors, the run itself and the files list."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree

from sollhaben.banking.pain001_ch import swiss_problems
from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import OrderStatus
from sollhaben.services import ledger, persons
from sollhaben.services.receivables import payout_orders, payout_refunds, payout_run
from sollhaben.ui.context import AppContext
from sollhaben.ui.main_window import MainWindow
from sollhaben.ui.receivables.payout_dialogs import PayoutRunDialog, RefundDialog
from sollhaben.ui.receivables.payout_page import PayoutPage
from sollhaben.workers.jobs import JobRunner
from tests.integration.receivables.test_payout_support import (
    CH_PAYER_IBAN, ch_organization, payer, with_credit,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def page(qtbot, sqlite_db):
    db = sqlite_db
    org = ch_organization(db)
    gerber = payer(db, org, "Gerber", "Reto", CH_PAYER_IBAN)
    with_credit(db, gerber, "150.00", owed="100.00")
    amsler = payer(db, org, "Amsler", "Eva", None)
    with_credit(db, amsler, "20.00")
    context = AppContext(db)
    context.set_organization(org)
    widget = PayoutPage(context)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    return widget


def select_holder(page: PayoutPage, name: str) -> None:
    assert page.balances.select(lambda r: r.holder_name == name)


def test_balances_show_the_proposal_and_the_problem(page):
    rows = page.balances.model.rows()
    assert [(r.holder_name, r.credit) for r in rows] == [("Amsler, Eva", chf("20.00")), ("Gerber, Reto", chf("50.00"))]
    model = page.balances.table.model()
    texts = [[model.index(i, c).data() for c in range(model.columnCount())] for i in range(model.rowCount())]
    assert "keine Bankverbindung" in texts[0][5] and texts[1][5] == "bereit"
    assert texts[1][4] == "CH56 0483 5012 3456 7800 9"
    assert page.tabs.tabText(1) == "Offene Aufträge (0)"


def test_refund_dialog_shows_the_missing_iban_at_its_field_and_stores_nothing(page, qtbot):
    select_holder(page, "Amsler, Eva")
    dialog = RefundDialog(page.context, page.balances.current_row(), page)
    qtbot.addWidget(dialog)
    assert dialog.summary.isVisibleTo(dialog) and "keine Bankverbindung" in dialog.summary.text()
    assert dialog.iban.property("fieldError") is True
    assert dialog.save() is False
    assert payout_orders.list_payout_orders(page.context.db, page.context.organization_id) == []


def test_refund_through_the_dialog_then_cancel(page, qtbot):
    select_holder(page, "Gerber, Reto")
    dialog = RefundDialog(page.context, page.balances.current_row(), page)
    qtbot.addWidget(dialog)
    assert dialog.amount.text() == "50.00"
    dialog.amount.setText("60.00")  # more than the credit balance
    assert dialog.save() is False
    assert dialog.amount.property("fieldError") is True and "nicht zugeordnetes Guthaben" in dialog.summary.text()
    dialog.amount.setText("30.00")
    dialog.purpose.setText("Rückzahlung Überzahlung Oktober")
    assert dialog.save() is True
    page.context.signals.data_changed.emit("payout_order")
    orders = page.orders.model.rows()
    assert [(o.amount, o.purpose) for o in orders] == [(chf("30.00"), "Rückzahlung Überzahlung Oktober")]
    assert [r.credit for r in page.balances.model.rows() if r.holder_name == "Gerber, Reto"] == [chf("20.00")]
    assert page.tabs.tabText(1) == "Offene Aufträge (1)"
    page.orders.select(lambda o: o.id == orders[0].id)
    page.cancel_orders(confirmed=True)
    assert page.orders.model.rows() == []
    assert payout_orders.get_payout_order(page.context.db, orders[0].id).status is OrderStatus.CANCELLED
    assert [r.credit for r in page.balances.model.rows() if r.holder_name == "Gerber, Reto"] == [chf("50.00")]
    assert "storniert" in page.status.text()


def test_run_dialog_errors_at_the_fields_then_the_run_writes_the_file(page, qtbot, tmp_path):
    select_holder(page, "Gerber, Reto")
    dialog = RefundDialog(page.context, page.balances.current_row(), page)
    qtbot.addWidget(dialog)
    assert dialog.save()
    page.reload()
    preview = payout_run.preview_payout_run(page.context.db, page.context.organization_id)
    run = PayoutRunDialog(page.context, preview, str(tmp_path), page)
    qtbot.addWidget(run)
    existing = tmp_path / "schon-da.xml"
    existing.write_text("x")
    run.date_edit.setText(format_date(date.today() - timedelta(days=1)))
    run.file_edit.setText(str(existing))
    assert run.save() is False
    assert run.date_edit.property("fieldError") is True and run.file_edit.property("fieldError") is True
    assert "Vergangenheit" in run.summary.text() and "nie überschrieben" in run.summary.text()
    target = tmp_path / "auszahlung.xml"
    run.date_edit.setText(format_date(date.today() + timedelta(days=2)))
    run.file_edit.setText(str(target))
    assert run.save() is True
    page.start_run(run)  # without a worker the job runs at once
    content = target.read_bytes()
    assert schema_problems(content, "pain.001.001.09.xsd") == [] and swiss_problems(content) == []
    assert etree.fromstring(content).findtext(".//{*}CtrlSum") == "50.00"
    assert page.orders.model.rows() == [] and page.tabs.currentIndex() == 2
    assert [f.file_name for f in page.files.model.rows()] == ["auszahlung.xml"]
    assert "auszahlung.xml geschrieben: 1 Auftrag," in page.status.text()


def test_qr_iban_default_account_is_shown_in_the_run_dialog(qtbot, sqlite_db, tmp_path):
    org = ch_organization(sqlite_db, default_qr=True)
    context = AppContext(sqlite_db)
    context.set_organization(org)
    preview = payout_run.preview_payout_run(sqlite_db, org.id)
    run = PayoutRunDialog(context, preview, str(tmp_path))
    qtbot.addWidget(run)
    assert "QR-IBAN" in run.summary.text() and run.debtor.property("fieldError") is True
    assert run.save() is False


def test_page_is_in_the_navigation_after_debitoren(qtbot, sqlite_db):
    org = ch_organization(sqlite_db)
    context = AppContext(sqlite_db)
    context.set_organization(org)
    window = MainWindow(context)
    qtbot.addWidget(window)
    titles = [entry.title for entry in window.pages]
    assert titles.index("Auszahlungen") > titles.index("Debitoren")
    assert isinstance(window.page("Auszahlungen"), PayoutPage)


def test_run_dialog_files_only_the_marked_orders_when_asked(qtbot, sqlite_db, tmp_path):
    org = ch_organization(sqlite_db)
    ids = []
    for last, credit in (("Gerber", "10.00"), ("Keller", "20.00"), ("Moser", "30.00")):
        account = payer(sqlite_db, org, last, "Eva", CH_PAYER_IBAN)
        with_credit(sqlite_db, account, credit)
        ids.append(payout_refunds.create_refund_order(sqlite_db, org.id, account.id))
    everything = payout_run.preview_payout_run(sqlite_db, org.id)
    context = AppContext(sqlite_db)
    context.set_organization(org)
    one = PayoutRunDialog(context, everything, str(tmp_path), marked=payout_run.preview_payout_run(
        sqlite_db, org.id, [ids[0]]))
    qtbot.addWidget(one)
    assert one.only_marked.isVisibleTo(one) and not one.only_marked.isChecked()  # one row: usually the cursor
    assert one.order_ids is None and one.orders_label.text() == "3 von 3 offenen, zusammen 60.00 CHF"
    two = PayoutRunDialog(context, everything, str(tmp_path), marked=payout_run.preview_payout_run(
        sqlite_db, org.id, ids[1:]))
    qtbot.addWidget(two)
    assert two.only_marked.isChecked() and two.order_ids == ids[1:]
    assert two.orders_label.text() == "2 von 3 offenen, zusammen 50.00 CHF"
    two.file_edit.setText(str(tmp_path / "zwei.xml"))
    assert two.save()
    page = PayoutPage(context)
    qtbot.addWidget(page)
    page.start_run(two)
    assert [o.id for o in page.orders.model.rows()] == [ids[0]]
    assert "2 Aufträge" in page.status.text()
    none = PayoutRunDialog(context, payout_run.preview_payout_run(sqlite_db, org.id), str(tmp_path))
    qtbot.addWidget(none)
    assert not none.only_marked.isVisibleTo(none) and none.order_ids is None


def test_the_run_on_the_worker_and_a_cancel(qtbot, sqlite_db, tmp_path):
    org = ch_organization(sqlite_db)
    for last, credit in (("Gerber", "10.00"), ("Keller", "20.00")):
        account = payer(sqlite_db, org, last, "Eva", CH_PAYER_IBAN)
        with_credit(sqlite_db, account, credit)
        payout_refunds.create_refund_order(sqlite_db, org.id, account.id)
    runner = JobRunner()
    try:
        context = AppContext(sqlite_db, worker=runner)
        context.set_organization(org)
        page = PayoutPage(context)
        qtbot.addWidget(page)
        dialog = PayoutRunDialog(context, payout_run.preview_payout_run(sqlite_db, org.id), str(tmp_path), page)
        qtbot.addWidget(dialog)
        dialog.file_edit.setText(str(tmp_path / "abgebrochen.xml"))
        assert dialog.save()
        with qtbot.waitSignal(runner.cancelled, timeout=10_000):
            page.start_run(dialog)
            page.jobs.cancel()  # before the job got to its first order: nothing stored, no file
        assert "nichts gespeichert" in page.status.text()
        assert not (tmp_path / "abgebrochen.xml").exists() and payout_run.list_payout_files(sqlite_db, org.id) == []
        # a cancel that comes after the commit does not undo the run: the page reports the stored file
        page._files_before = set()
        stored = payout_run.create_payout_file(sqlite_db, org.id, execution_date=dialog.execution_date,
                                               target_path=tmp_path / "gespeichert.xml")
        page._run_cancelled("Zahlungsdatei erstellen")
        assert f"{stored.file_name} geschrieben: 2 Aufträge" in page.status.text()
    finally:
        runner.shutdown(timeout_ms=10_000)


def test_withdraw_a_file_on_the_page(qtbot, sqlite_db, tmp_path):
    org = ch_organization(sqlite_db)
    account = payer(sqlite_db, org, "Gerber", "Eva", CH_PAYER_IBAN)
    with_credit(sqlite_db, account, "10.00")
    payout_refunds.create_refund_order(sqlite_db, org.id, account.id)
    payout_run.create_payout_file(sqlite_db, org.id, execution_date=date.today() + timedelta(days=1),
                                  target_path=tmp_path / "a.xml")
    context = AppContext(sqlite_db)
    context.set_organization(org)
    page = PayoutPage(context)
    qtbot.addWidget(page)
    assert page.files.select(lambda f: f.file_name == "a.xml")
    page.withdraw_file("")
    assert "Grund" in page.status.text() and not page.files.model.rows()[0].withdrawn
    page.withdraw_file("Bank: Datei abgelehnt")
    assert page.status.text() == "a.xml zurückgenommen; 1 Auftrag ist wieder offen."
    assert page.files.model.rows()[0].withdrawn and len(page.orders.model.rows()) == 1
    model = page.files.table.model()
    assert model.index(0, model.columnCount() - 1).data() == "test: Bank: Datei abgelehnt"
    page.files.select(lambda f: f.file_name == "a.xml")
    page.save_again()
    assert "zurückgenommen" in page.status.text()


def test_refund_to_another_of_the_persons_bank_accounts(qtbot, sqlite_db):
    org = ch_organization(sqlite_db)
    person = persons.save_person(sqlite_db, org.id, PersonInput(
        "NATURAL", "Gerber", "Anna", address=Address("Weg", "1", "3011", "Bern", "CH"),
        bank_accounts=(BankAccountInput(CH_PAYER_IBAN), BankAccountInput("CH93 0076 2011 6238 5295 7",
                                                                         label="Anna und Reto Gerber"))))
    account = ledger.open_account(sqlite_db, org.id, person.id)
    with_credit(sqlite_db, account, "40.00")
    other = payer(sqlite_db, org, "Keller", "Reto", CH_PAYER_IBAN)
    context = AppContext(sqlite_db)
    context.set_organization(org)
    balance = next(b for b in payout_refunds.list_credit_balances(sqlite_db, org.id) if b.account_id == account.id)
    dialog = RefundDialog(context, balance)
    qtbot.addWidget(dialog)
    assert dialog.bank_choice.count() == 2 and dialog.recipient.text().startswith("Anna Gerber\n")
    dialog.bank_choice.setCurrentIndex(1)
    assert dialog.recipient.text().startswith("Anna und Reto Gerber\n")
    assert dialog.save()
    order = payout_orders.get_payout_order(sqlite_db, dialog.order_id)
    assert (order.iban, order.recipient.name) == ("CH9300762011623852957", "Anna und Reto Gerber")
    foreign = payout_refunds.holder_bank_accounts(sqlite_db, other.id)[0][0]
    with_credit(sqlite_db, account, "5.00")
    with pytest.raises(ValidationError) as exc:
        payout_refunds.create_refund_order(sqlite_db, org.id, account.id, bank_account_id=foreign)
    assert exc.value.errors[0].field == "iban"
