"""Organization settings: create (first start) or edit with optimistic locking, errors at the field."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QDialogButtonBox, QHeaderView, QMessageBox,
                               QTableWidgetItem, QWidget)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from sollhaben.domain.master_data import MODULES, Address, BankAccountInput, OrganizationInput
from sollhaben.domain.money import ROUNDING_LABELS
from sollhaben.domain.references import format_iban
from sollhaben.persistence.database import Database
from sollhaben.services import organizations
from sollhaben.services.dto import OrganizationDTO
from sollhaben.ui.field_errors import ERROR_COLOR, ERROR_STYLE, SUMMARY_STYLE, FieldErrorView
from sollhaben.ui.form_dialog import FormDialog
from sollhaben.ui.forms.ui_settings_dialog import Ui_SettingsDialog

COUNTRIES = (("Deutschland", "DE"), ("Schweiz", "CH"))
CURRENCIES = (("Euro (EUR)", "EUR"), ("Schweizer Franken (CHF)", "CHF"))
IBAN, BIC, LABEL = range(3)


class SettingsDialog(FormDialog):
    """`organization=None` creates a new organization; `saved(OrganizationDTO)` after each save."""

    saved = Signal(object)

    def __init__(self, db: Database, organization: OrganizationDTO | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.organization = organization
        self.ui = Ui_SettingsDialog()
        self.ui.setupUi(self)
        self.setStyleSheet(ERROR_STYLE)
        self.ui.summaryLabel.setStyleSheet(SUMMARY_STYLE)
        self.ui.summaryLabel.hide()
        if organization is None:
            self.setWindowTitle("Neue Organisation erfassen")
        self._fill_choices()
        self._setup_bank_table()
        self.errors = FieldErrorView(self)
        self._register_fields()
        save = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Speichern")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.legalCountryCombo.currentIndexChanged.connect(self._country_changed)
        self.load(organization)

    # setup ---------------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        for text, code in COUNTRIES:
            self.ui.legalCountryCombo.addItem(text, code)
        for text, code in CURRENCIES:
            self.ui.currencyCombo.addItem(text, code)
        for key, text in ROUNDING_LABELS.items():
            self.ui.roundingCombo.addItem(text, key)
        self.module_checks: dict[str, QCheckBox] = {}
        for i, (key, text) in enumerate(MODULES.items()):
            check = QCheckBox(text, self.ui.modulesBox)
            check.setObjectName(f"module_{key}")
            self.module_checks[key] = check
            self.ui.modulesLayout.addWidget(check, i // 2, i % 2)

    def _setup_bank_table(self) -> None:
        table = self.ui.bankTable
        header = table.horizontalHeader()
        header.setSectionResizeMode(IBAN, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(IBAN, 250)
        table.setColumnWidth(BIC, 120)
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.ui.addBankButton.clicked.connect(lambda: self.add_bank_row())
        self.ui.removeBankButton.clicked.connect(self._remove_bank_row)

    def _register_fields(self) -> None:
        ui, register = self.ui, self.errors.register
        for field, widget in (
                ("name", ui.nameEdit), ("legal_country", ui.legalCountryCombo), ("currency", ui.currencyCombo),
                ("rounding_rule", ui.roundingCombo), ("enabled_modules", ui.modulesBox),
                ("address.street", ui.streetEdit), ("address.house_number", ui.houseNumberEdit),
                ("address.postal_code", ui.postalCodeEdit), ("address.town", ui.townEdit),
                ("address.country", ui.countryEdit), ("phone", ui.phoneEdit), ("email", ui.emailEdit),
                ("website", ui.websiteEdit), ("sepa_creditor_id", ui.creditorIdEdit)):
            register(field, widget)
        self.errors.register_table("bank_accounts", ui.bankTable, {"iban": IBAN, "bic": BIC, "label": LABEL},
                                   message_label=ui.bankMessageLabel)

    # data ----------------------------------------------------------------------------------
    def load(self, org: OrganizationDTO | None) -> None:
        """Show `org` (or the defaults of a new organization); clears all errors."""
        ui = self.ui
        self.organization = org
        legal = org.legal_country if org else "CH"
        ui.legalCountryCombo.setCurrentIndex(ui.legalCountryCombo.findData(legal))
        ui.currencyCombo.setCurrentIndex(ui.currencyCombo.findData(org.currency if org else "CHF"))
        ui.roundingCombo.setCurrentIndex(max(0, ui.roundingCombo.findData(org.rounding_rule if org else "cents")))
        address = org.address if org else Address(country=legal)
        for edit, value in ((ui.nameEdit, org.name if org else ""), (ui.streetEdit, address.street),
                            (ui.houseNumberEdit, address.house_number), (ui.postalCodeEdit, address.postal_code),
                            (ui.townEdit, address.town), (ui.countryEdit, address.country),
                            (ui.phoneEdit, org.phone if org else ""), (ui.emailEdit, org.email if org else ""),
                            (ui.websiteEdit, org.website if org else ""),
                            (ui.creditorIdEdit, org.sepa_creditor_id if org else "")):
            edit.setText(value)
        enabled = set(org.enabled_modules) if org else set()
        for key, check in self.module_checks.items():
            check.setChecked(key in enabled)
        ui.bankTable.setRowCount(0)
        for account in (org.bank_accounts if org else ()):
            self.add_bank_row(account)
        self._country_changed()
        self._show_errors([])
        self._loaded = self.collect()

    def collect(self) -> OrganizationInput:
        ui = self.ui
        accounts = []
        for row in range(ui.bankTable.rowCount()):
            texts = [self._cell(row, c) for c in (IBAN, BIC, LABEL)]
            item = ui.bankTable.item(row, IBAN)
            is_default = bool(item and item.data(Qt.ItemDataRole.UserRole))
            accounts.append(BankAccountInput(texts[0], texts[1], texts[2], is_default))
        return OrganizationInput(
            name=ui.nameEdit.text(), legal_country=ui.legalCountryCombo.currentData(),
            currency=ui.currencyCombo.currentData(),
            address=Address(ui.streetEdit.text(), ui.houseNumberEdit.text(), ui.postalCodeEdit.text(),
                            ui.townEdit.text(), ui.countryEdit.text()),
            phone=ui.phoneEdit.text(), email=ui.emailEdit.text(), website=ui.websiteEdit.text(),
            sepa_creditor_id=ui.creditorIdEdit.text(), rounding_rule=ui.roundingCombo.currentData(),
            enabled_modules=tuple(k for k, c in self.module_checks.items() if c.isChecked()),
            options=dict(self.organization.options) if self.organization else {},
            bank_accounts=tuple(accounts))

    def is_dirty(self) -> bool:
        return self.collect() != self._loaded

    def save(self) -> bool:
        """Validate and store; on any error show it at its field and store nothing."""
        self._drop_empty_bank_rows()
        data = self.collect()
        try:
            if self.organization is None:
                result = organizations.create_organization(self.db, data)
            else:
                result = organizations.update_organization(self.db, self.organization.id,
                                                           self.organization.version, data)
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return False
        except ConflictError as exc:
            self._conflict(str(exc))
            return False
        except NotFoundError as exc:
            QMessageBox.warning(self, "Organisation", str(exc))
            return False
        self.load(result)
        self.saved.emit(result)
        return True

    # slots ---------------------------------------------------------------------------------
    def add_bank_row(self, account: BankAccountInput | None = None) -> int:
        table = self.ui.bankTable
        row = table.rowCount()
        table.insertRow(row)
        values = (format_iban(account.iban), account.bic, account.label) if account else ("", "", "")
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
        table.item(row, IBAN).setData(Qt.ItemDataRole.UserRole, bool(account and account.is_default))
        if account is None:
            table.setCurrentCell(row, IBAN)
            table.editItem(table.item(row, IBAN))
        return row

    def _remove_bank_row(self) -> None:
        row = self.ui.bankTable.currentRow()
        if row >= 0:
            self.ui.bankTable.removeRow(row)

    def _country_changed(self) -> None:
        german = self.ui.legalCountryCombo.currentData() == "DE"
        self.ui.creditorForm.setRowVisible(0, german)  # SEPA direct debit exists for DE only
        if self.organization is None:  # defaults of a new organization follow the country
            code = self.ui.legalCountryCombo.currentData()
            self.ui.currencyCombo.setCurrentIndex(self.ui.currencyCombo.findData("EUR" if code == "DE" else "CHF"))
            if self.ui.countryEdit.text() in ("", "DE", "CH"):
                self.ui.countryEdit.setText(code)

    # helpers -------------------------------------------------------------------------------
    def _cell(self, row: int, column: int) -> str:
        item = self.ui.bankTable.item(row, column)
        return item.text().strip() if item else ""

    def _drop_empty_bank_rows(self) -> None:
        table = self.ui.bankTable
        for row in reversed(range(table.rowCount())):
            if not any(self._cell(row, c) for c in (IBAN, BIC, LABEL)):
                table.removeRow(row)

    def _show_errors(self, errors: list[FieldError]) -> None:
        unplaced = self.errors.show(errors)
        widgets = [w for w in (self.errors.widget_for(e.field) for e in errors) if w is not None]
        for index in range(self.ui.tabs.count()):  # tabs holding an error get a red title
            tab = self.ui.tabs.widget(index)
            bad = any(tab.isAncestorOf(w) for w in widgets)
            self.ui.tabs.tabBar().setTabTextColor(index, QColor(ERROR_COLOR) if bad else self.palette().windowText().color())
        if not errors:
            self.ui.summaryLabel.hide()
            return
        lines = [f"• {e.message}" for e in errors]
        self.ui.summaryLabel.setText("Nichts gespeichert – bitte die markierten Felder korrigieren:\n"
                                     + "\n".join(dict.fromkeys(lines)))
        self.ui.summaryLabel.show()
        first = self.errors.widget_for(errors[0].field) if not unplaced or errors[0] not in unplaced else None
        if first is not None:
            for index in range(self.ui.tabs.count()):
                if self.ui.tabs.widget(index).isAncestorOf(first):
                    self.ui.tabs.setCurrentIndex(index)
                    break
            first.setFocus()

    def _conflict(self, message: str) -> None:
        if ask_reload(self, message) and self.organization is not None:
            self.load(organizations.get_organization(self.db, self.organization.id))


def ask_reload(parent: QWidget, message: str) -> bool:
    """Someone else changed the record: offer to reload (discarding this dialog's edits)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Geändert", message, parent=parent)
    reload_button = box.addButton("Neu laden", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Abbrechen", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is reload_button
