"""Composition root of the desktop app: QApplication, database, worker, first start, main window."""
from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben import __version__, startup_probe
from sollhaben.bootstrap import open_and_upgrade
from sollhaben.persistence.database import Database
from sollhaben.persistence.migrate import DatabaseTooNew
from sollhaben.services import organizations
from sollhaben.services.dto import OrganizationDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.main_window import MainWindow
from sollhaben.workers.jobs import JobRunner

APP_NAME = "Sollhaben"
_LAST_ORGANIZATION = "last_organization/{}"


def show_error(title: str, text: str) -> None:
    """One place for start-up errors (tests replace it)."""
    QMessageBox.critical(None, title, text)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with German locale, Qt's German texts, name and style (idempotent)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setStyle("Fusion")
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Switzerland))
    if not app.property("sollhabenTranslator"):
        translator = QTranslator(app)
        if translator.load(QLocale(QLocale.Language.German), "qtbase", "_",
                           QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
        app.setProperty("sollhabenTranslator", True)
    return app


def open_database(database: str | None) -> Database | None:
    """Back up, migrate or refuse; on any error a German message and None (never half-migrated)."""
    try:
        return open_and_upgrade(database)
    except DatabaseTooNew as exc:
        show_error("Datenbank zu neu", str(exc))
    except Exception as exc:  # noqa: BLE001 - every start-up problem must reach the user
        show_error("Datenbank", f"Die Datenbank kann nicht geöffnet werden:\n{exc}")
    return None


def remembered_organization(db: Database) -> OrganizationDTO | None:
    """The organization used last time with this database, else the first one, else None."""
    found = organizations.list_organizations(db)
    if not found:
        return None
    last = QSettings().value(_LAST_ORGANIZATION.format(db.describe()))
    return next((o for o in found if str(o.id) == str(last)), found[0])


def remember_organization(db: Database, organization: OrganizationDTO | None) -> None:
    if organization is not None:
        QSettings().setValue(_LAST_ORGANIZATION.format(db.describe()), organization.id)


def first_start(context: AppContext) -> OrganizationDTO | None:
    """No organization yet: the wizard creates one or loads demo data (None: the user gave up)."""
    from sollhaben.ui.organization_wizard import OrganizationWizard  # first start only

    wizard = OrganizationWizard(context.db, context.worker)
    if wizard.exec() != QDialog.DialogCode.Accepted:
        return None
    return wizard.organization


def open_main_window(context: AppContext) -> MainWindow:
    window = MainWindow(context)
    context.signals.organization_changed.connect(lambda org: remember_organization(context.db, org))
    window.show()
    return window


def run_app(database: str | None) -> int:
    startup_probe.mark("run_app")
    app = create_application()
    startup_probe.mark("qapplication")
    db = open_database(database)
    startup_probe.mark("database")
    if db is None:
        return 1
    runner = JobRunner()
    try:
        context = AppContext(db=db, worker=runner)
        organization = remembered_organization(db) or first_start(context)
        if organization is None:
            return 0
        context.set_organization(organization)
        startup_probe.mark("organization")
        window = open_main_window(context)
        startup_probe.mark("window")
        startup_probe.watch(app, window)
        code = app.exec()
        window.deleteLater()
        return code
    finally:
        runner.shutdown()
        db.dispose()
