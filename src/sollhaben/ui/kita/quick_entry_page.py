"""The page "Schnellerfassung": the counts of PER_UNIT lines and the amounts of INDIVIDUAL lines of
every child of a facility in a month, in one grid (a row per child, a column per line), saved in
one transaction through `billing_data.save_quick_entry`.

Typing starts editing, Return moves down, Tab moves right; the last row holds the column totals.
A refused save stores nothing and marks every bad cell (red, with the message as tooltip)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QTableWidgetItem,
    QWidget,
)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 reference-count fixes)
from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.kita.model import BillingMode
from sollhaben.domain.master_data import UnitKind
from sollhaben.domain.money import Money, parse_amount, total
from sollhaben.domain.months import Month
from sollhaben.services import organizations
from sollhaben.services.kita import billing_data
from sollhaben.services.kita.dto import QuickChange, QuickEntryDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_BACKGROUND, ERROR_COLOR, ask
from sollhaben.ui.forms.ui_kita_quick_entry import Ui_QuickEntryPage

KEY_ROLE = Qt.ItemDataRole.UserRole
NO_CELL = QColor("#eeeeee")


class _ReturnMovesDown(QStyledItemDelegate):
    """Return in a cell editor commits the value and moves to the next row (Tab: the next column)."""

    def __init__(self, move_down: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._move_down = move_down

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._move_down()
            return True
        return super().eventFilter(editor, event)


class QuickEntryPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_QuickEntryPage()
        self.ui.setupUi(self)
        self.data: QuickEntryDTO | None = None
        self._loaded: dict[tuple[int, str], str] = {}
        self._filling = False
        grid = self.ui.grid
        grid.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        grid.setItemDelegate(_ReturnMovesDown(self.move_down, grid))
        grid.verticalHeader().hide()
        grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        grid.installEventFilter(self)
        grid.itemChanged.connect(self._cell_changed)
        self.ui.monthEdit.setText(str(Month.of(today())))
        self.ui.loadButton.clicked.connect(lambda: self.load())
        self.ui.monthEdit.returnPressed.connect(lambda: self.load())
        self.ui.saveButton.clicked.connect(lambda: self.save())
        self.ui.resetButton.clicked.connect(self.reset)
        for keys, slot in (("Ctrl+S", self.save), ("F5", self.load)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        context.signals.organization_changed.connect(lambda _org: self._fill_facilities())
        self._fill_facilities()

    @property
    def country(self) -> str:
        return self.context.country

    def _fill_facilities(self) -> None:
        combo = self.ui.facilityCombo
        combo.clear()
        org = self.context.organization
        for unit in organizations.list_units(self.context.db, org.id, UnitKind.FACILITY.value) if org else []:
            combo.addItem(unit.name, unit.id)
        self.ui.hintLabel.setText("Einrichtung und Monat wählen, dann „Laden“ (F5). Tippen ändert die Zelle, "
                                  "Eingabe geht nach unten, Tab nach rechts; „Speichern“ (Strg+S) speichert alles "
                                  "in einem Schritt." if combo.count() else
                                  "Noch keine Einrichtung – bitte unter „Einheiten“ eine Kita erfassen.")

    # loading --------------------------------------------------------------------------------------
    def load(self) -> bool:
        if self.is_dirty() and ask(self, "Schnellerfassung", "Ungespeicherte Eingaben verwerfen?",
                                   ["Verwerfen", "Abbrechen"]) != "Verwerfen":
            return False
        facility_id = self.ui.facilityCombo.currentData()
        try:
            month = Month.parse(self.ui.monthEdit.text())
        except ValidationError as exc:
            self._message(exc.errors[0].message, error=True)
            return False
        if facility_id is None:
            return False
        self.show_data(billing_data.quick_entry_rows(self.context.db, facility_id, month))
        self._message(f"{len(self.data.rows)} Kinder mit Abrechnungsdaten im {month}."
                      if self.data.rows else f"Im {month} hat kein Kind dieser Einrichtung Positionen nach Anzahl "
                                             "oder individuelle Beträge.")
        return True

    def _text(self, value) -> str:
        if isinstance(value, Money):
            return format_money(value, Country(self.country)) if value.minor else ""
        return str(value) if value else ""

    def show_data(self, data: QuickEntryDTO) -> None:
        self.data = data
        self._filling = True
        grid = self.ui.grid
        grid.clear()
        grid.setColumnCount(len(data.columns) + 1)
        grid.setRowCount(len(data.rows) + 1)
        grid.setHorizontalHeaderLabels(["Kind"] + [
            f"{c.name}\n({'Anzahl' if c.mode is BillingMode.PER_UNIT else 'Betrag'})" for c in data.columns])
        self._loaded = {}
        for r, row in enumerate(data.rows):
            name = QTableWidgetItem(row.name + (" (gesperrt)" if row.locked else ""))
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            name.setData(KEY_ROLE, row.child_id)
            grid.setItem(r, 0, name)
            for c, column in enumerate(data.columns, start=1):
                cell = row.cells.get(column.key)
                item = QTableWidgetItem(self._text(cell.value) if cell else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if cell is None or not cell.editable:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setBackground(QBrush(NO_CELL))
                    item.setToolTip("Das Kind hat diese Position nicht." if cell is None else
                                    "Abgerechnet und gesperrt (Option „Abrechnungsdaten nach Sollstellung sperren“).")
                else:
                    self._loaded[(row.child_id, column.key)] = item.text()
                grid.setItem(r, c, item)
        bold = QFont(grid.font())
        bold.setBold(True)
        for c in range(grid.columnCount()):
            item = QTableWidgetItem("Summe" if c == 0 else "")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setFont(bold)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter if c else
                                  Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            grid.setItem(len(data.rows), c, item)
        header = grid.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        grid.setColumnWidth(0, 220)
        for c in range(1, grid.columnCount()):
            grid.setColumnWidth(c, 120)
        self._filling = False
        self.update_totals()
        first = next(((r, c) for r in range(len(data.rows)) for c in range(1, grid.columnCount())
                      if grid.item(r, c).flags() & Qt.ItemFlag.ItemIsEditable), None)
        if first:
            grid.setCurrentCell(*first)

    # editing --------------------------------------------------------------------------------------
    def cell(self, child_id: int, key: str) -> QTableWidgetItem | None:
        if self.data is None:
            return None
        r = next((i for i, row in enumerate(self.data.rows) if row.child_id == child_id), None)
        c = next((i for i, col in enumerate(self.data.columns, start=1) if col.key == key), None)
        return None if r is None or c is None else self.ui.grid.item(r, c)

    def changes(self) -> list[QuickChange]:
        result = []
        for row in self.data.rows if self.data else ():
            for column in self.data.columns:
                item = self.cell(row.child_id, column.key)
                loaded = self._loaded.get((row.child_id, column.key))
                if loaded is not None and item.text().strip() != loaded:
                    result.append(QuickChange(row.child_id, column.key, item.text().strip(), row.period_version))
        return result

    def is_dirty(self) -> bool:
        return bool(self.changes())

    def _cell_changed(self, _item: QTableWidgetItem) -> None:
        if not self._filling:
            self.update_totals()

    def update_totals(self) -> None:
        """Column totals of what is typed now (unreadable cells count as nothing until saved)."""
        if self.data is None:
            return
        self._filling = True
        grid, last = self.ui.grid, len(self.data.rows)
        for c, column in enumerate(self.data.columns, start=1):
            texts = [grid.item(r, c).text().strip() for r in range(last)]
            if column.mode is BillingMode.PER_UNIT:
                value = str(sum(int(t) for t in texts if t.isdigit()))
            else:
                amounts = []
                for text in texts:
                    try:
                        amounts.append(parse_amount(text, self.data.currency))
                    except ValidationError:
                        pass
                value = format_money(total([a for a in amounts], self.data.currency), Country(self.country))
            grid.item(last, c).setText(value)
        self._filling = False

    def move_down(self) -> None:
        grid = self.ui.grid
        r, c = grid.currentRow(), grid.currentColumn()
        for below in range(r + 1, grid.rowCount() - 1):
            if grid.item(below, c).flags() & Qt.ItemFlag.ItemIsEditable:
                grid.setCurrentCell(below, c)
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.ui.grid and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self.ui.grid.state() != QAbstractItemView.State.EditingState:
            self.move_down()
            return True
        return super().eventFilter(watched, event)

    # saving ---------------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.data is None:
            return False
        self._clear_marks()
        changes = self.changes()
        if not changes:
            self._message("Keine Änderungen.")
            return True
        try:
            data = billing_data.save_quick_entry(self.context.db, self.data.facility_id, self.data.month, changes)
        except ValidationError as exc:
            self._mark(exc.errors)
            return False
        except ConflictError as exc:
            self._message(f"{exc} („Laden“ holt den aktuellen Stand.)", error=True)
            return False
        self.show_data(data)
        self._message(f"Gespeichert: {len(changes)} {'Zelle' if len(changes) == 1 else 'Zellen'}.")
        return True

    def reset(self) -> None:
        if self.data is not None and self.is_dirty() and ask(
                self, "Zurücksetzen", "Alle ungespeicherten Eingaben verwerfen?",
                ["Zurücksetzen", "Abbrechen"]) == "Zurücksetzen":
            self.show_data(self.data)

    def _mark(self, errors) -> None:
        import re

        messages = []
        for error in errors:
            messages.append(error.message)
            match = re.match(r"^cells\[(\d+)\](?:\[(.+)\])?$", error.field)
            if not match:
                continue
            child_id = int(match[1])
            item = self.cell(child_id, match[2]) if match[2] else None
            if item is None:
                r = next((i for i, row in enumerate(self.data.rows) if row.child_id == child_id), None)
                item = self.ui.grid.item(r, 0) if r is not None else None
            if item is not None:
                item.setBackground(QBrush(QColor(ERROR_BACKGROUND)))
                item.setForeground(QBrush(QColor(ERROR_COLOR)))
                item.setToolTip(error.message)
        noun = "den Fehler" if len(errors) == 1 else f"{len(errors)} Fehler"
        self._message(f"Nichts gespeichert – bitte {noun} korrigieren:\n" + "\n".join(dict.fromkeys(messages)),
                      error=True)

    def _clear_marks(self) -> None:
        grid = self.ui.grid
        for r in range(grid.rowCount() - 1):
            for c in range(grid.columnCount()):
                item = grid.item(r, c)
                if item is not None and item.flags() & Qt.ItemFlag.ItemIsEditable or c == 0:
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
                    item.setData(Qt.ItemDataRole.ForegroundRole, None)
                    if c:
                        item.setToolTip("")

    def _message(self, text: str, error: bool = False) -> None:
        self.ui.messageLabel.setText(text)
        self.ui.messageLabel.setStyleSheet(f"color: {ERROR_COLOR};" if error else "color: #2e6b30;")

    def can_leave(self) -> bool:
        return not self.is_dirty() or ask(self, "Schnellerfassung", "Ungespeicherte Eingaben verwerfen?",
                                          ["Verwerfen", "Abbrechen"]) == "Verwerfen"
