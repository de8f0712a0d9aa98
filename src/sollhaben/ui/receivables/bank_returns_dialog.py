"""„Als Rücklastschrift buchen …“ for a debit line of a bank file: the collection's return dialog
(date, reason, fee, note), filled from the bank line — the booking date, the reason the bank gave,
the organization's default fee — and booked together with the line (`bank_returns.book_return_debit`)."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel, QWidget

from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.services.receivables import bank_returns, sepa_returns
from sollhaben.services.receivables.bank_returns import ReturnDebitLine
from sollhaben.services.receivables.sepa_dto import CollectionItemDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.sepa_return_dialog import ReturnDebitDialog


class BankReturnDialog(ReturnDebitDialog):
    def __init__(self, context: AppContext, line: ReturnDebitLine, item: CollectionItemDTO,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(context, item, parent, today)
        self.line = line
        self.setWindowTitle("Als Rücklastschrift buchen")
        if line.booking_date is not None and line.booking_date <= self.today:
            self.returned_on.setText(format_date(line.booking_date))
        if line.reason_code:
            found = self.reason.findData(line.reason_code)
            if found >= 0:
                self.reason.setCurrentIndex(found)
            else:
                self.reason.setEditText(line.reason_code)
        source = (f"Belastung vom {format_date(line.booking_date)} über {format_money(line.amount, 'DE', True)}"
                  f" · {line.file_name}" + (f" · erkannt an {line.via}" if line.via else ""))
        self.layout().insertWidget(1, QLabel(source, self, objectName="bankLine", wordWrap=True))

    def save(self) -> None:
        errors: list[FieldError] = []
        returned_on = fee = None
        try:
            returned_on = parse_date(self.returned_on.text(), "Zurück am")
        except ValidationError as exc:
            errors += [FieldError("returned_on", e.message) for e in exc.errors]
        try:
            fee = sepa_returns.fee_from_text(self.fee.text(), self.item.amount.currency.value)
        except ValidationError as exc:
            errors += [FieldError("fee", e.message) for e in exc.errors]
        try:
            if errors:
                raise ValidationError(errors)
            self.result_debit = bank_returns.book_return_debit(
                self.context.db, self.context.organization_id, self.line.entry_id, self.item.id, returned_on,
                self.reason_code(), fee, self.note.text(), today=self.today)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except (ConflictError, NotFoundError) as exc:
            self.errors.show([FieldError("", str(exc))])
            return
        for table in ("posting", "sepa_collection", "bank_entry"):
            self.context.signals.data_changed.emit(table)
        self.accept()
