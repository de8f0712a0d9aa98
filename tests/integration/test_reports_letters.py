"""Letters from the register as PDF: text, page numbers, QR-bill payload, DE payment line, print runs."""
from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import CancelledError
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from sollhaben.domain.errors import NotFoundError, ValidationError
from sollhaben.domain.master_data import Address, PersonInput
from sollhaben.domain.money import Money
from sollhaben.domain.references import parse_document_reference
from sollhaben.reports.letter import render_letter as render_pdf
from sollhaben.services import ledger, letters, organizations, persons
from tests.conftest import make_org_input

TODAY = date(2026, 11, 25)
CHECKER = Path("/work/shared/tools/qrbill_check.py")
if not CHECKER.exists():
    CHECKER = Path(__file__).resolve().parents[3] / "shared" / "tools" / "qrbill_check.py"
BODY = ("Sehr geehrte Frau Muster\n\nFür die Bevorschussung der Unterhaltsbeiträge im November 2026 stellen wir "
        "Ihnen den folgenden Betrag in Rechnung.\n\nBesten Dank für die fristgerechte Zahlung.")


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def qr_codes(pdf: bytes, page: int) -> list[str]:
    image = pdfium.PdfDocument(pdf)[page].render(scale=300 / 72).to_pil()
    return [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def ch(db):
    org = organizations.create_organization(db, make_org_input("CH"))
    person = persons.save_person(db, org.id, PersonInput(
        "NATURAL", "Muster", "Anna", salutation="Frau", address=Address("Marktgasse", "28", "9400", "Rorschach", "CH"),
        language="de"), today=TODAY)
    return db, org, person


@pytest.fixture
def de(db):
    org = organizations.create_organization(db, make_org_input("DE"))
    person = persons.save_person(db, org.id, PersonInput(
        "NATURAL", "Mustermann", "Max", salutation="Herr", address_extra="c/o Familie Meier",
        address=Address("Gartenweg", "7", "70174", "Stuttgart", "DE")), today=TODAY)
    return db, org, person


def test_ch_letter_with_qr_bill_on_the_first_page(ch):
    db, org, person = ch
    pdf = letters.render_letter(db, org.id, person.id, "Rechnung Alimentenbevorschussung", BODY,
                                Money.of("1234.50", "CHF"), today=TODAY)
    assert pdf.startswith(b"%PDF")
    [text] = page_texts(pdf)
    for expected in ("Sozialdienst Aaretal", "Bahnhofstrasse 12, 3000 Bern", "Frau Anna Muster", "Marktgasse 28",
                     "9400 Rorschach", "Bern, 25. November 2026", "Rechnung Alimentenbevorschussung",
                     "Betrag: CHF 1'234.50", "Freundliche Grüsse", "Seite 1 von 1", "Empfangsschein", "Zahlteil",
                     "Konto / Zahlbar an", "CH44 3199 9123 0008 8901 2", "Zahlbar durch", "1 234.50",
                     "Annahmestelle"):
        assert expected in text, expected
    [payload] = qr_codes(pdf, 0)
    lines = payload.split("\r\n")
    assert lines[3] == "CH4431999123000889012"
    assert lines[4:11] == ["S", "Sozialdienst Aaretal", "Bahnhofstrasse", "12", "3000", "Bern", "CH"]
    assert lines[18:27] == ["1234.50", "CHF", "S", "Anna Muster", "Marktgasse", "28", "9400", "Rorschach", "CH"]
    assert lines[27] == "QRR" and lines[29] == "Rechnung Alimentenbevorschussung" and lines[30] == "EPD"
    account = ledger.list_accounts(db, org.id)[0][0]
    assert parse_document_reference(lines[28]) == (account.id, 0)
    assert account.holder_id == person.id


def test_the_decoded_payload_is_exactly_the_bill_payload(ch):
    db, org, person = ch
    [letter] = letters.build_letters(db, org.id, [letters.LetterRequest(person.id, "Rechnung", BODY,
                                                                      Money.of("99.95", "CHF"), document_no=4711)],
                                     today=TODAY)
    pdf = render_pdf(letter)
    assert qr_codes(pdf, 0) == [letter.bill.payload]
    assert parse_document_reference(letter.bill.payload.split("\r\n")[28])[1] == 4711


def test_open_amount_in_french(ch):
    db, org, person = ch
    pdf = letters.render_letter(db, org.id, person.id, "Décompte", "Madame,\n\nVeuillez trouver le décompte.",
                                None, language="fr", today=TODAY)
    [text] = page_texts(pdf)
    for expected in ("Bern, le 25 novembre 2026", "Récépissé", "Section paiement", "Compte / Payable à",
                     "Payable par", "Montant", "Meilleures salutations", "Page 1 sur 1"):
        assert expected in text, expected
    assert "1 234.50" not in text
    [payload] = qr_codes(pdf, 0)
    assert payload.split("\r\n")[18:20] == ["", "CHF"]


def test_a_long_letter_flows_and_the_bill_gets_its_own_last_page(ch):
    db, org, person = ch
    body = "\n\n".join(f"Absatz {i}: " + "Dieser Text ist lang genug, um mehrere Zeilen zu füllen. " * 6
                       for i in range(1, 16))
    pdf = letters.render_letter(db, org.id, person.id, "Ausführliche Abrechnung", body,
                                Money.of("12.00", "CHF"), today=TODAY)
    texts = page_texts(pdf)
    pages = len(texts)
    assert pages >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {pages}" in text
    assert "Absatz 15" in "".join(texts[:-1]) and "Zahlteil" in texts[-1] and "QR-Rechnung" in texts[-1]
    assert "Zahlteil" not in "".join(texts[:-1])
    assert len(qr_codes(pdf, pages - 1)) == 1 and qr_codes(pdf, 0) == []


def test_de_letter_has_a_payment_line_and_no_qr_bill(de):
    db, org, person = de
    pdf = letters.render_letter(db, org.id, person.id, "Elternbeitrag Dezember 2026",
                                "Sehr geehrter Herr Mustermann,\n\nanbei die Abrechnung.", Money.of("1234.50", "EUR"),
                                today=TODAY)
    [text] = page_texts(pdf)
    for expected in ("Kita-Verbund Musterstadt", "Herrn Max Mustermann", "c/o Familie Meier", "Gartenweg 7",
                     "70174 Stuttgart", "Stuttgart, 25.11.2026", "Bitte überweisen Sie 1.234,50 EUR",
                     "IBAN DE89 3704 0044 0532 0130 00", "Verwendungszweck: RF", "Mit freundlichen Grüßen",
                     "Seite 1 von 1"):
        assert expected in text, expected
    assert "Zahlteil" not in text and qr_codes(pdf, 0) == []
    reference = text.split("Verwendungszweck: ")[1].split("\n")[0]
    account = ledger.list_accounts(db, org.id)[0][0]
    assert parse_document_reference(reference) == (account.id, 0)


def test_input_errors_name_the_field(ch, de):
    db, org, person = ch
    with pytest.raises(ValidationError) as caught:
        letters.render_letter(db, org.id, person.id, " ", "", Money(0, "CHF"), language="es")
    assert {e.field for e in caught.value.errors} == {"subject", "body", "amount", "language"}
    assert "Betreff" in str(caught.value)
    _db, de_org, de_person = de
    with pytest.raises(ValidationError) as caught:
        letters.render_letter(db, de_org.id, de_person.id, "Betreff", "Text", Money.of("5", "CHF"), language="fr")
    assert {e.field for e in caught.value.errors} == {"amount", "language"}


def test_a_person_without_address_gets_no_letter(ch):
    db, org, _person = ch
    nobody = persons.save_person(db, org.id, PersonInput("NATURAL", "Ohneadresse", "Otto"), today=TODAY)
    with pytest.raises(ValidationError, match="keine vollständige Postadresse"):
        letters.render_letter(db, org.id, nobody.id, "Betreff", "Text", today=TODAY)


def test_print_run_with_progress_page_numbers_per_letter_and_cancel(ch):
    db, org, person = ch
    others = [persons.save_person(db, org.id, PersonInput(
        "NATURAL", f"Person{i}", "Eva", address=Address("Weg", str(i), "3000", "Bern", "CH")), today=TODAY)
        for i in range(3)]
    requests = [letters.LetterRequest(p.id, "Jahresrechnung", BODY, Money(1000 + i, "CHF"), document_no=i + 1)
                for i, p in enumerate([person, *others])]
    seen: list[tuple[int, int]] = []
    pdf = letters.render_batch(db, org.id, requests, progress=lambda done, total: seen.append((done, total)),
                               today=TODAY)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    texts = page_texts(pdf)
    assert len(texts) == 4 and all("Seite 1 von 1" in t for t in texts)
    references = [parse_document_reference(qr_codes(pdf, i)[0].split("\r\n")[28]) for i in range(4)]
    assert [doc for _account, doc in references] == [1, 2, 3, 4]
    assert len({account for account, _doc in references}) == 4
    calls = iter([False, True])
    with pytest.raises(CancelledError):
        letters.render_batch(db, org.id, requests, cancelled=lambda: next(calls), today=TODAY)


def test_a_subject_with_characters_the_bill_does_not_permit(ch):
    db, org, person = ch
    pdf = letters.render_letter(db, org.id, person.id, "Rechnung → Dezember", BODY, Money.of("5", "CHF"), today=TODAY)
    assert "Rechnung → Dezember" in page_texts(pdf)[0]  # the letter prints it as typed
    assert qr_codes(pdf, 0)[0].split("\r\n")[29] == "Rechnung Dezember"  # the bill only what it permits


def test_output_is_deterministic(ch):
    db, org, person = ch
    first = letters.render_letter(db, org.id, person.id, "Rechnung", BODY, Money.of("5", "CHF"), today=TODAY)
    second = letters.render_letter(db, org.id, person.id, "Rechnung", BODY, Money.of("5", "CHF"), today=TODAY)
    assert first == second


def test_the_six_checker_accepts_the_rendered_bills(ch, tmp_path):
    if not CHECKER.exists():
        pytest.skip("shared/tools/qrbill_check.py is not beside the checkout")
    db, org, person = ch
    path = tmp_path / "brief.pdf"
    path.write_bytes(letters.render_batch(db, org.id, [
        letters.LetterRequest(person.id, "Rechnung", BODY, Money.of("1234.50", "CHF")),
        letters.LetterRequest(person.id, "Offene Rechnung", BODY, None, language="it"),
    ], today=TODAY))
    result = subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 QR-bills found, 2 valid, 0 invalid" in result.stdout


def test_a_person_of_another_organization_is_not_found(ch):
    db, _org, person = ch
    other = organizations.create_organization(db, make_org_input("CH", name="Andere Gemeinde"))
    with pytest.raises(NotFoundError):
        letters.render_letter(db, other.id, person.id, "Betreff", "Text", today=TODAY)
