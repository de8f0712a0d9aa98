"""The page „Mahnwesen“: the dunning run (run date → „Vorschlag“ on the worker → the tree account → items
where the clerk unticks what not to remind → „Mahnlauf buchen und drucken“: the run posted on the worker,
then the letters rendered on the worker with progress and cancel, shown in the print preview or saved
one PDF per recipient), the runs with their history, the blocks, and the levels („Mahnstufen …“)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_number_minor, parse_date
from sollhaben.services.receivables import dunning
from sollhaben.services.receivables.dunning import DunningPreview, RunResult
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE
from sollhaben.ui.receivables.dunning_account_dialog import DunningAccountDialog
from sollhaben.ui.receivables.dunning_blocks_tab import BlocksTab
from sollhaben.ui.receivables.dunning_runs_tab import RunsTab
from sollhaben.ui.receivables.dunning_settings_dialog import DunningSettingsDialog
from sollhaben.ui.receivables.dunning_printing import PrintingMixin
from sollhaben.ui.receivables.dunning_tree import ID_ROLE, ProposalTree

OUTPUTS = (("one", "eine PDF-Datei für alle Briefe"), ("each", "eine PDF-Datei je Empfänger"))


def message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(dict.fromkeys(e.message for e in exc.errors))
    if isinstance(exc, (ConflictError, NotFoundError)):
        return str(exc)
    return f"Unerwarteter Fehler: {exc}"


class DunningPage(PrintingMixin, QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self._today = context, today
        self.shown: DunningPreview | None = None
        self.result: RunResult | None = None
        self.preview = None  # the open PrintPreviewDialog (tests look at it)
        self.written: list = []  # paths of the files written for „je Empfänger“
        self.dialog = None
        self._job = None
        self._booking: DunningPreview | None = None
        self.setStyleSheet(ERROR_STYLE)
        heading = QLabel("Mahnwesen", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.settings_button = QPushButton("Mahnstufen …", self, objectName="levels")
        head = QHBoxLayout()
        head.addWidget(heading, 1)
        head.addWidget(self.settings_button)
        self.run_date = QLineEdit(format_date(self.today), self, objectName="runDate")
        self.run_date.setMaximumWidth(110)
        self.propose_button = QPushButton("Vorschlag", self, objectName="propose")
        self.block_button = QPushButton("Mahnsperre …", self, objectName="blockFromTree")
        top = QHBoxLayout()
        top.addWidget(QLabel("Stichtag", self))
        top.addWidget(self.run_date)
        top.addWidget(self.propose_button)
        top.addStretch(1)
        top.addWidget(self.block_button)
        self.tree = ProposalTree(self)
        self.summary = QLabel(self, objectName="summary")
        self.summary.setWordWrap(True)
        self.output = QComboBox(self, objectName="output")
        for value, label in OUTPUTS:
            self.output.addItem(label, value)
        self.progress = QProgressBar(self, objectName="progress")
        self.progress.hide()
        self.cancel_button = QPushButton("Abbrechen", self, objectName="cancelJob")
        self.cancel_button.hide()
        self.confirm_button = QPushButton("Mahnlauf buchen und drucken", self, objectName="confirm")
        self.confirm_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.output)
        bottom.addWidget(self.confirm_button)
        run_tab = QWidget(self)
        run_layout = QVBoxLayout(run_tab)
        run_layout.addLayout(top)
        run_layout.addWidget(self.tree, 1)
        run_layout.addLayout(bottom)
        self.runs = RunsTab(context, self)
        self.blocks = BlocksTab(context, self, today=today)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(run_tab, "Mahnlauf")
        self.tabs.addTab(self.runs, "Mahnläufe")
        self.tabs.addTab(self.blocks, "Mahnsperren")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        self.propose_button.clicked.connect(self.make_proposal)
        self.run_date.returnPressed.connect(self.make_proposal)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self._cancel)
        self.settings_button.clicked.connect(self.open_settings)
        self.block_button.clicked.connect(self.block_from_tree)
        self.tree.exclusions_changed.connect(self._exclusions_changed)
        self.runs.reprint.connect(self.print_run)
        self.runs.handover_list.connect(self.print_handover_list)
        self.runs.account_opened.connect(self.open_account)
        self.tree.itemDoubleClicked.connect(lambda node, _column: self._tree_account(node))
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        if context.worker is not None:
            context.worker.progress.connect(self._progress)
            context.worker.cancelled.connect(self._job_cancelled)
        if context.organization is not None:
            self.reload()

    @property
    def today(self) -> date:
        return self._today or date.today()

    def reload(self) -> None:
        self.shown = None
        self.tree.clear()
        self.confirm_button.setEnabled(False)
        self.summary.setText("Stichtag wählen und „Vorschlag“ drücken.")
        self.runs.reload()
        self.blocks.reload()

    def _data_changed(self, table: str) -> None:
        if table in ("dunning_block", "posting", "dunning_run", "payment_agreement"):
            if self.shown is not None:  # the proposal may be stale: confirming it would be refused
                self.summary.setText("Daten haben sich geändert – bitte den Vorschlag neu berechnen.")
                self.confirm_button.setEnabled(False)
            self.blocks.reload()
        if table == "dunning_run":
            self.runs.reload(newest=True)

    # proposal ---------------------------------------------------------------------------
    def make_proposal(self) -> None:
        try:
            run_date = parse_date(self.run_date.text(), "Stichtag")
        except ValidationError as exc:
            self._error(message(exc))
            return
        db, org_id = self.context.db, self.context.organization_id
        self._busy(True, "Vorschlag wird berechnet …")
        self._job = self.context.worker.submit(
            "Mahnwesen: Vorschlag", lambda p: dunning.preview(db, org_id, run_date, progress=p.report),
            on_done=self._show, on_error=self._failed, owner=self)

    def _show(self, shown: DunningPreview) -> None:
        self._busy(False)
        self.shown = shown
        expanded = self._expanded()
        self.tree.fill(shown)
        for i in range(self.tree.topLevelItemCount()):
            node = self.tree.topLevelItem(i)
            node.setExpanded(node.data(0, ID_ROLE) in expanded or i < 50)
        self._summarize(shown)

    def _summarize(self, shown: DunningPreview) -> None:
        proposal = shown.proposal
        country, currency = shown.country, shown.currency
        skipped = len(proposal.accounts) - len({a.account.id for a in (*proposal.letters, *proposal.handovers)})
        self.summary.setStyleSheet("")
        self.summary.setText(
            f"{len(proposal.letters)} Mahnbrief(e) über "
            f"{format_number_minor(sum(a.amount_minor for a in proposal.letters), country)} {currency}, Gebühren "
            f"{format_number_minor(proposal.fees_minor, country)} {currency}, "
            f"{len(proposal.handovers)} Übergabe(n), {skipped} Konto/Konten nicht gemahnt")
        self.confirm_button.setEnabled(bool(proposal.letters or proposal.handovers))

    def _expanded(self) -> set[int]:
        return {self.tree.topLevelItem(i).data(0, ID_ROLE)
                for i in range(self.tree.topLevelItemCount()) if self.tree.topLevelItem(i).isExpanded()}

    def _exclusions_changed(self, accounts: frozenset, items: frozenset, account_id: int) -> None:
        if self.shown is None:
            return
        self.shown = self.shown.with_exclusions(accounts, items)
        QTimer.singleShot(0, lambda: self._apply_exclusions(account_id))  # not while the tree emits its signal

    def _apply_exclusions(self, account_id: int) -> None:
        if self.shown is not None:
            self.tree.refresh_account(self.shown, account_id)
            self._summarize(self.shown)

    # run and print ----------------------------------------------------------------------
    def confirm(self) -> None:
        shown = self.shown
        if shown is None or not (shown.proposal.letters or shown.proposal.handovers):
            return
        db = self.context.db
        self._booking = shown
        self._busy(True, "Mahnlauf wird gebucht …", cancel=True)
        self._job = self.context.worker.submit(
            "Mahnlauf buchen", lambda p: dunning.confirm(db, shown, progress=p.report, cancelled=p.cancelled),
            on_done=self._booked, on_error=self._failed, owner=self)

    def _booked(self, result: RunResult) -> None:
        self.result = result
        self.shown = None
        self.confirm_button.setEnabled(False)
        self.context.signals.data_changed.emit("posting")
        self.context.signals.data_changed.emit("dunning_run")
        self.summary.setText(f"Mahnlauf {result.run_id} gebucht: {result.letters} Brief(e), {result.handovers} "
                             f"Übergabe(n), Gebühren {result.fees}.")
        if result.letters:
            self.print_run(result.run_id, None)
        else:
            self._busy(False)

    # worker plumbing --------------------------------------------------------------------
    def _progress(self, job, done: int, total: int, text: str) -> None:
        if job is self._job:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"{done}/{total} {text}"[:60])

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _job_cancelled(self, job) -> None:
        if job is not self._job:
            return
        self._busy(False)
        if job.title == "Mahnlauf buchen":
            # a cancel that came after the commit does not undo it: look, and go on printing if it is booked
            booked = dunning.find_run(self.context.db, self._booking.key) if self._booking is not None else None
            if booked is not None:
                self._booked(booked)
                return
            self.summary.setText("Abgebrochen – es wurde nichts gebucht.")
        else:
            self.summary.setText("Druck abgebrochen. Der Mahnlauf ist gebucht; die Briefe lassen sich unter "
                                 "„Mahnläufe“ erneut drucken.")

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self._error(message(exc))

    def _error(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {ERROR_COLOR};")

    def _busy(self, busy: bool, text: str = "", cancel: bool = False) -> None:
        self.summary.setStyleSheet("")
        if text:
            self.summary.setText(text)
        self.progress.setVisible(busy)
        self.progress.setMaximum(0 if busy else 1)
        self.cancel_button.setVisible(busy and cancel)
        self.propose_button.setEnabled(not busy)
        self.confirm_button.setEnabled(not busy and self.shown is not None
                                      and bool(self.shown.proposal.letters or self.shown.proposal.handovers))
        self.tree.setEnabled(not busy)

    def is_busy(self) -> bool:
        return self.progress.isVisible()

    # levels and blocks ------------------------------------------------------------------
    def open_settings(self) -> DunningSettingsDialog:
        self.dialog = DunningSettingsDialog(self.context, self)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.saved.connect(lambda _p: self._data_changed("dunning_block"))
        self.dialog.open()
        return self.dialog

    def _tree_account(self, node) -> None:
        account = node if node.parent() is None else node.parent()
        self.open_account(account.data(0, ID_ROLE), account.text(0))

    def open_account(self, account_id: int, label: str) -> DunningAccountDialog:
        """The account's reminder history, items with their history, and blocks."""
        self.dialog = DunningAccountDialog(self.context, account_id, label, self, today=self._today)
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
        return self.dialog

    def block_from_tree(self):
        self.dialog = self.blocks.new_block(self.tree.current_account_id(), self.tree.current_item_id())
        return self.dialog
