"""The page „Zahlungseingänge“: read a bank file (camt.053/camt.054), see the preview, book it;
the clearing list of credits nobody could match, and the imports so far.

Reading, matching and booking run on the worker (progress bar and „Abbrechen“ below the tabs);
a file with problems shows them with their place and books nothing.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from sollhaben.domain.formatting import format_money
from sollhaben.domain.receivables.bank_matching import LineStatus
from sollhaben.domain.references import format_iban
from sollhaben.services.receivables import bank_clearing
from sollhaben.services.receivables.bank_dto import BankEntryDTO, BankFileError, BankFilePreview, BankImportResult
from sollhaben.services.receivables.bank_import import import_bank_file, preview_import
from sollhaben.services.receivables.bank_returns import note_return_details, with_return_notes
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.run_worker import PageJobs
from sollhaben.ui.receivables.bank_clearing_dialogs import AssignDialog, UnassignableDialog
from sollhaben.ui.receivables.bank_preview_dialog import BankPreviewDialog, reference_text
from sollhaben.ui.receivables.bank_returns_tab import BankReturnsTab
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

FILE_FILTER = "Bankdateien camt.053/054 (*.xml *.camt *.053 *.054);;Alle Dateien (*)"


class BankFilesPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._folder = ""
        self.preview_dialog: BankPreviewDialog | None = None
        self.last_result: BankImportResult | None = None
        money = lambda amount: format_money(amount, context.country)  # noqa: E731
        heading = QLabel("Zahlungseingänge", self)
        heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.read_button = QPushButton("Bankdatei einlesen …", self)
        self.read_button.setObjectName("readButton")
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.read_button)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")

        iban = lambda r: format_iban(r.debtor_iban) if r.debtor_iban else ""  # noqa: E731
        self.clearing = FilterableList(RowTableModel((
            Column("Datum", lambda r: r.booking_date, width=80),
            Column("Betrag", lambda r: r.amount, ALIGN_RIGHT, formatter=money, width=90),
            Column("Auftraggeber/in", lambda r: r.debtor_name, width=170,
                   cell_tooltip=lambda r: "\n".join(t for t in (r.debtor_name, iban(r) and f"IBAN {iban(r)}") if t)),
            Column("Referenz / Mitteilung", lambda r: " · ".join(p for p in (reference_text(r.reference), r.text) if p),
                   width=240, cell_tooltip=True),
            Column("Hinweis", lambda r: r.note, stretch=True, cell_tooltip=True),
            Column("Stand", lambda r: r.status_label, width=120,
                   cell_tooltip=lambda r: f"{r.status_label}\nDatei: {r.file_name}"),
            Column("Konto", lambda r: r.account_label, width=170, cell_tooltip=True),
            # hidden (they made the list scroll sideways): still searched, shown in the tooltips above
            Column("IBAN", iban, width=190),
            Column("Datei", lambda r: r.file_name, width=160),
        )), self, placeholder="Suchen nach Name, IBAN, Referenz, Mitteilung …")
        self.clearing.setObjectName("clearing")
        for hidden in (7, 8):
            self.clearing.table.setColumnHidden(hidden, True)
        self.assign_button = QPushButton("Zuordnen …", self)
        self.assign_button.setObjectName("assignButton")
        self.unassignable_button = QPushButton("Nicht zuordenbar …", self)
        self.unassignable_button.setObjectName("unassignableButton")
        self.show_done = QCheckBox("Erledigte zeigen", self)
        self.show_done.setObjectName("showDone")
        for widget in (self.assign_button, self.unassignable_button, self.show_done):
            self.clearing.toolbar.addWidget(widget)
        self.tabs.addTab(self.clearing, "Klärung")

        self.imports = FilterableList(RowTableModel((
            Column("Eingelesen", lambda r: r.imported_at.astimezone().strftime("%d.%m.%Y %H:%M"),
                   sort_key=lambda r: r.imported_at, width=120),
            Column("Datei", lambda r: r.file_name, width=200),
            Column("Format", lambda r: f"camt.{r.kind}.{r.version}", width=110),
            Column("Zugeordnet", lambda r: r.matched_count, ALIGN_RIGHT, width=80),
            Column("Summe", lambda r: r.matched, ALIGN_RIGHT, formatter=money, width=100),
            Column("Klärung", lambda r: r.clearing_count, ALIGN_RIGHT, width=60),
            Column("Summe Klärung", lambda r: r.clearing, ALIGN_RIGHT, formatter=money, width=100),
            Column("offen", lambda r: r.open_clearing, ALIGN_RIGHT, width=50),
            Column("übersprungen", lambda r: r.skipped_count, ALIGN_RIGHT, width=95,
                   tooltip="Belastungen, vorgemerkte und andere nicht gebuchte Zeilen"),
            Column("bereits eingelesen", lambda r: r.duplicate_count, ALIGN_RIGHT, width=125),
            Column("von", lambda r: r.imported_by, width=90),
            Column("Nachricht", lambda r: r.message_id, width=180, stretch=True),
        )), self, placeholder="Suchen nach Datei, Datum …")
        self.imports.setObjectName("imports")
        self.tabs.addTab(self.imports, "Einlesungen")

        self.bar = QProgressBar(self)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.stop_button = QPushButton("Abbrechen", self)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.bar)
        status_row.addWidget(self.stop_button)
        self.jobs = PageJobs(context.worker, self.bar, self.status, self.stop_button, self)
        self.jobs.busy_changed.connect(lambda busy: self.read_button.setEnabled(not busy))
        self.jobs.cancelled.connect(lambda _title: self.jobs.say("Abgebrochen – es wurde nichts gebucht."))
        self.returns = BankReturnsTab(self)  # tab „Rücklastschriften“ (bank_returns_tab.py)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(status_row)
        self.read_button.clicked.connect(lambda: self.choose_file())
        self.assign_button.clicked.connect(lambda: self.assign())
        self.clearing.activated.connect(lambda _row: self.assign())
        self.unassignable_button.clicked.connect(lambda: self.mark_unassignable())
        self.show_done.toggled.connect(lambda _on: self.reload())
        context.signals.organization_changed.connect(lambda _org: self.reload())
        context.signals.data_changed.connect(self._data_changed)
        if context.organization is not None:
            self.reload()

    # data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        db, org = self.context.db, self.context.organization_id
        rows = bank_clearing.list_clearing(db, org, include_done=self.show_done.isChecked())
        self.clearing.set_rows(rows)
        waiting = sum(1 for r in rows if r.status == "CLEARING")
        self.tabs.setTabText(0, f"Klärung ({waiting})")
        self.imports.set_rows(bank_clearing.list_imports(db, org))

    def _data_changed(self, table: str) -> None:
        if table in ("bank_entry", "bank_import", "account", "person"):
            self.reload()

    # reading a file ------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Bankdatei einlesen", self._folder, FILE_FILTER)
        if name:
            self.read_file(Path(name))

    def read_file(self, path: Path, show_dialog: bool = True) -> None:
        """Preview on the worker, then the preview dialog; „Buchen“ books on the worker."""
        self._folder = str(path.parent)
        try:
            content = path.read_bytes()
        except OSError as exc:
            self.jobs.say(f"Die Datei {path.name} kann nicht gelesen werden: {exc.strerror or exc}")
            return
        db, org = self.context.db, self.context.organization_id

        def work(progress):
            preview = preview_import(db, org, content, path.name, progress=progress.report,
                                     cancelled=progress.cancelled)
            return with_return_notes(db, org, preview, content)  # returned collections named (bank_returns)
        self.jobs.run("Bankdatei lesen", work,
                      on_done=lambda preview: self._previewed(preview, content, show_dialog),
                      on_error=self._failed, cancellable=True)

    def _previewed(self, preview: BankFilePreview, content: bytes, show_dialog: bool) -> None:
        self.preview_dialog = BankPreviewDialog(preview, self.context.country, self)
        if preview.problems:
            self.jobs.say(f"{preview.file_name}: {len(preview.problems)} Fehler – nichts gebucht.")
        else:
            self.jobs.say(f"{preview.file_name}: {preview.summary()}")
        if show_dialog and self.preview_dialog.exec() == QDialog.DialogCode.Accepted:
            self.book(preview, content)

    def book(self, preview: BankFilePreview, content: bytes) -> None:
        db, org, name = self.context.db, self.context.organization_id, preview.file_name

        def work(progress):
            result = import_bank_file(db, org, content, name, progress=progress.report, cancelled=progress.cancelled)
            note_return_details(db, org, content)  # returned collections the file names (tab Rücklastschriften)
            return result
        self.jobs.run("Bankdatei buchen", work, on_done=self._booked, on_error=self._failed, cancellable=True)

    def _booked(self, result: BankImportResult) -> None:
        self.last_result = result
        self.context.signals.data_changed.emit("bank_import")
        self.context.signals.data_changed.emit("posting")
        preview = result.preview
        if result.import_id is None:
            self.jobs.say(f"{preview.file_name}: nichts Neues – alles bereits eingelesen oder vorgemerkt.")
            return
        clearing = preview.count(LineStatus.CLEARING)
        self.tabs.setCurrentIndex(0 if clearing else 1)
        self.jobs.say(f"{preview.file_name} gebucht: {preview.summary()}")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, BankFileError):
            self.jobs.say(f"Nichts gebucht – {len(exc.problems)} Fehler in der Datei.")
            QMessageBox.warning(self, "Bankdatei nicht gebucht",
                                "Die Datei wurde nicht gebucht:\n" + "\n".join(str(p) for p in exc.problems[:30]))
            return
        self.jobs.say(f"Fehler: {exc}")

    # clearing --------------------------------------------------------------------------------
    def _waiting_row(self) -> BankEntryDTO | None:
        row: BankEntryDTO | None = self.clearing.current_row()
        if row is None or row.status != "CLEARING":
            self.jobs.say("Bitte zuerst einen offenen Zahlungseingang der Klärungsliste wählen.")
            return None
        return row

    def assign(self, dialog: AssignDialog | None = None) -> AssignDialog | None:
        row = self._waiting_row()
        if row is None:
            return None
        dialog = dialog or AssignDialog(self.context, row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.context.signals.data_changed.emit("bank_entry")
            self.context.signals.data_changed.emit("posting")
            self.jobs.say(f"Zahlungseingang über {format_money(row.amount, self.context.country, True)} gebucht.")
        return dialog

    def mark_unassignable(self, dialog: UnassignableDialog | None = None) -> UnassignableDialog | None:
        row = self._waiting_row()
        if row is None:
            return None
        dialog = dialog or UnassignableDialog(self.context, row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.context.signals.data_changed.emit("bank_entry")
            self.jobs.say("Als nicht zuordenbar markiert; die Notiz steht in der Klärungsliste (Erledigte zeigen).")
        return dialog
