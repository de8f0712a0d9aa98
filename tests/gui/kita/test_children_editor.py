"""The page "Kinder" and the child editor, driven through real widgets on a real SQLite database:
a new child with contract, guardians and payers; billing periods with lines of every mode, the
live figures and the summary of the spec's worked examples; field errors (nothing stored);
locking; paging through the list."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import update

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Month, Validity
from sollhaben.persistence.models import BillingPeriod
from sollhaben.services.kita import billing_data, children
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

# The offscreen platform cannot size, raise or grab for real windows (the picker's popup list).
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


def open_billing(qtbot, page, child_id: int):
    assert page.open_child(child_id)
    editor = page.editor
    editor.ui.layerTabs.setCurrentIndex(3)
    return editor


def new_period(qtbot, editor):
    qtbot.mouseClick(editor.periods.new_button, Qt.MouseButton.LeftButton)
    assert editor.periods.active and editor.periods.current is None
    return editor.periods


def fee_line(qtbot, panel, group: str, tier: str | None = None):
    panel.tabs.setCurrentIndex(1)
    line = panel.fees.add_line()
    choose(line.entry, group)
    if tier:
        choose(line.tier, tier)
    return line


def set_payer(qtbot, line, j: int, name: str, share: str = "", rest: bool = False):
    choose(line.payers[j].combo, name)
    if share:
        type_into(qtbot, line.payers[j].share, share)
    line.payers[j].rest.setChecked(rest)


def periods_of(db, child_id):
    return [billing_data.get_period(db, r.id).period for r in billing_data.list_periods(db, child_id)]


def test_new_child_with_contract_guardians_and_payers(qtbot, page, sqlite_db, statute):
    aunt = person(sqlite_db, statute.org, "Keller", "Klara", date(1980, 1, 2))
    page.reload()
    qtbot.keyClick(page.list.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.editor
    assert editor.ui.titleLabel.text() == "Neues Kind" and editor.record is None
    b = editor.basic.ui
    type_into(qtbot, b.lastNameEdit, "Keller")
    type_into(qtbot, b.firstNameEdit, "Lina")
    type_into(qtbot, b.birthDateEdit, "02.09.2023")
    editor.ui.layerTabs.setCurrentIndex(1)
    qtbot.mouseClick(editor.contracts.ui.newContractButton, Qt.MouseButton.LeftButton)
    c = editor.contracts.ui
    choose(c.statusCombo, "lfd. Vertrag")
    type_into(qtbot, c.registeredEdit, "01.02.2026")
    type_into(qtbot, c.firstDayEdit, "01.04.2026")
    editor.ui.layerTabs.setCurrentIndex(2)
    f = editor.family.ui
    type_into(qtbot, f.guardianPickEdit, "Keller, Kla")  # filter as you type, Return takes the first match
    qtbot.keyClick(f.guardianPickEdit, Qt.Key.Key_Return)
    type_into(qtbot, f.payerPickEdit, "Klara")
    qtbot.keyClick(f.payerPickEdit, Qt.Key.Key_Return)
    type_into(qtbot, f.payerPickEdit, "Jugendamt")
    qtbot.keyClick(f.payerPickEdit, Qt.Key.Key_Return)
    assert [name for _id, name in editor.family.payers()] == ["Klara Keller", "Jugendamt Stuttgart"]
    assert editor.is_dirty()
    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.ui.saveButton, Qt.MouseButton.LeftButton)
    child = children.get_child(sqlite_db, saved.args[0])
    assert (child.last_name, child.first_name, child.birth_date) == ("Keller", "Lina", date(2023, 9, 2))
    assert [g.person_id for g in child.guardians] == [aunt]
    assert [p.person_id for p in child.payers] == [aunt, statute.youth_office]
    contract = child.contracts[0].contract
    assert (contract.status, contract.first_day, contract.registered_on) == (
        m.ContractStatus.ACTIVE, date(2026, 4, 1), date(2026, 2, 1))
    assert not editor.is_dirty()
    assert page.list.model.find(lambda r: r.id == child.id) >= 0
    # the contract's status moves on only: back to "angemeldet" is refused in German at the field
    choose(c.statusCombo, "angemeldet")
    assert not editor.save()
    assert c.statusCombo.property("fieldError") is True
    assert "zurück" in c.statusCombo.toolTip()
    assert children.get_child(sqlite_db, child.id).contracts[0].contract.status is m.ContractStatus.ACTIVE


def test_daily_line_worked_example_live_and_summary(qtbot, page, sqlite_db, statute, family):
    editor = open_billing(qtbot, page, family.child)
    panel = new_period(qtbot, editor)
    assert panel.basic.ui.validFromEdit.text() == "03.2026"  # the month of the first care day
    line = fee_line(qtbot, panel, "Tagesplatz", "Staffel 1")
    set_payer(qtbot, line, 0, "Laura", "5,00")
    set_payer(qtbot, line, 1, "Reto", rest=True)
    qtbot.waitUntil(lambda: "223,20" in line.figure.text())
    assert line.figure.text() == "Tagesbetrag 12,40 × 18 Tage = 223,20"
    assert line.payers[0].open.text() == "offen 7,40" and line.payers[1].open.text() == "Rest 7,40"
    assert line.result.text() == "Monat 03.2026: 223,20 → Laura Gerber 90,00 · Reto Gerber 133,20"
    with qtbot.waitSignal(editor.saved):
        qtbot.keyClick(line.payers[0].share, Qt.Key.Key_Return)  # Return = Speichern/Bearbeiten
    stored = periods_of(sqlite_db, family.child)
    assert [p.valid for p in stored] == [Validity(Month(2026, 3))]
    assert stored[0].fee_lines[0].payers == (m.PayerShare(family.mother, eur("5.00")),
                                             m.PayerShare(family.father, None, True))
    panel.tabs.setCurrentIndex(3)
    type_into(qtbot, panel.summary.date_edit, "14.03.2026")
    qtbot.mouseClick(panel.summary.apply_button, Qt.MouseButton.LeftButton)
    rows = summary_rows(panel)
    assert ["Beitrag: Tagesplatz, Staffel 1", "18 Tage", "12,40", "223,20", ""] in rows
    assert ["Zahler: Laura Gerber", "", "", "90,00", ""] in rows and ["Zahler: Reto Gerber", "", "", "133,20", ""] in rows


def summary_rows(panel) -> list[list[str]]:
    tree = panel.summary.tree
    return [[tree.topLevelItem(i).text(c).strip() for c in range(5)] for i in range(tree.topLevelItemCount())]


def test_every_mode_discounts_and_the_shares_example(qtbot, page, sqlite_db, statute, family):
    editor = open_billing(qtbot, page, family.child)
    panel = new_period(qtbot, editor)
    monthly = fee_line(qtbot, panel, "Ganztag 45 h", "Stufe 2")
    choose(monthly.discounts[0], "Ermäßigung 10")
    type_into(qtbot, monthly.special, "5,00")
    set_payer(qtbot, monthly, 0, "Laura", "100,00")
    set_payer(qtbot, monthly, 1, "Reto", rest=True)
    individual = fee_line(qtbot, panel, "Individuell")
    type_into(qtbot, individual.amount, "291,20")
    individual.reset.setChecked(True)
    set_payer(qtbot, individual, 0, "Laura", "100,00")
    set_payer(qtbot, individual, 1, "Reto", rest=True)
    panel.tabs.setCurrentIndex(2)
    meals = panel.extras.add_line()
    choose(meals.entry, "Mittagessen")
    type_into(qtbot, meals.count, "17")
    set_payer(qtbot, meals, 0, "Laura")
    qtbot.waitUntil(lambda: individual.result.text() != "")
    assert monthly.discount_labels[0].text() == "-12,60 → 113,40" and monthly.special_label.text() == "-5,00 → 108,40"
    assert monthly.payers[0].open.text() == "offen 8,40"
    assert individual.payers[0].open.text() == "offen 191,20" and individual.payers[1].open.text() == "Rest 191,20"
    assert individual.result.text() == "Monat 03.2026: 291,20 → Laura Gerber 100,00 · Reto Gerber 191,20"
    assert meals.figure.text() == "× Einzelbetrag 3,80 = Gesamt 64,60"
    assert not monthly.special.isHidden() and meals.special.isHidden()
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(editor.ui.saveButton, Qt.MouseButton.LeftButton)
    period = periods_of(sqlite_db, family.child)[0]
    assert period.fee_lines[1] == m.FeeLine(statute.individual, amount=eur("291.20"), reset=True, payers=(
        m.PayerShare(family.mother, eur("100.00")), m.PayerShare(family.father, None, True)))
    assert period.extra_lines[0].count == 17 and period.fee_lines[0].discount_ids == (statute.sibling,)
    rows = summary_rows(panel)
    assert ["Beitrag: Individuell", "", "291,20", "291,20", ""] in rows
    assert ["Zahler: Reto Gerber", "", "", "191,20", ""] in rows
    assert ["− Ermäßigung 10 %", "", "", "-12,60", ""] in rows
    assert ["Gesamt im Monat", "", "", "464,20", ""] in rows  # 108,40 + 291,20 + 64,60


def test_field_errors_store_nothing(qtbot, page, sqlite_db, statute, family):
    editor = open_billing(qtbot, page, family.child)
    panel = new_period(qtbot, editor)
    line = fee_line(qtbot, panel, "Ganztag 45 h", "Stufe 2")
    set_payer(qtbot, line, 0, "Laura", "100,00")  # shares 100,00 of 126,00 and nobody takes the rest
    assert not editor.save()
    share = line.payers[0].share
    assert share.property("fieldError") is True and "ergeben nicht den Betrag" in share.toolTip()
    assert "es fehlen 26,00 EUR" in line.message.text()
    assert editor.ui.errorSummaryLabel.text().startswith("Nicht gespeichert")
    assert panel.tabs.currentWidget() is panel.fees and editor.is_dirty()
    assert billing_data.list_periods(sqlite_db, family.child) == []
    # a discount larger than the fee
    line.payers[0].rest.setChecked(True)
    type_into(qtbot, line.special, "200,00")
    assert not editor.save()
    assert line.special.property("fieldError") is True and "übersteigen den Beitrag" in line.message.text()
    assert billing_data.list_periods(sqlite_db, family.child) == []
    # too many lines: the eleventh is refused at the layer
    type_into(qtbot, line.special, "")
    for _ in range(9):
        assert panel.fees.add_line() is not None
    assert panel.fees.add_line() is None and not panel.fees.add_button.isEnabled()
    assert panel.fees.message.text() == "Höchstens 10 Beitragsgruppen je Zeitraum."
    assert not editor.save()  # nine lines without a fee group
    assert "Bitte eine Beitragsgruppe wählen" in panel.fees.lines[1].message.text()
    for _ in range(9):
        panel.fees.remove_line(1)
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert len(billing_data.list_periods(sqlite_db, family.child)) == 1


def test_overlapping_period_is_refused(qtbot, page, sqlite_db, statute, family):
    billing_data.save_period(sqlite_db, m.BillingPeriod(family.child, Validity(Month(2026, 3), Month(2026, 6)), (
        m.FeeLine(statute.monthly, tier=1, payers=(m.PayerShare(family.mother),)),), version=0))
    editor = open_billing(qtbot, page, family.child)
    panel = new_period(qtbot, editor)
    type_into(qtbot, panel.basic.ui.validFromEdit, "05.2026")
    assert not editor.save()
    edit = panel.basic.ui.validFromEdit
    assert edit.property("fieldError") is True and "überschneidet sich" in edit.toolTip()
    assert panel.tabs.currentWidget() is panel.basic
    assert len(billing_data.list_periods(sqlite_db, family.child)) == 1


def test_locked_period_is_read_only_with_new_period_action(qtbot, sqlite_db, qapp):
    statute = build_statute(sqlite_db, lock=True)
    family = build_child(sqlite_db, statute)
    first = billing_data.save_period(sqlite_db, m.BillingPeriod(family.child, Validity(Month(2026, 3)), (
        m.FeeLine(statute.monthly, tier=2, payers=(m.PayerShare(family.mother),)),), (
        m.ExtraLine(statute.meals, count=3, payers=(m.PayerShare(family.mother),)),), version=0))
    with unit_of_work(sqlite_db) as session:  # what the billing run does after posting
        session.execute(update(BillingPeriod).where(BillingPeriod.id == first.period.id)
                        .values(billed_through=Month(2026, 4), version=BillingPeriod.version + 1))
    page = ChildrenPage(make_context(sqlite_db, statute.org), today=lambda: date(2026, 5, 20))
    qtbot.addWidget(page)
    page.show()
    editor = open_billing(qtbot, page, family.child)
    panel = editor.periods
    assert not panel.lock_frame.isHidden() and "bis 04.2026 abgerechnet und gesperrt" in panel.lock_label.text()
    assert not panel.fees.lines[0].entry.isEnabled() and not panel.basic.ui.validFromEdit.isEnabled()
    assert panel.extras.lines[0].count.isEnabled()  # the next run's count stays editable
    assert panel.lock_button.text() == "Neuer Zeitraum ab 05.2026"
    qtbot.mouseClick(panel.lock_button, Qt.MouseButton.LeftButton)
    assert panel.basic.ui.validFromEdit.text() == "05.2026" and panel.fees.lines[0].entry.isEnabled()
    choose(panel.fees.lines[0].tier, "Stufe 3")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    stored = periods_of(sqlite_db, family.child)
    assert [p.valid for p in stored] == [Validity(Month(2026, 3), Month(2026, 4)), Validity(Month(2026, 5))]
    assert stored[1].fee_lines[0].tier == 3


def test_record_navigation_pages_children_and_keeps_the_layer(qtbot, page, sqlite_db, statute, family):
    other = build_child(sqlite_db, statute, "Albrecht", "Ben", parents=(family.mother, family.father))
    page.reload()
    editor = open_billing(qtbot, page, other.child)
    assert editor.ui.positionLabel.text() == "1 von 2" and editor.periods.hint.text().startswith("Noch keine")
    assert editor.periods.basic.ui.siblingsAutoLabel.text() in ("0", "1")
    qtbot.keyClick(editor, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.record.id == family.child and editor.ui.positionLabel.text() == "2 von 2"
    assert editor.ui.layerTabs.currentIndex() == 3
    assert "Gerber, Mia" in editor.ui.titleLabel.text()


def test_a_refused_period_leaves_the_other_layers_unsaved_too(qtbot, page, sqlite_db, statute, family):
    """One save is one transaction: a refused period keeps the notes and payers of the same save
    unsaved, and the form keeps everything typed so the clerk can fix the period and save again."""
    editor = open_billing(qtbot, page, family.child)
    before = children.get_child(sqlite_db, family.child)
    editor.basic.ui.notesEdit.setPlainText("Allergie: Nüsse")
    panel = new_period(qtbot, editor)
    line = fee_line(qtbot, panel, "Ganztag 45 h", "Stufe 2")
    set_payer(qtbot, line, 0, "Laura", "100,00")  # does not add up: the period is refused
    assert not editor.save()
    after = children.get_child(sqlite_db, family.child)
    assert (after.notes, after.version) == (before.notes, before.version)
    assert billing_data.list_periods(sqlite_db, family.child) == []
    assert editor.basic.ui.notesEdit.toPlainText() == "Allergie: Nüsse" and editor.is_dirty()
    line.payers[0].rest.setChecked(True)
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    assert children.get_child(sqlite_db, family.child).notes == "Allergie: Nüsse"
    assert len(billing_data.list_periods(sqlite_db, family.child)) == 1
