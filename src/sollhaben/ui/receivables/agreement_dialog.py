"""„Zahlungsvereinbarung …“: choose the open items, agree the instalments, see the schedule live.

Every change of a field recomputes the schedule a moment later (the same domain function the
service uses, so the preview is what will be stored) and marks the fields the rules refuse, without
taking the cursor away. „Speichern“ stores agreement, schedule, item blocks and log entry in one go.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QHeaderView, QMessageBox, QTableWidgetItem, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import FieldError, NotFoundError, ValidationError
from sollhaben.domain.formatting import format_date, format_money
from sollhaben.domain.ledger import category_label
from sollhaben.domain.money import Money, total
from sollhaben.domain.months import Month
from sollhaben.domain.receivables.agreements import (
    Instalment, Interval, build_schedule, instalment_label, last_deadline,
)
from sollhaben.persistence.database import Database
from sollhaben.services.dto import AccountDTO
from sollhaben.services.receivables import agreements
from sollhaben.services.receivables.agreements_dto import AgreementInput, CoverableItem
from sollhaben.ui.field_errors import ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog, show_form_errors
from sollhaben.ui.forms.ui_agreement_dialog import Ui_AgreementDialog
from sollhaben.ui.receivables.agreement_input import RawAgreement, merge_errors, read_terms
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel

ITEM_COLUMNS = ("Fällig", "Text", "Betrag", "Offen", "")
FIELDS = ("total", "down_payment", "instalment_count", "instalment_amount", "first_due", "grace_days", "note")


class AgreementDialog(FormDialog):
    saved = Signal(int)  # the new agreement's id

    def __init__(self, db: Database, organization_id: int, account: AccountDTO, country: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.organization_id, self.account = db, organization_id, account
        self.country, self.today, self.currency = country, today, account.currency
        self.agreement_id: int | None = None
        self.ui = Ui_AgreementDialog()
        self.ui.setupUi(self)
        self.setWindowTitle(f"Zahlungsvereinbarung – {account.holder_name}")
        self.ui.accountLabel.setText(f"Konto {account.number} · {account.holder_name}")
        self.setStyleSheet(ERROR_STYLE)
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        for interval in (Interval.MONTHLY, Interval.WEEKLY, Interval.QUARTERLY):
            self.ui.intervalCombo.addItem(interval.label, interval.value)
        self.ui.firstDueEdit.setText(format_date((Month.of(today) + 1).first_day))
        self.errors = FieldErrorView(self)
        widgets = (self.ui.totalEdit, self.ui.downPaymentEdit, self.ui.countSpin, self.ui.amountEdit,
                   self.ui.firstDueEdit, self.ui.graceSpin, self.ui.noteEdit)
        for field, widget in zip(FIELDS, widgets):
            self.errors.register(field, widget)
        self.errors.register("items", self.ui.itemsTable, self.ui.itemsMessageLabel)
        money = lambda m: format_money(m, country)  # noqa: E731
        self.schedule_model = RowTableModel((
            Column("Rate", lambda r: instalment_label(r[0].position, r[0].is_down_payment), width=110),
            Column("Fällig am", lambda r: r[0].due_date, width=95),
            Column("Betrag", lambda r: r[0].amount, ALIGN_RIGHT, formatter=money, width=95),
            Column("Summe", lambda r: r[1], ALIGN_RIGHT, formatter=money, width=95, stretch=True)))
        self.ui.scheduleTable.setModel(self.schedule_model)
        self.ui.scheduleTable.verticalHeader().hide()
        self.ui.scheduleTable.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._items: list[CoverableItem] = []
        self._total_touched = False
        self._load_items()
        self._preview_timer = QTimer(self, singleShot=True, interval=200)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._connect_changes()
        self._sync_mode()
        self._dirty = False
        self.refresh_preview()

    # items ---------------------------------------------------------------------------------
    def _load_items(self) -> None:
        self._items = agreements.coverable_items(self.db, self.account.id)
        table = self.ui.itemsTable
        table.setColumnCount(len(ITEM_COLUMNS))
        table.setHorizontalHeaderLabels(ITEM_COLUMNS)
        table.setRowCount(len(self._items))
        table.verticalHeader().hide()
        for row, item in enumerate(self._items):
            cells = (format_date(item.due_date or item.booking_date), item.text or category_label(item.category),
                     format_money(item.amount, self.country), format_money(item.open_amount, self.country),
                     f"Vereinbarung Nr. {item.agreement_id}" if item.agreement_id else "")
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column in (2, 3):
                    cell.setTextAlignment(ALIGN_RIGHT)
                if column == 0:
                    free = item.agreement_id is None
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    cell.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable if free else Qt.ItemFlag.ItemIsSelectable)
                    cell.setCheckState(Qt.CheckState.Checked if free else Qt.CheckState.Unchecked)
                    if not free:
                        cell.setToolTip(f"Gehört schon zur laufenden Zahlungsvereinbarung Nr. {item.agreement_id}.")
                table.setItem(row, column, cell)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._fill_total()

    def checked_ids(self) -> tuple[int, ...]:
        return tuple(item.id for row, item in enumerate(self._items)
                     if self.ui.itemsTable.item(row, 0).checkState() == Qt.CheckState.Checked)

    def set_checked(self, item_ids: set[int] | None) -> None:
        """Check these items (None: every free one)."""
        for row, item in enumerate(self._items):
            cell = self.ui.itemsTable.item(row, 0)
            if cell.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                wanted = item_ids is None or item.id in item_ids
                cell.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def covered_total(self) -> Money:
        chosen = set(self.checked_ids())
        return total((i.open_amount for i in self._items if i.id in chosen), self.currency)

    def _fill_total(self) -> None:
        """The total follows the chosen items until the clerk types one of their own."""
        covered = self.covered_total()
        self.ui.itemsSumLabel.setText(f"{len(self.checked_ids())} Posten, offen {format_money(covered, self.country)}"
                                      f" {self.currency}")
        if not self._total_touched:
            self.ui.totalEdit.blockSignals(True)
            self.ui.totalEdit.setText(format_money(covered, self.country))
            self.ui.totalEdit.blockSignals(False)

    # changes -------------------------------------------------------------------------------
    def _connect_changes(self) -> None:
        ui = self.ui
        ui.itemsTable.itemChanged.connect(lambda _cell: (self._fill_total(), self._changed()))
        ui.allButton.clicked.connect(lambda: self.set_checked(None))
        ui.noneButton.clicked.connect(lambda: self.set_checked(set()))
        ui.totalEdit.textEdited.connect(lambda _t: (setattr(self, "_total_touched", True), self._changed()))
        for edit in (ui.downPaymentEdit, ui.amountEdit, ui.firstDueEdit):
            edit.textChanged.connect(self._changed)
        for spin in (ui.countSpin, ui.graceSpin):
            spin.valueChanged.connect(self._changed)
        ui.intervalCombo.currentIndexChanged.connect(self._changed)
        ui.noteEdit.textChanged.connect(lambda: setattr(self, "_dirty", True))
        ui.countRadio.toggled.connect(lambda _on: (self._sync_mode(), self._changed()))

    def _sync_mode(self) -> None:
        by_count = self.ui.countRadio.isChecked()
        self.ui.countSpin.setEnabled(by_count)
        self.ui.amountEdit.setEnabled(not by_count)

    def _changed(self, *_args) -> None:
        self._dirty = True
        self._preview_timer.start()

    def is_dirty(self) -> bool:
        return self._dirty

    # preview and save ----------------------------------------------------------------------
    def _raw(self) -> RawAgreement:
        ui = self.ui
        return RawAgreement(ui.totalEdit.text(), ui.downPaymentEdit.text(), ui.countRadio.isChecked(),
                            ui.countSpin.value(), ui.amountEdit.text(), ui.firstDueEdit.text(),
                            Interval(ui.intervalCombo.currentData()), ui.graceSpin.value())

    def _schedule(self) -> tuple[tuple[Instalment, ...], list[FieldError]]:
        covered = self.covered_total()
        terms, problems = read_terms(self._raw(), self.currency, covered, self.today)
        try:
            schedule = build_schedule(terms, covered, self.today)
        except ValidationError as exc:
            return (), merge_errors(problems, exc.errors)
        return (() if problems else schedule), problems

    def refresh_preview(self) -> list[FieldError]:
        """Recompute the schedule; mark refused fields without moving the cursor."""
        self._preview_timer.stop()
        schedule, errors = self._schedule()
        rows, running = [], Money.zero(self.currency)
        for instalment in schedule:
            running = running + instalment.amount
            rows.append((instalment, running))
        self.schedule_model.set_rows(rows)
        if schedule:
            self.ui.scheduleSumLabel.setText(
                f"{len(schedule)} Fälligkeiten, Summe {format_money(running, self.country)} {self.currency} "
                f"= Gesamtbetrag")
            until = last_deadline(schedule, self.ui.graceSpin.value())
            self.ui.blockHintLabel.setText(f"Die gewählten Posten werden bis {format_date(until)} nicht gemahnt "
                                           "(letzte Rate + Karenztage). Bleibt eine Rate aus, endet die Sperre.")
        else:
            self.ui.scheduleSumLabel.setText("Kein Ratenplan – bitte die markierten Felder korrigieren.")
            self.ui.blockHintLabel.clear()
        focus = QApplication.focusWidget()
        self.errors.show(errors)
        if focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        return errors

    def save(self) -> bool:
        errors = self.refresh_preview()  # the schedule shown is the one checked
        if errors:
            show_form_errors(self.errors, self.ui.summaryLabel, errors)
            return False
        terms, _problems = read_terms(self._raw(), self.currency, self.covered_total(), self.today)
        data = AgreementInput(self.account.id, terms, self.checked_ids(), self.ui.noteEdit.toPlainText())
        try:
            self.agreement_id = agreements.create_agreement(self.db, self.organization_id, data, self.today)
        except ValidationError as exc:
            show_form_errors(self.errors, self.ui.summaryLabel, exc.errors)
            return False
        except NotFoundError as exc:
            QMessageBox.warning(self, "Zahlungsvereinbarung", str(exc))
            return False
        self._dirty = False
        self.saved.emit(self.agreement_id)
        return True
