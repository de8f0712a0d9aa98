"""The fee assessment letter as PDF: texts and number formats (DE 1.234,50, CH 1'234.50), "offener
Betrag", names, amounts right-aligned, the multi-page flow with repeated table heads and page
numbers, the payment paragraphs, and the Swiss QR-bill decoded from the page and checked by the
SIX checker of shared/tools."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from reportlab.lib.units import mm

from sollhaben.domain.money import Money
from sollhaben.domain.months import Month
from sollhaben.reports import kita_assessment as report
from sollhaben.reports.kita_assessment_model import (
    AssessmentChild,
    AssessmentLine,
    Deduction,
    FeeAssessment,
    Payment,
    PaymentMethod,
)
from sollhaben.reports.letter_model import Sender
from sollhaben.services.kita import fee_assessment
from sollhaben.services.kita import fee_assessment_payment as payment
from tests.integration.kita.test_fee_assessment_family import MARCH, TODAY, build_family

CHECKER = Path("/work/shared/tools/qrbill_check.py")
if not CHECKER.exists():
    CHECKER = Path(__file__).resolve().parents[4] / "shared" / "tools" / "qrbill_check.py"


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def qr_codes(pdf: bytes, page: int) -> list[str]:
    image = pdfium.PdfDocument(pdf)[page].render(scale=300 / 72).to_pil()
    return [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]


def right_edge(pdf: bytes, text: str, page: int = 0) -> float:
    """Where the first occurrence of `text` ends on the page, in mm from the left (advance widths)."""
    textpage = pdfium.PdfDocument(pdf)[page].get_textpage()
    found = textpage.search(text, match_case=True).get_next()
    assert found is not None, text
    index, count = found
    return textpage.get_charbox(index + count - 1, loose=True)[2] / mm


@pytest.fixture
def de(db):
    family = build_family(db, "DE")
    return db, family


@pytest.fixture
def ch(db):
    family = build_family(db, "CH")
    return db, family


def test_the_german_letter_states_names_amounts_and_open_lines(de):
    db, f = de
    pdf = fee_assessment.preview_assessment(db, f.facility, f.mother, MARCH, today=TODAY)
    first, second = (text.replace("\n", " ") for text in page_texts(pdf))
    for text in ("Frau Laura Gerber", "Gartenweg 7", "70174 Stuttgart", "Stuttgart, 20.02.2026",
                 "Festsetzung der Elternbeiträge ab März 2026", "Sehr geehrte Frau Gerber,",
                 "Leon Gerber, geb. 12.09.2020", "Mia Gerber, geb. 03.05.2022", "Kita Sonnenschein",
                 "Beitragsgruppe", "Staffel", "Monatsbetrag", "Ermäßigungen", "Ihr Anteil",
                 "Kindergarten", "Stufe 1", "1.234,50", "308,63", "925,87", "Geschwisterermäßigung (25 %)",
                 "Krippe", "980,00", "900,00", "Mittagessen", "offener Betrag", "3,80 je Einheit", "Getränkegeld",
                 "5,50", "Bastelgeld", "8,00", "Summe für Mia", "913,50",
                 "Monatlicher Gesamtbetrag (ohne offene Beträge)", "1.839,37 EUR", "Seite 1 von 2"):
        assert text in first, text
    assert first.count("offener Betrag") == 3 + 1  # meals twice, trips once, and the note
    for text in ("Zahlungsweise: Überweisung", "IBAN DE89 3704 0044 0532 0130 00", "erstmals 1.839,37 EUR",
                 "15.03.2026", "Verwendungszweck: RF", "Beitragsordnung", "Mit freundlichen Grüßen",
                 "Kita-Verbund Musterstadt", "Seite 2 von 2"):
        assert text in second, text


def test_amounts_are_right_aligned_in_their_columns(de):
    db, f = de
    pdf = fee_assessment.preview_assessment(db, f.facility, f.mother, MARCH, today=TODAY)
    assert right_edge(pdf, "1.234,50") == pytest.approx(report.COL_MONTHLY, abs=0.05)
    assert right_edge(pdf, "308,63") == pytest.approx(report.COL_DEDUCTED, abs=0.05)
    for share in ("925,87", "900,00", "913,50", "offener Betrag", "1.839,37 EUR"):
        assert right_edge(pdf, share) == pytest.approx(report.COL_SHARE, abs=0.05), share


def test_swiss_letter_formats_and_the_qr_bill_of_the_first_month(ch, tmp_path):
    db, f = ch
    pdf = fee_assessment.render_assessments(db, f.facility, [f.mother, f.father], MARCH, today=TODAY)
    texts = page_texts(pdf)
    mother = "\n".join(texts[:2])
    for text in ("Frau Laura Gerber", "Bern, 20. Februar 2026", "Sehr geehrte Frau Gerber\n", "1'234.50", "308.63",
                 "925.87", "CHF 1'839.37", "Ermässigungen", "Geschwisterermässigung (25 %)", "offener Betrag",
                 "Freundliche Grüsse", "Empfangsschein", "Zahlteil"):
        assert text in mother, text
    assert "ß" not in mother.replace("Grüße", "")  # Swiss letters write ss (names from the register aside)
    a = fee_assessment.assessment_for(db, f.facility, f.mother, MARCH, today=TODAY)
    [code] = qr_codes(pdf, 1)  # the slip sits at the foot of the letter's last page
    assert code == a.bill.payload
    lines = code.splitlines()
    assert lines[18:20] == ["1839.37", "CHF"] and lines[27] == "QRR"
    assert lines[28] == a.payment.reference.replace(" ", "") and a.payment.reference in mother
    father = fee_assessment.assessment_for(db, f.facility, f.father, MARCH, today=TODAY)
    assert father.bill.data.amount == Money.of("80.00", "CHF")
    if not CHECKER.exists():
        pytest.skip("shared/tools/qrbill_check.py is not beside the checkout")
    path = tmp_path / "festsetzungen.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 QR-bills found, 2 valid, 0 invalid" in result.stdout


def test_the_reference_on_the_bill_finds_the_payers_account(ch):
    from sqlalchemy import select

    from sollhaben.domain.references import parse_document_reference
    from sollhaben.persistence.models import Account

    db, f = ch
    a = fee_assessment.assessment_for(db, f.facility, f.mother, MARCH, today=TODAY)
    with db.session() as session:
        account = session.scalar(select(Account.id).where(Account.holder_id == f.mother, Account.key == "main"))
    assert parse_document_reference(a.payment.reference) == (account, 0)


def test_a_sepa_letter_carries_the_mandate_and_the_pre_notification(de):
    db, f = de
    payment.set_mandate_lookup(lambda _s, _o, ids, _m: {f.father: payment.Mandate("KITA-7", "DE02120300000000202051")})
    try:
        pdf = fee_assessment.preview_assessment(db, f.facility, f.father, MARCH, today=TODAY)
    finally:
        payment.set_mandate_lookup(None)
    text = " ".join(page_texts(pdf)).replace("\n", " ")
    for part in ("Zahlungsweise: SEPA-Lastschrift", "DE02 XXXX XXXX XXXX XX20 51", "erstmals 80,00 EUR am 15.03.2026",
                 "Mandatsreferenz: KITA-7", "Gläubiger-Identifikationsnummer: DE98ZZZ09999999999",
                 "Vorabankündigung (Pre-Notification)"):
        assert part in text, part
    assert "Verwendungszweck" not in text


def test_output_is_deterministic(de):
    db, f = de
    one = fee_assessment.preview_assessment(db, f.facility, f.mother, MARCH, today=TODAY)
    two = fee_assessment.preview_assessment(db, f.facility, f.mother, MARCH, today=TODAY)
    assert one == two


# --- layout from hand-made letters (no database) ----------------------------------------------------

def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def many_children(count: int, country: str = "DE", bill=None) -> FeeAssessment:
    currency = "CHF" if country == "CH" else "EUR"

    def money(text: str) -> Money:
        return Money.of(text, currency)

    discounts = (Deduction("Geschwisterermäßigung", money("31.50")), Deduction("Härtefall", money("20.00")))
    children = tuple(AssessmentChild(
        i, f"Kind{i:02d} Muster", date(2021, 1, 1), MARCH,
        fees=(AssessmentLine("FEE", "Ganztag 45 h", "monatlich", "Stufe 2", money("1126.00"), discounts,
                             money("1074.50"), money("1074.50")),),
        extras=(AssessmentLine("EXTRA", "Mittagessen", "nach Anzahl", detail="3,80 je Einheit"),
                AssessmentLine("EXTRA", "Getränkegeld", "monatlich", monthly=money("5.50"), net=money("5.50"),
                               share=money("5.50"))),
        total=money("1080.00")) for i in range(count))
    return FeeAssessment(
        organization_id=1, facility_id=2, facility_name="Kita Regenbogen", payer_id=3, country=country,
        currency=currency, sender=Sender("Stadt Musterstadt", "Rathausplatz", "1", "70173", "Stuttgart", country),
        recipient=("Jugendamt Musterstadt", "Amtsweg 3", "70173 Stuttgart"),
        salutation="Sehr geehrte Damen und Herren,",
        institution=True, place="Stuttgart", date=date(2026, 2, 20), from_month=MARCH, children=children,
        total=money(f"{1080 * count}.00"),
        payment=Payment(PaymentMethod.TRANSFER if country == "DE" else PaymentMethod.QR_BILL, 15, date(2026, 3, 15),
                        money(f"{1080 * count}.00"), "DE89 3704 0044 0532 0130 00", reference="RF18 5390 0754 7034"),
        fee_free_months=(8,), bill=bill)


def test_a_long_letter_flows_over_pages_with_the_table_head_repeated():
    pdf = report.render_assessment(many_children(12))
    texts = page_texts(pdf)
    pages = len(texts)
    assert pages >= 4
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {pages}" in text
        if number > 1:
            assert "Stadt Musterstadt – Festsetzung der Elternbeiträge ab März 2026" in text
    joined = "\n".join(texts)
    assert all(f"Kind{i:02d} Muster, geb. 01.01.2021" in joined for i in range(12))
    assert "12.960,00 EUR" in joined and "Im Monat August werden keine Beiträge" in joined
    assert "für die Betreuung von Kind00 Muster, Kind01 Muster" in joined.replace("\n", " ")


def test_a_page_never_starts_with_a_table_row_without_its_child_and_head():
    layout = report.layout(many_children(12))
    continued = 0
    for page in layout[1:]:
        (_y, first), *rest = page.items
        font, size = first.texts[0][3], first.texts[0][4]
        assert font.endswith("Bold") or size == 10.0, first.texts[0][2]  # a heading, a caption or body text
        if first.texts[0][2].endswith("(Fortsetzung)"):
            continued += 1
            assert rest[0][1].texts[0][2] in ("Beitragsgruppe", "Zusatzkosten")  # the table head follows
    assert continued >= 1


def test_each_child_keeps_its_heading_with_its_table(monkeypatch):
    a = many_children(7)
    for page in report.layout(a):
        items = [item for _y, item in page.items]
        if items:
            assert not items[-1].keep_with_next, "a page ends with an item that must stay with the next"


def test_the_bill_goes_to_page_one_when_everything_fits_else_to_the_last_page_or_its_own(ch, monkeypatch):
    db, f = ch
    mother = fee_assessment.assessment_for(db, f.facility, f.mother, MARCH, today=TODAY)
    pages = report.layout(mother)  # two pages of text; the second ends high enough for the slip
    assert [p.bill for p in pages] == [False, True] and pages[-1].items
    assert max(y + item.extent for y, item in pages[-1].items) <= report.BODY_BOTTOM_WITH_BILL
    father = fee_assessment.assessment_for(db, f.facility, f.father, MARCH, today=TODAY)
    pages = report.layout(father)  # one full page of text: the slip gets a page of its own
    assert [p.bill for p in pages] == [False, True] and not pages[-1].items
    pdf = report.render_assessment(father)
    assert "QR-Rechnung" in page_texts(pdf)[1] and "Seite 2 von 2" in page_texts(pdf)[1]
    assert len(qr_codes(pdf, 1)) == 1
    monkeypatch.setattr(report, "BODY_BOTTOM_WITH_BILL", 272.0)  # a slip that leaves room for everything
    [only] = report.layout(father)
    assert only.bill


def test_render_each_and_cancel():
    from concurrent.futures import CancelledError

    letters = [many_children(1), many_children(2)]
    done = []
    each = list(report.render_each(letters, progress=lambda d, t: done.append((d, t))))
    assert [a for a, _pdf in each] == letters
    assert [len(page_texts(pdf)) for _a, pdf in each] == [len(report.layout(a)) for a in letters]
    assert done == [(1, 1), (2, 2)]
    with pytest.raises(CancelledError):
        report.render_assessments(letters, cancelled=lambda: True)
    with pytest.raises(ValueError):
        report.render_assessments([])


def test_month_names_and_texts():
    from sollhaben.reports import kita_assessment_texts as t

    assert t.subject(Month(2026, 3)) == "Festsetzung der Elternbeiträge ab März 2026"
    assert t.masked_iban("DE02120300000000202051") == "DE02 XXXX XXXX XXXX XX20 51"
    assert t.salutation_line("Frau", "Anna", "Muster", False, "CH") == "Sehr geehrte Frau Muster"
    assert t.salutation_line("", "Anna", "Muster", False, "DE") == "Guten Tag Anna Muster,"
    assert t.fee_free_note((8, 7)).startswith("In den Monaten Juli und August")
    assert t.amount_with_currency(eur("1234.50"), "DE") == "1.234,50 EUR"
    assert t.amount_with_currency(Money.of("1234.50", "CHF"), "CH") == "CHF 1'234.50"


def test_the_fast_text_writer_writes_what_reportlabs_text_object_writes(monkeypatch):
    """`kita_assessment_pdf.Words` caches per document; the PDF must be byte for byte the one the
    house letter's text object (`reports.letter._Words`) gives."""
    from sollhaben.reports import letter

    letters = [many_children(1), many_children(3), many_children(1, "CH"), many_children(12)]
    fast = report.render_assessments(letters)
    monkeypatch.setattr(report, "Words", letter._Words)
    assert report.render_assessments(letters) == fast
