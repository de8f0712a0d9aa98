"""Tabular reports: PDF text and page numbers, XLSX with typed cells."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports.table_model import ReportColumn, ReportSection, TableReport, cell_text
from sollhaben.reports.table_pdf import render_table_pdf
from sollhaben.reports.table_xlsx import render_table_xlsx

COLUMNS = (ReportColumn("Kind", 40), ReportColumn("Monat", 14), ReportColumn("Fällig", 16),
           ReportColumn("Anzahl", 10, numeric=True), ReportColumn("Betrag", 16, numeric=True))


def sample(rows: int = 250, country: str = "DE") -> TableReport:
    currency = "EUR" if country == "DE" else "CHF"
    body = [(f"Kind Nr. {i} – Müller", Month(2026, 3), date(2026, 3, 15), Decimal(i % 7), Money(123456 + i, currency))
            for i in range(rows)]
    total = Money(sum(123456 + i for i in range(rows)), currency)
    return TableReport("Sollstellungsliste März 2026", "Kita-Verbund Musterstadt e. V.", country, (
        ReportSection("Beiträge nach Kind", COLUMNS, body, totals=(("Summe", None, None, None, total),)),
        ReportSection("Nach Beitragsgruppe", (ReportColumn("Beitragsgruppe", 50), ReportColumn("Betrag", 20, True)),
                      [("Ganztags 45 h", Money(100, currency))]),
    ), subtitle="Einrichtung Sonnenschein", created=datetime(2026, 11, 25, 10, 30), notes=("Ende der Liste",))


def test_pdf_has_every_row_totals_and_page_numbers():
    pdf = render_table_pdf(sample())
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Sollstellungsliste März 2026" in text and "erstellt am 25.11.2026 10:30" in text
    assert "Kind Nr. 249 – Müller" in text and "1.234,56" in text and "15.03.2026" in text
    total = sum(123456 + i for i in range(250))
    assert cell_text(Money(total, "EUR"), "DE") in text
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    assert "Ende der Liste" in text
    assert render_table_pdf(sample()) == pdf  # deterministic


def test_pdf_swiss_formats():
    text = PdfReader(io.BytesIO(render_table_pdf(sample(3, "CH")))).pages[0].extract_text()
    assert "1'234.56" in text


def test_xlsx_keeps_numbers_and_dates_typed():
    book = load_workbook(io.BytesIO(render_table_xlsx(sample(10))))
    assert book.sheetnames == ["Beiträge nach Kind", "Nach Beitragsgruppe"]
    sheet = book["Beiträge nach Kind"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("Kind", "Monat", "Fällig", "Anzahl", "Betrag")
    first = rows[2]
    assert first[0] == "Kind Nr. 0 – Müller" and first[1] == "03.2026"
    assert first[2].date() == date(2026, 3, 15)
    assert first[4] == 1234.56 and isinstance(first[4], float)  # a number a spreadsheet can sum
    assert rows[-1][0] == "Summe" and rows[-1][4] == sum(123456 + i for i in range(10)) / 100
    assert sheet.cell(row=3, column=5).number_format == "#,##0.00"
