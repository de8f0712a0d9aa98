"""How the recipient of a fee assessment pays: SEPA direct debit (DE, with a mandate), transfer
(DE, without one) or the Swiss QR-bill for the first month (CH).

SEPA mandates are issue 5 (ledger.md → "SEPA direct debit"); there is no mandate table yet. The
lookup is a hook: `set_mandate_lookup(func)` installs the function that finds the valid mandate of
each payer (the mandate module will call it on import); until then no payer has one and every DE
letter asks for a transfer ("Überweisung") with the organization's account and the creditor
reference. No mandate data is ever made up here.

The payment reference is the reference scheme of `domain.references`: the payer's main ledger
account and document number 0 — a fee letter announces payments for months whose receivables do
not exist yet, so the bank-file import books them to the account and allocates them to its open
items by the usual rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Sequence

from sqlalchemy.orm import Session

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.kita.model import due_date
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.references import (
    format_creditor_reference,
    format_iban,
    format_qr_reference,
    make_document_creditor_reference,
    make_document_reference,
)
from sollhaben.reports.kita_assessment_model import Payment, PaymentMethod
from sollhaben.reports.qr_bill_data import BillAddress, BillData, PreparedBill, permitted_text, prepare_bill
from sollhaben.services.kita.fee_assessment_load import OrgInfo, PersonInfo

DOCUMENT_NO = 0  # the account only: see the module docstring
LEGAL_TEXT_OPTION = "kita.assessment_legal_text"  # organization option replacing the statute sentence


@dataclass(frozen=True)
class Mandate:
    """A valid SEPA direct-debit mandate of a payer (from the mandate module, issue 5)."""

    reference: str  # mandate reference, ≤ 35 characters, unique per creditor
    iban: str  # the payer's account
    bic: str = ""
    signed_on: dt.date | None = None


#: (session, organization id, payer ids, month of the first collection) → {payer id: mandate}
MandateLookup = Callable[[Session, int, Sequence[int], Month], dict[int, Mandate]]


def no_mandates(_session: Session, _organization_id: int, _payer_ids: Sequence[int],
                _month: Month) -> dict[int, Mandate]:
    """The default while there is no mandate table: nobody has a mandate."""
    return {}


_mandate_lookup: MandateLookup = no_mandates


def set_mandate_lookup(lookup: MandateLookup | None) -> None:
    """Install how the valid mandates of payers are found; None restores the default (none)."""
    global _mandate_lookup
    _mandate_lookup = lookup or no_mandates


def mandates(session: Session, org: OrgInfo, payer_ids: Sequence[int], month: Month) -> dict[int, Mandate]:
    if org.country != "DE" or not payer_ids:
        return {}
    return _mandate_lookup(session, org.id, payer_ids, month)


def legal_text(org: OrgInfo) -> str:
    """The organization's own sentence on the statute, "" for the neutral default."""
    value = org.options.get(LEGAL_TEXT_OPTION, "")
    return value.strip() if isinstance(value, str) else ""


def first_due_month(from_month: Month, fee_free: frozenset[int]) -> Month:
    """The first month from `from_month` on that is not fee-free (at most a year ahead)."""
    month = from_month
    for _ in range(12):
        if month.month not in fee_free:
            return month
        month = month + 1
    return from_month


def payment_method(org: OrgInfo, mandate: Mandate | None) -> PaymentMethod:
    if org.country == "CH":
        return PaymentMethod.QR_BILL
    return PaymentMethod.SEPA_DEBIT if mandate is not None else PaymentMethod.TRANSFER


def fingerprint(method: PaymentMethod, mandate: Mandate | None) -> list:
    """What of the payment counts as a change of the letter: the method and the mandate."""
    return [method.value, mandate.reference if mandate else "", mandate.iban if mandate else ""]


def payment(org: OrgInfo, due_day: int, first_month: Month, first_amount: Money, mandate: Mandate | None,
            account_id: int | None) -> Payment:
    """The payment data; `account_id` None leaves the reference empty (lists, change detection)."""
    method = payment_method(org, mandate)
    first_due = due_date(first_month, due_day)
    if method is PaymentMethod.SEPA_DEBIT:
        return Payment(method, due_day, first_due, first_amount, format_iban(mandate.iban), mandate.bic,
                       mandate_reference=mandate.reference, creditor_id=org.creditor_id)
    reference = ""
    if account_id is not None and org.iban:
        if method is PaymentMethod.QR_BILL:
            raw = make_document_reference(org.iban, account_id, DOCUMENT_NO)
            reference = format_qr_reference(raw) if raw.isdigit() else format_creditor_reference(raw)
        else:
            reference = format_creditor_reference(make_document_creditor_reference(account_id, DOCUMENT_NO))
    return Payment(method, due_day, first_due, first_amount, format_iban(org.iban) if org.iban else "", org.bic,
                   reference)


def check_account(org: OrgInfo) -> str:
    """A German message when the organization has no account to pay to, else ""."""
    if org.iban:
        return ""
    if org.country == "CH":
        return ("Konto: Die Organisation hat kein Bankkonto für den QR-Einzahlungsschein. Bitte in den Einstellungen "
                "eine QR-IBAN oder IBAN erfassen.")
    return ("Konto: Die Organisation hat kein Bankkonto für die Überweisung. Bitte in den Einstellungen eine IBAN "
            "erfassen.")


def qr_bill(org: OrgInfo, payer: PersonInfo, amount: Money, account_id: int, subject: str) -> PreparedBill:
    """The QR-bill of the first month (open amount when the month has no fixed part)."""
    name = payer.last_name if payer.kind == "INSTITUTION" else f"{payer.first_name} {payer.last_name}".strip()
    debtor = BillAddress(name, payer.street, payer.house_number, payer.postal_code, payer.town, payer.country or "CH")
    creditor = BillAddress(org.name, org.street, org.house_number, org.postal_code, org.town,
                           org.address_country or "CH")
    data = BillData(org.iban, creditor, amount if amount.minor > 0 else None, org.currency, debtor,
                    make_document_reference(org.iban, account_id, DOCUMENT_NO), permitted_text(subject), "de")
    try:
        return prepare_bill(data)
    except ValidationError as exc:
        raise exc.prefixed("bill") from None
