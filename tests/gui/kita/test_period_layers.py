"""More of the period form with real widgets on a real SQLite database: a child from an existing
person, the payer of all fees hiding the line payers, the automatic Württemberg tier, change marks
and the billed-month note of the summary, "Zurücksetzen" and deleting a period."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import update

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.models import BillingPeriod
from sollhaben.services.kita import billing_data, catalogue, children, facility
from sollhaben.services.unit_of_work import unit_of_work
from sollhaben.ui.kita.children_page import ChildrenPage
from tests.gui.kita.test_children_fixtures import (
    TODAY,
    build_child,
    build_statute,
    choose,
    eur,
    make_context,
    person,
    type_into,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise|grabbing)")


@pytest.fixture
def statute(sqlite_db):
    return build_statute(sqlite_db)


@pytest.fixture
def family(sqlite_db, statute):
    return build_child(sqlite_db, statute)


@pytest.fixture
def page(qtbot, sqlite_db, statute, family):
    widget = ChildrenPage(make_context(sqlite_db, statute.org), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def answer(button_text: str) -> None:
    """Click `button_text` in the next modal question."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        next(b for b in box.buttons() if b.text() == button_text).click()
    QTimer.singleShot(0, click)


def test_a_new_child_from_an_existing_person(qtbot, page, sqlite_db, statute):
    existing = person(sqlite_db, statute.org, "Brunner", "Tim", date(2022, 1, 15))
    page.reload()
    assert page.new_child()
    b = page.editor.basic.ui
    type_into(qtbot, b.pickEdit, "brunner")
    qtbot.keyClick(b.pickEdit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.editor.basic.picked is not None)
    assert b.lastNameEdit.text() == "Brunner" and b.lastNameEdit.isReadOnly()
    with qtbot.waitSignal(page.editor.saved) as saved:
        page.editor.save()
    child = children.get_child(sqlite_db, saved.args[0])
    assert child.person_id == existing and (child.first_name, child.birth_date) == ("Tim", date(2022, 1, 15))
    # the same person again is refused at the lookup field, and no second child is stored
    assert page.new_child()
    type_into(qtbot, b.pickEdit, "brunner, tim")
    qtbot.keyClick(b.pickEdit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.editor.basic.picked is not None)
    assert not page.editor.save()
    assert b.pickEdit.property("fieldError") is True and "schon als Kind erfasst" in b.pickEdit.toolTip()
    assert children.child_id_of_person(sqlite_db, existing) == child.id


def test_all_fees_payer_hides_line_payers_and_change_marks(qtbot, page, sqlite_db, statute, family):
    group = catalogue.get_fee_group(sqlite_db, statute.monthly)  # 126,00 → 130,00 from 06.2026
    v1 = group.group.versions[0]
    tiers = tuple(replace(t, amount=eur("130.00")) if t.number == 2 else t for t in v1.tiers)
    catalogue.save_fee_group(sqlite_db, statute.org, replace(group.group, versions=(
        v1, m.FeeGroupVersion(Validity(Month(2026, 6)), tiers))), group.version)
    assert page.open_child(family.child)
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(3)
    editor.load_period(None)
    panel = editor.periods
    choose(panel.basic.ui.feesPayerCombo, "Laura")
    panel.tabs.setCurrentIndex(1)
    line = panel.fees.add_line()
    choose(line.entry, "Ganztag")
    choose(line.tier, "Stufe 2")
    qtbot.waitUntil(lambda: line.result.text() != "")
    assert line.payers[0].combo.isHidden()
    assert line.payer_title.text() == "Zahler: „Laura Gerber“ übernimmt den gesamten Beitrag (Grunddaten)."
    assert line.result.text() == "Monat 03.2026: 126,00 → Laura Gerber 126,00"
    with qtbot.waitSignal(editor.saved):
        editor.save()
    panel.tabs.setCurrentIndex(3)
    rows = [[panel.summary.tree.topLevelItem(i).text(c).strip() for c in range(5)]
            for i in range(panel.summary.tree.topLevelItemCount())]
    assert rows[0] == ["Beitrag: Ganztag 45 h, Staffel 2", "", "126,00", "126,00", "Δ ab 06.2026"]
    assert "Preisänderung im Standard ab 06.2026" in panel.summary.tree.topLevelItem(0).toolTip(4)
    type_into(qtbot, panel.summary.date_edit, "15.07.2026")
    qtbot.keyClick(panel.summary.date_edit, Qt.Key.Key_Return)  # Return applies the date, it does not save
    assert panel.summary.tree.topLevelItem(0).text(3) == "130,00"
    period_id = billing_data.list_periods(sqlite_db, family.child)[0].id
    with unit_of_work(sqlite_db) as session:
        session.execute(update(BillingPeriod).where(BillingPeriod.id == period_id)
                        .values(billed_through=Month(2026, 7), version=BillingPeriod.version + 1))
    editor.reload()
    panel.tabs.setCurrentIndex(3)
    type_into(qtbot, panel.summary.date_edit, "15.07.2026")
    qtbot.mouseClick(panel.summary.apply_button, Qt.MouseButton.LeftButton)
    assert "07.2026 ist bereits abgerechnet" in panel.summary.notice.text() and "Monat 08.2026" in panel.summary.notice.text()
    assert not panel.summary.notice.isHidden()


def test_wuerttemberg_tier_is_automatic(qtbot, sqlite_db, statute, family):
    catalogue.save_fee_group(sqlite_db, statute.org, m.FeeGroup("30 h", m.BillingMode.MONTHLY, m.TierSource.WUERTTEMBERG, (
        m.FeeGroupVersion(Validity(Month(2026, 1)), tuple(m.Tier(i + 1, "", eur(a)) for i, a in enumerate(
            ("162.00", "126.00", "85.00", "28.00")))),)))
    settings = facility.get_facility_settings(sqlite_db, statute.facility)
    facility.save_facility_settings(sqlite_db, replace(settings, wuerttemberg=True))
    page = ChildrenPage(make_context(sqlite_db, statute.org), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    page.open_child(family.child)
    editor = page.editor
    editor.load_period(None)
    panel = editor.periods
    assert not panel.basic.ui.householdLabel.isHidden() and panel.basic.ui.householdLabel.text().startswith("1 ")
    line = panel.fees.add_line()
    choose(line.entry, "30 h")
    choose(line.payers[0].combo, "Laura")
    qtbot.waitUntil(lambda: line.result.text() != "")
    assert line.tier.isHidden()
    assert line.figure.text() == "Staffel 1 (automatisch) · Monatsbetrag 162,00"
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert billing_data.get_period(sqlite_db, billing_data.list_periods(sqlite_db, family.child)[0].id
                                   ).period.fee_lines[0].tier is None


def test_reset_asks_and_delete_removes_an_unbilled_period(qtbot, page, sqlite_db, statute, family):
    billing_data.save_period(sqlite_db, m.BillingPeriod(family.child, Validity(Month(2026, 3)), (
        m.FeeLine(statute.monthly, tier=1, payers=(m.PayerShare(family.mother),)),), version=0))
    page.open_child(family.child)
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(3)
    line = editor.periods.fees.lines[0]
    choose(line.tier, "Stufe 3")
    assert editor.is_dirty()
    answer("Zurücksetzen")
    assert editor.reset()
    assert line.tier.currentText().startswith("Stufe 1") and not editor.is_dirty()
    answer("Löschen")
    qtbot.mouseClick(editor.periods.delete_button, Qt.MouseButton.LeftButton)
    assert billing_data.list_periods(sqlite_db, family.child) == []
    assert editor.periods.hint.text().startswith("Noch keine Abrechnungsdaten")


def test_tab_goes_through_a_fee_line_as_it_reads(qtbot, page, family):
    page.open_child(family.child)
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(3)
    editor.load_period(None)
    panel = editor.periods
    panel.tabs.setCurrentIndex(1)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    line = panel.fees.add_line()
    choose(line.entry, "Individuell")
    line.entry.setFocus()
    seen = []
    for _ in range(9):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [line.amount, line.reset, *line.discounts, line.special, line.payers[0].combo,
                    line.payers[0].share]


def test_a_sibling_named_for_the_ladder_counts_live_and_is_stored(qtbot, page, sqlite_db, statute, family):
    from decimal import Decimal

    from sollhaben.domain.master_data import PersonInput

    catalogue.save_discount(sqlite_db, statute.org, m.Discount("Geschwisterstaffel", m.DiscountKind.SIBLING_LADDER, (
        m.DiscountVersion(Validity(Month(2026, 1)), ladder=(Decimal(20), Decimal(40))),)))
    older = children.create_child(sqlite_db, statute.org, PersonInput("NATURAL", "Gerber", "Jonas",
                                                                      birth_date=date(2019, 8, 1)), today=TODAY)
    page.reload()
    page.open_child(family.child)
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(3)
    editor.load_period(None)
    panel = editor.periods
    line = panel.fees.add_line()
    choose(line.entry, "Ganztag")
    choose(line.tier, "Stufe 2")
    choose(line.discounts[0], "Geschwisterstaffel")
    choose(line.payers[0].combo, "Laura")
    qtbot.waitUntil(lambda: line.discount_labels[0].text() != "")
    assert line.discount_labels[0].text() == "-0,00 → 126,00"  # Mia is the oldest of her siblings in care
    panel.tabs.setCurrentIndex(0)
    pick = panel.basic.sibling_pick
    type_into(qtbot, pick, "Jonas")
    qtbot.keyClick(pick, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.basic.extra_siblings() == (older.id,))
    qtbot.waitUntil(lambda: line.discount_labels[0].text() == "-25,20 → 100,80")  # now the 2nd child: 20 %
    with qtbot.waitSignal(editor.saved):
        editor.save()
    period = billing_data.get_period(sqlite_db, billing_data.list_periods(sqlite_db, family.child)[0].id).period
    assert period.extra_siblings == (older.id,)
    assert panel.basic.sibling_table.item(0, 0).text() == "Gerber, Jonas"


def test_a_transferred_income_tier_is_shown_read_only_and_survives_a_save(qtbot, sqlite_db, statute, family):
    group = catalogue.save_fee_group(sqlite_db, statute.org, m.FeeGroup(
        "Kiga einkommensabhängig", m.BillingMode.MONTHLY, m.TierSource.INCOME, (
            m.FeeGroupVersion(Validity(Month(2026, 1)), tuple(m.Tier(i + 1, "", eur(a)) for i, a in enumerate(
                ("90.00", "180.00", "250.00")))),))).group.id
    # what the income-scale transfer stores: the tier on the income-dependent line
    saved = billing_data.save_period(sqlite_db, m.BillingPeriod(family.child, Validity(Month(2026, 3)), (
        m.FeeLine(group, tier=2, payers=(m.PayerShare(family.mother),)),), version=0))
    page = ChildrenPage(make_context(sqlite_db, statute.org), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    page.open_child(family.child)
    editor = page.editor
    editor.load_period(saved.period.id)
    line = editor.periods.fees.lines[0]
    assert not line.tier.isHidden() and not line.tier.isEnabled()
    assert line.tier.currentData() == 2 and line.tier.currentText().startswith("Staffel 2")
    qtbot.waitUntil(lambda: "180,00" in line.figure.text())
    type_into(qtbot, editor.periods.basic.ui.validFromEdit, "03.2026")  # touch the form, then save it
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert billing_data.get_period(sqlite_db, saved.period.id).period.fee_lines[0].tier == 2
