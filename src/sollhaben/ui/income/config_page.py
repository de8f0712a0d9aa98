"""The page „Staffeltabelle“: the settings of the income-scale calculation (Staffelberechnung).

Two sections: the income item types of the base table (Grundtabelle der Einkommenspositionen) in the
order the person layers list them — Neu …, Bearbeiten …, Löschen, ▲/▼ — and the versions of the scale
by „Gültig ab“ with thresholds, brackets, highest tier and exemption default — Neu … (filled from the
latest version), Bearbeiten …, Löschen. The dialogs are in `item_type_dialog` and `scale_version_dialog`."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.formatting import Country, format_money
from sollhaben.domain.income.model import IncomeScaleVersion, ItemSign
from sollhaben.domain.money import Money
from sollhaben.services.income import configuration
from sollhaben.services.income.dto import IncomeConfigDTO, ItemTypeDTO, ScaleVersionDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import NoticeBar, ask
from sollhaben.ui.form_dialog import FormDialog
from sollhaben.ui.income.item_type_dialog import ItemTypeDialog
from sollhaben.ui.income.scale_version_dialog import ScaleVersionDialog
from sollhaben.ui.kita.catalogue_input import format_percent
from sollhaben.ui.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

TITLE = "Staffeltabelle"
SIGN_TEXTS = {ItemSign.PLUS: "+ Einkommen", ItemSign.MINUS: "− Abzug"}


def _money(amount: Money | None, country: str) -> str:
    return "" if amount is None else format_money(amount, Country(country))


def thresholds_text(scale: IncomeScaleVersion, country: str) -> str:
    """"2–4: 1.800,00 – 2.400,00, je weitere +300,00"."""
    rows = sorted(scale.thresholds, key=lambda t: t.household_size)
    if not rows:
        return "–"
    sizes = f"{rows[0].household_size}–{rows[-1].household_size}" if len(rows) > 1 else str(rows[0].household_size)
    low, high = _money(rows[0].amount, country), _money(rows[-1].amount, country)
    amounts = low if low == high else f"{low} – {high}"
    return f"{sizes}: {amounts}, je weitere +{_money(scale.increment_per_person, country)}"


def brackets_text(scale: IncomeScaleVersion, country: str) -> str:
    """"1–5 (bis 1.000,00)"."""
    rows = sorted(scale.brackets, key=lambda b: b.up_to.minor)
    if not rows:
        return "–"
    tiers = f"{rows[0].tier}–{rows[-1].tier}" if len(rows) > 1 else str(rows[0].tier)
    return f"{tiers} (bis {_money(rows[-1].up_to, country)})"


def exemption_text(scale: IncomeScaleVersion, country: str) -> str:
    """"5 % + 50,00", "5 %", "50,00", "keine"."""
    parts = []
    if scale.exemption_percent:
        parts.append(f"{format_percent(scale.exemption_percent)} %")
    if scale.exemption_fixed is not None and scale.exemption_fixed.minor:
        parts.append(_money(scale.exemption_fixed, country))
    return " + ".join(parts) or "keine"


def details_text(scale: IncomeScaleVersion, country: str, currency: str) -> str:
    """Both tables of a version in two lines (below the list)."""
    limits = " · ".join(f"{t.household_size} → {_money(t.amount, country)}"
                        for t in sorted(scale.thresholds, key=lambda t: t.household_size))
    increment = f"je weitere Person + {_money(scale.increment_per_person, country)}"
    brackets = " · ".join(f"≤ {_money(b.up_to, country)} → {b.tier}"
                          for b in sorted(scale.brackets, key=lambda b: b.up_to.minor))
    return (f"<b>Einkommensgrenzen ({currency} im Monat):</b> {limits or '–'} · {increment}<br>"
            f"<b>Staffeln:</b> {brackets or '–'} · darüber → {scale.highest_tier}")


def _type_columns() -> tuple[Column, ...]:
    return (
        Column("Bezeichnung", lambda r: r.item_type.label, stretch=True),
        Column("Vorzeichen", lambda r: SIGN_TEXTS[r.item_type.sign], width=120),
        Column("Gültig ab", lambda r: str(r.item_type.valid.valid_from) if r.item_type.valid else "", width=90,
               tooltip="Leer: in allen Monaten angeboten"),
        Column("Gültig bis", lambda r: str(r.item_type.valid.valid_to) if r.item_type.valid
               and r.item_type.valid.valid_to else "", width=90),
        Column("in Gebrauch", lambda r: r.in_use or "", align=ALIGN_RIGHT, width=95,
               tooltip="So oft ist die Position in Staffelberechnungen erfasst; dann kann sie nicht gelöscht werden"),
    )


def _version_columns(country: str) -> tuple[Column, ...]:
    return (
        Column("Gültig ab", lambda r: str(r.scale.valid.valid_from), sort_key=lambda r: r.scale.valid.valid_from.index,
               width=85),
        Column("Gültig bis", lambda r: str(r.scale.valid.valid_to) if r.scale.valid.valid_to else "offen",
               sort_key=lambda r: r.scale.valid.valid_to.index if r.scale.valid.valid_to else 10 ** 6, width=85),
        Column("Haushaltsgrößen", lambda r: thresholds_text(r.scale, country), stretch=True,
               tooltip="Haushaltsgrößen der Tabelle: Einkommensgrenzen im Monat, Zuschlag je weitere Person"),
        Column("Staffeln", lambda r: brackets_text(r.scale, country), width=150,
               tooltip="Staffeln der Tabelle und der höchste „Betrag bis“"),
        Column("Höchste Staffel", lambda r: r.scale.highest_tier, align=ALIGN_CENTER, width=110),
        Column("Befreiung", lambda r: exemption_text(r.scale, country), align=ALIGN_RIGHT, width=110,
               tooltip="Vorgabe des Befreiungsbetrags: Prozent vom Monatseinkommen + fester Betrag"),
        Column("in Gebrauch", lambda r: r.assessments or "", align=ALIGN_RIGHT, width=95,
               tooltip="Staffelberechnungen, die in den Monaten dieser Version beginnen"),
    )


class IncomeConfigPage(QWidget):
    """The settings of the income-scale calculation for the context's organization."""

    title = TITLE

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.setObjectName("IncomeConfigPage")
        self.config: IncomeConfigDTO | None = None
        self.dialog: FormDialog | None = None
        heading = QLabel(f"{TITLE} – Einstellungen der Staffelberechnung", self)
        heading.setObjectName("headingLabel")
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        notice_frame = QFrame(self)
        notice_frame.setObjectName("noticeFrame")
        notice_label = QLabel(notice_frame)
        notice_label.setObjectName("noticeLabel")
        notice_label.setWordWrap(True)
        notice_actions = QHBoxLayout()
        notice_layout = QHBoxLayout(notice_frame)
        notice_layout.addWidget(notice_label, 1)
        notice_layout.addLayout(notice_actions)
        self.notice = NoticeBar(notice_frame, notice_label, notice_actions)

        self.types_box, self.types = self._section(
            "Einkommens&positionen (Grundtabelle)", "typesBox", RowTableModel(_type_columns()),
            "Alle Positionen stehen in dieser Reihenfolge bei jeder Person einer Staffelberechnung.")
        self.types.table.setSortingEnabled(False)  # the order is the order of the layers
        self.new_type_button = self._button(self.types, "&Neu …", "Neue Einkommensposition anlegen")
        self.edit_type_button = self._button(self.types, "&Bearbeiten …",
                                             "Markierte Position bearbeiten (Eingabetaste, Doppelklick)")
        self.delete_type_button = self._button(self.types, "&Löschen",
                                               "Markierte Position löschen (Entf); nicht, solange sie erfasst ist")
        self.up_button = self._button(self.types, "▲", "Markierte Position nach oben (Strg+↑)")
        self.down_button = self._button(self.types, "▼", "Markierte Position nach unten (Strg+↓)")
        for button in (self.up_button, self.down_button):
            button.setFixedWidth(36)
        self.types.toolbar.addStretch(1)

        self.versions_box, self.versions = self._section(
            "Staffeltabelle (&Versionen)", "versionsBox", RowTableModel(_version_columns(context.country)),
            "Jede Staffelberechnung rechnet mit der Version, in der ihr „Gültig ab“ liegt.")
        self.new_version_button = self._button(self.versions, "Ne&u …",
                                               "Neue Version anlegen, gefüllt mit den Werten der letzten Version")
        self.edit_version_button = self._button(self.versions, "Bearbei&ten …",
                                                "Markierte Version bearbeiten (Eingabetaste, Doppelklick)")
        self.delete_version_button = self._button(
            self.versions, "Lösc&hen", "Markierte Version löschen (Entf); nicht, solange Staffelberechnungen in "
                                       "ihr beginnen")
        self.versions.toolbar.addStretch(1)
        self.details = QLabel(self.versions_box)
        self.details.setObjectName("detailsLabel")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.versions_box.layout().addWidget(self.details)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("splitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.types_box)
        splitter.addWidget(self.versions_box)
        splitter.setSizes([330, 330])
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(notice_frame)
        layout.addWidget(splitter, 1)

        self.new_type_button.clicked.connect(lambda: self.open_type_dialog(None))
        self.edit_type_button.clicked.connect(lambda: self.open_type_dialog(self.types.current_row()))
        self.types.activated.connect(self.open_type_dialog)
        self.delete_type_button.clicked.connect(self.delete_type)
        self.up_button.clicked.connect(lambda: self.move_type(-1))
        self.down_button.clicked.connect(lambda: self.move_type(1))
        self.types.current_changed.connect(lambda _row: self._update_buttons())
        self.new_version_button.clicked.connect(lambda: self.open_version_dialog(None))
        self.edit_version_button.clicked.connect(lambda: self.open_version_dialog(self.versions.current_row()))
        self.versions.activated.connect(self.open_version_dialog)
        self.delete_version_button.clicked.connect(self.delete_version)
        self.versions.current_changed.connect(lambda _row: self._update_buttons())
        for keys, section, slot in (("Ctrl+Up", self.types_box, lambda: self.move_type(-1)),
                                    ("Ctrl+Down", self.types_box, lambda: self.move_type(1)),
                                    ("Del", self.types_box, self.delete_type),
                                    ("Del", self.versions_box, self.delete_version)):
            shortcut = QShortcut(QKeySequence(keys), section)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        chain = (self.types.table, self.new_type_button, self.edit_type_button, self.delete_type_button,
                 self.up_button, self.down_button, self.versions.table, self.new_version_button,
                 self.edit_version_button, self.delete_version_button)
        for first, second in zip(chain, chain[1:]):
            self.setTabOrder(first, second)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        self.reload()

    # building ---------------------------------------------------------------------------------------
    def _section(self, title: str, name: str, model: RowTableModel, hint: str) -> tuple[QGroupBox, FilterableList]:
        box = QGroupBox(title, self)
        box.setObjectName(name)
        view = FilterableList(model, box)
        view.search.hide()  # a handful of rows: no search
        view.count_label.hide()
        hint_label = QLabel(hint, box)
        hint_label.setWordWrap(True)
        hint_label.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(box)
        layout.addWidget(view, 1)
        layout.addWidget(hint_label)
        return box, view

    def _button(self, view: FilterableList, text: str, tooltip: str) -> QPushButton:
        button = QPushButton(text, view)
        button.setToolTip(tooltip)
        view.toolbar.addWidget(button)
        return button

    # data -------------------------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.context.organization.currency

    def reload(self) -> None:
        org = self.context.organization
        self.config = configuration.get_configuration(self.context.db, org.id) if org else None
        type_id, version_id = self._current_ids()
        self.types.set_rows(self.config.item_types if self.config else [])
        self.versions.model.columns = list(_version_columns(self.context.country))
        self.versions.set_rows(self.config.versions if self.config else [])
        if type_id is not None:
            self.types.select(lambda r: r.item_type.id == type_id)
        if version_id is not None:
            self.versions.select(lambda r: r.scale.id == version_id)
        elif self.config and self.config.versions:  # show the details of the latest version
            latest = self.config.versions[-1].scale.id
            self.versions.select(lambda r: r.scale.id == latest)
        self.new_type_button.setEnabled(org is not None)
        self.new_version_button.setEnabled(org is not None)
        self._update_buttons()

    def _current_ids(self) -> tuple[int | None, int | None]:
        type_row, version_row = self.types.current_row(), self.versions.current_row()
        return (type_row.item_type.id if type_row else None, version_row.scale.id if version_row else None)

    def _update_buttons(self) -> None:
        row = self.types.current_row()
        rows = self.types.model.rows()
        index = next((i for i, r in enumerate(rows) if row is not None and r.item_type.id == row.item_type.id), -1)
        for button in (self.edit_type_button, self.delete_type_button):
            button.setEnabled(row is not None)
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(0 <= index < len(rows) - 1)
        version = self.versions.current_row()
        for button in (self.edit_version_button, self.delete_version_button):
            button.setEnabled(version is not None)
        self.details.setText(details_text(version.scale, self.context.country, self.currency) if version else "")
        self.details.setVisible(version is not None)

    # item types -------------------------------------------------------------------------------------
    def open_type_dialog(self, row: ItemTypeDTO | None) -> ItemTypeDialog | None:
        if self.context.organization is None:
            return None
        types = self.config.item_types if self.config else ()
        position = max((t.item_type.position for t in types), default=0) + 1
        return self._open(ItemTypeDialog(self.context.db, self.context.organization_id, row, position, self),
                          self._type_saved)

    def _open(self, dialog, on_saved):
        """A dialog of the page: modal over it, deleted when closed; `on_saved` after each save."""
        dialog.saved.connect(on_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        self.notice.clear()
        dialog.open()
        return dialog

    def _type_saved(self, dto: ItemTypeDTO) -> None:
        self.reload()
        self.types.select(lambda r: r.item_type.id == dto.item_type.id)
        self.context.signals.data_changed.emit("income_item_type")

    def delete_type(self) -> bool:
        row = self.types.current_row()
        return row is not None and self._delete(
            lambda dto: dto.item_types, lambda t: t.item_type.id == row.item_type.id, lambda t: t.in_use,
            "Einkommensposition löschen", lambda t: f"Die Einkommensposition „{t.item_type.label}“ löschen?",
            lambda t: configuration.delete_item_type(self.context.db, self.context.organization_id,
                                                     t.item_type.id, t.version), "income_item_type")

    def _delete(self, rows_of, is_it, in_use, title: str, question, delete, table: str) -> bool:
        """Delete a type or a version as stored now: asked first unless in use — then the service
        refuses and its message says why."""
        self.notice.clear()
        fresh = next((r for r in rows_of(configuration.get_configuration(
            self.context.db, self.context.organization_id)) if is_it(r)), None)
        if fresh is None:
            self.reload()
            return False
        if not in_use(fresh) and ask(self, title, question(fresh), ["Löschen", "Abbrechen"]) != "Löschen":
            return False
        try:
            delete(fresh)
        except (ValidationError, ConflictError, NotFoundError) as exc:
            self.notice.show(str(exc), "error")
            self.reload()
            return False
        self.reload()
        self.context.signals.data_changed.emit(table)
        return True

    def move_type(self, delta: int) -> bool:
        """Move the marked type up (-1) or down (+1) and store the positions 1, 2, 3 … of all types."""
        row = self.types.current_row()
        if row is None or self.config is None:
            return False
        order = list(self.config.item_types)
        index = next(i for i, t in enumerate(order) if t.item_type.id == row.item_type.id)
        target = index + delta
        if not 0 <= target < len(order):
            return False
        self.notice.clear()
        order[index], order[target] = order[target], order[index]
        try:
            for position, dto in enumerate(order, start=1):
                if dto.item_type.position != position:
                    configuration.save_item_type(self.context.db, self.context.organization_id,
                                                 replace(dto.item_type, position=position), dto.version)
        except (ValidationError, ConflictError, NotFoundError) as exc:
            self.notice.show(f"Reihenfolge nicht vollständig gespeichert: {exc}", "error")
            self.reload()
            return False
        self.reload()
        self.types.select(lambda r: r.item_type.id == row.item_type.id)
        self.types.table.setFocus()
        self.context.signals.data_changed.emit("income_item_type")
        return True

    # versions ---------------------------------------------------------------------------------------
    def latest_version(self) -> IncomeScaleVersion | None:
        versions = self.config.versions if self.config else ()
        return max((v.scale for v in versions), key=lambda s: s.valid.valid_from.index, default=None)

    def open_version_dialog(self, row: ScaleVersionDTO | None) -> ScaleVersionDialog | None:
        org = self.context.organization
        if org is None:
            return None
        return self._open(ScaleVersionDialog(self.context.db, org.id, org.currency, self.context.country, row,
                                             None if row else self.latest_version(), self, today=self.today),
                          self._version_saved)

    def _version_saved(self, dto: ScaleVersionDTO) -> None:
        self.reload()
        self.versions.select(lambda r: r.scale.id == dto.scale.id)
        self.context.signals.data_changed.emit("income_scale_version")

    def delete_version(self) -> bool:
        row = self.versions.current_row()
        return row is not None and self._delete(
            lambda dto: dto.versions, lambda v: v.scale.id == row.scale.id, lambda v: v.assessments,
            "Staffeltabelle löschen", lambda v: f"Die Version ab {v.scale.valid.valid_from} ({v.scale.valid}) löschen?",
            lambda v: configuration.delete_version(self.context.db, self.context.organization_id, v.scale.id,
                                                   v.version), "income_scale_version")
