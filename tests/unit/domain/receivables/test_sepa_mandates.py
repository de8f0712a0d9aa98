"""SEPA mandate rules: reference, expiry at the 36-month boundary, sequence, the form, the charset."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.receivables.mandates import (
    MandateInput,
    MandateStatus,
    SequenceType,
    add_months,
    creditor_id_problem,
    expiry_date,
    is_expired,
    mandate_status,
    reference_key,
    reference_problem,
    sequence_after,
    validate_mandate,
)
from sollhaben.domain.receivables.sepa_charset import IDENTIFIER, TEXT_CHARACTERS, sepa_text
from sollhaben.domain.receivables.sepa_collection_rules import is_pending, pending_detail, reason_problem

TODAY = date(2026, 11, 24)


# expiry ---------------------------------------------------------------------------------------
def test_never_used_mandate_expires_36_months_after_signature():
    signed = date(2023, 11, 24)
    assert expiry_date(signed, None) == date(2026, 11, 24)
    assert not is_expired(signed, None, date(2026, 11, 23))  # last day it may be used
    assert is_expired(signed, None, date(2026, 11, 24))  # the anniversary: expired
    assert is_expired(signed, None, date(2026, 11, 25))


def test_use_moves_the_expiry():
    signed, used = date(2020, 1, 10), date(2024, 6, 1)
    assert expiry_date(signed, used) == date(2027, 6, 1)
    assert not is_expired(signed, used, date(2027, 5, 31))
    assert is_expired(signed, used, date(2027, 6, 1))
    assert is_expired(signed, None, date(2027, 5, 31))  # without the use it had long expired


def test_month_ends_at_the_boundary():
    assert add_months(date(2023, 1, 31), 36) == date(2026, 1, 31)
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert add_months(date(2023, 3, 31), 35) == date(2026, 2, 28)
    assert expiry_date(date(2024, 2, 29), None) == date(2027, 2, 28)
    assert not is_expired(date(2024, 2, 29), None, date(2027, 2, 27))
    assert is_expired(date(2024, 2, 29), None, date(2027, 2, 28))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_expiry_is_36_months_never_earlier(anchor):
    ends = expiry_date(anchor, None)
    assert (ends.year - anchor.year) * 12 + ends.month - anchor.month == 36
    assert not is_expired(anchor, None, ends - timedelta(days=1))
    assert is_expired(anchor, None, ends)


def test_status_order_revoked_then_signature_then_expiry():
    signed = date(2022, 1, 1)
    assert mandate_status(signed, None, None, date(2024, 1, 1)) is MandateStatus.VALID
    assert mandate_status(signed, None, date(2024, 1, 1), date(2024, 1, 1)) is MandateStatus.REVOKED
    assert mandate_status(signed, None, date(2024, 2, 1), date(2024, 1, 31)) is MandateStatus.VALID  # not yet
    assert mandate_status(signed, None, None, date(2021, 12, 31)) is MandateStatus.NOT_YET_SIGNED
    assert mandate_status(signed, None, None, date(2025, 1, 1)) is MandateStatus.EXPIRED
    assert MandateStatus.EXPIRED.label == "abgelaufen"


# reference -------------------------------------------------------------------------------------
@pytest.mark.parametrize("reference", ["KITA-0001", "a" * 35, "M/2026/17", "X+Y?(1).'2':,3"])
def test_good_references(reference):
    assert reference_problem(reference) == ""


@pytest.mark.parametrize("reference, words", [
    ("", "leer"), ("a" * 36, "höchstens 35"), ("KITA 1", "Leerzeichen"), ("MÜLLER-1", "„Ü“"),
    ("/KITA1", "„/“"), ("KITA1/", "„/“"), ("KITA//1", "„//“"), ("KITA_1", "„_“"),
])
def test_bad_references_say_why(reference, words):
    problem = reference_problem(reference)
    assert problem.startswith("Mandatsreferenz:") and words in problem


def test_reference_key_ignores_case_and_outer_spaces():
    assert reference_key(" kita-1 ") == reference_key("KITA-1") == "KITA-1"


# sequence ---------------------------------------------------------------------------------------
def test_sequence_rcur_once_a_collection_stands_frst_when_all_came_back():
    assert sequence_after(returned_all=False) is SequenceType.RECURRING
    assert sequence_after(returned_all=True) is SequenceType.FIRST


# the form ----------------------------------------------------------------------------------------
def form(**changes) -> MandateInput:
    values = dict(payer_id=7, reference="KITA-7", signed_on=date(2026, 1, 5), debtor_name="  Anna   Muster ",
                  iban="de02 1203 0000 0000 2020 51", bic="bylademm")
    values.update(changes)
    return MandateInput(**values)


def test_valid_form_is_normalized():
    data = validate_mandate(form(), TODAY)
    assert (data.iban, data.bic, data.debtor_name) == ("DE02120300000000202051", "BYLADEMM", "Anna Muster")


def test_every_field_error_at_once_with_its_field():
    with pytest.raises(ValidationError) as caught:
        validate_mandate(form(reference="A B", signed_on=TODAY + timedelta(days=1), debtor_name=" ",
                              iban="DE02120300000000202052", bic="BYLA"), TODAY)
    fields = {e.field: e.message for e in caught.value.errors}
    assert set(fields) == {"reference", "signed_on", "debtor_name", "iban", "bic"}
    assert "Zukunft" in fields["signed_on"] and "Prüfziffer" in fields["iban"] and "8 oder 11" in fields["bic"]


def test_signature_today_is_fine_bic_optional_and_11_characters():
    assert validate_mandate(form(signed_on=TODAY, bic=""), TODAY).bic == ""
    assert validate_mandate(form(bic="BYLADEMM001"), TODAY).bic == "BYLADEMM001"


def test_creditor_id():
    assert creditor_id_problem("DE98ZZZ09999999999") == ""
    assert "keine Gläubiger" in creditor_id_problem("")
    assert "keine gültige" in creditor_id_problem("DE99ZZZ09999999999")


# charset and pending ------------------------------------------------------------------------------
def test_sepa_text_transliterates_and_cuts():
    assert sepa_text("Jürgen Weiß & Söhne – Kita „Sonne“", 70) == "Juergen Weiss + Soehne - Kita Sonne"
    assert sepa_text("Élodie Gonçalves", 70) == "Elodie Goncalves"
    assert sepa_text("a" * 80, 70) == "a" * 70


@given(st.text(max_size=200))
def test_sepa_text_only_ever_yields_the_basic_set(text):
    result = sepa_text(text, 140)
    assert len(result) <= 140
    assert all(TEXT_CHARACTERS.fullmatch(ch) for ch in result)
    assert result == result.strip()


@given(st.from_regex(IDENTIFIER, fullmatch=True).filter(lambda s: len(s) <= 35))
def test_every_identifier_of_the_set_is_a_reference_unless_slashes_break_it(reference):
    slashes = reference.startswith("/") or reference.endswith("/") or "//" in reference
    assert (reference_problem(reference) == "") != slashes


def test_pending_until_the_due_date():
    detail = pending_detail(date(2026, 12, 1), 5, "SH5-9", "KITA-9")
    assert is_pending(detail, date(2026, 11, 30))
    assert not is_pending(detail, date(2026, 12, 1))
    assert not is_pending({}, date(2026, 11, 30))


def test_reason_codes():
    assert reason_problem("AM04") == ""
    assert "vierstellig" in reason_problem("AM4")
