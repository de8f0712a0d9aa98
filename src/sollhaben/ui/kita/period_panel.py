"""The layer Abrechnungsdaten of the child editor: the list of billing periods and the period form
with its sub-layers Grunddaten, Beitrag, Zusatzkosten, Zusammenfassung and Staffelberechnung.

The form is part of the child editor: its widgets count for the editor's dirty tracking and
"Speichern" stores the period through `services.kita.billing_data.save_period` (validation there).
Choosing another period in the list, "Neuer Zeitraum" and the lock's "Neuer Zeitraum ab …" load the
form; the live figures of the lines follow every keystroke, the summary only "Übernehmen".
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sollhaben.domain.errors import ErrorCollector
from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.database import Database
from sollhaben.services.kita import billing_data
from sollhaben.services.kita.dto import ChildDTO, PeriodDTO, PeriodRow
from sollhaben.ui.field_errors import ERROR_COLOR, FieldErrorView
from sollhaben.ui.kita.period_basic import PeriodBasicLayer
from sollhaben.ui.kita.period_context import PeriodContext
from sollhaben.ui.kita.period_fees import LinesLayer
from sollhaben.ui.kita.period_live import preview
from sollhaben.ui.kita.period_summary import IncomeScaleLayer, SummaryLayer

LOCK_STYLE = "QFrame#lockFrame { background: #fff4e0; border: 1px solid #e0a030; border-radius: 3px; }"


class PeriodPanel(QWidget):
    load_requested = Signal(object)  # a period id, a start month or None for a new period (the editor asks first)
    delete_requested = Signal(int)  # period id

    def __init__(self, db: Database, country: Callable[[], str], today: Callable[[], date],
                 parent: QWidget | None = None, child_rows: Callable[[], list] = list) -> None:
        super().__init__(parent)
        self.db, self._country, self.today = db, country, today
        self.child: ChildDTO | None = None
        self.rows: list[PeriodRow] = []
        self.current: PeriodDTO | None = None  # the stored period in the form; None: new or none
        self.base: m.BillingPeriod | None = None  # what the form was loaded from
        self.ctx: PeriodContext | None = None
        self._filling = False
        self._positions: tuple[list[int], list[int]] = ([], [])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("periodsTable")
        self.table.setHorizontalHeaderLabels(["Gültig ab", "Gültig bis", "Abgerechnet bis", "Beiträge",
                                              "Zusatzkosten", "Sperre"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setMaximumHeight(self.fontMetrics().height() * 6 + 12)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        top.addWidget(self.table, 1)
        buttons = QVBoxLayout()
        self.new_button = QPushButton("Neuer &Zeitraum", self)
        self.new_button.setToolTip("Neuen Abrechnungszeitraum anlegen (übernimmt die Zeilen des letzten)")
        self.delete_button = QPushButton("Zeitraum löschen", self)
        self.delete_button.setToolTip("Den markierten, noch nicht abgerechneten Zeitraum löschen")
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        top.addLayout(buttons)
        layout.addLayout(top)
        self.lock_frame = QFrame(self)
        self.lock_frame.setObjectName("lockFrame")
        self.lock_frame.setStyleSheet(LOCK_STYLE)
        lock_layout = QHBoxLayout(self.lock_frame)
        lock_layout.setContentsMargins(8, 4, 4, 4)
        self.lock_label = QLabel(self.lock_frame)
        self.lock_label.setWordWrap(True)
        self.lock_button = QPushButton(self.lock_frame)
        lock_layout.addWidget(self.lock_label, 1)
        lock_layout.addWidget(self.lock_button)
        self.lock_frame.hide()
        layout.addWidget(self.lock_frame)
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #555;")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("periodTabs")
        self.basic = PeriodBasicLayer(self.tabs, child_rows)
        self.fees = LinesLayer(m.LineKind.FEE, self.tabs)
        self.extras = LinesLayer(m.LineKind.EXTRA, self.tabs)
        self.summary = SummaryLayer(self.tabs)
        self.income = IncomeScaleLayer(self.tabs)
        for widget, title in ((self.basic, "&Grunddaten"), (self.fees, "Bei&trag"), (self.extras, "Zusatz&kosten"),
                              (self.summary, "Zusammen&fassung"), (self.income, "Staffelberechnung")):
            self.tabs.addTab(widget, title)
        layout.addWidget(self.tabs, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh_live)
        for source in (self.fees.changed, self.extras.changed):
            source.connect(self._timer.start)
        u = self.basic.ui
        for combo in (u.feesPayerCombo, u.extrasPayerCombo, u.mealCombo):
            combo.currentIndexChanged.connect(self._timer.start)
        u.validFromEdit.editingFinished.connect(self._valid_from_changed)
        siblings = self.basic.sibling_table.model()  # the ladder position follows the named siblings
        siblings.rowsInserted.connect(self._timer.start)
        siblings.rowsRemoved.connect(self._timer.start)
        self.summary.apply_requested.connect(self.apply_summary)
        self.new_button.clicked.connect(lambda: self.load_requested.emit(None))
        self.delete_button.clicked.connect(
            lambda: self.current is not None and self.delete_requested.emit(self.current.period.id))
        self.lock_button.clicked.connect(self._new_after_lock)
        self.table.cellClicked.connect(self._row_chosen)
        self.table.cellActivated.connect(self._row_chosen)

    # the widgets the editor tracks and the fields of its error view ----------------------------
    def tracked_widgets(self) -> list[QWidget]:
        return [self.basic, self.fees, self.extras]

    def register_errors(self, view: FieldErrorView) -> None:
        self.basic.register_errors(view)
        self.fees.register_errors(view)
        self.extras.register_errors(view)

    # loading ----------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.base is not None

    def set_child(self, child: ChildDTO | None, payers: list[tuple[int, str]], period_id: int | None = None) -> None:
        """Show the child's periods and load the one valid on the reference date (or `period_id`)."""
        self.child = child
        self.basic.own_child_id = child.id if child else None
        self.rows = billing_data.list_periods(self.db, child.id) if child else []
        self._fill_table()
        if self.summary.date_edit.text() == "":
            self.summary.set_reference_date(self.today())
        if child is None:
            self._load(None, None, payers)
            self.hint.setText("Abrechnungsdaten können nach dem ersten Speichern des Kindes erfasst werden.")
            return
        wanted = period_id if any(r.id == period_id for r in self.rows) else self._row_on(self.reference_month())
        self._load(billing_data.get_period(self.db, wanted) if wanted else None, None, payers)

    def reference_month(self) -> Month:
        return Month.of(self.summary.reference_date(self.today()))

    def _row_on(self, month: Month) -> int | None:
        for row in self.rows:
            if row.valid.contains(month):
                return row.id
        return self.rows[-1].id if self.rows else None

    def load_period(self, period_id: int | None, payers: list[tuple[int, str]], start: Month | None = None) -> None:
        """A stored period, or a new one (the service's defaults, from `start` when given)."""
        if period_id is not None:
            self._load(billing_data.get_period(self.db, period_id), None, payers)
            return
        draft = billing_data.new_period(self.db, self.child.id, today=self.today())
        if start is not None:
            draft = m.BillingPeriod(**{**draft.__dict__, "valid": Validity(start)})
        self._load(None, draft, payers)

    def _load(self, dto: PeriodDTO | None, draft: m.BillingPeriod | None, payers: list[tuple[int, str]]) -> None:
        self._filling = True
        try:
            self.current = dto
            self.base = dto.period if dto else draft
            period = self.base
            valid = period.valid if period else Validity(Month.of(self.today()))
            self.ctx = PeriodContext.load(self.db, self.child, valid, self._country()) if self.child else None
            self.set_payers(payers)
            if self.ctx is not None:
                self.fees.set_context(self.ctx, valid.valid_from)
                self.extras.set_context(self.ctx, valid.valid_from)
                self.basic.show_context(self.ctx, valid.valid_from)
            self.basic.set_period(period)
            country = self._country()
            self.fees.set_lines(period.fee_lines if period else (), country)
            self.extras.set_lines(period.extra_lines if period else (), country)
            self._select_row(dto.period.id if dto else None)
            if self.child is not None:
                self.income.show_child(self.db, self.child.organization_id, self.child.id)
        finally:
            self._filling = False
        self._show_state()
        self.refresh_live()
        self.apply_summary()

    def set_payers(self, payers: list[tuple[int, str]]) -> None:
        self.basic.set_payers(payers)
        self.fees.set_payers(payers)
        self.extras.set_payers(payers)

    def _show_state(self) -> None:
        dto, locked = self.current, self.current is not None and self.current.locked_through is not None
        self.lock_frame.setVisible(locked)
        if locked:
            self.lock_label.setText(dto.lock_message)
            self.lock_button.setText(f"Neuer Zeitraum ab {dto.locked_through + 1}")
        self.tabs.setEnabled(self.active)
        self.basic.set_locked(locked)
        self.fees.set_locked(locked)
        self.extras.set_locked(locked)
        self.delete_button.setEnabled(dto is not None and dto.period.billed_through is None)
        if self.child is None:
            return
        if not self.active:
            start = billing_data.new_period(self.db, self.child.id, today=self.today()).valid.valid_from
            self.hint.setText(f"Noch keine Abrechnungsdaten. „Neuer Zeitraum“ legt den ersten an (ab {start}, dem "
                              "Monat des ersten Betreuungstags).")
        elif dto is None:
            self.hint.setText("Neuer Zeitraum – wird mit „Speichern“ angelegt; ein offener Zeitraum davor endet "
                              "mit dem Vormonat.")
        else:
            self.hint.setText("")

    def _fill_table(self) -> None:
        table = self.table
        table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            texts = (str(row.valid.valid_from), str(row.valid.valid_to) if row.valid.valid_to else "offen",
                     str(row.billed_through) if row.billed_through else "–", str(row.fee_lines), str(row.extra_lines),
                     "gesperrt" if row.locked else "")
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.locked:
                    item.setForeground(QColor("#8a5a00"))
                table.setItem(r, c, item)

    def _select_row(self, period_id: int | None) -> None:
        self.table.blockSignals(True)
        self.table.clearSelection()
        for r, row in enumerate(self.rows):
            if row.id == period_id:
                self.table.selectRow(r)
        self.table.blockSignals(False)

    def _row_chosen(self, row: int, _column: int) -> None:
        period_id = self.rows[row].id if 0 <= row < len(self.rows) else None
        if period_id is not None and (self.current is None or self.current.period.id != period_id):
            self.load_requested.emit(period_id)

    def _new_after_lock(self) -> None:
        if self.current is not None and self.current.locked_through is not None:
            self.load_requested.emit(self.current.locked_through + 1)

    # live figures -----------------------------------------------------------------------------------
    def live_month(self, period: m.BillingPeriod) -> Month:
        month = self.reference_month()
        if not period.valid.contains(month):
            month = period.valid.valid_from
        billed = period.billed_through
        if billed is not None and month <= billed and period.valid.contains(billed + 1):
            month = billed + 1
        return month

    def _valid_from_changed(self) -> None:
        start = self.basic.valid_from()
        if self.ctx is None or start is None or self._filling or start == self.fees.month:
            return
        valid = Validity(start)
        if billing_data.facility_for([c.contract for c in self.child.contracts], valid) != self.ctx.facility_id:
            self.ctx = PeriodContext.load(self.db, self.child, valid, self._country())
        self.fees.set_context(self.ctx, start)
        self.extras.set_context(self.ctx, start)
        self.basic.show_context(self.ctx, start)
        self.refresh_live()

    def draft(self) -> m.BillingPeriod | None:
        """The form as a period, leniently (unreadable values left out): for the live figures."""
        if not self.active or self.ctx is None:
            return None
        errors = ErrorCollector()
        period = self.collect(errors, strict=False)
        return period

    def refresh_live(self) -> None:
        if self._filling:
            return
        fees_payer, extras_payer = self.basic.payer_ids()
        names = {p.person_id: p.name for p in self.child.payers} if self.child else {}
        self.fees.set_payers_visible(fees_payer is None, f"Zahler: „{names.get(fees_payer, '')}“ übernimmt den "
                                                         "gesamten Beitrag (Grunddaten).")
        self.extras.set_payers_visible(extras_payer is None, f"Zahler: „{names.get(extras_payer, '')}“ übernimmt "
                                                             "die gesamten Zusatzkosten (Grunddaten).")
        errors = ErrorCollector()
        period = self.collect(errors, strict=False) if self.active and self.ctx else None
        if period is None:
            self.fees.show_preview({})
            self.extras.show_preview({})
            return
        fees, extras = preview(self.ctx, period, self.live_month(period), self._positions[0], self._positions[1])
        self.fees.show_preview(fees)
        self.extras.show_preview(extras)

    def apply_summary(self) -> None:
        """"Übernehmen": the summary of the period valid on the reference date (the form's own
        period with what is typed now, or another stored one)."""
        if self.child is None or self.ctx is None:
            self.summary.show_empty("")
            return
        day = self.summary.reference_date(self.today())
        month = Month.of(day)
        draft = self.draft()
        if draft is not None and draft.valid.contains(month):
            self.summary.show_summary(self.ctx, draft, day)
            return
        row = next((r for r in self.rows if r.valid.contains(month)), None)
        if row is None:
            self.summary.show_empty(f"Am {self.summary.date_edit.text()} gilt kein Abrechnungszeitraum.")
            return
        period = billing_data.get_period(self.db, row.id).period
        ctx = PeriodContext.load(self.db, self.child, period.valid, self._country())
        self.summary.show_summary(ctx, period, day)

    # reading the form -------------------------------------------------------------------------------
    def collect(self, errors: ErrorCollector, strict: bool = True) -> m.BillingPeriod | None:
        if not self.active:
            return None
        valid, manual = self.basic.read(errors)
        currency = self.ctx.currency
        fee_lines, fee_positions = self.fees.read(currency, errors, strict)
        extra_lines, extra_positions = self.extras.read(currency, errors, strict)
        self._positions = (fee_positions, extra_positions)
        if valid is None:
            if strict:
                return None
            valid = self.base.valid
        fees_payer, extras_payer = self.basic.payer_ids()
        base = self.base
        return m.BillingPeriod(child_id=self.child.id, valid=valid, fee_lines=tuple(fee_lines),
                               extra_lines=tuple(extra_lines), siblings_manual=manual,
                               extra_siblings=self.basic.extra_siblings(), fees_payer_id=fees_payer,
                               extras_payer_id=extras_payer, meal_coverage=self.basic.meal_coverage(),
                               billed_through=base.billed_through, id=base.id, version=base.version)

    def map_error_field(self, field: str) -> str:
        """Service errors count only the lines, discounts and payers that are filled in; map them to
        the form positions."""
        import re

        match = re.match(r"^(fee|extra)_lines\[(\d+)\](.*)$", field)
        if not match:
            return field
        layer = self.fees if match[1] == "fee" else self.extras
        positions = self._positions[0 if match[1] == "fee" else 1]
        k = int(match[2])
        index = positions[k] if k < len(positions) else k
        rest = match[3]
        line = layer.lines[index] if index < len(layer.lines) else None
        sub = re.match(r"^\.(discount_ids|payers)\[(\d+)\](.*)$", rest)
        if sub and line is not None:
            inner = int(sub[2])
            inner = line.discount_field_index(inner) if sub[1] == "discount_ids" else line.payer_field_index(inner)
            rest = f".{sub[1]}[{inner}]{sub[3]}"
        return f"{match[1]}_lines[{index}]{rest}"

    def mark_error_tabs(self, widgets: list[QWidget]) -> None:
        first = None
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            hit = any(page.isAncestorOf(w) for w in widgets)
            self.tabs.tabBar().setTabTextColor(i, QColor(ERROR_COLOR) if hit else self.tabs.palette().windowText().color())
            if hit and first is None:
                first = i
        if first is not None:
            self.tabs.setCurrentIndex(first)
