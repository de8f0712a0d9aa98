"""Shared pieces of the income-scale settings dialogs: month fields, buttons, messages, the store
failure notice and growing a dialog to fit its messages."""
from __future__ import annotations

import re
from typing import Callable

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, ValidationError
from sollhaben.domain.months import Month
from sollhaben.ui.field_errors import ERROR_BACKGROUND, ERROR_COLOR, ERROR_STYLE, SUMMARY_STYLE
from sollhaben.ui.form_dialog import FormDialog
from sollhaben.ui.settings_dialog import ask_reload

#: The spin box of the highest tier is no QLineEdit: give it the red border too.
DIALOG_STYLE = ERROR_STYLE + (f'QSpinBox[fieldError="true"] {{ border: 1px solid {ERROR_COLOR}; '
                              f'background: {ERROR_BACKGROUND}; }}\n')
HINT_STYLE = "color: palette(placeholder-text);"
NOTE_STYLE = "QLabel { background: #e8f1fb; border: 1px solid #6b9bd1; border-radius: 3px; padding: 5px 7px; }"
MAX_TIER = 99
ROW_FIELD = re.compile(r"^(?P<table>thresholds|brackets)\[(?P<index>\d+)\](?:\.(?P<column>\w+))?$")


def month_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText("MM.JJJJ")
    edit.setMaximumWidth(90)
    return edit


def parse_month_field(text: str, field: str, label: str, errors: list[FieldError],
                      required: bool = False) -> Month | None:
    text = text.strip()
    if not text:
        if required:
            errors.append(FieldError(field, f"{label}: Pflichtfeld – bitte den ersten Monat im Format MM.JJJJ "
                                            f"eingeben."))
        return None
    try:
        return Month.parse(text, label)
    except ValidationError as exc:
        errors.extend(FieldError(field, e.message) for e in exc.errors)
        return None


def dialog_buttons(dialog: FormDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, dialog)
    box.button(QDialogButtonBox.StandardButton.Save).setText("&Speichern")
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def summary_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("summaryLabel")
    label.setWordWrap(True)
    label.setStyleSheet(SUMMARY_STYLE)
    label.hide()
    return label


def note_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    label.hide()
    return label


def store_failed(dialog: FormDialog, exc: Exception, title: str, reload: Callable[[], None]) -> None:
    """A conflict (someone else saved meanwhile) or a record that is gone."""
    if isinstance(exc, ConflictError):
        if ask_reload(dialog, str(exc)):
            reload()
    else:
        QMessageBox.warning(dialog, title, str(exc))


def grow_to_fit(dialog: QWidget) -> None:
    """Make the dialog tall enough for the messages that just appeared (wrapped labels do not raise
    a window's minimum height by themselves), within the screen."""
    layout = dialog.layout()
    needed = max(layout.totalMinimumSize().height(),
                 layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else 0)
    if needed > dialog.height():
        screen = dialog.screen()
        limit = screen.availableGeometry().height() - 60 if screen is not None else needed
        dialog.resize(dialog.width(), min(needed, max(limit, dialog.height())))


# --- item type ---------------------------------------------------------------------------------------
