"""Field errors of a group of widgets that share one message line (a fee line, a grid)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from sollhaben.ui.field_errors import FieldErrorView, _MessageLine


def register_group(view: FieldErrorView, fields: dict[str, QWidget], label: QLabel) -> None:
    """Errors of all `fields` mark their widget and are listed together in `label`.

    (`FieldErrorView.register` with a message label makes one message line per field, so two
    errors of one fee line would overwrite each other's text in the shared label.)"""
    line = _MessageLine(label, label)
    for field, widget in fields.items():
        view._widgets[field] = widget
        view._lines[field] = line
