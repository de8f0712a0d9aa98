"""The person list and the person layer editor, driven through real widgets."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.services import households, organizations, persons
from sollhaben.ui.context import AppContext
from sollhaben.ui.persons import PersonsPage
from tests.conftest import make_org_input

# The offscreen platform plugin cannot size real windows; that message is not a defect of ours.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 24)


def _person(last, first, born=None, town="Stuttgart", postal_code="70173", **kw) -> PersonInput:
    return PersonInput("NATURAL", last, first, birth_date=born,
                       address=Address("Hauptstraße", "1", postal_code, town, "DE"), **kw)


@pytest.fixture
def context(sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    ctx = AppContext(sqlite_db)
    ctx.set_organization(org)
    for last, first, born in (("Albrecht", "Anna", date(1985, 3, 4)), ("Berger", "Bernd", date(1979, 7, 1)),
                              ("Muster", "Max", date(1980, 2, 1)), ("Zeller", "Zoe", None)):
        persons.save_person(sqlite_db, org.id, _person(last, first, born), today=TODAY)
    return ctx


@pytest.fixture
def page(qtbot, context):
    widget = PersonsPage(context)
    widget.editor.today = lambda: TODAY
    qtbot.addWidget(widget)
    widget.resize(1100, 680)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def answer_next_question(qtbot, button_text: str) -> list[str]:
    """Click `button_text` in the next modal message box; returns the texts the box showed."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, click)
    return seen


def wait_active(qtbot, page) -> None:
    """After a modal box the offscreen platform re-activates the window with the next events."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


def open_by_name(qtbot, page, name: str):
    type_into(qtbot, page.list.search, name)
    qtbot.waitUntil(lambda: page.list.proxy.rowCount() == 1)
    qtbot.keyClick(page.list.search, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.editor
    return page.editor


def stored(context) -> list[tuple[str, str]]:
    return [(r.last_name, r.first_name) for r in persons.list_person_rows(context.db, context.organization_id)]


def test_create_person_by_typing_and_find_it_in_the_list(qtbot, page, context):
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    assert editor.ui.titleLabel.text() == "Neue Person"
    qtbot.keyClicks(editor.basic.lastNameEdit, "Keller")
    assert editor.is_dirty() and editor.windowTitle().endswith("*")
    qtbot.keyClick(editor.basic.lastNameEdit, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Klara")  # Tab moved to the first name
    assert editor.basic.firstNameEdit.text() == "Klara"
    type_into(qtbot, editor.basic.birthDateEdit, "14.05.1990")
    editor.ui.layerTabs.setCurrentIndex(1)
    a = editor.address
    for widget, text in ((a.streetEdit, "Rosenweg"), (a.houseNumberEdit, "7a"), (a.postalCodeEdit, "70174"),
                         (a.townEdit, "Stuttgart"), (a.emailEdit, "klara.keller@example.de")):
        type_into(qtbot, widget, text)
    editor.ui.layerTabs.setCurrentIndex(2)
    qtbot.mouseClick(editor.bank.addBankButton, Qt.MouseButton.LeftButton)
    editor.bank.bankTable.item(0, 0).setText("DE89 3704 0044 0532 0130 00")
    editor.bank.bankTable.item(0, 2).setText("Klara Keller")
    editor.ui.layerTabs.setCurrentIndex(4)
    editor.roles.boxes[("kita", "guardian")].setChecked(True)
    editor.ui.layerTabs.setCurrentIndex(0)
    assert editor.ui.titleLabel.text() == "Neue Person *"

    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.keyClick(editor.basic.lastNameEdit, Qt.Key.Key_Return)  # Return = Speichern/Bearbeiten
    person = persons.get_person(context.db, saved.args[0])
    assert (person.last_name, person.first_name, person.birth_date) == ("Keller", "Klara", date(1990, 5, 14))
    assert person.address.postal_code == "70174" and person.bank_accounts[0].iban == "DE89370400440532013000"
    assert person.roles == (("kita", "guardian"),)
    assert not editor.is_dirty() and editor.ui.titleLabel.text() == f"Keller, Klara (Nr. {person.id})"

    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    type_into(qtbot, page.list.search, "kell")
    qtbot.waitUntil(lambda: page.list.proxy.rowCount() == 1)
    assert page.list.proxy.row_at(page.list.proxy.index(0, 0)).id == person.id


@pytest.mark.parametrize("tab, field, text, message", [
    (2, "iban", "DE89 3704 0044 0532 0130 01", "IBAN"),
    (1, "postal_code", "7017", "PLZ: Eine Postleitzahl in DE hat 5 Ziffern."),
    (0, "birth_date", "31.02.1980", "Geburtsdatum: Den 31.02.1980 gibt es nicht im Kalender."),
])
def test_bad_input_shows_german_message_at_the_field_and_stores_nothing(qtbot, page, context, tab, field, text,
                                                                          message):
    page.new_person()
    editor = page.editor
    type_into(qtbot, editor.basic.lastNameEdit, "Neumann")
    type_into(qtbot, editor.basic.firstNameEdit, "Nora")
    type_into(qtbot, editor.address.townEdit, "Stuttgart")
    type_into(qtbot, editor.address.postalCodeEdit, "7017" if field == "postal_code" else "70173")
    if field == "birth_date":
        type_into(qtbot, editor.basic.birthDateEdit, text)
    if field == "iban":
        editor.add_bank_row(text)
    before = stored(context)
    qtbot.keyClick(editor.basic.lastNameEdit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(context) == before
    assert editor.is_dirty()
    assert editor.ui.layerTabs.currentIndex() == tab  # the tab with the error is shown
    assert message in editor.ui.errorSummaryLabel.text()
    assert editor.ui.errorSummaryLabel.text().startswith("Nicht gespeichert")
    if field == "iban":
        assert message in editor.bank.bankMessageLabel.text() and editor.bank.bankMessageLabel.isVisible()
        assert editor.bank.bankTable.item(0, 0).toolTip().startswith("IBAN")
    else:
        widget = editor.errors.widget_for("address.postal_code" if field == "postal_code" else field)
        assert widget.property("fieldError") is True and widget.toolTip() == message
        assert widget.hasFocus()
    if field == "postal_code":
        message_line = [w for w in editor.address.postalCodeEdit.parentWidget().findChildren(QLabel)
                        if w.text() == message]
        assert message_line and message_line[0].isVisible()  # the message right below the field
    # correcting the input clears the error and saves
    if field == "iban":
        editor.bank.bankTable.item(0, 0).setText("DE89 3704 0044 0532 0130 00")
    elif field == "postal_code":
        type_into(qtbot, editor.address.postalCodeEdit, "70173")
    else:
        type_into(qtbot, editor.basic.birthDateEdit, "28.02.1980")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert not editor.ui.errorSummaryLabel.isVisible()
    assert ("Neumann", "Nora") in stored(context)


def test_reset_restores_after_confirmation(qtbot, page, context):
    editor = open_by_name(qtbot, page, "Berger")
    type_into(qtbot, editor.basic.firstNameEdit, "Bernhard")
    assert editor.is_dirty()
    answer_next_question(qtbot, "Abbrechen")
    qtbot.mouseClick(editor.ui.resetButton, Qt.MouseButton.LeftButton)
    assert editor.basic.firstNameEdit.text() == "Bernhard"
    wait_active(qtbot, page)
    seen = answer_next_question(qtbot, "Zurücksetzen")
    qtbot.keyClick(editor.basic.firstNameEdit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["Alle ungespeicherten Änderungen verwerfen?"]
    assert editor.basic.firstNameEdit.text() == "Bernd" and not editor.is_dirty()
    assert ("Berger", "Bernd") in stored(context)


def test_record_navigation_follows_the_filtered_list_and_asks_when_dirty(qtbot, page):
    type_into(qtbot, page.list.search, "stuttgart")
    page.list.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # Zeller, Muster, Berger, Albrecht
    page.list.table.selectRow(0)
    qtbot.keyClick(page.list.table, Qt.Key.Key_Return)
    editor = page.editor
    assert editor.basic.lastNameEdit.text() == "Zeller"
    assert editor.ui.positionLabel.text() == "1 von 4" and not editor.ui.previousButton.isEnabled()
    qtbot.keyClick(editor.basic.lastNameEdit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.basic.lastNameEdit.text() == "Muster"
    qtbot.mouseClick(editor.ui.nextButton, Qt.MouseButton.LeftButton)
    assert editor.basic.lastNameEdit.text() == "Berger" and editor.ui.positionLabel.text() == "3 von 4"
    type_into(qtbot, editor.basic.firstNameEdit, "Bernd-Otto")
    answer_next_question(qtbot, "Abbrechen")
    qtbot.keyClick(editor.basic.firstNameEdit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.basic.lastNameEdit.text() == "Berger"  # cancelled: stays
    wait_active(qtbot, page)
    seen = answer_next_question(qtbot, "Verwerfen")
    qtbot.keyClick(editor.basic.firstNameEdit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert "Änderungen speichern?" in seen[0]
    assert editor.basic.lastNameEdit.text() == "Muster"
    wait_active(qtbot, page)
    # "Speichern" in the question saves, then moves on
    type_into(qtbot, editor.address.phoneEdit, "0711 4711")
    answer_next_question(qtbot, "Speichern")
    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(editor.address.phoneEdit, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert editor.basic.lastNameEdit.text() == "Zeller"
    assert persons.get_person(page.context.db, page.list.current_row().id).last_name == "Zeller"
    wait_active(qtbot, page)
    qtbot.keyClick(editor.basic.lastNameEdit, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.record.phone == "0711 4711"
    # Esc closes; while dirty it asks first
    type_into(qtbot, editor.basic.firstNameEdit, "Moritz")
    answer_next_question(qtbot, "Abbrechen")
    qtbot.keyClick(editor.basic.firstNameEdit, Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is editor
    wait_active(qtbot, page)
    answer_next_question(qtbot, "Verwerfen")
    qtbot.keyClick(editor.basic.firstNameEdit, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    assert page.list.current_row().last_name == "Muster"  # the list follows the editor
    assert persons.get_person(page.context.db, page.list.current_row().id).first_name == "Max"


def test_save_and_new_leaves_an_empty_form(qtbot, page, context):
    editor = open_by_name(qtbot, page, "Albrecht")
    type_into(qtbot, editor.address.phoneEdit, "0711 123456")
    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(editor.address.phoneEdit, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert editor.record is None and editor.ui.titleLabel.text() == "Neue Person"
    assert editor.basic.lastNameEdit.text() == "" and editor.address.phoneEdit.text() == ""
    assert editor.bank.bankTable.rowCount() == 0 and not editor.is_dirty()
    albrecht = next(r for r in persons.list_person_rows(context.db, context.organization_id)
                    if r.last_name == "Albrecht")
    assert persons.get_person(context.db, albrecht.id).phone == "0711 123456"


def test_duplicate_warning_on_entry(qtbot, page, context):
    page.new_person()
    editor = page.editor
    type_into(qtbot, editor.basic.lastNameEdit, "muster")
    type_into(qtbot, editor.basic.firstNameEdit, "Max")
    type_into(qtbot, editor.basic.birthDateEdit, "01.02.1980")
    qtbot.keyClick(editor.basic.birthDateEdit, Qt.Key.Key_Tab)  # editing finished
    max_id = persons.find_duplicates(context.db, context.organization_id, "Muster", "Max", date(1980, 2, 1))[0].id
    assert editor.notice.text() == f"Mögliches Duplikat: Muster, Max, geb. 01.02.1980 (Nr. {max_id})"
    # saving asks; cancelling stores nothing
    answer_next_question(qtbot, "Abbrechen")
    assert not editor.save()
    assert stored(context).count(("Muster", "Max")) == 1
    # confirming it is another person allows saving
    next(b for b in editor.notice.buttons() if b.text() == "Ist eine andere Person").click()
    assert editor.notice.text() == ""
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert [n for n in stored(context) if n[0].lower() == "muster"] == [("Muster", "Max"), ("muster", "Max")]


def test_duplicate_warning_opens_the_existing_record(qtbot, page, context):
    page.new_person()
    editor = page.editor
    type_into(qtbot, editor.basic.lastNameEdit, "Muster")
    type_into(qtbot, editor.basic.firstNameEdit, "Max")
    type_into(qtbot, editor.basic.birthDateEdit, "1.2.1980")
    editor.check_duplicates()
    answer_next_question(qtbot, "Verwerfen")
    next(b for b in editor.notice.buttons() if b.text().endswith("öffnen")).click()
    assert editor.record is not None and editor.record.last_name == "Muster"
    assert stored(context).count(("Muster", "Max")) == 1


def test_stale_version_shows_the_conflict_message(qtbot, page, context):
    editor = open_by_name(qtbot, page, "Zeller")
    loaded = editor.record
    # another clerk saves the same person in the meantime
    persons.save_person(context.db, context.organization_id, _person("Zeller", "Zoë"), loaded.id,
                        loaded.version, today=TODAY)
    type_into(qtbot, editor.basic.firstNameEdit, "Zora")
    assert not editor.save()
    assert "wurde inzwischen geändert – neu laden" in editor.notice.text()
    assert persons.get_person(context.db, loaded.id).first_name == "Zoë"
    next(b for b in editor.notice.buttons() if b.text() == "Neu laden").click()
    assert editor.basic.firstNameEdit.text() == "Zoë" and not editor.is_dirty()
    type_into(qtbot, editor.basic.firstNameEdit, "Zora")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert persons.get_person(context.db, loaded.id).first_name == "Zora"


def test_history_tab_shows_a_change(qtbot, page, context):
    editor = open_by_name(qtbot, page, "Albrecht")
    type_into(qtbot, editor.address.townEdit, "Esslingen")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    table = editor.history.ui.historyTable
    rows = [tuple(table.item(r, c).text() for c in range(5)) for r in range(table.rowCount())]
    assert any(row[1:] == ("test", "Ort", "Stuttgart", "Esslingen") for row in rows), rows
    assert any(row[2:] == ("Geburtsdatum", "", "04.03.1985") for row in rows)


def test_household_membership_is_added_and_shown(qtbot, page, context):
    editor = open_by_name(qtbot, page, "Muster")
    layer = editor.households
    editor.ui.layerTabs.setCurrentWidget(layer)
    type_into(qtbot, layer.ui.validFromEdit, "01.01.2020")
    type_into(qtbot, layer.ui.validToEdit, "31.12.2019")
    assert not layer.add_membership()
    assert layer.ui.validToEdit.property("fieldError") is True
    type_into(qtbot, layer.ui.validToEdit, "")
    qtbot.keyClick(layer.ui.validToEdit, Qt.Key.Key_Return)  # Return adds the membership
    found = households.households_of_person(context.db, editor.record.id)
    assert [h.name for h in found] == ["Haushalt Muster"]
    assert layer.ui.householdTree.topLevelItem(0).child(0).text(2) == "01.01.2020"
    assert not editor.is_dirty()


def test_saving_and_paging_keep_the_layer_a_new_form_starts_on_the_first(qtbot, page):
    page.open_person(page.list.visible_rows()[0].id)  # Albrecht
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(2)  # Bankverbindungen
    editor.go(1)
    assert editor.record.last_name == "Berger" and editor.ui.layerTabs.currentIndex() == 2
    editor.address.phoneEdit.setText("031 111 22 33")
    assert editor.save()
    assert editor.ui.layerTabs.currentIndex() == 2
    editor.new_record()
    assert editor.ui.layerTabs.currentIndex() == 0
