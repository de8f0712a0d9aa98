"""The page „Auszahlungen“: credit balances to refund, open payout orders, the payout run and
the credit transfer files written so far.

The run goes to the worker (progress bar and „Abbrechen“ below the tabs); a refused run reopens
its dialog with the errors at their fields. Nothing here computes money: the services do.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QMessageBox, QProgressBar, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.formatting import format_money
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import payout_orders, payout_refunds, payout_run
from sollhaben.services.receivables.payout_dto import CreditBalanceDTO, PayoutOrderDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.run_worker import PageJobs
from sollhaben.ui.receivables.payout_dialogs import PayoutRunDialog, RefundDialog
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

SOURCE_LABELS = {"CREDIT_BALANCE": "Rückzahlung Guthaben", "MODULE": "Modul"}


def _address(party) -> str:
    return ", ".join(p for p in (f"{party.street} {party.house_number}".strip(),
                                 f"{party.postal_code} {party.town}".strip()) if p)


class PayoutPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._folder = ""
        self._dialog: PayoutRunDialog | None = None
        money = lambda amount: format_money(amount, context.country)  # noqa: E731
        heading = QLabel("Auszahlungen", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")

        self.balances = FilterableList(RowTableModel((
            Column("Konto", lambda r: r.account_number, width=70),
            Column("Inhaber/in", lambda r: r.holder_name, width=160),
            Column("Guthaben", lambda r: r.credit, ALIGN_RIGHT, formatter=money, width=90),
            Column("Empfänger/in", lambda r: r.recipient.name, width=160),
            Column("IBAN", lambda r: format_iban(r.iban) if r.iban else "", width=200),
            Column("Hinweis", lambda r: r.problem_text or "bereit", width=300),
        )), self, placeholder="Suchen nach Konto, Name, IBAN …")
        self.refund_button = QPushButton("Rückzahlung anlegen …", self)
        self.refund_button.setObjectName("refundButton")
        self.balances.toolbar.addWidget(self.refund_button)
        self.tabs.addTab(self.balances, "Guthaben")

        self.orders = FilterableList(RowTableModel((
            Column("Nr.", lambda r: r.id, ALIGN_RIGHT, width=50),
            Column("Konto", lambda r: r.account_number, width=70),
            Column("Empfänger/in", lambda r: r.recipient.name, width=160),
            Column("Adresse", lambda r: _address(r.recipient), width=190),
            Column("IBAN", lambda r: format_iban(r.iban), width=200),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=90),
            Column("Verwendungszweck", lambda r: r.purpose, width=220),
            Column("Herkunft", lambda r: SOURCE_LABELS.get(r.source_kind.value, r.source_kind.value), width=140),
        )), self, placeholder="Suchen nach Name, IBAN, Zweck …")
        self.orders.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.cancel_order_button = QPushButton("Stornieren …", self)
        self.cancel_order_button.setObjectName("cancelOrderButton")
        self.run_button = QPushButton("Zahlungsdatei erstellen …", self)
        self.run_button.setObjectName("runButton")
        self.orders.toolbar.addWidget(self.cancel_order_button)
        self.orders.toolbar.addWidget(self.run_button)
        self.tabs.addTab(self.orders, "Offene Aufträge")

        self.files = FilterableList(RowTableModel((
            Column("Erstellt", lambda r: r.created_at.astimezone().date(), width=80),
            Column("Ausführung", lambda r: r.execution_date, width=80),
            Column("Format", lambda r: f"{r.kind} {r.pain_version}", width=150),
            Column("Aufträge", lambda r: r.count, ALIGN_RIGHT, width=70),
            Column("Summe", lambda r: r.total, ALIGN_RIGHT, formatter=money, width=100),
            Column("Belastungskonto", lambda r: format_iban(r.debtor_iban), width=200),
            Column("Datei", lambda r: r.file_name, width=200),
            Column("Erstellt von", lambda r: r.created_by, width=120),
            Column("Zurückgenommen", lambda r: f"{r.withdrawn_by}: {r.withdraw_reason}" if r.withdrawn else "",
                   width=260),
        )), self, placeholder="Suchen nach Datei, Datum …")
        self.save_again_button = QPushButton("Erneut speichern …", self)
        self.withdraw_button = QPushButton("Zurücknehmen …", self)
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.setToolTip("Die Bank hat die Datei nicht ausgeführt (abgelehnt, nie übermittelt): "
                                        "ihre Aufträge werden wieder offen.")
        self.files.toolbar.addWidget(self.save_again_button)
        self.files.toolbar.addWidget(self.withdraw_button)
        self.tabs.addTab(self.files, "Zahlungsdateien")

        self.bar = QProgressBar(self)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.stop_button = QPushButton("Abbrechen", self)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.bar)
        status_row.addWidget(self.stop_button)
        self.jobs = PageJobs(context.worker, self.bar, self.status, self.stop_button, self)
        self.jobs.busy_changed.connect(lambda busy: self.run_button.setEnabled(not busy))
        self.jobs.cancelled.connect(self._run_cancelled)
        self._files_before: set[int] = set()

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(status_row)
        self.refund_button.clicked.connect(self.create_refund)
        self.balances.activated.connect(lambda _row: self.create_refund())
        self.cancel_order_button.clicked.connect(self.cancel_orders)
        self.run_button.clicked.connect(self.start_run)
        self.save_again_button.clicked.connect(self.save_again)
        self.withdraw_button.clicked.connect(lambda: self.withdraw_file())
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        if context.organization is not None:
            self.reload()

    # data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        org = self.context.organization_id
        self.balances.set_rows(payout_refunds.list_credit_balances(self.context.db, org))
        self.orders.set_rows(payout_orders.list_payout_orders(self.context.db, org,
                                                              status=payout_orders.OrderStatus.OPEN))
        self.files.set_rows(payout_run.list_payout_files(self.context.db, org))
        self.tabs.setTabText(1, f"Offene Aufträge ({self.orders.model.rowCount()})")

    def _data_changed(self, table: str) -> None:
        if table in ("posting", "account", "person", "payout_order"):
            self.reload()

    # refunds and orders --------------------------------------------------------------------
    def create_refund(self) -> None:
        row: CreditBalanceDTO | None = self.balances.current_row()
        if row is None:
            self.jobs.say("Bitte zuerst ein Konto mit Guthaben wählen.")
            return
        dialog = RefundDialog(self.context, row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.context.signals.data_changed.emit("payout_order")
            self.jobs.say(f"Rückzahlung an {row.recipient.name} angelegt (Auftrag {dialog.order_id}).")

    def marked_orders(self) -> list[PayoutOrderDTO]:
        return self.orders.selected_rows()

    def cancel_orders(self, confirmed: bool = False) -> None:
        rows = self.marked_orders()
        if not rows:
            self.jobs.say("Bitte die Aufträge markieren, die storniert werden sollen.")
            return
        if not confirmed and QMessageBox.question(
                self, "Aufträge stornieren", f"{len(rows)} Auftrag/Aufträge stornieren? Rückzahlungen werden "
                "zurückgebucht, das Guthaben steht wieder auf dem Konto.") != QMessageBox.StandardButton.Yes:
            return
        problems = []
        for row in rows:
            try:
                payout_orders.cancel_payout_order(self.context.db, row.id)
            except ValidationError as exc:
                problems.append(f"Auftrag {row.id}: {exc}")
        self.context.signals.data_changed.emit("payout_order")
        done = "1 Auftrag" if len(rows) == 1 else f"{len(rows)} Aufträge"
        self.jobs.say("; ".join(problems) if problems else f"{done} storniert.")

    # the payout run ------------------------------------------------------------------------
    def start_run(self, dialog: PayoutRunDialog | None = None) -> PayoutRunDialog | None:
        """Ask which orders (all open ones or the marked ones), date and file, then run on the worker."""
        if dialog is None:
            db, org = self.context.db, self.context.organization_id
            everything = payout_run.preview_payout_run(db, org)
            marked_ids = [row.id for row in self.marked_orders()]
            marked = (payout_run.preview_payout_run(db, org, marked_ids)
                      if marked_ids and len(marked_ids) < len(everything.orders) else None)
            dialog = PayoutRunDialog(self.context, everything, self._folder, self, marked=marked)
            self._dialog = dialog
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return dialog
        self._dialog = dialog
        self.run(dialog)
        return dialog

    def run(self, dialog: PayoutRunDialog) -> None:
        db, org = self.context.db, self.context.organization_id
        execution, target, order_ids = dialog.execution_date, dialog.target, dialog.order_ids
        self._folder = str(target.parent)
        self._files_before = {f.id for f in payout_run.list_payout_files(db, org)}

        def work(progress):
            return payout_run.create_payout_file(db, org, execution_date=execution, target_path=target,
                                                 order_ids=order_ids, today=date.today(),
                                                 progress=progress.report, cancelled=progress.cancelled)
        self.jobs.run("Zahlungsdatei erstellen", work, on_done=self._run_done,
                      on_error=lambda exc: self._run_failed(dialog, exc), cancellable=True)

    def _run_done(self, result) -> None:
        self.context.signals.data_changed.emit("payout_order")
        self.tabs.setCurrentIndex(2)
        orders = "1 Auftrag" if result.count == 1 else f"{result.count} Aufträge"
        self.jobs.say(f"Zahlungsdatei {result.file_name} geschrieben: {orders}, "
                      f"{format_money(result.total, self.context.country, with_currency=True)}.")

    def _run_cancelled(self, _title: str) -> None:
        """A cancel that came after the commit does not undo the run: look, and report it if stored."""
        files = payout_run.list_payout_files(self.context.db, self.context.organization_id)
        stored = [f for f in files if f.id not in self._files_before]
        if stored:
            self._run_done(stored[0])
            return
        self.jobs.say("Abgebrochen – es wurde nichts gespeichert und keine Datei geschrieben.")

    def _run_failed(self, dialog: PayoutRunDialog, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.jobs.say("Nichts gespeichert – die Zahlungsdatei wurde abgelehnt.")
            dialog.show_errors(exc.errors)
            if dialog.isHidden() and dialog.exec() == QDialog.DialogCode.Accepted:
                self.run(dialog)
            return
        self.jobs.say(f"Nichts gespeichert: {exc}")

    def save_again(self) -> None:
        row = self.files.current_row()
        if row is None:
            self.jobs.say("Bitte eine Zahlungsdatei wählen.")
            return
        if row.withdrawn:
            self.jobs.say(f"{row.file_name} ist zurückgenommen; ihre Aufträge gehören in eine neue Datei.")
            return
        path, _filter = QFileDialog.getSaveFileName(self, "Zahlungsdatei erneut speichern", row.file_name,
                                                    "ISO-20022-Zahlungsdatei (*.xml)")
        if path:
            payout_run.save_payout_file(self.context.db, row.id, path)
            self.jobs.say(f"{row.file_name} gespeichert.")

    def withdraw_file(self, reason: str | None = None) -> None:
        """Withdraw the chosen file after the clerk confirmed, with a reason, that the bank did not
        execute it: withdrawing a file the bank paid would pay its orders twice."""
        row = self.files.current_row()
        if row is None or row.withdrawn:
            self.jobs.say("Bitte eine Zahlungsdatei wählen, die nicht schon zurückgenommen ist.")
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, "Zahlungsdatei zurücknehmen",
                f"{row.file_name}: {row.count} Aufträge, {format_money(row.total, self.context.country)}.\n\n"
                "Nur zurücknehmen, wenn die Bank die Datei NICHT ausgeführt hat (abgelehnt oder nie übermittelt) – "
                "sonst würden die Aufträge doppelt bezahlt.\n\nGrund:")
            if not ok:
                return
        try:
            reopened = payout_run.withdraw_payout_file(self.context.db, row.id, reason)
        except ValidationError as exc:
            self.jobs.say(f"Nicht zurückgenommen: {exc}")
            return
        self.context.signals.data_changed.emit("payout_order")
        reopened_text = "1 Auftrag ist" if reopened == 1 else f"{reopened} Aufträge sind"
        self.jobs.say(f"{row.file_name} zurückgenommen; {reopened_text} wieder offen.")

