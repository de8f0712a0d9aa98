"""Reading what the clerk typed into the catalogue editors: amounts, percentages, and the field
names of an entry built from only some of its version rows."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Sequence

from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QApplication, QTableWidget

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.money import Money, parse_amount


def parse_money_text(text: str, currency: str, field: str, label: str) -> tuple[Money | None, list[FieldError]]:
    """An amount typed as "162,00", "1.234,50" or "1'234.50"; empty gives None (the service then
    says what is missing)."""
    if not text.strip():
        return None, []
    try:
        return parse_amount(text, currency, label), []
    except ValidationError as exc:
        return None, [FieldError(field, e.message) for e in exc.errors]


def parse_percent_text(text: str, field: str, label: str) -> tuple[Decimal | None, list[FieldError]]:
    """A percentage typed as "25", "12,5" or "12.5 %"; empty gives None."""
    raw = text.strip().removesuffix("%").strip()
    if not raw:
        return None, []
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not re.fullmatch(r"\d+([.,]\d+)?", raw):
        return None, [FieldError(field, f"{label}: „{text.strip()}“ ist kein Prozentsatz; bitte z. B. 25 oder "
                                        "12,5 eingeben.")]
    return value, []


def format_percent(value: Decimal | None) -> str:
    """Decimal("25") → "25", Decimal("12.50") → "12,5"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def reindex_field(field: str, rows: Sequence[int]) -> str:
    """`versions[k]…` of an entry built from some rows only → `versions[rows[k]]…`."""
    match = re.match(r"^versions\[(\d+)\](.*)$", field)
    if not match or int(match[1]) >= len(rows):
        return field
    return f"versions[{rows[int(match[1])]}]{match[2]}"


def commit_editor(table: QTableWidget) -> None:
    """Take over what is typed into an open cell editor (before the table is read or rebuilt)."""
    editor = QApplication.focusWidget()
    if (table.state() == QAbstractItemView.State.EditingState and editor is not None
            and table.viewport().isAncestorOf(editor)):
        table.commitData(editor)
        table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
