"""The sub-layers Zusammenfassung and Staffelberechnung of a billing period.

Zusammenfassung: every fee, discount, extra cost and payer with the month's amounts for the period
valid on the reference date (Stichdatum), computed by `calculation.compute_child_month`; refreshed
only by "Übernehmen"; change marks where a catalogue price changes inside the period
(`summary_change_marks`); a billed month shows the next run's month.

Staffelberechnung: the child's income-scale assessments, and „Übertragen“ of the marked one.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sollhaben.domain.formatting import format_date, parse_date
from sollhaben.domain.kita import model as m
from sollhaben.domain.kita.calculation import compute_child_month, summary_change_marks
from sollhaben.domain.money import total
from sollhaben.domain.months import Month
from sollhaben.ui.field_errors import ERROR_COLOR
from sollhaben.ui.kita.period_context import PeriodContext

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _quantity(line: m.ComputedLine) -> str:
    if line.mode is m.BillingMode.DAILY:
        return f"{line.quantity} Tage"
    if line.mode is m.BillingMode.PER_UNIT:
        return f"{line.quantity} ×"
    if line.quantity != Decimal(1):
        return f"{(line.quantity * 100).quantize(Decimal('0.1'))} %".replace(".", ",")
    return ""


class SummaryLayer(QWidget):
    apply_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel("Stich&datum:", self))
        self.date_edit = QLineEdit(self)
        self.date_edit.setFixedWidth(100)
        self.date_edit.setPlaceholderText("TT.MM.JJJJ")
        top.itemAt(0).widget().setBuddy(self.date_edit)
        self.apply_button = QPushButton("Ü&bernehmen", self)
        self.apply_button.setToolTip("Zusammenfassung mit den aktuellen Eingaben und dem Stichdatum neu berechnen")
        top.addWidget(self.date_edit)
        top.addWidget(self.apply_button)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        top.addWidget(self.info, 1)
        layout.addLayout(top)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #e8f1fb; border: 1px solid #6b9bd1; padding: 4px;")
        self.notice.hide()
        layout.addWidget(self.notice)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Position", "Menge", "Einzelbetrag", "Betrag", "Hinweis"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column, width in ((1, 80), (2, 110), (3, 110), (4, 170)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(column, width)
        layout.addWidget(self.tree, 1)
        self.apply_button.clicked.connect(self.apply_requested)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.apply_requested.emit()  # Return here applies the date; it does not save the child
            return
        super().keyPressEvent(event)

    def reference_date(self, today: date) -> date:
        try:
            return parse_date(self.date_edit.text(), "Stichdatum")
        except Exception:  # noqa: BLE001 - an unreadable date falls back to today
            self.date_edit.setText(format_date(today))
            return today

    def set_reference_date(self, day: date) -> None:
        self.date_edit.setText(format_date(day))

    def show_empty(self, text: str) -> None:
        self.tree.clear()
        self.notice.hide()
        self.info.setText(text)

    def show_summary(self, ctx: PeriodContext, period: m.BillingPeriod, day: date) -> None:
        month = Month.of(day)
        note = ""
        if period.billed_through is not None and month <= period.billed_through:
            shown = period.billed_through + 1
            note = (f"Der Monat {month} ist bereits abgerechnet (bis {period.billed_through}). Angezeigt wird, was die "
                    f"nächste Sollstellung mit diesen Abrechnungsdaten berechnet: Monat {shown}.")
            month = shown
        self.info.setText(f"Maßgeblicher Zeitraum: {period.valid} · Monat {month}"
                          + (f" · {ctx.facility_name}" if ctx.facility_name else ""))
        self.notice.setText(note)
        self.notice.setVisible(bool(note))
        if not period.valid.contains(month):
            self.tree.clear()
            self.info.setText(self.info.text() + f" – der Monat {month} liegt nach dem Ende des Zeitraums.")
            return
        facts = ctx.facts(month, period.extra_siblings)
        lines, problems = compute_child_month(period, ctx.catalogue, ctx.settings, facts, ctx.currency)
        marks: dict[str, list[Month]] = {}
        for key, mark in summary_change_marks(period, ctx.catalogue):
            marks.setdefault(key, []).append(mark)
        self._fill(ctx, lines, problems, marks)

    def _fill(self, ctx: PeriodContext, lines: list[m.ComputedLine], problems: list[m.Problem],
              marks: dict[str, list[Month]]) -> None:
        tree = self.tree
        tree.clear()
        names = {p.person_id: p.name for p in ctx.child.payers}
        names.update({i: f"Institution Nr. {i}" for i in (ctx.settings.hardship_fund_payer_id,
                                                         ctx.settings.sibling_meal_payer_id) if i and i not in names})
        bold = QFont(tree.font())
        bold.setBold(True)
        by_payer: dict[int, list] = {}

        def add(texts, font=None, color=None, tooltip="", indent=0):
            item = QTreeWidgetItem([("    " * indent) + texts[0], *texts[1:]])
            for column in (1, 2, 3):
                item.setTextAlignment(column, RIGHT)
            if font is not None:
                for column in range(5):
                    item.setFont(column, font)
            if color is not None:
                for column in range(5):
                    item.setForeground(column, QBrush(QColor(color)))
            if tooltip:
                item.setToolTip(0, tooltip)
                item.setToolTip(4, tooltip)
            tree.addTopLevelItem(item)
            return item

        for kind, title in ((m.LineKind.FEE, "Beitrag"), (m.LineKind.EXTRA, "Zusatzkosten")):
            chosen = [line for line in lines if line.kind is kind]
            if not chosen:
                continue
            for line in chosen:
                tier = f", Staffel {line.tier}" if line.tier else ""
                months = marks.get(line.key, [])
                hint = " ".join(f"Δ ab {mo}" for mo in months)
                tip = "; ".join(f"Preisänderung im Standard ab {mo}" for mo in months)
                add([f"{title}: {line.name}{tier}", _quantity(line), ctx.money(line.unit_amount), ctx.money(line.gross),
                     hint], bold, tooltip=tip)
                for deduction in line.deductions:
                    add([f"− {deduction.name}", "", "", "-" + ctx.money(deduction.amount), ""], indent=1)
                if line.deductions:
                    add(["= zu zahlen", "", "", ctx.money(line.net), ""], indent=1)
                for payer in line.payers:
                    by_payer.setdefault(payer.payer_id, []).append(payer.amount)
                    add([f"Zahler: {names.get(payer.payer_id, f'Nr. {payer.payer_id}')}", "", "",
                         ctx.money(payer.amount), ""], indent=1, color="#1f4e8c")
            add([f"Summe {title}", "", "", ctx.money(total([ln.net for ln in chosen], ctx.currency)), ""], bold)
        for problem in problems:
            add([problem.message, "", "", "", "nicht abrechenbar"], color=ERROR_COLOR, tooltip=problem.message)
        if lines:
            add(["Gesamt im Monat", "", "", ctx.money(total([ln.net for ln in lines], ctx.currency)), ""], bold)
            for payer_id, amounts in by_payer.items():
                add([f"davon {names.get(payer_id, f'Nr. {payer_id}')}", "", "", ctx.money(total(amounts, ctx.currency)),
                     ""], indent=1)
        elif not problems:
            add(["Keine Beiträge und Zusatzkosten in diesem Zeitraum.", "", "", "", ""])


class IncomeScaleLayer(QWidget):
    """The child's income-scale assessments (Staffelberechnung): validity, household, tier, status;
    „Übertragen …“ transfers the marked one into the billing data (the child editor runs it and
    reloads the periods). Entering and editing assessments happens on the page „Staffelberechnung“."""

    transfer_requested = Signal(int, int)  # assessment id, its row version

    HEADERS = ("Gültig ab", "Gültig bis", "Anzahl Haushalt", "Staffel", "Status", "Vollständig")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("incomeAssessments")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((90, 90, 130, 70, 150)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.transfer_button = QPushButton("Ü&bertragen …", self)
        self.transfer_button.setToolTip("Die Staffel der markierten Staffelberechnung in die Abrechnungsdaten "
                                        "übernehmen (Zeiträume werden an den Grenzen geteilt)")
        row.addWidget(self.note, 1)
        row.addWidget(self.transfer_button)
        layout.addLayout(row)
        self.rows: list = []
        self.transfer_button.clicked.connect(self._transfer)
        self.table.itemSelectionChanged.connect(self._update)

    def show_child(self, db, organization_id: int, child_id: int) -> None:
        """The child's assessments, newest first."""
        from sollhaben.services.income import assessments  # the kita pages work without the income module

        rows = [r for r in assessments.list_assessments(db, organization_id) if r.child_id == child_id]
        self.rows = sorted(rows, key=lambda r: r.valid.valid_from.index, reverse=True)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            texts = (str(r.valid.valid_from), str(r.valid.valid_to) if r.valid.valid_to else "offen",
                     "" if r.household_size is None else str(r.household_size), "" if r.tier is None else str(r.tier),
                     r.status.label, "ja" if r.complete else "")
            for column, text in enumerate(texts):
                self.table.setItem(i, column, QTableWidgetItem(text))
        self.note.setText("Keine Staffelberechnung für dieses Kind. Erfassen auf der Seite „Staffelberechnung“."
                          if not self.rows else "Erfassen und ändern auf der Seite „Staffelberechnung“.")
        if self.rows:
            self.table.selectRow(0)
        self._update()

    def clear(self) -> None:
        self.rows = []
        self.table.setRowCount(0)
        self.note.setText("")
        self._update()

    def current(self):
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _update(self) -> None:
        self.transfer_button.setEnabled(self.current() is not None)

    def _transfer(self) -> None:
        row = self.current()
        if row is not None:
            self.transfer_requested.emit(row.id, row.version)
