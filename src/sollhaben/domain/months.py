"""Months and validity ranges in months ([valid_from, valid_to], valid_to open-ended)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator

from sollhaben.domain.errors import ValidationError

_MONTH_INPUT = re.compile(r"^\s*(\d{1,2})\s*[./-]\s*(\d{4})\s*$")
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"year {self.year} out of range")

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> "Month":
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @property
    def index(self) -> int:
        """Months since year 0; used for storage and arithmetic."""
        return self.year * 12 + (self.month - 1)

    @classmethod
    def parse(cls, text: str, field: str = "Monat") -> "Month":
        """Parse the user's `MM.JJJJ` (also `M.JJJJ`, `MM/JJJJ`) or ISO `JJJJ-MM`."""
        raw = (text or "").strip()
        match = _MONTH_INPUT.match(raw)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
        else:
            match = _ISO_MONTH.match(raw)
            if not match:
                raise ValidationError(
                    f"{field}: „{raw}“ ist kein Monat. Bitte im Format MM.JJJJ eingeben, z. B. 01.2027.",
                    field,
                )
            year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValidationError(f"{field}: Monat {month} gibt es nicht (erlaubt 01 bis 12).", field)
        if not 1900 <= year <= 2999:
            raise ValidationError(f"{field}: Jahr {year} liegt ausserhalb von 1900 bis 2999.", field)
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.month:02d}.{self.year}"

    def iso(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def __add__(self, months: int) -> "Month":
        return Month.from_index(self.index + months)

    def __sub__(self, other: "Month | int"):
        if isinstance(other, Month):
            return self.index - other.index
        return Month.from_index(self.index - other)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]


@dataclass(frozen=True, slots=True)
class Validity:
    """A range of whole months; `valid_to` None means open-ended."""

    valid_from: Month
    valid_to: Month | None = None

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValidationError(
                f"Gültig bis ({self.valid_to}) liegt vor Gültig ab ({self.valid_from}).", "valid_to"
            )

    @classmethod
    def parse(cls, valid_from: str, valid_to: str = "") -> "Validity":
        start = Month.parse(valid_from, "Gültig ab")
        end = Month.parse(valid_to, "Gültig bis") if valid_to and valid_to.strip() else None
        return cls(start, end)

    def contains(self, month: Month) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    def overlaps(self, other: "Validity") -> bool:
        self_end = self.valid_to.index if self.valid_to else 10**9
        other_end = other.valid_to.index if other.valid_to else 10**9
        return self.valid_from.index <= other_end and other.valid_from.index <= self_end

    def months(self, until: Month | None = None) -> Iterator[Month]:
        """The months of the range; an open range needs `until`."""
        end = self.valid_to if self.valid_to is not None else until
        if end is None:
            raise ValueError("open-ended validity needs an end to iterate")
        if until is not None and until < end:
            end = until
        index = self.valid_from.index
        while index <= end.index:
            yield Month.from_index(index)
            index += 1

    def closed_before(self, month: Month) -> "Validity":
        """This range ending the month before `month` (to close a period when a new one starts)."""
        return Validity(self.valid_from, month - 1)

    def __str__(self) -> str:
        return f"{self.valid_from} – {self.valid_to if self.valid_to else 'offen'}"


def _first_overlap(
    ranges: Iterable[tuple[object, Validity]],
) -> tuple[tuple[object, Validity], tuple[object, Validity]] | None:
    """The first two overlapping (key, range) pairs in order of start, or None. O(n log n).

    Sorted by start, some two ranges overlap exactly when two neighbours do."""
    ordered = sorted(ranges, key=lambda kv: kv[1].valid_from)
    for first, second in zip(ordered, ordered[1:]):
        if first[1].overlaps(second[1]):
            return first, second
    return None


def find_overlap(ranges: Iterable[tuple[object, Validity]]) -> tuple[object, object] | None:
    """Return the keys of the first two overlapping ranges, or None. O(n log n)."""
    clash = _first_overlap(ranges)
    return None if clash is None else (clash[0][0], clash[1][0])


def check_no_overlap(ranges: Iterable[tuple[object, Validity]], what: str = "Zeitraum") -> None:
    """Raise a German validation error naming both ranges when any two overlap.

    Keys need not be unique or hashable (new rows have no id yet)."""
    clash = _first_overlap(ranges)
    if clash is not None:
        a, b = clash[0][1], clash[1][1]
        raise ValidationError(
            f"{what} {b} überschneidet sich mit {what} {a}. Zeiträume dürfen sich nicht überlappen.",
            "valid_from",
        )
