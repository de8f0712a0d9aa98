"""QR-bill data rules: what the standard refuses is refused, with a German message at the field."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qrbill.bill import QRBill

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.money import Money
from sollhaben.reports.qr_bill_data import BillAddress, BillData, amount_text, permitted_text, prepare_bill

QR_IBAN = "CH44 3199 9123 0008 8901 2"
IBAN = "CH93 0076 2011 6238 5295 7"
QRR = "210000000003139471430009017"
SCOR = "RF18539007547034"
CREDITOR = BillAddress("Sozialdienst Aaretal", "Bahnhofstrasse", "12", "3000", "Bern", "CH")
DEBTOR = BillAddress("Anna Müller", "Marktgasse", "28", "9400", "Rorschach", "CH")


def bill(**changes) -> BillData:
    base = BillData(QR_IBAN, CREDITOR, Money.of("1234.50", "CHF"), "CHF", DEBTOR, QRR, "Rechnung 17", "de")
    return replace(base, **changes)


def errors_of(data: BillData) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        prepare_bill(data)
    return {e.field: e.message for e in caught.value.errors}


def test_a_valid_bill_gives_the_standard_payload():
    prepared = prepare_bill(bill())
    lines = prepared.payload.split("\r\n")
    assert lines[:4] == ["SPC", "0200", "1", "CH4431999123000889012"]
    assert lines[4:11] == ["S", "Sozialdienst Aaretal", "Bahnhofstrasse", "12", "3000", "Bern", "CH"]
    assert lines[18:20] == ["1234.50", "CHF"]
    assert lines[20:27] == ["S", "Anna Müller", "Marktgasse", "28", "9400", "Rorschach", "CH"]
    assert lines[27:31] == ["QRR", QRR, "Rechnung 17", "EPD"]
    assert prepared.account_text == QR_IBAN
    assert prepared.reference_text == "21 00000 00003 13947 14300 09017"
    assert prepared.amount_text == "1 234.50"


def test_open_amount_and_no_debtor_leave_the_fields_empty():
    prepared = prepare_bill(bill(amount=None, debtor=None))
    lines = prepared.payload.split("\r\n")
    assert lines[18] == "" and lines[20:27] == [""] * 7
    assert prepared.amount_text == ""


def test_iban_with_creditor_reference_or_none():
    assert prepare_bill(bill(account=IBAN, reference=SCOR)).payload.split("\r\n")[27:29] == ["SCOR", SCOR]
    assert prepare_bill(bill(account=IBAN, reference="")).payload.split("\r\n")[27:29] == ["NON", ""]
    assert prepare_bill(bill(account=IBAN, reference=SCOR)).reference_text == "RF18 5390 0754 7034"


def test_qrbill_itself_still_accepts_combined_addresses_and_zero():
    """Why prepare_bill checks these itself: the package lets them through."""
    combined = QRBill(account="CH4431999123000889012", creditor={"name": "A", "line1": "Weg 1", "line2": "3000 Bern"},
                      amount="0.00", reference_number=QRR)
    assert "\r\nK\r\n" in combined.qr_data() and "\r\n0.00\r\n" in combined.qr_data()


def test_combined_address_is_refused():
    errors = errors_of(bill(creditor=BillAddress("Sozialdienst Aaretal", lines=("Bahnhofstrasse 12", "3000 Bern"))))
    assert "Kombinierte Adressen" in errors["creditor"] and "Zahlbar an" in errors["creditor"]
    errors = errors_of(bill(debtor=BillAddress("Anna Müller", lines=("Marktgasse 28", "9400 Rorschach"))))
    assert "Kombinierte Adressen" in errors["debtor"]


@pytest.mark.parametrize("amount, text", [
    (Money(0, "CHF"), "0.00"),
    (Money(-100, "CHF"), "0.00 oder weniger"),
    (Money(100_000_000_000, "CHF"), "999'999'999.99"),
])
def test_amount_outside_0_01_to_999_999_999_99_is_refused(amount, text):
    assert text in errors_of(bill(amount=amount))["amount"]


def test_the_limits_themselves_are_accepted():
    assert prepare_bill(bill(amount=Money(1, "CHF"))).payload.split("\r\n")[18] == "0.01"
    assert prepare_bill(bill(amount=Money(99_999_999_999, "CHF"))).amount_text == "999 999 999.99"


def test_qr_iban_needs_a_qr_reference():
    assert "QR-Referenz" in errors_of(bill(reference=""))["reference"]


def test_qr_iban_refuses_a_creditor_reference():
    assert "keine RF-Referenz" in errors_of(bill(reference=SCOR))["reference"]


def test_iban_refuses_a_qr_reference():
    assert "nur mit einer QR-IBAN" in errors_of(bill(account=IBAN, reference=QRR))["reference"]


def test_wrong_check_digits_are_refused():
    assert "Prüfziffer" in errors_of(bill(reference=QRR[:-1] + "8"))["reference"]
    assert "Prüfziffer" in errors_of(bill(account=IBAN, reference="RF19539007547034"))["reference"]


def test_only_swiss_and_liechtenstein_accounts():
    assert "Schweiz" in errors_of(bill(account="DE89 3704 0044 0532 0130 00", reference=""))["account"]


@pytest.mark.parametrize("field, value", [("town", "Москва"), ("name", "Anna 😀"), ("street", "Ǆemala")])
def test_characters_outside_the_permitted_set_are_refused(field, value):
    errors = errors_of(bill(debtor=replace(DEBTOR, **{field: value})))
    assert "nicht erlaubt" in errors[f"debtor.{field}"]


def test_permitted_special_characters_pass():
    debtor = replace(DEBTOR, name="Łukasz Ș. Œuvre-Müller", town="Genève €")
    assert "Łukasz Ș. Œuvre-Müller" in prepare_bill(bill(debtor=debtor)).payload


def test_structured_address_needs_name_postal_code_and_town_and_limits_lengths():
    errors = errors_of(bill(creditor=BillAddress("", "Weg", "1", "", "", "CH")))
    assert {"creditor.name", "creditor.postal_code", "creditor.town"} <= set(errors)
    errors = errors_of(bill(debtor=replace(DEBTOR, name="x" * 71, town="y" * 36, country="Schweiz")))
    assert "70 Zeichen" in errors["debtor.name"] and "35 Zeichen" in errors["debtor.town"]
    assert "Ländercode" in errors["debtor.country"]


def test_language_currency_and_message_length():
    assert "language" in errors_of(bill(language="es"))
    assert "CHF und EUR" in errors_of(bill(currency="USD", amount=None))["currency"]
    assert "die Rechnung lautet auf CHF" in errors_of(bill(amount=Money(100, "EUR")))["amount"]
    assert "140 Zeichen" in errors_of(bill(additional_information="x" * 141))["additional_information"]


def test_all_problems_are_reported_together():
    errors = errors_of(bill(amount=Money(0, "CHF"), reference="", creditor=BillAddress("A", lines=("x", "y"))))
    assert {"amount", "reference", "creditor"} <= set(errors)


def test_amount_text_uses_spaces_as_thousands_separator():
    assert amount_text(Money(123456789, "CHF")) == "1 234 567.89"
    assert amount_text(None) == ""


def test_free_texts_copied_onto_the_bill_are_reduced_to_the_permitted_set():
    assert permitted_text("Rechnung → Dezember 😀  2026\n") == "Rechnung Dezember 2026"
    assert permitted_text("Łódź €", limit=4) == "Łódź"[:4]
    assert prepare_bill(bill(additional_information=permitted_text("Mahnung ✓ 1"))).payload.split("\r\n")[29] == \
        "Mahnung 1"


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄÖÜäöüéèàç -.,'", min_size=1, max_size=30).filter(str.strip)


@given(name=_WORDS, street=st.one_of(st.just(""), _WORDS), number=st.sampled_from(["", "1", "12a"]),
       minor=st.one_of(st.none(), st.integers(1, 99_999_999_999)),
       with_debtor=st.booleans(), kind=st.sampled_from(["QRR", "SCOR", "NON"]),
       info=st.one_of(st.just(""), _WORDS), language=st.sampled_from(["de", "fr", "it", "en"]))
@settings(max_examples=150, deadline=None)
def test_our_payload_is_the_qrbill_packages(name, street, number, minor, with_debtor, kind, info, language):
    """The payload is written by us (speed); it must be the text the qrbill package writes."""
    debtor = BillAddress(name, street, number, "8000", "Zürich", "CH") if with_debtor else None
    account, reference = {"QRR": (QR_IBAN, QRR), "SCOR": (IBAN, SCOR), "NON": (IBAN, "")}[kind]
    amount = None if minor is None else Money(minor, "CHF")
    data = BillData(account, CREDITOR, amount, "CHF", debtor, reference, info, language)
    prepared = prepare_bill(data)
    package = QRBill(account=account.replace(" ", ""), creditor=_fields(CREDITOR),
                     amount=None if amount is None else str(amount.amount), currency="CHF",
                     debtor=None if debtor is None else _fields(debtor), reference_number=reference or None,
                     additional_information=" ".join(info.split()), language=language)
    assert prepared.payload == package.qr_data()


def _fields(address: BillAddress) -> dict:
    return {"name": address.name.strip(), "street": address.street.strip(), "house_num": address.house_number.strip(),
            "pcode": address.postal_code, "city": address.town, "country": address.country}
