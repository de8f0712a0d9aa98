"""The account statement on SQLite and PostgreSQL: running and opening balance, reversals and
pending direct debits marked, open items by month and category summing to the balance plus the
credit, the PDF (figures in its text; CH with a valid QR-bill for the open balance, none for a
zero or negative balance; DE with the payment line), the registered reference, the XLSX."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from openpyxl import load_workbook
from pypdf import PdfReader

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.domain.references import parse_document_reference
from sollhaben.persistence.models import IssuedReference
from sollhaben.services import ledger, organizations, persons
from sollhaben.services.ledger import NewPosting
from sollhaben.services.receivables.statement import load_statement
from sollhaben.services.receivables.statement_export import statement_xlsx
from sollhaben.services.receivables.statement_print import statement_document_no, statement_pdf
from sollhaben.services.unit_of_work import read_only
from tests.conftest import make_org_input

TODAY = date(2026, 11, 25)
QRBILL_CHECK = Path(__file__).resolve().parents[3].parent / "shared" / "tools" / "qrbill_check.py"
if not QRBILL_CHECK.exists():
    QRBILL_CHECK = Path("/work/shared/tools/qrbill_check.py")


def money(text: str, currency: str) -> Money:
    return Money.of(text, currency)


def payer(db, country: str, last: str = "Keller", first: str = "Anna"):
    """An organization of the country (created once per database) and a payer with an account."""
    found = [o for o in organizations.list_organizations(db) if o.legal_country == country]
    org = found[0] if found else organizations.create_organization(db, make_org_input(country))
    address = (Address("Marktgasse", "28", "3011", "Bern", "CH") if country == "CH"
               else Address("Hauptstraße", "1", "70173", "Stuttgart", "DE"))
    person = persons.save_person(db, org.id, PersonInput("NATURAL", last, first, address=address))
    return org, ledger.open_account(db, org.id, person.id)


def fee(db, account, month: Month, amount: str, currency: str, category: str = "KITA_FEE") -> int:
    return ledger.post(db, NewPosting(account.id, month.first_day, category, money(amount, currency),
                                      f"Beitrag {month}", value_month=month, due_date=month.first_day.replace(day=15)))


@pytest.fixture
def history(db):
    """DE payer: Sep–Nov fees, a payment, a reminder fee, a reversed November fee, a pending debit."""
    org, account = payer(db, "DE")
    ids = {"sep": fee(db, account, Month(2026, 9), "120.00", "EUR"),
           "oct": fee(db, account, Month(2026, 10), "120.00", "EUR")}
    ids["pay"] = ledger.book_payment(db, account.id, date(2026, 10, 20), money("150.00", "EUR"), "Zahlung Keller")
    ids["fee"] = ledger.post(db, NewPosting(account.id, date(2026, 10, 25), "REMINDER_FEE", money("5.00", "EUR"),
                                            "Mahngebühr", value_month=Month(2026, 10), due_date=date(2026, 11, 8)))
    ids["nov"] = fee(db, account, Month(2026, 11), "80.00", "EUR")
    ids["rev"] = ledger.reverse(db, ids["nov"], date(2026, 11, 5))
    ids["dd"] = ledger.book_payment(db, account.id, date(2026, 11, 20), money("20.00", "EUR"), "Lastschrift",
                                    detail={"pending_until": "2026-12-02"})
    return db, org, account, ids


def test_running_balance_reversals_and_pending_debit(history):
    db, _org, account, ids = history
    s = load_statement(db, account.id, today=TODAY)
    assert [line.posting.id for line in s.lines] == [ids[k] for k in ("sep", "oct", "pay", "fee", "nov", "rev", "dd")]
    assert [line.balance.minor for line in s.lines] == [12000, 24000, 9000, 9500, 17500, 9500, 7500]
    by_id = {line.posting.id: line.posting for line in s.lines}
    assert by_id[ids["nov"]].reversed_by_id == ids["rev"] and by_id[ids["rev"]].reverses_id == ids["nov"]
    assert by_id[ids["dd"]].pending_until == date(2026, 12, 2)
    assert [p.id for p in s.pending] == [ids["dd"]]
    assert s.opening_balance.minor == 0 and s.closing_balance.minor == 7500
    # after the collection date the debit is no longer pending
    assert load_statement(db, account.id, today=date(2026, 12, 2)).pending == ()


def test_opening_balance_carries_what_came_before(history):
    db, _org, account, ids = history
    s = load_statement(db, account.id, date(2026, 10, 21), date(2026, 11, 4), today=TODAY)
    assert s.opening_balance.minor == 9000
    assert [line.posting.id for line in s.lines] == [ids["fee"], ids["nov"]]
    assert [line.balance.minor for line in s.lines] == [9500, 17500]
    assert s.closing_balance.minor == 17500
    # at the end date the November fee is not yet reversed: open, not marked
    assert s.lines[-1].posting.reversed_by_id is None
    assert {p.id: p.open_amount.minor for p in s.open_items} == {ids["oct"]: 9000, ids["fee"]: 500, ids["nov"]: 8000}


def test_open_items_by_month_and_category_sum_to_balance_plus_credit(history):
    db, _org, account, ids = history
    s = load_statement(db, account.id, today=TODAY)
    # the payment of 150 went to September (120) and 30 to October; the debit of 20 to October
    # (due 15.10., before the reminder fee due 08.11.)
    groups = [(str(g.month), g.category, g.count, g.open_amount.minor) for g in s.groups]
    assert groups == [("10.2026", "KITA_FEE", 1, 7000), ("10.2026", "REMINDER_FEE", 1, 500)]
    assert s.unallocated_credit.minor == 0
    assert sum(g.open_amount.minor for g in s.groups) - s.unallocated_credit.minor == s.closing_balance.minor
    ledger.book_payment(db, account.id, date(2026, 11, 21), money("100.00", "EUR"), "Überzahlung")
    s = load_statement(db, account.id, today=TODAY)
    assert s.groups == () and s.unallocated_credit.minor == 2500 and s.closing_balance.minor == -2500


def test_empty_period_and_wrong_range(history):
    db, _org, account, _ids = history
    s = load_statement(db, account.id, date(2027, 1, 1), date(2027, 1, 31), today=TODAY)
    assert s.lines == () and s.opening_balance.minor == s.closing_balance.minor == 7500
    with pytest.raises(ValidationError) as error:
        load_statement(db, account.id, date(2026, 11, 2), date(2026, 11, 1))
    assert error.value.errors[0].field == "date_to"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def decoded_payloads(pdf: bytes) -> list[str]:
    found = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=300 / 72).to_pil()
        found += [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def test_de_pdf_carries_the_figures_and_the_payment_line(history):
    db, _org, account, _ids = history
    pdf = statement_pdf(db, account.id, today=TODAY)
    text = pdf_text(pdf)
    for expected in ("Kontoauszug per 25.11.2026", f"Konto {account.number} – Keller, Anna", "Anfangssaldo",
                     "Saldo per 25.11.2026", "75,00", "175,00", "storniert durch Nr.", "Storno zu Nr.",
                     "Lastschrift vorgemerkt bis 02.12.2026", "Offene Posten nach Monat und Kategorie",
                     "Kita-Beitrag", "Bitte überweisen Sie 75,00 EUR", "Verwendungszweck: RF"):
        assert expected in text, expected
    assert decoded_payloads(pdf) == []


def ch_history(db, amounts: list[str], payments: list[str]):
    org, account = payer(db, "CH")
    for n, amount in enumerate(amounts):
        fee(db, account, Month(2026, 1) + n, amount, "CHF")
    for n, amount in enumerate(payments):
        ledger.book_payment(db, account.id, date(2026, 1, 20) + (date(2026, 2, 1) - date(2026, 1, 1)) * n,
                            money(amount, "CHF"))
    return org, account


def test_ch_pdf_has_a_valid_qr_bill_for_the_open_balance(db, tmp_path):
    org, account = ch_history(db, ["450.00"] * 12, ["400.00"] * 9)
    pdf = statement_pdf(db, account.id, date(2026, 1, 1), TODAY, today=TODAY)
    text = pdf_text(pdf)
    assert "Saldo per 25.11.2026" in text and "1'350.00" in text and "Zahlteil" in text
    payloads = decoded_payloads(pdf)
    assert len(payloads) == 1
    lines = payloads[0].replace("\r\n", "\n").split("\n")
    reference = lines[28]
    assert lines[18] == "1350.00" and lines[19] == "CHF" and lines[27] == "QRR"
    assert parse_document_reference(reference) == (account.id, statement_document_no(TODAY))
    with read_only(db) as session:
        issued = session.query(IssuedReference).filter_by(reference=reference).one()
        assert issued.kind == "STATEMENT" and issued.account_id == account.id and len(issued.item_ids) == 3
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    if QRBILL_CHECK.exists():  # the standard's checker lives beside the checkout, not in a fresh clone
        check = subprocess.run([sys.executable, str(QRBILL_CHECK), str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    # a reprint on the same day carries the same reference (registered once)
    assert decoded_payloads(statement_pdf(db, account.id, date(2026, 1, 1), TODAY, today=TODAY)) == payloads


@pytest.mark.parametrize("payments, expected", [(["450.00"], "ausgeglichen"), (["500.00"], "Guthaben von 50.00 CHF")])
def test_ch_pdf_without_qr_bill_for_a_zero_or_negative_balance(db, payments, expected):
    _org, account = ch_history(db, ["450.00"], payments)
    pdf = statement_pdf(db, account.id, today=TODAY)
    text = pdf_text(pdf)
    assert expected in text
    assert "Kein Einzahlungsschein: Es ist kein Betrag zu bezahlen." in text
    assert "Zahlteil" not in text and decoded_payloads(pdf) == []
    with read_only(db) as session:
        assert session.query(IssuedReference).count() == 0


def test_statement_ending_in_the_past_has_no_bill(db):
    _org, account = ch_history(db, ["450.00", "450.00"], [])
    pdf = statement_pdf(db, account.id, date(2026, 1, 1), date(2026, 1, 31), today=TODAY)
    text = pdf_text(pdf)
    assert "Kein Einzahlungsschein: Der Auszug endet am 31.01.2026" in text and "Zahlteil" not in text


def test_long_history_flows_over_pages_with_the_bill_on_the_last(db):
    _org, account = ch_history(db, ["450.00"] * 60, ["430.00"] * 58)
    pdf = statement_pdf(db, account.id, today=date(2031, 1, 1))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    assert "Buchungen (Fortsetzung)" in reader.pages[1].extract_text()
    assert "Zahlteil" in reader.pages[-1].extract_text()
    assert all("Zahlteil" not in page.extract_text() for page in reader.pages[:-1])
    assert len(decoded_payloads(pdf)) == 1


def test_xlsx_holds_the_postings_open_items_and_sums(history):
    db, _org, account, ids = history
    workbook = load_workbook(io.BytesIO(statement_xlsx(db, account.id, today=TODAY)))
    assert workbook.sheetnames == ["Buchungen", "Offene Posten", "Nach Monat und Kategorie"]
    rows = list(workbook["Buchungen"].iter_rows(min_row=3, values_only=True))
    assert rows[0][4] == "Anfangssaldo" and rows[0][7] == 0  # amounts are numbers with two decimals
    assert [r[1] for r in rows[1:-1]] == [ids[k] for k in ("sep", "oct", "pay", "fee", "nov", "rev", "dd")]
    assert [r[7] for r in rows[1:-1]] == [120, 240, 90, 95, 175, 95, 75]
    assert rows[3][5] is None and rows[3][6] == 150  # the payment in „Haben“
    assert rows[5][8] == f"storniert durch Nr. {ids['rev']}"
    assert rows[7][8] == "Lastschrift vorgemerkt bis 02.12.2026"
    assert rows[-1][4] == "Saldo" and rows[-1][7] == 75
    assert workbook["Buchungen"]["H3"].number_format == "#,##0.00"
    groups = list(workbook["Nach Monat und Kategorie"].iter_rows(min_row=3, values_only=True))
    assert groups == [("10.2026", "Kita-Beitrag", 1, 70), ("10.2026", "Mahngebühr", 1, 5),
                      (None, "Summe offene Posten", 2, 75), (None, "Unzugeordnetes Guthaben", None, 0),
                      (None, "Saldo", None, 75)]


def test_a_holder_without_postal_address_is_refused_with_the_field(db):
    org, _account = payer(db, "CH")
    person = persons.save_person(db, org.id, PersonInput("NATURAL", "Ohneort", "Otto"))
    account = ledger.open_account(db, org.id, person.id)
    fee(db, account, Month(2026, 10), "100.00", "CHF")
    with pytest.raises(ValidationError) as error:
        statement_pdf(db, account.id, today=TODAY)
    assert error.value.errors[0].field == "person"
    assert "Ohneort, Otto" in error.value.errors[0].message and "PLZ und Ort fehlen" in error.value.errors[0].message
    with read_only(db) as session:
        assert session.query(IssuedReference).count() == 0  # nothing registered
