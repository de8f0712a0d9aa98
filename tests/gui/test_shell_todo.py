"""To-do page: due follow-ups (overdue highlighted), create with field errors, edit, mark done."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from sollhaben.domain.master_data import PersonInput
from sollhaben.services import followups
from sollhaben.services.followups import FollowUpInput
from sollhaben.services.organizations import create_organization
from sollhaben.services.persons import save_person
from sollhaben.ui.context import AppContext
from sollhaben.ui.follow_up_dialog import FollowUpDialog
from sollhaben.ui.todo_page import OVERDUE_COLOR, TodoPage
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 11, 24)


@pytest.fixture
def context(sqlite_db, qapp):
    runner = JobRunner()
    org = create_organization(sqlite_db, make_org_input("CH"))
    yield AppContext(db=sqlite_db, organization=org, worker=runner)
    assert runner.shutdown(timeout_ms=10_000)


def add(context, subject: str, days: int, **kwargs):
    return followups.create_follow_up(context.db, context.organization_id,
                                      FollowUpInput(subject, TODAY + timedelta(days=days), **kwargs))


def open_page(qtbot, context) -> TodoPage:
    page = TodoPage.__new__(TodoPage)
    with qtbot.waitSignal(context.worker.finished, timeout=5000):
        TodoPage.__init__(page, context, today=TODAY)  # the first load runs on the worker
    qtbot.addWidget(page)
    return page


def shown(page: TodoPage) -> list[str]:
    return [f.subject for f in page.list.visible_rows()]


def test_page_lists_due_follow_ups_with_overdue_highlighted(qtbot, context):
    person = save_person(context.db, context.organization_id, PersonInput("NATURAL", "Muster", "Anna"), today=TODAY)
    add(context, "Unterlagen fehlen", -3, record_type="person", record_id=person.id, module="alimony")
    add(context, "Rückruf", 0, assigned_to="mb")
    add(context, "Nächsten Monat", 20)
    page = open_page(qtbot, context)

    assert shown(page) == ["Unterlagen fehlen", "Rückruf"]
    assert page.until() == TODAY + timedelta(days=7)
    model = page.model
    assert [model.data(model.index(0, c)) for c in range(6)] == [
        "21.11.2026", "Unterlagen fehlen", "Muster, Anna", "", "Alimentenhilfe", "überfällig (3 Tage)"]
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert model.data(model.index(0, 1), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, 5)) == "heute"
    assert page.list.count_label.text() == "2 Einträge"

    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.ui.untilEdit.setDate(page.ui.untilEdit.date().addDays(30))
    assert shown(page) == ["Unterlagen fehlen", "Rückruf", "Nächsten Monat"]


def test_new_follow_up_shows_german_field_errors_then_saves(qtbot, context):
    page = open_page(qtbot, context)
    dialog = page.new_follow_up()
    assert isinstance(dialog, FollowUpDialog) and dialog.isVisible()
    assert dialog.ui.dueDateEdit.text() == "24.11.2026"
    dialog.ui.dueDateEdit.setText("31.02.2026")
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.ui.subjectEdit.toolTip() == "Betreff: Bitte einen Betreff eingeben."
    assert dialog.ui.dueDateEdit.toolTip() == "Fällig am: Den 31.02.2026 gibt es nicht im Kalender."
    assert dialog.ui.subjectEdit.property("fieldError") is True
    assert dialog.ui.summaryLabel.isVisible()
    assert followups.list_due(context.db, context.organization_id, until=date(2100, 1, 1)) == []

    dialog.ui.dueDateEdit.setText("")
    dialog.ui.subjectEdit.setText("Rückruf Frau Muster")
    dialog.accept()
    assert dialog.ui.dueDateEdit.toolTip() == "Fällig am: Bitte ein Datum eingeben."
    assert dialog.ui.subjectEdit.property("fieldError") is False

    dialog.ui.dueDateEdit.setText("26.11.26")
    dialog.ui.noteEdit.setPlainText("Nach 14 Uhr")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        dialog.accept()
    assert shown(page) == ["Rückruf Frau Muster"]
    stored = followups.list_due(context.db, context.organization_id, today=TODAY)[0]
    assert (stored.due_date, stored.note) == (date(2026, 11, 26), "Nach 14 Uhr")


def test_edit_by_double_click_and_mark_done(qtbot, context):
    add(context, "Verfügung prüfen", 1)
    add(context, "Mahnung", -1)
    page = open_page(qtbot, context)
    page.resize(900, 400)
    page.show()
    qtbot.waitExposed(page)
    assert not page.ui.editButton.isEnabled() and not page.ui.doneButton.isEnabled()

    edited: list = []
    page.list.activated.connect(lambda row: edited.append(row))
    page.list.select(lambda f: f.subject == "Verfügung prüfen")
    assert page.ui.editButton.isEnabled() and page.ui.doneButton.isEnabled()
    qtbot.keyClick(page.list.table, Qt.Key.Key_Return)
    assert [r.subject for r in edited] == ["Verfügung prüfen"]
    dialog = page.findChildren(FollowUpDialog)[-1]
    assert dialog.ui.subjectEdit.text() == "Verfügung prüfen" and dialog.ui.dueDateEdit.text() == "25.11.2026"
    dialog.ui.subjectEdit.setText("Verfügung prüfen und versenden")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        dialog.accept()
    assert shown(page) == ["Mahnung", "Verfügung prüfen und versenden"]
    assert page.list.current_row().subject == "Verfügung prüfen und versenden"  # selection kept

    page.list.select(lambda f: f.subject == "Mahnung")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.mouseClick(page.ui.doneButton, Qt.MouseButton.LeftButton)
    assert shown(page) == ["Verfügung prüfen und versenden"]
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.ui.showDoneCheck.setChecked(True)
    assert shown(page) == ["Mahnung", "Verfügung prüfen und versenden"]
    assert page.model.data(page.model.index(0, 5)) == "erledigt"


def test_organization_change_reloads(qtbot, context):
    add(context, "Eigen", 0)
    page = open_page(qtbot, context)
    other = create_organization(context.db, make_org_input("DE"))
    followups.create_follow_up(context.db, other.id, FollowUpInput("Fremd", TODAY))
    with qtbot.waitSignal(page.loaded, timeout=5000):
        context.set_organization(other)
    assert shown(page) == ["Fremd"]


def test_page_works_without_a_worker(qtbot, sqlite_db):
    org = create_organization(sqlite_db, make_org_input("CH"))
    followups.create_follow_up(sqlite_db, org.id, FollowUpInput("Direkt", TODAY))
    page = TodoPage(AppContext(db=sqlite_db, organization=org), today=TODAY)
    qtbot.addWidget(page)
    assert shown(page) == ["Direkt"]
