"""What the agreement services take and return (frozen; amounts are Money)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sollhaben.domain.money import Money
from sollhaben.domain.receivables.agreements import (
    AgreementStatus, AgreementTerms, InstalmentState, Interval, instalment_label,
)


@dataclass(frozen=True)
class AgreementInput:
    """A new agreement: the account, the open items it covers (None: all open items of the
    account not covered by another running agreement), the terms and a note."""

    account_id: int
    terms: AgreementTerms
    item_ids: tuple[int, ...] | None = None
    note: str = ""


@dataclass(frozen=True)
class CoverableItem:
    """An open item of the account as the agreement dialog lists it."""

    id: int
    booking_date: date
    due_date: date | None
    category: str
    text: str
    amount: Money
    open_amount: Money
    agreement_id: int | None  # the running agreement that already covers it


@dataclass(frozen=True)
class InstalmentDTO:
    position: int
    due_date: date
    amount: Money
    is_down_payment: bool
    state: InstalmentState
    paid: Money
    deadline: date

    @property
    def label(self) -> str:
        return instalment_label(self.position, self.is_down_payment)


@dataclass(frozen=True)
class AgreementDTO:
    id: int
    account_id: int
    status: AgreementStatus
    total: Money
    paid: Money  # payments to the covered items since the agreement, up to the check date
    created_on: date
    first_due: date
    interval: Interval
    instalment_count: int | None
    instalment_amount: Money | None
    down_payment: Money | None
    grace_days: int
    note: str
    broken_on: date | None
    closed_on: date | None
    close_reason: str
    created_by: str
    version: int
    item_ids: tuple[int, ...]
    instalments: tuple[InstalmentDTO, ...]

    @property
    def open(self) -> Money:
        return self.total - self.paid

    @property
    def next_due(self) -> InstalmentDTO | None:
        return next((i for i in self.instalments if i.state is not InstalmentState.PAID), None)


@dataclass(frozen=True)
class CheckResult:
    """What one monitoring run changed."""

    checked: int
    broken: tuple[int, ...]
    fulfilled: tuple[int, ...]
