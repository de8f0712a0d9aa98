"""Editable tables of the income-scale settings: the item types (Grundtabelle der
Einkommenspositionen), the thresholds by household size and the tier brackets. Each turns its rows
into domain values and reports the cells that do not parse, by field name, in German."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.income.model import IncomeItemType, IncomeThreshold, ItemSign, TierBracket
from sollhaben.domain.money import Money, parse_amount
from sollhaben.domain.months import Month, Validity

SIGNS = ((ItemSign.PLUS, "+ Einkommen"), (ItemSign.MINUS, "− Abzug"))


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _set(table: QTableWidget, row: int, column: int, text: str, right: bool = False) -> None:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    table.setItem(row, column, item)


def _month(text: str, field: str, label: str, errors: list[FieldError]) -> Month | None:
    if not text:
        return None
    try:
        return Month.parse(text, label)
    except ValidationError as exc:
        errors.extend(FieldError(field, e.message) for e in exc.errors)
        return None


def _int(text: str, field: str, label: str, errors: list[FieldError]) -> int | None:
    if not text:
        errors.append(FieldError(field, f"{label}: Bitte eine ganze Zahl eingeben."))
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(FieldError(field, f"{label}: Bitte eine ganze Zahl eingeben (eingegeben: „{text}“)."))
        return None


def _amount(text: str, currency: str, field: str, label: str, errors: list[FieldError]) -> Money | None:
    try:
        return parse_amount(text, currency, label)
    except ValidationError as exc:
        errors.extend(FieldError(field, e.message) for e in exc.errors)
        return None


class ItemTypesTable(QTableWidget):
    """Bezeichnung | Vorzeichen | Gültig ab | Gültig bis; the row order is the order in the layers."""

    HEADERS = ("Bezeichnung", "Vorzeichen", "Gültig ab", "Gültig bis")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.verticalHeader().setVisible(False)
        for column, width in enumerate((260, 130, 90, 90)):
            self.setColumnWidth(column, width)
        self.ids: list[int | None] = []

    def add_row(self, item_type: IncomeItemType | None = None) -> int:
        row = self.rowCount()
        self.insertRow(row)
        _set(self, row, 0, item_type.label if item_type else "")
        sign = QComboBox(self)
        for value, label in SIGNS:
            sign.addItem(label, value)
        sign.setCurrentIndex(0 if item_type is None or item_type.sign is ItemSign.PLUS else 1)
        self.setCellWidget(row, 1, sign)
        valid = item_type.valid if item_type else None
        _set(self, row, 2, str(valid.valid_from) if valid else "")
        _set(self, row, 3, str(valid.valid_to) if valid and valid.valid_to else "")
        self.ids.append(item_type.id if item_type else None)
        return row

    def set_types(self, types: tuple[IncomeItemType, ...]) -> None:
        self.setRowCount(0)
        self.ids = []
        for item_type in sorted(types, key=lambda t: (t.position, t.label)):
            self.add_row(item_type)

    def remove_current(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.removeRow(row)
            del self.ids[row]

    def collect(self) -> tuple[tuple[IncomeItemType, ...], list[FieldError]]:
        errors: list[FieldError] = []
        types = []
        for row in range(self.rowCount()):
            field, label = f"item_types[{row}]", f"Einkommensposition, Zeile {row + 1}"
            name = _text(self, row, 0)
            if not name:
                errors.append(FieldError(f"{field}.label", f"{label}: Bitte eine Bezeichnung eingeben."))
                continue
            start = _month(_text(self, row, 2), f"{field}.valid_from", f"{label} – Gültig ab", errors)
            end = _month(_text(self, row, 3), f"{field}.valid_to", f"{label} – Gültig bis", errors)
            if end is not None and start is None:
                errors.append(FieldError(f"{field}.valid_from", f"{label}: „Gültig bis“ braucht ein „Gültig ab“."))
                continue
            if start is not None and end is not None and end < start:
                errors.append(FieldError(f"{field}.valid_to", f"{label}: „Gültig bis“ liegt vor „Gültig ab“."))
                continue
            sign = ItemSign(self.cellWidget(row, 1).currentData())  # Qt hands the str enum back as str
            types.append(IncomeItemType(name, sign, row, self.ids[row], Validity(start, end) if start else None))
        return tuple(types), errors


def _setup(table: QTableWidget, headers: list[str], first_width: int) -> None:
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setHighlightSections(False)
    table.setColumnWidth(0, first_width)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


class ThresholdsTable(QTableWidget):
    """Haushaltsgröße | Einkommensgrenze (im Monat).

    `collect` skips empty rows; `source_rows[k]` is the table row of the k-th collected threshold (the
    rules of the domain name `thresholds[k]`)."""

    COLUMNS = {"household_size": 0, "amount": 1}

    def __init__(self, currency: str, country: str, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.currency, self.country = currency, country
        _setup(self, ["Haushaltsgröße", "Einkommensgrenze"], 120)
        self.source_rows: list[int] = []

    def set_rows(self, thresholds: tuple[IncomeThreshold, ...]) -> None:
        self.setRowCount(0)
        for threshold in sorted(thresholds, key=lambda t: t.household_size):
            self.add_row(str(threshold.household_size), format_money(threshold.amount, self.country))

    def add_row(self, size: str = "", amount: str = "") -> None:
        row = self.rowCount()
        self.insertRow(row)
        _set(self, row, 0, size, right=True)
        _set(self, row, 1, amount, right=True)

    def collect(self) -> tuple[tuple[IncomeThreshold, ...], list[FieldError]]:
        errors: list[FieldError] = []
        rows = []
        self.source_rows = []
        for row in range(self.rowCount()):
            size_text, amount_text = _text(self, row, 0), _text(self, row, 1)
            if not size_text and not amount_text:
                continue
            label = f"Einkommensgrenzen, Zeile {row + 1}"
            size = _int(size_text, f"thresholds[{row}].household_size", f"{label} – Haushaltsgröße", errors)
            amount = _amount(amount_text, self.currency, f"thresholds[{row}].amount", f"{label} – Betrag", errors)
            if size is not None and amount is not None:
                rows.append(IncomeThreshold(size, amount))
                self.source_rows.append(row)
        return tuple(rows), errors


class BracketsTable(QTableWidget):
    """maßgeblicher Betrag bis | Staffel; `source_rows` as in `ThresholdsTable`."""

    COLUMNS = {"up_to": 0, "tier": 1}

    def __init__(self, currency: str, country: str, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.currency, self.country = currency, country
        _setup(self, ["Maßgeblicher Betrag bis", "Staffel"], 170)
        self.source_rows: list[int] = []

    def set_rows(self, brackets: tuple[TierBracket, ...]) -> None:
        self.setRowCount(0)
        for bracket in sorted(brackets, key=lambda b: b.up_to.minor):
            self.add_row(format_money(bracket.up_to, self.country), str(bracket.tier))

    def add_row(self, up_to: str = "", tier: str = "") -> None:
        row = self.rowCount()
        self.insertRow(row)
        _set(self, row, 0, up_to, right=True)
        _set(self, row, 1, tier, right=True)

    def collect(self) -> tuple[tuple[TierBracket, ...], list[FieldError]]:
        errors: list[FieldError] = []
        rows = []
        self.source_rows = []
        for row in range(self.rowCount()):
            up_text, tier_text = _text(self, row, 0), _text(self, row, 1)
            if not up_text and not tier_text:
                continue
            label = f"Staffeln, Zeile {row + 1}"
            up_to = _amount(up_text, self.currency, f"brackets[{row}].up_to", f"{label} – Betrag bis", errors)
            tier = _int(tier_text, f"brackets[{row}].tier", f"{label} – Staffel", errors)
            if up_to is not None and tier is not None:
                rows.append(TierBracket(up_to, tier))
                self.source_rows.append(row)
        return tuple(rows), errors
