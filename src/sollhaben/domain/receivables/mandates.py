"""SEPA direct-debit mandates (DE, CORE): the reference rules, expiry after 36 months unused,
the sequence type, and the validation of the mandate form. Pure: no database, no files.

Rules decided here (see docs/sepa.md):
- The reference has 1–35 characters of the restricted SEPA set (no space, no umlaut, not starting
  or ending with "/", no "//"). Banks compare references without regard to case, so uniqueness per
  creditor is checked on the upper-case form (`reference_key`).
- A mandate expires when no collection has been presented for 36 months: counted from the due
  date of its last collection (a returned one counts, as the EPC rulebook says), or from the
  signature when it was never used. It may still be used for a collection due on the day before
  the anniversary; on the anniversary (`expiry_date`) it has expired. 31 Jan + 36 months is
  31 Jan; 29 Feb + 36 months is 28 Feb (the month's last day).
- Sequence: FRST until a collection of the mandate stands (was not returned), then RCUR.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.receivables.sepa_charset import identifier_problem
from sollhaben.domain.references import is_valid_creditor_id, normalize_iban

EXPIRY_MONTHS = 36
REFERENCE_LENGTH = 35
DEBTOR_NAME_LENGTH = 70
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")


class SequenceType(str, Enum):
    FIRST = "FRST"
    RECURRING = "RCUR"


class MandateStatus(str, Enum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    NOT_YET_SIGNED = "NOT_YET_SIGNED"

    @property
    def label(self) -> str:
        return {"VALID": "gültig", "EXPIRED": "abgelaufen", "REVOKED": "widerrufen",
                "NOT_YET_SIGNED": "noch nicht unterschrieben"}[self.value]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def expiry_date(signed_on: date, last_used_on: date | None) -> date:
    """The first day on which the mandate has expired (36 months after its last use or signature)."""
    return add_months(last_used_on or signed_on, EXPIRY_MONTHS)


def is_expired(signed_on: date, last_used_on: date | None, on: date) -> bool:
    return on >= expiry_date(signed_on, last_used_on)


def mandate_status(signed_on: date, last_used_on: date | None, revoked_on: date | None, on: date) -> MandateStatus:
    """The state of a mandate for a collection due `on`. A revocation takes effect on its date."""
    if revoked_on is not None and revoked_on <= on:
        return MandateStatus.REVOKED
    if signed_on > on:
        return MandateStatus.NOT_YET_SIGNED
    if is_expired(signed_on, last_used_on, on):
        return MandateStatus.EXPIRED
    return MandateStatus.VALID


def reference_key(reference: str) -> str:
    """The form in which two references are compared (banks ignore case)."""
    return reference.strip().upper()


def reference_problem(reference: str) -> str:
    """German text of what is wrong with a mandate reference, "" when it is fine."""
    problem = identifier_problem(reference.strip(), REFERENCE_LENGTH)
    return f"Mandatsreferenz: Die Referenz {problem}." if problem else ""


def sequence_after(returned_all: bool) -> SequenceType:
    """The sequence of the mandate's next collection: RCUR once a collection stands; a first
    collection that came back (all of its collections returned) leaves it at FRST."""
    return SequenceType.FIRST if returned_all else SequenceType.RECURRING


@dataclass(frozen=True)
class MandateInput:
    payer_id: int
    reference: str
    signed_on: date | None
    debtor_name: str
    iban: str
    bic: str = ""
    note: str = ""


def validate_mandate(data: MandateInput, today: date) -> MandateInput:
    """The form checked field by field (all errors at once); returns it normalized."""
    errors = ErrorCollector()
    reference = data.reference.strip()
    problem = reference_problem(reference)
    if problem:
        errors.add("reference", problem)
    if data.signed_on is None:
        errors.add("signed_on", "Unterschrieben am: Bitte das Datum der Unterschrift eingeben.")
    elif data.signed_on > today:
        errors.add("signed_on", "Unterschrieben am: Das Datum der Unterschrift darf nicht in der Zukunft liegen.")
    name = " ".join(data.debtor_name.split())
    if not name:
        errors.add("debtor_name", "Kontoinhaber/in: Bitte den Namen des Kontoinhabers eingeben.")
    elif len(name) > DEBTOR_NAME_LENGTH:
        errors.add("debtor_name", f"Kontoinhaber/in: Höchstens {DEBTOR_NAME_LENGTH} Zeichen "
                                  f"(eingegeben {len(name)}).")
    iban = errors.check("iban", normalize_iban, data.iban, "IBAN") or data.iban
    bic = data.bic.replace(" ", "").upper()
    if bic and not _BIC.fullmatch(bic):
        errors.add("bic", f"BIC: „{data.bic.strip()}“ hat nicht 8 oder 11 Zeichen im BIC-Format (optional).")
    if len(data.note) > 500:
        errors.add("note", "Notiz: Höchstens 500 Zeichen.")
    if data.payer_id is None or data.payer_id <= 0:
        errors.add("payer_id", "Zahler/in: Bitte die Person wählen, die das Mandat erteilt hat.")
    errors.raise_if_any()
    return replace(data, reference=reference, debtor_name=name, iban=iban, bic=bic, note=data.note.strip())


def creditor_id_problem(creditor_id: str) -> str:
    """German text of what is wrong with the organization's creditor identifier, "" when fine."""
    if not creditor_id:
        return ("Gläubiger-ID: Die Organisation hat keine Gläubiger-Identifikationsnummer. "
                "Bitte in den Einstellungen erfassen.")
    if not is_valid_creditor_id(creditor_id):
        return f"Gläubiger-ID: „{creditor_id}“ ist keine gültige Gläubiger-Identifikationsnummer."
    return ""
