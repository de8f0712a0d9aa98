"""The payer list of the page "Festsetzung": one row per payer with a tick box in the first column.

Ticks belong to the payer (not to the row position): filtering to "only changed" and back keeps
them. Rows with a problem (a line that cannot be computed, no address) are red and start unticked.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.services.kita.fee_assessment import PayerRow

HEADERS = ("", "Zahler", "Kinder", "Monatlich", "Status", "Letzte Festsetzung", "Hinweis")
TOOLTIPS = ("Angehakte Zahler erhalten mit „Alle drucken …“ eine Festsetzung", "", "",
            "Fester Monatsbetrag des Zahlers (ohne offene Beträge)", "Gegenüber der letzten Festsetzung",
            "Ausgestellt am, gültig ab", "")
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
PROBLEM = QBrush(QColor("#b00020"))


class PayerModel(QAbstractTableModel):
    def __init__(self, country: str = "DE", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.country = country
        self._all: list[PayerRow] = []
        self._rows: list[PayerRow] = []
        self.ticked: set[int] = set()
        self.show_all = False

    # content ----------------------------------------------------------------------------
    def set_rows(self, rows: list[PayerRow], country: str) -> None:
        """New rows: the changed ones without a problem are ticked."""
        self.beginResetModel()
        self.country = country
        self._all = list(rows)
        self.ticked = {r.payer_id for r in rows if r.changed and not r.problems}
        self._filter()
        self.endResetModel()

    def set_show_all(self, show_all: bool) -> None:
        self.beginResetModel()
        self.show_all = show_all
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._rows = self._all if self.show_all else [r for r in self._all if r.changed]

    def rows(self) -> list[PayerRow]:
        return list(self._rows)

    def all_rows(self) -> list[PayerRow]:
        return list(self._all)

    def row_at(self, row: int) -> PayerRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def ticked_ids(self) -> list[int]:
        """The ticked payers among the shown rows, in the shown order."""
        return [r.payer_id for r in self._rows if r.payer_id in self.ticked]

    def tick_all(self, ticked: bool) -> None:
        shown = {r.payer_id for r in self._rows}
        self.ticked = (self.ticked | shown) if ticked else (self.ticked - shown)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    # QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def _text(self, row: PayerRow, column: int) -> str:
        if column == 1:
            return row.name
        if column == 2:
            return ", ".join(row.children)
        if column == 3:
            text = format_money(row.total, self.country)
            return f"{text} + offen" if row.has_open else text
        if column == 4:
            return row.status_label
        if column == 5:
            if row.last_issued is None:
                return ""
            return f"{format_date(row.last_issued.date())}, ab {row.last_from}"
        if column == 6:
            return " ".join(row.problems)
        return ""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return Qt.CheckState.Checked if row.payer_id in self.ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((ALIGN_RIGHT if column == 3 else ALIGN_LEFT).value)
        if role == Qt.ItemDataRole.ForegroundRole and row.problems:
            return PROBLEM
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 6 and row.problems:
                return "\n".join(row.problems)
            if column == 2:
                return "\n".join(row.children)
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        (self.ticked.add if checked else self.ticked.discard)(row.payer_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and TOOLTIPS[section]:
            return TOOLTIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((ALIGN_RIGHT if section == 3 else ALIGN_LEFT).value)
        return None
