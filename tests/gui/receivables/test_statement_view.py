"""The statement view with the real worker: open items by month and category with subtotals, the
pending direct debit marked, „Drucken / PDF …“ into the print preview (CH with the QR-bill),
„Excel …“, and the period's errors at the fields before anything runs."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger, organizations
from sollhaben.services.ledger import NewPosting
from sollhaben.ui.context import AppContext
from sollhaben.ui.ledger.statement_view import StatementView
from sollhaben.workers.jobs import JobRunner
from tests.integration.receivables.test_statement import payer

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
TODAY = date(2026, 11, 25)


def chf(text: str) -> Money:
    return Money.of(text, "CHF")


@pytest.fixture
def booked(sqlite_db, qapp):
    db = sqlite_db
    org, account = payer(db, "CH")
    for month, category, amount in ((Month(2026, 9), "KITA_FEE", "450.00"), (Month(2026, 10), "KITA_FEE", "450.00"),
                                    (Month(2026, 10), "MEALS", "80.00"), (Month(2026, 10), "REMINDER_FEE", "20.00")):
        ledger.post(db, NewPosting(account.id, month.first_day, category, chf(amount), f"{category} {month}",
                                   value_month=month, due_date=month.first_day.replace(day=28)))
    debit = ledger.book_payment(db, account.id, date(2026, 11, 20), chf("100.00"), "Lastschrift",
                                detail={"pending_until": "2026-11-30"})
    runner = JobRunner()
    context = AppContext(db=db, organization=organizations.get_organization(db, org.id), worker=runner)
    yield context, account, debit
    assert runner.shutdown(timeout_ms=10_000)


@pytest.fixture
def view(qtbot, booked):
    context, account, _debit = booked
    widget = StatementView(context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_account(account.id)
    yield widget
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=10_000)


def texts(view, column: int) -> list[str]:
    model = view.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_open_items_by_month_and_category_and_the_pending_debit(view, booked):
    _context, _account, debit = booked
    # the debit of 100 settled September's 450 partly (oldest first): 350 open
    assert texts(view.groups_view, 0) == ["09.2026", "10.2026", "", "", "", ""]
    assert texts(view.groups_view, 1) == ["Kita-Beitrag", "Kita-Beitrag", "Verpflegung", "Mahngebühr",
                                          "Summe 10.2026", "Summe offene Posten"]  # categories by code
    assert texts(view.groups_view, 3) == ["350.00", "450.00", "80.00", "20.00", "550.00", "900.00"]
    assert view.groups_view.model().index(4, 1).data(Qt.ItemDataRole.FontRole).bold()
    last = view.postings.rowCount() - 1
    assert view.postings.index(last, 1).data() == str(debit)
    assert view.postings.index(last, 8).data() == "Lastschrift vorgemerkt bis 30.11.2026"
    assert view.postings.index(last, 4).data(Qt.ItemDataRole.ForegroundRole).name() == "#1f5fa8"
    assert view.figures["closing"].text() == "900.00 CHF"


def test_print_opens_the_preview_with_the_qr_bill(qtbot, view):
    with qtbot.waitSignal(view.preview_opened, timeout=15_000) as opened:
        assert view.print_pdf()
    dialog = opened.args[0]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(dialog.pdf_bytes)).pages)
    assert "Saldo per 25.11.2026" in text and "900.00" in text and "Zahlteil" in text
    assert dialog.page_count() >= 1
    dialog.close()


def test_excel_and_period_errors(qtbot, view, tmp_path):
    with qtbot.waitSignal(view.exported, timeout=15_000):
        assert view.export_xlsx(str(tmp_path / "auszug.xlsx"))
    workbook = load_workbook(io.BytesIO((tmp_path / "auszug.xlsx").read_bytes()))
    assert workbook["Buchungen"]["E3"].value == "Anfangssaldo"
    view.date_from.setText("01.12.2026")
    view.date_to.setText("01.11.2026")
    assert not view.print_pdf() and not view.export_xlsx(str(tmp_path / "nie.xlsx"))
    assert view.date_to.toolTip() == "Bis: Das Ende liegt vor dem Beginn des Zeitraums."
    assert not (tmp_path / "nie.xlsx").exists()
