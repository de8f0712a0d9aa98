"""The live figures of an income-scale assessment: annual and monthly income, exemption, income
after exemption, household size and threshold, relevant amount, tier. Shown beside every layer of
the assessment editor and updated as the clerk types (`show(calculation)`)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QWidget

from sollhaben.domain.formatting import format_money
from sollhaben.domain.income.calculation import IncomeCalculation
from sollhaben.domain.money import Money

ROWS = (  # key, label
    ("annual", "Jahreseinkommen"),
    ("monthly", "Monatseinkommen"),
    ("exemption", "Befreiungsbetrag"),
    ("after", "Einkommen nach Befreiung"),
    ("household", "Anzahl Haushalt"),
    ("threshold", "Einkommensgrenze"),
    ("relevant", "Maßgeblicher Betrag"),
    ("tier", "Staffel"),
)


def _percent(value) -> str:
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return text.replace(".", ",")


class FiguresPanel(QFrame):
    """A compact column of labelled figures; empty figures show „–“."""

    def __init__(self, country: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.country = country
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(290)
        layout = QFormLayout(self)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        title = QLabel("<b>Berechnung</b>", self)
        layout.addRow(title)
        self.values: dict[str, QLabel] = {}
        for key, label in ROWS:
            value = QLabel("–", self)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setObjectName(f"figure_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            layout.addRow(label + ":", value)
        self.values["tier"].setStyleSheet("font-weight: 600; font-size: 12pt;")
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        layout.addRow(self.note)

    def _money(self, amount: Money | None) -> str:
        return "–" if amount is None else format_money(amount, self.country)

    def show_calculation(self, calculation: IncomeCalculation | None) -> None:
        if calculation is None:
            for value in self.values.values():
                value.setText("–")
            self.note.setText("")
            return
        c = calculation
        exemption = self._money(c.exemption)
        if c.exemption is not None:
            parts = []
            if c.exemption_percent:
                parts.append(f"{_percent(c.exemption_percent)} %")
            if c.exemption_fixed is not None and c.exemption_fixed.minor:
                parts.append(format_money(c.exemption_fixed, self.country))
            if parts:
                exemption += f"\n({' + '.join(parts)})"
        texts = {
            "annual": self._money(c.annual_income),
            "monthly": self._money(c.monthly_income),
            "exemption": exemption,
            "after": self._money(c.income_after_exemption),
            "household": "–" if c.household_size is None else str(c.household_size),
            "threshold": self._money(c.threshold),
            "relevant": self._money(c.relevant_amount),
            "tier": "–" if c.tier is None else str(c.tier),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        if c.highest_tier_option:
            self.note.setText("Höchste Staffel: ohne Einkommensnachweis, die Einkommen werden nicht berechnet.")
        elif c.version is None:
            self.note.setText("Für den Monat „Gültig ab“ ist keine Staffeltabelle eingerichtet.")
        else:
            self.note.setText("")

    def text_of(self, key: str) -> str:
        return self.values[key].text()
