"""The layer „Grunddaten“ of an income-scale assessment: facility, child, validity, the date the
income declaration was handed in, siblings (display), household size, the options „höchste
Staffel“ and „Vollständig“, the status (display) and the exemption when it differs from the
settings."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from sollhaben.domain.errors import FieldError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_optional_date
from sollhaben.domain.income.model import IncomeAssessment
from sollhaben.domain.money import parse_amount
from sollhaben.domain.months import Month


def _percent_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class BasicLayer(QWidget):
    changed = Signal()
    child_chosen = Signal(object)  # child id (a new assessment: its persons are loaded)

    def __init__(self, currency: str, country: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency, self.country = currency, country
        form = QFormLayout(self)
        self.facility = QComboBox(self)
        self.child = QComboBox(self)
        self.child.setMinimumWidth(320)
        self.valid_from = QLineEdit(self)
        self.valid_from.setPlaceholderText("MM.JJJJ")
        self.valid_to = QLineEdit(self)
        self.valid_to.setPlaceholderText("MM.JJJJ (leer: offen)")
        self.declaration = QLineEdit(self)
        self.declaration.setPlaceholderText("TT.MM.JJJJ")
        self.siblings = QLabel("–", self)
        self.siblings.setWordWrap(True)
        self.household = QLineEdit(self)
        self.household.setPlaceholderText("Personen")
        self.highest = QCheckBox("Höchste Sta&ffel (kein Einkommensnachweis)", self)
        self.complete = QCheckBox("Vo&llständig", self)
        self.status = QLabel("", self)
        self.exemption_percent = QLineEdit(self)
        self.exemption_percent.setPlaceholderText("Standard der Staffeltabelle")
        self.exemption_fixed = QLineEdit(self)
        self.exemption_fixed.setPlaceholderText("Standard der Staffeltabelle")
        for edit in (self.valid_from, self.valid_to, self.declaration, self.household, self.exemption_percent,
                     self.exemption_fixed):
            edit.setMaximumWidth(220)
        rows = (("Einri&chtung:", self.facility), ("&Kind:", self.child), ("Gültig &ab:", self.valid_from),
                ("Gültig &bis:", self.valid_to), ("Einkommenserklärung &vom:", self.declaration),
                ("Geschwister:", self.siblings), ("Anzahl &Haushalt:", self.household), ("", self.highest),
                ("", self.complete), ("Status:", self.status), ("Befreiung &in %:", self.exemption_percent),
                ("Befreiung fester Bet&rag:", self.exemption_fixed))
        for label, widget in rows:
            form.addRow(label, widget)
        for edit in (self.valid_from, self.valid_to, self.household, self.exemption_percent, self.exemption_fixed):
            edit.textChanged.connect(self.changed)
        self.highest.toggled.connect(self.changed)
        self.child.currentIndexChanged.connect(lambda _i: self.child_chosen.emit(self.child.currentData()))

    def fields(self) -> dict[str, QWidget]:
        return {"facility_id": self.facility, "child_id": self.child, "valid_from": self.valid_from,
                "valid_to": self.valid_to, "declaration_date": self.declaration, "household_size": self.household,
                "highest_tier": self.highest, "complete": self.complete, "exemption_percent": self.exemption_percent,
                "exemption_fixed": self.exemption_fixed}

    # choices ------------------------------------------------------------------------------------
    def set_facilities(self, facilities: list[tuple[int, str]]) -> None:
        self.facility.clear()
        for unit_id, name in facilities:
            self.facility.addItem(name, unit_id)

    def set_children(self, children: list[tuple[int, str, int | None]]) -> None:
        """(child id, name, facility of its current contract): choosing a child for a new assessment
        also chooses its facility."""
        self.child.blockSignals(True)
        self.child.clear()
        self.child.addItem("– Kind wählen –", None)
        self.child_facility: dict[int, int | None] = {}
        for child_id, name, facility_id in children:
            self.child.addItem(name, child_id)
            self.child_facility[child_id] = facility_id
        self.child.blockSignals(False)

    def choose_facility_of(self, child_id: int) -> None:
        found = self.facility.findData(getattr(self, "child_facility", {}).get(child_id))
        if found >= 0:
            self.facility.setCurrentIndex(found)

    # values -------------------------------------------------------------------------------------
    def set_assessment(self, a: IncomeAssessment, child_name: str, siblings: str, status: str) -> None:
        found = self.facility.findData(a.facility_id)
        self.facility.setCurrentIndex(max(found, 0))
        self.child.blockSignals(True)
        found = self.child.findData(a.child_id)
        if found < 0 and a.child_id is not None:
            self.child.addItem(child_name, a.child_id)
            found = self.child.findData(a.child_id)
        self.child.setCurrentIndex(max(found, 0))
        self.child.blockSignals(False)
        self.child.setEnabled(a.id is None)  # an assessment stays with its child
        self.valid_from.setText(str(a.valid_from) if a.valid_from else "")
        self.valid_to.setText(str(a.valid_to) if a.valid_to else "")
        self.declaration.setText(format_date(a.declaration_date) if a.declaration_date else "")
        self.siblings.setText(siblings or "keine")
        self.household.setText("" if a.household_size is None else str(a.household_size))
        self.highest.setChecked(a.highest_tier)
        self.complete.setChecked(a.complete)
        self.status.setText(status)
        self.exemption_percent.setText(_percent_text(a.exemption_percent))
        self.exemption_fixed.setText(format_money(a.exemption_fixed, self.country) if a.exemption_fixed else "")

    def read(self) -> tuple[dict, list[FieldError]]:
        """The fields as domain values (keyword arguments of IncomeAssessment) and what does not parse.
        A field that does not parse is left out; the domain validation reports what is missing."""
        errors: list[FieldError] = []
        values: dict = {"facility_id": self.facility.currentData(), "child_id": self.child.currentData(),
                        "highest_tier": self.highest.isChecked(), "complete": self.complete.isChecked()}

        def month(edit: QLineEdit, field: str, label: str) -> Month | None:
            text = edit.text().strip()
            if not text:
                return None
            try:
                return Month.parse(text, label)
            except ValidationError as exc:
                errors.extend(FieldError(field, e.message) for e in exc.errors)
                return None

        values["valid_from"] = month(self.valid_from, "valid_from", "Gültig ab")
        values["valid_to"] = month(self.valid_to, "valid_to", "Gültig bis")
        try:
            values["declaration_date"] = parse_optional_date(self.declaration.text(), "Einkommenserklärung vom")
        except ValidationError as exc:
            errors.extend(FieldError("declaration_date", e.message) for e in exc.errors)
            values["declaration_date"] = None
        size = self.household.text().strip()
        values["household_size"] = None
        if size:
            try:
                values["household_size"] = int(size)
            except ValueError:
                errors.append(FieldError("household_size", f"Anzahl Haushalt: Bitte die Zahl der Personen als ganze "
                                                           f"Zahl eingeben (eingegeben: „{size}“)."))
        percent = self.exemption_percent.text().strip().replace(" ", "").rstrip("%")
        values["exemption_percent"] = None
        if percent:
            try:
                values["exemption_percent"] = Decimal(percent.replace(",", "."))
            except InvalidOperation:
                errors.append(FieldError("exemption_percent", f"Befreiung in %: Bitte eine Zahl eingeben, z. B. "
                                                              f"„5“ oder „2,5“ (eingegeben: „{percent}“)."))
        fixed = self.exemption_fixed.text().strip()
        values["exemption_fixed"] = None
        if fixed:
            try:
                values["exemption_fixed"] = parse_amount(fixed, self.currency, "Befreiung fester Betrag")
            except ValidationError as exc:
                errors.extend(FieldError("exemption_fixed", e.message) for e in exc.errors)
        return values, errors

