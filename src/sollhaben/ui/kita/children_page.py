"""The page "Kinder": the filterable children list (name, birth date, facility, contract status,
first and last care day) and the child editor that opens on double-click, Return, "Bearbeiten" or
"Neu" (Ctrl+N) and pages through the list's current order."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 reference-count fixes)
from sollhaben.domain.kita.model import ContractStatus
from sollhaben.services import persons
from sollhaben.services.dto import PersonRow
from sollhaben.services.kita import children
from sollhaben.services.kita.dto import ChildRow
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.child_editor import ChildEditor
from sollhaben.ui.persons.persons_page import ListNavigator
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

_STATUS = {s.value: s.label for s in ContractStatus}

CHILD_COLUMNS = (
    Column("Nr.", lambda r: r.id, ALIGN_RIGHT, width=60),
    Column("Name", lambda r: r.last_name, width=170),
    Column("Vorname", lambda r: r.first_name, width=140),
    Column("Geburtsdatum", lambda r: r.birth_date, width=110),
    Column("Einrichtung", lambda r: r.facility_name, width=190),
    Column("Status", lambda r: _STATUS.get(r.status, "kein Vertrag"), width=110),
    Column("Von", lambda r: r.first_day, width=100, tooltip="Erster Betreuungstag"),
    Column("Bis", lambda r: r.last_day, width=100, tooltip="Letzter Betreuungstag"),
)


def row_of(child) -> ChildRow:
    contract = child.contracts[-1] if child.contracts else None
    c = contract.contract if contract else None
    return ChildRow(child.id, child.person_id, child.last_name, child.first_name, child.birth_date,
                    c.facility_id if c else None, contract.facility_name if contract else "",
                    c.status.value if c else "", c.first_day if c else None, c.last_day if c else None)


class ChildrenPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context = context
        self._person_rows: list[PersonRow] | None = None
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        list_page = QWidget(self.stack)
        list_layout = QVBoxLayout(list_page)
        heading = QLabel("Kinder", list_page)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        list_layout.addWidget(heading)
        self.list = FilterableList(RowTableModel(CHILD_COLUMNS), list_page,
                                   placeholder="Suchen nach Name, Geburtsdatum, Einrichtung, Status …")
        self.new_button = QPushButton("&Neu", list_page)
        self.new_button.setToolTip("Neues Kind erfassen: neue Person oder eine vorhandene wählen (Strg+N)")
        self.edit_button = QPushButton("&Bearbeiten", list_page)
        self.edit_button.setToolTip("Markiertes Kind bearbeiten (Eingabetaste, Doppelklick)")
        self.list.toolbar.addWidget(self.new_button)
        self.list.toolbar.addWidget(self.edit_button)
        list_layout.addWidget(self.list)
        self.stack.addWidget(list_page)

        self.editor = ChildEditor(context, self.person_rows, self.stack, today=today,
                                  child_rows=lambda: self.list.model.rows())
        self.navigator = ListNavigator(self.list.proxy)
        self.editor.set_navigator(self.navigator)
        self.stack.addWidget(self.editor)

        self.list.activated.connect(lambda row: self.open_child(row.id))
        self.new_button.clicked.connect(self.new_child)
        self.edit_button.clicked.connect(self._edit_current)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), list_page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.new_child)
        self.editor.saved.connect(self._saved)
        self.editor.recordChanged.connect(self._select)
        self.editor.closed.connect(self.show_list)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        if context.organization is not None:
            self.reload()

    # data ---------------------------------------------------------------------------------------
    def person_rows(self) -> list[PersonRow]:
        """The register for the pickers, read once (again after persons changed)."""
        if self._person_rows is None:
            org = self.context.organization
            self._person_rows = persons.list_person_rows(self.context.db, org.id) if org else []
        return self._person_rows

    def reload(self) -> None:
        org = self.context.organization
        self._person_rows = None
        self.list.set_rows(children.list_child_rows(self.context.db, org.id) if org else [])
        self.editor.refresh_position()

    def _data_changed(self, table: str) -> None:
        if table == "person":
            self._person_rows = None
            for picker in (self.editor.basic.picker, self.editor.family.guardian_picker,
                           self.editor.family.payer_picker):
                picker.refresh()

    def _saved(self, child_id: int) -> None:
        record = self.editor.record
        if record is None or record.id != child_id:
            return
        model = self.list.model
        position = model.find(lambda r: r.id == child_id)
        if position >= 0:
            model.replace_row(position, row_of(record))
        else:
            model.append_row(row_of(record))
        self._person_rows = None
        for picker in (self.editor.basic.picker, self.editor.family.guardian_picker, self.editor.family.payer_picker):
            picker.refresh()
        self.editor.refresh_position()

    def _select(self, child_id: int | None) -> None:
        position = self.navigator.position_of(child_id) if child_id is not None else -1
        if position >= 0:
            index = self.list.proxy.index(position, 0)
            self.list.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.list.table.scrollTo(index)

    # editor -------------------------------------------------------------------------------------
    def _edit_current(self) -> None:
        row = self.list.current_row()
        if row is not None:
            self.open_child(row.id)

    def open_child(self, child_id: int) -> bool:
        if not self.editor.open_record(child_id):
            return False
        self.stack.setCurrentWidget(self.editor)
        return True

    def new_child(self) -> bool:
        if not self.editor.new_record():
            return False
        self.stack.setCurrentWidget(self.editor)
        self.editor.ui.layerTabs.setCurrentIndex(0)
        self.editor.basic.ui.pickEdit.setFocus()
        return True

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.list.table.setFocus()

    def can_leave(self) -> bool:
        return self.stack.currentWidget() is not self.editor or self.editor.confirm_leave()
