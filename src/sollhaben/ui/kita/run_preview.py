"""The preview tabs of the page "Sollstellung": the month's postings, the recalculations of earlier
months, the totals by fee group, extra cost and payer, and the problems (double-click or Return
opens the child: `open_child(child_id)`). Holds the preview's DTOs only."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.formatting import format_money
from sollhaben.domain.money import Money
from sollhaben.ui.forms.ui_kita_run_page import Ui_RunPage
from sollhaben.ui.kita.run_jobs import PreviewResult
from sollhaben.ui.kita.run_models import (
    RED,
    line_columns,
    problem_columns,
    recalculation_columns,
    total_columns,
)
from sollhaben.ui.table_model import RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

LINES, RECALCULATIONS, TOTALS, PROBLEMS, RUNS = range(5)
TAB_TITLES = ("Buchungen des Monats", "Nachberechnungen", "Summen", "Probleme", "Sollstellungen")


def postings_text(count: int) -> str:
    return f"{count} Buchung" if count == 1 else f"{count} Buchungen"


def setup_table(table: QTableView, model: RowTableModel) -> None:
    """A read-only list without search (totals, runs)."""
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    stretched = False
    for i, column in enumerate(model.columns):
        if column.stretch:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
            stretched = True
        elif column.width:
            table.setColumnWidth(i, column.width)
    header.setStretchLastSection(not stretched)


class PreviewView(QObject):
    open_child = Signal(int)

    def __init__(self, ui: Ui_RunPage, country: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ui, self.country = ui, country
        self.result: PreviewResult | None = None
        self._line_names: dict[str, str] = {}
        self.lines = FilterableList(RowTableModel(line_columns(country)), ui.linesTab,
                                    placeholder="Suchen nach Kind, Zeile, Zahler, Monat …")
        ui.linesLayout.addWidget(self.lines)
        self.recalculations = FilterableList(RowTableModel(recalculation_columns()), ui.recalculationsTab,
                                             placeholder="Suchen nach Kind, Zeile, Zahler, Monat …")
        ui.recalculationsLayout.addWidget(self.recalculations)
        self.problems = FilterableList(RowTableModel(problem_columns(self._line_names), foreground=lambda _r: RED),
                                       ui.problemsTab, placeholder="Suchen nach Kind, Zeile, Problem …")
        ui.problemsLayout.addWidget(self.problems)
        self.problems.activated.connect(lambda row: self.open_child.emit(row.child_id))
        self.fee_groups = RowTableModel(total_columns("Beitragsgruppe"), parent=self)
        self.extra_costs = RowTableModel(total_columns("Zusatzkosten"), parent=self)
        self.payers = RowTableModel(total_columns("Zahler"), parent=self)
        for table, model in ((ui.feeGroupTable, self.fee_groups), (ui.extraCostTable, self.extra_costs),
                             (ui.payerTable, self.payers)):
            setup_table(table, model)
            table.setSortingEnabled(True)
            table.horizontalHeader().setSortIndicator(-1, table.horizontalHeader().sortIndicatorOrder())
        self.show(None)

    def set_country(self, country: str) -> None:
        if country != self.country:
            self.country = country
            self.lines.model.columns = line_columns(country)

    def show(self, result: PreviewResult | None) -> None:
        """The preview's rows in the tabs (None: empty tabs)."""
        self.result = result
        preview = result.preview if result is not None else None
        self._line_names.clear()
        if result is not None:
            self._line_names.update(result.line_names)
        self.lines.set_rows(preview.lines if preview else [])
        self.recalculations.set_rows(preview.recalculations if preview else [])
        self.problems.set_rows(preview.problems if preview else [])
        totals = preview.totals if preview else None
        self.fee_groups.set_rows(totals.by_fee_group if totals else [])
        self.extra_costs.set_rows(totals.by_extra_cost if totals else [])
        self.payers.set_rows(totals.by_payer if totals else [])
        self.ui.totalsLabel.setText(self.totals_text() if preview else "Noch keine Vorschau.")
        self._tab_titles()

    def _tab_titles(self) -> None:
        preview = self.result.preview if self.result is not None else None
        counts = (len(preview.lines), len(preview.recalculations), None, len(preview.problems)) if preview \
            else (None, None, None, None)
        tabs = self.ui.tabs
        for index, count in enumerate(counts):
            title = TAB_TITLES[index]
            if index == LINES and preview is not None:
                title = f"Buchungen {preview.month}"
            tabs.setTabText(index, f"{title} ({count})" if count is not None else title)
        problem_color = RED.color() if preview is not None and preview.problems else tabs.palette().windowText().color()
        tabs.tabBar().setTabTextColor(PROBLEMS, problem_color)

    def money(self, amount: Money) -> str:
        return format_money(amount, self.country, with_currency=True)

    def totals_text(self) -> str:
        preview = self.result.preview
        regular = self.money(preview.totals.regular)
        text = (f"Sollstellung {preview.month}: <b>{regular}</b> in {postings_text(len(preview.lines))} für "
                f"{preview.children} Kinder")
        if preview.recalculations:
            text += (f" · Nachberechnungen: <b>{self.money(preview.totals.recalculation)}</b> in "
                     f"{postings_text(len(preview.recalculations))}")
        text += f" · zusammen <b>{self.money(preview.total)}</b>"
        if preview.resets:
            text += f" · {preview.resets} Anzahlen und Beträge werden auf 0 gesetzt"
        return text

    def focus_problems(self) -> None:
        self.ui.tabs.setCurrentIndex(PROBLEMS)
        self.problems.table.setFocus()
