"""The billing settings of one facility ("Einstellungen der Einrichtung") and the catalogue entries
it offers, saved together: nothing is stored while an error stands."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QListWidget, QListWidgetItem, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.kita.model import FacilitySettings, PartialMonth
from sollhaben.domain.months import Month
from sollhaben.persistence.database import Database
from sollhaben.services.kita import catalogue, facility
from sollhaben.services.kita.dto import CatalogueRow, FacilityOfferDTO
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.forms.ui_kita_facility_settings import Ui_FacilitySettingsDialog
from sollhaben.ui.settings_dialog import ask_reload

PARTIAL_LABELS = {PartialMonth.FULL: "jeder angefangene Monat (voller Betrag)",
                  PartialMonth.PRO_RATA: "anteilig nach Kalendertagen"}
#: (offer field, ui prefix, noun for the message)
OFFER_KINDS = (("fee_group_ids", "feeGroup", "eine Beitragsgruppe"), ("discount_ids", "discount", "eine Ermäßigung"),
               ("extra_cost_ids", "extraCost", "einen Eintrag der Zusatzkosten"))
#: The fields in the order of the form (errors are listed and focused in this order).
FIELD_ORDER = ("first_billing_month", "due_day", "partial_month", "fee_free_months", "hardship_fund_payer_id",
               "sibling_meal_payer_id", "fee_group_ids", "discount_ids", "extra_cost_ids")
OFFER_LABELS = {"fee_group_ids": "Beitragsgruppen", "discount_ids": "Ermäßigungen", "extra_cost_ids": "Zusatzkosten"}


class FacilitySettingsDialog(FormDialog):
    """`saved(FacilitySettings)` after each successful save."""

    saved = Signal(object)

    def __init__(self, db: Database, organization_id: int, facility_id: int, facility_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.facility_id = db, organization_id, facility_id
        self.ui = Ui_FacilitySettingsDialog()
        self.ui.setupUi(self)
        self.setWindowTitle(f"Einstellungen der Einrichtung – {facility_name}")
        self.setStyleSheet(ERROR_STYLE)
        ui = self.ui
        ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        ui.summaryLabel.hide()
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        ui.buttonBox.accepted.connect(self.accept)
        ui.buttonBox.rejected.connect(self.reject)
        for value, text in PARTIAL_LABELS.items():
            ui.partialCombo.addItem(text, value.value)
        self.fee_free: dict[int, QCheckBox] = {m: getattr(ui, f"feeFree{m}") for m in range(1, 13)}
        self._fill_institutions()
        self._fill_offer_lists()
        self.errors = FieldErrorView(self)
        for name, widget in (("first_billing_month", ui.firstMonthEdit), ("due_day", ui.dueDaySpin),
                             ("partial_month", ui.partialCombo), ("fee_free_months", ui.feeFreeWidget),
                             ("hardship_fund_payer_id", ui.hardshipCombo), ("sibling_meal_payer_id", ui.siblingCombo)):
            self.errors.register(name, widget)
        for name, prefix, _noun in OFFER_KINDS:
            self.errors.register(name, self._list(prefix), message_label=getattr(ui, f"{prefix}MessageLabel"))
            self._all(prefix).toggled.connect(lambda _on, p=prefix: self._all_toggled(p))
        ui.standardRateCheck.toggled.connect(self._standard_rate_toggled)
        self.load()
        ui.firstMonthEdit.setFocus()

    # setup -------------------------------------------------------------------------------------
    def _list(self, prefix: str) -> QListWidget:
        return getattr(self.ui, f"{prefix}List")

    def _all(self, prefix: str) -> QCheckBox:
        return getattr(self.ui, f"{prefix}AllCheck")

    def _fill_institutions(self) -> None:
        institutions = facility.list_institutions(self.db, self.organization_id)
        for combo in (self.ui.hardshipCombo, self.ui.siblingCombo):
            combo.addItem("– keine –", None)
            for person in institutions:
                combo.addItem(person.name, person.person_id)

    def _fill_offer_lists(self) -> None:
        entries: dict[str, list[CatalogueRow]] = {
            "feeGroup": catalogue.list_fee_groups(self.db, self.organization_id),
            "discount": catalogue.list_discounts(self.db, self.organization_id),
            "extraCost": catalogue.list_extra_costs(self.db, self.organization_id)}
        for prefix, rows in entries.items():
            widget = self._list(prefix)
            for row in rows:
                item = QListWidgetItem(row.name, widget)
                item.setToolTip(f"{row.name}: {row.mode_label}")
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)

    # data ----------------------------------------------------------------------------------------
    def load(self) -> None:
        """Show the stored settings and offer (the defaults while none are stored)."""
        settings = facility.get_facility_settings(self.db, self.facility_id)
        offer = facility.get_facility_offer(self.db, self.facility_id)
        self.settings = settings
        ui = self.ui
        ui.firstMonthEdit.setText(str(settings.first_billing_month or ""))
        ui.dueDaySpin.setValue(settings.due_day)
        ui.partialCombo.setCurrentIndex(ui.partialCombo.findData(settings.partial_month.value))
        for month, check in self.fee_free.items():
            check.setChecked(month in settings.fee_free_months)
        ui.lockCheck.setChecked(settings.lock_billed)
        ui.wuerttembergCheck.setChecked(settings.wuerttemberg)
        ui.standardRateCheck.setChecked(settings.standard_rate_meals)
        self._choose(ui.hardshipCombo, settings.hardship_fund_payer_id)
        self._choose(ui.siblingCombo, settings.sibling_meal_payer_id)
        self._standard_rate_toggled(settings.standard_rate_meals)
        for name, prefix, _noun in OFFER_KINDS:
            chosen = getattr(offer, name)
            widget = self._list(prefix)
            for i in range(widget.count()):
                item = widget.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in chosen
                                   else Qt.CheckState.Unchecked)
            self._all(prefix).setChecked(not chosen)
            self._all_toggled(prefix)
        show_form_errors(self.errors, ui.summaryLabel, [])
        self._loaded = self.snapshot()

    @staticmethod
    def _choose(combo: QComboBox, person_id: int | None) -> None:
        index = combo.findData(person_id)
        if index < 0:  # stored, but no longer an institution of the organization: keep it visible
            combo.addItem(f"(Person {person_id})", person_id)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def collect(self) -> tuple[FacilitySettings, FacilityOfferDTO, list[FieldError]]:
        ui, problems = self.ui, []
        first = None
        if ui.firstMonthEdit.text().strip():
            try:
                first = Month.parse(ui.firstMonthEdit.text(), "Erster Abrechnungsmonat")
            except ValidationError as exc:
                problems += [FieldError("first_billing_month", e.message) for e in exc.errors]
        settings = replace(
            self.settings, fee_free_months=frozenset(m for m, c in self.fee_free.items() if c.isChecked()),
            partial_month=PartialMonth(ui.partialCombo.currentData()), due_day=ui.dueDaySpin.value(),
            lock_billed=ui.lockCheck.isChecked(), wuerttemberg=ui.wuerttembergCheck.isChecked(),
            standard_rate_meals=ui.standardRateCheck.isChecked(),
            hardship_fund_payer_id=ui.hardshipCombo.currentData(), sibling_meal_payer_id=ui.siblingCombo.currentData(),
            first_billing_month=first if not problems else self.settings.first_billing_month)
        chosen: dict[str, frozenset[int]] = {}
        for name, prefix, noun in OFFER_KINDS:
            ids = frozenset() if self._all(prefix).isChecked() else frozenset(
                self._list(prefix).item(i).data(Qt.ItemDataRole.UserRole) for i in range(self._list(prefix).count())
                if self._list(prefix).item(i).checkState() == Qt.CheckState.Checked)
            if not self._all(prefix).isChecked() and not ids:
                problems.append(FieldError(name, f"{OFFER_LABELS[name]}: Bitte {noun} wählen oder „alle“ ankreuzen."))
            chosen[name] = ids
        return settings, FacilityOfferDTO(self.facility_id, **chosen), problems

    def snapshot(self) -> tuple:
        settings, offer, _problems = self.collect()
        return settings, offer, self.ui.firstMonthEdit.text().strip()

    def is_dirty(self) -> bool:
        return self.snapshot() != self._loaded

    def save(self) -> bool:
        settings, offer, problems = self.collect()
        try:
            if problems:  # the form's own errors, with what the service says about the rest
                taken = {p.field for p in problems}
                problems += [e for e in facility.check_facility_settings(self.db, settings) if e.field not in taken]
                raise ValidationError(problems)
            saved, _offer = facility.save_facility_setup(self.db, settings, offer)
        except ValidationError as exc:
            errors = sorted(exc.errors, key=lambda e: FIELD_ORDER.index(e.field) if e.field in FIELD_ORDER else 99)
            show_form_errors(self.errors, self.ui.summaryLabel, errors)
            self._show_tab_of(errors)
            return False
        except ConflictError as exc:
            if ask_reload(self, str(exc)):
                self.load()
            return False
        except NotFoundError as exc:
            QMessageBox.warning(self, "Einstellungen der Einrichtung", str(exc))
            return False
        self.load()
        self.saved.emit(saved)
        return True

    # slots ---------------------------------------------------------------------------------------
    def _standard_rate_toggled(self, on: bool) -> None:
        for widget in (self.ui.hardshipCombo, self.ui.siblingCombo, self.ui.hardshipLabel, self.ui.siblingLabel):
            widget.setEnabled(on)

    def _all_toggled(self, prefix: str) -> None:
        self._list(prefix).setEnabled(not self._all(prefix).isChecked())

    def _show_tab_of(self, errors: list[FieldError]) -> None:
        widget = self.errors.widget_for(errors[0].field) if errors else None
        for index in range(self.ui.tabs.count()):
            if widget is not None and self.ui.tabs.widget(index).isAncestorOf(widget):
                self.ui.tabs.setCurrentIndex(index)
                widget.setFocus()
                return
