""""Brief drucken …": subject, text, optional amount and (CH) language; errors at the fields; the
PDF is rendered on the background worker and shown in the print preview."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.money import Money, parse_amount
from sollhaben.services import letters
from sollhaben.services.dto import PersonDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.forms.ui_letter_dialog import Ui_LetterDialog
from sollhaben.ui.print_preview import PrintPreviewDialog

LANGUAGES = (("de", "Deutsch"), ("fr", "Französisch"), ("it", "Italienisch"), ("en", "Englisch"))
_FIELDS = ("subject", "body", "amount", "language")


def render_job(db, organization_id: int, request: letters.LetterRequest):
    """The worker job: a plain service call (the Progress argument is not needed for one letter)."""
    def job(_progress) -> bytes:
        return letters.render_letter(db, organization_id, request.person_id, request.subject, request.body,
                                     request.amount, request.language)
    return job


class LetterDialog(QDialog):
    """`preview_opened(dialog)` once the PDF is shown; the dialog then closes itself."""

    preview_opened = Signal(object)
    render_failed = Signal(str)

    def __init__(self, context: AppContext, person: PersonDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.person = context, person
        org = context.organization
        self.country = org.legal_country if org else "DE"
        self.currency = org.currency if org else "EUR"
        self.preview: PrintPreviewDialog | None = None
        self._job = None
        self.ui = Ui_LetterDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.setWindowTitle(f"Brief drucken – {person.display_name}")
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        self.ok_button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Vorschau")
        self.ok_button.setToolTip("Brief erstellen und in der Druckvorschau zeigen (drucken, als PDF speichern)")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.start)
        self.ui.buttonBox.rejected.connect(self.reject)
        a = person.address
        self.ui.recipientValue.setText(f"{person.display_name}, {a.one_line()}" if not a.is_empty()
                                       else f"{person.display_name} (keine Adresse erfasst)")
        self.ui.currencyLabel.setText(self.currency)
        swiss = self.country == "CH"
        self.ui.amountEdit.setPlaceholderText("z. B. 1'234.50" if swiss else "z. B. 1.234,50")
        self.ui.amountHint.setText("leer = offener Betrag (QR-Rechnung)" if swiss else "leer = ohne Betrag")
        for code, label in LANGUAGES:
            self.ui.languageCombo.addItem(label, code)
        language = person.language if swiss else "de"
        self.ui.languageCombo.setCurrentIndex(max(0, self.ui.languageCombo.findData(language)))
        self.ui.languageCombo.setEnabled(swiss)
        self.ui.languageCombo.setToolTip("" if swiss else "Deutsche Organisationen schreiben auf Deutsch.")
        self.ui.progressBar.hide()
        self.errors = FieldErrorView(self)
        for field, widget in (("subject", self.ui.subjectEdit), ("body", self.ui.bodyEdit),
                              ("amount", self.ui.amountEdit), ("language", self.ui.languageCombo)):
            self.errors.register(field, widget)
        self.ui.subjectEdit.setFocus()

    # input -------------------------------------------------------------------------------
    def collect(self) -> letters.LetterRequest:
        """The request, or ValidationError with every field error at once."""
        problems: list[FieldError] = []
        amount: Money | None = None
        text = self.ui.amountEdit.text().strip()
        if text:
            try:
                amount = parse_amount(text, self.currency, "Betrag")
            except ValidationError as exc:
                problems += [FieldError("amount", e.message) for e in exc.errors]
        request = letters.LetterRequest(self.person.id, self.ui.subjectEdit.text(), self.ui.bodyEdit.toPlainText(),
                                        amount, self.ui.languageCombo.currentData())
        try:
            letters.validate_request(request, self.country, self.currency)
        except ValidationError as exc:
            problems += exc.errors
        if problems:
            raise ValidationError(problems)
        return request

    def show_errors(self, errors: list[FieldError]) -> None:
        # the bill's own checks (e.g. "bill.amount" above 999'999'999.99) belong to the dialog's fields
        errors = [FieldError(e.field[5:], e.message) if e.field.startswith("bill.") and e.field[5:] in _FIELDS
                  else e for e in errors]
        placed = sorted((e for e in errors if e.field in _FIELDS), key=lambda e: _FIELDS.index(e.field))
        self.errors.show(placed)
        self.ui.summaryLabel.setVisible(bool(errors))
        if errors:
            ordered = placed + [e for e in errors if e.field not in _FIELDS]
            self.ui.summaryLabel.setText("Kein Brief erstellt – bitte korrigieren:\n"
                                         + "\n".join(dict.fromkeys(f"• {e.message}" for e in ordered)))
            widget = self.errors.widget_for(placed[0].field) if placed else None
            if widget is not None:
                widget.setFocus()

    # rendering ---------------------------------------------------------------------------
    def start(self) -> bool:
        """Validate, then render on the worker (or directly when the shell runs none)."""
        try:
            request = self.collect()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        self.show_errors([])
        job = render_job(self.context.db, self.context.organization_id, request)
        runner = self.context.worker
        if runner is None:
            try:
                self._rendered(job(None))
            except Exception as exc:  # noqa: BLE001 - shown to the clerk like a worker failure
                self._failed(exc)
            return True
        self._set_busy(True)
        self._job = runner.submit("Brief erstellen", job, on_done=self._rendered, on_error=self._failed, owner=self)
        return True

    def _set_busy(self, busy: bool) -> None:
        self.ui.progressBar.setVisible(busy)
        self.ui.statusLabel.setText("Brief wird erstellt …" if busy else "")
        self.ok_button.setEnabled(not busy)
        for widget in (self.ui.subjectEdit, self.ui.bodyEdit, self.ui.amountEdit):
            widget.setReadOnly(busy)

    def _rendered(self, pdf: bytes) -> None:
        self._job = None
        self._set_busy(False)
        name = self.person.last_name.replace(" ", "-").lower() or "brief"
        subject = self.ui.subjectEdit.text().strip()
        self.preview = PrintPreviewDialog(pdf, f"Brief an {self.person.display_name}", f"brief-{name}",
                                          self.parentWidget())
        self.preview.finished.connect(self.preview.deleteLater)
        self.preview.setWindowTitle(f"Druckvorschau – {subject}")
        self.preview.open()
        self.preview_opened.emit(self.preview)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
            message = str(exc)
        else:
            message = f"Der Brief konnte nicht erstellt werden:\n{exc}"
            QMessageBox.warning(self, "Brief drucken", message)
        self.render_failed.emit(message)

    def reject(self) -> None:
        if self._job is not None:  # still rendering: drop the result
            self._job.cancel()
            self._job = None
        super().reject()
