"""The person editor: the layer editor with the person's layers, the duplicate warning on entry
and the mapping between widgets, PersonInput and the service's field errors."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Callable

from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from sollhaben.domain.errors import ErrorCollector, FieldError, ValidationError
from sollhaben.domain.formatting import format_date, parse_optional_date
from sollhaben.domain.master_data import Address, BankAccountInput, PersonInput, PersonKind, validate_person
from sollhaben.services import audit_log, persons
from sollhaben.services.dto import PersonDTO, PersonRow
from sollhaben.ui.context import AppContext
from sollhaben.ui.forms.ui_person_address import Ui_PersonAddressLayer
from sollhaben.ui.forms.ui_person_bank import Ui_PersonBankLayer
from sollhaben.ui.forms.ui_person_basic import Ui_PersonBasicLayer
from sollhaben.ui.field_errors import ask
from sollhaben.ui.layer_editor import LayerEditor
from sollhaben.ui.persons.person_household import HouseholdLayer
from sollhaben.ui.persons.person_layers import HistoryLayer, RolesLayer

SALUTATIONS = ("", "Frau", "Herr", "Familie")
LANGUAGES = (("de", "Deutsch"), ("fr", "Französisch"), ("it", "Italienisch"), ("en", "Englisch"))
COUNTRIES = (("DE", "Deutschland"), ("CH", "Schweiz"), ("AT", "Österreich"), ("LI", "Liechtenstein"),
             ("FR", "Frankreich"), ("IT", "Italien"))
_BANK_INDEX = re.compile(r"^bank_accounts\[(\d+)\]")


def _layer(ui_class, parent: QWidget):
    widget = QWidget(parent)
    ui = ui_class()
    ui.setupUi(widget)
    return widget, ui


def person_label(row: PersonRow | PersonDTO) -> str:
    name = f"{row.last_name}, {row.first_name}" if row.first_name else row.last_name
    born = f", geb. {format_date(row.birth_date)}" if row.birth_date else ""
    return f"{name}{born} (Nr. {row.id})"


class PersonEditor(LayerEditor):
    new_title = "Neue Person"

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self.context, self.today = context, today
        self._duplicates: list[PersonRow] = []
        self._confirmed_duplicate: tuple | None = None
        self._bank_rows: list[int] = []
        basic_widget, self.basic = _layer(Ui_PersonBasicLayer, self)
        address_widget, self.address = _layer(Ui_PersonAddressLayer, self)
        bank_widget, self.bank = _layer(Ui_PersonBankLayer, self)
        org = context.organization
        self.roles = RolesLayer(org.enabled_modules if org else None, self)
        self.households = HouseholdLayer(context.db, lambda: context.organization_id, self)
        self.history = HistoryLayer(self)
        self._fill_choices()
        for title, widget, tracked in (("&Grunddaten", basic_widget, True), ("&Adresse && Kontakt", address_widget, True),
                                       ("Ban&kverbindungen", bank_widget, True), ("&Haushalt", self.households, False),
                                       ("&Rollen", self.roles, True), ("&Verlauf", self.history, False)):
            self.add_layer(title, widget, tracked)
        self._register_fields()
        self.basic.kindCombo.currentIndexChanged.connect(self._kind_changed)
        for edit in (self.basic.lastNameEdit, self.basic.firstNameEdit, self.basic.birthDateEdit):
            edit.editingFinished.connect(self.check_duplicates)
        self.bank.addBankButton.clicked.connect(lambda: self.add_bank_row())
        self.bank.removeBankButton.clicked.connect(self.remove_bank_row)

    def _fill_choices(self) -> None:
        b, a = self.basic, self.address
        for kind in PersonKind:
            b.kindCombo.addItem(kind.label, kind.value)
        b.salutationCombo.addItems(SALUTATIONS)
        for code, label in LANGUAGES:
            b.languageCombo.addItem(label, code)
        for code, label in COUNTRIES:
            a.countryCombo.addItem(f"{code} – {label}", code)
        header = self.bank.bankTable.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.bank.bankTable.setColumnWidth(0, 260)
        self.bank.bankTable.setColumnWidth(1, 130)

    def _register_fields(self) -> None:
        b, a = self.basic, self.address
        for field, widget in (("kind", b.kindCombo), ("salutation", b.salutationCombo), ("last_name", b.lastNameEdit),
                              ("first_name", b.firstNameEdit), ("birth_date", b.birthDateEdit),
                              ("language", b.languageCombo), ("note", b.noteEdit),
                              ("address.street", a.streetEdit), ("address.house_number", a.houseNumberEdit),
                              ("address.postal_code", a.postalCodeEdit), ("address.town", a.townEdit),
                              ("address.country", a.countryCombo), ("address_extra", a.addressExtraEdit),
                              ("phone", a.phoneEdit), ("email", a.emailEdit)):
            self.errors.register(field, widget)
        self.errors.register_table("bank_accounts", self.bank.bankTable, {"iban": 0, "bic": 1, "holder": 2},
                                   self.bank.bankMessageLabel)

    def set_person_source(self, rows: Callable[[], list[PersonRow]]) -> None:
        self.households.set_person_source(rows)

    # hooks ---------------------------------------------------------------------------------
    def load(self, record_id: int) -> PersonDTO:
        return persons.get_person(self.context.db, record_id)

    def describe(self, record: PersonDTO) -> str:
        return f"{record.display_name} (Nr. {record.id})"

    def populate(self, p: PersonDTO | None) -> None:
        b, a = self.basic, self.address
        self._duplicates, self._confirmed_duplicate = [], None
        kind = p.kind if p else PersonKind.NATURAL.value
        b.kindCombo.setCurrentIndex(max(0, b.kindCombo.findData(kind)))
        b.salutationCombo.setEditText(p.salutation if p else "")
        b.lastNameEdit.setText(p.last_name if p else "")
        b.firstNameEdit.setText(p.first_name if p else "")
        b.birthDateEdit.setText(format_date(p.birth_date) if p else "")
        b.languageCombo.setCurrentIndex(max(0, b.languageCombo.findData(p.language if p else "de")))
        b.noteEdit.setPlainText(p.note if p else "")
        address = p.address if p else Address()
        a.streetEdit.setText(address.street)
        a.houseNumberEdit.setText(address.house_number)
        a.postalCodeEdit.setText(address.postal_code)
        a.townEdit.setText(address.town)
        country = address.country or self.context.country
        if a.countryCombo.findData(country) < 0:
            a.countryCombo.addItem(country, country)
        a.countryCombo.setCurrentIndex(a.countryCombo.findData(country))
        a.addressExtraEdit.setText(p.address_extra if p else "")
        a.phoneEdit.setText(p.phone if p else "")
        a.emailEdit.setText(p.email if p else "")
        self.bank.bankTable.setRowCount(0)
        for account in p.bank_accounts if p else ():
            self.add_bank_row(account.iban, account.bic, account.label)
        self.roles.set_roles(p.roles if p else ())
        self.households.set_person(p)
        self.history.show_entries(audit_log.history(self.context.db, "person", p.id) if p else [])
        self._kind_changed()
        # A new, empty form starts on the first layer; saving and paging ◄ ► keep the layer, so a
        # clerk can check the same layer (say the bank accounts) record after record.
        if p is None:
            self.ui.layerTabs.setCurrentIndex(0)
            b.lastNameEdit.setFocus()
        elif self.ui.layerTabs.currentIndex() == 0:
            b.kindCombo.setFocus()

    def collect(self) -> PersonInput:
        b, a = self.basic, self.address
        errors = ErrorCollector()
        natural = b.kindCombo.currentData() == PersonKind.NATURAL.value
        birth = errors.check("birth_date", parse_optional_date, b.birthDateEdit.text() if natural else "",
                             "Geburtsdatum")
        accounts, self._bank_rows = [], []
        table = self.bank.bankTable
        for row in range(table.rowCount()):
            cells = [table.item(row, c).text().strip() if table.item(row, c) else "" for c in range(3)]
            if any(cells):
                accounts.append(BankAccountInput(cells[0], cells[1], cells[2]))
                self._bank_rows.append(row)
        data = PersonInput(
            kind=b.kindCombo.currentData(), last_name=b.lastNameEdit.text(), first_name=b.firstNameEdit.text(),
            salutation=b.salutationCombo.currentText() if natural else "", birth_date=birth,
            address=Address(a.streetEdit.text(), a.houseNumberEdit.text(), a.postalCodeEdit.text(), a.townEdit.text(),
                            a.countryCombo.currentData() or ""),
            address_extra=a.addressExtraEdit.text(), phone=a.phoneEdit.text(), email=a.emailEdit.text(),
            language=b.languageCombo.currentData(), note=b.noteEdit.toPlainText(),
            bank_accounts=tuple(accounts), roles=self.roles.roles())
        if errors.errors:  # report the other fields' errors together with the unreadable date
            try:
                validate_person(data, self.today())
            except ValidationError as exc:
                errors.errors.extend(e for e in exc.errors if e.field != "birth_date")
            errors.raise_if_any()
        return data

    def store(self, data: PersonInput, record_id: int | None, version: int | None) -> PersonDTO:
        return persons.save_person(self.context.db, self.context.organization_id, data, record_id, version,
                                   today=self.today())

    def show_errors(self, errors: list[FieldError]) -> None:
        """Service errors count only the non-empty bank rows; map them back to table rows."""
        def table_row(match: re.Match) -> str:
            index = int(match[1])
            return f"bank_accounts[{self._bank_rows[index] if index < len(self._bank_rows) else index}]"
        super().show_errors([replace(e, field=_BANK_INDEX.sub(table_row, e.field)) for e in errors])

    def before_save(self, data: PersonInput) -> bool:
        if self.record is not None or not self.check_duplicates():
            return True
        key = (data.last_name.strip().lower(), data.first_name.strip().lower(), data.birth_date)
        if self._confirmed_duplicate == key:
            return True
        answer = ask(self, "Mögliches Duplikat", f"Es gibt bereits {person_label(self._duplicates[0])}. "
                     "Trotzdem als neue Person speichern?", ["Trotzdem speichern", "Abbrechen"])
        return answer == "Trotzdem speichern"

    # duplicates -------------------------------------------------------------------------------
    def check_duplicates(self) -> bool:
        """For a new person: warn when name and birth date match someone in the register."""
        b = self.basic
        if self.record is not None or not b.lastNameEdit.text().strip():
            return False
        try:
            birth = parse_optional_date(b.birthDateEdit.text())
        except ValidationError:
            return False
        self._duplicates = persons.find_duplicates(self.context.db, self.context.organization_id,
                                                   b.lastNameEdit.text(), b.firstNameEdit.text(), birth)
        if not self._duplicates:
            if self.notice.text().startswith("Mögliches Duplikat"):
                self.notice.clear()
            return False
        key = (b.lastNameEdit.text().strip().lower(), b.firstNameEdit.text().strip().lower(), birth)
        if self._confirmed_duplicate != key:
            first = self._duplicates[0]
            self.notice.show("Mögliches Duplikat: " + "; ".join(person_label(d) for d in self._duplicates),
                             "warning", [(f"Nr. {first.id} öffnen", lambda: self.open_record(first.id)),
                                         ("Ist eine andere Person", lambda: self._confirm_duplicate(key))])
        return True

    def _confirm_duplicate(self, key: tuple) -> None:
        self._confirmed_duplicate = key
        self.notice.clear()

    # widgets ----------------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        natural = self.basic.kindCombo.currentData() == PersonKind.NATURAL.value
        self.basic.lastNameLabel.setText("Nach&name:" if natural else "&Name:")
        for widget in (self.basic.birthDateEdit, self.basic.salutationCombo):
            widget.setEnabled(natural)

    def add_bank_row(self, iban: str = "", bic: str = "", holder: str = "") -> None:
        table = self.bank.bankTable
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate((iban, bic, holder)):
            table.setItem(row, column, QTableWidgetItem(text))
        if not self._loading:
            table.setCurrentCell(row, 0)
            table.editItem(table.item(row, 0))

    def remove_bank_row(self) -> None:
        row = self.bank.bankTable.currentRow()
        if row >= 0:
            self.bank.bankTable.removeRow(row)
