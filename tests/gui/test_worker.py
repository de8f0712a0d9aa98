"""The serial background worker: responsive GUI during a job, cancel, errors, order of jobs."""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from sollhaben.workers.jobs import JobCancelled, JobRunner, Progress

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def runner(qapp):
    runner = JobRunner()
    yield runner
    assert runner.shutdown(timeout_ms=10_000)


def slow_job(steps: int = 30, step_seconds: float = 0.05):
    """~1.5 s of 'work' in steps that check for cancel; records the threads it ran on."""
    seen: dict = {}

    def func(progress: Progress) -> str:
        seen["thread"] = threading.get_ident()
        for i in range(steps):
            progress.check()
            time.sleep(step_seconds)  # stands for real work on the worker thread, not the GUI
            progress.report(i + 1, steps, f"Schritt {i + 1}")
        return "fertig"

    return func, seen


def test_gui_stays_responsive_while_a_job_runs(qtbot, runner):
    func, seen = slow_job()
    button = QPushButton("Klick")
    qtbot.addWidget(button)
    clicks: list[bool] = []
    ticks: list[bool] = []
    button.clicked.connect(lambda _checked=False: clicks.append(runner.current_job is not None))
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(runner.current_job is not None))
    progress: list[tuple[int, int, str]] = []
    runner.progress.connect(lambda job, done, total, text: progress.append((done, total, text)))
    done_results: list[str] = []

    with qtbot.waitSignal(runner.started, timeout=5000):
        job = runner.submit("Langer Lauf", func, on_done=done_results.append)
    timer.start()
    button.click()  # handled by the GUI thread's event loop while the job runs
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)
    assert job.state == "running"
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        pass
    timer.stop()

    assert clicks == [True]
    assert sum(ticks) >= 10  # timer events processed while the job was running
    assert blocker.args == [job, "fertig"]
    assert done_results == ["fertig"]
    assert seen["thread"] != threading.get_ident()
    assert progress and progress[-1] == (30, 30, "Schritt 30")
    assert job.state == "finished"


def test_cancel_ends_the_job_without_delivering_a_result(qtbot, runner):
    func, _ = slow_job(steps=200)
    results: list = []
    finished: list = []
    runner.finished.connect(lambda job, result: finished.append(result))
    with qtbot.waitSignal(runner.progress, timeout=5000):
        job = runner.submit("Abbrechbar", func, on_done=results.append)
    with qtbot.waitSignal(runner.cancelled, timeout=5000) as blocker:
        runner.cancel()
    assert blocker.args == [job]
    assert job.state == "cancelled"
    qtbot.wait(50)  # let any stray queued signal arrive (there must be none)
    assert results == [] and finished == []
    assert runner.current_job is None


def test_service_style_cancel_with_plain_callables(qtbot, runner):
    """A service gets `progress.report` and `progress.cancelled` and stops early by returning."""
    def service(progress_cb, cancelled_cb) -> int:
        done = 0
        while not cancelled_cb():
            done += 1
            progress_cb(done, 10_000, "")
            time.sleep(0.005)
        return done

    with qtbot.waitSignal(runner.progress, timeout=5000):
        job = runner.submit("Dienst", lambda p: service(p.report, p.cancelled))
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        job.cancel()


def test_errors_arrive_via_failed_on_the_gui_thread(qtbot, runner):
    gui_thread = QApplication.instance().thread()
    errors: list = []

    def on_error(exc: BaseException) -> None:
        errors.append((exc, QThread.currentThread() is gui_thread))

    def broken(progress: Progress) -> None:
        raise ValueError("kaputt")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        job = runner.submit("Kaputt", broken, on_error=on_error)
    assert blocker.args[0] is job
    assert isinstance(blocker.args[1], ValueError)
    assert len(errors) == 1 and str(errors[0][0]) == "kaputt" and errors[0][1] is True
    assert job.state == "failed"


def test_queued_jobs_run_one_after_another(qtbot, runner):
    order: list[str] = []
    lock = threading.Lock()
    running = [0]
    overlaps: list[bool] = []

    def make(name: str):
        def func(progress: Progress) -> str:
            with lock:
                running[0] += 1
                overlaps.append(running[0] > 1)
            time.sleep(0.02)
            with lock:
                running[0] -= 1
            order.append(name)
            return name
        return func

    with qtbot.waitSignal(runner.idle, timeout=5000):
        for name in "abc":
            runner.submit(name, make(name))
    assert order == ["a", "b", "c"]
    assert overlaps == [False, False, False]
    assert not runner.is_busy()


def test_job_cancelled_while_queued_never_runs(qtbot, runner):
    func, _ = slow_job(steps=100)
    ran: list[str] = []
    with qtbot.waitSignal(runner.started, timeout=5000):
        first = runner.submit("Erster", func)
    second = runner.submit("Zweiter", lambda p: ran.append("zweiter"))
    second.cancel()
    cancelled: list = []
    runner.cancelled.connect(cancelled.append)
    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.cancel()
    assert cancelled == [first, second]
    assert ran == []


def test_callbacks_skipped_when_owner_is_gone(qtbot, runner):
    owner = QPushButton()
    results: list = []
    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.submit("Besitzer", slow_job(steps=4)[0], on_done=results.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)
    assert results == []


def test_check_raises_job_cancelled(qtbot, runner):
    def func(progress: Progress) -> None:
        progress._job.cancel()
        with pytest.raises(JobCancelled):
            progress.check()
        raise JobCancelled("x")

    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        runner.submit("Prüfen", func)


def test_shutdown_stops_the_thread(qtbot, qapp):
    runner = JobRunner()
    func, _ = slow_job(steps=1000)
    with qtbot.waitSignal(runner.started, timeout=5000):
        runner.submit("Endlos", func)
    assert runner.shutdown(timeout_ms=5000)
    with pytest.raises(RuntimeError):
        runner.submit("Zu spät", func)


def test_signal_emit_keeps_the_bool_reference_count(qapp):
    """PySide6 6.12 on Python < 3.12 dropped a reference to True on every emit (see qt_fixes);
    without the fix a few hundred emits abort the interpreter."""
    import sys

    from PySide6.QtCore import QObject, Signal

    from sollhaben.workers import qt_fixes

    class Emitter(QObject):
        ping = Signal(int)

    emitter = Emitter()
    received: list[int] = []
    before = sys.getrefcount(True) + sys.getrefcount(False)
    emitter.ping.connect(received.append)
    for i in range(5000):
        emitter.ping.emit(i)
    emitter.ping.disconnect(received.append)
    assert len(received) == 5000
    assert sys.getrefcount(True) + sys.getrefcount(False) >= before
    assert qt_fixes.install() == qt_fixes.ACTIVE  # idempotent: a second install changes nothing
