"""Messages at the widgets of an editor: field errors, the notice banner and questions.

A `FieldErrorView` maps field names ("last_name", "address.postal_code") to input widgets and
indexed names ("bank_accounts[0].iban") to table cells. Messages appear in a red line right
below the form row of the field (inserted once, hidden while there is no error), the widget gets
a red border through the dynamic property `fieldError`, and the tooltip carries the message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QApplication, QFormLayout, QFrame, QLabel, QLayout, QMessageBox, QPushButton, QTabWidget,
                               QTableWidget, QWidget)

from sollhaben.domain.errors import FieldError

ERROR_COLOR = "#b3261e"
ERROR_BACKGROUND = "#fdecea"

#: Style sheet for the editor frame; widgets with fieldError=true get a red border.
ERROR_STYLE = f"""
QLineEdit[fieldError="true"], QComboBox[fieldError="true"], QPlainTextEdit[fieldError="true"],
QTableWidget[fieldError="true"] {{ border: 1px solid {ERROR_COLOR}; background: {ERROR_BACKGROUND}; }}
QLabel[role="fieldMessage"] {{ color: {ERROR_COLOR}; }}
"""

#: The red box above a dialog's form that lists what stops the save.
SUMMARY_STYLE = (f"QLabel {{ color: {ERROR_COLOR}; background: {ERROR_BACKGROUND}; border: 1px solid {ERROR_COLOR};"
                 " border-radius: 4px; padding: 6px 8px; }")

_INDEXED = re.compile(r"^(?P<prefix>[a-z_.]+)\[(?P<index>\d+)\]\.(?P<column>[a-z_]+)$")


def _set_error_property(widget: QWidget, on: bool) -> None:
    if widget.property("fieldError") == on:
        return
    widget.setProperty("fieldError", on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def _form_row_of(widget: QWidget) -> tuple[QFormLayout, int] | None:
    """The QFormLayout row that holds the widget, directly or inside a nested layout."""
    parent = widget.parentWidget()
    while parent is not None:
        for layout in parent.findChildren(QFormLayout):
            for row in range(layout.rowCount()):
                for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                    item = layout.itemAt(row, role)
                    if item is not None and _contains(item, widget):
                        return layout, row
        parent = parent.parentWidget()
    return None


def _contains(item, widget: QWidget) -> bool:
    if item.widget() is not None:
        return item.widget() is widget or item.widget().isAncestorOf(widget)
    layout: QLayout | None = item.layout()
    if layout is None:
        return False
    return any(_contains(layout.itemAt(i), widget) for i in range(layout.count()))


class _MessageLine:
    """A red message line below one form row, or a given label."""

    def __init__(self, host: QWidget, label: QLabel | None = None) -> None:
        self.form: QFormLayout | None = None
        self.row = -1
        if label is None:
            label = QLabel()
            label.setWordWrap(True)
            found = _form_row_of(host)
            if found is not None:
                self.form, row = found
                self.form.insertRow(row + 1, "", label)
                self.row = row + 1
        label.setProperty("role", "fieldMessage")
        label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.label = label
        self.show([])

    def shares_row_with(self, widget: QWidget) -> bool:
        row, _role = self.form.getWidgetPosition(self.label)
        item = self.form.itemAt(row - 1, QFormLayout.ItemRole.FieldRole) if row > 0 else None
        return item is not None and _contains(item, widget)

    def show(self, messages: list[str]) -> None:
        self.label.setText("\n".join(dict.fromkeys(messages)))
        visible = bool(messages)
        if self.form is not None:
            self.form.setRowVisible(self.label, visible)
        else:
            self.label.setVisible(visible)


@dataclass
class _Table:
    table: QTableWidget
    columns: dict[str, int]
    line: _MessageLine


class FieldErrorView(QObject):
    """Maps field names to widgets and shows/clears errors; knows nothing about services."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets: dict[str, QWidget] = {}
        self._lines: dict[str, _MessageLine] = {}
        self._tables: dict[str, _Table] = {}
        self._marked: list[QWidget] = []
        self._marked_cells: list[tuple[QTableWidget, int, int]] = []
        self._shown: list[_MessageLine] = []
        self._summary: QLabel | None = None
        self._tabs: QTabWidget | None = None

    def set_summary(self, label: QLabel, tabs: QTabWidget | None = None) -> None:
        """Show a summary line in `label` and colour the tabs that hold an error."""
        self._summary, self._tabs = label, tabs
        label.hide()

    # registration --------------------------------------------------------------------
    def register(self, field: str, widget: QWidget, message_label: QLabel | None = None) -> None:
        """Errors for `field` mark `widget`; the message goes below its form row (shared by
        all fields of the same row) or into `message_label`."""
        self._widgets[field] = widget
        if message_label is not None:
            self._lines[field] = _MessageLine(widget, message_label)
            return
        for line in set(self._lines.values()):
            if line.form is not None and line.shares_row_with(widget):
                self._lines[field] = line
                return
        self._lines[field] = _MessageLine(widget)

    def register_table(self, prefix: str, table: QTableWidget, columns: dict[str, int],
                       message_label: QLabel | None = None) -> None:
        """Errors like `prefix[2].iban` mark cell (2, columns["iban"]) of the table."""
        self._tables[prefix] = _Table(table, columns, _MessageLine(table, message_label))
        self._widgets.setdefault(prefix, table)

    def widget_for(self, field: str) -> QWidget | None:
        match = _INDEXED.match(field)
        if match and match["prefix"] in self._tables:
            return self._tables[match["prefix"]].table
        return self._widgets.get(field)

    # display -------------------------------------------------------------------------
    def show(self, errors: list[FieldError]) -> list[FieldError]:
        """Mark every error's widget; return the errors no widget is registered for."""
        self.clear()
        unplaced: list[FieldError] = []
        messages: dict[int, tuple[_MessageLine, list[str]]] = {}
        for error in errors:
            line = self._place(error)
            if line is None:
                unplaced.append(error)
            else:
                messages.setdefault(id(line), (line, []))[1].append(error.message)
        for line, texts in messages.values():
            line.show(texts)
            self._shown.append(line)
        if errors:
            self._show_summary(errors, unplaced)
        return unplaced

    def _show_summary(self, errors: list[FieldError], unplaced: list[FieldError]) -> None:
        first: tuple[int, QWidget] | None = None
        for error in errors:
            widget = self.widget_for(error.field)
            for i in range(self._tabs.count() if self._tabs else 0):
                if widget is not None and self._tabs.widget(i).isAncestorOf(widget):
                    self._tabs.tabBar().setTabTextColor(i, QColor(ERROR_COLOR))
                    first = first or (i, widget)
        if self._summary is not None:
            noun = "den Fehler" if len(errors) == 1 else f"{len(errors)} Fehler"
            extra = "".join(f"\n{e.message}" for e in unplaced if e is not errors[0])
            self._summary.setText(f"Nicht gespeichert – bitte {noun} korrigieren: {errors[0].message}{extra}")
            self._summary.show()
        if first is not None:
            self._tabs.setCurrentIndex(first[0])
            first[1].setFocus(Qt.FocusReason.OtherFocusReason)
        elif errors and self.widget_for(errors[0].field) is not None:
            self.widget_for(errors[0].field).setFocus(Qt.FocusReason.OtherFocusReason)

    def _place(self, error: FieldError) -> _MessageLine | None:
        match = _INDEXED.match(error.field)
        if match and match["prefix"] in self._tables:
            entry = self._tables[match["prefix"]]
            row, column = int(match["index"]), entry.columns.get(match["column"], 0)
            item = entry.table.item(row, column)
            if item is not None:
                item.setBackground(QBrush(QColor(ERROR_BACKGROUND)))
                item.setForeground(QBrush(QColor(ERROR_COLOR)))
                item.setToolTip(error.message)
                self._marked_cells.append((entry.table, row, column))
            _set_error_property(entry.table, True)
            self._marked.append(entry.table)
            return entry.line
        widget = self._widgets.get(error.field)
        if widget is None:
            return None
        _set_error_property(widget, True)
        widget.setToolTip(error.message)
        self._marked.append(widget)
        return self._lines[error.field]

    def clear(self) -> None:
        for widget in self._marked:
            _set_error_property(widget, False)
            widget.setToolTip("")
        for table, row, column in self._marked_cells:
            item = table.item(row, column)
            if item is not None:
                item.setData(Qt.ItemDataRole.BackgroundRole, None)
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip("")
        for line in self._shown:
            line.show([])
        self._marked, self._marked_cells, self._shown = [], [], []
        if self._summary is not None:
            self._summary.clear()
            self._summary.hide()
        for i in range(self._tabs.count() if self._tabs else 0):
            self._tabs.tabBar().setTabTextColor(i, self._tabs.palette().windowText().color())

    def has_errors(self) -> bool:
        return bool(self._marked)


_NOTICE_STYLES = {
    "warning": "QFrame { background: #fff4e0; border: 1px solid #e0a030; border-radius: 3px; }",
    "error": f"QFrame {{ background: {ERROR_BACKGROUND}; border: 1px solid {ERROR_COLOR}; border-radius: 3px; }}",
    "info": "QFrame { background: #e8f1fb; border: 1px solid #6b9bd1; border-radius: 3px; }",
}


class NoticeBar:
    """A coloured banner at the top of an editor: a text plus optional action buttons."""

    def __init__(self, frame: QFrame, label: QLabel, actions: QLayout) -> None:
        self.frame, self.label, self.actions = frame, label, actions
        self.clear()

    def show(self, text: str, kind: str = "warning",
             actions: list[tuple[str, Callable[[], Any]]] | None = None) -> None:
        self.clear()
        self.frame.setStyleSheet(_NOTICE_STYLES[kind].replace("QFrame", f"QFrame#{self.frame.objectName()}"))
        self.label.setText(text)
        for text_, callback in actions or []:
            button = QPushButton(text_, self.frame)
            button.setAutoDefault(True)
            button.clicked.connect(callback)
            self.actions.addWidget(button)
        self.frame.show()

    def clear(self) -> None:
        while self.actions.count():
            self.actions.takeAt(0).widget().deleteLater()
        self.label.clear()
        self.frame.hide()

    def text(self) -> str:
        return self.label.text() if not self.frame.isHidden() else ""

    def buttons(self) -> list[QPushButton]:
        return [self.actions.itemAt(i).widget() for i in range(self.actions.count())]


def ask(parent: QWidget, title: str, text: str, buttons: list[str]) -> str:
    """A modal question with German buttons; the first is the default, the last the escape."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    roles = {"Abbrechen": QMessageBox.ButtonRole.RejectRole, "Verwerfen": QMessageBox.ButtonRole.DestructiveRole}
    made = {b: box.addButton(b, roles.get(b, QMessageBox.ButtonRole.AcceptRole)) for b in buttons}
    box.setDefaultButton(made[buttons[0]])
    box.setEscapeButton(made[buttons[-1]])
    focus = QApplication.focusWidget()
    box.exec()
    if focus is not None:  # give the keyboard back to the field the clerk was in
        focus.window().activateWindow()
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
    return next((name for name, button in made.items() if box.clickedButton() is button), buttons[-1])
