"""The "Einstellungen" page: the organization's settings at a glance and a button to edit them."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from sollhaben.domain.master_data import MODULES
from sollhaben.domain.money import ROUNDING_LABELS
from sollhaben.domain.references import format_iban
from sollhaben.services.dto import OrganizationDTO

COUNTRY_NAMES = {"DE": "Deutschland", "CH": "Schweiz"}


class OrganizationCard(QWidget):
    """Read-only summary; `edit_requested` when the user wants to change the settings."""

    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Einstellungen", self)
        title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.body = QLabel(self)
        self.body.setObjectName("organizationSummary")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setWordWrap(True)
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(16, 12, 16, 12)
        frame_layout.addWidget(self.body)
        self.edit_button = QPushButton("Einstellungen &bearbeiten …", self)
        self.edit_button.setObjectName("editSettingsButton")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit())
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(frame)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def show_organization(self, org: OrganizationDTO | None, database: str = "") -> None:
        if org is None:
            self.body.setText("Keine Organisation gewählt.")
            return
        rows = [
            ("Name", escape(org.name)),
            ("Land", COUNTRY_NAMES.get(org.legal_country, org.legal_country)),
            ("Währung", org.currency),
            ("Adresse", escape(org.address.one_line())),
            ("Telefon", escape(org.phone)), ("E-Mail", escape(org.email)), ("Website", escape(org.website)),
            ("Bankverbindungen", "<br>".join(escape(f"{format_iban(b.iban)}  {b.label}".strip()) for b in org.bank_accounts)),
            ("Gläubiger-ID", escape(org.sepa_creditor_id)),
            ("Rundung", ROUNDING_LABELS.get(org.rounding_rule, org.rounding_rule)),
            ("Module", ", ".join(MODULES.get(m, m) for m in org.enabled_modules)),
            ("Datenbank", escape(database)),
        ]
        cells = "".join(
            f"<tr><td style='color:#555; padding:3px 18px 3px 0; vertical-align:top'>{label}</td>"
            f"<td style='padding:3px 0'>{value or '–'}</td></tr>" for label, value in rows)
        self.body.setText(f"<table>{cells}</table>")
