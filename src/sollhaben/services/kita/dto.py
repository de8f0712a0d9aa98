"""Frozen DTOs of Kita billing for lists and editors (views never get ORM objects).

Editors get the domain value objects of `sollhaben.domain.kita.model` (frozen too) plus what the
form needs besides: the row version for optimistic locking, names, and read-only marks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sollhaben.domain.kita.model import (
    BillingMode,
    BillingPeriod,
    Contract,
    Discount,
    ExtraCost,
    FeeGroup,
    LineKind,
)
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity

# --- catalogue ------------------------------------------------------------------------------------


class EntryKind:
    FEE_GROUP = "FEE_GROUP"
    DISCOUNT = "DISCOUNT"
    EXTRA_COST = "EXTRA_COST"


@dataclass(frozen=True)
class CatalogueRow:
    """One line of a catalogue list (fee groups, discounts or extra costs)."""

    id: int
    version: int
    kind: str  # EntryKind
    name: str
    code: str
    mode: str  # BillingMode / DiscountKind value
    mode_label: str
    detail: str  # tier source, "Mahlzeit" …
    versions: int
    valid: Validity | None  # from the first version's start to the last version's end
    current: str  # the value valid today, formatted ("3 Staffeln", "25 %", "3.80")


@dataclass(frozen=True)
class FeeGroupDTO:
    group: FeeGroup  # with its versions and their ids
    version: int
    # Versions used by a posted run: id → last billed month. They cannot be changed (only closed
    # after that month).
    billed_through: dict[int, Month] = field(default_factory=dict)


@dataclass(frozen=True)
class DiscountDTO:
    discount: Discount
    version: int
    billed_through: dict[int, Month] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraCostDTO:
    extra_cost: ExtraCost
    version: int
    billed_through: dict[int, Month] = field(default_factory=dict)


@dataclass(frozen=True)
class FacilityOfferDTO:
    """What a facility offers; an empty set of a kind means every entry of that kind."""

    facility_id: int
    fee_group_ids: frozenset[int] = frozenset()
    discount_ids: frozenset[int] = frozenset()
    extra_cost_ids: frozenset[int] = frozenset()


# --- children -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianInput:
    person_id: int
    relation: str = ""
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class GuardianDTO:
    person_id: int
    name: str
    relation: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class PayerDTO:
    person_id: int
    name: str
    kind: str  # PersonKind: NATURAL or INSTITUTION


@dataclass(frozen=True)
class ContractDTO:
    contract: Contract
    facility_name: str
    note: str = ""


@dataclass(frozen=True)
class ChildDTO:
    id: int
    version: int
    organization_id: int
    person_id: int
    last_name: str
    first_name: str
    birth_date: date | None
    notes: str
    guardians: tuple[GuardianDTO, ...]
    payers: tuple[PayerDTO, ...]
    contracts: tuple[ContractDTO, ...]

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


class ChildRow(NamedTuple):
    """One line of the children list: the child and its current (latest) contract."""

    id: int
    person_id: int
    last_name: str
    first_name: str
    birth_date: date | None
    facility_id: int | None
    facility_name: str
    status: str  # ContractStatus value, "" without a contract
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class SiblingDTO:
    child_id: int
    name: str
    birth_date: date | None


# --- billing data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRow:
    """One line of the child's period list."""

    id: int
    version: int
    valid: Validity
    billed_through: Month | None
    fee_lines: int
    extra_lines: int
    locked: bool  # the facility locks billed data and this period has a billed month


@dataclass(frozen=True)
class PeriodDTO:
    """A period for the editor. `locked_through` is set when the lock option forbids changing the
    months up to it; `lock_message` then says why (German)."""

    period: BillingPeriod
    locked_through: Month | None = None
    lock_message: str = ""


@dataclass(frozen=True)
class QuickColumn:
    key: str  # "FEE:<fee_group_id>" or "EXTRA:<extra_cost_id>" ("#2" … for a second line of the entry)
    kind: LineKind
    catalogue_id: int
    name: str
    mode: BillingMode  # PER_UNIT (a count) or INDIVIDUAL (an amount)


@dataclass(frozen=True)
class QuickCell:
    line_id: int
    value: int | Money  # count (PER_UNIT) or amount (INDIVIDUAL)
    editable: bool = True  # False: billed data under the lock option (INDIVIDUAL without reset)


@dataclass(frozen=True)
class QuickRow:
    child_id: int
    name: str
    period_id: int
    period_version: int
    cells: dict[str, QuickCell]  # by column key; a child without that line has no cell
    locked: bool = False  # the facility locks billed data and this period has billed months


@dataclass(frozen=True)
class QuickEntryDTO:
    facility_id: int
    month: Month
    currency: str
    columns: tuple[QuickColumn, ...]
    rows: tuple[QuickRow, ...]

    def total(self, key: str) -> int | Money:
        """The column's total: a count, or an amount."""
        column = next(c for c in self.columns if c.key == key)
        values = [row.cells[key].value for row in self.rows if key in row.cells]
        if column.mode is BillingMode.PER_UNIT:
            return sum(v for v in values if isinstance(v, int))
        return Money(sum(v.minor for v in values if isinstance(v, Money)), self.currency)


@dataclass(frozen=True)
class QuickChange:
    """One edited cell: the typed text ("17", "12,50") or a value; empty text means 0 / none."""

    child_id: int
    key: str
    value: str | int | Money | None
    period_version: int | None = None  # the version the grid loaded (optimistic locking)
