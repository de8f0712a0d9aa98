"""Settings dialog: German errors at the field, nothing stored while any stands, save, conflict."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from sollhaben.domain.master_data import BankAccountInput
from sollhaben.services import audit_log, organizations
from sollhaben.ui.settings_dialog import SettingsDialog
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def org(sqlite_db):
    return organizations.create_organization(sqlite_db, make_org_input("CH"))


@pytest.fixture(autouse=True)
def no_discard_question(monkeypatch):
    """Closing a changed dialog at teardown must not block on the 'discard?' question."""
    asked: list = []
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: asked.append(parent) or True)
    return asked


@pytest.fixture
def dialog(qtbot, sqlite_db, org):
    dialog = SettingsDialog(sqlite_db, org)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_dialog_shows_the_stored_settings(dialog, org):
    ui = dialog.ui
    assert ui.nameEdit.text() == "Sozialdienst Aaretal"
    assert ui.legalCountryCombo.currentData() == "CH" and ui.currencyCombo.currentData() == "CHF"
    assert (ui.streetEdit.text(), ui.houseNumberEdit.text(), ui.postalCodeEdit.text(), ui.townEdit.text(),
            ui.countryEdit.text()) == ("Bahnhofstrasse", "12", "3000", "Bern", "CH")
    assert ui.bankTable.rowCount() == 1 and ui.bankTable.item(0, 0).text() == "CH44 3199 9123 0008 8901 2"
    assert ui.bankTable.item(0, 2).text() == "QR-Konto"
    assert {k for k, c in dialog.module_checks.items() if c.isChecked()} == {"alimony", "receivables"}
    assert not ui.summaryLabel.isVisible()
    assert not ui.creditorForm.isRowVisible(0)  # SEPA creditor id is for DE only
    assert not dialog.is_dirty()


def test_bad_iban_shows_german_error_at_the_field_and_stores_nothing(qtbot, dialog, sqlite_db, org):
    dialog.ui.bankTable.setItem(0, 0, QTableWidgetItem("CH44 3199 9123 0008 8901 3"))
    dialog.ui.phoneEdit.setText("031 999 99 99")  # a valid change that must not be stored either
    dialog.accept()

    assert dialog.isVisible()  # not closed
    message = "IBAN (Konto 1): Die Prüfziffer der IBAN CH44 3199 9123 0008 8901 3 stimmt nicht."
    assert dialog.ui.bankMessageLabel.text() == message and dialog.ui.bankMessageLabel.isVisible()
    assert dialog.ui.bankTable.item(0, 0).toolTip() == message
    assert dialog.ui.bankTable.property("fieldError") is True
    assert dialog.ui.summaryLabel.isVisible() and message in dialog.ui.summaryLabel.text()
    assert dialog.ui.summaryLabel.text().startswith("Nichts gespeichert")
    assert dialog.ui.tabs.currentWidget() is dialog.ui.bankTab
    assert organizations.get_organization(sqlite_db, org.id) == org  # reloaded from the DB: unchanged
    assert [e for e in audit_log.history(sqlite_db, "organization", org.id) if e.action == "update"] == []


def test_several_errors_appear_each_at_its_field(qtbot, dialog, sqlite_db, org):
    dialog.ui.nameEdit.setText("  ")
    dialog.ui.postalCodeEdit.setText("30001")
    dialog.ui.emailEdit.setText("info@")
    assert not dialog.save()
    assert dialog.ui.tabs.currentWidget() is dialog.ui.generalTab  # the first error's tab
    assert dialog.ui.nameEdit.property("fieldError") is True
    assert dialog.ui.nameEdit.toolTip() == "Name: Bitte den Namen der Organisation eingeben."
    assert dialog.ui.postalCodeEdit.toolTip() == "PLZ: Eine Postleitzahl in CH hat 4 Ziffern."
    assert dialog.ui.emailEdit.toolTip() == "E-Mail: „info@“ ist keine E-Mail-Adresse."
    assert dialog.ui.townEdit.property("fieldError") in (None, False)
    texts = dialog.ui.summaryLabel.text()
    assert texts.count("•") == 3
    assert organizations.get_organization(sqlite_db, org.id) == org
    # correcting everything clears the marks and saves
    dialog.ui.nameEdit.setText("Sozialdienst Aaretal")
    dialog.ui.postalCodeEdit.setText("3001")
    dialog.ui.emailEdit.setText("info@aaretal.ch")
    assert dialog.save()
    assert dialog.ui.nameEdit.property("fieldError") is False and not dialog.ui.summaryLabel.isVisible()
    assert organizations.get_organization(sqlite_db, org.id).email == "info@aaretal.ch"


def test_valid_change_is_saved_and_audited(qtbot, dialog, sqlite_db, org):
    saved: list = []
    dialog.saved.connect(saved.append)
    dialog.ui.phoneEdit.setText("031 999 99 99")
    dialog.module_checks["child_protection"].setChecked(True)
    dialog.add_bank_row(BankAccountInput("CH93 0076 2011 6238 5295 7", "POFICHBEXXX", "Postkonto"))
    assert dialog.is_dirty()
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        dialog.accept()

    stored = organizations.get_organization(sqlite_db, org.id)
    assert saved == [stored]
    assert stored.version == org.version + 1
    assert stored.phone == "031 999 99 99"
    assert set(stored.enabled_modules) == {"alimony", "receivables", "child_protection"}
    assert [(b.iban, b.bic, b.label) for b in stored.bank_accounts] == [
        ("CH4431999123000889012", "", "QR-Konto"), ("CH9300762011623852957", "POFICHBEXXX", "Postkonto")]
    changes = {(e.table_name, e.field): (e.old_value, e.new_value)
               for e in audit_log.history(sqlite_db, "organization", org.id)}
    assert changes[("organization", "phone")] == ("", "031 999 99 99")
    assert ("bank_account", "iban") in changes


def test_empty_bank_rows_are_dropped_and_rows_can_be_removed(qtbot, dialog, sqlite_db, org):
    dialog.add_bank_row()
    dialog.ui.bankTable.setCurrentCell(0, 0)
    dialog.ui.removeBankButton.click()
    assert dialog.ui.bankTable.rowCount() == 1
    assert dialog.save()
    assert dialog.ui.bankTable.rowCount() == 0
    assert organizations.get_organization(sqlite_db, org.id).bank_accounts == ()


def test_conflict_offers_reload(qtbot, dialog, sqlite_db, org, monkeypatch):
    other = organizations.update_organization(
        sqlite_db, org.id, org.version, make_org_input("CH", name="Sozialdienst Aaretal Nord"))
    asked: list[str] = []
    monkeypatch.setattr("sollhaben.ui.settings_dialog.ask_reload", lambda parent, text: asked.append(text) or True)
    dialog.ui.phoneEdit.setText("031 000 00 00")
    assert not dialog.save()
    assert "neu laden" in asked[0]
    assert dialog.ui.nameEdit.text() == "Sozialdienst Aaretal Nord"  # reloaded
    assert dialog.organization.version == other.version
    assert organizations.get_organization(sqlite_db, org.id) == other  # the other clerk's edit stands


def test_new_organization_defaults_follow_the_country(qtbot, sqlite_db):
    dialog = SettingsDialog(sqlite_db, None)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Neue Organisation erfassen"
    dialog.ui.legalCountryCombo.setCurrentIndex(dialog.ui.legalCountryCombo.findData("DE"))
    assert dialog.ui.currencyCombo.currentData() == "EUR" and dialog.ui.countryEdit.text() == "DE"
    assert dialog.ui.creditorForm.isRowVisible(0)
    dialog.ui.nameEdit.setText("Kita Sonnenschein")
    dialog.ui.streetEdit.setText("Hauptstraße")
    dialog.ui.postalCodeEdit.setText("70173")
    dialog.ui.townEdit.setText("Stuttgart")
    dialog.ui.creditorIdEdit.setText("DE98ZZZ09999999999")
    assert dialog.save()
    created = organizations.list_organizations(sqlite_db)
    assert [(o.name, o.currency, o.sepa_creditor_id) for o in created] == [
        ("Kita Sonnenschein", "EUR", "DE98ZZZ09999999999")]


def test_cancel_with_changes_asks_before_discarding(qtbot, dialog, no_discard_question, monkeypatch):
    dialog.reject()  # unchanged: closes without a question
    assert no_discard_question == [] and not dialog.isVisible()
    dialog.show()
    dialog.ui.phoneEdit.setText("x")
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: False)
    dialog.reject()
    assert dialog.isVisible()  # the user chose to keep editing
