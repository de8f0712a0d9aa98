"""The page "Festsetzung": fee assessment letters of a facility from a month on.

Choose the facility and the month; the list shows the payers whose letter would differ from the
last one issued (or all payers), the changed ones ticked. "Vorschau" renders the letter of the
selected payer on the worker and opens the print preview (nothing is recorded). "Alle drucken …"
renders the ticked payers' letters on the worker — one PDF for the print preview, or one PDF per
recipient into a folder — with progress and "Abbrechen"; the letters are recorded as issued only
when the whole run succeeded. Without a worker (tests, tools) the jobs run directly.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHeaderView, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.master_data import UnitKind
from sollhaben.domain.months import Month
from sollhaben.services import organizations
from sollhaben.services.kita import fee_assessment
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE
from sollhaben.ui.forms.ui_kita_assessment_page import Ui_AssessmentPage
from sollhaben.ui.kita.assessment_model import PayerModel
from sollhaben.ui.print_preview import PrintPreviewDialog

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(name: str) -> str:
    """"Gerber, Laura" → "gerber-laura": plain ASCII, safe in file names and mail attachments."""
    text = unicodedata.normalize("NFKD", name.translate(_UMLAUTS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_name(month: Month, name: str, payer_id: int) -> str:
    """"festsetzung-2026-03-gerber-laura-17.pdf"."""
    return f"festsetzung-{month.iso()}-{slug(name) or 'zahler'}-{payer_id}.pdf"


class _Direct:
    """What a job gets when there is no worker: progress is ignored, nothing cancels."""

    def report(self, done: int, total: int, text: str = "") -> None:  # noqa: ARG002
        return None

    def cancelled(self) -> bool:
        return False


class AssessmentPage(QWidget):
    loaded = Signal(object)  # PayerOverview
    preview_opened = Signal(object)  # PrintPreviewDialog
    printed = Signal(object)  # PDF bytes (one file) or the list of written paths
    print_cancelled = Signal()
    failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.ui = Ui_AssessmentPage()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.problemLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.problemLabel.hide()
        self.model = PayerModel(context.country, self)
        table = self.ui.table
        table.setModel(self.model)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((0, 32), (1, 220), (2, 260), (3, 120), (4, 150), (5, 170)):
            table.setColumnWidth(column, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        table.doubleClicked.connect(lambda _index: self.preview())
        self.ui.monthEdit.setText(str(Month.of(today()) + 1))  # letters go out before the month starts
        self.ui.facilityCombo.currentIndexChanged.connect(lambda _i: self.reload())
        self.ui.monthEdit.editingFinished.connect(self._month_edited)
        self.ui.refreshButton.clicked.connect(lambda: self.reload())
        self.ui.allCheck.toggled.connect(self._show_all)
        self.ui.tickAllButton.clicked.connect(lambda: self.model.tick_all(True))
        self.ui.tickNoneButton.clicked.connect(lambda: self.model.tick_all(False))
        self.ui.previewButton.clicked.connect(lambda: self.preview())
        self.ui.printButton.clicked.connect(lambda: self.print_all())
        self.ui.cancelButton.clicked.connect(self.cancel)
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.reload())
        self.model.dataChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.overview: fee_assessment.PayerOverview | None = None
        self.preview_dialog: PrintPreviewDialog | None = None
        self._job = None
        self._message = ""  # the outcome of the last print run, shown when nothing runs
        self._loaded_month: Month | None = None
        runner = context.worker
        if runner is not None:
            runner.progress.connect(self._progress)
            runner.cancelled.connect(self._cancelled)
        context.signals.organization_changed.connect(lambda _org: self._reload_facilities())
        context.signals.data_changed.connect(self._data_changed)
        self._set_busy(None)
        self._reload_facilities()

    # facility and month --------------------------------------------------------------------
    def facility_id(self) -> int | None:
        return self.ui.facilityCombo.currentData()

    def month(self) -> Month | None:
        """The month typed, or None with the error shown at the field."""
        try:
            month = Month.parse(self.ui.monthEdit.text(), "ab Monat")
        except ValidationError as exc:
            self.ui.monthEdit.setProperty("error", True)
            self.ui.monthEdit.setToolTip(exc.errors[0].message)
            self._show_problem(exc.errors[0].message)
            self._restyle(self.ui.monthEdit)
            return None
        self.ui.monthEdit.setProperty("error", False)
        self.ui.monthEdit.setToolTip("Der Monat, ab dem die Festsetzung gilt (MM.JJJJ)")
        self._restyle(self.ui.monthEdit)
        return month

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _reload_facilities(self) -> None:
        combo = self.ui.facilityCombo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        org = self.context.organization
        units = organizations.list_units(self.context.db, org.id, UnitKind.FACILITY.value) if org else []
        for unit in units:
            combo.addItem(unit.name, unit.id)
        if not units:
            combo.addItem("– keine Einrichtung –", None)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.setEnabled(bool(units))
        combo.blockSignals(False)
        self.reload()

    def _data_changed(self, table: str) -> None:
        if table == "unit":
            self._reload_facilities()

    def _month_edited(self) -> None:
        month = self.month()
        if month is not None and month != self._loaded_month:
            self.reload()

    def _show_all(self, show_all: bool) -> None:
        self.model.set_show_all(show_all)
        self._update_info()

    # the payer list ------------------------------------------------------------------------
    def reload(self) -> None:
        """Find the payers and the state of their letters (on the worker)."""
        facility_id, month = self.facility_id(), self.month()
        if self._job is not None:
            return
        if facility_id is None or month is None:
            self.model.set_rows([], self.context.country)
            self.overview = None
            self._update_info()
            return
        db = self.context.db
        self._show_problem("")
        self._run("Festsetzungen ermitteln", lambda _p: fee_assessment.payer_overview(db, facility_id, month,
                                                                                      self.today()),
                  self._loaded, cancellable=False)

    def _loaded(self, overview: fee_assessment.PayerOverview) -> None:
        self.overview = overview
        self._loaded_month = overview.from_month
        self.model.set_rows(list(overview.payers), self.context.country)
        self._update_info()
        self.loaded.emit(overview)

    def _update_info(self) -> None:
        overview = self.overview
        if overview is None:
            self.ui.infoLabel.setText("")
            return
        changed = sum(1 for r in overview.payers if r.changed)
        text = f"{changed} von {len(overview.payers)} Zahlern mit Änderungen seit ihrer letzten Festsetzung"
        problems = [f"{r.name}: {p}" for r in overview.payers for p in r.problems]
        self.ui.infoLabel.setText(text)
        notes = problems + list(overview.without_data)
        if notes:
            more = f"\n… und {len(notes) - 8} weitere" if len(notes) > 8 else ""
            self._show_problem("Hinweise:\n" + "\n".join(f"• {n}" for n in notes[:8]) + more)

    def _show_problem(self, text: str) -> None:
        self.ui.problemLabel.setText(text)
        self.ui.problemLabel.setVisible(bool(text))

    def _update_buttons(self) -> None:
        idle = self._job is None
        self.ui.printButton.setEnabled(idle and bool(self.model.ticked_ids()))
        self.ui.previewButton.setEnabled(idle and self.model.rowCount() > 0)

    # preview and print ---------------------------------------------------------------------
    def current_payer(self):
        """The payer of the current row; without one, the first ticked payer (ticking a box
        does not always move the current row), or the only one in the list."""
        index = self.ui.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            ticked = set(self.model.ticked_ids())
            row = next((r for r in self.model.rows() if r.payer_id in ticked), None)
        if row is None and self.model.rowCount() == 1:
            row = self.model.row_at(0)
        return row

    def preview(self) -> bool:
        """The selected payer's letter in the print preview; nothing is recorded."""
        row, facility_id, month = self.current_payer(), self.facility_id(), self.month()
        if row is None or facility_id is None or month is None or self._job is not None:
            if row is None:
                self._show_problem("Bitte zuerst einen Zahler in der Liste anklicken oder ankreuzen.")
            return False
        db = self.context.db
        self._run(f"Festsetzung für {row.name}", lambda _p: fee_assessment.preview_assessment(
            db, facility_id, row.payer_id, month, self.today()),
            lambda pdf: self._open_preview(pdf, f"Festsetzung – {row.name} (Vorschau, nicht als versandt erfasst)",
                                           file_name(month, row.name, row.payer_id)),
            cancellable=False)
        return True

    def choose_folder(self) -> str:
        """Where one PDF per recipient goes ("" when the clerk cancels)."""
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return QFileDialog.getExistingDirectory(self, "Ordner für die Festsetzungen (eine PDF je Empfänger)", start)

    def print_all(self) -> bool:
        """The ticked payers' letters on the worker; recorded as issued when all are rendered."""
        ids, facility_id, month = self.model.ticked_ids(), self.facility_id(), self.month()
        if facility_id is None or month is None or self._job is not None:
            return False
        if not ids:
            self._show_problem("Bitte mindestens einen Zahler anhaken.")
            return False
        combined = self.ui.combinedRadio.isChecked()
        folder = None if combined else self.choose_folder()
        if not combined and not folder:
            return False
        names = {r.payer_id: r.name for r in self.model.all_rows()}
        db, user, today = self.context.db, self.context.db.user, self.today()

        def job(progress) -> Any:
            result = fee_assessment.render_assessments(db, facility_id, ids, month, user, progress.report,
                                                       progress.cancelled, combined, today)
            if combined:
                return result
            paths = []
            for payer_id, pdf in result:
                path = Path(folder) / file_name(month, names.get(payer_id, ""), payer_id)
                path.write_bytes(pdf)
                paths.append(str(path))
            return paths

        self._show_problem("")
        self._run(f"Festsetzungen drucken ({len(ids)})", job, lambda result: self._printed(result, month, len(ids)),
                  cancellable=True)
        return True

    def _printed(self, result, month: Month, count: int) -> None:
        noun = "Festsetzung" if count == 1 else "Festsetzungen"
        if isinstance(result, list):
            folder = str(Path(result[0]).parent) if result else ""
            self._say(f"{count} {noun} als PDF-Dateien gespeichert und als versandt erfasst: {folder}")
        else:
            self._say(f"{count} {noun} erstellt und als versandt erfasst.")
            facility = self.ui.facilityCombo.currentText()
            self._open_preview(result, f"Festsetzungen ab {month} – {facility}",
                               f"festsetzungen-{month.iso()}-{slug(facility)}")
        self.printed.emit(result)
        self.context.signals.data_changed.emit("fee_assessment_letter")
        self.reload()

    def _open_preview(self, pdf: bytes, title: str, suggested: str) -> None:
        self.preview_dialog = PrintPreviewDialog(pdf, title, suggested, self.window())
        self.preview_dialog.finished.connect(self.preview_dialog.deleteLater)
        self.preview_dialog.open()
        self.preview_opened.emit(self.preview_dialog)

    # jobs ----------------------------------------------------------------------------------
    def _run(self, title: str, func: Callable, on_done: Callable, cancellable: bool) -> None:
        runner = self.context.worker
        if runner is None:
            try:
                result = func(_Direct())
            except Exception as exc:  # noqa: BLE001 - shown like a worker failure
                self._failed(exc)
                return
            on_done(result)
            return
        self._job = runner.submit(title, func, on_done=lambda result: self._done(on_done, result),
                                  on_error=self._failed, owner=self)
        self._set_busy(title, cancellable)

    def _done(self, on_done: Callable, result) -> None:
        self._job = None
        self._set_busy(None)
        on_done(result)

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(None)
        if isinstance(exc, ValidationError):
            message = "Nichts gedruckt – bitte korrigieren:\n" + "\n".join(
                dict.fromkeys(f"• {e.message}" for e in exc.errors[:12]))
            self._show_problem(message)
        else:
            message = f"Die Festsetzungen konnten nicht erstellt werden:\n{exc}"
            self._show_problem(message)
            QMessageBox.warning(self, "Festsetzung", message)
        self.failed.emit(message)

    def _progress(self, job, done: int, total: int, _text: str) -> None:
        if job is self._job and self._job is not None:
            self.ui.progressBar.setRange(0, max(total, 1))
            self.ui.progressBar.setValue(done)
            self.ui.statusLabel.setText(f"{job.title}: {done} von {total}")

    def _cancelled(self, job) -> None:
        if job is self._job:
            self._job = None
            self._set_busy(None)
            self._say("Abgebrochen – es wurde nichts als versandt erfasst.")
            self.print_cancelled.emit()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.ui.cancelButton.setEnabled(False)
            self.ui.statusLabel.setText("Wird abgebrochen …")

    def _set_busy(self, title: str | None, cancellable: bool = False) -> None:
        busy = title is not None
        self.ui.progressBar.setVisible(busy)
        self.ui.progressBar.setRange(0, 0)
        self.ui.cancelButton.setVisible(busy and cancellable)
        self.ui.cancelButton.setEnabled(True)
        for widget in (self.ui.facilityCombo, self.ui.monthEdit, self.ui.refreshButton):
            widget.setEnabled(not busy and (widget is not self.ui.facilityCombo or self.facility_id() is not None))
        self.ui.statusLabel.setText(f"{title} …" if busy else self._message)
        self._update_buttons()

    def _say(self, message: str) -> None:
        self._message = message
        self.ui.statusLabel.setText(message)
