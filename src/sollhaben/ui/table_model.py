"""Generic list model over DTO rows, and a proxy that filters 100 000 rows as you type.

`RowTableModel(columns, rows)` shows any objects through `Column`s. Sorting happens in the
model (one Python sort with precomputed keys) instead of in the proxy, because a proxy calls a
Python `lessThan`/`data` for every comparison. Filtering uses one lowercase search string per
row, computed once in `set_rows`; `FilterProxy.set_filter_text` computes the matching rows with a
list comprehension and invalidates once, so `filterAcceptsRow` is a list lookup.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.money import Money

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # data(index, ROW_ROLE) → the row object


def default_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Money):
        return format_money(value, "CH" if value.currency.value == "CHF" else "DE")
    return str(value)


def _sortable(value: Any) -> tuple:
    """None sorts last; text case-insensitively; Money by amount."""
    if value is None or value == "":
        return (1, "")
    if isinstance(value, str):
        return (0, value.casefold())
    if isinstance(value, Money):
        return (0, value.minor)
    return (0, value)


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], object]
    align: Qt.AlignmentFlag = ALIGN_LEFT
    sort_key: Callable[[Any], object] | None = None
    formatter: Callable[[Any], str] | None = None
    width: int | None = None  # initial width in pixels (None: the view decides)
    tooltip: str = ""
    stretch: bool = False  # this column takes the remaining width (instead of the last one)

    def text(self, row: Any) -> str:
        value = self.value(row)
        return self.formatter(value) if self.formatter is not None else default_text(value)

    def key(self, row: Any) -> tuple:
        return _sortable(self.sort_key(row) if self.sort_key is not None else self.value(row))


class RowTableModel(QAbstractTableModel):
    """Read-only table over a list of rows (DTOs). Row styling via optional callables."""

    def __init__(self, columns: Sequence[Column], rows: Iterable[Any] = (), parent: QObject | None = None,
                 foreground: Callable[[Any], Any] | None = None,
                 background: Callable[[Any], Any] | None = None,
                 font: Callable[[Any], Any] | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._foreground, self._background, self._font = foreground, background, font
        self._rows: list[Any] = []
        self._search: list[str] = []
        # called after rows changed and before the change is announced (proxies re-filter then)
        self.row_listeners: list[Callable[[], None]] = []
        self.set_rows(rows)

    # content ----------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search = [self._search_text(r) for r in self._rows]
        self._rows_changed()
        self.endResetModel()

    def _rows_changed(self) -> None:
        for listener in self.row_listeners:
            listener()

    def _search_text(self, row: Any) -> str:
        return "\x1f".join([c.text(row) for c in self.columns]).casefold()

    def rows(self) -> list[Any]:
        return list(self._rows)

    @property
    def search_keys(self) -> list[str]:
        return self._search

    def row_at(self, index: QModelIndex | QPersistentModelIndex | int) -> Any:
        """The row object for an index of this model, of a proxy above it, or a row number."""
        if isinstance(index, int):
            return self._rows[index]
        model = index.model()
        while isinstance(model, QSortFilterProxyModel) and model is not self:
            index = model.mapToSource(QModelIndex(index))
            model = index.model()
        if not index.isValid():
            return None
        return self._rows[index.row()]

    def find(self, predicate: Callable[[Any], bool]) -> int:
        """Position of the first row matching `predicate`, or -1."""
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    def replace_row(self, position: int, row: Any) -> None:
        self._rows[position] = row
        self._search[position] = self._search_text(row)
        self._rows_changed()
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))

    def append_row(self, row: Any) -> None:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._search.append(self._search_text(row))
        self._rows_changed()
        self.endInsertRows()

    def remove_row(self, position: int) -> None:
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        del self._search[position]
        self._rows_changed()
        self.endRemoveRows()

    # QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()].text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.columns[index.column()].align.value)
        if role == Qt.ItemDataRole.ForegroundRole and self._foreground is not None:
            return self._foreground(row)
        if role == Qt.ItemDataRole.BackgroundRole and self._background is not None:
            return self._background(row)
        if role == Qt.ItemDataRole.FontRole and self._font is not None:
            return self._font(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align.value)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or len(self._rows) < 2:
            return
        key = self.columns[column].key
        self.layoutAboutToBeChanged.emit()
        keys = [key(r) for r in self._rows]
        keyed = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        new_position = [0] * len(keyed)
        for new, old in enumerate(keyed):
            new_position[old] = new
        self._rows = [self._rows[i] for i in keyed]
        self._search = [self._search[i] for i in keyed]
        self._rows_changed()
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(new_position[i.row()], i.column()) for i in old_indexes]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()


class FilterProxy(QSortFilterProxyModel):
    """Filter as you type over all columns, case-insensitively; all words must occur.

    The accepted rows are computed in one list comprehension over the model's search keys and
    recomputed by the model's change hook before the proxy re-filters, so `filterAcceptsRow`
    (called once per row by Qt) is a bare list lookup."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._accepted: list[bool] | None = None
        self._model: RowTableModel | None = None

    def setSourceModel(self, model: RowTableModel) -> None:  # type: ignore[override]
        if self._model is not None:
            self._model.row_listeners.remove(self._recompute)
        self._model = model
        model.row_listeners.append(self._recompute)
        self._recompute()
        super().setSourceModel(model)

    def source(self) -> RowTableModel:
        return self._model  # type: ignore[return-value]

    def filter_text(self) -> str:
        return " ".join(self._words)

    def set_filter_text(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self._recompute()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _recompute(self) -> None:
        words = self._words
        if not words or self._model is None:
            self._accepted = None
            return
        keys = self._model.search_keys
        if len(words) == 1:
            word = words[0]
            self._accepted = [word in k for k in keys]
        else:
            self._accepted = [all(w in k for w in words) for k in keys]

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        accepted = self._accepted
        return True if accepted is None else accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the source model (one Python sort) and keep the proxy in source order."""
        if self._model is not None:
            self._model.sort(column, order)

    def row_at(self, index: QModelIndex) -> Any:
        return self.source().row_at(self.mapToSource(index))
