"""What the payout services hand to the UI and to other modules: frozen values, no ORM rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sollhaben.domain.errors import FieldError
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.payouts import OrderStatus, Party, SourceKind
from sollhaben.persistence.models import PayoutFile, PayoutOrder


@dataclass(frozen=True)
class PayoutOrderDTO:
    id: int
    account_id: int
    account_number: str
    recipient: Party
    iban: str
    bic: str
    amount: Money
    purpose: str
    reference: str
    source_kind: SourceKind
    source_id: int | None
    status: OrderStatus
    payout_posting_id: int | None
    cancel_posting_id: int | None
    file_id: int | None
    created_at: datetime
    created_by: str


def order_dto(order: PayoutOrder, account_number: str = "") -> PayoutOrderDTO:
    party = Party(order.recipient_name, order.street, order.house_number, order.postal_code, order.town,
                  order.country)
    return PayoutOrderDTO(order.id, order.account_id, account_number, party, order.iban, order.bic,
                          Money(order.amount_minor, order.currency), order.purpose, order.reference,
                          SourceKind(order.source_kind), order.source_id, OrderStatus(order.status),
                          order.payout_posting_id, order.cancel_posting_id, order.file_id, order.created_at,
                          order.created_by)


@dataclass(frozen=True)
class CreditBalanceDTO:
    """An account with unallocated credit and the refund the office would make of it."""

    account_id: int
    account_number: str
    holder_id: int
    holder_name: str
    credit: Money
    recipient: Party
    iban: str
    bic: str
    problems: tuple[FieldError, ...]  # what stops the refund (no IBAN, no town …), German

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def problem_text(self) -> str:
        return " ".join(p.message for p in self.problems)


@dataclass(frozen=True)
class PayoutFileDTO:
    id: int
    kind: str
    pain_version: str
    message_id: str
    execution_date: date
    debtor_iban: str
    count: int
    total: Money
    file_name: str
    sha256: str
    created_at: datetime
    created_by: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdraw_reason: str = ""

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def file_dto(row: PayoutFile) -> PayoutFileDTO:
    return PayoutFileDTO(row.id, row.kind, row.pain_version, row.message_id, row.execution_date, row.debtor_iban,
                         row.count, Money(row.sum_minor, row.currency), row.file_name, row.sha256, row.created_at,
                         row.created_by, row.withdrawn_at, row.withdrawn_by or "", row.withdraw_reason or "")
