"""The tab "Sollstellungen" of the page "Sollstellung": the run list as print preview (rendered on
the worker) and as XLSX, the subsidy list, the undo of the latest run and its refusal while a
payment is allocated; the main window opens a problem's child in the page "Kinder"."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sollhaben.domain.kita import model as m
from sollhaben.services import ledger
from sollhaben.services.kita import billing_data, billing_run, facility
from sollhaben.ui.kita import run_dialogs
from tests.gui.kita.test_run_page_fixtures import (
    APRIL,
    MARCH,
    RUN_DAY,
    RunSetup,
    build_run_setup,
    close_context,
    count,
    eur,
    open_context,
    post_march_and_change_leon,
    show_page,
    table_texts,
)
from tests.integration.kita.test_fee_assessment_family import person

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def setup(sqlite_db) -> RunSetup:
    return build_run_setup(sqlite_db)


@pytest.fixture
def context(sqlite_db, setup, qapp):
    context = open_context(sqlite_db, setup)
    yield context
    close_context(context)


@pytest.fixture
def page(qtbot, context):
    yield show_page(qtbot, context)
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=20_000)


@pytest.fixture
def confirmed(monkeypatch) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(run_dialogs, "confirm", lambda parent, title, text, action: asked.append(text) or True)
    return asked


def reversals(db) -> int:
    from sollhaben.persistence.models import Posting

    return count(db, Posting, source="REVERSAL")


def workbook_rows(path) -> list[list]:
    book = load_workbook(path)
    rows = [[cell.value for cell in row] for sheet in book.worksheets for row in sheet.iter_rows()]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def test_the_run_list_opens_in_the_print_preview_and_saves_as_xlsx(qtbot, page, context, setup, monkeypatch,
                                                                   tmp_path):
    post_march_and_change_leon(context.db, setup)
    april = billing_run.post_run(context.db, setup.facility, APRIL, "anna", today=RUN_DAY)
    page.facility_changed()
    assert table_texts(page.runs.model, 1) == ["04.2026", "03.2026"]
    assert page.runs.current_run().id == april.run_id  # the newest run is marked
    with qtbot.waitSignal(page.runs.preview_opened, timeout=20_000) as opened:
        page.ui.runListButton.click()
        assert page.jobs.busy  # rendered on the worker
    dialog = opened.args[0]
    assert dialog.page_count() >= 1 and "Sollstellungsliste 04.2026 – Kita Sonnenschein" in dialog.windowTitle()
    assert dialog.suggested_filename == "sollstellungsliste-2026-04-kita-sonnenschein.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.pdf_bytes)).pages)
    assert "Sollstellungsliste 04.2026" in text and "Nachberechnungen" in text and "-325,87" in text
    dialog.reject()
    target = tmp_path / "liste.xlsx"
    asked: list[str] = []
    monkeypatch.setattr(run_dialogs, "choose_xlsx", lambda parent, title, suggested: asked.append(suggested)
                        or str(target))
    page.ui.runsTable.selectRow(1)  # March
    with qtbot.waitSignal(page.runs.saved, timeout=20_000) as saved:
        page.ui.runListXlsxButton.click()
    assert saved.args == [str(target)] and asked == ["sollstellungsliste-2026-03-kita-sonnenschein.xlsx"]
    rows = workbook_rows(target)
    assert rows[0] == ["Sollstellungsliste 03.2026 – Sollstellung 03.2026"]
    assert ["Gerber, Leon", "Kindergarten", "03.2026", 1, 1, 1234.5, "Gerber, Laura", 925.87] in rows
    assert ["Gerber, Laura", 7, 1934.97] in rows and ["Summe", 8, 2014.97] in rows
    assert page.ui.statusLabel.text() == f"Gespeichert: {target}"


def test_the_subsidy_list_of_a_month(qtbot, page, context, setup, monkeypatch, tmp_path):
    family = setup.family
    social = person(context.db, family.org, "Sozialamt Stuttgart", kind="INSTITUTION")
    facility.save_facility_settings(context.db, replace(facility.get_facility_settings(context.db, setup.facility),
                                                        standard_rate_meals=True,
                                                        hardship_fund_payer_id=family.youth_office,
                                                        sibling_meal_payer_id=social))
    mia = billing_data.get_period(context.db, family.mia_period.id).period
    billing_data.save_period(context.db, replace(mia, meal_coverage=m.MealCoverage.HARDSHIP_FUND))
    billing_run.post_run(context.db, setup.facility, MARCH, "anna", today=RUN_DAY)
    page.facility_changed()
    dialog = page.runs.subsidy_list()
    assert dialog.ui.monthEdit.text() == "03.2026"  # the marked run's month
    with qtbot.waitSignal(page.runs.preview_opened, timeout=20_000) as opened:
        dialog.ui.previewButton.click()
    preview = opened.args[0]
    assert "Zuschussliste 03.2026 – Kita Sonnenschein" in preview.windowTitle()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.pdf_bytes)).pages)
    assert "Zuschussliste Essensgeld März 2026" in text and "64,60" in text
    preview.reject()
    target = tmp_path / "zuschuss.xlsx"
    monkeypatch.setattr(run_dialogs, "choose_xlsx", lambda parent, title, suggested: str(target))
    dialog = page.runs.subsidy_list()
    dialog.ui.monthEdit.setText("13.2026")
    dialog.ui.xlsxButton.click()
    assert dialog.isVisible() and "Monat 13 gibt es nicht" in dialog.ui.errorLabel.text()
    dialog.ui.monthEdit.setText("03.2026")
    with qtbot.waitSignal(page.runs.saved, timeout=20_000):
        dialog.ui.xlsxButton.click()
    assert ["Gerber, Mia", "aus dem Härtefallfonds", "Mittagessen", 17, 3.8, "Jugendamt Stuttgart", 64.6] in \
        workbook_rows(target)


def test_the_latest_run_is_undone_after_a_confirmation(qtbot, page, context, setup, confirmed):
    first = billing_run.post_run(context.db, setup.facility, MARCH, "anna", today=RUN_DAY)
    page.facility_changed()
    assert page.ui.monthEdit.text() == "04.2026" and page.ui.undoButton.isEnabled()
    with qtbot.waitSignal(page.runs.undone, timeout=20_000) as undone:
        page.ui.undoButton.click()
    assert confirmed[0].startswith(f"Die Sollstellung 03.2026 der Einrichtung „Kita Sonnenschein“ (Nr. {first.run_id}, "
                                   "8 Buchungen, 2.014,97 EUR) zurücknehmen?")
    result = undone.args[0]
    assert (result.run_id, result.reversals, result.total_reversed) == (first.run_id, 8, eur("2014.97"))
    assert reversals(context.db) == 8
    assert page.notice.text().startswith("Sollstellung 03.2026 zurückgenommen: 8 Stornobuchungen über 2.014,97 EUR")
    assert table_texts(page.runs.model, 2) == ["Zurücknahme", "Sollstellung"]
    assert table_texts(page.runs.model, 8) == ["Storno der Sollstellung", f"zurückgenommen (Nr. {result.undo_id})"]
    assert not page.ui.undoButton.isEnabled()  # nothing left to undo
    assert page.ui.monthEdit.text() == "03.2026" and page.ui.tabs.currentIndex() == 4  # March runs again
    assert page.runs.current_run().id == first.run_id  # the undo row stands for the run it reversed
    assert ledger.list_accounts(context.db, setup.family.org)[0][1] == eur("0.00")


def test_the_undo_is_refused_while_a_payment_is_allocated(qtbot, page, context, setup, confirmed):
    billing_run.post_run(context.db, setup.facility, MARCH, "anna", today=RUN_DAY)
    accounts = {a.holder_id: a.id for a, _balance in ledger.list_accounts(context.db, setup.family.org)}
    ledger.book_payment(context.db, accounts[setup.family.father], date(2026, 3, 20), eur("80.00"))
    page.facility_changed()
    with qtbot.waitSignal(page.runs.failed, timeout=20_000) as failed:
        page.runs.undo_last()
    message = failed.args[0]
    assert message.startswith("Sollstellung 03.2026: kann nicht rückgängig gemacht werden, weil Zahlungen oder "
                              "Gutschriften ihren Buchungen zugeordnet sind")
    assert page.notice.text() == message
    assert reversals(context.db) == 0
    assert table_texts(page.runs.model, 8) == ["gebucht"]


def test_the_main_window_opens_a_problem_child_in_the_kinder_page(qtbot, context, setup):
    from sollhaben.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page(window.page_index("Sollstellung"))
    run_page = window.page("Sollstellung")
    run_page.open_child.emit(setup.ben)
    assert window.current_page_title() == "Kinder"
    children = window.page("Kinder")
    assert children.stack.currentWidget() is children.editor and children.editor.record.id == setup.ben
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=20_000)
