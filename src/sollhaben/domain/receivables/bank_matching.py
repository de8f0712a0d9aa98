"""Matching the lines of a bank file to debtor accounts: a pure decision per line.

Order (ledger.md → "Bank files"):

1. an entry that is not booked (PDNG, INFO) is skipped and only listed — it comes again booked;
2. a line already imported (its servicer key is known) is a duplicate: never booked twice;
3. a debit („Belastung“), a reversal by the bank, an amount of 0.00 and a batch whose transactions the file does not
   contain (a camt.053 batch line; its details come in the camt.054) are listed, not booked;
4. a credit with a QR reference or creditor reference that resolves (issued-reference registry,
   else our reference scheme) goes to that account, with the items the document named;
5. else by the payer's IBAN: the main accounts of the persons with that IBAN — exactly one account
   matches; several go to the clearing list with a note naming them;
6. else the clearing list, for the clerk to assign.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, NamedTuple, Sequence

from sollhaben.domain.references import format_creditor_reference, format_qr_reference


class LineStatus(str, Enum):
    MATCHED = "MATCHED"  # booked as a payment on import
    CLEARING = "CLEARING"  # waits in the clearing list
    SKIPPED = "SKIPPED"  # listed, not booked (debit, reversal, batch without details)
    PENDING = "PENDING"  # not booked by the bank yet; not stored
    DUPLICATE = "DUPLICATE"  # imported before; not stored again

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    LineStatus.MATCHED: "Zugeordnet", LineStatus.CLEARING: "Klärung", LineStatus.SKIPPED: "Nicht gebucht",
    LineStatus.PENDING: "Vorgemerkt", LineStatus.DUPLICATE: "Bereits eingelesen",
}


class BankLine(NamedTuple):
    """What matching needs of one transaction of a bank file."""

    key: str
    booked: bool
    credit: bool
    reference: str = ""
    debtor_iban: str = ""
    reversal: bool = False
    batch_without_details: bool = False
    zero_amount: bool = False
    information: bool = False  # status INFO: the bank only informs, nothing was or will be booked


@dataclass(frozen=True)
class ReferenceTarget:
    account_id: int
    item_ids: tuple[int, ...] = ()


class LineMatch(NamedTuple):
    status: LineStatus
    account_id: int | None = None
    designation: tuple[int, ...] = ()
    via: str = ""  # "Referenz", "IBAN" or ""
    note: str = ""


def _grouped(reference: str) -> str:
    if reference.isdigit() and len(reference) == 27:
        return format_qr_reference(reference)
    return format_creditor_reference(reference) if reference.startswith("RF") else reference


def match_line(line: BankLine, references: Mapping[str, ReferenceTarget],
               accounts_by_iban: Mapping[str, Sequence[int]], already_imported: frozenset[str] | set[str],
               account_labels: Mapping[int, str] | None = None) -> LineMatch:
    """The decision for one line (see the module docstring)."""
    if not line.booked:
        if line.information:
            return LineMatch(LineStatus.PENDING, note="Nur zur Information (INFO) – übersprungen")
        return LineMatch(LineStatus.PENDING, note="Vorgemerkt (noch nicht gebucht) – übersprungen")
    if line.key in already_imported:
        return LineMatch(LineStatus.DUPLICATE, note="Bereits eingelesen – nicht nochmals gebucht")
    if not line.credit:
        return LineMatch(LineStatus.SKIPPED, note="Belastung – nicht gebucht")
    if line.reversal:
        return LineMatch(LineStatus.SKIPPED, note="Storno der Bank – nicht gebucht")
    if line.zero_amount:
        return LineMatch(LineStatus.SKIPPED, note="Betrag 0.00 – nicht gebucht")
    if line.batch_without_details:
        return LineMatch(LineStatus.SKIPPED,
                         note="Sammelbuchung ohne Einzeltransaktionen – die Einzelheiten kommen mit der camt.054")
    notes: list[str] = []
    if line.reference:
        target = references.get(line.reference)
        if target is not None:
            return LineMatch(LineStatus.MATCHED, target.account_id, tuple(target.item_ids), "Referenz")
        notes.append(f"Referenz {_grouped(line.reference)} ist keinem Konto zugeordnet")
    if line.debtor_iban:
        accounts = sorted(set(accounts_by_iban.get(line.debtor_iban, ())))
        if len(accounts) == 1:
            return LineMatch(LineStatus.MATCHED, accounts[0], (), "IBAN", "; ".join(notes))
        if len(accounts) > 1:
            labels = account_labels or {}
            names = ", ".join(labels.get(a, f"Konto {a}") for a in accounts)
            notes.append(f"IBAN gehört zu mehreren Konten: {names}")
        else:
            notes.append("IBAN gehört zu keinem Debitorenkonto")
    elif not line.reference:
        notes.append("Weder Referenz noch IBAN")
    return LineMatch(LineStatus.CLEARING, note="; ".join(notes))
