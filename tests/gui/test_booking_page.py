"""The booking actions on the Debitoren page: „Zahlung buchen …“ opens the window for the chosen
account, „Guthaben zuordnen …“ and „Zahlung stornieren …“ (button and context action on a payment
in the statement); the page shows the result."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger import AccountsPage
from sollhaben.ui.receivables.booking_credit_dialog import CreditAllocationDialog
from sollhaben.ui.receivables.booking_dialog import BookingDialog
from sollhaben.ui.receivables.booking_reversal_dialog import ReverseReceiptDialog
from sollhaben.ui.receivables.booking_tree import COL_ALLOCATION
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def page(qtbot, sqlite_db, monkeypatch):
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: True)
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    anna = persons.save_person(db, org.id, PersonInput("NATURAL", "Becker", "Anna"))
    account = ledger.open_account(db, org.id, anna.id)
    fee = ledger.post(db, NewPosting(account.id, date(2026, 2, 1), "KITA_FEE", eur("300.00"), "Kita-Beitrag Februar",
                                     value_month=Month(2026, 2), due_date=date(2026, 2, 5)))
    context = AppContext(db)
    context.set_organization(org)
    widget = AccountsPage(context)
    widget.booking.today = lambda: date(2026, 3, 10)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.show_account(account.id)
    return widget, account, fee


def select_posting(page, posting_id: int) -> None:
    view = page.statement.postings_view
    model = view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == str(posting_id))
    view.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)


def test_book_a_payment_from_the_page(qtbot, page):
    widget, account, fee = page
    actions = widget.booking
    assert [b.text() for b in (actions.book_button, actions.credit_button, actions.reverse_button)] == [
        "Zahlung &buchen …", "&Guthaben zuordnen …", "Zahlung s&tornieren …"]
    assert not actions.reverse_button.isEnabled()  # no payment chosen in the statement
    qtbot.mouseClick(actions.book_button, Qt.MouseButton.LeftButton)
    dialog = actions.dialog
    assert isinstance(dialog, BookingDialog) and dialog.account_id() == account.id  # preselected
    assert dialog.date_edit.text() == "10.03.2026"
    dialog.amount_edit.setText("350,00")
    dialog.amount_edit.editingFinished.emit()
    dialog.accept()
    assert actions.dialog is None
    assert widget.statement.figures["credit"].text() == "50,00 EUR"
    assert widget.statement.figures["open"].text() == "0,00 EUR"


def test_allocate_credit_from_the_page(qtbot, page):
    widget, account, fee = page
    ledger.book_payment(widget.context.db, account.id, date(2026, 1, 20), eur("120.00"), allocations=[])
    widget.reload()
    qtbot.mouseClick(widget.booking.credit_button, Qt.MouseButton.LeftButton)
    dialog = widget.booking.dialog
    assert isinstance(dialog, CreditAllocationDialog)
    assert dialog.tree.item_rows()[0].text(COL_ALLOCATION) == "120,00"
    dialog.accept()
    assert widget.statement.figures["credit"].text() == "0,00 EUR"
    assert widget.statement.figures["open"].text() == "180,00 EUR"


def test_reverse_a_payment_chosen_in_the_statement(qtbot, page):
    widget, account, fee = page
    payment = ledger.book_payment(widget.context.db, account.id, date(2026, 3, 1), eur("300.00"), "Überweisung")
    widget.reload()
    select_posting(widget, fee)
    assert not widget.booking.reverse_button.isEnabled()  # a receivable is no receipt
    select_posting(widget, payment)
    assert widget.booking.reverse_button.isEnabled() and widget.booking.reverse_action.isEnabled()
    assert widget.booking.reverse_action in widget.statement.postings_view.actions()
    widget.booking.reverse_action.trigger()
    dialog = widget.booking.dialog
    assert isinstance(dialog, ReverseReceiptDialog) and dialog.payment.id == payment
    dialog.reason_edit.setText("Falsches Konto")
    dialog._confirm = lambda text: True
    dialog.accept()
    statement = widget.statement.statement
    assert [l.posting.reverses_id for l in statement.lines][-1] == payment
    assert widget.statement.figures["open"].text() == "300,00 EUR"
    select_posting(widget, payment)
    assert not widget.booking.reverse_button.isEnabled()  # reversed already


def test_without_an_organization_nothing_can_be_booked(qtbot, sqlite_db):
    context = AppContext(sqlite_db)
    widget = AccountsPage(context)
    qtbot.addWidget(widget)
    actions = widget.booking
    assert not actions.book_button.isEnabled() and not actions.credit_button.isEnabled()
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    context.set_organization(org)
    assert actions.book_button.isEnabled() and not actions.credit_button.isEnabled()  # no account chosen yet
