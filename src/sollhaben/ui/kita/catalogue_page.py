"""The page "Standard": the organization's catalogue — fee groups, discounts and extra costs, one
list per tab with "Neu" (Ctrl+N) and "Bearbeiten" (Return, double-click) — and the way to a
facility's settings."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.kita.model import BillingMode
from sollhaben.domain.master_data import UnitKind
from sollhaben.domain.months import Month
from sollhaben.services import organizations
from sollhaben.services.kita import catalogue
from sollhaben.services.kita.dto import CatalogueRow, EntryKind
from sollhaben.ui.context import AppContext
from sollhaben.ui.form_dialog import FormDialog
from sollhaben.ui.forms.ui_kita_catalogue_page import Ui_CataloguePage
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


def _valid_from(row: CatalogueRow):
    return row.valid.valid_from.index if row.valid else None


def _columns(kind: str, amounts: Callable[[CatalogueRow], str]) -> tuple[Column, ...]:
    name = Column("Name", lambda r: r.name, stretch=True)
    valid = Column("Gültig", lambda r: r.valid, sort_key=_valid_from, width=140,
                   tooltip="Vom Beginn der ersten bis zum Ende der letzten Version")
    versions = Column("Versionen", lambda r: r.versions, align=ALIGN_RIGHT, width=75)
    code = Column("Kürzel", lambda r: r.code, width=70)
    mode = Column("Abrechnungsart", lambda r: r.mode_label, width=150)
    if kind == EntryKind.FEE_GROUP:
        return (name, code, mode, Column("Staffel", lambda r: r.detail, width=160),
                Column("Beträge heute", amounts, align=ALIGN_RIGHT, width=130,
                       tooltip="Beträge der heute gültigen Version"), valid, versions)
    if kind == EntryKind.DISCOUNT:
        return (name, Column("Art", lambda r: r.mode_label, width=150),
                Column("Wert heute", lambda r: r.current, align=ALIGN_RIGHT, width=160), valid, versions)
    return (name, code, mode, Column("Verpflegung", lambda r: "ja" if r.detail else "", width=95),
            Column("Betrag heute", lambda r: r.current, align=ALIGN_RIGHT, width=110), valid, versions)


TABS = ((EntryKind.FEE_GROUP, "feeGroup", "Beitragsgruppe"), (EntryKind.DISCOUNT, "discount", "Ermäßigung"),
        (EntryKind.EXTRA_COST, "extraCost", "Zusatzkosten"))
LOADERS = {EntryKind.FEE_GROUP: catalogue.list_fee_groups, EntryKind.DISCOUNT: catalogue.list_discounts,
           EntryKind.EXTRA_COST: catalogue.list_extra_costs}


class CataloguePage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.ui = Ui_CataloguePage()
        self.ui.setupUi(self)
        self._amounts: dict[int, str] = {}
        self.lists: dict[str, FilterableList] = {}
        self.new_buttons: dict[str, QPushButton] = {}
        for kind, prefix, noun in TABS:
            view = FilterableList(RowTableModel(_columns(kind, lambda r: self._amounts.get(r.id, r.current))), self,
                                  placeholder="Suchen nach Name, Art, Betrag …")
            new_button = QPushButton("&Neu", self)
            new_button.setToolTip(f"{noun} neu erfassen (Strg+N)")
            edit_button = QPushButton("Bearbeiten", self)
            edit_button.setToolTip(f"Markierte {noun} bearbeiten (Eingabetaste, Doppelklick)")
            view.toolbar.addWidget(new_button)
            view.toolbar.addWidget(edit_button)
            getattr(self.ui, f"{prefix}Layout").addWidget(view)
            new_button.clicked.connect(lambda _c=False, k=kind: self.open_dialog(k, None))
            edit_button.clicked.connect(lambda _c=False, k=kind, v=view: self.open_dialog(k, v.current_row()))
            view.activated.connect(lambda row, k=kind: self.open_dialog(k, row))
            self.lists[kind] = view
            self.new_buttons[kind] = new_button
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.open_dialog(self.current_kind(), None))
        self.ui.facilitySettingsButton.clicked.connect(self.open_facility_settings)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        self.dialog: FormDialog | None = None
        self.reload()

    # data ---------------------------------------------------------------------------------------
    def current_kind(self) -> str:
        return TABS[self.ui.tabs.currentIndex()][0]

    def reload(self, kinds: tuple[str, ...] = (EntryKind.FEE_GROUP, EntryKind.DISCOUNT, EntryKind.EXTRA_COST)) -> None:
        org = self.context.organization
        if EntryKind.FEE_GROUP in kinds:
            self._amounts = self._current_amounts() if org else {}
        for kind in kinds:
            self.lists[kind].set_rows(LOADERS[kind](self.context.db, org.id, today=self.today()) if org else [])
        if len(kinds) == 3:
            self._reload_facilities()

    def _current_amounts(self) -> dict[int, str]:
        """Fee group id → the amounts of today's version ("126,00" or "28,00 – 162,00")."""
        month, country = Month.of(self.today()), Country(self.context.country)
        texts = {}
        for group_id, group in catalogue.load_catalogue(self.context.db, self.context.organization_id).fee_groups.items():
            version = group.version_for(month)
            amounts = sorted((t.amount for t in version.tiers if t.amount is not None),
                             key=lambda a: a.minor) if version else []
            if not amounts:
                texts[group_id] = "je Kind" if version and group.mode is BillingMode.INDIVIDUAL else ""
                continue
            low, high = format_money(amounts[0], country), format_money(amounts[-1], country)
            texts[group_id] = low if low == high else f"{low} – {high}"
        return texts

    def _reload_facilities(self) -> None:
        combo = self.ui.facilityCombo
        current = combo.currentData()
        combo.clear()
        org = self.context.organization
        units = organizations.list_units(self.context.db, org.id, UnitKind.FACILITY.value) if org else []
        for unit in units:
            combo.addItem(unit.name, unit.id)
        if not units:
            combo.addItem("– keine Einrichtung –", None)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.setEnabled(bool(units))
        self.ui.facilitySettingsButton.setEnabled(bool(units))
        self.ui.facilitySettingsButton.setToolTip(
            "" if units else "Zuerst unter „Einheiten“ eine Einrichtung (Kita) erfassen.")

    def _data_changed(self, table: str) -> None:
        if table == "unit":
            self._reload_facilities()

    # dialogs ------------------------------------------------------------------------------------
    def open_dialog(self, kind: str, row: CatalogueRow | None) -> FormDialog | None:
        org = self.context.organization
        if org is None:
            return None
        from sollhaben.ui.kita.catalogue_discount import DiscountDialog
        from sollhaben.ui.kita.catalogue_extra_cost import ExtraCostDialog
        from sollhaben.ui.kita.catalogue_fee_group import FeeGroupDialog

        db, common = self.context.db, (self.context.db, org.id, org.currency, self.context.country)
        if kind == EntryKind.FEE_GROUP:
            dialog = FeeGroupDialog(*common, catalogue.get_fee_group(db, row.id) if row else None, self,
                                    today=self.today)
        elif kind == EntryKind.DISCOUNT:
            dialog = DiscountDialog(*common, catalogue.get_discount(db, row.id) if row else None, self,
                                    today=self.today)
        else:
            dialog = ExtraCostDialog(*common, catalogue.get_extra_cost(db, row.id) if row else None,
                                     row.code if row else "", self, today=self.today)
        dialog.saved.connect(lambda dto, k=kind: self._saved(k, dto))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, kind: str, dto) -> None:
        entry = {EntryKind.FEE_GROUP: "group", EntryKind.DISCOUNT: "discount",
                 EntryKind.EXTRA_COST: "extra_cost"}[kind]
        entry_id = getattr(dto, entry).id
        self.reload((kind,))
        self.ui.tabs.setCurrentIndex([k for k, _p, _n in TABS].index(kind))
        self.lists[kind].select(lambda r: r.id == entry_id)
        self.context.signals.data_changed.emit("kita_catalogue")

    def open_facility_settings(self) -> FormDialog | None:
        facility_id = self.ui.facilityCombo.currentData()
        if facility_id is None or self.context.organization is None:
            return None
        from sollhaben.ui.kita.facility_settings import FacilitySettingsDialog

        dialog = FacilitySettingsDialog(self.context.db, self.context.organization_id, facility_id,
                                        self.ui.facilityCombo.currentText(), self)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog
