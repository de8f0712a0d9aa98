"""The page „Offene Posten“ with the real worker: the list at a key date, filters with errors at
the fields, ageing table and chart, collections per year, exports (XLSX, CSV, posting export)."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.services import ledger, organizations
from sollhaben.services.ledger import NewPosting
from sollhaben.ui.context import AppContext
from sollhaben.ui.receivables.open_items_page import OpenItemsPage
from sollhaben.workers.jobs import JobRunner
from tests.integration.receivables.test_statement import payer

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
KEY = date(2026, 11, 25)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


@pytest.fixture
def context(sqlite_db, qapp):
    db = sqlite_db
    org, anna = payer(db, "DE", "Keller", "Anna")
    _org, bernd = payer(db, "DE", "Abt", "Bernd")
    for account, days, amount, category in ((anna, 10, "100.00", "KITA_FEE"), (anna, 45, "50.00", "KITA_FEE"),
                                            (anna, 95, "5.00", "REMINDER_FEE"), (bernd, 70, "80.00", "KITA_FEE"),
                                            (bernd, -3, "80.00", "KITA_FEE")):
        due = KEY - timedelta(days=days)
        ledger.post(db, NewPosting(account.id, min(due, KEY) - timedelta(days=5), category, eur(amount), "Posten",
                                   value_month=Month.of(due), due_date=due))
    ledger.book_payment(db, bernd.id, date(2026, 3, 10), eur("20.00"))
    runner = JobRunner()
    yield AppContext(db=db, organization=organizations.get_organization(db, org.id), worker=runner)
    assert runner.shutdown(timeout_ms=10_000)


@pytest.fixture
def page(qtbot, context):
    widget = OpenItemsPage(context, today=lambda: KEY)
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.data is not None and not widget.jobs.busy, timeout=10_000)
    yield widget
    qtbot.waitUntil(lambda: not context.worker.is_busy(), timeout=10_000)


def column(lst, n: int) -> list[str]:
    model = lst.proxy
    return [model.index(r, n).data() for r in range(model.rowCount())]


def test_list_ageing_and_chart(qtbot, page):
    assert column(page.items, 1) == ["Abt, Bernd", "Abt, Bernd", "Keller, Anna", "Keller, Anna", "Keller, Anna"]
    assert column(page.items, 8) == ["60,00", "80,00", "5,00", "50,00", "100,00"]
    assert column(page.items, 10) == ["61–90 Tage", "nicht fällig", "> 90 Tage", "31–60 Tage", "0–30 Tage"]
    assert column(page.ageing, 1) == ["Abt, Bernd", "Keller, Anna", "Summe"]
    assert column(page.ageing, 2) == ["80,00", "0,00", "80,00"]  # not yet due
    assert column(page.ageing, 6) == ["0,00", "5,00", "5,00"]  # > 90 days
    assert column(page.ageing, 9) == ["140,00", "155,00", "295,00"]  # balance
    assert page.ageing_chart.values == (8000, 10000, 5000, 6000, 500)
    rects = page.ageing_chart.bar_rects()
    assert rects[1].height() > rects[0].height() > rects[4].height() > 0
    assert "5 offene Posten von 2 Konten" in page.status.text()


def test_filters_and_errors_at_the_fields(qtbot, page):
    page.overdue.setChecked(True)
    page.minimum.setText("100,00")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_button.click()
    assert column(page.ageing, 1) == ["Keller, Anna", "Summe"]
    assert page.category.count() == 3  # alle, Kita-Beitrag, Mahngebühr
    page.category.setCurrentIndex(page.category.findData("REMINDER_FEE"))
    page.minimum.setText("")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_button.click()
    assert column(page.items, 5) == ["Mahngebühr"]
    page.key_date.setText("31.02.2026")
    page.minimum.setText("abc")
    assert not page.reload()
    assert page.key_date.property("fieldError") is True
    assert page.key_date.toolTip() == "Stichtag: Den 31.02.2026 gibt es nicht im Kalender."
    assert page.minimum.toolTip() == "Mindestbetrag: „abc“ ist kein gültiger Betrag."


def test_collections_of_another_year(qtbot, page):
    assert column(page.collections_list, 0)[2] == "03.2026"
    assert column(page.collections_list, 1)[2] == "20,00"
    assert column(page.collections_list, 1)[-1] == "20,00"  # Summe
    assert page.collections_chart.values[2] == 2000
    page.year.setValue(2025)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        assert page.reload_collections()
    assert column(page.collections_list, 0)[0] == "01.2025"
    assert column(page.collections_list, 1)[-1] == "0,00"
    assert page.collections_chart.values == (0,) * 12


def test_exports(qtbot, page, tmp_path):
    with qtbot.waitSignal(page.written, timeout=10_000) as written:
        assert page.export_xlsx(str(tmp_path / "op.xlsx"))
    workbook = load_workbook(io.BytesIO((tmp_path / "op.xlsx").read_bytes()))
    assert workbook.sheetnames == ["Offene Posten", "Altersstruktur", "Zahlungseingänge 2026"]
    assert written.args == [str(tmp_path / "op.xlsx")]
    page.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(page.written, timeout=10_000):
        assert page.export_csv(str(tmp_path / "ageing.csv"))
    lines = (tmp_path / "ageing.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[-2] == ";Summe;80,00;100,00;50,00;60,00;5,00;295,00;0,00;295,00"
    with qtbot.waitSignal(page.written, timeout=10_000):
        assert page.export_postings((date(2026, 3, 1), date(2026, 3, 31)), str(tmp_path / "gl.csv"))
    rows = (tmp_path / "gl.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert rows[0].startswith("posting_id;booking_date;value_month") and rows[1].split(";")[8] == "-20.00"
    assert len(rows) == 3


def test_print_the_lists(qtbot, page):
    with qtbot.waitSignal(page.preview_opened, timeout=15_000) as opened:
        assert page.print_lists()
    dialog = opened.args[0]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(dialog.pdf_bytes)).pages)
    assert "Stichtag 25.11.2026" in text and "Altersstruktur" in text and "Zahlungseingänge 2026" in text
    assert "295,00" in text and "Keller, Anna" in text
    dialog.close()
