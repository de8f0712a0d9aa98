"""The page "Staffelberechnung": the organization's income-scale assessments (child, facility,
persons, validity, household size, tier, status, complete, follow-up), the editor that opens on
double-click, Return or "Neu", record ◄ ► over the rows marked in the list (all rows when fewer
than two are marked), transfer of one assessment and of all complete ones on the worker with the
protocol, and the calculation sheet in the print preview."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 reference-count fixes)
from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date
from sollhaben.domain.master_data import UnitKind
from sollhaben.services import organizations
from sollhaben.services.income import assessments, configuration
from sollhaben.services.kita import children
from sollhaben.services.income.dto import AssessmentRow
from sollhaben.ui.context import AppContext
from sollhaben.ui.income import jobs
from sollhaben.ui.income.assessment_editor import AssessmentEditor, AssessmentRecord
from sollhaben.ui.kita.run_worker import PageJobs
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

COLUMNS = (
    Column("Kind", lambda r: r.child_name, width=180),
    Column("Einrichtung", lambda r: r.facility_name, width=170),
    Column("Personen", lambda r: r.persons, width=220),
    Column("Gültig ab", lambda r: str(r.valid.valid_from), width=80),
    Column("Gültig bis", lambda r: str(r.valid.valid_to) if r.valid.valid_to else "offen", width=80),
    Column("Haushalt", lambda r: "" if r.household_size is None else r.household_size, ALIGN_RIGHT, width=70),
    Column("Staffel", lambda r: "" if r.tier is None else r.tier, ALIGN_RIGHT, width=60),
    Column("Status", lambda r: r.status.label, width=140),
    Column("Vollständig", lambda r: "ja" if r.complete else "", width=85),
    Column("Wiedervorlage", lambda r: format_date(r.follow_up_due) if r.follow_up_due else "", width=110),
)


class MarkedNavigator:
    """◄ ► over the rows marked in the list (two or more), else over every row shown."""

    def __init__(self, page: "AssessmentsPage") -> None:
        self.page = page

    def _ids(self) -> list[int]:
        marked = self.page.list.selected_rows()
        rows = marked if len(marked) > 1 else self.page.list.visible_rows()
        return [r.id for r in rows]

    def count(self) -> int:
        return len(self._ids())

    def id_at(self, position: int) -> int | None:
        ids = self._ids()
        return ids[position] if 0 <= position < len(ids) else None

    def position_of(self, record_id: int) -> int:
        ids = self._ids()
        return ids.index(record_id) if record_id in ids else -1


class ProtocolDialog(QDialog):
    """The transfer protocol, to read and copy."""

    def __init__(self, title: str, lines: tuple[str, ...] | list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 480)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(lines))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Schliessen")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class AssessmentsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.dialog: QDialog | None = None  # the last protocol or preview (tests look at it)
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        list_page = QWidget(self.stack)
        list_layout = QVBoxLayout(list_page)
        heading = QLabel("Staffelberechnung", list_page)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        list_layout.addWidget(heading)
        self.list = FilterableList(RowTableModel(COLUMNS), list_page,
                                   placeholder="Suchen nach Kind, Einrichtung, Person, Status …")
        self.list.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.new_button = QPushButton("&Neu", list_page)
        self.new_button.setToolTip("Neue Staffelberechnung (Strg+N)")
        self.edit_button = QPushButton("&Bearbeiten", list_page)
        self.edit_button.setToolTip("Markierte Staffelberechnung bearbeiten (Eingabetaste, Doppelklick); sind "
                                    "mehrere markiert, blättert ◄ ► nur durch diese")
        self.list.toolbar.addWidget(self.new_button)
        self.list.toolbar.addWidget(self.edit_button)
        list_layout.addWidget(self.list)
        bottom = QHBoxLayout()
        self.transfer_all_button = QPushButton("&Alle vollständigen übertragen …", list_page)
        self.transfer_all_button.setToolTip("Jede vollständige, noch nicht übertragene Staffelberechnung übertragen "
                                            "(ein Protokoll für alle)")
        self.progress = QProgressBar(list_page)
        self.progress.setMaximumWidth(220)
        self.status = QLabel("", list_page)
        self.cancel_button = QPushButton("Abbrechen", list_page)
        self.sheets_button = QPushButton("Berechnungsblätter &drucken …", list_page)
        self.sheets_button.setToolTip("Die Berechnungsblätter der markierten Staffelberechnungen in einer PDF-Datei")
        self.due_button = QPushButton("&Fällige Kinder …", list_page)
        self.due_button.setToolTip("Kinder, deren Staffelberechnung im Monat endet oder für ein einkommensabhängiges "
                                   "Entgelt fehlt")
        bottom.addWidget(self.transfer_all_button)
        bottom.addWidget(self.sheets_button)
        bottom.addWidget(self.due_button)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.cancel_button)
        list_layout.addLayout(bottom)
        self.stack.addWidget(list_page)
        self.jobs = PageJobs(context.worker, self.progress, self.status, self.cancel_button, self)
        self.jobs.busy_changed.connect(lambda busy: [b.setEnabled(not busy) for b in (
            self.transfer_all_button, self.sheets_button)])

        self.editor: AssessmentEditor | None = None
        self.list.activated.connect(lambda row: self.open_assessment(row.id))
        self.new_button.clicked.connect(self.new_assessment)
        self.edit_button.clicked.connect(self._edit_current)
        self.transfer_all_button.clicked.connect(self.transfer_all)
        self.sheets_button.clicked.connect(self.print_marked_sheets)
        self.due_button.clicked.connect(self.show_due)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), list_page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.new_assessment)
        context.signals.organization_changed.connect(lambda _org: self.reload())
        if context.organization is not None:
            self.reload()

    # data ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        org = self.context.organization
        self.list.set_rows(assessments.list_assessments(self.context.db, org.id) if org else [])
        self._build_editor()

    def _build_editor(self) -> None:
        """The editor is made for the organization's item types (its person layers list them)."""
        org = self.context.organization
        if org is None:
            return
        if self.editor is not None:
            self.stack.removeWidget(self.editor)
            self.editor.deleteLater()
        config = configuration.load_config(self.context.db, org.id)
        editor = AssessmentEditor(self.context, config, self.stack, today=self.today)
        editor.set_navigator(MarkedNavigator(self))
        editor.basic.set_facilities([(u.id, u.name) for u in organizations.list_units(
            self.context.db, org.id, UnitKind.FACILITY.value)])
        editor.basic.set_children([(c.id, f"{c.last_name}, {c.first_name}" + (f" – {c.facility_name}"
                                                                              if c.facility_name else ""),
                                    c.facility_id)
                                   for c in children.list_child_rows(self.context.db, org.id)])
        editor.reload()  # an empty form: filling the choices is no edit of the clerk
        editor.saved.connect(self._saved)
        editor.recordChanged.connect(self._select)
        editor.closed.connect(self.show_list)
        editor.transfer_requested.connect(self.transfer)
        editor.sheet_requested.connect(self.print_sheet)
        editor.follow_up_requested.connect(self.follow_up)
        self.stack.addWidget(editor)
        self.editor = editor

    def _saved(self, _assessment_id: int) -> None:
        org = self.context.organization
        self.list.set_rows(assessments.list_assessments(self.context.db, org.id))
        if self.editor is not None:
            self.editor.refresh_position()

    def _select(self, assessment_id: int | None) -> None:
        if assessment_id is None or len(self.list.selected_rows()) > 1:
            return  # keep the marked rows: ◄ ► pages through them
        proxy = self.list.proxy
        for position in range(proxy.rowCount()):
            row = proxy.row_at(proxy.index(position, 0))
            if row is not None and row.id == assessment_id:
                index = proxy.index(position, 0)
                self.list.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.list.table.scrollTo(index)
                return

    # editor ---------------------------------------------------------------------------------------
    def _edit_current(self) -> None:
        row: AssessmentRow | None = self.list.current_row()
        if row is not None:
            self.open_assessment(row.id)

    def open_assessment(self, assessment_id: int) -> bool:
        if self.editor is None or not self.editor.open_record(assessment_id):
            return False
        self.stack.setCurrentWidget(self.editor)
        return True

    def new_assessment(self) -> bool:
        if self.editor is None or not self.editor.new_record():
            return False
        self.stack.setCurrentWidget(self.editor)
        self.editor.ui.layerTabs.setCurrentIndex(0)
        self.editor.basic.child.setFocus()
        return True

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.list.table.setFocus()

    def can_leave(self) -> bool:
        return self.editor is None or self.stack.currentWidget() is not self.editor or self.editor.confirm_leave()

    # actions --------------------------------------------------------------------------------------
    def transfer(self, record: AssessmentRecord) -> bool:
        """„Übertragen“ of the editor's assessment on the worker (it reads the child's facility as the
        billing run does), in one transaction; then the protocol."""
        db, user, today = self.context.db, self.context.db.user, self.today()
        self.editor.transfer_button.setEnabled(False)
        return self.jobs.run("Staffelberechnung übertragen",
                             lambda _progress: assessments_transfer(db, record, user, today),
                             self._transferred, self._transfer_failed)

    def _transfer_failed(self, exc: BaseException) -> None:
        editor = self.editor
        editor.transfer_button.setEnabled(editor.record is not None)
        if isinstance(exc, ConflictError):
            editor.notice.show("Die Staffelberechnung oder die Abrechnungsdaten des Kindes wurden inzwischen "
                               "geändert – bitte neu laden und noch einmal übertragen.", "error",
                               [("Neu laden", editor.reload)])
        elif isinstance(exc, (ValidationError, NotFoundError)):
            editor.notice.show(str(exc), "error")
        else:
            editor.notice.show(f"Das Übertragen ist fehlgeschlagen; es wurde nichts geändert: {exc}", "error")

    def _transferred(self, result) -> None:
        editor = self.editor
        editor.open_record(result.assessment_id)
        editor.notice.show(f"Übertragen: Staffel {result.tier} für {result.valid}; "
                           f"{result.periods_changed} Zeiträume geändert, {result.periods_created} angelegt. Die "
                           f"Sollstellung {result.run_month} berechnet abgerechnete Monate nach.", "info")
        self._saved(result.assessment_id)
        self.context.signals.data_changed.emit("billing_period")
        self.dialog = ProtocolDialog(f"Protokoll – {result.heading}", result.lines, self)
        self.dialog.open()

    def transfer_all(self) -> bool:
        org = self.context.organization
        if org is None:
            return False
        db, user, today = self.context.db, self.context.db.user, self.today()
        return self.jobs.run("Staffelberechnungen übertragen",
                             lambda progress: jobs.transfer_all(db, org.id, user, today, progress),
                             self._transferred_all, self._failed, cancellable=True)

    def _transferred_all(self, result) -> None:
        self.jobs.say(result.summary)
        self._saved(0)
        self.context.signals.data_changed.emit("billing_period")
        self.dialog = ProtocolDialog("Protokoll – alle vollständigen Staffelberechnungen übertragen",
                                     result.lines, self)
        self.dialog.open()

    def _failed(self, exc: BaseException) -> None:
        self.jobs.say(f"Fehler: {exc}")

    def print_sheet(self, record: AssessmentRecord) -> bool:
        db, today = self.context.db, self.today()
        return self.jobs.run("Berechnungsblatt", lambda progress: jobs.sheet_pdf(db, record.id, today, progress),
                             lambda pdf: self._show_sheet(record, pdf), self._sheet_failed)

    def _show_sheet(self, record: AssessmentRecord, pdf: bytes) -> None:
        from sollhaben.ui.print_preview import PrintPreviewDialog

        a = record.dto.assessment
        title = f"Berechnungsblatt – {record.dto.child_name} ab {a.valid_from}"
        name = f"berechnungsblatt-{record.id}-{a.valid_from.iso() if a.valid_from else ''}.pdf"
        self.dialog = PrintPreviewDialog(pdf, title, name, self)
        self.dialog.open()

    def print_marked_sheets(self) -> bool:
        """The marked assessments' sheets in one PDF (a print run on the worker), then the preview."""
        ids = [r.id for r in self.list.selected_rows()]
        if not ids:
            self.jobs.say("Bitte zuerst Staffelberechnungen in der Liste markieren.")
            return False
        db, today = self.context.db, self.today()
        return self.jobs.run("Berechnungsblätter", lambda progress: jobs.sheets_pdf(db, ids, today, progress),
                             lambda pdf: self._show_sheets(pdf, len(ids)), self._failed, cancellable=True)

    def _show_sheets(self, pdf: bytes, count: int) -> None:
        from sollhaben.ui.print_preview import PrintPreviewDialog

        self.dialog = PrintPreviewDialog(pdf, f"Berechnungsblätter ({count})", "berechnungsblaetter.pdf", self)
        self.dialog.open()

    def show_due(self) -> None:
        """Children whose assessment ends next month or is missing for an income-dependent fee."""
        from sollhaben.domain.months import Month
        from sollhaben.services.income.bulk import due_children

        month = Month.of(self.today()) + 1
        rows = due_children(self.context.db, self.context.organization_id, month)
        lines = [f"{r.child_name} ({r.facility_name}): {r.text}" for r in rows] or [
            f"Keine Kinder: Für {month} hat jedes Kind mit einkommensabhängigem Entgelt eine Staffelberechnung."]
        self.dialog = ProtocolDialog(f"Fällige Staffelberechnungen für {month}", lines, self)
        self.dialog.open()

    def _sheet_failed(self, exc: BaseException) -> None:
        if self.editor is not None:
            self.editor.notice.show(f"Das Berechnungsblatt konnte nicht erstellt werden: {exc}", "error")

    def follow_up(self, record: AssessmentRecord) -> None:
        from sollhaben.services.income.context import RECORD_TYPE
        from sollhaben.ui.follow_up_dialog import FollowUpDialog

        a = record.dto.assessment
        label = f"{record.dto.child_name} ab {a.valid_from}"
        self.dialog = FollowUpDialog(self.context.db, self.context.organization_id,
                                     record=(RECORD_TYPE, record.id, label), module="income", parent=self)
        self.dialog.saved.connect(lambda _dto: (self._saved(record.id),
                                                self.context.signals.data_changed.emit("follow_up")))
        self.dialog.open()


def assessments_transfer(db, record: AssessmentRecord, user: str, today: date):
    from sollhaben.services.income.transfer import transfer_assessment

    return transfer_assessment(db, record.id, user, version=record.version, today=today)

