"""„Guthaben zuordnen“: the booking window for credit balance already on the account (an
overpayment, a credit note) once new items are open. Same tree and rules as „Zahlung buchen“; the
amount is the unallocated credit, and nothing new is posted — only allocations."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.errors import FieldError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.services.receivables import receipts
from sollhaben.services.receivables.receipts_dto import ReceiptProposal
from sollhaben.ui.receivables.booking_dialog import BookingDialog


class CreditAllocationDialog(BookingDialog):
    TITLE = "Guthaben zuordnen"
    SHOW_EXISTING_CREDIT = False  # it is the amount here

    def _build(self) -> None:
        super()._build()
        self.amount_edit.setReadOnly(True)
        self.amount_edit.setToolTip("Das unzugeordnete Guthaben des Kontos")
        self.form.setRowVisible(self.text_edit, False)
        self.form.setRowVisible(self.reference_edit, False)
        self.amount_caption_label.setText("Guthaben:")
        self.date_caption.setText("&Stichtag:")
        self.date_edit.setToolTip("Fälligkeit der Posten zu diesem Tag (für den Vorschlag)")

    def fetch_proposal(self, account_id: int, value_date: date) -> ReceiptProposal:
        proposal = receipts.credit_proposal(self.db, account_id, value_date, self.designation_for(account_id))
        self.amount_edit.setText(format_money(proposal.amount, self.country))
        return proposal

    def amount_caption(self) -> str:
        return "Guthaben"

    def receipt_amount(self) -> Money:
        return self.proposal.amount if self.proposal else Money.zero(self._currency())

    def is_dirty(self) -> bool:
        return self.posting_id is None and self._manual

    def collect_errors(self) -> list[FieldError]:
        problems = [e for e in super().collect_errors() if e.field != "amount"]
        if self.proposal is not None and self.proposal.amount.minor == 0:
            problems.append(FieldError("amount", "Guthaben: Dieses Konto hat kein unzugeordnetes Guthaben."))
        return problems

    def book(self) -> int:
        allocations, _bad = self.tree.allocations()
        value_date = self._date() or self.today
        done = receipts.allocate_credit(self.db, self.account_id(), allocations, value_date)
        return len(done)
