"""The Debitoren page's dunning actions for the chosen account: „Mahnhistorie / Mahnsperren …“ (the
account's reminder letters, hand-overs and blocks: `DunningAccountDialog`) and „Mahnsperre …“
(`BlockDialog`, for the whole account or — from the statement's context menu — the chosen item).

Installed by the page with one call (`DunningActions(page)`), like the booking and agreement actions.
The two actions sit in one menu button „Mahnwesen ▾“: the page's button bar already carries five
buttons and must still fit a 1280-pixel window."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMenu, QToolButton, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.ui.table_model import ROW_ROLE


class DunningActions(QObject):
    def __init__(self, page: QWidget, today: Callable[[], date] = date.today) -> None:
        super().__init__(page)
        self.page, self.today = page, today
        self.dialog: QDialog | None = None  # the dialog open now (tests look at it)
        bar = getattr(page, "actions_bar", None)
        if bar is None:
            bar = page.actions_bar = QHBoxLayout()
            bar.addStretch(1)
            page.layout().insertLayout(0, bar)
        self.menu_button = QToolButton(page, objectName="dunningMenu")
        self.menu_button.setText("&Mahnwesen ▾")
        self.menu_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.menu_button.setToolTip("Mahnhistorie und Mahnsperren des gewählten Kontos")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.menu_button)
        self.history_action = menu.addAction("Mahnhistorie / Mahnsperren …")
        self.history_action.setShortcut(QKeySequence("Ctrl+M"))
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.block_action = menu.addAction("Mahnsperre …")
        self.history_action.triggered.connect(lambda: self.show_history())
        self.block_action.triggered.connect(lambda: self.new_block())
        page.addAction(self.history_action)  # the shortcut works on the page without opening the menu
        self.menu_button.setMenu(menu)
        bar.insertWidget(bar.count() - 1, self.menu_button)  # before the stretch
        view = page.statement.postings_view
        self.item_block_action = QAction("Mahnsperre für diesen Posten …", view)
        self.item_block_action.triggered.connect(lambda: self.new_block(self._chosen_item()))
        view.addAction(self.item_block_action)
        if view.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu:
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        view.selectionModel().currentChanged.connect(lambda *_: self.update_state())
        view.model().modelReset.connect(self.update_state)
        page.list.current_changed.connect(lambda _row: self.update_state())
        page.context.signals.organization_changed.connect(lambda _org: self.update_state())
        self.update_state()

    def account(self):
        row = self.page.list.current_row()
        return None if row is None else row[0]

    def _chosen_item(self) -> int | None:
        """The statement's chosen posting when it is an open item (a block names a receivable)."""
        index = self.page.statement.postings_view.currentIndex()
        line = index.data(ROW_ROLE) if index.isValid() else None
        posting = None if line is None else line.posting
        if posting is None or posting.amount.minor <= 0 or not (posting.open_amount and posting.open_amount.minor > 0):
            return None
        return posting.id

    def update_state(self) -> None:
        chosen = self.account() is not None and self.page.context.organization is not None
        self.menu_button.setEnabled(chosen)
        self.history_action.setEnabled(chosen)
        self.block_action.setEnabled(chosen)
        self.item_block_action.setEnabled(chosen and self._chosen_item() is not None)

    def _label(self, account) -> str:
        return f"{account.number} {account.holder_name}" + (f" ({account.label})" if account.label else "")

    def show_history(self) -> QDialog | None:
        from sollhaben.ui.receivables.dunning_account_dialog import DunningAccountDialog
        account = self.account()
        if account is None:
            return None
        self.dialog = DunningAccountDialog(self.page.context, account.id, self._label(account), self.page,
                                           today=self.today())
        self.dialog.open()
        return self.dialog

    def new_block(self, item_id: int | None = None) -> QDialog | None:
        from sollhaben.ui.receivables.dunning_block_dialog import BlockDialog
        account = self.account()
        if account is None:
            return None
        self.dialog = BlockDialog(self.page.context, account.id, item_id, self.page)
        self.dialog.blocked.connect(lambda _id: self.page.context.signals.data_changed.emit("dunning_block"))
        self.dialog.open()
        return self.dialog
