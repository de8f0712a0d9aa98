"""A double-click on a row of „Offene Posten“ (list or ageing table) shows that account's statement
on the page Debitoren (through the main window, like the Sollstellung opens a child)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sollhaben.ui.main_window import MainWindow
from tests.gui.receivables.test_open_items_page import context  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, context):  # noqa: F811
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=10_000)


def open_items(qtbot, window):
    assert window.show_page(window.page_index("Offene Posten"))
    page = window.page("Offene Posten")
    qtbot.waitUntil(lambda: page.data is not None and not page.jobs.busy, timeout=10_000)
    return page


def double_click(qtbot, lst, row: int) -> None:
    index = lst.proxy.index(row, 1)
    lst.table.scrollTo(index)
    where = lst.table.visualRect(index).center()
    qtbot.mouseClick(lst.table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # Qt 6: a press comes first
    qtbot.mouseDClick(lst.table.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_double_click_on_an_item_shows_the_accounts_statement(qtbot, window):
    page = open_items(qtbot, window)
    row = next(r for r in range(page.items.proxy.rowCount()) if page.items.proxy.index(r, 1).data() == "Abt, Bernd")
    account_id = page.items.proxy.row_at(page.items.proxy.index(row, 0)).account_id
    double_click(qtbot, page.items, row)
    assert window.current_page_title() == "Debitoren"
    accounts = window.page("Debitoren")
    assert accounts.list.current_row()[0].id == account_id
    assert accounts.statement._account_id == account_id  # the statement shown is that account's


def test_double_click_in_the_ageing_table_too_but_not_on_the_total(qtbot, window):
    page = open_items(qtbot, window)
    page.tabs.setCurrentIndex(1)
    rows = [page.ageing.proxy.row_at(page.ageing.proxy.index(r, 0)) for r in range(page.ageing.proxy.rowCount())]
    total = next(r for r, a in enumerate(rows) if a.account_id is None)
    double_click(qtbot, page.ageing, total)
    assert window.current_page_title() == "Offene Posten"
    first = next(r for r, a in enumerate(rows) if a.account_id is not None)
    double_click(qtbot, page.ageing, first)
    assert window.current_page_title() == "Debitoren"
    assert window.page("Debitoren").list.current_row()[0].id == rows[first].account_id
