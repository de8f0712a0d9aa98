"""The page "Schnellerfassung" with real widgets on a real SQLite database: typing counts and
amounts (Return moves down, Tab right), column totals, saving all cells in one transaction, and a
refused save that marks every bad cell and stores nothing."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.services.kita import billing_data
from sollhaben.ui.field_errors import ERROR_COLOR
from sollhaben.ui.kita.quick_entry_page import QuickEntryPage
from tests.gui.kita.test_children_fixtures import (
    TODAY,
    build_child,
    build_statute,
    eur,
    make_context,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def grid_data(sqlite_db):
    s = build_statute(sqlite_db)
    mia = build_child(sqlite_db, s)
    ben = build_child(sqlite_db, s, "Albrecht", "Ben")
    for family, count in ((mia, 5), (ben, 0)):
        billing_data.save_period(sqlite_db, m.BillingPeriod(family.child, Validity(Month(2026, 3)), (
            m.FeeLine(s.individual, amount=eur("40.00"), reset=True, discount_ids=(s.fixed,),
                      payers=(m.PayerShare(family.mother),)),), (
            m.ExtraLine(s.meals, count=count, payers=(m.PayerShare(family.mother),)),), version=0))
    return s, mia, ben


@pytest.fixture
def page(qtbot, sqlite_db, grid_data):
    s, _mia, _ben = grid_data
    widget = QuickEntryPage(make_context(sqlite_db, s.org), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def type_cell(qtbot, grid, row: int, column: int, text: str) -> None:
    """Select the cell and type: typing starts editing, Return commits and moves down."""
    grid.setFocus()
    grid.setCurrentCell(row, column)
    qtbot.keyClicks(grid, text[0])
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_type_counts_and_amounts_and_save_in_one_step(qtbot, page, sqlite_db, grid_data):
    s, _mia, _ben = grid_data
    assert page.load()
    grid = page.ui.grid
    assert [grid.horizontalHeaderItem(c).text() for c in range(grid.columnCount())] == [
        "Kind", "Individuell\n(Betrag)", "Mittagessen\n(Anzahl)"]
    assert [grid.item(r, 0).text() for r in range(grid.rowCount())] == ["Albrecht, Ben", "Gerber, Mia", "Summe"]
    assert grid.item(2, 2).text() == "5" and grid.item(2, 1).text() == "80,00"
    type_cell(qtbot, grid, 0, 2, "12")
    assert (grid.currentRow(), grid.currentColumn()) == (1, 2)  # Return moved down
    type_cell(qtbot, grid, 1, 2, "17")
    type_cell(qtbot, grid, 0, 1, "55,50")
    assert grid.item(2, 2).text() == "29" and grid.item(2, 1).text() == "95,50"  # live totals
    assert page.is_dirty()
    qtbot.keyClick(grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.ui.messageLabel.text() == "Gespeichert: 3 Zellen."
    counts = {r.name: {k: c.value for k, c in r.cells.items()}
              for r in billing_data.quick_entry_rows(sqlite_db, s.facility, Month(2026, 3)).rows}
    assert counts == {"Albrecht, Ben": {f"FEE:{s.individual}": eur("55.50"), f"EXTRA:{s.meals}": 12},
                      "Gerber, Mia": {f"FEE:{s.individual}": eur("40.00"), f"EXTRA:{s.meals}": 17}}
    assert not page.is_dirty()


def test_a_refused_save_marks_every_bad_cell_and_stores_nothing(qtbot, page, sqlite_db, grid_data):
    s, _mia, _ben = grid_data
    page.load()
    grid = page.ui.grid
    type_cell(qtbot, grid, 0, 2, "x7")  # not a count
    type_cell(qtbot, grid, 1, 1, "0,50")  # below the discount of 0,80
    type_cell(qtbot, grid, 1, 2, "9")  # fine, but not stored while the others stand
    assert not page.save()
    bad_count, bad_amount, good = grid.item(0, 2), grid.item(1, 1), grid.item(1, 2)
    assert bad_count.foreground().color().name() == ERROR_COLOR and "keine Anzahl" in bad_count.toolTip()
    assert "übersteigen den Beitrag" in bad_amount.toolTip()
    assert good.toolTip() == ""
    assert page.ui.messageLabel.text().startswith("Nichts gespeichert – bitte 2 Fehler korrigieren")
    rows = billing_data.quick_entry_rows(sqlite_db, s.facility, Month(2026, 3)).rows
    assert [r.cells[f"EXTRA:{s.meals}"].value for r in rows] == [0, 5]
    type_cell(qtbot, grid, 0, 2, "7")
    type_cell(qtbot, grid, 1, 1, "1,50")
    assert page.save()
    rows = billing_data.quick_entry_rows(sqlite_db, s.facility, Month(2026, 3)).rows
    assert [r.cells[f"EXTRA:{s.meals}"].value for r in rows] == [7, 9]
    assert rows[1].cells[f"FEE:{s.individual}"].value == eur("1.50")


def test_kinder_and_schnellerfassung_open_from_the_main_window(qtbot, sqlite_db, grid_data):
    from sollhaben.ui.kita.children_page import ChildrenPage
    from sollhaben.ui.main_window import MainWindow

    s, _mia, _ben = grid_data
    window = MainWindow(make_context(sqlite_db, s.org))
    qtbot.addWidget(window)
    window.show()
    window.show_page(window.page_index("Kinder"))
    children_page = window.stack.currentWidget()
    assert isinstance(children_page, ChildrenPage)
    assert [r.last_name for r in children_page.list.visible_rows()] == ["Albrecht", "Gerber"]
    window.show_page(window.page_index("Schnellerfassung"))
    quick = window.stack.currentWidget()
    assert isinstance(quick, QuickEntryPage) and quick.ui.facilityCombo.currentText() == "Kita Sonnenschein"
