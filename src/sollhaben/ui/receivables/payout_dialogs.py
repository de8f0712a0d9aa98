"""The dialogs of the page „Auszahlungen“: a refund of one credit balance, and the payout run's
execution date and file. Errors appear at their field and in the box above the form."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.domain.money import parse_amount
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import payout_refunds
from sollhaben.services.receivables.payout_dto import CreditBalanceDTO
from sollhaben.services.receivables.payout_run import PayoutRunPreview
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors


# read-only values (recipient, IBAN, debtor account) carry errors too: shown in red
STYLE = ERROR_STYLE + f'QLabel[fieldError="true"] {{ color: {ERROR_COLOR}; font-weight: 600; }}'


def _summary(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("summary")
    label.setStyleSheet(SUMMARY_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _read_only(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


class RefundDialog(FormDialog):
    """„Rückzahlung anlegen“: amount (the whole credit unless changed) and purpose; the recipient
    and IBAN come from the person (Personen → Bank) — the first bank account, or one of the others
    the clerk chooses when the person has several."""

    def __init__(self, context, balance: CreditBalanceDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.balance = context, balance
        self.order_id: int | None = None
        self.setWindowTitle("Rückzahlung anlegen")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(520)
        country = context.country
        self.summary = _summary(self)
        party = balance.recipient
        address = ", ".join(p for p in (f"{party.street} {party.house_number}".strip(),
                                        f"{party.postal_code} {party.town}".strip(), party.country) if p)
        self.amount = QLineEdit(format_money(balance.credit, country), self)
        self.amount.setObjectName("amount")
        self.purpose = QLineEdit(payout_refunds.refund_purpose(balance.account_number), self)
        self.purpose.setObjectName("purpose")
        self.purpose.setMaxLength(140)
        self.address = address
        self.iban = _read_only(format_iban(balance.iban) if balance.iban else "– keine Bankverbindung –", self)
        self.recipient = _read_only(f"{party.name}\n{address}", self)
        self.bank_choice = QComboBox(self)
        self.bank_choice.setObjectName("bankAccount")
        accounts = payout_refunds.holder_bank_accounts(context.db, balance.account_id)
        for bank_id, iban, _bic, holder in accounts:
            self.bank_choice.addItem(format_iban(iban) + (f"  ({holder})" if holder else ""), (bank_id, holder))
        self.bank_choice.currentIndexChanged.connect(self._bank_changed)
        form = QFormLayout()
        form.addRow("Konto", _read_only(f"{balance.account_number}  {balance.holder_name}", self))
        form.addRow("Guthaben", _read_only(format_money(balance.credit, country, with_currency=True), self))
        form.addRow("Empfänger/in", self.recipient)
        form.addRow("IBAN", self.bank_choice if len(accounts) > 1 else self.iban)
        form.addRow("Betrag", self.amount)
        form.addRow("Verwendungszweck", self.purpose)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        iban_widget = self.bank_choice if len(accounts) > 1 else self.iban
        for field, widget in (("amount", self.amount), ("purpose", self.purpose), ("iban", iban_widget),
                              ("creditor", self.recipient), ("creditor.name", self.recipient),
                              ("creditor.town", self.recipient), ("creditor.country", self.recipient),
                              ("creditor.street", self.recipient), ("creditor.postal_code", self.recipient),
                              ("reference", iban_widget), ("bic", iban_widget)):
            self.errors.register(field, widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Rückzahlung anlegen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if balance.problems:
            show_form_errors(self.errors, self.summary, list(balance.problems))

    def _bank_changed(self) -> None:
        """The recipient is the chosen bank account's holder when recorded, else the person."""
        _bank_id, holder = self.bank_choice.currentData()
        last, _, first = self.balance.holder_name.partition(", ")
        name = holder or " ".join(p for p in (first, last) if p)
        self.recipient.setText(f"{name}\n{self.address}")

    def save(self) -> bool:
        self.errors.clear()
        bank_account_id = self.bank_choice.currentData()[0] if self.bank_choice.count() > 1 else None
        try:
            amount = parse_amount(self.amount.text(), self.balance.credit.currency, "Betrag")
            self.order_id = payout_refunds.create_refund_order(
                self.context.db, self.context.organization_id, self.balance.account_id, amount=amount,
                purpose=self.purpose.text(), bank_account_id=bank_account_id)
        except ValidationError as exc:
            show_form_errors(self.errors, self.summary, [FieldError(e.field or "amount", e.message)
                                                         for e in exc.errors])
            return False
        return True


class PayoutRunDialog(FormDialog):
    """„Zahlungsdatei erstellen …“: which orders (all open ones, or only the marked ones when some are
    marked), execution date and target file; the run itself goes to the worker."""

    def __init__(self, context, preview: PayoutRunPreview, default_folder: str = "",
                 parent: QWidget | None = None, marked: PayoutRunPreview | None = None) -> None:
        super().__init__(parent)
        self.context, self.all_preview, self.marked_preview = context, preview, marked
        self.preview = preview
        self.execution_date: date | None = None
        self.target: Path | None = None
        self.setWindowTitle("Zahlungsdatei erstellen")
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(560)
        self.summary = _summary(self)
        kind = "Swiss Payment Standards (pain.001.001.09, CH)" if preview.kind.value == "CH" else \
            "SEPA-Überweisung (pain.001.001.09, DE)"
        self.date_edit = QLineEdit(format_date(date.today() + timedelta(days=1)), self)
        self.date_edit.setObjectName("executionDate")
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("targetFile")
        name = f"auszahlungen_{date.today():%Y%m%d}.xml"
        self.file_edit.setText(str(Path(default_folder or Path.home()) / name))
        choose = QPushButton("Durchsuchen …", self)
        choose.clicked.connect(self._choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)
        self.debtor = _read_only(format_iban(preview.debtor_iban) if preview.debtor_iban else "–", self)
        form = QFormLayout()
        form.addRow("Format", _read_only(kind, self))
        self.orders_label = _read_only("", self)
        self.only_marked = QCheckBox(self)
        self.only_marked.setObjectName("onlyMarked")
        if marked is not None:
            self.only_marked.setText(f"nur die {len(marked.orders)} markierten Aufträge")
            self.only_marked.setChecked(len(marked.orders) > 1)  # one marked row is usually just the cursor
            self.only_marked.toggled.connect(self._orders_changed)
        self.only_marked.setVisible(marked is not None)
        orders = QVBoxLayout()
        orders.addWidget(self.orders_label)
        orders.addWidget(self.only_marked)
        form.addRow("Aufträge", orders)
        form.addRow("Belastungskonto", self.debtor)
        form.addRow("Ausführungsdatum", self.date_edit)
        form.addRow("Datei", file_row)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        self.errors.register("execution_date", self.date_edit)
        self.errors.register("target", self.file_edit)
        self.errors.register("debtor_iban", self.debtor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Datei erstellen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._orders_changed()
        if preview.problems:
            show_form_errors(self.errors, self.summary, list(preview.problems))

    @property
    def order_ids(self) -> list[int] | None:
        """The orders to file: the marked ones, or None for all open orders."""
        if self.marked_preview is not None and self.only_marked.isChecked():
            return [order.id for order in self.marked_preview.orders]
        return None

    def _orders_changed(self) -> None:
        chosen = self.marked_preview if self.order_ids is not None else self.all_preview
        self.preview = chosen
        total = format_money(chosen.total, self.context.country, with_currency=True)
        self.orders_label.setText(f"{len(chosen.orders)} von {len(self.all_preview.orders)} offenen, "
                                  f"zusammen {total}")

    def _choose(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Zahlungsdatei speichern", self.file_edit.text(),
                                                    "ISO-20022-Zahlungsdatei (*.xml)")
        if path:
            self.file_edit.setText(path if path.lower().endswith(".xml") else f"{path}.xml")

    def save(self) -> bool:
        """Check what the dialog can check; the run checks the rest (and reports it at the field)."""
        self.errors.clear()
        errors: list[FieldError] = list(self.preview.problems)
        try:
            self.execution_date = parse_date(self.date_edit.text(), "Ausführungsdatum")
            if self.execution_date < date.today():
                errors.append(FieldError("execution_date", "Ausführungsdatum: Das Datum liegt in der Vergangenheit."))
        except ValidationError as exc:
            errors.extend(FieldError("execution_date", e.message) for e in exc.errors)
        text = self.file_edit.text().strip()
        target = Path(text) if text else None
        if target is None or not target.parent.is_dir():
            errors.append(FieldError("target", "Datei: Bitte eine Datei in einem vorhandenen Ordner wählen."))
        elif target.exists():
            errors.append(FieldError("target", f"Datei: {target.name} gibt es schon; bitte einen neuen Namen wählen "
                                               "(eine Zahlungsdatei wird nie überschrieben)."))
        if not self.preview.orders:
            errors.append(FieldError("orders", "Aufträge: Es gibt keine offenen Auszahlungsaufträge."))
        if errors:
            show_form_errors(self.errors, self.summary, errors)
            return False
        self.target = target
        return True

    def show_errors(self, errors: list[FieldError]) -> None:
        """Errors of the run (from the worker) at their fields."""
        show_form_errors(self.errors, self.summary, errors)
