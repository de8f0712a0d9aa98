"""Frozen DTOs of the income-scale calculation (Staffelberechnung) for lists, editors and the transfer.

Editors get the domain value objects of `sollhaben.domain.income.model` (frozen too) plus what the
form needs besides: the row version for optimistic locking, names, the figures, the protocols.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sollhaben.domain.income.calculation import IncomeCalculation
from sollhaben.domain.income.model import (
    AssessmentStatus,
    IncomeAssessment,
    IncomeItemType,
    IncomeScaleConfig,
    IncomeScaleVersion,
)
from sollhaben.domain.income.transfer_protocol import ProtocolKind
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.services.dto import FollowUpDTO
from sollhaben.services.kita.dto import SiblingDTO

# --- configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemTypeDTO:
    item_type: IncomeItemType  # with its id
    version: int  # row version (optimistic locking)
    in_use: int  # income items entered with this type (a type in use cannot be deleted)


@dataclass(frozen=True)
class ScaleVersionDTO:
    scale: IncomeScaleVersion  # with its id
    version: int  # row version
    assessments: int  # assessments whose `valid_from` lies in this version (they are computed with it)


@dataclass(frozen=True)
class IncomeConfigDTO:
    organization_id: int
    config: IncomeScaleConfig  # what `calculate` and `validation_errors` take (live figures in the form)
    item_types: tuple[ItemTypeDTO, ...]  # in their order
    versions: tuple[ScaleVersionDTO, ...]  # by `valid_from`


# --- assessments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedPersonDTO:
    """A person linked to the child (guardian or natural-person payer): the ones that can be chosen."""

    person_id: int
    name: str
    relation: str  # "Sorgeberechtigt", "Zahler"


@dataclass(frozen=True)
class AssessmentRow:
    """One line of the assessment list."""

    id: int
    version: int
    child_id: int
    child_name: str  # "Gerber, Mia"
    facility_id: int
    facility_name: str
    persons: str  # "Laura Gerber, Reto Gerber"
    valid: Validity
    household_size: int | None
    tier: int | None  # computed (None: cannot be computed, e.g. no thresholds)
    status: AssessmentStatus
    complete: bool
    follow_up_due: date | None  # the earliest open follow-up of the assessment


@dataclass(frozen=True)
class TransferRow:
    """A stored transfer protocol (layer „Protokoll“)."""

    id: int
    transferred_at: datetime
    transferred_by: str
    tier: int
    valid: Validity
    run_month: Month
    lines: tuple[str, ...]


@dataclass(frozen=True)
class AssessmentDTO:
    """The editor's record: the assessment (id None for a new one or a copy), its figures and context."""

    assessment: IncomeAssessment
    calculation: IncomeCalculation
    child_name: str
    facility_name: str
    linked_persons: tuple[LinkedPersonDTO, ...]
    siblings: tuple[SiblingDTO, ...]  # auto, display only: siblings in care in `valid_from` (or this month)
    transfers: tuple[TransferRow, ...] = ()
    follow_ups: tuple[FollowUpDTO, ...] = ()
    closed_previous: IncomeAssessment | None = None  # set by save: the open earlier one it closed


# --- transfer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolLine:
    kind: ProtocolKind
    text: str
    month: Month | None = None
    payer_id: int | None = None
    amount: Money | None = None
    period_id: int | None = None


@dataclass(frozen=True)
class TransferResultDTO:
    transfer_id: int
    assessment_id: int
    assessment_version: int  # the assessment's row version after the transfer (status 2)
    child_id: int
    child_name: str
    facility_id: int
    tier: int
    valid: Validity
    run_month: Month  # the next billing run, which posts the differences
    periods_changed: int
    periods_created: int
    protocol: tuple[ProtocolLine, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(line.text for line in self.protocol)

    @property
    def heading(self) -> str:
        return f"{self.child_name} – Staffelberechnung {self.valid}: Staffel {self.tier}"


@dataclass(frozen=True)
class TransferFailure:
    assessment_id: int
    child_name: str
    valid: Validity
    message: str  # German, why it was not transferred


@dataclass(frozen=True)
class BulkTransferDTO:
    """The combined protocol of „alle vollständigen übertragen“."""

    transferred: tuple[TransferResultDTO, ...]
    failed: tuple[TransferFailure, ...]
    cancelled: bool  # stopped by the user: the transfers done so far are stored, the rest are untouched
    total: int  # complete, not yet transferred assessments found at the start

    @property
    def lines(self) -> tuple[str, ...]:
        out: list[str] = []
        for result in self.transferred:
            out.append(result.heading)
            out.extend(f"  {line}" for line in result.lines)
        for failure in self.failed:
            out.append(f"{failure.child_name} – Staffelberechnung {failure.valid}: nicht übertragen")
            out.append(f"  {failure.message}")
        out.append(self.summary)
        return tuple(out)

    @property
    def summary(self) -> str:
        text = (f"{len(self.transferred)} von {self.total} Staffelberechnungen übertragen, "
                f"{len(self.failed)} nicht übertragen.")
        if self.cancelled:
            text += (" Abgebrochen: die übrigen Staffelberechnungen sind unverändert und werden beim nächsten "
                     "Aufruf übertragen.")
        return text


# --- bulk work -------------------------------------------------------------------------------------


class DueReason:
    ENDS = "ENDS"  # the assessment ends in the month, no assessment follows
    MISSING = "MISSING"  # an income-dependent fee line, but no assessment for the month


@dataclass(frozen=True)
class DueRow:
    child_id: int
    child_name: str
    facility_id: int | None
    facility_name: str
    reason: str  # DueReason
    assessment_id: int | None  # ENDS: the assessment that ends
    valid: Validity | None  # ENDS: its validity
    text: str  # German, for the list
