"""The clearing list's two dialogs: „Zuordnen …“ (account search, optionally the items the payment
is for) and „Nicht zuordenbar …“ (a note what happens to the money). Errors show in the dialog."""
from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.domain.ledger import category_label
from sollhaben.services import ledger
from sollhaben.services.receivables.bank_clearing import assign_clearing_entry, mark_unassignable
from sollhaben.services.receivables.bank_dto import BankEntryDTO
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


def _summary(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("summary")
    label.setStyleSheet(SUMMARY_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def entry_text(entry: BankEntryDTO, country: str) -> str:
    from sollhaben.ui.receivables.bank_preview_dialog import reference_text

    parts = [format_money(entry.amount, country, with_currency=True), format_date(entry.booking_date),
             entry.debtor_name, reference_text(entry.reference), entry.text]
    return " · ".join(p for p in parts if p)


class AssignDialog(FormDialog):
    """Choose the account (search by name or number); the marked open items are served first."""

    def __init__(self, context, entry: BankEntryDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.entry = context, entry
        self.payment_id: int | None = None
        country = context.country
        self.setWindowTitle("Zahlungseingang zuordnen")
        self.setStyleSheet(ERROR_STYLE)
        self.resize(860, 620)
        self.summary = _summary(self)
        money = lambda amount: format_money(amount, country)  # noqa: E731
        self.accounts = FilterableList(RowTableModel((
            Column("Konto", lambda r: r[0].number, width=80),
            Column("Inhaber/in", lambda r: r[0].holder_name, width=260),
            Column("Bezeichnung", lambda r: r[0].label, width=200),
            Column("Saldo", lambda r: r[1], ALIGN_RIGHT, formatter=money, width=90),
        )), self, placeholder="Konto suchen: Name oder Nummer …")
        self.accounts.setObjectName("accounts")
        self.accounts.set_rows(ledger.list_accounts(context.db, context.organization_id))
        self.items = FilterableList(RowTableModel((
            Column("Fällig", lambda r: r.due_date, width=80),
            Column("Monat", lambda r: str(r.value_month) if r.value_month else "", width=70),
            Column("Kategorie", lambda r: category_label(r.category), width=140),
            Column("Text", lambda r: r.text, width=220),
            Column("Offen", lambda r: r.open_amount, ALIGN_RIGHT, formatter=money, width=90),
        )), self, placeholder="Posten suchen …")
        self.items.setObjectName("items")
        self.items.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.booking_date = QLineEdit(format_date(entry.booking_date), self)
        self.booking_date.setObjectName("bookingDate")
        form = QFormLayout()
        form.addRow("Zahlungseingang", QLabel(entry_text(entry, country), self))
        if entry.note:
            form.addRow("Hinweis", QLabel(entry.note, self))
        form.addRow("Buchungsdatum", self.booking_date)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        self.errors.register("account", self.accounts.search)
        self.errors.register("allocations", self.items.search)
        self.errors.register("booking_date", self.booking_date)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("Zuordnen und buchen", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Abbrechen", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(QLabel("Konto:", self))
        layout.addWidget(self.accounts, 3)
        layout.addWidget(QLabel("Offene Posten des Kontos – markierte zuerst bedienen (sonst älteste zuerst):", self))
        layout.addWidget(self.items, 2)
        layout.addWidget(buttons)
        self.accounts.current_changed.connect(self._account_changed)

    def _account_changed(self, row) -> None:
        self.items.set_rows(ledger.statement(self.context.db, row[0].id).open_items if row is not None else ())

    def choose_account(self, account_id: int) -> bool:
        return self.accounts.select(lambda r: r[0].id == account_id)

    def save(self) -> bool:
        self.errors.clear()
        row = self.accounts.current_row()
        errors = []
        if row is None:
            errors.append(FieldError("account", "Konto: Bitte ein Konto wählen."))
        day = None
        try:
            day = parse_date(self.booking_date.text(), "Buchungsdatum")
        except ValidationError as exc:
            errors += [FieldError("booking_date", e.message) for e in exc.errors]
        if errors:
            show_form_errors(self.errors, self.summary, errors)
            return False
        try:
            self.payment_id = assign_clearing_entry(
                self.context.db, self.context.organization_id, self.entry.id, row[0].id,
                [item.id for item in self.items.selected_rows()], booking_date=day)
        except (ValidationError, NotFoundError) as exc:
            found = exc.errors if isinstance(exc, ValidationError) else [FieldError("account", str(exc))]
            show_form_errors(self.errors, self.summary, [FieldError(e.field or "account", e.message) for e in found])
            return False
        return True


class UnassignableDialog(FormDialog):
    """„Nicht zuordenbar“: the amount stays unbooked; the note says why and what happens to it."""

    def __init__(self, context, entry: BankEntryDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.entry = context, entry
        self.setWindowTitle("Nicht zuordenbar")
        self.setStyleSheet(ERROR_STYLE)
        self.setMinimumWidth(520)
        self.summary = _summary(self)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("note")
        self.note.setPlaceholderText("z. B. an Absender zurücküberwiesen am …")
        self.note.setFixedHeight(90)
        form = QFormLayout()
        form.addRow("Zahlungseingang", QLabel(entry_text(entry, context.country), self))
        form.addRow("Notiz", self.note)
        self.errors = FieldErrorView(self)
        self.errors.set_summary(self.summary)
        self.errors.register("note", self.note)
        buttons = QDialogButtonBox(self)
        buttons.addButton("Als nicht zuordenbar markieren", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Abbrechen", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def is_dirty(self) -> bool:
        return bool(self.note.toPlainText().strip())

    def save(self) -> bool:
        self.errors.clear()
        try:
            mark_unassignable(self.context.db, self.context.organization_id, self.entry.id, self.note.toPlainText())
        except (ValidationError, NotFoundError) as exc:
            found = exc.errors if isinstance(exc, ValidationError) else [FieldError("note", str(exc))]
            show_form_errors(self.errors, self.summary, [FieldError(e.field or "note", e.message) for e in found])
            return False
        return True
