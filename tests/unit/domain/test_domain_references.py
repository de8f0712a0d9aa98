"""IBAN, QR reference (QRR, recursive mod 10) and ISO 11649 creditor reference (SCOR)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.errors import ValidationError
from sollhaben.domain.references import (
    check_reference_for_iban,
    format_creditor_reference,
    format_iban,
    format_qr_reference,
    is_qr_iban,
    is_valid_iban,
    make_creditor_reference,
    make_qr_reference,
    normalize_creditor_reference,
    normalize_iban,
    normalize_qr_reference,
    qr_check_digit,
)

QR_IBAN = "CH44 3199 9123 0008 8901 2"
CH_IBAN = "CH9300762011623852957"
DE_IBAN = "DE89370400440532013000"
VALID_QRR = "210000000003139471430009017"
VALID_SCOR = "RF18539007547034"

digits = st.text(alphabet="0123456789", min_size=1, max_size=26)
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
scor_bodies = st.text(alphabet=alnum, min_size=1, max_size=21)


# --- QR reference --------------------------------------------------------------------------

def test_spec_vector_check_digit_is_7():
    assert qr_check_digit("21000000000313947143000901") == 7
    assert make_qr_reference("21000000000313947143000901") == VALID_QRR
    assert normalize_qr_reference(VALID_QRR) == VALID_QRR


def test_normalize_qr_reference_accepts_grouped_form():
    grouped = format_qr_reference(VALID_QRR)
    assert grouped == "21 00000 00003 13947 14300 09017"
    assert normalize_qr_reference(grouped) == VALID_QRR


def test_make_qr_reference_pads_left():
    ref = make_qr_reference("42")
    assert len(ref) == 27 and ref.startswith("0" * 24 + "42")
    assert normalize_qr_reference(ref) == ref


@pytest.mark.parametrize("payload", ["", "12a", "1" * 27, "-1", " 1"])
def test_make_qr_reference_refuses_bad_payload(payload):
    with pytest.raises(ValueError):
        make_qr_reference(payload)


@given(digits)
def test_make_qr_reference_round_trips(payload):
    ref = make_qr_reference(payload)
    assert len(ref) == 27 and ref.isdigit()
    assert normalize_qr_reference(ref) == ref
    assert normalize_qr_reference(format_qr_reference(ref)) == ref
    assert ref[:26].lstrip("0") == payload.lstrip("0")


@given(digits, st.integers(0, 26), st.integers(1, 9))
def test_any_single_changed_digit_is_detected(payload, position, delta):
    ref = make_qr_reference(payload)
    changed = ref[:position] + str((int(ref[position]) + delta) % 10) + ref[position + 1:]
    assert changed != ref
    with pytest.raises(ValidationError) as info:
        normalize_qr_reference(changed)
    assert "Prüfziffer" in str(info.value)


@pytest.mark.parametrize("text", ["", "12345", VALID_QRR + "0", VALID_QRR[:-1], "RF18539007547034",
                                  "21000000000313947143000901X"])
def test_qr_reference_wrong_shape(text):
    with pytest.raises(ValidationError) as info:
        normalize_qr_reference(text, "Referenz")
    assert str(info.value).startswith("Referenz:")
    assert "27 Ziffern" in str(info.value)


def test_qr_reference_refuses_non_ascii_digits():
    fullwidth = "".join(chr(ord("０") + int(c)) for c in VALID_QRR)
    arabic = "".join(chr(0x0660 + int(c)) for c in VALID_QRR)
    for text in (fullwidth, arabic):
        with pytest.raises(ValidationError):
            normalize_qr_reference(text)


# --- creditor reference ----------------------------------------------------------------------

def test_spec_scor_vector():
    assert normalize_creditor_reference(VALID_SCOR) == VALID_SCOR
    assert normalize_creditor_reference("rf18 5390 0754 7034") == VALID_SCOR
    assert make_creditor_reference("539007547034") == VALID_SCOR
    assert format_creditor_reference(VALID_SCOR) == "RF18 5390 0754 7034"


@given(scor_bodies)
def test_make_creditor_reference_round_trips(body):
    ref = make_creditor_reference(body)
    assert ref.startswith("RF") and ref[4:] == body
    assert 2 <= int(ref[2:4]) <= 98
    assert normalize_creditor_reference(ref) == ref
    assert normalize_creditor_reference(format_creditor_reference(ref).lower()) == ref


@given(scor_bodies, st.data())
def test_creditor_reference_single_substitution_detected(body, data):
    ref = make_creditor_reference(body)
    position = data.draw(st.integers(2, len(ref) - 1))
    old = ref[position]
    same_class = "0123456789" if old.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    new = data.draw(st.sampled_from([c for c in same_class if c != old]))
    tampered = ref[:position] + new + ref[position + 1:]
    with pytest.raises(ValidationError):
        normalize_creditor_reference(tampered)


@pytest.mark.parametrize("text", ["RF19539007547034", "RF18539007547035", "RF81539007547034"])
def test_tampered_creditor_reference_refused(text):
    with pytest.raises(ValidationError) as info:
        normalize_creditor_reference(text)
    assert "Prüfziffer der Creditor Reference" in str(info.value)


@pytest.mark.parametrize("text", ["", "RF", "RF18", "XX18539007547034", "RF1A539007547034",
                                  "RF18" + "1" * 22, "RF18-5390"])
def test_creditor_reference_wrong_shape(text):
    with pytest.raises(ValidationError) as info:
        normalize_creditor_reference(text)
    assert str(info.value).startswith("Referenz:")
    assert "beginnt mit RF" in str(info.value)


@pytest.mark.parametrize("body", ["", "A" * 22, "AB-C", "ÄBC"])
def test_make_creditor_reference_refuses_bad_body(body):
    with pytest.raises(ValueError):
        make_creditor_reference(body)


# --- IBAN ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        (DE_IBAN, DE_IBAN),
        ("DE89 3704 0044 0532 0130 00", DE_IBAN),
        ("de89370400440532013000", DE_IBAN),
        (CH_IBAN, CH_IBAN),
        (QR_IBAN, "CH4431999123000889012"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
    ],
)
def test_valid_ibans(text, normalized):
    assert normalize_iban(text) == normalized
    assert is_valid_iban(text)


def test_qr_iban_detection():
    assert is_qr_iban(QR_IBAN)
    assert is_qr_iban("CH4431999123000889012")
    assert not is_qr_iban(CH_IBAN)
    assert not is_qr_iban(DE_IBAN)
    assert not is_qr_iban("")


def test_format_iban():
    assert format_iban(DE_IBAN) == "DE89 3704 0044 0532 0130 00"
    assert format_iban("ch4431999123000889012") == "CH44 3199 9123 0008 8901 2"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("DE8937040044053201300", "hat 22 Stellen, eingegeben wurden 21"),
        ("DE893704004405320130000", "hat 22 Stellen, eingegeben wurden 23"),
        ("CH930076201162385295", "hat 21 Stellen"),
        ("DE88370400440532013000", "Prüfziffer der IBAN DE88 3704 0044 0532 0130 00 stimmt nicht"),
        ("CH9300762011623852958", "Prüfziffer"),
        ("hallo", "ist keine IBAN"),
        ("12345678901234567890", "ist keine IBAN"),
        ("DE89-3704-0044", "ist keine IBAN"),
        ("", "Bitte eine IBAN eingeben"),
        ("   ", "Bitte eine IBAN eingeben"),
    ],
)
def test_invalid_ibans_refused_in_german_naming_the_field(text, fragment):
    with pytest.raises(ValidationError) as info:
        normalize_iban(text, "Konto")
    message = str(info.value)
    assert message.startswith("Konto:")
    assert fragment in message
    assert info.value.errors[0].field == "Konto"
    assert not is_valid_iban(text)


def test_iban_default_field_name():
    with pytest.raises(ValidationError) as info:
        normalize_iban("abc")
    assert str(info.value).startswith("IBAN:")


def test_iban_refuses_non_ascii_digits():
    fullwidth = "DE" + "".join(chr(ord("０") + int(c)) for c in DE_IBAN[2:])
    assert not is_valid_iban(fullwidth)


@given(st.integers(4, 21), st.integers(1, 9))
def test_iban_single_digit_change_detected(position, delta):
    changed = DE_IBAN[:position] + str((int(DE_IBAN[position]) + delta) % 10) + DE_IBAN[position + 1:]
    assert not is_valid_iban(changed)


# --- reference rules of the QR-bill ----------------------------------------------------------

def test_qr_iban_needs_a_qr_reference():
    assert check_reference_for_iban(QR_IBAN, VALID_QRR) == VALID_QRR
    assert check_reference_for_iban(QR_IBAN, format_qr_reference(VALID_QRR)) == VALID_QRR
    for empty in ("", None, "  "):
        with pytest.raises(ValidationError) as info:
            check_reference_for_iban(QR_IBAN, empty)
        assert "QR-IBAN gehört eine QR-Referenz" in str(info.value)
    with pytest.raises(ValidationError):
        check_reference_for_iban(QR_IBAN, VALID_SCOR)
    with pytest.raises(ValidationError):
        check_reference_for_iban(QR_IBAN, VALID_QRR[:-1] + "0")


@pytest.mark.parametrize("iban", [CH_IBAN, DE_IBAN])
def test_normal_iban_refuses_qrr_accepts_scor_or_empty(iban):
    with pytest.raises(ValidationError) as info:
        check_reference_for_iban(iban, VALID_QRR, "Referenz")
    assert "nur mit einer QR-IBAN" in str(info.value)
    assert str(info.value).startswith("Referenz:")
    assert check_reference_for_iban(iban, VALID_SCOR) == VALID_SCOR
    assert check_reference_for_iban(iban, "rf18 5390 0754 7034") == VALID_SCOR
    assert check_reference_for_iban(iban, "") == ""
    assert check_reference_for_iban(iban, None) == ""
    with pytest.raises(ValidationError):
        check_reference_for_iban(iban, "RF19539007547034")
    with pytest.raises(ValidationError):
        check_reference_for_iban(iban, "Rechnung 17")
