"""The editor of a fee group (Beitragsgruppe): name, code, billing mode, where the tier comes from,
and per version the tier table (Nr., Bezeichnung, Betrag)."""
from __future__ import annotations

import re
from datetime import date
from typing import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from sollhaben.domain.errors import ErrorCollector, FieldError
from sollhaben.domain.kita.model import BillingMode, FeeGroup, FeeGroupVersion, Tier, TierSource
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.kita import catalogue
from sollhaben.services.kita import catalogue_rules as rules
from sollhaben.services.kita.dto import FeeGroupDTO
from sollhaben.ui.forms.ui_kita_catalogue_fee_group import Ui_FeeGroupDialog
from sollhaben.ui.kita.catalogue_dialog import CatalogueEntryDialog
from sollhaben.ui.kita.catalogue_input import commit_editor, parse_money_text
from sollhaben.ui.kita.catalogue_versions import READ_ONLY_COLOR, VersionsWidget

NUMBER, LABEL, AMOUNT = range(3)
WUERTTEMBERG_LABELS = ("1 Kind", "2 Kinder", "3 Kinder", "4 und mehr Kinder")
AMOUNT_TITLES = {BillingMode.MONTHLY: "Monatsbetrag", BillingMode.DAILY: "Betrag je Tag",
                 BillingMode.PER_UNIT: "Preis je Einheit", BillingMode.INDIVIDUAL: "Betrag"}
MODE_HINTS = {
    BillingMode.MONTHLY: "Betrag = Monatsbeitrag.",
    BillingMode.DAILY: "Betrag = Tagessatz (× Kalendertage mit Vertrag).",
    BillingMode.PER_UNIT: "Betrag = Preis je Einheit (Anzahl vor jeder Sollstellung erfassen).",
    BillingMode.INDIVIDUAL: "Kein Betrag im Katalog: er wird je Kind erfasst.",
}
SOURCE_HINTS = {
    TierSource.CHOSEN: "",
    TierSource.INCOME: " Staffel aus der Staffelberechnung (Einkommen) des Kindes.",
    TierSource.WUERTTEMBERG: " Staffel = Kinder unter 18 im Haushalt (4 = vier und mehr).",
}
_TIER_FIELD = re.compile(r"^versions\[(\d+)\]\.tiers(?:\[(\d+)\]\.(\w+))?$")


def tier_count(payload: list) -> str:
    return f"{len(payload)} Staffel{'' if len(payload) == 1 else 'n'}" if payload else "–"


class FeeGroupDialog(CatalogueEntryDialog):
    """Create (`dto=None`) or edit a fee group with its versions."""

    title_new, title_edit = "Neue Beitragsgruppe", "Beitragsgruppe"

    def __init__(self, db: Database, organization_id: int, currency: str, country: str,
                 dto: FeeGroupDTO | None = None, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(db, organization_id, currency, country, parent, today)
        self.ui = Ui_FeeGroupDialog()
        self.ui.setupUi(self)
        versions = VersionsWidget([("tiers", "Staffeln", 90)], self, today)
        versions.read_only_columns.add(versions.columns["tiers"])
        self.ui.versionsBoxLayout.addWidget(versions)
        self._setup(self.ui.summaryLabel, self.ui.buttonBox, versions, {"valid_from": 0, "valid_to": 1, "tiers": 2})
        ui = self.ui
        for mode in BillingMode:
            ui.modeCombo.addItem(mode.label, mode.value)
        for source in TierSource:
            ui.tierSourceCombo.addItem(source.label, source.value)
        for name, widget in (("name", ui.nameEdit), ("code", ui.codeEdit), ("mode", ui.modeCombo),
                             ("tier_source", ui.tierSourceCombo)):
            self.errors.register(name, widget)
        self.errors.register_table("tiers", ui.tierTable, {"number": NUMBER, "label": LABEL, "amount": AMOUNT},
                                   message_label=ui.tierMessageLabel)
        table = ui.tierTable
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        table.horizontalHeader().setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setHighlightSections(False)
        table.setColumnWidth(NUMBER, 50)
        table.setColumnWidth(AMOUNT, 130)
        ui.modeCombo.currentIndexChanged.connect(lambda _i: self._mode_changed())
        ui.tierSourceCombo.currentIndexChanged.connect(lambda _i: self._source_changed())
        versions.current_changed.connect(self._show_tiers)
        table.itemChanged.connect(self._tier_edited)
        ui.addTierButton.clicked.connect(self.add_tier)
        ui.removeTierButton.clicked.connect(self.remove_tier)
        v = versions.ui
        chain = (ui.nameEdit, ui.codeEdit, ui.modeCombo, ui.tierSourceCombo, v.versionTable, v.newVersionButton,
                 v.newVersionEdit, v.removeVersionButton, table, ui.addTierButton, ui.removeTierButton, ui.buttonBox)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        self._filling = False
        self.load(dto)
        ui.nameEdit.setFocus()

    # loading ---------------------------------------------------------------------------------
    def _name(self, dto: FeeGroupDTO) -> str:
        return dto.group.name

    def _entry_id(self, dto: FeeGroupDTO) -> int:
        return dto.group.id

    def _load_entry(self, dto: FeeGroupDTO | None) -> None:
        ui = self.ui
        self._filling = True  # the combos' signals must not rebuild the tiers while loading
        if dto is None:
            name, code, mode, source = "", "", BillingMode.MONTHLY, TierSource.CHOSEN
            rows = [(None, Validity(Month.of(self.today())), None, {}, [["1", "", ""]])]
        else:
            group = dto.group
            name, code, mode, source = group.name, group.code, group.mode, group.tier_source
            rows = [(v.id, v.valid, dto.billed_through.get(v.id), {"tiers": tier_count(v.tiers)},
                     [[str(t.number), t.label, self.money_text(t.amount)] for t in v.tiers]) for v in group.versions]
        ui.nameEdit.setText(name)
        ui.codeEdit.setText(code)
        ui.modeCombo.setCurrentIndex(ui.modeCombo.findData(mode.value))
        ui.tierSourceCombo.setCurrentIndex(ui.tierSourceCombo.findData(source.value))
        self.versions.load(rows)
        billed = bool(dto and dto.billed_through)
        for combo in (ui.modeCombo, ui.tierSourceCombo):
            combo.setProperty("billedFixed", billed)
            combo.setToolTip("Schon abgerechnet: kann nicht mehr geändert werden (bitte eine neue Beitragsgruppe "
                             "anlegen)." if billed else "")
        self._filling = False
        if dto is None:
            self._source_changed()
        self._mode_changed()
        self._show_tiers(self.versions.current_row())

    def _form_snapshot(self) -> tuple:
        ui = self.ui
        return ui.nameEdit.text(), ui.codeEdit.text(), ui.modeCombo.currentData(), ui.tierSourceCombo.currentData()

    def mode(self) -> BillingMode:
        return BillingMode(self.ui.modeCombo.currentData())

    def source(self) -> TierSource:
        return TierSource(self.ui.tierSourceCombo.currentData())

    # mode and tier source ----------------------------------------------------------------------
    def _mode_changed(self) -> None:
        if self._filling:
            return
        ui, mode = self.ui, self.mode()
        individual = mode is BillingMode.INDIVIDUAL
        if individual and self.source() is not TierSource.CHOSEN:
            ui.tierSourceCombo.setCurrentIndex(ui.tierSourceCombo.findData(TierSource.CHOSEN.value))
        fixed = bool(ui.modeCombo.property("billedFixed"))
        ui.modeCombo.setEnabled(not fixed)
        ui.tierSourceCombo.setEnabled(not fixed and not individual)
        ui.tierTable.setColumnHidden(AMOUNT, individual)
        ui.tierTable.setHorizontalHeaderItem(AMOUNT, QTableWidgetItem(AMOUNT_TITLES[mode]))
        ui.modeHintLabel.setText(MODE_HINTS[mode] + SOURCE_HINTS[self.source()])

    def _source_changed(self) -> None:
        if self._filling:
            return
        if self.source() is TierSource.WUERTTEMBERG:
            for row in range(self.versions.row_count()):
                if not self.versions.is_billed(row):
                    state = self.versions.state(row)
                    amounts = {n.strip(): a for n, _label, a in state.payload}
                    state.payload[:] = [[str(n), WUERTTEMBERG_LABELS[n - 1], amounts.get(str(n), "")]
                                        for n in range(1, 5)]
                    self.versions.set_text(row, "tiers", tier_count(state.payload))
        self._mode_changed()
        self._show_tiers(self.versions.current_row())

    # the tier table --------------------------------------------------------------------------------
    def _payload(self) -> list | None:
        row = self.versions.current_row()
        return self.versions.state(row).payload if 0 <= row < self.versions.row_count() else None

    def _show_tiers(self, row: int) -> None:
        ui = self.ui
        table = ui.tierTable
        commit_editor(table)
        table.blockSignals(True)
        table.setRowCount(0)
        has_row = 0 <= row < self.versions.row_count()
        billed = has_row and self.versions.is_billed(row)
        wuerttemberg = self.source() is TierSource.WUERTTEMBERG
        for values in (self.versions.state(row).payload if has_row else []):
            position = table.rowCount()
            table.insertRow(position)
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column != LABEL:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if billed or (wuerttemberg and column == NUMBER):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(READ_ONLY_COLOR)
                table.setItem(position, column, item)
        table.blockSignals(False)
        ui.tiersBox.setTitle(f"Staffeln der Version ab {self.versions.text(row, 'valid_from')}" if has_row
                             else "Staffeln")
        ui.tiersBox.setEnabled(has_row)
        ui.addTierButton.setEnabled(has_row and not billed and not wuerttemberg)
        ui.removeTierButton.setEnabled(has_row and not billed and not wuerttemberg)

    def _tier_edited(self, item: QTableWidgetItem) -> None:
        payload = self._payload()
        if payload is not None and item.row() < len(payload):
            payload[item.row()][item.column()] = item.text()
            self.versions.set_text(self.versions.current_row(), "tiers", tier_count(payload))

    def add_tier(self) -> None:
        payload = self._payload()
        if payload is None:
            return
        numbers = [int(n) for n, _label, _amount in payload if n.strip().isdigit()]
        payload.append([str(max(numbers, default=0) + 1), "", ""])
        self._refresh_current()
        self.ui.tierTable.setFocus()
        self.ui.tierTable.setCurrentCell(len(payload) - 1, LABEL)
        self.ui.tierTable.editItem(self.ui.tierTable.item(len(payload) - 1, LABEL))

    def remove_tier(self) -> None:
        payload, row = self._payload(), self.ui.tierTable.currentRow()
        if payload is not None and 0 <= row < len(payload):
            del payload[row]
            self._refresh_current()

    def _refresh_current(self) -> None:
        row = self.versions.current_row()
        self.versions.set_text(row, "tiers", tier_count(self.versions.state(row).payload))
        self._show_tiers(row)

    def _before_save(self) -> None:
        commit_editor(self.ui.tierTable)
        for row in range(self.versions.row_count()):
            state = self.versions.state(row)
            kept = [t for t in state.payload if any(text.strip() for text in t)]
            if len(kept) != len(state.payload) and not self.versions.is_billed(row):
                state.payload[:] = kept
                self.versions.set_text(row, "tiers", tier_count(kept))
        self._show_tiers(self.versions.current_row())

    # reading and storing ---------------------------------------------------------------------------
    def _version(self, row: int) -> tuple[FeeGroupVersion | None, list[FieldError]]:
        valid, problems = self.versions.validity(row)
        state = self.versions.state(row)
        mode, tiers = self.mode(), []
        for j, (number_text, label, amount_text) in enumerate(state.payload):
            field = f"versions[{row}].tiers[{j}]"
            number_text = number_text.strip()
            number = int(number_text) if number_text.isdigit() else 0
            if not number_text.isdigit():
                problems.append(FieldError(f"{field}.number", "Staffel: Bitte eine Nummer eingeben (1, 2, 3 …)."
                                           if not number_text else f"Staffel: „{number_text}“ ist keine Nummer; "
                                                                   "bitte 1, 2, 3 … eingeben."))
            amount = None
            if mode is not BillingMode.INDIVIDUAL:
                amount, errors = parse_money_text(amount_text, self.currency, f"{field}.amount",
                                                  f"Betrag der Staffel {number_text}")
                problems += errors
            tiers.append(Tier(number, label.strip(), amount))
        return (None if valid is None else FeeGroupVersion(valid, tuple(tiers), id=state.id)), problems

    def _entry(self, versions: tuple) -> tuple[FeeGroup, list[FieldError]]:
        group_id = self.dto.group.id if self.dto is not None else None
        return FeeGroup(self.ui.nameEdit.text(), self.mode(), self.source(), versions, id=group_id,
                        code=self.ui.codeEdit.text()), []

    def _validate(self, entry: FeeGroup, errors: ErrorCollector) -> None:
        rules.validate_fee_group(entry, errors)

    def _store(self, entry: FeeGroup) -> FeeGroupDTO:
        return catalogue.save_fee_group(self.db, self.organization_id, entry,
                                        self.dto.version if self.dto is not None else None)

    def _fetch(self, entry_id: int) -> FeeGroupDTO:
        return catalogue.get_fee_group(self.db, entry_id)

    # errors at the tier table ----------------------------------------------------------------------
    def _show_errors(self, errors: Sequence[FieldError]) -> None:
        rows = [int(m[1]) for m in (_TIER_FIELD.match(e.field) for e in errors) if m]
        if rows and self.versions.current_row() not in rows:
            self.versions.set_current(rows[0])  # show the tiers of the first version with an error
        super()._show_errors(errors)

    def _map_field(self, name: str) -> tuple[str, int | None]:
        match = _TIER_FIELD.match(name)
        if match is None:
            return name, None
        row = int(match[1])
        if row != self.versions.current_row():
            return f"versions[{row}].tiers", row
        if match[2] is None:  # about the whole table: mark the table, no cell
            return f"tiers[{self.ui.tierTable.rowCount()}].number", row
        return f"tiers[{match[2]}].{match[3]}", row
