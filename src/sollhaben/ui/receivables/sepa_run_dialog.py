"""The collection run dialog: due date and version → proposal with the error list (on the worker),
shown BEFORE the run; then "Einziehen …" asks where to save the file and runs on the worker with
progress and cancel. Nothing is booked until the clerk confirms."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money, parse_date
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import sepa_proposal, sepa_run
from sollhaben.services.receivables.sepa_dto import CollectionResult, Proposal
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, FieldErrorView
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

VERSIONS = (("08", "pain.008.001.08 (aktuell)"), ("02", "pain.008.001.02 (ältere Bankprogramme)"))


def _message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(dict.fromkeys(e.message for e in exc.errors))
    if isinstance(exc, (ConflictError, NotFoundError)):
        return str(exc)
    return f"Unerwarteter Fehler: {exc}"


class CollectionRunDialog(QDialog):
    """`collected(CollectionResult)` after a run committed."""

    collected = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context, self.today = context, today or date.today()
        self.proposal: Proposal | None = None
        self.result: CollectionResult | None = None
        self._job = None
        self.setWindowTitle("Lastschrifteinzug")
        self.resize(900, 620)
        self.setStyleSheet(ERROR_STYLE)
        self.due = QLineEdit(format_date(sepa_proposal.next_due_date(self.today)), self, objectName="due")
        self.version = QComboBox(self, objectName="version")
        for value, label in VERSIONS:
            self.version.addItem(label, value)
        self.propose_button = QPushButton("Vorschlag erstellen", self, objectName="propose")
        top = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Fälligkeit (Einzugsdatum)", self.due)
        form.addRow("Format", self.version)
        top.addLayout(form, 1)
        top.addWidget(self.propose_button)
        money = lambda m: format_money(m, "DE")  # noqa: E731
        self.lines = FilterableList(RowTableModel((
            Column("Zahler/in", lambda r: r.holder_name, width=190),
            Column("Konto", lambda r: r.account_number, width=80),
            Column("Mandat", lambda r: r.mandate_reference, width=130),
            Column("Seq.", lambda r: r.sequence_type, width=50),
            Column("Posten", lambda r: len(r.items), ALIGN_RIGHT, width=60),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=100),
            Column("IBAN", lambda r: format_iban(r.iban), stretch=True),
        )), self, placeholder="Vorschlag durchsuchen …")
        self.problems_title = QLabel("Fehlerliste", self, objectName="problemsTitle")
        self.problems_title.setStyleSheet(f"font-weight: 600; color: {ERROR_COLOR};")
        self.problems = QListWidget(self, objectName="problems")
        self.problems.setMaximumHeight(150)
        self.problems.setWordWrap(True)
        self.summary = QLabel(self, objectName="runSummary")
        self.progress = QProgressBar(self, objectName="progress")
        self.progress.hide()
        self.run_button = QPushButton("Einziehen und Datei speichern …", self, objectName="run")
        self.run_button.setEnabled(False)
        self.cancel_button = QPushButton("Abbrechen", self, objectName="cancelJob")
        self.cancel_button.hide()
        close = QPushButton("Schliessen", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.run_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.problems_title)
        layout.addWidget(self.problems)
        layout.addLayout(bottom)
        self.errors = FieldErrorView(self)  # once the form is in the layout
        self.errors.register("due", self.due)
        self.problems_title.hide()
        self.problems.hide()
        self.propose_button.clicked.connect(self.make_proposal)
        self.run_button.clicked.connect(self.start_run)
        self.cancel_button.clicked.connect(self._cancel)
        close.clicked.connect(self.reject)
        self.due.returnPressed.connect(self.make_proposal)
        # the worker reports every job; these slots pick this dialog's job
        context.worker.progress.connect(self._progress)
        context.worker.cancelled.connect(self._job_cancelled)

    # proposal ---------------------------------------------------------------------------
    def make_proposal(self) -> None:
        self.errors.clear()
        try:
            due = parse_date(self.due.text(), "Fälligkeit")
        except ValidationError as exc:
            self.errors.show([type(e)("due", e.message) for e in exc.errors])
            return
        self._set_busy(True, "Vorschlag wird erstellt …")
        db, org_id, today = self.context.db, self.context.organization_id, self.today
        self._job = self.context.worker.submit(
            "Lastschriften: Vorschlag", lambda _p: sepa_proposal.propose(db, org_id, due, today),
            on_done=self._show_proposal, on_error=self._failed, owner=self)

    def _show_proposal(self, proposal: Proposal) -> None:
        self._set_busy(False)
        self.proposal = proposal
        self.lines.set_rows(proposal.lines)
        self.problems.clear()
        for problem in proposal.problems:
            item = QListWidgetItem(f"{'⛔ ' if problem.blocking else ''}{problem.subject}: {problem.message}")
            self.problems.addItem(item)
        shown = bool(proposal.problems)
        self.problems_title.setText(f"Fehlerliste ({len(proposal.problems)}) – diese Konten werden nicht eingezogen"
                                    if shown and not proposal.blocked else
                                    f"Fehlerliste ({len(proposal.problems)}) – so ist kein Einzug möglich")
        self.problems_title.setVisible(shown)
        self.problems.setVisible(shown)
        self.summary.setText(f"{len(proposal.lines)} Lastschrift(en) über "
                             f"{format_money(proposal.total, 'DE', with_currency=True)}, fällig "
                             f"{format_date(proposal.due_date)}")
        self.run_button.setEnabled(proposal.can_run)

    # run --------------------------------------------------------------------------------
    def choose_path(self, suggested: str) -> str:
        """Where to save the pain.008 file ("" when the clerk cancels); tests replace it."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, "Lastschriftdatei speichern", str(Path(folder) / suggested),
                                                    "SEPA-XML (*.xml)")
        if path and not path.lower().endswith(".xml"):
            path += ".xml"
        return path

    def start_run(self) -> None:
        proposal = self.proposal
        if proposal is None or not proposal.can_run:
            return
        path = self.choose_path(f"SEPA-Lastschrift_{proposal.due_date:%Y-%m-%d}.xml")
        if not path:
            return
        version = self.version.currentData()
        db, today = self.context.db, self.today
        self._set_busy(True, "Lastschriften werden gebucht …")
        self.cancel_button.show()
        self._job = self.context.worker.submit(
            "Lastschrifteinzug",
            lambda p: sepa_run.run_collection(db, proposal, version, path, today=today,
                                              progress=p.report, cancelled=p.cancelled),
            on_done=self._done, on_error=self._failed, owner=self)

    def _progress(self, job, done: int, total: int, text: str) -> None:
        if job is self._job:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"{done}/{total} {text}"[:60])

    def _cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _job_cancelled(self, job) -> None:
        if job is self._job:
            self._set_busy(False)
            self.summary.setText("Abgebrochen – es wurde nichts gebucht und keine Datei geschrieben.")

    def _done(self, result: CollectionResult) -> None:
        self.proposal = None  # collected: a new run needs a new proposal
        self._set_busy(False)
        self.result = result
        self.context.signals.data_changed.emit("posting")
        self.context.signals.data_changed.emit("sepa_collection")
        self.collected.emit(result)
        text = (f"{result.count} Lastschrift(en) über {format_money(result.total, 'DE', with_currency=True)} "
                f"gebucht (vorgemerkt bis zur Fälligkeit).")
        if result.file_written:
            self.summary.setText(f"{text} Datei: {result.path}")
        else:
            self.summary.setText(text)
            QMessageBox.warning(self, "Datei nicht geschrieben", result.file_error)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.summary.setText(_message(exc))
        self.summary.setStyleSheet(f"color: {ERROR_COLOR};")

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.summary.setStyleSheet("")
        if text:
            self.summary.setText(text)
        self.progress.setVisible(busy)
        self.progress.setMaximum(0 if busy else 1)
        self.propose_button.setEnabled(not busy)
        self.run_button.setEnabled(not busy and self.proposal is not None and self.proposal.can_run)
        self.cancel_button.setVisible(False if not busy else self.cancel_button.isVisible())

    def is_busy(self) -> bool:
        return self.progress.isVisible()
