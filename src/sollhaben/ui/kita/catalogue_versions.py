"""The version list every catalogue editor shares, and the parsing of what the clerk typed.

A `VersionsWidget` shows one row per version: "Gültig ab" and "Gültig bis" as MM.JJJJ, the value
columns of the editor (amount, percent …) and whether the version is already billed. Its rows are
kept in the order the clerk sees them and sent to the service in that order, so an error such as
`versions[1].amount` names row 1. "Neue Version ab" adds a version from a month with the values of
the version before it and closes that one with the month before — what the service does on save —
so the list already shows the result. Billed versions keep their start and values (read-only).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.months import Month, Validity
from sollhaben.ui.field_errors import ERROR_COLOR
from sollhaben.ui.forms.ui_kita_catalogue_versions import Ui_CatalogueVersions

FROM, TO = 0, 1
READ_ONLY_COLOR = QColor("#6b6b6b")
_VERSION_LABEL = re.compile(r"Version ab (\d{2}\.\d{4})")


# --- the widget -----------------------------------------------------------------------------------

@dataclass
class VersionState:
    """What a row holds besides its cell texts."""

    id: int | None
    billed_through: Month | None = None
    payload: list = field(default_factory=list)  # fee groups: the tier rows [number, label, amount]
    closed: tuple["VersionState", str] | None = None  # the version this new one closed, its former end


class VersionsWidget(QWidget):
    """`current_changed(row)` when another version is selected; `changed()` on any edit."""

    current_changed = Signal(int)
    changed = Signal()

    def __init__(self, value_columns: Sequence[tuple[str, str, int]], parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.ui = Ui_CatalogueVersions()
        self.ui.setupUi(self)
        self.today = today
        self.columns = {"valid_from": FROM, "valid_to": TO}
        for i, (name, _title, _width) in enumerate(value_columns):
            self.columns[name] = 2 + i
        self.status_column = 2 + len(value_columns)
        self.read_only_columns: set[int] = {self.status_column}  # computed columns (tier count …)
        self.states: list[VersionState] = []
        table = self.ui.versionTable
        table.setColumnCount(self.status_column + 1)
        table.setHorizontalHeaderLabels(["Gültig ab", "Gültig bis", *(t for _n, t, _w in value_columns),
                                         "Abgerechnet bis"])
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((80, 80, *(w for _n, _t, w in value_columns))):
            table.setColumnWidth(column, width)
        self.ui.billedNoteLabel.hide()
        self.ui.newVersionButton.clicked.connect(self.add_from_edit)
        self.ui.newVersionEdit.installEventFilter(self)
        self.ui.removeVersionButton.clicked.connect(self.remove_current)
        table.currentCellChanged.connect(self._current_cell_changed)
        table.itemChanged.connect(lambda _item: self.changed.emit())
        self._loading = False
        self._marked: list[int] = []  # rows whose start is marked
        self.new_version_error: Callable[[FieldError | None], None] = lambda _error: None

    # content ------------------------------------------------------------------------------
    def load(self, rows: Sequence[tuple[int | None, Validity, Month | None, dict[str, str], list]]) -> None:
        """(id, validity, billed through, value texts by column name, payload) per version."""
        table = self.ui.versionTable
        self._loading = True
        table.blockSignals(True)
        table.setRowCount(0)
        self.states, self._marked = [], []
        for version_id, valid, billed, values, payload in rows:
            self._insert(len(self.states), VersionState(version_id, billed, payload),
                         str(valid.valid_from), str(valid.valid_to or ""), values)
        table.blockSignals(False)
        self._loading = False
        if self.states:
            self.set_current(len(self.states) - 1)
        self._update_controls()
        self.ui.newVersionEdit.setText(str(self.suggest_month()))

    def _insert(self, row: int, state: VersionState, start: str, end: str, values: dict[str, str]) -> None:
        table = self.ui.versionTable
        table.insertRow(row)
        self.states.insert(row, state)
        texts = {FROM: start, TO: end, self.status_column: str(state.billed_through or "")}
        for name, column in self.columns.items():
            if column >= 2:
                texts[column] = values.get(name, "")
        for column in range(table.columnCount()):
            item = QTableWidgetItem(texts.get(column, ""))
            table.setItem(row, column, item)
        self._apply_flags(row)

    def _apply_flags(self, row: int) -> None:
        billed = self.states[row].billed_through is not None
        for column in range(self.ui.versionTable.columnCount()):
            item = self.ui.versionTable.item(row, column)
            fixed = column in self.read_only_columns or (billed and column != TO)
            flags = item.flags()
            item.setFlags(flags & ~Qt.ItemFlag.ItemIsEditable if fixed else flags | Qt.ItemFlag.ItemIsEditable)
            if fixed:
                item.setForeground(QBrush(READ_ONLY_COLOR))
            if column == self.status_column or column >= 2 and column in self.read_only_columns:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            elif column >= 2:  # amounts and percentages
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def row_count(self) -> int:
        return len(self.states)

    def current_row(self) -> int:
        return self.ui.versionTable.currentRow()

    def set_current(self, row: int) -> None:
        if 0 <= row < self.row_count():
            self.ui.versionTable.setCurrentCell(row, FROM)

    def state(self, row: int) -> VersionState:
        return self.states[row]

    def is_billed(self, row: int) -> bool:
        return 0 <= row < self.row_count() and self.states[row].billed_through is not None

    def text(self, row: int, name: str) -> str:
        item = self.ui.versionTable.item(row, self.columns[name])
        return item.text().strip() if item else ""

    def set_text(self, row: int, name: str, text: str) -> None:
        self.ui.versionTable.item(row, self.columns[name]).setText(text)

    def show_columns(self, names: set[str]) -> None:
        """Show only the value columns named (the others belong to another kind or mode)."""
        for name, column in self.columns.items():
            if column >= 2:
                self.ui.versionTable.setColumnHidden(column, name not in names)

    def snapshot(self) -> tuple:
        table = self.ui.versionTable
        return tuple((s.id, tuple(table.item(r, c).text() for c in range(table.columnCount())),
                      repr(s.payload)) for r, s in enumerate(self.states))

    def validity(self, row: int) -> tuple[Validity | None, list[FieldError]]:
        """The row's months, or None and the errors at its cells."""
        start_text, end_text = self.text(row, "valid_from"), self.text(row, "valid_to")
        problems: list[FieldError] = []
        start = end = None
        try:
            start = Month.parse(start_text, "Gültig ab")
        except ValidationError as exc:
            problems.append(FieldError(f"versions[{row}].valid_from", exc.errors[0].message))
        if end_text:
            try:
                end = Month.parse(end_text, "Gültig bis")
            except ValidationError as exc:
                problems.append(FieldError(f"versions[{row}].valid_to", exc.errors[0].message))
        if problems or start is None:
            return None, problems
        if end is not None and end < start:
            return None, [FieldError(f"versions[{row}].valid_to",
                                     f"Gültig bis: {end} liegt vor „Gültig ab“ {start}.")]
        return Validity(start, end), []

    def _start(self, row: int) -> Month | None:
        try:
            return Month.parse(self.text(row, "valid_from"))
        except ValidationError:
            return None

    def _end(self, row: int) -> Month | None:
        try:
            return Month.parse(self.text(row, "valid_to")) if self.text(row, "valid_to") else None
        except ValidationError:
            return None

    # new version, remove ------------------------------------------------------------------------
    def suggest_month(self) -> Month:
        """The next month, or the month after the last start or billed month when that is later."""
        candidates = [Month.of(self.today()) + (1 if self.states else 0)]
        for row, state in enumerate(self.states):
            start = self._start(row)
            if start is not None:
                candidates.append(start + 1)
            if state.billed_through is not None:
                candidates.append(state.billed_through + 1)
        return max(candidates)

    def add_from_edit(self) -> int | None:
        try:
            month = Month.parse(self.ui.newVersionEdit.text(), "Neue Version ab")
        except ValidationError as exc:
            self.new_version_error(FieldError("new_version", exc.errors[0].message))
            return None
        return self.add_version(month)

    def add_version(self, month: Month) -> int | None:
        """A new version from `month` with the values of the version before it (closed with the
        month before); returns its row, or None after showing why not."""
        starts = [(row, self._start(row)) for row in range(self.row_count())]
        if any(start == month for _row, start in starts):
            self.new_version_error(FieldError("new_version", f"Neue Version ab: Ab {month} gibt es schon eine "
                                                             "Version; bitte diese ändern."))
            return None
        before = [(start, row) for row, start in starts if start is not None and start < month]
        after = [(start, row) for row, start in starts if start is not None and start > month]
        previous = max(before)[1] if before else None
        if previous is not None and self.is_billed(previous) and self.states[previous].billed_through >= month:
            billed = self.states[previous].billed_through
            self.new_version_error(FieldError(
                "new_version", f"Neue Version ab: Die Version ab {self.text(previous, 'valid_from')} ist bis {billed} "
                               f"abgerechnet; eine neue Version kann frühestens ab {billed + 1} beginnen."))
            return None
        self.new_version_error(None)
        end = min(after)[0] - 1 if after else None
        closed = None
        if previous is not None:
            old_end = self._end(previous)
            if old_end is None or old_end >= month:
                closed = (self.states[previous], self.text(previous, "valid_to"))
                end = old_end if old_end is not None and (end is None or old_end < end) else end
                self.set_text(previous, "valid_to", str(month - 1))
        source = previous if previous is not None else (self.current_row() if self.current_row() >= 0 else None)
        values = {name: self.text(source, name) for name, column in self.columns.items()
                  if column >= 2 and source is not None}
        payload = copy.deepcopy(self.states[source].payload) if source is not None else []
        row = previous + 1 if previous is not None else 0
        state = VersionState(None, None, payload, closed)
        self.clear_marks()
        self.ui.versionTable.blockSignals(True)
        self._insert(row, state, str(month), str(end or ""), values)
        self.ui.versionTable.blockSignals(False)
        self.set_current(row)
        self._update_controls()
        self.ui.newVersionEdit.setText(str(self.suggest_month()))
        self.changed.emit()
        return row

    def remove_current(self) -> None:
        row = self.current_row()
        if row < 0 or self.is_billed(row):
            return
        state = self.states[row]
        if state.closed is not None and state.closed[0] in self.states:
            other = self.states.index(state.closed[0])
            start = self._start(row)
            if start is not None and self.text(other, "valid_to") == str(start - 1):
                self.set_text(other, "valid_to", state.closed[1])  # undo the closing
        self.clear_marks()
        self.ui.versionTable.removeRow(row)
        del self.states[row]
        self.set_current(min(row, self.row_count() - 1))
        if not self.states:
            self.current_changed.emit(-1)
        self._update_controls()
        self.changed.emit()

    # errors at rows --------------------------------------------------------------------------------
    def row_for_message(self, message: str) -> int:
        """The row of the first "Version ab MM.JJJJ" a message names (overlaps, billed versions);
        the row count (no cell: only the list is marked) when it names none."""
        for label in _VERSION_LABEL.findall(message):
            for row in range(self.row_count()):
                if self.text(row, "valid_from") == label:
                    return row
        return self.row_count()

    def mark_rows(self, rows: dict[int, str]) -> None:
        """Colour the "Gültig ab" cell of rows whose values hold an error shown elsewhere."""
        self.clear_marks()
        for row, message in rows.items():
            item = self.ui.versionTable.item(row, FROM)
            if item is not None:
                item.setForeground(QBrush(QColor(ERROR_COLOR)))
                item.setToolTip(message)
                self._marked.append(row)

    def clear_marks(self) -> None:
        for row in self._marked:
            item = self.ui.versionTable.item(row, FROM)
            if item is not None:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")
                self._apply_flags(row)
        self._marked = []

    # internals ------------------------------------------------------------------------------------
    def _current_cell_changed(self, row: int, _column: int, previous_row: int, _previous_column: int) -> None:
        if row != previous_row and not self._loading:
            self._update_controls()
            self.current_changed.emit(row)

    def _update_controls(self) -> None:
        row = self.current_row()
        self.ui.removeVersionButton.setEnabled(0 <= row < self.row_count() and not self.is_billed(row))
        if self.is_billed(row):
            billed = self.states[row].billed_through
            self.ui.billedNoteLabel.setText(
                f"Die Version ab {self.text(row, 'valid_from')} ist bis {billed} abgerechnet: Beginn und Werte "
                f"bleiben, wie sie sind, nur „Gültig bis“ lässt sich noch setzen (frühestens {billed}). "
                f"Für neue Werte bitte „Neue Version ab“ {billed + 1} oder später wählen.")
            self.ui.billedNoteLabel.show()
        else:
            self.ui.billedNoteLabel.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Return in the month field adds the version (it must not save the dialog)."""
        if (watched is self.ui.newVersionEdit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.add_from_edit()
            return True
        return super().eventFilter(watched, event)
