"""App start: run_app paths (self-check hook, refused database, first start, main window), wizard."""
from __future__ import annotations


import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog

from sollhaben import app as app_module
from sollhaben.persistence.migrate import DatabaseTooNew
from sollhaben.services import organizations
from sollhaben.ui.context import AppContext
from sollhaben.ui.main_window import MainWindow
from sollhaben.ui.organization_wizard import OrganizationWizard
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """QSettings of the tests live in a temporary folder, not in the user's profile."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app_module, "show_error", lambda title, text: shown.append((title, text)))
    return shown


def test_database_too_new_is_refused_with_a_german_message(monkeypatch, errors, qapp):
    def too_new(url):
        raise DatabaseTooNew("Die Datenbank hat den Stand x, den diese Programmversion nicht kennt.")

    monkeypatch.setattr(app_module, "open_and_upgrade", too_new)
    assert app_module.run_app("sqlite:///egal.sqlite") == 1
    assert errors == [("Datenbank zu neu", "Die Datenbank hat den Stand x, den diese Programmversion nicht kennt.")]


def test_unreadable_database_is_reported(tmp_path, errors, qapp):
    bad = tmp_path / "kaputt.sqlite"
    bad.write_bytes(b"das ist keine Datenbank" * 100)
    assert app_module.run_app(str(bad)) == 1
    assert errors[0][0] == "Datenbank" and errors[0][1].startswith("Die Datenbank kann nicht geöffnet werden:")


def test_run_app_opens_the_main_window_on_the_remembered_organization(tmp_path, monkeypatch, qapp):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    db = app_module.open_and_upgrade(url, backup=False)
    organizations.create_organization(db, make_org_input("CH"))
    second = organizations.create_organization(db, make_org_input("DE"))
    app_module.remember_organization(db, second)
    db.dispose()
    seen: dict = {}

    def fake_exec(self=None):
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen["title"] = window.windowTitle()
        seen["locale"] = QApplication.instance().applicationName()
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert app_module.run_app(url) == 0
    assert seen == {"title": "Sollhaben – Kita-Verbund Musterstadt", "locale": "Sollhaben"}


def test_run_app_without_organization_and_wizard_cancelled_exits_cleanly(tmp_path, monkeypatch, qapp):
    monkeypatch.setattr(app_module, "first_start", lambda context: None)
    monkeypatch.setattr(QApplication, "exec", lambda self=None: pytest.fail("no window expected"))
    assert app_module.run_app(f"sqlite:///{tmp_path / 'leer.sqlite'}") == 0


@pytest.fixture
def runner(qapp):
    runner = JobRunner()
    yield runner
    assert runner.shutdown(timeout_ms=10_000)


def test_wizard_creates_the_own_organization(qtbot, sqlite_db, runner):
    wizard = OrganizationWizard(sqlite_db, runner)
    qtbot.addWidget(wizard)
    assert wizard.ui.ownRadio.isChecked() and wizard.ui.demoRadio.isEnabled()
    wizard.ui.buttonBox.accepted.emit()
    dialog = wizard.settings_dialog
    assert dialog is not None and dialog.windowTitle() == "Neue Organisation erfassen"
    dialog.ui.nameEdit.setText("Sozialdienst Emmental")
    dialog.ui.postalCodeEdit.setText("3550")
    dialog.ui.townEdit.setText("Langnau")
    with qtbot.waitSignal(wizard.finished, timeout=1000) as blocker:
        dialog.accept()
    assert blocker.args == [QDialog.DialogCode.Accepted]
    assert wizard.organization.name == "Sozialdienst Emmental"
    assert [o.name for o in organizations.list_organizations(sqlite_db)] == ["Sozialdienst Emmental"]


def test_wizard_loads_demo_data_on_the_worker_with_progress(qtbot, sqlite_db, runner):
    progress: list = []
    runner.progress.connect(lambda job, done, total, text: progress.append((done, total)))
    wizard = OrganizationWizard(sqlite_db, runner)
    qtbot.addWidget(wizard)
    wizard.ui.demoRadio.setChecked(True)
    assert wizard.ok_button.text() == "&Laden"
    with qtbot.waitSignal(wizard.finished, timeout=60_000) as blocker:
        wizard.ui.buttonBox.accepted.emit()
        assert not wizard.ok_button.isEnabled()  # busy while the worker loads
    assert blocker.args == [QDialog.DialogCode.Accepted]
    names = [o.name for o in organizations.list_organizations(sqlite_db)]
    assert len(names) == 2 and wizard.organization.name in names
    assert progress and progress[-1][0] == progress[-1][1]


def test_wizard_demo_failure_is_reported_and_nothing_chosen(qtbot, sqlite_db, runner, monkeypatch):
    from sollhaben.services import demo

    demo.load_demo(sqlite_db, size=5)  # loaded already: a second load is refused by the service
    warnings: list = []
    monkeypatch.setattr("sollhaben.ui.organization_wizard.QMessageBox.warning",
                        lambda parent, title, text: warnings.append(text))
    wizard = OrganizationWizard(sqlite_db, runner)
    qtbot.addWidget(wizard)
    wizard.ui.demoRadio.setChecked(True)
    with qtbot.waitSignal(runner.failed, timeout=10_000):
        wizard.proceed()
    assert len(warnings) == 1 and warnings[0].startswith("Die Demodaten konnten nicht geladen werden:")
    assert "bereits geladen" in warnings[0]
    assert wizard.organization is None and wizard.ok_button.isEnabled()


def test_first_start_context(qtbot, sqlite_db, runner, monkeypatch):
    """first_start returns what the wizard produced (the dialog itself is driven above)."""
    org = organizations.create_organization(sqlite_db, make_org_input("CH"))

    def fake_exec(self):
        self.organization = org
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(OrganizationWizard, "exec", fake_exec)
    assert app_module.first_start(AppContext(db=sqlite_db, worker=runner)) == org
