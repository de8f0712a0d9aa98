"""German labels of posting categories and marks, shared by the statement view, the PDF, the
XLSX and the lists (one place, so the screen and the paper say the same)."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.formatting import format_date

CATEGORY_LABELS = {
    "FEE": "Gebühr", "REMINDER_FEE": "Mahngebühr", "INTEREST": "Zins", "ENFORCEMENT_COST": "Betreibungskosten",
    "PAYMENT": "Zahlung", "MAINTENANCE": "Unterhalt", "KITA_FEE": "Kita-Beitrag", "MEALS": "Verpflegung",
    "KITA_EXTRA": "Zusatzkosten", "RETURN_DEBIT_FEE": "Rücklastschriftgebühr", "PAYOUT": "Auszahlung",
}


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def reversal_mark(reverses_id: int | None, reversed_by_id: int | None) -> str:
    if reversed_by_id is not None:
        return f"storniert durch Nr. {reversed_by_id}"
    if reverses_id is not None:
        return f"Storno zu Nr. {reverses_id}"
    return ""


def pending_mark(pending_until: date | None) -> str:
    return f"Lastschrift vorgemerkt bis {format_date(pending_until)}" if pending_until is not None else ""
