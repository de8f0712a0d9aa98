"""The facility settings dialog from the units page and from the page "Standard": a round trip of
every setting and the offer, errors at the fields with nothing stored, a stale form."""
from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.services import organizations
from sollhaben.services.kita import catalogue, facility
from sollhaben.services.kita.dto import FacilityOfferDTO
from sollhaben.ui.units_page import UnitsPage
from tests.gui.kita.test_catalogue_fee_group import (  # noqa: F401  (fixtures)
    active,
    click_save,
    context,
    eur,
    monthly_group,
    page,
    save_and_wait,
    type_into,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def units(context) -> dict[str, int]:
    return {u.name: u.id for u in organizations.list_units(context.db, context.organization_id)}


def institutions(context) -> dict[str, int]:
    return {p.name: p.person_id for p in facility.list_institutions(context.db, context.organization_id)}


def check_item(widget: QListWidget, text: str) -> None:
    item = widget.findItems(text, Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Checked)


@pytest.fixture
def units_page(qtbot, context):
    widget = UnitsPage(context)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_button_only_for_facilities_and_a_full_round_trip(qtbot, units_page, context):
    catalogue.save_fee_group(context.db, context.organization_id, monthly_group("Ganztag"))
    catalogue.save_fee_group(context.db, context.organization_id, monthly_group("Halbtag"))
    button = units_page.facility_button
    assert not button.isEnabled()
    units_page.list.select(lambda u: u.name == "Amt für Kinder")
    assert not button.isEnabled() and units_page.open_facility_settings(units_page.list.current_row()) is None
    units_page.list.select(lambda u: u.name == "Kita Sonnenschein")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, units_page.facility_dialog)
    ui = dialog.ui
    assert dialog.windowTitle() == "Einstellungen der Einrichtung – Kita Sonnenschein"
    assert (ui.dueDaySpin.value(), ui.partialCombo.currentText()) == (15, "jeder angefangene Monat (voller Betrag)")
    assert not ui.hardshipCombo.isEnabled()  # only with the standard-rate option

    qtbot.keyClicks(ui.firstMonthEdit, "01.2026")
    type_into(qtbot, ui.dueDaySpin.lineEdit(), "5")
    ui.partialCombo.setCurrentIndex(1)
    qtbot.mouseClick(dialog.fee_free[8], Qt.MouseButton.LeftButton)
    for check in (ui.lockCheck, ui.wuerttembergCheck, ui.standardRateCheck):
        check.setFocus()
        qtbot.keyClick(check, Qt.Key.Key_Space)
    assert ui.hardshipCombo.isEnabled()
    ui.tabs.setCurrentIndex(1)
    qtbot.mouseClick(ui.feeGroupAllCheck, Qt.MouseButton.LeftButton)
    assert ui.feeGroupList.isEnabled()
    click_save(qtbot, dialog)

    assert ui.tabs.currentIndex() == 0  # the first error is on the first tab
    assert ui.hardshipCombo.toolTip() == ("Träger Härtefallfonds: Bitte eine Institution wählen (die "
                                          "Richtsatzabrechnung ist eingeschaltet).")
    assert ui.siblingCombo.property("fieldError") is True
    assert ui.feeGroupMessageLabel.text() == "Beitragsgruppen: Bitte eine Beitragsgruppe wählen oder „alle“ ankreuzen."
    facility_id = units(context)["Kita Sonnenschein"]
    assert facility.get_facility_settings(context.db, facility_id).version == 0  # nothing stored
    assert facility.get_facility_offer(context.db, facility_id) == FacilityOfferDTO(facility_id)

    ui.hardshipCombo.setCurrentIndex(ui.hardshipCombo.findText("Sozialamt Stuttgart"))
    ui.siblingCombo.setCurrentIndex(ui.siblingCombo.findText("Jugendamt Stuttgart"))
    check_item(ui.feeGroupList, "Halbtag")
    save_and_wait(qtbot, dialog)

    people = institutions(context)
    settings = facility.get_facility_settings(context.db, facility_id)
    assert settings == m.FacilitySettings(
        facility_id, fee_free_months=frozenset({8}), partial_month=m.PartialMonth.PRO_RATA, due_day=5,
        lock_billed=True, wuerttemberg=True, standard_rate_meals=True,
        hardship_fund_payer_id=people["Sozialamt Stuttgart"], sibling_meal_payer_id=people["Jugendamt Stuttgart"],
        first_billing_month=Month(2026, 1), version=1)
    halbtag = next(r.id for r in catalogue.list_fee_groups(context.db, context.organization_id) if r.name == "Halbtag")
    assert facility.get_facility_offer(context.db, facility_id) == FacilityOfferDTO(
        facility_id, fee_group_ids=frozenset({halbtag}))


def test_opened_from_the_catalogue_page_shows_what_is_stored(qtbot, page, context):
    facility_id = units(context)["Kita Sonnenschein"]
    meals = catalogue.save_extra_cost(context.db, context.organization_id, m.ExtraCost(
        "Mittagessen", m.BillingMode.PER_UNIT, True, (m.ExtraCostVersion(Validity.parse("01.2026"), eur("3.80")),)))
    facility.save_facility_setup(context.db, m.FacilitySettings(
        facility_id, fee_free_months=frozenset({8, 12}), due_day=3, version=0),
        FacilityOfferDTO(facility_id, extra_cost_ids=frozenset({meals.extra_cost.id})))
    combo = page.ui.facilityCombo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Kita Sonnenschein"]  # facilities only
    qtbot.mouseClick(page.ui.facilitySettingsButton, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    ui = dialog.ui
    assert [m for m, check in dialog.fee_free.items() if check.isChecked()] == [8, 12]
    assert ui.dueDaySpin.value() == 3 and ui.firstMonthEdit.text() == ""
    assert ui.feeGroupAllCheck.isChecked() and not ui.extraCostAllCheck.isChecked()
    item = ui.extraCostList.item(0)
    assert (item.text(), item.checkState()) == ("Mittagessen", Qt.CheckState.Checked)
    assert not dialog.is_dirty()

    type_into(qtbot, ui.firstMonthEdit, "13.2026")
    click_save(qtbot, dialog)
    assert ui.firstMonthEdit.toolTip() == "Erster Abrechnungsmonat: Monat 13 gibt es nicht (erlaubt 01 bis 12)."
    assert facility.get_facility_settings(context.db, facility_id).first_billing_month is None


def test_no_facility_means_no_settings_button(qtbot, context):
    from sollhaben.services.organizations import create_organization
    from sollhaben.ui.context import AppContext
    from sollhaben.ui.kita.catalogue_page import CataloguePage
    from tests.conftest import make_org_input

    other = create_organization(context.db, make_org_input("DE", name="Ohne Kita"))
    widget = CataloguePage(AppContext(db=context.db, organization=other))
    qtbot.addWidget(widget)
    assert not widget.ui.facilitySettingsButton.isEnabled()
    assert widget.ui.facilityCombo.currentText() == "– keine Einrichtung –"
    assert widget.open_facility_settings() is None
    organizations.save_unit(context.db, other.id, organizations.UnitInput("Kita Neu", "FACILITY"))
    widget.context.signals.data_changed.emit("unit")  # the units page says a unit was saved
    assert widget.ui.facilitySettingsButton.isEnabled() and widget.ui.facilityCombo.currentText() == "Kita Neu"


def test_a_stale_settings_form_offers_to_reload(qtbot, page, context, monkeypatch):
    facility_id = units(context)["Kita Sonnenschein"]
    dialog = active(qtbot, page.open_facility_settings())
    saved = facility.save_facility_settings(context.db, m.FacilitySettings(facility_id, due_day=20, version=0))
    monkeypatch.setattr("sollhaben.ui.kita.facility_settings.ask_reload", lambda parent, message: True)
    type_into(qtbot, dialog.ui.dueDaySpin.lineEdit(), "7")
    click_save(qtbot, dialog)
    assert dialog.ui.dueDaySpin.value() == 20 and not dialog.is_dirty()
    assert facility.get_facility_settings(context.db, facility_id) == saved
    type_into(qtbot, dialog.ui.dueDaySpin.lineEdit(), "7")
    save_and_wait(qtbot, dialog)
    assert facility.get_facility_settings(context.db, facility_id) == replace(saved, due_day=7, version=2)
