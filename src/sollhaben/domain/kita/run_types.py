"""Inputs and outputs of the billing run's plan (`run_plan.plan_run`). All frozen, all pure.

The service loads, per facility and target month, every child's billing periods, contracts, facts
and what the ledger already holds for it (`PostedAmount`), and gets back a `RunPlan`: the postings
to make (regular lines of the target month and recalculation differences of earlier months), the
resets to do after posting, the periods to mark as billed, and the problems.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Callable, Mapping, Sequence

from sollhaben.domain.kita.model import (
    BillingPeriod,
    Catalogue,
    ChildMonthFacts,
    ComputedLine,
    Contract,
    FacilitySettings,
    LineDeduction,
    LineKind,
    Problem,
)
from sollhaben.domain.money import Currency, Money, total
from sollhaben.domain.months import Month


class PostingKind(str, Enum):
    REGULAR = "REGULAR"  # the target month's line, billed for the first time
    RECALCULATION = "RECALCULATION"  # Nachberechnung: the difference for a month already billed

    @property
    def label(self) -> str:
        return "Sollstellung" if self is PostingKind.REGULAR else "Nachberechnung"


@dataclass(frozen=True)
class PostedAmount:
    """What the ledger holds for one child, value month, line and payer.

    Several rows for the same (month, line_key, payer_id) are added up. `quantity` (PER_UNIT: the
    count billed) and `unit_amount` (INDIVIDUAL with reset: the amount billed) are the detail of
    the line's earliest posting for that month — a billed count is never taken from the form again,
    because the run has reset the form since."""

    month: Month
    line_key: str
    payer_id: int
    amount: Money
    quantity: Decimal | None = None
    unit_amount: Money | None = None


FactsSource = Callable[[Month], ChildMonthFacts] | Mapping[Month, ChildMonthFacts] | None


@dataclass(frozen=True)
class ChildRun:
    """One child of the facility: its billing data, contracts, facts and postings.

    `facts`: a function or dict giving the child's facts per month (sibling position, children in
    household, income tier); missing months get the defaults. `care_days` is always recomputed from
    the contracts. `recalculate_from`: recalculate only from this month on (a service may pass the
    first month a change can affect, to save work); None recalculates every billed month."""

    child_id: int
    periods: Sequence[BillingPeriod]
    contracts: Sequence[Contract]
    facts: FactsSource = None
    posted: Sequence[PostedAmount] = ()
    recalculate_from: Month | None = None


@dataclass(frozen=True)
class RunRequest:
    """One facility's run for `month`.

    `attempt`: 1 + the number of runs of this month that were undone; it is part of every
    idempotency key, so after an undo the month can be posted again, while a repeated (or
    concurrent) run of the same attempt posts nothing twice. `first_billed_month`: where
    recalculation starts when `settings.first_billing_month` is not set (else each child's
    earliest posted month)."""

    facility_id: int
    month: Month
    settings: FacilitySettings
    catalogue: Catalogue
    attempt: int = 1
    first_billed_month: Month | None = None

    @property
    def currency(self) -> Currency:
        return Currency(self.catalogue.currency)

    @property
    def recalculation_start(self) -> Month | None:
        return self.settings.first_billing_month or self.first_billed_month


@dataclass(frozen=True)
class PlannedPosting:
    """One receivable (or credit) to post for a child, line, payer and value month."""

    idempotency_key: str
    kind: PostingKind
    facility_id: int
    child_id: int
    payer_id: int
    run_month: Month
    value_month: Month  # the month the amount concerns
    due_date: date
    line_key: str
    line_kind: LineKind
    catalogue_id: int
    name: str
    amount: Money  # what to post: the share (regular) or the difference (recalculation, may be negative)
    share: Money  # the payer's part of the line for `value_month` as the billing data give it now
    posted_before: Money  # what the ledger held for value month, line and payer before this run
    line: ComputedLine | None  # the line as computed now; None when it no longer exists (credit of it all)
    quantity: Decimal | None  # days (DAILY), count (PER_UNIT), 1, or the pro-rata fraction
    unit_amount: Money | None
    is_meal: bool = False

    @property
    def version_id(self) -> int | None:
        return self.line.version_id if self.line else None

    @property
    def tier(self) -> int | None:
        return self.line.tier if self.line else None

    @property
    def deductions(self) -> tuple[LineDeduction, ...]:
        return self.line.deductions if self.line else ()

    @property
    def is_recalculation(self) -> bool:
        return self.kind is PostingKind.RECALCULATION

    def as_posted(self) -> PostedAmount:
        """The row this posting adds to what the ledger holds (for the next plan)."""
        return PostedAmount(self.value_month, self.line_key, self.payer_id, self.amount, self.quantity,
                            self.unit_amount)


@dataclass(frozen=True)
class PlannedReset:
    """After posting: set a billed count (PER_UNIT) or amount (INDIVIDUAL with reset) back to 0.

    `count_before` / `amount_before` are what undo restores."""

    child_id: int
    period_id: int | None
    line_kind: LineKind
    index: int  # position in the period's fee_lines / extra_lines
    line_key: str
    count_before: int
    amount_before: Money | None


@dataclass(frozen=True)
class BilledPeriod:
    """A period that billed the target month: its `billed_through` becomes the run month."""

    child_id: int
    period_id: int | None


@dataclass(frozen=True)
class ChildPlan:
    child_id: int
    postings: tuple[PlannedPosting, ...]
    resets: tuple[PlannedReset, ...]
    billed_periods: tuple[BilledPeriod, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RunPlan:
    facility_id: int
    month: Month
    attempt: int
    currency: Currency
    postings: tuple[PlannedPosting, ...]
    resets: tuple[PlannedReset, ...]
    billed_periods: tuple[BilledPeriod, ...]
    problems: tuple[Problem, ...]
    children: int  # how many children were planned

    @property
    def regular(self) -> tuple[PlannedPosting, ...]:
        return tuple(p for p in self.postings if p.kind is PostingKind.REGULAR)

    @property
    def recalculations(self) -> tuple[PlannedPosting, ...]:
        return tuple(p for p in self.postings if p.kind is PostingKind.RECALCULATION)

    def total(self, kind: PostingKind | None = None) -> Money:
        return total((p.amount for p in self.postings if kind is None or p.kind is kind), self.currency)
