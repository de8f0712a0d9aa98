"""The page "Standard" in the main window: navigation and shortcut, lists per tab with search,
and a reload when the organization changes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sollhaben.domain.kita import model as m
from sollhaben.domain.months import Validity
from sollhaben.services import organizations
from sollhaben.services.kita import catalogue
from sollhaben.services.kita.dto import EntryKind
from sollhaben.ui.kita.catalogue_page import CataloguePage
from sollhaben.ui.main_window import MainWindow
from tests.conftest import make_org_input
from tests.gui.kita.test_catalogue_fee_group import context, eur, monthly_group  # noqa: F401  (fixtures)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_standard_page_in_the_main_window(qtbot, context):
    catalogue.save_fee_group(context.db, context.organization_id, monthly_group("Ganztag"))
    catalogue.save_fee_group(context.db, context.organization_id, monthly_group("Halbtag"))
    catalogue.save_extra_cost(context.db, context.organization_id, m.ExtraCost(
        "Mittagessen", m.BillingMode.PER_UNIT, True, (m.ExtraCostVersion(Validity.parse("01.2026"), eur("3.80")),)))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    shortcut = window.page_actions[window.page_index("Standard")].shortcut()[0]  # Ctrl+<its place>
    qtbot.keyClick(window, shortcut.key(), shortcut.keyboardModifiers())
    assert window.current_page_title() == "Standard"
    page = window.stack.currentWidget()
    assert isinstance(page, CataloguePage)
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert "Standard" in titles and titles[-1] == "Einstellungen"  # other pages may come between

    fee_groups = page.lists[EntryKind.FEE_GROUP]
    assert [r.name for r in fee_groups.visible_rows()] == ["Ganztag", "Halbtag"]
    qtbot.keyClicks(fee_groups.search, "halb")
    assert [r.name for r in fee_groups.visible_rows()] == ["Halbtag"]
    assert fee_groups.count_label.text() == "1 von 2 Einträgen"
    assert [r.name for r in page.lists[EntryKind.EXTRA_COST].visible_rows()] == ["Mittagessen"]
    assert page.lists[EntryKind.DISCOUNT].visible_rows() == []

    other = organizations.create_organization(context.db, make_org_input("DE", name="Zweiter Träger"))
    context.set_organization(other)
    assert fee_groups.model.rowCount() == 0
    assert page.ui.facilityCombo.currentText() == "– keine Einrichtung –"
