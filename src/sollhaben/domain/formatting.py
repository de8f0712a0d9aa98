"""Country-specific number and date formats: 1'234.50 (CH), 1.234,50 (DE), 31.12.2026 for both."""
from __future__ import annotations

import re
from datetime import date
from enum import Enum

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money


class Country(str, Enum):
    DE = "DE"
    CH = "CH"


def format_number_minor(minor: int, country: Country | str) -> str:
    """Format minor units with two decimals and the country's separators."""
    country = Country(country)
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    if country is Country.CH:
        grouped = f"{units:,}".replace(",", "'")
        return f"{sign}{grouped}.{cents:02d}"
    grouped = f"{units:,}".replace(",", ".")
    return f"{sign}{grouped},{cents:02d}"


def format_money(amount: Money, country: Country | str, with_currency: bool = False) -> str:
    text = format_number_minor(amount.minor, country)
    return f"{text} {amount.currency.value}" if with_currency else text


def format_date(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}.{day.month:02d}.{day.year}"


_DATE_INPUT = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_date(text: str, field: str = "Datum") -> date:
    """Parse `TT.MM.JJJJ` (also `T.M.JJ`: two-digit years are 20xx) or ISO `JJJJ-MM-TT`."""
    raw = (text or "").strip()
    match = _DATE_INPUT.match(raw)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 2000
    else:
        match = _ISO_DATE.match(raw)
        if not match:
            raise ValidationError(
                f"{field}: „{raw}“ ist kein Datum. Bitte im Format TT.MM.JJJJ eingeben.", field
            )
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"{field}: Den {raw} gibt es nicht im Kalender.", field) from None


def parse_optional_date(text: str, field: str = "Datum") -> date | None:
    return parse_date(text, field) if text and text.strip() else None
