"""The page „Staffeltabelle“ (settings of the income-scale calculation), driven through real widgets on
a real SQLite database: item types (new, edit, order ▲/▼, delete refused while in use), a version with
the spec's example typed in, „Neu …“ filled from the latest version, bad input shown at the fields with
nothing stored (read back through the services)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit

from sollhaben.domain.income import model as im
from sollhaben.domain.master_data import PersonInput, UnitInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month, Validity
from sollhaben.services import organizations, persons
from sollhaben.services.income import assessments, configuration
from sollhaben.services.kita import children
from sollhaben.services.kita.dto import GuardianInput
from sollhaben.ui.context import AppContext
from sollhaben.ui.income.config_page import IncomeConfigPage
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 24)
SIZE, AMOUNT = 0, 1
UP_TO, TIER = 0, 1


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def example_scale(start: str = "01.2026") -> im.IncomeScaleVersion:
    """The spec's example: thresholds 2/3/4 → 1 800/2 100/2 400 (+300), brackets 0/250/500/750/1 000 → 1–5,
    highest tier 6, exemption 5 % + 50."""
    return im.IncomeScaleVersion(
        Validity.parse(start),
        (im.IncomeThreshold(2, eur("1800.00")), im.IncomeThreshold(3, eur("2100.00")),
         im.IncomeThreshold(4, eur("2400.00"))),
        eur("300.00"),
        tuple(im.TierBracket(eur(up_to), tier) for tier, up_to in enumerate(
            ("0.00", "250.00", "500.00", "750.00", "1000.00"), start=1)),
        highest_tier=6, exemption_percent=Decimal(5), exemption_fixed=eur("50.00"))


@pytest.fixture
def context(sqlite_db, qapp):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    organizations.save_unit(sqlite_db, org.id, UnitInput("Kita Sonnenschein", "FACILITY"))
    return AppContext(db=sqlite_db, organization=org)


@pytest.fixture
def page(qtbot, context):
    widget = IncomeConfigPage(context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def config(context):
    return configuration.get_configuration(context.db, context.organization_id)


def active(qtbot, dialog):
    """The dialog once it is shown and has the keyboard (the offscreen platform activates it later)."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def type_into(qtbot, widget, text: str) -> None:
    active(qtbot, widget.window())
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    qtbot.keyClicks(widget, text)


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
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(row, column).text() == text and table.state() == table.State.NoState)


def fill(qtbot, table, add_button, rows: list[tuple[str, str]]) -> None:
    """Type `rows` into the table, adding rows with the dialog's button as needed."""
    for row, values in enumerate(rows):
        if row >= table.rowCount():
            qtbot.mouseClick(add_button, Qt.MouseButton.LeftButton)
        for column, text in enumerate(values):
            type_cell(qtbot, table, row, column, text)
    while table.rowCount() > len(rows):
        table.setCurrentCell(table.rowCount() - 1, 0)
        table.removeRow(table.rowCount() - 1)


def click_save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)


def save_and_wait(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        click_save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def cell_texts(view) -> list[list[str]]:
    model = view.model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def new_type(qtbot, page, label: str, minus: bool = False) -> None:
    qtbot.mouseClick(page.new_type_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    qtbot.keyClicks(dialog.label_edit, label)
    if minus:
        qtbot.keyClick(dialog.label_edit, Qt.Key.Key_Tab)  # on to the sign
        assert QApplication.focusWidget() is dialog.sign_combo
        qtbot.keyClick(dialog.sign_combo, Qt.Key.Key_Down)
    save_and_wait(qtbot, dialog)


def in_use(context) -> dict[str, int]:
    """An assessment of a child (household of 4, from 01.2026) with salary and expenses: label → type id."""
    org = context.organization_id
    types = {t.item_type.label: t.item_type.id for t in config(context).item_types}
    facility = organizations.list_units(context.db, org, "FACILITY")[0].id
    child = children.create_child(context.db, org, PersonInput("NATURAL", "Gerber", "Mia",
                                                               birth_date=date(2021, 5, 3)), today=TODAY)
    mother = persons.save_person(context.db, org, PersonInput("NATURAL", "Gerber", "Laura"), today=TODAY).id
    children.save_guardians(context.db, child.id, child.version, [GuardianInput(mother)])
    assessments.save_assessment(context.db, org, im.IncomeAssessment(
        child_id=child.id, facility_id=facility, valid_from=Month(2026, 1), household_size=4,
        persons=(im.AssessmentPerson(mother, False, (im.IncomeItem(types["Lohn/Gehalt"], eur("30000.00")),
                                                     im.IncomeItem(types["Werbungskosten"], eur("1200.00")))),),
        version=0), today=TODAY)
    return types


# --- item types ----------------------------------------------------------------------------------------

def test_item_types_are_created_listed_in_their_order_and_moved(qtbot, page, context):
    assert page.title == "Staffeltabelle"
    assert not page.edit_type_button.isEnabled() and not page.up_button.isEnabled()
    qtbot.mouseClick(page.new_type_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Neue Einkommensposition"
    assert QApplication.focusWidget() is dialog.label_edit
    type_into(qtbot, dialog.valid_from_edit, "13.2026")
    click_save(qtbot, dialog)  # no label, a month that does not exist: both at their fields, nothing stored
    assert dialog.isVisible()
    assert dialog.label_edit.property("fieldError") is True
    assert dialog.label_edit.toolTip() == "Bezeichnung: Bitte eine Bezeichnung eingeben."
    assert dialog.valid_from_edit.toolTip() == "Gültig ab: Monat 13 gibt es nicht (erlaubt 01 bis 12)."
    assert dialog.summary.isVisible() and dialog.summary.text().startswith("Nichts gespeichert")
    assert config(context).item_types == ()
    type_into(qtbot, dialog.label_edit, "Lohn/Gehalt")
    dialog.valid_from_edit.clear()
    save_and_wait(qtbot, dialog)

    new_type(qtbot, page, "Rente")
    new_type(qtbot, page, "Werbungskosten", minus=True)
    assert cell_texts(page.types) == [["Lohn/Gehalt", "+ Einkommen", "", "", ""],
                                      ["Rente", "+ Einkommen", "", "", ""],
                                      ["Werbungskosten", "− Abzug", "", "", ""]]
    assert page.types.current_row().item_type.label == "Werbungskosten"  # the saved one is marked

    # the same label twice: the service's message at the field, nothing stored
    qtbot.mouseClick(page.new_type_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    qtbot.keyClicks(dialog.label_edit, "Rente")
    click_save(qtbot, dialog)
    assert dialog.label_edit.toolTip() == "Bezeichnung: Die Einkommensposition „Rente“ gibt es schon."
    dialog.done(0)
    assert len(config(context).item_types) == 3

    # ▲ twice: Werbungskosten first; the positions are stored
    assert page.up_button.isEnabled() and not page.down_button.isEnabled()
    qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    active(qtbot, page)
    page.types.table.setFocus()
    qtbot.keyClick(page.types.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [r.item_type.label for r in page.types.visible_rows()] == ["Werbungskosten", "Lohn/Gehalt", "Rente"]
    stored = config(context).item_types
    assert [(t.item_type.label, t.item_type.position) for t in stored] == [
        ("Werbungskosten", 1), ("Lohn/Gehalt", 2), ("Rente", 3)]
    assert page.types.current_row().item_type.label == "Werbungskosten" and not page.up_button.isEnabled()
    qtbot.mouseClick(page.down_button, Qt.MouseButton.LeftButton)
    assert [t.item_type.label for t in config(context).item_types] == ["Lohn/Gehalt", "Werbungskosten", "Rente"]


def test_editing_an_item_type_sets_its_validity(qtbot, page, context):
    configuration.save_item_type(context.db, context.organization_id,
                                 im.IncomeItemType("Elterngeld", im.ItemSign.PLUS, 1))
    page.reload()
    page.types.table.setFocus()
    page.types.table.selectRow(0)
    qtbot.keyClick(page.types.table, Qt.Key.Key_Return)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Einkommensposition – Elterngeld"
    assert not dialog.is_dirty()
    type_into(qtbot, dialog.valid_from_edit, "01.2024")
    type_into(qtbot, dialog.valid_to_edit, "12.2023")
    click_save(qtbot, dialog)
    assert dialog.valid_to_edit.toolTip() == "Gültig bis: 12.2023 liegt vor „Gültig ab“ 01.2024."
    assert config(context).item_types[0].item_type.valid is None
    type_into(qtbot, dialog.valid_to_edit, "12.2026")
    save_and_wait(qtbot, dialog)
    assert config(context).item_types[0].item_type.valid == Validity(Month(2024, 1), Month(2026, 12))
    assert cell_texts(page.types)[0] == ["Elterngeld", "+ Einkommen", "01.2024", "12.2026", ""]


# --- versions ------------------------------------------------------------------------------------------

def test_the_spec_example_is_typed_in_and_stored(qtbot, page, context):
    assert not page.edit_version_button.isEnabled()
    qtbot.mouseClick(page.new_version_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "Neue Staffeltabelle"
    assert dialog.valid_from_edit.text() == "01.2026" and dialog.note.isHidden()  # no version to copy yet
    assert QApplication.focusWidget() is dialog.valid_from_edit
    qtbot.keyClick(dialog.valid_from_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.valid_to_edit
    qtbot.keyClick(dialog.valid_to_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.thresholds

    fill(qtbot, dialog.thresholds, dialog.add_threshold_button, [("2", "1800"), ("3", "2.100,00"), ("4", "2400")])
    type_into(qtbot, dialog.increment_edit, "300")
    fill(qtbot, dialog.brackets, dialog.add_bracket_button,
         [("0", "1"), ("250", "2"), ("500", "3"), ("750", "4"), ("1000", "5")])
    assert dialog.highest_spin.value() == 6  # follows the tiers added
    type_into(qtbot, dialog.percent_edit, "5")
    type_into(qtbot, dialog.fixed_edit, "50")
    save_and_wait(qtbot, dialog)

    (stored,) = config(context).versions
    assert stored.scale == replace(example_scale(), id=stored.scale.id)
    assert cell_texts(page.versions) == [["01.2026", "offen", "2–4: 1.800,00 – 2.400,00, je weitere +300,00",
                                          "1–5 (bis 1.000,00)", "6", "5 % + 50,00", ""]]
    assert page.versions.current_row().scale.id == stored.scale.id
    details = page.details.text()
    assert "2 → 1.800,00 · 3 → 2.100,00 · 4 → 2.400,00 · je weitere Person + 300,00" in details
    assert "≤ 0,00 → 1 · ≤ 250,00 → 2 · ≤ 500,00 → 3 · ≤ 750,00 → 4 · ≤ 1.000,00 → 5 · darüber → 6" in details


def test_bad_input_is_shown_at_the_fields_and_nothing_is_stored(qtbot, page, context):
    qtbot.mouseClick(page.new_version_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    thresholds, brackets = dialog.thresholds, dialog.brackets
    fill(qtbot, thresholds, dialog.add_threshold_button, [("2", "1800"), ("4", "2400")])  # no size 3
    type_into(qtbot, dialog.increment_edit, "300")
    fill(qtbot, brackets, dialog.add_bracket_button, [("0", "1"), ("500", "3"), ("250", "2")])  # not rising
    dialog.highest_spin.setValue(3)  # not above the tiers of the table
    type_into(qtbot, dialog.percent_edit, "120")
    type_into(qtbot, dialog.fixed_edit, "50")
    click_save(qtbot, dialog)

    assert dialog.isVisible()
    gap = ("Einkommensgrenzen: Die Haushaltsgrößen müssen mindestens 1 sein und lückenlos aufeinander folgen "
           "(eingegeben: 2, 4).")
    assert [thresholds.item(r, SIZE).toolTip() for r in range(2)] == [gap, gap]
    assert thresholds.property("fieldError") is True and gap in dialog.thresholds_message.text()
    rising = "Staffeln, Zeile 3: Betrag bis und Staffel müssen größer sein als in der Zeile davor."
    assert [brackets.item(2, c).toolTip() for c in (UP_TO, TIER)] == [rising, rising]
    assert brackets.item(1, UP_TO).toolTip() == "" and rising in dialog.brackets_message.text()
    assert dialog.highest_spin.property("fieldError") is True
    assert dialog.highest_spin.toolTip() == "Höchste Staffel: 3 muss größer sein als die Staffeln der Tabelle."
    assert dialog.percent_edit.property("fieldError") is True
    assert dialog.percent_edit.toolTip().startswith("Befreiungsbetrag in %: ")
    assert "100" in dialog.percent_edit.toolTip()
    assert dialog.fixed_edit.property("fieldError") is not True
    summary = dialog.summary.text()
    assert summary.startswith("Nichts gespeichert") and summary.count("•") == 4
    assert config(context).versions == ()

    # a typing error is shown together with what the rules say about the rest
    type_cell(qtbot, thresholds, 1, AMOUNT, "2.400,005")
    click_save(qtbot, dialog)
    assert thresholds.item(1, AMOUNT).toolTip() == ("Einkommensgrenzen, Zeile 2 – Betrag: höchstens zwei "
                                                    "Nachkommastellen erlaubt.")
    assert dialog.percent_edit.property("fieldError") is True
    assert dialog.highest_spin.property("fieldError") is True
    assert brackets.item(2, UP_TO).toolTip() == rising
    assert config(context).versions == ()

    # corrected: stored
    type_cell(qtbot, thresholds, 1, SIZE, "3")
    type_cell(qtbot, thresholds, 1, AMOUNT, "2100")
    type_cell(qtbot, brackets, 1, UP_TO, "250")
    type_cell(qtbot, brackets, 1, TIER, "2")
    type_cell(qtbot, brackets, 2, UP_TO, "500")
    type_cell(qtbot, brackets, 2, TIER, "3")
    dialog.highest_spin.setValue(4)
    type_into(qtbot, dialog.percent_edit, "12,5")
    save_and_wait(qtbot, dialog)
    (stored,) = config(context).versions
    assert [(t.household_size, t.amount) for t in stored.scale.thresholds] == [(2, eur("1800.00")),
                                                                                (3, eur("2100.00"))]
    assert [(b.up_to, b.tier) for b in stored.scale.brackets] == [(eur("0.00"), 1), (eur("250.00"), 2),
                                                                  (eur("500.00"), 3)]
    assert (stored.scale.highest_tier, stored.scale.exemption_percent) == (4, Decimal("12.5"))


def test_empty_tables_and_missing_amounts_are_named(qtbot, page, context):
    qtbot.mouseClick(page.new_version_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    type_into(qtbot, dialog.valid_from_edit, "")
    type_cell(qtbot, dialog.brackets, 0, TIER, "x")
    click_save(qtbot, dialog)
    assert dialog.valid_from_edit.toolTip() == ("Gültig ab: Pflichtfeld – bitte den ersten Monat im Format MM.JJJJ "
                                                "eingeben.")
    assert "mindestens eine Haushaltsgröße" in dialog.thresholds_message.text()
    assert dialog.increment_edit.toolTip().startswith("Zuschlag je weitere Person: Bitte einen Betrag eingeben")
    assert dialog.brackets.item(0, TIER).toolTip() == ("Staffeln, Zeile 1 – Staffel: Bitte eine ganze Zahl eingeben "
                                                       "(eingegeben: „x“).")
    assert config(context).versions == ()


def test_new_is_filled_from_the_latest_version_and_closes_it(qtbot, page, context):
    configuration.save_version(context.db, context.organization_id, example_scale("01.2025"))
    page.reload()
    qtbot.mouseClick(page.new_version_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    assert dialog.valid_from_edit.text() == "01.2026"  # the next January
    assert dialog.note.isVisible() and "aus der Version ab 01.2025 übernommen" in dialog.note.text()
    assert [dialog.thresholds.item(r, AMOUNT).text() for r in range(3)] == ["1.800,00", "2.100,00", "2.400,00"]
    assert [dialog.brackets.item(r, TIER).text() for r in range(5)] == ["1", "2", "3", "4", "5"]
    assert (dialog.increment_edit.text(), dialog.highest_spin.value(), dialog.percent_edit.text(),
            dialog.fixed_edit.text()) == ("300,00", 6, "5", "50,00")
    assert not dialog.is_dirty()
    type_cell(qtbot, dialog.thresholds, 2, AMOUNT, "2.450,00")
    type_into(qtbot, dialog.fixed_edit, "60")
    save_and_wait(qtbot, dialog)

    old, new = config(context).versions
    assert old.scale.valid == Validity(Month(2025, 1), Month(2025, 12))
    assert new.scale.valid == Validity(Month(2026, 1))
    assert new.scale.thresholds[2].amount == eur("2450.00") and new.scale.exemption_fixed == eur("60.00")
    assert old.scale.thresholds[2].amount == eur("2400.00")
    assert [row[:2] for row in cell_texts(page.versions)] == [["01.2025", "12.2025"], ["01.2026", "offen"]]

    # an overlap is refused by the service and shown at „Gültig ab“
    qtbot.mouseClick(page.new_version_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    type_into(qtbot, dialog.valid_from_edit, "06.2025")
    click_save(qtbot, dialog)
    assert "überschneidet sich mit der Version" in dialog.valid_from_edit.toolTip()
    dialog.done(0)
    assert len(config(context).versions) == 2


# --- delete --------------------------------------------------------------------------------------------

def test_delete_is_refused_while_in_use(qtbot, page, context, monkeypatch):
    for position, (label, sign) in enumerate((("Lohn/Gehalt", "+"), ("Werbungskosten", "-"), ("Rente", "+")), 1):
        configuration.save_item_type(context.db, context.organization_id,
                                     im.IncomeItemType(label, im.ItemSign(sign), position))
    configuration.save_version(context.db, context.organization_id, example_scale("01.2026"))
    configuration.save_version(context.db, context.organization_id, example_scale("01.2027"))
    in_use(context)
    page.reload()
    assert [row[4] for row in cell_texts(page.types)] == ["1", "1", ""]
    assert [row[6] for row in cell_texts(page.versions)] == ["1", ""]
    questions = []
    monkeypatch.setattr("sollhaben.ui.income.config_page.ask",
                        lambda _parent, _title, text, buttons: questions.append(text) or buttons[0])

    page.types.select(lambda r: r.item_type.label == "Werbungskosten")
    qtbot.mouseClick(page.delete_type_button, Qt.MouseButton.LeftButton)
    assert questions == []  # nothing to confirm: refused
    assert page.notice.text() == ("Löschen nicht möglich: „Werbungskosten“ ist in 1 Staffelberechnung(en) erfasst. "
                                  "Bitte stattdessen „Gültig bis“ setzen.")
    assert len(config(context).item_types) == 3

    page.versions.select(lambda r: str(r.scale.valid.valid_from) == "01.2026")
    active(qtbot, page)
    page.versions.table.setFocus()
    qtbot.keyClick(page.versions.table, Qt.Key.Key_Delete)
    assert page.notice.text().startswith("Löschen nicht möglich: 1 Staffelberechnung(en) beginnen in 01.2026")
    assert len(config(context).versions) == 2

    # not in use: asked, then deleted
    page.types.select(lambda r: r.item_type.label == "Rente")
    qtbot.mouseClick(page.delete_type_button, Qt.MouseButton.LeftButton)
    assert questions == ["Die Einkommensposition „Rente“ löschen?"] and page.notice.text() == ""
    assert [t.item_type.label for t in config(context).item_types] == ["Lohn/Gehalt", "Werbungskosten"]
    page.versions.select(lambda r: str(r.scale.valid.valid_from) == "01.2027")
    qtbot.mouseClick(page.delete_version_button, Qt.MouseButton.LeftButton)
    assert questions[-1] == "Die Version ab 01.2027 (01.2027 – offen) löschen?"
    assert [str(v.scale.valid.valid_from) for v in config(context).versions] == ["01.2026"]

    # a type in use keeps its sign: the combo is locked
    page.types.select(lambda r: r.item_type.label == "Werbungskosten")
    dialog = page.open_type_dialog(page.types.current_row())
    assert not dialog.sign_combo.isEnabled() and "das Vorzeichen bleibt" in dialog.sign_hint.text()
    dialog.done(0)


def test_every_label_has_a_mnemonic_and_a_buddy(qtbot, page, context):
    page.open_version_dialog(None)
    dialog = active(qtbot, page.dialog)
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None:
            assert "&" in label.text()
    keys = [label.text().split("&")[1][0].lower() for label in dialog.findChildren(QLabel) if label.buddy()]
    keys += [b.text().split("&")[1][0].lower() for b in (dialog.add_threshold_button, dialog.remove_threshold_button,
                                                         dialog.add_bracket_button, dialog.remove_bracket_button)]
    assert len(keys) == len(set(keys)) == 10
    dialog.done(0)
