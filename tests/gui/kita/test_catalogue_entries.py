"""Discounts and extra costs through their editors: every kind, typing errors and the service's
rules at the cells, nothing stored while an error stands, new versions."""
from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.services.kita import catalogue
from sollhaben.services.kita.dto import EntryKind
from tests.gui.kita.test_catalogue_fee_group import (  # noqa: F401  (fixtures)
    TODAY,
    active,
    click_save,
    context,
    eur,
    open_first,
    page,
    save_and_wait,
    type_cell,
    type_into,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def column(dialog, name: str) -> int:
    return dialog.versions.columns[name]


def test_percent_discount_typed_wrong_then_right(qtbot, page, context):
    page.ui.tabs.setCurrentIndex(1)
    page.lists[EntryKind.DISCOUNT].table.setFocus()
    qtbot.keyClick(page.lists[EntryKind.DISCOUNT].table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Neue Ermäßigung" and dialog.ui.kindCombo.currentText() == "Prozent"
    table = dialog.versions.ui.versionTable
    visible = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    assert visible == ["Gültig ab", "Gültig bis", "Prozent", "Abgerechnet bis"]
    qtbot.keyClicks(dialog.ui.nameEdit, "Sozialermaessigung")
    type_cell(qtbot, table, 0, column(dialog, "percent"), "12,345")
    click_save(qtbot, dialog)
    assert table.item(0, column(dialog, "percent")).toolTip() == (
        "Prozent (Version ab 11.2026): höchstens zwei Nachkommastellen erlaubt.")
    type_cell(qtbot, table, 0, column(dialog, "percent"), "zwoelf")
    click_save(qtbot, dialog)
    assert table.item(0, column(dialog, "percent")).toolTip() == (
        "Prozent: „zwoelf“ ist kein Prozentsatz; bitte z. B. 25 oder 12,5 eingeben.")
    assert catalogue.list_discounts(context.db, context.organization_id) == []

    type_cell(qtbot, table, 0, column(dialog, "percent"), "12,5")
    save_and_wait(qtbot, dialog)
    (row,) = catalogue.list_discounts(context.db, context.organization_id, today=TODAY)
    discount = catalogue.get_discount(context.db, row.id).discount
    assert (discount.name, discount.kind) == ("Sozialermaessigung", m.DiscountKind.PERCENT)
    assert [(v.valid, v.percent) for v in discount.versions] == [(Validity(Month(2026, 11)), Decimal("12.5"))]
    view = page.lists[EntryKind.DISCOUNT]
    assert [view.model.data(view.model.index(0, c)) for c in range(3)] == [
        "Sozialermaessigung", "Prozent", "12,5 %"]


def test_sibling_ladder_needs_the_positions_in_order(qtbot, page, context):
    dialog = active(qtbot, page.open_dialog(EntryKind.DISCOUNT, None))
    qtbot.keyClicks(dialog.ui.nameEdit, "Geschwister")
    dialog.ui.kindCombo.setCurrentIndex(dialog.ui.kindCombo.findData("SIBLING_LADDER"))
    table = dialog.versions.ui.versionTable
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount()) if not table.isColumnHidden(c)] == [
        "Gültig ab", "Gültig bis", "2. Kind %", "3. Kind %", "ab 4. Kind %", "Abgerechnet bis"]
    click_save(qtbot, dialog)
    assert table.item(0, column(dialog, "second")).toolTip() == (
        "Geschwisterstaffel: Bitte mindestens den Prozentsatz für das 2. Kind eingeben (Version ab 11.2026).")
    type_cell(qtbot, table, 0, column(dialog, "second"), "25")
    type_cell(qtbot, table, 0, column(dialog, "fourth"), "100")
    click_save(qtbot, dialog)
    assert table.item(0, column(dialog, "fourth")).toolTip() == (
        "Geschwisterstaffel: Bitte zuerst den Prozentsatz für das 3. Kind eingeben.")
    assert catalogue.list_discounts(context.db, context.organization_id) == []

    type_cell(qtbot, table, 0, column(dialog, "third"), "50")
    save_and_wait(qtbot, dialog)
    (row,) = catalogue.list_discounts(context.db, context.organization_id, today=TODAY)
    assert catalogue.get_discount(context.db, row.id).discount.versions[0].ladder == (
        Decimal("25"), Decimal("50"), Decimal("100"))
    assert row.current == "25 % / 50 % / 100 %"


def test_fixed_discount_with_a_new_version(qtbot, page, context):
    created = catalogue.save_discount(context.db, context.organization_id, m.Discount(
        "Härtefall", m.DiscountKind.FIXED, (m.DiscountVersion(Validity.parse("01.2026"), fixed=eur("20.00")),)))
    page.reload()
    dialog = open_first(qtbot, page, EntryKind.DISCOUNT)
    table = dialog.versions.ui.versionTable
    assert table.item(0, column(dialog, "fixed")).text() == "20,00"
    type_into(qtbot, dialog.versions.ui.newVersionEdit, "01.2027")
    qtbot.keyClick(dialog.versions.ui.newVersionEdit, Qt.Key.Key_Return)
    assert table.item(1, column(dialog, "fixed")).text() == "20,00"  # the value is carried over
    type_cell(qtbot, table, 1, column(dialog, "fixed"), "abc")
    click_save(qtbot, dialog)
    assert table.item(1, column(dialog, "fixed")).toolTip() == "Betrag: „abc“ ist kein gültiger Betrag."
    assert catalogue.get_discount(context.db, created.discount.id) == created
    type_cell(qtbot, table, 1, column(dialog, "fixed"), "25")
    save_and_wait(qtbot, dialog)
    versions = catalogue.get_discount(context.db, created.discount.id).discount.versions
    assert [(v.valid, v.fixed) for v in versions] == [
        (Validity.parse("01.2026", "12.2026"), eur("20.00")), (Validity.parse("01.2027"), eur("25.00"))]


def test_extra_costs_with_meal_flag_and_code(qtbot, page, context):
    page.ui.tabs.setCurrentIndex(2)
    page.lists[EntryKind.EXTRA_COST].table.setFocus()
    qtbot.keyClick(page.lists[EntryKind.EXTRA_COST].table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Neue Zusatzkosten"
    assert dialog.ui.modeCombo.currentText() == "Einzelbetrag (Anzahl)"
    qtbot.keyClicks(dialog.ui.nameEdit, "Mittagessen")
    qtbot.keyClick(dialog.ui.nameEdit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.ui.codeEdit, "ME")
    dialog.ui.mealCheck.setFocus()
    qtbot.keyClick(dialog.ui.mealCheck, Qt.Key.Key_Space)
    assert dialog.ui.mealCheck.isChecked()
    table = dialog.versions.ui.versionTable
    assert table.horizontalHeaderItem(column(dialog, "amount")).text() == "Preis je Einheit"
    type_cell(qtbot, table, 0, column(dialog, "amount"), "12,345")
    click_save(qtbot, dialog)
    assert table.item(0, column(dialog, "amount")).toolTip() == "Betrag: höchstens zwei Nachkommastellen erlaubt."
    assert catalogue.list_extra_costs(context.db, context.organization_id) == []
    type_cell(qtbot, table, 0, column(dialog, "amount"), "3,80")
    save_and_wait(qtbot, dialog)

    (row,) = catalogue.list_extra_costs(context.db, context.organization_id, today=TODAY)
    assert (row.name, row.code, row.detail, row.current) == ("Mittagessen", "ME", "Mahlzeit", "3,80")
    cost = catalogue.get_extra_cost(context.db, row.id).extra_cost
    assert (cost.mode, cost.is_meal, cost.versions[0].amount) == (m.BillingMode.PER_UNIT, True, eur("3.80"))

    dialog = open_first(qtbot, page, EntryKind.EXTRA_COST)
    assert (dialog.ui.codeEdit.text(), dialog.ui.mealCheck.isChecked()) == ("ME", True)


def test_individual_extra_costs_have_no_amount_and_an_empty_name_is_refused(qtbot, page, context):
    dialog = active(qtbot, page.open_dialog(EntryKind.EXTRA_COST, None))
    dialog.ui.modeCombo.setCurrentIndex(dialog.ui.modeCombo.findData("INDIVIDUAL"))
    assert dialog.versions.ui.versionTable.isColumnHidden(column(dialog, "amount"))
    click_save(qtbot, dialog)
    assert dialog.ui.nameEdit.toolTip() == "Name: Bitte einen Namen eingeben."
    assert catalogue.list_extra_costs(context.db, context.organization_id) == []
    qtbot.keyClicks(dialog.ui.nameEdit, "Ausflug")
    save_and_wait(qtbot, dialog)
    (row,) = catalogue.list_extra_costs(context.db, context.organization_id, today=TODAY)
    cost = catalogue.get_extra_cost(context.db, row.id).extra_cost
    assert cost.mode is m.BillingMode.INDIVIDUAL and cost.versions[0].amount is None


def test_cancel_asks_before_dropping_typed_input(qtbot, page, context, monkeypatch):
    dialog = active(qtbot, page.open_dialog(EntryKind.EXTRA_COST, None))
    qtbot.keyClicks(dialog.ui.nameEdit, "Getraenke")
    asked = []
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: asked.append(parent) or False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == [dialog] and dialog.isVisible()
    monkeypatch.setattr("sollhaben.ui.form_dialog.confirm_discard", lambda parent: True)
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert catalogue.list_extra_costs(context.db, context.organization_id) == []
