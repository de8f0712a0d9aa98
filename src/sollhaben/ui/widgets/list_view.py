"""A list page body: search field, table with filter proxy, row count; activation by Enter/double-click."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from sollhaben.ui.table_model import FilterProxy, RowTableModel


def count_text(shown: int, total: int) -> str:
    """'1 234 Einträge', '1 Eintrag', '12 von 1 234 Einträgen'."""
    def number(n: int) -> str:
        return f"{n:,}".replace(",", " ")
    if shown == total:
        return f"{number(total)} {'Eintrag' if total == 1 else 'Einträge'}"
    return f"{number(shown)} von {number(total)} {'Eintrag' if total == 1 else 'Einträgen'}"


class FilterableList(QWidget):
    """`activated(row)` on double-click or Return; `current_changed(row or None)` on selection."""

    activated = Signal(object)
    current_changed = Signal(object)

    def __init__(self, model: RowTableModel, parent: QWidget | None = None,
                 placeholder: str = "Suchen …") -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(model)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._activate_from_search)
        self.search.installEventFilter(self)

        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.table.setSortingEnabled(True)
        self.table.doubleClicked.connect(lambda index: self._emit_activated(index))
        self.table.installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.current_changed.emit(self.proxy.row_at(current) if current.isValid() else None))
        self.apply_column_widths()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.toolbar = QHBoxLayout()  # pages add their buttons after the search field
        self.toolbar.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self._update_count()

    # API -------------------------------------------------------------------------------
    def set_rows(self, rows) -> None:
        self.model.set_rows(rows)

    def apply_column_widths(self) -> None:
        header = self.table.horizontalHeader()
        stretched = False
        for i, column in enumerate(self.model.columns):
            if column.stretch:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
                stretched = True
            elif column.width:
                self.table.setColumnWidth(i, column.width)
        header.setStretchLastSection(not stretched)

    def current_row(self) -> Any:
        index = self.table.currentIndex()
        return self.proxy.row_at(index) if index.isValid() else None

    def selected_rows(self) -> list[Any]:
        return [self.proxy.row_at(i) for i in self.table.selectionModel().selectedRows()]

    def visible_rows(self) -> list[Any]:
        return [self.proxy.row_at(self.proxy.index(r, 0)) for r in range(self.proxy.rowCount())]

    def select(self, predicate: Callable[[Any], bool]) -> bool:
        """Make the first visible row matching `predicate` current; False if none."""
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if predicate(self.proxy.row_at(index)):
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(index)
                return True
        return False

    # internals ----------------------------------------------------------------------------
    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _update_count(self, *_args) -> None:
        self.count_label.setText(count_text(self.proxy.rowCount(), self.model.rowCount()))

    def _emit_activated(self, index) -> None:
        if index.isValid():
            self.activated.emit(self.proxy.row_at(index))

    def _activate_from_search(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() and self.proxy.rowCount() == 1:
            index = self.proxy.index(0, 0)
        self._emit_activated(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._emit_activated(self.table.currentIndex())
                return True
            if watched is self.search and key == Qt.Key.Key_Down and self.proxy.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)
