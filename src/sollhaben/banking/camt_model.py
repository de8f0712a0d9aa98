"""What a camt.053 / camt.054 file says, as plain values (no XML, no database).

Amounts are `Money` (integer minor units) of the entry's currency; the sign is not in the amount
but in `credit` (CdtDbtInd CRDT) — a bank file lists credits and debits as positive amounts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sollhaben.domain.money import Money


@dataclass(frozen=True)
class CamtProblem:
    """One problem of a file with its place: line number and element path."""

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        place = f"Zeile {self.line}" if self.line else "Datei"
        return f"{place}, {self.path}: {self.message}" if self.path else f"{place}: {self.message}"


class CamtTransaction(NamedTuple):
    """One transaction (TxDtls) of an entry; an entry without details is one transaction itself.
    A named tuple: a file has tens of thousands of them."""

    position: str  # "Ntry[3]/NtryDtls/TxDtls[2]"
    line: int
    index: int  # 1-based within the entry
    amount: Money
    credit: bool
    key: str  # the servicer key that makes a second import a no-op (see `camt_keys`)
    servicer_reference: str = ""  # TxDtls/Refs/AcctSvcrRef
    end_to_end_id: str = ""
    reference: str = ""  # structured creditor reference, compact (QRR digits or RF…)
    reference_kind: str = ""  # "QRR", "SCOR" or the proprietary code / "" when none
    text: str = ""  # unstructured remittance information (Ustrd), else additional info
    debtor_name: str = ""
    debtor_iban: str = ""


@dataclass(frozen=True)
class CamtEntry:
    position: str  # "Ntry[3]" (with "Stmt[2]/" in front when the file has several statements)
    line: int
    amount: Money
    credit: bool
    status: str  # BOOK, PDNG, INFO
    booking_date: date | None
    value_date: date | None
    servicer_reference: str
    reversal: bool
    batch_without_details: bool  # a batch (Btch NbOfTxs > 1) whose transactions are not in the file
    transactions: tuple[CamtTransaction, ...]

    @property
    def booked(self) -> bool:
        return self.status == "BOOK"


@dataclass(frozen=True)
class CamtStatement:
    """One Stmt (camt.053) or Ntfctn (camt.054)."""

    position: str
    line: int
    identification: str
    account_iban: str
    entries: tuple[CamtEntry, ...]


@dataclass(frozen=True)
class CamtDocument:
    kind: str  # "053" or "054"
    version: str  # "001.04" or "001.08"
    message_id: str
    created_at: datetime | None
    statements: tuple[CamtStatement, ...]

    @property
    def entries(self) -> tuple[CamtEntry, ...]:
        return tuple(e for s in self.statements for e in s.entries)

    @property
    def currency(self) -> str:
        for entry in self.entries:
            return entry.amount.currency.value
        return ""

    @property
    def label(self) -> str:
        return f"camt.{self.kind}.{self.version}"


@dataclass(frozen=True)
class CamtReadResult:
    """A read file: the document when it could be read at all, and every problem found."""

    document: CamtDocument | None
    problems: tuple[CamtProblem, ...]

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.problems
