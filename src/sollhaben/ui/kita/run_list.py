"""The tab "Sollstellungen" of the page "Sollstellung": the facility's runs and undos (newest first),
the run list (Sollstellungsliste) of the marked run as print preview or Excel file, the subsidy
list (Zuschussliste) of a month, and the undo of the facility's latest run. Reports are rendered
and the undo runs on the worker; the list itself is a small read on the GUI thread."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import QItemSelectionModel, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.formatting import format_money
from sollhaben.domain.months import Month
from sollhaben.services.kita import billing_run
from sollhaben.services.kita.billing_run_dto import RunRowDTO, UndoResultDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import NoticeBar
from sollhaben.ui.forms.ui_kita_run_page import Ui_RunPage
from sollhaben.ui.kita import run_dialogs, run_jobs
from sollhaben.ui.kita.run_models import RUN_COLUMNS, run_foreground
from sollhaben.ui.kita.run_preview import RUNS, setup_table
from sollhaben.ui.kita.run_worker import PageJobs
from sollhaben.ui.table_model import RowTableModel


class RunList(QObject):
    """`loaded(rows)`, `undone(UndoResultDTO)`, `preview_opened(dialog)`, `saved(path)`, `failed(text)`."""

    loaded = Signal(list)
    undone = Signal(object)
    preview_opened = Signal(object)
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, context: AppContext, ui: Ui_RunPage, jobs: PageJobs, notice: NoticeBar,
                 facility: Callable[[], tuple[int | None, str]], page: QWidget,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(page)
        self.context, self.ui, self.jobs, self.notice, self.facility, self.page, self.today = (
            context, ui, jobs, notice, facility, page, today)
        self.model = RowTableModel(RUN_COLUMNS, parent=self, foreground=run_foreground)
        setup_table(ui.runsTable, self.model)
        ui.runsTable.doubleClicked.connect(lambda _index: self.show_run_list())
        ui.runsTable.selectionModel().currentRowChanged.connect(lambda *_a: self.update_buttons())
        ui.runListButton.clicked.connect(lambda: self.show_run_list())
        ui.runListXlsxButton.clicked.connect(lambda: self.save_run_list())
        ui.subsidyButton.clicked.connect(lambda: self.subsidy_list())
        ui.undoButton.clicked.connect(lambda: self.undo_last())
        self.subsidy_dialog: run_dialogs.SubsidyDialog | None = None

    # the list ----------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        facility_id, _name = self.facility()
        rows = billing_run.list_runs(self.context.db, facility_id) if facility_id is not None else []
        self.model.set_rows(rows)
        position = self.model.find(lambda r: r.id == select_id) if select_id is not None else -1
        if position < 0:
            position = self.model.find(lambda r: r.kind == "RUN")
        if position >= 0:
            self.ui.runsTable.selectionModel().setCurrentIndex(
                self.model.index(position, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.ui.tabs.setTabText(RUNS, f"Sollstellungen ({sum(1 for r in rows if r.kind == 'RUN')})")
        self.update_buttons()
        self.loaded.emit(rows)

    def current_run(self) -> RunRowDTO | None:
        """The marked row's run (for an undo row: the run it reversed)."""
        index = self.ui.runsTable.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None and row.kind == "UNDO":
            reversed_id = next((r.id for r in self.model.rows() if r.reversed_by_id == row.id), None)
            row = next((r for r in self.model.rows() if r.id == reversed_id), None)
        return row

    def last_run(self) -> RunRowDTO | None:
        """The facility's latest run that was not undone (the one an undo would reverse)."""
        live = [r for r in self.model.rows() if r.kind == "RUN" and r.reversed_by_id is None]
        return max(live, key=lambda r: (r.month.index, r.id)) if live else None

    def update_buttons(self) -> None:
        idle = not self.jobs.busy
        has_run = self.current_run() is not None
        self.ui.runListButton.setEnabled(idle and has_run)
        self.ui.runListXlsxButton.setEnabled(idle and has_run)
        self.ui.subsidyButton.setEnabled(idle and self.facility()[0] is not None)
        last = self.last_run()
        self.ui.undoButton.setEnabled(idle and last is not None)
        self.ui.undoButton.setToolTip(
            f"Die Sollstellung {last.month} (Nr. {last.id}) durch Stornobuchungen zurücknehmen – nur solange "
            "keine Zahlung ihren Buchungen zugeordnet ist" if last else "Es gibt keine Sollstellung zum Zurücknehmen.")

    # reports -----------------------------------------------------------------------------
    def _file_stem(self, kind: str, month: Month) -> str:
        return f"{kind}-{month.iso()}-{run_dialogs.slug(self.facility()[1]) or 'einrichtung'}"

    def show_run_list(self, run_id: int | None = None) -> bool:
        """The run list of the marked run (or `run_id`) in the print preview, rendered on the worker."""
        run = self._run(run_id)
        if run is None:
            return False
        title = f"Sollstellungsliste {run.month} – {self.facility()[1]}"
        return self.jobs.run(f"Sollstellungsliste {run.month}", partial(run_jobs.run_list_pdf, self.context.db, run.id),
                             lambda pdf: self._open(pdf, title, self._file_stem("sollstellungsliste", run.month)),
                             self._report_failed)

    def save_run_list(self, run_id: int | None = None) -> bool:
        run = self._run(run_id)
        if run is None:
            return False
        path = run_dialogs.choose_xlsx(self.page, "Sollstellungsliste als Excel speichern",
                                       self._file_stem("sollstellungsliste", run.month) + ".xlsx")
        if not path:
            return False
        return self.jobs.run(f"Sollstellungsliste {run.month} als Excel",
                             partial(run_jobs.run_list_xlsx, self.context.db, run.id, path), self._saved,
                             self._report_failed)

    def subsidy_list(self) -> run_dialogs.SubsidyDialog | None:
        """Ask for the month (the marked run's month is proposed); then preview or save as Excel."""
        if self.facility()[0] is None:
            return None
        run = self.current_run()
        self.subsidy_dialog = run_dialogs.SubsidyDialog(run.month if run else None, self.page)
        self.subsidy_dialog.chosen.connect(self.make_subsidy_list)
        self.subsidy_dialog.finished.connect(self.subsidy_dialog.deleteLater)
        self.subsidy_dialog.open()
        return self.subsidy_dialog

    def make_subsidy_list(self, month: Month, output: str) -> bool:
        facility_id, name = self.facility()
        if facility_id is None:
            return False
        stem = self._file_stem("zuschussliste", month)
        if output == "xlsx":
            path = run_dialogs.choose_xlsx(self.page, "Zuschussliste als Excel speichern", stem + ".xlsx")
            if not path:
                return False
            return self.jobs.run(f"Zuschussliste {month} als Excel",
                                 partial(run_jobs.subsidy_xlsx, self.context.db, facility_id, month, path),
                                 self._saved, self._report_failed)
        return self.jobs.run(f"Zuschussliste {month}", partial(run_jobs.subsidy_pdf, self.context.db, facility_id, month),
                             lambda pdf: self._open(pdf, f"Zuschussliste {month} – {name}", stem),
                             self._report_failed)

    def _run(self, run_id: int | None) -> RunRowDTO | None:
        if run_id is not None:
            return next((r for r in self.model.rows() if r.id == run_id), None)
        return self.current_run()

    def _open(self, pdf: bytes, title: str, suggested: str) -> None:
        self.preview_opened.emit(run_dialogs.open_pdf(self.page, pdf, title, suggested))

    def _saved(self, path: str) -> None:
        self.jobs.say(f"Gespeichert: {path}")
        self.saved.emit(path)

    def _report_failed(self, exc: BaseException) -> None:
        message = f"Die Liste konnte nicht erstellt werden:\n{exc}"
        self.notice.show(message, "error")
        self.failed.emit(message)

    # undo --------------------------------------------------------------------------------
    def undo_last(self, ask: bool = True) -> bool:
        """After a confirmation, reverse the facility's latest run on the worker."""
        facility_id, name = self.facility()
        last = self.last_run()
        if facility_id is None or last is None or self.jobs.busy:
            return False
        total = format_money(last.total, self.context.country, with_currency=True)
        text = (f"Die Sollstellung {last.month} der Einrichtung „{name}“ (Nr. {last.id}, {last.postings} Buchungen, "
                f"{total}) zurücknehmen?\n\nJede ihrer Buchungen erhält eine Stornobuchung; zurückgesetzte Anzahlen "
                f"und Beträge werden wiederhergestellt. Danach kann {last.month} erneut gebucht werden.")
        if ask and not run_dialogs.confirm(self.page, "Letzte Sollstellung zurücknehmen", text, "Zurücknehmen"):
            return False
        db, user = self.context.db, self.context.db.user
        return self.jobs.run(f"Sollstellung {last.month} zurücknehmen",
                             partial(run_jobs.undo, db, facility_id, last.id, user, self.today()),
                             self._undone, self._undo_failed)

    def _undone(self, result: UndoResultDTO) -> None:
        total = format_money(result.total_reversed, self.context.country, with_currency=True)
        text = (f"Sollstellung {result.month} zurückgenommen: {result.reversals} Stornobuchungen über {total}, "
                f"{result.counts_restored} Anzahlen und Beträge wiederhergestellt.")
        if result.not_restored:
            text += "\n" + "\n".join(f"• {note}" for note in result.not_restored)
        self.notice.show(text, "info")
        self.jobs.say(text.splitlines()[0])
        self.context.signals.data_changed.emit("posting")
        self.undone.emit(result)  # the page shows the month to run again and the runs

    def _undo_failed(self, exc: BaseException) -> None:
        message = run_dialogs.expected_message(exc)
        if message is not None:
            self.notice.show(message, "error")
        else:
            message = f"Die Sollstellung konnte nicht zurückgenommen werden:\n{exc}"
            self.notice.show(message, "error")
            QMessageBox.warning(self.page, "Sollstellung zurücknehmen", message)
        self.reload()
        self.failed.emit(message)
