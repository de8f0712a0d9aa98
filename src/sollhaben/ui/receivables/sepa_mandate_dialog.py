"""The SEPA mandate editor (new or change) and the revocation dialog; errors at their fields."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, parse_date
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import sepa_mandates
from sollhaben.services.receivables.sepa_dto import MandateDTO, PayerChoice
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView


def _summary_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("summary")
    label.setWordWrap(True)
    label.setStyleSheet(SUMMARY_STYLE)
    return label


def _date_or_error(text: str, field: str, label: str, errors: list[FieldError]) -> date | None:
    try:
        return parse_date(text, label)
    except ValidationError as exc:
        errors.extend(FieldError(field, e.message) for e in exc.errors)
        return None


class MandateDialog(QDialog):
    """`saved` (the dialog's `result_mandate`) after a successful save; stays open on errors."""

    def __init__(self, context: AppContext, payers: list[PayerChoice], mandate: MandateDTO | None = None,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self.mandate, self.today = context, mandate, today or date.today()
        self.result_mandate: MandateDTO | None = None
        self.setWindowTitle("SEPA-Mandat bearbeiten" if mandate else "Neues SEPA-Mandat")
        self.setMinimumWidth(560)
        self.setStyleSheet(ERROR_STYLE)
        self._payers = payers
        self.summary = _summary_label(self)
        form = QFormLayout()
        self.payer = QComboBox(self)
        self.payer.setObjectName("payer")
        self.payer.setEditable(True)
        self.payer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.payer.addItem("", None)
        for choice in payers:
            self.payer.addItem(choice.name, choice.person_id)
        self.payer.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.payer.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.reference = QLineEdit(self, objectName="reference", maxLength=35)
        self.signed_on = QLineEdit(self, objectName="signedOn", placeholderText="TT.MM.JJJJ")
        self.debtor_name = QLineEdit(self, objectName="debtorName", maxLength=70)
        self.iban = QLineEdit(self, objectName="iban", placeholderText="DE.. .... .... .... .... ..")
        self.bic = QLineEdit(self, objectName="bic", maxLength=11, placeholderText="optional, 8 oder 11 Zeichen")
        self.note = QPlainTextEdit(self, objectName="note")
        self.note.setFixedHeight(70)
        self.state = QLabel(self, objectName="state")
        self.state.setWordWrap(True)
        for label, widget in (("Zahler/in", self.payer), ("Mandatsreferenz", self.reference),
                              ("Unterschrieben am", self.signed_on), ("Kontoinhaber/in", self.debtor_name),
                              ("IBAN", self.iban), ("BIC", self.bic), ("Notiz", self.note), ("Stand", self.state)):
            form.addRow(label, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Speichern")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.errors = FieldErrorView(self)  # once the form is in the layout
        for field, widget in (("payer_id", self.payer), ("reference", self.reference), ("signed_on", self.signed_on),
                              ("debtor_name", self.debtor_name), ("iban", self.iban), ("bic", self.bic),
                              ("note", self.note)):
            self.errors.register(field, widget)
        self.errors.set_summary(self.summary)
        self.payer.currentIndexChanged.connect(self._payer_chosen)
        self._load()

    def _load(self) -> None:
        m = self.mandate
        if m is None:
            self.state.setText("Neu – die erste Lastschrift wird als FRST eingereicht.")
            return
        self.payer.setCurrentIndex(max(0, self.payer.findData(m.payer_id)))
        self.reference.setText(m.reference)
        self.signed_on.setText(format_date(m.signed_on))
        self.debtor_name.setText(m.debtor_name)
        self.iban.setText(format_iban(m.iban))
        self.bic.setText(m.bic)
        self.note.setPlainText(m.note)
        used = (f"erster Einzug {format_date(m.first_used_on)}, letzter {format_date(m.last_used_on)}"
                if m.first_used_on else "noch nie eingezogen")
        revoked = f", widerrufen ab {format_date(m.revoked_on)}" if m.revoked_on else ""
        self.state.setText(f"{m.status_label.capitalize()}{revoked} · {used} · nächste Sequenz {m.sequence_type} · "
                           f"läuft ohne Einzug ab am {format_date(m.expires_on)}")
        if m.first_used_on:  # fixed once the bank knows the mandate
            for widget in (self.reference, self.signed_on, self.iban):
                widget.setReadOnly(True)
            self.payer.setEnabled(False)

    def _payer_chosen(self, _index: int) -> None:
        person_id = self.payer.currentData()
        choice = next((c for c in self._payers if c.person_id == person_id), None)
        if choice is None or self.mandate is not None:
            return
        if not self.iban.text().strip() and choice.iban:
            self.iban.setText(format_iban(choice.iban))
            self.bic.setText(choice.bic)
        if not self.debtor_name.text().strip():
            self.debtor_name.setText(choice.account_holder)

    def _input(self, errors: list[FieldError]) -> MandateInput:
        signed = _date_or_error(self.signed_on.text(), "signed_on", "Unterschrieben am", errors) \
            if self.signed_on.text().strip() else None
        payer_id = self.payer.currentData() if self.payer.currentText().strip() else None
        return MandateInput(payer_id or 0, self.reference.text(), signed, self.debtor_name.text(), self.iban.text(),
                            self.bic.text(), self.note.toPlainText())

    def save(self) -> None:
        errors: list[FieldError] = []
        data = self._input(errors)
        try:
            if errors:
                raise ValidationError(errors)
            self.result_mandate = sepa_mandates.save_mandate(
                self.context.db, self.context.organization_id, data, self.mandate.id if self.mandate else None,
                self.mandate.version if self.mandate else None, today=self.today)
        except ValidationError as exc:
            self.errors.show(errors + [e for e in exc.errors if e not in errors])
            return
        except (ConflictError, NotFoundError) as exc:
            self.errors.show([FieldError("", str(exc))])
            return
        self.context.signals.data_changed.emit("sepa_mandate")
        self.accept()


class RevokeDialog(QDialog):
    """Revoke a mandate from a date on (collections due from that day are refused)."""

    def __init__(self, context: AppContext, mandate: MandateDTO, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self.mandate, self.today = context, mandate, today or date.today()
        self.setWindowTitle(f"Mandat „{mandate.reference}“ widerrufen")
        self.setStyleSheet(ERROR_STYLE)
        self.summary = _summary_label(self)
        self.revoked_on = QLineEdit(format_date(self.today), self, objectName="revokedOn")
        form = QFormLayout()
        form.addRow("Zahler/in", QLabel(mandate.payer_name, self))
        form.addRow("Widerrufen ab", self.revoked_on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Widerrufen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.errors = FieldErrorView(self)  # once the form is in the layout
        self.errors.register("revoked_on", self.revoked_on)
        self.errors.set_summary(self.summary)

    def save(self) -> None:
        errors: list[FieldError] = []
        day = _date_or_error(self.revoked_on.text(), "revoked_on", "Widerrufen ab", errors)
        try:
            if errors:
                raise ValidationError(errors)
            sepa_mandates.revoke_mandate(self.context.db, self.mandate.id, self.mandate.version, day, today=self.today)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except (ConflictError, NotFoundError) as exc:
            self.errors.show([FieldError("", str(exc))])
            return
        self.context.signals.data_changed.emit("sepa_mandate")
        self.accept()
