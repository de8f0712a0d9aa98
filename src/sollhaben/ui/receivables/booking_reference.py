"""The payer's reference in the booking window: a QR or RF reference from the transfer text chooses
the account and ticks the items the invoice or reminder carrying it was issued for (Zweckbestimmung).
A reference that names nothing is refused at the field; a known one is stored with the payment."""
from __future__ import annotations

from sollhaben.domain.errors import FieldError
from sollhaben.services.receivables import receipts


class PayerReference:
    """Mixed into `BookingDialog` (uses its tree, account chooser, errors and proposal)."""

    def designation_for(self, account_id: int) -> list[int]:
        """The items ticked in the tree (same account), then those a reference named."""
        named = self.tree.designation() if self.proposal and self.proposal.account.id == account_id else []
        return named + [i for i in self._reference_items if i not in named]

    @staticmethod
    def _unknown_reference(text: str) -> FieldError:
        return FieldError("reference", f"Referenz: „{text}“ gehört zu keiner Rechnung oder Mahnung dieser "
                                       "Organisation (Feld leeren, um ohne Referenz zu buchen).")

    def _reference_entered(self) -> None:
        """A reference the payer gave chooses the account and ticks the items it was issued for."""
        text = self.reference_edit.text().strip()
        self.errors.clear()
        self._reference = ""
        if not text:
            return
        found = receipts.resolve_payer_reference(self.db, self.organization_id, text)
        if found is None:
            self.errors.show([self._unknown_reference(text)])
            return
        self._reference = "".join(text.split()).upper()[:35]  # stored with the payment
        self._reference_items = list(found.item_ids)
        self.account_combo.blockSignals(True)
        self.account_combo.setCurrentIndex(max(self.account_combo.findData(found.account_id), 0))
        self.account_combo.blockSignals(False)
        self.reload_proposal()
