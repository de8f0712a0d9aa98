"""The read-only account statement (Kontoauszug): postings with running balance, open items with
their open amount, the unallocated credit. Reversed postings and reversals are marked."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.formatting import format_money, parse_optional_date
from sollhaben.domain.money import Money
from sollhaben.domain.ledger import PostingSource
from sollhaben.services import ledger
from sollhaben.services.dto import PostingDTO, StatementDTO, StatementLine
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, FieldErrorView
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel

CATEGORY_LABELS = {
    "FEE": "Gebühr", "REMINDER_FEE": "Mahngebühr", "INTEREST": "Zins", "ENFORCEMENT_COST": "Betreibungskosten",
    "PAYMENT": "Zahlung", "MAINTENANCE": "Unterhalt", "KITA_FEE": "Kita-Beitrag", "MEALS": "Verpflegung",
    "KITA_EXTRA": "Zusatzkosten",
}
_GREY = QColor("#7a7a7a")


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def posting_status(p: PostingDTO) -> str:
    if p.reversed_by_id is not None:
        return f"storniert durch Nr. {p.reversed_by_id}"
    if p.reverses_id is not None:
        return f"Storno zu Nr. {p.reverses_id}"
    return ""


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
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.statement: StatementDTO | None = None
        self._account_id: int | None = None
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
        period = QHBoxLayout()
        for widget in (self.date_from, self.date_to, self.show_button):
            period.addWidget(widget)
        period.addStretch(1)
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
            Column("Text", lambda line: line.posting.text, width=150),
            Column("Soll", lambda line: line.posting.amount if line.posting.amount.minor > 0 else None,
                   ALIGN_RIGHT, formatter=money, width=80),
            Column("Haben", lambda line: -line.posting.amount if line.posting.amount.minor < 0 else None,
                   ALIGN_RIGHT, formatter=money, width=80),
            Column("Saldo", lambda line: line.balance, ALIGN_RIGHT, formatter=money, width=84),
            Column("Storno", lambda line: posting_status(line.posting), width=125),
        ), parent=self, foreground=self._posting_color, font=self._posting_font)
        self.open_items = RowTableModel((
            Column("Fällig", lambda p: p.due_date, width=80),
            Column("Nr.", lambda p: p.id, ALIGN_RIGHT, width=42),
            Column("Monat", lambda p: p.value_month, width=62),
            Column("Kategorie", lambda p: category_label(p.category), width=95),
            Column("Text", lambda p: p.text, width=150),
            Column("Betrag", lambda p: p.amount, ALIGN_RIGHT, formatter=money, width=80),
            Column("Offen", lambda p: p.open_amount, ALIGN_RIGHT, formatter=money, width=80),
        ), parent=self)
        self.postings_view = _table(self.postings, self, stretch=8)  # Storno takes the rest; Text keeps its width
        self.open_items_view = _table(self.open_items, self, stretch=4)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        for label, view in (("Buchungen mit laufendem Saldo", self.postings_view),
                            ("Offene Posten", self.open_items_view)):
            box = QWidget(splitter)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 6, 0, 0)
            heading = QLabel(label, box)
            heading.setStyleSheet("font-weight: 600;")
            box_layout.addWidget(heading)
            box_layout.addWidget(view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addWidget(splitter, 1)

    def _money(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, self.context.country)

    @staticmethod
    def _posting_color(line: StatementLine):
        p = line.posting
        return _GREY if p.reversed_by_id is not None or p.source == PostingSource.REVERSAL.value else None

    @staticmethod
    def _posting_font(line: StatementLine):
        if line.posting.reversed_by_id is None:
            return None
        font = QFont()
        font.setStrikeOut(True)
        return font

    def show_account(self, account_id: int | None) -> None:
        self._account_id = account_id
        self.refresh()

    def refresh(self) -> bool:
        self.errors.clear()
        if self._account_id is None:
            self.statement = None
            self.title.setText("Kein Konto gewählt")
            self.postings.set_rows([])
            self.open_items.set_rows([])
            return False
        collector = ErrorCollector()
        start = collector.check("date_from", parse_optional_date, self.date_from.text(), "Von")
        end = collector.check("date_to", parse_optional_date, self.date_to.text(), "Bis")
        if start and end and end < start:
            collector.add("date_to", "Bis: Das Ende liegt vor dem Beginn des Zeitraums.")
        try:
            collector.raise_if_any()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return False
        self.show_statement(ledger.statement(self.context.db, self._account_id, start, end))
        return True

    def show_statement(self, statement: StatementDTO) -> None:
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
