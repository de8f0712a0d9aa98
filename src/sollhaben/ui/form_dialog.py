"""The behaviour every editing dialog shares: "Speichern" saves and closes only when the save
succeeded, "Abbrechen" asks before it drops unsaved input, and errors are listed above the form."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget

from sollhaben.domain.errors import FieldError
from sollhaben.ui.field_errors import FieldErrorView


def confirm_discard(parent: QWidget) -> bool:
    """Closing with unsaved changes: ask whether to discard them."""
    answer = QMessageBox.question(
        parent, "Änderungen verwerfen?", "Die Änderungen sind nicht gespeichert. Verwerfen?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def show_form_errors(errors_view: FieldErrorView, summary: QLabel, errors: list[FieldError]) -> None:
    """Mark the fields, list every message above the form and put the cursor into the first field."""
    errors_view.show(errors)
    summary.setVisible(bool(errors))
    if errors:
        summary.setText("Nichts gespeichert – bitte korrigieren:\n"
                        + "\n".join(dict.fromkeys(f"• {e.message}" for e in errors)))
        widget = errors_view.widget_for(errors[0].field)
        if widget is not None:
            widget.setFocus()


class FormDialog(QDialog):
    """Subclasses implement `save() -> bool` and, for the question on cancel, `is_dirty()`."""

    def save(self) -> bool:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return False

    def accept(self) -> None:
        if self.save():
            super().accept()

    def reject(self) -> None:
        if self.is_dirty() and not confirm_discard(self):
            return
        super().reject()
