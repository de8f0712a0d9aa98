"""The persons page: the filterable register of persons and institutions, and the person editor
that opens on double-click, Return or "Neu" and pages through the list's current order."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from sollhaben.domain.master_data import PersonKind
from sollhaben.services import persons
from sollhaben.services.dto import PersonDTO, PersonRow
from sollhaben.ui.context import AppContext
from sollhaben.ui.persons.letter_dialog import LetterDialog
from sollhaben.ui.persons.person_editor import PersonEditor
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, FilterProxy, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

_KIND_LABELS = {kind.value: kind.label for kind in PersonKind}

PERSON_COLUMNS = (
    Column("Nr.", lambda r: r.id, ALIGN_RIGHT, width=70),
    Column("Art", lambda r: _KIND_LABELS.get(r.kind, r.kind), width=90),
    Column("Name", lambda r: r.last_name, width=190),
    Column("Vorname", lambda r: r.first_name, width=150),
    Column("Geburtsdatum", lambda r: r.birth_date, width=110),
    Column("Strasse", lambda r: r.street, width=200),
    Column("PLZ", lambda r: r.postal_code, width=70),
    Column("Ort", lambda r: r.town, width=160),
)


class PersonTableModel(RowTableModel):
    """The person list; builds each row's search text in one f-string (100 000 rows on open),
    formatting each distinct birth date once."""

    def __init__(self, parent=None) -> None:
        super().__init__(PERSON_COLUMNS, parent=parent)
        self._days: dict = {}

    def _search_text(self, r: PersonRow) -> str:
        pid, kind, last, first, born, postal, town, street = r
        if born is None:
            day = ""
        else:
            day = self._days.get(born)
            if day is None:
                day = self._days[born] = f"{born.day:02d}.{born.month:02d}.{born.year}"
        return (f"{pid}\x1f{_KIND_LABELS.get(kind, kind)}\x1f{last}\x1f{first}\x1f{day}"
                f"\x1f{street}\x1f{postal}\x1f{town}").casefold()


def row_of(person: PersonDTO) -> PersonRow:
    a = person.address
    return PersonRow(person.id, person.kind, person.last_name, person.first_name, person.birth_date,
                     a.postal_code, a.town, a.street)


class ListNavigator:
    """The editor's view of the list's current (filtered, sorted) order."""

    def __init__(self, proxy: FilterProxy) -> None:
        self.proxy = proxy
        self._positions: dict[int, int] | None = None
        model = proxy.sourceModel()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._forget)

    def _forget(self, *_args) -> None:
        self._positions = None

    def count(self) -> int:
        return self.proxy.rowCount()

    def id_at(self, position: int) -> int | None:
        row = self.proxy.row_at(self.proxy.index(position, 0))
        return None if row is None else row.id

    def position_of(self, record_id: int) -> int:
        model = self.proxy.sourceModel()
        if self._positions is None:  # rows moved: map ids to source rows once
            self._positions = {row.id: i for i, row in enumerate(model.rows())}
        source = self._positions.get(record_id)
        if source is None:
            return -1
        return self.proxy.mapFromSource(model.index(source, 0)).row()


class PersonsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        list_page = QWidget(self.stack)
        list_layout = QVBoxLayout(list_page)
        heading = QLabel("Personen und Institutionen", list_page)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        list_layout.addWidget(heading)
        self.list = FilterableList(PersonTableModel(), list_page,
                                   placeholder="Suchen nach Name, Vorname, Ort, PLZ, Nr. …")
        self.new_button = QPushButton("&Neu", list_page)
        self.new_button.setToolTip("Neue Person oder Institution erfassen (Strg+N)")
        self.edit_button = QPushButton("&Bearbeiten", list_page)
        self.edit_button.setToolTip("Markierte Person bearbeiten (Eingabetaste, Doppelklick)")
        self.letter_action = QAction("Brief &drucken …", self)
        self.letter_action.setShortcut(QKeySequence("Ctrl+P"))
        self.letter_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.letter_action.setToolTip("Brief an die markierte Person drucken, CH mit QR-Rechnung (Strg+P)")
        self.letter_action.triggered.connect(lambda: self.print_letter())
        self.addAction(self.letter_action)
        self.letter_button = QToolButton(list_page)
        self.letter_button.setDefaultAction(self.letter_action)
        self.list.toolbar.addWidget(self.new_button)
        self.list.toolbar.addWidget(self.edit_button)
        self.list.toolbar.addWidget(self.letter_button)
        list_layout.addWidget(self.list)
        self.stack.addWidget(list_page)

        self.editor = PersonEditor(context, self.stack)
        self.navigator = ListNavigator(self.list.proxy)
        self.editor.set_navigator(self.navigator)
        self.editor.set_person_source(self.list.model.rows)
        self.stack.addWidget(self.editor)

        self.list.activated.connect(lambda row: self.open_person(row.id))
        self.new_button.clicked.connect(self.new_person)
        self.edit_button.clicked.connect(self._edit_current)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), list_page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.new_person)
        self.editor.saved.connect(self._saved)
        self.editor.recordChanged.connect(self._select)
        self.editor.closed.connect(self.show_list)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        self._announcing = False
        if context.organization is not None:
            self.reload()

    # list -------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Load all rows of the organization in one query."""
        self.list.set_rows(persons.list_person_rows(self.context.db, self.context.organization_id))
        self.editor.refresh_position()

    def _saved(self, person_id: int) -> None:
        """Update the one changed row instead of reloading the whole register."""
        row = row_of(self.editor.record) if self.editor.record_id == person_id else None
        model = self.list.model
        if row is None:
            return
        position = model.find(lambda r: r.id == person_id)
        if position >= 0:
            model.replace_row(position, row)
        else:
            model.append_row(row)
        self.editor.refresh_position()
        self._announcing = True
        try:
            self.context.signals.data_changed.emit("person")
        finally:
            self._announcing = False

    def _data_changed(self, table: str) -> None:
        """Persons changed elsewhere (import, another page): reload unless we announced it."""
        if table == "person" and not self._announcing and self.context.organization is not None:
            self.reload()

    def _select(self, person_id: int | None) -> None:
        position = self.navigator.position_of(person_id) if person_id is not None else -1
        if position >= 0:
            index = self.list.proxy.index(position, 0)
            self.list.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.list.table.scrollTo(index)

    # editor -----------------------------------------------------------------------------------
    def _edit_current(self) -> None:
        row = self.list.current_row()
        if row is not None:
            self.open_person(row.id)

    def open_person(self, person_id: int) -> bool:
        if not self.editor.open_record(person_id):
            return False
        self.stack.setCurrentWidget(self.editor)
        return True

    def new_person(self) -> bool:
        if not self.editor.new_record():
            return False
        self.stack.setCurrentWidget(self.editor)
        self.editor.basic.lastNameEdit.setFocus()
        return True

    def print_letter(self, person_id: int | None = None) -> LetterDialog | None:
        """"Brief drucken …" for the given person, the one in the editor or the marked row."""
        if person_id is None:
            if self.stack.currentWidget() is self.editor:
                person_id = self.editor.record_id
            else:
                row = self.list.current_row()
                person_id = row.id if row is not None else None
        if person_id is None or self.context.organization is None:
            return None
        dialog = LetterDialog(self.context, persons.get_person(self.context.db, person_id), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # window-modal, does not block
        self.letter_dialog = dialog
        return dialog

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.list.table.setFocus()

    def can_leave(self) -> bool:
        """For the main window: ask about unsaved changes before another page is shown."""
        return self.stack.currentWidget() is not self.editor or self.editor.confirm_leave()
