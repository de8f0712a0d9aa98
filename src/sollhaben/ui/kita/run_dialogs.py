"""The questions and small dialogs of the page "Sollstellung": confirmations, where to save an
Excel file, the print preview of a PDF, and the month of the subsidy list (Zuschussliste).

The page calls these through the module (`run_dialogs.confirm(...)`), so tests replace them."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, NotFoundError, ValidationError
from sollhaben.domain.months import Month
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, ask
from sollhaben.ui.forms.ui_kita_run_subsidy import Ui_SubsidyDialog
from sollhaben.ui.print_preview import PrintPreviewDialog

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(name: str) -> str:
    """"Kita Sonnenschein" → "kita-sonnenschein" (plain ASCII for file names)."""
    text = unicodedata.normalize("NFKD", name.translate(_UMLAUTS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def expected_message(exc: BaseException) -> str | None:
    """The German message of a refusal (validation, not found, conflict); None for a crash."""
    if isinstance(exc, ValidationError):
        return "\n".join(dict.fromkeys(e.message for e in exc.errors))
    if isinstance(exc, (NotFoundError, ConflictError)):
        return str(exc.args[0]) if exc.args else str(exc)
    return None


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """A question with `action` (default) and "Abbrechen"."""
    return ask(parent, title, text, [action, "Abbrechen"]) == action


def choose_xlsx(parent: QWidget, title: str, suggested: str) -> str:
    """Where to save an Excel file ("" when the clerk cancels)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested),
                                                "Excel-Arbeitsmappen (*.xlsx)")
    if path and not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    return path


def open_pdf(parent: QWidget, pdf: bytes, title: str, suggested: str) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(pdf, title, suggested, parent.window())
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class SubsidyDialog(QDialog):
    """Month of the subsidy list; `chosen(month, "pdf" | "xlsx")` when the clerk picks an output."""

    chosen = Signal(object, str)

    def __init__(self, month: Month | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_SubsidyDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.errorLabel.setStyleSheet(f"color: {ERROR_COLOR};")
        self.ui.errorLabel.hide()
        self.ui.monthEdit.setText(str(month) if month is not None else "")
        self.ui.monthEdit.selectAll()
        self.ui.previewButton.clicked.connect(lambda: self.choose("pdf"))
        self.ui.xlsxButton.clicked.connect(lambda: self.choose("xlsx"))
        self.ui.closeButton.clicked.connect(self.reject)

    def month(self) -> Month | None:
        try:
            month = Month.parse(self.ui.monthEdit.text(), "Monat")
        except ValidationError as exc:
            self.ui.errorLabel.setText(exc.errors[0].message)
            self.ui.errorLabel.show()
            self.ui.monthEdit.setProperty("fieldError", True)
            self.ui.monthEdit.style().polish(self.ui.monthEdit)
            self.ui.monthEdit.setFocus()
            return None
        return month

    def choose(self, output: str) -> bool:
        month = self.month()
        if month is None:
            return False
        self.accept()
        self.chosen.emit(month, output)
        return True
