"""The editor of extra costs (Zusatzkosten): name, code, billing mode, the meal flag for the
standard-rate meal billing, and per version the amount."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtWidgets import QWidget

from sollhaben.domain.errors import ErrorCollector, FieldError
from sollhaben.domain.kita.model import EXTRA_COST_MODES, BillingMode, ExtraCost, ExtraCostVersion
from sollhaben.domain.master_data import check_length
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.kita import catalogue
from sollhaben.services.kita import catalogue_rules as rules
from sollhaben.services.kita.dto import ExtraCostDTO
from sollhaben.ui.forms.ui_kita_catalogue_extra_cost import Ui_ExtraCostDialog
from sollhaben.ui.kita.catalogue_dialog import CatalogueEntryDialog
from sollhaben.ui.kita.catalogue_input import parse_money_text
from sollhaben.ui.kita.catalogue_versions import VersionsWidget

AMOUNT_TITLES = {BillingMode.MONTHLY: "Monatsbetrag", BillingMode.PER_UNIT: "Preis je Einheit",
                 BillingMode.INDIVIDUAL: "Betrag"}
HINTS = {
    BillingMode.MONTHLY: "Ein fester Betrag je Monat mit Vertrag.",
    BillingMode.PER_UNIT: "Preis je Einheit (z. B. je Mahlzeit); die Anzahl wird vor jeder Sollstellung erfasst.",
    BillingMode.INDIVIDUAL: "Kein Betrag im Katalog: der Betrag wird je Kind erfasst.",
}


class ExtraCostDialog(CatalogueEntryDialog):
    """Create (`dto=None`) or edit extra costs with their versions; `code` is the stored short name
    (the DTO does not carry it)."""

    title_new, title_edit = "Neue Zusatzkosten", "Zusatzkosten"

    def __init__(self, db: Database, organization_id: int, currency: str, country: str,
                 dto: ExtraCostDTO | None = None, code: str = "", parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(db, organization_id, currency, country, parent, today)
        self.ui = Ui_ExtraCostDialog()
        self.ui.setupUi(self)
        versions = VersionsWidget((("amount", "Betrag", 120),), self, today)
        self.ui.versionsBoxLayout.addWidget(versions)
        self._setup(self.ui.summaryLabel, self.ui.buttonBox, versions, dict(versions.columns))
        ui = self.ui
        for mode in EXTRA_COST_MODES:
            ui.modeCombo.addItem(mode.label, mode.value)
        for name, widget in (("name", ui.nameEdit), ("code", ui.codeEdit), ("mode", ui.modeCombo),
                             ("is_meal", ui.mealCheck)):
            self.errors.register(name, widget)
        ui.modeCombo.currentIndexChanged.connect(lambda _i: self._mode_changed())
        v = versions.ui
        chain = (ui.nameEdit, ui.codeEdit, ui.modeCombo, ui.mealCheck, v.versionTable, v.newVersionButton,
                 v.newVersionEdit, v.removeVersionButton, ui.buttonBox)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        self._code = code
        self.load(dto)
        ui.nameEdit.setFocus()

    def _name(self, dto: ExtraCostDTO) -> str:
        return dto.extra_cost.name

    def _entry_id(self, dto: ExtraCostDTO) -> int:
        return dto.extra_cost.id

    def mode(self) -> BillingMode:
        return BillingMode(self.ui.modeCombo.currentData())

    def _load_entry(self, dto: ExtraCostDTO | None) -> None:
        ui = self.ui
        if dto is None:
            name, mode, meal = "", BillingMode.PER_UNIT, False
            rows = [(None, Validity(Month.of(self.today())), None, {}, [])]
        else:
            cost = dto.extra_cost
            name, mode, meal = cost.name, cost.mode, cost.is_meal
            rows = [(v.id, v.valid, dto.billed_through.get(v.id), {"amount": self.money_text(v.amount)}, [])
                    for v in cost.versions]
        ui.nameEdit.setText(name)
        ui.codeEdit.setText(self._code)
        ui.modeCombo.setCurrentIndex(ui.modeCombo.findData(mode.value))
        ui.mealCheck.setChecked(meal)
        billed = bool(dto and dto.billed_through)
        for widget in (ui.modeCombo, ui.mealCheck):
            widget.setEnabled(not billed)
            widget.setToolTip("Schon abgerechnet: kann nicht mehr geändert werden." if billed else "")
        self.versions.load(rows)
        self._mode_changed()

    def _mode_changed(self) -> None:
        mode = self.mode()
        self.versions.show_columns(set() if mode is BillingMode.INDIVIDUAL else {"amount"})
        self.versions.ui.versionTable.horizontalHeaderItem(self.versions.columns["amount"]).setText(
            AMOUNT_TITLES[mode])
        self.ui.modeHintLabel.setText(HINTS[mode])

    def _form_snapshot(self) -> tuple:
        ui = self.ui
        return ui.nameEdit.text(), ui.codeEdit.text(), ui.modeCombo.currentData(), ui.mealCheck.isChecked()

    # reading and storing ---------------------------------------------------------------------------
    def _version(self, row: int) -> tuple[ExtraCostVersion | None, list[FieldError]]:
        valid, problems = self.versions.validity(row)
        amount = None
        if self.mode() is not BillingMode.INDIVIDUAL:
            amount, errors = parse_money_text(self.versions.text(row, "amount"), self.currency,
                                              f"versions[{row}].amount", "Betrag")
            problems += errors
        if valid is None:
            return None, problems
        return ExtraCostVersion(valid, amount, id=self.versions.state(row).id), problems

    def _entry(self, versions: tuple) -> tuple[ExtraCost, list[FieldError]]:
        cost_id = self.dto.extra_cost.id if self.dto is not None else None
        return ExtraCost(self.ui.nameEdit.text(), self.mode(), self.ui.mealCheck.isChecked(), versions,
                         id=cost_id), []

    def _validate(self, entry: ExtraCost, errors: ErrorCollector) -> None:
        rules.validate_extra_cost(entry, errors)
        check_length(errors, "code", "Kürzel", self.ui.codeEdit.text().strip(), 20)

    def _store(self, entry: ExtraCost) -> ExtraCostDTO:
        code = self.ui.codeEdit.text().strip()
        dto = catalogue.save_extra_cost(self.db, self.organization_id, entry,
                                        self.dto.version if self.dto is not None else None, code=code)
        self._code = code
        return dto

    def _fetch(self, entry_id: int) -> ExtraCostDTO:
        return catalogue.get_extra_cost(self.db, entry_id)
