"""Person register → "Brief drucken …": field validation, rendering on the worker, print preview."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.services import organizations, persons
from sollhaben.ui.context import AppContext
from sollhaben.ui.persons import PersonsPage
from sollhaben.ui.persons.letter_dialog import LetterDialog
from sollhaben.ui.print_preview import PrintPreviewDialog
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 11, 24)


@pytest.fixture
def runner(qapp):
    runner = JobRunner()
    yield runner
    assert runner.shutdown(timeout_ms=10_000)


def make_page(qtbot, db, runner, country: str) -> PersonsPage:
    org = organizations.create_organization(db, make_org_input(country))
    context = AppContext(db, worker=runner)
    context.set_organization(org)
    postal_code, town = ("3000", "Bern") if country == "CH" else ("70173", "Stuttgart")
    persons.save_person(db, org.id, PersonInput("NATURAL", "Muster", "Anna", salutation="Frau", language="fr",
                                                address=Address("Marktgasse", "28", postal_code, town, country)),
                        today=TODAY)
    page = PersonsPage(context)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=3000)
    page.list.table.setFocus()
    page.list.table.selectRow(0)
    return page


def field_messages(dialog: LetterDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)
            if label.property("role") == "fieldMessage" and label.isVisible() and label.text()]


def test_ctrl_p_opens_the_dialog_validates_at_the_field_and_previews_the_letter(qtbot, sqlite_db, runner):
    page = make_page(qtbot, sqlite_db, runner, "CH")
    qtbot.keyClick(page.list.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = page.letter_dialog
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, LetterDialog) and dialog.windowTitle() == "Brief drucken – Muster, Anna"
    assert dialog.ui.languageCombo.isEnabled() and dialog.ui.languageCombo.currentData() == "fr"
    assert dialog.ui.currencyLabel.text() == "CHF"

    submitted: list = []
    runner.started.connect(submitted.append)
    dialog.ui.amountEdit.setText("12,345")
    dialog.ok_button.click()
    messages = field_messages(dialog)
    assert "Betreff: Bitte einen Betreff eingeben." in messages
    assert "Text: Bitte den Brieftext eingeben." in messages
    assert any("höchstens zwei Nachkommastellen" in m for m in messages)
    assert dialog.ui.subjectEdit.property("fieldError") is True
    assert dialog.ui.summaryLabel.isVisible() and "Kein Brief erstellt" in dialog.ui.summaryLabel.text()
    assert dialog.focusWidget() is dialog.ui.subjectEdit
    assert submitted == [] and dialog.isVisible()

    qtbot.keyClicks(dialog.ui.subjectEdit, "Rechnung Dezember")
    dialog.ui.bodyEdit.setPlainText("Madame,\n\nVoici la facture de décembre.")
    dialog.ui.amountEdit.setText("1'234.50")
    with qtbot.waitSignal(runner.finished, timeout=30_000) as finished, \
            qtbot.waitSignal(dialog.preview_opened, timeout=30_000) as opened:
        dialog.ok_button.click()
        assert dialog.ui.progressBar.isVisible() and not dialog.ok_button.isEnabled()
    assert finished.args[0].title == "Brief erstellen"
    assert field_messages(dialog) == []
    preview = opened.args[0]
    assert isinstance(preview, PrintPreviewDialog) and preview.page_count() == 1
    qtbot.waitExposed(preview)
    text = PdfReader(io.BytesIO(preview.pdf_bytes)).pages[0].extract_text()
    assert "Rechnung Dezember" in text and "Montant : CHF 1'234.50" in text and "Section paiement" in text
    assert preview.suggested_filename == "brief-muster.pdf"
    assert not dialog.isVisible()
    preview.close()


def test_de_organizations_write_german_and_render_without_qr_bill(qtbot, sqlite_db, runner):
    page = make_page(qtbot, sqlite_db, runner, "DE")
    dialog = page.print_letter()
    qtbot.waitExposed(dialog)
    assert not dialog.ui.languageCombo.isEnabled() and dialog.ui.languageCombo.currentData() == "de"
    assert dialog.ui.currencyLabel.text() == "EUR"
    dialog.ui.subjectEdit.setText("Elternbeitrag")
    dialog.ui.bodyEdit.setPlainText("Sehr geehrte Frau Muster,\n\nanbei die Abrechnung.")
    dialog.ui.amountEdit.setText("1.234,50")
    with qtbot.waitSignal(dialog.preview_opened, timeout=30_000) as opened:
        dialog.ok_button.click()
    text = PdfReader(io.BytesIO(opened.args[0].pdf_bytes)).pages[0].extract_text()
    assert "Bitte überweisen Sie 1.234,50 EUR" in text and "Zahlteil" not in text
    opened.args[0].close()


def test_service_errors_after_rendering_are_shown_too(qtbot, sqlite_db, runner):
    page = make_page(qtbot, sqlite_db, runner, "CH")
    nobody = persons.save_person(sqlite_db, page.context.organization_id, PersonInput("NATURAL", "Ohne", "Adresse"),
                                 today=TODAY)
    dialog = page.print_letter(nobody.id)
    qtbot.waitExposed(dialog)
    assert "(keine Adresse erfasst)" in dialog.ui.recipientValue.text()
    dialog.ui.subjectEdit.setText("Betreff")
    dialog.ui.bodyEdit.setPlainText("Text")
    with qtbot.waitSignal(dialog.render_failed, timeout=30_000) as failed:
        dialog.ok_button.click()
    assert "keine vollständige Postadresse" in failed.args[0]
    assert "keine vollständige Postadresse" in dialog.ui.summaryLabel.text() and dialog.isVisible()
    assert dialog.ok_button.isEnabled()


def test_the_bill_limits_come_back_to_the_amount_field(qtbot, sqlite_db, runner):
    page = make_page(qtbot, sqlite_db, runner, "CH")
    dialog = page.print_letter()
    qtbot.waitExposed(dialog)
    dialog.ui.subjectEdit.setText("Rechnung")
    dialog.ui.bodyEdit.setPlainText("Text")
    dialog.ui.amountEdit.setText("1'000'000'000.00")
    with qtbot.waitSignal(dialog.render_failed, timeout=30_000):
        dialog.ok_button.click()
    assert any("999'999'999.99" in m for m in field_messages(dialog))
    assert dialog.ui.amountEdit.property("fieldError") is True


def test_ctrl_p_in_the_person_editor_writes_to_the_person_shown(qtbot, sqlite_db, runner):
    page = make_page(qtbot, sqlite_db, runner, "CH")
    other = persons.save_person(sqlite_db, page.context.organization_id, PersonInput(
        "NATURAL", "Zeller", "Zoe", address=Address("Weg", "1", "3000", "Bern", "CH")), today=TODAY)
    assert page.open_person(other.id)
    qtbot.keyClick(page.editor.basic.lastNameEdit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = page.letter_dialog
    qtbot.waitExposed(dialog)
    assert dialog.person.id == other.id and dialog.windowTitle() == "Brief drucken – Zeller, Zoe"
    dialog.reject()
