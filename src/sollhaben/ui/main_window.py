"""Main window: menus, navigation by module, the page stack and the status bar — nothing else."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QComboBox, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox,
                               QSplitter, QStackedWidget, QToolBar, QWidget)

import sollhaben.workers.qt_fixes  # noqa: F401  (PySide6 6.12 signal refcount fix)
from sollhaben import __version__
from sollhaben.services import organizations
from sollhaben.services.dto import OrganizationDTO
from sollhaben.ui.context import AppContext
from sollhaben.ui.widgets.job_status import JobStatus

if TYPE_CHECKING:
    from sollhaben.ui.settings_dialog import SettingsDialog


@dataclass
class PageEntry:
    title: str
    factory: Callable[[], QWidget]
    widget: QWidget | None = None
    module: str | None = None  # shown only when the organization has this module enabled


def page_shortcut(index: int) -> str:
    """Ctrl+1 … Ctrl+9 for the first nine pages shown, Ctrl+0 for the tenth."""
    return f"Ctrl+{(index + 1) % 10}" if index < 10 else ""


def lazy_page(module: str, class_name: str, context: AppContext) -> Callable[[], QWidget]:
    """Import the page only when it is first shown (keeps the start fast)."""
    def create() -> QWidget:
        return getattr(importlib.import_module(module), class_name)(context)
    return create


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = context.worker
        self.setWindowTitle("Sollhaben")
        self._fit_to_screen()
        kita = "kita"
        self.pages: list[PageEntry] = [
            PageEntry("Personen", lazy_page("sollhaben.ui.persons.persons_page", "PersonsPage", context)),
            PageEntry("Kinder", lazy_page("sollhaben.ui.kita.children_page", "ChildrenPage", context), module=kita),
            PageEntry("Schnellerfassung", lazy_page("sollhaben.ui.kita.quick_entry_page", "QuickEntryPage", context),
                      module=kita),
            PageEntry("Sollstellung", self._child_route(lazy_page("sollhaben.ui.kita.run_page", "RunPage", context)),
                      module=kita),
            PageEntry("Festsetzung", lazy_page("sollhaben.ui.kita.assessment_page", "AssessmentPage", context),
                      module=kita),
            PageEntry("Staffelberechnung", lazy_page("sollhaben.ui.income.assessments_page", "AssessmentsPage",
                                                     context), module="income"),
            PageEntry("Standard", lazy_page("sollhaben.ui.kita.catalogue_page", "CataloguePage", context),
                      module=kita),
            PageEntry("Staffeltabelle", lazy_page("sollhaben.ui.income.config_page", "IncomeConfigPage", context),
                      module="income"),
            PageEntry("Debitoren", lazy_page("sollhaben.ui.ledger.accounts_page", "AccountsPage", context)),
            PageEntry("Zahlungseingänge", lazy_page("sollhaben.ui.receivables.bank_page", "BankFilesPage", context)),
            PageEntry("Mahnwesen", lazy_page("sollhaben.ui.receivables.dunning_page", "DunningPage", context)),
            PageEntry("Offene Posten", self._account_route(lazy_page("sollhaben.ui.receivables.open_items_page",
                                                                     "OpenItemsPage", context))),
            PageEntry("Lastschriften", lazy_page("sollhaben.ui.receivables.sepa_page", "SepaPage", context),
                      module=kita),
            PageEntry("Auszahlungen", lazy_page("sollhaben.ui.receivables.payout_page", "PayoutPage", context)),
            PageEntry("Wiedervorlagen", lazy_page("sollhaben.ui.todo_page", "TodoPage", context)),
            PageEntry("Einheiten", lazy_page("sollhaben.ui.units_page", "UnitsPage", context)),
            PageEntry("Einstellungen", self._settings_page),
        ]
        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setMaximumWidth(220)
        self.navigation.setMinimumWidth(170)
        self.navigation.setStyleSheet("QListWidget { font-size: 11pt; } QListWidget::item { padding: 7px 10px; }")
        self.stack = QStackedWidget(self)
        for entry in self.pages:
            self.navigation.addItem(QListWidgetItem(entry.title))
            self.stack.addWidget(QWidget())  # replaced by the page on first show
        splitter = QSplitter(self)
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([190, 1010])
        self.setCentralWidget(splitter)
        self.navigation.currentRowChanged.connect(self.show_page)

        self._build_status_bar()
        self._build_menus()
        self._build_organization_switcher()
        context.signals.organization_changed.connect(self._organization_changed)
        self._organization_changed(context.organization)
        self.navigation.setCurrentRow(self.page_index("Wiedervorlagen"))

    def _fit_to_screen(self) -> None:
        """Most of the available screen (at least the 1200 × 760 the pages are laid out for)."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is None or screen.width() < 1000:
            self.resize(1200, 760)
            return
        self.resize(max(min(1200, screen.width()), int(screen.width() * 0.9)),
                    max(min(760, screen.height()), int(screen.height() * 0.9)))

    # pages -------------------------------------------------------------------------------------
    def page_index(self, title: str) -> int:
        return next(i for i, e in enumerate(self.pages) if e.title == title)

    def page(self, title: str) -> QWidget:
        """The page widget (created now if it was not shown yet)."""
        return self._ensure(self.page_index(title))

    def _ensure(self, index: int) -> QWidget:
        entry = self.pages[index]
        if entry.widget is None:
            entry.widget = entry.factory()
            old = self.stack.widget(index)
            self.stack.insertWidget(index, entry.widget)
            self.stack.removeWidget(old)
            old.deleteLater()
        return entry.widget

    def show_page(self, index: int) -> bool:
        """Show page `index`; a page with unsaved input is asked first (`can_leave`), and when
        the clerk keeps editing, the navigation goes back to it. False when the page stayed."""
        if not 0 <= index < len(self.pages) or self.navigation.item(index).isHidden():
            return False
        current = self.stack.currentWidget()
        if index != self.stack.currentIndex() and not self._may_leave(current):
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(self.stack.currentIndex())
            self.navigation.blockSignals(False)
            return False
        self.stack.setCurrentWidget(self._ensure(index))
        if self.navigation.currentRow() != index:
            self.navigation.setCurrentRow(index)
        return True

    @staticmethod
    def _may_leave(page: QWidget | None) -> bool:
        can_leave = getattr(page, "can_leave", None)
        return can_leave is None or bool(can_leave())

    def current_page_title(self) -> str:
        return self.pages[self.stack.currentIndex()].title

    def _settings_page(self) -> QWidget:
        from sollhaben.ui.widgets.organization_card import OrganizationCard  # built when first shown

        self.organization_card = OrganizationCard()
        self.organization_card.edit_requested.connect(lambda: self.open_settings())
        self.organization_card.show_organization(self.context.organization, self.context.db.describe())
        return self.organization_card

    # a page asks to open a child (the problems of the Sollstellung) -----------------------------------
    def _child_route(self, factory: Callable[[], QWidget]) -> Callable[[], QWidget]:
        """The page `factory` makes, with its `open_child(child_id)` routed to the page Kinder."""
        def create() -> QWidget:
            page = factory()
            page.open_child.connect(self.open_child)
            return page
        return create

    def open_child(self, child_id: int) -> bool:
        """Show the child in the page Kinder (a page with unsaved input is asked first)."""
        return self.show_page(self.page_index("Kinder")) and self.page("Kinder").open_child(child_id)

    def _account_route(self, factory: Callable[[], QWidget]) -> Callable[[], QWidget]:
        """The page `factory` makes, with its `open_account(account_id)` routed to the page Debitoren."""
        def create() -> QWidget:
            page = factory()
            page.open_account.connect(self.open_account)
            return page
        return create

    def open_account(self, account_id: int) -> bool:
        """Show the account's statement on the page Debitoren (a page with unsaved input is asked first)."""
        return self.show_page(self.page_index("Debitoren")) and self.page("Debitoren").show_account(account_id)

    # menus and shortcuts -------------------------------------------------------------------------
    def _action(self, text: str, shortcut, slot, menu) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&Datei")
        self.switch_menu = file_menu.addMenu("&Organisation wechseln")
        file_menu.addSeparator()
        self.quit_action = self._action("&Beenden", "Ctrl+Q", self.close, file_menu)
        view_menu = bar.addMenu("&Ansicht")
        self.page_actions = [
            self._action(entry.title, page_shortcut(i), lambda i=i: self.show_page(i), view_menu)
            for i, entry in enumerate(self.pages)]
        extras = bar.addMenu("&Extras")
        self.settings_action = self._action("&Einstellungen …", "Ctrl+,", self.open_settings, extras)
        help_menu = bar.addMenu("&Hilfe")
        self.about_action = self._action("Ü&ber Sollhaben", "F1", self.about, help_menu)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.organization_label = QLabel(self)
        self.organization_label.setObjectName("organizationLabel")
        self.database_label = QLabel(self.context.db.describe(), self)
        self.database_label.setObjectName("databaseLabel")
        status.addWidget(self.organization_label)
        status.addWidget(self.database_label, 1)
        if self.runner is not None:
            self.job_status = JobStatus(self.runner, self)
            status.addPermanentWidget(self.job_status)
            self.runner.failed.connect(self._job_failed)

    def _build_organization_switcher(self) -> None:
        self.organization_toolbar = QToolBar("Organisation", self)
        self.organization_toolbar.setObjectName("organizationToolbar")
        self.organization_toolbar.setMovable(False)
        self.organization_toolbar.addWidget(QLabel(" Organisation: "))
        self.organization_combo = QComboBox(self)
        self.organization_combo.setObjectName("organizationCombo")
        self.organization_combo.setMinimumWidth(260)
        self.organization_toolbar.addWidget(self.organization_combo)
        self.addToolBar(self.organization_toolbar)
        self.organization_combo.activated.connect(
            lambda index: self.switch_organization(self.organization_combo.itemData(index)))
        self.reload_organizations()

    def reload_organizations(self) -> None:
        """Fill the switcher (combobox and menu); both are hidden while there is only one."""
        found = organizations.list_organizations(self.context.db)
        current = self.context.organization.id if self.context.organization else None
        self.organization_combo.blockSignals(True)
        self.organization_combo.clear()
        self.switch_menu.clear()
        group = QActionGroup(self.switch_menu)
        for org in found:
            self.organization_combo.addItem(org.name, org.id)
            action = self.switch_menu.addAction(org.name)
            action.setCheckable(True)
            action.setChecked(org.id == current)
            action.setActionGroup(group)
            action.triggered.connect(lambda _checked=False, oid=org.id: self.switch_organization(oid))
        self.organization_combo.setCurrentIndex(max(0, self.organization_combo.findData(current)))
        self.organization_combo.blockSignals(False)
        several = len(found) > 1
        self.organization_toolbar.setVisible(several)
        self.switch_menu.menuAction().setVisible(several)

    # actions ---------------------------------------------------------------------------------
    def switch_organization(self, organization_id: int) -> None:
        if self.context.organization is None or organization_id != self.context.organization.id:
            if not self._may_leave(self.stack.currentWidget()):
                self.reload_organizations()  # the switcher shows the organization still open
                return
            self.context.set_organization(organizations.get_organization(self.context.db, organization_id))

    def open_settings(self) -> SettingsDialog | None:
        if self.context.organization is None:
            return None
        from sollhaben.ui.settings_dialog import SettingsDialog  # not needed to start

        dialog = SettingsDialog(self.context.db, self.context.organization, self)
        dialog.saved.connect(self.context.set_organization)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def about(self) -> None:
        QMessageBox.about(self, "Über Sollhaben",
                          f"<b>Sollhaben {__version__}</b><br>Beiträge, Sollstellung und Inkasso.<br><br>"
                          f"Datenbank: {self.context.db.describe()}")

    def _organization_changed(self, org: OrganizationDTO | None) -> None:
        name = org.name if org else "keine Organisation"
        self.setWindowTitle(f"Sollhaben – {name}")
        self.organization_label.setText(f"Organisation: {name}")
        if self.pages[self.page_index("Einstellungen")].widget is not None:
            self.organization_card.show_organization(org, self.context.db.describe())
        if hasattr(self, "organization_combo"):
            self.reload_organizations()
        self._show_enabled_modules(org)

    def _show_enabled_modules(self, org: OrganizationDTO | None) -> None:
        """Pages of modules the organization has not enabled leave the navigation and the menu."""
        enabled = set(org.enabled_modules) if org is not None else set()
        shown = 0
        for index, entry in enumerate(self.pages):
            visible = entry.module is None or entry.module in enabled
            self.navigation.item(index).setHidden(not visible)
            self.page_actions[index].setVisible(visible)
            self.page_actions[index].setEnabled(visible)
            # Ctrl+1 … Ctrl+0 follow the pages the organization shows, as the clerk sees them listed
            self.page_actions[index].setShortcut(QKeySequence(page_shortcut(shown) if visible else ""))
            shown += visible
        if self.navigation.item(self.stack.currentIndex()).isHidden():
            self.show_page(self.page_index("Wiedervorlagen"))

    def is_page_shown(self, title: str) -> bool:
        return not self.navigation.item(self.page_index(title)).isHidden()

    def _job_failed(self, job, exc: BaseException) -> None:
        if job.on_error is None:  # jobs with their own handler report themselves
            QMessageBox.warning(self, job.title, f"„{job.title}“ ist fehlgeschlagen:\n{exc}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_leave(self.stack.currentWidget()):  # unsaved input: the clerk chose to stay
            event.ignore()
            return
        if self.runner is not None and self.runner.current_job is not None:
            answer = QMessageBox.question(
                self, "Beenden", f"„{self.runner.current_job.title}“ läuft noch. Abbrechen und beenden?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.runner.cancel_all()
            self.runner.cancel()
        event.accept()
