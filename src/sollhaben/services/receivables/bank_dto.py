"""What the bank-file services hand to the UI and the CLI: frozen values, German labels."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sollhaben.banking.camt_model import CamtProblem
from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.bank_matching import LineStatus

# status of a stored bank entry (bank_entry.status)
ENTRY_STATUS_LABELS = {
    "MATCHED": "Zugeordnet", "CLEARING": "Klärung", "CLEARED": "Zugeordnet (Klärung)",
    "UNASSIGNABLE": "Nicht zuordenbar", "SKIPPED": "Nicht gebucht",
}


class BankFileError(ValidationError):
    """The file has problems: nothing was stored. `problems` keep line and element path."""

    def __init__(self, problems: tuple[CamtProblem, ...] | list[CamtProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__([FieldError(p.path or "file", str(p)) for p in self.problems])


class BankLineDTO(NamedTuple):
    """One transaction of a file as preview or import shows it (a named tuple: tens of thousands)."""

    position: str
    line: int
    key: str
    status: LineStatus
    amount: Money
    credit: bool
    booking_date: date | None
    value_date: date | None
    debtor_name: str
    debtor_iban: str
    reference: str
    text: str
    account_id: int | None = None
    account_label: str = ""
    via: str = ""
    note: str = ""
    allocated: Money | None = None  # what goes to open items (rest: credit balance)


@dataclass(frozen=True)
class BankFilePreview:
    """A read and matched file, before (preview) or after (import) booking."""

    file_name: str
    sha256: str
    kind: str
    version: str
    message_id: str
    currency: str
    lines: tuple[BankLineDTO, ...]
    problems: tuple[CamtProblem, ...]
    imported_before: tuple[tuple[datetime, str], ...] = ()  # the same file (sha256) imported at, by

    def _of(self, status: LineStatus) -> list[BankLineDTO]:
        return [line for line in self.lines if line.status is status]

    def count(self, status: LineStatus) -> int:
        return len(self._of(status))

    def total(self, status: LineStatus) -> Money:
        return Money(sum(line.amount.minor for line in self._of(status)), self.currency or "CHF")

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return f"camt.{self.kind}.{self.version}" if self.kind else ""

    def summary(self) -> str:
        """German one-paragraph summary (CLI, dialogs)."""
        if self.problems:
            return f"{len(self.problems)} Fehler – die Datei wird nicht gebucht."
        country = "CH" if self.currency == "CHF" else "DE"
        matched = format_money(self.total(LineStatus.MATCHED), country, with_currency=True)
        clearing = format_money(self.total(LineStatus.CLEARING), country, with_currency=True)
        parts = [f"{self.count(LineStatus.MATCHED)} zugeordnet ({matched})",
                 f"{self.count(LineStatus.CLEARING)} zur Klärung ({clearing})",
                 f"{self.count(LineStatus.SKIPPED)} nicht gebucht",
                 f"{self.count(LineStatus.PENDING)} vorgemerkt übersprungen",
                 f"{self.count(LineStatus.DUPLICATE)} bereits eingelesen"]
        return ", ".join(parts)


@dataclass(frozen=True)
class BankImportResult:
    import_id: int | None  # None when nothing new was in the file (every line known or pending)
    preview: BankFilePreview


@dataclass(frozen=True)
class BankImportDTO:
    id: int
    file_name: str
    kind: str
    version: str
    message_id: str
    imported_at: datetime
    imported_by: str
    matched_count: int
    matched: Money
    clearing_count: int
    clearing: Money
    skipped_count: int
    duplicate_count: int
    open_clearing: int  # of its clearing lines, how many still wait


@dataclass(frozen=True)
class BankEntryDTO:
    id: int
    import_id: int
    position: str
    servicer_reference: str
    amount: Money
    credit: bool
    booking_date: date | None
    value_date: date | None
    debtor_name: str
    debtor_iban: str
    reference: str
    text: str
    status: str
    account_id: int | None
    account_label: str
    payment_id: int | None
    note: str
    file_name: str = ""

    @property
    def status_label(self) -> str:
        return ENTRY_STATUS_LABELS.get(self.status, self.status)
