"""The units of the organization (Kita facilities, offices, municipalities): list and edit dialog."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.master_data import Address, UnitInput, UnitKind
from sollhaben.persistence.database import Database
from sollhaben.services import organizations
from sollhaben.services.dto import UnitDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.forms.ui_unit_dialog import Ui_UnitDialog
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.table_model import Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

UNIT_COLUMNS = (
    Column("Art", lambda u: UnitKind(u.kind).label, width=150),
    Column("Name", lambda u: u.name, stretch=True),
    Column("Kürzel", lambda u: u.code, width=90),
    Column("Adresse", lambda u: ", ".join(p for p in (
        f"{u.address.street} {u.address.house_number}".strip(),
        f"{u.address.postal_code} {u.address.town}".strip()) if p), width=320),
)


def default_kind(country: str) -> str:
    """A new unit of a Swiss social service is usually a municipality, in Germany a Kita."""
    return UnitKind.MUNICIPALITY.value if country == "CH" else UnitKind.FACILITY.value


class UnitDialog(FormDialog):
    """Create (`unit=None`) or edit one unit; errors appear at the field and nothing is saved."""

    saved = Signal(object)  # UnitDTO

    def __init__(self, db: Database, organization_id: int, unit: UnitDTO | None = None, country: str = "DE",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.unit = db, organization_id, unit
        self.ui = Ui_UnitDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        for kind in UnitKind:
            self.ui.kindCombo.addItem(kind.label, kind.value)
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.errors = FieldErrorView(self)
        ui = self.ui
        for field, widget in (("kind", ui.kindCombo), ("name", ui.nameEdit), ("code", ui.codeEdit),
                              ("address.street", ui.streetEdit), ("address.house_number", ui.houseNumberEdit),
                              ("address.postal_code", ui.postalCodeEdit), ("address.town", ui.townEdit),
                              ("address.country", ui.countryEdit), ("note", ui.noteEdit)):
            self.errors.register(field, widget)
        kind = unit.kind if unit else default_kind(country)
        ui.kindCombo.setCurrentIndex(ui.kindCombo.findData(kind))
        if unit is not None:
            self.setWindowTitle(f"Einheit bearbeiten – {unit.name}")
            a = unit.address
            ui.nameEdit.setText(unit.name)
            ui.codeEdit.setText(unit.code)
            ui.streetEdit.setText(a.street)
            ui.houseNumberEdit.setText(a.house_number)
            ui.postalCodeEdit.setText(a.postal_code)
            ui.townEdit.setText(a.town)
            ui.countryEdit.setText(a.country or country)
            ui.noteEdit.setPlainText(unit.note)
        else:
            self.setWindowTitle("Neue Einheit")
            ui.countryEdit.setText(country)
        self._loaded = self.collect()
        ui.nameEdit.setFocus()

    def collect(self) -> UnitInput:
        ui = self.ui
        address = Address(ui.streetEdit.text(), ui.houseNumberEdit.text(), ui.postalCodeEdit.text(),
                          ui.townEdit.text(), ui.countryEdit.text())
        return UnitInput(ui.nameEdit.text(), ui.kindCombo.currentData(), address, ui.codeEdit.text(),
                         ui.noteEdit.toPlainText())

    def is_dirty(self) -> bool:
        return self.collect() != self._loaded

    def save(self) -> bool:
        data = self.collect()
        try:
            unit = self.unit
            result = organizations.save_unit(self.db, self.organization_id, data, unit.id if unit else None,
                                             unit.version if unit else None)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except (ConflictError, NotFoundError) as exc:
            QMessageBox.warning(self, "Einheit", str(exc))
            return False
        self.unit = result
        self._loaded = self.collect()
        self._show_errors([])
        self.saved.emit(result)
        return True

    def _show_errors(self, errors: list[FieldError]) -> None:
        show_form_errors(self.errors, self.ui.summaryLabel, errors)


class UnitsPage(QWidget):
    """List of the units; "Neu" (Ctrl+N), "Bearbeiten" (Return, double-click)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        heading = QLabel("Einrichtungen, Dienststellen und Gemeinden", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        layout.addWidget(heading)
        self.list = FilterableList(RowTableModel(UNIT_COLUMNS), self, placeholder="Suchen nach Name, Art, Ort …")
        self.new_button = QPushButton("&Neu", self)
        self.new_button.setToolTip("Neue Einheit erfassen (Strg+N)")
        self.edit_button = QPushButton("&Bearbeiten", self)
        self.edit_button.setToolTip("Markierte Einheit bearbeiten (Eingabetaste, Doppelklick)")
        self.facility_button = QPushButton("Kita-Ein&stellungen …", self)
        self.facility_button.setToolTip("Abrechnungseinstellungen der markierten Einrichtung (nur für Kitas)")
        self.facility_button.setEnabled(False)
        self.list.toolbar.addWidget(self.new_button)
        self.list.toolbar.addWidget(self.edit_button)
        self.list.toolbar.addWidget(self.facility_button)
        layout.addWidget(self.list)
        self.new_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button.clicked.connect(lambda: self.open_dialog(self.list.current_row()))
        self.list.activated.connect(self.open_dialog)
        self.facility_button.clicked.connect(lambda: self.open_facility_settings(self.list.current_row()))
        self.list.current_changed.connect(
            lambda unit: self.facility_button.setEnabled(unit is not None and unit.kind == UnitKind.FACILITY.value))
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.open_dialog(None))
        context.signals.organization_changed.connect(lambda _org: self.reload())
        self.dialog: UnitDialog | None = None
        self.reload()

    def reload(self) -> None:
        org = self.context.organization
        self.list.set_rows(organizations.list_units(self.context.db, org.id) if org else [])

    def open_dialog(self, unit: UnitDTO | None) -> UnitDialog | None:
        if self.context.organization is None:
            return None
        dialog = UnitDialog(self.context.db, self.context.organization_id, unit, self.context.country, self)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_facility_settings(self, unit: UnitDTO | None):
        """The Kita billing settings of a facility (FacilitySettingsDialog), None for other units."""
        if unit is None or unit.kind != UnitKind.FACILITY.value or self.context.organization is None:
            return None
        from sollhaben.ui.kita.facility_settings import FacilitySettingsDialog  # only for Kita users

        dialog = FacilitySettingsDialog(self.context.db, self.context.organization_id, unit.id, unit.name, self)
        dialog.finished.connect(dialog.deleteLater)
        self.facility_dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, unit: UnitDTO) -> None:
        self.reload()
        self.list.select(lambda row: row.id == unit.id)
        self.context.signals.data_changed.emit("unit")
