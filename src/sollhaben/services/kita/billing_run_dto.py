"""Frozen DTOs of the billing run (Sollstellung): preview, result, undo and the run list.

Amounts are `Money` in the organization's currency. Names are ready to show ("Gerber, Mia").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month

#: Ledger categories of the run's postings (see docs/kita-billing.md → Billing run).
CATEGORY_FEE = "KITA_FEE"  # fee lines (Beiträge)
CATEGORY_EXTRA = "KITA_EXTRA"  # extra costs without the meal flag (Zusatzkosten)
CATEGORY_MEALS = "MEALS"  # extra costs with the meal flag (Verpflegung)


@dataclass(frozen=True)
class RunLineDTO:
    """One posting of the run: a child's line for one payer and value month."""

    child_id: int
    child_name: str
    payer_id: int
    payer_name: str
    value_month: Month
    line_key: str  # "FEE:<fee group>", "EXTRA:<extra cost>" (+ "#2" …)
    line_kind: str  # FEE or EXTRA
    catalogue_id: int
    name: str
    category: str
    tier: int | None
    quantity: Decimal | None
    unit_amount: Money | None
    deductions: Money  # what the discounts deduct from the whole line for the month
    share: Money  # the payer's part of the line as the billing data give it now
    posted_before: Money  # what was posted for month, line and payer before (recalculation)
    amount: Money  # what the run posts: the share, or the difference
    is_recalculation: bool
    is_meal: bool
    text: str


@dataclass(frozen=True)
class RunTotal:
    """A total of the run by fee group, extra cost or payer."""

    key: int  # catalogue id or payer id
    name: str
    amount: Money
    postings: int


@dataclass(frozen=True)
class RunProblem:
    child_id: int
    child_name: str
    month: Month
    line_key: str
    message: str  # German, names the field and the rule


@dataclass(frozen=True)
class RunTotals:
    by_fee_group: tuple[RunTotal, ...]
    by_extra_cost: tuple[RunTotal, ...]
    by_payer: tuple[RunTotal, ...]
    regular: Money
    recalculation: Money

    @property
    def total(self) -> Money:
        return self.regular + self.recalculation


@dataclass(frozen=True)
class RunPreviewDTO:
    """What `post_run` would post for the month; nothing is written."""

    facility_id: int
    facility_name: str
    month: Month
    currency: str
    attempt: int
    children: int  # children with a contract in the facility that the plan looked at
    lines: tuple[RunLineDTO, ...]  # the month's regular postings
    recalculations: tuple[RunLineDTO, ...]  # differences for months already billed, shown separately
    totals: RunTotals
    problems: tuple[RunProblem, ...]
    resets: int  # counts and reset-flagged amounts the run sets back to 0
    refusal: str = ""  # why `post_run` would refuse the month ("" when it may run)

    @property
    def total(self) -> Money:
        return self.totals.total


@dataclass(frozen=True)
class RunResultDTO:
    run_id: int
    facility_id: int
    facility_name: str
    month: Month
    attempt: int
    children: int
    postings: int
    regular_postings: int
    recalculation_postings: int
    accounts_opened: int
    resets: int
    periods_marked: int
    totals: RunTotals
    problems: tuple[RunProblem, ...]
    seconds: float

    @property
    def total(self) -> Money:
        return self.totals.total


@dataclass(frozen=True)
class UndoResultDTO:
    run_id: int  # the run that was reversed
    undo_id: int  # the billing_run row of kind UNDO that records it
    facility_id: int
    month: Month
    reversals: int
    total_reversed: Money  # what the reversed postings summed to (their reversals sum to minus it)
    counts_restored: int
    periods_restored: int
    not_restored: tuple[str, ...] = ()  # German notes: amounts changed since the run, lines removed


@dataclass(frozen=True)
class RunRowDTO:
    """One line of the facility's run list."""

    id: int
    facility_id: int
    month: Month
    kind: str  # RUN or UNDO
    status: str  # POSTED, REVERSED (a run that was undone)
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    currency: str
    postings: int
    children: int
    total: Money
    reversed_by_id: int | None
    attempt: int
