"""Small layers of the person editor that are built in code: roles and history."""
from __future__ import annotations

import re

from PySide6.QtWidgets import QCheckBox, QGroupBox, QHeaderView, QTableWidgetItem, QVBoxLayout, QWidget

from sollhaben.domain.master_data import MODULES
from sollhaben.services.dto import AuditEntryDTO
from sollhaben.ui.forms.ui_person_history import Ui_PersonHistoryLayer
from sollhaben.ui.forms.ui_person_roles import Ui_PersonRolesLayer
from sollhaben.ui.receivables import history_labels as receivables_history

#: The roles a person can have, by module: (module, group title, ((role, label), …)).
ROLE_CATALOG: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("kita", "Kita", (("guardian", "Sorgeberechtigte/r"), ("payer", "Zahler"))),
    ("income", "Staffelberechnung", (("payer", "Zahler"),)),
    ("hamburg", "Kita-Gutschein Hamburg", (("guardian", "Sorgeberechtigte/r"),)),
    ("alimony", "Alimente", (("beneficiary", "Unterhaltsberechtigte/r"), ("creditor", "Gläubiger/in"),
                             ("debtor", "Schuldner/in"))),
    ("child_protection", "Kindesschutz", (("beneficiary", "Betroffenes Kind"), ("payer", "Zahlungspflichtige/r"))),
    ("receivables", "Debitoren", (("debtor", "Schuldner"), ("creditor", "Kreditor"))),
)


class RolesLayer(QWidget):
    """One group of check boxes per module; roles outside the catalog are kept as they are."""

    def __init__(self, enabled_modules: tuple[str, ...] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PersonRolesLayer()
        self.ui.setupUi(self)
        self.boxes: dict[tuple[str, str], QCheckBox] = {}
        self._other: tuple[tuple[str, str], ...] = ()
        for n, (module, title, roles) in enumerate(ROLE_CATALOG):
            active = enabled_modules is None or module in enabled_modules
            group = QGroupBox(title if active else f"{title} (Modul nicht aktiv)", self)
            group.setObjectName(f"roles_{module}")
            layout = QVBoxLayout(group)
            for role, label in roles:
                box = QCheckBox(label, group)
                box.setObjectName(f"role_{module}_{role}")
                layout.addWidget(box)
                self.boxes[(module, role)] = box
            layout.addStretch(1)
            self.ui.rolesGrid.addWidget(group, n // 3, n % 3)

    def set_roles(self, roles: tuple[tuple[str, str], ...]) -> None:
        for key, box in self.boxes.items():
            box.setChecked(key in roles)
        self._other = tuple(r for r in roles if r not in self.boxes)

    def roles(self) -> tuple[tuple[str, str], ...]:
        return tuple(key for key, box in self.boxes.items() if box.isChecked()) + self._other


_FIELD_LABELS = {
    "kind": "Art", "salutation": "Anrede", "last_name": "Name", "first_name": "Vorname",
    "birth_date": "Geburtsdatum", "street": "Strasse", "house_number": "Hausnummer", "postal_code": "PLZ",
    "town": "Ort", "country": "Land", "address_extra": "c/o / Zusatz", "phone": "Telefon", "email": "E-Mail",
    "language": "Sprache", "note": "Notiz", "iban": "IBAN", "bic": "BIC", "holder": "Kontoinhaber/in",
    "module": "Modul", "role": "Rolle",
    **receivables_history.FIELD_LABELS,  # mandates, agreements, blocks of the person's accounts
}
_HIDDEN_FIELDS = {"organization_id", "person_id", *receivables_history.HIDDEN_FIELDS}  # keys linking rows
_TABLE_LABELS = {"person_bank_account": "Bankverbindung", "person_role": "Rolle", **receivables_history.TABLE_LABELS}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_CODES = {
    "module": MODULES,
    "role": {"guardian": "Sorgeberechtigte/r", "payer": "Zahler/in", "debtor": "Schuldner/in",
             "creditor": "Gläubiger/in", "beneficiary": "Berechtigte/r"},
    "kind": {"NATURAL": "Person", "INSTITUTION": "Institution"},
    **receivables_history.CODES,
}


def _value(field: str, text: str | None) -> str:
    if text is None:
        return ""
    match = _ISO_DATE.match(text)
    if match:
        return f"{match[3]}.{match[2]}.{match[1]}"
    return receivables_history.money_text(field, text) or _CODES.get(field, {}).get(text, text)


def _deleted_values(text: str | None) -> str:
    """'iban=DE89…; holder=Max' → 'IBAN DE89…, Kontoinhaber/in Max' (link keys left out)."""
    parts = []
    for pair in (text or "").split("; "):
        name, _, value = pair.partition("=")
        if value and name not in _HIDDEN_FIELDS:
            parts.append(f"{_FIELD_LABELS.get(name, name)} {_value(name, value)}")
    return ", ".join(parts)


def describe_change(entry: AuditEntryDTO) -> tuple[str, str, str]:
    """(field, old, new) in German for one audit entry."""
    table = _TABLE_LABELS.get(entry.table_name, "")
    field = _FIELD_LABELS.get(entry.field, entry.field)
    if entry.action == "delete":  # old_value holds "iban=…; holder=…" of the removed row
        return f"{table or 'Datensatz'} gelöscht", _deleted_values(entry.old_value), ""
    label = f"{table}: {field}" if table else field
    return label, _value(entry.field, entry.old_value), _value(entry.field, entry.new_value)


class HistoryLayer(QWidget):
    """The audit log of the record: when, who, field, old → new."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PersonHistoryLayer()
        self.ui.setupUi(self)
        header = self.ui.historyTable.horizontalHeader()
        self.ui.historyTable.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for column, width in enumerate((130, 90, 240, 200)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.ui.historyTable.setColumnWidth(column, width)

    def show_entries(self, entries: list[AuditEntryDTO]) -> None:
        entries = [e for e in entries if e.field not in _HIDDEN_FIELDS]
        table = self.ui.historyTable
        table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            when = entry.changed_at.astimezone().strftime("%d.%m.%Y %H:%M")
            for column, text in enumerate((when, entry.changed_by, *describe_change(entry))):
                table.setItem(row, column, QTableWidgetItem(text))
        self.ui.historyHintLabel.setText(
            "Alle Änderungen an dieser Person, die neuesten zuerst." if entries
            else "Noch keine Änderungen gespeichert.")
