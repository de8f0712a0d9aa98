"""The page "Sollstellung": the monthly billing run of a facility.

Choose the facility; the month proposed is the facility's next billing month (months run in
order, `services.kita.billing_run_next`). "Vorschau" (F5) computes the run on the worker with
progress and "Abbrechen" and shows the month's postings, the recalculations of earlier months,
the totals and every problem (double-click: `open_child(child_id)`). "Sollstellung buchen …" asks
with month, facility, count and total and posts on the worker; the window stays usable, a cancel
before the commit posts nothing, a refusal (month out of order, already posted) is shown in German.
The tab "Sollstellungen" (`run_list.RunList`) lists the runs with their reports and the undo.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ValidationError
from sollhaben.domain.master_data import UnitKind
from sollhaben.domain.months import Month
from sollhaben.services import organizations
from sollhaben.services.kita.billing_run_dto import RunResultDTO
from sollhaben.services.kita.billing_run_next import NextRunMonth, next_run_month
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, NoticeBar
from sollhaben.ui.forms.ui_kita_run_page import Ui_RunPage
from sollhaben.ui.kita import run_dialogs, run_jobs
from sollhaben.ui.kita.run_list import RunList
from sollhaben.ui.kita.run_preview import (
    LINES,
    PROBLEMS,
    RUNS,
    PreviewView,
    postings_text,
)
from sollhaben.ui.kita.run_worker import PageJobs


def problem_lines(count: int, singular: str = "", plural: str = "") -> str:
    """"1 Zeile hat", "3 Zeilen haben" (the verb is optional)."""
    verb = f" {singular if count == 1 else plural}" if singular else ""
    return f"{count} {'Zeile' if count == 1 else 'Zeilen'}{verb}"


class RunPage(QWidget):
    open_child = Signal(int)  # a problem's child, for the page "Kinder"
    previewed = Signal(object)  # run_jobs.PreviewResult
    posted = Signal(object)  # RunResultDTO
    refused = Signal(str)  # the German reason a run was not posted
    run_cancelled = Signal(str)  # the title of the cancelled job

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.ui = Ui_RunPage()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.notice = NoticeBar(self.ui.noticeFrame, self.ui.noticeLabel, self.ui.noticeActions)
        self.jobs = PageJobs(context.worker, self.ui.progressBar, self.ui.statusLabel, self.ui.cancelButton, self)
        self.view = PreviewView(self.ui, context.country, self)
        self.runs = RunList(context, self.ui, self.jobs, self.notice, self.facility, self, today)
        self.next: NextRunMonth | None = None
        self._post_after_preview = False
        self._post_title = ""  # the title of the posting job (a cancel of it posts nothing)
        self._confirmed: tuple | None = None  # postings and total of the preview the clerk confirmed

        self.view.open_child.connect(self.open_child)
        self.runs.undone.connect(lambda result: self.facility_changed(result.undo_id))
        self.jobs.busy_changed.connect(lambda _busy: self._update_buttons())
        self.jobs.cancelled.connect(self._cancelled)
        self.ui.facilityCombo.currentIndexChanged.connect(lambda _i: self.facility_changed())
        self.ui.monthEdit.editingFinished.connect(self._month_edited)
        self.ui.monthEdit.returnPressed.connect(lambda: self.preview())
        self.ui.previewButton.clicked.connect(lambda: self.preview())
        self.ui.postButton.clicked.connect(lambda: self.post())
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.preview())
        context.signals.organization_changed.connect(lambda _org: self.reload_facilities())
        context.signals.data_changed.connect(self._data_changed)
        self.reload_facilities()

    # facility and month --------------------------------------------------------------------
    def facility(self) -> tuple[int | None, str]:
        combo = self.ui.facilityCombo
        return combo.currentData(), combo.currentText() if combo.currentData() is not None else ""

    def facility_id(self) -> int | None:
        return self.ui.facilityCombo.currentData()

    def month(self) -> Month | None:
        """The month typed, or None with the error shown at the field."""
        edit = self.ui.monthEdit
        try:
            month = Month.parse(edit.text(), "Abrechnungsmonat")
        except ValidationError as exc:
            self._mark_month(exc.errors[0].message)
            self.notice.show(exc.errors[0].message, "error")
            return None
        self._mark_month("")
        return month

    def _mark_month(self, error: str) -> None:
        edit = self.ui.monthEdit
        edit.setProperty("fieldError", bool(error))
        edit.setToolTip(error or "Der Monat der Sollstellung (MM.JJJJ); vorgeschlagen ist der nächste "
                                 "Abrechnungsmonat der Einrichtung")
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    def reload_facilities(self) -> None:
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
        combo.blockSignals(False)
        self.view.set_country(self.context.country)
        self.facility_changed()

    def facility_changed(self, run_id: int | None = None) -> None:
        """Another facility, or a run posted or refused: the next month, the runs (`run_id` marked,
        the tab shown), no preview. After a post the notice with its result stays."""
        if run_id is None:
            self.notice.clear()
        facility_id = self.facility_id()
        self.next = next_run_month(self.context.db, facility_id) if facility_id is not None else None
        self.ui.monthEdit.setText(str(self.next.month) if self.next and self.next.month else "")
        self._mark_month("")
        self.view.show(None)
        self.runs.reload(run_id)
        if run_id is not None:
            self.ui.tabs.setCurrentIndex(RUNS)
        self._show_next()
        self._update_buttons()

    def _show_next(self) -> None:
        label, nxt = self.ui.nextMonthLabel, self.next
        if nxt is None:
            label.setText("Bitte zuerst unter „Einheiten“ eine Einrichtung anlegen.")
            return
        if nxt.month is None:
            label.setText(nxt.reason)
            return
        text = f"Nächster Abrechnungsmonat: <b>{nxt.month}</b> – {nxt.reason}"
        typed = self._typed_month()
        if typed is not None and typed != nxt.month and not nxt.free:
            text += (f" <span style='color:#b3261e'>Gewählt ist {typed}: gebucht werden kann nur {nxt.month}; "
                     "die Vorschau zeigt, was dieser Monat ergäbe.</span>")
        elif self.view.result is None:
            text += " „Vorschau“ (F5) berechnet die Sollstellung, ohne zu buchen."
        label.setText(text)

    def _typed_month(self) -> Month | None:
        try:
            return Month.parse(self.ui.monthEdit.text(), "Abrechnungsmonat")
        except ValidationError:
            return None

    def _month_edited(self) -> None:
        result = self.view.result
        if self.month() is not None and (result is None or result.preview.month != self._typed_month()):
            self.view.show(None)
            self.notice.clear()
        self._show_next()
        self._update_buttons()

    def _data_changed(self, table: str) -> None:
        if table == "unit":
            self.reload_facilities()

    def _update_buttons(self) -> None:
        idle, facility_id = not self.jobs.busy, self.facility_id()
        self.ui.facilityCombo.setEnabled(idle and facility_id is not None)
        self.ui.monthEdit.setEnabled(idle and facility_id is not None)
        self.ui.previewButton.setEnabled(idle and facility_id is not None)
        result = self.view.result
        refusal = result.preview.refusal if result is not None else ""
        self.ui.postButton.setEnabled(idle and facility_id is not None and not refusal)
        self.ui.postButton.setToolTip(refusal or "Die Sollstellung des Monats buchen (nach einer Rückfrage mit Anzahl "
                                                 "und Summe; ohne Vorschau wird sie zuerst berechnet)")
        self.runs.update_buttons()

    # preview -------------------------------------------------------------------------------
    def preview(self, then_post: bool = False) -> bool:
        """Compute the run of the month on the worker (nothing is posted)."""
        facility_id, month = self.facility_id(), self.month()
        if facility_id is None or month is None or self.jobs.busy:
            return False
        self.notice.clear()
        self._post_after_preview = then_post
        org = self.context.organization_id
        return self.jobs.run(f"Vorschau Sollstellung {month}",
                             partial(run_jobs.preview, self.context.db, org, facility_id, month),
                             self._previewed, self._failed, cancellable=True)

    def _previewed(self, result: run_jobs.PreviewResult) -> None:
        preview = result.preview
        self.view.show(result)
        self._show_next()
        self.ui.tabs.setCurrentIndex(LINES if preview.lines or not preview.problems else PROBLEMS)
        if preview.refusal:
            self.notice.show(preview.refusal, "error")
        elif preview.problems:
            self.notice.show(f"{problem_lines(len(preview.problems), 'hat', 'haben')} ein Problem und "
                             f"{'wird' if len(preview.problems) == 1 else 'werden'} nicht gebucht, bis die "
                             "Abrechnungsdaten korrigiert sind.", "warning",
                             [("Probleme zeigen", self.view.focus_problems)])
        self.jobs.say(f"Vorschau {preview.month}: {postings_text(len(preview.lines) + len(preview.recalculations))}, "
                      f"{self.view.money(preview.total)} – nichts gebucht.")
        self._update_buttons()
        self.previewed.emit(result)
        if self._post_after_preview and not preview.refusal:
            self._post_after_preview = False
            self.post()

    # post ----------------------------------------------------------------------------------
    def confirmation_text(self) -> str:
        preview, name = self.view.result.preview, self.facility()[1]
        count = len(preview.lines) + len(preview.recalculations)
        text = (f"Sollstellung {preview.month} für „{name}“ buchen?\n\n"
                f"{postings_text(count)} für {preview.children} Kinder, Summe {self.view.money(preview.total)}")
        if preview.recalculations:
            text += (f"\n(davon Nachberechnungen früherer Monate: {postings_text(len(preview.recalculations))}, "
                     f"{self.view.money(preview.totals.recalculation)})")
        if preview.problems:
            text += (f"\n\n{problem_lines(len(preview.problems))} mit einem Problem "
                     f"{'wird' if len(preview.problems) == 1 else 'werden'} nicht gebucht.")
        return text + "\n\nEine gebuchte Sollstellung lässt sich nur als Ganzes zurücknehmen."

    def post(self, ask: bool = True) -> bool:
        """Post the previewed month after the confirmation (without a preview, compute it first)."""
        facility_id, month = self.facility_id(), self.month()
        if facility_id is None or month is None or self.jobs.busy:
            return False
        result = self.view.result
        if result is None or result.preview.month != month or result.preview.facility_id != facility_id:
            return self.preview(then_post=True)
        if result.preview.refusal:
            self.notice.show(result.preview.refusal, "error")
            return False
        if ask and not run_dialogs.confirm(self, "Sollstellung buchen", self.confirmation_text(), "Buchen"):
            return False
        self.notice.clear()
        self._confirmed = (len(result.preview.lines) + len(result.preview.recalculations), result.preview.total)
        db, user = self.context.db, self.context.db.user
        self._post_title = f"Sollstellung {month} buchen"
        return self.jobs.run(self._post_title,
                             partial(run_jobs.post, db, facility_id, month, user, self.today()),
                             self._posted, self._failed, cancellable=True)

    def _posted(self, result: RunResultDTO) -> None:
        total = self.view.money(result.total)
        text = (f"Sollstellung {result.month} für „{result.facility_name}“ gebucht (Nr. {result.run_id}): "
                f"{postings_text(result.postings)} für {result.children} Kinder, {total}")
        if result.recalculation_postings:
            text += f", davon {postings_text(result.recalculation_postings)} Nachberechnung"
        if result.resets:
            text += f"; {result.resets} Anzahlen und Beträge auf 0 gesetzt"
        if result.problems:
            text += (f". {problem_lines(len(result.problems))} mit einem Problem "
                     f"{'wurde' if len(result.problems) == 1 else 'wurden'} nicht gebucht")
        if self._confirmed is not None and self._confirmed != (result.postings, result.total):
            count, total_ = self._confirmed
            text += (f". Die Vorschau hatte {postings_text(count)} und {self.view.money(total_)} gezeigt – die "
                     "Abrechnungsdaten wurden inzwischen geändert")
        self.notice.show(text + ".", "info",
                         [("Sollstellungsliste anzeigen", partial(self.runs.show_run_list, result.run_id))])
        self.context.signals.data_changed.emit("posting")
        self.facility_changed(result.run_id)
        self.jobs.say(f"Sollstellung {result.month} gebucht: {postings_text(result.postings)}, {total}.")
        self.posted.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._post_after_preview = False
        message = run_dialogs.expected_message(exc)
        if message is not None:  # a refusal: month out of order, already posted
            self.notice.show(message, "error")
            self.jobs.say("Nichts gebucht.")
            self.refused.emit(message)
        else:
            message = f"Die Sollstellung ist fehlgeschlagen; es wurde nichts gebucht:\n{exc}"
            self.notice.show(message, "error")
            QMessageBox.warning(self, "Sollstellung", message)
            self.refused.emit(message)
        self.runs.reload()
        self._update_buttons()

    def _cancelled(self, title: str) -> None:
        self._post_after_preview = False
        posting = title == self._post_title
        self.jobs.say("Abgebrochen – es wurde nichts gebucht." if posting else "Vorschau abgebrochen.")
        if posting:
            self.notice.show(f"„{title}“ wurde abgebrochen – es wurde nichts gebucht.", "warning")
        self._update_buttons()
        self.run_cancelled.emit(title)

    def cancel(self) -> None:
        self.jobs.cancel()
