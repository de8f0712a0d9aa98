"""The debtor accounts page: all accounts with their balance, and the statement of the chosen one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QVBoxLayout, QWidget

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


SALDO_WIDTH = 100  # „-12'345.60“ / „-12.345,60“ with room to spare
LABEL_WIDTH = 110
LIST_WIDTH = 360  # number 62 + holder ≥ 160 + balance 100 + scroll bar and frame


class AccountsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        money = lambda amount: format_money(amount, context.country)  # noqa: E731
        columns = (
            Column("Konto", lambda r: r[0].number, width=62),
            Column("Inhaber/in", lambda r: r[0].holder_name, stretch=True, cell_tooltip=True),
            Column("Saldo", lambda r: r[1], ALIGN_RIGHT, formatter=money, width=SALDO_WIDTH),
            # sub-accounts (enforcement cases); shown only when an account has a label
            Column("Bezeichnung", lambda r: r[0].label, width=LABEL_WIDTH, cell_tooltip=True),
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
        header = self.list.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)  # the balance never gets squeezed
        self.list.table.setColumnHidden(3, True)  # until an account has a label (see reload)
        left.setMinimumWidth(LIST_WIDTH)  # number, holder and balance visible without scrolling
        self.statement = StatementView(context, self)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.statement)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 0)  # a wider window widens the statement, not the list
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([LIST_WIDTH, 1000])
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
        self._show_label_column(any(r[0].label for r in rows))
        if current is not None:
            self.show_account(current[0].id)

    def _show_label_column(self, show: bool) -> None:
        """„Bezeichnung“ only where sub-accounts have one; the list widens by its width then."""
        table = self.list.table
        if table.isColumnHidden(3) != show:
            return
        table.setColumnHidden(3, not show)
        table.horizontalHeader().setStretchLastSection(False)
        sizes = self.splitter.sizes()
        extra = LABEL_WIDTH if show else -LABEL_WIDTH
        self.list.parentWidget().setMinimumWidth(LIST_WIDTH + (LABEL_WIDTH if show else 0))
        if sum(sizes) > 0:
            self.splitter.setSizes([max(sizes[0] + extra, LIST_WIDTH), max(sizes[1] - extra, 1)])

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
