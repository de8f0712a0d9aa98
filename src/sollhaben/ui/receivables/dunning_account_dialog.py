"""„Mahnwesen des Kontos“: one account's reminder history (its letters and hand-overs), the items of the
selected letter with the history of the selected item, and the account's blocks with „Mahnsperre …“
and „Aufheben …“. Opened from the dunning page (double-click on an account); any page that knows an
account (the Debitoren page) can open it: `DunningAccountDialog(context, account_id, label, parent)`."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.services.receivables import blocks, dunning_history
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.dunning_block_dialog import BlockDialog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


class DunningAccountDialog(QDialog):
    def __init__(self, context: AppContext, account_id: int, label: str, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self.account_id, self.today = context, account_id, today or date.today()
        self.dialog = None
        self.setWindowTitle(f"Mahnwesen – {label}")
        self.resize(1000, 640)
        title = QLabel(label, self)
        title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.notices = FilterableList(RowTableModel((
            Column("Stichtag", lambda r: r.run_date, width=85),
            Column("Art", lambda r: r.kind_label, width=75),
            Column("Stufe", lambda r: r.level_name, width=125),
            Column("Posten", lambda r: r.items, ALIGN_RIGHT, width=50),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, width=90),
            Column("Frist", lambda r: r.payment_due, stretch=True),
        )), self, placeholder="Mahnhistorie …")
        self.items = FilterableList(RowTableModel((
            Column("Posten", lambda r: r[1], width=220),
            Column("Fällig", lambda r: r[2], width=85),
            Column("Stufe", lambda r: r[3], ALIGN_RIGHT, width=45),
            Column("Offen damals", lambda r: r[4], ALIGN_RIGHT, stretch=True),
        )), self, placeholder="Posten des Briefs …")
        self.item_history = FilterableList(RowTableModel((
            Column("Stichtag", lambda r: r.run_date, width=85),
            Column("Art", lambda r: "Übergabe" if r.kind == "HANDOVER" else "Mahnbrief", width=75),
            Column("Stufe", lambda r: f"{r.level} – {r.level_name}", width=150),
            Column("Offen damals", lambda r: r.open_amount, ALIGN_RIGHT, stretch=True),
        )), self, placeholder="Verlauf des Postens …")
        self.blocks = FilterableList(RowTableModel((
            Column("Gesperrt", lambda r: r.item_text or "ganzes Konto", width=240),
            Column("Grund", lambda r: r.reason, width=220),
            Column("Gültig bis", lambda r: r.valid_until, width=85),
            Column("Aufgehoben", lambda r: f"{r.lifted_at.astimezone():%d.%m.%Y} {r.lift_reason}" if r.lifted_at
                   else "", stretch=True),
        ), foreground=lambda r: None if r.active_on(self.today) else Qt.GlobalColor.gray), self,
            placeholder="Mahnsperren …")
        self.new_block_button = QPushButton("Mahnsperre …", self, objectName="newBlock")
        self.lift_button = QPushButton("Aufheben …", self, objectName="liftBlock")
        self.blocks.toolbar.addWidget(self.new_block_button)
        self.blocks.toolbar.addWidget(self.lift_button)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.items)
        right.addWidget(self.item_history)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.notices)
        top.addWidget(right)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(self.blocks)
        split.setSizes([400, 200])
        close = QPushButton("Schliessen", self)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self.notices.current_changed.connect(self._notice_changed)
        self.items.current_changed.connect(self._item_changed)
        self.new_block_button.clicked.connect(self.new_block)
        self.lift_button.clicked.connect(self.lift)
        close.clicked.connect(self.accept)
        self.reload()

    def reload(self) -> None:
        self.notices.set_rows(dunning_history.account_history(self.context.db, self.account_id))
        rows = self.notices.model.rows()
        if rows:
            latest = max(rows, key=lambda r: (r.run_date, r.id))
            self.notices.select(lambda r: r is latest)
        self._notice_changed(self.notices.current_row())
        self.blocks.set_rows(blocks.list_blocks(self.context.db, self.account_id))

    def _notice_changed(self, notice) -> None:
        self.items.set_rows(dunning_history.items_of_notice(self.context.db, notice.id) if notice else [])
        self.items.select(lambda r: True)
        self._item_changed(self.items.current_row())

    def _item_changed(self, item) -> None:
        self.item_history.set_rows(dunning_history.item_history(self.context.db, item[0]) if item else [])

    def new_block(self) -> BlockDialog:
        self.dialog = BlockDialog(self.context, self.account_id, None, self)
        self.dialog.blocked.connect(lambda _id: self.reload())
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
        return self.dialog

    def ask_reason(self) -> tuple[str, bool]:
        """The reason for lifting (tests replace this)."""
        return QInputDialog.getText(self, "Mahnsperre aufheben", "Grund der Aufhebung:")

    def lift(self) -> None:
        row = self.blocks.current_row()
        if row is None or row.lifted_at is not None:
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
        self.reload()
