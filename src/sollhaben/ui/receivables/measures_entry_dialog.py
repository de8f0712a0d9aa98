"""„Eintrag hinzufügen …“ in the collection log: a call, a note, a letter or an enforcement step
the clerk records by hand. Entries are history: once saved they are not changed."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date, parse_date
from sollhaben.persistence.database import Database
from sollhaben.services.receivables import measures
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.forms.ui_measures_entry_dialog import Ui_MeasuresEntryDialog

MANUAL_KINDS = ("CALL", "NOTE", "LETTER", "ENFORCEMENT", "HANDOVER")  # the others are written by the runs


class MeasuresEntryDialog(FormDialog):
    saved = Signal(int)  # the new entry's id

    def __init__(self, db: Database, account_id: int, today: date, kind: str = "CALL",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.account_id, self.today = db, account_id, today
        self.ui = Ui_MeasuresEntryDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        for code in MANUAL_KINDS:
            self.ui.kindCombo.addItem(measures.KIND_LABELS[code], code)
        self.ui.kindCombo.setCurrentIndex(MANUAL_KINDS.index(kind))
        self.ui.dateEdit.setText(format_date(today))
        self.errors = FieldErrorView(self)
        for field, widget in (("occurred_on", self.ui.dateEdit), ("kind", self.ui.kindCombo),
                              ("text", self.ui.textEdit)):
            self.errors.register(field, widget)
        self._start = self._values()

    def _values(self) -> tuple:
        return self.ui.dateEdit.text(), self.ui.kindCombo.currentData(), self.ui.textEdit.toPlainText()

    def is_dirty(self) -> bool:
        return self._values() != self._start

    def save(self) -> bool:
        errors: list[FieldError] = []
        day = None
        try:
            day = parse_date(self.ui.dateEdit.text(), "Datum")
        except ValidationError as exc:
            errors += [FieldError("occurred_on", e.message) for e in exc.errors]
        if day is not None and day > self.today:
            errors.append(FieldError("occurred_on", "Datum: Eine Massnahme kann nicht in der Zukunft liegen."))
        if errors:
            show_form_errors(self.errors, self.ui.summaryLabel, errors)
            return False
        try:
            entry_id = measures.add_measure(self.db, account_id=self.account_id, occurred_on=day,
                                            kind=self.ui.kindCombo.currentData(), text=self.ui.textEdit.toPlainText())
        except ValidationError as exc:
            show_form_errors(self.errors, self.ui.summaryLabel, exc.errors)
            return False
        self._start = self._values()
        self.saved.emit(entry_id)
        return True
