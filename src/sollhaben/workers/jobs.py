"""One serial background worker: long jobs run off the GUI thread, one after another.

A job is a plain function `func(progress) -> result`. The `Progress` handed to it is a bridge to
services, which know no Qt: pass `progress.report` as their `progress(done, total, text)` callback
and `progress.cancelled` as their `cancelled() -> bool` check. A job ends

- with `finished(job, result)` (and `on_done(result)`) when the function returns normally and no
  cancel was requested,
- with `cancelled(job)` when it raised `JobCancelled` / `concurrent.futures.CancelledError` (what a
  service raises when its `cancelled()` check turns true), or when it returned after a cancel
  request — its result is then discarded,
- with `failed(job, exc)` (and `on_error(exc)`) on any other exception.

All signals are delivered on the GUI thread (queued connections from the worker thread).
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from shiboken6 import isValid

log = logging.getLogger(__name__)

_PROGRESS_INTERVAL = 0.05  # seconds between two progress signals (keeps the event queue small)
_ids = itertools.count(1)


class JobCancelled(concurrent.futures.CancelledError):
    """Raised inside a job (by `Progress.check()`) to stop it; the database must stay consistent."""


@dataclass(eq=False)
class Job:
    title: str
    func: Callable[["Progress"], Any]
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    owner: QObject | None = None
    id: int = field(default_factory=lambda: next(_ids))
    state: str = "queued"  # queued, running, finished, failed, cancelled
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()


class Progress:
    """What a job function gets: progress reports and the cancel check, usable as plain callables."""

    def __init__(self, job: Job, emit: Callable[[Job, int, int, str], None]) -> None:
        self._job = job
        self._emit = emit
        self._last = 0.0

    def report(self, done: int, total: int, text: str = "") -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_INTERVAL or done >= total:
            self._last = now
            self._emit(self._job, int(done), int(total), text)

    __call__ = report

    def cancelled(self) -> bool:
        return self._job.cancel_requested

    def check(self) -> None:
        if self._job.cancel_requested:
            raise JobCancelled(self._job.title)


class _Worker(QObject):
    """Lives in the worker thread; runs one job per queued `run` call."""

    started = Signal(object)
    progress = Signal(object, int, int, str)
    finished = Signal(object, object)
    failed = Signal(object, object)
    cancelled = Signal(object)

    @Slot(object)
    def run(self, job: Job) -> None:
        if job.cancel_requested:
            job.state = "cancelled"
            self.cancelled.emit(job)
            return
        job.state = "running"
        self.started.emit(job)
        try:
            result = job.func(Progress(job, self.progress.emit))
        except concurrent.futures.CancelledError:
            job.state = "cancelled"
            self.cancelled.emit(job)
        except BaseException as exc:  # noqa: BLE001 - every error goes to the GUI as `failed`
            log.exception("Job %r failed", job.title)
            job.state = "failed"
            self.failed.emit(job, exc)
        else:
            if job.cancel_requested:
                job.state = "cancelled"
                self.cancelled.emit(job)
            else:
                job.state = "finished"
                self.finished.emit(job, result)


class JobRunner(QObject):
    """The app's one background worker thread. Create once, `shutdown()` on exit."""

    started = Signal(object)
    progress = Signal(object, int, int, str)
    finished = Signal(object, object)
    failed = Signal(object, object)
    cancelled = Signal(object)
    idle = Signal()  # no job running and none queued

    _run = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("sollhaben-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._run.connect(self._worker.run)
        self._worker.started.connect(self._on_started)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._pending: list[Job] = []
        self._current: Job | None = None
        self._closed = False
        self._thread.start()

    # public API ----------------------------------------------------------------------
    def submit(self, title: str, func: Callable[[Progress], Any],
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               owner: QObject | None = None) -> Job:
        """Queue `func`; callbacks run on the GUI thread (skipped once `owner` is deleted)."""
        if self._closed:
            raise RuntimeError("JobRunner is shut down")
        job = Job(title, func, on_done, on_error, owner)
        self._pending.append(job)
        self._run.emit(job)
        return job

    @property
    def current_job(self) -> Job | None:
        return self._current

    def is_busy(self) -> bool:
        return bool(self._pending)

    def cancel(self) -> None:
        """Cancel the running job (queued jobs still run)."""
        if self._current is not None:
            self._current.cancel()

    def cancel_all(self) -> None:
        for job in self._pending:
            job.cancel()

    def shutdown(self, timeout_ms: int | None = None) -> bool:
        """Cancel everything, stop the thread and wait for it; True when it has ended."""
        if self._closed:
            return True
        self._closed = True
        self.cancel_all()
        self._thread.quit()
        ended = self._thread.wait() if timeout_ms is None else self._thread.wait(timeout_ms)
        self._pending.clear()
        self._current = None
        return ended

    # worker → GUI thread ----------------------------------------------------------------
    def _forget(self, job: Job) -> None:
        if job in self._pending:
            self._pending.remove(job)
        if self._current is job:
            self._current = None

    def _maybe_idle(self) -> None:
        if not self._pending and not self._closed:
            self.idle.emit()

    @staticmethod
    def _owner_alive(job: Job) -> bool:
        return job.owner is None or isValid(job.owner)

    @Slot(object)
    def _on_started(self, job: Job) -> None:
        self._current = job
        self.started.emit(job)

    @Slot(object, int, int, str)
    def _on_progress(self, job: Job, done: int, total: int, text: str) -> None:
        self.progress.emit(job, done, total, text)

    @Slot(object, object)
    def _on_finished(self, job: Job, result: Any) -> None:
        self._forget(job)
        self.finished.emit(job, result)
        try:
            if job.on_done is not None and self._owner_alive(job):
                job.on_done(result)
        finally:
            self._maybe_idle()

    @Slot(object, object)
    def _on_failed(self, job: Job, exc: BaseException) -> None:
        self._forget(job)
        self.failed.emit(job, exc)
        try:
            if job.on_error is not None and self._owner_alive(job):
                job.on_error(exc)
        finally:
            self._maybe_idle()

    @Slot(object)
    def _on_cancelled(self, job: Job) -> None:
        self._forget(job)
        self.cancelled.emit(job)
        self._maybe_idle()
