"""„Zahlung buchen“: the booking window (Sonderbuchungsfenster) for a receipt.

Choose the account, enter date, amount and text; the open items appear grouped by month and
category (and enforcement case) with the allocation the module's rule proposes. The clerk may tick
the items the payer named (Zweckbestimmung) and change any „Zuordnung“; what is not allocated stays
as credit balance. Speichern books everything in one unit of work or nothing.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.domain.money import Money, parse_amount
from sollhaben.persistence.database import Database
from sollhaben.services import ledger
from sollhaben.services.receivables import receipts
from sollhaben.services.receivables.receipts_dto import ReceiptProposal
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.receivables.booking_account_chooser import AccountChooser
from sollhaben.ui.receivables.booking_reference import PayerReference
from sollhaben.ui.receivables.booking_tree import AllocationTree

ROW_FIELD = "allocations["


def row_index(field: str) -> int | None:
    """allocations[3].amount → 3."""
    if not field.startswith(ROW_FIELD):
        return None
    return int(field[len(ROW_FIELD):field.index("]")])


class BookingDialog(PayerReference, FormDialog):
    """`saved(posting id)` after the receipt is booked."""

    saved = Signal(int)
    TITLE = "Zahlung buchen"
    SHOW_EXISTING_CREDIT = True  # credit already on the account, beside the figures

    def __init__(self, db: Database, organization_id: int, country: str, account_id: int | None = None,
                 today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.country = db, organization_id, country
        self.today = today or date.today()
        self.proposal: ReceiptProposal | None = None
        self.posting_id: int | None = None
        self._manual = False  # the clerk changed an allocation: a new amount no longer re-proposes
        self._proposed_for: tuple = ()  # (account, amount, date) the tree's proposal was made for
        self._reference_items: list[int] = []  # items a reference named, ticked at the next proposal
        self._reference = ""  # the payer's reference once it resolved
        self.setWindowTitle(self.TITLE)
        self.setStyleSheet(ERROR_STYLE)
        self.resize(860, 640)
        self._build()
        self.account_combo.fill(db, organization_id, account_id)
        self.reload_proposal()
        (self.amount_edit if account_id is not None else self.account_combo).setFocus()

    # building --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.account_combo = AccountChooser(self)
        self.account_combo.currentIndexChanged.connect(lambda _i: self.reload_proposal())
        self.date_edit = QLineEdit(format_date(self.today), self)
        self.date_edit.setPlaceholderText("TT.MM.JJJJ")
        self.date_edit.setMaximumWidth(120)
        self.date_edit.editingFinished.connect(self._inputs_changed)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setPlaceholderText("0,00")
        self.amount_edit.setMaximumWidth(140)
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.amount_edit.editingFinished.connect(self._amount_finished)
        self.currency_label = QLabel("", self)
        self.text_edit = QLineEdit("Zahlung", self)
        self.text_edit.setMaxLength(receipts.TEXT_MAX)
        self.reference_edit = QLineEdit(self)
        self.reference_edit.setPlaceholderText("QR- oder RF-Referenz aus dem Verwendungszweck (optional)")
        self.reference_edit.editingFinished.connect(self._reference_entered)
        self.designation_label = QLabel(self)
        self.designation_label.setWordWrap(True)

        self.form = form = QFormLayout()
        self.date_caption, self.amount_caption_label = QLabel("&Buchungsdatum:", self), QLabel("Be&trag:", self)
        self.date_caption.setBuddy(self.date_edit)
        self.amount_caption_label.setBuddy(self.amount_edit)
        form.addRow("&Konto:", self.account_combo)
        form.addRow(self.date_caption, self.date_edit)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_edit)
        amount_row.addWidget(self.currency_label)
        amount_row.addStretch(1)
        form.addRow(self.amount_caption_label, amount_row)
        form.addRow("Te&xt:", self.text_edit)
        form.addRow("&Referenz:", self.reference_edit)
        form.addRow("Zweckbestimmung:", self.designation_label)

        self.tree = AllocationTree(self.country, self)
        self.tree.allocation_changed.connect(self._allocation_edited)
        self.tree.designation_changed.connect(self._designation_changed)
        self.propose_button = QPushButton("&Vorschlag", self)
        self.propose_button.setToolTip("Zuordnung neu nach der Regel des Moduls vorschlagen")
        self.propose_button.setAutoDefault(False)
        self.propose_button.clicked.connect(self.reload_proposal)
        heading = QLabel("Offene Posten", self)
        heading.setStyleSheet("font-weight: 600;")
        self.rule_label = QLabel(self)
        self.rule_label.setStyleSheet("color: #555;")
        head = QHBoxLayout()
        head.addWidget(heading)
        head.addWidget(self.rule_label)
        head.addStretch(1)
        head.addWidget(self.propose_button)
        self.row_errors = QLabel(self)
        self.row_errors.setWordWrap(True)
        self.row_errors.setStyleSheet(f"color: {ERROR_COLOR};")
        self.row_errors.hide()
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #8a5a00;")
        self.notes.hide()
        self.figures = QLabel(self)
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Speichern")
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addLayout(head)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.row_errors)
        layout.addWidget(self.notes)
        layout.addWidget(self.figures)
        layout.addWidget(self.buttons)
        self.errors = FieldErrorView(self)
        for field, widget in (("account", self.account_combo), ("booking_date", self.date_edit),
                              ("amount", self.amount_edit), ("text", self.text_edit),
                              ("reference", self.reference_edit)):
            self.errors.register(field, widget)
        self.errors.register("allocations", self.tree, self.row_errors)
        for first, second in ((self.account_combo, self.date_edit), (self.date_edit, self.amount_edit),
                              (self.amount_edit, self.text_edit), (self.text_edit, self.reference_edit),
                              (self.reference_edit, self.propose_button),
                              (self.propose_button, self.tree), (self.tree, self.save_button)):
            QWidget.setTabOrder(first, second)

    # reading the inputs ---------------------------------------------------------------------------
    def account_id(self) -> int | None:
        return self.account_combo.account_id()

    def _date(self) -> date | None:
        try:
            return parse_date(self.date_edit.text(), "Buchungsdatum")
        except ValidationError:
            return None

    def _amount(self, currency: str) -> Money | None:
        try:
            return parse_amount(self.amount_edit.text(), currency, "Betrag")
        except ValidationError:
            return None

    def _currency(self) -> str:
        return self.proposal.account.currency if self.proposal else "EUR"

    # proposal -------------------------------------------------------------------------------------
    def fetch_proposal(self, account_id: int, value_date: date) -> ReceiptProposal:
        currency = ledger.get_account(self.db, account_id).currency
        amount = self._amount(currency)
        if amount is None or amount.minor < 0:
            amount = Money.zero(currency)
        return receipts.receipt_proposal(self.db, account_id, amount, value_date, self.designation_for(account_id))

    def reload_proposal(self) -> None:
        """Show the open items with the module rule's allocation of the amount entered."""
        account_id = self.account_id()
        self.proposal = None if account_id is None else self.fetch_proposal(account_id, self._date() or self.today)
        if self.proposal is None:
            self.tree.clear()
        else:
            self.tree.show_proposal(self.proposal)
            self.currency_label.setText(self.proposal.account.currency)
            self.rule_label.setText(f"Vorschlag nach Regel „{self.proposal.rule_name}“")
        notes = self.proposal.notes if self.proposal else ()
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self._manual = False
        self._proposed_for = self._inputs_key()
        self._reference_items = []  # now ticked in the tree
        self.tree.mark_rows({})
        self._update_designation()
        self.update_figures()

    def _amount_finished(self) -> None:
        amount = self._amount(self._currency())
        if amount is not None and not self.amount_edit.isReadOnly():  # 1000 → 1.000,00 (DE), 1'000.00 (CH)
            self.amount_edit.setText(format_money(amount, self.country))
        self._inputs_changed()

    def _inputs_key(self) -> tuple:
        return self.account_id(), self._amount(self._currency()), self._date()

    def _inputs_changed(self) -> None:
        """Amount or date left: propose again when they changed (leaving a field unchanged, e.g. to
        edit a row, must not replace the rows), unless the clerk has allocated by hand."""
        if self._manual or self._inputs_key() == self._proposed_for:
            self.update_figures()
        else:
            self.reload_proposal()

    def _allocation_edited(self) -> None:
        self._manual = True
        self.update_figures()

    def _designation_changed(self) -> None:
        self._update_designation()
        if not self._manual:
            self.reload_proposal()

    def _update_designation(self) -> None:
        named = self.tree.designation()
        self.designation_label.setText(
            ", ".join(f"Nr. {i}" for i in named) + (" (in dieser Reihenfolge)" if len(named) > 1 else "") if named
            else "keine – Posten, die der Zahler nennt, in der Liste ankreuzen (Leertaste)")

    def receipt_amount(self) -> Money:
        return self._amount(self._currency()) or Money.zero(self._currency())

    def update_figures(self) -> None:
        """Zahlung, Zugeordnet and the live „Nicht zugeordnet (Guthaben)“."""
        currency = self._currency()
        allocations, _bad = self.tree.allocations()
        allocated = Money(sum(a.minor for _i, a in allocations), currency)
        rest = self.receipt_amount() - allocated
        money = lambda m: format_money(m, self.country, with_currency=True)  # noqa: E731
        rest_html = (f"<b>{money(rest)}</b>" if rest.minor >= 0
                     else f"<b style='color:{ERROR_COLOR}'>{money(rest)} – mehr zugeordnet als gezahlt</b>")
        existing = self.proposal.existing_credit if self.proposal else Money.zero(currency)
        self.figures.setText(
            f"{self.amount_caption()}: <b>{money(self.receipt_amount())}</b> &nbsp;&nbsp; "
            f"Zugeordnet: <b>{money(allocated)}</b> &nbsp;&nbsp; Nicht zugeordnet (Guthaben): {rest_html}"
            + (f" &nbsp;&nbsp; <span style='color:#555'>Bisheriges Guthaben: {money(existing)}</span>"
               if existing.minor and self.SHOW_EXISTING_CREDIT else ""))
        self.rest = rest

    def amount_caption(self) -> str:
        return "Zahlung"

    # saving ---------------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self.posting_id is None and (bool(self.amount_edit.text().strip()) or self._manual)

    def collect_errors(self) -> list[FieldError]:
        problems: list[FieldError] = []
        if self.account_id() is None:
            problems.append(FieldError("account", "Konto: Bitte ein Konto wählen."))
        for field, check in (("booking_date", lambda: parse_date(self.date_edit.text(), "Buchungsdatum")),
                             ("amount", lambda: parse_amount(self.amount_edit.text(), self._currency(), "Betrag"))):
            try:
                check()
            except ValidationError as exc:
                problems += [FieldError(field, e.message) for e in exc.errors]
        reference = self.reference_edit.text().strip()
        if reference and not self._reference and not self.reference_edit.isHidden():
            problems.append(self._unknown_reference(reference))
        _allocations, bad = self.tree.allocations()
        problems += [FieldError(f"allocations[{i}].amount", message) for i, message in bad.items()]
        return problems

    def show_errors(self, errors: list[FieldError]) -> None:
        rows = {row_index(e.field): e.message for e in errors if row_index(e.field) is not None}
        self.tree.mark_rows(rows)
        placed = [FieldError("allocations", e.message) if row_index(e.field) is not None else e for e in errors]
        show_form_errors(self.errors, self.summary, placed)
        if rows:
            self.tree.setFocus()

    def book(self) -> int:
        allocations, _bad = self.tree.allocations()
        return receipts.book_receipt(self.db, self.account_id(), parse_date(self.date_edit.text()),
                                     parse_amount(self.amount_edit.text(), self._currency()),
                                     self.text_edit.text(), allocations, reference=self._reference)

    def save(self) -> bool:
        self.tree.commit_open_editor()
        problems = self.collect_errors()
        if problems:
            self.show_errors(problems)
            return False
        try:
            self.posting_id = self.book()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        self.saved.emit(self.posting_id)
        return True
