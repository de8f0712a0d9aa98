"""„Zahlung stornieren“: reverse a wrong receipt with a reason, after a confirmation. The reversal
names the receipt; the items it paid are open again (the statement shows both postings)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.persistence.database import Database
from sollhaben.services.dto import PostingDTO
from sollhaben.services.receivables import receipts
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView, ask
from sollhaben.ui.form_dialog import FormDialog, show_form_errors


class ReverseReceiptDialog(FormDialog):
    """`reversed(reversal id)` once the receipt is reversed."""

    reversed = Signal(int)

    def __init__(self, db: Database, payment: PostingDTO, country: str, today: date | None = None,
                 parent: QWidget | None = None, confirm=None) -> None:
        super().__init__(parent)
        self.db, self.payment, self.country = db, payment, country
        self.reversal_id: int | None = None
        # the question before the reversal; tests pass an answer, the app asks the clerk
        self._confirm = confirm or (lambda text: ask(self, "Zahlung stornieren", text,
                                                     ["Stornieren", "Abbrechen"]) == "Stornieren")
        self.setWindowTitle("Zahlung stornieren")
        self.setStyleSheet(ERROR_STYLE)
        self.summary = QLabel(self)
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.summary.setWordWrap(True)
        self.summary.hide()
        amount = format_money(-payment.amount, country, with_currency=True)
        self.payment_label = QLabel(f"Nr. {payment.id} vom {format_date(payment.booking_date)} über {amount}"
                                    f"\n{payment.text}", self)
        self.date_edit = QLineEdit(format_date(today or date.today()), self)
        self.date_edit.setMaximumWidth(120)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setMaxLength(150)
        self.reason_edit.setPlaceholderText("z. B. falsches Konto, Betrag doppelt erfasst")
        form = QFormLayout()
        form.addRow("Zahlung:", self.payment_label)
        form.addRow("&Buchungsdatum:", self.date_edit)
        form.addRow("&Grund:", self.reason_edit)
        hint = QLabel("Die Zuordnungen der Zahlung werden aufgehoben; ihre Posten sind danach wieder offen.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Stornieren …")
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.errors = FieldErrorView(self)
        for field, widget in (("booking_date", self.date_edit), ("reason", self.reason_edit),
                              ("posting", self.payment_label)):
            self.errors.register(field, widget)
        self.reason_edit.setFocus()

    def is_dirty(self) -> bool:
        return self.reversal_id is None and bool(self.reason_edit.text().strip())

    def save(self) -> bool:
        try:
            day = parse_date(self.date_edit.text(), "Buchungsdatum")
        except ValidationError as exc:
            day = None
            problems = [FieldError("booking_date", e.message) for e in exc.errors]
        else:
            problems = []
        if not self.reason_edit.text().strip():
            problems.append(FieldError("reason", "Grund: Bitte angeben, warum die Zahlung storniert wird."))
        if problems:
            show_form_errors(self.errors, self.summary, problems)
            return False
        amount = format_money(-self.payment.amount, self.country, with_currency=True)
        if not self._confirm(f"Die Zahlung Nr. {self.payment.id} über {amount} wirklich stornieren?\n"
                             f"Grund: {self.reason_edit.text().strip()}"):
            return False
        try:
            self.reversal_id = receipts.reverse_receipt(self.db, self.payment.id, day, self.reason_edit.text())
        except ValidationError as exc:
            show_form_errors(self.errors, self.summary, exc.errors)
            return False
        self.reversed.emit(self.reversal_id)
        return True
