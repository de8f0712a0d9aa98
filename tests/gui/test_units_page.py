"""Units page: list, create with field errors (nothing stored), edit, stale edit refused."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from sollhaben.domain.master_data import Address, UnitInput
from sollhaben.services import organizations
from sollhaben.services.organizations import create_organization
from sollhaben.ui.context import AppContext
from sollhaben.ui.units_page import UnitsPage
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def context(sqlite_db, qapp):
    org = create_organization(sqlite_db, make_org_input("DE"))
    return AppContext(db=sqlite_db, organization=org)


def test_new_unit_with_errors_stores_nothing_then_saves(qtbot, context):
    page = UnitsPage(context)
    qtbot.addWidget(page)
    assert page.list.model.rowCount() == 0
    dialog = page.open_dialog(None)
    assert dialog.ui.kindCombo.currentData() == "FACILITY"  # DE: a Kita by default
    assert dialog.ui.countryEdit.text() == "DE"
    qtbot.keyClicks(dialog.ui.postalCodeEdit, "7017")
    qtbot.keyClicks(dialog.ui.townEdit, "Stuttgart")
    assert not dialog.save()
    assert dialog.ui.nameEdit.toolTip() == "Name: Bitte einen Namen eingeben."
    assert dialog.ui.nameEdit.property("fieldError") is True
    assert "PLZ: Eine Postleitzahl in DE hat 5 Ziffern." in dialog.ui.summaryLabel.text()
    assert organizations.list_units(context.db, context.organization_id) == []

    qtbot.keyClicks(dialog.ui.nameEdit, "Kita Sonnenschein")
    qtbot.keyClicks(dialog.ui.postalCodeEdit, "3")
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.mouseClick(dialog.ui.buttonBox.button(dialog.ui.buttonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    units = organizations.list_units(context.db, context.organization_id)
    assert [(u.name, u.kind, u.address.postal_code) for u in units] == [("Kita Sonnenschein", "FACILITY", "70173")]
    assert [r.name for r in page.list.visible_rows()] == ["Kita Sonnenschein"]
    assert page.list.current_row().name == "Kita Sonnenschein"
    assert page.list.model.data(page.list.model.index(0, 3)) == "70173 Stuttgart"


def test_duplicate_name_and_stale_edit_are_refused(qtbot, context, monkeypatch):
    first = organizations.save_unit(context.db, context.organization_id,
                                    UnitInput("Kita Regenbogen", "FACILITY", Address("", "", "70173", "Stuttgart", "DE")))
    organizations.save_unit(context.db, context.organization_id, UnitInput("Kita Löwenzahn", "FACILITY"))
    page = UnitsPage(context)
    qtbot.addWidget(page)
    assert [r.name for r in page.list.visible_rows()] == ["Kita Löwenzahn", "Kita Regenbogen"]

    dialog = page.open_dialog(first)
    dialog.ui.nameEdit.setText("Kita Löwenzahn")
    assert not dialog.save()
    assert "gibt es in dieser Organisation schon" in dialog.ui.nameEdit.toolTip()

    # someone else saves the unit meanwhile: this dialog's save is refused, the other change stays
    organizations.save_unit(context.db, context.organization_id,
                            UnitInput("Kita Regenbogenland", "FACILITY"), first.id, first.version)
    warnings = []
    monkeypatch.setattr("sollhaben.ui.units_page.QMessageBox.warning", lambda *args: warnings.append(args[2]))
    dialog.ui.nameEdit.setText("Kita Regenbogen-Nord")
    assert not dialog.save()
    assert warnings and "geändert" in warnings[0]
    names = [u.name for u in organizations.list_units(context.db, context.organization_id)]
    assert names == ["Kita Löwenzahn", "Kita Regenbogenland"]
