"""The Debitoren page's menu „Mahnwesen“: the account's reminder history and blocks, and a block for
the account or for the statement's chosen item (pytest-qt, SQLite)."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from sollhaben.domain.master_data import PersonInput
from sollhaben.domain.money import Money
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import blocks
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger import AccountsPage
from sollhaben.ui.receivables.dunning_account_dialog import DunningAccountDialog
from sollhaben.ui.receivables.dunning_block_dialog import BlockDialog
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot, sqlite_db):
    db = sqlite_db
    org = organizations.create_organization(db, make_org_input("DE"))
    holder = persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Max"))
    account = ledger.open_account(db, org.id, holder.id)
    fee = ledger.post(db, NewPosting(account.id, date(2026, 10, 1), "KITA_FEE", Money.of("120.00", "EUR"),
                                     "Kita-Beitrag Oktober", due_date=date(2026, 10, 15)))
    context = AppContext(db)
    context.set_organization(org)
    widget = AccountsPage(context)
    qtbot.addWidget(widget)
    widget.resize(1280, 700)
    widget.show()
    return widget, account, fee


def test_the_menu_waits_for_an_account_then_opens_the_history(qtbot, page):
    widget, account, _fee = page
    actions = widget.dunning
    assert not actions.menu_button.isEnabled()
    widget.show_account(account.id)
    assert actions.menu_button.isEnabled()
    assert [a.text() for a in actions.menu_button.menu().actions()] == ["Mahnhistorie / Mahnsperren …",
                                                                        "Mahnsperre …"]
    actions.history_action.trigger()
    assert isinstance(actions.dialog, DunningAccountDialog) and actions.dialog.isVisible()
    assert actions.dialog.account_id == account.id
    assert actions.dialog.windowTitle().startswith("Mahnwesen – ") and "Muster" in actions.dialog.windowTitle()
    actions.dialog.reject()


def test_a_block_for_the_whole_account_is_stored(qtbot, page):
    widget, account, _fee = page
    widget.show_account(account.id)
    widget.dunning.block_action.trigger()
    dialog = widget.dunning.dialog
    assert isinstance(dialog, BlockDialog) and dialog.account.currentData() == account.id
    assert dialog.item.currentData() is None  # das ganze Konto
    dialog.reason.setText("Forderung bestritten")
    with qtbot.waitSignal(dialog.blocked):
        dialog.findChild(QPushButton, "save").click()
    [block] = blocks.list_blocks(widget.context.db, account.id)
    assert (block.reason, block.item_id) == ("Forderung bestritten", None)


def test_the_statement_context_menu_blocks_the_chosen_item(qtbot, page):
    widget, account, fee = page
    widget.show_account(account.id)
    view = widget.statement.postings_view
    assert not widget.dunning.item_block_action.isEnabled()
    row = next(r for r in range(view.model().rowCount())
               if view.model().index(r, 1).data(Qt.ItemDataRole.DisplayRole) == str(fee))
    view.setCurrentIndex(view.model().index(row, 0))
    assert widget.dunning.item_block_action.isEnabled()
    widget.dunning.item_block_action.trigger()
    assert widget.dunning.dialog.item.currentData() == fee
