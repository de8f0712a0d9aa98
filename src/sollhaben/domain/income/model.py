"""The value objects of the income-scale calculation (Staffelberechnung) — shared with persistence and UI.

Configuration (per organization): the income item types (Grundtabelle der Einkommenspositionen),
and per validity a version with the income thresholds by household size, the tier brackets and the
exemption default. An assessment (`IncomeAssessment`) belongs to one child and holds what the clerk
entered; `calculation.calculate` turns it into every intermediate figure and the tier.

All frozen and pure. Amounts are `Money`, months `Month`, percentages `Decimal` ("5" is 5 %).
Ids are database ids, None for records not stored yet.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from sollhaben.domain.money import Currency, Money
from sollhaben.domain.months import Month, Validity

MAX_PERSONS = 2


class ItemSign(str, Enum):
    PLUS = "+"  # income
    MINUS = "-"  # deduction

    @property
    def factor(self) -> int:
        return 1 if self is ItemSign.PLUS else -1


@dataclass(frozen=True)
class IncomeItemType:
    """One row of the base table, e.g. „Lohn/Gehalt“ (+) or „Werbungskosten“ (−).

    The types belong to the organization, not to a version: assessments (and their copies) refer to
    them by id across versions. `valid` limits the months in which a type is offered (None: always)."""

    label: str
    sign: ItemSign
    position: int  # order in the person's layer
    id: int | None = None
    valid: Validity | None = None

    def offered_in(self, month: Month) -> bool:
        return self.valid is None or self.valid.contains(month)


@dataclass(frozen=True)
class IncomeThreshold:
    """Einkommensgrenze: the amount a household of `household_size` persons may earn per month."""

    household_size: int
    amount: Money


@dataclass(frozen=True)
class TierBracket:
    """„relevant amount up to `up_to` (inclusive) → tier `tier`“."""

    up_to: Money
    tier: int


@dataclass(frozen=True)
class IncomeScaleVersion:
    """The thresholds, brackets and exemption default valid for a range of months.

    `highest_tier`: the tier above the last bracket, and the tier of the option „höchste Staffel“.
    `increment_per_person`: added to the threshold of the largest size given for each further person."""

    valid: Validity
    thresholds: tuple[IncomeThreshold, ...]
    increment_per_person: Money
    brackets: tuple[TierBracket, ...]
    highest_tier: int
    exemption_percent: Decimal = Decimal(0)
    exemption_fixed: Money | None = None
    id: int | None = None

    @property
    def lowest_tier(self) -> int | None:
        """The tier of a relevant amount ≤ 0: the tier of the lowest bracket."""
        return min(self.brackets, key=lambda b: b.up_to.minor).tier if self.brackets else None


@dataclass(frozen=True)
class IncomeScaleConfig:
    """An organization's configuration: item types and the versions of the scale."""

    currency: Currency
    item_types: tuple[IncomeItemType, ...] = ()
    versions: tuple[IncomeScaleVersion, ...] = ()

    def version_for(self, month: Month) -> IncomeScaleVersion | None:
        return next((v for v in self.versions if v.valid.contains(month)), None)

    def item_type(self, type_id: int) -> IncomeItemType | None:
        return next((t for t in self.item_types if t.id == type_id), None)

    def item_types_for(self, month: Month) -> tuple[IncomeItemType, ...]:
        """The types the person layers list for an assessment starting in `month`, in their order."""
        return tuple(sorted((t for t in self.item_types if t.offered_in(month)), key=lambda t: (t.position, t.label)))


class AssessmentStatus(int, Enum):
    NOT_TRANSFERRED = 1
    TRANSFERRED = 2

    @property
    def label(self) -> str:
        return "1 - Nicht übertragen" if self is AssessmentStatus.NOT_TRANSFERRED else "2 - Übertragen"


@dataclass(frozen=True)
class IncomeItem:
    """An amount entered for one item type: positive, the sign comes from the type.

    Annual, or monthly when the person's layer has „Monatseinkommen erfassen“ on."""

    item_type_id: int
    amount: Money


@dataclass(frozen=True)
class AssessmentPerson:
    person_id: int  # a person linked to the child (guardian)
    monthly_entry: bool = False  # amounts are monthly (× 12) instead of annual
    items: tuple[IncomeItem, ...] = ()


@dataclass(frozen=True)
class IncomeAssessment:
    """Staffelberechnung of one child for a validity range."""

    child_id: int
    facility_id: int | None
    valid_from: Month | None  # required; None only while the form is being filled (copy)
    valid_to: Month | None = None
    persons: tuple[AssessmentPerson, ...] = ()
    household_size: int | None = None  # selects the threshold; entered by the clerk
    declaration_date: date | None = None  # income declaration handed in (information only)
    highest_tier: bool = False  # no income proof: the highest tier, no items needed
    complete: bool = False  # „Vollständig“: the assessment can no longer be deleted
    status: AssessmentStatus = AssessmentStatus.NOT_TRANSFERRED
    exemption_percent: Decimal | None = None  # None: the version's default
    exemption_fixed: Money | None = None  # None: the version's default
    id: int | None = None
    version: int = 1

    @property
    def validity(self) -> Validity | None:
        """The validity range, or None while `valid_from` is missing or the range is reversed."""
        if self.valid_from is None or (self.valid_to is not None and self.valid_to < self.valid_from):
            return None
        return Validity(self.valid_from, self.valid_to)
