"""The page "Sollstellung": the next month proposed and explained, the preview on the worker (lines,
recalculations, totals, problems; a problem opens the child), posting on the worker after the
confirmation, a refused second post, a month out of order, and a run cancelled before its commit
that posts nothing. Real SQLite database, real worker; waits on signals, never sleeps."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from sollhaben.services import ledger
from sollhaben.services.kita import billing_data, billing_run
from sollhaben.services.kita import billing_run_post as writer
from sollhaben.ui.kita import run_dialogs
from tests.gui.kita.test_run_page_fixtures import (
    MARCH,
    RUN_DAY,
    RunSetup,
    build_run_setup,
    close_context,
    eur,
    open_context,
    post_march_and_change_leon,
    postings,
    runs,
    show_page,
    table_texts,
)

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
    """Every confirmation is answered "yes"; the texts asked are collected."""
    asked: list[str] = []
    monkeypatch.setattr(run_dialogs, "confirm", lambda parent, title, text, action: asked.append(text) or True)
    return asked


def test_the_next_month_is_proposed_and_explained(page, context, setup):
    assert page.ui.facilityCombo.currentText() == "Kita Sonnenschein"
    assert page.ui.monthEdit.text() == "03.2026"
    assert page.ui.nextMonthLabel.text().startswith("Nächster Abrechnungsmonat: <b>03.2026</b> – Noch keine "
                                                    "Sollstellung und kein erster Abrechnungsmonat eingestellt")
    billing_run.post_run(context.db, setup.facility, MARCH, "anna", today=RUN_DAY)
    page.facility_changed()
    assert page.ui.monthEdit.text() == "04.2026"
    assert page.ui.nextMonthLabel.text() == ("Nächster Abrechnungsmonat: <b>04.2026</b> – Die letzte Sollstellung war "
                                             "für 03.2026; Monate werden der Reihe nach abgerechnet. „Vorschau“ (F5) "
                                             "berechnet die Sollstellung, ohne zu buchen.")
    assert page.ui.tabs.tabText(4) == "Sollstellungen (1)"


def test_the_preview_shows_lines_recalculations_totals_and_a_problem(qtbot, page, context, setup):
    post_march_and_change_leon(context.db, setup)
    page.facility_changed()
    before = postings(context.db)
    with qtbot.waitSignal(page.previewed, timeout=20_000) as done:
        page.ui.previewButton.click()
        assert page.jobs.busy and not page.ui.previewButton.isEnabled()  # on the worker
    preview = done.args[0].preview
    assert preview.month == page.month() and postings(context.db) == before  # nothing posted
    lines = page.view.lines.model
    assert table_texts(lines, 0) == ["Gerber, Leon", "Gerber, Mia", "Gerber, Mia", "Gerber, Mia", "Gerber, Mia"]
    assert table_texts(lines, 1) == ["Kindergarten", "Krippe", "Krippe", "Getränkegeld", "Bastelgeld"]
    assert table_texts(lines, 2) == ["04.2026"] * 5
    assert table_texts(lines, 7) == ["Gerber, Laura", "Gerber, Laura", "Gerber, Reto", "Gerber, Laura", "Gerber, Laura"]
    assert table_texts(lines, 8) == ["600,00", "900,00", "80,00", "5,50", "8,00"]
    assert table_texts(lines, 6)[0] == "200,00"  # 25 % of 800.00
    recalculations = page.view.recalculations.model
    assert [table_texts(recalculations, c) for c in range(7)] == [
        ["Gerber, Leon"], ["Kindergarten"], ["03.2026"], ["Gerber, Laura"], ["600,00"], ["925,87"], ["-325,87"]]
    assert table_texts(page.view.fee_groups, 0) == ["Kindergarten", "Krippe"]
    assert table_texts(page.view.fee_groups, 2) == ["274,13", "980,00"]  # 600.00 − 325.87; 900.00 + 80.00
    assert table_texts(page.view.extra_costs, 2) == ["8,00", "5,50"]
    assert table_texts(page.view.payers, 0) == ["Gerber, Laura", "Gerber, Reto"]
    assert table_texts(page.view.payers, 2) == ["1.187,63", "80,00"]
    assert "zusammen <b>1.267,63 EUR</b>" in page.ui.totalsLabel.text()
    problems = page.view.problems.model
    assert table_texts(problems, 0) == ["Adler, Ben", "Adler, Ben"]  # March (recalculated) and April
    assert table_texts(problems, 1) == ["03.2026", "04.2026"]
    assert table_texts(problems, 2) == ["Beitrag „Einkommensabhängig“"] * 2
    assert table_texts(problems, 3)[1] == ("Beitrag „Einkommensabhängig“: keine Staffelberechnung für 04.2026 – die "
                                           "Beitragsgruppe ist einkommensabhängig, bitte eine Staffelberechnung "
                                           "übernehmen.")
    tabs = page.ui.tabs
    assert [tabs.tabText(i) for i in range(5)] == ["Buchungen 04.2026 (5)", "Nachberechnungen (1)", "Summen",
                                                   "Probleme (2)", "Sollstellungen (1)"]
    assert page.notice.text().startswith("2 Zeilen haben ein Problem")
    assert page.ui.postButton.isEnabled()
    # a double-click on a problem asks for the child
    page.notice.buttons()[0].click()  # "Probleme zeigen"
    assert tabs.currentIndex() == 3
    table = page.view.problems.table
    where = table.visualRect(table.model().index(1, 0)).center()
    with qtbot.waitSignal(page.open_child, timeout=2000) as opened:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [setup.ben]


def test_posting_runs_on_the_worker_and_the_postings_are_in_the_ledger(qtbot, page, context, setup, confirmed):
    with qtbot.waitSignal(page.posted, timeout=20_000) as done:
        page.ui.postButton.click()  # without a preview: computed first, then asked
        assert page.jobs.busy
    assert confirmed == [("Sollstellung 03.2026 für „Kita Sonnenschein“ buchen?\n\n"
                          "8 Buchungen für 3 Kinder, Summe 2.014,97 EUR\n\n"
                          "1 Zeile mit einem Problem wird nicht gebucht.\n\n"
                          "Eine gebuchte Sollstellung lässt sich nur als Ganzes zurücknehmen.")]
    result = done.args[0]
    assert (result.month, result.postings, result.children) == (MARCH, 8, 3)
    assert postings(context.db) == 8 and runs(context.db) == 1
    accounts = {a.holder_id: balance for a, balance in ledger.list_accounts(context.db, setup.family.org)}
    assert {setup.family.mother: "1934.97", setup.family.father: "80.00"} == {
        holder: f"{balance.amount:.2f}" for holder, balance in accounts.items()}
    assert page.notice.text().startswith(f"Sollstellung 03.2026 für „Kita Sonnenschein“ gebucht (Nr. {result.run_id}): "
                                         "8 Buchungen für 3 Kinder, 2.014,97 EUR")
    assert [b.text() for b in page.notice.buttons()] == ["Sollstellungsliste anzeigen"]
    assert page.ui.monthEdit.text() == "04.2026" and page.ui.tabs.currentIndex() == 4
    assert table_texts(page.runs.model, 1) == ["03.2026"] and table_texts(page.runs.model, 8) == ["gebucht"]
    assert page.runs.current_run().id == result.run_id
    assert page.ui.statusLabel.text() == "Sollstellung 03.2026 gebucht: 8 Buchungen, 2.014,97 EUR."


def test_a_second_post_of_the_month_is_refused_with_the_message(qtbot, page, context, setup, confirmed):
    with qtbot.waitSignal(page.previewed, timeout=20_000):
        page.preview()
    billing_run.post_run(context.db, setup.facility, MARCH, "bert", today=RUN_DAY)  # another clerk was faster
    with qtbot.waitSignal(page.refused, timeout=20_000) as refused:
        assert page.post()
    message = refused.args[0]
    assert message.startswith("Abrechnungsmonat: 03.2026 ist für die Einrichtung „Kita Sonnenschein“ bereits "
                              "abgerechnet; eine Sollstellung kann nur einmal gebucht werden")
    assert page.notice.text() == message
    assert postings(context.db) == 8 and runs(context.db) == 1  # posted once, by the other clerk
    assert table_texts(page.runs.model, 4) == ["bert"]
    # the preview of the posted month says so, and posting is not offered
    with qtbot.waitSignal(page.previewed, timeout=20_000) as done:
        page.preview()
    assert done.args[0].preview.refusal == message
    assert page.notice.text() == message and not page.ui.postButton.isEnabled()
    assert page.ui.postButton.toolTip() == message


def test_a_month_out_of_order_is_explained_and_not_offered(qtbot, page, context, setup):
    billing_run.post_run(context.db, setup.facility, MARCH, "anna", today=RUN_DAY)
    page.facility_changed()
    page.ui.monthEdit.setText("06.2026")
    page.ui.monthEdit.editingFinished.emit()
    assert "Gewählt ist 06.2026: gebucht werden kann nur 04.2026" in page.ui.nextMonthLabel.text()
    with qtbot.waitSignal(page.previewed, timeout=20_000):
        page.ui.previewButton.click()
    assert page.notice.text() == ("Abrechnungsmonat: Monate werden der Reihe nach abgerechnet – als Nächstes ist "
                                  "04.2026 an der Reihe, nicht 06.2026.")
    assert not page.ui.postButton.isEnabled() and not page.post()
    page.ui.monthEdit.setText("13.2026")
    page.ui.monthEdit.editingFinished.emit()
    assert page.ui.monthEdit.property("fieldError") is True
    assert "Monat 13 gibt es nicht" in page.notice.text()
    assert not page.preview()


def test_a_run_cancelled_before_its_commit_posts_nothing(qtbot, page, context, setup, confirmed, monkeypatch):
    """The run is held right after its postings are written (inside its transaction) until the clerk
    has pressed "Abbrechen": the service's last cancel check before the commit rolls it all back."""
    written, release = threading.Event(), threading.Event()
    original = writer.write_postings

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        written.set()
        release.wait(20)
        return result

    monkeypatch.setattr(writer, "write_postings", held)
    with qtbot.waitSignal(page.previewed, timeout=20_000):
        page.preview()
    try:
        assert page.post()
        qtbot.waitUntil(written.is_set, timeout=20_000)
        # the worker holds the run; the window goes on
        assert page.ui.cancelButton.isVisible() and not page.ui.postButton.isEnabled()
        page.ui.tabs.setCurrentIndex(2)
        assert page.ui.tabs.currentIndex() == 2
        with qtbot.waitSignal(page.run_cancelled, timeout=20_000) as cancelled:
            page.ui.cancelButton.click()
            assert page.ui.statusLabel.text() == "Wird abgebrochen …"
            release.set()
    finally:
        release.set()
    assert cancelled.args == ["Sollstellung 03.2026 buchen"]
    assert postings(context.db) == 0 and runs(context.db) == 0
    assert page.notice.text() == "„Sollstellung 03.2026 buchen“ wurde abgebrochen – es wurde nichts gebucht."
    assert page.ui.statusLabel.text() == "Abgebrochen – es wurde nichts gebucht."
    assert not page.ui.cancelButton.isVisible() and page.ui.postButton.isEnabled()
    assert page.ui.monthEdit.text() == "03.2026"


def test_a_cancelled_preview_shows_nothing(qtbot, page, context, monkeypatch):
    """The preview is held while it loads until "Abbrechen" is pressed; its cancel check stops it."""
    from sollhaben.services.kita import billing_run as service

    loading, release = threading.Event(), threading.Event()
    original = service.load_inputs

    def held(*args, **kwargs):
        loading.set()
        release.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "load_inputs", held)
    try:
        assert page.preview()
        qtbot.waitUntil(loading.is_set, timeout=20_000)
        with qtbot.waitSignal(page.run_cancelled, timeout=20_000) as cancelled:
            page.ui.cancelButton.click()
            release.set()
    finally:
        release.set()
    assert cancelled.args == ["Vorschau Sollstellung 03.2026"]
    assert page.view.result is None and page.view.lines.model.rowCount() == 0
    assert page.ui.statusLabel.text() == "Vorschau abgebrochen." and page.notice.text() == ""


def test_the_result_says_when_the_data_changed_after_the_preview(qtbot, page, context, setup, confirmed):
    with qtbot.waitSignal(page.previewed, timeout=20_000):
        page.preview()
    leon = billing_data.get_period(context.db, setup.family.leon_period.id).period  # a colleague edits Leon
    billing_data.save_period(context.db, replace(leon, fee_lines=(replace(leon.fee_lines[0], tier=2),)))
    with qtbot.waitSignal(page.posted, timeout=20_000) as done:
        assert page.post()
    assert done.args[0].total == eur("1689.10")  # Leon 600.00 instead of 925.87
    assert page.notice.text().endswith("Die Vorschau hatte 8 Buchungen und 2.014,97 EUR gezeigt – die "
                                       "Abrechnungsdaten wurden inzwischen geändert.")
