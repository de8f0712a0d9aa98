"""The page „Lastschriften“: mandate editor with errors at the fields, the run dialog (proposal and
error list before the run, the run on the worker, the file), the return debit dialog. Real SQLite
database and the real worker; waits on signals."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from sollhaben.banking.xsd_validation import schema_problems
from sollhaben.domain.ledger import PostingSource
from sollhaben.domain.master_data import BankAccountInput, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.receivables.mandates import MandateInput
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables import sepa_collections, sepa_mandates
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.sepa_page import SepaPage
from sollhaben.workers.jobs import JobRunner
from tests.conftest import make_org_input

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 24)
DUE = date(2026, 12, 1)


@pytest.fixture
def context(qapp, sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("DE"))
    runner = JobRunner()
    yield AppContext(db=sqlite_db, organization=org, worker=runner)
    runner.shutdown()


@pytest.fixture
def family(context):
    db, org = context.db, context.organization
    made = {}
    for n, (last, signed) in enumerate([("Weiß", date(2025, 3, 1)), ("Alt", date(2023, 11, 1)),
                                        ("Berger", date(2026, 2, 1))]):
        person = persons.save_person(db, org.id, PersonInput("NATURAL", last, "Eva", bank_accounts=(
            BankAccountInput("DE02120300000000202051"),)), today=TODAY)
        account = ledger.open_account(db, org.id, person.id, module="kita")
        ledger.post(db, NewPosting(account.id, date(2026, 11, 1), "FEE_GROUP", Money.of(f"{100 + n}.50", "EUR"),
                                   due_date=DUE, text="Beitrag 12.2026", source=PostingSource.BILLING_RUN))
        made[last] = sepa_mandates.save_mandate(db, org.id, MandateInput(
            person.id, f"KITA-{n + 1:04d}", signed, f"Eva {last}", "DE02120300000000202051"), today=TODAY)
    newcomer = persons.save_person(db, org.id, PersonInput("NATURAL", "Neumann", "Nina"), today=TODAY)
    ledger.open_account(db, org.id, newcomer.id, module="kita")  # a payer without a mandate yet
    return made


@pytest.fixture
def page(qtbot, context, family):
    widget = SepaPage(context, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    return widget


def test_mandates_listed_with_their_state(page):
    rows = page.mandates.model.rows()
    assert [(r.payer_name, r.status_label) for r in rows] == [("Alt, Eva", "abgelaufen"), ("Berger, Eva", "gültig"),
                                                             ("Weiß, Eva", "gültig")]


def test_new_mandate_errors_at_the_fields_then_saved(qtbot, page, context):
    page.edit_mandate(None)
    dialog = page.dialog
    dialog.reference.setText("KITA 0001")
    dialog.signed_on.setText("01.01.2030")
    dialog.iban.setText("DE02120300000000202052")
    dialog.save()
    assert dialog.isVisible()
    for widget in (dialog.payer, dialog.reference, dialog.signed_on, dialog.iban, dialog.debtor_name):
        assert widget.property("fieldError") is True
    assert "Leerzeichen" in dialog.reference.toolTip() and "Zukunft" in dialog.signed_on.toolTip()
    assert not dialog.summary.isHidden()
    below = [label.text() for label in dialog.findChildren(QLabel)
             if label.property("role") == "fieldMessage" and not label.isHidden()]
    assert any("Leerzeichen" in text for text in below) and any("Zukunft" in text for text in below)
    dialog.payer.setCurrentIndex(dialog.payer.findText("Weiß, Eva"))
    dialog.reference.setText("kita-0001")
    dialog.signed_on.setText("20.11.2026")
    dialog.debtor_name.setText("Eva Weiß")
    dialog.iban.setText("DE02120300000000202051")
    dialog.save()
    assert "bereits" in dialog.reference.toolTip() and "gültige Mandat" in dialog.payer.toolTip()
    dialog.payer.setCurrentIndex(dialog.payer.findText("Neumann, Nina"))
    dialog.reference.setText("KITA-0009")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save()
    assert "KITA-0009" in [r.reference for r in page.mandates.model.rows()]


def test_revoke_from_the_page(qtbot, page):
    page.mandates.select(lambda r: r.reference == "KITA-0003")
    page.revoke_mandate()
    dialog = page.dialog
    dialog.revoked_on.setText("01.01.2020")
    dialog.save()
    assert dialog.revoked_on.property("fieldError") is True
    dialog.revoked_on.setText("24.11.2026")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save()
    row = next(r for r in page.mandates.model.rows() if r.reference == "KITA-0003")
    assert row.status_label == "widerrufen"


def test_run_dialog_shows_the_error_list_before_the_run_then_collects_on_the_worker(qtbot, page, context, tmp_path):
    page.tabs.setCurrentIndex(1)
    page.prepare_run()
    dialog = page.dialog
    assert dialog.due.text() == "01.12.2026"
    dialog.version.setCurrentIndex(dialog.version.findData("02"))
    with qtbot.waitSignal(context.worker.finished, timeout=10_000):
        dialog.make_proposal()
    assert [r.holder_name for r in dialog.lines.model.rows()] == ["Berger, Eva", "Weiß, Eva"]
    assert dialog.problems.count() == 1 and "abgelaufen" in dialog.problems.item(0).text()
    assert dialog.problems.isVisible() and dialog.run_button.isEnabled()
    assert sepa_collections.list_collections(context.db, context.organization_id) == []  # nothing booked yet
    target = tmp_path / "out.xml"
    dialog.choose_path = lambda suggested: str(target)
    with qtbot.waitSignal(dialog.collected, timeout=20_000) as collected:
        dialog.start_run()
    assert collected.args[0].file_written and collected.args[0].count == 2
    assert schema_problems(target.read_bytes(), "pain.008.001.02.xsd") == []
    assert not dialog.run_button.isEnabled()
    [row] = page.collections.model.rows()
    assert (row.count, row.total) == (2, Money.of("203.00", "EUR"))
    assert [i.holder_name for i in page.items.model.rows()] == ["Berger, Eva", "Weiß, Eva"]
    page.grab()  # paints with the rows


def test_bad_due_date_marked_at_the_field(qtbot, page):
    page.prepare_run()
    dialog = page.dialog
    dialog.due.setText("31.02.2026")
    dialog.make_proposal()
    assert dialog.due.property("fieldError") is True and "Kalender" in dialog.due.toolTip()


def test_return_debit_dialog(qtbot, page, context, tmp_path, monkeypatch):
    page.prepare_run()
    run = page.dialog
    with qtbot.waitSignal(context.worker.finished, timeout=10_000):
        run.make_proposal()
    run.choose_path = lambda suggested: str(tmp_path / "x.xml")
    with qtbot.waitSignal(run.collected, timeout=20_000):
        run.start_run()
    run.close()
    page.items.select(lambda r: r.holder_name == "Weiß, Eva")
    page.return_debit()
    dialog = page.dialog
    assert dialog.reason_code() == "AM04"
    dialog.returned_on.setText("05.12.2026")  # after "today"
    dialog.fee.setText("3,00")
    dialog.save()
    assert dialog.returned_on.property("fieldError") is True and "Zukunft" in dialog.returned_on.toolTip()
    dialog.today = date.today()  # the run was created today (real clock)
    dialog.returned_on.setText(f"{date.today():%d.%m.%Y}")
    dialog.reason.setEditText("MD06")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save()
    item = next(i for i in page.items.model.rows() if i.holder_name == "Weiß, Eva")
    assert (item.reason_code, item.fee) == ("MD06", Money.of("3.00", "EUR"))
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    page.items.select(lambda r: r.holder_name == "Weiß, Eva")
    page.return_debit()
    assert told and "bereits" in told[0]


def test_swiss_organization_sees_a_notice(qtbot, qapp, sqlite_db):
    org = organizations.create_organization(sqlite_db, make_org_input("CH"))
    widget = SepaPage(AppContext(db=sqlite_db, organization=org), today=TODAY)
    qtbot.addWidget(widget)
    assert not widget.notice.isHidden() and widget.tabs.isHidden()


def test_cancel_in_the_run_dialog_books_nothing(qtbot, page, context, tmp_path):
    import threading

    page.prepare_run()
    dialog = page.dialog
    with qtbot.waitSignal(context.worker.finished, timeout=10_000):
        dialog.make_proposal()
    release = threading.Event()
    context.worker.submit("busy", lambda _p: release.wait(10))  # the run queues behind this job
    dialog.choose_path = lambda suggested: str(tmp_path / "never.xml")
    dialog.start_run()
    assert dialog.is_busy() and dialog.cancel_button.isVisible()
    dialog.cancel_button.click()
    with qtbot.waitSignal(context.worker.cancelled, timeout=10_000):
        release.set()
    assert "nichts gebucht" in dialog.summary.text() and not dialog.is_busy()
    assert sepa_collections.list_collections(context.db, context.organization_id) == []
    assert not (tmp_path / "never.xml").exists()
