"""The booking window's actions on the Debitoren page: „Zahlung buchen …“, „Guthaben zuordnen …“ and
„Zahlung stornieren …“ (button, and context action on the statement's postings).

Installed by the page with one call (`BookingActions(page)`), so the page itself stays small and
other parts can add their buttons to the same bar (`page.actions_bar`)."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.services.dto import PostingDTO
from sollhaben.services.receivables.receipts import RECEIPT_SOURCES
from sollhaben.ui.receivables.booking_credit_dialog import CreditAllocationDialog
from sollhaben.ui.receivables.booking_dialog import BookingDialog
from sollhaben.ui.receivables.booking_reversal_dialog import ReverseReceiptDialog
from sollhaben.ui.table_model import ROW_ROLE


def is_reversible_receipt(p: PostingDTO | None) -> bool:
    return (p is not None and p.amount.minor < 0 and (p.category == "PAYMENT" or p.source in RECEIPT_SOURCES)
            and p.reversed_by_id is None and p.reverses_id is None)


class BookingActions(QObject):
    def __init__(self, page: QWidget, today: Callable[[], date] = date.today) -> None:
        super().__init__(page)
        self.page, self.today = page, today
        self.dialog: QDialog | None = None  # the dialog open now (tests look at it)
        bar = getattr(page, "actions_bar", None)
        if bar is None:
            bar = page.actions_bar = QHBoxLayout()
            bar.addStretch(1)
            page.layout().insertLayout(0, bar)
        self.book_button = self._button(bar, "Zahlung &buchen …", self.book_payment, "Ctrl+B",
                                        "Zahlungseingang buchen und offenen Posten zuordnen (Strg+B)")
        self.credit_button = self._button(bar, "&Guthaben zuordnen …", self.allocate_credit, "",
                                          "Unzugeordnetes Guthaben des Kontos offenen Posten zuordnen")
        self.reverse_button = self._button(bar, "Zahlung s&tornieren …", self.reverse_payment, "",
                                           "Die im Kontoauszug gewählte Zahlung stornieren")
        view = page.statement.postings_view
        self.reverse_action = QAction("Zahlung stornieren …", view)
        self.reverse_action.triggered.connect(self.reverse_payment)
        view.addAction(self.reverse_action)
        if view.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu:
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        view.selectionModel().currentChanged.connect(lambda *_: self.update_state())
        view.model().modelReset.connect(self.update_state)
        page.list.current_changed.connect(lambda _row: self.update_state())
        page.context.signals.organization_changed.connect(lambda _org: self.update_state())
        self.update_state()

    def _button(self, bar: QHBoxLayout, text: str, slot, shortcut: str, tip: str) -> QPushButton:
        button = QPushButton(text, self.page)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        if shortcut:
            button.setShortcut(QKeySequence(shortcut))
        bar.insertWidget(bar.count() - 1, button)  # before the stretch
        return button

    # state -------------------------------------------------------------------------------------
    def account_id(self) -> int | None:
        row = self.page.list.current_row()
        return None if row is None else row[0].id

    def selected_posting(self) -> PostingDTO | None:
        index = self.page.statement.postings_view.currentIndex()
        line = index.data(ROW_ROLE) if index.isValid() else None
        return None if line is None else line.posting

    def update_state(self) -> None:
        has_org = self.page.context.organization is not None
        self.book_button.setEnabled(has_org)
        self.credit_button.setEnabled(self.account_id() is not None)
        reversible = is_reversible_receipt(self.selected_posting())
        self.reverse_button.setEnabled(reversible)
        self.reverse_action.setEnabled(reversible)

    # actions ------------------------------------------------------------------------------------
    def _open(self, dialog: QDialog, account_id: int | None) -> None:
        self.dialog = dialog

        def finished(result: int) -> None:
            self.dialog = None
            if result == QDialog.DialogCode.Accepted:
                self.page.context.signals.data_changed.emit("posting")
                chosen = getattr(dialog, "account_id", lambda: account_id)() or account_id
                if chosen is not None:
                    self.page.show_account(chosen)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()  # window-modal, the event loop keeps running

    def book_payment(self) -> None:
        context = self.page.context
        dialog = BookingDialog(context.db, context.organization_id, context.country, self.account_id(),
                               today=self.today(), parent=self.page)
        self._open(dialog, self.account_id())

    def allocate_credit(self) -> None:
        if self.account_id() is None:
            return
        context = self.page.context
        dialog = CreditAllocationDialog(context.db, context.organization_id, context.country, self.account_id(),
                                        today=self.today(), parent=self.page)
        self._open(dialog, self.account_id())

    def reverse_payment(self) -> None:
        payment = self.selected_posting()
        if not is_reversible_receipt(payment):
            return
        context = self.page.context
        dialog = ReverseReceiptDialog(context.db, payment, context.country, today=self.today(), parent=self.page)
        self._open(dialog, self.account_id())
