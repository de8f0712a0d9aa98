"""A filter-as-you-type picker for persons and institutions of the register.

A `PersonPicker` turns a QLineEdit into a lookup: typing filters the register (any part of the
name, the number or the birth date), the completer list shows the matches, and a click, Return in
the list, or Return in the field (the first match) emits `picked(person id)` and clears the field.
The rows are read once, when the clerk starts typing.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit

from sollhaben.domain.formatting import format_date
from sollhaben.services.dto import PersonRow

_NUMBER = re.compile(r"\(Nr\.\s*(\d+)\)\s*$")


def row_label(row: PersonRow) -> str:
    """"Gerber, Laura, geb. 01.02.1988 (Nr. 12)"; institutions with "Institution"."""
    name = f"{row.last_name}, {row.first_name}" if row.first_name else row.last_name
    extra = f", geb. {format_date(row.birth_date)}" if row.birth_date else ""
    if row.kind == "INSTITUTION":
        extra = ", Institution"
    return f"{name}{extra} (Nr. {row.id})"


class PersonPicker(QObject):
    picked = Signal(int)

    def __init__(self, edit: QLineEdit, rows: Callable[[], list[PersonRow]],
                 accept: Callable[[PersonRow], bool] = lambda _row: True) -> None:
        super().__init__(edit)
        self.edit, self._rows, self._accept = edit, rows, accept
        self.completer: QCompleter | None = None
        edit.textEdited.connect(self._ensure)
        edit.installEventFilter(self)

    def refresh(self) -> None:
        """Read the register again with the next keystroke (a person was added or changed)."""
        if self.completer is not None:
            self.edit.setCompleter(None)
            self.completer.deleteLater()
        self.completer = None

    def _ensure(self) -> None:
        if self.completer is not None:
            return
        labels = [row_label(r) for r in self._rows() if self._accept(r)]
        completer = QCompleter(QStringListModel(labels, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self._choose)
        self.completer = completer
        self.edit.setCompleter(completer)
        completer.setCompletionPrefix(self.edit.text())
        completer.complete()

    def first_match(self) -> str | None:
        self._ensure()
        self.completer.setCompletionPrefix(self.edit.text())
        return self.completer.currentCompletion() if self.completer.completionCount() else None

    def _choose(self, text: str) -> None:
        match = _NUMBER.search(text or "")
        if match is None:
            return
        self.picked.emit(int(match[1]))
        QTimer.singleShot(0, self.edit.clear)  # the completer writes its text after this signal

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = self.completer.popup() if self.completer is not None else None
            if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
                return False  # the completer takes the highlighted entry
            if self.edit.text().strip():
                found = self.first_match()
                if popup is not None:
                    popup.hide()
                if found:
                    self._choose(found)
                return True  # Return in a lookup never saves the record
        return super().eventFilter(watched, event)
