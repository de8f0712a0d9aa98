"""First start: no organization yet — create one (settings dialog) or load demo data (worker)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.persistence.database import Database
from sollhaben.services import demo, organizations
from sollhaben.services.dto import OrganizationDTO
from sollhaben.ui.forms.ui_organization_wizard import Ui_OrganizationWizard
from sollhaben.ui.settings_dialog import SettingsDialog

DEMO_SIZES = (("klein (200 Personen je Organisation)", 200), ("mittel (2 000 Personen)", 2000),
              ("gross (10 000 Personen)", 10_000))


class OrganizationWizard(QDialog):
    """Accepted with `self.organization` set to the created or demo organization."""

    def __init__(self, db: Database, runner=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.organization: OrganizationDTO | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._job = None
        self.ui = Ui_OrganizationWizard()
        self.ui.setupUi(self)
        for text, size in DEMO_SIZES:
            self.ui.demoSizeCombo.addItem(text, size)
        self.ui.progressBar.hide()
        self.ok_button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Weiter …")
        self.cancel_button = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.proceed)
        self.ui.buttonBox.rejected.connect(self.reject)
        available = runner is not None  # demo data is loaded on the worker only
        self.ui.demoRadio.setEnabled(available)
        self.ui.demoSizeCombo.setEnabled(available)
        self.ui.demoRadio.toggled.connect(lambda on: self.ok_button.setText("&Laden" if on else "&Weiter …"))

    def proceed(self) -> None:
        if self.ui.demoRadio.isChecked():
            self.load_demo()
        else:
            self.create_own()

    def create_own(self) -> SettingsDialog:
        """Open the settings dialog for a new organization (window-modal, not blocking)."""
        dialog = SettingsDialog(self.db, None, self)
        dialog.saved.connect(self._created)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def _created(self, organization: OrganizationDTO) -> None:
        self.organization = organization
        self.accept()

    def load_demo(self) -> None:
        if self.runner is None:
            return
        size = int(self.ui.demoSizeCombo.currentData())
        db = self.db
        self._set_busy(True)
        self.ui.statusLabel.setText("Demodaten werden angelegt …")
        self.runner.progress.connect(self._progress)
        self._job = self.runner.submit("Demodaten laden", lambda p: demo.load_demo(db, size, p.report, p.cancelled),
                                       on_done=self._demo_loaded, on_error=self._demo_failed, owner=self)
        self.runner.cancelled.connect(self._demo_cancelled)

    def _progress(self, job, done: int, total: int, text: str) -> None:
        if job is self._job:
            self.ui.progressBar.setRange(0, max(total, 1))
            self.ui.progressBar.setValue(done)
            if text:
                self.ui.statusLabel.setText(text)

    def _demo_loaded(self, summary: demo.DemoSummary) -> None:
        self._finish_job()
        self.organization = organizations.get_organization(self.db, summary.organization_id)
        self.accept()

    def _demo_failed(self, exc: BaseException) -> None:
        self._finish_job()
        self.ui.statusLabel.setText("")
        QMessageBox.warning(self, "Demodaten", f"Die Demodaten konnten nicht geladen werden:\n{exc}")

    def _demo_cancelled(self, job) -> None:
        if job is self._job:
            self._finish_job()
            self.ui.statusLabel.setText("Abgebrochen – es wurde nichts angelegt.")

    def _finish_job(self) -> None:
        self._job = None
        for signal, slot in ((self.runner.progress, self._progress), (self.runner.cancelled, self._demo_cancelled)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.ui.progressBar.setVisible(busy)
        self.ui.progressBar.setRange(0, 0)
        for widget in (self.ok_button, self.ui.ownRadio, self.ui.demoRadio, self.ui.demoSizeCombo):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if self._job is not None:  # "Abbrechen" while loading cancels the job first
            self.runner.cancel()
            return
        super().reject()
