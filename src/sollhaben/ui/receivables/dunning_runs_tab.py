"""The tab „Mahnläufe“ of the dunning page: the runs, the letters and hand-overs of the selected run, and
the reminder history of the selected letter's account with the items the letter named (open amount at
the time). „Briefe erneut drucken“ renders the run's (or one) letter(s) on the worker."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from sollhaben.domain.references import format_creditor_reference, format_qr_reference
from sollhaben.services.receivables import dunning, dunning_history
from sollhaben.ui.context import AppContext
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


def _reference(reference: str) -> str:
    if not reference:
        return ""
    return format_qr_reference(reference) if reference.isdigit() else format_creditor_reference(reference)


class RunsTab(QWidget):
    reprint = Signal(int, object)  # run id, account ids (None: all letters of the run)
    handover_list = Signal(int)  # run id
    account_opened = Signal(int, str)  # account id, holder

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runs = FilterableList(RowTableModel((
            Column("Stichtag", lambda r: r.run_date, sort_key=lambda r: r.run_date.toordinal(), width=90),
            Column("Lauf", lambda r: r.run_id, ALIGN_RIGHT, width=50),
            Column("Briefe", lambda r: r.letters, ALIGN_RIGHT, width=60),
            Column("Übergaben", lambda r: r.handovers, ALIGN_RIGHT, width=75),
            Column("Gebühren", lambda r: r.fees, ALIGN_RIGHT, stretch=True),
        )), self, placeholder="Mahnläufe durchsuchen …")
        self.print_run_button = QPushButton("Briefe erneut drucken", self, objectName="reprintRun")
        self.handover_button = QPushButton("Übergabeliste", self, objectName="handoverList")
        self.runs.toolbar.addWidget(self.print_run_button)
        self.runs.toolbar.addWidget(self.handover_button)
        self.notices = FilterableList(RowTableModel((
            Column("Konto", lambda r: r.holder, width=200),
            Column("Art", lambda r: r.kind_label, width=80),
            Column("Stufe", lambda r: r.level_name, width=130),
            Column("Posten", lambda r: r.items, ALIGN_RIGHT, width=55),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, width=95),
            Column("Gebühr", lambda r: r.fee, ALIGN_RIGHT, width=75),
            Column("Frist", lambda r: r.payment_due, width=85),
            Column("Referenz", lambda r: _reference(r.reference), stretch=True),
        ), foreground=lambda r: Qt.GlobalColor.darkRed if r.kind == "HANDOVER" else None), self,
            placeholder="Briefe des Laufs durchsuchen …")
        self.print_one_button = QPushButton("Brief drucken", self, objectName="reprintOne")
        self.notices.toolbar.addWidget(self.print_one_button)
        self.history_title = QLabel(self, objectName="historyTitle")
        self.history = FilterableList(RowTableModel((
            Column("Stichtag", lambda r: r.run_date, width=90),
            Column("Art", lambda r: r.kind_label, width=80),
            Column("Stufe", lambda r: r.level_name, width=130),
            Column("Posten", lambda r: r.items, ALIGN_RIGHT, width=55),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, width=95),
            Column("Frist", lambda r: r.payment_due, stretch=True),
        )), self, placeholder="Mahnhistorie des Kontos …")
        self.items = FilterableList(RowTableModel((
            Column("Posten (dieser Brief)", lambda r: r[1], width=260),
            Column("Fällig", lambda r: r[2], width=85),
            Column("Stufe", lambda r: r[3], ALIGN_RIGHT, width=50),
            Column("Offen damals", lambda r: r[4], ALIGN_RIGHT, stretch=True),
        )), self, placeholder="Posten …")
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        box = QWidget(lower)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.history_title)
        box_layout.addWidget(self.history)
        lower.addWidget(box)
        lower.addWidget(self.items)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.runs)
        split.addWidget(self.notices)
        split.addWidget(lower)
        split.setSizes([160, 240, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.runs.current_changed.connect(self._run_changed)
        self.notices.current_changed.connect(self._notice_changed)
        self.notices.activated.connect(lambda n: self.account_opened.emit(n.account_id, n.holder))
        self.print_run_button.clicked.connect(self._print_run)
        self.handover_button.clicked.connect(
            lambda: self.handover_list.emit(self.runs.current_row().run_id) if self.runs.current_row() else None)
        self.print_one_button.clicked.connect(self._print_one)

    def reload(self, newest: bool = False) -> None:
        """Reload the runs; keep the selected run, or select the newest (after a new run)."""
        if self.context.organization is None:
            return
        current = None if newest else self.runs.current_row()
        runs = dunning.list_runs(self.context.db, self.context.organization_id)
        self.runs.set_rows(runs)
        if runs and newest:
            latest = max(run.run_id for run in runs)
            self.runs.select(lambda r: r.run_id == latest)
        elif current is None or not self.runs.select(lambda r: r.run_id == current.run_id):
            self.runs.select(lambda r: True)
        self._run_changed(self.runs.current_row())

    def _run_changed(self, run) -> None:
        self.handover_button.setEnabled(bool(run and run.handovers))
        self.print_run_button.setEnabled(bool(run and run.letters))
        self.notices.set_rows(dunning_history.run_notices(self.context.db, run.run_id) if run else [])
        self.notices.select(lambda r: True)
        self._notice_changed(self.notices.current_row())

    def _notice_changed(self, notice) -> None:
        if notice is None:
            self.history_title.setText("Mahnhistorie")
            self.history.set_rows([])
            self.items.set_rows([])
            return
        self.history_title.setText(f"Mahnhistorie: {notice.holder}")
        self.history.set_rows(dunning_history.account_history(self.context.db, notice.account_id))
        self.items.set_rows(dunning_history.items_of_notice(self.context.db, notice.id))

    def _print_run(self) -> None:
        run = self.runs.current_row()
        if run is not None:
            self.reprint.emit(run.run_id, None)

    def _print_one(self) -> None:
        notice = self.notices.current_row()
        if notice is not None and notice.kind == "LETTER":
            self.reprint.emit(notice.run_id, [notice.account_id])
