"""The read-only account statement (Kontoauszug): postings with running balance from the opening
balance, open items at the end date with their open amount and their sums by month and category,
the unallocated credit. Reversed postings and reversals are marked, so are pending direct debits.
„Drucken / PDF …“ opens the statement letter (CH: with QR-bill) in the print preview, „Excel …“
saves it as XLSX; both run on the worker."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.formatting import format_money, parse_optional_date
from sollhaben.domain.money import Money
from sollhaben.domain.ledger import PostingSource
from sollhaben.services.dto import PostingDTO, StatementDTO, StatementLine
from sollhaben.services.receivables.statement import AccountStatement, group_open_items, load_statement
from sollhaben.services.receivables.statement_labels import CATEGORY_LABELS, category_label, pending_mark, reversal_mark
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, FieldErrorView
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel

__all__ = ["CATEGORY_LABELS", "StatementView", "category_label", "posting_status"]
_GREY = QColor("#7a7a7a")
_BLUE = QColor("#1f5fa8")


def posting_status(p: PostingDTO) -> str:
    """Reversal marks, else the pending direct debit."""
    return reversal_mark(p.reverses_id, p.reversed_by_id) or pending_mark(getattr(p, "pending_until", None))


class _Direct:
    """What a job function gets when there is no worker (tests, CLI-like use)."""

    report = staticmethod(lambda *_args: None)
    cancelled = staticmethod(lambda: False)


def _table(model: RowTableModel, parent: QWidget, stretch: int) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # the text takes what is left
    for i, column in enumerate(model.columns):
        if column.width:
            view.setColumnWidth(i, column.width)
    return view


class StatementView(QWidget):
    """`preview_opened(dialog)` when the PDF is shown; `exported(path)` after „Excel …“;
    `failed(message)` when a job could not be done."""

    preview_opened = Signal(object)
    exported = Signal(str)
    failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context = context
        self.today = today
        self.statement: StatementDTO | AccountStatement | None = None
        self._account_id: int | None = None
        self._job = None
        self.preview_dialog = None
        self.setStyleSheet(ERROR_STYLE)
        self.title = QLabel("Kein Konto gewählt", self)
        self.title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.date_from, self.date_to = QLineEdit(self), QLineEdit(self)
        for edit, placeholder in ((self.date_from, "Von TT.MM.JJJJ"), (self.date_to, "Bis TT.MM.JJJJ")):
            edit.setPlaceholderText(placeholder)
            edit.setMaximumWidth(130)
            edit.returnPressed.connect(self.refresh)
        self.show_button = QPushButton("&Anzeigen", self)
        self.show_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("&Drucken / PDF …", self)
        self.print_button.setToolTip("Kontoauszug als Brief in der Druckvorschau (CH: mit QR-Einzahlungsschein "
                                     "für den offenen Saldo)")
        self.print_button.clicked.connect(lambda: self.print_pdf())
        self.excel_button = QPushButton("E&xcel …", self)
        self.excel_button.setToolTip("Kontoauszug als Excel-Datei speichern (Buchungen, offene Posten, Summen)")
        self.excel_button.clicked.connect(lambda: self.export_xlsx())
        period = QHBoxLayout()
        for widget in (self.date_from, self.date_to, self.show_button):
            period.addWidget(widget)
        period.addStretch(1)
        period.addWidget(self.print_button)
        period.addWidget(self.excel_button)
        form = QFormLayout()
        form.addRow("Zeitraum:", period)
        self.errors = FieldErrorView(self)
        self.errors.register("date_from", self.date_from)
        self.errors.register("date_to", self.date_to)

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        for n, (key, text) in enumerate((("opening", "Anfangssaldo"), ("closing", "Saldo"),
                                         ("open", "Offene Posten"), ("credit", "Unzugeordnetes Guthaben"))):
            row, column = divmod(n, 2)  # two rows of two figures: fits a 1280-pixel laptop screen
            grid.addWidget(QLabel(f"{text}:", self), row, 2 * column)
            value = QLabel("–", self)
            value.setObjectName(f"figure_{key}")
            value.setStyleSheet("font-weight: 600; padding-right: 18px;")
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("-999.999,99 EUR") + 18)
            grid.addWidget(value, row, 2 * column + 1)
            self.figures[key] = value
        grid.setColumnStretch(4, 1)

        money = self._money
        self.postings = RowTableModel((
            Column("Datum", lambda line: line.posting.booking_date, width=80),
            Column("Nr.", lambda line: line.posting.id, ALIGN_RIGHT, width=42),
            Column("Monat", lambda line: line.posting.value_month, width=62),
            Column("Kategorie", lambda line: category_label(line.posting.category), width=88),
            Column("Text", lambda line: line.posting.text, width=150, cell_tooltip=True),
            Column("Soll", lambda line: line.posting.amount if line.posting.amount.minor > 0 else None,
                   ALIGN_RIGHT, formatter=money, width=80),
            Column("Haben", lambda line: -line.posting.amount if line.posting.amount.minor < 0 else None,
                   ALIGN_RIGHT, formatter=money, width=80),
            Column("Saldo", lambda line: line.balance, ALIGN_RIGHT, formatter=money, width=84),
            Column("Vermerk", lambda line: posting_status(line.posting), width=150, cell_tooltip=True),
        ), parent=self, foreground=self._posting_color, font=self._posting_font)
        self.open_items = RowTableModel((
            Column("Fällig", lambda p: p.due_date, width=80),
            Column("Nr.", lambda p: p.id, ALIGN_RIGHT, width=42),
            Column("Monat", lambda p: p.value_month, width=62),
            Column("Kategorie", lambda p: category_label(p.category), width=88),
            Column("Text", lambda p: p.text, width=150, cell_tooltip=True),
            Column("Betrag", lambda p: p.amount, ALIGN_RIGHT, formatter=money, width=76),
            Column("Offen", lambda p: p.open_amount, ALIGN_RIGHT, formatter=money, width=76),
        ), parent=self)
        self._bold = QFont()
        self._bold.setBold(True)
        # sums by month and category; a month's first row names it, a month of several categories
        # gets a subtotal row (rows: (month text, category text, count, amount, is subtotal))
        self.groups = RowTableModel((
            Column("Monat", lambda g: g[0], width=62),
            Column("Kategorie", lambda g: g[1], width=105),
            Column("Posten", lambda g: g[2], ALIGN_RIGHT, width=50),
            Column("Offen", lambda g: g[3], ALIGN_RIGHT, formatter=money, width=84),
        ), parent=self, font=lambda g: self._bold if g[4] else None)
        self.postings_view = _table(self.postings, self, stretch=4)  # the text takes the rest; Vermerk is short
        self.open_items_view = _table(self.open_items, self, stretch=4)
        self.groups_view = _table(self.groups, self, stretch=1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        bottom = QSplitter(Qt.Orientation.Horizontal, splitter)
        for holder, label, view in ((splitter, "Buchungen mit laufendem Saldo", self.postings_view),
                                    (bottom, "Offene Posten", self.open_items_view),
                                    (bottom, "Nach Monat und Kategorie", self.groups_view)):
            box = QWidget(holder)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 6, 0, 0)
            heading = QLabel(label, box)
            heading.setStyleSheet("font-weight: 600;")
            box_layout.addWidget(heading)
            box_layout.addWidget(view)
        splitter.addWidget(bottom)
        # the sums keep the width their columns need; the open items (with their texts) get the rest
        self.groups_view.setMinimumWidth(sum(c.width or 0 for c in self.groups.columns) + 24)
        bottom.setStretchFactor(0, 1)
        bottom.setStretchFactor(1, 0)
        bottom.setSizes([1000, self.groups_view.minimumWidth()])
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _money(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, self.context.country)

    @staticmethod
    def _posting_color(line: StatementLine):
        p = line.posting
        if p.reversed_by_id is not None or p.source == PostingSource.REVERSAL.value:
            return _GREY
        return _BLUE if getattr(p, "pending_until", None) is not None else None

    @staticmethod
    def _posting_font(line: StatementLine):
        if line.posting.reversed_by_id is None:
            return None
        font = QFont()
        font.setStrikeOut(True)
        return font

    def _update_buttons(self) -> None:
        ready = self._account_id is not None and self._job is None
        self.print_button.setEnabled(ready)
        self.excel_button.setEnabled(ready)

    def show_account(self, account_id: int | None) -> None:
        self._account_id = account_id
        self.refresh()

    def period(self) -> tuple[date | None, date | None] | None:
        """The period typed, or None with the errors shown at the fields."""
        self.errors.clear()
        collector = ErrorCollector()
        start = collector.check("date_from", parse_optional_date, self.date_from.text(), "Von")
        end = collector.check("date_to", parse_optional_date, self.date_to.text(), "Bis")
        if start and end and end < start:
            collector.add("date_to", "Bis: Das Ende liegt vor dem Beginn des Zeitraums.")
        try:
            collector.raise_if_any()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return None
        return start, end

    def refresh(self) -> bool:
        self.errors.clear()
        self._update_buttons()
        if self._account_id is None:
            self.statement = None
            self.title.setText("Kein Konto gewählt")
            self.postings.set_rows([])
            self.open_items.set_rows([])
            self.groups.set_rows([])
            return False
        period = self.period()
        if period is None:
            return False
        self.show_statement(load_statement(self.context.db, self._account_id, *period, today=self.today()))
        return True

    def show_statement(self, statement: StatementDTO | AccountStatement) -> None:
        self.statement = statement
        account = statement.account
        self.title.setText(f"Kontoauszug {account.number} – {account.holder_name}"
                           + (f" ({account.label})" if account.label else ""))
        open_total = Money(sum(p.open_amount.minor for p in statement.open_items), account.currency)
        for key, amount in (("opening", statement.opening_balance), ("closing", statement.closing_balance),
                            ("open", open_total), ("credit", statement.unallocated_credit)):
            self.figures[key].setText(format_money(amount, self.context.country, with_currency=True))
        self.postings.set_rows(statement.lines)
        self.open_items.set_rows(statement.open_items)
        self.groups.set_rows(self._group_rows(statement.open_items, account.currency))

    @staticmethod
    def _group_rows(items, currency: str) -> list[tuple]:
        rows: list[tuple] = []
        groups = group_open_items(items, currency)
        for n, group in enumerate(groups):
            first = n == 0 or groups[n - 1].month != group.month
            rows.append((str(group.month) if first else "", category_label(group.category), group.count,
                         group.open_amount, False))
            last = n + 1 == len(groups) or groups[n + 1].month != group.month
            same = [g for g in groups if g.month == group.month]
            if last and len(same) > 1:
                rows.append(("", f"Summe {group.month}", sum(g.count for g in same),
                             Money(sum(g.open_amount.minor for g in same), currency), True))
        if groups:
            rows.append(("", "Summe offene Posten", sum(g.count for g in groups),
                         Money(sum(g.open_amount.minor for g in groups), currency), True))
        return rows

    # print and export (on the worker) -------------------------------------------------------
    def _run(self, title: str, func: Callable, on_done: Callable) -> bool:
        runner = self.context.worker
        if runner is None:
            try:
                result = func(_Direct())
            except Exception as exc:  # noqa: BLE001 - shown like a worker failure
                self._failed(exc)
                return False
            on_done(result)
            return True
        self._job = runner.submit(title, func, on_done=lambda result: self._done(on_done, result),
                                  on_error=self._failed, owner=self)
        self._update_buttons()
        return True

    def _done(self, on_done: Callable, result) -> None:
        self._job = None
        self._update_buttons()
        on_done(result)

    def _failed(self, exc: BaseException) -> None:
        self._job = None
        self._update_buttons()
        if isinstance(exc, ValidationError):
            message = "\n".join(dict.fromkeys(e.message for e in exc.errors[:8]))
        else:
            message = f"Der Kontoauszug konnte nicht erstellt werden:\n{exc}"
        self.failed.emit(message)
        QMessageBox.warning(self, "Kontoauszug", message)

    def _job_arguments(self):
        period = self.period()
        if period is None or self._account_id is None:
            return None
        return self.context.db, self._account_id, period[0], period[1], self.today()

    def print_pdf(self) -> bool:
        """Render the statement letter on the worker and open it in the print preview."""
        arguments = self._job_arguments()
        if arguments is None:
            return False

        def render(_progress):
            from sollhaben.services.receivables.statement_print import statement_pdf  # reportlab on the worker

            return statement_pdf(*arguments)
        number = self.statement.account.number if self.statement else str(self._account_id)
        return self._run("Kontoauszug drucken", render, lambda pdf: self._open_preview(pdf, number))

    def _open_preview(self, pdf: bytes, number: str) -> None:
        from sollhaben.ui.print_preview import PrintPreviewDialog

        self.preview_dialog = PrintPreviewDialog(pdf, f"Kontoauszug {number}", f"kontoauszug-{number}", self.window())
        self.preview_dialog.finished.connect(self.preview_dialog.deleteLater)
        self.preview_dialog.open()
        self.preview_opened.emit(self.preview_dialog)

    def export_xlsx(self, path: str | None = None) -> bool:
        """Ask for a file (unless given) and write the statement as XLSX on the worker."""
        arguments = self._job_arguments()
        if arguments is None:
            return False
        if path is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            number = self.statement.account.number if self.statement else "konto"
            path, _filter = QFileDialog.getSaveFileName(self, "Kontoauszug als Excel speichern",
                                                        str(Path(folder) / f"kontoauszug-{number}.xlsx"),
                                                        "Excel-Dateien (*.xlsx)")
            if not path:
                return False
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"

        def write(_progress):
            from sollhaben.services.receivables.statement_export import statement_xlsx

            Path(path).write_bytes(statement_xlsx(*arguments))
            return path
        return self._run("Kontoauszug als Excel", write, self.exported.emit)
