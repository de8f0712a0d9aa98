"""The layers „Einkommenspositionen 1. Person“ and „2. Person“: the person (one of the child's
guardians), the option „Monatseinkommen erfassen“ and one amount per income item type of the
configuration, with its sign and the signed annual amount beside it. Amounts are typed positive;
the sign comes from the type (Grundtabelle)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.income.calculation import annual_from_entered
from sollhaben.domain.income.model import AssessmentPerson, IncomeItem, IncomeItemType, ItemSign
from sollhaben.domain.money import Money, parse_amount

SIGN_TEXT = {ItemSign.PLUS: "+", ItemSign.MINUS: "−"}


class PersonLayer(QWidget):
    """One person's income items. `changed` fires on every edit (the editor recalculates live)."""

    changed = Signal()

    def __init__(self, index: int, currency: str, country: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index, self.currency, self.country = index, currency, country
        self.types: tuple[IncomeItemType, ...] = ()
        self.amounts: dict[int, QLineEdit] = {}
        self.annuals: dict[int, QLabel] = {}
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"Einkommen &der {index + 1}. Person:", self))
        self.person = QComboBox(self)
        self.person.setMinimumWidth(260)
        head.itemAt(0).widget().setBuddy(self.person)
        head.addWidget(self.person)
        self.monthly = QCheckBox("&Monatseinkommen erfassen (Beträge × 12)", self)
        head.addWidget(self.monthly)
        head.addStretch(1)
        layout.addLayout(head)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.grid_host = QWidget(self.scroll)
        self.grid = QGridLayout(self.grid_host)
        self.scroll.setWidget(self.grid_host)
        layout.addWidget(self.scroll, 1)
        self.total = QLabel("", self)
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.total.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.total)
        self.person.currentIndexChanged.connect(self.changed)
        self.monthly.toggled.connect(self._refresh)

    # building ---------------------------------------------------------------------------------
    def set_people(self, people: list[tuple[int, str]]) -> None:
        """The persons the clerk may choose: the child's guardians (id, name)."""
        current = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem("– keine –", None)
        for person_id, name in people:
            self.person.addItem(name, person_id)
        self.person.blockSignals(False)
        found = self.person.findData(current)
        self.person.setCurrentIndex(max(found, 0))

    def set_types(self, types: tuple[IncomeItemType, ...]) -> None:
        """One row per item type, keeping what was typed for types still offered."""
        typed = {type_id: edit.text() for type_id, edit in self.amounts.items()}
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.types, self.amounts, self.annuals = types, {}, {}
        for column, text in enumerate(("Einkommensposition", "", "Betrag", "im Jahr")):
            head = QLabel(f"<b>{text}</b>", self.grid_host)
            self.grid.addWidget(head, 0, column)
        for row, item_type in enumerate(types, start=1):
            self.grid.addWidget(QLabel(item_type.label, self.grid_host), row, 0)
            self.grid.addWidget(QLabel(SIGN_TEXT[item_type.sign], self.grid_host), row, 1)
            edit = QLineEdit(typed.get(item_type.id, ""), self.grid_host)
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setFixedWidth(130)
            edit.setPlaceholderText("0,00")
            edit.setObjectName(f"amount_{item_type.id}")
            edit.textChanged.connect(self._refresh)
            self.grid.addWidget(edit, row, 2)
            annual = QLabel("", self.grid_host)
            annual.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            annual.setMinimumWidth(120)
            self.grid.addWidget(annual, row, 3)
            self.amounts[item_type.id], self.annuals[item_type.id] = edit, annual
        self.grid.setRowStretch(len(types) + 1, 1)
        self.grid.setColumnStretch(4, 1)
        self._refresh()

    def edits(self) -> list[QWidget]:
        """The widgets in tab order (the editor tracks them for „geändert“)."""
        return [self.person, self.monthly, *self.amounts.values()]

    # values -----------------------------------------------------------------------------------
    def set_person(self, person: AssessmentPerson | None) -> None:
        self.person.setCurrentIndex(max(self.person.findData(person.person_id if person else None), 0))
        self.monthly.setChecked(bool(person and person.monthly_entry))
        entered = {item.item_type_id: item.amount for item in (person.items if person else ())}
        for type_id, edit in self.amounts.items():
            amount = entered.get(type_id)
            edit.setText(format_money(amount, self.country) if amount is not None and amount.minor else "")
        self._refresh()

    def field(self, type_id: int) -> str:
        return f"persons[{self.index}].items[{type_id}]"

    def collect(self) -> tuple[AssessmentPerson | None, list[FieldError]]:
        """The person as entered (None when no person is chosen), and the amounts that do not parse."""
        errors: list[FieldError] = []
        items = []
        for item_type in self.types:
            text = self.amounts[item_type.id].text().strip()
            if not text:
                continue
            label = f"{self.index + 1}. Person – {item_type.label}"
            try:
                amount = parse_amount(text, self.currency, label)
            except ValidationError as exc:
                errors.extend(FieldError(self.field(item_type.id), e.message) for e in exc.errors)
                continue
            if amount.minor:
                items.append(IncomeItem(item_type.id, amount))
        person_id = self.person.currentData()
        if person_id is None:
            if items:
                errors.append(FieldError(f"persons[{self.index}].person_id",
                                         f"{self.index + 1}. Person: Bitte die Person wählen, deren Einkommen "
                                         "eingetragen ist."))
            return None, errors
        return AssessmentPerson(person_id, self.monthly.isChecked(), tuple(items)), errors

    def _refresh(self, *_args) -> None:
        monthly = self.monthly.isChecked()
        total = 0
        for item_type in self.types:
            label = self.annuals[item_type.id]
            try:
                amount = parse_amount(self.amounts[item_type.id].text().strip() or "0", self.currency)
            except ValidationError:
                label.setText("?")
                continue
            annual = annual_from_entered(amount, monthly)
            signed = annual.minor * item_type.sign.factor
            total += signed
            label.setText(format_money(Money(signed, self.currency), self.country) if amount.minor else "")
        self.total.setText(f"Jahreseinkommen {self.index + 1}. Person: "
                           f"{format_money(Money(total, self.currency), self.country)}")
        self.changed.emit()
