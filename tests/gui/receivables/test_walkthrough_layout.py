"""What a user walk through the receivables pages found: columns cut off or wasted at the main window's
default size (~1440 × 900). Real widgets on a real SQLite database; geometry read after layout."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView

from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger import AccountsPage
from sollhaben.ui.receivables.bank_preview_dialog import fitted_size
from sollhaben.ui.receivables.dunning_tree import COLUMNS, ProposalTree
from tests.gui.receivables.test_bank_page import IBAN, setup  # noqa: F401
from tests.gui.receivables.test_dunning_page import TODAY, accounts, context, page, propose  # noqa: F401
from tests.gui.test_accounts_page import booked  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
PAGE_SIZE = (1250, 820)  # the Debitoren page inside a 1440 × 900 main window (navigation 190 px)


def test_account_list_shows_number_holder_and_balance_without_scrolling(qtbot, booked):  # noqa: F811
    context, _account, _postings = booked
    widget = AccountsPage(context)
    qtbot.addWidget(widget)
    widget.resize(*PAGE_SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    table = widget.list.table
    assert table.isColumnHidden(3)  # „Bezeichnung“: no account has a label here
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    viewport = table.viewport().width()
    right_edge = header.sectionViewportPosition(2) + header.sectionSize(2)
    assert right_edge <= viewport  # „Saldo“ ends inside the visible area
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Stretch
    metrics = table.fontMetrics()
    for text in ("Saldo", "-12.345,60"):
        assert metrics.horizontalAdvance(text) + 8 <= header.sectionSize(2), text
    assert header.sectionSize(1) >= 150  # the holder's name
    holder = table.model().index(0, 1)
    assert table.model().data(holder, Qt.ItemDataRole.ToolTipRole) == table.model().data(holder)


def test_statement_text_column_takes_the_room_and_tells_the_full_text(qtbot, booked):  # noqa: F811
    context, account, _postings = booked
    widget = AccountsPage(context)
    qtbot.addWidget(widget)
    widget.resize(*PAGE_SIZE)
    widget.show()
    widget.show_account(account.id)
    qtbot.waitExposed(widget)
    view = widget.statement
    header = view.postings_view.horizontalHeader()
    titles = [c.title for c in view.postings.columns]
    text, note = titles.index("Text"), titles.index("Vermerk")
    assert header.sectionResizeMode(text) == QHeaderView.ResizeMode.Stretch
    assert header.sectionResizeMode(note) == QHeaderView.ResizeMode.Interactive
    assert header.sectionSize(text) > header.sectionSize(note)
    assert header.sectionSize(note) <= 160
    cell = view.postings.index(0, text)
    assert view.postings.data(cell, Qt.ItemDataRole.ToolTipRole) == view.postings.data(cell)
    open_titles = [c.title for c in view.open_items.columns]
    open_header = view.open_items_view.horizontalHeader()
    assert open_header.sectionResizeMode(open_titles.index("Text")) == QHeaderView.ResizeMode.Stretch
    # the sums by month and category keep the width their columns need
    groups = view.groups_view
    assert groups.width() >= sum(c.width for c in view.groups.columns)


def test_proposal_tree_gives_the_names_the_room_and_aligns_amount_headers(qtbot, page, context):  # noqa: F811
    page.resize(*PAGE_SIZE)
    page.show()
    propose(qtbot, page, context)
    tree: ProposalTree = page.tree
    header = tree.header()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    hint = COLUMNS.index("Hinweis")
    assert header.sectionSize(0) > header.sectionSize(hint)
    right = Qt.AlignmentFlag.AlignRight
    for title in ("Offen", "Gebühr"):
        alignment = tree.headerItem().textAlignment(COLUMNS.index(title))
        assert Qt.AlignmentFlag(alignment) & right, title
    assert not (Qt.AlignmentFlag(tree.headerItem().textAlignment(0)) & right)
    account = tree.topLevelItem(0)
    item = account.child(0)
    assert account.toolTip(0) == account.text(0)
    assert item.toolTip(0) == item.text(0)
    assert header.sectionViewportPosition(hint) + header.sectionSize(hint) <= tree.viewport().width()


def _hint_fits(qtbot, table, title: str) -> None:
    qtbot.wait(50)  # the view lays out its scroll bars on the next event-loop turn
    model = table.model().sourceModel() if hasattr(table.model(), "sourceModel") else table.model()
    titles = [c.title for c in model.columns]
    header = table.horizontalHeader()
    hint = titles.index(title)
    assert header.sectionResizeMode(hint) == QHeaderView.ResizeMode.Stretch
    assert header.sectionViewportPosition(hint) + header.sectionSize(hint) <= table.viewport().width()
    assert header.sectionSize(hint) >= 250
    assert not table.horizontalScrollBar().isVisible()


def test_bank_preview_fits_the_screen_and_the_clearing_list_needs_no_sideways_scrolling(qtbot, setup):  # noqa: F811
    page, _account, _items, path = setup
    page.resize(*PAGE_SIZE)
    page.show()
    qtbot.waitExposed(page)
    _hint_fits(qtbot, page.clearing.table, "Hinweis")  # empty list: no scroll bar either
    page.read_file(path, show_dialog=False)
    dialog = page.preview_dialog
    qtbot.addWidget(dialog)
    dialog.resize(*fitted_size(1600, 1000))
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.lines.table
    _hint_fits(qtbot, table, "Hinweis")
    # IBAN and the place in the file have no column of their own any more: tooltips, and still searched
    model = dialog.lines.model
    titles = [c.title for c in model.columns]
    assert all(table.isColumnHidden(titles.index(t)) for t in ("IBAN", "Stelle in der Datei"))
    debtor = model.index(0, titles.index("Auftraggeber/in"))
    assert "IBAN CH93 0076 2011 6238 5295 7" in model.data(debtor, Qt.ItemDataRole.ToolTipRole)
    note = model.index(0, titles.index("Hinweis"))
    assert "Stelle in der Datei: Zeile" in model.data(note, Qt.ItemDataRole.ToolTipRole)
    dialog.lines.search.setText("CH93 0076")
    assert len(dialog.lines.visible_rows()) == 1
    page.book(dialog.preview, path.read_bytes())
    clearing_titles = [c.title for c in page.clearing.model.columns]
    assert page.clearing.table.isColumnHidden(clearing_titles.index("IBAN"))
    _hint_fits(qtbot, page.clearing.table, "Hinweis")


def test_bank_preview_size_is_ninety_percent_of_the_screen_width():
    assert fitted_size(1600, 1000) == (1440, 750)
    assert fitted_size(1920, 1080) == (1728, 810)
    assert fitted_size(1000, 700) == (1000, 640)  # small screens: the old minimum, never more than the screen
    assert fitted_size(800, 600) == (800, 600)
