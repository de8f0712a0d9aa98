"""Generic list model over DTO rows, and a proxy that filters 100 000 rows as you type.

`RowTableModel(columns, rows)` shows any objects through `Column`s. Sorting happens in the
model (one Python sort with precomputed keys) instead of in the proxy, because a proxy calls a
Python `lessThan`/`data` for every comparison; text sorts in dictionary order (`domain.collation`).
Filtering uses one lowercase search string per row, built in slices after `set_rows` while the
rows are already shown; `FilterProxy.set_filter_text` computes the visible rows with one list
comprehension and announces one layout change.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import (QAbstractProxyModel, QAbstractTableModel, QModelIndex, QObject,
                            QPersistentModelIndex, Qt, QTimer)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.collation import sort_key
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.money import Money

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # data(index, ROW_ROLE) → the row object
_KEY_SLICE = 5_000  # search texts built per event-loop turn (≈ 15 ms)


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
        return (0, sort_key(value))
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
    # the cell's tooltip: True → its full text (long texts a narrow column cuts); a callable → what it
    # returns for the row (e.g. a detail that has no column of its own)
    cell_tooltip: bool | Callable[[Any], str] = False

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
        self._search: list[str] = []  # search texts of the first len(_search) rows
        self._key_timer = QTimer(self)
        self._key_timer.setInterval(0)
        self._key_timer.timeout.connect(self._build_key_slice)
        self.set_rows(rows)

    # content ----------------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Any]) -> None:
        """Show `rows` at once; their search texts are built in slices between events
        (`search_keys` finishes the rest on demand), so 100 000 rows appear without waiting."""
        self.beginResetModel()
        self._rows = list(rows)
        self._search = []
        self.endResetModel()
        if len(self._rows) > _KEY_SLICE:
            self._key_timer.start()
        else:
            self._complete_keys()

    def _build_key_slice(self) -> None:
        start = len(self._search)
        end = min(start + _KEY_SLICE, len(self._rows))
        text = self._search_text
        self._search.extend([text(r) for r in self._rows[start:end]])
        if end >= len(self._rows):
            self._key_timer.stop()

    def _complete_keys(self) -> None:
        if len(self._search) < len(self._rows):
            text = self._search_text
            self._search.extend([text(r) for r in self._rows[len(self._search):]])
        self._key_timer.stop()

    def _search_text(self, row: Any) -> str:
        return "\x1f".join([c.text(row) for c in self.columns]).casefold()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def search_ready(self) -> bool:
        """True once every row's search text is built (filtering then costs no extra time)."""
        return len(self._search) == len(self._rows)

    @property
    def search_keys(self) -> list[str]:
        """One lowercase text per row (all columns as displayed) for the filter."""
        self._complete_keys()
        return self._search

    def row_at(self, index: QModelIndex | QPersistentModelIndex | int) -> Any:
        """The row object for an index of this model, of a proxy above it, or a row number."""
        if isinstance(index, int):
            return self._rows[index]
        model = index.model()
        while isinstance(model, QAbstractProxyModel) and model is not self:
            index = model.mapToSource(QModelIndex(index))
            model = index.model()
        if not index.isValid():
            return None
        return self._rows[index.row()]

    def find(self, predicate: Callable[[Any], bool]) -> int:
        """Position of the first row matching `predicate`, or -1."""
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    def replace_row(self, position: int, row: Any) -> None:
        self._complete_keys()
        self._rows[position] = row
        self._search[position] = self._search_text(row)
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))

    def append_row(self, row: Any) -> None:
        self._complete_keys()
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._search.append(self._search_text(row))
        self.endInsertRows()

    def remove_row(self, position: int) -> None:
        self._complete_keys()
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        del self._search[position]
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
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[index.column()].cell_tooltip:
            tip = self.columns[index.column()].cell_tooltip
            return (tip(row) if callable(tip) else self.columns[index.column()].text(row)) or None
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
        self._complete_keys()
        self.layoutAboutToBeChanged.emit()
        keys = [key(r) for r in self._rows]
        keyed = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        new_position = [0] * len(keyed)
        for new, old in enumerate(keyed):
            new_position[old] = new
        self._rows = [self._rows[i] for i in keyed]
        self._search = [self._search[i] for i in keyed]
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(new_position[i.row()], i.column()) for i in old_indexes]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()


def _narrows(old: list[str], new: list[str]) -> bool:
    """True when every row matching `new` also matches `old` (the user typed on)."""
    return len(new) >= len(old) and all(o in n for o, n in zip(old, new))


class FilterProxy(QAbstractProxyModel):
    """Filter as you type over all columns, case-insensitively; all words must occur.

    Not a QSortFilterProxyModel: that one calls a Python `filterAcceptsRow` once per source row
    (100 000 calls per keystroke) and removes rejected rows range by range. Here the visible
    source rows are one list computed by a comprehension over the model's search keys, and a
    filter change is one layout change. The proxy keeps the source order (sorting happens in the
    model), so `_visible` is ascending and `mapFromSource` is a binary search. Selection and
    current row survive filtering, sorting and edits through Qt's persistent indexes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._visible: list[int] | None = None  # None: no filter, every source row is visible
        self._model: RowTableModel | None = None
        self._pending: list[tuple[QPersistentModelIndex, QPersistentModelIndex]] = []
        self._connections: list = []

    # source ------------------------------------------------------------------------------
    def setSourceModel(self, model: RowTableModel) -> None:  # type: ignore[override]
        self.beginResetModel()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._model = model
        super().setSourceModel(model)
        self._connections = [
            (model.modelAboutToBeReset, self.beginResetModel),
            (model.modelReset, self._source_reset),
            (model.layoutAboutToBeChanged, self._source_about_to_change),
            (model.layoutChanged, self._source_changed),
            (model.rowsAboutToBeInserted, self._source_about_to_change),
            (model.rowsInserted, self._source_changed),
            (model.rowsAboutToBeRemoved, self._source_about_to_change),
            (model.rowsRemoved, self._source_changed),
            (model.dataChanged, self._source_data_changed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)
        self._recompute()
        self.endResetModel()

    def source(self) -> RowTableModel:
        return self._model  # type: ignore[return-value]

    def _source_reset(self) -> None:
        self._recompute()
        self.endResetModel()

    def _source_about_to_change(self, *_args) -> None:
        """Remember the proxy's persistent indexes as source indexes (Qt moves those for us)."""
        self.layoutAboutToBeChanged.emit()
        self._pending = [(QPersistentModelIndex(i), QPersistentModelIndex(self.mapToSource(i)))
                         for i in self.persistentIndexList()]

    def _source_changed(self, *_args, recompute: bool = True) -> None:
        if recompute:
            self._recompute()
        pending, self._pending = self._pending, []
        old = [proxy_index for proxy_index, _ in pending]
        new = [self.mapFromSource(QModelIndex(source_index)) for _, source_index in pending]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles=()) -> None:
        if self._visible is not None:  # an edit may move a row into or out of the filter
            self._source_about_to_change()
            self._source_changed()
            return
        self.dataChanged.emit(self.mapFromSource(top_left), self.mapFromSource(bottom_right), roles)

    # filter --------------------------------------------------------------------------------
    def filter_text(self) -> str:
        return " ".join(self._words)

    def set_filter_text(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._words:
            return
        self._source_about_to_change()
        previous, self._words = self._words, words
        self._recompute(previous)
        self._source_changed(recompute=False)

    def _recompute(self, previous_words: list[str] | None = None) -> None:
        """Visible rows for the current words. Typing on ("mü" → "mül", "müller" → "müller a")
        only narrows: each previous word is contained in a new one at the same place, so the
        previous result is filtered instead of all rows. Each word is one comprehension."""
        words = self._words
        if not words or self._model is None:
            self._visible = None
            return
        keys = self._model.search_keys
        candidates: list[int] | None = None
        if previous_words and self._visible is not None and _narrows(previous_words, words):
            candidates = self._visible
        for word in words:
            if candidates is None:
                candidates = [i for i, k in enumerate(keys) if word in k]
            else:
                candidates = [i for i in candidates if word in keys[i]]
        self._visible = candidates

    # QAbstractProxyModel -------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._model is None:
            return 0
        return self._model.rowCount() if self._visible is None else len(self._visible)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._model is None else self._model.columnCount()

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: QModelIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if child is None:  # QObject.parent()
            return super().parent()  # type: ignore[call-arg]
        return QModelIndex()

    def sibling(self, row: int, column: int, index: QModelIndex) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxy_index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        if not proxy_index.isValid() or self._model is None:
            return QModelIndex()
        row = proxy_index.row()
        visible = self._visible
        if visible is not None:
            if row >= len(visible):
                return QModelIndex()
            row = visible[row]
        return self._model.index(row, proxy_index.column())

    def mapFromSource(self, source_index: QModelIndex | QPersistentModelIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = source_index.row()
        visible = self._visible
        if visible is not None:
            position = bisect_left(visible, row)
            if position == len(visible) or visible[position] != row:
                return QModelIndex()
            row = position
        return self.createIndex(row, source_index.column())

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self._model.data(self.mapToSource(index), role) if self._model is not None else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and self._model is not None:
            return self._model.headerData(section, orientation, role)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in the source model (one Python sort); the proxy keeps source order."""
        if self._model is not None:
            self._model.sort(column, order)

    def row_at(self, index: QModelIndex) -> Any:
        source = self.mapToSource(index)
        return self._model.row_at(source.row()) if source.isValid() and self._model is not None else None
