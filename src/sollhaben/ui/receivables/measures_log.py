"""„Inkassoprotokoll“ of one account: the collection measures in the order they happened (letters,
reminders, calls, agreements, enforcement steps) and the account's payment agreements with the
state of each instalment. From here the clerk adds an entry, makes or cancels an agreement."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QHeaderView, QInputDialog, QMessageBox, QTableView, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.receivables.agreements import AgreementStatus, InstalmentState
from sollhaben.persistence.database import Database
from sollhaben.services.dto import AccountDTO
from sollhaben.services.receivables import agreements, measures
from sollhaben.services.receivables.agreements_dto import AgreementDTO
from sollhaben.ui.forms.ui_measures_log import Ui_MeasuresLog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel

STATE_COLORS = {InstalmentState.MISSED: QColor("#b3261e"), InstalmentState.PAID: QColor("#1b6e2a"),
                InstalmentState.DUE: QColor("#9a5b00")}


def agreement_state(dto: AgreementDTO) -> str:
    """The stored status, and what the instalments say before the next monitoring run."""
    if dto.status is AgreementStatus.ACTIVE and any(i.state is InstalmentState.MISSED for i in dto.instalments):
        return "laufend – Rate versäumt"
    return dto.status.label


def _next_due(dto: AgreementDTO, country: str) -> str:
    nxt = dto.next_due
    if dto.status is not AgreementStatus.ACTIVE or nxt is None:
        return ""
    return f"{format_date(nxt.due_date)}: {format_money(nxt.amount - nxt.paid, country)}"


def _prepare(view: QTableView, model: RowTableModel) -> None:
    view.setModel(model)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    for i, column in enumerate(model.columns):
        if column.width:
            view.setColumnWidth(i, column.width)
        if column.stretch:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)


class MeasuresLog(QDialog):
    changed = Signal()  # an entry or an agreement was stored: the caller reloads what shows them

    def __init__(self, db: Database, organization_id: int, account: AccountDTO, country: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.account = db, organization_id, account
        self.country, self.today = country, today
        self.ui = Ui_MeasuresLog()
        self.ui.setupUi(self)
        self.setWindowTitle(f"Inkassoprotokoll – {account.holder_name}")
        self.ui.accountLabel.setText(f"Inkassoprotokoll · Konto {account.number} · {account.holder_name}")
        money = lambda m: format_money(m, country)  # noqa: E731
        self.log_model = RowTableModel((
            Column("Datum", lambda m: m.occurred_on, width=90),
            Column("Art", lambda m: m.kind_label, width=150),
            Column("Massnahme", lambda m: m.text, stretch=True),
            Column("Erfasst von", lambda m: m.created_by, width=100)))
        self.agreement_model = RowTableModel((
            Column("Nr.", lambda a: a.id, ALIGN_RIGHT, width=45),
            Column("Vereinbart", lambda a: a.created_on, width=85),
            Column("Betrag", lambda a: a.total, ALIGN_RIGHT, formatter=money, width=85),
            Column("Bezahlt", lambda a: a.paid, ALIGN_RIGHT, formatter=money, width=85),
            Column("Raten", lambda a: len(a.instalments), ALIGN_RIGHT, width=50),
            Column("Nächste Rate", lambda a: _next_due(a, country), width=150),
            Column("Status", agreement_state, stretch=True)),
            foreground=lambda a: STATE_COLORS[InstalmentState.MISSED] if "versäumt" in agreement_state(a)
            or a.status is AgreementStatus.BROKEN else None)
        self.instalment_model = RowTableModel((
            Column("Rate", lambda i: i.label, width=85),
            Column("Fällig", lambda i: i.due_date, width=85),
            Column("Betrag", lambda i: i.amount, ALIGN_RIGHT, formatter=money, width=80),
            Column("Bezahlt", lambda i: i.paid, ALIGN_RIGHT, formatter=money, width=80),
            Column("Status", lambda i: i.state.label, stretch=True)),
            foreground=lambda i: STATE_COLORS.get(i.state))
        _prepare(self.ui.logTable, self.log_model)
        # long texts wrap; rows follow their text (a log has tens of entries, not thousands)
        self.ui.logTable.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        _prepare(self.ui.agreementsTable, self.agreement_model)
        _prepare(self.ui.instalmentsTable, self.instalment_model)
        self.ui.splitter.setSizes([380, 240])
        self.ui.agreementsTable.selectionModel().currentRowChanged.connect(lambda *_: self._show_instalments())
        self.ui.addEntryButton.clicked.connect(lambda: self.add_entry())
        self.ui.newAgreementButton.clicked.connect(lambda: self.new_agreement())
        self.ui.cancelAgreementButton.clicked.connect(lambda: self.cancel_agreement())
        self.ui.buttonBox.rejected.connect(self.reject)
        self.reload()

    def reload(self) -> None:
        self.log_model.set_rows(measures.list_measures(self.db, self.account.id))
        self.ui.logTable.scrollToBottom()  # the latest measure is what the clerk needs first
        rows = agreements.list_agreements(self.db, self.account.id, self.today)
        self.agreement_model.set_rows(rows)
        if rows:
            self.ui.agreementsTable.selectRow(0)
        self._show_instalments()

    def current_agreement(self) -> AgreementDTO | None:
        index = self.ui.agreementsTable.currentIndex()
        return self.agreement_model.row_at(index.row()) if index.isValid() else None

    def _show_instalments(self) -> None:
        current = self.current_agreement()
        self.instalment_model.set_rows(current.instalments if current else [])
        self.ui.cancelAgreementButton.setEnabled(current is not None and current.status is AgreementStatus.ACTIVE)

    def add_entry(self, kind: str = "CALL"):
        from sollhaben.ui.receivables.measures_entry_dialog import MeasuresEntryDialog
        dialog = MeasuresEntryDialog(self.db, self.account.id, self.today, kind, self)
        dialog.saved.connect(lambda _id: self._stored())
        dialog.open()
        return dialog

    def new_agreement(self):
        from sollhaben.ui.receivables.agreement_dialog import AgreementDialog
        dialog = AgreementDialog(self.db, self.organization_id, self.account, self.country, self.today, self)
        dialog.saved.connect(lambda _id: self._stored())
        dialog.open()
        return dialog

    def cancel_agreement(self, reason: str | None = None) -> bool:
        current = self.current_agreement()
        if current is None:
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Vereinbarung aufheben",
                                              f"Warum wird die Zahlungsvereinbarung Nr. {current.id} aufgehoben?\n"
                                              "Die Mahnsperre ihrer Posten endet damit.")
            if not ok:
                return False
        try:
            agreements.cancel_agreement(self.db, current.id, self.today, reason, expected_version=current.version)
        except (ValidationError, ConflictError) as exc:
            QMessageBox.warning(self, "Vereinbarung aufheben", str(exc))
            return False
        self._stored()
        return True

    def _stored(self) -> None:
        self.reload()
        self.changed.emit()
