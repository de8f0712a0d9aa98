"""The debtor accounts page: all accounts with their balance, and the statement of the chosen one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.services import ledger
from sollhaben.services.dto import AccountDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger.statement_view import StatementView
from sollhaben.ui.receivables.agreement_actions import AgreementActions
from sollhaben.ui.receivables.booking_actions import BookingActions
from sollhaben.ui.receivables.dunning_actions import DunningActions
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


class AccountsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        money = lambda amount: format_money(amount, context.country)  # noqa: E731
        columns = (
            Column("Konto", lambda r: r[0].number, width=62),
            Column("Inhaber/in", lambda r: r[0].holder_name, width=150),
            Column("Saldo", lambda r: r[1], ALIGN_RIGHT, formatter=money, width=90),
            Column("Bezeichnung", lambda r: r[0].label, width=120),  # sub-accounts (enforcement cases)
        )
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        heading = QLabel("Debitorenkonten", left)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        left_layout.addWidget(heading)
        self.list = FilterableList(RowTableModel(columns), left, placeholder="Suchen nach Konto, Name …")
        self.list.search.setMinimumWidth(200)
        left_layout.addWidget(self.list)
        left.setMinimumWidth(310)  # number, holder and balance stay visible
        self.statement = StatementView(context, self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.statement)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([310, 890])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.list.current_changed.connect(self._current_changed)
        self.list.activated.connect(self._current_changed)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        self.booking = BookingActions(self)  # Zahlung buchen / Guthaben zuordnen / Zahlung stornieren
        self.agreements = AgreementActions(self)  # Zahlungsvereinbarung / Inkassoprotokoll
        self.dunning = DunningActions(self)  # Mahnwesen ▾: Mahnhistorie / Mahnsperren, Mahnsperre
        if context.organization is not None:
            self.reload()

    def reload(self) -> None:
        rows: list[tuple[AccountDTO, Money]] = ledger.list_accounts(self.context.db, self.context.organization_id)
        current = self.list.current_row()
        self.list.set_rows(rows)
        if current is not None:
            self.show_account(current[0].id)

    def _data_changed(self, table: str) -> None:
        if table in ("posting", "account", "person"):
            self.reload()

    def _current_changed(self, row) -> None:
        self.statement.show_account(None if row is None else row[0].id)

    def show_account(self, account_id: int) -> bool:
        """Select the account in the list and show its statement."""
        found = self.list.select(lambda r: r[0].id == account_id)
        self.statement.show_account(account_id)
        return found
