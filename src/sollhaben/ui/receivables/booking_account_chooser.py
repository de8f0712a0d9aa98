"""The account chooser of the booking window: an editable combo box that finds an account by any
part of its number or its holder's name (case-insensitive), with an empty first entry."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from sollhaben.persistence.database import Database
from sollhaben.services import ledger


class AccountChooser(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lineEdit().setPlaceholderText("Kontonummer oder Name …")
        completer = self.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def fill(self, db: Database, organization_id: int, account_id: int | None) -> None:
        """The organization's accounts („000017  Becker, Anna – Betreibung 4“), `account_id` chosen."""
        self.blockSignals(True)
        self.clear()
        self.addItem("", None)
        for account, _balance in ledger.list_accounts(db, organization_id):
            label = f" – {account.label}" if account.label else ""
            self.addItem(f"{account.number}  {account.holder_name}{label}", account.id)
        index = self.findData(account_id) if account_id is not None else 0
        self.setCurrentIndex(max(index, 0))
        self.blockSignals(False)

    def account_id(self) -> int | None:
        return self.currentData()
