"""The sub-layer Grunddaten of a billing period: validity (MM.JJJJ), siblings auto (read-only,
from the service) and manual, children in the household (Württemberg model, read-only), the payer
of all fees / all extra costs and, with the standard-rate option, the meal-cost coverage."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.services.dto import PersonRow
from sollhaben.services.kita.dto import ChildRow
from sollhaben.ui.field_errors import FieldErrorView
from sollhaben.ui.forms.ui_kita_period_basic import Ui_PeriodBasicLayer
from sollhaben.ui.kita.period_context import PeriodContext
from sollhaben.ui.kita.period_lines import fill_combo, select_data
from sollhaben.ui.kita.widgets_picker import PersonPicker


class PeriodBasicLayer(QWidget):
    def __init__(self, parent: QWidget | None = None,
                 child_rows: Callable[[], list[ChildRow]] = list) -> None:
        super().__init__(parent)
        self.ui = Ui_PeriodBasicLayer()
        self.ui.setupUi(self)
        for coverage in m.MealCoverage:
            self.ui.mealCombo.addItem(coverage.label, coverage.value)
        self._child_rows = child_rows
        self.own_child_id: int | None = None
        self._build_ladder_siblings()

    def _build_ladder_siblings(self) -> None:
        """"Geschwister für die Staffel": children named for the sibling ladder besides the auto
        siblings (a sibling in another facility), picked from the children list."""
        box = QWidget(self)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sibling_pick = QLineEdit(box)
        self.sibling_pick.setObjectName("siblingPickEdit")
        self.sibling_pick.setPlaceholderText("Kind suchen und hinzufügen …")
        self.sibling_pick.setClearButtonEnabled(True)
        self.sibling_pick.setFixedWidth(230)
        self.sibling_table = QTableWidget(0, 1, box)
        self.sibling_table.setObjectName("ladderSiblingsTable")
        self.sibling_table.horizontalHeader().hide()
        self.sibling_table.verticalHeader().hide()
        self.sibling_table.horizontalHeader().setStretchLastSection(True)
        self.sibling_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sibling_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.sibling_table.setFixedHeight(self.fontMetrics().height() * 3 + 16)
        self.sibling_table.setFixedWidth(240)
        self.sibling_remove = QPushButton("Entfernen", box)
        self.sibling_remove.clicked.connect(self._remove_sibling)
        for widget in (self.sibling_pick, self.sibling_table, self.sibling_remove):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        label = QLabel("Geschwister für die &Staffel:", self)
        label.setBuddy(self.sibling_pick)
        label.setToolTip("Kinder, die bei der Geschwisterstaffel zusätzlich zählen (z. B. in einer anderen "
                         "Einrichtung betreut)")
        self.ui.form.insertRow(3, label, box)
        self.sibling_picker = PersonPicker(self.sibling_pick, self._sibling_rows)
        self.sibling_picker.picked.connect(self.add_sibling)
        QWidget.setTabOrder(self.ui.siblingsManualEdit, self.sibling_pick)

    def _sibling_rows(self) -> list[PersonRow]:
        return [PersonRow(r.id, "NATURAL", r.last_name, r.first_name, r.birth_date, "", "", "")
                for r in self._child_rows() if r.id != self.own_child_id]

    def add_sibling(self, child_id: int, name: str = "") -> None:
        table = self.sibling_table
        if any(table.item(r, 0).data(Qt.ItemDataRole.UserRole) == child_id for r in range(table.rowCount())):
            return
        if not name:
            row = next((r for r in self._child_rows() if r.id == child_id), None)
            name = f"{row.last_name}, {row.first_name}" if row else f"Kind Nr. {child_id}"
        item = QTableWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, child_id)
        table.insertRow(table.rowCount())
        table.setItem(table.rowCount() - 1, 0, item)

    def _remove_sibling(self) -> None:
        if self.sibling_table.currentRow() >= 0:
            self.sibling_table.removeRow(self.sibling_table.currentRow())

    def extra_siblings(self) -> tuple[int, ...]:
        table = self.sibling_table
        return tuple(table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(table.rowCount()))

    def register_errors(self, view: FieldErrorView) -> None:
        u = self.ui
        for field, widget in (("valid_from", u.validFromEdit), ("valid_to", u.validToEdit),
                              ("siblings_manual", u.siblingsManualEdit), ("fees_payer_id", u.feesPayerCombo),
                              ("extras_payer_id", u.extrasPayerCombo), ("meal_coverage", u.mealCombo)):
            view.register(field, widget)
        view.register_table("extra_siblings", self.sibling_table, {"child_id": 0})

    def set_payers(self, payers: list[tuple[int, str]]) -> None:
        fill_combo(self.ui.feesPayerCombo, payers, "– keiner (Zahler je Zeile) –")
        fill_combo(self.ui.extrasPayerCombo, payers, "– keiner (Zahler je Zeile) –")

    def set_period(self, period: m.BillingPeriod | None) -> None:
        u = self.ui
        u.validFromEdit.setText(str(period.valid.valid_from) if period else "")
        u.validToEdit.setText(str(period.valid.valid_to) if period and period.valid.valid_to else "")
        self.sibling_table.setRowCount(0)
        names = {r.id: f"{r.last_name}, {r.first_name}" for r in self._child_rows()}
        for child_id in period.extra_siblings if period else ():
            self.add_sibling(child_id, names.get(child_id, f"Kind Nr. {child_id}"))
        manual = period.siblings_manual if period else None
        u.siblingsManualEdit.setText("" if manual is None else str(manual))
        select_data(u.feesPayerCombo, period.fees_payer_id if period else None)
        select_data(u.extrasPayerCombo, period.extras_payer_id if period else None)
        coverage = period.meal_coverage if period else m.MealCoverage.NONE
        u.mealCombo.setCurrentIndex(max(0, u.mealCombo.findData(coverage.value)))

    def show_context(self, ctx: PeriodContext, month: Month) -> None:
        """The read-only facts of the period's first month and what the facility's options allow."""
        u = self.ui
        u.facilityLabel.setText(ctx.facility_name or "– kein Vertrag –")
        siblings = ctx.siblings(month)
        u.siblingsAutoLabel.setText(str(len(siblings)))
        u.siblingsNamesLabel.setText(", ".join(s.name for s in siblings))
        u.siblingsAutoLabel.setToolTip("Kinder mit laufendem Vertrag in derselben Einrichtung, die eine "
                                       "sorgeberechtigte Person teilen (ändert keine Beiträge)")
        wuerttemberg = ctx.settings.wuerttemberg
        u.householdLabel.setText(f"{ctx.facts(month).children_in_household} (am 1. des Monats {month})"
                                 if wuerttemberg else "")
        for widget in (u.householdTitle, u.householdLabel):
            widget.setVisible(wuerttemberg)
        meals = ctx.settings.standard_rate_meals
        u.form.setRowVisible(u.mealCombo, meals)

    def valid_from(self) -> Month | None:
        try:
            return Month.parse(self.ui.validFromEdit.text())
        except Exception:  # noqa: BLE001 - unreadable while typing: no live figures
            return None

    def read(self, errors: ErrorCollector) -> tuple[Validity | None, int | None]:
        u = self.ui
        start = errors.check("valid_from", Month.parse, u.validFromEdit.text(), "Gültig ab")
        end = errors.check("valid_to", Month.parse, u.validToEdit.text(), "Gültig bis") \
            if u.validToEdit.text().strip() else None
        valid = None
        if start is not None:
            if end is not None and end < start:
                errors.add("valid_to", f"Gültig bis ({end}) liegt vor Gültig ab ({start}).")
            else:
                valid = Validity(start, end)
        manual_text = u.siblingsManualEdit.text().strip()
        manual = None
        if manual_text:
            if manual_text.isdigit():
                manual = int(manual_text)
            else:
                errors.add("siblings_manual", f"Geschwister (manuell): „{manual_text}“ ist keine Anzahl.")
        return valid, manual

    def payer_ids(self) -> tuple[int | None, int | None]:
        return self.ui.feesPayerCombo.currentData(), self.ui.extrasPayerCombo.currentData()

    def meal_coverage(self) -> m.MealCoverage:
        return m.MealCoverage(self.ui.mealCombo.currentData())

    def set_locked(self, locked: bool) -> None:
        u = self.ui
        for widget in (u.validFromEdit, u.validToEdit, u.siblingsManualEdit, u.feesPayerCombo, u.extrasPayerCombo,
                       u.mealCombo, self.sibling_pick, self.sibling_table, self.sibling_remove):
            widget.setEnabled(not locked)
