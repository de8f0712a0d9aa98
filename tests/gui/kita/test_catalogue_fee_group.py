"""The page "Standard" and the fee group editor, driven through real widgets: typing, field errors
(nothing stored while one stands, read back through the services), new versions, Württemberg and
individual groups, billed versions read-only, a stale form."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit

from sollhaben.domain.kita import model as m
from sollhaben.domain.master_data import UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.services import organizations, persons
from sollhaben.services.kita import catalogue
from sollhaben.services.kita.dto import EntryKind
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.catalogue_fee_group import AMOUNT, LABEL, NUMBER
from sollhaben.ui.kita.catalogue_page import CataloguePage
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 24)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def context(sqlite_db, qapp):
    from sollhaben.domain.master_data import PersonInput

    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    organizations.save_unit(sqlite_db, org.id, UnitInput("Kita Sonnenschein", "FACILITY"))
    organizations.save_unit(sqlite_db, org.id, UnitInput("Amt für Kinder", "OFFICE"))
    for name in ("Jugendamt Stuttgart", "Sozialamt Stuttgart"):
        persons.save_person(sqlite_db, org.id, PersonInput("INSTITUTION", name), today=TODAY)
    return AppContext(db=sqlite_db, organization=org)


@pytest.fixture
def page(qtbot, context):
    widget = CataloguePage(context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_into(qtbot, widget, text: str) -> None:
    active(qtbot, widget.window())
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


def active(qtbot, dialog):
    """The dialog once it is shown and has the keyboard (the offscreen platform activates it later)."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def type_cell(qtbot, table, row: int, column: int, text: str) -> None:
    """Edit a cell as a clerk does: open its editor, replace the text, Return."""
    active(qtbot, table.window())
    table.setFocus()
    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view takes the text over with the next events
    qtbot.waitUntil(lambda: table.item(row, column).text() == text and table.state() == table.State.NoState)


def click_save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)


def save_and_wait(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        click_save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def monthly_group(name: str = "Ganztag 45 h", start: str = "01.2026") -> m.FeeGroup:
    tiers = tuple(m.Tier(i + 1, f"Stufe {i + 1}", eur(a)) for i, a in enumerate(("162.00", "126.00", "85.00")))
    return m.FeeGroup(name, m.BillingMode.MONTHLY, m.TierSource.CHOSEN,
                      (m.FeeGroupVersion(Validity.parse(start), tiers),))


def open_first(qtbot, page, kind: str):
    view = page.lists[kind]
    page.ui.tabs.setCurrentIndex(list(page.lists).index(kind))
    view.table.setFocus()
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    return active(qtbot, page.dialog)


def test_new_fee_group_shows_every_error_at_its_field_stores_nothing_then_saves(qtbot, page, context):
    page.lists[EntryKind.FEE_GROUP].table.setFocus()
    qtbot.keyClick(page.lists[EntryKind.FEE_GROUP].table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Neue Beitragsgruppe"
    assert (dialog.versions.text(0, "valid_from"), dialog.versions.text(0, "valid_to")) == ("11.2026", "")
    tiers = dialog.ui.tierTable
    type_cell(qtbot, tiers, 0, LABEL, "1 Kind")
    type_cell(qtbot, tiers, 0, AMOUNT, "12,345")
    qtbot.mouseClick(dialog.ui.addTierButton, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()  # the new tier's label is open for typing
    qtbot.keyClicks(editor, "2 Kinder")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tiers.item(1, LABEL).text() == "2 Kinder")
    assert [tiers.item(1, c).text() for c in (NUMBER, LABEL, AMOUNT)] == ["2", "2 Kinder", ""]

    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.ui.nameEdit.property("fieldError") is True
    assert dialog.ui.nameEdit.toolTip() == "Name: Bitte einen Namen eingeben."
    assert tiers.item(0, AMOUNT).toolTip() == "Betrag der Staffel 1: höchstens zwei Nachkommastellen erlaubt."
    assert tiers.item(1, AMOUNT).toolTip() == ("Betrag der Staffel 2: Bitte einen Betrag eingeben "
                                               "(Version ab 11.2026).")
    summary = dialog.ui.summaryLabel.text()
    assert summary.startswith("Nichts gespeichert") and "Name: Bitte einen Namen eingeben." in summary
    assert "Betrag der Staffel 1: höchstens zwei Nachkommastellen erlaubt." in dialog.ui.tierMessageLabel.text()
    assert catalogue.list_fee_groups(context.db, context.organization_id) == []

    type_into(qtbot, dialog.ui.nameEdit, "Ganztag 45 Std.")
    qtbot.keyClick(dialog.ui.nameEdit, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "GT45")  # Tab moved on to the code
    type_cell(qtbot, tiers, 0, AMOUNT, "1.234,50")
    type_cell(qtbot, tiers, 1, AMOUNT, "126")
    save_and_wait(qtbot, dialog)

    (row,) = catalogue.list_fee_groups(context.db, context.organization_id, today=TODAY)
    group = catalogue.get_fee_group(context.db, row.id).group
    assert (group.name, group.code, group.mode, group.tier_source) == (
        "Ganztag 45 Std.", "GT45", m.BillingMode.MONTHLY, m.TierSource.CHOSEN)
    (version,) = group.versions
    assert version.valid == Validity(Month(2026, 11))
    assert [(t.number, t.label, t.amount) for t in version.tiers] == [
        (1, "1 Kind", Money(123450, "EUR")), (2, "2 Kinder", Money(12600, "EUR"))]
    view = page.lists[EntryKind.FEE_GROUP]
    assert view.current_row().id == group.id
    texts = [view.model.data(view.model.index(0, c)) for c in range(view.model.columnCount())]
    assert texts == ["Ganztag 45 Std.", "GT45", "Monatsbetrag", "Staffel wählbar", "126,00 – 1.234,50",
                     "11.2026 – offen", "1"]


def test_new_version_from_a_month_copies_the_tiers_and_closes_the_previous(qtbot, page, context):
    created = catalogue.save_fee_group(context.db, context.organization_id, monthly_group())
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    assert dialog.windowTitle() == "Beitragsgruppe – Ganztag 45 h"
    assert dialog.versions.ui.newVersionEdit.text() == "12.2026"  # the next month is offered
    type_into(qtbot, dialog.versions.ui.newVersionEdit, "08.2027")
    qtbot.keyClick(dialog.versions.ui.newVersionEdit, Qt.Key.Key_Return)  # adds the version, does not save
    assert dialog.isVisible()
    versions = dialog.versions
    assert [(versions.text(r, "valid_from"), versions.text(r, "valid_to")) for r in range(2)] == [
        ("01.2026", "07.2027"), ("08.2027", "")]
    assert versions.current_row() == 1 and dialog.ui.tiersBox.title() == "Staffeln der Version ab 08.2027"
    tiers = dialog.ui.tierTable
    assert [tiers.item(r, AMOUNT).text() for r in range(3)] == ["162,00", "126,00", "85,00"]
    type_cell(qtbot, tiers, 0, AMOUNT, "170,00")
    versions.set_current(0)
    assert tiers.item(0, AMOUNT).text() == "162,00"  # the old version keeps its amount
    save_and_wait(qtbot, dialog)

    group = catalogue.get_fee_group(context.db, created.group.id).group
    assert [v.valid for v in group.versions] == [Validity.parse("01.2026", "07.2027"), Validity.parse("08.2027")]
    assert group.version_for(Month(2027, 7)).tier(1).amount == eur("162.00")
    assert group.version_for(Month(2027, 8)).tier(1).amount == eur("170.00")
    assert [t.label for t in group.versions[1].tiers] == ["Stufe 1", "Stufe 2", "Stufe 3"]


def test_removing_a_new_version_reopens_the_one_it_closed(qtbot, page, context):
    catalogue.save_fee_group(context.db, context.organization_id, monthly_group())
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    assert not dialog.is_dirty()
    type_into(qtbot, dialog.versions.ui.newVersionEdit, "03.2027")
    qtbot.mouseClick(dialog.versions.ui.newVersionButton, Qt.MouseButton.LeftButton)
    assert dialog.versions.text(0, "valid_to") == "02.2027" and dialog.is_dirty()
    qtbot.mouseClick(dialog.versions.ui.removeVersionButton, Qt.MouseButton.LeftButton)
    assert dialog.versions.row_count() == 1 and dialog.versions.text(0, "valid_to") == ""
    assert not dialog.is_dirty()
    type_into(qtbot, dialog.versions.ui.newVersionEdit, "01.2026")
    qtbot.keyClick(dialog.versions.ui.newVersionEdit, Qt.Key.Key_Return)
    assert dialog.versions.ui.newVersionMessageLabel.text() == (
        "Neue Version ab: Ab 01.2026 gibt es schon eine Version; bitte diese ändern.")
    assert dialog.versions.row_count() == 1


def test_overlapping_and_malformed_months_are_marked_and_nothing_is_stored(qtbot, page, context):
    group = monthly_group()
    group = replace(group, versions=(replace(group.versions[0], valid=Validity.parse("01.2026", "12.2026")),
                                     m.FeeGroupVersion(Validity.parse("01.2027"), group.versions[0].tiers)))
    created = catalogue.save_fee_group(context.db, context.organization_id, group)
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    table = dialog.versions.ui.versionTable
    type_cell(qtbot, table, 1, 0, "06.2026")
    click_save(qtbot, dialog)
    message = ("Gültigkeit: Die Version ab 06.2026 (06.2026 – offen) überschneidet sich mit der Version ab 01.2026 "
               "(01.2026 – 12.2026). Versionen dürfen sich nicht überlappen.")
    assert table.item(1, 0).toolTip() == message
    assert message in dialog.versions.ui.versionMessageLabel.text()
    assert table.property("fieldError") is True
    assert catalogue.get_fee_group(context.db, created.group.id) == created

    type_cell(qtbot, table, 0, 1, "13.2026")
    click_save(qtbot, dialog)
    assert table.item(0, 1).toolTip() == "Gültig bis: Monat 13 gibt es nicht (erlaubt 01 bis 12)."
    assert "überschneidet" not in dialog.ui.summaryLabel.text()  # not judged while a month is unreadable
    assert catalogue.get_fee_group(context.db, created.group.id) == created

    type_cell(qtbot, table, 0, 1, "05.2026")
    save_and_wait(qtbot, dialog)
    stored = catalogue.get_fee_group(context.db, created.group.id).group
    assert [v.valid for v in stored.versions] == [Validity.parse("01.2026", "05.2026"), Validity.parse("06.2026")]


def test_errors_in_another_version_bring_its_tiers_into_view(qtbot, page, context):
    created = catalogue.save_fee_group(context.db, context.organization_id, monthly_group())
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    dialog.versions.add_version(Month(2027, 1))
    type_cell(qtbot, dialog.ui.tierTable, 2, AMOUNT, "")
    dialog.versions.set_current(0)
    click_save(qtbot, dialog)
    assert dialog.versions.current_row() == 1  # switched to the version with the error
    assert dialog.ui.tierTable.item(2, AMOUNT).toolTip() == (
        "Betrag der Staffel 3: Bitte einen Betrag eingeben (Version ab 01.2027).")
    assert dialog.versions.ui.versionTable.item(1, 0).toolTip().startswith("Betrag der Staffel 3")
    assert catalogue.get_fee_group(context.db, created.group.id) == created


def test_wuerttemberg_groups_get_four_tiers_and_individual_groups_no_amounts(qtbot, page, context):
    dialog = active(qtbot, page.open_dialog(EntryKind.FEE_GROUP, None))
    dialog.ui.nameEdit.setText("Württemberg 30 h")  # QTest types ASCII only
    dialog.ui.tierSourceCombo.setCurrentIndex(dialog.ui.tierSourceCombo.findData("WUERTTEMBERG"))
    tiers = dialog.ui.tierTable
    assert [(tiers.item(r, NUMBER).text(), tiers.item(r, LABEL).text()) for r in range(tiers.rowCount())] == [
        ("1", "1 Kind"), ("2", "2 Kinder"), ("3", "3 Kinder"), ("4", "4 und mehr Kinder")]
    assert not tiers.item(0, NUMBER).flags() & Qt.ItemFlag.ItemIsEditable
    assert not dialog.ui.addTierButton.isEnabled() and not dialog.ui.removeTierButton.isEnabled()
    assert "Kinder unter 18 im Haushalt" in dialog.ui.modeHintLabel.text()
    for row, amount in enumerate(("162,00", "126,00", "85,00")):
        type_cell(qtbot, tiers, row, AMOUNT, amount)
    click_save(qtbot, dialog)
    assert tiers.item(3, AMOUNT).toolTip() == "Betrag der Staffel 4: Bitte einen Betrag eingeben (Version ab 11.2026)."
    type_cell(qtbot, tiers, 3, AMOUNT, "28,00")
    save_and_wait(qtbot, dialog)

    dialog = active(qtbot, page.open_dialog(EntryKind.FEE_GROUP, None))
    qtbot.keyClicks(dialog.ui.nameEdit, "Individuell")
    dialog.ui.modeCombo.setCurrentIndex(dialog.ui.modeCombo.findData("INDIVIDUAL"))
    assert dialog.ui.tierTable.isColumnHidden(AMOUNT)
    assert dialog.ui.tierSourceCombo.currentData() == "CHOSEN" and not dialog.ui.tierSourceCombo.isEnabled()
    type_cell(qtbot, dialog.ui.tierTable, 0, LABEL, "nach Vereinbarung")
    save_and_wait(qtbot, dialog)

    rows = {r.name: r for r in catalogue.list_fee_groups(context.db, context.organization_id, today=TODAY)}
    wuerttemberg = catalogue.get_fee_group(context.db, rows["Württemberg 30 h"].id).group
    assert wuerttemberg.tier_source is m.TierSource.WUERTTEMBERG
    assert [(t.number, t.label, t.amount) for t in wuerttemberg.versions[0].tiers] == [
        (1, "1 Kind", eur("162.00")), (2, "2 Kinder", eur("126.00")), (3, "3 Kinder", eur("85.00")),
        (4, "4 und mehr Kinder", eur("28.00"))]
    individual = catalogue.get_fee_group(context.db, rows["Individuell"].id).group
    assert individual.mode is m.BillingMode.INDIVIDUAL
    assert [(t.number, t.label, t.amount) for t in individual.versions[0].tiers] == [(1, "nach Vereinbarung", None)]


@pytest.fixture
def billed_through_05_2026():
    """Every version is billed through 05.2026 (as a posted run would make it)."""
    def check(session, kind, entry_id, versions):
        return {vid: min(Month(2026, 5), v.valid_to or Month(2026, 5)) for vid, v in versions
                if v.valid_from <= Month(2026, 5)}
    catalogue.set_posted_use_check(check)
    yield
    catalogue.set_posted_use_check(None)


def test_a_billed_version_is_read_only_and_says_why(qtbot, page, context, billed_through_05_2026):
    created = catalogue.save_fee_group(context.db, context.organization_id, monthly_group())
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    versions = dialog.versions
    note = versions.ui.billedNoteLabel
    assert note.isVisibleTo(dialog)
    assert note.text().startswith("Die Version ab 01.2026 ist bis 05.2026 abgerechnet")
    assert versions.ui.versionTable.item(0, 3).text() == "05.2026"
    assert not versions.ui.versionTable.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable
    assert versions.ui.versionTable.item(0, 1).flags() & Qt.ItemFlag.ItemIsEditable  # only the end may move
    assert not dialog.ui.tierTable.item(0, AMOUNT).flags() & Qt.ItemFlag.ItemIsEditable
    assert not versions.ui.removeVersionButton.isEnabled() and not dialog.ui.addTierButton.isEnabled()
    assert not dialog.ui.modeCombo.isEnabled() and not dialog.ui.tierSourceCombo.isEnabled()

    type_into(qtbot, versions.ui.newVersionEdit, "04.2026")
    qtbot.keyClick(versions.ui.newVersionEdit, Qt.Key.Key_Return)
    assert versions.ui.newVersionMessageLabel.text() == (
        "Neue Version ab: Die Version ab 01.2026 ist bis 05.2026 abgerechnet; eine neue Version kann frühestens "
        "ab 06.2026 beginnen.")
    assert versions.row_count() == 1
    type_into(qtbot, versions.ui.newVersionEdit, "06.2026")
    qtbot.keyClick(versions.ui.newVersionEdit, Qt.Key.Key_Return)
    assert not versions.ui.newVersionMessageLabel.isVisibleTo(dialog)
    assert not note.isVisibleTo(dialog)  # the new version is open for editing
    type_cell(qtbot, dialog.ui.tierTable, 0, AMOUNT, "170,00")
    save_and_wait(qtbot, dialog)
    group = catalogue.get_fee_group(context.db, created.group.id).group
    assert [v.valid for v in group.versions] == [Validity.parse("01.2026", "05.2026"), Validity.parse("06.2026")]
    assert group.versions[0].tier(1).amount == eur("162.00") and group.versions[1].tier(1).amount == eur("170.00")


def test_a_stale_form_offers_to_reload_and_stores_nothing_of_its_own(qtbot, page, context, monkeypatch):
    created = catalogue.save_fee_group(context.db, context.organization_id, monthly_group())
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.FEE_GROUP)
    catalogue.save_fee_group(context.db, context.organization_id, replace(created.group, name="Ganztag"),
                             created.version)  # a colleague saves first
    questions = []
    monkeypatch.setattr("sollhaben.ui.kita.catalogue_dialog.ask_reload",
                        lambda parent, message: questions.append(message) or True)
    type_into(qtbot, dialog.ui.nameEdit, "Halbtag")
    click_save(qtbot, dialog)
    assert questions == ["Die Beitragsgruppe wurde inzwischen von jemand anderem geändert. Bitte neu laden und die "
                         "Änderung wiederholen."]
    assert dialog.ui.nameEdit.text() == "Ganztag" and not dialog.is_dirty()  # reloaded
    assert catalogue.get_fee_group(context.db, created.group.id).group.name == "Ganztag"
