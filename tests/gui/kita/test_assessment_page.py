"""The page "Festsetzung": the payer list from the worker, the preview (nothing recorded), "Alle
drucken …" into one PDF or one per recipient, a print run cancelled midway that records nothing,
the list after printing and after a change, a wrong month at the field."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import func, select

from sollhaben.domain.months import Month
from sollhaben.persistence.models import FeeAssessmentLetter
from sollhaben.reports import kita_assessment
from sollhaben.services import organizations
from sollhaben.services.kita import billing_data
from sollhaben.ui.context import AppContext
from sollhaben.ui.kita.assessment_page import AssessmentPage, file_name
from sollhaben.workers.jobs import JobRunner
from tests.integration.kita.test_fee_assessment_family import build_family

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 2, 20)


def recorded(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(FeeAssessmentLetter))


@pytest.fixture
def family(sqlite_db):
    return build_family(sqlite_db, "DE")


@pytest.fixture
def context(sqlite_db, family, qapp):
    runner = JobRunner()
    org = organizations.get_organization(sqlite_db, family.org)
    yield AppContext(db=sqlite_db, organization=org, worker=runner)
    assert runner.shutdown(timeout_ms=10_000)


@pytest.fixture
def page(qtbot, context):
    widget = AssessmentPage(context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 640)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.overview is not None and widget._job is None, timeout=10_000)
    yield widget
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=10_000)


def texts(page, column: int) -> list[str]:
    model = page.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def select_row(page, name: str) -> None:
    row = texts(page, 1).index(name)
    page.ui.table.setCurrentIndex(page.model.index(row, 1))


def test_the_list_shows_the_new_payers_ticked(page, family):
    assert page.ui.monthEdit.text() == "03.2026"  # the month after today
    assert page.ui.facilityCombo.currentText() == "Kita Sonnenschein"
    assert texts(page, 1) == ["Gerber, Laura", "Gerber, Reto"]
    assert texts(page, 3) == ["1.839,37 + offen", "80,00"]
    assert texts(page, 4) == ["noch keine Festsetzung"] * 2
    assert page.model.ticked_ids() == [family.mother, family.father]
    assert page.ui.infoLabel.text() == "2 von 2 Zahlern mit Änderungen seit ihrer letzten Festsetzung"
    assert page.ui.printButton.isEnabled() and not page.ui.problemLabel.isVisible()
    page.ui.tickNoneButton.click()
    assert page.model.ticked_ids() == [] and not page.ui.printButton.isEnabled()
    page.model.setData(page.model.index(1, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert page.model.ticked_ids() == [family.father] and page.ui.printButton.isEnabled()


def test_the_preview_opens_through_the_worker_and_records_nothing(qtbot, page, context, family):
    select_row(page, "Gerber, Laura")
    with qtbot.waitSignal(page.preview_opened, timeout=10_000) as opened:
        assert page.preview()
        assert page._job is not None  # on the worker
    dialog = opened.args[0]
    assert dialog.page_count() == 2 and "Vorschau, nicht als versandt erfasst" in dialog.windowTitle()
    assert dialog.suggested_filename == file_name(Month(2026, 3), "Gerber, Laura", family.mother)
    assert recorded(context.db) == 0
    dialog.reject()


def test_without_a_current_row_the_preview_shows_the_first_ticked_payer(qtbot, page, family):
    page.ui.tickNoneButton.click()
    page.ui.table.setCurrentIndex(QModelIndex())
    page.model.setData(page.model.index(1, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert page.current_payer().payer_id == family.father
    with qtbot.waitSignal(page.preview_opened, timeout=10_000) as opened:
        assert page.preview()
    dialog = opened.args[0]
    assert dialog.page_count() >= 1 and not page.ui.problemLabel.isVisible()
    dialog.reject()


def test_print_all_into_one_pdf_records_and_the_list_empties(qtbot, page, context, family):
    with qtbot.waitSignal(page.printed, timeout=20_000) as printed:
        page.ui.printButton.click()
    assert printed.args[0].startswith(b"%PDF")
    assert page.preview_dialog is not None and page.preview_dialog.page_count() == 3
    page.preview_dialog.reject()
    assert recorded(context.db) == 2
    qtbot.waitUntil(lambda: page._job is None and page.model.rowCount() == 0, timeout=10_000)
    assert page.ui.statusLabel.text() == "2 Festsetzungen erstellt und als versandt erfasst."
    page.ui.allCheck.setChecked(True)
    assert texts(page, 4) == ["unverändert", "unverändert"]
    assert all(text.endswith("ab 03.2026") for text in texts(page, 5))
    # a changed discount: the mother is listed again
    leon = billing_data.get_period(context.db, family.leon_period.id).period
    billing_data.save_period(context.db, replace(leon, fee_lines=(replace(leon.fee_lines[0], discount_ids=()),)))
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.ui.refreshButton.click()
    page.ui.allCheck.setChecked(False)
    assert texts(page, 1) == ["Gerber, Laura"] and texts(page, 4) == ["geändert"]


def test_one_pdf_per_recipient_into_a_folder(qtbot, page, context, family, tmp_path, monkeypatch):
    folder = tmp_path / "briefe"
    folder.mkdir()
    monkeypatch.setattr(page, "choose_folder", lambda: str(folder))
    page.ui.eachRadio.setChecked(True)
    with qtbot.waitSignal(page.printed, timeout=20_000) as printed:
        assert page.print_all()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([file_name(Month(2026, 3), "Gerber, Laura", family.mother),
                            file_name(Month(2026, 3), "Gerber, Reto", family.father)])
    assert names[0].startswith("festsetzung-2026-03-gerber-")
    assert sorted(printed.args[0]) == sorted(str(folder / n) for n in names)
    assert recorded(context.db) == 2


def test_a_print_run_cancelled_midway_records_nothing(qtbot, page, context, monkeypatch):
    original = kita_assessment.draw_assessment

    def slow(c, a):
        time.sleep(0.4)
        return original(c, a)

    monkeypatch.setattr(kita_assessment, "draw_assessment", slow)
    with qtbot.waitSignal(page.print_cancelled, timeout=20_000):
        page.ui.printButton.click()
        assert page.ui.cancelButton.isVisible() and not page.ui.printButton.isEnabled()
        qtbot.waitUntil(lambda: page.ui.progressBar.value() >= 1, timeout=10_000)  # the first letter is done
        page.ui.cancelButton.click()
    assert recorded(context.db) == 0
    assert page.ui.statusLabel.text() == "Abgebrochen – es wurde nichts als versandt erfasst."
    assert not page.ui.cancelButton.isVisible() and page.ui.printButton.isEnabled()
    assert page.preview_dialog is None


def test_a_wrong_month_is_shown_at_the_field(qtbot, page):
    page.ui.monthEdit.setText("13.2026")
    page.ui.monthEdit.editingFinished.emit()
    assert page.ui.monthEdit.property("error") is True
    assert "Monat 13 gibt es nicht" in page.ui.problemLabel.text()
    assert not page.print_all()
