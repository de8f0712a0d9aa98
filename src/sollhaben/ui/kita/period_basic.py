"""The sub-layer Grunddaten of a billing period: validity (MM.JJJJ), siblings auto (read-only,
from the service) and manual, children in the household (Württemberg model, read-only), the payer
of all fees / all extra costs and, with the standard-rate option, the meal-cost coverage."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.ui.field_errors import FieldErrorView
from sollhaben.ui.forms.ui_kita_period_basic import Ui_PeriodBasicLayer
from sollhaben.ui.kita.period_context import PeriodContext
from sollhaben.ui.kita.period_lines import fill_combo, select_data


class PeriodBasicLayer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PeriodBasicLayer()
        self.ui.setupUi(self)
        for coverage in m.MealCoverage:
            self.ui.mealCombo.addItem(coverage.label, coverage.value)

    def register_errors(self, view: FieldErrorView) -> None:
        u = self.ui
        for field, widget in (("valid_from", u.validFromEdit), ("valid_to", u.validToEdit),
                              ("siblings_manual", u.siblingsManualEdit), ("fees_payer_id", u.feesPayerCombo),
                              ("extras_payer_id", u.extrasPayerCombo), ("meal_coverage", u.mealCombo)):
            view.register(field, widget)

    def set_payers(self, payers: list[tuple[int, str]]) -> None:
        fill_combo(self.ui.feesPayerCombo, payers, "– keiner (Zahler je Zeile) –")
        fill_combo(self.ui.extrasPayerCombo, payers, "– keiner (Zahler je Zeile) –")

    def set_period(self, period: m.BillingPeriod | None) -> None:
        u = self.ui
        u.validFromEdit.setText(str(period.valid.valid_from) if period else "")
        u.validToEdit.setText(str(period.valid.valid_to) if period and period.valid.valid_to else "")
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
                       u.mealCombo):
            widget.setEnabled(not locked)
