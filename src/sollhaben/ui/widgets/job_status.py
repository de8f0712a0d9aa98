"""Status bar part for the running background job: title, progress bar, "Abbrechen"."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from sollhaben.workers.jobs import Job, JobRunner

SHOW_AFTER_MS = 300  # short jobs (a list load) do not make the status bar flicker


class JobStatus(QWidget):
    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.label = QLabel(self)
        self.label.setObjectName("jobLabel")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("jobProgress")
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(16)
        self.cancel_button = QPushButton("Abbrechen", self)
        self.cancel_button.setObjectName("jobCancel")
        self.cancel_button.clicked.connect(lambda: self._cancel())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOW_AFTER_MS)
        self._timer.timeout.connect(self._reveal)
        runner.started.connect(self._started)
        runner.progress.connect(self._progress)
        runner.idle.connect(self._idle)
        self.hide()

    def _started(self, job: Job) -> None:
        self.label.setText(job.title)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        if not self.isVisible():
            self._timer.start()

    def _reveal(self) -> None:
        if self.runner.current_job is not None:
            self.show()

    def _progress(self, job: Job, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"{job.title}: {text}" if text else job.title)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(f"{self.label.text()} – wird abgebrochen …")
        self.runner.cancel()

    def _idle(self) -> None:
        self._timer.stop()
        self.hide()
