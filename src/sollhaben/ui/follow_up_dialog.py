"""Create or edit one follow-up (Wiedervorlage); errors appear at the field, nothing saved meanwhile."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, parse_date
from sollhaben.persistence.database import Database
from sollhaben.services import followups
from sollhaben.services.dto import FollowUpDTO
from sollhaben.services.followups import RECORD_TYPES, FollowUpInput
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.forms.ui_follow_up_dialog import Ui_FollowUpDialog


class FollowUpDialog(FormDialog):
    """`follow_up=None` creates; `record=(type, id, label)` ties a new follow-up to a record."""

    saved = Signal(object)  # FollowUpDTO

    def __init__(self, db: Database, organization_id: int, follow_up: FollowUpDTO | None = None,
                 record: tuple[str, int, str] | None = None, module: str = "",
                 default_due: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.follow_up = db, organization_id, follow_up
        self.ui = Ui_FollowUpDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.errors = FieldErrorView(self)
        for field, widget in (("subject", self.ui.subjectEdit), ("due_date", self.ui.dueDateEdit),
                              ("assigned_to", self.ui.assignedEdit), ("record_id", self.ui.recordValue),
                              ("note", self.ui.noteEdit)):
            self.errors.register(field, widget)
        if follow_up is not None:
            self.setWindowTitle("Wiedervorlage bearbeiten")
            self._record = (follow_up.record_type, follow_up.record_id, follow_up.record_label)
            self._module = follow_up.module
            self.ui.subjectEdit.setText(follow_up.subject)
            self.ui.dueDateEdit.setText(format_date(follow_up.due_date))
            self.ui.assignedEdit.setText(follow_up.assigned_to)
            self.ui.noteEdit.setPlainText(follow_up.note)
        else:
            self.setWindowTitle("Neue Wiedervorlage")
            self._record = record or ("", None, "")
            self._module = module
            self.ui.dueDateEdit.setText(format_date(default_due) if default_due else "")
        kind, _record_id, label = self._record
        self.ui.recordValue.setText(f"{RECORD_TYPES.get(kind, kind)}: {label}" if kind else "–")

    def collect(self) -> tuple[FollowUpInput, list[FieldError]]:
        """The input and the errors found while reading the fields (a malformed date)."""
        problems: list[FieldError] = []
        try:
            due = parse_date(self.ui.dueDateEdit.text(), "Fällig am") if self.ui.dueDateEdit.text().strip() else None
        except ValidationError as exc:
            problems = [FieldError("due_date", e.message) for e in exc.errors]
            due = None
        kind, record_id, _label = self._record
        data = FollowUpInput(self.ui.subjectEdit.text(), due, self.ui.noteEdit.toPlainText(), self._module,
                             kind, record_id, self.ui.assignedEdit.text())
        return data, problems

    def save(self) -> bool:
        data, problems = self.collect()
        try:
            if problems:  # report the malformed date together with the other fields' errors
                try:
                    followups.validate_follow_up(replace(data, due_date=date.today()))
                except ValidationError as exc:
                    problems += exc.errors
                raise ValidationError(problems)
            if self.follow_up is None:
                result = followups.create_follow_up(self.db, self.organization_id, data)
            else:
                result = followups.update_follow_up(self.db, self.organization_id, self.follow_up.id,
                                                    self.follow_up.version, data)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except (ConflictError, NotFoundError) as exc:
            QMessageBox.warning(self, "Wiedervorlage", str(exc))
            return False
        self.follow_up = result
        self._show_errors([])
        self.saved.emit(result)
        return True

    def _show_errors(self, errors: list[FieldError]) -> None:
        show_form_errors(self.errors, self.ui.summaryLabel, errors)
