"""The Debitoren page's buttons „Zahlungsvereinbarung …“ and „Inkassoprotokoll …“ for the chosen account.

Installed by the page with one call (`AgreementActions(page)`); the buttons go into the page's
shared button bar (`page.actions_bar`, made here when no other part made it first)."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.services.dto import AccountDTO


class AgreementActions(QObject):
    def __init__(self, page: QWidget, today: Callable[[], date] = date.today) -> None:
        super().__init__(page)
        self.page, self.today = page, today
        self.dialog: QDialog | None = None  # the dialog open now (tests look at it)
        bar = getattr(page, "actions_bar", None)
        if bar is None:
            bar = page.actions_bar = QHBoxLayout()
            bar.addStretch(1)
            page.layout().insertLayout(0, bar)
        self.agreement_button = self._button(bar, "Zahlungs&vereinbarung …", self.new_agreement, "",
                                             "Ratenzahlung für offene Posten des Kontos vereinbaren; "
                                             "die Posten werden so lange nicht gemahnt")
        self.log_button = self._button(bar, "&Inkassoprotokoll …", self.show_log, "Ctrl+I",
                                       "Mahnungen, Anrufe, Vereinbarungen und Vollstreckungsschritte des Kontos "
                                       "(Strg+I)")
        page.list.current_changed.connect(lambda _row: self.update_state())
        self.update_state()

    def _button(self, bar: QHBoxLayout, text: str, slot, shortcut: str, tip: str) -> QPushButton:
        button = QPushButton(text, self.page)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda: slot())
        if shortcut:
            button.setShortcut(QKeySequence(shortcut))
        bar.insertWidget(bar.count() - 1, button)  # before the stretch
        return button

    def account(self) -> AccountDTO | None:
        row = self.page.list.current_row()
        return None if row is None else row[0]

    def update_state(self) -> None:
        chosen = self.account() is not None and self.page.context.organization is not None
        self.agreement_button.setEnabled(chosen)
        self.log_button.setEnabled(chosen)

    def _changed(self) -> None:
        for table in ("payment_agreement", "dunning_block", "collection_measure"):
            self.page.context.signals.data_changed.emit(table)

    def new_agreement(self) -> QDialog | None:
        from sollhaben.ui.receivables.agreement_dialog import AgreementDialog
        account = self.account()
        if account is None:
            return None
        context = self.page.context
        self.dialog = AgreementDialog(context.db, context.organization_id, account, context.country, self.today(),
                                      self.page)
        self.dialog.saved.connect(lambda _id: self._changed())
        self.dialog.open()
        return self.dialog

    def show_log(self) -> QDialog | None:
        from sollhaben.ui.receivables.measures_log import MeasuresLog
        account = self.account()
        if account is None:
            return None
        context = self.page.context
        self.dialog = MeasuresLog(context.db, context.organization_id, account, context.country, self.today(),
                                  self.page)
        self.dialog.changed.connect(self._changed)
        self.dialog.open()
        return self.dialog
