"""„Buchungsexport …“: asks the booking-date range of the posting export for the general ledger;
the errors show at the fields (German, naming the field and the rule)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.formatting import format_date, parse_date
from sollhaben.ui.field_errors import ERROR_STYLE, FieldErrorView


class PostingExportDialog(QDialog):
    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Buchungsexport für die Finanzbuchhaltung")
        self.setStyleSheet(ERROR_STYLE)
        self.period: tuple[date, date] | None = None
        self.date_from = QLineEdit(format_date(date(today.year, today.month, 1)), self)
        self.date_to = QLineEdit(format_date(today), self)
        form = QFormLayout()
        form.addRow("Von (Buchungsdatum):", self.date_from)
        form.addRow("Bis (Buchungsdatum):", self.date_to)
        self.errors = FieldErrorView(self)
        self.errors.register("date_from", self.date_from)
        self.errors.register("date_to", self.date_to)
        note = QLabel("Alle Buchungen des Zeitraums als CSV (UTF-8, Semikolon; Spalten siehe Handbuch).", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Exportieren …")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.errors.clear()
        collector = ErrorCollector()
        start = collector.check("date_from", parse_date, self.date_from.text(), "Von")
        end = collector.check("date_to", parse_date, self.date_to.text(), "Bis")
        if start and end and end < start:
            collector.add("date_to", "Bis: Das Ende liegt vor dem Beginn des Zeitraums.")
        try:
            collector.raise_if_any()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        self.period = (start, end)
        super().accept()
