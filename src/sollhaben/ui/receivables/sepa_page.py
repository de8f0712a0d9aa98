"""The page „Lastschriften“ (SEPA direct debit, DE): mandates with their editor, collection runs
with their items, „Einzug vorbereiten …“ and „Rücklastschrift …“."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFileDialog, QLabel, QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from sollhaben.domain.formatting import format_money
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import sepa_collections, sepa_mandates
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_COLOR
from sollhaben.ui.receivables.sepa_mandate_dialog import MandateDialog, RevokeDialog
from sollhaben.ui.receivables.sepa_return_dialog import ReturnDebitDialog
from sollhaben.ui.receivables.sepa_run_dialog import CollectionRunDialog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

_MUTED = {"EXPIRED": QColor(ERROR_COLOR), "REVOKED": QColor("#777777")}


def _button(text: str, name: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    return button


class SepaPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self._today = context, today
        self.dialog = None  # the open editor or run dialog (tests look at it)
        money = lambda m: format_money(m, "DE")  # noqa: E731
        heading = QLabel("Lastschriften", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.notice = QLabel("SEPA-Lastschriften gibt es nur für Organisationen in Deutschland.", self)
        self.tabs = QTabWidget(self)
        self.mandates = FilterableList(RowTableModel((
            Column("Zahler/in", lambda r: r.payer_name, width=180),
            Column("Mandatsreferenz", lambda r: r.reference, width=140),
            Column("Unterschrieben", lambda r: r.signed_on, sort_key=lambda r: r.signed_on.toordinal(), width=100),
            Column("IBAN", lambda r: format_iban(r.iban), width=210),
            Column("Status", lambda r: r.status_label, width=90),
            Column("Seq.", lambda r: r.sequence_type, width=50),
            Column("Letzter Einzug", lambda r: r.last_used_on, width=100),
            Column("Läuft ab", lambda r: r.expires_on if r.status == "VALID" else None, width=90),
            Column("Widerrufen", lambda r: r.revoked_on, stretch=True),
        ), foreground=lambda r: _MUTED.get(r.status)), self, placeholder="Suchen nach Name, Referenz, IBAN …")
        self.new_button = _button("Neues Mandat …", "newMandate", self)
        self.edit_button = _button("Bearbeiten …", "editMandate", self)
        self.revoke_button = _button("Widerrufen …", "revokeMandate", self)
        for button in (self.new_button, self.edit_button, self.revoke_button):
            self.mandates.toolbar.addWidget(button)
        self.tabs.addTab(self.mandates, "Mandate")
        self.collections = FilterableList(RowTableModel((
            Column("Fälligkeit", lambda r: r.due_date, sort_key=lambda r: r.due_date.toordinal(), width=90),
            Column("Erstellt", lambda r: r.created_at.astimezone().strftime("%d.%m.%Y %H:%M"), width=120,
                   sort_key=lambda r: r.created_at.timestamp()),
            Column("Lastschriften", lambda r: r.count, ALIGN_RIGHT, width=90),
            Column("Summe", lambda r: r.total, ALIGN_RIGHT, formatter=money, width=110),
            Column("Rückl.", lambda r: r.returned or "", ALIGN_RIGHT, width=55),
            Column("Format", lambda r: f"pain.008.001.{r.pain_version}", width=120),
            Column("Nachricht", lambda r: r.message_id, width=190),
            Column("Datei", lambda r: Path(r.file_name).name if r.file_name else "", stretch=True),
        )), self, placeholder="Einzüge durchsuchen …")
        self.run_button = _button("Einzug vorbereiten …", "prepareRun", self)
        self.save_button = _button("Datei speichern …", "saveFile", self)
        self.collections.toolbar.addWidget(self.run_button)
        self.collections.toolbar.addWidget(self.save_button)
        self.items = FilterableList(RowTableModel((
            Column("Zahler/in", lambda r: r.holder_name, width=180),
            Column("Konto", lambda r: r.account_number, width=80),
            Column("Mandat", lambda r: r.mandate_reference, width=130),
            Column("Seq.", lambda r: r.sequence_type, width=50),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=100),
            Column("Ende-zu-Ende-ID", lambda r: r.end_to_end_id, width=130),
            Column("Rücklastschrift", lambda r: (f"{r.returned_on:%d.%m.%Y} {r.reason_code}"
                                                  + (f", Gebühr {money(r.fee)}" if r.fee else ""))
                   if r.returned_on else "", stretch=True),
        ), foreground=lambda r: QColor(ERROR_COLOR) if r.returned_on else None), self,
            placeholder="Lastschriften des Einzugs durchsuchen …")
        self.return_button = _button("Rücklastschrift …", "returnDebit", self)
        self.items.toolbar.addWidget(self.return_button)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.collections)
        split.addWidget(self.items)
        split.setSizes([260, 340])
        self.tabs.addTab(split, "Einzüge")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.new_button.clicked.connect(lambda: self.edit_mandate(None))
        self.edit_button.clicked.connect(self._edit_current)
        self.mandates.activated.connect(self.edit_mandate)
        self.revoke_button.clicked.connect(self.revoke_mandate)
        self.run_button.clicked.connect(self.prepare_run)
        self.save_button.clicked.connect(self.save_file)
        self.return_button.clicked.connect(self.return_debit)
        self.collections.current_changed.connect(self._collection_changed)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        if context.organization is not None:
            self.reload()

    @property
    def today(self) -> date:
        return self._today or date.today()

    # loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        german = self.context.country == "DE"
        self.notice.setVisible(not german)
        self.tabs.setVisible(german)
        if not german:
            return
        self.mandates.set_rows(sepa_mandates.list_mandates(self.context.db, self.context.organization_id, self.today))
        self._reload_collections()

    def _reload_collections(self) -> None:
        current = self.collections.current_row()
        self.collections.set_rows(sepa_collections.list_collections(self.context.db, self.context.organization_id))
        if current is None or not self.collections.select(lambda r: r.id == current.id):
            self.collections.select(lambda r: True)
        self._collection_changed(self.collections.current_row())

    def _data_changed(self, table: str) -> None:
        if table in ("sepa_mandate", "person"):
            self.mandates.set_rows(sepa_mandates.list_mandates(self.context.db, self.context.organization_id,
                                                               self.today))
        if table in ("sepa_collection", "sepa_mandate"):
            self._reload_collections()

    def _collection_changed(self, row) -> None:
        self.items.set_rows(sepa_collections.collection_items(self.context.db, row.id) if row else [])

    # mandates ---------------------------------------------------------------------------
    def edit_mandate(self, row) -> None:
        payers = sepa_mandates.payer_choices(self.context.db, self.context.organization_id)
        self._open(MandateDialog(self.context, payers, row, self, today=self.today))

    def _edit_current(self) -> None:
        row = self.mandates.current_row()
        if row is not None:  # nothing chosen: „Neues Mandat …“ is the button for a new one
            self.edit_mandate(row)

    def revoke_mandate(self) -> None:
        row = self.mandates.current_row()
        if row is None:
            return
        if row.revoked_on is not None:
            QMessageBox.information(self, "Widerrufen", f"Das Mandat ist seit {row.revoked_on:%d.%m.%Y} widerrufen.")
            return
        self._open(RevokeDialog(self.context, row, self, today=self.today))

    # collections ------------------------------------------------------------------------
    def prepare_run(self) -> None:
        self._open(CollectionRunDialog(self.context, self, today=self.today))

    def choose_path(self, suggested: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, "Lastschriftdatei speichern", str(Path(folder) / suggested),
                                                    "SEPA-XML (*.xml)")
        return path

    def save_file(self) -> None:
        row = self.collections.current_row()
        if row is None:
            return
        path = self.choose_path(Path(row.file_name).name if row.file_name else f"SEPA-Lastschrift_{row.due_date}.xml")
        if not path:
            return
        try:
            sepa_collections.save_collection_file(self.context.db, row.id, path)
        except OSError as exc:
            QMessageBox.warning(self, "Datei", f"Die Datei konnte nicht geschrieben werden: {exc.strerror or exc}")

    def return_debit(self) -> None:
        item = self.items.current_row()
        if item is None:
            return
        if item.returned_on is not None:
            QMessageBox.information(self, "Rücklastschrift",
                                    f"Diese Lastschrift ist am {item.returned_on:%d.%m.%Y} bereits zurückgekommen.")
            return
        self._open(ReturnDebitDialog(self.context, item, self, today=self.today))

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
