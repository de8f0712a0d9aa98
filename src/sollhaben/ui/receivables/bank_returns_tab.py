"""The tab „Rücklastschriften“ of the page Zahlungseingänge: debit lines of the imported bank files
that are returns of our SEPA collections (`services.receivables.bank_returns`), with
„Als Rücklastschrift buchen …“ (double-click too) and „Erledigte zeigen“.

Installed by the page with one call (`BankReturnsTab(page)`); it adds itself as a tab, reloads when
files are imported or postings change, and tells in the page's status line when an import brought
new return debits."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QDialog, QPushButton, QVBoxLayout, QWidget

from sollhaben.domain.formatting import format_money
from sollhaben.domain.receivables.sepa_collection_rules import reason_label
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import bank_returns, sepa_collections
from sollhaben.services.receivables.bank_returns import ReturnDebitLine
from sollhaben.ui.receivables.bank_returns_dialog import BankReturnDialog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList


def _reason(line: ReturnDebitLine) -> str:
    return f"{line.reason_code} – {reason_label(line.reason_code)}" if line.reason_code else "(keine Angabe)"


class BankReturnsTab(QWidget):
    def __init__(self, page: QWidget, today: Callable[[], date] = date.today) -> None:
        super().__init__(page)
        self.page, self.context, self.today = page, page.context, today
        self.dialog: QDialog | None = None
        self._open_count: int | None = None
        money = lambda amount: format_money(amount, self.context.country) if amount else ""  # noqa: E731
        self.list = FilterableList(RowTableModel((
            Column("Datum", lambda r: r.booking_date, width=80),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=90),
            Column("Rückgabegrund", _reason, width=210),
            Column("Konto", lambda r: r.account_label or "–", width=190),
            Column("Lastschrift", lambda r: r.end_to_end_id, width=120),
            Column("eingezogen", lambda r: r.collected, ALIGN_RIGHT, formatter=money, width=85),
            Column("erkannt an", lambda r: r.via, width=110),
            Column("Stand", lambda r: r.state, width=130),
            Column("Zahler/in (Bank)", lambda r: r.debtor_name, width=150),
            Column("IBAN", lambda r: format_iban(r.debtor_iban) if r.debtor_iban else "", width=190),
            Column("Datei", lambda r: r.file_name, width=160, stretch=True),
        )), self, placeholder="Suchen nach Name, Konto, Lastschrift …")
        self.list.setObjectName("returns")
        self.book_button = QPushButton("Als Rücklastschrift buchen …", self, objectName="bookReturnButton")
        self.book_button.setToolTip("Die eingezogene Zahlung stornieren (die Posten sind wieder offen) und die "
                                    "Gebühr weiterbelasten")
        self.show_done = QCheckBox("Erledigte zeigen", self, objectName="showDoneReturns")
        self.list.toolbar.addWidget(self.book_button)
        self.list.toolbar.addWidget(self.show_done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.index = page.tabs.addTab(self, "Rücklastschriften")
        self.book_button.clicked.connect(lambda: self.book())
        self.list.activated.connect(lambda _row: self.book())
        self.list.current_changed.connect(lambda _row: self._update_button())
        self.show_done.toggled.connect(lambda _on: self.reload())
        self.context.signals.organization_changed.connect(lambda _org: self.reload())
        self.context.signals.data_changed.connect(self._data_changed)
        if self.context.organization is not None:
            self.reload()

    def reload(self) -> None:
        if self.context.organization is None:
            self.list.set_rows([])
            return
        rows = bank_returns.list_return_debits(self.context.db, self.context.organization_id,
                                               include_done=self.show_done.isChecked())
        self.list.set_rows(rows)
        waiting = sum(1 for r in rows if not r.booked and r.item_id is not None)
        self.page.tabs.setTabText(self.index, f"Rücklastschriften ({waiting})")
        if self._open_count is not None and waiting > self._open_count:
            # after the page's own message about the import (it is said right after this reload)
            found = waiting - self._open_count
            QTimer.singleShot(0, lambda: self.page.jobs.say(
                f"{self.page.status.text()} · {found} Rücklastschrift(en) erkannt – Reiter „Rücklastschriften“."
                .lstrip(" ·")))
        self._open_count = waiting
        self._update_button()

    def _data_changed(self, table: str) -> None:
        if table in ("bank_import", "bank_entry", "posting", "sepa_collection"):
            self.reload()

    def _chosen(self) -> ReturnDebitLine | None:
        row = self.list.current_row()
        return row if row is not None and not row.booked and row.item_id is not None else None

    def _update_button(self) -> None:
        self.book_button.setEnabled(self._chosen() is not None)

    def book(self) -> BankReturnDialog | None:
        line = self._chosen()
        if line is None:
            self.page.jobs.say("Bitte eine offene Rücklastschrift mit erkannter Lastschrift wählen.")
            return None
        item = sepa_collections.find_item_by_end_to_end_id(self.context.db, line.end_to_end_id)
        if item is None:
            return None
        self.dialog = BankReturnDialog(self.context, line, item, self, today=self.today())
        self.dialog.accepted.connect(lambda: self.page.jobs.say(
            f"Rücklastschrift {format_money(line.amount, self.context.country, True)} gebucht – die Posten von "
            f"{line.account_label} sind wieder offen."))
        self.dialog.open()
        return self.dialog
