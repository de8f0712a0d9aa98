"""The page „Offene Posten“: the organization's open items at a key date (filters: category,
overdue only, minimum amount per account), the ageing per account with a bar chart of the buckets,
the collections per month of a year with a bar chart; exports as Excel and CSV, and the posting
export for the general ledger. Everything is loaded and written on the worker."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QProgressBar, QPushButton, QSpinBox, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ErrorCollector, ValidationError
from sollhaben.domain.formatting import format_date, format_money, format_number_minor, parse_date
from sollhaben.domain.money import Money, parse_amount
from sollhaben.services.receivables.open_items import OpenItemsFilter
from sollhaben.services.receivables.open_items_rules import BUCKET_LABELS, BUCKETS
from sollhaben.services.receivables.statement_labels import category_label
from sollhaben.ui.context import AppContext
from sollhaben.ui.field_errors import ERROR_STYLE, FieldErrorView
from sollhaben.ui.kita.run_worker import PageJobs
from sollhaben.ui.receivables import open_items_jobs as jobs
from sollhaben.ui.receivables.ageing_chart import BAR_COLORS, BarChart
from sollhaben.ui.receivables.open_items_export_dialog import PostingExportDialog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

CSV_LISTS = {0: ("items", "offene-posten"), 1: ("ageing", "altersstruktur"), 2: ("collections", "zahlungseingaenge")}


class OpenItemsPage(QWidget):
    """`loaded()` after a list is shown; `written(path)` after an export; `failed(message)`."""

    loaded = Signal()
    written = Signal(str)
    failed = Signal(str)
    preview_opened = Signal(object)
    open_account = Signal(int)  # a row was double-clicked: the main window shows the account's statement

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self.data: jobs.Loaded | None = None
        self.setStyleSheet(ERROR_STYLE)
        heading = QLabel("Offene Posten", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.key_date = QLineEdit(format_date(today()), self)
        self.key_date.setMaximumWidth(110)
        self.category = QComboBox(self)
        self.category.setMinimumWidth(150)
        self.overdue = QCheckBox("nur &überfällige", self)
        self.minimum = QLineEdit(self)
        self.minimum.setPlaceholderText("0.00")
        self.minimum.setMaximumWidth(90)
        self.show_button = QPushButton("&Anzeigen", self)
        self.show_button.setDefault(True)
        self.print_button = QPushButton("&Drucken …", self)
        self.print_button.setToolTip("Die Listen (offene Posten, Altersstruktur, Zahlungseingänge) in der "
                                     "Druckvorschau")
        self.excel_button = QPushButton("E&xcel …", self)
        self.csv_button = QPushButton("&CSV …", self)
        self.csv_button.setToolTip("Die Liste des gewählten Reiters als CSV (UTF-8, Semikolon)")
        self.postings_button = QPushButton("&Buchungsexport …", self)
        self.postings_button.setToolTip("Alle Buchungen eines Zeitraums als CSV für die Finanzbuchhaltung")
        filters = QHBoxLayout()
        for label, widget in (("Stichtag:", self.key_date), ("Kategorie:", self.category), ("", self.overdue),
                              ("Mindestbetrag je Konto:", self.minimum)):
            if label:
                filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addWidget(self.show_button)
        filters.addStretch(1)
        for button in (self.print_button, self.excel_button, self.csv_button, self.postings_button):
            filters.addWidget(button)
        self.errors = FieldErrorView(self)
        self.errors.register("key_date", self.key_date)
        self.errors.register("minimum", self.minimum)

        money = self._money
        self.items = FilterableList(RowTableModel((
            Column("Konto", lambda r: r.account_number, width=62),
            Column("Inhaber/in", lambda r: r.holder_name, width=150),
            Column("Nr.", lambda r: r.item_id, ALIGN_RIGHT, width=50),
            Column("Fällig", lambda r: r.due_date, width=80),
            Column("Monat", lambda r: r.value_month, width=62),
            Column("Kategorie", lambda r: category_label(r.category), width=100),
            Column("Text", lambda r: r.text, width=170),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=84),
            Column("Offen", lambda r: r.open_amount, ALIGN_RIGHT, formatter=money, width=84),
            Column("Tage", lambda r: r.days_overdue, ALIGN_RIGHT, width=48),
            Column("Altersklasse", lambda r: BUCKET_LABELS[r.bucket], width=90),
        )), self, placeholder="Suchen nach Konto, Name, Text …")
        bold = QFont()
        bold.setBold(True)
        self.ageing = FilterableList(RowTableModel((
            Column("Konto", lambda a: a.account_number, width=62),
            Column("Inhaber/in", lambda a: a.holder_name, width=130),
            *(Column(BUCKET_LABELS[b], (lambda a, i=i: a.buckets[i]), ALIGN_RIGHT, formatter=money, width=76)
              for i, b in enumerate(BUCKETS)),
            Column("Summe offen", lambda a: a.open_total, ALIGN_RIGHT, formatter=money, width=84),
            Column("Guthaben", lambda a: a.credit, ALIGN_RIGHT, formatter=money, width=72),
            Column("Saldo", lambda a: a.balance, ALIGN_RIGHT, formatter=money, width=84),
        ), font=lambda a: bold if a.account_id is None else None), self, placeholder="Suchen nach Konto, Name …")
        self.ageing_chart = BarChart("Offene Posten nach Tagen überfällig", self._short_money, self, BAR_COLORS)
        self.year = QSpinBox(self)
        self.year.setRange(1990, 2999)
        self.year.setValue(today().year)
        self.collections = RowTableModel((
            Column("Monat", lambda m: m[0], width=80),
            Column("Zahlungseingänge", lambda m: m[1], ALIGN_RIGHT, formatter=money, width=120),
            Column("Stornos/Rücklastschriften", lambda m: m[2], ALIGN_RIGHT, formatter=money, width=160),
            Column("Netto", lambda m: m[3], ALIGN_RIGHT, formatter=money, width=110),
        ), parent=self, font=lambda m: bold if m[0] == "Summe" else None)
        self.collections_list = FilterableList(self.collections, self, placeholder="Suchen …")
        self.collections_list.search.hide()
        self.collections_chart = BarChart("Zahlungseingänge netto je Monat", self._short_money, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.items, "Offene &Posten")
        self.tabs.addTab(self._beside(self.ageing, self.ageing_chart, 920, 340), "A&ltersstruktur")
        year_box = QWidget(self)
        year_layout = QVBoxLayout(year_box)
        year_layout.setContentsMargins(0, 0, 0, 0)
        year_row = QHBoxLayout()
        year_row.addWidget(QLabel("Jahr:", year_box))
        year_row.addWidget(self.year)
        year_row.addStretch(1)
        year_layout.addLayout(year_row)
        year_layout.addWidget(self._beside(self.collections_list, self.collections_chart, 520, 740), 1)
        self.tabs.addTab(year_box, "&Zahlungseingänge")

        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(200)
        self.status = QLabel(self)
        self.cancel_button = QPushButton("Abbrechen", self)
        status = QHBoxLayout()
        status.addWidget(self.status, 1)
        status.addWidget(self.progress)
        status.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(status)
        self.jobs = PageJobs(context.worker, self.progress, self.status, self.cancel_button, self)
        self.jobs.busy_changed.connect(lambda _busy: self._update_buttons())
        self.show_button.clicked.connect(lambda: self.reload())
        self.key_date.returnPressed.connect(lambda: self.reload())
        self.minimum.returnPressed.connect(lambda: self.reload())
        self.year.editingFinished.connect(lambda: self.reload_collections())
        self.print_button.clicked.connect(lambda: self.print_lists())
        self.excel_button.clicked.connect(lambda: self.export_xlsx())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.postings_button.clicked.connect(lambda: self.export_postings())
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        self.items.activated.connect(lambda row: self.open_account.emit(row.account_id))
        self.ageing.activated.connect(lambda row: row.account_id is None or self.open_account.emit(row.account_id))
        self._update_buttons()
        if context.organization is not None:
            self.reload()

    def _beside(self, left: QWidget, right: QWidget, left_width: int, right_width: int) -> QSplitter:
        """Table and chart side by side, in the proportion of the widths given."""
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, left_width)
        splitter.setStretchFactor(1, right_width)
        splitter.setSizes([left_width, right_width])
        return splitter

    def _money(self, amount: Money | None) -> str:
        return "" if amount is None else format_money(amount, self.context.country)

    def _short_money(self, minor: int) -> str:
        return format_number_minor(minor, self.context.country)

    def _update_buttons(self) -> None:
        idle = not self.jobs.busy and self.context.organization is not None
        self.show_button.setEnabled(idle)
        for button in (self.print_button, self.excel_button, self.csv_button):
            button.setEnabled(idle and self.data is not None)
        self.postings_button.setEnabled(idle)

    def _data_changed(self, table: str) -> None:
        if table in ("posting", "account") and self.data is not None and not self.jobs.busy:
            self.reload()

    # loading -----------------------------------------------------------------------------------
    def current_filter(self) -> OpenItemsFilter | None:
        """The filter typed, or None with the errors shown at the fields."""
        self.errors.clear()
        collector = ErrorCollector()
        key = collector.check("key_date", parse_date, self.key_date.text(), "Stichtag")
        minimum = None
        if self.minimum.text().strip():
            currency = self.context.organization.currency if self.context.organization else "EUR"
            minimum = collector.check("minimum", parse_amount, self.minimum.text(), currency, "Mindestbetrag")
            if minimum is not None and minimum.minor < 0:
                collector.add("minimum", "Mindestbetrag: darf nicht negativ sein.")
        try:
            collector.raise_if_any()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return None
        category = self.category.currentData()
        return OpenItemsFilter(key, (category,) if category else (), self.overdue.isChecked(), minimum)

    def reload(self) -> bool:
        if self.context.organization is None:
            return False
        flt = self.current_filter()
        if flt is None:
            return False
        db, org_id, year = self.context.db, self.context.organization_id, self.year.value()
        return self.jobs.run("Offene Posten laden", lambda progress: jobs.load(db, org_id, flt, year, progress),
                             self._show, self._failed, cancellable=True)

    def reload_collections(self) -> bool:
        if self.data is None or self.year.value() == self.data.year:
            return False
        db, org_id, year = self.context.db, self.context.organization_id, self.year.value()
        return self.jobs.run("Zahlungseingänge laden",
                             lambda progress: jobs.load_collections(db, org_id, year, progress),
                             self._show_collections, self._failed)

    def _show(self, data: jobs.Loaded) -> None:
        self.data = data
        result = data.result
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem("alle Kategorien", "")
        for code in result.categories:
            self.category.addItem(category_label(code), code)
        self.category.setCurrentIndex(max(0, self.category.findData(current or "")))
        self.category.blockSignals(False)
        self.items.set_rows(result.items)
        self.ageing.set_rows([*result.ageing, result.total] if result.ageing else [])
        self.ageing_chart.set_bars([BUCKET_LABELS[b] for b in BUCKETS], [m.minor for m in result.total.buckets])
        self._fill_collections(data)
        total = self._money(result.total.open_total)
        accounts = len({r.account_id for r in result.items})
        self.jobs.say(f"Stichtag {format_date(result.filter.key_date)}: {len(result.items)} offene Posten von "
                      f"{accounts} Konten, zusammen {total} {result.currency}.")
        self._update_buttons()
        self.loaded.emit()

    def _show_collections(self, found: tuple) -> None:
        year, months = found
        self.data = jobs.Loaded(self.data.result, year, months)
        self._fill_collections(self.data)
        self.loaded.emit()

    def _fill_collections(self, data: jobs.Loaded) -> None:
        rows = [(str(m.month), m.received, m.reversed, m.net) for m in data.collections]
        if data.collections:
            currency = data.collections[0].received.currency
            received = Money(sum(m.received.minor for m in data.collections), currency)
            undone = Money(sum(m.reversed.minor for m in data.collections), currency)
            rows.append(("Summe", received, undone, received - undone))
        self.collections.set_rows(rows)
        self.collections_chart.title = f"Zahlungseingänge netto je Monat {data.year}"
        self.collections_chart.set_bars([f"{m.month.month:02d}" for m in data.collections],
                                        [m.net.minor for m in data.collections])

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            message = "\n".join(dict.fromkeys(e.message for e in exc.errors[:8]))
        else:
            message = f"Das hat nicht geklappt:\n{exc}"
        self.jobs.say(message.splitlines()[0])
        self.failed.emit(message)
        QMessageBox.warning(self, "Offene Posten", message)

    # exports -----------------------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, pattern: str) -> str | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, title, str(Path(folder) / name), pattern)
        if not path:
            return None
        suffix = Path(name).suffix
        return path if path.lower().endswith(suffix) else path + suffix

    def _written(self, path: str) -> None:
        self.jobs.say(f"Gespeichert: {path}")
        self.written.emit(path)

    def print_lists(self) -> bool:
        """The lists as a PDF (landscape table report) in the print preview."""
        data = self.data
        if data is None:
            return False
        return self.jobs.run("Listen drucken", lambda progress: jobs.list_pdf(data, progress), self._open_preview,
                             self._failed)

    def _open_preview(self, pdf: bytes) -> None:
        from sollhaben.ui.print_preview import PrintPreviewDialog

        key = self.data.result.filter.key_date
        dialog = PrintPreviewDialog(pdf, f"Offene Posten per {format_date(key)}", f"offene-posten-{key.isoformat()}",
                                    self.window())
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.preview_opened.emit(dialog)

    def export_xlsx(self, path: str | None = None) -> bool:
        data = self.data
        if data is None:
            return False
        path = path or self._ask_path("Offene Posten als Excel speichern",
                                      f"offene-posten-{data.result.filter.key_date.isoformat()}.xlsx",
                                      "Excel-Dateien (*.xlsx)")
        if not path:
            return False
        return self.jobs.run("Excel-Datei schreiben", lambda progress: jobs.write_xlsx(data, path, progress),
                             self._written, self._failed)

    def export_csv(self, path: str | None = None) -> bool:
        """The list of the current tab as CSV."""
        data = self.data
        if data is None:
            return False
        which, stem = CSV_LISTS[self.tabs.currentIndex()]
        path = path or self._ask_path("Liste als CSV speichern",
                                      f"{stem}-{data.result.filter.key_date.isoformat()}.csv", "CSV-Dateien (*.csv)")
        if not path:
            return False
        return self.jobs.run("CSV-Datei schreiben", lambda progress: jobs.write_csv(data, which, path, progress),
                             self._written, self._failed)

    def export_postings(self, period: tuple[date, date] | None = None, path: str | None = None) -> bool:
        """Ask the range (unless given) and a file, then write the posting export on the worker."""
        if self.context.organization is None:
            return False
        if period is None:
            dialog = PostingExportDialog(self.today(), self)
            if dialog.exec() != PostingExportDialog.DialogCode.Accepted or dialog.period is None:
                return False
            period = dialog.period
        start, end = period
        path = path or self._ask_path("Buchungsexport speichern",
                                      f"buchungen-{start.isoformat()}-{end.isoformat()}.csv", "CSV-Dateien (*.csv)")
        if not path:
            return False
        db, org_id = self.context.db, self.context.organization_id
        return self.jobs.run("Buchungsexport", lambda progress: jobs.export_postings(db, org_id, start, end, path,
                                                                                     progress),
                             lambda result: self._written(result.path), self._failed, cancellable=True)
