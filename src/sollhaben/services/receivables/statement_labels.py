"""German labels of posting categories and marks, shared by the statement view, the PDF, the
XLSX and the lists (one place, so the screen and the paper say the same). The category names
themselves live in `domain.ledger.CATEGORY_LABELS` (every module reads them there)."""
from __future__ import annotations

from datetime import date

from sollhaben.domain.formatting import format_date
from sollhaben.domain.ledger import CATEGORY_LABELS, category_label

__all__ = ["CATEGORY_LABELS", "category_label", "pending_mark", "reversal_mark"]


def reversal_mark(reverses_id: int | None, reversed_by_id: int | None) -> str:
    if reversed_by_id is not None:
        return f"storniert durch Nr. {reversed_by_id}"
    if reverses_id is not None:
        return f"Storno zu Nr. {reverses_id}"
    return ""


def pending_mark(pending_until: date | None) -> str:
    return f"Lastschrift vorgemerkt bis {format_date(pending_until)}" if pending_until is not None else ""
