"""The tab „Mahnsperren“ of the dunning page: the organization's blocks (active only or all), new block,
lift with a reason."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QInputDialog, QMessageBox, QPushButton, QVBoxLayout, QWidget

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.services.receivables import blocks
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.dunning_block_dialog import BlockDialog
from sollhaben.ui.table_model import Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


def _stamp(moment) -> str:
    return moment.astimezone().strftime("%d.%m.%Y %H:%M") if moment else ""


class BlocksTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self._today = context, today
        self.dialog = None
        self.list = FilterableList(RowTableModel((
            Column("Konto", lambda r: r.account_label, width=220),
            Column("Gesperrt", lambda r: r.item_text or "ganzes Konto", width=260),
            Column("Grund", lambda r: r.reason, width=220),
            Column("Gültig bis", lambda r: r.valid_until, width=85),
            Column("Angelegt", lambda r: f"{_stamp(r.created_at)} {r.created_by}", width=230),
            Column("Aufgehoben", lambda r: f"{_stamp(r.lifted_at)} {r.lifted_by} {r.lift_reason}".strip()
                   if r.lifted_at else "", stretch=True),
        ), foreground=lambda r: None if r.active_on(self.today) else Qt.GlobalColor.gray), self,
            placeholder="Sperren durchsuchen …")
        self.only_active = QCheckBox("nur aktive", self, objectName="onlyActive")
        self.only_active.setChecked(True)
        self.new_button = QPushButton("Neue Mahnsperre …", self, objectName="newBlock")
        self.lift_button = QPushButton("Aufheben …", self, objectName="liftBlock")
        for widget in (self.only_active, self.new_button, self.lift_button):
            self.list.toolbar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.only_active.toggled.connect(lambda _on: self.reload())
        self.new_button.clicked.connect(lambda: self.new_block())
        self.lift_button.clicked.connect(self.lift)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def reload(self) -> None:
        if self.context.organization is None:
            return
        self.list.set_rows(blocks.list_organization_blocks(
            self.context.db, self.context.organization_id, self.today if self.only_active.isChecked() else None))

    def new_block(self, account_id: int | None = None, item_id: int | None = None) -> BlockDialog:
        self.dialog = BlockDialog(self.context, account_id, item_id, self)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
        return self.dialog

    def ask_reason(self) -> tuple[str, bool]:
        """The reason for lifting (tests replace this)."""
        return QInputDialog.getText(self, "Mahnsperre aufheben", "Grund der Aufhebung:")

    def lift(self) -> None:
        row = self.list.current_row()
        if row is None:
            return
        if row.lifted_at is not None:
            QMessageBox.information(self, "Mahnsperre", "Diese Sperre ist bereits aufgehoben.")
            return
        reason, ok = self.ask_reason()
        if not ok:
            return
        try:
            blocks.lift_block(self.context.db, row.id, reason=reason)
        except (ValidationError, NotFoundError) as exc:
            QMessageBox.warning(self, "Mahnsperre", str(exc))
            return
        self.context.signals.data_changed.emit("dunning_block")
