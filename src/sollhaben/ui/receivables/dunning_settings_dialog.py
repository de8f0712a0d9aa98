"""„Mahnstufen …“: the organization's dunning levels (name, days, fee, deadline, QR-bill, letter text),
the minimum amount and the hand-over of the last level. Saved as a whole; errors at their fields."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ConflictError, FieldError, ValidationError
from sollhaben.domain.formatting import format_number_minor
from sollhaben.domain.money import parse_amount
from sollhaben.domain.receivables.dunning_policy import PLACEHOLDERS, DunningLevel, DunningPolicy, Handover
from sollhaben.services.receivables import dunning_settings
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, FieldErrorView

LEVEL_COLUMNS = {"name": 0, "days": 1, "fee": 2, "payment_days": 3, "qr_bill": 4}
HEADERS = ("Bezeichnung", "Tage", "Gebühr", "Zahlungsfrist (Tage)", "QR-Rechnung")


class DunningSettingsDialog(QDialog):
    saved = Signal(object)  # PolicyDTO

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Mahnstufen und Mahnregeln")
        self.resize(820, 620)
        self.setStyleSheet(ERROR_STYLE)
        loaded = dunning_settings.load_policy(context.db, context.organization_id)
        self.country, self.currency, self.version = loaded.country, loaded.currency, loaded.version
        self.texts: list[str] = [level.text for level in loaded.policy.levels]
        self.minimum = QLineEdit(format_number_minor(loaded.policy.minimum_minor, self.country), self,
                                 objectName="minimum")
        self.handover = QComboBox(self, objectName="handover")
        for value in Handover:
            self.handover.addItem(value.label, value.value)
        self.handover.setCurrentIndex(self.handover.findData(loaded.policy.handover.value))
        form = QFormLayout()
        form.addRow(f"Mindestbetrag ({self.currency})", self.minimum)
        form.addRow("Übergabe nach der letzten Stufe", self.handover)
        self.table = QTableWidget(0, len(HEADERS), self, objectName="levels")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((240, 70, 90, 150)):
            self.table.setColumnWidth(column, width)
        for level in loaded.policy.levels:
            self._append(level)
        self.add_button = QPushButton("Stufe hinzufügen", self, objectName="addLevel")
        self.remove_button = QPushButton("Letzte Stufe entfernen", self, objectName="removeLevel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.text_label = QLabel(self)
        self.text = QPlainTextEdit(self, objectName="letterText")
        hint = QLabel("Platzhalter: " + ", ".join(f"{{{k}}} {v}" for k, v in PLACEHOLDERS.items()), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.summary = QLabel(self, objectName="summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {ERROR_COLOR};")
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        self.errors.register("minimum", self.minimum)
        self.errors.register("levels", self.table)
        self.errors.register_table("levels", self.table, {**LEVEL_COLUMNS, "position": 0, "text": 0})
        save = QPushButton("Speichern", self, objectName="save")
        save.setDefault(True)
        cancel = QPushButton("Abbrechen", self)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(save)
        bottom.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Mahnstufen (Stufe 1: Tage nach Fälligkeit; weitere: Tage nach der vorigen Mahnung)"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.text_label)
        layout.addWidget(self.text, 1)
        layout.addWidget(hint)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)
        self._row = -1
        self.table.currentCellChanged.connect(lambda row, *_: self._show_text(row))
        self.text.textChanged.connect(self._text_edited)
        self.add_button.clicked.connect(self.add_level)
        self.remove_button.clicked.connect(self.remove_level)
        save.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        if self.table.rowCount():
            self.table.setCurrentCell(0, 0)

    def _append(self, level: DunningLevel) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = (level.name, str(level.days), format_number_minor(level.fee_minor, self.country),
                  str(level.payment_days))
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        qr = QTableWidgetItem("")
        qr.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        qr.setCheckState(Qt.CheckState.Checked if level.qr_bill and self.country == "CH" else Qt.CheckState.Unchecked)
        if self.country != "CH":
            qr.setFlags(Qt.ItemFlag.NoItemFlags)
            qr.setToolTip("Den QR-Einzahlungsschein gibt es nur in der Schweiz.")
        self.table.setItem(row, 4, qr)

    def _show_text(self, row: int) -> None:
        self._row = row
        self.text_label.setText(f"Brieftext der Stufe {row + 1}" if row >= 0 else "")
        self.text.blockSignals(True)
        self.text.setPlainText(self.texts[row] if 0 <= row < len(self.texts) else "")
        self.text.blockSignals(False)
        self.text.setEnabled(row >= 0)

    def _text_edited(self) -> None:
        if 0 <= self._row < len(self.texts):
            self.texts[self._row] = self.text.toPlainText()

    def add_level(self) -> None:
        n = self.table.rowCount() + 1
        self.texts.append("Bitte überweisen Sie {betrag} bis {frist}.")
        self._append(DunningLevel(n, f"{n - 1}. Mahnung", 14, 0, 10, self.country == "CH", self.texts[-1]))
        self.table.setCurrentCell(n - 1, 0)

    def remove_level(self) -> None:
        if self.table.rowCount() > 1:
            self.table.removeRow(self.table.rowCount() - 1)
            self.texts.pop()
            self._show_text(self.table.currentRow())

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def policy(self) -> DunningPolicy:
        """The policy as entered; unreadable numbers become field errors (ValidationError)."""
        errors: list[FieldError] = []

        def number(row: int, column: str, label: str) -> int:
            text = self._cell(row, LEVEL_COLUMNS[column])
            if not text.lstrip("-").isdigit():
                errors.append(FieldError(f"levels[{row}].{column}", f"Stufe {row + 1}, {label}: Bitte eine ganze "
                                                                    "Zahl von Tagen eingeben."))
                return 0
            return int(text)

        def money(text: str, field: str, label: str) -> int:
            try:
                return parse_amount(text or "0", self.currency, label).minor
            except ValidationError as exc:
                errors.extend(FieldError(field, e.message) for e in exc.errors)
                return 0

        levels = []
        for row in range(self.table.rowCount()):
            levels.append(DunningLevel(
                row + 1, self._cell(row, 0), number(row, "days", "Tage"),
                money(self._cell(row, 2), f"levels[{row}].fee", f"Stufe {row + 1}, Gebühr"),
                number(row, "payment_days", "Zahlungsfrist"),
                self.table.item(row, 4).checkState() == Qt.CheckState.Checked, self.texts[row]))
        minimum = money(self.minimum.text(), "minimum", "Mindestbetrag")
        if errors:
            raise ValidationError(errors)
        return DunningPolicy(tuple(levels), minimum, Handover(self.handover.currentData()))

    def save(self) -> None:
        self.errors.clear()
        try:
            saved = dunning_settings.save_policy(self.context.db, self.context.organization_id, self.policy(),
                                                 self.version)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except ConflictError as exc:
            self.summary.setText(str(exc))
            self.summary.show()
            return
        self.version = saved.version
        self.saved.emit(saved)
        self.accept()
