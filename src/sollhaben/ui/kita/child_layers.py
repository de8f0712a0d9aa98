"""The layers Kind, Verträge and Sorgeberechtigte & Zahler of the child editor."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.formatting import format_date, parse_optional_date
from sollhaben.domain.kita import model as m
from sollhaben.services.dto import PersonRow, UnitDTO
from sollhaben.services.kita.dto import ChildDTO, ContractDTO, GuardianInput
from sollhaben.ui.forms.ui_kita_child_basic import Ui_ChildBasicLayer
from sollhaben.ui.forms.ui_kita_child_contracts import Ui_ChildContractsLayer
from sollhaben.ui.forms.ui_kita_child_family import Ui_ChildFamilyLayer
from sollhaben.ui.kita.widgets_picker import PersonPicker

ID_ROLE = Qt.ItemDataRole.UserRole


def _item(text: str, editable: bool = False, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        item.setData(ID_ROLE, data)
    return item


def person_name(row: PersonRow) -> str:
    return f"{row.first_name} {row.last_name}".strip()


class ChildBasicLayer(QWidget):
    """Name and birth date of the child's person, the notes; for a new child a lookup of an
    existing person of the register."""

    def __init__(self, rows: Callable[[], list[PersonRow]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ChildBasicLayer()
        self.ui.setupUi(self)
        self.rows = rows
        self.picked: PersonRow | None = None
        self.picker = PersonPicker(self.ui.pickEdit, rows, lambda r: r.kind == "NATURAL")
        self.picker.picked.connect(self.pick)
        self.ui.pickEdit.textEdited.connect(self._unpick)

    def set_child(self, child: ChildDTO | None) -> None:
        u = self.ui
        self.picked = None
        u.form.setRowVisible(u.pickEdit, child is None)
        u.pickEdit.clear()
        u.lastNameEdit.setText(child.last_name if child else "")
        u.firstNameEdit.setText(child.first_name if child else "")
        u.birthDateEdit.setText(format_date(child.birth_date) if child else "")
        u.notesEdit.setPlainText(child.notes if child else "")
        self._set_names_enabled(True)
        u.personInfoLabel.setText(
            f"Person Nr. {child.person_id} – Name und Geburtsdatum werden im Personenregister geändert." if child
            else "Neue Person: Name und Geburtsdatum eingeben, oder oben eine vorhandene Person wählen.")

    def pick(self, person_id: int) -> None:
        row = next((r for r in self.rows() if r.id == person_id), None)
        if row is None:
            return
        self.picked = row
        u = self.ui
        u.lastNameEdit.setText(row.last_name)
        u.firstNameEdit.setText(row.first_name)
        u.birthDateEdit.setText(format_date(row.birth_date))
        self._set_names_enabled(False)
        u.personInfoLabel.setText(f"Vorhandene Person Nr. {row.id} wird als Kind erfasst. (Auswahl aufheben: Feld "
                                  "„Vorhandene Person“ leeren.)")

    def _unpick(self, _text: str) -> None:
        """Typing in the lookup again drops the chosen person (a new lookup, or a new person)."""
        if self.picked is not None:
            self.picked = None
            self._set_names_enabled(True)
            self.ui.personInfoLabel.setText("Neue Person: Name und Geburtsdatum eingeben, oder oben eine vorhandene "
                                            "Person wählen.")

    def _set_names_enabled(self, enabled: bool) -> None:
        for edit in (self.ui.lastNameEdit, self.ui.firstNameEdit, self.ui.birthDateEdit):
            edit.setReadOnly(not enabled)

    def read(self, errors: ErrorCollector) -> tuple[str, str, date | None]:
        u = self.ui
        birth = errors.check("birth_date", parse_optional_date, u.birthDateEdit.text(), "Geburtsdatum")
        return u.lastNameEdit.text().strip(), u.firstNameEdit.text().strip(), birth


class ContractsLayer(QWidget):
    """The child's contracts and the form of one of them (new after "Neuer Vertrag")."""

    loaded = Signal()  # another contract is in the form (the editor re-baselines it)

    def __init__(self, parent: QWidget | None = None, today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.today = today
        self.ui = Ui_ChildContractsLayer()
        self.ui.setupUi(self)
        for status in m.ContractStatus:
            self.ui.statusCombo.addItem(status.label, status.value)
        header = self.ui.contractsTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.ui.contractsTable.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.contracts: list[ContractDTO] = []
        self.current: ContractDTO | None = None
        self.editing = False  # the form holds a contract (stored or new)
        self.ui.contractsTable.cellClicked.connect(lambda row, _c: self.choose(row))
        self.ui.newContractButton.clicked.connect(self.new_contract)

    def set_facilities(self, units: list[UnitDTO]) -> None:
        combo = self.ui.facilityCombo
        current = combo.currentData()
        combo.clear()
        for unit in units:
            combo.addItem(unit.name, unit.id)
        combo.setCurrentIndex(max(0, combo.findData(current)))

    def set_child(self, child: ChildDTO | None, keep_id: int | None = None) -> None:
        self.contracts = list(child.contracts) if child else []
        table = self.ui.contractsTable
        table.setRowCount(len(self.contracts))
        for r, dto in enumerate(self.contracts):
            c = dto.contract
            for col, text in enumerate((dto.facility_name, c.status.label, format_date(c.registered_on),
                                        format_date(c.first_day), format_date(c.last_day))):
                table.setItem(r, col, _item(text, data=c.id))
        keep = next((d for d in self.contracts if d.contract.id == keep_id), None)
        self._load(keep or (self.contracts[-1] if self.contracts else None))

    def _load(self, dto: ContractDTO | None, new: bool = False) -> None:
        u = self.ui
        self.current, self.editing = dto, dto is not None or new
        c = dto.contract if dto else None
        if c is not None:
            u.facilityCombo.setCurrentIndex(max(0, u.facilityCombo.findData(c.facility_id)))
        u.statusCombo.setCurrentIndex(u.statusCombo.findData((c.status if c else m.ContractStatus.REGISTERED).value))
        u.registeredEdit.setText(format_date(c.registered_on) if c else (format_date(self.today()) if new else ""))
        u.firstDayEdit.setText(format_date(c.first_day) if c else "")
        u.lastDayEdit.setText(format_date(c.last_day) if c else "")
        u.contractNoteEdit.setText(dto.note if dto else "")
        u.contractGroup.setEnabled(self.editing)
        u.contractGroup.setTitle("Neuer Vertrag" if new else ("Vertrag" if dto else "Vertrag (keiner)"))
        table = u.contractsTable
        table.blockSignals(True)
        table.clearSelection()
        for r, d in enumerate(self.contracts):
            if dto is not None and d.contract.id == dto.contract.id:
                table.selectRow(r)
        table.blockSignals(False)
        u.contractHintLabel.setText(
            "Status: angemeldet → lfd. Vertrag (ab dem ersten Betreuungstag) → abgemeldet (nach dem letzten). "
            "Gespeichert wird mit „Speichern“." if self.editing else
            "Noch kein Vertrag. „Neuer Vertrag“ öffnet das Formular.")

    def choose(self, row: int) -> None:
        if 0 <= row < len(self.contracts) and self.contracts[row] is not self.current:
            self._load(self.contracts[row])
            self.loaded.emit()

    def new_contract(self) -> None:
        self._load(None, new=True)
        self.loaded.emit()
        self.ui.facilityCombo.setFocus()

    def read(self, child_id: int, errors: ErrorCollector) -> tuple[m.Contract | None, str]:
        """The contract in the form, or None when the form holds nothing."""
        if not self.editing:
            return None, ""
        u = self.ui
        registered = errors.check("contract.registered_on", parse_optional_date, u.registeredEdit.text(),
                                  "Angemeldet am")
        first = errors.check("contract.first_day", parse_optional_date, u.firstDayEdit.text(), "Erster Betreuungstag")
        last = errors.check("contract.last_day", parse_optional_date, u.lastDayEdit.text(), "Letzter Betreuungstag")
        c = self.current.contract if self.current else None
        if u.facilityCombo.currentData() is None:
            errors.add("contract.facility_id", "Einrichtung: Bitte zuerst unter „Einheiten“ eine Einrichtung (Kita) "
                                               "erfassen.")
            return None, ""
        contract = m.Contract(child_id, u.facilityCombo.currentData(), m.ContractStatus(u.statusCombo.currentData()),
                              registered, first, last, c.id if c else None, c.version if c else 1)
        return contract, u.contractNoteEdit.text().strip()

    def changed(self, contract: m.Contract | None, note: str) -> bool:
        if contract is None:
            return False
        return self.current is None or contract != self.current.contract or note != self.current.note

    def stored(self, dto: ContractDTO) -> None:
        """After a save: the form now holds the stored contract (a second save does not add it again)."""
        self.current = dto
        self.editing = True


class FamilyLayer(QWidget):
    """Guardians (persons) and the payer list (persons and institutions), picked from the register."""

    payers_changed = Signal()

    def __init__(self, rows: Callable[[], list[PersonRow]], child_person: Callable[[], int | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ChildFamilyLayer()
        self.ui.setupUi(self)
        self.rows = rows
        for table, widths in ((self.ui.guardiansTable, (170, 90, 85)), (self.ui.payersTable, (240,))):
            table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
            for column, width in enumerate(widths):
                table.setColumnWidth(column, width)
        self.guardian_picker = PersonPicker(self.ui.guardianPickEdit, rows,
                                            lambda r: r.kind == "NATURAL" and r.id != child_person())
        self.payer_picker = PersonPicker(self.ui.payerPickEdit, rows, lambda r: r.id != child_person())
        self.guardian_picker.picked.connect(self.add_guardian)
        self.payer_picker.picked.connect(self.add_payer)
        self.ui.removeGuardianButton.clicked.connect(lambda: self._remove(self.ui.guardiansTable))
        self.ui.removePayerButton.clicked.connect(lambda: self._remove(self.ui.payersTable, True))

    def _row(self, person_id: int) -> PersonRow | None:
        return next((r for r in self.rows() if r.id == person_id), None)

    def set_child(self, child: ChildDTO | None) -> None:
        self.ui.guardiansTable.setRowCount(0)
        self.ui.payersTable.setRowCount(0)
        for g in child.guardians if child else ():
            self.add_guardian(g.person_id, g.name, g.relation, g.valid_from, g.valid_to)
        for p in child.payers if child else ():
            self.add_payer(p.person_id, p.name, p.kind)

    def add_guardian(self, person_id: int, name: str = "", relation: str = "", valid_from=None, valid_to=None) -> None:
        table = self.ui.guardiansTable
        if self._ids(table).count(person_id):
            return
        if not name:
            row = self._row(person_id)
            name = person_name(row) if row else f"Nr. {person_id}"
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, _item(name, data=person_id))
        table.setItem(r, 1, _item(relation, True))
        table.setItem(r, 2, _item(format_date(valid_from), True))
        table.setItem(r, 3, _item(format_date(valid_to), True))

    def add_payer(self, person_id: int, name: str = "", kind: str = "") -> None:
        table = self.ui.payersTable
        if self._ids(table).count(person_id):
            return
        if not name:
            row = self._row(person_id)
            name, kind = (person_name(row), row.kind) if row else (f"Nr. {person_id}", kind)
        r = table.rowCount()
        table.insertRow(r)
        table.setItem(r, 0, _item(name, data=person_id))
        table.setItem(r, 1, _item("Institution" if kind == "INSTITUTION" else "Person"))
        self.payers_changed.emit()

    def _remove(self, table, payers: bool = False) -> None:
        row = table.currentRow()
        if row >= 0:
            table.removeRow(row)
            if payers:
                self.payers_changed.emit()

    @staticmethod
    def _ids(table) -> list[int]:
        return [table.item(r, 0).data(ID_ROLE) for r in range(table.rowCount())]

    def payers(self) -> list[tuple[int, str]]:
        table = self.ui.payersTable
        return [(table.item(r, 0).data(ID_ROLE), table.item(r, 0).text()) for r in range(table.rowCount())]

    def read(self, errors: ErrorCollector) -> tuple[list[GuardianInput], list[int]]:
        table = self.ui.guardiansTable
        guardians = []
        for r in range(table.rowCount()):
            text = [table.item(r, c).text() if table.item(r, c) else "" for c in range(4)]
            start = errors.check(f"guardians[{r}].valid_from", parse_optional_date, text[2], "Sorgeberechtigt ab")
            end = errors.check(f"guardians[{r}].valid_to", parse_optional_date, text[3], "Sorgeberechtigt bis")
            guardians.append(GuardianInput(table.item(r, 0).data(ID_ROLE), text[1].strip(), start, end))
        return guardians, [pid for pid, _name in self.payers()]
