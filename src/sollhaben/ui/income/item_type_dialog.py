"""The editor of an income item type of the base table (Grundtabelle der Einkommenspositionen): label,
sign, validity. Every error at its field; nothing stored while one stands."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.income.model import IncomeItemType, ItemSign
from sollhaben.domain.months import Validity
from sollhaben.persistence.database import Database
from sollhaben.services.income import configuration
from sollhaben.services.income.dto import ItemTypeDTO
from sollhaben.ui.field_errors import FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.income.config_dialog_parts import (
    DIALOG_STYLE,
    HINT_STYLE,
    dialog_buttons,
    grow_to_fit,
    month_edit,
    parse_month_field,
    store_failed,
    summary_label,
)
from sollhaben.ui.income.config_tables import SIGNS


class ItemTypeDialog(FormDialog):
    """Create (`dto=None`, at `position`) or edit an income item type: Bezeichnung, Vorzeichen,
    Gültig ab/bis (empty: offered in every month)."""

    saved = Signal(object)  # ItemTypeDTO

    def __init__(self, db: Database, organization_id: int, dto: ItemTypeDTO | None = None, position: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.position = db, organization_id, position
        self.dto: ItemTypeDTO | None = None
        self.setObjectName("ItemTypeDialog")
        self.setStyleSheet(DIALOG_STYLE)
        self.setMinimumWidth(480)
        self.summary = summary_label(self)
        self.label_edit = QLineEdit(self)
        self.label_edit.setObjectName("labelEdit")
        self.label_edit.setMaxLength(configuration.LABEL_MAX)
        self.label_edit.setPlaceholderText("z. B. Lohn/Gehalt, Werbungskosten")
        self.sign_combo = QComboBox(self)
        self.sign_combo.setObjectName("signCombo")
        for value, text in SIGNS:
            self.sign_combo.addItem(text, value)
        self.sign_hint = QLabel(self)
        self.sign_hint.setObjectName("signHint")
        self.sign_hint.setStyleSheet(HINT_STYLE)
        self.valid_from_edit = month_edit(self, "validFromEdit")
        self.valid_to_edit = month_edit(self, "validToEdit")
        validity = QHBoxLayout()
        validity.addWidget(self.valid_from_edit)
        to_label = QLabel("Gültig &bis:", self)
        to_label.setBuddy(self.valid_to_edit)
        validity.addSpacing(12)
        validity.addWidget(to_label)
        validity.addWidget(self.valid_to_edit)
        validity.addStretch(1)
        validity_hint = QLabel("Leer: in allen Monaten angeboten.", self)
        validity_hint.setStyleSheet(HINT_STYLE)
        self.valid_to_edit.setToolTip("Eine Position, die nicht mehr vorkommt, bekommt ein „Gültig bis“; in "
                                      "früheren Staffelberechnungen bleibt sie erhalten.")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for text, field in (("Be&zeichnung:", self.label_edit), ("&Vorzeichen:", self.sign_combo)):
            label = QLabel(text, self)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.sign_hint)
        from_label = QLabel("Gültig &ab:", self)
        from_label.setBuddy(self.valid_from_edit)
        form.addRow(from_label, validity)
        form.addRow("", validity_hint)
        self.button_box = dialog_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.button_box)

        self.errors = FieldErrorView(self)
        for field, widget in (("label", self.label_edit), ("sign", self.sign_combo),
                              ("valid_from", self.valid_from_edit), ("valid_to", self.valid_to_edit)):
            self.errors.register(field, widget)
        chain = (self.label_edit, self.sign_combo, self.valid_from_edit, self.valid_to_edit, self.button_box)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        self.load(dto)
        self.label_edit.setFocus()

    def load(self, dto: ItemTypeDTO | None) -> None:
        self.dto = dto
        item_type = dto.item_type if dto else None
        self.label_edit.setText(item_type.label if item_type else "")
        self.sign_combo.setCurrentIndex(0 if item_type is None or item_type.sign is ItemSign.PLUS else 1)
        valid = item_type.valid if item_type else None
        self.valid_from_edit.setText(str(valid.valid_from) if valid else "")
        self.valid_to_edit.setText(str(valid.valid_to) if valid and valid.valid_to else "")
        used = dto.in_use if dto else 0
        self.sign_combo.setEnabled(not used)
        self.sign_hint.setText(f"In {used} Staffelberechnung(en) erfasst: das Vorzeichen bleibt." if used
                               else "+ zählt als Einkommen, − wird abgezogen.")
        self.sign_combo.setToolTip("Für ein anderes Vorzeichen bitte eine neue Position anlegen." if used else "")
        self.setWindowTitle(f"Einkommensposition – {item_type.label}" if item_type else "Neue Einkommensposition")
        self.show_errors([])
        self._loaded = self.snapshot()

    def snapshot(self) -> tuple:
        return (self.label_edit.text(), self.sign_combo.currentIndex(), self.valid_from_edit.text(),
                self.valid_to_edit.text())

    def is_dirty(self) -> bool:
        return self.snapshot() != self._loaded

    def collect(self) -> tuple[IncomeItemType, list[FieldError]]:
        problems: list[FieldError] = []
        start = parse_month_field(self.valid_from_edit.text(), "valid_from", "Gültig ab", problems)
        end = parse_month_field(self.valid_to_edit.text(), "valid_to", "Gültig bis", problems)
        valid = None
        if end is not None and start is None and not self.valid_from_edit.text().strip():
            problems.append(FieldError("valid_from", "Gültig ab: „Gültig bis“ braucht ein „Gültig ab“ (den ersten "
                                                     "Monat, in dem die Position angeboten wird)."))
        elif start is not None and end is not None and end < start:
            problems.append(FieldError("valid_to", f"Gültig bis: {end} liegt vor „Gültig ab“ {start}."))
        elif start is not None:
            valid = Validity(start, end)
        old = self.dto.item_type if self.dto else None
        item_type = IncomeItemType(self.label_edit.text(), ItemSign(self.sign_combo.currentData()),
                                   old.position if old else self.position, old.id if old else None, valid)
        return item_type, problems

    def save(self) -> bool:
        item_type, problems = self.collect()
        if problems:
            if not item_type.label.strip():
                problems.insert(0, FieldError("label", "Bezeichnung: Bitte eine Bezeichnung eingeben."))
            self.show_errors(problems)
            return False
        try:
            dto = configuration.save_item_type(self.db, self.organization_id, item_type,
                                               self.dto.version if self.dto else None)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except (ConflictError, NotFoundError) as exc:
            store_failed(self, exc, "Einkommensposition", self._reload)
            return False
        self.load(dto)
        self.saved.emit(dto)
        return True

    def _reload(self) -> None:
        if self.dto is None:
            return
        fresh = configuration.get_configuration(self.db, self.organization_id)
        self.load(next((t for t in fresh.item_types if t.item_type.id == self.dto.item_type.id), None))

    def show_errors(self, errors: Sequence[FieldError]) -> None:
        show_form_errors(self.errors, self.summary, list(errors))
        if errors:
            grow_to_fit(self)


# --- version of the scale ----------------------------------------------------------------------------
