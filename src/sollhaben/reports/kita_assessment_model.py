"""What a fee assessment letter (Festsetzung der Elternbeiträge) says: frozen data handed to
`reports.kita_assessment` (no database, no Qt). `services.kita.fee_assessment` builds it.

Every amount is `Money` (minor units) computed by the domain calculation; the report only formats
and places it. A line whose amount changes from month to month (PER_UNIT, INDIVIDUAL with reset)
has `share = None` and prints "offener Betrag".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.letter_model import Sender
from sollhaben.reports.qr_bill_data import PreparedBill


class PaymentMethod(str, Enum):
    SEPA_DEBIT = "SEPA_DEBIT"  # DE with a SEPA direct-debit mandate: pre-notification sentence
    TRANSFER = "TRANSFER"  # DE without a mandate: bank account and creditor reference
    QR_BILL = "QR_BILL"  # CH: QR-bill for the first month


@dataclass(frozen=True)
class Deduction:
    name: str  # discount name or "Sonderermäßigung"
    amount: Money  # deducted in the month (positive)


@dataclass(frozen=True)
class AssessmentLine:
    """One fee or extra-cost line of a child, as far as it concerns the recipient.

    `monthly` is the line's amount before discounts for the month (None: open), `deductions`
    the discounts of the month, `net` the amount after them, `share` the recipient's part of the
    net (None: "offener Betrag"). `detail` is a short second line (e.g. "12,40 je Tag × 18 Tage").
    """

    kind: str  # "FEE" or "EXTRA"
    name: str  # fee group or extra cost
    mode_label: str  # "monatlich", "nach Tagen", "nach Anzahl", "individuell"
    tier: str = ""  # tier label ("Stufe 2"); "" without a tier
    monthly: Money | None = None
    deductions: tuple[Deduction, ...] = ()
    net: Money | None = None
    share: Money | None = None  # None: the amount changes monthly ("offener Betrag")
    detail: str = ""
    shared: bool = False  # other payers pay part of the net as well

    @property
    def is_open(self) -> bool:
        return self.share is None

    @property
    def deducted(self) -> Money | None:
        """The discounts of the month together (None without discounts)."""
        if not self.deductions:
            return None
        total = self.deductions[0].amount
        for d in self.deductions[1:]:
            total = total + d.amount
        return total


@dataclass(frozen=True)
class AssessmentChild:
    child_id: int
    name: str  # "Mia Gerber"
    birth_date: dt.date | None
    month: Month  # the month its lines are computed for (the letter's month or its first care month)
    fees: tuple[AssessmentLine, ...] = ()
    extras: tuple[AssessmentLine, ...] = ()
    until: Month | None = None  # last contract month when the contract ends
    partial_days: tuple[int, int] | None = None  # (care days, days of the month) in a partial first month
    total: Money | None = None  # the recipient's fixed monthly part for this child

    @property
    def lines(self) -> tuple[AssessmentLine, ...]:
        return self.fees + self.extras


@dataclass(frozen=True)
class Payment:
    method: PaymentMethod
    due_day: int  # day of the month the fees are due
    first_due: dt.date  # due date of the first month that is not fee-free
    first_amount: Money  # the recipient's fixed part of that month
    iban: str = ""  # the organization's account (TRANSFER, QR_BILL) or the payer's (SEPA_DEBIT)
    bic: str = ""
    reference: str = ""  # creditor reference (TRANSFER) or QR / creditor reference (QR_BILL), formatted
    mandate_reference: str = ""  # SEPA_DEBIT
    creditor_id: str = ""  # SEPA creditor identifier of the organization (SEPA_DEBIT)


@dataclass(frozen=True)
class FeeAssessment:
    """One letter: to one payer (person or institution) for one facility from a month on."""

    organization_id: int
    facility_id: int
    facility_name: str
    payer_id: int
    country: str  # DE or CH: layout, number format, payment
    currency: str
    sender: Sender
    recipient: tuple[str, ...]  # address lines for the window
    salutation: str  # "Sehr geehrte Frau Gerber"
    institution: bool  # the recipient is an institution (other wording)
    place: str
    date: dt.date
    from_month: Month
    children: tuple[AssessmentChild, ...]
    total: Money  # the recipient's fixed monthly part over all children
    payment: Payment
    fee_free_months: tuple[int, ...] = ()  # calendar months without fees (e.g. (8,))
    legal_text: str = ""  # the sentence on the statute ("" = the neutral default)
    bill: PreparedBill | None = None  # CH: the QR-bill for the first month
    problems: tuple[str, ...] = ()  # German messages: lines that could not be computed, address
    data_hash: str = ""  # fingerprint of what the letter says (change detection)
    language: str = "de"

    @property
    def has_open(self) -> bool:
        return any(line.is_open for child in self.children for line in child.lines)

    @property
    def recipient_name(self) -> str:
        return self.recipient[0] if self.recipient else ""
