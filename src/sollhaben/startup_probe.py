"""Start-up probe for `bench/bench_startup.py`; does nothing unless SOLLHABEN_STARTUP_PROBE is set.

With the variable set, `mark(name)` records `time.monotonic()` at a few points of the start, and
`watch(app, window)` waits until the main window is *usable*, prints all marks as one line
`SOLLHABEN_STARTUP_PROBE {json}` on stdout and quits the app. Usable means: the worker has finished
the start page's load (its list is populated), the list's table has painted since, and a key press
posted to the list's search field has been processed (the window accepts input). When the
variable names a page ("Personen"), that page is opened right after the window is shown.
"""
from __future__ import annotations

import os
import time

ENV = "SOLLHABEN_STARTUP_PROBE"
ENABLED = bool(os.environ.get(ENV))
TIMEOUT_MS = 60_000
_marks: dict[str, float] = {}


def mark(name: str) -> None:
    if ENABLED and name not in _marks:
        _marks[name] = time.monotonic()


def watch(app, window) -> None:
    if not ENABLED:
        return
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    titles = [entry.title for entry in window.pages]
    if os.environ[ENV] in titles:
        window.show_page(titles.index(os.environ[ENV]))

    class Watcher(QObject):
        def __init__(self) -> None:
            super().__init__(app)
            self.painted = self.typed = self.done = False
            page = window.stack.currentWidget()
            listing = getattr(page, "list", None)
            self.search = getattr(listing, "search", None)
            self.viewport = listing.table.viewport() if listing is not None else window
            runner = window.runner
            if runner is not None and runner.is_busy():
                runner.idle.connect(self.loaded)
            else:
                QTimer.singleShot(0, self.loaded)
            QTimer.singleShot(TIMEOUT_MS, lambda: self.finish("timeout"))

        def loaded(self) -> None:
            if "loaded" in _marks:
                return
            mark("loaded")
            self.viewport.installEventFilter(self)
            self.viewport.update()
            if self.search is not None:
                QCoreApplication.postEvent(self.search, QKeyEvent(
                    QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x"))
            QCoreApplication.postEvent(self, QEvent(QEvent.Type.User))  # delivered after the key press

        def eventFilter(self, watched, event) -> bool:
            if watched is self.viewport and event.type() == QEvent.Type.Paint:
                self.painted = True
                QTimer.singleShot(0, self.check)
            return False

        def event(self, event) -> bool:
            if event.type() == QEvent.Type.User:
                self.typed = self.search is None or self.search.text().endswith("x")
                self.check()
                return True
            return super().event(event)

        def check(self) -> None:
            if self.painted and self.typed:
                self.finish("usable")

        def finish(self, outcome: str) -> None:
            if self.done:
                return
            self.done = True
            mark(outcome)
            import json

            print(f"{ENV} {json.dumps(_marks)}", flush=True)
            app.exit(0 if outcome == "usable" else 3)

    window._startup_probe = Watcher()
