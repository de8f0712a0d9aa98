"""„Rücklastschrift …“: a collected item came back — date, reason code, optional fee, note."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.domain.receivables.sepa_collection_rules import REASON_CODES
from sollhaben.services.receivables import sepa_returns
from sollhaben.services.receivables.sepa_dto import CollectionItemDTO, ReturnDebitResult
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView


class ReturnDebitDialog(QDialog):
    def __init__(self, context: AppContext, item: CollectionItemDTO, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self.item, self.today = context, item, today or date.today()
        self.result_debit: ReturnDebitResult | None = None
        self.setWindowTitle("Rücklastschrift erfassen")
        self.setMinimumWidth(520)
        self.setStyleSheet(ERROR_STYLE)
        self.summary = QLabel(self, objectName="summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.returned_on = QLineEdit(format_date(self.today), self, objectName="returnedOn")
        self.reason = QComboBox(self, objectName="reason")
        self.reason.setEditable(True)
        for code, label in sorted(REASON_CODES.items()):
            self.reason.addItem(f"{code} – {label}", code)
        self.reason.setCurrentIndex(self.reason.findData("AM04"))
        default = sepa_returns.default_fee(context.db, context.organization_id)
        self.fee = QLineEdit(format_money(default, "DE") if default else "", self, objectName="fee")
        self.fee.setPlaceholderText("keine Gebühr")
        self.note = QLineEdit(self, objectName="note")
        form = QFormLayout()
        form.addRow("Lastschrift", QLabel(f"{item.holder_name} · Konto {item.account_number} · Mandat "
                                          f"{item.mandate_reference} · {format_money(item.amount, 'DE', True)} · "
                                          f"{item.end_to_end_id}", self, wordWrap=True))
        form.addRow("Zurück am", self.returned_on)
        form.addRow("Rückgabegrund", self.reason)
        form.addRow("Gebühr (weiterbelastet)", self.fee)
        form.addRow("Notiz", self.note)
        form.addRow("", QLabel("Die Zahlung wird storniert; die eingezogenen Posten sind wieder offen und gehen in "
                               "den nächsten Einzug.", self, wordWrap=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Rücklastschrift buchen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.errors = FieldErrorView(self)  # once the form is in the layout
        for field, widget in (("returned_on", self.returned_on), ("reason_code", self.reason), ("fee", self.fee),
                              ("note", self.note)):
            self.errors.register(field, widget)
        self.errors.set_summary(self.summary)

    def reason_code(self) -> str:
        text = self.reason.currentText().strip()
        data = self.reason.currentData()
        if data and text.startswith(data):
            return data
        return text.split(" ", 1)[0].upper() if text else ""

    def save(self) -> None:
        errors: list[FieldError] = []
        returned_on = fee = None
        try:
            returned_on = parse_date(self.returned_on.text(), "Zurück am")
        except ValidationError as exc:
            errors += [FieldError("returned_on", e.message) for e in exc.errors]
        try:
            fee = sepa_returns.fee_from_text(self.fee.text(), self.item.amount.currency.value)
        except ValidationError as exc:
            errors += [FieldError("fee", e.message) for e in exc.errors]
        try:
            if errors:
                raise ValidationError(errors)
            self.result_debit = sepa_returns.record_return_debit(
                self.context.db, self.item.id, returned_on, self.reason_code(), fee, self.note.text(), today=self.today)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except (ConflictError, NotFoundError) as exc:
            self.errors.show([FieldError("", str(exc))])
            return
        self.context.signals.data_changed.emit("posting")
        self.context.signals.data_changed.emit("sepa_collection")
        self.accept()
