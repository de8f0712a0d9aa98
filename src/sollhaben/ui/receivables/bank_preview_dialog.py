"""The preview of a bank file before it is booked: counts and sums per outcome, every line with
what will happen to it, and the file's problems with their place. „Buchen“ books on the worker
(the page does that); with any problem the button stays off — nothing of such a file is booked."""
from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGridLayout, QLabel, QListWidget, QVBoxLayout,
                               QWidget)

from sollhaben.domain.formatting import format_money
from sollhaben.domain.receivables.bank_matching import LineStatus
from sollhaben.domain.references import format_creditor_reference, format_iban, format_qr_reference
from sollhaben.services.receivables.bank_dto import BankFilePreview
from sollhaben.ui.field_errors import SUMMARY_STYLE
from sollhaben.ui.table_model import ALIGN_RIGHT, Column, RowTableModel
from sollhaben.ui.widgets.list_view import FilterableList

STATUS_COLORS = {LineStatus.MATCHED: "#1b5e20", LineStatus.CLEARING: "#8a5a00", LineStatus.SKIPPED: "#555555",
                 LineStatus.PENDING: "#555555", LineStatus.DUPLICATE: "#555555"}
OUTCOMES = ((LineStatus.MATCHED, "Zugeordnet und gebucht"), (LineStatus.CLEARING, "Zur Klärung"),
            (LineStatus.SKIPPED, "Nicht gebucht (Belastungen u. a.)"),
            (LineStatus.PENDING, "Vorgemerkt – übersprungen"),
            (LineStatus.DUPLICATE, "Bereits eingelesen – übersprungen"))


def reference_text(reference: str) -> str:
    """A QR reference in its groups of five, a creditor reference in groups of four."""
    if not reference:
        return ""
    return format_qr_reference(reference) if reference.isdigit() and len(reference) == 27 \
        else format_creditor_reference(reference) if reference.startswith("RF") else reference


def line_columns(country: str) -> tuple[Column, ...]:
    money = lambda amount: format_money(amount, country) if amount is not None else ""  # noqa: E731
    return (
        Column("Ergebnis", lambda r: r.status.label, width=115),
        Column("Datum", lambda r: r.booking_date, width=80),
        Column("Betrag", lambda r: r.amount if r.credit else None, ALIGN_RIGHT, width=85, formatter=money),
        Column("Belastung", lambda r: None if r.credit else r.amount, ALIGN_RIGHT, width=75, formatter=money),
        Column("Auftraggeber/in", lambda r: r.debtor_name, width=160, cell_tooltip=_debtor_tip),
        Column("Referenz / Mitteilung", lambda r: reference_text(r.reference) or r.text, width=250,
               cell_tooltip=True),
        Column("Konto", lambda r: r.account_label, width=165, cell_tooltip=True),
        Column("Über", lambda r: r.via, width=65),
        Column("auf Posten", lambda r: r.allocated, ALIGN_RIGHT, formatter=money, width=80,
               tooltip="Was den offenen Posten zugeordnet wird; der Rest bleibt Guthaben auf dem Konto"),
        Column("Hinweis", lambda r: r.note, stretch=True, cell_tooltip=_note_tip),
        # hidden (HIDDEN_COLUMNS: they made the list scroll sideways): still searched, shown in the tooltips
        Column("IBAN", _iban, width=190),
        Column("Stelle in der Datei", _place, width=260),
    )


HIDDEN_COLUMNS = (10, 11)


def fitted_size(available_width: int, available_height: int) -> tuple[int, int]:
    """90 % of the available width and 75 % of the height, at least the 1180 × 640 the dialog was laid
    out for (but never more than the screen): the lines have many columns and „Hinweis“ takes the rest."""
    return (max(min(1180, available_width), int(available_width * 0.9)),
            max(min(640, available_height), int(available_height * 0.75)))


def _iban(r) -> str:
    return format_iban(r.debtor_iban) if r.debtor_iban else ""


def _place(r) -> str:
    return f"Zeile {r.line}, {r.position}"


def _debtor_tip(r) -> str:
    return "\n".join(t for t in (r.debtor_name, _iban(r) and f"IBAN {_iban(r)}") if t)


def _note_tip(r) -> str:
    return "\n".join(t for t in (r.note, f"Stelle in der Datei: {_place(r)}") if t)


class BankPreviewDialog(QDialog):
    def __init__(self, preview: BankFilePreview, country: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Bankdatei einlesen – {preview.file_name}")
        self._fit_to_screen()
        head = QLabel(self)
        head.setObjectName("head")
        head.setWordWrap(True)
        if preview.kind and not preview.problems:
            head.setText(f"<b>{preview.file_name}</b> – {preview.label}, Nachricht {preview.message_id}, "
                         f"{len(preview.lines)} Transaktionen")
        elif preview.kind:
            head.setText(f"<b>{preview.file_name}</b> – {preview.label}, Nachricht {preview.message_id}")
        else:
            head.setText(f"<b>{preview.file_name}</b>")
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        for at, by in preview.imported_before:
            notice = QLabel(f"Diese Datei wurde bereits am {at.astimezone():%d.%m.%Y um %H:%M} von {by} eingelesen. "
                            "Bereits gebuchte Transaktionen werden nicht nochmals gebucht.", self)
            notice.setObjectName("importedBefore")
            notice.setWordWrap(True)
            layout.addWidget(notice)

        self.problems = QListWidget(self)
        self.problems.setObjectName("problems")
        if preview.problems:
            title = QLabel(f"Die Datei hat {len(preview.problems)} Fehler – sie wird nicht gebucht, auch nicht "
                           "teilweise:", self)
            title.setStyleSheet(SUMMARY_STYLE)
            title.setWordWrap(True)
            layout.addWidget(title)
            self.problems.addItems([str(p) for p in preview.problems])
            layout.addWidget(self.problems, 1)
        else:
            self.problems.hide()
            grid = QGridLayout()
            for row, (status, label) in enumerate(OUTCOMES):
                count = QLabel(str(preview.count(status)), self)
                count.setObjectName(f"count_{status.value}")
                count.setAlignment(ALIGN_RIGHT)
                count.setMinimumWidth(50)
                total = QLabel(format_money(preview.total(status), country, with_currency=True), self)
                total.setObjectName(f"total_{status.value}")
                total.setAlignment(ALIGN_RIGHT)
                total.setMinimumWidth(120)
                grid.addWidget(QLabel(label, self), row, 0)
                grid.addWidget(count, row, 1)
                grid.addWidget(total, row, 2)
            grid.setColumnStretch(3, 1)
            layout.addLayout(grid)
            self.lines = FilterableList(RowTableModel(
                line_columns(country), preview.lines,
                foreground=lambda r: QColor(STATUS_COLORS[r.status])), self,
                placeholder="Suchen nach Name, IBAN, Referenz, Konto …")
            self.lines.setObjectName("lines")
            for hidden in HIDDEN_COLUMNS:
                self.lines.table.setColumnHidden(hidden, True)
            layout.addWidget(self.lines, 1)

        buttons = QDialogButtonBox(self)
        self.book_button = buttons.addButton("Buchen", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setObjectName("bookButton")
        cancel = buttons.addButton("Abbrechen", QDialogButtonBox.ButtonRole.RejectRole)
        new_lines = [line for line in preview.lines
                     if line.status not in (LineStatus.PENDING, LineStatus.DUPLICATE)]
        self.book_button.setEnabled(preview.ok and bool(new_lines))
        if preview.ok and not new_lines:
            self.book_button.setToolTip("Die Datei enthält nichts Neues.")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cancel.setDefault(not self.book_button.isEnabled())
        layout.addWidget(buttons)

    def _fit_to_screen(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(*fitted_size(screen.width(), screen.height()) if screen is not None else (1180, 640))
