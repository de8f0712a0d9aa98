"""Frozen DTOs of the SEPA direct-debit services (they cross threads; no ORM objects)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sollhaben.domain.money import Money


@dataclass(frozen=True)
class MandateDTO:
    id: int
    version: int
    payer_id: int
    payer_name: str
    reference: str
    signed_on: date
    debtor_name: str
    iban: str
    bic: str
    first_used_on: date | None
    last_used_on: date | None
    sequence_type: str
    revoked_on: date | None
    note: str
    status: str  # MandateStatus value today
    status_label: str
    expires_on: date


@dataclass(frozen=True)
class PayerChoice:
    person_id: int
    name: str
    iban: str  # the person's first bank account (proposed for a new mandate)
    bic: str
    account_holder: str


@dataclass(frozen=True)
class ProposedItem:
    posting_id: int
    due_date: date
    text: str
    open_amount: Money


@dataclass(frozen=True)
class ProposalLine:
    account_id: int
    account_number: str
    holder_name: str
    mandate_id: int
    mandate_reference: str
    iban: str
    sequence_type: str
    amount: Money
    items: tuple[ProposedItem, ...]


@dataclass(frozen=True)
class RunProblem:
    """A line of the error list. `blocking`: the run cannot start at all (organization data);
    otherwise only this account is left out."""

    subject: str  # account holder, or "Organisation"
    message: str
    blocking: bool = False
    account_id: int | None = None


@dataclass(frozen=True)
class Proposal:
    organization_id: int
    due_date: date
    lines: tuple[ProposalLine, ...]
    problems: tuple[RunProblem, ...]
    currency: str

    @property
    def total(self) -> Money:
        return Money(sum(line.amount.minor for line in self.lines), self.currency)

    @property
    def blocked(self) -> bool:
        return any(p.blocking for p in self.problems)

    @property
    def can_run(self) -> bool:
        return bool(self.lines) and not self.blocked


@dataclass(frozen=True)
class CollectionResult:
    collection_id: int
    message_id: str
    count: int
    total: Money
    path: str
    file_written: bool
    file_error: str = ""


@dataclass(frozen=True)
class CollectionDTO:
    id: int
    due_date: date
    pain_version: str
    message_id: str
    count: int
    total: Money
    file_name: str
    created_at: datetime
    created_by: str
    returned: int


@dataclass(frozen=True)
class CollectionItemDTO:
    id: int
    collection_id: int
    account_id: int
    account_number: str
    holder_name: str
    mandate_reference: str
    amount: Money
    end_to_end_id: str
    sequence_type: str
    payment_posting_id: int
    returned_on: date | None
    reason_code: str
    fee: Money | None


@dataclass(frozen=True)
class ReturnDebitResult:
    return_id: int
    reversal_posting_id: int
    fee_posting_id: int | None
