"""The jobs of the page "Sollstellung" on the app's one worker: one at a time, shown in the page's
progress bar and status line with "Abbrechen" where the job honours it.

Without a worker (tools such as the screenshot script) a job runs at once on the calling thread.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)


class _Direct:
    """What a job gets when there is no worker: progress is ignored, nothing cancels."""

    def report(self, done: int, total: int, text: str = "") -> None:
        return None

    def cancelled(self) -> bool:
        return False


class PageJobs(QObject):
    """`busy_changed(bool)` when a job starts or ends; `cancelled(title)` when one was cancelled."""

    busy_changed = Signal(bool)
    cancelled = Signal(str)

    def __init__(self, runner, bar: QProgressBar, label: QLabel, cancel_button: QPushButton,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.bar, self.label, self.cancel_button = runner, bar, label, cancel_button
        self.job = None
        self.message = ""  # shown while nothing runs
        cancel_button.clicked.connect(self.cancel)
        if runner is not None:
            runner.progress.connect(self._progress)
            runner.cancelled.connect(self._cancelled)
        self._show(None)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def run(self, title: str, func: Callable[[Any], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], cancellable: bool = False) -> bool:
        """Start `func(progress)`; False while another job of the page runs."""
        if self.job is not None:
            return False
        if self.runner is None:
            try:
                result = func(_Direct())
            except Exception as exc:  # noqa: BLE001 - reported like a worker failure
                on_error(exc)
                return True
            on_done(result)
            return True
        self.job = self.runner.submit(title, func, on_done=lambda result: self._end(on_done, result),
                                      on_error=lambda exc: self._end(on_error, exc), owner=self)
        self._show(title, cancellable)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Wird abgebrochen …")

    def say(self, message: str) -> None:
        self.message = message
        if self.job is None:
            self.label.setText(message)

    # worker → page ----------------------------------------------------------------------
    def _end(self, callback: Callable[[Any], None], value: Any) -> None:
        self.job = None
        self._show(None)
        self.busy_changed.emit(False)
        callback(value)

    def _progress(self, job, done: int, total: int, text: str) -> None:
        if job is self.job and job is not None:
            self.bar.setRange(0, max(total, 1))
            self.bar.setValue(done)
            counted = f" – {done} von {total}" if total > 1 else ""
            self.label.setText(f"{text or job.title}{counted}")

    def _cancelled(self, job) -> None:
        if job is self.job and job is not None:
            self.job = None
            self._show(None)
            self.busy_changed.emit(False)
            self.cancelled.emit(job.title)

    def _show(self, title: str | None, cancellable: bool = False) -> None:
        busy = title is not None
        self.bar.setVisible(busy)
        self.bar.setRange(0, 0)
        self.cancel_button.setVisible(busy and cancellable)
        self.cancel_button.setEnabled(True)
        self.label.setText(f"{title} …" if busy else self.message)
