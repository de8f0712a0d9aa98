"""The document reference scheme: account and document encoded in a QR or creditor reference."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.references import (
    check_reference_for_iban,
    document_reference_core,
    make_document_creditor_reference,
    make_document_qr_reference,
    make_document_reference,
    normalize_creditor_reference,
    normalize_qr_reference,
    parse_document_reference,
)

QR_IBAN = "CH4431999123000889012"
CH_IBAN = "CH9300762011623852957"
DE_IBAN = "DE89370400440532013000"

accounts = st.integers(min_value=1, max_value=999_999_999)
documents = st.integers(min_value=0, max_value=999_999_999_999)


def test_core_is_account_and_document_zero_padded():
    assert document_reference_core(17, 4711) == "000000017" + "000000004711"


def test_qr_reference_has_27_digits_and_a_valid_check_digit():
    ref = make_document_qr_reference(17, 4711)
    assert ref == "00000" + "000000017000000004711" + ref[-1]
    assert len(ref) == 27 and normalize_qr_reference(ref) == ref


def test_creditor_reference_is_iso_11649():
    ref = make_document_creditor_reference(17, 4711)
    assert ref.startswith("RF") and ref[4:] == "000000017000000004711"
    assert normalize_creditor_reference(ref) == ref


def test_the_reference_fits_the_iban():
    assert check_reference_for_iban(QR_IBAN, make_document_reference(QR_IBAN, 5, 6)).isdigit()
    assert check_reference_for_iban(CH_IBAN, make_document_reference(CH_IBAN, 5, 6)).startswith("RF")
    assert make_document_reference(DE_IBAN, 5, 6).startswith("RF")


@given(accounts, documents)
def test_both_forms_give_account_and_document_back(account_id, document_no):
    for ref in (make_document_qr_reference(account_id, document_no),
                make_document_creditor_reference(account_id, document_no)):
        assert parse_document_reference(ref) == (account_id, document_no)


def test_parse_accepts_the_printed_grouping():
    ref = make_document_qr_reference(123, 9)
    grouped = ref[:2] + " " + " ".join(ref[i:i + 5] for i in range(2, 27, 5))
    assert parse_document_reference(grouped) == (123, 9)
    rf = make_document_creditor_reference(123, 9)
    assert parse_document_reference(" ".join(rf[i:i + 4] for i in range(0, len(rf), 4)).lower()) == (123, 9)


@pytest.mark.parametrize("foreign", [
    "210000000003139471430009017",  # valid QR reference of another issuer (does not start 00000)
    "RF18539007547034",  # valid creditor reference of another scheme (not 21 digits)
    "",
    "hello",
])
def test_references_of_other_schemes_are_not_ours(foreign):
    assert parse_document_reference(foreign) is None


def test_a_wrong_check_digit_is_not_ours():
    ref = make_document_qr_reference(42, 1)
    broken = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    assert parse_document_reference(broken) is None
    rf = make_document_creditor_reference(42, 1)
    assert parse_document_reference(rf[:2] + f"{(int(rf[2:4]) + 1) % 100:02d}" + rf[4:]) is None


@pytest.mark.parametrize("account_id, document_no", [(0, 1), (10 ** 9, 1), (1, -1), (1, 10 ** 12)])
def test_out_of_range_values_are_refused(account_id, document_no):
    with pytest.raises(ValueError):
        document_reference_core(account_id, document_no)
