"""Main window: navigation, status bar, job display with cancel, organization switcher, shortcuts."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sollhaben.services.organizations import create_organization
from sollhaben.ui.context import AppContext
from sollhaben.ui.main_window import MainWindow
from sollhaben.ui.settings_dialog import SettingsDialog
from sollhaben.ui.todo_page import TodoPage
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def context(sqlite_db, qapp):
    runner = JobRunner()
    org = create_organization(sqlite_db, make_org_input("CH"))
    yield AppContext(db=sqlite_db, organization=org, worker=runner)
    assert runner.shutdown(timeout_ms=10_000)


@pytest.fixture
def window(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=5000)


def test_window_opens_with_organization_database_and_to_do_page(window, context):
    assert window.windowTitle() == "Sollhaben – Sozialdienst Aaretal"
    assert window.organization_label.text() == "Organisation: Sozialdienst Aaretal"
    assert window.database_label.text() == context.db.describe()
    assert window.database_label.text().startswith("SQLite: ") and window.database_label.text().endswith("test.sqlite")
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == ["Personen", "Kinder", "Schnellerfassung", "Sollstellung", "Festsetzung", "Staffelberechnung",
                      "Standard", "Staffeltabelle", "Debitoren", "Zahlungseingänge", "Mahnwesen", "Offene Posten",
                      "Lastschriften", "Auszahlungen", "Wiedervorlagen", "Einheiten", "Einstellungen"]
    shown = [t for t in titles if window.is_page_shown(t)]  # a Swiss social service without the Kita module
    assert shown == ["Personen", "Debitoren", "Zahlungseingänge", "Mahnwesen", "Offene Posten", "Auszahlungen",
                     "Wiedervorlagen", "Einheiten", "Einstellungen"]
    assert window.current_page_title() == "Wiedervorlagen"
    assert isinstance(window.stack.currentWidget(), TodoPage)
    assert not window.organization_toolbar.isVisibleTo(window)  # only one organization
    assert not window.job_status.isVisibleTo(window)


def test_navigation_switches_pages(qtbot, window):
    from sollhaben.ui.ledger.accounts_page import AccountsPage
    from sollhaben.ui.persons.persons_page import PersonsPage

    window.navigation.setCurrentRow(0)
    assert isinstance(window.stack.currentWidget(), PersonsPage)
    window.page_actions[window.page_index("Debitoren")].trigger()
    assert isinstance(window.stack.currentWidget(), AccountsPage)
    assert window.navigation.currentRow() == window.page_index("Debitoren")
    window.show_page(window.page_index("Einstellungen"))
    card = window.stack.currentWidget()
    assert "Sozialdienst Aaretal" in card.body.text() and "CH44 3199 9123 0008 8901 2" in card.body.text()
    assert window.page("Personen") is window.page("Personen")  # created once


def test_shortcuts(qtbot, window):
    shortcuts = {a.text(): a.shortcut().toString() for a in window.page_actions if a.isVisible()}
    # numbered as the pages this organization shows (a Swiss social service: no Kita pages)
    assert shortcuts == {"Personen": "Ctrl+1", "Debitoren": "Ctrl+2", "Zahlungseingänge": "Ctrl+3",
                         "Mahnwesen": "Ctrl+4", "Offene Posten": "Ctrl+5", "Auszahlungen": "Ctrl+6",
                         "Wiedervorlagen": "Ctrl+7", "Einheiten": "Ctrl+8", "Einstellungen": "Ctrl+9"}
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.about_action.shortcut().toString() == "F1"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_title() == "Personen"
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialogs = window.findChildren(SettingsDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert dialogs[0].ui.nameEdit.text() == "Sozialdienst Aaretal"
    dialogs[0].done(0)


def test_status_bar_shows_running_job_and_cancels_it(qtbot, window, context):
    def job(progress):
        for i in range(400):
            progress.check()
            time.sleep(0.01)
            progress.report(i, 400, f"Person {i}")
        return "fertig"

    with qtbot.waitSignal(context.worker.started, timeout=5000):
        context.worker.submit("Sollstellung", job)
    qtbot.waitUntil(lambda: window.job_status.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: window.job_status.bar.maximum() == 400, timeout=5000)
    assert window.job_status.label.text().startswith("Sollstellung")
    with qtbot.waitSignal(context.worker.cancelled, timeout=5000):
        qtbot.mouseClick(window.job_status.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.job_status.isVisible(), timeout=5000)


def test_failed_job_without_handler_is_reported(qtbot, window, context, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr("sollhaben.ui.main_window.QMessageBox.warning",
                        lambda parent, title, text: shown.append(text))

    def broken(progress):
        raise OSError("Drucker nicht bereit")

    with qtbot.waitSignal(context.worker.failed, timeout=5000):
        context.worker.submit("Druck", broken)
    assert shown == ["„Druck“ ist fehlgeschlagen:\nDrucker nicht bereit"]


def test_organization_switcher(qtbot, window, context):
    other = create_organization(context.db, make_org_input("DE"))
    window.reload_organizations()
    assert window.organization_toolbar.isVisibleTo(window)
    combo = window.organization_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Kita-Verbund Musterstadt", "Sozialdienst Aaretal"]
    assert combo.currentText() == "Sozialdienst Aaretal"
    menu_actions = [a.text() for a in window.switch_menu.actions()]
    assert menu_actions == ["Kita-Verbund Musterstadt", "Sozialdienst Aaretal"]
    with qtbot.waitSignal(context.signals.organization_changed, timeout=1000):
        combo.activated.emit(0)
    assert context.organization.id == other.id
    assert window.organization_label.text() == "Organisation: Kita-Verbund Musterstadt"
    assert combo.currentText() == "Kita-Verbund Musterstadt"
    window.switch_menu.actions()[1].trigger()
    assert context.organization.name == "Sozialdienst Aaretal"


def test_lazy_page_imports_on_first_use_and_reports_a_broken_module(qapp, context):
    from sollhaben.ui.main_window import lazy_page

    create = lazy_page("sollhaben.ui.units_page", "UnitsPage", context)
    widget = create()
    assert type(widget).__name__ == "UnitsPage"
    widget.deleteLater()
    with pytest.raises(ModuleNotFoundError):  # a packaging mistake must not hide behind a placeholder
        lazy_page("sollhaben.ui.does_not_exist", "Page", context)()


def test_settings_saved_updates_window(qtbot, window, context):
    dialog = window.open_settings()
    dialog.ui.nameEdit.setText("Sozialdienst Aaretal-Gürbetal")
    dialog.accept()
    assert window.windowTitle() == "Sollhaben – Sozialdienst Aaretal-Gürbetal"
    assert context.organization.name == "Sozialdienst Aaretal-Gürbetal"


def test_unsaved_input_is_not_lost_by_navigation_or_closing(qtbot, window, monkeypatch):
    """Pages with an editor (`can_leave`) are asked before the main window leaves them."""
    persons_index = window.page_index("Personen")
    window.show_page(persons_index)
    page = window.page("Personen")
    assert page.new_person()
    page.editor.basic.lastNameEdit.setText("Ungespeichert")
    asked: list[str] = []
    monkeypatch.setattr("sollhaben.ui.layer_editor.ask",
                        lambda parent, title, text, buttons: asked.append(title) or "Abbrechen")
    window.navigation.setCurrentRow(window.page_index("Wiedervorlagen"))  # a click in the navigation
    assert asked == ["Ungespeicherte Änderungen"]
    assert window.stack.currentIndex() == persons_index and window.navigation.currentRow() == persons_index
    assert not window.close()  # "Abbrechen": the window stays open
    assert len(asked) == 2 and page.editor.basic.lastNameEdit.text() == "Ungespeichert"
    monkeypatch.setattr("sollhaben.ui.layer_editor.ask", lambda parent, title, text, buttons: "Verwerfen")
    assert window.show_page(window.page_index("Wiedervorlagen"))
    assert window.current_page_title() == "Wiedervorlagen"


def test_module_pages_follow_the_enabled_modules(qtbot, window, context, sqlite_db):
    """The Kita pages appear for an organization with the Kita module and leave with it."""
    swiss = context.organization  # alimony and receivables only
    kita = create_organization(sqlite_db, make_org_input("DE"))  # kita, income, receivables
    assert not window.is_page_shown("Kinder")
    assert not window.show_page(window.page_index("Kinder"))  # a hidden page cannot be opened
    window.switch_organization(kita.id)
    assert all(window.is_page_shown(t) for t in ("Kinder", "Schnellerfassung", "Sollstellung", "Festsetzung",
                                                 "Staffelberechnung", "Standard"))
    shortcuts = {a.text(): a.shortcut().toString() for a in window.page_actions if a.isVisible()}
    assert shortcuts["Staffelberechnung"] == "Ctrl+6" and shortcuts["Zahlungseingänge"] == "Ctrl+0"
    assert shortcuts["Mahnwesen"] == ""
    assert shortcuts["Offene Posten"] == ""
    assert shortcuts["Einheiten"] == "" and window.page_actions[window.page_index("Einheiten")].isVisible()
    assert window.show_page(window.page_index("Standard"))
    window.switch_organization(swiss.id)
    assert not window.is_page_shown("Standard")
    assert window.current_page_title() == "Wiedervorlagen"  # the Kita page it was on left the navigation
