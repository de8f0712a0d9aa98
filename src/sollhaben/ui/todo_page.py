"""To-do view: the organization's due follow-ups (Wiedervorlagen), overdue ones highlighted."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, NotFoundError
from sollhaben.domain.master_data import MODULES
from sollhaben.services import followups
from sollhaben.services.dto import FollowUpDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.forms.ui_todo_page import Ui_TodoPage
from sollhaben.ui.table_model import Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

if TYPE_CHECKING:
    from sollhaben.ui.follow_up_dialog import FollowUpDialog

OVERDUE_COLOR = QColor("#b3261e")
DONE_COLOR = QColor("#7a7a7a")


class TodoPage(QWidget):
    """Lists due follow-ups; loads through the context's worker when there is one."""

    loaded = Signal(int)  # number of rows shown

    def __init__(self, context: AppContext, parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.today = today or date.today()
        self.ui = Ui_TodoPage()
        self.ui.setupUi(self)
        bold = QFont(self.font())
        bold.setBold(True)
        self.model = RowTableModel(self._columns(), foreground=self._foreground,
                                   font=lambda f: bold if self._overdue(f) else None)
        self.list = FilterableList(self.model, self, placeholder="Wiedervorlagen durchsuchen …")
        self.list.setObjectName("followUpList")
        self.ui.listLayout.addWidget(self.list)
        self.list.apply_column_widths()
        self.ui.legendLabel.setStyleSheet(f"color: {OVERDUE_COLOR.name()};")
        self.ui.untilEdit.setDate(self._qdate(self.today + timedelta(days=followups.DEFAULT_HORIZON_DAYS)))
        self.ui.untilEdit.dateChanged.connect(lambda _d: self.refresh())
        self.ui.showDoneCheck.toggled.connect(lambda _on: self.refresh())
        self.ui.newButton.clicked.connect(lambda: self.new_follow_up())
        self.ui.editButton.clicked.connect(lambda: self.edit_current())
        self.ui.doneButton.clicked.connect(lambda: self.mark_current_done())
        self.list.activated.connect(self.edit)
        self.list.current_changed.connect(lambda _row: self._update_buttons())
        context.signals.organization_changed.connect(lambda _org: self.refresh())
        context.signals.data_changed.connect(lambda table: self.refresh() if table == "follow_up" else None)
        self._update_buttons()
        self.refresh()

    # content -------------------------------------------------------------------------------
    def _columns(self) -> list[Column]:
        return [
            Column("Fällig", lambda f: f.due_date, width=90),
            Column("Betreff", lambda f: f.subject, stretch=True),
            Column("Datensatz", lambda f: f.record_label, width=170),
            Column("Zuständig", lambda f: f.assigned_to, width=90),
            Column("Modul", lambda f: MODULES.get(f.module, f.module), width=140),
            Column("Status", self._status, width=150),
        ]

    def _overdue(self, follow_up: FollowUpDTO) -> bool:
        return followups.is_overdue(follow_up, self.today)

    def _status(self, follow_up: FollowUpDTO) -> str:
        if follow_up.done:
            return "erledigt"
        if self._overdue(follow_up):
            days = (self.today - follow_up.due_date).days
            return f"überfällig ({days} {'Tag' if days == 1 else 'Tage'})"
        return "heute" if follow_up.due_date == self.today else "offen"

    def _foreground(self, follow_up: FollowUpDTO):
        if follow_up.done:
            return QBrush(DONE_COLOR)
        return QBrush(OVERDUE_COLOR) if self._overdue(follow_up) else None

    @staticmethod
    def _qdate(day: date) -> QDate:
        return QDate(day.year, day.month, day.day)

    def until(self) -> date:
        d = self.ui.untilEdit.date()
        return date(d.year(), d.month(), d.day())

    def refresh(self) -> None:
        """Reload the due list (on the worker when the shell runs one)."""
        if self.context.organization is None:
            self._show([])
            return
        db, org_id, until, include_done = (self.context.db, self.context.organization_id, self.until(),
                                           self.ui.showDoneCheck.isChecked())

        def load(_progress=None) -> list[FollowUpDTO]:
            return followups.list_due(db, org_id, until=until, today=self.today, include_done=include_done)

        runner = self.context.worker
        if runner is None:
            self._show(load())
        else:
            runner.submit("Wiedervorlagen laden", load, on_done=self._show, on_error=self._load_failed, owner=self)

    def _show(self, rows: list[FollowUpDTO]) -> None:
        current = self.list.current_row()
        self.model.set_rows(rows)
        if current is not None:
            self.list.select(lambda f: f.id == current.id)
        self._update_buttons()
        self.loaded.emit(len(rows))

    def _load_failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "Wiedervorlagen", f"Die Wiedervorlagen konnten nicht geladen werden:\n{exc}")

    # actions -------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        current = self.list.current_row()
        self.ui.newButton.setEnabled(self.context.organization is not None)
        self.ui.editButton.setEnabled(current is not None)
        self.ui.doneButton.setEnabled(current is not None and not current.done)

    def new_follow_up(self) -> FollowUpDialog:
        from sollhaben.ui.follow_up_dialog import FollowUpDialog  # imported on first use, not at start

        dialog = FollowUpDialog(self.context.db, self.context.organization_id, default_due=self.today, parent=self)
        self._open(dialog)
        return dialog

    def edit_current(self) -> FollowUpDialog | None:
        current = self.list.current_row()
        return self.edit(current) if current is not None else None

    def edit(self, follow_up: FollowUpDTO) -> FollowUpDialog:
        from sollhaben.ui.follow_up_dialog import FollowUpDialog

        dialog = FollowUpDialog(self.context.db, self.context.organization_id, follow_up, parent=self)
        self._open(dialog)
        return dialog

    def _open(self, dialog: FollowUpDialog) -> None:
        dialog.saved.connect(lambda _dto: self.context.signals.data_changed.emit("follow_up"))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # window-modal, does not block (tests drive it directly)

    def mark_current_done(self) -> None:
        current = self.list.current_row()
        if current is None or current.done:
            return
        try:
            followups.mark_done(self.context.db, self.context.organization_id, current.id, current.version)
        except (ConflictError, NotFoundError) as exc:
            QMessageBox.warning(self, "Wiedervorlage", str(exc))
        self.context.signals.data_changed.emit("follow_up")
