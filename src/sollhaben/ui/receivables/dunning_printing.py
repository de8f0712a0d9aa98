"""Printing of the dunning page: a run's letters (after booking, or again from „Mahnläufe“) and its
hand-over list, rendered on the worker with progress and cancel; one PDF into the print preview, or
one PDF per recipient into a folder the clerk picks. A mixin of `DunningPage` (it uses the page's
context, summary, progress and output choice)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

from sollhaben.services.receivables import dunning_handover, dunning_letters
from sollhaben.ui.print_preview import PrintPreviewDialog


class PrintingMixin:
    def print_run(self, run_id: int, account_ids) -> None:
        each = self.output.currentData() == "each"
        db = self.context.db
        self._busy(True, "Briefe werden erstellt …", cancel=True)
        self._job = self.context.worker.submit(
            "Mahnbriefe drucken",
            lambda p: dunning_letters.render_run(db, run_id, per_recipient=each, progress=p.report,
                                                 cancelled=p.cancelled, account_ids=account_ids),
            on_done=lambda pdf: self._printed(run_id, pdf), on_error=self._failed, owner=self)

    def _printed(self, run_id: int, pdf) -> None:
        self._busy(False)
        if isinstance(pdf, bytes):
            self._show_pdf(pdf, "Mahnungen", f"Mahnungen_Lauf_{run_id}.pdf")
            return
        folder = self.choose_folder()
        if not folder:
            self.summary.setText("Nicht gespeichert. Die Briefe lassen sich unter „Mahnläufe“ erneut drucken.")
            return
        try:
            self.written = []
            for name, data in pdf:
                path = Path(folder) / name
                path.write_bytes(data)
                self.written.append(path)
        except OSError as exc:
            self._error(f"Die Dateien konnten nicht geschrieben werden: {exc.strerror or exc}")
            return
        self.summary.setText(f"{len(self.written)} PDF-Datei(en) gespeichert in {folder}")

    def print_handover_list(self, run_id: int) -> None:
        """The run's hand-over list (PDF) in the print preview."""
        db = self.context.db
        self._busy(True, "Übergabeliste wird erstellt …")
        self._job = self.context.worker.submit(
            "Übergabeliste", lambda _p: dunning_handover.handover_pdf(db, run_id),
            on_done=lambda pdf: self._show_pdf(pdf, "Übergabeliste", f"Uebergabeliste_Lauf_{run_id}.pdf"),
            on_error=self._failed, owner=self)

    def _show_pdf(self, pdf: bytes, title: str, file_name: str) -> None:
        self._busy(False)
        self.preview = PrintPreviewDialog(pdf, title, file_name, self.window())
        self.preview.finished.connect(self.preview.deleteLater)
        self.preview.open()

    def choose_folder(self) -> str:
        """Where to write one PDF per recipient ("" when the clerk cancels); tests replace it."""
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return QFileDialog.getExistingDirectory(self, "Ordner für die Mahnbriefe", start)
